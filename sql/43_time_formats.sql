-- Time formats: a date, timestamp or timestamptz column keeps its values as
-- ISO text (format 'iso', the default) or as a number of seconds or
-- milliseconds since 1970-01-01 00:00 UTC (epoch_seconds, epoch_millis),
-- read and written exactly to the microsecond.  Comparisons with such a
-- column are sent to DynamoDB as numbers, and answer as PostgreSQL would.
CREATE SCHEMA times;
SET search_path = times, public;
SET TimeZone = 'America/New_York';
SET DateStyle = 'ISO, MDY';
CREATE FUNCTION drop_table(t text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ddbrel.request('ddb', 'DeleteTable', jsonb_build_object('TableName', t));
EXCEPTION WHEN SQLSTATE 'HV00R' THEN
  NULL;
END $$;
SELECT drop_table('Times15');
SELECT ddbrel.request('ddb', 'CreateTable', '{"TableName": "Times15",
  "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"},
                           {"AttributeName": "at", "AttributeType": "N"}],
  "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "at", "KeyType": "RANGE"}],
  "BillingMode": "PAY_PER_REQUEST"}') IS NOT NULL AS created;
SELECT ddbrel._wait_table_active('ddb', 'Times15', 60);
-- events of another writer: the sort key "at" in epoch seconds, "ms" in
-- milliseconds, "day" a date as seconds at midnight UTC, "iso" as text
SELECT ddbrel.request('ddb', 'BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object('Times15',
  (SELECT jsonb_agg(jsonb_build_object('PutRequest', jsonb_build_object('Item', i)))
     FROM (VALUES
       ('{"PK": {"S": "E"}, "at": {"N": "1700000000"}, "ms": {"N": "1700000000000"},
          "day": {"N": "1699920000"}, "iso": {"S": "2023-11-14 22:13:20+00"}}'::jsonb),
       ('{"PK": {"S": "E"}, "at": {"N": "1700000000.5"}, "ms": {"N": "1700000000500.25"},
          "day": {"N": "1700006400"}}'),
       ('{"PK": {"S": "E"}, "at": {"N": "-1.25"}, "ms": {"N": "-1250"}, "day": {"N": "-86400"}}'),
       ('{"PK": {"S": "E"}, "at": {"N": "1735689600"}, "ms": {"N": "1735689600000"}, "day": {"N": "1735689600"}}'),
       ('{"PK": {"S": "E"}, "at": {"N": "1705000000"}, "ms": {"S": "soon"}}')) v(i)))))
  ->'UnprocessedItems' AS unprocessed;

CREATE FOREIGN TABLE events (pk text OPTIONS (attribute 'PK'),
                             at timestamptz OPTIONS (format 'epoch_seconds'),
                             ms timestamp OPTIONS (format 'epoch_millis', wrong_type 'null'),
                             day date OPTIONS (format 'epoch_seconds'),
                             iso timestamptz)
  SERVER ddb OPTIONS (table 'Times15');
SELECT at, ms, day, iso FROM events ORDER BY at;
-- the same instants in UTC, as the numbers say
SET TimeZone = 'UTC';
SELECT at, ms, day FROM events ORDER BY at;
SET TimeZone = 'America/New_York';

-- a comparison on the sort key becomes a key condition in seconds, and
-- ORDER BY it reads the partition in order
EXPLAIN (VERBOSE, COSTS OFF)
SELECT at FROM events WHERE pk = 'E' AND at >= '2023-11-14 22:13:20+00' ORDER BY at DESC LIMIT 2;
SELECT ddbrel.stats_reset();
SELECT at FROM events WHERE pk = 'E' AND at >= '2023-11-14 22:13:20+00' ORDER BY at DESC LIMIT 2;
SELECT * FROM sent();
EXPLAIN (COSTS OFF)
SELECT at FROM events WHERE pk = 'E' AND at BETWEEN '2023-11-14 17:13:20.5' AND '2024-06-01';
SELECT ddbrel.stats_reset();
SELECT at FROM events WHERE pk = 'E' AND at BETWEEN '2023-11-14 17:13:20.5' AND '2024-06-01' ORDER BY at;
SELECT * FROM sent();
-- parameters (a generic plan), infinite ones too: beyond every time's number
SET plan_cache_mode = force_generic_plan;
PREPARE t(timestamptz, timestamptz) AS
  SELECT at FROM events WHERE pk = 'E' AND at >= $1 AND at < $2 ORDER BY at;
EXPLAIN (COSTS OFF) EXECUTE t('2023-11-14 22:13:20+00', 'infinity');
EXECUTE t('2023-11-14 22:13:20+00', 'infinity');
EXECUTE t('-infinity', '2023-11-14 22:13:20.5+00');
EXECUTE t('infinity', 'infinity');
DEALLOCATE t;
RESET plan_cache_mode;
-- keys by equality: GetItem and BatchGetItem of numbers
EXPLAIN (COSTS OFF) SELECT at FROM events WHERE pk = 'E' AND at = '2024-12-31 19:00:00-05';
SELECT at FROM events WHERE pk = 'E' AND at = '2024-12-31 19:00:00-05';
EXPLAIN (COSTS OFF)
SELECT at FROM events WHERE pk = 'E' AND at IN ('2023-11-14 22:13:20+00', '1969-12-31 23:59:58.75+00');
SELECT at FROM events WHERE pk = 'E' AND at IN ('2023-11-14 22:13:20+00', '1969-12-31 23:59:58.75+00')
 ORDER BY at;
-- filters in milliseconds and in seconds at midnight
EXPLAIN (VERBOSE, COSTS OFF)
SELECT at FROM events WHERE pk = 'E' AND ms < '2023-11-14 22:13:20.5' AND day = '2023-11-14';
SELECT ddbrel.stats_reset();
SELECT at FROM events WHERE pk = 'E' AND ms < '2023-11-14 22:13:20.5' AND day = '2023-11-14';
SELECT * FROM sent();
-- a constant of another type, or infinity, is compared here
EXPLAIN (COSTS OFF) SELECT at FROM events WHERE pk = 'E' AND day < '2024-01-01 12:00'::timestamp;
SELECT at FROM events WHERE pk = 'E' AND day < '2024-01-01 12:00'::timestamp ORDER BY at;
EXPLAIN (COSTS OFF) SELECT at FROM events WHERE pk = 'E' AND ms < 'infinity';
SELECT count(*) FROM events WHERE pk = 'E' AND ms < 'infinity';
-- an ISO column keeps text, whose comparisons stay here
EXPLAIN (COSTS OFF) SELECT at FROM events WHERE pk = 'E' AND iso > '2020-01-01';

-- the same answers as a plain table of the same rows
CREATE TABLE local_events AS SELECT * FROM events;
SELECT (SELECT array_agg(at ORDER BY at) FROM events WHERE ms >= '1970-01-01' AND day <> '2025-01-01') =
       (SELECT array_agg(at ORDER BY at) FROM local_events WHERE ms >= '1970-01-01' AND day <> '2025-01-01')
       AS same_as_local,
       (SELECT array_agg(at ORDER BY at) FROM events WHERE pk = 'E' AND at > '2023-11-14 22:13:20+00'
                                                   AND at <= '2025-01-01 00:00:00+00') =
       (SELECT array_agg(at ORDER BY at) FROM local_events WHERE pk = 'E' AND at > '2023-11-14 22:13:20+00'
                                                         AND at <= '2025-01-01 00:00:00+00')
       AS key_range_same_as_local;

-- written back as the numbers they were read from, and read back equal
INSERT INTO events VALUES ('F', '2024-02-29 12:34:56.789012+00', '1969-12-31 23:59:59.999',
                           '1900-01-01', '2024-02-29 12:34:56+00');
SELECT ddbrel.request('ddb', 'Query', '{"TableName": "Times15", "KeyConditionExpression": "PK = :p",
  "ExpressionAttributeValues": {":p": {"S": "F"}}}')->'Items' AS items;
SELECT at = '2024-02-29 12:34:56.789012+00' AS at_back, ms = '1969-12-31 23:59:59.999' AS ms_back,
       day = '1900-01-01' AS day_back FROM events WHERE pk = 'F';
-- infinity has no epoch number
INSERT INTO events VALUES ('G', 'infinity', NULL, NULL, NULL);
-- format is for dates and times only, and has three values
CREATE FOREIGN TABLE bad_format (n int OPTIONS (format 'epoch_seconds')) SERVER ddb OPTIONS (table 'Times15');
SELECT * FROM bad_format;
CREATE FOREIGN TABLE bad_format2 (t date OPTIONS (format 'unix')) SERVER ddb OPTIONS (table 'Times15');

SELECT drop_table('Times15');
DROP SCHEMA times CASCADE;
RESET TimeZone;
RESET DateStyle;
