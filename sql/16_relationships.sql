-- Relationship catalog: has_one, has_many, belongs_to, belongs_to_many and
-- has_many_through between entity foreign tables (seeds 000, 001, 003,
-- 004), what propose_relationships() infers from the key templates, every
-- check a declaration makes, and the catalog's place in pg_dump.
CREATE SCHEMA rel;
SET search_path = rel, public;
-- the relationships declared in this file
CREATE VIEW declared AS
  SELECT r.* FROM ddbrel.relationships r JOIN pg_class c ON c.oid = r.declared_on
   WHERE c.relnamespace = 'rel'::regnamespace;

-- seed 000: users and orders in AppData, students and lectures in School
CREATE FOREIGN TABLE users (user_id text, name text, email text)
  SERVER ddb OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'USER#{user_id}');
CREATE FOREIGN TABLE orders (user_id text, order_id text, total numeric, status text)
  SERVER ddb OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'ORDER#{order_id}');
CREATE FOREIGN TABLE profiles (user_id text, bio text)
  SERVER ddb OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'PROFILE');
CREATE FOREIGN TABLE students (student_id text, name text)
  SERVER ddb OPTIONS (table 'School', pk_template 'STUDENT#{student_id}', sk_template 'STUDENT#{student_id}');
CREATE FOREIGN TABLE lectures (lecture_id text, title text)
  SERVER ddb OPTIONS (table 'School', pk_template 'LECTURE#{lecture_id}', sk_template 'LECTURE#{lecture_id}');
CREATE FOREIGN TABLE attendance (student_id text, lecture_id text, enrolled_on date)
  SERVER ddb OPTIONS (table 'School', pk_template 'STUDENT#{student_id}', sk_template 'LECTURE#{lecture_id}');
-- seed 003: the blog in table Blog
CREATE FOREIGN TABLE blog_users (user_id text, username text, email text, name text)
  SERVER ddb OPTIONS (table 'Blog', pk_template 'USER#{user_id}', sk_template '#METADATA',
                      type_attribute '_type', type_value 'USER');
CREATE FOREIGN TABLE posts (user_id text, post_id text, title text, status text)
  SERVER ddb OPTIONS (table 'Blog', pk_template 'USER#{user_id}', sk_template 'POST#{post_id}',
                      gsi1pk_template 'POST#{post_id}', type_attribute '_type', type_value 'POST');
CREATE FOREIGN TABLE comments (post_id text, comment_id text, user_id text OPTIONS (attribute 'userId'),
                               content text)
  SERVER ddb OPTIONS (table 'Blog', pk_template 'POST#{post_id}', sk_template 'COMMENT#{comment_id}');
CREATE FOREIGN TABLE tags (tag text, post_id text, post_title text OPTIONS (attribute 'postTitle'))
  SERVER ddb OPTIONS (table 'Blog', pk_template 'TAG#{tag}', sk_template 'POST#{post_id}');

-- what the templates suggest; nothing is declared by asking
SELECT kind, parent, child, through, parent_columns, child_columns, reason
  FROM ddbrel.propose_relationships('rel');
SELECT declare FROM ddbrel.propose_relationships('rel');
SELECT count(*) FROM declared;

-- seed 000: a user has many orders and one profile, in the user's partition
SELECT ddbrel.has_many('users', 'orders', '{user_id}');
SELECT ddbrel.has_one('users', 'profiles', '{user_id}', same_partition => true);
SELECT ddbrel.belongs_to('orders', 'users', '{user_id}');
-- students and lectures, many to many through the attendance edge items
SELECT ddbrel.belongs_to_many('students', 'lectures', through => 'attendance',
                              left_columns => '{student_id}', right_columns => '{lecture_id}');
-- seed 003: posts in their author's partition; comments in a partition of
-- their own (POST#...), read by key lookups; tags point at posts
SELECT ddbrel.has_many('blog_users', 'posts', '{user_id}', same_partition => true);
SELECT ddbrel.has_many('posts', 'comments', '{post_id}');
SELECT ddbrel.belongs_to('comments', 'blog_users', '{user_id}', name => 'author');
SELECT ddbrel.belongs_to('tags', 'posts', '{post_id}');
-- seed 001's has-many-through: the comments on a user's posts
SELECT ddbrel.has_many_through('blog_users', 'comments', through => 'posts',
                               parent_columns => '{user_id}', through_child_columns => '{post_id}');
SELECT name, kind, declared_on, parent, child, parent_columns, child_columns, through,
       through_parent_columns, through_child_columns, pivot_columns, same_partition, inverse_index
  FROM declared ORDER BY id;
-- declared ones are not proposed again
SELECT kind, parent, child FROM ddbrel.propose_relationships('rel');

-- ---- checks on declare ----------------------------------------------------
\set VERBOSITY default
\set SHOW_CONTEXT never
-- only ddbrel foreign tables
CREATE TABLE local_users (user_id text);
SELECT ddbrel.has_many('local_users', 'orders', '{user_id}');
CREATE FOREIGN DATA WRAPPER other_fdw;
CREATE SERVER other_server FOREIGN DATA WRAPPER other_fdw;
CREATE FOREIGN TABLE other_orders (user_id text) SERVER other_server;
SELECT ddbrel.has_many('users', 'other_orders', '{user_id}');
-- columns must exist, pair up and compare
SELECT ddbrel.has_many('users', 'orders', '{uid}');
SELECT ddbrel.has_many('users', 'orders', '{user_id}', '{customer_id}');
SELECT ddbrel.has_many('users', 'orders', '{user_id, name}', '{user_id}');
SELECT ddbrel.has_many('users', 'orders', '{}');
SELECT ddbrel.has_many('users', 'orders', '{user_id, user_id}');
CREATE FOREIGN TABLE invoices (user_id int, invoice_id text)
  SERVER ddb OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'INVOICE#{invoice_id}');
SELECT ddbrel.has_many('users', 'invoices', '{user_id}');
-- same_partition => true: one DynamoDB table, and the parent's partition
SELECT ddbrel.has_many('users', 'attendance', '{user_id}', '{student_id}', same_partition => true);
SELECT ddbrel.has_many('posts', 'comments', '{post_id}', name => 'comments2', same_partition => true);
SELECT ddbrel.has_many('users', 'orders', '{name}', '{status}', name => 'by_name', same_partition => true);
-- a name is declared once per entity
SELECT ddbrel.has_many('users', 'orders', '{user_id}');
-- belongs_to_many: one DynamoDB table for the three entities
SELECT ddbrel.belongs_to_many('users', 'lectures', 'attendance', '{user_id}', '{lecture_id}', '{student_id}');
-- the edge items live in the left side's partition ...
SELECT ddbrel.belongs_to_many('lectures', 'students', 'attendance', '{lecture_id}', '{student_id}');
-- ... and hold the right side's key in their sort key
CREATE FOREIGN TABLE attendance_by_day (student_id text, lecture_id text, day text)
  SERVER ddb OPTIONS (table 'School', pk_template 'STUDENT#{student_id}', sk_template 'DAY#{day}#{lecture_id}');
SELECT ddbrel.belongs_to_many('students', 'lectures', 'attendance_by_day', '{student_id}', '{lecture_id}');
-- an edge needs key templates
CREATE FOREIGN TABLE school_items (pk text, sk text) SERVER ddb OPTIONS (table 'School');
SELECT ddbrel.belongs_to_many('students', 'lectures', 'school_items', '{student_id}', '{lecture_id}',
                              '{pk}', '{sk}');
SELECT ddbrel.belongs_to_many('students', 'lectures', 'attendance', '{student_id}', '{lecture_id}',
                              pivot_columns => '{grade}');
-- the DynamoDB table needs an inverted index: Blog has none, so the posts of
-- a tag are readable but not the tags of a post
CREATE FOREIGN TABLE tag_names (tag text)
  SERVER ddb OPTIONS (table 'Blog', pk_template 'TAG#{tag}', sk_template 'TAG#{tag}');
SELECT ddbrel.belongs_to_many('tag_names', 'posts', through => 'tags',
                              left_columns => '{tag}', right_columns => '{post_id}');
-- ... and a sort key
CREATE FOREIGN TABLE bulk_left (a text) SERVER ddb OPTIONS (table 'Bulk', pk_template 'L#{a}', sk_template 'L#{a}');
CREATE FOREIGN TABLE bulk_right (b text) SERVER ddb OPTIONS (table 'Bulk', pk_template 'R#{b}', sk_template 'R#{b}');
CREATE FOREIGN TABLE bulk_edge (a text, b text) SERVER ddb OPTIONS (table 'Bulk', pk_template 'L#{a}', sk_template 'R#{b}');
SELECT ddbrel.belongs_to_many('bulk_left', 'bulk_right', 'bulk_edge', '{a}', '{b}');
-- an inverted index that projects only keys cannot give the pivot columns
DO $$
BEGIN
  PERFORM ddbrel.request('ddb', 'CreateTable', '{
    "TableName": "RelKeysOnly", "BillingMode": "PAY_PER_REQUEST",
    "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"}, {"AttributeName": "SK", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
    "GlobalSecondaryIndexes": [{"IndexName": "Inverted", "Projection": {"ProjectionType": "KEYS_ONLY"},
      "KeySchema": [{"AttributeName": "SK", "KeyType": "HASH"}, {"AttributeName": "PK", "KeyType": "RANGE"}]}]}');
EXCEPTION WHEN OTHERS THEN
  NULL;  -- left over from an earlier run
END $$;
CREATE FOREIGN TABLE k_students (student_id text) SERVER ddb
  OPTIONS (table 'RelKeysOnly', pk_template 'STUDENT#{student_id}', sk_template 'STUDENT#{student_id}');
CREATE FOREIGN TABLE k_lectures (lecture_id text) SERVER ddb
  OPTIONS (table 'RelKeysOnly', pk_template 'LECTURE#{lecture_id}', sk_template 'LECTURE#{lecture_id}');
CREATE FOREIGN TABLE k_attendance (student_id text, lecture_id text, grade text) SERVER ddb
  OPTIONS (table 'RelKeysOnly', pk_template 'STUDENT#{student_id}', sk_template 'LECTURE#{lecture_id}');
SELECT ddbrel.belongs_to_many('k_students', 'k_lectures', 'k_attendance', '{student_id}', '{lecture_id}');
-- without pivot columns it is fine
SELECT ddbrel.belongs_to_many('k_students', 'k_lectures', 'k_attendance', '{student_id}', '{lecture_id}',
                              pivot_columns => '{}');
-- has_many_through: three different entities, existing columns
SELECT ddbrel.has_many_through('blog_users', 'comments', 'blog_users', '{user_id}', '{post_id}');
SELECT ddbrel.has_many_through('blog_users', 'comments', 'posts', '{user_id}', '{post_id}', '{author_id}');
\set VERBOSITY terse
\set SHOW_CONTEXT errors

-- forgetting: by name, and with a dropped table
SELECT ddbrel.drop_relationship('users', 'orders');
SELECT ddbrel.drop_relationship('users', 'orders');
SELECT count(*) FROM declared WHERE 'rel.tags'::regclass IN (parent, child, through);
DROP FOREIGN TABLE tags;
SELECT count(*) FROM declared WHERE child::text = 'tags' OR parent::text = 'tags';
SELECT declared_on, name, kind FROM declared ORDER BY id;

-- the catalog is a configuration table of the extension: pg_dump dumps its rows
SELECT extconfig::regclass[] FROM pg_extension WHERE extname = 'ddbrel';
SELECT current_database() AS dbname \gset
\setenv PGDATABASE :dbname
\! pg_dump --data-only | sed -n '/^COPY ddbrel.relationships /,/^\\\.$/p' | cut -f2-6 | grep -E '^COPY|rel\.'
