-- Writes: INSERT, UPDATE, DELETE, RETURNING, COPY, into tables and entity
-- tables, checked by reading back with the AWS CLI (test/awsread.sh).
CREATE SCHEMA writes;
SET search_path = writes, public;
-- This file shows the batched path: each statement written as it runs, as
-- with ddbrel.write_mode = 'immediate' (sql/50_transactions.sql shows the
-- default, where a transaction's writes go out at COMMIT).
SET ddbrel.write_mode = 'immediate';
SELECT current_database() AS dbname \gset
\setenv PGDATABASE :dbname

-- entity tables compose keys, the type attribute and declared index keys
CREATE FOREIGN TABLE users (user_id text, name text, email text, visits int)
  SERVER ddb OPTIONS (table 'WriteApp', pk_template 'USER#{user_id}', sk_template 'USER#{user_id}',
                      gsi1pk_template 'EMAIL#{email}', type_attribute '_type', type_value 'USER');
CREATE FOREIGN TABLE orders (user_id text, order_id text, total numeric, status text)
  SERVER ddb OPTIONS (table 'WriteApp', pk_template 'USER#{user_id}', sk_template 'ORDER#{order_id}');
INSERT INTO users VALUES ('u1', 'Ann', 'ann@example.com', 0), ('u2', 'Bob', NULL, 5);
INSERT INTO orders VALUES ('u1', 'o1', 10.50, 'new'), ('u1', 'o2', 99, 'new'), ('u2', 'o3', 5, 'paid');
-- the items land where the seed 000 layout says, visible to the AWS CLI
\! bash test/awsread.sh get WriteApp '{"PK":{"S":"USER#u1"},"SK":{"S":"USER#u1"}}'
\! bash test/awsread.sh get WriteApp '{"PK":{"S":"USER#u2"},"SK":{"S":"USER#u2"}}'
\! bash test/awsread.sh get WriteApp '{"PK":{"S":"USER#u1"},"SK":{"S":"ORDER#o2"}}'
-- and read back through SQL, including by the composed index key
SELECT * FROM users ORDER BY user_id;
SELECT * FROM orders WHERE user_id = 'u1' ORDER BY order_id;
SELECT * FROM orders WHERE order_id = 'o3';

-- inserting an existing key is a unique violation naming the key
INSERT INTO users VALUES ('u1', 'Again', 'x@example.com', 1);
INSERT INTO orders VALUES ('u2', 'o9', 1, 'new'), ('u1', 'o1', 1, 'dup'), ('u2', 'o8', 1, 'new');
SELECT order_id, status FROM orders WHERE user_id = 'u2' ORDER BY order_id;
-- ON CONFLICT DO NOTHING skips it
INSERT INTO users VALUES ('u1', 'Again', 'x@example.com', 1), ('u3', 'Cid', 'cid@example.com', 0)
  ON CONFLICT DO NOTHING;
SELECT user_id, name FROM users ORDER BY user_id;
-- a key column cannot be NULL
INSERT INTO orders VALUES ('u1', NULL, 1, 'x');

-- UPDATE changes only the columns it sets; NULL removes the attribute
UPDATE users SET name = 'Ann B.' WHERE user_id = 'u1';
\! bash test/awsread.sh get WriteApp '{"PK":{"S":"USER#u1"},"SK":{"S":"USER#u1"}}'
UPDATE users SET email = NULL WHERE user_id = 'u1';
\! bash test/awsread.sh get WriteApp '{"PK":{"S":"USER#u1"},"SK":{"S":"USER#u1"}}'
-- the index key follows the column it is made of
UPDATE users SET email = 'ann@new.example.com' WHERE user_id = 'u1';
SELECT user_id FROM users WHERE email = 'ann@new.example.com';
-- RETURNING for all three
INSERT INTO orders VALUES ('u3', 'o4', 12.5, 'new') RETURNING *;
UPDATE orders SET status = 'paid' WHERE user_id = 'u3' AND order_id = 'o4' RETURNING order_id, status, total;
DELETE FROM orders WHERE user_id = 'u3' RETURNING *;
\! bash test/awsread.sh get WriteApp '{"PK":{"S":"USER#u3"},"SK":{"S":"ORDER#o4"}}'
-- an UPDATE that would move an item to another key is refused
UPDATE orders SET order_id = 'o5' WHERE user_id = 'u1' AND order_id = 'o1';
-- DELETE by a list of keys
DELETE FROM orders WHERE user_id = 'u2' AND order_id IN ('o8', 'o9');
EXPLAIN (VERBOSE, COSTS OFF) UPDATE orders SET status = 'old' WHERE user_id = 'u1';
UPDATE orders SET status = 'old' WHERE user_id = 'u1';
SELECT order_id, status FROM orders ORDER BY order_id;

-- atomic counters: "n = n + 1" is SET #n = #n + :v, exact under concurrency
CREATE FOREIGN TABLE counters (id text, n int) SERVER ddb OPTIONS (table 'Counters');
INSERT INTO counters VALUES ('c1', 0);
EXPLAIN (VERBOSE, COSTS OFF) UPDATE counters SET n = n + 1 WHERE id = 'c1';
\setenv PGOPTIONS '-c ddbrel.write_mode=immediate'
\! bash test/counter_race.sh
\setenv PGOPTIONS ''
SELECT n AS after_two_sessions_of_100 FROM counters WHERE id = 'c1';
UPDATE counters SET n = n - 50 WHERE id = 'c1' RETURNING n;

-- every type written by SQL, read back by the AWS CLI; the 1.50 inside the
-- map is sent as 1.5, as DynamoDB stores it (DynamoDB Local would keep it as
-- sent, dynalite and DynamoDB trim it)
CREATE FOREIGN TABLE wtypes (id text, s text, n numeric, i int, f float8, b bytea, bool boolean,
                             j jsonb, ss text[], ns numeric[], bs bytea[], d date)
  SERVER ddb OPTIONS (table 'WriteTypes');
INSERT INTO wtypes VALUES ('w1', 'héllo "q"', 12345678901234567890123456789012345678, -42, 2.5,
  '\xdeadbeef', true, '{"a": [1, "x", null, true, {"b": 1.50}], "e": {}}',
  ARRAY['p', 'q'], ARRAY[1, 2.5], ARRAY['\x00'::bytea, '\xff'], '2025-05-12');
INSERT INTO wtypes (id, s) VALUES ('w2', '');
\! bash test/awsread.sh get WriteTypes '{"id":{"S":"w1"}}'
\! bash test/awsread.sh get WriteTypes '{"id":{"S":"w2"}}'
SELECT * FROM wtypes ORDER BY id;
-- DynamoDB has no empty sets and no NaN: clear errors, nothing written
INSERT INTO wtypes (id, ss) VALUES ('w3', ARRAY[]::text[]);
INSERT INTO wtypes (id, n) VALUES ('w3', 'NaN');
\! bash test/awsread.sh get WriteTypes '{"id":{"S":"w3"}}'
-- a document column writes native types (maps, lists, numbers as N)
CREATE FOREIGN TABLE wdocs (id text, doc jsonb OPTIONS (document 'true'))
  SERVER ddb OPTIONS (table 'WriteTypes');
INSERT INTO wdocs VALUES ('w4', '{"id": "ignored", "tags": ["a", "b"], "price": 9.90, "meta": {"ok": true}}');
\! bash test/awsread.sh get WriteTypes '{"id":{"S":"w4"}}'

-- COPY of 10,000 rows lands exactly 10,000 items
CREATE FOREIGN TABLE bulk (id text, n int, label text) SERVER ddb OPTIONS (table 'Bulk');
SELECT ddbrel.stats_reset();
COPY bulk FROM PROGRAM 'seq 1 10000 | awk ''{ printf "b%05d\t%d\tlabel %d\n", $1, $1, $1 }''';
\! bash test/awsread.sh count Bulk
SELECT operation, requests FROM sent();
SELECT count(*), sum(n) FROM bulk;
-- a second COPY of the same keys fails on the first duplicate and says how much was written
COPY bulk FROM PROGRAM 'seq 9990 10010 | awk ''{ printf "b%05d\t%d\tagain\n", $1, $1 }''';
-- upsert: overwrite instead, through BatchWriteItem (25 items per call)
CREATE FOREIGN TABLE bulk_upsert (id text, n int, label text)
  SERVER ddb OPTIONS (table 'BulkUpsert', upsert 'true');
SELECT ddbrel.stats_reset();
INSERT INTO bulk_upsert SELECT 'u' || g, g, 'first' FROM generate_series(1, 1000) g;
INSERT INTO bulk_upsert SELECT 'u' || g, g, 'second' FROM generate_series(1, 1000) g;
SELECT operation, requests FROM sent();
\! bash test/awsread.sh count BulkUpsert
SELECT label, count(*) FROM bulk_upsert GROUP BY label;

-- DELETE: every matching item, nothing else; without RETURNING, 25 keys per BatchWriteItem
SELECT ddbrel.stats_reset();
DELETE FROM bulk WHERE n > 9000;
SELECT operation, requests FROM sent();
\! bash test/awsread.sh count Bulk

-- written as they run: ROLLBACK does not undo them
BEGIN;
INSERT INTO counters VALUES ('c2', 7);
ROLLBACK;
SELECT * FROM counters WHERE id = 'c2';
