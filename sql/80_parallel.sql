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

-- The cost model: a table DynamoDB reports smaller than
-- min_parallel_table_scan_size (8 MB) is read by one backend.
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT count(*) FROM par_pages;

-- with the threshold and the costs of parallelism at zero, the Scan is
-- shared; its segments: 4 per participant (one worker and the leader)
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 1;
EXPLAIN (COSTS OFF) SELECT count(*) FROM par_pages;
EXPLAIN (COSTS OFF) SELECT sum(n), sum(hashtext(id || ':' || n || ':' || pad)) FROM par_pages;
-- Query, GetItem and BatchGetItem stay serial
EXPLAIN (COSTS OFF) SELECT count(*) FROM par_app WHERE pk = 'USER#1';
EXPLAIN (COSTS OFF) SELECT count(*) FROM par_app WHERE pk = 'USER#1' AND sk = 'USER#1';

-- the same answers as one backend; every segment read once
SELECT ddbrel.stats_reset();
SELECT count(*) = c AS same_count, sum(n) = s AS same_sum,
       sum(hashtext(id || ':' || n || ':' || pad)) = h AS same_checksum
  FROM par_pages, (SELECT * FROM serial_answer) a GROUP BY c, s, h;
SELECT operation, requests >= 8 AS each_segment, scanned, returned FROM sent();
SELECT ddbrel.stats_reset();
SELECT count(*) FROM par_pages;
SELECT operation, requests >= 8 AS each_segment, scanned FROM sent();

SET max_parallel_workers_per_gather = 2;
SELECT ddbrel.stats_reset();
SELECT count(*) = c AS same_count, sum(n) = s AS same_sum,
       sum(hashtext(id || ':' || n || ':' || pad)) = h AS same_checksum
  FROM par_pages, (SELECT * FROM serial_answer) a GROUP BY c, s, h;
SELECT operation, scanned, returned FROM sent();
-- no item twice, none missing
SELECT n FROM generate_series(1, 3000) n EXCEPT SELECT n FROM par_pages;
SELECT n, count(*) FROM par_pages GROUP BY n HAVING count(*) > 1;

-- a small table, one page per segment: exactly one request per segment
SET max_parallel_workers_per_gather = 1;
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
RESET parallel_leader_participation;

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
CREATE FOREIGN TABLE par_bad (id text, n numeric(3, 0)) SERVER ddb OPTIONS (table 'Pages');
SET parallel_leader_participation = off;
\set VERBOSITY terse
SELECT sum(n) FROM par_bad;
\set VERBOSITY default
RESET parallel_leader_participation;
-- and the backend goes on
SELECT count(*) FROM par_pages;

RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
