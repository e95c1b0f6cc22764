-- test/demo.sql
--	  The demo of README command 1 (test/demo.sh): the users/orders table of
--	  seed 000 in DynamoDB table AppData, seen raw and as entity tables.
\getenv endpoint DDB_ENDPOINT
\set QUIET 1
\pset null '(null)'
\set QUIET 0

CREATE EXTENSION ddbrel;
CREATE SERVER ddb FOREIGN DATA WRAPPER ddbrel
  OPTIONS (region 'us-east-1', endpoint :'endpoint');
CREATE USER MAPPING FOR CURRENT_USER SERVER ddb
  OPTIONS (access_key_id 'demo', secret_access_key 'demo');

-- the whole DynamoDB table, raw
CREATE FOREIGN TABLE app_items (pk text, sk text, item jsonb OPTIONS (document 'true'))
  SERVER ddb OPTIONS (table 'AppData', partition_key 'PK', sort_key 'SK');

-- one foreign table per entity of the single-table design
CREATE FOREIGN TABLE users  (user_id text, email text, name text)
  SERVER ddb OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'USER#{user_id}');
CREATE FOREIGN TABLE orders (user_id text, order_id text, total numeric, status text)
  SERVER ddb OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'ORDER#{order_id}');

-- every item (a Scan)
SELECT pk, sk, item FROM app_items ORDER BY pk, sk;

-- entities
SELECT * FROM users ORDER BY user_id;
SELECT * FROM orders ORDER BY user_id, order_id;

-- all orders of a user: Query PK = 'USER#123' AND begins_with(SK, 'ORDER#')
SELECT * FROM orders WHERE user_id = '123' ORDER BY order_id;
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM orders WHERE user_id = '123';

-- one order by its id: Query on GSI1 (SK = 'ORDER#1001', begins_with(PK, 'USER#'))
SELECT * FROM orders WHERE order_id = '1001';
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM orders WHERE order_id = '1001';

-- a user's profile and orders: one Query on PK = 'USER#123'
SELECT u.name, o.order_id, o.total, o.status
  FROM users u JOIN orders o USING (user_id)
 WHERE u.user_id = '123'
 ORDER BY o.order_id;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT u.name, o.total FROM users u JOIN orders o USING (user_id)
 WHERE u.user_id = '123';

-- users without orders
SELECT u.user_id, u.name
  FROM users u LEFT JOIN orders o USING (user_id)
 WHERE o.order_id IS NULL;

-- writes land where the single-table design says, visible to the AWS CLI
INSERT INTO orders VALUES ('456', '1004', 42.00, 'new') RETURNING *;
\! /usr/bin/aws dynamodb --endpoint-url "$DDB_ENDPOINT" --output json get-item --table-name AppData --key '{"PK":{"S":"USER#456"},"SK":{"S":"ORDER#1004"}}'
UPDATE orders SET status = 'paid' WHERE user_id = '456' AND order_id = '1004' RETURNING status;

-- the requests a query makes, without running it
SELECT step, operation, "table", index, key_condition, entities
  FROM ddbrel.rewrite($$SELECT o.order_id, u.name FROM orders o JOIN users u USING (user_id) WHERE o.order_id = '1001'$$);

-- what this session sent to DynamoDB
SELECT * FROM ddbrel.stats();
