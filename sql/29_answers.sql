-- Ordinary SQL gives PostgreSQL's answers: IN lists are sets, joins keep
-- every condition, an item pairs with itself, typed key template holes
-- match by the type's equality, and what DynamoDB cannot be asked (empty
-- or oversized keys, BETWEEN the wrong way round, expressions over 4 KB)
-- is answered without asking.  Table Repro (test/fixtures/repro.sh).
CREATE SCHEMA answers;
SET search_path = answers, public;
CREATE FOREIGN TABLE raw (pk text OPTIONS (attribute 'PK'), sk text OPTIONS (attribute 'SK'),
                          name text, status text, total numeric)
  SERVER ddb OPTIONS (table 'Repro');
CREATE FOREIGN TABLE users (user_id text, name text)
  SERVER ddb OPTIONS (table 'Repro', pk_template 'USER#{user_id}', sk_template 'USER#{user_id}');
CREATE FOREIGN TABLE orders (user_id text, order_id text, total numeric, status text)
  SERVER ddb OPTIONS (table 'Repro', pk_template 'USER#{user_id}', sk_template 'ORDER#{order_id}');
CREATE FOREIGN TABLE events (user_id text, day date, seq text, kind text)
  SERVER ddb OPTIONS (table 'Repro', pk_template 'USER#{user_id}', sk_template 'EVT#{day}#{seq}');
CREATE FOREIGN TABLE custs (cust_id int, name text)
  SERVER ddb OPTIONS (table 'Repro', pk_template 'CUST#{cust_id}', sk_template 'CUST#{cust_id}');
CREATE FOREIGN TABLE invs (cust_id int, inv_id int, amount numeric)
  SERVER ddb OPTIONS (table 'Repro', pk_template 'CUST#{cust_id}', sk_template 'INV#{inv_id}');
CREATE FOREIGN TABLE invs_num (cust_id int, inv_id numeric, amount numeric)
  SERVER ddb OPTIONS (table 'Repro', pk_template 'CUST#{cust_id}', sk_template 'INV#{inv_id}');
CREATE FOREIGN TABLE notes (note_id text, body text, etype text OPTIONS (attribute '_type'))
  SERVER ddb OPTIONS (table 'Repro', pk_template 'NOTE#{note_id}', sk_template 'META',
                      type_attribute '_type', type_value 'note');
CREATE FOREIGN TABLE children (user_id text, kind text, cid text)
  SERVER ddb OPTIONS (table 'Repro', pk_template 'USER#{user_id}', sk_template '{kind}#{cid}');
-- the same rows in plain tables, for comparison
CREATE TABLE p_orders AS SELECT * FROM orders;
CREATE TABLE p_users AS SELECT * FROM users;
CREATE TABLE p_children AS SELECT * FROM children;
SELECT count(*) FROM raw;

-- 1. duplicate values in IN / = ANY on a key are one value: one Query each
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM orders WHERE user_id IN ('1', '1');
SELECT ddbrel.stats_reset();
SELECT * FROM orders WHERE user_id IN ('1', '1') ORDER BY order_id;
SELECT * FROM sent();
SELECT ddbrel.stats_reset();
SELECT count(*) FROM orders WHERE user_id IN ('1', '1', '2', '1');
SELECT * FROM sent();
-- on GSI1 (order_id is the index's partition key)
EXPLAIN (COSTS OFF) SELECT * FROM orders WHERE order_id = ANY (ARRAY['1', '1']);
SELECT ddbrel.stats_reset();
SELECT * FROM orders WHERE order_id = ANY (ARRAY['1', '1']);
SELECT * FROM sent();
-- in a partition join, and in a prepared statement past the generic plan
SELECT count(*) FROM users u JOIN orders o USING (user_id) WHERE u.user_id IN ('1', '1');
PREPARE by_users(text[]) AS SELECT count(*) FROM orders WHERE user_id = ANY ($1);
EXECUTE by_users(ARRAY['1', '1']);
EXECUTE by_users(ARRAY['1', '1']);
EXECUTE by_users(ARRAY['1', '1']);
EXECUTE by_users(ARRAY['1', '1']);
EXECUTE by_users(ARRAY['1', '1']);
EXECUTE by_users(ARRAY['1', '1']);
EXECUTE by_users(ARRAY['2', '1', '2']);
DEALLOCATE by_users;

-- 2. a join keeps every equality between its sides, not just the key ones
EXPLAIN (VERBOSE, COSTS OFF)
SELECT * FROM users u JOIN orders o ON u.user_id = o.user_id AND u.name = o.status
 WHERE u.user_id = '1';
SELECT * FROM users u JOIN orders o ON u.user_id = o.user_id AND u.name = o.status
 WHERE u.user_id = '1';
SELECT * FROM users u JOIN orders o ON u.user_id = o.user_id AND u.name = o.status
 WHERE u.user_id = '2';
SELECT ddbrel.stats_reset();
SELECT u.user_id, o.order_id FROM users u JOIN orders o ON u.user_id = o.user_id
 WHERE u.user_id IN ('1', '2') AND u.name = o.status;
SELECT operation, requests FROM sent();
-- LEFT JOIN with the extra equality in ON: the order columns stay NULL where it fails
EXPLAIN (COSTS OFF)
SELECT u.user_id, u.name, o.order_id FROM users u
  LEFT JOIN orders o ON u.user_id = o.user_id AND u.name = o.status WHERE u.user_id = '1';
SELECT u.user_id, u.name, o.order_id FROM users u
  LEFT JOIN orders o ON u.user_id = o.user_id AND u.name = o.status WHERE u.user_id IN ('1', '2')
 ORDER BY 1, 3;
SELECT u.user_id, u.name, o.order_id FROM p_users u
  LEFT JOIN p_orders o ON u.user_id = o.user_id AND u.name = o.status WHERE u.user_id IN ('1', '2')
 ORDER BY 1, 3;
-- lookup mode (an order's user by key) keeps the extra equality too
EXPLAIN (COSTS OFF)
SELECT o.order_id, u.name FROM orders o JOIN users u ON u.user_id = o.user_id AND u.name = o.status
 WHERE o.order_id IN ('1', '3');
SELECT o.order_id, u.name FROM orders o JOIN users u ON u.user_id = o.user_id AND u.name = o.status
 WHERE o.order_id IN ('1', '3');
SELECT o.order_id, u.name FROM orders o LEFT JOIN users u ON u.user_id = o.user_id AND u.name = o.status
 WHERE o.order_id IN ('1', '3') ORDER BY 1;

-- 3. in a partition join an item pairs with itself
EXPLAIN (COSTS OFF)
SELECT o.order_id, p.order_id FROM orders o JOIN orders p USING (user_id) WHERE o.user_id = '1';
SELECT ddbrel.stats_reset();
SELECT o.order_id, p.order_id FROM orders o JOIN orders p USING (user_id) WHERE o.user_id = '1'
 ORDER BY 1, 2;
SELECT operation, requests FROM sent();
SELECT u.user_id, v.name FROM users u JOIN users v USING (user_id) WHERE u.user_id IN ('1', '2')
 ORDER BY 1;
-- entities with overlapping templates: an order is also a child of kind ORDER
SELECT o.order_id, c.kind, c.cid FROM orders o JOIN children c USING (user_id)
 WHERE o.user_id = '1' ORDER BY 1, 2, 3;
SELECT (SELECT count(*) FROM orders o JOIN children c USING (user_id) WHERE o.user_id = '1') =
       (SELECT count(*) FROM p_orders o JOIN p_children c USING (user_id) WHERE o.user_id = '1')
       AS same_count;

-- 4. typed holes: one key text per value, conditions matched by the type's equality
-- CUST#007 is not how 7 is written: it is no row of custs (CUST#7 would be)
SELECT * FROM custs ORDER BY cust_id;
SELECT * FROM invs ORDER BY cust_id;
SELECT ddbrel.stats_reset();
SELECT * FROM custs WHERE cust_id = 7;
SELECT * FROM custs WHERE cust_id = 1;
SELECT operation, requests FROM sent();
-- numeric: 7.0 = 7, both are the key INV#7
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM invs_num WHERE cust_id = 1 AND inv_id = 7.0;
SELECT * FROM invs_num WHERE cust_id = 1 AND inv_id = 7.0;
SELECT * FROM invs_num WHERE cust_id = 1 AND inv_id IN (7.00, 8);
-- a date compared with a timestamp is no key condition: checked locally
EXPLAIN (VERBOSE, COSTS OFF)
SELECT * FROM events WHERE user_id = '1' AND day = '2024-01-05'::timestamp;
SELECT * FROM events WHERE user_id = '1' AND day = '2024-01-05'::timestamp;
SELECT * FROM events WHERE user_id = '1' AND day = '2024-01-05 10:00'::timestamp;
SELECT * FROM events WHERE user_id = '1' AND day = '2024-01-05' AND seq = '1';
-- an enum hole: a value is its label; a text no label spells (EVT) is no row
CREATE TYPE child_kind AS ENUM ('USER', 'ORDER');
CREATE FOREIGN TABLE kids (user_id text, kind child_kind, cid text)
  SERVER ddb OPTIONS (table 'Repro', pk_template 'USER#{user_id}', sk_template '{kind}#{cid}');
SELECT * FROM kids WHERE user_id = '1' ORDER BY kind, cid;
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM kids WHERE user_id = '1' AND kind = 'ORDER';
SELECT * FROM kids WHERE user_id = '1' AND kind = 'ORDER';
-- a lookup join composes the other side's key from the same canonical text
SELECT c.cust_id, i.inv_id, i.amount FROM custs c JOIN invs i USING (cust_id) ORDER BY 1, 2;

-- 5. a column reading the type attribute does not name it twice in the projection
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM notes WHERE note_id = 'n1';
SELECT * FROM notes WHERE note_id = 'n1';

-- 6. NULL in a pushed IN / = ANY
EXPLAIN (VERBOSE, COSTS OFF) SELECT pk, sk FROM raw WHERE name IN (NULL, 'Al');
SELECT pk, sk FROM raw WHERE name IN (NULL, 'Al');
SELECT pk, sk FROM raw WHERE name = ANY (ARRAY[NULL, 'old', NULL]) ORDER BY 1;
EXPLAIN (COSTS OFF) SELECT pk FROM raw WHERE name = ANY (ARRAY[NULL]);
SELECT pk FROM raw WHERE name = ANY (ARRAY[NULL]);

-- 7. an equality after an IN on the same key attribute
EXPLAIN (VERBOSE, COSTS OFF)
SELECT pk, sk FROM raw WHERE sk = 'ORDER#1' AND sk IN ('ORDER#1', 'ORDER#2');
SELECT pk, sk FROM raw WHERE sk = 'ORDER#1' AND sk IN ('ORDER#1', 'ORDER#2');
SELECT pk, sk FROM raw WHERE pk = 'USER#1' AND sk IN ('ORDER#1', 'ORDER#2') AND sk = 'ORDER#2';

-- 8. no key is empty: nothing to ask
SELECT ddbrel.stats_reset();
SELECT * FROM raw WHERE pk = 'USER#1' AND sk = '';
SELECT * FROM raw WHERE pk = 'USER#1' AND sk IN ('');
SELECT * FROM raw WHERE pk = '';
SELECT * FROM raw WHERE pk = 'USER#1' AND sk < '';
SELECT * FROM raw WHERE sk = '';
SELECT * FROM sent();
-- every key is above the empty text: no sort key condition at all
SELECT ddbrel.stats_reset();
SELECT pk, sk FROM raw WHERE pk = 'USER#2' AND sk > '' ORDER BY sk;
SELECT pk, sk FROM raw WHERE pk = 'USER#2' AND sk BETWEEN '' AND 'ORDER#9' ORDER BY sk;
SELECT * FROM sent();
SELECT ddbrel.stats_reset();
SELECT pk, sk FROM raw WHERE pk IN ('', 'USER#2', '') AND sk >= '' ORDER BY sk;
SELECT operation, requests FROM sent();
-- kind LIKE '%' on {kind}#{cid}: no begins_with(SK, '')
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM children WHERE user_id = '2' AND kind LIKE '%';
SELECT * FROM children WHERE user_id = '2' AND kind LIKE '%' ORDER BY kind;

-- 9. keys over DynamoDB's lengths (partition 2048 bytes, sort 1024): nothing to ask
SELECT ddbrel.stats_reset();
SELECT * FROM raw WHERE pk = repeat('x', 2049);
SELECT * FROM raw WHERE pk = 'USER#1' AND sk = repeat('y', 1025);
SELECT * FROM raw WHERE sk = repeat('y', 1025);
SELECT * FROM users WHERE user_id = repeat('u', 2044);
SELECT * FROM orders WHERE user_id = '1' AND order_id LIKE repeat('o', 1020) || '%';
SELECT * FROM sent();
-- a bound longer than any sort key is checked here, not sent
EXPLAIN (COSTS OFF) SELECT pk, sk FROM raw WHERE pk = 'USER#1' AND sk < repeat('P', 1500);
SELECT ddbrel.stats_reset();
SELECT pk, sk FROM raw WHERE pk = 'USER#1' AND sk < repeat('P', 1500) ORDER BY sk;
SELECT count(*) FROM raw WHERE pk = 'USER#1' AND sk >= repeat('P', 1500);
SELECT pk, sk FROM raw WHERE pk = 'USER#1' AND sk < repeat('P', 1500) ORDER BY sk LIMIT 1;
SELECT operation, requests FROM sent();
-- the same, as parameters of a generic plan
SET plan_cache_mode = force_generic_plan;
PREPARE between_keys(text, text, text) AS
  SELECT sk FROM raw WHERE pk = $1 AND sk BETWEEN $2 AND $3 ORDER BY sk;
SELECT ddbrel.stats_reset();
EXECUTE between_keys('USER#1', 'A', repeat('Z', 1100));
EXECUTE between_keys('USER#1', '', 'F');
EXECUTE between_keys(repeat('U', 3000), 'A', 'Z');
SELECT operation, requests FROM sent();
-- 10. BETWEEN with the bounds the wrong way round: nothing to ask
SELECT ddbrel.stats_reset();
EXECUTE between_keys('USER#1', 'Z', 'A');
SELECT pk, sk FROM raw WHERE pk = 'USER#1' AND sk BETWEEN 'Z' AND 'A';
SELECT * FROM sent();
DEALLOCATE between_keys;
RESET plan_cache_mode;

-- writes: a key DynamoDB cannot store is an error before anything is sent,
-- and a typed hole is written in its canonical text
SELECT ddbrel.stats_reset();
INSERT INTO raw (pk, sk, name) VALUES ('NEW#1', '', 'x');
INSERT INTO raw (pk, sk, name) VALUES (repeat('p', 2049), 'S', 'x');
INSERT INTO users (user_id, name) VALUES (repeat('u', 1020), 'x');
SELECT * FROM sent();
INSERT INTO invs_num VALUES (1, 8.50, 3);
SELECT pk, sk FROM raw WHERE pk = 'CUST#1' ORDER BY sk;
SELECT * FROM invs_num WHERE cust_id = 1 AND inv_id = 8.5000;
DELETE FROM invs_num WHERE cust_id = 1 AND inv_id = 8.5;
SELECT count(*) FROM raw;

-- a FilterExpression stays within DynamoDB's 4 KB: what does not fit is checked here
SELECT format('SELECT pk, sk FROM raw WHERE %s', string_agg(format('total = %s', i), ' OR '))
  AS q300 FROM generate_series(1, 300) i \gset
SELECT format('SELECT pk, sk FROM raw WHERE status = ''new'' AND (%s)', string_agg(format('total = %s', i), ' OR '))
  AS q300b FROM generate_series(1, 300) i \gset
CREATE FUNCTION filter_length(q text) RETURNS TABLE (filter_bytes int, local_filter bool)
LANGUAGE plpgsql AS $$
DECLARE
  line text;
BEGIN
  filter_bytes := 0;
  local_filter := false;
  FOR line IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || q LOOP
    IF line ~ '^\s*DynamoDB Filter: ' THEN
      filter_bytes := octet_length(substring(line FROM 'Filter: (.*)$'));
    ELSIF line ~ '^\s*Filter: ' THEN
      local_filter := true;
    END IF;
  END LOOP;
  RETURN NEXT;
END $$;
SELECT * FROM filter_length(:'q300');
SELECT * FROM filter_length(:'q300b');
SELECT ddbrel.stats_reset();
:q300 ORDER BY 1, 2;
:q300b;
SELECT operation, requests, returned FROM sent();

-- 11. a pushed-down join inside a subquery that is not flattened (OFFSET 0,
-- a security-barrier view) reads each column from its own side: the plan's
-- range table indexes move when the subquery's are appended to the top
SELECT * FROM (SELECT u.name, o.order_id, o.total
                 FROM users u JOIN orders o USING (user_id)
                WHERE o.total > 1 OFFSET 0) x ORDER BY order_id;
SELECT * FROM (SELECT u.name, o.order_id, o.total
                 FROM p_users u JOIN p_orders o USING (user_id)
                WHERE o.total > 1 OFFSET 0) x ORDER BY order_id;
CREATE VIEW user_orders WITH (security_barrier) AS
  SELECT o.status, u.name, o.order_id FROM orders o JOIN users u USING (user_id);
EXPLAIN (COSTS OFF) SELECT * FROM user_orders WHERE order_id <> '';
SELECT * FROM user_orders WHERE order_id <> '' ORDER BY order_id;
SELECT o.status, u.name, o.order_id FROM p_orders o JOIN p_users u USING (user_id) ORDER BY order_id;
DROP VIEW user_orders;
