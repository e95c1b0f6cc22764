-- Indexes that do not project every attribute (KEYS_ONLY, INCLUDE): when
-- one is the selective access, its Query gives the items' keys and a
-- BatchGetItem (100 keys per call) fetches the items.  Conditions on
-- attributes the index does not hold are never sent in the Query's filter
-- (DynamoDB would find them missing): they are checked on the fetched
-- items.  Every answer is compared with a local table holding the same rows
-- (test/fixtures/library.sh).
CREATE FOREIGN TABLE books (pk text COLLATE "C", sk text COLLATE "C", author text COLLATE "C",
                            year int, title text COLLATE "C", genre text COLLATE "C",
                            pages int, blurb text)
  SERVER ddb OPTIONS (table 'Library');
CREATE TABLE books_local AS
  SELECT 'BOOK#' || lpad(n::text, 3, '0') COLLATE "C" AS pk, 'META' COLLATE "C" AS sk,
         a COLLATE "C" AS author, CASE WHEN n = 138 THEN 2038 ELSE 1900 + n END AS year,
         initcap(a) || ' volume ' || lpad(n::text, 3, '0') COLLATE "C" AS title,
         (ARRAY['fantasy', 'poetry', 'history'])[n % 3 + 1] COLLATE "C" AS genre,
         100 + n AS pages, 'blurb of ' || lpad(n::text, 3, '0') AS blurb
    FROM generate_series(1, 138) n,
         LATERAL (SELECT CASE WHEN n <= 130 THEN 'ann' WHEN n <= 135 THEN 'bob' ELSE 'cy' END) x(a);
-- the rows of a query on books that books_local does not have, and the other way round
CREATE FUNCTION differ(cond text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  EXECUTE format('SELECT count(*) FROM ((SELECT * FROM books WHERE %1$s EXCEPT ALL SELECT * FROM books_local WHERE %1$s)
                  UNION ALL (SELECT * FROM books_local WHERE %1$s EXCEPT ALL SELECT * FROM books WHERE %1$s)) d', cond)
    INTO n;
  RETURN n;
END $$;

-- a KEYS_ONLY index: the Query, then the items of its 30 keys in one BatchGetItem
EXPLAIN (VERBOSE, COSTS OFF)
SELECT pk, title, blurb FROM books WHERE author = 'ann' AND year BETWEEN 1901 AND 1930;
SELECT ddbrel.stats_reset();
SELECT count(*), min(title), max(title) FROM books WHERE author = 'ann' AND year BETWEEN 1901 AND 1930;
SELECT * FROM sent();
SELECT differ($$author = 'ann' AND year BETWEEN 1901 AND 1930$$);

-- 130 keys: two BatchGetItem calls, 100 keys and 30
SELECT ddbrel.stats_reset();
SELECT count(*), count(DISTINCT pk), sum(pages) FROM books WHERE author = 'ann' AND year >= 1900;
SELECT * FROM sent();
SELECT differ($$author = 'ann' AND year >= 1900$$);

-- order on the index sort key: the index gives it, the fetch keeps it, and
-- a LIMIT goes to the index Query (5 keys, 5 items)
EXPLAIN (VERBOSE, COSTS OFF)
SELECT pk, year, title FROM books WHERE author = 'ann' AND year > 1900 ORDER BY year DESC LIMIT 5;
SELECT ddbrel.stats_reset();
SELECT pk, year, title FROM books WHERE author = 'ann' AND year > 1900 ORDER BY year DESC LIMIT 5;
SELECT * FROM sent();
SELECT pk, year, title FROM books_local WHERE author = 'ann' AND year > 1900 ORDER BY year DESC LIMIT 5;
-- the same over two batches, in the index's order without a Sort
EXPLAIN (COSTS OFF)
SELECT year, blurb FROM books WHERE author = 'ann' AND year > 1800 ORDER BY year;
SELECT ddbrel.stats_reset();
SELECT array_agg(blurb) = (SELECT array_agg(blurb ORDER BY year) FROM books_local WHERE author = 'ann')
       AS in_order, count(*)
  FROM (SELECT year, blurb FROM books WHERE author = 'ann' AND year > 1800 ORDER BY year) s;
SELECT * FROM sent();

-- a condition on an attribute the index does not hold: checked on the
-- fetched items, never in the index Query's filter
EXPLAIN (VERBOSE, COSTS OFF)
SELECT pk FROM books WHERE author = 'ann' AND year > 1900 AND genre = 'poetry';
SELECT ddbrel.stats_reset();
SELECT count(*) FROM books WHERE author = 'ann' AND year > 1900 AND genre = 'poetry';
SELECT * FROM sent();
SELECT differ($$author = 'ann' AND year > 1900 AND genre = 'poetry'$$);
-- with it, no LIMIT can go to the Query: the first keys need not be rows
EXPLAIN (COSTS OFF)
SELECT pk FROM books WHERE author = 'ann' AND year > 1900 AND blurb LIKE '%7' ORDER BY year LIMIT 3;
SELECT pk FROM books WHERE author = 'ann' AND year > 1900 AND blurb LIKE '%7' ORDER BY year LIMIT 3;
SELECT pk FROM books_local WHERE author = 'ann' AND year > 1900 AND blurb LIKE '%7' ORDER BY year LIMIT 3;

-- an INCLUDE index: a condition on an attribute it holds (pages) goes to
-- the Query's filter; the items are fetched for the author it lacks
EXPLAIN (VERBOSE, COSTS OFF)
SELECT title, author FROM books WHERE genre = 'poetry' AND title >= 'Ann volume 100' AND pages > 205;
SELECT ddbrel.stats_reset();
SELECT title, author FROM books WHERE genre = 'poetry' AND title >= 'Ann volume 100' AND pages > 205
 ORDER BY title;
SELECT * FROM sent();
SELECT differ($$genre = 'poetry' AND title >= 'Ann volume 100' AND pages > 205$$);

-- only attributes the index holds: no fetch
EXPLAIN (COSTS OFF) SELECT pk, year FROM books WHERE author = 'bob' AND year > 0;
SELECT ddbrel.stats_reset();
SELECT pk, year FROM books WHERE author = 'bob' AND year > 0 ORDER BY year;
SELECT * FROM sent();
EXPLAIN (COSTS OFF) SELECT title, pages FROM books WHERE genre = 'history' AND title < 'Ann volume 010';
SELECT title, pages FROM books WHERE genre = 'history' AND title < 'Ann volume 010' ORDER BY title;
-- nor for a count: Select=COUNT on the index
EXPLAIN (COSTS OFF) SELECT count(*) FROM books WHERE author = 'ann' AND year >= 1900;
SELECT ddbrel.stats_reset();
SELECT count(*) FROM books WHERE author = 'ann' AND year >= 1900;
SELECT * FROM sent();

-- several index partitions (IN): a Query each, their keys fetched together
SELECT ddbrel.stats_reset();
SELECT pk, author, blurb FROM books WHERE author IN ('bob', 'cy') AND year > 1900 ORDER BY pk;
SELECT * FROM sent();
SELECT differ($$author IN ('bob', 'cy') AND year > 1900$$);

-- a parameter, and a rescan per outer row
PREPARE by_author(text, int) AS
  SELECT pk, title, blurb FROM books WHERE author = $1 AND year > $2 ORDER BY pk;
EXECUTE by_author('cy', 2000);
EXECUTE by_author('bob', 1933);
DEALLOCATE by_author;
SELECT a, (SELECT string_agg(blurb, ', ' ORDER BY year) FROM books b
            WHERE b.author = a.a AND b.year > 1933)
  FROM (VALUES ('bob'), ('cy'), ('nobody')) a(a) ORDER BY a;

-- a batched lookup join: a Query per distinct author, their keys fetched together
CREATE TABLE wanted_authors (a text);
INSERT INTO wanted_authors VALUES ('bob'), ('cy'), ('nobody');
ANALYZE wanted_authors;
EXPLAIN (COSTS OFF)
SELECT w.a, b.blurb FROM wanted_authors w JOIN books b ON b.author = w.a AND b.year > 1900;
SELECT ddbrel.stats_reset();
SELECT w.a, b.blurb FROM wanted_authors w JOIN books b ON b.author = w.a AND b.year > 1900 ORDER BY 2;
SELECT * FROM sent();
SELECT count(*) FROM ((SELECT w.a, b.blurb FROM wanted_authors w JOIN books b ON b.author = w.a AND b.year > 1900
                       EXCEPT ALL
                       SELECT w.a, b.blurb FROM wanted_authors w JOIN books_local b ON b.author = w.a AND b.year > 1900)
                      UNION ALL
                      (SELECT w.a, b.blurb FROM wanted_authors w JOIN books_local b ON b.author = w.a AND b.year > 1900
                       EXCEPT ALL
                       SELECT w.a, b.blurb FROM wanted_authors w JOIN books b ON b.author = w.a AND b.year > 1900)) d;
DROP TABLE wanted_authors;

-- an entity table: its type is checked on the fetched items (the index
-- does not hold _type), so the magazine is not a book
CREATE FOREIGN TABLE library_books (book_no text COLLATE "C", author text COLLATE "C",
                                    year int, title text)
  SERVER ddb OPTIONS (table 'Library', pk_template 'BOOK#{book_no}', sk_template 'META',
                      type_attribute '_type', type_value 'book');
EXPLAIN (COSTS OFF) SELECT book_no, title FROM library_books WHERE author = 'cy' AND year > 0;
SELECT ddbrel.stats_reset();
SELECT book_no, title FROM library_books WHERE author = 'cy' AND year > 0 ORDER BY book_no;
SELECT * FROM sent();

-- a time to live the index does not hold: expired items are hidden on the
-- fetched items, so a LIMIT cannot go to the index Query (every tenth book
-- expired an hour before the fixture was loaded)
CREATE FOREIGN TABLE ttl_books (pk text COLLATE "C", sk text, author text, year int, blurb text)
  SERVER ddb OPTIONS (table 'Library', ttl_attribute 'expires');
EXPLAIN (COSTS OFF)
SELECT pk, blurb FROM ttl_books WHERE author = 'ann' AND year > 1900 ORDER BY year LIMIT 12;
SELECT pk, blurb FROM ttl_books WHERE author = 'ann' AND year > 1900 ORDER BY year LIMIT 12;
SELECT pk, blurb FROM books_local
 WHERE author = 'ann' AND year > 1900 AND substr(pk, 6)::int % 10 <> 0 ORDER BY year LIMIT 12;
-- only keys: the index alone, whose items lack the time to live, cannot
-- say which are expired; the items are fetched to know
EXPLAIN (COSTS OFF) SELECT count(*) FROM ttl_books WHERE author = 'ann' AND year > 1900;
SELECT ddbrel.stats_reset();
SELECT count(*) FROM ttl_books WHERE author = 'ann' AND year > 1900;
SELECT * FROM sent();
DROP FOREIGN TABLE ttl_books;

-- the transaction's own writes are seen: an updated item as updated, an
-- inserted one among the index's items
BEGIN;
UPDATE books SET blurb = 'changed' WHERE pk = 'BOOK#131' AND sk = 'META';
INSERT INTO books VALUES ('BOOK#900', 'META', 'bob', 1999, 'Bob volume 900', 'poetry', 1, 'new');
SELECT pk, year, blurb FROM books WHERE author = 'bob' AND year > 1900 ORDER BY year;
ROLLBACK;
SELECT pk, year, blurb FROM books WHERE author = 'bob' AND year > 1900 ORDER BY year;

-- keys DynamoDB leaves unprocessed are sent again, within max_retries
\getenv proxy DDB_PROXY_ENDPOINT
CREATE SERVER kproxy FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint :'proxy', max_retries '3');
CREATE USER MAPPING FOR CURRENT_USER SERVER kproxy
  OPTIONS (access_key_id 'AKIDTEST', secret_access_key 'regress-secret-do-not-print');
CREATE FOREIGN TABLE pbooks (pk text, sk text, author text, year int, blurb text)
  SERVER kproxy OPTIONS (table 'Library');
\! /usr/bin/python3 test/faultctl.py script unprocessed unprocessed --ops BatchGetItem
SELECT ddbrel.stats_reset();
SELECT count(*), count(blurb) FROM pbooks WHERE author = 'ann' AND year BETWEEN 1901 AND 1940;
SELECT operation, requests, retries, items_returned FROM ddbrel.stats()
 WHERE operation IN ('Query', 'BatchGetItem') ORDER BY 1;
\! /usr/bin/python3 test/faultctl.py rate 1 --kinds unprocessed_all --ops BatchGetItem
SELECT count(blurb) FROM pbooks WHERE author = 'ann' AND year BETWEEN 1901 AND 1940;
\! /usr/bin/python3 test/faultctl.py off

DROP FOREIGN TABLE pbooks;
DROP SERVER kproxy CASCADE;
DROP FOREIGN TABLE books, library_books;
DROP TABLE books_local;
DROP FUNCTION differ(text);
