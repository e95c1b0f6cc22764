-- Set-up shared by every regress file: the extension, a server pointing at
-- the DynamoDB server started by the test harness, and a user mapping.
\getenv endpoint DDB_ENDPOINT
CREATE EXTENSION ddbrel;
CREATE SERVER ddb FOREIGN DATA WRAPPER ddbrel
  OPTIONS (region 'us-east-1', endpoint :'endpoint');
CREATE USER MAPPING FOR CURRENT_USER SERVER ddb
  OPTIONS (access_key_id 'AKIDTEST', secret_access_key 'regress-secret-do-not-print');
SELECT srvname, srvoptions IS NOT NULL AS has_options FROM pg_foreign_server;
-- What reached DynamoDB since the last ddbrel.stats_reset(), without the
-- DescribeTable and DescribeTimeToLive calls planning makes once per table
-- and backend.
CREATE FUNCTION sent() RETURNS TABLE (operation text, requests bigint,
                                      scanned bigint, returned bigint)
LANGUAGE sql AS $$
  SELECT operation, requests, items_scanned, items_returned
    FROM ddbrel.stats() WHERE operation NOT IN ('DescribeTable', 'DescribeTimeToLive') ORDER BY 1
$$;
-- The SQLSTATE a statement fails with (NULL if it succeeds).
CREATE FUNCTION sqlstate_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN NULL;
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE;
END $$;
