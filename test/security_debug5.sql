-- test/security_debug5.sql
--	  Run by sql/13_security.sql in a session of its own, output to a file:
--	  the ddbrel queries of 13_security (successful, failing, EXPLAIN
--	  ANALYZE, IMPORT FOREIGN SCHEMA) with every message level on, to the
--	  client and to the server log.  13_security and test/run.sh then look
--	  for the secrets in that output and in the log.
SET search_path = security, public;
SET client_min_messages = debug5;
SET log_min_messages = debug5;
SET log_min_error_statement = debug5;
SET log_error_verbosity = verbose;
\set VERBOSITY verbose
-- the superuser's environment credentials
SELECT count(*) FROM sec_env_users;
SELECT * FROM sec_env_users WHERE user_id = 'nope';
SET ROLE ddb_sec_alice;
SELECT * FROM sec_users WHERE user_id = '123';
SELECT * FROM sec_users WHERE user_id IN ('123', '456') ORDER BY 1;
EXPLAIN (VERBOSE, ANALYZE, COSTS OFF, TIMING OFF) SELECT * FROM sec_users;
SELECT * FROM sec_missing;
SELECT * FROM sec_wrongkey WHERE nope = 'x';
SELECT * FROM sec_unreachable;
IMPORT FOREIGN SCHEMA "NoSuchTable" FROM SERVER sec_srv INTO sec_import;
IMPORT FOREIGN SCHEMA "Types" FROM SERVER sec_srv INTO sec_import;
IMPORT FOREIGN SCHEMA "AppData" FROM SERVER sec_closed INTO sec_import;
SELECT count(*) FROM sec_import.types;
RESET ROLE;
