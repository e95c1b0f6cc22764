-- backends: local
-- A PostgreSQL transaction is a DynamoDB transaction (the default,
-- ddbrel.write_mode = 'transaction'): writes are held until COMMIT and go
-- as one TransactWriteItems; ROLLBACK and ROLLBACK TO SAVEPOINT drop them;
-- reads in the transaction see them.  On DynamoDB Local, which serves
-- TransactWriteItems (dynalite does not: sql/52_no_transactions.sql).
-- What reached the server is asserted with ddbrel.stats() and the AWS CLI.
CREATE SCHEMA tx;
SET search_path = tx, public;
SELECT current_database() AS dbname \gset
\setenv PGDATABASE :dbname
SELECT ddbrel.request('ddb', 'CreateTable', '{"TableName": "TxApp",
  "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"},
                           {"AttributeName": "SK", "AttributeType": "S"},
                           {"AttributeName": "gsi2pk", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
  "GlobalSecondaryIndexes": [
    {"IndexName": "GSI1", "KeySchema": [{"AttributeName": "SK", "KeyType": "HASH"},
                                        {"AttributeName": "PK", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "ALL"}},
    {"IndexName": "GSI2", "KeySchema": [{"AttributeName": "gsi2pk", "KeyType": "HASH"}],
     "Projection": {"ProjectionType": "ALL"}}],
  "BillingMode": "PAY_PER_REQUEST"}') ->> 'TableDescription' IS NOT NULL AS created;
CREATE FOREIGN TABLE users (user_id text, name text, email text, visits int)
  SERVER ddb OPTIONS (table 'TxApp', pk_template 'USER#{user_id}', sk_template 'USER#{user_id}',
                      gsi2pk_template 'EMAIL#{email}', type_attribute '_type', type_value 'USER');
CREATE FOREIGN TABLE orders (user_id text, order_id text, total numeric, status text)
  SERVER ddb OPTIONS (table 'TxApp', pk_template 'USER#{user_id}', sk_template 'ORDER#{order_id}');
-- the whole table, raw: every item of the transaction's table
CREATE FOREIGN TABLE items (pk text OPTIONS (attribute 'PK'), sk text OPTIONS (attribute 'SK'),
                            item jsonb OPTIONS (document 'true'))
  SERVER ddb OPTIONS (table 'TxApp');
SHOW ddbrel.write_mode;

-- COMMIT: nothing reaches DynamoDB before it, then one TransactWriteItems
SELECT ddbrel.stats_reset();
BEGIN;
INSERT INTO users VALUES ('u1', 'Ann', 'ann@example.com', 0), ('u2', 'Bob', NULL, 5);
INSERT INTO orders VALUES ('u1', 'o1', 10.50, 'new'), ('u1', 'o2', 99, 'new'), ('u2', 'o3', 5, 'paid');
SELECT * FROM sent();
\! bash test/awsread.sh count TxApp
COMMIT;
SELECT * FROM sent();
\! bash test/awsread.sh count TxApp
\! bash test/awsread.sh get TxApp '{"PK":{"S":"USER#u1"},"SK":{"S":"USER#u1"}}'
EXPLAIN (COSTS OFF) UPDATE orders SET status = 'x' WHERE user_id = 'u1';

-- ROLLBACK: the held writes are dropped, nothing is sent
SELECT ddbrel.stats_reset();
BEGIN;
UPDATE orders SET status = 'gone?' WHERE user_id = 'u1';
DELETE FROM orders WHERE user_id = 'u2';
INSERT INTO users VALUES ('u9', 'Nobody', NULL, 0);
ROLLBACK;
SELECT * FROM sent() WHERE operation NOT IN ('Query', 'GetItem', 'Scan');
SELECT user_id, order_id, status FROM orders ORDER BY 1, 2;
SELECT user_id FROM users ORDER BY 1;

-- a failed statement inside the transaction aborts it: nothing of it is written
BEGIN;
INSERT INTO users VALUES ('u8', 'Half', NULL, 0);
INSERT INTO orders VALUES ('u8', NULL, 1, 'x');
COMMIT;
SELECT count(*) AS u8_items FROM items WHERE pk = 'USER#u8';

-- savepoints: ROLLBACK TO SAVEPOINT drops exactly the writes made after it,
-- RELEASE keeps them; nested ones too
SELECT ddbrel.stats_reset();
BEGIN;
INSERT INTO users VALUES ('u3', 'Cid', 'cid@example.com', 0);
SAVEPOINT a;
INSERT INTO users VALUES ('u4', 'Dan', NULL, 0);
UPDATE users SET name = 'Cid (changed in a)' WHERE user_id = 'u3';
SAVEPOINT b;
INSERT INTO users VALUES ('u5', 'Eve', NULL, 0);
ROLLBACK TO SAVEPOINT a;
SAVEPOINT c;
INSERT INTO users VALUES ('u6', 'Fay', NULL, 0);
RELEASE SAVEPOINT c;
SAVEPOINT d;
UPDATE users SET visits = visits + 10 WHERE user_id = 'u1';
ROLLBACK TO SAVEPOINT d;
UPDATE users SET visits = visits + 1 WHERE user_id = 'u1';
SELECT user_id, name, visits FROM users ORDER BY 1;
COMMIT;
SELECT * FROM sent() WHERE operation = 'TransactWriteItems';
SELECT user_id, name, visits FROM users ORDER BY 1;
-- an error caught by a PL/pgSQL exception block drops that block's writes
DO $$
BEGIN
  INSERT INTO tx.users VALUES ('u7', 'Gus', NULL, 0);
  BEGIN
    INSERT INTO tx.users VALUES ('u70', 'Lost', NULL, 0);
    INSERT INTO tx.orders VALUES ('u70', NULL, 1, 'x');
  EXCEPTION WHEN not_null_violation THEN
    RAISE NOTICE 'caught: %', SQLERRM;
  END;
END $$;
SELECT user_id FROM users WHERE user_id IN ('u7', 'u70') ORDER BY 1;

-- reading your own writes: inserted rows appear, updated rows change,
-- deleted rows vanish, in scans, key lookups, queries on an index and joins;
-- nothing is written until COMMIT
SELECT ddbrel.stats_reset();
BEGIN;
INSERT INTO users VALUES ('u10', 'Hal', 'hal@example.com', 1);
INSERT INTO orders VALUES ('u1', 'o0', 1, 'new'), ('u1', 'o15', 15, 'new'), ('u10', 'o10', 100, 'new');
UPDATE orders SET status = 'paid' WHERE user_id = 'u1' AND order_id = 'o1';
DELETE FROM orders WHERE user_id = 'u1' AND order_id = 'o2';
UPDATE users SET email = 'ann@new.example.com', visits = visits + 1 WHERE user_id = 'u1';
DELETE FROM users WHERE user_id = 'u6';
-- a Scan of an entity (DynamoDB's filter decides, so held updates are read first)
SELECT * FROM users ORDER BY user_id;
-- a Query of one partition, in sort key order both ways: held items merged in order
SELECT * FROM orders WHERE user_id = 'u1';
SELECT order_id FROM orders WHERE user_id = 'u1' ORDER BY order_id DESC;
EXPLAIN (COSTS OFF) SELECT order_id FROM orders WHERE user_id = 'u1' ORDER BY order_id DESC;
-- a filter DynamoDB evaluates on its own version is evaluated on the held one
SELECT order_id, status FROM orders WHERE user_id = 'u1' AND status = 'paid';
SELECT order_id, status FROM orders WHERE user_id = 'u1' AND status = 'new' ORDER BY 1;
-- key lookups: GetItem and BatchGetItem
SELECT * FROM orders WHERE user_id = 'u1' AND order_id = 'o1';
SELECT * FROM orders WHERE user_id = 'u1' AND order_id = 'o2';
SELECT * FROM orders WHERE user_id = 'u10' AND order_id = 'o10';
SELECT user_id, name FROM users WHERE user_id IN ('u1', 'u6', 'u10') ORDER BY 1;
-- a query on an index, by the held new value and the old one
SELECT user_id FROM users WHERE email = 'ann@new.example.com';
SELECT user_id FROM users WHERE email = 'ann@example.com';
SELECT user_id FROM users WHERE email = 'hal@example.com';
-- count(*) and LIMIT, which DynamoDB would answer for its own version
SELECT count(*) FROM orders WHERE user_id = 'u1';
EXPLAIN (VERBOSE, COSTS OFF) SELECT count(*) FROM orders WHERE user_id = 'u1';
SELECT order_id FROM orders WHERE user_id = 'u1' ORDER BY order_id LIMIT 2;
EXPLAIN (VERBOSE, COSTS OFF) SELECT order_id FROM orders WHERE user_id = 'u1' ORDER BY order_id LIMIT 2;
SELECT count(*) FROM items;
SELECT sk, item ->> 'status' AS status FROM items WHERE pk = 'USER#u1' ORDER BY sk;
-- joins: one partition (an adjacency list) and by key lookup (an order's user)
SELECT u.name, o.order_id, o.status FROM users u JOIN orders o USING (user_id)
 WHERE u.user_id = 'u1' ORDER BY 2;
EXPLAIN (COSTS OFF) SELECT u.name, o.order_id, o.status FROM users u JOIN orders o USING (user_id)
 WHERE u.user_id = 'u1' ORDER BY 2;
SELECT o.order_id, u.name, u.email FROM orders o JOIN users u USING (user_id)
 WHERE o.order_id IN ('o1', 'o10', 'o2') ORDER BY 1;
EXPLAIN (COSTS OFF) SELECT o.order_id, u.name, u.email FROM orders o JOIN users u USING (user_id)
 WHERE o.order_id IN ('o1', 'o10', 'o2') ORDER BY 1;
SELECT * FROM sent() WHERE operation NOT IN ('Query', 'GetItem', 'Scan', 'BatchGetItem');
-- a statement does not see its own writes: INSERT ... SELECT of the same
-- table copies each row once
INSERT INTO orders SELECT user_id, order_id || 'copy', total, status FROM orders WHERE user_id = 'u10';
SELECT order_id FROM orders WHERE user_id = 'u10' ORDER BY 1;
COMMIT;
SELECT * FROM sent() WHERE operation = 'TransactWriteItems';
-- after COMMIT, DynamoDB holds what the transaction saw
SELECT * FROM orders ORDER BY user_id, order_id;
SELECT * FROM users ORDER BY user_id;
\! bash test/awsread.sh get TxApp '{"PK":{"S":"USER#u1"},"SK":{"S":"USER#u1"}}'
\! bash test/awsread.sh get TxApp '{"PK":{"S":"USER#u1"},"SK":{"S":"ORDER#o2"}}'

-- writes to one item fold into one action: an INSERT then an UPDATE is one
-- Put of the final item; a transaction of one write that is safe to repeat
-- goes as that plain write
SELECT ddbrel.stats_reset();
BEGIN;
INSERT INTO orders VALUES ('u3', 'o30', 3, 'new');
UPDATE orders SET total = total * 10, status = 'paid' WHERE user_id = 'u3' AND order_id = 'o30';
UPDATE orders SET status = 'shipped' WHERE user_id = 'u3' AND order_id = 'o30';
COMMIT;
SELECT * FROM sent() WHERE operation NOT IN ('Query', 'GetItem', 'Scan', 'BatchGetItem');
\! bash test/awsread.sh get TxApp '{"PK":{"S":"USER#u3"},"SK":{"S":"ORDER#o30"}}'
-- an INSERT then a DELETE of the same item writes nothing but checks the key is free
SELECT ddbrel.stats_reset();
BEGIN;
INSERT INTO orders VALUES ('u3', 'o31', 1, 'new');
DELETE FROM orders WHERE user_id = 'u3' AND order_id = 'o31';
COMMIT;
SELECT * FROM sent() WHERE operation NOT IN ('Query', 'GetItem', 'Scan', 'BatchGetItem');
\! bash test/awsread.sh get TxApp '{"PK":{"S":"USER#u3"},"SK":{"S":"ORDER#o31"}}'
-- an atomic counter is an addition at COMMIT, exactly once: alone it goes
-- as a TransactWriteItems of one action, whose token makes a retry safe
SELECT ddbrel.stats_reset();
BEGIN;
UPDATE users SET visits = visits + 1 WHERE user_id = 'u2';
UPDATE users SET visits = visits + 1 WHERE user_id = 'u2';
SELECT visits FROM users WHERE user_id = 'u2';
COMMIT;
SELECT * FROM sent() WHERE operation NOT IN ('Query', 'GetItem', 'Scan', 'BatchGetItem');
SELECT visits FROM users WHERE user_id = 'u2';
-- RETURNING: the values as the transaction computes them, and the deleted row
BEGIN;
UPDATE orders SET total = total + 1 WHERE user_id = 'u2' AND order_id = 'o3' RETURNING *;
DELETE FROM orders WHERE user_id = 'u3' AND order_id = 'o30' RETURNING *;
INSERT INTO orders VALUES ('u3', 'o32', 2, 'new') RETURNING order_id;
COMMIT;
SELECT * FROM orders WHERE user_id IN ('u2', 'u3') ORDER BY 1, 2;

-- errors at COMMIT name the item; nothing of the transaction is written
-- a key that exists: unique_violation
BEGIN;
INSERT INTO orders VALUES ('u3', 'o40', 1, 'new');
INSERT INTO users VALUES ('u1', 'Again', NULL, 0);
COMMIT;
\! bash test/awsread.sh get TxApp '{"PK":{"S":"USER#u3"},"SK":{"S":"ORDER#o40"}}'
-- outside a transaction block too: the statement's COMMIT fails
INSERT INTO users VALUES ('u1', 'Again', NULL, 0);
-- a key the transaction itself wrote: at once
BEGIN;
INSERT INTO orders VALUES ('u3', 'o41', 1, 'new');
INSERT INTO orders VALUES ('u3', 'o41', 2, 'new');
ROLLBACK;
-- ON CONFLICT DO NOTHING reads the key (consistently) to skip it now
SELECT ddbrel.stats_reset();
BEGIN;
INSERT INTO users VALUES ('u1', 'Skip', NULL, 0), ('u11', 'Ivy', NULL, 0), ('u11', 'Ivy 2', NULL, 0)
  ON CONFLICT DO NOTHING;
COMMIT;
SELECT * FROM sent() WHERE operation NOT IN ('Query', 'Scan', 'BatchGetItem');
SELECT user_id, name FROM users WHERE user_id IN ('u1', 'u11') ORDER BY 1;
-- an item another session deleted after this one read it: serialization_failure
BEGIN;
UPDATE orders SET status = 'late' WHERE user_id = 'u3' AND order_id = 'o32';
INSERT INTO orders VALUES ('u3', 'o42', 1, 'new');
\! psql -X -q -c "DELETE FROM tx.orders WHERE user_id = 'u3' AND order_id = 'o32'"
COMMIT;
SELECT order_id FROM orders WHERE user_id = 'u3' ORDER BY 1;

-- limits: the write that would be the 101st fails at once and says why;
-- the 100 before it still commit
CREATE FOREIGN TABLE bulk (id text, n int) SERVER ddb OPTIONS (table 'TxBulk');
SELECT ddbrel.request('ddb', 'CreateTable', '{"TableName": "TxBulk",
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "BillingMode": "PAY_PER_REQUEST"}') ->> 'TableDescription' IS NOT NULL AS created;
SELECT ddbrel.stats_reset();
BEGIN;
INSERT INTO bulk SELECT 'b' || g, g FROM generate_series(1, 100) g;
SAVEPOINT s;
INSERT INTO bulk VALUES ('b101', 101);
ROLLBACK TO SAVEPOINT s;
-- writing an item already held is no new action
UPDATE bulk SET n = n + 1000 WHERE id = 'b1';
COMMIT;
SELECT * FROM sent() WHERE operation NOT IN ('Scan', 'GetItem');
\! bash test/awsread.sh count TxBulk
-- outside a transaction block a statement is a transaction of its own: at
-- most 100 items, unless written as it runs (for bulk loads)
INSERT INTO bulk SELECT 'c' || g, g FROM generate_series(1, 150) g;
SET ddbrel.write_mode = 'immediate';
SELECT ddbrel.stats_reset();
INSERT INTO bulk SELECT 'c' || g, g FROM generate_series(1, 150) g;
SELECT * FROM sent();
RESET ddbrel.write_mode;
\! bash test/awsread.sh count TxBulk
-- COPY is a bulk load: always written as it runs, batched
SELECT ddbrel.stats_reset();
COPY bulk FROM PROGRAM 'seq 1 300 | awk ''{ printf "d%d\t%d\n", $1, $1 }''';
SELECT operation, requests FROM sent();
\! bash test/awsread.sh count TxBulk
-- in immediate mode ROLLBACK does not undo, as the mode says
BEGIN;
SET LOCAL ddbrel.write_mode = 'immediate';
INSERT INTO bulk VALUES ('e1', 1);
ROLLBACK;
SELECT * FROM bulk WHERE id = 'e1';
-- 4 MB: a COMMIT whose TransactWriteItems would be larger fails before
-- sending it (11 items of 390 kB); nothing is written
CREATE FOREIGN TABLE big (id text, body text) SERVER ddb OPTIONS (table 'TxBulk');
SELECT ddbrel.stats_reset();
BEGIN;
INSERT INTO big SELECT 'big' || g, repeat('x', 390000) FROM generate_series(1, 11) g;
COMMIT;
SELECT * FROM sent();
\! bash test/awsread.sh get TxBulk '{"id":{"S":"big1"}}'

-- two servers: one account and region (same endpoint and credentials) is
-- one transaction; a second endpoint cannot be part of it
\getenv endpoint DDB_ENDPOINT
\getenv proxy DDB_PROXY_ENDPOINT
CREATE SERVER ddb_same FOREIGN DATA WRAPPER ddbrel OPTIONS (region 'us-east-1', endpoint :'endpoint');
CREATE USER MAPPING FOR CURRENT_USER SERVER ddb_same
  OPTIONS (access_key_id 'AKIDTEST', secret_access_key 'regress-secret-do-not-print');
CREATE SERVER ddb_other FOREIGN DATA WRAPPER ddbrel OPTIONS (region 'us-east-1', endpoint :'proxy');
CREATE USER MAPPING FOR CURRENT_USER SERVER ddb_other
  OPTIONS (access_key_id 'AKIDOTHER', secret_access_key 'other-secret');
CREATE FOREIGN TABLE bulk_same (id text, n int) SERVER ddb_same OPTIONS (table 'TxBulk');
CREATE FOREIGN TABLE bulk_other (id text, n int) SERVER ddb_other OPTIONS (table 'TxBulk');
SELECT ddbrel.stats_reset();
BEGIN;
INSERT INTO bulk VALUES ('f1', 1);
INSERT INTO bulk_same VALUES ('f2', 2);
SELECT id FROM bulk_same WHERE id IN ('f1', 'f2') ORDER BY 1;
COMMIT;
SELECT * FROM sent() WHERE operation NOT IN ('BatchGetItem');
BEGIN;
INSERT INTO bulk VALUES ('f3', 3);
INSERT INTO bulk_other VALUES ('f4', 4);
ROLLBACK;
-- after ROLLBACK TO SAVEPOINT drops the writes through the first, the second may write
BEGIN;
SAVEPOINT s;
INSERT INTO bulk VALUES ('f5', 5);
ROLLBACK TO SAVEPOINT s;
INSERT INTO bulk_other VALUES ('f6', 6);
COMMIT;
SELECT id FROM bulk WHERE id IN ('f1', 'f2', 'f3', 'f4', 'f5', 'f6') ORDER BY 1;
-- PREPARE TRANSACTION cannot keep held writes
BEGIN;
INSERT INTO bulk VALUES ('g1', 1);
PREPARE TRANSACTION 'tx_g1';
SELECT * FROM bulk WHERE id = 'g1';

-- STORED generated columns in a transaction: an index key built from one
-- follows its column, in the reads of the transaction and at COMMIT
CREATE FOREIGN TABLE gen_members (member_id text, email text,
                                  email_key text GENERATED ALWAYS AS (lower(email)) STORED)
  SERVER ddb OPTIONS (table 'TxApp', pk_template 'GM#{member_id}', sk_template 'GM#{member_id}',
                      gsi2pk_template 'GMAIL#{email_key}');
BEGIN;
INSERT INTO gen_members (member_id, email) VALUES ('g1', 'Ann@X.COM');
UPDATE gen_members SET email = 'New@X.COM' WHERE member_id = 'g1';
SELECT member_id, email, email_key FROM gen_members WHERE email_key = 'new@x.com';
SELECT count(*) AS by_old_key FROM gen_members WHERE email_key = 'ann@x.com';
COMMIT;
SELECT pk, item ->> 'gsi2pk' AS gsi2pk, item ->> 'email_key' AS email_key FROM items WHERE pk = 'GM#g1';
EXPLAIN (COSTS OFF) SELECT member_id FROM gen_members WHERE email_key = 'new@x.com';
SELECT member_id FROM gen_members WHERE email_key = 'new@x.com';

-- a COMMIT's TransactWriteItems counts against the write budgets of the
-- tables it writes, by what DynamoDB says each consumed, under the write
-- budgets their foreign tables set in the statements that wrote them
CREATE FOREIGN TABLE cap_bulk (id text, n int) SERVER ddb OPTIONS (table 'TxBulk', write_capacity '500');
CREATE FOREIGN TABLE cap_users (user_id text, name text)
  SERVER ddb OPTIONS (table 'TxApp', pk_template 'USER#{user_id}', sk_template 'PROFILE',
                      write_capacity '400');
SELECT ddbrel.stats_reset();
BEGIN;
INSERT INTO cap_bulk SELECT 'cap' || g, g FROM generate_series(1, 6) g;
INSERT INTO cap_users VALUES ('cap1', 'Cap');
COMMIT;
SELECT "table", write_units > 0 AS consumed, write_budget FROM ddbrel.capacity() WHERE server = 'ddb' ORDER BY 1;
SELECT (SELECT sum(write_units) FROM ddbrel.capacity())
       = (SELECT capacity_units FROM ddbrel.stats() WHERE operation = 'TransactWriteItems') AS all_counted;

SET client_min_messages = warning;
DROP SCHEMA tx CASCADE;
DROP SERVER ddb_same CASCADE;
DROP SERVER ddb_other CASCADE;
RESET client_min_messages;
RESET search_path;
SELECT ddbrel.request('ddb', 'DeleteTable', '{"TableName": "TxApp"}') IS NOT NULL AS dropped;
SELECT ddbrel.request('ddb', 'DeleteTable', '{"TableName": "TxBulk"}') IS NOT NULL AS dropped;
