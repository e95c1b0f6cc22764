-- IMPORT FOREIGN SCHEMA: a DynamoDB table as a raw foreign table, and the
-- entities of a single-table design as one foreign table each.
CREATE TEMP VIEW imported AS
SELECT n.nspname AS schema, c.relname AS "table",
       array_to_string(ft.ftoptions, ', ') AS options,
       (SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
                          || coalesce(' (' || array_to_string(a.attfdwoptions, ', ') || ')', '')
                          || CASE WHEN a.attcollation <> t.typcollation
                                  THEN ' COLLATE ' || quote_ident(co.collname) ELSE '' END,
                          ', ' ORDER BY a.attnum)
          FROM pg_attribute a
          JOIN pg_type t ON t.oid = a.atttypid
          LEFT JOIN pg_collation co ON co.oid = a.attcollation
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns
  FROM pg_foreign_table ft
  JOIN pg_class c ON c.oid = ft.ftrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace;

-- raw: the key attributes as typed columns plus the whole item; key
-- strings COLLATE "C", DynamoDB's order.  A NOTICE says which other
-- attributes the sampled items had, of which types
CREATE SCHEMA imp_raw;
IMPORT FOREIGN SCHEMA "AppData" FROM SERVER ddb INTO imp_raw;
\x on
SELECT * FROM imported WHERE schema = 'imp_raw';
\x off
SELECT pk, sk, item->>'name' AS name, item->'total' AS total
  FROM imp_raw.appdata ORDER BY pk, sk;

-- entities of AppData: users and their orders
CREATE SCHEMA imp_app;
IMPORT FOREIGN SCHEMA "AppData" FROM SERVER ddb INTO imp_app OPTIONS (entities 'true');
\x on
SELECT * FROM imported WHERE schema = 'imp_app' ORDER BY "table";
\x off
SELECT * FROM imp_app."user" ORDER BY user_id;
SELECT * FROM imp_app."order" ORDER BY order_id;
SELECT u.name, o.order_id, o.total
  FROM imp_app."user" u JOIN imp_app."order" o USING (user_id) ORDER BY o.order_id;

-- entities of School: students, lectures and the attendance link between them
CREATE SCHEMA imp_school;
IMPORT FOREIGN SCHEMA "School" FROM SERVER ddb INTO imp_school OPTIONS (entities 'true');
\x on
SELECT * FROM imported WHERE schema = 'imp_school' ORDER BY "table";
\x off
SELECT l.title, string_agg(s.name, ', ' ORDER BY s.name) AS students
  FROM imp_school.lecture l
  JOIN imp_school.student_lecture a USING (lecture_id)
  JOIN imp_school.student s USING (student_id)
 GROUP BY l.title ORDER BY l.title;

-- Blog by key shape: literal sort keys (#METADATA, #DATA), a tag -> post link
CREATE SCHEMA imp_blog;
IMPORT FOREIGN SCHEMA "Blog" FROM SERVER ddb INTO imp_blog OPTIONS (entities 'true');
SELECT "table", options FROM imported WHERE schema = 'imp_blog' ORDER BY "table";
SELECT * FROM imp_blog.tag_post ORDER BY tag_id, post_id;

-- Blog by its _type attribute: M/L attributes as jsonb, N as numeric
CREATE SCHEMA imp_typed;
IMPORT FOREIGN SCHEMA "Blog" FROM SERVER ddb INTO imp_typed
  OPTIONS (entities 'true', type_attribute '_type', sample_size '100');
SELECT "table", options FROM imported WHERE schema = 'imp_typed' ORDER BY "table";
SELECT columns FROM imported WHERE schema = 'imp_typed' AND "table" = 'session';
SELECT user_id, username, postcount FROM imp_typed."user" ORDER BY user_id;
SELECT post_id, title, tags, viewcount FROM imp_typed.post ORDER BY post_id;

-- a small sample sees fewer entities (which one depends on the order of
-- the Scan, so its NOTICE is not shown)
CREATE SCHEMA imp_sample;
SET client_min_messages = warning;
IMPORT FOREIGN SCHEMA "AppData" FROM SERVER ddb INTO imp_sample
  OPTIONS (entities 'true', sample_size '1');
RESET client_min_messages;
SELECT count(*) AS tables FROM imported WHERE schema = 'imp_sample';

-- "*" imports every table; LIMIT TO / EXCEPT name the foreign tables
CREATE SCHEMA imp_all;
IMPORT FOREIGN SCHEMA "*" LIMIT TO (appdata, school) FROM SERVER ddb INTO imp_all;
SELECT "table", options FROM imported WHERE schema = 'imp_all' ORDER BY "table";
CREATE SCHEMA imp_all_ent;
-- every table is sampled: notices about other tests' tables are not this test's business
SET client_min_messages = warning;
IMPORT FOREIGN SCHEMA "*" LIMIT TO ("user", student_lecture) FROM SERVER ddb INTO imp_all_ent
  OPTIONS (entities 'true');
RESET client_min_messages;
SELECT "table", options FROM imported WHERE schema = 'imp_all_ent' ORDER BY "table";
CREATE SCHEMA imp_limit;
IMPORT FOREIGN SCHEMA "AppData" LIMIT TO ("user") FROM SERVER ddb INTO imp_limit
  OPTIONS (entities 'true');
IMPORT FOREIGN SCHEMA "School" EXCEPT (student_lecture) FROM SERVER ddb INTO imp_limit
  OPTIONS (entities 'true');
SELECT "table" FROM imported WHERE schema = 'imp_limit' ORDER BY "table";

-- errors
IMPORT FOREIGN SCHEMA "NoSuchTable" FROM SERVER ddb INTO imp_raw;
IMPORT FOREIGN SCHEMA "AppData" FROM SERVER ddb INTO imp_raw OPTIONS (entity 'true');
IMPORT FOREIGN SCHEMA "AppData" FROM SERVER ddb INTO imp_raw OPTIONS (sample_size '-1');
IMPORT FOREIGN SCHEMA "AppData" FROM SERVER ddb INTO imp_raw
  OPTIONS (entities 'true', sample_size '0');
IMPORT FOREIGN SCHEMA "AppData" FROM SERVER ddb INTO imp_raw OPTIONS (entities 'maybe');
IMPORT FOREIGN SCHEMA "AppData" FROM SERVER ddb INTO imp_raw;  -- already there

SET client_min_messages = warning;
DROP SCHEMA imp_raw, imp_app, imp_school, imp_blog, imp_typed, imp_sample, imp_all,
  imp_all_ent, imp_limit CASCADE;
RESET client_min_messages;
DROP VIEW imported;
