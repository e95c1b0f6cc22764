-- Copied columns asked of ddbrel.design() and ddbrel.migrate(): copies =>
-- '{"child.new_column": "parent.column"}' duplicates a parent's column into
-- the items of a child placed in the parent's partition.  design() checks
-- the request and lists the copy among the access patterns; migrate() adds
-- the column to the child's entity foreign table, fills it from the
-- parent's rows during the load, and declares it with declare_copy(), so
-- an UPDATE of the parent's column reaches every copy.
\set SHOW_CONTEXT never
\set VERBOSITY terse
CREATE SCHEMA srccp;
CREATE FUNCTION srccp.drop_dynamodb_table(t text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ddbrel.request('ddb', 'DeleteTable', jsonb_build_object('TableName', t));
  LOOP
    PERFORM ddbrel.request('ddb', 'DescribeTable', jsonb_build_object('TableName', t));
    PERFORM pg_sleep(0.05);
  END LOOP;
EXCEPTION WHEN SQLSTATE 'HV00R' THEN
  NULL;
END $$;
SELECT srccp.drop_dynamodb_table('MigCopies');

-- the backlog: users, projects, and backlog items of a project assigned to a user
CREATE TABLE srccp.users (user_id text PRIMARY KEY, name text NOT NULL);
CREATE TABLE srccp.projects (project_id text PRIMARY KEY, title text NOT NULL);
CREATE TABLE srccp.backlog_items (item_id text PRIMARY KEY,
                                  assignee_id text NOT NULL REFERENCES srccp.users,
                                  project_id text REFERENCES srccp.projects,
                                  title text NOT NULL);
INSERT INTO srccp.users VALUES ('u1', 'Ann'), ('u2', 'Bob'), ('u3', 'Cid');
INSERT INTO srccp.projects VALUES ('p1', 'Apollo');
INSERT INTO srccp.backlog_items
  SELECT 'i' || lpad(i::text, 3, '0'), CASE WHEN i <= 250 THEN 'u1' ELSE 'u2' END,
         CASE WHEN i % 2 = 0 THEN 'p1' END, 'task ' || i
    FROM generate_series(1, 253) i;

-- ---- design(): the copy is an access pattern without a join --------------
SELECT entity, role, pk_template, sk_template, parents
  FROM ddbrel.design('srccp', copies => '{"backlog_items.assignee_name": "users.name"}');
SELECT * FROM ddbrel.design_access_patterns('srccp', copies => '{"backlog_items.assignee_name": "users.name"}');
-- without copies the table is the same less that row
SELECT count(*) FROM ddbrel.design_access_patterns('srccp');

-- ---- what design() refuses ------------------------------------------------
-- not a mapping of "child.column" to "parent.column"
SELECT * FROM ddbrel.design('srccp', copies => '["users.name"]');
SELECT * FROM ddbrel.design('srccp', copies => '{"backlog_items": "users.name"}');
SELECT * FROM ddbrel.design('srccp', copies => '{"backlog_items.x": 3}');
-- tables and columns that do not exist
SELECT * FROM ddbrel.design('srccp', copies => '{"tasks.assignee_name": "users.name"}');
SELECT * FROM ddbrel.design('srccp', copies => '{"backlog_items.assignee_name": "people.name"}');
SELECT * FROM ddbrel.design('srccp', copies => '{"backlog_items.assignee_name": "users.nick"}');
-- the copy would hide a column of the child
SELECT * FROM ddbrel.design('srccp', copies => '{"backlog_items.title": "users.name"}');
-- the copy would read a key attribute
SELECT * FROM ddbrel.design('srccp', copies => '{"backlog_items.sk": "users.name"}');
-- no foreign key from the child to the parent
SELECT * FROM ddbrel.design('srccp', copies => '{"users.project_title": "projects.title"}');
-- a foreign key that does not place the child in the parent's partition:
-- its copies could only be found by a Scan
\set VERBOSITY default
SELECT * FROM ddbrel.design('srccp', copies => '{"backlog_items.project_title": "projects.title"}');
\set VERBOSITY terse

-- ---- migrate(): the copies land in the items ------------------------------
-- (verify 'full' compares the source's columns: the copy is not one of them)
CALL ddbrel.migrate('srccp', 'ddb', 'MigCopies', 'dstcp', verify => 'full',
                    copies => '{"backlog_items.assignee_name": "users.name"}') \gset m_
SELECT :m_tables AS tables, :m_rows_loaded AS rows_loaded, :m_items AS items, :'m_status' AS status;
-- the copy is a column of the child's entity foreign table, and declared
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'dstcp.backlog_items'::regclass AND attnum > 0 ORDER BY attnum;
SELECT target, target_column, source, source_column, target_columns, source_columns,
       relationship, on_delete, lookup
  FROM ddbrel.copies WHERE target = 'dstcp.backlog_items'::regclass;
SELECT assignee_id, assignee_name, count(*) FROM dstcp.backlog_items GROUP BY 1, 2 ORDER BY 1, 2;
-- in the items themselves, as DynamoDB returns them
SELECT count(*) AS items,
       count(*) FILTER (WHERE i->'assignee_name'->>'S' = 'Ann') AS ann,
       count(*) FILTER (WHERE i->'assignee_name'->>'S' = 'Bob') AS bob
  FROM jsonb_array_elements(ddbrel.request('ddb', 'Scan', '{"TableName": "MigCopies",
         "FilterExpression": "begins_with(#sk, :p)", "ExpressionAttributeNames": {"#sk": "SK"},
         "ExpressionAttributeValues": {":p": {"S": "BACKLOG"}}}')->'Items') i;
-- the users' partition reads items and their assignee's name in one Query
SELECT ddbrel.stats_reset();
SELECT item_id, assignee_name FROM dstcp.backlog_items WHERE assignee_id = 'u2' ORDER BY item_id;
SELECT * FROM sent();

-- ---- an UPDATE of the parent's column reaches every copy -------------------
SET ddbrel.write_mode = 'immediate';
SELECT ddbrel.stats_reset();
UPDATE dstcp.users SET name = 'Ann Baker' WHERE user_id = 'u1';
SELECT * FROM sent();
SELECT assignee_id, assignee_name, count(*) FROM dstcp.backlog_items GROUP BY 1, 2 ORDER BY 1, 2;
SELECT * FROM ddbrel.check_copies('dstcp.backlog_items');
RESET ddbrel.write_mode;

-- ---- a second CALL finds the run complete and the copy declared -----------
-- (verify 'none': the source still has the old name, the items the new one)
SET client_min_messages = warning;    -- its notice names the run
CALL ddbrel.migrate('srccp', 'ddb', 'MigCopies', 'dstcp', verify => 'none',
                    copies => '{"backlog_items.assignee_name": "users.name"}') \gset m_
RESET client_min_messages;
SELECT :'m_status' AS status, :m_run = (SELECT max(run) FROM ddbrel.migration_runs WHERE source_schema = 'srccp') AS same_run,
       (SELECT count(*) FROM ddbrel.migration_runs WHERE source_schema = 'srccp') AS runs,
       (SELECT count(*) FROM ddbrel.copies WHERE target = 'dstcp.backlog_items'::regclass) AS declared;

SET ddbrel.write_mode = 'immediate';
-- an item inserted later gets its copy from its user
INSERT INTO dstcp.backlog_items (assignee_id, item_id, project_id, title) VALUES ('u3', 'i900', NULL, 'new');
SELECT assignee_name FROM dstcp.backlog_items WHERE assignee_id = 'u3';
RESET ddbrel.write_mode;

SELECT srccp.drop_dynamodb_table('MigCopies');

-- ---- a migration with copies that fails half-way and is resumed ----------
-- task 13 holds a number DynamoDB cannot store; batches of 5 rows
CREATE SCHEMA srccr;
CREATE TABLE srccr.owners (owner_id text PRIMARY KEY, name text NOT NULL);
CREATE TABLE srccr.tasks (task_id int PRIMARY KEY, owner_id text NOT NULL REFERENCES srccr.owners,
                          estimate numeric);
INSERT INTO srccr.owners VALUES ('o1', 'Ann'), ('o2', 'Bob');
INSERT INTO srccr.tasks SELECT g, CASE WHEN g % 3 = 0 THEN 'o2' ELSE 'o1' END,
                               CASE WHEN g = 13 THEN 'NaN'::numeric ELSE g END
                          FROM generate_series(1, 20) g;
SELECT srccp.drop_dynamodb_table('MigCopiesResume');
SET client_min_messages = warning;    -- notices name the run
CALL ddbrel.migrate('srccr', 'ddb', 'MigCopiesResume', 'dstcr', batch_rows => 5,
                    copies => '{"tasks.owner_name": "owners.name"}');
SELECT source_table, status, rows_done FROM ddbrel.migration_status
 WHERE source_schema = 'srccr' ORDER BY 1;
UPDATE srccr.tasks SET estimate = 13 WHERE task_id = 13;
CALL ddbrel.migrate('srccr', 'ddb', 'MigCopiesResume', 'dstcr', batch_rows => 5,
                    copies => '{"tasks.owner_name": "owners.name"}') \gset m_
RESET client_min_messages;
SELECT :'m_status' AS status, :m_rows_loaded AS rows_loaded_on_resume;
-- every task, those of the first batches and those after the resume, has its copy
SELECT owner_id, owner_name, count(*), sum(task_id) FROM dstcr.tasks GROUP BY 1, 2 ORDER BY 1, 2;
SELECT count(*) AS declared FROM ddbrel.copies WHERE target = 'dstcr.tasks'::regclass;
SELECT srccp.drop_dynamodb_table('MigCopiesResume');
