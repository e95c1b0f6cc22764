-- Secrets (secret_access_key, session_token) never show: not in other users'
-- view of the catalog or \deu+, not in errors, EXPLAIN (VERBOSE, ANALYZE),
-- pg_stat_activity, nor (at debug5) in messages and the server log; and
-- who may point a server where.  That a non-superuser's mapping cannot fall
-- back to the server's environment credentials is asserted in 06_errors.
-- test/run.sh greps the server log and every regress output for each secret
-- of sql/*.sql afterwards ("security secrets_in_logs").
\getenv endpoint DDB_ENDPOINT
\getenv tmpdir DDB_TMP
\getenv root DDB_ROOT
CREATE SCHEMA security;
SET search_path = security, public;
CREATE ROLE ddb_sec_owner LOGIN;	-- may create servers: USAGE on the wrapper
CREATE ROLE ddb_sec_alice LOGIN;
CREATE ROLE ddb_sec_bob LOGIN;
GRANT USAGE ON FOREIGN DATA WRAPPER ddbrel TO ddb_sec_owner;
GRANT USAGE, CREATE ON SCHEMA security TO ddb_sec_owner;
GRANT USAGE ON SCHEMA security TO ddb_sec_alice, ddb_sec_bob;
CREATE SCHEMA sec_import AUTHORIZATION ddb_sec_alice;
-- every secret of this file, to look for
CREATE TABLE secrets (s text);
INSERT INTO secrets VALUES ('sec-alice-SECRET-q7Lp2Xv'), ('sec-alice-TOKEN-Zr9Kw4m'),
  ('sec-bob-SECRET-Hn3Vb8c'), ('sec-owner-SECRET-Tq5Ms1d'), ('sec-public-SECRET-Wd6Jc0e'),
  ('ddbrel-test-secret');	-- the postmaster's environment credentials (test/env.sh)
GRANT SELECT ON secrets TO PUBLIC;
-- how many secrets a text holds
CREATE FUNCTION secrets_in(t text) RETURNS bigint LANGUAGE sql STABLE
  AS $$ SELECT count(*) FROM security.secrets WHERE position(s IN coalesce(t, '')) > 0 $$;

-- ---- who may set endpoint -------------------------------------------------
-- Anyone allowed to create a server, with an http(s) URL; never a file or
-- another scheme (for superusers neither), and for non-superusers never a
-- link-local address where instance metadata (and its credentials) answer.
SET ROLE ddb_sec_owner;
CREATE SERVER sec_bad FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint 'file:///etc/passwd');
CREATE SERVER sec_bad FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint 'FILE:///etc/passwd');
CREATE SERVER sec_bad FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint '/var/run/dynamodb.sock');
CREATE SERVER sec_bad FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint 'unix:///var/run/x.sock');
CREATE SERVER sec_bad FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint 'gopher://127.0.0.1:70/');
CREATE SERVER sec_bad FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint 'dict://127.0.0.1:11211/');
CREATE SERVER sec_bad FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint 'ldap://127.0.0.1/');
CREATE SERVER sec_bad FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint 'http:///etc/passwd');
CREATE SERVER sec_bad FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint 'http://169.254.169.254/latest/meta-data/');
CREATE SERVER sec_bad FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint 'http://169.254.170.2/v2/credentials');
CREATE SERVER sec_bad FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint 'http://2852039166/');
CREATE SERVER sec_bad FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint 'http://0xA9FEA9FE');
CREATE SERVER sec_bad FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint 'http://0251.0376.0251.0376:80');
CREATE SERVER sec_bad FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint 'http://169.254.169.254.:80/');
CREATE SERVER sec_bad FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint 'http://%31%36%39.254.169.254/');
CREATE SERVER sec_bad FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint 'http://[fe80::a9fe:a9fe]:8000');
CREATE SERVER sec_bad FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint 'http://[::ffff:169.254.169.254]/');
CREATE SERVER sec_bad FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint 'https://[fd00:ec2::254]');
CREATE SERVER sec_bad FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint 'http://Metadata.Google.Internal/');
CREATE SERVER sec_bad FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint 'http://instance-data/latest');
-- near misses are fine: another private range, AWS, DynamoDB Local on loopback
CREATE SERVER sec_ok1 FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint 'http://169.255.169.254');
CREATE SERVER sec_ok2 FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint 'https://dynamodb.eu-west-1.amazonaws.com');
CREATE SERVER sec_ok3 FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint 'http://[::1]:8000');
CREATE SERVER sec_srv FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint :'endpoint', max_retries '1');
CREATE SERVER sec_closed FOREIGN DATA WRAPPER ddbrel
  OPTIONS (endpoint 'http://127.0.0.1:9', max_retries '0', connect_timeout '1000');
-- the owner cannot move a server there later either
ALTER SERVER sec_ok1 OPTIONS (SET endpoint 'http://169.254.169.254');
DROP SERVER sec_ok1, sec_ok2, sec_ok3;
RESET ROLE;
-- a superuser may (an instance role is the superuser's choice) ...
CREATE SERVER sec_meta FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint 'http://169.254.169.254');
-- ... but not a file, for superusers neither
CREATE SERVER sec_bad FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint 'file:///etc/passwd');
DROP SERVER sec_meta;

-- ---- mappings: each user sees only their own secrets ----------------------
SET ROLE ddb_sec_owner;
GRANT USAGE ON FOREIGN SERVER sec_srv, sec_closed TO ddb_sec_alice, ddb_sec_bob;
CREATE USER MAPPING FOR CURRENT_USER SERVER sec_srv
  OPTIONS (access_key_id 'AKIDOWNER', secret_access_key 'sec-owner-SECRET-Tq5Ms1d');
CREATE USER MAPPING FOR PUBLIC SERVER sec_srv
  OPTIONS (access_key_id 'AKIDPUBLIC', secret_access_key 'sec-public-SECRET-Wd6Jc0e');
CREATE FOREIGN TABLE sec_users (user_id text, name text)
  SERVER sec_srv OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'USER#{user_id}');
CREATE FOREIGN TABLE sec_missing (id text) SERVER sec_srv OPTIONS (table 'NoSuchTable');
CREATE FOREIGN TABLE sec_wrongkey (nope text) SERVER sec_srv
  OPTIONS (table 'Types', partition_key 'nope');	-- DynamoDB answers ValidationException
CREATE FOREIGN TABLE sec_unreachable (id text) SERVER sec_closed OPTIONS (table 'AppData', partition_key 'PK');
GRANT SELECT ON sec_users, sec_missing, sec_wrongkey, sec_unreachable TO ddb_sec_alice, ddb_sec_bob;
SET ROLE ddb_sec_alice;
CREATE USER MAPPING FOR CURRENT_USER SERVER sec_srv
  OPTIONS (access_key_id 'AKIDALICE', secret_access_key 'sec-alice-SECRET-q7Lp2Xv',
           session_token 'sec-alice-TOKEN-Zr9Kw4m');
CREATE USER MAPPING FOR CURRENT_USER SERVER sec_closed
  OPTIONS (access_key_id 'AKIDALICE', secret_access_key 'sec-alice-SECRET-q7Lp2Xv',
           session_token 'sec-alice-TOKEN-Zr9Kw4m');
SET ROLE ddb_sec_bob;
CREATE USER MAPPING FOR CURRENT_USER SERVER sec_srv
  OPTIONS (access_key_id 'AKIDBOB', secret_access_key 'sec-bob-SECRET-Hn3Vb8c');
RESET ROLE;

-- what the current role sees of the mappings of sec_srv: the option names,
-- and how many secrets the options it can see hold
CREATE FUNCTION visible_mappings() RETURNS TABLE (mapping_for name, options text, secrets bigint)
LANGUAGE sql STABLE AS $$
  SELECT usename,
         (SELECT string_agg(split_part(o, '=', 1), ', ') FROM unnest(umoptions) o),
         security.secrets_in(array_to_string(umoptions, ','))
    FROM pg_user_mappings WHERE srvname = 'sec_srv' ORDER BY usename
$$;
-- PostgreSQL's rules: a user sees the options of their own mapping, the
-- server's owner also those of the PUBLIC mapping, a superuser all of them
SET ROLE ddb_sec_alice;
SELECT current_user, * FROM visible_mappings();
\deu+ ddb_sec_bob
\deu+ ddb_sec_owner
SET ROLE ddb_sec_bob;
SELECT current_user, * FROM visible_mappings();
\deu+ ddb_sec_alice
\deu+ public
SET ROLE ddb_sec_owner;
SELECT current_user, * FROM visible_mappings();
\deu+ ddb_sec_alice
\des+ sec_closed
RESET ROLE;
SELECT current_user, * FROM visible_mappings();
-- nothing else a plain user can read holds a secret: no option is kept
-- anywhere but in pg_user_mapping, which only superusers may read
SET ROLE ddb_sec_bob;
SELECT umoptions FROM pg_user_mapping;
SELECT secrets_in(string_agg(t, ' ')) AS secrets_elsewhere
  FROM (SELECT array_to_string(srvoptions, ',') FROM pg_foreign_server
        UNION ALL SELECT array_to_string(fdwoptions, ',') FROM pg_foreign_data_wrapper
        UNION ALL SELECT array_to_string(ftoptions, ',') FROM pg_foreign_table
        UNION ALL SELECT array_to_string(attfdwoptions, ',') FROM pg_attribute WHERE attfdwoptions IS NOT NULL
        UNION ALL SELECT array_to_string(umoptions, ',') FROM pg_user_mappings WHERE usename <> 'ddb_sec_bob'
        UNION ALL SELECT description FROM pg_description) x(t);
RESET ROLE;

-- ---- errors, EXPLAIN, pg_stat_activity ----------------------------------
-- Runs q and returns its error (SQLSTATE, message, detail, hint, context), or 'ok'.
CREATE FUNCTION error_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  st text; msg text; det text; hnt text; ctx text;
BEGIN
  EXECUTE q;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL,
                          hnt = PG_EXCEPTION_HINT, ctx = PG_EXCEPTION_CONTEXT;
  RETURN concat_ws(E'\n', st, msg, det, hnt, ctx);
END $$;
CREATE FUNCTION explain_text(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  line text;
  acc text := '';
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (VERBOSE, ANALYZE) ' || q LOOP
    acc := acc || line || E'\n';
  END LOOP;
  RETURN acc;
END $$;
GRANT EXECUTE ON FUNCTION error_of(text), explain_text(text) TO PUBLIC;
SET ROLE ddb_sec_alice;
SELECT * FROM sec_users WHERE user_id = '123';
SELECT q, split_part(e, E'\n', 1) AS sqlstate, secrets_in(e) AS secrets,
       position('AKIDALICE' IN e) AS key_id_at
  FROM (VALUES ('SELECT * FROM sec_missing'),
               ('SELECT * FROM sec_wrongkey WHERE nope = ''x'''),
               ('SELECT * FROM sec_unreachable'),
               ('IMPORT FOREIGN SCHEMA "NoSuchTable" FROM SERVER sec_srv INTO sec_import'),
               ('IMPORT FOREIGN SCHEMA "AppData" FROM SERVER sec_closed INTO sec_import')) v(q),
       LATERAL error_of(q) e;
SELECT secrets_in(t) AS secrets, position('AKIDALICE' IN t) AS key_id_at,
       position('DynamoDB Request' IN t) > 0 AS has_request
  FROM explain_text('SELECT * FROM sec_users') t;
SELECT secrets_in(t) AS secrets, position('DynamoDB Request' IN t) > 0 AS has_request
  FROM explain_text('SELECT * FROM sec_users WHERE user_id IN (''123'', ''456'')') t;
IMPORT FOREIGN SCHEMA "AppData" FROM SERVER sec_srv INTO sec_import;
SELECT count(*) FROM sec_import.appdata;
RESET ROLE;
-- the activity of this backend while a ddbrel scan runs (here with the
-- PUBLIC mapping): the SQL as sent, nothing else
SELECT a.query = current_query() AS is_this_statement, secrets_in(a.query) AS secrets,
       count(*) AS users
  FROM sec_users u CROSS JOIN pg_stat_activity a
 WHERE a.pid = pg_backend_pid()
 GROUP BY 1, 2;
-- and no backend shows one
SELECT count(*) AS backends_showing_secrets FROM pg_stat_activity WHERE secrets_in(query) > 0;

-- ---- debug5: messages to the client and the server log --------------------
-- test/security_debug5.sql runs the same queries in another session with
-- client_min_messages and log_min_messages at debug5; its output goes to
-- a file, as DEBUG lines are not stable enough for an expected file.
-- The superuser's mapping of sec_env uses the postmaster's environment.
CREATE SERVER sec_env FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint :'endpoint');
CREATE USER MAPPING FOR CURRENT_USER SERVER sec_env;
CREATE FOREIGN TABLE sec_env_users (user_id text, name text)
  SERVER sec_env OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'USER#{user_id}');
SELECT current_database() AS db \gset
\setenv PGDATABASE :db
\setenv DDB_SEC_OUT :tmpdir/security_debug5.out
\setenv DDB_SEC_SQL :root/test/security_debug5.sql
\! psql -X -q -f "$DDB_SEC_SQL" >"$DDB_SEC_OUT" 2>&1; echo "debug5 session exit status $?"
SELECT position('DEBUG:' IN t) > 0 AS has_debug_messages,
       position('ERROR:  HV00R:' IN t) > 0 AS has_table_error,
       position('ERROR:  HV024:' IN t) > 0 AS has_dynamodb_error,
       position('ERROR:  HV00N:' IN t) > 0 AS has_connection_error,
       (length(t) - length(replace(t, 'DynamoDB Request', ''))) / length('DynamoDB Request') AS plans,
       secrets_in(t) AS secrets
  FROM pg_read_file(:'tmpdir' || '/security_debug5.out') t;

SET client_min_messages = warning;
DROP FOREIGN TABLE sec_env_users;
DROP USER MAPPING FOR CURRENT_USER SERVER sec_env;
DROP SERVER sec_env;
DROP SCHEMA sec_import CASCADE;
DROP OWNED BY ddb_sec_alice, ddb_sec_bob, ddb_sec_owner CASCADE;
DROP ROLE ddb_sec_alice, ddb_sec_bob, ddb_sec_owner;
DROP SCHEMA security CASCADE;
RESET client_min_messages;
RESET search_path;
