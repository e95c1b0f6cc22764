-- Privileges of the SQL functions that reach DynamoDB.  They act with the
-- caller's user mapping, and a PUBLIC mapping serves every role, so each
-- checks what PostgreSQL would: ddbrel.collection() returns whole rows of
-- entity tables and needs SELECT on each (or on all of its columns) and
-- USAGE on their server; ddbrel.request(), describe_table() and
-- entity_columns() need USAGE on the server; ddbrel.rewrite() plans the
-- query as the caller.  A refusal comes before any request.
\getenv endpoint DDB_ENDPOINT
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE ROLE ddb_priv_reader;
CREATE SCHEMA priv;
GRANT USAGE ON SCHEMA priv, ddbrel TO ddb_priv_reader;
CREATE SERVER priv_srv FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint :'endpoint');
CREATE USER MAPPING FOR PUBLIC SERVER priv_srv
  OPTIONS (access_key_id 'AKIDPRIV', secret_access_key 'priv-public-SECRET-Lm4Qz8r');
CREATE FOREIGN TABLE priv.users (user_id text, name text, email text) SERVER priv_srv
  OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'USER#{user_id}');
CREATE FOREIGN TABLE priv.orders (user_id text, order_id text, total numeric, status text) SERVER priv_srv
  OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'ORDER#{order_id}');
GRANT SELECT ON priv.users, priv.orders TO ddb_priv_reader;
GRANT USAGE ON FOREIGN SERVER priv_srv TO ddb_priv_reader;
-- what reached DynamoDB, DescribeTable included
CREATE FUNCTION priv.requests() RETURNS TABLE (operation text, requests bigint)
LANGUAGE sql AS $$ SELECT operation, requests FROM ddbrel.stats() ORDER BY 1 $$;
GRANT EXECUTE ON FUNCTION priv.requests() TO ddb_priv_reader;

-- with every privilege: the user and their orders
SET ROLE ddb_priv_reader;
SELECT entity, "row" FROM ddbrel.collection('priv.users', '123', ARRAY['priv.orders']::regclass[]);
RESET ROLE;

-- SELECT revoked on a child: the query and collection() are both refused,
-- and nothing is sent
REVOKE SELECT ON priv.orders FROM ddb_priv_reader;
SET ROLE ddb_priv_reader;
SELECT ddbrel.stats_reset();
SELECT * FROM priv.orders WHERE user_id = '123';
SELECT * FROM ddbrel.collection('priv.users', '123', ARRAY['priv.orders']::regclass[]);
SELECT * FROM priv.requests();
RESET ROLE;
-- SELECT on every column is enough (the rows come back whole) ...
GRANT SELECT (user_id, order_id, total, status) ON priv.orders TO ddb_priv_reader;
SET ROLE ddb_priv_reader;
SELECT count(*) FROM ddbrel.collection('priv.users', '123', ARRAY['priv.orders']::regclass[]);
RESET ROLE;
-- ... on some of them is not
REVOKE SELECT (status) ON priv.orders FROM ddb_priv_reader;
SET ROLE ddb_priv_reader;
SELECT * FROM ddbrel.collection('priv.users', '123', ARRAY['priv.orders']::regclass[]);
RESET ROLE;
-- the parent too
GRANT SELECT ON priv.orders TO ddb_priv_reader;
REVOKE SELECT ON priv.users FROM ddb_priv_reader;
SET ROLE ddb_priv_reader;
SELECT * FROM ddbrel.collection('priv.users', '123', ARRAY['priv.orders']::regclass[]);
SELECT * FROM ddbrel.collection('priv.users', '123', '{}');
RESET ROLE;
GRANT SELECT ON priv.users TO ddb_priv_reader;

-- USAGE on the server revoked: nothing goes through it
REVOKE USAGE ON FOREIGN SERVER priv_srv FROM ddb_priv_reader;
SET ROLE ddb_priv_reader;
SELECT ddbrel.stats_reset();
SELECT * FROM ddbrel.collection('priv.users', '123', ARRAY['priv.orders']::regclass[]);
SELECT ddbrel.request('priv_srv', 'DescribeTable', '{"TableName": "AppData"}');
SELECT * FROM ddbrel.describe_table('priv_srv', 'AppData');
SELECT * FROM ddbrel.entity_columns('priv.users');
SELECT * FROM priv.requests();
RESET ROLE;

-- rewrite() plans the query as the caller: without SELECT it is refused
REVOKE SELECT ON priv.orders FROM ddb_priv_reader;
SET ROLE ddb_priv_reader;
SELECT step, operation FROM ddbrel.rewrite('SELECT * FROM priv.orders WHERE user_id = ''123''');
SELECT step, operation FROM ddbrel.rewrite('SELECT * FROM priv.users WHERE user_id = ''123''');
RESET ROLE;

-- the catalog functions read only the catalog, which every role may read,
-- and declaring a relationship writes the catalog, which only its owner may
SET ROLE ddb_priv_reader;
SELECT kind, parent, child FROM ddbrel.propose_relationships('priv');
SELECT server, dynamodb_table, pk_template, sk_template FROM ddbrel._entity_options('priv.orders');
SELECT ddbrel.has_many('priv.users', 'priv.orders', '{user_id}', same_partition => false);
RESET ROLE;

DROP SCHEMA priv CASCADE;
DROP USER MAPPING FOR PUBLIC SERVER priv_srv;
DROP SERVER priv_srv;
REVOKE USAGE ON SCHEMA ddbrel FROM ddb_priv_reader;
DROP ROLE ddb_priv_reader;
