-- The rules behind pushdown: every sort-key operator, each begins_with
-- spelling, LIKE escapes, collations, sparse indexes, IN batching, the
-- full-scan guard.
CREATE SCHEMA rules;
SET search_path = rules, public;
CREATE FOREIGN TABLE items (pk text, sk text, name text, total numeric, doc jsonb OPTIONS (document 'true'))
  SERVER ddb OPTIONS (table 'AppData');
SELECT count(*) FROM items;

-- a raw column named like a key attribute (pk ~ PK) reads it
EXPLAIN (VERBOSE, COSTS OFF) SELECT sk FROM items WHERE pk = 'USER#123';

-- every sort-key operator is a key condition (C collation here)
EXPLAIN (COSTS OFF) SELECT sk FROM items WHERE pk = 'USER#123' AND sk = 'ORDER#1001';
EXPLAIN (COSTS OFF) SELECT sk FROM items WHERE pk = 'USER#123' AND sk < 'ORDER#1002';
SELECT sk FROM items WHERE pk = 'USER#123' AND sk < 'ORDER#1002';
EXPLAIN (COSTS OFF) SELECT sk FROM items WHERE pk = 'USER#123' AND sk <= 'ORDER#1002';
SELECT sk FROM items WHERE pk = 'USER#123' AND sk <= 'ORDER#1002';
EXPLAIN (COSTS OFF) SELECT sk FROM items WHERE pk = 'USER#123' AND sk > 'ORDER#1002';
SELECT sk FROM items WHERE pk = 'USER#123' AND sk > 'ORDER#1002';
EXPLAIN (COSTS OFF) SELECT sk FROM items WHERE pk = 'USER#123' AND sk >= 'ORDER#1002';
SELECT sk FROM items WHERE pk = 'USER#123' AND sk >= 'ORDER#1002';
EXPLAIN (COSTS OFF) SELECT sk FROM items WHERE pk = 'USER#123' AND sk BETWEEN 'ORDER#1001' AND 'ORDER#1002';
SELECT sk FROM items WHERE pk = 'USER#123' AND sk BETWEEN 'ORDER#1001' AND 'ORDER#1002';
-- strict bounds on both ends: BETWEEN narrows, the strict end is checked here
EXPLAIN (COSTS OFF) SELECT sk FROM items WHERE pk = 'USER#123' AND sk > 'ORDER#1001' AND sk <= 'USER#123';
SELECT sk FROM items WHERE pk = 'USER#123' AND sk > 'ORDER#1001' AND sk <= 'USER#123';

-- begins_with, four spellings, one key condition
EXPLAIN (COSTS OFF) SELECT sk FROM items WHERE pk = 'USER#123' AND sk LIKE 'ORDER#%';
EXPLAIN (COSTS OFF) SELECT sk FROM items WHERE pk = 'USER#123' AND starts_with(sk, 'ORDER#');
EXPLAIN (COSTS OFF) SELECT sk FROM items WHERE pk = 'USER#123' AND sk ^@ 'ORDER#';
EXPLAIN (COSTS OFF) SELECT sk FROM items WHERE pk = 'USER#123' AND ddbrel.begins_with(sk, 'ORDER#');
SELECT ddbrel.stats_reset();
SELECT sk FROM items WHERE pk = 'USER#123' AND sk LIKE 'ORDER#%' ORDER BY sk;
SELECT sk FROM items WHERE pk = 'USER#123' AND starts_with(sk, 'ORDER#') ORDER BY sk;
SELECT sk FROM items WHERE pk = 'USER#123' AND sk ^@ 'ORDER#' ORDER BY sk;
SELECT sk FROM items WHERE pk = 'USER#123' AND ddbrel.begins_with(sk, 'ORDER#') ORDER BY sk;
SELECT * FROM sent();
-- LIKE escapes: \% and \_ are literal; a wildcard inside narrows but stays local
EXPLAIN (VERBOSE, COSTS OFF) SELECT sk FROM items WHERE pk = 'USER#123' AND sk LIKE 'ORD\_R%';
SELECT sk FROM items WHERE pk = 'USER#123' AND sk LIKE 'ORD\_R%';
EXPLAIN (COSTS OFF) SELECT sk FROM items WHERE pk = 'USER#123' AND sk LIKE 'ORD_R#10%';
SELECT sk FROM items WHERE pk = 'USER#123' AND sk LIKE 'ORD_R#10%';
EXPLAIN (COSTS OFF) SELECT sk FROM items WHERE pk = 'USER#123' AND sk LIKE '100\%';
-- LIKE without wildcards is equality: with the full key, GetItem
EXPLAIN (COSTS OFF) SELECT sk FROM items WHERE pk = 'USER#123' AND sk LIKE 'USER#123';

-- ranges under a collation that does not sort like bytes stay local
EXPLAIN (COSTS OFF) SELECT sk FROM items WHERE pk = 'USER#123' AND sk >= 'ORDER#1002' COLLATE "und-x-icu";
SELECT sk FROM items WHERE pk = 'USER#123' AND sk >= 'ORDER#1002' COLLATE "und-x-icu";
EXPLAIN (COSTS OFF) SELECT sk FROM items WHERE pk = 'USER#123' ORDER BY sk COLLATE "und-x-icu";
-- but ORDER BY under C collation is DynamoDB's order
EXPLAIN (COSTS OFF) SELECT sk FROM items WHERE pk = 'USER#123' ORDER BY sk DESC;
SELECT sk FROM items WHERE pk = 'USER#123' ORDER BY sk DESC;

-- jsonb and NULL tests
EXPLAIN (COSTS OFF) SELECT sk FROM items WHERE pk = 'USER#123' AND name IS NULL;
SELECT sk FROM items WHERE pk = 'USER#123' AND name IS NULL ORDER BY sk;
EXPLAIN (COSTS OFF) SELECT sk FROM items WHERE pk = 'USER#123' AND name IS NOT NULL;
SELECT sk FROM items WHERE pk = 'USER#123' AND name IS NOT NULL;

-- jsonb containment of simple values: path equalities, exact
EXPLAIN (COSTS OFF) SELECT sk FROM items WHERE pk = 'USER#123' AND doc @> '{"status": "shipped"}';
SELECT sk FROM items WHERE pk = 'USER#123' AND doc @> '{"status": "shipped"}';
EXPLAIN (VERBOSE, COSTS OFF) SELECT sk FROM items WHERE pk = 'USER#123' AND doc @> '{"total": 99.99, "status": "pending"}';
SELECT sk FROM items WHERE pk = 'USER#123' AND doc @> '{"total": 99.99, "status": "pending"}';
-- arrays, base64-looking strings and key attributes are checked here
EXPLAIN (COSTS OFF) SELECT sk FROM items WHERE pk = 'USER#123' AND doc @> '{"tags": ["a"]}';
EXPLAIN (COSTS OFF) SELECT sk FROM items WHERE pk = 'USER#123' AND doc @> '{"status": "AAAA"}';
EXPLAIN (COSTS OFF) SELECT sk FROM items WHERE pk = 'USER#123' AND doc @> '{"SK": "USER#123"}';
SELECT sk FROM items WHERE pk = 'USER#123' AND doc @> '{"SK": "USER#123"}';

-- an OR with a branch DynamoDB cannot do stays local whole, leaving no placeholder behind
SELECT sk FROM items WHERE pk = 'USER#123' AND (total > 50 OR upper(name) = 'ALICE') ORDER BY sk;

-- sparse indexes: an item without the index sort key is not in the index,
-- so ByStatusRank is used only when the rank is constrained
CREATE FOREIGN TABLE tasks (id text, status text, rank int, owner text, title text)
  SERVER ddb OPTIONS (table 'Tasks');
EXPLAIN (COSTS OFF) SELECT id FROM tasks WHERE status = 'open';
SELECT id FROM tasks WHERE status = 'open' ORDER BY id;
EXPLAIN (COSTS OFF) SELECT id FROM tasks WHERE status = 'open' AND rank > 0;
SELECT ddbrel.stats_reset();
SELECT id FROM tasks WHERE status = 'open' AND rank > 0;
SELECT * FROM sent();
-- a KEYS_ONLY index: alone when the query needs no other attribute, else
-- its keys, then the items (45_keys_only)
EXPLAIN (COSTS OFF) SELECT id FROM tasks WHERE owner = 'ann';
SELECT id FROM tasks WHERE owner = 'ann' ORDER BY id;
EXPLAIN (COSTS OFF) SELECT id, title FROM tasks WHERE owner = 'ann';
SELECT id, title FROM tasks WHERE owner = 'ann' ORDER BY id;
-- the index option pins or forbids
ALTER FOREIGN TABLE tasks OPTIONS (ADD index 'none');
EXPLAIN (COSTS OFF) SELECT id FROM tasks WHERE owner = 'ann';
ALTER FOREIGN TABLE tasks OPTIONS (SET index 'ByOwner');
EXPLAIN (COSTS OFF) SELECT id FROM tasks WHERE status = 'open' AND rank > 0;
ALTER FOREIGN TABLE tasks OPTIONS (DROP index);

-- IN lists: BatchGetItem, 100 keys per call
CREATE FOREIGN TABLE pages (id text, n int, pad text) SERVER ddb OPTIONS (table 'Pages');
SELECT ddbrel.stats_reset();
SELECT count(*), sum(n) FROM pages
 WHERE id = ANY (ARRAY(SELECT 'p' || lpad(g::text, 4, '0') FROM generate_series(1, 250) g));
SELECT * FROM sent();
PREPARE by_ids(text[]) AS SELECT count(*) FROM pages WHERE id = ANY ($1);
SELECT array_agg('p' || lpad(g::text, 4, '0'))::text AS ids FROM generate_series(2801, 3100) g \gset
SELECT ddbrel.stats_reset();
EXECUTE by_ids(:'ids');
SELECT * FROM sent();
DEALLOCATE by_ids;
-- duplicates are asked for once
SELECT ddbrel.stats_reset();
SELECT n FROM pages WHERE id IN ('p0007', 'p0007', 'p0008') ORDER BY n;
SELECT * FROM sent();

-- LIMIT with pagination: Limit per request, pages until the rows are there
EXPLAIN (COSTS OFF) SELECT n FROM pages LIMIT 3;
SELECT ddbrel.stats_reset();
SELECT count(*) FROM (SELECT n FROM pages LIMIT 3) s;
SELECT * FROM sent();
SELECT ddbrel.stats_reset();
SELECT count(*) FROM (SELECT n, pad FROM pages LIMIT 700) s;
SELECT operation, requests, returned FROM sent();  -- a 1 MB page, then only what is missing

-- the full-scan guard
ALTER FOREIGN TABLE pages OPTIONS (ADD allow_full_scan 'false');
SELECT count(*) FROM pages;
SELECT n FROM pages WHERE id = 'p0042';
CREATE FOREIGN TABLE guarded_orders (user_id text, order_id text)
  SERVER ddb OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'ORDER#{order_id}',
                      allow_full_scan 'false');
SELECT * FROM guarded_orders WHERE order_id > '1';
SELECT * FROM guarded_orders WHERE order_id = '1003';

-- a join from a local table of full keys: one GetItem per row, both key
-- columns bound together (not a Query per row, not a Scan)
CREATE TEMP TABLE wanted_keys AS SELECT 'USER#123'::text AS pk, 'ORDER#1002'::text AS sk;
ANALYZE wanted_keys;
EXPLAIN (COSTS OFF) SELECT i.name, i.total FROM wanted_keys w JOIN items i USING (pk, sk);
SELECT i.sk, i.total FROM wanted_keys w JOIN items i USING (pk, sk);
-- count(*) with parallel segments still uses Select=COUNT in each segment
CREATE FOREIGN TABLE pages_par (id text, n int) SERVER ddb
  OPTIONS (table 'Pages', parallel_segments '4');
EXPLAIN (COSTS OFF) SELECT count(*) FROM pages_par;
SELECT ddbrel.stats_reset();
SELECT count(*) FROM pages_par;
SELECT operation, requests >= 4 AS per_segment, returned FROM sent();
