-- Collations.  DynamoDB orders keys by their bytes, as PostgreSQL's "C"
-- collation does, and so do glibc's C.UTF-8 and PostgreSQL 17's builtin
-- C.UTF-8.  A range or ORDER BY on a key column becomes a key condition
-- only under such a collation; under a language's collation it stays local.
-- Most clusters run on en_US.UTF-8, so this file works in a database of
-- that collation: the tables IMPORT FOREIGN SCHEMA makes declare their key
-- columns COLLATE "C", and their ranges and ORDER BY are pushed.  Every
-- answer is compared with the same query on a plain table of the same rows.
\getenv endpoint DDB_ENDPOINT
SELECT current_database() AS regress_db \gset
CREATE DATABASE ddbrel_en_us TEMPLATE template0 ENCODING 'UTF8' LOCALE 'en_US.UTF-8';
\c ddbrel_en_us
SELECT datcollate, datlocprovider FROM pg_database WHERE datname = current_database();
CREATE EXTENSION ddbrel;
CREATE SERVER ddb FOREIGN DATA WRAPPER ddbrel OPTIONS (region 'us-east-1', endpoint :'endpoint');
CREATE USER MAPPING FOR CURRENT_USER SERVER ddb
  OPTIONS (access_key_id 'AKIDTEST', secret_access_key 'regress-secret-do-not-print');
CREATE FUNCTION sent() RETURNS TABLE (operation text, requests bigint, scanned bigint, returned bigint)
LANGUAGE sql AS $$
  SELECT operation, requests, items_scanned, items_returned
    FROM ddbrel.stats() WHERE operation NOT IN ('DescribeTable', 'DescribeTimeToLive') ORDER BY 1
$$;

-- the premise: C.UTF-8 orders these strings as C does, en_US does not
CREATE TABLE words (w text);
INSERT INTO words VALUES ('a'), ('B'), ('c'), ('_x'), ('Z'), ('aa'), ('é'), ('e'), ('日本'),
  ('😀'), ('Ａ'), (''), ('#'), ('a#b'), ('A b'), ('10'), ('9');
SELECT (SELECT array_agg(w ORDER BY w COLLATE "C.utf8") FROM words) =
       (SELECT array_agg(w ORDER BY w COLLATE "C") FROM words) AS c_utf8_orders_like_c,
       (SELECT array_agg(w ORDER BY w) FROM words) =
       (SELECT array_agg(w ORDER BY w COLLATE "C") FROM words) AS en_us_orders_like_c;

-- a DynamoDB table with one partition whose sort keys differ in order
-- between the collations, and a user's orders
CREATE FUNCTION drop_table(t text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ddbrel.request('ddb', 'DeleteTable', jsonb_build_object('TableName', t));
EXCEPTION WHEN SQLSTATE 'HV00R' THEN
  NULL;
END $$;
SELECT drop_table('Coll15');
SELECT ddbrel.request('ddb', 'CreateTable', '{"TableName": "Coll15",
  "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"},
                           {"AttributeName": "SK", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
  "BillingMode": "PAY_PER_REQUEST"}') IS NOT NULL AS created;
SELECT ddbrel._wait_table_active('ddb', 'Coll15', 60);
SELECT ddbrel.request('ddb', 'BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object('Coll15',
  (SELECT jsonb_agg(jsonb_build_object('PutRequest', jsonb_build_object('Item',
            jsonb_build_object('PK', jsonb_build_object('S', 'W'), 'SK', jsonb_build_object('S', w)))))
     FROM words WHERE w <> ''))))->'UnprocessedItems' AS unprocessed;
SELECT ddbrel.request('ddb', 'BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object('Coll15',
  (SELECT jsonb_agg(jsonb_build_object('PutRequest', jsonb_build_object('Item', i)))
     FROM (VALUES ('{"PK": {"S": "USER#1000"}, "SK": {"S": "USER#1000"}, "name": {"S": "Ann"}}'::jsonb),
                  ('{"PK": {"S": "USER#1000"}, "SK": {"S": "ORDER#1000-1"}, "total": {"N": "10"}}'),
                  ('{"PK": {"S": "USER#1000"}, "SK": {"S": "ORDER#1000-2"}, "total": {"N": "20"}}'),
                  ('{"PK": {"S": "USER#1000"}, "SK": {"S": "ORDER#1000-3"}, "total": {"N": "30"}}'),
                  ('{"PK": {"S": "USER#1000"}, "SK": {"S": "ORDER#1000-4"}, "total": {"N": "40"}}'),
                  ('{"PK": {"S": "USER#2000"}, "SK": {"S": "USER#2000"}, "name": {"S": "Bo"}}'),
                  ('{"PK": {"S": "USER#2000"}, "SK": {"S": "ORDER#2000-1"}, "total": {"N": "5"}}')) v(i)))))
  ->'UnprocessedItems' AS unprocessed;

-- IMPORT FOREIGN SCHEMA declares the key columns COLLATE "C"
CREATE SCHEMA imp;
IMPORT FOREIGN SCHEMA "Coll15" FROM SERVER ddb INTO imp OPTIONS (sample_size '0');
SELECT attname, format_type(atttypid, atttypmod), collname
  FROM pg_attribute a LEFT JOIN pg_collation c ON c.oid = a.attcollation
 WHERE attrelid = 'imp.coll15'::regclass AND attnum > 0 ORDER BY attnum;
CREATE TABLE local_coll AS SELECT pk, sk FROM imp.coll15;
SELECT attname, collname FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation
 WHERE attrelid = 'local_coll'::regclass AND attnum > 0 ORDER BY attnum;

-- a range and ORDER BY on the sort key: one Query, in key order, with Limit
EXPLAIN (VERBOSE, COSTS OFF)
SELECT sk FROM imp.coll15 WHERE pk = 'W' AND sk >= 'B' AND sk < 'c' ORDER BY sk DESC LIMIT 4;
SELECT ddbrel.stats_reset();
SELECT sk FROM imp.coll15 WHERE pk = 'W' AND sk >= 'B' AND sk < 'c' ORDER BY sk DESC LIMIT 4;
SELECT * FROM sent();
SELECT array(SELECT sk FROM imp.coll15 WHERE pk = 'W' AND sk >= 'B' AND sk < 'c' ORDER BY sk DESC LIMIT 4) =
       array(SELECT sk FROM local_coll WHERE pk = 'W' AND sk >= 'B' AND sk < 'c' ORDER BY sk DESC LIMIT 4)
       AS same_as_local;
-- BETWEEN, and the whole partition in order
EXPLAIN (COSTS OFF) SELECT sk FROM imp.coll15 WHERE pk = 'W' AND sk BETWEEN '_' AND 'é';
SELECT ddbrel.stats_reset();
SELECT sk FROM imp.coll15 WHERE pk = 'W' AND sk BETWEEN '_' AND 'é' ORDER BY sk;
SELECT * FROM sent();
SELECT array(SELECT sk FROM imp.coll15 WHERE pk = 'W' AND sk BETWEEN '_' AND 'é' ORDER BY sk) =
       array(SELECT sk FROM local_coll WHERE pk = 'W' AND sk BETWEEN '_' AND 'é' ORDER BY sk)
       AS same_as_local;
EXPLAIN (COSTS OFF) SELECT sk FROM imp.coll15 WHERE pk = 'W' ORDER BY sk;
SELECT array(SELECT sk FROM imp.coll15 WHERE pk = 'W' ORDER BY sk) =
       array(SELECT sk FROM local_coll WHERE pk = 'W' ORDER BY sk) AS same_as_local;

-- the same columns under the database's collation (en_US): ranges and
-- ORDER BY stay with PostgreSQL, which still gives its own answers
CREATE FOREIGN TABLE coll_en (pk text OPTIONS (attribute 'PK'), sk text OPTIONS (attribute 'SK'))
  SERVER ddb OPTIONS (table 'Coll15');
CREATE TABLE local_en AS SELECT pk::text COLLATE "default" AS pk, sk::text COLLATE "default" AS sk
  FROM local_coll;
EXPLAIN (COSTS OFF) SELECT sk FROM coll_en WHERE pk = 'W' AND sk >= 'B' ORDER BY sk;
SELECT ddbrel.stats_reset();
SELECT sk FROM coll_en WHERE pk = 'W' AND sk >= 'B' ORDER BY sk;
SELECT * FROM sent();
SELECT array(SELECT sk FROM coll_en WHERE pk = 'W' AND sk >= 'B' ORDER BY sk) =
       array(SELECT sk FROM local_en WHERE pk = 'W' AND sk >= 'B' ORDER BY sk) AS same_as_local;
-- equality needs no order: it is pushed under any deterministic collation
EXPLAIN (COSTS OFF) SELECT sk FROM coll_en WHERE pk = 'W' AND sk = 'é';
-- ICU's en-US orders by language rules too
EXPLAIN (COSTS OFF) SELECT sk FROM coll_en WHERE pk = 'W' ORDER BY sk COLLATE "en-US-x-icu";

-- C.UTF-8, as a column's collation (glibc's, the collation of Debian's
-- default locale): pushed like C
CREATE FOREIGN TABLE coll_cutf8 (pk text OPTIONS (attribute 'PK') COLLATE "C.utf8",
                                 sk text OPTIONS (attribute 'SK') COLLATE "C.utf8")
  SERVER ddb OPTIONS (table 'Coll15');
EXPLAIN (COSTS OFF) SELECT sk FROM coll_cutf8 WHERE pk = 'W' AND sk > 'Z' ORDER BY sk DESC LIMIT 2;
SELECT ddbrel.stats_reset();
SELECT sk FROM coll_cutf8 WHERE pk = 'W' AND sk > 'Z' ORDER BY sk DESC LIMIT 2;
SELECT * FROM sent();
SELECT array(SELECT sk FROM coll_cutf8 WHERE pk = 'W' AND sk > 'Z' ORDER BY sk DESC LIMIT 2) =
       array(SELECT sk COLLATE "C.utf8" FROM local_coll WHERE pk = 'W' AND sk COLLATE "C.utf8" > 'Z'
              ORDER BY sk COLLATE "C.utf8" DESC LIMIT 2) AS same_as_local;
-- a collation of one's own over the same locale, spelled the other way
CREATE COLLATION c_utf8_own (provider = libc, locale = 'C.UTF-8');
EXPLAIN (COSTS OFF) SELECT sk FROM coll_en WHERE pk = 'W' AND sk COLLATE c_utf8_own < 'a';

-- entity tables: IMPORT's template holes are COLLATE "C" too, so the
-- newest orders of a user are one Query read backwards with a Limit
CREATE SCHEMA ent;
IMPORT FOREIGN SCHEMA "Coll15" LIMIT TO ("order", "user") FROM SERVER ddb INTO ent
  OPTIONS (entities 'true');
SELECT attname, collname FROM pg_attribute a LEFT JOIN pg_collation c ON c.oid = a.attcollation
 WHERE attrelid = 'ent.order'::regclass AND attnum > 0 ORDER BY attnum;
CREATE TABLE local_order AS SELECT * FROM ent."order";
EXPLAIN (VERBOSE, COSTS OFF)
SELECT order_id, total FROM ent."order" WHERE user_id = '1000' ORDER BY order_id DESC LIMIT 2;
SELECT ddbrel.stats_reset();
SELECT order_id, total FROM ent."order" WHERE user_id = '1000' ORDER BY order_id DESC LIMIT 2;
SELECT * FROM sent();
SELECT array(SELECT order_id FROM ent."order" WHERE user_id = '1000' ORDER BY order_id DESC LIMIT 2) =
       array(SELECT order_id FROM local_order WHERE user_id = '1000' ORDER BY order_id DESC LIMIT 2)
       AS same_as_local;

-- a database whose own collation is C.UTF-8 (Debian's default): plain
-- text columns order like C
\c :regress_db
CREATE DATABASE ddbrel_c_utf8 TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8';
\c ddbrel_c_utf8
CREATE EXTENSION ddbrel;
CREATE SERVER ddb FOREIGN DATA WRAPPER ddbrel OPTIONS (region 'us-east-1', endpoint :'endpoint');
CREATE USER MAPPING FOR CURRENT_USER SERVER ddb
  OPTIONS (access_key_id 'AKIDTEST', secret_access_key 'regress-secret-do-not-print');
CREATE FOREIGN TABLE coll (pk text OPTIONS (attribute 'PK'), sk text OPTIONS (attribute 'SK'))
  SERVER ddb OPTIONS (table 'Coll15');
EXPLAIN (COSTS OFF) SELECT sk FROM coll WHERE pk = 'W' AND sk <= 'a' ORDER BY sk DESC;
SELECT sk FROM coll WHERE pk = 'W' AND sk <= 'a' ORDER BY sk DESC;

\c :regress_db
DROP DATABASE ddbrel_c_utf8;
\c ddbrel_en_us
SELECT drop_table('Coll15');
\c :regress_db
DROP DATABASE ddbrel_en_us;
