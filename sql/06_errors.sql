-- Clear errors: missing table, credentials, unreachable endpoint, template
-- columns, non-superusers without keys.
\getenv endpoint DDB_ENDPOINT
-- DynamoDB's own words for an error differ between implementations (a
-- missing table is "Requested resource not found" on one, "Cannot do
-- operations on a non-existent table" on another): error_of shows the
-- message, the exception type and HTTP status of the detail with its words
-- replaced by <words> (there must be some), and ddbrel's context lines.
CREATE FUNCTION error_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  msg text;
  det text;
  ctx text;
BEGIN
  EXECUTE q;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL,
                          ctx = PG_EXCEPTION_CONTEXT;
  RETURN format(E'ERROR: %s\nDETAIL: %s\nCONTEXT: %s', msg,
    regexp_replace(det, '^([A-Za-z]+): [^ ].*( \(HTTP [0-9]+\))$', '\1: <words>\2'),
    (SELECT string_agg(l, E'\n') FROM regexp_split_to_table(ctx, E'\n') l
      WHERE l LIKE 'DynamoDB%'));
END
$$;
CREATE FOREIGN TABLE nosuch (id text) SERVER ddb OPTIONS (table 'NoSuchTable');
SELECT error_of('SELECT * FROM nosuch');
SELECT sqlstate_of('SELECT * FROM nosuch') AS sqlstate;

-- an endpoint where nothing listens: a connection error after the retries
CREATE SERVER closed FOREIGN DATA WRAPPER ddbrel
  OPTIONS (endpoint 'http://127.0.0.1:9', max_retries '2', connect_timeout '1000');
CREATE USER MAPPING FOR CURRENT_USER SERVER closed
  OPTIONS (access_key_id 'x', secret_access_key 'never-shown');
CREATE FOREIGN TABLE closed_t (id text) SERVER closed OPTIONS (table 'AppData', partition_key 'id');
SELECT * FROM closed_t;
SELECT sqlstate_of('SELECT * FROM closed_t') AS sqlstate;

-- a superuser's mapping without keys uses the server's environment
CREATE SERVER envsrv FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint :'endpoint');
CREATE USER MAPPING FOR CURRENT_USER SERVER envsrv;
CREATE FOREIGN TABLE env_users (user_id text, name text)
  SERVER envsrv OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'USER#{user_id}');
SELECT * FROM env_users ORDER BY user_id;

-- a non-superuser may not
CREATE ROLE ddb_plain LOGIN;
GRANT USAGE ON FOREIGN SERVER envsrv TO ddb_plain;
CREATE USER MAPPING FOR ddb_plain SERVER envsrv;
GRANT SELECT ON env_users TO ddb_plain;
SET ROLE ddb_plain;
SELECT * FROM env_users;
RESET ROLE;
-- a mapping with only half the keys
ALTER USER MAPPING FOR ddb_plain SERVER envsrv OPTIONS (ADD access_key_id 'x');
SET ROLE ddb_plain;
SELECT * FROM env_users;
RESET ROLE;
-- with keys, the non-superuser reads
ALTER USER MAPPING FOR ddb_plain SERVER envsrv OPTIONS (ADD secret_access_key 'plain-secret');
SET ROLE ddb_plain;
SELECT count(*) FROM env_users;
RESET ROLE;

-- a template naming a column that does not exist
CREATE FOREIGN TABLE bad_tmpl (id text)
  SERVER ddb OPTIONS (table 'AppData', pk_template 'USER#{user_id}');
SELECT * FROM bad_tmpl;
-- sk_template on a table without a sort key
CREATE FOREIGN TABLE bad_sk (id text, v text)
  SERVER ddb OPTIONS (table 'Types', sk_template 'X#{v}');
SELECT * FROM bad_sk;

-- after all these errors the backend still works
SELECT count(*) FROM users;

DROP FOREIGN TABLE bad_tmpl, bad_sk, env_users, closed_t, nosuch;
DROP FUNCTION error_of(text);
DROP USER MAPPING FOR ddb_plain SERVER envsrv;
DROP OWNED BY ddb_plain;
DROP ROLE ddb_plain;
