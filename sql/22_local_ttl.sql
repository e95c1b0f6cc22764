-- backends: local
-- Time to live through ddbrel.request(): UpdateTimeToLive and
-- DescribeTimeToLive reach DynamoDB and their answers come back as jsonb,
-- and a foreign table writes the TTL attribute as a number of epoch
-- seconds.  dynalite has no UpdateTimeToLive, so this file runs on DynamoDB
-- Local only (its first line; see test/regress_tests.sh).
CREATE FUNCTION drop_ttl_table(t text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ddbrel.request('ddb', 'DeleteTable', jsonb_build_object('TableName', t));
EXCEPTION WHEN SQLSTATE 'HV00R' THEN
  NULL;
END $$;
SELECT drop_ttl_table('TtlItems');
SELECT ddbrel.request('ddb', 'CreateTable', '{"TableName": "TtlItems",
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "BillingMode": "PAY_PER_REQUEST"}')->'TableDescription'->>'TableStatus' AS status;

-- off at first, then on for attribute expires_at
SELECT ddbrel.stats_reset();
SELECT ddbrel.request('ddb', 'DescribeTimeToLive', '{"TableName": "TtlItems"}');
SELECT ddbrel.request('ddb', 'UpdateTimeToLive', '{"TableName": "TtlItems",
  "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "expires_at"}}');
SELECT ddbrel.request('ddb', 'DescribeTimeToLive', '{"TableName": "TtlItems"}');
SELECT operation, requests FROM ddbrel.stats() ORDER BY 1;

-- an item written through SQL carries its expiry as N
CREATE FOREIGN TABLE ttl_items (id text, expires_at bigint) SERVER ddb OPTIONS (table 'TtlItems');
INSERT INTO ttl_items VALUES ('a', 4102444800), ('b', NULL);
SELECT ddbrel.request('ddb', 'GetItem', '{"TableName": "TtlItems", "Key": {"id": {"S": "a"}}}')->'Item';
SELECT ddbrel.request('ddb', 'GetItem', '{"TableName": "TtlItems", "Key": {"id": {"S": "b"}}}')->'Item';
SELECT * FROM ttl_items ORDER BY id;

DROP FOREIGN TABLE ttl_items;
SELECT drop_ttl_table('TtlItems');
DROP FUNCTION drop_ttl_table(text);
