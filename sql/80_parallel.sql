-- Parallel query: the participants of a Gather (the leader and its
-- workers) share the segments of a full Scan through dynamic shared
-- memory, each segment read by one of them.
-- Pages: 3000 items of ~1.5 KB.
CREATE FOREIGN TABLE par_pages (id text, n int, pad text) SERVER ddb OPTIONS (table 'Pages');
CREATE FOREIGN TABLE par_app (pk text OPTIONS (attribute 'PK'), sk text OPTIONS (attribute 'SK'))
  SERVER ddb OPTIONS (table 'AppData');

-- the serial answers to compare with: a count, a sum, a checksum of rows
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial_answer AS
  SELECT count(*) AS c, sum(n) AS s, sum(hashtext(id || ':' || n || ':' || pad)) AS h
    FROM par_pages;
SELECT c, s FROM serial_answer;

-- The number of workers comes from the size DynamoDB reports for the
-- table: below min_parallel_table_scan_size (8 MB), none.
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT count(*) FROM par_pages;
-- without that threshold, at least one (dynalite reports a size of 0)
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 1;
EXPLAIN (COSTS OFF) SELECT count(*) FROM par_pages;
RESET min_parallel_table_scan_size;

-- The table option parallel_workers sets the number, whatever the size;
-- the cost model, with PostgreSQL's default costs, chooses the parallel
-- plan where the workers reduce the rows (an aggregate) ...
SET max_parallel_workers_per_gather = 2;
ALTER FOREIGN TABLE par_pages OPTIONS (ADD parallel_workers '2');
EXPLAIN (COSTS OFF) SELECT count(*) FROM par_pages;
-- ... and not where every row would pass through the Gather
EXPLAIN (COSTS OFF) SELECT id, n FROM par_pages;
-- max_parallel_workers_per_gather decides first
SET max_parallel_workers_per_gather = 0;
EXPLAIN (COSTS OFF) SELECT count(*) FROM par_pages;
SET max_parallel_workers_per_gather = 2;
-- parallel_workers '0': never
ALTER FOREIGN TABLE par_pages OPTIONS (SET parallel_workers '0');
EXPLAIN (COSTS OFF) SELECT count(*) FROM par_pages;
ALTER FOREIGN TABLE par_pages OPTIONS (SET parallel_workers '2');
-- a request rate or a read capacity budget is kept per backend: serial
CREATE FOREIGN TABLE par_paced (id text, n int)
  SERVER ddb OPTIONS (table 'Pages', parallel_workers '2', read_capacity '1000');
EXPLAIN (COSTS OFF) SELECT count(*) FROM par_paced;
ALTER FOREIGN TABLE par_paced OPTIONS (DROP read_capacity, ADD max_requests_per_second '1000');
EXPLAIN (COSTS OFF) SELECT count(*) FROM par_paced;
ALTER FOREIGN TABLE par_paced OPTIONS (DROP max_requests_per_second);
EXPLAIN (COSTS OFF) SELECT count(*) FROM par_paced;
ALTER FOREIGN TABLE par_pages OPTIONS (ADD parallel_workers_x '2');
ALTER FOREIGN TABLE par_pages OPTIONS (SET parallel_workers '-1');

-- with the costs of parallelism at zero: 4 segments per participant (two
-- workers and the leader)
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
EXPLAIN (COSTS OFF) SELECT sum(n), sum(hashtext(id || ':' || n || ':' || pad)) FROM par_pages;
-- Query, GetItem and BatchGetItem stay serial
ALTER FOREIGN TABLE par_app OPTIONS (ADD parallel_workers '1');
EXPLAIN (COSTS OFF) SELECT count(*) FROM par_app WHERE pk = 'USER#1';
EXPLAIN (COSTS OFF) SELECT count(*) FROM par_app WHERE pk = 'USER#1' AND sk = 'USER#1';
EXPLAIN (COSTS OFF) SELECT count(*) FROM par_app WHERE pk = 'USER#1' AND sk IN ('USER#1', 'ORDER#1');

-- the same answers as one backend; every segment read once
SELECT ddbrel.stats_reset();
SELECT count(*) = c AS same_count, sum(n) = s AS same_sum,
       sum(hashtext(id || ':' || n || ':' || pad)) = h AS same_checksum
  FROM par_pages, (SELECT * FROM serial_answer) a GROUP BY c, s, h;
SELECT operation, requests >= 12 AS each_segment, scanned, returned FROM sent();
-- count(*) sends Select=COUNT, each participant counting its segments
SELECT ddbrel.stats_reset();
SELECT count(*) FROM par_pages;
SELECT operation, requests >= 12 AS each_segment, scanned FROM sent();
-- no item twice, none missing
SELECT n FROM generate_series(1, 3000) n EXCEPT SELECT n FROM par_pages;
SELECT n, count(*) FROM par_pages GROUP BY n HAVING count(*) > 1;

-- a small table (one worker, 8 segments), one page per segment: exactly
-- one request per segment
EXPLAIN (COSTS OFF) SELECT count(*) FROM par_app WHERE sk LIKE 'ORDER#%';
SELECT ddbrel.stats_reset();
SELECT count(*) FROM par_app WHERE sk LIKE 'ORDER#%';
SELECT * FROM sent();

-- only workers read (the leader does not take part): the user mapping is
-- found and the connection made in each worker, and what they sent is
-- counted
SET parallel_leader_participation = off;
SELECT ddbrel.stats_reset();
SELECT count(*) = c AS same_count, sum(hashtext(id || ':' || n || ':' || pad)) = h AS same_checksum
  FROM par_pages, (SELECT * FROM serial_answer) a GROUP BY c, h;
SELECT operation, scanned, returned FROM sent();
-- and what they consumed of the table's capacity reaches ddbrel.capacity()
-- as it reaches ddbrel.stats(): the same answers, the same units
SELECT r.read_units > 0 AS consumed,
       round(r.read_units::numeric, 6) = round((SELECT sum(capacity_units) FROM ddbrel.stats())::numeric, 6) AS same_units
  FROM ddbrel.capacity() r WHERE r."table" = 'Pages';
RESET parallel_leader_participation;

-- Workers read the user mapping of the user the leader reads as: here a
-- view's owner, where the reader has no mapping of its own.
CREATE ROLE par_owner;
CREATE ROLE par_reader;
CREATE SCHEMA par_views;
GRANT USAGE ON SCHEMA par_views TO par_owner, par_reader;
GRANT CREATE ON SCHEMA par_views TO par_owner;
GRANT USAGE ON FOREIGN SERVER ddb TO par_owner;
CREATE USER MAPPING FOR par_owner SERVER ddb
  OPTIONS (access_key_id 'AKIDPAROWNER', secret_access_key 'par-owner-secret');
SET ROLE par_owner;
CREATE FOREIGN TABLE par_views.pages (id text, n int, pad text)
  SERVER ddb OPTIONS (table 'Pages', parallel_workers '2');
CREATE VIEW par_views.page_numbers AS SELECT n FROM par_views.pages;
GRANT SELECT ON par_views.page_numbers TO par_reader;
RESET ROLE;
SET ROLE par_reader;
SET parallel_leader_participation = off;
-- the reader cannot read the table itself
\set VERBOSITY terse
SELECT count(*) FROM par_views.pages;
\set VERBOSITY default
-- but through the view, the workers read it as the owner
EXPLAIN (COSTS OFF) SELECT sum(n) FROM par_views.page_numbers;
SELECT count(*), sum(n) FROM par_views.page_numbers;
RESET parallel_leader_participation;
RESET ROLE;
DROP SCHEMA par_views CASCADE;
DROP USER MAPPING FOR par_owner SERVER ddb;
REVOKE USAGE ON FOREIGN SERVER ddb FROM par_owner;
DROP ROLE par_owner;
DROP ROLE par_reader;

-- a LIMIT is never sent to the participants (no "DynamoDB Limit")
EXPLAIN (COSTS OFF) SELECT count(*) FROM (SELECT id FROM par_pages LIMIT 2000) s;
SELECT count(*) FROM (SELECT id FROM par_pages LIMIT 2000) s;

-- a rescan: the inner side of a nested loop, the Gather run once per row
-- of a temporary table (which a worker cannot read)
CREATE TEMP TABLE par_keys (k int);
INSERT INTO par_keys VALUES (0), (1), (2);
ANALYZE par_keys;
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SET enable_material = off;
EXPLAIN (COSTS OFF)
SELECT k, count(*), sum(n) FROM par_keys JOIN par_pages ON n % 3 = k GROUP BY k ORDER BY k;
SELECT ddbrel.stats_reset();
SELECT k, count(*), sum(n) FROM par_keys JOIN par_pages ON n % 3 = k GROUP BY k ORDER BY k;
SELECT operation, scanned FROM sent();
RESET enable_hashjoin;
RESET enable_mergejoin;
RESET enable_material;

-- an error in a worker reaches the client as the error it is
CREATE FOREIGN TABLE par_bad (id text, n numeric(3, 0))
  SERVER ddb OPTIONS (table 'Pages', parallel_workers '2');
SET parallel_leader_participation = off;
SELECT ddbrel.stats_reset();
\set VERBOSITY terse
SELECT sum(n) FROM par_bad;
\set VERBOSITY default
RESET parallel_leader_participation;
-- what the failed workers sent before the error is counted: the one that
-- failed had read a page at least (the leader read nothing)
SELECT operation, requests > 0 AS counted, scanned > 0 AS scanned FROM sent();
SELECT r.read_units > 0 AS consumed,
       round(r.read_units::numeric, 6) = round((SELECT sum(capacity_units) FROM ddbrel.stats())::numeric, 6) AS same_units
  FROM ddbrel.capacity() r WHERE r."table" = 'Pages';
-- and the backend goes on
SELECT count(*) FROM par_pages;

-- Writes a transaction holds (not sent before COMMIT) are known to its own
-- backend only.  Such a transaction plans serial scans, and its reads show
-- the writes; a parallel plan cached before the writes is read by the
-- leader alone, and refused where the leader takes no part in its Gather.
CREATE FOREIGN TABLE par_held (id text, n int, pad text)
  SERVER ddb OPTIONS (table 'Pages', parallel_workers '2');
PREPARE par_count AS SELECT count(*) - (SELECT c FROM serial_answer) AS more_than_serial FROM par_held;
EXPLAIN (COSTS OFF) EXECUTE par_count;
EXECUTE par_count;
BEGIN;
INSERT INTO par_held (id, n, pad) VALUES ('par-held-1', -1, 'held');
EXPLAIN (COSTS OFF) SELECT count(*) FROM par_held;
SELECT count(*) - (SELECT c FROM serial_answer) AS more_than_serial FROM par_held;
-- the plan cached before the write is still a Gather: the leader reads it all
EXPLAIN (COSTS OFF) EXECUTE par_count;
EXECUTE par_count;
SET LOCAL parallel_leader_participation = off;
EXECUTE par_count;
ROLLBACK;
-- nothing was written
SELECT ddbrel.stats_reset();
EXECUTE par_count;
SELECT sum(requests) FILTER (WHERE operation = 'PutItem') AS puts FROM ddbrel.stats();
DEALLOCATE par_count;

RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
