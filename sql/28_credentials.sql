-- Credential sources, against local stand-ins for STS, EC2 instance
-- metadata and the ECS / EKS Pod Identity endpoint (test/credservers.py).
-- Every table here reads through a DynamoDB front that recomputes each
-- request's SigV4 signature (botocore) with the keys the stand-ins issued
-- and refuses anything else, so a row coming back means the request was
-- signed with the right temporary credentials; test/credctl.py shows who
-- signed it.  Then: who may choose a source, caching and refresh, and
-- failures, which name the source and never hold a secret.
\getenv verify DDB_VERIFY_ENDPOINT
\getenv sts DDB_STS_ENDPOINT
\getenv imds DDB_IMDS_ENDPOINT
\getenv tmpdir DDB_TMP
CREATE SCHEMA creds;
SET search_path = creds, public;
SELECT set_config('creds.tmpdir', :'tmpdir', false) IS NOT NULL AS ok;

-- Every error text seen, raw, to look for secrets at the end.
CREATE TABLE seen (t text);
GRANT INSERT ON seen TO PUBLIC;
-- An error without what changes from run to run: ports, the temp dir,
-- backend pids in session names, serial numbers of issued keys, curl's
-- timings.
CREATE FUNCTION masked(t text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(regexp_replace(regexp_replace(
           replace(t, current_setting('creds.tmpdir'), 'TMP'),
           '127\.0\.0\.1:[0-9]+', 'LOCAL', 'g'),
           'ddbrel-[0-9]+', 'ddbrel-PID', 'g'),
           'ASIA[A-Z]{4}[0-9]{8}', 'ASIA-ISSUED', 'g'),
           'after [0-9]+ ms', 'after N ms', 'g')
$$;
-- Runs q: 'ok' or its error (SQLSTATE, message, detail, hint), masked.
CREATE FUNCTION try(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  st text; msg text; det text; hnt text;
BEGIN
  EXECUTE q;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                          det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
  INSERT INTO creds.seen VALUES (concat_ws(E'\n', msg, det, hnt));
  RETURN creds.masked(concat_ws(E'\n', st || ': ' || msg, 'DETAIL: ' || nullif(det, ''),
                                'HINT: ' || nullif(hnt, '')));
END $$;
-- The users of seed 000 through a server: a mapping and a table.
CREATE FUNCTION attach(srv text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE USER MAPPING FOR CURRENT_USER SERVER %I', srv);
  EXECUTE format('CREATE FOREIGN TABLE creds.%I (user_id text, name text) SERVER %I '
                 'OPTIONS (table %L, pk_template %L, sk_template %L)',
                 srv || '_users', srv, 'AppData', 'USER#{user_id}', 'USER#{user_id}');
END $$;

-- ---- each source, and who signed what reached DynamoDB --------------------
-- instance_metadata: IMDSv2 (a session token PUT first) at
-- AWS_EC2_METADATA_SERVICE_ENDPOINT of the server's environment
CREATE SERVER imds FOREIGN DATA WRAPPER ddbrel
  OPTIONS (endpoint :'verify', credential_source 'instance_metadata');
SELECT attach('imds');
\! /usr/bin/python3 test/credctl.py reset
SELECT count(*) FROM imds_users;
\! /usr/bin/python3 test/credctl.py stats imds_put imds_get imds_v1_attempt issued_imds last_ddb_signer last_ddb_token last_ddb_akid_is_latest ddb_rejected
-- ... or at the server's imds_endpoint
CREATE SERVER imds_opt FOREIGN DATA WRAPPER ddbrel
  OPTIONS (endpoint :'verify', credential_source 'instance_metadata', imds_endpoint :'imds');
SELECT attach('imds_opt');
SELECT count(*) FROM imds_opt_users;

-- container: AWS_CONTAINER_CREDENTIALS_FULL_URI with the token of
-- AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (EKS Pod Identity)
CREATE SERVER ecs FOREIGN DATA WRAPPER ddbrel
  OPTIONS (endpoint :'verify', credential_source 'container');
SELECT attach('ecs');
\! /usr/bin/python3 test/credctl.py reset
SELECT count(*) FROM ecs_users;
\! /usr/bin/python3 test/credctl.py stats issued_ecs ecs_denied last_ddb_signer last_ddb_token last_ddb_akid_is_latest ddb_rejected

-- web_identity: AssumeRoleWithWebIdentity with AWS_WEB_IDENTITY_TOKEN_FILE
-- and AWS_ROLE_ARN (EKS IRSA); unsigned, as STS expects
CREATE SERVER web FOREIGN DATA WRAPPER ddbrel
  OPTIONS (endpoint :'verify', credential_source 'web_identity', sts_endpoint :'sts');
SELECT attach('web');
\! /usr/bin/python3 test/credctl.py reset
SELECT count(*) FROM web_users;
\! /usr/bin/python3 test/credctl.py stats sts_web_identity last_sts_web_signed last_sts_session_name issued_web last_ddb_signer last_ddb_token last_ddb_akid_is_latest

-- environment: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY of the server
CREATE SERVER env FOREIGN DATA WRAPPER ddbrel
  OPTIONS (endpoint :'verify', credential_source 'environment');
SELECT attach('env');
\! /usr/bin/python3 test/credctl.py reset
SELECT count(*) FROM env_users;
\! /usr/bin/python3 test/credctl.py stats last_ddb_signer last_ddb_token ddb_rejected

-- profile: static keys of the credentials file ...
CREATE SERVER prof_static FOREIGN DATA WRAPPER ddbrel
  OPTIONS (endpoint :'verify', credential_source 'profile', profile 'static');
SELECT attach('prof_static');
\! /usr/bin/python3 test/credctl.py reset
SELECT count(*) FROM prof_static_users;
\! /usr/bin/python3 test/credctl.py stats last_ddb_signer last_ddb_token
-- ... a credential_process (it asks the stand-ins for fresh credentials) ...
CREATE SERVER prof_process FOREIGN DATA WRAPPER ddbrel
  OPTIONS (endpoint :'verify', credential_source 'profile', profile 'process');
SELECT attach('prof_process');
\! /usr/bin/python3 test/credctl.py reset
SELECT count(*) FROM prof_process_users;
\! /usr/bin/python3 test/credctl.py stats issued_process last_ddb_signer last_ddb_token last_ddb_akid_is_latest
-- ... a role (with an ExternalId) assumed with another profile's keys ...
CREATE SERVER prof_chained FOREIGN DATA WRAPPER ddbrel
  OPTIONS (endpoint :'verify', credential_source 'profile', profile 'chained', sts_endpoint :'sts');
SELECT attach('prof_chained');
\! /usr/bin/python3 test/credctl.py reset
SELECT count(*) FROM prof_chained_users;
\! /usr/bin/python3 test/credctl.py stats sts_assume_role last_sts_signer last_sts_role last_sts_external_id last_sts_session_name issued_role last_ddb_signer last_ddb_akid_is_latest
-- ... and a role assumed with the instance's credentials (credential_source)
CREATE SERVER prof_instance FOREIGN DATA WRAPPER ddbrel
  OPTIONS (endpoint :'verify', credential_source 'profile', profile 'on_instance', sts_endpoint :'sts');
SELECT attach('prof_instance');
\! /usr/bin/python3 test/credctl.py reset
SELECT count(*) FROM prof_instance_users;
\! /usr/bin/python3 test/credctl.py stats issued_imds sts_assume_role last_sts_signer last_sts_role last_ddb_signer

-- role_arn on top of a source: here the user mapping's own keys assume a
-- cross-account role with an ExternalId, for a chosen time and session name
CREATE SERVER um_role FOREIGN DATA WRAPPER ddbrel
  OPTIONS (endpoint :'verify', sts_endpoint :'sts',
           role_arn 'arn:aws:iam::123456789012:role/ddbrel-cross', external_id 'ddbrel-ext-7Qm',
           role_session_name 'reporting', role_duration '900');
CREATE USER MAPPING FOR CURRENT_USER SERVER um_role
  OPTIONS (access_key_id 'AKIDCREDTESTUM', secret_access_key 'credtest-um-SECRET-Vb71xQ');
CREATE FOREIGN TABLE um_role_users (user_id text, name text) SERVER um_role
  OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'USER#{user_id}');
\! /usr/bin/python3 test/credctl.py reset
SELECT count(*) FROM um_role_users;
\! /usr/bin/python3 test/credctl.py stats sts_assume_role last_sts_signer last_sts_region last_sts_external_id last_sts_duration last_sts_session_name last_ddb_signer last_ddb_token last_ddb_akid_is_latest
-- the instance's credentials assuming a role
CREATE SERVER imds_role FOREIGN DATA WRAPPER ddbrel
  OPTIONS (endpoint :'verify', credential_source 'instance_metadata', sts_endpoint :'sts',
           role_arn 'arn:aws:iam::123456789012:role/ddbrel-reader');
SELECT attach('imds_role');
\! /usr/bin/python3 test/credctl.py reset
SELECT count(*) FROM imds_role_users;
\! /usr/bin/python3 test/credctl.py stats issued_imds last_sts_signer last_sts_session_name last_ddb_signer

-- ---- cache and refresh ----------------------------------------------------
-- Temporary credentials are cached per backend and server: the server imds
-- fetched its credentials in the first test above, and still has them ...
\! /usr/bin/python3 test/credctl.py reset
SELECT count(*) FROM imds_users;
SELECT count(*) FROM imds_users;
\! /usr/bin/python3 test/credctl.py stats issued_imds imds_put last_ddb_signer
-- ... until 5 minutes before they expire: with 4 minutes left, each new
-- transaction fetches again, while statements of the transaction that
-- fetched them keep them (a cursor's requests may still be in flight) ...
\! /usr/bin/python3 test/credctl.py config lifetime=240
ALTER SERVER ecs OPTIONS (ADD connect_timeout '4000');	-- drops the cached credentials
\! /usr/bin/python3 test/credctl.py reset
SELECT count(*) FROM ecs_users;
SELECT count(*) FROM ecs_users;
\! /usr/bin/python3 test/credctl.py stats issued_ecs last_ddb_akid_is_latest
\! /usr/bin/python3 test/credctl.py reset
BEGIN;
SELECT count(*) FROM ecs_users;
SELECT count(*) FROM ecs_users;
COMMIT;
\! /usr/bin/python3 test/credctl.py stats issued_ecs last_ddb_akid_is_latest
-- ... down to one minute before they expire: with 30 seconds left, even
-- the next statement of the same transaction fetches new ones (once per
-- statement: planning and execution share them)
\! /usr/bin/python3 test/credctl.py config lifetime=30
ALTER SERVER ecs OPTIONS (SET connect_timeout '5000');
\! /usr/bin/python3 test/credctl.py reset
BEGIN;
SELECT count(*) FROM ecs_users;
SELECT count(*) FROM ecs_users;
COMMIT;
\! /usr/bin/python3 test/credctl.py stats issued_ecs last_ddb_akid_is_latest ddb_rejected
-- credentials that arrive already expired are refused (a wrong clock)
\! /usr/bin/python3 test/credctl.py config lifetime=-60
ALTER SERVER ecs OPTIONS (SET connect_timeout '4000');
SELECT try('SELECT count(*) FROM creds.ecs_users');
\! /usr/bin/python3 test/credctl.py config lifetime=3600
-- the same for roles: AssumeRole again when the role's credentials are due
\! /usr/bin/python3 test/credctl.py config lifetime=240
ALTER SERVER um_role OPTIONS (SET role_session_name 'reporting2');
\! /usr/bin/python3 test/credctl.py reset
SELECT count(*) FROM um_role_users;
SELECT count(*) FROM um_role_users;
\! /usr/bin/python3 test/credctl.py stats sts_assume_role last_sts_session_name last_ddb_akid_is_latest
\! /usr/bin/python3 test/credctl.py config lifetime=3600

-- ---- failures: which source, and why ---------------------------------------
-- IMDSv2 refused: no fallback to IMDSv1, ever
\! /usr/bin/python3 test/credctl.py config imds=refuse_put
ALTER SERVER imds OPTIONS (ADD connect_timeout '4000');
\! /usr/bin/python3 test/credctl.py reset
SELECT try('SELECT count(*) FROM creds.imds_users');
\! /usr/bin/python3 test/credctl.py stats imds_put imds_get imds_v1_attempt
-- an instance without a role
\! /usr/bin/python3 test/credctl.py config imds=no_role
ALTER SERVER imds OPTIONS (SET connect_timeout '5000');
SELECT try('SELECT count(*) FROM creds.imds_users');
\! /usr/bin/python3 test/credctl.py config imds=ok
-- nothing listening at imds_endpoint
ALTER SERVER imds_opt OPTIONS (SET imds_endpoint 'http://127.0.0.1:9', ADD connect_timeout '2000');
SELECT try('SELECT count(*) FROM creds.imds_opt_users');
-- the container endpoint refuses the token
\! /usr/bin/python3 test/credctl.py config ecs=deny
ALTER SERVER ecs OPTIONS (SET connect_timeout '5000');
SELECT try('SELECT count(*) FROM creds.ecs_users');
\! /usr/bin/python3 test/credctl.py config ecs=ok
-- STS does not accept the web identity token
\! /usr/bin/python3 test/credctl.py config web=deny
ALTER SERVER web OPTIONS (ADD connect_timeout '4000');
SELECT try('SELECT count(*) FROM creds.web_users');
\! /usr/bin/python3 test/credctl.py config web=ok
-- STS refuses: a role the caller may not assume, a missing ExternalId, a
-- key STS does not know, a wrong secret (STS recomputes the signature)
CREATE SERVER bad_role FOREIGN DATA WRAPPER ddbrel
  OPTIONS (endpoint :'verify', credential_source 'environment', sts_endpoint :'sts',
           role_arn 'arn:aws:iam::999999999999:role/elsewhere');
SELECT attach('bad_role');
SELECT try('SELECT count(*) FROM creds.bad_role_users');
ALTER SERVER bad_role OPTIONS (SET role_arn 'arn:aws:iam::123456789012:role/ddbrel-cross');
SELECT try('SELECT count(*) FROM creds.bad_role_users');
CREATE SERVER bad_key FOREIGN DATA WRAPPER ddbrel
  OPTIONS (endpoint :'verify', sts_endpoint :'sts', role_arn 'arn:aws:iam::123456789012:role/ddbrel-reader');
CREATE USER MAPPING FOR CURRENT_USER SERVER bad_key
  OPTIONS (access_key_id 'AKIDNOBODYKNOWS', secret_access_key 'credtest-unknown-SECRET-Qa1');
CREATE FOREIGN TABLE bad_key_users (user_id text) SERVER bad_key
  OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'USER#{user_id}');
SELECT try('SELECT count(*) FROM creds.bad_key_users');
ALTER USER MAPPING FOR CURRENT_USER SERVER bad_key
  OPTIONS (SET access_key_id 'AKIDCREDTESTUM', SET secret_access_key 'credtest-wrong-SECRET-Pz8');
SELECT try('SELECT count(*) FROM creds.bad_key_users');
-- STS not there at all
ALTER SERVER bad_key OPTIONS (SET sts_endpoint 'http://127.0.0.1:9', ADD connect_timeout '2000');
SELECT try('SELECT count(*) FROM creds.bad_key_users');
\! /usr/bin/python3 test/credctl.py stats sts_rejected last_sts_rejected
-- profiles: not there, an SSO profile, a failing credential_process
CREATE SERVER prof_bad FOREIGN DATA WRAPPER ddbrel
  OPTIONS (endpoint :'verify', credential_source 'profile', profile 'nosuch');
SELECT attach('prof_bad');
SELECT try('SELECT count(*) FROM creds.prof_bad_users');
ALTER SERVER prof_bad OPTIONS (SET profile 'sso');
SELECT try('SELECT count(*) FROM creds.prof_bad_users');
ALTER SERVER prof_bad OPTIONS (SET profile 'process_fail');
SELECT try('SELECT count(*) FROM creds.prof_bad_users');
-- a source is a server's: keys in a user mapping would go unused
CREATE SERVER keys_ignored FOREIGN DATA WRAPPER ddbrel
  OPTIONS (endpoint :'verify', credential_source 'instance_metadata');
CREATE USER MAPPING FOR CURRENT_USER SERVER keys_ignored
  OPTIONS (access_key_id 'AKIDCREDTESTUM', secret_access_key 'credtest-um-SECRET-Vb71xQ');
CREATE FOREIGN TABLE keys_ignored_users (user_id text) SERVER keys_ignored
  OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'USER#{user_id}');
SELECT try('SELECT count(*) FROM creds.keys_ignored_users');
-- after all that, IMDSv1 was never tried and DynamoDB refused no request
\! /usr/bin/python3 test/credctl.py stats imds_v1_attempt ddb_rejected

-- ---- debug5: messages to the client and the server log ----------------------
-- test/credentials_debug5.sql reads through every source again, in a new
-- backend (nothing cached) with client_min_messages and log_min_messages at
-- debug5; its output goes to a file, as DEBUG lines are not stable enough
-- for an expected file.  Then every secret the test servers know or issued
-- is looked for there and in the server log.
SELECT current_database() AS db \gset
\setenv PGDATABASE :db
\getenv issued_file DDB_ISSUED_SECRETS
\setenv DDB_CRED_OUT :tmpdir/credentials_debug5.out
\! psql -X -q -f test/credentials_debug5.sql >"$DDB_CRED_OUT" 2>&1; echo "debug5 session exit status $?"
CREATE TABLE issued AS
  SELECT s FROM regexp_split_to_table(pg_read_file(:'issued_file'), E'\n') s WHERE s <> '';
SELECT position('DEBUG:' IN t) > 0 AS has_debug_messages,
       position('new AWS credentials for server "prof_chained" from profile "chained"' IN t) > 0 AS tells_fetches,
       (length(t) - length(replace(t, 'ERROR:  28000', ''))) / length('ERROR:  28000') AS credential_errors,
       (SELECT count(*) FROM issued) > 30 AS many_secrets_known,
       (SELECT count(*) FROM issued WHERE position(s IN t) > 0) AS secrets_in_output
  FROM pg_read_file(:'tmpdir' || '/credentials_debug5.out') t;
-- (the user mapping keys of this file may show in the log where PostgreSQL
-- echoes a statement; test/run.sh checks that they show nowhere else)
SELECT count(*) AS issued_secrets_in_server_log
  FROM issued, pg_read_file(:'tmpdir' || '/postgres.log') t
 WHERE s !~ '^credtest-' AND position(s IN t) > 0;

-- ---- who may choose a source ---------------------------------------------
CREATE ROLE ddb_cred_owner LOGIN;
CREATE ROLE ddb_cred_alice LOGIN;
GRANT USAGE ON FOREIGN DATA WRAPPER ddbrel TO ddb_cred_owner;
GRANT USAGE ON SCHEMA creds TO ddb_cred_owner, ddb_cred_alice;
GRANT CREATE ON SCHEMA creds TO ddb_cred_owner;
SET ROLE ddb_cred_owner;
-- every source but the user mapping's is a superuser's choice
SELECT s AS credential_source,
       try(format('CREATE SERVER own_%s FOREIGN DATA WRAPPER ddbrel OPTIONS (credential_source %L)', s, s))
  FROM unnest(ARRAY['user_mapping', 'environment', 'profile', 'web_identity', 'container',
                    'instance_metadata']) s;
-- a role over the user's own keys is anyone's; imds_endpoint is not, and
-- sts_endpoint follows endpoint's rule (no link-local address)
CREATE SERVER own_role FOREIGN DATA WRAPPER ddbrel
  OPTIONS (endpoint :'verify', sts_endpoint :'sts',
           role_arn 'arn:aws:iam::123456789012:role/ddbrel-reader');
ALTER SERVER own_role OPTIONS (ADD imds_endpoint 'http://127.0.0.1:9');
ALTER SERVER own_role OPTIONS (SET sts_endpoint 'http://169.254.169.254/');
ALTER SERVER own_role OPTIONS (SET sts_endpoint 'http://[fd00:ec2::254]/');
RESET ROLE;
-- a superuser may point STS anywhere, but not to a file
ALTER SERVER own_role OPTIONS (SET sts_endpoint 'http://169.254.169.254/');
ALTER SERVER own_role OPTIONS (SET sts_endpoint 'file:///etc/passwd');
-- a server with the instance's credentials stays a superuser's: its owner
-- may change none of its options, unless it gives up the instance's
-- credentials for the user mapping's keys
ALTER SERVER imds_role OWNER TO ddb_cred_owner;
SET ROLE ddb_cred_owner;
ALTER SERVER imds_role OPTIONS (ADD connect_timeout '3000');
ALTER SERVER imds_role OPTIONS (SET sts_endpoint 'http://127.0.0.1:9');
ALTER SERVER imds_role OPTIONS (SET credential_source 'user_mapping');
RESET ROLE;
ALTER SERVER imds_role OWNER TO CURRENT_USER;
-- the superuser hands them out with USAGE: alice maps herself and reads
GRANT USAGE ON FOREIGN SERVER imds TO ddb_cred_alice;
GRANT SELECT ON imds_users TO ddb_cred_alice;
SET ROLE ddb_cred_alice;
CREATE USER MAPPING FOR CURRENT_USER SERVER imds;
SELECT count(*) FROM imds_users;
-- ... but not with keys of her own on that server
ALTER USER MAPPING FOR CURRENT_USER SERVER imds
  OPTIONS (ADD access_key_id 'AKIDALICE', ADD secret_access_key 'credtest-alice-SECRET-Hh2');
SELECT try('SELECT count(*) FROM creds.imds_users');
DROP USER MAPPING FOR CURRENT_USER SERVER imds;
RESET ROLE;

-- ---- option checks ----------------------------------------------------------
CREATE SERVER opt_bad FOREIGN DATA WRAPPER ddbrel OPTIONS (credential_source 'instance');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER ddbrel OPTIONS (profile 'dev');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER ddbrel OPTIONS (credential_source 'profile', profile 'a"b');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER ddbrel OPTIONS (external_id 'x-123');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER ddbrel OPTIONS (role_arn 'ddbrel-reader');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER ddbrel
  OPTIONS (role_arn 'arn:aws:iam::123456789012:role/r', role_duration '600');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER ddbrel
  OPTIONS (role_arn 'arn:aws:iam::123456789012:role/r', role_session_name 'has space');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER ddbrel
  OPTIONS (role_arn 'arn:aws:iam::123456789012:role/r', external_id 'x');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER ddbrel
  OPTIONS (credential_source 'container', imds_endpoint 'http://127.0.0.1:9');
-- endpoints a partition does not have
CREATE SERVER opt_bad FOREIGN DATA WRAPPER ddbrel
  OPTIONS (region 'us-iso-east-1', use_dualstack_endpoint 'true');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER ddbrel
  OPTIONS (region 'us-isob-east-1', endpoint 'https://dynamodb.example', role_arn 'arn:aws:iam::1:role/r',
           use_dualstack_endpoint 'true');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER ddbrel OPTIONS (use_fips_endpoint 'maybe');
-- and ones it has
CREATE SERVER opt_ok FOREIGN DATA WRAPPER ddbrel
  OPTIONS (region 'cn-north-1', use_fips_endpoint 'true', use_dualstack_endpoint 'on');
DROP SERVER opt_ok;

-- ---- no secret in any error of this file ------------------------------------
SELECT count(*) AS errors,
       count(*) FILTER (WHERE t ~ '-(SECRET|TOKEN)-|tmp-|imds-TOKEN') AS with_a_secret
  FROM seen;

DROP SCHEMA creds CASCADE;
DROP SERVER imds, imds_opt, ecs, web, env, prof_static, prof_process, prof_chained,
  prof_instance, um_role, imds_role, bad_role, bad_key, prof_bad, keys_ignored CASCADE;
DROP OWNED BY ddb_cred_owner, ddb_cred_alice;
DROP ROLE ddb_cred_owner, ddb_cred_alice;
