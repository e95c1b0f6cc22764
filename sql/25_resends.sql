-- Resends of what a batch left unprocessed: the BatchGetItem of a scan, of
-- a lookup join and the BatchWriteItem of a load all send the rest again
-- with the retries' backoff, at most max_retries times (the server
-- option), then fail saying how much is left.  test/faultproxy.py leaves
-- every key or item unprocessed ("unprocessed_all"), as DynamoDB does
-- while a table stays throttled.
CREATE SCHEMA resends;
SET search_path = resends, public;
-- loads take the batched path (BatchWriteItem), not a transaction
SET ddbrel.write_mode = 'immediate';
\getenv proxy DDB_PROXY_ENDPOINT
CREATE SERVER rproxy FOREIGN DATA WRAPPER ddbrel
  OPTIONS (endpoint :'proxy', max_retries '3');
CREATE USER MAPPING FOR CURRENT_USER SERVER rproxy
  OPTIONS (access_key_id 'AKIDRESEND', secret_access_key 'resend-secret');
CREATE FOREIGN TABLE users (user_id text, name text, email text)
  SERVER rproxy OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'USER#{user_id}');
CREATE FOREIGN TABLE orders (user_id text, order_id text, total numeric, status text)
  SERVER rproxy OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'ORDER#{order_id}');
SELECT ddbrel.request('ddb', 'CreateTable', '{"TableName": "Resends",
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "BillingMode": "PAY_PER_REQUEST"}') ->> 'TableDescription' IS NOT NULL AS created;
CREATE FOREIGN TABLE loads (id text, n int)
  SERVER rproxy OPTIONS (table 'Resends', upsert 'true');
\! /usr/bin/python3 test/faultctl.py off
-- without faults (and planning's DescribeTable out of the way)
SELECT user_id, name FROM users WHERE user_id IN ('123', '456') ORDER BY 1;
SELECT o.order_id, u.name FROM orders o JOIN users u USING (user_id) WHERE o.order_id = '1001';
SELECT count(*) FROM loads;
-- (a hang would be the bug: a statement that never ends fails here instead)
SET statement_timeout = '60s';

-- a scan's BatchGetItem: sent once, then resent 3 times, then the error
\! /usr/bin/python3 test/faultctl.py reset
\! /usr/bin/python3 test/faultctl.py rate 1 --kinds unprocessed_all --ops BatchGetItem
SELECT ddbrel.stats_reset();
SELECT user_id, name FROM users WHERE user_id IN ('123', '456') ORDER BY 1;
\set pstats `/usr/bin/python3 test/faultctl.py stats`
SELECT :'pstats'::jsonb -> 'by_op' -> 'BatchGetItem' AS proxy_saw;
SELECT operation, requests, retries FROM ddbrel.stats() ORDER BY 1;

-- a lookup join's BatchGetItem: the same budget
\! /usr/bin/python3 test/faultctl.py reset
SELECT ddbrel.stats_reset();
SELECT o.order_id, u.name FROM orders o JOIN users u USING (user_id) WHERE o.order_id = '1001';
\set pstats `/usr/bin/python3 test/faultctl.py stats`
SELECT :'pstats'::jsonb -> 'by_op' -> 'BatchGetItem' AS proxy_saw;
SELECT operation, requests, retries FROM ddbrel.stats() ORDER BY 1;

-- BatchWriteItem: the same budget, and the error says what was written
\! /usr/bin/python3 test/faultctl.py reset
\! /usr/bin/python3 test/faultctl.py rate 1 --kinds unprocessed_all --ops BatchWriteItem
SELECT ddbrel.stats_reset();
INSERT INTO loads SELECT 'k' || g, g FROM generate_series(1, 5) g;
\set pstats `/usr/bin/python3 test/faultctl.py stats`
SELECT :'pstats'::jsonb -> 'by_op' -> 'BatchWriteItem' AS proxy_saw;
SELECT operation, requests, retries FROM ddbrel.stats() ORDER BY 1;

-- a larger budget lets DynamoDB catch up: half of each batch is left over
-- twice, the rest goes through, and every item is there once
\! /usr/bin/python3 test/faultctl.py off
ALTER SERVER rproxy OPTIONS (SET max_retries '10');
\! /usr/bin/python3 test/faultctl.py script unprocessed unprocessed --ops BatchWriteItem
SELECT ddbrel.stats_reset();
INSERT INTO loads SELECT 'k' || g, g FROM generate_series(1, 5) g;
SELECT operation, requests, retries FROM ddbrel.stats() ORDER BY 1;
\! /usr/bin/python3 test/faultctl.py script unprocessed unprocessed --ops BatchGetItem
SELECT ddbrel.stats_reset();
SELECT count(*), sum(n) FROM loads WHERE id IN ('k1', 'k2', 'k3', 'k4', 'k5');
SELECT operation, requests, retries FROM ddbrel.stats() ORDER BY 1;
\! /usr/bin/python3 test/faultctl.py off
RESET statement_timeout;

SELECT ddbrel.request('ddb', 'DeleteTable', '{"TableName": "Resends"}') IS NOT NULL AS dropped;
