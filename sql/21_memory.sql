-- Memory stays flat however many pages a scan reads: each page is freed
-- when the next arrives.  WidePages holds 3000 items of 60 short
-- attributes, so a full Scan reads four or more 1 MB pages, each parsing
-- into several MB.
-- The backend's anonymous memory (RssAnon, so shared buffers and mapped
-- files do not count) is read on every row as the scan returns it: it
-- must be no higher on the last pages than on the first, and no higher on
-- the third scan than on the first.  Keeping each page until the end of
-- the scan would add a page's worth of memory for each page read.
CREATE SCHEMA memory;
SET search_path = memory, public;
CREATE FOREIGN TABLE wide (id text, attr_00 int, attr_59 text, extra jsonb OPTIONS (extra 'true'))
  SERVER ddb OPTIONS (table 'WidePages');
CREATE FUNCTION anon_kb() RETURNS int LANGUAGE sql VOLATILE AS $$
  SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'),
                       'RssAnon:\s+(\d+)'))[1]::int
$$;
-- warm up (caches, connection) with a key lookup
SELECT attr_00, attr_59, extra ->> 'attr_30' AS attr_30 FROM wide WHERE id = 'w0001';
CREATE SEQUENCE rowno;
CREATE TEMP TABLE scans (scan int, items bigint, total bigint,
                         first_page_kb int, last_pages_kb int);
SELECT ddbrel.stats_reset();
-- rn numbers the rows in the order the scan returns them, and kb is read
-- as each row is: the first 300 rows come from the first page, the last
-- 900 from the last pages
CREATE FUNCTION scan_once(n int) RETURNS void LANGUAGE sql AS $$
  SELECT setval('rowno', 1, false);
  INSERT INTO scans
    SELECT n, count(*), sum(v), max(kb) FILTER (WHERE rn <= 300), max(kb) FILTER (WHERE rn > 2100)
      FROM (SELECT attr_00 + length(attr_59) + (SELECT count(*) FROM jsonb_object_keys(extra)) AS v,
                   nextval('rowno') AS rn, anon_kb() AS kb
              FROM wide) s;
$$;
SELECT scan_once(1);
SELECT scan_once(2);
SELECT scan_once(3);
SELECT scan, items, total FROM scans ORDER BY scan;
SELECT operation, requests >= 12 AS four_pages_or_more_a_scan, scanned FROM sent();
-- flat within a scan: keeping the pages would add several MB for each
SELECT scan, last_pages_kb - first_page_kb < 8192 AS flat_from_first_to_last_page
  FROM scans ORDER BY scan;
-- flat across scans
SELECT max(last_pages_kb) FILTER (WHERE scan = 3)
       - max(last_pages_kb) FILTER (WHERE scan = 1) < 8192 AS third_scan_no_higher
  FROM scans;
