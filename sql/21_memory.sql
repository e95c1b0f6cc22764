-- Memory stays flat however many pages a scan reads: each page is freed
-- when the next arrives.  The backend's peak resident memory (VmHWM) grows
-- by a few MB over 3 scans of 5 pages of ~1 MB (4.5 MB of pads each);
-- keeping pages would grow it by tens of MB (a 1 MB page is ~6 MB parsed).
CREATE SCHEMA memory;
SET search_path = memory, public;
CREATE FOREIGN TABLE pages (id text, n int, pad text) SERVER ddb OPTIONS (table 'Pages');
CREATE FUNCTION vm(field text) RETURNS int LANGUAGE sql AS $$
  SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'),
                       field || ':\s+(\d+)'))[1]::int
$$;
-- warm up (caches, connection) with a key lookup, so the scans below set the peak
SELECT n FROM pages WHERE id = 'p0001';
CREATE TEMP TABLE mem AS SELECT vm('VmHWM') AS peak_kb;
SELECT ddbrel.stats_reset();
SELECT sum(length(pad)) FROM pages;
SELECT sum(length(pad)) FROM pages;
SELECT sum(length(pad)) FROM pages;
SELECT operation, requests >= 15 AS fifteen_pages_or_more, scanned FROM sent();
SELECT vm('VmHWM') - peak_kb < 12 * 1024 AS peak_grew_less_than_12mb FROM mem;
