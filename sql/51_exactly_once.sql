-- backends: local
-- Exactly once: a transaction's TransactWriteItems carries one
-- ClientRequestToken for every attempt, so when its answer is lost after
-- DynamoDB applied it, the retry is applied once; atomic counters in a
-- transaction are exactly-once.  test/faultproxy.py drops answers after
-- forwarding; the items are checked with the AWS CLI.
CREATE SCHEMA once;
SET search_path = once, public;
\getenv proxy DDB_PROXY_ENDPOINT
CREATE SERVER oproxy FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint :'proxy', max_retries '8');
CREATE USER MAPPING FOR CURRENT_USER SERVER oproxy
  OPTIONS (access_key_id 'AKIDONCE', secret_access_key 'once-secret');
SELECT ddbrel.request('ddb', 'CreateTable', '{"TableName": "Once",
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "BillingMode": "PAY_PER_REQUEST"}') ->> 'TableDescription' IS NOT NULL AS created;
CREATE FOREIGN TABLE counters (id text, n int) SERVER oproxy OPTIONS (table 'Once');
CREATE FOREIGN TABLE log (id text, note text) SERVER oproxy OPTIONS (table 'Once');
\! /usr/bin/python3 test/faultctl.py off
INSERT INTO counters VALUES ('k', 0);

-- the answer is lost after DynamoDB applied the transaction: sent again
-- with the same token, and applied once
\! /usr/bin/python3 test/faultctl.py reset
\! /usr/bin/python3 test/faultctl.py script reset_after --ops TransactWriteItems
SELECT ddbrel.stats_reset();
BEGIN;
UPDATE counters SET n = n + 1 WHERE id = 'k';
INSERT INTO log VALUES ('l1', 'with the first increment');
COMMIT;
SELECT operation, requests, retries FROM ddbrel.stats() WHERE operation = 'TransactWriteItems';
\set pstats `/usr/bin/python3 test/faultctl.py stats`
SELECT :'pstats'::jsonb -> 'by_op' -> 'TransactWriteItems' AS proxy_saw,
       :'pstats'::jsonb -> 'injected' AS injected;
\! bash test/awsread.sh get Once '{"id":{"S":"k"}}'
\! bash test/awsread.sh get Once '{"id":{"S":"l1"}}'
-- a counter alone is one action, sent as a TransactWriteItems for its
-- token: a 500 (DynamoDB may have applied it) and a lost answer are retried
-- safely (written as it runs, it would not be retried: sql/11_faults.sql)
\! /usr/bin/python3 test/faultctl.py script 500 reset_after --ops TransactWriteItems
UPDATE counters SET n = n + 1 WHERE id = 'k';
\! bash test/awsread.sh get Once '{"id":{"S":"k"}}'

-- DynamoDB cancels a transaction when another one is changing one of its
-- items (TransactionConflict): serialization_failure (40001) naming the
-- item, which clients retry; nothing of it was written
\! /usr/bin/python3 test/faultctl.py script conflict --ops TransactWriteItems
BEGIN;
UPDATE counters SET n = n + 1 WHERE id = 'k';
INSERT INTO log VALUES ('c1', 'conflicted');
COMMIT;
\! bash test/awsread.sh get Once '{"id":{"S":"k"}}'
\! bash test/awsread.sh get Once '{"id":{"S":"c1"}}'
-- a plain write that meets TransactionConflictException: 40001 too
SET ddbrel.write_mode = 'immediate';
\! /usr/bin/python3 test/faultctl.py script conflict --ops PutItem,BatchWriteItem
INSERT INTO log VALUES ('c2', 'conflicted');
RESET ddbrel.write_mode;
\! bash test/awsread.sh get Once '{"id":{"S":"c2"}}'

-- 10% faults of every kind on every write, over 40 transactions of a
-- counter increment, an insert and an update each: exactly the intended
-- items at the end
CREATE PROCEDURE run(k int) LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1..k LOOP
    UPDATE once.counters SET n = n + 1 WHERE id = 'k';
    INSERT INTO once.log VALUES ('r' || i, 'new');
    UPDATE once.log SET note = 'seen by ' || i WHERE id = 'l1';
    COMMIT;
  END LOOP;
END $$;
\! /usr/bin/python3 test/faultctl.py reset
\! /usr/bin/python3 test/faultctl.py rate 0.1 --seed 16 --ops TransactWriteItems,PutItem,UpdateItem,DeleteItem
SELECT ddbrel.stats_reset();
CALL run(40);
\! /usr/bin/python3 test/faultctl.py off
\set pstats `/usr/bin/python3 test/faultctl.py stats`
SELECT (:'pstats'::jsonb -> 'by_op' ->> 'TransactWriteItems')::int > 40 AS some_sent_again,
       (SELECT sum(value::int) FROM jsonb_each_text(:'pstats'::jsonb -> 'injected')) > 0 AS faults_injected;
SELECT operation, requests >= 40 AS every_commit, retries > 0 AS retried
  FROM ddbrel.stats() WHERE operation = 'TransactWriteItems';
\! bash test/awsread.sh count Once
\! bash test/awsread.sh get Once '{"id":{"S":"k"}}'
\! bash test/awsread.sh get Once '{"id":{"S":"l1"}}'
SELECT count(*) FILTER (WHERE id LIKE 'r%') AS r_items, count(DISTINCT id) AS distinct_ids
  FROM log;

SET client_min_messages = warning;
DROP SCHEMA once CASCADE;
DROP SERVER oproxy CASCADE;
RESET client_min_messages;
RESET search_path;
SELECT ddbrel.request('ddb', 'DeleteTable', '{"TableName": "Once"}') IS NOT NULL AS dropped;
