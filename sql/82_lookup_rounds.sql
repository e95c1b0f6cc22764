-- Batched lookups in rounds, keys across types, keys of several holes.
-- A round reads up to 800 outer rows and asks for their keys with one
-- BatchGetItem per 100 distinct keys, up to 8 in flight at once; the join
-- is then done in the outer rows' order.  Answers are compared with the
-- same joins on local copies of the items; request counts come from
-- ddbrel.stats().
CREATE SCHEMA rounds;
SET search_path = rounds, public;
CREATE FUNCTION sent() RETURNS TABLE (operation text, requests bigint, returned bigint)
  LANGUAGE sql AS $$
    SELECT operation, requests, items_returned FROM ddbrel.stats()
     WHERE operation <> 'DescribeTable' ORDER BY 1 $$;
-- EXPLAIN ANALYZE without what changes from run to run
CREATE FUNCTION analyzed(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  line text;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
    IF line ~ 'DynamoDB (Rounds|Batch Keys|Largest Round|Batch:)|Batched Lookup' THEN
      RETURN NEXT line;
    END IF;
  END LOOP;
END $$;
CREATE FOREIGN TABLE pages (id text, n int, pad text) SERVER ddb OPTIONS (table 'Pages');
CREATE TABLE pages_copy AS SELECT id, n, pad FROM pages;

-- 2000 outer rows: 1 in 37 a NULL key, 1 in 50 a key no item has, and
-- rows 1501-2000 ask again for the keys of rows 1-500
CREATE TABLE wanted (k int PRIMARY KEY, id text);
INSERT INTO wanted
SELECT k, CASE WHEN k % 37 = 0 THEN NULL
               WHEN k % 50 = 0 THEN 'missing' || k
               ELSE 'p' || lpad(((k * 7) % 1500 + 1)::text, 4, '0') END
  FROM generate_series(1, 2000) k;
ANALYZE wanted;

-- three rounds (800 + 800 + 400 outer rows); a round's distinct keys go
-- 100 to a BatchGetItem
EXPLAIN (COSTS OFF)
SELECT w.k, w.id, p.n FROM wanted w LEFT JOIN pages p ON p.id = w.id ORDER BY w.k;
SELECT * FROM analyzed($$SELECT w.k, w.id, p.n FROM wanted w LEFT JOIN pages p ON p.id = w.id ORDER BY w.k$$);
SELECT count(DISTINCT id) FILTER (WHERE k <= 800) AS round1,
       count(DISTINCT id) FILTER (WHERE k > 800 AND k <= 1600) AS round2,
       count(DISTINCT id) FILTER (WHERE k > 1600) AS round3
  FROM wanted;
SELECT ddbrel.stats_reset();
CREATE TABLE got AS
SELECT row_number() OVER () AS pos, * FROM
  (SELECT w.k, w.id, p.n FROM wanted w LEFT JOIN pages p ON p.id = w.id ORDER BY w.k) s;
SELECT * FROM sent();
CREATE TABLE want AS
SELECT row_number() OVER () AS pos, * FROM
  (SELECT w.k, w.id, c.n FROM wanted w LEFT JOIN pages_copy c ON c.id = w.id ORDER BY w.k) s;
SELECT (SELECT count(*) FROM got) AS got,
       (SELECT count(*) FROM got WHERE n IS NULL) AS null_extended,
       (SELECT count(*) FROM got WHERE pos <> k) AS out_of_order,
       (SELECT count(*) FROM (SELECT * FROM got EXCEPT ALL SELECT * FROM want) d) AS differ;
DROP TABLE got, want;

-- inner, semi and anti joins over the rounds
SELECT ddbrel.stats_reset();
SELECT count(*) AS rows, sum(p.n) AS total FROM wanted w JOIN pages p ON p.id = w.id;
SELECT count(*) AS rows, sum(c.n) AS total FROM wanted w JOIN pages_copy c ON c.id = w.id;
SELECT count(*) AS with_item FROM wanted w WHERE EXISTS (SELECT FROM pages p WHERE p.id = w.id);
SELECT count(*) AS with_item FROM wanted w WHERE EXISTS (SELECT FROM pages_copy c WHERE c.id = w.id);
SELECT count(*) AS without_item FROM wanted w WHERE NOT EXISTS (SELECT FROM pages p WHERE p.id = w.id);
SELECT count(*) AS without_item FROM wanted w WHERE NOT EXISTS (SELECT FROM pages_copy c WHERE c.id = w.id);
SELECT operation, requests FROM sent();

-- large inner rows and little work_mem: the rounds after the first shrink
-- to one request (100 outer rows), so the rows held stay bounded
SET work_mem = '64kB';
SELECT * FROM analyzed($$SELECT w.k, p.pad FROM wanted w LEFT JOIN pages p ON p.id = w.id ORDER BY w.k$$);
SELECT ddbrel.stats_reset();
SELECT count(*) AS rows, count(p.pad) AS found, sum(length(p.pad)) AS chars,
       sum(hashtext(w.k || p.pad)) = (SELECT sum(hashtext(w.k || c.pad)) FROM wanted w
                                        LEFT JOIN pages_copy c ON c.id = w.id) AS same_rows
  FROM wanted w LEFT JOIN pages p ON p.id = w.id;
SELECT operation, requests FROM sent();
RESET work_mem;

-- a plan asked for its first rows starts with a round of one request
-- (the per-row nested loop off: the join's row estimate, far above the
-- 2000 rows, makes it look cheaper under a LIMIT)
SET enable_nestloop = off;
SELECT * FROM analyzed($$SELECT w.k, p.n FROM wanted w JOIN pages p ON p.id = w.id ORDER BY w.k LIMIT 60$$);
SELECT ddbrel.stats_reset();
SELECT sum(n) FROM (SELECT w.k, p.n FROM wanted w JOIN pages p ON p.id = w.id ORDER BY w.k LIMIT 60) s;
SELECT operation, requests FROM sent();
SELECT sum(n) FROM (SELECT w.k, c.n FROM wanted w JOIN pages_copy c ON c.id = w.id ORDER BY w.k LIMIT 60) s;
RESET enable_nestloop;
-- a cursor (rounds of 100, then 800) closed while the next round's
-- requests are on their way
BEGIN;
SET LOCAL enable_nestloop = off;
DECLARE c CURSOR FOR
  SELECT w.k, p.n FROM wanted w LEFT JOIN pages p ON p.id = w.id ORDER BY w.k;
MOVE 1200 IN c;
FETCH 3 FROM c;
CLOSE c;
COMMIT;
SELECT w.k, c.n FROM wanted w LEFT JOIN pages_copy c ON c.id = w.id WHERE w.k IN (1201, 1202, 1203) ORDER BY w.k;

-- ---- keys across types ------------------------------------------------------
DO $$
BEGIN
  PERFORM ddbrel.request('ddb', 'CreateTable', '{"TableName": "RoundNums",
    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "N"}],
    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
    "BillingMode": "PAY_PER_REQUEST"}');
  PERFORM ddbrel.request('ddb', 'CreateTable', '{"TableName": "RoundStock",
    "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"},
                             {"AttributeName": "SK", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
    "BillingMode": "PAY_PER_REQUEST"}');
EXCEPTION WHEN OTHERS THEN
  NULL;  -- left over from an earlier run
END $$;
CREATE FOREIGN TABLE nums (id int, label varchar(20)) SERVER ddb
  OPTIONS (table 'RoundNums', upsert 'true');
SET ddbrel.write_mode = 'immediate';
INSERT INTO nums SELECT g, 'n' || g FROM generate_series(1, 300) g;
RESET ddbrel.write_mode;
CREATE TABLE nums_copy AS SELECT * FROM nums;
SELECT count(*) FROM nums_copy;
-- the outer keys as int8, int2 and numeric; one past int4's range
CREATE TABLE picks (k int, big int8, small int2, num numeric, label text);
INSERT INTO picks
SELECT k, CASE WHEN k = 7 THEN NULL WHEN k = 9 THEN 4294967297 ELSE k * 13 % 400 END,
       (k * 13 % 400)::int2, CASE WHEN k % 5 = 0 THEN k * 13 % 400 + 0.5 ELSE k * 13 % 400 END,
       'n' || (k * 13 % 400)
  FROM generate_series(1, 40) k;
INSERT INTO picks SELECT k + 40, big, small, num, label FROM picks WHERE k <= 5;
ANALYZE picks;

-- int4 column = int8 values: batched, the outer values as they are
EXPLAIN (VERBOSE, COSTS OFF)
SELECT x.k, n.label FROM picks x JOIN nums n ON n.id = x.big;
SELECT ddbrel.stats_reset();
CREATE TABLE got AS SELECT x.k, n.id, n.label FROM picks x LEFT JOIN nums n ON n.id = x.big ORDER BY x.k;
SELECT * FROM sent();
CREATE TABLE want AS SELECT x.k, c.id, c.label FROM picks x LEFT JOIN nums_copy c ON c.id = x.big ORDER BY x.k;
SELECT (SELECT count(*) FROM got) AS got, (SELECT count(id) FROM got) AS found,
       (SELECT count(*) FROM (SELECT * FROM got EXCEPT ALL SELECT * FROM want) d) AS differ;
DROP TABLE got, want;

-- int2 values, with the join written the other way round
EXPLAIN (COSTS OFF)
SELECT x.k, n.label FROM picks x JOIN nums n ON x.small = n.id;
SELECT ddbrel.stats_reset();
SELECT count(*), sum(n.id) FROM picks x JOIN nums n ON x.small = n.id;
SELECT count(*), sum(c.id) FROM picks x JOIN nums_copy c ON x.small = c.id;
SELECT operation, requests FROM sent();

-- numeric values compare as numbers (12.5 is no id): not batched
EXPLAIN (COSTS OFF)
SELECT x.k, n.label FROM picks x JOIN nums n ON n.id = x.num;
SELECT count(*), sum(n.id) FROM picks x JOIN nums n ON n.id = x.num;
SELECT count(*), sum(c.id) FROM picks x JOIN nums_copy c ON c.id = x.num;

-- a varchar key with text values (compared as text): batched
CREATE FOREIGN TABLE pages_v (id varchar(12), n int) SERVER ddb OPTIONS (table 'Pages');
EXPLAIN (COSTS OFF)
SELECT w.k, p.n FROM wanted w JOIN pages_v p ON p.id = w.id;
SELECT ddbrel.stats_reset();
SELECT count(*), sum(p.n) FROM wanted w JOIN pages_v p ON p.id = w.id;
SELECT operation, requests FROM sent();

-- ---- a sort key of two holes, both from the outer row --------------------------
CREATE FOREIGN TABLE stock (shop text, aisle int, slot int, qty int) SERVER ddb
  OPTIONS (table 'RoundStock', pk_template 'SHOP#{shop}', sk_template 'SLOT#{aisle}#{slot}',
           upsert 'true');
SET ddbrel.write_mode = 'immediate';
INSERT INTO stock
SELECT s, a, b, a * 10 + b FROM unnest('{north,south,west}'::text[]) s,
       generate_series(1, 5) a, generate_series(1, 4) b;
RESET ddbrel.write_mode;
CREATE TABLE stock_copy AS SELECT * FROM stock;
SELECT count(*) FROM stock_copy;
CREATE TABLE asks (k int, shop text, aisle int8, slot int);
INSERT INTO asks
SELECT k, (ARRAY['north', 'south', 'west', 'east'])[k % 4 + 1], k % 6 + 1,
       CASE WHEN k = 11 THEN NULL ELSE k % 5 + 1 END
  FROM generate_series(1, 30) k;
INSERT INTO asks SELECT k + 30, shop, aisle, slot FROM asks WHERE k <= 4;
ANALYZE asks;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT a.k, s.qty FROM asks a LEFT JOIN stock s
    ON s.shop = a.shop AND s.aisle = a.aisle AND s.slot = a.slot ORDER BY a.k;
SELECT ddbrel.stats_reset();
CREATE TABLE got AS
SELECT a.k, s.qty FROM asks a LEFT JOIN stock s
    ON s.shop = a.shop AND s.aisle = a.aisle AND s.slot = a.slot ORDER BY a.k;
SELECT * FROM sent();
CREATE TABLE want AS
SELECT a.k, c.qty FROM asks a LEFT JOIN stock_copy c
    ON c.shop = a.shop AND c.aisle = a.aisle AND c.slot = a.slot ORDER BY a.k;
SELECT (SELECT count(*) FROM got) AS got, (SELECT count(qty) FROM got) AS found,
       (SELECT count(*) FROM (SELECT * FROM got EXCEPT ALL SELECT * FROM want) d) AS differ;
SELECT * FROM got WHERE k IN (1, 2, 11, 31) ORDER BY k;
DROP TABLE got, want;

-- a hole in both keys and another in the sort key: ORDER#{order_no} /
-- LINE#{order_no}#{line_no}, the order number from an int8 column
CREATE FOREIGN TABLE lines (order_no int, line_no int, sku text) SERVER ddb
  OPTIONS (table 'RoundStock', pk_template 'ORDER#{order_no}',
           sk_template 'LINE#{order_no}#{line_no}', upsert 'true');
SET ddbrel.write_mode = 'immediate';
INSERT INTO lines SELECT o, l, 'sku-' || o || '-' || l FROM generate_series(1, 30) o, generate_series(1, 3) l;
RESET ddbrel.write_mode;
CREATE TABLE wanted_lines AS
  SELECT g AS k, (g % 35 + 1)::int8 AS order_no, g % 4 + 1 AS line_no FROM generate_series(1, 120) g;
ANALYZE wanted_lines;
EXPLAIN (COSTS OFF)
SELECT w.k, l.sku FROM wanted_lines w JOIN lines l USING (order_no, line_no);
SELECT ddbrel.stats_reset();
SELECT count(*), count(DISTINCT l.sku), sum(l.line_no) FROM wanted_lines w JOIN lines l USING (order_no, line_no);
SELECT operation, requests FROM sent();
SELECT count(*), count(DISTINCT 'sku-' || w.order_no || '-' || w.line_no), sum(w.line_no)
  FROM wanted_lines w WHERE order_no <= 30 AND line_no <= 3;

SELECT ddbrel.request('ddb', 'DeleteTable', '{"TableName": "RoundNums"}') IS NOT NULL AS dropped;
SELECT ddbrel.request('ddb', 'DeleteTable', '{"TableName": "RoundStock"}') IS NOT NULL AS dropped;
DROP SCHEMA rounds CASCADE;
