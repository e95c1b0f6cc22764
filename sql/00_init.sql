-- Set-up shared by every regress file: the extension, a server pointing at
-- the dynalite started by the test harness, and a user mapping.
\getenv endpoint DDB_ENDPOINT
CREATE EXTENSION ddbrel;
CREATE SERVER ddb FOREIGN DATA WRAPPER ddbrel
  OPTIONS (region 'us-east-1', endpoint :'endpoint');
CREATE USER MAPPING FOR CURRENT_USER SERVER ddb
  OPTIONS (access_key_id 'AKIDTEST', secret_access_key 'regress-secret-do-not-print');
SELECT srvname, srvoptions IS NOT NULL AS has_options FROM pg_foreign_server;
