-- backends: local
-- Copied columns: ddbrel.declare_copy() says that a column of one entity
-- copies a column of another (a backlog item carries its assignee's name, a
-- tag item its post's title).  An UPDATE of the source reaches every copy,
-- found by a Query and written on condition that it still holds the old
-- value; an INSERT fills a copy that is not given; check_copies() and
-- repair_copies() fix copies written behind ddbrel's back.  DynamoDB Local
-- only: the default write mode holds writes for one TransactWriteItems.
CREATE SCHEMA cp;
SET search_path = cp, public;
SELECT current_database() AS dbname \gset
\setenv PGDATABASE :dbname
SELECT ddbrel.request('ddb', 'CreateTable', '{"TableName": "Copies",
  "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"},
                           {"AttributeName": "SK", "AttributeType": "S"},
                           {"AttributeName": "gsi1pk", "AttributeType": "S"},
                           {"AttributeName": "gsi1sk", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
  "GlobalSecondaryIndexes": [
    {"IndexName": "GSI1", "KeySchema": [{"AttributeName": "gsi1pk", "KeyType": "HASH"},
                                        {"AttributeName": "gsi1sk", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "ALL"}},
    {"IndexName": "Inverted", "KeySchema": [{"AttributeName": "SK", "KeyType": "HASH"},
                                            {"AttributeName": "PK", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "ALL"}}],
  "BillingMode": "PAY_PER_REQUEST"}') ->> 'TableDescription' IS NOT NULL AS created;

-- the backlog design: items of a project, with their assignee's id and name
CREATE FOREIGN TABLE users (user_id text, name text)
  SERVER ddb OPTIONS (table 'Copies', pk_template 'USER#{user_id}', sk_template 'USER#{user_id}');
CREATE FOREIGN TABLE backlog_items (project_id text, item_id text, title text,
                                    assignee_id text, assignee_name text)
  SERVER ddb OPTIONS (table 'Copies', pk_template 'PROJECT#{project_id}', sk_template 'ITEM#{item_id}',
                      gsi1pk_template 'ASSIGNEE#{assignee_id}', gsi1sk_template 'ITEM#{item_id}');
-- the blog: tag items carry their post's title; comments their author's name
CREATE FOREIGN TABLE posts (post_id text, title text)
  SERVER ddb OPTIONS (table 'Copies', pk_template 'POST#{post_id}', sk_template 'POST#{post_id}');
CREATE FOREIGN TABLE tags (tag text, post_id text, post_title text)
  SERVER ddb OPTIONS (table 'Copies', pk_template 'TAG#{tag}', sk_template 'POST#{post_id}');
CREATE FOREIGN TABLE comments (post_id text, comment_id text, user_id text, user_name text, words int)
  SERVER ddb OPTIONS (table 'Copies', pk_template 'POST#{post_id}', sk_template 'COMMENT#{comment_id}');

-- ---- declaration ------------------------------------------------------------
-- through a declared relationship
SELECT ddbrel.belongs_to('backlog_items', 'users', '{assignee_id}', '{user_id}', name => 'assignee');
SELECT ddbrel.declare_copy('backlog_items', 'assignee_name', 'users', 'name', relationship => 'assignee');
-- through explicit joining columns; a deleted post clears its tags' title
SELECT ddbrel.declare_copy('tags', 'post_title', 'posts', 'title', target_columns => '{post_id}',
                           on_delete => 'set null');
SELECT target, target_column, source, source_column, target_columns, source_columns,
       relationship, on_delete, lookup
  FROM ddbrel.copies ORDER BY id;
SELECT tgrelid::regclass, tgname FROM pg_trigger WHERE tgname LIKE 'ddbrel_copy%' ORDER BY 1::text, 2;
\set VERBOSITY default
\set SHOW_CONTEXT never
-- what a declaration checks: the comments of a user are found by a Scan
SELECT ddbrel.declare_copy('comments', 'user_name', 'users', 'name', target_columns => '{user_id}');
-- types differ
SELECT ddbrel.declare_copy('comments', 'words', 'users', 'name', target_columns => '{user_id}');
-- joining columns that do not pair up
SELECT ddbrel.declare_copy('comments', 'user_name', 'users', 'name', target_columns => '{user_id, post_id}',
                           source_columns => '{user_id}');
SELECT ddbrel.declare_copy('comments', 'user_name', 'users', 'nick', target_columns => '{user_id}');
-- a relationship that does not join the two
SELECT ddbrel.declare_copy('tags', 'post_title', 'users', 'name', relationship => 'assignee');
-- one column copies one source
SELECT ddbrel.declare_copy('backlog_items', 'assignee_name', 'users', 'name', relationship => 'assignee');
-- a key column is no copy
SELECT ddbrel.declare_copy('backlog_items', 'item_id', 'users', 'name', relationship => 'assignee');
SELECT ddbrel.declare_copy('backlog_items', 'title', 'users', 'name', relationship => 'assignee',
                           on_delete => 'cascade');
-- the catalog is a configuration table of the extension: pg_dump dumps its rows
\! pg_dump --data-only 2>/dev/null | sed -n '/^COPY ddbrel.copies /,/^\\\.$/p' | cut -f2-5 | grep -E '^COPY|cp\.'

-- ---- INSERT fills a copy that is not given ------------------------------
INSERT INTO users VALUES ('u1', 'Ann'), ('u2', 'Bob'), ('u3', 'Cid');
SET ddbrel.write_mode = 'immediate';    -- a bulk load: 250 items
INSERT INTO backlog_items (project_id, item_id, title, assignee_id)
  SELECT 'p' || (i % 5), 'i' || lpad(i::text, 3, '0'), 'task ' || i, 'u1' FROM generate_series(1, 250) i;
RESET ddbrel.write_mode;
INSERT INTO backlog_items (project_id, item_id, title, assignee_id)
  SELECT 'p9', 'j' || i, 'job ' || i, 'u2' FROM generate_series(1, 3) i;
-- a value given must be the source's
INSERT INTO backlog_items VALUES ('p9', 'k1', 'given', 'u3', 'Cid');
INSERT INTO backlog_items VALUES ('p9', 'k2', 'wrong', 'u3', 'Kid');
-- no source row: nothing to copy
INSERT INTO backlog_items (project_id, item_id, title, assignee_id) VALUES ('p9', 'k3', 'nobody', 'u9');
SELECT assignee_id, assignee_name, count(*) FROM backlog_items GROUP BY 1, 2 ORDER BY 1, 2;

-- ---- UPDATE of the source ------------------------------------------------
-- in a transaction block: the 3 copies go in the COMMIT's TransactWriteItems
SELECT ddbrel.stats_reset();
BEGIN;
UPDATE users SET name = 'Robert' WHERE user_id = 'u2';
SELECT * FROM sent();
COMMIT;
SELECT * FROM sent();
SELECT item_id, assignee_name FROM backlog_items WHERE assignee_id = 'u2' ORDER BY item_id;
-- each copy is written by its key, on condition that it holds the old value
EXPLAIN (VERBOSE, COSTS OFF)
UPDATE backlog_items SET assignee_name = 'Robert' WHERE project_id = 'p9' AND item_id = 'j1'
   AND assignee_name = 'Bob';
-- 250 copies do not fit in one TransactWriteItems of 100 actions: the
-- source goes at COMMIT, and its copies right after it, each one
-- conditional UpdateItem
SELECT ddbrel.stats_reset();
BEGIN;
UPDATE users SET name = 'Ann Baker' WHERE user_id = 'u1';
SELECT * FROM sent();
SELECT assignee_name, count(*) FROM backlog_items WHERE assignee_id = 'u1' GROUP BY 1;
SELECT ddbrel.stats_reset();
COMMIT;
-- what COMMIT sent: the source, then 250 copies
SELECT * FROM sent();
SELECT assignee_name, count(*) FROM backlog_items WHERE assignee_id = 'u1' GROUP BY 1;
-- a savepoint rolled back drops them with the source write
BEGIN;
SAVEPOINT s;
UPDATE users SET name = 'Nobody' WHERE user_id = 'u1';
ROLLBACK TO SAVEPOINT s;
COMMIT;
SELECT name FROM users WHERE user_id = 'u1';
SELECT assignee_name, count(*) FROM backlog_items WHERE assignee_id = 'u1' GROUP BY 1;
-- in immediate mode the source is written as the statement runs, then each copy
SELECT ddbrel.stats_reset();
SET ddbrel.write_mode = 'immediate';
UPDATE users SET name = 'Ann C. Baker' WHERE user_id = 'u1';
RESET ddbrel.write_mode;
SELECT * FROM sent();
SELECT assignee_name, count(*) FROM backlog_items WHERE assignee_id = 'u1' GROUP BY 1;
\! bash test/awsread.sh get Copies '{"PK":{"S":"PROJECT#p3"},"SK":{"S":"ITEM#i123"}}'
-- an UPDATE that leaves the source column alone touches no copy
SELECT ddbrel.stats_reset();
UPDATE users SET user_id = 'u1' WHERE user_id = 'u1';
SELECT * FROM sent();

-- ---- a race: the newer value wins ------------------------------------------
-- This session renames Cid in a transaction block; before it commits,
-- another session renames him too, and its write reaches the copy first.
-- The copy held here is conditioned on the old value "Cid": the COMMIT
-- fails, nothing of it is written, and the other session's value stays.
BEGIN;
UPDATE users SET name = 'Cid Older' WHERE user_id = 'u3';
\! psql -X -q -c "UPDATE cp.users SET name = 'Cid Newer' WHERE user_id = 'u3'"
COMMIT;
SELECT name FROM users WHERE user_id = 'u3';
SELECT item_id, assignee_name FROM backlog_items WHERE assignee_id = 'u3' ORDER BY item_id;
-- a copy a newer write already changed is not overwritten by an older rename
SELECT ddbrel.request('ddb', 'UpdateItem', '{"TableName": "Copies",
  "Key": {"PK": {"S": "PROJECT#p9"}, "SK": {"S": "ITEM#j2"}},
  "UpdateExpression": "SET assignee_name = :v", "ExpressionAttributeValues": {":v": {"S": "Rob (newer)"}}}') IS NOT NULL AS written;
SELECT ddbrel.stats_reset();
SET ddbrel.write_mode = 'immediate';
UPDATE users SET name = 'Bobby' WHERE user_id = 'u2';
RESET ddbrel.write_mode;
SELECT operation, requests, scanned, returned FROM sent() WHERE operation IN ('Copies', 'UpdateItem');
SELECT item_id, assignee_name FROM backlog_items WHERE assignee_id = 'u2' ORDER BY item_id;

-- ---- DELETE of the source -----------------------------------------------
INSERT INTO posts VALUES ('p1', 'Single-table design'), ('p2', 'Keys and GSIs');
INSERT INTO tags (tag, post_id) VALUES ('aws', 'p1'), ('dynamodb', 'p1'), ('aws', 'p2'), ('nosql', 'p2');
SELECT * FROM tags ORDER BY tag, post_id;
UPDATE posts SET title = 'Single-table design, revised' WHERE post_id = 'p1';
DELETE FROM posts WHERE post_id = 'p2';
SELECT * FROM tags ORDER BY tag, post_id;
-- the assignee relationship leaves the copies of a deleted user
DELETE FROM users WHERE user_id = 'u2';
SELECT item_id, assignee_name FROM backlog_items WHERE assignee_id = 'u2' ORDER BY item_id;

-- ---- check and repair -----------------------------------------------------
-- three copies changed behind ddbrel's back, one with the AWS CLI
SELECT ddbrel.request('ddb', 'UpdateItem', format('{"TableName": "Copies",
  "Key": {"PK": {"S": "PROJECT#%s"}, "SK": {"S": "ITEM#%s"}},
  "UpdateExpression": "SET assignee_name = :v", "ExpressionAttributeValues": {":v": {"S": "stale"}}}', p, i)::jsonb)
       IS NOT NULL AS written
  FROM (VALUES ('p1', 'i001'), ('p2', 'i002')) v(p, i);
\! aws dynamodb --endpoint-url "$DDB_ENDPOINT" update-item --table-name Copies --key '{"PK":{"S":"PROJECT#p0"},"SK":{"S":"ITEM#i250"}}' --update-expression 'REMOVE assignee_name'
SELECT * FROM ddbrel.check_copies('backlog_items');
SELECT * FROM ddbrel.check_copies('backlog_items', max_rows => 1);
-- two copies per transaction: resumable, and each batch commits
CALL ddbrel.repair_copies('backlog_items', batch_rows => 2);
SELECT * FROM ddbrel.check_copies('backlog_items');
SELECT assignee_name, count(*) FROM backlog_items WHERE assignee_id = 'u1' GROUP BY 1;
SELECT * FROM ddbrel.check_copies('users');

-- ---- 10% injected faults: the copies end exact ----------------------------
-- the same entities through test/faultproxy.py; 20 renames of a user with
-- 30 backlog items, each its own transaction (source and copies in one
-- TransactWriteItems), then 10 in immediate mode (conditional UpdateItems,
-- resent when an answer is lost: the resend finds the new value and skips)
\getenv proxy DDB_PROXY_ENDPOINT
CREATE SERVER copyproxy FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint :'proxy', max_retries '8');
CREATE USER MAPPING FOR CURRENT_USER SERVER copyproxy
  OPTIONS (access_key_id 'AKIDCOPY', secret_access_key 'copy-secret');
CREATE FOREIGN TABLE f_users (user_id text, name text)
  SERVER copyproxy OPTIONS (table 'Copies', pk_template 'USER#{user_id}', sk_template 'USER#{user_id}');
CREATE FOREIGN TABLE f_items (project_id text, item_id text, assignee_id text, assignee_name text)
  SERVER copyproxy OPTIONS (table 'Copies', pk_template 'PROJECT#{project_id}', sk_template 'ITEM#{item_id}',
                         gsi1pk_template 'ASSIGNEE#{assignee_id}', gsi1sk_template 'ITEM#{item_id}');
\! /usr/bin/python3 test/faultctl.py off
SELECT ddbrel.declare_copy('f_items', 'assignee_name', 'f_users', 'name', target_columns => '{assignee_id}',
                           source_columns => '{user_id}');
INSERT INTO f_users VALUES ('u5', 'Eve');
SET ddbrel.write_mode = 'immediate';
INSERT INTO f_items (project_id, item_id, assignee_id)
  SELECT 'q' || (i % 3), 'e' || i, 'u5' FROM generate_series(1, 30) i;
RESET ddbrel.write_mode;
CREATE PROCEDURE renames(k int, mode text) LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1..k LOOP
    PERFORM set_config('ddbrel.write_mode', mode, true);
    UPDATE cp.f_users SET name = 'Eve ' || mode || ' ' || i WHERE user_id = 'u5';
    COMMIT;
  END LOOP;
END $$;
\! /usr/bin/python3 test/faultctl.py reset
\! /usr/bin/python3 test/faultctl.py rate 0.1 --seed 17 --ops TransactWriteItems,UpdateItem,GetItem,BatchGetItem,Query
CALL renames(20, 'transaction');
CALL renames(10, 'immediate');
\! /usr/bin/python3 test/faultctl.py off
\set pstats `/usr/bin/python3 test/faultctl.py stats`
SELECT (SELECT sum(value::int) FROM jsonb_each_text(:'pstats'::jsonb -> 'injected')) > 0 AS faults_injected;
SELECT name FROM users WHERE user_id = 'u5';
SELECT assignee_name, count(*) FROM backlog_items WHERE assignee_id = 'u5' GROUP BY 1;
SELECT count(*) AS differing FROM ddbrel.check_copies('f_items');
DROP FOREIGN TABLE f_items, f_users;
DROP USER MAPPING FOR CURRENT_USER SERVER copyproxy;
DROP SERVER copyproxy;

-- ---- forgetting -------------------------------------------------------------
SELECT ddbrel.drop_copy('tags', 'post_title');
SELECT ddbrel.drop_copy('tags', 'post_title');
SELECT tgrelid::regclass, tgname FROM pg_trigger WHERE tgname LIKE 'ddbrel_copy%' ORDER BY 1::text, 2;
DROP FOREIGN TABLE backlog_items;
SELECT count(*) FROM ddbrel.copies;
SELECT tgrelid::regclass, tgname FROM pg_trigger WHERE tgname LIKE 'ddbrel_copy%' ORDER BY 1::text, 2;
SELECT ddbrel.request('ddb', 'DeleteTable', '{"TableName": "Copies"}') IS NOT NULL AS dropped;
DROP SCHEMA cp CASCADE;
