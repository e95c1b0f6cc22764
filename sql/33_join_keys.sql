-- A lookup join over many driving rows that share few keys: a round asks
-- for up to 100 distinct keys, and pairs every driving row with the item
-- found under its key.  3,000 uses of 99 parts are one round: one
-- BatchGetItem of 99 keys.  Pairing by a hash of the key keeps the memory
-- of a round to its items; pairing each driving row with each found item
-- printed a key per pair (297,000 here), and the backend's peak memory
-- (VmHWM) grew by over a hundred MB.
CREATE SCHEMA join_keys;
SET search_path = join_keys, public;
-- loaded as statements run (more than 100 items: not one transaction)
SET ddbrel.write_mode = 'immediate';
SELECT ddbrel.request('ddb', 'CreateTable', '{"TableName": "JoinKeys",
  "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"},
                           {"AttributeName": "SK", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"}],
  "BillingMode": "PAY_PER_REQUEST"}') ->> 'TableDescription' IS NOT NULL AS created;
CREATE FOREIGN TABLE parts (part_id text, name text)
  SERVER ddb OPTIONS (table 'JoinKeys', pk_template 'PART#{part_id}', sk_template 'PART#{part_id}');
CREATE FOREIGN TABLE uses (bin text, use_id int, part_id text)
  SERVER ddb OPTIONS (table 'JoinKeys', pk_template 'BIN#{bin}', sk_template 'USE#{use_id}');
INSERT INTO parts SELECT 'p' || i, 'part ' || i FROM generate_series(1, 99) i;
INSERT INTO uses SELECT 'b1', i, 'p' || (i % 99 + 1) FROM generate_series(1, 3000) i;
INSERT INTO uses VALUES ('b0', 1, 'p1'), ('b0', 2, 'p2'), ('b0', 3, 'nope');
CREATE FUNCTION vm(field text) RETURNS int LANGUAGE sql AS $$
  SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'),
                       field || ':\s+(\d+)'))[1]::int
$$;

-- the plan: the driving side's Query, the parts by key
EXPLAIN (COSTS OFF)
SELECT count(*) FROM uses u JOIN parts p USING (part_id) WHERE u.bin = 'b1';
-- warm up (caches, connection) with a small join: a key without an item pairs with nothing
SELECT u.use_id, p.name FROM uses u LEFT JOIN parts p USING (part_id) WHERE u.bin = 'b0' ORDER BY 1;
CREATE TEMP TABLE mem AS SELECT vm('VmHWM') AS peak_kb;
SELECT ddbrel.stats_reset();
-- every use finds its part
SELECT count(*) AS rows, count(DISTINCT p.name) AS parts,
       bool_and(p.name = 'part ' || substr(u.part_id, 2)) AS each_its_own,
       sum(use_id) AS use_ids
  FROM uses u JOIN parts p USING (part_id) WHERE u.bin = 'b1';
-- one Query, one BatchGetItem for the 99 distinct keys
SELECT operation, requests FROM sent();
SELECT vm('VmHWM') - peak_kb < 32 * 1024 AS peak_grew_less_than_32mb FROM mem;

-- the full-scan guard is for the plan made: parts, read here only by key,
-- may forbid a Scan of the table
ALTER FOREIGN TABLE parts OPTIONS (ADD allow_full_scan 'false');
SELECT count(*) FROM uses u JOIN parts p USING (part_id) WHERE u.bin = 'b0';
SELECT sqlstate_of('SELECT count(*) FROM parts') AS full_scan_refused;

SELECT ddbrel.request('ddb', 'DeleteTable', '{"TableName": "JoinKeys"}') IS NOT NULL AS dropped;
DROP SCHEMA join_keys CASCADE;
