-- backends: dynalite
-- The default write mode on a server without TransactWriteItems (dynalite):
-- a transaction of one write goes as that plain write and works; one of
-- several writes cannot be atomic there and fails at COMMIT with an error
-- that names the setting; ddbrel.write_mode = 'immediate' writes them as
-- they run.  (sql/50_transactions.sql tests transactions on DynamoDB Local.)
CREATE SCHEMA notx;
SET search_path = notx, public;
SELECT ddbrel.request('ddb', 'CreateTable', '{"TableName": "NoTx",
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "BillingMode": "PAY_PER_REQUEST"}') ->> 'TableDescription' IS NOT NULL AS created;
CREATE FOREIGN TABLE t (id text, n int) SERVER ddb OPTIONS (table 'NoTx');
SHOW ddbrel.write_mode;
-- one write: PutItem, UpdateItem, DeleteItem, inside a block or not
SELECT ddbrel.stats_reset();
INSERT INTO t VALUES ('a', 1);
BEGIN;
INSERT INTO t VALUES ('b', 2);
COMMIT;
UPDATE t SET n = 20 WHERE id = 'b';
DELETE FROM t WHERE id = 'a';
SELECT * FROM sent() WHERE operation NOT IN ('Scan', 'GetItem');
SELECT * FROM t ORDER BY id;
-- an atomic counter would go as a TransactWriteItems of one action (its
-- token makes a retry safe); the server answers it does not know the
-- operation, so it goes as UpdateItem, once, and afterwards at once
SELECT ddbrel.stats_reset();
UPDATE t SET n = n + 1 WHERE id = 'b';
UPDATE t SET n = n + 1 WHERE id = 'b';
SELECT * FROM sent() WHERE operation NOT IN ('Scan', 'GetItem');
SELECT n FROM t WHERE id = 'b';
-- several writes: a clear error at COMMIT, nothing written
SELECT ddbrel.stats_reset();
BEGIN;
INSERT INTO t VALUES ('c', 3);
INSERT INTO t VALUES ('d', 4);
COMMIT;
INSERT INTO t VALUES ('c', 3), ('d', 4);
SELECT * FROM sent() WHERE operation NOT IN ('Scan', 'GetItem');
SELECT * FROM t ORDER BY id;
-- reads in a transaction still see its writes before COMMIT
BEGIN;
INSERT INTO t VALUES ('e', 5);
UPDATE t SET n = 21 WHERE id = 'b';
SELECT * FROM t ORDER BY id;
ROLLBACK;
-- written as they run
SET ddbrel.write_mode = 'immediate';
INSERT INTO t VALUES ('c', 3), ('d', 4);
SELECT * FROM t ORDER BY id;
RESET ddbrel.write_mode;

SET client_min_messages = warning;
DROP SCHEMA notx CASCADE;
RESET client_min_messages;
RESET search_path;
SELECT ddbrel.request('ddb', 'DeleteTable', '{"TableName": "NoTx"}') IS NOT NULL AS dropped;
