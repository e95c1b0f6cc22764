-- CALL ddbrel.migrate(): normalized schemas into new DynamoDB tables with
-- the single-table design of ddbrel.design(); the same SQL then gives the
-- same rows on both sides, the seeds' access patterns are single requests,
-- and an interrupted migration resumes without losing or duplicating items.
\set SHOW_CONTEXT never
-- progress notices carry their rate in DETAIL, hidden by terse verbosity
\set VERBOSITY terse

-- the DynamoDB tables of this test, gone if an earlier run left them
CREATE FUNCTION drop_dynamodb_table(t text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ddbrel.request('ddb', 'DeleteTable', jsonb_build_object('TableName', t));
  LOOP
    PERFORM ddbrel.request('ddb', 'DescribeTable', jsonb_build_object('TableName', t));
    PERFORM pg_sleep(0.05);
  END LOOP;
EXCEPTION WHEN SQLSTATE 'HV00R' THEN
  NULL;
END $$;
SELECT drop_dynamodb_table(t) FROM unnest(ARRAY['MigSeed000', 'MigBlog', 'MigFail', 'MigBig']) t;
-- rows of each table of two schemas, and rows in one and not the other
CREATE FUNCTION compare(src name, dst name)
RETURNS TABLE (t name, src_rows bigint, dst_rows bigint, missing bigint, extra bigint)
LANGUAGE plpgsql AS $$
BEGIN
  FOR t IN SELECT c.relname FROM pg_class c
            WHERE c.relnamespace = src::regnamespace AND c.relkind = 'r' ORDER BY 1 LOOP
    EXECUTE format('SELECT (SELECT count(*) FROM %1$I.%3$I), (SELECT count(*) FROM %2$I.%3$I),
                           (SELECT count(*) FROM (SELECT * FROM %1$I.%3$I EXCEPT SELECT * FROM %2$I.%3$I) a),
                           (SELECT count(*) FROM (SELECT * FROM %2$I.%3$I EXCEPT SELECT * FROM %1$I.%3$I) b)',
                   src, dst, t)
      INTO src_rows, dst_rows, missing, extra;
    RETURN NEXT;
  END LOOP;
END $$;
-- the foreign tables migrate() made
CREATE VIEW made AS
SELECT n.nspname AS schema, c.relname AS "table", array_to_string(ft.ftoptions, ', ') AS options,
       (SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
          FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns
  FROM pg_foreign_table ft
  JOIN pg_class c ON c.oid = ft.ftrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace;

-- ---- seed 000: users and orders, students, lectures and attendance ----------
CREATE SCHEMA src000;
CREATE TABLE src000.users (user_id text PRIMARY KEY, name text NOT NULL, email text);
CREATE TABLE src000.orders (order_id text PRIMARY KEY,
                            user_id text NOT NULL REFERENCES src000.users,
                            total numeric(10,2), status text, created_at timestamptz);
CREATE TABLE src000.students (student_id text PRIMARY KEY, name text NOT NULL);
CREATE TABLE src000.lectures (lecture_id text PRIMARY KEY, title text NOT NULL);
CREATE TABLE src000.attendance (student_id text REFERENCES src000.students,
                                lecture_id text REFERENCES src000.lectures,
                                enrolled_on date, PRIMARY KEY (student_id, lecture_id));
INSERT INTO src000.users VALUES ('123', 'Ann', 'ann@example.com'), ('456', 'Bob', NULL),
                                ('789', 'Cid', 'cid@example.com');
INSERT INTO src000.orders VALUES ('1001', '123', 25.50, 'shipped', '2025-05-01 10:00+00'),
                                 ('1002', '123', 99, 'pending', '2025-05-02 11:30+00'),
                                 ('1003', '456', 5, 'shipped', NULL);
INSERT INTO src000.students VALUES ('S001', 'Ann'), ('S002', 'Ben'), ('S003', 'Cid');
INSERT INTO src000.lectures VALUES ('L100', 'Databases'), ('L200', 'Networks');
INSERT INTO src000.attendance VALUES ('S001', 'L100', '2025-01-10'), ('S001', 'L200', '2025-01-11'),
                                     ('S002', 'L100', '2025-01-12');

CALL ddbrel.migrate('src000', 'ddb', 'MigSeed000', 'dst000') \gset m_
SELECT :m_run AS run, :m_tables AS tables, :m_rows_loaded AS rows_loaded, :m_items AS items, :'m_status' AS status;
SELECT source_table, status, rows_total, rows_done, items FROM ddbrel.migration_status
 WHERE run = :m_run ORDER BY source_table;
-- the DynamoDB table: PK/SK and GSI1 (partition key SK, sort key PK), as in seed 000
SELECT d->'KeySchema' AS key_schema, d->'BillingModeSummary'->>'BillingMode' AS billing,
       jsonb_path_query_array(d, '$.GlobalSecondaryIndexes[*].IndexName') AS gsi,
       d->'GlobalSecondaryIndexes'->0->'KeySchema' AS gsi_key_schema
  FROM ddbrel.request('ddb', 'DescribeTable', '{"TableName": "MigSeed000"}') r, LATERAL (SELECT r->'Table' AS d) t;
-- one entity foreign table per source table, upsert off again after the load
SELECT "table", options, columns FROM made WHERE schema = 'dst000' ORDER BY 1;
SELECT declared_on, name, kind, parent_columns, child_columns, through, pivot_columns, same_partition, inverse_index
  FROM ddbrel.relationships WHERE declared_on::text LIKE 'dst000.%' ORDER BY declared_on::text, name;
-- every row, both ways
SELECT * FROM src000.orders EXCEPT SELECT * FROM dst000.orders;
SELECT * FROM dst000.orders EXCEPT SELECT * FROM src000.orders;
SELECT * FROM compare('src000', 'dst000');

-- the seed's access patterns, each one request
SET search_path = dst000, public;
SELECT count(*) FROM users;  -- plans once, so DescribeTable is cached below
-- view a user's profile: GetItem
EXPLAIN (COSTS OFF) SELECT * FROM users WHERE user_id = '123';
SELECT ddbrel.stats_reset();
SELECT * FROM users WHERE user_id = '123';
SELECT * FROM sent();
-- view all orders of a user: Query PK = USER#123, begins_with(SK, ORDER#)
EXPLAIN (COSTS OFF) SELECT * FROM orders WHERE user_id = '123';
SELECT ddbrel.stats_reset();
SELECT order_id, total, status FROM orders WHERE user_id = '123' ORDER BY order_id;
SELECT * FROM sent();
-- view an order by its id: Query on GSI1
EXPLAIN (COSTS OFF) SELECT * FROM orders WHERE order_id = '1003';
SELECT ddbrel.stats_reset();
SELECT * FROM orders WHERE order_id = '1003';
SELECT * FROM sent();
-- view all lectures of a student: Query STUDENT#S001
EXPLAIN (COSTS OFF) SELECT lecture_id FROM attendance WHERE student_id = 'S001';
SELECT ddbrel.stats_reset();
SELECT lecture_id, enrolled_on FROM attendance WHERE student_id = 'S001' ORDER BY lecture_id;
SELECT * FROM sent();
-- view all students of a lecture: Query on GSI1
EXPLAIN (COSTS OFF) SELECT student_id FROM attendance WHERE lecture_id = 'L100';
SELECT ddbrel.stats_reset();
SELECT student_id FROM attendance WHERE lecture_id = 'L100' ORDER BY student_id;
SELECT * FROM sent();
-- view a lecture's info: GetItem
SELECT ddbrel.stats_reset();
SELECT title FROM lectures WHERE lecture_id = 'L200';
SELECT * FROM sent();
-- the application's SQL, unchanged, on both sides
SET search_path = src000, public;
SELECT u.name, o.order_id, o.total FROM users u JOIN orders o USING (user_id)
 WHERE u.user_id = '123' ORDER BY o.order_id;
SELECT s.name, l.title FROM students s JOIN attendance a USING (student_id) JOIN lectures l USING (lecture_id)
 ORDER BY 1, 2;
SET search_path = dst000, public;
SELECT u.name, o.order_id, o.total FROM users u JOIN orders o USING (user_id)
 WHERE u.user_id = '123' ORDER BY o.order_id;
SELECT s.name, l.title FROM students s JOIN attendance a USING (student_id) JOIN lectures l USING (lecture_id)
 ORDER BY 1, 2;
-- after the load, INSERT refuses an existing key again
INSERT INTO users VALUES ('123', 'Again', NULL);
RESET search_path;

-- calling it again finds the run complete: nothing to load, verified again
CALL ddbrel.migrate('src000', 'ddb', 'MigSeed000', 'dst000') \gset m_
SELECT :m_run AS run, :m_rows_loaded AS rows_loaded, :m_items AS items, :'m_status' AS status;

-- ---- seed 003: the blog, with an entity-type attribute and a full compare ----
CREATE SCHEMA srcblog;
CREATE TABLE srcblog.users (user_id text PRIMARY KEY, username text NOT NULL UNIQUE,
                            email text NOT NULL UNIQUE, name text NOT NULL, bio text,
                            post_count int NOT NULL DEFAULT 0, created_at timestamptz NOT NULL);
CREATE TABLE srcblog.posts (post_id text PRIMARY KEY, user_id text NOT NULL REFERENCES srcblog.users,
                            title text NOT NULL, content text, status text NOT NULL,
                            view_count int NOT NULL DEFAULT 0, created_at timestamptz NOT NULL);
CREATE TABLE srcblog.comments (comment_id text PRIMARY KEY,
                               post_id text NOT NULL REFERENCES srcblog.posts,
                               user_id text NOT NULL REFERENCES srcblog.users,
                               content text NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE srcblog.tags (tag text PRIMARY KEY);
CREATE TABLE srcblog.post_tags (tag text REFERENCES srcblog.tags, post_id text REFERENCES srcblog.posts,
                                PRIMARY KEY (tag, post_id));
INSERT INTO srcblog.users VALUES
  ('u1', 'johndoe', 'john@example.com', 'John Doe', NULL, 2, '2024-01-01 09:00+00'),
  ('u2', 'janedoe', 'jane@example.com', 'Jane Doe', 'Writes about data', 2, '2024-01-02 09:00+00'),
  ('u3', 'bobsmith', 'bob@example.com', 'Bob Smith', NULL, 0, '2024-01-03 09:00+00');
INSERT INTO srcblog.posts VALUES
  ('p1', 'u1', 'Hello World', 'First post', 'published', 42, '2024-02-01 10:00+00'),
  ('p2', 'u2', 'DynamoDB Basics', 'Keys and indexes', 'published', 7, '2024-02-02 10:00+00'),
  ('p3', 'u1', 'Single Table', 'Draft', 'draft', 0, '2024-02-03 10:00+00'),
  ('p4', 'u2', 'Old News', NULL, 'archived', 3, '2024-02-04 10:00+00');
INSERT INTO srcblog.comments VALUES
  ('c1', 'p1', 'u2', 'Nice!', '2024-02-05 10:00+00'), ('c2', 'p1', 'u3', 'Thanks', '2024-02-05 11:00+00'),
  ('c3', 'p2', 'u1', 'Useful', '2024-02-06 10:00+00'), ('c4', 'p1', 'u1', 'Reply', '2024-02-07 10:00+00');
INSERT INTO srcblog.tags VALUES ('introduction'), ('hello-world'), ('dynamodb'), ('aws');
INSERT INTO srcblog.post_tags VALUES ('introduction', 'p1'), ('hello-world', 'p1'), ('dynamodb', 'p2'),
                                     ('dynamodb', 'p3'), ('aws', 'p3');
-- comments have two owning parents: that has to be chosen
CALL ddbrel.migrate('srcblog', 'ddb', 'MigBlog', 'dstblog');
CALL ddbrel.migrate('srcblog', 'ddb', 'MigBlog', 'dstblog', owners => '{"comments": "posts"}',
                    type_attribute => '_type', verify => 'full') \gset m_
SELECT :m_tables AS tables, :m_rows_loaded AS rows_loaded, :m_items AS items, :'m_status' AS status;
SELECT "table", options FROM made WHERE schema = 'dstblog' ORDER BY 1;
SELECT declared_on, name, kind, parent, child, same_partition
  FROM ddbrel.relationships WHERE declared_on::text LIKE 'dstblog.%' ORDER BY declared_on::text, name;
SELECT * FROM compare('srcblog', 'dstblog');
SET search_path = dstblog, public;
SELECT count(*) FROM users;
-- posts of a user, newest first: one Query
EXPLAIN (COSTS OFF) SELECT post_id, title FROM posts WHERE user_id = 'u1' ORDER BY post_id DESC;
SELECT ddbrel.stats_reset();
SELECT post_id, title FROM posts WHERE user_id = 'u1' ORDER BY post_id DESC;
SELECT * FROM sent();
-- a post by id: Query on GSI1
EXPLAIN (COSTS OFF) SELECT title FROM posts WHERE post_id = 'p2';
SELECT ddbrel.stats_reset();
SELECT user_id, title, view_count FROM posts WHERE post_id = 'p2';
SELECT * FROM sent();
-- comments of a post: Query POST#p1 (the comments' own partition, as in seed 003)
EXPLAIN (COSTS OFF) SELECT comment_id FROM comments WHERE post_id = 'p1';
SELECT ddbrel.stats_reset();
SELECT comment_id, user_id, content FROM comments WHERE post_id = 'p1' ORDER BY comment_id;
SELECT * FROM sent();
-- posts with a tag: Query TAG#dynamodb; tags of a post: Query on GSI1
EXPLAIN (COSTS OFF) SELECT post_id FROM post_tags WHERE tag = 'dynamodb';
EXPLAIN (COSTS OFF) SELECT tag FROM post_tags WHERE post_id = 'p3';
SELECT ddbrel.stats_reset();
SELECT post_id FROM post_tags WHERE tag = 'dynamodb' ORDER BY 1;
SELECT tag FROM post_tags WHERE post_id = 'p3' ORDER BY 1;
SELECT * FROM sent();
RESET search_path;

-- ---- a migration that fails half-way and is resumed --------------------------
-- row 80 holds a number DynamoDB cannot store; batches of 50 rows
CREATE SCHEMA srcfail;
CREATE TABLE srcfail.payments (payment_id int PRIMARY KEY, amount numeric, note text);
INSERT INTO srcfail.payments
  SELECT g, CASE WHEN g = 80 THEN 'NaN' ELSE g * 1.25 END, 'payment ' || g FROM generate_series(1, 120) g;
CALL ddbrel.migrate('srcfail', 'ddb', 'MigFail', 'dstfail', batch_rows => 50);
SELECT source_table, status, rows_total, rows_done, error FROM ddbrel.migration_status
 WHERE source_schema = 'srcfail';
-- the first batch is in; of the second, what was sent before the bad row
SELECT count(*) BETWEEN 50 AND 75 AS partly_loaded FROM dstfail.payments;
-- fix the row and call again: the second batch is written again (same keys)
UPDATE srcfail.payments SET amount = 100 WHERE payment_id = 80;
CALL ddbrel.migrate('srcfail', 'ddb', 'MigFail', 'dstfail', batch_rows => 50, verify => 'full') \gset m_
SELECT :m_rows_loaded AS rows_loaded, :m_items AS items, :'m_status' AS status;
SELECT source_table, status, rows_total, rows_done, items FROM ddbrel.migration_status
 WHERE source_schema = 'srcfail';
SELECT count(*), sum(payment_id), sum(amount) FROM dstfail.payments;
SELECT * FROM compare('srcfail', 'dstfail');

-- ---- 100,000 rows, interrupted by a statement timeout, then resumed ----------
CREATE SCHEMA srcbig;
CREATE TABLE srcbig.readings (reading_id int PRIMARY KEY, sensor text NOT NULL, value numeric,
                              taken_at timestamp);
INSERT INTO srcbig.readings
  SELECT g, 'sensor-' || (g % 100), g * 0.5, timestamp '2025-01-01' + g * interval '1 minute'
    FROM generate_series(1, 100000) g;
SET client_min_messages = warning;
SET statement_timeout = '3s';
CALL ddbrel.migrate('srcbig', 'ddb', 'MigBig', 'dstbig');
RESET statement_timeout;
SELECT NOT EXISTS (SELECT FROM ddbrel.migration_status
                    WHERE source_schema = 'srcbig' AND status IN ('loaded', 'verified')) AS interrupted;
SELECT coalesce((SELECT rows_done FROM ddbrel.migration_status WHERE source_schema = 'srcbig'), 0) AS before \gset
CALL ddbrel.migrate('srcbig', 'ddb', 'MigBig', 'dstbig') \gset m_
RESET client_min_messages;
-- it went on from the last batch committed
SELECT :m_items AS items, :'m_status' AS status, :before + :m_rows_loaded = 100000 AS resumed_where_it_stopped;
SELECT source_table, status, rows_total, rows_done, items FROM ddbrel.migration_status
 WHERE source_schema = 'srcbig';
SELECT count(*), sum(reading_id), count(DISTINCT sensor) FROM dstbig.readings;
SELECT * FROM dstbig.readings WHERE reading_id = 54321;

-- ---- what migrate() refuses ---------------------------------------------------
\set VERBOSITY default
-- what design() cannot map
CREATE SCHEMA srcbad;
CREATE TABLE srcbad.events (at timestamptz, what text);
CALL ddbrel.migrate('srcbad', 'ddb', 'MigBad', 'dstbad');
DROP TABLE srcbad.events;
CALL ddbrel.migrate('srcbad', 'ddb', 'MigBad', 'dstbad');
-- a DynamoDB table with other keys
CREATE TABLE srcbad.things (thing_id text PRIMARY KEY);
CALL ddbrel.migrate('srcbad', 'ddb', 'Bulk', 'dstbad');
-- a target table in the way
CREATE SCHEMA dstbad;
CREATE TABLE dstbad.things (thing_id text);
CALL ddbrel.migrate('srcbad', 'ddb', 'MigSeed000', 'dstbad');
-- the design of a run must not change under it
CALL ddbrel.migrate('src000', 'ddb', 'MigSeed000', 'dst000', prefixes => '{"users": "U"}');
-- arguments
CALL ddbrel.migrate('src000', 'ddb', 'MigSeed000', 'src000');
CALL ddbrel.migrate('src000', 'nosuch', 'MigSeed000', 'dst000');
CALL ddbrel.migrate('src000', 'ddb', 'MigSeed000', 'dst000', verify => 'some');
CALL ddbrel.migrate('src000', 'ddb', 'MigSeed000', 'dst000', batch_rows => 0);
-- it commits as it goes, so not inside a transaction block
BEGIN;
CALL ddbrel.migrate('src000', 'ddb', 'MigSeed000', 'dst000');
ROLLBACK;
\set VERBOSITY terse
