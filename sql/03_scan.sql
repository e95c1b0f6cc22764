-- Paged Scans: 3000 items of ~1.5 KB need several 1 MB pages; parallel
-- segments return each item exactly once.
CREATE FOREIGN TABLE pages (id text, n int, pad text) SERVER ddb OPTIONS (table 'Pages');

SELECT ddbrel.stats_reset();
SELECT count(*), count(DISTINCT id), sum(n), min(n), max(n) FROM pages;
-- one request per page, and every item was read once
SELECT operation, requests > 3 AS several_pages, items_scanned, items_returned
  FROM ddbrel.stats();

-- the whole rows, not only keys
SELECT sum(length(pad)) = 3000 * 1500 AS all_pads_read FROM pages;

-- parallel segments
ALTER FOREIGN TABLE pages OPTIONS (ADD parallel_segments '4');
SELECT ddbrel.stats_reset();
SELECT count(*), count(DISTINCT id), count(DISTINCT n), sum(n) FROM pages;
SELECT operation, requests >= 4 AS one_or_more_per_segment, items_scanned, items_returned
  FROM ddbrel.stats();
-- no item twice, none missing
SELECT n FROM generate_series(1, 3000) n
EXCEPT SELECT n FROM pages;
SELECT n, count(*) FROM pages GROUP BY n HAVING count(*) > 1;

-- a LIMIT stops early and leaves the backend usable
SELECT count(*) FROM (SELECT * FROM pages LIMIT 5) s;
SELECT count(*) FROM pages;

-- segments and a cursor read half-way then closed
BEGIN;
DECLARE c CURSOR FOR SELECT n FROM pages;
MOVE 3 FROM c;
CLOSE c;
COMMIT;
ALTER FOREIGN TABLE pages OPTIONS (SET parallel_segments '1');
SELECT count(*) FROM pages;
