-- backends: local
-- UNIQUE columns: the column option unique keeps a guard item per value,
-- PK = SK = UNIQUE#<entity>.<attribute>#<value>, written, deleted or moved
-- in the same TransactWriteItems as its row; a value that is taken is a
-- unique_violation naming it.  The table option unique does the same for
-- columns unique together.  ddbrel.design() and migrate() carry a schema's
-- UNIQUE constraints over, and migrate() builds the guard items.
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

-- columns unique together: the table option unique keeps a guard item per
-- combination of values, PK = SK = UNIQUE#<entity>.<a>,<b>#<length>:<a's value>#<length>:<b's value>
CREATE FOREIGN TABLE slugs (org text, slug text, title text, code text, ver int)
  SERVER ddb OPTIONS (table 'Uniq', pk_template 'ORG#{org}', sk_template 'PROJ#{slug}',
                      unique '(org, title), (code, ver)');
SELECT ddbrel.stats_reset();
INSERT INTO slugs VALUES ('o1', 'a', 'Alpha', 'c', 1), ('o1', 'b', 'Beta', 'c', 2), ('o2', 'a', 'Alpha', 'd', 1);
SELECT * FROM sent();
SELECT pk, owner ->> 'SK' AS owner FROM items WHERE pk LIKE 'UNIQUE#slugs.%' ORDER BY pk;
-- a taken combination, at COMMIT and at once; the same title in another org is free
INSERT INTO slugs VALUES ('o1', 'c', 'Alpha', 'e', 1);
BEGIN;
INSERT INTO slugs VALUES ('o3', 'a', 'Gamma', 'f', 1);
INSERT INTO slugs VALUES ('o3', 'b', 'Gamma', 'f', 2);
ROLLBACK;
-- values holding the separator cannot pose as another combination:
-- ('x#1', 'y') and ('x', '1#y') are different guards
INSERT INTO slugs VALUES ('x#1', 'p', 'y', 'g', 1), ('x', 'p', '1#y', 'g', 2);
SELECT pk FROM items WHERE pk LIKE 'UNIQUE#slugs.org,title#%x%' ORDER BY pk;
-- a NULL in the set takes no combination
INSERT INTO slugs VALUES ('o4', 'a', NULL, 'h', 1), ('o4', 'b', NULL, 'h', NULL), ('o4', 'c', NULL, 'h', NULL);
-- UPDATE of one column of a set moves its guard; DELETE drops it
UPDATE slugs SET title = 'Beta 2' WHERE org = 'o1' AND slug = 'b';
DELETE FROM slugs WHERE org = 'o2' AND slug = 'a';
SELECT pk, owner ->> 'PK' AS owner FROM items WHERE pk LIKE 'UNIQUE#slugs.org,title#%' ORDER BY pk;
-- the freed combination can be taken
INSERT INTO slugs VALUES ('o1', 'd', 'Beta', 'i', 1);
SELECT org, slug, title, code, ver FROM slugs WHERE org LIKE 'o%' ORDER BY org, slug;
-- bad declarations
CREATE FOREIGN TABLE bad_u1 (a text, b text) SERVER ddb OPTIONS (table 'Uniq', unique 'a');
CREATE FOREIGN TABLE bad_u2 (a text, b text) SERVER ddb OPTIONS (table 'Uniq', unique '(a, a)');
CREATE FOREIGN TABLE bad_u3 (a text, b text) SERVER ddb OPTIONS (table 'Uniq', unique '(a, b');
CREATE FOREIGN TABLE bad_u4 (a text, b text) SERVER ddb OPTIONS (table 'Uniq', unique 'a, c');
INSERT INTO bad_u4 VALUES ('x', 'y');
CREATE FOREIGN TABLE bad_u5 (a text, b jsonb OPTIONS (document 'true')) SERVER ddb OPTIONS (table 'Uniq', unique 'a, b');
INSERT INTO bad_u5 VALUES ('x', '{}');

-- design() and migrate(): a UNIQUE column of the source schema
CREATE SCHEMA src;
CREATE TABLE src.members (member_id text PRIMARY KEY, email text UNIQUE, nick text NOT NULL UNIQUE, name text);
INSERT INTO src.members VALUES ('m1', 'a@x', 'ann', 'Ann'), ('m2', NULL, 'bob', 'Bob'), ('m3', 'c@x', 'cid', 'Cid');
-- and UNIQUE constraints on several columns (one holding the primary key
-- needs no guard; the columns are in name order)
CREATE TABLE src.teams (team_id text PRIMARY KEY, org text NOT NULL, name text NOT NULL,
                        UNIQUE (org, name), UNIQUE (team_id, org));
-- a unique index on an expression constrains no column as such: org is not unique
CREATE UNIQUE INDEX ON src.teams (org, lower(name));
INSERT INTO src.teams VALUES ('t1', 'acme', 'Red'), ('t2', 'acme', 'Blue'), ('t3', 'zeta', 'Red');
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
SELECT ftoptions FROM pg_foreign_table WHERE ftrelid = 'dst.teams'::regclass;
SELECT pk FROM mig_items WHERE pk LIKE 'UNIQUE#teams%' ORDER BY pk;
INSERT INTO dst.teams VALUES ('t4', 'acme', 'Red');
INSERT INTO dst.teams VALUES ('t4', 'zeta', 'Blue');
SELECT team_id, org, name FROM dst.teams ORDER BY team_id;

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
