-- Faults: through test/faultproxy.py (throttling, 5xx, connection resets
-- before and after forwarding, delays past request_timeout, truncated and
-- invalid JSON answers), reads return exactly the rows they return without
-- faults; a write that may have been applied is not repeated; when the
-- retry budget is spent the error says what failed and how many times it
-- was tried.  Then rate limiting and TLS options.
CREATE SCHEMA faults;
SET search_path = faults, public;
\getenv proxy DDB_PROXY_ENDPOINT
\getenv proxy_tls DDB_PROXY_TLS_ENDPOINT
\getenv proxy_ca DDB_PROXY_CA

CREATE SERVER fproxy FOREIGN DATA WRAPPER ddbrel
  OPTIONS (endpoint :'proxy', max_retries '10', request_timeout '1000');
CREATE USER MAPPING FOR CURRENT_USER SERVER fproxy
  OPTIONS (access_key_id 'AKIDTEST', secret_access_key 'faults-secret');
CREATE FOREIGN TABLE pages1 (id text, n int, pad text)
  SERVER fproxy OPTIONS (table 'Pages');
CREATE FOREIGN TABLE pages4 (id text, n int, pad text)
  SERVER fproxy OPTIONS (table 'Pages', parallel_segments '4');
CREATE FOREIGN TABLE users (user_id text, name text, email text)
  SERVER fproxy OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'USER#{user_id}');
CREATE FOREIGN TABLE orders (user_id text, order_id text, total numeric, status text)
  SERVER fproxy OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'ORDER#{order_id}');
CREATE FOREIGN TABLE app_items (pk text OPTIONS (attribute 'PK'), sk text OPTIONS (attribute 'SK'),
                                item jsonb OPTIONS (document 'true'))
  SERVER fproxy OPTIONS (table 'AppData');

-- Runs a statement; says how many rows, or the error: the proxy's address
-- masked (it changes from run to run), the detail up to the number of
-- tries, and the context lines ddbrel adds.
CREATE FUNCTION try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
  st text;
  msg text;
  det text;
  ctx text;
BEGIN
  EXECUTE stmt;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN format('ok, %s rows', n);
EXCEPTION WHEN others THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                          det = PG_EXCEPTION_DETAIL, ctx = PG_EXCEPTION_CONTEXT;
  RETURN regexp_replace(
    format(E'%s: %s\nDETAIL: %s\nCONTEXT: %s', st, msg,
           coalesce(substring(det FROM '^(.*?tried [0-9]+ times?\)\.?)'), det),
           (SELECT string_agg(l, E'\n') FROM regexp_split_to_table(ctx, E'\n') l
             WHERE l LIKE 'DynamoDB%')),
    '127\.0\.0\.1:[0-9]+', 'PROXY', 'g');
END
$$;

-- Every read of the test, one row each: the number of rows and a digest of
-- their whole content.
CREATE FUNCTION reads() RETURNS TABLE (q text, nrows bigint, digest text)
LANGUAGE sql AS $$
  SELECT 'Scan Pages, 1 segment', count(*),
         md5(string_agg(id || ':' || n || ':' || md5(pad), ',' ORDER BY id)) FROM pages1
  UNION ALL
  SELECT 'Scan Pages, 4 segments', count(*),
         md5(string_agg(id || ':' || n || ':' || md5(pad), ',' ORDER BY id)) FROM pages4
  UNION ALL
  SELECT 'GetItem Pages', count(*), md5(string_agg(id || ':' || n || ':' || pad, ','))
    FROM pages1 WHERE id = 'p2042'
  UNION ALL
  SELECT 'BatchGetItem Pages, 250 keys', count(*),
         md5(string_agg(id || ':' || n || ':' || md5(pad), ',' ORDER BY id))
    FROM pages1 WHERE id = ANY (ARRAY(SELECT 'p' || lpad((i * 7)::text, 4, '0')
                                        FROM generate_series(1, 250) i))
  UNION ALL
  SELECT 'GetItem users', count(*), md5(string_agg(format('%s', u), ','))
    FROM users u WHERE user_id = '123'
  UNION ALL
  SELECT 'BatchGetItem users', count(*), md5(string_agg(format('%s', u), ',' ORDER BY user_id))
    FROM users u WHERE user_id IN ('123', '456', '789', '999')
  UNION ALL
  SELECT 'Query orders', count(*), md5(string_agg(format('%s', o), ',' ORDER BY order_id))
    FROM orders o WHERE user_id = '123'
  UNION ALL
  SELECT 'Query orders on GSI1', count(*), md5(string_agg(format('%s', o), ','))
    FROM orders o WHERE order_id = '1002'
  UNION ALL
  SELECT 'Scan AppData', count(*), md5(string_agg(format('%s', a), ',' ORDER BY pk, sk))
    FROM app_items a
$$;

-- the truth, read without faults
CREATE TABLE truth AS SELECT * FROM reads();
SELECT q, nrows FROM truth ORDER BY q;

-- each kind of fault once (every other request of the next eighteen), then
-- three rounds at a 10% rate mixing every kind; delays (1.5 s) outlast
-- request_timeout (1 s)
CREATE TABLE rounds (round int, q text, nrows bigint, digest text);
SELECT ddbrel.stats_reset();
\! /usr/bin/python3 test/faultctl.py reset
\! /usr/bin/python3 test/faultctl.py script throughput none throttling none 500 none 503 none reset_before none reset_after none delay none truncate none badjson --delay-ms 1500
INSERT INTO rounds SELECT 0, * FROM reads();
\set pstats `/usr/bin/python3 test/faultctl.py stats`
SELECT jsonb_object_keys(:'pstats'::jsonb -> 'injected') AS injected_once ORDER BY 1;
\! /usr/bin/python3 test/faultctl.py rate 0.1 --seed 7 --delay-ms 1500
INSERT INTO rounds SELECT 1, * FROM reads();
INSERT INTO rounds SELECT 2, * FROM reads();
INSERT INTO rounds SELECT 3, * FROM reads();
\! /usr/bin/python3 test/faultctl.py off
\set pstats `/usr/bin/python3 test/faultctl.py stats`
-- the same rows every round
SELECT round, count(*) AS reads, count(*) FILTER (WHERE r.nrows = t.nrows AND r.digest = t.digest) AS same
  FROM rounds r JOIN truth t USING (q) GROUP BY round ORDER BY round;
-- faults were injected and retried, nothing failed
SELECT (:'pstats'::jsonb ->> 'injected_total')::int > 9 AS faults_injected,
       (SELECT sum(retries) FROM ddbrel.stats()) >= (:'pstats'::jsonb ->> 'injected_total')::int
         AS every_fault_retried;

-- faults on every request of one operation: after max_retries (3) the error
-- names the failure and the number of tries; other operations still work
ALTER SERVER fproxy OPTIONS (SET max_retries '3', SET request_timeout '30000');
\! /usr/bin/python3 test/faultctl.py rate 1 --kinds throttling --ops Query
SELECT try($$SELECT * FROM orders WHERE user_id = '123'$$);
SELECT count(*) FROM users;
\! /usr/bin/python3 test/faultctl.py rate 1 --kinds throughput --ops GetItem
SELECT try($$SELECT * FROM users WHERE user_id = '123'$$);
\! /usr/bin/python3 test/faultctl.py rate 1 --kinds 500 --ops BatchGetItem
SELECT try($$SELECT * FROM users WHERE user_id IN ('123', '456')$$);
\! /usr/bin/python3 test/faultctl.py rate 1 --kinds 503 --ops Scan
SELECT try($$SELECT count(*) FROM app_items$$);
\! /usr/bin/python3 test/faultctl.py rate 1 --kinds reset_before --ops Query
SELECT try($$SELECT * FROM orders WHERE user_id = '123'$$);
\! /usr/bin/python3 test/faultctl.py rate 1 --kinds reset_after --ops GetItem
SELECT try($$SELECT * FROM users WHERE user_id = '123'$$);
\! /usr/bin/python3 test/faultctl.py rate 1 --kinds truncate --ops Scan
SELECT try($$SELECT count(*) FROM app_items$$);
\! /usr/bin/python3 test/faultctl.py rate 1 --kinds badjson --ops Query
SELECT try($$SELECT * FROM orders WHERE order_id = '1001'$$);
ALTER SERVER fproxy OPTIONS (SET max_retries '1', SET request_timeout '500');
\! /usr/bin/python3 test/faultctl.py rate 1 --kinds delay --delay-ms 1000 --ops GetItem
SELECT try($$SELECT * FROM users WHERE user_id = '123'$$);
\! /usr/bin/python3 test/faultctl.py off
ALTER SERVER fproxy OPTIONS (SET max_retries '3', SET request_timeout '30000');
-- the backend is fine
SELECT * FROM users WHERE user_id = '123';
SELECT count(*), sum(n) FROM pages4;

-- writes: one whose request reached DynamoDB (or may have) is not repeated
-- unless it is idempotent; throttled ones are.  An atomic counter shows it,
-- written as the statement runs (in a transaction it is exactly-once:
-- sql/51_exactly_once.sql).
SET ddbrel.write_mode = 'immediate';
SELECT ddbrel.request('ddb', 'CreateTable', '{"TableName": "FaultWrites",
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "BillingMode": "PAY_PER_REQUEST"}') ->> 'TableDescription' IS NOT NULL AS created;
CREATE FOREIGN TABLE counters (id text, n int) SERVER fproxy OPTIONS (table 'FaultWrites');
INSERT INTO counters VALUES ('k', 0);
-- the answer is lost after DynamoDB applied the increment: not repeated
\! /usr/bin/python3 test/faultctl.py script reset_after --ops UpdateItem
SELECT try($$UPDATE counters SET n = n + 1 WHERE id = 'k'$$);
SELECT n AS applied_once FROM counters WHERE id = 'k';
-- a 500 (DynamoDB may have applied it): not repeated either
\! /usr/bin/python3 test/faultctl.py script 500 --ops UpdateItem
SELECT try($$UPDATE counters SET n = n + 1 WHERE id = 'k'$$);
SELECT n AS not_applied FROM counters WHERE id = 'k';
-- throttled twice: DynamoDB did nothing, so it is retried and applied once
\! /usr/bin/python3 test/faultctl.py script throttling throughput --ops UpdateItem
SELECT try($$UPDATE counters SET n = n + 1 WHERE id = 'k'$$);
SELECT n AS applied_once_more FROM counters WHERE id = 'k';

RESET ddbrel.write_mode;

-- rate limiting: a Pages scan in 4 segments at 4 requests per second takes
-- about 2 s; the proxy sees its requests spaced 250 ms apart (asserted with
-- scheduler slack: at least 150 ms, 200 ms on average)
CREATE FOREIGN TABLE pages_slow (id text, n int, pad text)
  SERVER fproxy OPTIONS (table 'Pages', parallel_segments '4', max_requests_per_second '4');
-- (planning's DescribeTable, not limited by the table's option, before)
SELECT n FROM pages_slow WHERE id = 'p0001';
SELECT ddbrel.stats_reset();
\! /usr/bin/python3 test/faultctl.py reset
SELECT count(*), sum(n) FROM pages_slow;
\set pstats `/usr/bin/python3 test/faultctl.py stats`
SELECT (:'pstats'::jsonb ->> 'requests')::int > 4 AS several_requests,
       (:'pstats'::jsonb ->> 'requests')::int = (SELECT sum(requests) FROM ddbrel.stats()) AS all_seen,
       (:'pstats'::jsonb ->> 'min_spacing_ms')::numeric >= 150 AS spaced,
       (:'pstats'::jsonb ->> 'mean_spacing_ms')::numeric >= 200 AS spaced_on_average;
-- the server option, for tables without their own
ALTER SERVER fproxy OPTIONS (ADD max_requests_per_second '4');
SELECT ddbrel.stats_reset();
\! /usr/bin/python3 test/faultctl.py reset
SELECT count(*) FROM users WHERE user_id IN ('123', '456', '789');
SELECT count(*) FROM orders WHERE user_id = '123';
SELECT count(*) FROM orders WHERE user_id = '456';
SELECT count(*) FROM users WHERE user_id = '789';
\set pstats `/usr/bin/python3 test/faultctl.py stats`
SELECT (:'pstats'::jsonb ->> 'requests')::int >= 4 AS several_requests,
       (:'pstats'::jsonb ->> 'min_spacing_ms')::numeric >= 150 AS spaced;
ALTER SERVER fproxy OPTIONS (DROP max_requests_per_second);
-- option values are checked
ALTER FOREIGN TABLE pages_slow OPTIONS (SET max_requests_per_second '-1');
ALTER SERVER fproxy OPTIONS (ADD max_requests_per_second 'fast');

-- TLS: the proxy's HTTPS port has a self-signed certificate
CREATE SERVER ftls FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint :'proxy_tls');
CREATE USER MAPPING FOR CURRENT_USER SERVER ftls
  OPTIONS (access_key_id 'AKIDTEST', secret_access_key 'faults-secret');
CREATE FOREIGN TABLE tls_users (user_id text, name text)
  SERVER ftls OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'USER#{user_id}');
-- verified by default: refused, and not retried
SELECT try($$SELECT * FROM tls_users WHERE user_id = '123'$$);
-- a CA file that signs it
ALTER SERVER ftls OPTIONS (ADD ca_file :'proxy_ca');
SELECT * FROM tls_users WHERE user_id = '123';
-- verification off
ALTER SERVER ftls OPTIONS (DROP ca_file, ADD verify_tls 'false');
SELECT * FROM tls_users WHERE user_id = '456';
ALTER SERVER ftls OPTIONS (SET verify_tls 'maybe');
-- both are for superusers only
CREATE ROLE faults_plain;
GRANT USAGE ON SCHEMA faults TO faults_plain;
GRANT USAGE ON FOREIGN SERVER ftls TO faults_plain;
GRANT SELECT ON tls_users TO faults_plain;
CREATE USER MAPPING FOR faults_plain SERVER ftls
  OPTIONS (access_key_id 'AKIDPLAIN', secret_access_key 'plain-secret');
SET ROLE faults_plain;
SELECT * FROM tls_users WHERE user_id = '123';
RESET ROLE;
ALTER SERVER ftls OPTIONS (DROP verify_tls, ADD ca_file :'proxy_ca');
SET ROLE faults_plain;
SELECT * FROM tls_users WHERE user_id = '123';
RESET ROLE;
-- with the system CA bundle, the plain role gets the certificate error too
ALTER SERVER ftls OPTIONS (DROP ca_file);
SET ROLE faults_plain;
SELECT try($$SELECT * FROM tls_users WHERE user_id = '123'$$);
RESET ROLE;

DROP USER MAPPING FOR faults_plain SERVER ftls;
DROP OWNED BY faults_plain;
DROP ROLE faults_plain;
SELECT ddbrel.request('ddb', 'DeleteTable', '{"TableName": "FaultWrites"}') IS NOT NULL AS dropped;
