-- Savepoints: the requests of a scan aborted inside a savepoint stop when
-- the savepoint is rolled back (no more retries, no more rate-limit
-- tokens), instead of going on until the transaction ends; a cursor of the
-- outer transaction read inside the savepoint still reads on afterwards.
CREATE SCHEMA savepoints;
SET search_path = savepoints, public;
\getenv proxy DDB_PROXY_ENDPOINT
CREATE SERVER sproxy FOREIGN DATA WRAPPER ddbrel
  OPTIONS (endpoint :'proxy', max_retries '10');
CREATE USER MAPPING FOR CURRENT_USER SERVER sproxy
  OPTIONS (access_key_id 'AKIDSAVE', secret_access_key 'savepoint-secret');
CREATE FOREIGN TABLE pages4 (id text, n int)
  SERVER sproxy OPTIONS (table 'Pages', parallel_segments '4');
CREATE FOREIGN TABLE users (user_id text, name text, email text)
  SERVER sproxy OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'USER#{user_id}');
\! /usr/bin/python3 test/faultctl.py off
SELECT count(*), sum(n) FROM pages4;
SELECT name FROM users WHERE user_id = '123';

-- every Scan is throttled: the four segments retry with backoff until the
-- statement times out waiting for the first
BEGIN;
SAVEPOINT s;
\! /usr/bin/python3 test/faultctl.py rate 1 --kinds throttling --ops Scan
SET LOCAL statement_timeout = '300ms';
SELECT count(*) FROM pages4;
ROLLBACK TO SAVEPOINT s;
-- the other segments' requests stopped with the savepoint: a query that
-- keeps the connection busy for 1.5 s sends no Scan (their retries were
-- due long before), only its GetItem
\! /usr/bin/python3 test/faultctl.py reset
SELECT ddbrel.stats_reset();
\! /usr/bin/python3 test/faultctl.py script delay:1500 --ops GetItem
SELECT name FROM users WHERE user_id = '123';
\set pstats `/usr/bin/python3 test/faultctl.py stats`
SELECT :'pstats'::jsonb -> 'by_op' AS proxy_saw;
SELECT operation, requests, retries FROM ddbrel.stats() ORDER BY 1;
COMMIT;

-- a cursor opened before the savepoint and read inside it: its next pages
-- were in flight (every Scan answer is held back 300 ms) when the
-- savepoint was rolled back; it reads on, every row once
CREATE FUNCTION drain(c refcursor) RETURNS TABLE (nrows bigint, total bigint)
LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  nrows := 0;
  total := 0;
  LOOP
    FETCH c INTO r;
    EXIT WHEN NOT FOUND;
    nrows := nrows + 1;
    total := total + r.n;
  END LOOP;
  RETURN NEXT;
END
$$;
\! /usr/bin/python3 test/faultctl.py rate 1 --kinds delay --delay-ms 300 --ops Scan
BEGIN;
DECLARE c CURSOR FOR SELECT id, n FROM pages4;
SAVEPOINT s;
MOVE 10 IN c;
ROLLBACK TO SAVEPOINT s;
\! /usr/bin/python3 test/faultctl.py off
SELECT nrows + 10 AS rows_read, nrows = 2990 AS every_row_once FROM drain('c');
COMMIT;
