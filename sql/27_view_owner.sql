-- A view reads its foreign tables as the view's owner: with the owner's
-- user mapping, at plan time (DescribeTable) as at run time, so a role
-- without a mapping of its own can use a view owned by one that has one.
-- Also a pushed-down join, a security_barrier view, and a write through an
-- updatable view.
\getenv endpoint DDB_ENDPOINT
CREATE ROLE vo_owner;
CREATE ROLE vo_reader;
CREATE SCHEMA viewowner;
GRANT USAGE ON SCHEMA viewowner TO vo_owner, vo_reader;
GRANT CREATE ON SCHEMA viewowner TO vo_owner;
CREATE SERVER vsrv FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint :'endpoint');
GRANT USAGE ON FOREIGN SERVER vsrv TO vo_owner;
CREATE USER MAPPING FOR vo_owner SERVER vsrv
  OPTIONS (access_key_id 'AKIDVIEWOWNER', secret_access_key 'view-owner-secret');
SELECT ddbrel.request('ddb', 'CreateTable', '{"TableName": "ViewNotes",
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "BillingMode": "PAY_PER_REQUEST"}') ->> 'TableDescription' IS NOT NULL AS created;

SET ROLE vo_owner;
CREATE FOREIGN TABLE viewowner.users (user_id text, name text, email text)
  SERVER vsrv OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'USER#{user_id}');
CREATE FOREIGN TABLE viewowner.orders (user_id text, order_id text, total numeric)
  SERVER vsrv OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'ORDER#{order_id}');
CREATE FOREIGN TABLE viewowner.notes (id text, body text)
  SERVER vsrv OPTIONS (table 'ViewNotes');
CREATE VIEW viewowner.user_names AS SELECT user_id, name FROM viewowner.users;
CREATE VIEW viewowner.user_orders AS
  SELECT u.name, o.order_id, o.total
    FROM viewowner.users u JOIN viewowner.orders o USING (user_id) WHERE o.total > 20;
CREATE VIEW viewowner.big_orders WITH (security_barrier) AS
  SELECT order_id, total FROM viewowner.orders WHERE total > 20;
CREATE VIEW viewowner.note_box AS SELECT id, body FROM viewowner.notes;
GRANT SELECT ON viewowner.user_names, viewowner.user_orders, viewowner.big_orders TO vo_reader;
GRANT SELECT, INSERT ON viewowner.note_box TO vo_reader;
RESET ROLE;

SET ROLE vo_reader;
-- the reader has no user mapping (nor privileges) for the foreign tables
SELECT * FROM viewowner.users WHERE user_id = '123';
-- but the views work, planned and run with the owner's mapping
EXPLAIN (COSTS OFF) SELECT name FROM viewowner.user_names WHERE user_id = '123';
SELECT name FROM viewowner.user_names WHERE user_id = '123';
SELECT user_id, name FROM viewowner.user_names ORDER BY 1;
SELECT * FROM viewowner.user_orders ORDER BY order_id;
SELECT * FROM viewowner.big_orders ORDER BY order_id;
INSERT INTO viewowner.note_box VALUES ('n1', 'written through a view');
SELECT * FROM viewowner.note_box;
RESET ROLE;

SELECT ddbrel.request('ddb', 'DeleteTable', '{"TableName": "ViewNotes"}') IS NOT NULL AS dropped;
DROP SCHEMA viewowner CASCADE;
DROP USER MAPPING FOR vo_owner SERVER vsrv;
DROP SERVER vsrv;
DROP ROLE vo_owner;
DROP ROLE vo_reader;
