-- ERD joins read as adjacency-list queries: a parent and its children in
-- one Query, the reverse direction through the inverted GSI plus one
-- BatchGetItem, never a request per row.  Counts come from ddbrel.stats().
CREATE SCHEMA joins;
SET search_path = joins, public;
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
SELECT count(*) FROM users;
SELECT count(*) FROM students;

-- a user and their orders: ONE Query on PK = USER#123, split by key shape
EXPLAIN (VERBOSE, COSTS OFF)
SELECT u.name, o.order_id, o.total FROM users u JOIN orders o USING (user_id) WHERE u.user_id = '123';
SELECT ddbrel.stats_reset();
SELECT u.name, o.order_id, o.total FROM users u JOIN orders o USING (user_id)
 WHERE u.user_id = '123' ORDER BY o.order_id;
SELECT * FROM sent();
-- with a condition on the child: still one Query, the condition checked here
SELECT ddbrel.stats_reset();
SELECT u.name, o.order_id FROM users u JOIN orders o USING (user_id)
 WHERE u.user_id = '123' AND o.status = 'pending';
SELECT operation, requests FROM sent();
-- a parent without children (LEFT JOIN): still one Query
EXPLAIN (COSTS OFF)
SELECT u.name, o.order_id FROM users u LEFT JOIN orders o USING (user_id) WHERE u.user_id = '789';
SELECT ddbrel.stats_reset();
SELECT u.name, o.order_id FROM users u LEFT JOIN orders o USING (user_id) WHERE u.user_id = '789';
SELECT u.name, o.order_id FROM users u LEFT JOIN orders o USING (user_id)
 WHERE u.user_id IN ('789', '123') ORDER BY 1, 2;
SELECT * FROM sent();

-- an order and its user: Query on GSI1, then one BatchGetItem
EXPLAIN (COSTS OFF)
SELECT o.order_id, u.name FROM orders o JOIN users u USING (user_id) WHERE o.order_id = '1001';
SELECT ddbrel.stats_reset();
SELECT o.order_id, u.name FROM orders o JOIN users u USING (user_id) WHERE o.order_id = '1001';
SELECT * FROM sent();

-- many-to-many through the attendance edges: 2 round trips each way
EXPLAIN (COSTS OFF)
SELECT s.name FROM attendance a JOIN students s USING (student_id) WHERE a.lecture_id = 'L100';
SELECT ddbrel.stats_reset();
SELECT s.name FROM attendance a JOIN students s USING (student_id) WHERE a.lecture_id = 'L100' ORDER BY 1;
SELECT * FROM sent();
EXPLAIN (COSTS OFF)
SELECT l.title, a.enrolled_on FROM attendance a JOIN lectures l USING (lecture_id) WHERE a.student_id = 'S001';
SELECT ddbrel.stats_reset();
SELECT l.title, a.enrolled_on FROM attendance a JOIN lectures l USING (lecture_id)
 WHERE a.student_id = 'S001' ORDER BY 1;
SELECT * FROM sent();
-- a student with their lectures: the student and the edges in one Query, the lectures by key
SELECT ddbrel.stats_reset();
SELECT s.name, l.title FROM students s JOIN attendance a USING (student_id) JOIN lectures l USING (lecture_id)
 WHERE s.student_id = 'S001' ORDER BY 2;
SELECT operation, requests <= 2 AS at_most_two FROM sent();

-- unbound joins: one read of each side, never a request per row
EXPLAIN (COSTS OFF) SELECT u.name, o.order_id FROM users u JOIN orders o USING (user_id);
SELECT ddbrel.stats_reset();
SELECT u.name, o.order_id FROM users u JOIN orders o USING (user_id) ORDER BY 2;
SELECT * FROM sent();
SELECT ddbrel.stats_reset();
SELECT l.title, count(*) FROM attendance a JOIN lectures l USING (lecture_id) GROUP BY 1 ORDER BY 1;
SELECT operation, requests FROM sent();

-- more children than one page: 1,200 orders of ~1 KB for one user
CREATE FOREIGN TABLE big_users (user_id text, name text)
  SERVER ddb OPTIONS (table 'WriteApp', pk_template 'USER#{user_id}', sk_template 'USER#{user_id}');
CREATE FOREIGN TABLE big_orders (user_id text, order_id text, pad text)
  SERVER ddb OPTIONS (table 'WriteApp', pk_template 'USER#{user_id}', sk_template 'ORDER#{order_id}');
INSERT INTO big_users VALUES ('big', 'Big Spender');
-- a bulk load: more items than one transaction can write
SET ddbrel.write_mode = 'immediate';
INSERT INTO big_orders SELECT 'big', lpad(g::text, 5, '0'), repeat('x', 1000) FROM generate_series(1, 1200) g;
RESET ddbrel.write_mode;
SELECT ddbrel.stats_reset();
SELECT count(*), count(DISTINCT o.order_id), min(u.name), sum(length(o.pad))
  FROM big_users u JOIN big_orders o USING (user_id) WHERE u.user_id = 'big';
SELECT operation, requests > 1 AS several_pages, scanned, returned FROM sent();

-- eager loading: ddbrel.collection() returns the parent and its children from one Query
SELECT ddbrel.stats_reset();
SELECT entity, "row" FROM ddbrel.collection('users', '123', ARRAY['orders']::regclass[]);
SELECT entity, "row" FROM ddbrel.collection('students', 'S001', ARRAY['attendance']::regclass[]);
SELECT * FROM sent();
SELECT * FROM ddbrel.collection('users', '123', ARRAY['students']::regclass[]);
SELECT * FROM ddbrel.collection('users', '123', ARRAY['pg_class']::regclass[]);

-- ddbrel.rewrite(): the requests a query makes, without running it
SELECT ddbrel.stats_reset();
SELECT step, operation, "table", index, key_condition, entities FROM ddbrel.rewrite(
  $$SELECT u.name, o.total FROM users u JOIN orders o USING (user_id) WHERE u.user_id = '123'$$);
SELECT step, operation, "table", index, key_condition, entities FROM ddbrel.rewrite(
  $$SELECT s.name FROM attendance a JOIN students s USING (student_id) WHERE a.lecture_id = 'L100'$$);
SELECT step, operation, request FROM ddbrel.rewrite($$SELECT * FROM orders WHERE order_id = '1001'$$);
SELECT * FROM sent();  -- nothing was sent
-- and it agrees with EXPLAIN: the request of each step is the one EXPLAIN prints
CREATE FUNCTION explain_requests(q text) RETURNS SETOF jsonb LANGUAGE plpgsql AS $$
DECLARE line text;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || q LOOP
    IF line ~ 'DynamoDB Request: ' THEN
      RETURN NEXT substring(line FROM 'DynamoDB Request: (.*)$')::jsonb;
    END IF;
  END LOOP;
END $$;
SELECT (SELECT array_agg(r ORDER BY r::text) FROM explain_requests(q) r)
     = (SELECT array_agg(request ORDER BY request::text) FROM ddbrel.rewrite(q) WHERE request IS NOT NULL)
       AS rewrite_agrees
  FROM (VALUES ($$SELECT * FROM users WHERE user_id = '123'$$),
               ($$SELECT o.order_id, u.name FROM orders o JOIN users u USING (user_id) WHERE o.order_id = '1001'$$),
               ($$SELECT u.name, o.total FROM users u JOIN orders o USING (user_id) WHERE u.user_id = '123'$$)) v(q);

-- seed 003: comments of a post with their authors (Query + one BatchGetItem),
-- and the posts of a tag (the tag items, then GSI1 by post id: a post's key
-- needs its author, which the tag item does not hold, so one Query per post)
CREATE FOREIGN TABLE blog_users (user_id text, username text)
  SERVER ddb OPTIONS (table 'Blog', pk_template 'USER#{user_id}', sk_template '#METADATA');
CREATE FOREIGN TABLE blog_posts (user_id text, post_id text, title text, views int OPTIONS (attribute 'viewCount'),
                                 created_at text OPTIONS (attribute 'createdAt'))
  SERVER ddb OPTIONS (table 'Blog', pk_template 'USER#{user_id}', sk_template 'POST#{post_id}',
                      gsi1pk_template 'POST#{post_id}', gsi1sk_template '{created_at}');
CREATE FOREIGN TABLE blog_comments (post_id text, comment_id text, user_id text OPTIONS (attribute 'userId'))
  SERVER ddb OPTIONS (table 'Blog', pk_template 'POST#{post_id}', sk_template 'COMMENT#{comment_id}');
CREATE FOREIGN TABLE blog_tags (tag text, post_id text)
  SERVER ddb OPTIONS (table 'Blog', pk_template 'TAG#{tag}', sk_template 'POST#{post_id}');
SELECT count(*) FROM blog_users;
SELECT ddbrel.stats_reset();
SELECT c.comment_id, u.username FROM blog_comments c JOIN blog_users u USING (user_id)
 WHERE c.post_id = 'p1' ORDER BY 1;
SELECT * FROM sent();
SELECT ddbrel.stats_reset();
SELECT t.post_id, p.title, p.views FROM blog_tags t JOIN blog_posts p USING (post_id)
 WHERE t.tag = 'dynamodb' ORDER BY 1;
SELECT * FROM sent();
-- a lookup join keeps the driving Query's order: ORDER BY its sort key needs no sort
EXPLAIN (COSTS OFF)
SELECT c.comment_id, u.username FROM blog_comments c JOIN blog_users u USING (user_id)
 WHERE c.post_id = 'p1' ORDER BY c.comment_id DESC;
SELECT c.comment_id, u.username FROM blog_comments c JOIN blog_users u USING (user_id)
 WHERE c.post_id = 'p1' ORDER BY c.comment_id DESC;
