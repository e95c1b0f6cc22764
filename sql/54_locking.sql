-- backends: local
-- Optimistic concurrency in transaction blocks: SELECT ... FOR UPDATE and
-- FOR SHARE check at COMMIT that the rows read are unchanged (ConditionCheck
-- actions), a version column is what writes and locked reads check, direct
-- modify reads and holds its condition for COMMIT, and key lookups in
-- REPEATABLE READ read one snapshot (TransactGetItems).  A second session
-- (psql) changes items in between.
CREATE SCHEMA lk;
SET search_path = lk, public;
SELECT current_database() AS dbname \gset
\setenv PGDATABASE :dbname
SELECT ddbrel.request('ddb', 'CreateTable', '{"TableName": "Locks",
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "BillingMode": "PAY_PER_REQUEST"}') ->> 'TableDescription' IS NOT NULL AS created;
-- the same items, as a table without and one with a version column
CREATE FOREIGN TABLE stock (id text, qty int, note text, version int) SERVER ddb OPTIONS (table 'Locks');
CREATE FOREIGN TABLE vstock (id text, qty int, note text, version int OPTIONS (version 'true'))
  SERVER ddb OPTIONS (table 'Locks');
SELECT ddbrel.request('ddb', 'CreateTable', '{"TableName": "LockOrders",
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "BillingMode": "PAY_PER_REQUEST"}') ->> 'TableDescription' IS NOT NULL AS created;
CREATE FOREIGN TABLE orders (id text, item text, qty int) SERVER ddb OPTIONS (table 'LockOrders');
INSERT INTO stock VALUES ('s1', 10, 'first', 1);
INSERT INTO stock VALUES ('s2', 5, 'second', 1);

-- FOR UPDATE: the rows read are checked at COMMIT, with the transaction's writes
SELECT ddbrel.stats_reset();
BEGIN;
SELECT id, qty FROM stock WHERE id IN ('s1', 's2') ORDER BY id FOR UPDATE;
INSERT INTO orders VALUES ('o1', 's1', 3);
COMMIT;
SELECT * FROM sent() WHERE operation = 'TransactWriteItems';
-- one of them changed by another session meanwhile: serialization_failure,
-- nothing written
BEGIN;
SELECT id, qty FROM stock WHERE id IN ('s1', 's2') ORDER BY id FOR UPDATE;
\! psql -X -q -c "UPDATE lk.stock SET note = 'changed' WHERE id = 's2'"
INSERT INTO orders VALUES ('o2', 's1', 3);
COMMIT;
SELECT id FROM orders ORDER BY id;
-- only the rows the query keeps are locked: a row its condition drops may change
BEGIN;
SELECT id, qty FROM stock WHERE id IN ('s1', 's2') AND note = 'first' FOR SHARE;
\! psql -X -q -c "UPDATE lk.stock SET note = 'changed again' WHERE id = 's2'"
INSERT INTO orders VALUES ('o3', 's1', 1);
COMMIT;
SELECT id FROM orders ORDER BY id;
-- a row the transaction writes carries its own condition, no separate check
SELECT ddbrel.stats_reset();
BEGIN;
SELECT qty FROM stock WHERE id = 's1' FOR UPDATE;
UPDATE stock SET qty = qty - 3 WHERE id = 's1';
COMMIT;
SELECT * FROM sent() WHERE operation NOT IN ('GetItem', 'BatchGetItem');
SELECT id, qty FROM stock ORDER BY id;

-- a version column: a locked read checks only the version, so a change of
-- another attribute passes and a new version does not
BEGIN;
SELECT id, qty, version FROM vstock WHERE id = 's2' FOR SHARE;
\! psql -X -q -c "UPDATE lk.stock SET note = 'no new version' WHERE id = 's2'"
INSERT INTO orders VALUES ('o4', 's2', 1);
COMMIT;
BEGIN;
SELECT id, qty, version FROM vstock WHERE id = 's2' FOR SHARE;
\! psql -X -q -c "UPDATE lk.stock SET version = version + 1 WHERE id = 's2'"
INSERT INTO orders VALUES ('o5', 's2', 1);
COMMIT;
SELECT id FROM orders ORDER BY id;
-- writes of a table with a version column are conditioned on the version read
BEGIN;
UPDATE vstock SET qty = qty + 100 WHERE note = 'no new version';
\! psql -X -q -c "UPDATE lk.stock SET version = version + 1 WHERE id = 's2'"
COMMIT;
SELECT id, qty, version FROM vstock WHERE id = 's2';

-- direct modify in a transaction block: the item is read (consistently,
-- through the transaction's writes) and the write held with its condition,
-- which DynamoDB checks again at COMMIT
EXPLAIN (COSTS OFF) UPDATE stock SET qty = qty - 1, version = version + 1 WHERE id = 's1' AND version = 1;
BEGIN;
EXPLAIN (COSTS OFF) UPDATE stock SET qty = qty - 1, version = version + 1 WHERE id = 's1' AND version = 1;
UPDATE stock SET qty = qty - 1, version = version + 1 WHERE id = 's1' AND version = 1 RETURNING qty, version;
UPDATE stock SET qty = qty - 1, version = version + 1 WHERE id = 's1' AND version = 1 RETURNING qty, version;
UPDATE stock SET qty = qty - 1, version = version + 1 WHERE id = 's1' AND version = 2 RETURNING qty, version;
COMMIT;
SELECT id, qty, version FROM stock WHERE id = 's1';
BEGIN;
UPDATE stock SET qty = 0, version = version + 1 WHERE id = 's1' AND version = 3 RETURNING qty, version;
\! psql -X -q -c "UPDATE lk.stock SET version = version + 1 WHERE id = 's1'"
COMMIT;
SELECT id, qty, version FROM stock WHERE id = 's1';

-- a race of two sessions, 15 transactions each, every one retried until
-- its COMMIT succeeds: no update is lost
CREATE FOREIGN TABLE race (id text, balance int, version int) SERVER ddb OPTIONS (table 'LockOrders');
INSERT INTO race VALUES ('r1', 0, 0);
\! bash test/version_race.sh lk.race r1 15 block
SELECT balance, version FROM race WHERE id = 'r1';

-- REPEATABLE READ: the keys of one lookup are read as of one moment
SELECT ddbrel.stats_reset();
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT id, qty FROM stock WHERE id IN ('s1', 's2', 'none') ORDER BY id;
SELECT id, qty FROM stock WHERE id = 's1';
COMMIT;
SELECT * FROM sent();
-- beyond 100 keys, by 100s (each of them one moment)
SELECT ddbrel.stats_reset();
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT count(*) FROM stock WHERE id = ANY (ARRAY(SELECT 'k' || g FROM generate_series(1, 150) g) || ARRAY['s1']);
COMMIT;
SELECT * FROM sent();

SET client_min_messages = warning;
DROP SCHEMA lk CASCADE;
RESET client_min_messages;
RESET search_path;
SELECT ddbrel.request('ddb', 'DeleteTable', '{"TableName": "Locks"}') IS NOT NULL AS dropped;
SELECT ddbrel.request('ddb', 'DeleteTable', '{"TableName": "LockOrders"}') IS NOT NULL AS dropped;
