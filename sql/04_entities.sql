-- Item collections as tables: the seed 000 single-table designs read back
-- through entity foreign tables exactly as the AWS CLI wrote them.
CREATE FOREIGN TABLE users (user_id text, name text, email text)
  SERVER ddb OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'USER#{user_id}');
CREATE FOREIGN TABLE orders (user_id text, order_id text, total numeric, status text,
                             created_at timestamptz)
  SERVER ddb OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'ORDER#{order_id}');
CREATE FOREIGN TABLE app_items (pk text OPTIONS (attribute 'PK'), sk text OPTIONS (attribute 'SK'),
                                item jsonb OPTIONS (document 'true'))
  SERVER ddb OPTIONS (table 'AppData');

SET timezone = 'UTC';
SELECT * FROM users ORDER BY user_id;
SELECT * FROM orders ORDER BY order_id;
SELECT pk, sk, item FROM app_items ORDER BY pk, sk;

-- every item is either a user or an order, and none is both
SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM orders) AS entities,
       (SELECT count(*) FROM app_items) AS items;

-- joins between entities work (pushdown comes later; the answer is right now)
SELECT u.name, o.order_id, o.total
  FROM users u JOIN orders o USING (user_id) ORDER BY o.order_id;
SELECT u.name, count(o.order_id) AS orders, coalesce(sum(o.total), 0) AS spent
  FROM users u LEFT JOIN orders o USING (user_id) GROUP BY u.name ORDER BY u.name;

-- typed template columns: the key text goes through the column's input function
CREATE FOREIGN TABLE orders_num (user_id int, order_id int, total numeric)
  SERVER ddb OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'ORDER#{order_id}');
SELECT user_id + 1 AS next_user, order_id * 10 AS order_x10, total FROM orders_num ORDER BY order_id;

-- many-to-many: students, lectures and the attendance edges between them
CREATE FOREIGN TABLE students (student_id text, name text)
  SERVER ddb OPTIONS (table 'School', pk_template 'STUDENT#{student_id}', sk_template 'STUDENT#{student_id}');
CREATE FOREIGN TABLE lectures (lecture_id text, title text)
  SERVER ddb OPTIONS (table 'School', pk_template 'LECTURE#{lecture_id}', sk_template 'LECTURE#{lecture_id}');
CREATE FOREIGN TABLE attendance (student_id text, lecture_id text, enrolled_on date)
  SERVER ddb OPTIONS (table 'School', pk_template 'STUDENT#{student_id}', sk_template 'LECTURE#{lecture_id}');
SELECT * FROM students ORDER BY student_id;
SELECT * FROM lectures ORDER BY lecture_id;
SELECT * FROM attendance ORDER BY student_id, lecture_id;
SELECT l.title, string_agg(s.name, ', ' ORDER BY s.name) AS students
  FROM lectures l JOIN attendance a USING (lecture_id) JOIN students s USING (student_id)
 GROUP BY l.title ORDER BY l.title;

-- an entity chosen by a type attribute (seed 003's _type), with a literal sort key
CREATE FOREIGN TABLE blog_users (user_id text, username text, email text, name text)
  SERVER ddb OPTIONS (table 'Blog', pk_template 'USER#{user_id}', sk_template '#METADATA',
                      type_attribute '_type', type_value 'USER');
SELECT user_id, username, email FROM blog_users ORDER BY user_id;
CREATE FOREIGN TABLE blog_typed (pk text, name text)
  SERVER ddb OPTIONS (table 'Blog', type_attribute '_type', type_value 'USER');
ALTER FOREIGN TABLE blog_typed ALTER COLUMN pk OPTIONS (attribute 'pk');
SELECT count(*) FROM blog_typed;
