-- Pushdown over the seed 000 designs: every access pattern of the article
-- runs as the one Query / GetItem / BatchGetItem it describes, shown by
-- EXPLAIN and by what reached the server (items scanned == returned).
CREATE SCHEMA pushdown;
SET search_path = pushdown, public;
CREATE FOREIGN TABLE users (user_id text, name text, email text)
  SERVER ddb OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'USER#{user_id}');
CREATE FOREIGN TABLE orders (user_id text, order_id text, total numeric, status text)
  SERVER ddb OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'ORDER#{order_id}');
CREATE FOREIGN TABLE students (student_id text, name text)
  SERVER ddb OPTIONS (table 'School', pk_template 'STUDENT#{student_id}', sk_template 'STUDENT#{student_id}');
CREATE FOREIGN TABLE lectures (lecture_id text, title text)
  SERVER ddb OPTIONS (table 'School', pk_template 'LECTURE#{lecture_id}', sk_template 'LECTURE#{lecture_id}');
CREATE FOREIGN TABLE attendance (student_id text, lecture_id text, enrolled_on date)
  SERVER ddb OPTIONS (table 'School', pk_template 'STUDENT#{student_id}', sk_template 'LECTURE#{lecture_id}');
SELECT count(*) FROM users;  -- plans once, so DescribeTable is cached below

-- View a user's profile: GetItem PK = USER#123, SK = USER#123
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM users WHERE user_id = '123';
SELECT ddbrel.stats_reset();
SELECT * FROM users WHERE user_id = '123';
SELECT * FROM sent();

-- View all orders of a user: Query PK = USER#123 AND begins_with(SK, ORDER#)
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM orders WHERE user_id = '123';
SELECT ddbrel.stats_reset();
SELECT * FROM orders WHERE user_id = '123' ORDER BY order_id;
SELECT * FROM sent();

-- View an order by its id: Query on GSI1, SK = ORDER#1001 AND begins_with(PK, USER#)
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM orders WHERE order_id = '1001';
SELECT ddbrel.stats_reset();
SELECT * FROM orders WHERE order_id = '1001';
SELECT * FROM sent();

-- Lectures of a student: Query STUDENT#S001 / begins_with LECTURE#
EXPLAIN (COSTS OFF) SELECT lecture_id, enrolled_on FROM attendance WHERE student_id = 'S001';
SELECT ddbrel.stats_reset();
SELECT lecture_id, enrolled_on FROM attendance WHERE student_id = 'S001' ORDER BY lecture_id;
SELECT * FROM sent();

-- Students of a lecture: Query on GSI1, SK = LECTURE#L100 / begins_with(PK, STUDENT#)
EXPLAIN (COSTS OFF) SELECT student_id FROM attendance WHERE lecture_id = 'L100';
SELECT ddbrel.stats_reset();
SELECT student_id FROM attendance WHERE lecture_id = 'L100' ORDER BY student_id;
SELECT * FROM sent();

-- Profiles of a student and a lecture: GetItem each
SELECT ddbrel.stats_reset();
SELECT name FROM students WHERE student_id = 'S002';
SELECT title FROM lectures WHERE lecture_id = 'L200';
SELECT * FROM sent();

-- several users by id: one BatchGetItem; a missing key is simply absent
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM users WHERE user_id IN ('123', '456', 'nope');
SELECT ddbrel.stats_reset();
SELECT * FROM users WHERE user_id IN ('123', '456', 'nope') ORDER BY user_id;
SELECT * FROM sent();
-- a parameter array, as a driver would send it
PREPARE some_users(text[]) AS SELECT name FROM users WHERE user_id = ANY($1) ORDER BY name;
SELECT ddbrel.stats_reset();
EXECUTE some_users(ARRAY['789', '123']);
EXECUTE some_users(ARRAY['456', NULL]);
SELECT * FROM sent();
DEALLOCATE some_users;
-- orders of several users: one Query per user
EXPLAIN (COSTS OFF) SELECT order_id FROM orders WHERE user_id IN ('123', '456');
SELECT ddbrel.stats_reset();
SELECT order_id FROM orders WHERE user_id IN ('123', '456') ORDER BY order_id;
SELECT * FROM sent();

-- count(*) with everything pushed: Select=COUNT, no items travel
EXPLAIN (COSTS OFF) SELECT count(*) FROM orders WHERE user_id = '123';
SELECT ddbrel.stats_reset();
SELECT count(*) FROM orders WHERE user_id = '123';
SELECT operation, requests FROM sent();

-- ORDER BY the sort key in one partition: ScanIndexForward, no local sort
EXPLAIN (COSTS OFF) SELECT order_id FROM orders WHERE user_id = '123' ORDER BY order_id DESC;
SELECT order_id FROM orders WHERE user_id = '123' ORDER BY order_id DESC;
EXPLAIN (COSTS OFF) SELECT order_id FROM orders WHERE user_id = '123' ORDER BY order_id;
-- and LIMIT goes with it
EXPLAIN (COSTS OFF) SELECT order_id FROM orders WHERE user_id = '123' ORDER BY order_id DESC LIMIT 1;
SELECT ddbrel.stats_reset();
SELECT order_id FROM orders WHERE user_id = '123' ORDER BY order_id DESC LIMIT 1;
SELECT * FROM sent();

-- other conditions become a FilterExpression when DynamoDB means the same
EXPLAIN (VERBOSE, COSTS OFF) SELECT order_id FROM orders WHERE user_id = '123' AND status = 'shipped';
SELECT order_id FROM orders WHERE user_id = '123' AND status = 'shipped';
EXPLAIN (COSTS OFF) SELECT order_id FROM orders WHERE user_id = '123' AND total >= 50 AND total < 100;
SELECT order_id FROM orders WHERE user_id = '123' AND total >= 50 AND total < 100;
EXPLAIN (COSTS OFF) SELECT order_id FROM orders WHERE user_id = '123' AND (status = 'pending' OR total < 10);
SELECT order_id FROM orders WHERE user_id = '123' AND (status = 'pending' OR total < 10);
EXPLAIN (COSTS OFF) SELECT order_id FROM orders WHERE user_id = '123' AND status IS NOT NULL AND total <> 25.5;
SELECT order_id FROM orders WHERE user_id = '123' AND status IS NOT NULL AND total <> 25.5;
EXPLAIN (COSTS OFF) SELECT order_id FROM orders WHERE user_id = '123' AND status IN ('pending', 'lost');
SELECT order_id FROM orders WHERE user_id = '123' AND status IN ('pending', 'lost');
-- but not where it would differ: text that a number reads as, NOT, functions
EXPLAIN (COSTS OFF) SELECT order_id FROM orders WHERE user_id = '123' AND status = '42';
EXPLAIN (COSTS OFF) SELECT order_id FROM orders WHERE user_id = '123' AND NOT (status = 'shipped');
EXPLAIN (COSTS OFF) SELECT order_id FROM orders WHERE user_id = '123' AND upper(status) = 'SHIPPED';
SELECT order_id FROM orders WHERE user_id = '123' AND upper(status) = 'SHIPPED';

-- joins: key lookups, never a scan per row (sql/19_joins.sql has the rest)
EXPLAIN (COSTS OFF)
SELECT u.name, o.order_id FROM users u JOIN orders o USING (user_id) WHERE u.user_id = '123';
SELECT ddbrel.stats_reset();
SELECT u.name, o.order_id FROM users u JOIN orders o USING (user_id) WHERE u.user_id = '123'
 ORDER BY o.order_id;
SELECT * FROM sent();
EXPLAIN (COSTS OFF)
SELECT l.title FROM attendance a JOIN lectures l USING (lecture_id) WHERE a.student_id = 'S001';
SELECT ddbrel.stats_reset();
SELECT l.title FROM attendance a JOIN lectures l USING (lecture_id) WHERE a.student_id = 'S001'
 ORDER BY l.title;
SELECT * FROM sent();
-- a local table of ids joined to DynamoDB: a lookup per distinct id
CREATE TEMP TABLE wanted (user_id text);
INSERT INTO wanted VALUES ('123'), ('456'), ('123'), ('nope');
ANALYZE wanted;
EXPLAIN (COSTS OFF) SELECT w.user_id, u.name FROM wanted w JOIN users u USING (user_id);
SELECT ddbrel.stats_reset();
SELECT w.user_id, u.name FROM wanted w JOIN users u USING (user_id) ORDER BY 1, 2;
SELECT operation, requests <= 4 AS at_most_one_per_row, returned FROM sent();
