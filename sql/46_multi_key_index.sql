-- Global secondary indexes with multi-attribute keys (up to 4 partition-key
-- and 4 sort-key attributes).  Such an index serves a query only when every
-- partition-key attribute is bound by equality and its sort-key attributes
-- left to right (equality, then at most one range or prefix); otherwise it
-- is never used.  The emulators cannot make one, so test/faultproxy.py adds
-- them to the DescribeTable answers of table Library and answers a Query on
-- them itself, from the table's items, after checking its key condition as
-- DynamoDB does (a ValidationException otherwise): an answer is proof that
-- the condition sent was one DynamoDB accepts.
\! /usr/bin/python3 test/faultctl.py off
\! /usr/bin/python3 test/faultctl.py index Library ByAuthorGenre --hash author,genre --range year --types year=N
\! /usr/bin/python3 test/faultctl.py index Library ByGenreYearPages --hash genre --range year,pages --types year=N,pages=N
\! /usr/bin/python3 test/faultctl.py index Library ByAuthorGenreSk --hash author,genre --range sk,year --types year=N --projection KEYS_ONLY
\getenv proxy DDB_PROXY_ENDPOINT
CREATE SERVER mproxy FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint :'proxy');
CREATE USER MAPPING FOR CURRENT_USER SERVER mproxy
  OPTIONS (access_key_id 'AKIDTEST', secret_access_key 'regress-secret-do-not-print');
CREATE FOREIGN TABLE mbooks (pk text COLLATE "C", sk text COLLATE "C", author text COLLATE "C",
                             year int, title text COLLATE "C", genre text COLLATE "C",
                             pages int, blurb text)
  SERVER mproxy OPTIONS (table 'Library');
CREATE TABLE mbooks_local AS
  SELECT 'BOOK#' || lpad(n::text, 3, '0') COLLATE "C" AS pk, 'META' COLLATE "C" AS sk,
         a COLLATE "C" AS author, CASE WHEN n = 138 THEN 2038 ELSE 1900 + n END AS year,
         initcap(a) || ' volume ' || lpad(n::text, 3, '0') COLLATE "C" AS title,
         (ARRAY['fantasy', 'poetry', 'history'])[n % 3 + 1] COLLATE "C" AS genre,
         100 + n AS pages, 'blurb of ' || lpad(n::text, 3, '0') AS blurb
    FROM generate_series(1, 138) n,
         LATERAL (SELECT CASE WHEN n <= 130 THEN 'ann' WHEN n <= 135 THEN 'bob' ELSE 'cy' END) x(a);
-- the rows of a query on table t that mbooks_local does not have, and the other way round
CREATE FUNCTION mdiffer(t text, cond text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  EXECUTE format('SELECT count(*) FROM ((SELECT * FROM %1$s WHERE %2$s EXCEPT ALL SELECT * FROM mbooks_local WHERE %2$s)
                  UNION ALL (SELECT * FROM mbooks_local WHERE %2$s EXCEPT ALL SELECT * FROM %1$s WHERE %2$s)) d', t, cond)
    INTO n;
  RETURN n;
END $$;

-- DescribeTable is read whole: every attribute of each side of each key
SELECT * FROM ddbrel.describe_table('mproxy', 'Library') ORDER BY index_name NULLS FIRST;

-- both partition-key attributes bound by equality, one term each, and the
-- sort key by a range
EXPLAIN (VERBOSE, COSTS OFF)
SELECT pk, title FROM mbooks WHERE author = 'ann' AND genre = 'poetry' AND year BETWEEN 1910 AND 1950;
\! /usr/bin/python3 test/faultctl.py reset
SELECT ddbrel.stats_reset();
SELECT count(*), min(year), max(year) FROM mbooks
 WHERE author = 'ann' AND genre = 'poetry' AND year BETWEEN 1910 AND 1950;
SELECT * FROM sent();
\set pstats `/usr/bin/python3 test/faultctl.py stats`
SELECT :'pstats'::jsonb -> 'by_op' AS proxy_saw;
SELECT mdiffer('mbooks', $$author = 'ann' AND genre = 'poetry' AND year BETWEEN 1910 AND 1950$$);

-- two sort-key attributes: the first by equality, the second by a range
EXPLAIN (VERBOSE, COSTS OFF)
SELECT pk FROM mbooks WHERE genre = 'history' AND year = 2034 AND pages > 200;
SELECT ddbrel.stats_reset();
SELECT pk, year, pages FROM mbooks WHERE genre = 'history' AND year = 2034 AND pages > 200;
SELECT * FROM sent();
SELECT mdiffer('mbooks', $$genre = 'history' AND year = 2034 AND pages > 200$$);
-- every key attribute by equality
SELECT ddbrel.stats_reset();
SELECT pk FROM mbooks WHERE author = 'ann' AND genre = 'fantasy' AND year = 1903;
SELECT * FROM sent();

-- items sort by the sort-key attributes in turn: ORDER BY the first one
-- (or the next after those bound by equality) is DynamoDB's, with LIMIT
EXPLAIN (COSTS OFF)
SELECT pk, year FROM mbooks WHERE author = 'ann' AND genre = 'fantasy' AND year > 0 ORDER BY year DESC LIMIT 3;
SELECT ddbrel.stats_reset();
SELECT pk, year FROM mbooks WHERE author = 'ann' AND genre = 'fantasy' AND year > 0 ORDER BY year DESC LIMIT 3;
SELECT * FROM sent();
SELECT pk, year FROM mbooks_local WHERE author = 'ann' AND genre = 'fantasy' AND year > 0 ORDER BY year DESC LIMIT 3;
EXPLAIN (COSTS OFF)
SELECT pk FROM mbooks WHERE genre = 'fantasy' AND year = 1903 AND pages > 0 ORDER BY pages;
-- but not ORDER BY the second when the first is free: a Sort
EXPLAIN (COSTS OFF)
SELECT pk FROM mbooks WHERE genre = 'fantasy' AND year > 1990 AND pages > 0 ORDER BY pages LIMIT 3;
SELECT pk FROM mbooks WHERE genre = 'fantasy' AND year > 1990 AND pages > 0 ORDER BY pages LIMIT 3;
SELECT pk FROM mbooks_local WHERE genre = 'fantasy' AND year > 1990 AND pages > 0 ORDER BY pages LIMIT 3;

-- never used when a partition-key attribute is not bound by equality: with
-- the index pinned, these are Scans
ALTER FOREIGN TABLE mbooks OPTIONS (ADD index 'ByAuthorGenre');
EXPLAIN (COSTS OFF) SELECT pk FROM mbooks WHERE author = 'ann' AND year = 1904;
EXPLAIN (COSTS OFF) SELECT pk FROM mbooks WHERE genre = 'poetry' AND year = 1904;
EXPLAIN (COSTS OFF) SELECT pk FROM mbooks WHERE author = 'ann' AND genre IN ('poetry', 'history') AND year > 0;
EXPLAIN (COSTS OFF) SELECT pk FROM mbooks WHERE author = 'ann' AND genre > 'h' AND year > 0;
\! /usr/bin/python3 test/faultctl.py reset
SELECT ddbrel.stats_reset();
SELECT count(*) FROM mbooks WHERE author = 'ann' AND genre IN ('poetry', 'history') AND year > 0;
SELECT * FROM sent();
\set pstats `/usr/bin/python3 test/faultctl.py stats`
SELECT :'pstats'::jsonb -> 'by_op' AS proxy_saw;
SELECT mdiffer('mbooks', $$author = 'ann' AND genre IN ('poetry', 'history') AND year > 0$$);
-- nor when a sort-key attribute no condition names might be missing (an
-- item without it is not in the index)
EXPLAIN (COSTS OFF) SELECT pk FROM mbooks WHERE author = 'ann' AND genre = 'poetry';
ALTER FOREIGN TABLE mbooks OPTIONS (SET index 'ByGenreYearPages');
EXPLAIN (COSTS OFF) SELECT pk FROM mbooks WHERE genre = 'poetry' AND year > 1990;
-- the full-scan guard names every partition-key attribute of the index
ALTER FOREIGN TABLE mbooks OPTIONS (SET index 'ByAuthorGenre', ADD allow_full_scan 'false');
SELECT pk FROM mbooks WHERE author = 'ann';
ALTER FOREIGN TABLE mbooks OPTIONS (DROP allow_full_scan, DROP index);

-- a KEYS_ONLY index whose first sort-key attribute is the table's sort key
-- (on every item): year, out of turn, is checked here; the items are fetched
CREATE FOREIGN TABLE mbooks_sk (pk text COLLATE "C", sk text COLLATE "C", author text COLLATE "C",
                                year int, title text COLLATE "C", genre text COLLATE "C",
                                pages int, blurb text)
  SERVER mproxy OPTIONS (table 'Library', index 'ByAuthorGenreSk');
EXPLAIN (VERBOSE, COSTS OFF)
SELECT pk, blurb FROM mbooks_sk WHERE author = 'ann' AND genre = 'poetry' AND year = 1904;
\! /usr/bin/python3 test/faultctl.py reset
SELECT ddbrel.stats_reset();
SELECT pk, blurb FROM mbooks_sk WHERE author = 'ann' AND genre = 'poetry' AND year = 1904;
SELECT * FROM sent();
\set pstats `/usr/bin/python3 test/faultctl.py stats`
SELECT :'pstats'::jsonb -> 'by_op' AS proxy_saw;
-- in turn, the table's sort key by equality and year by a range
EXPLAIN (VERBOSE, COSTS OFF)
SELECT pk, blurb FROM mbooks_sk WHERE author = 'ann' AND genre = 'poetry' AND sk = 'META' AND year < 1920;
SELECT ddbrel.stats_reset();
SELECT pk, blurb FROM mbooks_sk WHERE author = 'ann' AND genre = 'poetry' AND sk = 'META' AND year < 1920
 ORDER BY pk;
SELECT * FROM sent();
SELECT mdiffer('mbooks_sk', $$author = 'ann' AND genre = 'poetry' AND sk = 'META' AND year < 1920$$);

DROP FOREIGN TABLE mbooks, mbooks_sk;
DROP SERVER mproxy CASCADE;
DROP TABLE mbooks_local;
DROP FUNCTION mdiffer(text, text);
\! /usr/bin/python3 test/faultctl.py index Library ByAuthorGenre --drop
\! /usr/bin/python3 test/faultctl.py index Library ByGenreYearPages --drop
\! /usr/bin/python3 test/faultctl.py index Library ByAuthorGenreSk --drop
