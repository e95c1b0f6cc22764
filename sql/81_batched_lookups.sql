-- Batched lookups: a join whose inner side is a ddbrel table read by its
-- whole primary key gathers a round of outer rows (up to 800) and reads
-- their items with one BatchGetItem per 100 distinct keys ("Custom Scan
-- (DynamoDB Batched Lookup)"), instead of one GetItem per outer row
-- (sql/82_lookup_rounds.sql has rounds of more rows).  Answers are compared with the same joins
-- on a local copy of the items; request counts come from ddbrel.stats().
CREATE SCHEMA batched;
SET search_path = batched, public;
CREATE FOREIGN TABLE pages (id text, n int, pad text) SERVER ddb OPTIONS (table 'Pages');
CREATE TABLE pages_copy AS SELECT id, n FROM pages;
SELECT count(*) FROM pages_copy;
-- 250 outer rows: 7 keys twice, 6 keys no item has, 6 NULL keys
CREATE TABLE wanted (k int PRIMARY KEY, id text);
INSERT INTO wanted
SELECT k, CASE WHEN k % 40 = 0 THEN NULL
               WHEN k % 20 = 0 THEN 'missing' || k
               WHEN k > 200 THEN 'p' || lpad((k - 200)::text, 4, '0')
               ELSE 'p' || lpad((k * 7)::text, 4, '0') END
  FROM generate_series(1, 250) k;
ANALYZE wanted;
SELECT count(*) AS outer_rows, count(id) AS keys, count(DISTINCT id) AS distinct_keys,
       count(*) FILTER (WHERE id LIKE 'missing%') AS missing
  FROM wanted;

-- INNER JOIN: one round of 250 outer rows, 231 distinct keys: 3
-- BatchGetItems, not 250 GetItems
EXPLAIN (VERBOSE, COSTS OFF)
SELECT w.k, p.n FROM wanted w JOIN pages p ON p.id = w.id;
SELECT ddbrel.stats_reset();
CREATE TABLE got AS SELECT w.k, p.id, p.n FROM wanted w JOIN pages p ON p.id = w.id;
SELECT * FROM sent();
CREATE TABLE want AS SELECT w.k, c.id, c.n FROM wanted w JOIN pages_copy c ON c.id = w.id;
SELECT (SELECT count(*) FROM got) AS got, (SELECT count(*) FROM want) AS want,
       (SELECT count(*) FROM (SELECT * FROM got EXCEPT ALL SELECT * FROM want) d) AS extra,
       (SELECT count(*) FROM (SELECT * FROM want EXCEPT ALL SELECT * FROM got) d) AS lost;
DROP TABLE got, want;

-- LEFT JOIN in the outer side's order (an index scan): missing and NULL keys get NULLs
EXPLAIN (COSTS OFF)
SELECT w.k, w.id, p.n FROM wanted w LEFT JOIN pages p ON p.id = w.id ORDER BY w.k;
SELECT ddbrel.stats_reset();
CREATE TABLE got AS
SELECT row_number() OVER () AS pos, * FROM
  (SELECT w.k, w.id, p.n FROM wanted w LEFT JOIN pages p ON p.id = w.id ORDER BY w.k) s;
SELECT * FROM sent();
CREATE TABLE want AS
SELECT row_number() OVER () AS pos, * FROM
  (SELECT w.k, w.id, c.n FROM wanted w LEFT JOIN pages_copy c ON c.id = w.id ORDER BY w.k) s;
SELECT (SELECT count(*) FROM got) AS got,
       (SELECT count(*) FROM got WHERE n IS NULL) AS null_extended,
       (SELECT count(*) FROM (SELECT * FROM got EXCEPT ALL SELECT * FROM want) d) AS differ;
SELECT * FROM got WHERE n IS NULL ORDER BY pos LIMIT 4;
DROP TABLE got, want;

-- duplicate outer keys: each outer row gets its item; a key is asked for
-- once per round (p0007 is asked for once, for rows 1 and 207)
SELECT ddbrel.stats_reset();
SELECT w.id, count(*) AS outer_rows, min(p.n) AS n
  FROM wanted w JOIN pages p ON p.id = w.id
 GROUP BY w.id HAVING count(*) > 1 ORDER BY w.id;
SELECT operation, requests, returned FROM sent();

-- NULL keys only: nothing to ask for, and no request is sent
SELECT ddbrel.stats_reset();
SELECT w.k, p.n FROM wanted w LEFT JOIN pages p ON p.id = w.id
 WHERE w.id IS NULL ORDER BY w.k;
SELECT count(*) AS requests FROM sent();

-- a condition on the inner side and one across both sides stay local
SELECT ddbrel.stats_reset();
SELECT w.k, p.n FROM wanted w LEFT JOIN pages p ON p.id = w.id AND p.n % 2 = 0 AND p.n > w.k
 WHERE w.k <= 12 ORDER BY w.k;
SELECT w.k, c.n FROM wanted w LEFT JOIN pages_copy c ON c.id = w.id AND c.n % 2 = 0 AND c.n > w.k
 WHERE w.k <= 12 ORDER BY w.k;
SELECT * FROM sent();

-- EXISTS and NOT EXISTS (semi and anti joins)
SELECT ddbrel.stats_reset();
SELECT count(*) AS with_item FROM wanted w WHERE EXISTS (SELECT FROM pages p WHERE p.id = w.id);
SELECT count(*) AS without_item FROM wanted w WHERE NOT EXISTS (SELECT FROM pages p WHERE p.id = w.id);
SELECT count(*) AS with_item FROM wanted w WHERE EXISTS (SELECT FROM pages_copy c WHERE c.id = w.id);
SELECT count(*) AS without_item FROM wanted w WHERE NOT EXISTS (SELECT FROM pages_copy c WHERE c.id = w.id);
SELECT operation, requests FROM sent();

-- a chain: each level is read by one BatchGetItem per 100 rows of the level before
EXPLAIN (COSTS OFF)
SELECT w.k, p.n, q.n FROM wanted w
  JOIN pages p ON p.id = w.id
  JOIN pages q ON q.id = 'p' || lpad((p.n + 1)::text, 4, '0');
SELECT ddbrel.stats_reset();
SELECT count(*), sum(q.n - p.n) AS one_each FROM wanted w
  JOIN pages p ON p.id = w.id
  JOIN pages q ON q.id = 'p' || lpad((p.n + 1)::text, 4, '0');
SELECT * FROM sent();

-- students, their attendance and its lectures: 1 Query, then 1 BatchGetItem
CREATE FOREIGN TABLE students (student_id text, name text)
  SERVER ddb OPTIONS (table 'School', pk_template 'STUDENT#{student_id}', sk_template 'STUDENT#{student_id}');
CREATE FOREIGN TABLE lectures (lecture_id text, title text)
  SERVER ddb OPTIONS (table 'School', pk_template 'LECTURE#{lecture_id}', sk_template 'LECTURE#{lecture_id}');
CREATE FOREIGN TABLE attendance (student_id text, lecture_id text, enrolled_on date)
  SERVER ddb OPTIONS (table 'School', pk_template 'STUDENT#{student_id}', sk_template 'LECTURE#{lecture_id}');
EXPLAIN (COSTS OFF)
SELECT s.name, l.title FROM students s JOIN attendance a USING (student_id)
  JOIN lectures l USING (lecture_id) WHERE s.student_id = 'S001';
SELECT ddbrel.stats_reset();
SELECT s.name, l.title FROM students s JOIN attendance a USING (student_id)
  JOIN lectures l USING (lecture_id) WHERE s.student_id = 'S001' ORDER BY 2;
SELECT operation, requests FROM sent();

-- a key of two attributes: pairs of (partition key, sort key), never their product
CREATE FOREIGN TABLE app_items (pk text, sk text, name text, status text)
  SERVER ddb OPTIONS (table 'AppData', partition_key 'PK', sort_key 'SK');
CREATE FOREIGN TABLE orders (user_id text, order_id text, total numeric, status text)
  SERVER ddb OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'ORDER#{order_id}');
CREATE TABLE pairs (k int, pk text, sk text, user_id text, order_id text);
INSERT INTO pairs VALUES
  (1, 'USER#123', 'USER#123', '123', '1001'), (2, 'USER#123', 'ORDER#1001', '123', '1002'),
  (3, 'USER#456', 'ORDER#1003', '456', '1003'), (4, 'USER#456', 'USER#123', '456', '1001'),
  (5, 'USER#789', 'USER#789', NULL, '1001'), (6, NULL, 'USER#456', '123', NULL),
  (7, 'USER#123', 'ORDER#1002', '123', '1001');
ANALYZE pairs;
EXPLAIN (COSTS OFF)
SELECT x.k, i.name, i.status FROM pairs x LEFT JOIN app_items i ON i.pk = x.pk AND i.sk = x.sk ORDER BY x.k;
SELECT ddbrel.stats_reset();
SELECT x.k, i.name, i.status FROM pairs x LEFT JOIN app_items i ON i.pk = x.pk AND i.sk = x.sk ORDER BY x.k;
SELECT operation, requests, returned FROM sent();
EXPLAIN (COSTS OFF)
SELECT x.k, o.order_id, o.total FROM pairs x
  JOIN orders o ON o.user_id = x.user_id AND o.order_id = x.order_id ORDER BY x.k;
SELECT ddbrel.stats_reset();
SELECT x.k, o.order_id, o.total FROM pairs x
  JOIN orders o ON o.user_id = x.user_id AND o.order_id = x.order_id ORDER BY x.k;
SELECT operation, requests, returned FROM sent();

-- a partition key alone: one Query per distinct key of the batch, up to 8 in flight
CREATE TABLE orders_copy AS SELECT * FROM orders WHERE user_id IN ('123', '456', '789');
CREATE TABLE some_users (k int, user_id text);
INSERT INTO some_users VALUES (1, '456'), (2, '123'), (3, 'nobody'), (4, NULL), (5, '123'), (6, '789');
ANALYZE some_users;
EXPLAIN (COSTS OFF)
SELECT x.k, o.order_id, o.total FROM some_users x LEFT JOIN orders o USING (user_id) ORDER BY x.k;
SELECT ddbrel.stats_reset();
SELECT x.k, o.order_id, o.total FROM some_users x LEFT JOIN orders o USING (user_id)
 ORDER BY x.k, o.order_id;
SELECT operation, requests FROM sent();
SELECT x.k, c.order_id, c.total FROM some_users x LEFT JOIN orders_copy c USING (user_id)
 ORDER BY x.k, c.order_id;

-- a prepared statement, past the switch to a generic plan
PREPARE lookup(int) AS
  SELECT count(*) AS rows, count(p.n) AS found, sum(p.n) AS total
    FROM wanted w LEFT JOIN pages p ON p.id = w.id WHERE w.k <= $1;
SELECT ddbrel.stats_reset();
EXECUTE lookup(250);
EXECUTE lookup(250);
EXECUTE lookup(250);
EXECUTE lookup(250);
EXECUTE lookup(250);
EXECUTE lookup(250);
EXECUTE lookup(150);
SELECT count(*) AS rows, count(c.n) AS found, sum(c.n) AS total
  FROM wanted w LEFT JOIN pages_copy c ON c.id = w.id WHERE w.k <= 150;
SELECT operation, requests FROM sent();
EXPLAIN (COSTS OFF) EXECUTE lookup(250);
DEALLOCATE lookup;

-- one outer row: a GetItem is cheaper than a batch
EXPLAIN (COSTS OFF)
SELECT w.k, p.n FROM wanted w JOIN pages p ON p.id = w.id WHERE w.k = 3;
-- ddbrel.batch_lookups = off: a request per outer row again
SET ddbrel.batch_lookups = off;
EXPLAIN (COSTS OFF)
SELECT w.k, p.n FROM wanted w JOIN pages p ON p.id = w.id;
SELECT ddbrel.stats_reset();
SELECT count(*) FROM wanted w JOIN pages p ON p.id = w.id;
SELECT operation, requests > 100 AS per_row FROM sent();
RESET ddbrel.batch_lookups;

DROP SCHEMA batched CASCADE;
