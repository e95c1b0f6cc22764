-- backends: local
-- Time to live.  DynamoDB deletes an item whose TTL attribute (epoch
-- seconds) is past only within a few days, so until then ddbrel hides it:
-- the attribute comes from DescribeTimeToLive (asked once per backend and
-- table, with DescribeTable), the condition goes into the FilterExpression
-- and is checked on each item too.  The table option include_expired shows
-- such items again.  A timestamptz column reading the attribute keeps it
-- in epoch seconds.  dynalite has no UpdateTimeToLive, so this file runs on
-- DynamoDB Local only.
CREATE SCHEMA ttl;
SET search_path = ttl, public;
CREATE FUNCTION drop_table(t text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ddbrel.request('ddb', 'DeleteTable', jsonb_build_object('TableName', t));
EXCEPTION WHEN SQLSTATE 'HV00R' THEN
  NULL;
END $$;
SELECT drop_table('Sessions15');
SELECT ddbrel.request('ddb', 'CreateTable', '{"TableName": "Sessions15",
  "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"},
                           {"AttributeName": "SK", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
  "BillingMode": "PAY_PER_REQUEST"}') IS NOT NULL AS created;
SELECT ddbrel._wait_table_active('ddb', 'Sessions15', 60);
SELECT ddbrel.request('ddb', 'UpdateTimeToLive', '{"TableName": "Sessions15",
  "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "expires"}}')
  ->'TimeToLiveSpecification'->>'AttributeName' AS ttl_attribute;
-- sessions of user u1, relative to now: one expired an hour ago, one
-- expiring in a year, one without expiry, one whose attribute is not a
-- number, one that expired ten years ago (DynamoDB never deletes an item
-- whose TTL is more than five years past), and one given in milliseconds
-- (a time far in the future as seconds)
SELECT extract(epoch FROM now())::bigint AS now_s \gset
SELECT ddbrel.request('ddb', 'BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object('Sessions15',
  (SELECT jsonb_agg(jsonb_build_object('PutRequest', jsonb_build_object('Item',
            jsonb_build_object('PK', jsonb_build_object('S', 'USER#u1'), 'SK', jsonb_build_object('S', 'SESSION#' || sid))
            || CASE WHEN e IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('expires', e) END)))
     FROM (VALUES ('a', jsonb_build_object('N', (:now_s::bigint - 3600)::text)),
                  ('b', jsonb_build_object('N', (:now_s::bigint + 86400 * 365)::text)),
                  ('c', NULL),
                  ('d', '{"S": "never"}'::jsonb),
                  ('e', jsonb_build_object('N', (:now_s::bigint - 86400 * 3650)::text)),
                  ('f', jsonb_build_object('N', (:now_s::bigint * 1000)::text))) v(sid, e)))))
  ->'UnprocessedItems' AS unprocessed;

-- DynamoDB Local deletes expired items now and then, as DynamoDB does
-- within days: before each step that must see item a, it is written again
CREATE FUNCTION put_a() RETURNS boolean LANGUAGE sql AS $$
  SELECT ddbrel.request('ddb', 'PutItem', jsonb_build_object('TableName', 'Sessions15',
           'Item', jsonb_build_object('PK', '{"S": "USER#u1"}'::jsonb, 'SK', '{"S": "SESSION#a"}'::jsonb,
                                      'expires', jsonb_build_object('N', (extract(epoch FROM now())::bigint - 3600)::text))))
         IS NOT NULL
$$;

-- (the item whose attribute is text reads as NULL)
CREATE FOREIGN TABLE sessions (user_id text, session_id text, expires timestamptz OPTIONS (wrong_type 'null'))
  SERVER ddb OPTIONS (table 'Sessions15', pk_template 'USER#{user_id}', sk_template 'SESSION#{session_id}');
-- the expired item is hidden, by the filter and here too; the TTL
-- attribute reads as a time
SELECT ddbrel.stats_reset();
EXPLAIN (VERBOSE, COSTS OFF) SELECT session_id FROM sessions WHERE user_id = 'u1';
SELECT session_id, expires IS NOT NULL AS has_expiry,
       CASE WHEN expires < now() THEN 'past' WHEN expires > now() THEN 'future' END AS expiry
  FROM sessions WHERE user_id = 'u1' ORDER BY session_id;
SELECT * FROM sent();
SELECT operation, requests FROM ddbrel.stats() WHERE operation LIKE 'Describe%' ORDER BY 1;
-- a key lookup has no filter: the item is checked here
EXPLAIN (COSTS OFF) SELECT session_id FROM sessions WHERE user_id = 'u1' AND session_id = 'a';
SELECT session_id FROM sessions WHERE user_id = 'u1' AND session_id = 'a';
SELECT session_id FROM sessions WHERE user_id = 'u1' AND session_id IN ('a', 'b') ORDER BY 1;
-- counting, scanning, joining
SELECT count(*) FROM sessions WHERE user_id = 'u1';
SELECT count(*) FROM sessions;
SELECT s.session_id FROM sessions s JOIN sessions t USING (user_id, session_id) ORDER BY 1;

-- include_expired shows them again
SELECT put_a() AS a_written;
ALTER FOREIGN TABLE sessions OPTIONS (ADD include_expired 'true');
EXPLAIN (COSTS OFF) SELECT session_id FROM sessions WHERE user_id = 'u1';
SELECT session_id FROM sessions WHERE user_id = 'u1' ORDER BY 1;
SELECT session_id FROM sessions WHERE user_id = 'u1' AND session_id = 'a';
ALTER FOREIGN TABLE sessions OPTIONS (DROP include_expired);

-- writing the TTL through the timestamptz column: epoch seconds
INSERT INTO sessions VALUES ('u2', 'g', '2100-01-01 00:00:00+00'), ('u2', 'h', now() - interval '1 day');
SELECT ddbrel.request('ddb', 'GetItem', '{"TableName": "Sessions15",
  "Key": {"PK": {"S": "USER#u2"}, "SK": {"S": "SESSION#g"}}}')->'Item'->'expires' AS expires;
SELECT session_id FROM sessions WHERE user_id = 'u2' ORDER BY 1;

-- the option ttl_attribute names the attribute without asking DynamoDB;
-- a comparison on it is sent in seconds
CREATE FOREIGN TABLE sessions_named (user_id text, session_id text, expires timestamptz)
  SERVER ddb OPTIONS (table 'Sessions15', pk_template 'USER#{user_id}', sk_template 'SESSION#{session_id}',
                      ttl_attribute 'expires');
SELECT session_id FROM sessions_named WHERE user_id = 'u1' AND session_id <> 'd' ORDER BY 1;
EXPLAIN (VERBOSE, COSTS OFF) SELECT session_id FROM sessions_named WHERE expires > '2099-01-01';
SELECT session_id FROM sessions_named WHERE expires > '2099-01-01' ORDER BY 1;

-- turning TTL off (a ddbrel.request() of UpdateTimeToLive empties the
-- cached description): nothing is hidden any more
SELECT ddbrel.request('ddb', 'UpdateTimeToLive', '{"TableName": "Sessions15",
  "TimeToLiveSpecification": {"Enabled": false, "AttributeName": "expires"}}')
  ->'TimeToLiveSpecification'->>'Enabled' AS enabled;
SELECT put_a() AS a_written;
SELECT session_id FROM sessions WHERE user_id = 'u1' ORDER BY 1;

SELECT drop_table('Sessions15');
DROP SCHEMA ttl CASCADE;
