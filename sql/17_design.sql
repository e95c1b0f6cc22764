-- ddbrel.design(): the single-table design of a normalized schema, read from
-- its primary and foreign keys, with the access-pattern table of seed 000;
-- and every schema it refuses, with the reason.
\set SHOW_CONTEXT never

-- seed 000 as normalized tables: users and orders, students, lectures and
-- the attendance join table
CREATE SCHEMA n000;
CREATE TABLE n000.users (user_id text PRIMARY KEY, name text NOT NULL, email text);
CREATE TABLE n000.orders (order_id text PRIMARY KEY,
                          user_id text NOT NULL REFERENCES n000.users,
                          total numeric(10,2), status text);
CREATE TABLE n000.students (student_id text PRIMARY KEY, name text NOT NULL);
CREATE TABLE n000.lectures (lecture_id text PRIMARY KEY, title text NOT NULL);
CREATE TABLE n000.attendance (student_id text REFERENCES n000.students,
                              lecture_id text REFERENCES n000.lectures,
                              enrolled_on date,
                              PRIMARY KEY (student_id, lecture_id));
INSERT INTO n000.users VALUES ('123', 'Ann', 'ann@example.com'), ('456', 'Bob', NULL);
INSERT INTO n000.orders VALUES ('1001', '123', 25.50, 'shipped'), ('1002', '123', 99, 'pending'),
                               ('1003', '456', 5, 'shipped');
INSERT INTO n000.students VALUES ('S001', 'Ann'), ('S002', 'Ben');
INSERT INTO n000.lectures VALUES ('L100', 'Databases'), ('L200', 'Networks');
INSERT INTO n000.attendance VALUES ('S001', 'L100', '2025-01-10'), ('S001', 'L200', '2025-01-11'),
                                   ('S002', 'L100', '2025-01-12');
-- the seed's entity design: users and orders share USER# partitions, the
-- attendance edges live with the student and are found from the lecture
-- through GSI1 (partition key SK, sort key PK)
SELECT * FROM ddbrel.design('n000');
-- and its access patterns
SELECT * FROM ddbrel.design_access_patterns('n000');
-- names of the key attributes, the index and an entity-type attribute
SELECT entity, pk_template, sk_template, type_value
  FROM ddbrel.design('n000', partition_key => 'pk', sort_key => 'sk', type_attribute => '_type',
                     prefixes => '{"attendance": "ENROLLED"}', exclude => '{orders}');
SELECT access_pattern, index, key_condition
  FROM ddbrel.design_access_patterns('n000', partition_key => 'pk', sort_key => 'sk', gsi_name => 'ByKey')
 WHERE entity = 'attendance';

-- seed 003: the blog, normalized
CREATE SCHEMA nblog;
CREATE TABLE nblog.users (user_id text PRIMARY KEY, username text NOT NULL UNIQUE,
                          email text NOT NULL UNIQUE, name text NOT NULL, bio text,
                          post_count int NOT NULL DEFAULT 0, created_at timestamptz NOT NULL);
CREATE TABLE nblog.posts (post_id text PRIMARY KEY, user_id text NOT NULL REFERENCES nblog.users,
                          title text NOT NULL, content text, status text NOT NULL,
                          view_count int NOT NULL DEFAULT 0, created_at timestamptz NOT NULL);
CREATE TABLE nblog.comments (comment_id text PRIMARY KEY,
                             post_id text NOT NULL REFERENCES nblog.posts,
                             user_id text NOT NULL REFERENCES nblog.users,
                             content text NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE nblog.tags (tag text PRIMARY KEY);
CREATE TABLE nblog.post_tags (tag text REFERENCES nblog.tags, post_id text REFERENCES nblog.posts,
                              PRIMARY KEY (tag, post_id));
-- a comment has two owning parents (its post and its author): say which
\set VERBOSITY default
SELECT * FROM ddbrel.design('nblog');
\set VERBOSITY terse
-- in its post's partition: posts live in their author's partition, so the
-- comments of a post get a partition of their own, POST#<post_id>, as in
-- seed 003; post_tags become TAG#<tag>/POST#<post_id> edge items
SELECT * FROM ddbrel.design('nblog', owners => '{"comments": "posts"}');
SELECT * FROM ddbrel.design_access_patterns('nblog', owners => '{"comments": "posts"}');
-- or in its author's partition
SELECT entity, role, pk_template, sk_template, parents
  FROM ddbrel.design('nblog', owners => '{"comments": "users(user_id)"}') WHERE entity = 'comments';

-- more shapes (seeds 001, 004): a one-to-one child, a composite key with a
-- second parent, a self-referencing edge, a self-reference, typed keys
CREATE SCHEMA nshop;
CREATE TABLE nshop.customers (customer_id int PRIMARY KEY, name text);
CREATE TABLE nshop.carts (customer_id int PRIMARY KEY REFERENCES nshop.customers, items jsonb);
CREATE TABLE nshop.products (product_id int PRIMARY KEY, title text);
CREATE TABLE nshop.orders (order_id bigint PRIMARY KEY,
                           customer_id int NOT NULL REFERENCES nshop.customers, placed date);
CREATE TABLE nshop.order_items (order_id bigint REFERENCES nshop.orders, line_no int,
                                product_id int NOT NULL REFERENCES nshop.products, qty int,
                                PRIMARY KEY (order_id, line_no));
CREATE TABLE nshop.follows (follower_id int REFERENCES nshop.customers,
                            followee_id int REFERENCES nshop.customers,
                            since date, PRIMARY KEY (follower_id, followee_id));
CREATE TABLE nshop.employees (employee_id uuid PRIMARY KEY, manager_id uuid REFERENCES nshop.employees,
                              name text);
CREATE TABLE nshop.accounts (region text, account_no int, owner text,
                             PRIMARY KEY (region, account_no));
SELECT * FROM ddbrel.design('nshop');
SELECT * FROM ddbrel.design_access_patterns('nshop');

-- ---- refusals -------------------------------------------------------------
\set VERBOSITY default
SELECT * FROM ddbrel.design('no_such_schema');
CREATE SCHEMA nbad;
-- no primary key
CREATE TABLE nbad.events (at timestamptz, what text);
SELECT * FROM ddbrel.design('nbad');
SELECT count(*) FROM ddbrel.design('nbad', exclude => '{events}');
DROP TABLE nbad.events;
-- a composite key of two texts cannot be split back from "A#x#y"
CREATE TABLE nbad.pairs (a text, b varchar(10), PRIMARY KEY (a, b));
SELECT * FROM ddbrel.design('nbad');
DROP TABLE nbad.pairs;
-- a column that cannot be a template hole
CREATE TABLE nbad.odd ("Odd Id" text PRIMARY KEY);
SELECT * FROM ddbrel.design('nbad');
DROP TABLE nbad.odd;
-- a column named like a key attribute
CREATE TABLE nbad.raw (id text PRIMARY KEY, pk text);
SELECT * FROM ddbrel.design('nbad');
SELECT entity, pk_template FROM ddbrel.design('nbad', partition_key => 'P', sort_key => 'S');
DROP TABLE nbad.raw;
-- ownership cycles: each would live in the other's partition
CREATE TABLE nbad.a (id int PRIMARY KEY, b_id int NOT NULL);
CREATE TABLE nbad.b (id int PRIMARY KEY, a_id int NOT NULL REFERENCES nbad.a);
ALTER TABLE nbad.a ADD FOREIGN KEY (b_id) REFERENCES nbad.b;
SELECT * FROM ddbrel.design('nbad');
SELECT entity, role, pk_template, sk_template FROM ddbrel.design('nbad', owners => '{"a": null}');
DROP TABLE nbad.a, nbad.b CASCADE;
-- two tables whose prefixes collide
CREATE TABLE nbad.user (id int PRIMARY KEY);
CREATE TABLE nbad.users (id int PRIMARY KEY);
SELECT * FROM ddbrel.design('nbad');
SELECT entity, pk_template FROM ddbrel.design('nbad', prefixes => '{"user": "LEGACY_USER"}');
SELECT * FROM ddbrel.design('nbad', prefixes => '{"user": "USER#"}');
SELECT * FROM ddbrel.design('nbad', prefixes => '{"nobody": "X"}');
DROP TABLE nbad.user, nbad.users;
-- owners must name a foreign key that can hold the items
SELECT * FROM ddbrel.design('nblog', owners => '{"comments": "tags"}');
SELECT * FROM ddbrel.design('nblog', owners => '{"nobody": "posts"}');
SELECT * FROM ddbrel.design('nblog', owners => '{"comments": 42}');
SELECT * FROM ddbrel.design('nblog', owners => '["comments"]');
CREATE TABLE nbad.parents (id int PRIMARY KEY);
CREATE TABLE nbad.kids (id int PRIMARY KEY, parent_id int REFERENCES nbad.parents,
                        other_id int REFERENCES nbad.parents);
SELECT * FROM ddbrel.design('nbad', owners => '{"kids": "parents"}');
SELECT * FROM ddbrel.design('nbad', owners => '{"kids": "parents(parent_id)"}');
-- options
SELECT * FROM ddbrel.design('n000', partition_key => 'K', sort_key => 'K');
SELECT * FROM ddbrel.design('n000', type_attribute => 'PK');
\set VERBOSITY terse
