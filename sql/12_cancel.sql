-- Cancel and resources: statement_timeout and pg_cancel_backend interrupt a
-- request the proxy holds back for 5 s within a second, and the next query
-- on the connection works; failed queries leave no file descriptor behind;
-- 1000 queries leave the backend's memory where it was.
CREATE SCHEMA cancel;
SET search_path = cancel, public;
\getenv proxy DDB_PROXY_ENDPOINT

CREATE SERVER cproxy FOREIGN DATA WRAPPER ddbrel
  OPTIONS (endpoint :'proxy', max_retries '1');
CREATE USER MAPPING FOR CURRENT_USER SERVER cproxy
  OPTIONS (access_key_id 'AKIDTEST', secret_access_key 'cancel-secret');
CREATE FOREIGN TABLE users (user_id text, name text, email text)
  SERVER cproxy OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'USER#{user_id}');
CREATE FOREIGN TABLE orders (user_id text, order_id text, total numeric, status text)
  SERVER cproxy OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'ORDER#{order_id}');
CREATE FOREIGN TABLE app_items (pk text OPTIONS (attribute 'PK'), sk text OPTIONS (attribute 'SK'),
                                item jsonb OPTIONS (document 'true'))
  SERVER cproxy OPTIONS (table 'AppData');
CREATE FOREIGN TABLE pages4 (id text, n int)
  SERVER cproxy OPTIONS (table 'Pages', parallel_segments '4');
CREATE FOREIGN TABLE nosuch (id text) SERVER cproxy OPTIONS (table 'NoSuchTable');
SELECT * FROM users WHERE user_id = '123';

-- statement_timeout: the error is PostgreSQL's, long before the answer
\! /usr/bin/python3 test/faultctl.py script delay:5000 --ops GetItem
SELECT clock_timestamp() AS t0 \gset
SET statement_timeout = '500ms';
SELECT * FROM users WHERE user_id = '456';
RESET statement_timeout;
SELECT clock_timestamp() - :'t0' < interval '3 s' AS interrupted_promptly;
SELECT * FROM users WHERE user_id = '456';

-- pg_cancel_backend from another session (test/faultctl.py waits for the
-- query marked cancel-me to run, then cancels it)
SET application_name = 'ddbrel_cancel_victim';
\! /usr/bin/python3 test/faultctl.py script delay:5000 --ops Query
SELECT clock_timestamp() AS t0 \gset
\! /usr/bin/python3 test/faultctl.py cancel ddbrel_cancel_victim &
SELECT /* cancel-me */ * FROM orders WHERE user_id = '123';
SELECT clock_timestamp() - :'t0' < interval '3 s' AS interrupted_promptly;
RESET application_name;
SELECT order_id, total FROM orders WHERE user_id = '123' ORDER BY order_id;

-- a scan with four requests in flight, cancelled, then the same scan
SELECT count(*) FROM pages4;
\! /usr/bin/python3 test/faultctl.py rate 1 --kinds delay --delay-ms 5000 --ops Scan
SET statement_timeout = '300ms';
SELECT count(*) FROM pages4;
RESET statement_timeout;
\! /usr/bin/python3 test/faultctl.py off
SELECT count(*), sum(n) FROM pages4;

-- file descriptors: 20 queries failing in every way (every GetItem faulted
-- until max_retries, a missing table, statement timeouts) leave as many
-- sockets open as before.  A server of its own: its queries run one request at a
-- time, so between queries its pool holds exactly one kept-alive connection.
CREATE SERVER cfd FOREIGN DATA WRAPPER ddbrel
  OPTIONS (endpoint :'proxy', max_retries '1');
CREATE USER MAPPING FOR CURRENT_USER SERVER cfd
  OPTIONS (access_key_id 'AKIDTEST', secret_access_key 'cancel-secret');
CREATE FOREIGN TABLE fd_users (user_id text, name text, email text)
  SERVER cfd OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'USER#{user_id}');
CREATE FOREIGN TABLE fd_orders (user_id text, order_id text, total numeric, status text)
  SERVER cfd OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'ORDER#{order_id}');
CREATE FOREIGN TABLE fd_nosuch (id text) SERVER cfd OPTIONS (table 'NoSuchTable');
-- the backend's open sockets: its file descriptors (/proc/<pid>/fd) that
-- are TCP or unix sockets (PostgreSQL opens and closes relation files as it
-- pleases, so those are not counted)
CREATE FUNCTION sockets() RETURNS int LANGUAGE sql AS $$
  WITH fd AS (
    SELECT substring(pg_read_file('/proc/' || pg_backend_pid() || '/fdinfo/' || f, 0, 4096, true)
                     FROM 'ino:\s*([0-9]+)') AS ino
      FROM pg_ls_dir('/proc/' || pg_backend_pid() || '/fdinfo') f),
  sock AS (
    SELECT (regexp_split_to_array(trim(l), '\s+'))[10] AS ino
      FROM regexp_split_to_table(pg_read_file('/proc/' || pg_backend_pid() || '/net/tcp') ||
                                 pg_read_file('/proc/' || pg_backend_pid() || '/net/tcp6'), E'\n') l
    UNION ALL
    SELECT (regexp_split_to_array(trim(l), '\s+'))[7]
      FROM regexp_split_to_table(pg_read_file('/proc/' || pg_backend_pid() || '/net/unix'), E'\n') l)
  SELECT count(*)::int FROM fd WHERE ino IN (SELECT ino FROM sock)
$$;
-- runs a statement that must fail with a DynamoDB or connection error
CREATE FUNCTION fail(stmt text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE stmt;
  RAISE EXCEPTION 'did not fail: %', stmt;
EXCEPTION WHEN fdw_error OR fdw_table_not_found OR fdw_unable_to_establish_connection
            OR connection_exception OR configuration_limit_exceeded THEN
  NULL;
END
$$;
CREATE TABLE failing AS
  SELECT i, CASE WHEN i % 4 = 0 THEN 'SELECT * FROM cancel.fd_nosuch'
                 ELSE format('SELECT * FROM cancel.fd_users WHERE user_id = %L', i)
            END AS stmt
    FROM generate_series(1, 16) i;
-- once to warm up, then measured
\o /dev/null
\! /usr/bin/python3 test/faultctl.py rate 1 --kinds throttling,500,503,reset_before,reset_after,truncate,badjson --seed 5 --ops GetItem
SELECT cancel.fail(stmt) FROM failing WHERE i <= 8;
\! /usr/bin/python3 test/faultctl.py rate 1 --kinds delay --delay-ms 5000 --ops GetItem
SET statement_timeout = '200ms';
SELECT * FROM fd_users WHERE user_id = '1';
RESET statement_timeout;
\! /usr/bin/python3 test/faultctl.py off
SELECT count(*) FROM fd_orders WHERE user_id = '123';
\o
SELECT sockets() AS sockets_before \gset
\o /dev/null
\! /usr/bin/python3 test/faultctl.py rate 1 --kinds throttling,500,503,reset_before,reset_after,truncate,badjson --seed 5 --ops GetItem
\set ECHO none
SELECT format('SELECT cancel.fail(%L)', stmt) FROM failing ORDER BY i \gexec
\set ECHO all
\! /usr/bin/python3 test/faultctl.py rate 1 --kinds delay --delay-ms 5000 --ops GetItem
SET statement_timeout = '200ms';
SELECT * FROM fd_users WHERE user_id = '2';
SELECT * FROM fd_users WHERE user_id = '3';
SELECT * FROM fd_users WHERE user_id = '4';
SELECT * FROM fd_users WHERE user_id = '5';
RESET statement_timeout;
\! /usr/bin/python3 test/faultctl.py off
SELECT count(*) FROM fd_orders WHERE user_id = '123';
\o
SELECT sockets() - :sockets_before AS sockets_leaked;

-- memory: 1000 queries (GetItem, BatchGetItem, Query, Scan and a failing
-- one, at a 10% fault rate) after 100 to warm up.  RssAnon is the
-- backend's private memory, malloc'd (libcurl, requests in flight) and
-- palloc'd alike; a leak of 1 kB per query would add 1 MB.
CREATE FUNCTION rss_anon_kb() RETURNS bigint LANGUAGE sql AS $$
  SELECT substring(pg_read_file('/proc/' || pg_backend_pid() || '/status')
                   FROM 'RssAnon:\s+([0-9]+) kB')::bigint
$$;
CREATE TABLE queries AS
  SELECT i, CASE i % 5
              WHEN 0 THEN format('SELECT * FROM cancel.users WHERE user_id = %L', 123 + i % 3 * 333)
              WHEN 1 THEN $$SELECT * FROM cancel.users WHERE user_id IN ('123', '456', '789')$$
              WHEN 2 THEN $$SELECT * FROM cancel.orders WHERE user_id = '123'$$
              WHEN 3 THEN 'SELECT count(*) FROM cancel.app_items'
              ELSE $$SELECT cancel.fail('SELECT * FROM cancel.nosuch')$$
            END AS q
    FROM generate_series(1, 1100) i;
ALTER SERVER cproxy OPTIONS (SET max_retries '10');
\! /usr/bin/python3 test/faultctl.py reset
\! /usr/bin/python3 test/faultctl.py rate 0.1 --seed 3 --kinds throttling,500,503,reset_before,reset_after,truncate,badjson
-- (\gexec runs each as a statement of its own; not echoed)
\o /dev/null
\set ECHO none
SELECT q FROM queries WHERE i <= 100 ORDER BY i \gexec
\set ECHO all
\o
SELECT rss_anon_kb() AS rss_before \gset
\o /dev/null
\set ECHO none
SELECT q FROM queries WHERE i > 100 ORDER BY i \gexec
\set ECHO all
\o
\! /usr/bin/python3 test/faultctl.py off
\set pstats `/usr/bin/python3 test/faultctl.py stats`
SELECT rss_anon_kb() - :rss_before AS rss_growth_kb \gset
-- (under valgrind, test/valgrind.sh, RssAnon also counts valgrind's own
-- bookkeeping, which grows: not a leak of ours)
SELECT pg_read_file('/proc/' || pg_backend_pid() || '/maps') LIKE '%vgpreload%' AS valgrind \gset
SELECT :rss_growth_kb < 1024 OR :'valgrind'::boolean AS memory_flat;
SELECT (:'pstats'::jsonb ->> 'injected_total')::int > 50 AS faults_injected;
