-- test/credentials_debug5.sql
--	  Run by sql/28_credentials.sql in a session of its own, output to a
--	  file: credentials fetched anew from every source, and failing, with
--	  every message level on, to the client and to the server log.
--	  28_credentials and test/run.sh then look for every secret the test
--	  servers know or issued in that output and in the log.
SET search_path = creds, public;
SET client_min_messages = debug5;
SET log_min_messages = debug5;
SET log_min_error_statement = debug5;
SET log_error_verbosity = verbose;
\set VERBOSITY verbose
-- a new backend has no credentials cached: each of these fetches
SELECT count(*) FROM imds_users;
SELECT count(*) FROM ecs_users;
SELECT count(*) FROM web_users;
SELECT count(*) FROM env_users;
SELECT count(*) FROM prof_static_users;
SELECT count(*) FROM prof_process_users;
SELECT count(*) FROM prof_chained_users;
SELECT count(*) FROM prof_instance_users;
SELECT count(*) FROM um_role_users;
EXPLAIN (VERBOSE, ANALYZE, COSTS OFF, TIMING OFF) SELECT * FROM imds_role_users;
-- and failing: STS refuses, STS is not there, a process fails
SELECT count(*) FROM bad_role_users;
SELECT count(*) FROM bad_key_users;
SELECT count(*) FROM prof_bad_users;
SELECT query FROM pg_stat_activity WHERE pid = pg_backend_pid();
