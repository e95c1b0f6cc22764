-- Data written by modeling libraries (test/fixtures/libs/): ElectroDB's task
-- manager (TaskApp), DynamoDB-Toolbox's shop (Shop), OneTable's tracker
-- (Tracker).  Each app recorded, for every access pattern it defines, the
-- items the library returned and its request count (LibAnswers).  Through
-- IMPORT's tables, SQL must give the same rows with the same number of
-- requests; and what SQL writes, the library must read back.
CREATE SCHEMA lib;
SET search_path = lib, public;
-- statements written as they run: some write several items, which a server
-- without TransactWriteItems (dynalite) cannot make one transaction
SET ddbrel.write_mode = 'immediate';
SELECT current_database() AS dbname \gset
\setenv PGDATABASE :dbname

-- ---- IMPORT recognises the libraries -------------------------------------
CREATE SCHEMA edb;
IMPORT FOREIGN SCHEMA "TaskApp" FROM SERVER ddb INTO edb OPTIONS (entities 'true');
CREATE SCHEMA tbx;
IMPORT FOREIGN SCHEMA "Shop" FROM SERVER ddb INTO tbx OPTIONS (entities 'true');
CREATE SCHEMA one;
-- OneTable's _type is also many a hand-made design's type attribute: asked for
IMPORT FOREIGN SCHEMA "Tracker" FROM SERVER ddb INTO one OPTIONS (entities 'true', library 'onetable');
SELECT n.nspname, c.relname, array_to_string(ft.ftoptions, E'\n') AS options
  FROM pg_foreign_table ft JOIN pg_class c ON c.oid = ft.ftrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('edb', 'tbx', 'one') ORDER BY 1, 2;
SELECT n.nspname, c.relname,
       string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod) ||
                  coalesce(' ' || array_to_string(a.attfdwoptions, ','), ''), ', ' ORDER BY a.attnum) AS columns
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE n.nspname IN ('edb', 'tbx', 'one') AND c.relkind = 'f'
 GROUP BY 1, 2 ORDER BY 1, 2;

-- ---- Reads: every access pattern, the same rows, the same requests -------
CREATE FOREIGN TABLE answers (library text, pattern text, args text, requests int, items text)
  SERVER ddb OPTIONS (table 'LibAnswers', partition_key 'library', sort_key 'pattern');

-- An item as the comparison sees it: names in lower case (SQL's column
-- names), no NULLs, without the keys in drop.
CREATE FUNCTION canon(item jsonb, drop text[]) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(jsonb_object_agg(lower(key), value), '{}')
    FROM jsonb_each(item) WHERE value <> 'null' AND NOT lower(key) = ANY (drop)
$$;
CREATE FUNCTION canon_list(items jsonb, drop text[]) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(jsonb_agg(canon(e, drop) ORDER BY canon(e, drop)::text), '[]')
    FROM jsonb_array_elements(items) e
$$;
-- A collection: entity name -> its items.
CREATE FUNCTION canon_collection(c jsonb, drop text[]) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(jsonb_object_agg(lower(key), canon_list(value, drop)) FILTER (WHERE jsonb_array_length(value) > 0), '{}')
    FROM jsonb_each(c)
$$;

-- The SQL of each pattern; {name} is the pattern's argument of that name.
CREATE TABLE pattern_sql (library text, pattern text, sql text, collection boolean DEFAULT false);
INSERT INTO pattern_sql (library, pattern, sql) VALUES
  ('electrodb', 'employee_get',            'SELECT * FROM edb.employee WHERE employee = {employee}'),
  ('electrodb', 'employee_coworkers',      'SELECT * FROM edb.employee WHERE office = {office}'),
  ('electrodb', 'employee_coworkers_team', 'SELECT * FROM edb.employee WHERE office = {office} AND team = {team}'),
  ('electrodb', 'employee_teams',          'SELECT * FROM edb.employee WHERE team = {team}'),
  ('electrodb', 'employee_lookup',         'SELECT * FROM edb.employee WHERE employee = {employee}'),
  ('electrodb', 'employee_roles',          'SELECT * FROM edb.employee WHERE title = {title}'),
  ('electrodb', 'employee_reports',        'SELECT * FROM edb.employee WHERE manager = {manager}'),
  ('electrodb', 'task_get',                'SELECT * FROM edb.task WHERE task = {task} AND project = {project} AND employee = {employee}'),
  ('electrodb', 'task_by_id',              'SELECT * FROM edb.task WHERE task = {task}'),
  ('electrodb', 'task_projects',           'SELECT * FROM edb.task WHERE project = {project}'),
  ('electrodb', 'task_projects_employee',  'SELECT * FROM edb.task WHERE project = {project} AND employee = {employee}'),
  ('electrodb', 'task_assigned',           'SELECT * FROM edb.task WHERE employee = {employee}'),
  ('electrodb', 'task_statuses',           'SELECT * FROM edb.task WHERE status = {status}'),
  ('electrodb', 'office_get',              'SELECT * FROM edb.office WHERE country = {country} AND state = {state} AND city = {city} AND zip = {zip} AND office = {office}'),
  ('electrodb', 'office_locations',        'SELECT * FROM edb.office WHERE country = {country} AND state = {state}'),
  ('electrodb', 'office_workplaces',       'SELECT * FROM edb.office WHERE office = {office}'),
  ('electrodb', 'project_get',             'SELECT * FROM edb.project WHERE project = {project}'),
  ('electrodb', 'project_work',            'SELECT * FROM edb.project WHERE project = {project}'),
  ('toolbox',   'customer_get',            'SELECT * FROM tbx.customer WHERE customerid = {customerId}'),
  ('toolbox',   'order_get',               'SELECT * FROM tbx."order" WHERE customerid = {customerId} AND orderid = {orderId}'),
  ('toolbox',   'customer_orders',         'SELECT * FROM tbx."order" WHERE customerid = {customerId}'),
  ('toolbox',   'order_by_id',             'SELECT * FROM tbx."order" WHERE orderid = {orderId}'),
  ('toolbox',   'order_lines',             'SELECT * FROM tbx.line WHERE orderid = {orderId}'),
  ('onetable',  'account_get',             'SELECT * FROM one.account WHERE id = {id}'),
  ('onetable',  'member_get',              'SELECT * FROM one.member WHERE accountid = {accountId} AND email = {email}'),
  ('onetable',  'account_members',         'SELECT * FROM one.member WHERE accountid = {accountId}'),
  ('onetable',  'account_issues',          'SELECT * FROM one.issue WHERE accountid = {accountId}'),
  ('onetable',  'member_by_email',         'SELECT * FROM one.member WHERE email = {email}'),
  ('onetable',  'issues_by_assignee',      'SELECT * FROM one.issue WHERE assignee = {assignee}');
-- collections: one Query for a parent and its children (ddbrel.collection)
INSERT INTO pattern_sql VALUES
  ('electrodb', 'collection_workplaces',
   $$SELECT entity, "row" FROM ddbrel.collection('edb.office', jsonb_build_object('office', {office}::text), '{edb.employee}', 'gsi1')$$, true),
  ('electrodb', 'collection_assignments',
   $$SELECT entity, "row" FROM ddbrel.collection('edb.employee', jsonb_build_object('employee', {employee}::text), '{edb.task}', 'gsi3')$$, true),
  ('electrodb', 'collection_projectwork',
   $$SELECT entity, "row" FROM ddbrel.collection('edb.project', jsonb_build_object('project', {project}::text), '{edb.task}', 'gsi2')$$, true),
  ('toolbox', 'collection_customer',
   $$SELECT entity, "row" FROM ddbrel.collection('tbx.customer', jsonb_build_object('customerid', {customerId}::text), '{tbx.order}', NULL)$$, true),
  ('toolbox', 'collection_order',
   $$SELECT entity, "row" FROM ddbrel.collection('tbx.order', jsonb_build_object('orderid', {orderId}::text), '{tbx.line}', 'gsi1')$$, true),
  ('onetable', 'collection_account',
   $$SELECT entity, "row" FROM ddbrel.collection('one.account', jsonb_build_object('id', {id}::text), '{one.member,one.issue}', NULL)$$, true);

-- Runs one pattern's SQL with its arguments; returns what it gave and how
-- many requests reached DynamoDB (planning's DescribeTable and
-- DescribeTimeToLive calls aside).
CREATE FUNCTION run_pattern(lib text, pat text, OUT same boolean, OUT nrows int,
                            OUT sql_requests bigint, OUT lib_requests int)
LANGUAGE plpgsql AS $$
DECLARE
  a record;
  p record;
  q text;
  k text;
  got jsonb;
  want jsonb;
  drop text[] := ARRAY['created', 'modified'];
BEGIN
  SELECT * INTO a FROM answers WHERE library = lib AND pattern = pat;
  SELECT * INTO p FROM pattern_sql WHERE library = lib AND pattern = pat;
  q := p.sql;
  FOR k IN SELECT jsonb_object_keys(a.args::jsonb) LOOP
    q := replace(q, '{' || k || '}', quote_literal(a.args::jsonb ->> k));
  END LOOP;
  PERFORM ddbrel.stats_reset();
  IF p.collection THEN
    EXECUTE format($f$SELECT coalesce(jsonb_object_agg(e, rows), '{}') FROM
                     (SELECT (SELECT relname FROM pg_class WHERE oid = entity) AS e, jsonb_agg("row") AS rows
                        FROM (%s) c GROUP BY 1) g$f$, q) INTO got;
    got := canon_collection(got, drop);
    want := canon_collection(a.items::jsonb, drop);
    SELECT sum(jsonb_array_length(value)) INTO nrows FROM jsonb_each(got);
  ELSE
    EXECUTE format('SELECT coalesce(jsonb_agg(to_jsonb(r)), ''[]'') FROM (%s) r', q) INTO got;
    got := canon_list(got, drop);
    want := canon_list(a.items::jsonb, drop);
    nrows := jsonb_array_length(got);
  END IF;
  SELECT coalesce(sum(requests), 0) INTO sql_requests FROM ddbrel.stats()
   WHERE operation NOT IN ('DescribeTable', 'DescribeTimeToLive');
  lib_requests := a.requests;
  same := got = want;
  IF NOT same THEN
    RAISE NOTICE '%/%: SQL gave %, the library %', lib, pat, got, want;
  END IF;
END $$;

-- the tables are planned once first: DescribeTable is not an access pattern's
SELECT count(*) > 0 AS described FROM (SELECT ddbrel.describe_table('ddb', t) FROM unnest(ARRAY['TaskApp', 'Shop', 'Tracker']) t) d;
SELECT p.library, p.pattern, r.*
  FROM pattern_sql p, LATERAL run_pattern(p.library, p.pattern) r
 ORDER BY p.library, p.pattern;
-- every pattern the libraries recorded has its SQL, and the other way round
SELECT library, pattern FROM answers
EXCEPT SELECT library, pattern FROM pattern_sql;
SELECT library, pattern FROM pattern_sql
EXCEPT SELECT library, pattern FROM answers;
SELECT library, count(*) AS patterns, sum(requests) AS library_requests FROM answers GROUP BY 1 ORDER BY 1;

-- how the patterns are read
EXPLAIN (COSTS OFF) SELECT * FROM edb.employee WHERE employee = 'Emp07';
EXPLAIN (COSTS OFF) SELECT * FROM edb.employee WHERE office = 'Portland HQ';
EXPLAIN (COSTS OFF) SELECT * FROM edb.task WHERE project = 'Gemini X';
EXPLAIN (COSTS OFF) SELECT * FROM edb.employee WHERE manager = 'Emp03';

-- ---- Collections as joins: one Query on the index both entities share -----
SELECT args::jsonb ->> 'office' AS office FROM answers
 WHERE library = 'electrodb' AND pattern = 'collection_workplaces' \gset
SELECT items::jsonb -> 'employee' AS want_employees, items::jsonb -> 'office' AS want_offices
  FROM answers WHERE library = 'electrodb' AND pattern = 'collection_workplaces' \gset
EXPLAIN (COSTS OFF)
SELECT o.city, e.employee FROM edb.office o JOIN edb.employee e USING (office) WHERE o.office = :'office';
SELECT ddbrel.stats_reset();
SELECT canon_list(jsonb_agg(DISTINCT to_jsonb(e)), '{}') = canon_list(:'want_employees', '{}') AS same_employees,
       canon_list(jsonb_agg(DISTINCT to_jsonb(o)), '{}') = canon_list(:'want_offices', '{}') AS same_office,
       count(*) AS rows
  FROM edb.office o JOIN edb.employee e USING (office) WHERE o.office = :'office';
SELECT * FROM sent();
-- the tasks of an employee: the partition of gsi3 (ElectroDB's collection "assignments")
SELECT args::jsonb ->> 'employee' AS emp, jsonb_array_length(items::jsonb -> 'task') AS want_tasks FROM answers
 WHERE library = 'electrodb' AND pattern = 'collection_assignments' \gset
EXPLAIN (COSTS OFF)
SELECT e.firstname, t.task FROM edb.employee e JOIN edb.task t USING (employee) WHERE e.employee = :'emp';
SELECT ddbrel.stats_reset();
SELECT count(*) = :want_tasks AS same_count, count(DISTINCT e.employee) AS employees
  FROM edb.employee e JOIN edb.task t USING (employee) WHERE e.employee = :'emp';
SELECT * FROM sent();
-- a join on the table's partition of templates shaped alike (OneTable's
-- "Account#{id}" and "Account#{accountid}")
EXPLAIN (COSTS OFF)
SELECT a.name, m.email FROM one.account a JOIN one.member m ON m.accountid = a.id WHERE a.id = 'Acct2';
SELECT ddbrel.stats_reset();
SELECT count(*) FROM one.account a JOIN one.member m ON m.accountid = a.id WHERE a.id = 'Acct2';
SELECT * FROM sent();

-- ---- Mixed case: the stored spelling finds its items ---------------------
SELECT employee, firstname, office FROM edb.employee WHERE employee = 'Emp07';
SELECT employee, office FROM edb.employee WHERE employee IN ('Emp07', 'Emp12') ORDER BY 1;
SELECT office, city FROM edb.office WHERE office = 'İzmir Tower';
SELECT office, city FROM edb.office WHERE office = 'ΣΤΟΑ ΑΘΗΝΑΣ';
SELECT count(*) FROM edb.task WHERE project = 'Straße-Bau';
-- another spelling is another value: the key finds the item, the row check does not keep it
SELECT employee FROM edb.employee WHERE employee = 'EMP07';
SELECT employee FROM edb.employee WHERE employee = 'emp07';
SELECT employee FROM edb.employee WHERE lower(employee) = 'emp07';

-- ---- Writes that ElectroDB reads back -------------------------------------
INSERT INTO edb.employee (employee, firstname, lastname, office, title, team, salary, manager, hired)
  VALUES ('Emp99', 'İsmail', 'Öztürk', 'İzmir Tower', 'Engineer I', 'QA', '70000', 'Emp02', '2024-01-15'),
         ('EmpΣ1', 'Σοφία', 'Παππάς', 'ΣΤΟΑ ΑΘΗΝΑΣ', 'Director', 'ΣDev', '150000', NULL, '2020-05-05');
\! node test/fixtures/libs/electrodb_app.js run employee_get '{"employee":"Emp99"}'
\! node test/fixtures/libs/electrodb_app.js run employee_get '{"employee":"EmpΣ1"}'
\! node test/fixtures/libs/electrodb_app.js run employee_coworkers '{"office":"İzmir Tower","team":"QA"}'
\! node test/fixtures/libs/electrodb_app.js run employee_reports '{"manager":"Emp02","team":"QA"}'
\! node test/fixtures/libs/electrodb_app.js run employee_teams '{"team":"ΣDev","hired":"2020-05-05"}'
\! node test/fixtures/libs/electrodb_app.js run collection_workplaces '{"office":"ΣΤΟΑ ΑΘΗΝΑΣ"}'
-- the key ddbrel composed is the key ElectroDB composes
-- (a final sigma: "EmpΣ1" lower-cases to "empς1"; no manager: a truncated gsi5pk)
\! bash test/awsread.sh get TaskApp '{"pk":{"S":"$taskapp#employee_empς1"},"sk":{"S":"$employee_1"}}'
INSERT INTO edb.task (task, project, employee, description, status, points)
  VALUES ('Task-9001', 'Gemini X', 'Emp99', 'Written by SQL', 'Open', 3);
\! node test/fixtures/libs/electrodb_app.js run task_get '{"task":"Task-9001","project":"Gemini X","employee":"Emp99"}'
\! node test/fixtures/libs/electrodb_app.js run collection_assignments '{"employee":"Emp99"}'
-- UPDATE moves the index keys along: nothing goes stale
UPDATE edb.employee SET office = 'Denver Loft', team = 'Mobile' WHERE employee = 'Emp99';
\! node test/fixtures/libs/electrodb_app.js run employee_coworkers '{"office":"Denver Loft","team":"Mobile"}'
\! node test/fixtures/libs/electrodb_app.js run employee_coworkers '{"office":"İzmir Tower","team":"QA"}'
\! node test/fixtures/libs/electrodb_app.js run employee_reports '{"manager":"Emp02","team":"Mobile"}'
UPDATE edb.task SET status = 'Closed' WHERE task = 'Task-9001';
\! node test/fixtures/libs/electrodb_app.js run task_statuses '{"status":"Closed","project":"Gemini X","employee":"Emp99"}'
\! node test/fixtures/libs/electrodb_app.js run task_statuses '{"status":"Open","project":"Gemini X","employee":"Emp99"}'
-- a change of case only keeps the key: the attribute takes the new spelling
UPDATE edb.employee SET employee = 'EMP99' WHERE employee = 'Emp99';
\! node test/fixtures/libs/electrodb_app.js run employee_get '{"employee":"EMP99"}'
SELECT employee, office, team FROM edb.employee WHERE employee = 'EMP99';
-- DELETE with the stored spelling finds the items
DELETE FROM edb.task WHERE task = 'Task-9001';
DELETE FROM edb.employee WHERE employee IN ('EMP99', 'EmpΣ1');
\! node test/fixtures/libs/electrodb_app.js run employee_get '{"employee":"EMP99"}'
\! node test/fixtures/libs/electrodb_app.js run task_get '{"task":"Task-9001","project":"Gemini X","employee":"Emp99"}'
SELECT count(*) FROM edb.employee WHERE employee IN ('EMP99', 'EmpΣ1');

-- ---- Writes that DynamoDB-Toolbox and OneTable read back -----------------
INSERT INTO tbx.customer (customerid, name, email, tier) VALUES ('Cust99', 'Zoë SQL', 'z@Example.com', 'Gold');
INSERT INTO tbx."order" (customerid, orderid, status, total) VALUES ('Cust99', 'Cust99-O1', 'Placed', 12.5);
\! node test/fixtures/libs/toolbox_app.js run customer_get '{"customerId":"Cust99"}'
\! node test/fixtures/libs/toolbox_app.js run order_by_id '{"orderId":"Cust99-O1"}'
\! node test/fixtures/libs/toolbox_app.js run collection_customer '{"customerId":"Cust99"}'
UPDATE tbx."order" SET status = 'Shipped' WHERE orderid = 'Cust99-O1';
\! node test/fixtures/libs/toolbox_app.js run order_get '{"customerId":"Cust99","orderId":"Cust99-O1"}'
DELETE FROM tbx."order" WHERE orderid = 'Cust99-O1';
DELETE FROM tbx.customer WHERE customerid = 'Cust99';
\! node test/fixtures/libs/toolbox_app.js run collection_customer '{"customerId":"Cust99"}'

INSERT INTO one.member (accountid, email, name, role) VALUES ('Acct2', 'new.one@Example.org', 'Neo', 'Member');
\! node test/fixtures/libs/onetable_app.js run member_get '{"accountId":"Acct2","email":"new.one@Example.org"}'
\! node test/fixtures/libs/onetable_app.js run member_by_email '{"email":"new.one@Example.org"}'
UPDATE one.member SET role = 'Admin' WHERE email = 'new.one@Example.org';
\! node test/fixtures/libs/onetable_app.js run member_get '{"accountId":"Acct2","email":"new.one@Example.org"}'
DELETE FROM one.member WHERE email = 'new.one@Example.org';
\! node test/fixtures/libs/onetable_app.js run member_get '{"accountId":"Acct2","email":"new.one@Example.org"}'

-- ---- A composite value only inside an index key ---------------------------
CREATE SCHEMA keys;
IMPORT FOREIGN SCHEMA "EdbKeys" FROM SERVER ddb INTO keys OPTIONS (entities 'true');
SELECT c.relname, array_to_string(ft.ftoptions, ', ') AS options FROM pg_foreign_table ft
  JOIN pg_class c ON c.oid = ft.ftrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'keys';
SELECT attname, attfdwoptions FROM pg_attribute WHERE attrelid = 'keys.thing'::regclass AND attnum > 0 ORDER BY attnum;
-- read back from gsi1pk ("ann"); the truncated key "$app#owner_" is NULL
SELECT thing, owner, color FROM keys.thing ORDER BY thing;
-- a condition on it binds the index, and is checked on the rows, never a filter on an attribute
EXPLAIN (COSTS OFF) SELECT thing FROM keys.thing WHERE owner = 'ann';
SELECT thing FROM keys.thing WHERE owner = 'ann' ORDER BY thing;
SELECT thing FROM keys.thing WHERE owner IS NULL;
-- written only into the key
INSERT INTO keys.thing (thing, owner, color) VALUES ('T4', 'bo', 'Pink');
\! bash test/awsread.sh get EdbKeys '{"pk":{"S":"$app#thing_t4"},"sk":{"S":"$thing_1"}}'
DELETE FROM keys.thing WHERE thing = 'T4';
DROP SCHEMA keys CASCADE;

-- ---- Identifiers, missing values and transforms by hand -------------------
-- a row that lacks an identifier attribute is not the entity's
CREATE FOREIGN TABLE edb_v2 (employee text OPTIONS (attribute 'employee'), office text)
  SERVER ddb OPTIONS (table 'TaskApp', pk_template '$taskapp#employee_{employee:lower}',
                      sk_template '$employee_1', identifiers '{"__edb_e__": "employee", "__edb_v__": "2"}');
SELECT count(*) FROM edb_v2 WHERE employee = 'Emp07';
SELECT count(*) FROM edb_v2;
-- a sort key of lower-cased values does not sort like the values: ORDER BY sorts
CREATE FOREIGN TABLE lowsk (grp text, name text OPTIONS (attribute 'name'))
  SERVER ddb OPTIONS (table 'WriteApp', pk_template 'LOWSK#{grp}', sk_template 'N#{name:lower}');
INSERT INTO lowsk VALUES ('g', 'b'), ('g', 'A'), ('g', 'C');
EXPLAIN (COSTS OFF) SELECT name FROM lowsk WHERE grp = 'g' ORDER BY name COLLATE "C";
SELECT name FROM lowsk WHERE grp = 'g' ORDER BY name COLLATE "C";
DELETE FROM lowsk;
DROP FOREIGN TABLE lowsk;
-- options are checked
CREATE SCHEMA badimp;
IMPORT FOREIGN SCHEMA "Tracker" FROM SERVER ddb INTO badimp OPTIONS (entities 'true', library 'dynamoose');
IMPORT FOREIGN SCHEMA "Tracker" FROM SERVER ddb INTO badimp OPTIONS (library 'onetable');
-- without library 'onetable', by key shape, with a hint
IMPORT FOREIGN SCHEMA "Tracker" FROM SERVER ddb INTO badimp OPTIONS (entities 'true');
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'badimp' ORDER BY 1;
-- library 'none': ElectroDB's items by key shape too
-- (which 50 items, and so its NOTICEs of them, depends on the Scan's order)
SET client_min_messages = warning;
IMPORT FOREIGN SCHEMA "TaskApp" FROM SERVER ddb INTO badimp OPTIONS (entities 'true', library 'none', sample_size '50');
RESET client_min_messages;
SELECT count(*) > 0 AS some_tables FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'badimp';
SET client_min_messages = warning;
DROP SCHEMA badimp CASCADE;
RESET client_min_messages;
CREATE FOREIGN TABLE bad1 (a text) SERVER ddb OPTIONS (table 'TaskApp', identifiers '["x"]');
CREATE FOREIGN TABLE bad2 (a text) SERVER ddb OPTIONS (table 'TaskApp', identifiers '{"x": 1}');
CREATE FOREIGN TABLE bad3 (a text) SERVER ddb OPTIONS (table 'TaskApp', gsi1pk_missing 'drop');
CREATE FOREIGN TABLE bad4 (a text) SERVER ddb OPTIONS (table 'TaskApp', pk_template 'X#{a:title}');
CREATE FOREIGN TABLE bad5 (a text, b text) SERVER ddb OPTIONS (table 'TaskApp', pk_template '{a:lower}.{b}');
CREATE FOREIGN TABLE bad6 (a text) SERVER ddb OPTIONS (table 'TaskApp', pk_template 'X#{a}', gsi9pk_missing 'truncate');
SELECT * FROM bad6;
DROP FOREIGN TABLE bad6;
-- transforms case-map text: holes of other types keep one text per value
CREATE FOREIGN TABLE bad7 (a uuid) SERVER ddb OPTIONS (table 'TaskApp', pk_template 'X#{a:upper}');
SELECT * FROM bad7;
CREATE FOREIGN TABLE bad8 (a text, b boolean) SERVER ddb OPTIONS (table 'TaskApp', pk_template 'X#{a:lower}', gsi1pk_template 'B#{b:lower}');
SELECT * FROM bad8;
DROP FOREIGN TABLE bad7, bad8;
-- compose_key and parse_key apply transforms
SELECT ddbrel.compose_key('$taskapp#office_{office:lower}', '{"office": "ΣΤΟΑ ΑΘΗΝΑΣ"}');
SELECT ddbrel.compose_key('S#{s:upper}', '{"s": "Straße"}');
SELECT ddbrel.parse_key('$taskapp#office_{office:lower}', '$taskapp#office_portland hq');
SELECT ddbrel.parse_key('$taskapp#office_{office:lower}', '$taskapp#office_Portland HQ');

DROP SCHEMA edb, tbx, one CASCADE;
DROP SCHEMA lib CASCADE;
