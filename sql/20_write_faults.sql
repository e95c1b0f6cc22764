-- Writes through faults: a lost answer, unprocessed batch items and a 10%
-- fault rate end with exactly the intended items, checked with the AWS CLI.
-- The batched path (ddbrel.write_mode = 'immediate'); sql/51_exactly_once.sql
-- shows the same for transactions.
CREATE SCHEMA wfaults;
SET search_path = wfaults, public;
SET ddbrel.write_mode = 'immediate';
\getenv proxy DDB_PROXY_ENDPOINT
CREATE SERVER wproxy FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint :'proxy', max_retries '8');
CREATE USER MAPPING FOR CURRENT_USER SERVER wproxy
  OPTIONS (access_key_id 'AKIDWF', secret_access_key 'write-fault-secret');
SELECT ddbrel.request('ddb', 'CreateTable', '{"TableName": "WriteFaults",
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "BillingMode": "PAY_PER_REQUEST"}') ->> 'TableDescription' IS NOT NULL AS created;
CREATE FOREIGN TABLE wf (id text, n int) SERVER wproxy OPTIONS (table 'WriteFaults');
CREATE FOREIGN TABLE wf_up (id text, n int) SERVER wproxy OPTIONS (table 'WriteFaults', upsert 'true');
\! /usr/bin/python3 test/faultctl.py off

-- an INSERT whose answer is lost after DynamoDB applied it: retried, the
-- retry fails its condition and the item it was refused for (the answer's
-- Item, or where a server does not send it a consistent GetItem) is the
-- very item: inserted
\! /usr/bin/python3 test/faultctl.py script reset_after --ops PutItem
SELECT ddbrel.stats_reset();
INSERT INTO wf VALUES ('a', 1);
SELECT operation, requests, retries FROM ddbrel.stats()
 WHERE operation = 'PutItem' ORDER BY 1;
\! bash test/awsread.sh get WriteFaults '{"id":{"S":"a"}}'
-- a real duplicate is still one, also when its first answer was lost
INSERT INTO wf VALUES ('a', 2);
\! /usr/bin/python3 test/faultctl.py script reset_after --ops PutItem
INSERT INTO wf VALUES ('a', 3);
\! bash test/awsread.sh get WriteFaults '{"id":{"S":"a"}}'

-- BatchWriteItem: DynamoDB leaves half of each batch unprocessed three
-- times; the rest is sent again and every item lands once
\! /usr/bin/python3 test/faultctl.py script unprocessed unprocessed unprocessed --ops BatchWriteItem
SELECT ddbrel.stats_reset();
INSERT INTO wf_up SELECT 'u' || g, g FROM generate_series(1, 100) g;
SELECT operation, requests > 4 AS resent, retries >= 3 AS retried FROM ddbrel.stats()
 WHERE operation = 'BatchWriteItem';
\! bash test/awsread.sh count WriteFaults
-- BatchGetItem: unprocessed keys are asked for again
\! /usr/bin/python3 test/faultctl.py script unprocessed unprocessed --ops BatchGetItem
SELECT ddbrel.stats_reset();
SELECT count(*), sum(n) FROM wf_up WHERE id = ANY (ARRAY(SELECT 'u' || g FROM generate_series(1, 100) g));
SELECT operation, retries >= 2 AS retried FROM ddbrel.stats() WHERE operation = 'BatchGetItem';

-- 10% faults of every kind on every write: exactly the intended items
-- (atomic counters are the exception: see sql/11_faults.sql)
\! /usr/bin/python3 test/faultctl.py rate 0.1 --seed 11 --ops PutItem,BatchWriteItem,DeleteItem,UpdateItem
INSERT INTO wf SELECT 'r' || g, g FROM generate_series(1, 300) g;
INSERT INTO wf_up SELECT 'u' || g, g * 10 FROM generate_series(1, 100) g;
UPDATE wf SET n = 1000 WHERE id = 'a';
DELETE FROM wf WHERE id IN ('r1', 'r2', 'r3');
\! /usr/bin/python3 test/faultctl.py off
\! bash test/awsread.sh count WriteFaults
SELECT count(*) FILTER (WHERE id LIKE 'r%') AS r_items, count(DISTINCT id) AS distinct_ids,
       sum(n) FILTER (WHERE id LIKE 'u%') AS u_sum
  FROM wf;
SELECT n FROM wf WHERE id = 'a';

SELECT ddbrel.request('ddb', 'DeleteTable', '{"TableName": "WriteFaults"}') IS NOT NULL AS dropped;
