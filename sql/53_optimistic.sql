-- Optimistic concurrency without a read: an UPDATE or DELETE of one item
-- by its full key whose other conditions DynamoDB can evaluate is one
-- UpdateItem or DeleteItem with a ConditionExpression (direct modify); the
-- row count is its outcome.  A version column makes it optimistic
-- locking.  On both servers: a statement outside a transaction block is
-- sent at once (sql/54_locking.sql shows the same in transaction blocks).
CREATE SCHEMA opt;
SET search_path = opt, public;
SELECT current_database() AS dbname \gset
\setenv PGDATABASE :dbname
-- reads and writes sent: an addition ("version = version + 1") is sent as a
-- TransactWriteItems of one action, for its token (exactly once); where the
-- server lacks that (dynalite), as UpdateItem
CREATE FUNCTION sent_kinds() RETURNS TABLE (kind text, requests numeric) LANGUAGE sql AS $$
  SELECT CASE WHEN operation IN ('PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems')
              THEN 'write' ELSE operation END, sum(requests)
    FROM sent() GROUP BY 1 ORDER BY 1
$$;
SELECT ddbrel.request('ddb', 'CreateTable', '{"TableName": "Accounts",
  "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"},
                           {"AttributeName": "SK", "AttributeType": "S"},
                           {"AttributeName": "gsi1pk", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
  "GlobalSecondaryIndexes": [
    {"IndexName": "GSI1", "KeySchema": [{"AttributeName": "gsi1pk", "KeyType": "HASH"}],
     "Projection": {"ProjectionType": "ALL"}}],
  "BillingMode": "PAY_PER_REQUEST"}') ->> 'TableDescription' IS NOT NULL AS created;
CREATE FOREIGN TABLE accounts (id text, owner text, balance int, version int, status text)
  SERVER ddb OPTIONS (table 'Accounts', pk_template 'ACCT#{id}', sk_template 'ACCT#{id}',
                      gsi1pk_template 'OWNER#{owner}#{status}',
                      type_attribute 'kind', type_value 'account');
INSERT INTO accounts VALUES ('a1', 'ann', 100, 3, 'open');
INSERT INTO accounts VALUES ('a2', 'bob', 50, 1, 'open');

-- (the first addition of a session learns whether the server has TransactWriteItems)
UPDATE accounts SET version = version + 0 WHERE id = 'a2';
-- version = 3 is checked by DynamoDB in the write itself: no GetItem
EXPLAIN (VERBOSE, COSTS OFF)
UPDATE accounts SET balance = balance - 10, version = version + 1 WHERE id = 'a1' AND version = 3;
SELECT ddbrel.stats_reset();
UPDATE accounts SET balance = balance - 10, version = version + 1 WHERE id = 'a1' AND version = 3;
SELECT :ROW_COUNT AS updated;
-- the same again: version is 4 now, the condition fails, no row
UPDATE accounts SET balance = balance - 10, version = version + 1 WHERE id = 'a1' AND version = 3;
SELECT :ROW_COUNT AS updated;
SELECT * FROM sent_kinds();
\! bash test/awsread.sh get Accounts '{"PK":{"S":"ACCT#a1"},"SK":{"S":"ACCT#a1"}}'
-- other conditions DynamoDB can evaluate, RETURNING, parameters
UPDATE accounts SET status = 'frozen' WHERE id = 'a1' AND balance > 1000 RETURNING id;
UPDATE accounts SET status = 'frozen' WHERE id = 'a1' AND balance < 1000 AND status = 'open'
  RETURNING id, balance, status, version;
PREPARE pay(text, int, int) AS
  UPDATE accounts SET balance = balance - $2, version = version + 1 WHERE id = $1 AND version = $3;
EXPLAIN (COSTS OFF) EXECUTE pay('a2', 5, 1);
SELECT ddbrel.stats_reset();
EXECUTE pay('a2', 5, 1);
SELECT :ROW_COUNT AS updated;
EXECUTE pay('a2', 5, 1);
SELECT :ROW_COUNT AS updated;
EXECUTE pay('a2', 5, 2);
SELECT :ROW_COUNT AS updated;
SELECT * FROM sent_kinds();
SELECT id, balance, version FROM accounts ORDER BY id;
-- the index key composed from its columns moves with them (no read: both
-- are set, or are known from the key)
UPDATE accounts SET owner = 'ann2', status = 'open' WHERE id = 'a1';
SELECT id FROM accounts WHERE owner = 'ann2' AND status = 'open';
\! bash test/awsread.sh get Accounts '{"PK":{"S":"ACCT#a1"},"SK":{"S":"ACCT#a1"}}'
-- an index key with a column the statement neither sets nor knows: read first
EXPLAIN (COSTS OFF) UPDATE accounts SET status = 'closed' WHERE id = 'a1';
-- a condition DynamoDB cannot evaluate exactly: read first, as before
EXPLAIN (COSTS OFF) UPDATE accounts SET balance = 0 WHERE id = 'a1' AND lower(owner) = 'ann2';
-- DELETE: one DeleteItem with the condition, the row count from its outcome
SELECT ddbrel.stats_reset();
DELETE FROM accounts WHERE id = 'a2' AND version = 1;
SELECT :ROW_COUNT AS deleted;
DELETE FROM accounts WHERE id = 'a2' AND version = 3 RETURNING id, balance;
SELECT * FROM sent();
-- an item of another entity at the same key is not this row
SELECT ddbrel.request('ddb', 'PutItem', '{"TableName": "Accounts",
  "Item": {"PK": {"S": "ACCT#x"}, "SK": {"S": "ACCT#x"}, "kind": {"S": "other"}, "version": {"N": "1"}}}') IS NOT NULL AS put;
UPDATE accounts SET version = 2 WHERE id = 'x' AND version = 1;
SELECT :ROW_COUNT AS updated;
\! bash test/awsread.sh get Accounts '{"PK":{"S":"ACCT#x"},"SK":{"S":"ACCT#x"}}'

-- inside a function a statement may be followed by more writes of its
-- transaction: read and held, as in a transaction block (sql/54_locking.sql)
CREATE FUNCTION pay_in_function() RETURNS void LANGUAGE sql AS $$
  UPDATE opt.accounts SET balance = balance + 1 WHERE id = 'a1' AND version = 4
$$;
SELECT ddbrel.stats_reset();
SELECT pay_in_function();
SELECT * FROM sent_kinds();
SELECT balance FROM accounts WHERE id = 'a1';

-- a race of two sessions, 40 optimistic updates each, retried when the
-- other one won: no update is lost
INSERT INTO accounts VALUES ('r1', 'race', 0, 0, 'open');
\! bash test/version_race.sh opt.accounts r1 40
SELECT balance, version FROM accounts WHERE id = 'r1';

SET client_min_messages = warning;
DROP SCHEMA opt CASCADE;
RESET client_min_messages;
RESET search_path;
SELECT ddbrel.request('ddb', 'DeleteTable', '{"TableName": "Accounts"}') IS NOT NULL AS dropped;
