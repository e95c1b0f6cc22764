-- backends: local
-- UNIQUE columns: the column option unique keeps a guard item per value,
-- PK = SK = UNIQUE#<entity>.<attribute>#<value>, written, deleted or moved
-- in the same TransactWriteItems as its row; a value that is taken is a
-- unique_violation naming it.  ddbrel.design() and migrate() carry a
-- schema's UNIQUE constraints over, and migrate() builds the guard items.
CREATE SCHEMA uq;
SET search_path = uq, public;
SELECT current_database() AS dbname \gset
\setenv PGDATABASE :dbname
SELECT ddbrel.request('ddb', 'CreateTable', '{"TableName": "Uniq",
  "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"},
                           {"AttributeName": "SK", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
  "BillingMode": "PAY_PER_REQUEST"}') ->> 'TableDescription' IS NOT NULL AS created;
CREATE FOREIGN TABLE users (id text, email text OPTIONS (unique 'true'), name text)
  SERVER ddb OPTIONS (table 'Uniq', pk_template 'USER#{id}', sk_template 'USER#{id}',
                      type_attribute '_type', type_value 'user');
-- every item of the table, to see the guard items
CREATE FOREIGN TABLE items (pk text OPTIONS (attribute 'PK'), owner jsonb OPTIONS (attribute 'unique_owner'))
  SERVER ddb OPTIONS (table 'Uniq');

SELECT ddbrel.stats_reset();
INSERT INTO users VALUES ('u1', 'ann@example.com', 'Ann'), ('u2', 'bob@example.com', 'Bob');
SELECT * FROM sent();
SELECT pk, owner FROM items ORDER BY pk;
-- entity scans do not see the guards
SELECT * FROM users ORDER BY id;
-- a value that is taken: at COMMIT, nothing written
INSERT INTO users VALUES ('u3', 'ann@example.com', 'Another Ann');
SELECT id FROM users ORDER BY id;
-- a value the same transaction gave another row: at once
BEGIN;
INSERT INTO users VALUES ('u3', 'cid@example.com', 'Cid');
INSERT INTO users VALUES ('u4', 'cid@example.com', 'Cid too');
ROLLBACK;
-- NULL takes no value
INSERT INTO users VALUES ('u5', NULL, 'No mail'), ('u6', NULL, 'No mail either');
-- UPDATE moves the guard, DELETE drops it
UPDATE users SET email = 'ann@new.example.com' WHERE id = 'u1';
DELETE FROM users WHERE id = 'u2';
SELECT pk, owner ->> 'PK' AS owner FROM items WHERE pk LIKE 'UNIQUE#%' ORDER BY pk;
\! bash test/awsread.sh get Uniq '{"PK":{"S":"UNIQUE#user.email#ann@new.example.com"},"SK":{"S":"UNIQUE#user.email#ann@new.example.com"}}'
-- the freed value can be taken; a taken one cannot
UPDATE users SET email = 'bob@example.com' WHERE id = 'u5';
UPDATE users SET email = 'bob@example.com' WHERE id = 'u6';
-- two rows swap their values within one transaction
BEGIN;
UPDATE users SET email = 'swap' WHERE id = 'u1';
UPDATE users SET email = 'ann@new.example.com' WHERE id = 'u5';
UPDATE users SET email = 'bob@example.com' WHERE id = 'u1';
COMMIT;
SELECT id, email FROM users WHERE email IS NOT NULL ORDER BY id;
SELECT pk, owner ->> 'PK' AS owner FROM items WHERE pk LIKE 'UNIQUE#%' ORDER BY pk;
-- guards are written with their rows, atomically: not as statements run
SET ddbrel.write_mode = 'immediate';
INSERT INTO users VALUES ('u7', 'x@example.com', 'X');
RESET ddbrel.write_mode;

-- a race of two sessions on the same 20 values: each value is taken once
CREATE FOREIGN TABLE racers (id text, email text OPTIONS (unique 'true'))
  SERVER ddb OPTIONS (table 'Uniq', pk_template 'RACER#{id}', sk_template 'RACER#{id}');
\! bash test/unique_race.sh uq.racers 20
SELECT count(*) AS racers, count(DISTINCT email) AS emails FROM racers;
SELECT count(*) AS guards FROM items WHERE pk LIKE 'UNIQUE#racers.email#%';
SELECT count(*) AS guards_of_their_owner
  FROM items i JOIN racers r ON i.owner ->> 'PK' = 'RACER#' || r.id
 WHERE i.pk = 'UNIQUE#racers.email#' || r.email;

-- design() and migrate(): a UNIQUE column of the source schema
CREATE SCHEMA src;
CREATE TABLE src.members (member_id text PRIMARY KEY, email text UNIQUE, nick text NOT NULL UNIQUE, name text);
INSERT INTO src.members VALUES ('m1', 'a@x', 'ann', 'Ann'), ('m2', NULL, 'bob', 'Bob'), ('m3', 'c@x', 'cid', 'Cid');
SELECT entity, pk_template, unique_columns FROM ddbrel.design('src');
\set VERBOSITY terse
CALL ddbrel.migrate('src', 'ddb', 'UniqMig', 'dst') \gset m_
\set VERBOSITY default
SELECT :'m_rows_loaded' AS rows_loaded, :'m_items' AS items, :'m_status' AS status;
SELECT attname, attfdwoptions FROM pg_attribute
 WHERE attrelid = 'dst.members'::regclass AND attnum > 0 ORDER BY attnum;
CREATE FOREIGN TABLE mig_items (pk text OPTIONS (attribute 'PK')) SERVER ddb OPTIONS (table 'UniqMig');
SELECT pk FROM mig_items ORDER BY pk;
SELECT * FROM dst.members ORDER BY member_id;
INSERT INTO dst.members VALUES ('m4', 'a@x', 'dan', 'Dan');
INSERT INTO dst.members VALUES ('m4', 'd@x', 'dan', 'Dan');
SELECT member_id, nick FROM dst.members ORDER BY member_id;

SET client_min_messages = warning;
DROP SCHEMA uq CASCADE;
DROP SCHEMA src CASCADE;
DROP SCHEMA dst CASCADE;
DELETE FROM ddbrel.migrations;
DELETE FROM ddbrel.migration_runs;
RESET client_min_messages;
RESET search_path;
SELECT ddbrel.request('ddb', 'DeleteTable', '{"TableName": "Uniq"}') IS NOT NULL AS dropped;
SELECT ddbrel.request('ddb', 'DeleteTable', '{"TableName": "UniqMig"}') IS NOT NULL AS dropped;
