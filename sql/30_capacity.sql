-- Capacity budgets: read_capacity and write_capacity cap the capacity units
-- that a table's reads and writes consume, measured from the
-- ConsumedCapacity ddbrel asks for on every request on items.  When
-- DynamoDB throttles, the budget's rate is halved and grows back (AIMD).
-- What reached the server is checked at the fault proxy, which logs every
-- request with the capacity its answer reported and can throttle like a
-- table with provisioned capacity.  Only facts that load cannot change are
-- printed: a slow machine reads more slowly, never faster than the budget.
\getenv proxy DDB_PROXY_ENDPOINT
CREATE SCHEMA cap;
SET search_path = cap, public;
-- the batched path: each statement written as it runs (transactions, whose
-- writes are held until COMMIT, are sql/50_transactions.sql)
SET ddbrel.write_mode = 'immediate';
CREATE SERVER cap FOREIGN DATA WRAPPER ddbrel
  OPTIONS (endpoint :'proxy', max_retries '20');
CREATE USER MAPPING FOR CURRENT_USER SERVER cap
  OPTIONS (access_key_id 'AKIDTEST', secret_access_key 'secret');
-- the budget state of a table as this backend sees it
CREATE FUNCTION budget(t text) RETURNS TABLE (read_budget float8, write_budget float8)
LANGUAGE sql AS $$
  SELECT read_budget, write_budget FROM ddbrel.capacity() WHERE server = 'cap' AND "table" = t
$$;

-- ---- options ------------------------------------------------------------------
-- units per second, or a percentage of the table's capacity; on the server
-- or the foreign table
CREATE FOREIGN TABLE opt_t (id text) SERVER cap
  OPTIONS (table 'Pages', read_capacity '12.5', write_capacity '50%');
ALTER FOREIGN TABLE opt_t OPTIONS (SET read_capacity '0', SET write_capacity '100%');
ALTER SERVER cap OPTIONS (ADD read_capacity '1000', ADD write_capacity '0.5%');
ALTER SERVER cap OPTIONS (DROP read_capacity, DROP write_capacity);
-- refused
ALTER FOREIGN TABLE opt_t OPTIONS (SET read_capacity 'lots');
ALTER FOREIGN TABLE opt_t OPTIONS (SET read_capacity '-5');
ALTER FOREIGN TABLE opt_t OPTIONS (SET read_capacity '0%');
ALTER FOREIGN TABLE opt_t OPTIONS (SET write_capacity '150%');
ALTER FOREIGN TABLE opt_t OPTIONS (SET write_capacity '1e3');
ALTER FOREIGN TABLE opt_t OPTIONS (SET write_capacity '5 %');
ALTER FOREIGN TABLE opt_t OPTIONS (SET write_capacity '1.2.3');
ALTER FOREIGN TABLE opt_t OPTIONS (SET write_capacity '');
ALTER USER MAPPING FOR CURRENT_USER SERVER cap OPTIONS (ADD read_capacity '5');

-- ---- every request on items asks for ConsumedCapacity ------------------------------
SELECT ddbrel.request('cap', 'CreateTable', '{"TableName": "CapItems",
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "BillingMode": "PAY_PER_REQUEST"}') IS NOT NULL AS created;
CREATE FOREIGN TABLE items_t (id text, v text) SERVER cap OPTIONS (table 'CapItems');
CREATE FOREIGN TABLE items_up (id text, v text) SERVER cap
  OPTIONS (table 'CapItems', upsert 'true');
CREATE FOREIGN TABLE orders_cap (user_id text, order_id text, total numeric) SERVER cap
  OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'ORDER#{order_id}');
\! /usr/bin/python3 test/faultctl.py reset
SELECT ddbrel.stats_reset();
INSERT INTO items_t VALUES ('a', '1'), ('b', '2'), ('c', '3');	-- PutItem
INSERT INTO items_up VALUES ('d', '4'), ('e', '5');				-- BatchWriteItem
SELECT * FROM items_t WHERE id = 'a';							-- GetItem
SELECT * FROM items_t WHERE id IN ('b', 'c') ORDER BY id;		-- BatchGetItem
SELECT count(*) FROM items_t;									-- Scan
SELECT order_id FROM orders_cap WHERE user_id = '123' ORDER BY 1;	-- Query
UPDATE items_t SET v = 'x' WHERE id = 'a';						-- UpdateItem
DELETE FROM items_t WHERE id = 'b' RETURNING id;				-- DeleteItem
DELETE FROM items_t WHERE id = 'c';								-- BatchWriteItem
-- also a request as its user wrote it
SELECT ddbrel.request('cap', 'GetItem', '{"TableName": "CapItems", "Key": {"id": {"S": "a"}}}')
       -> 'ConsumedCapacity' ->> 'TableName' AS capacity_of;
\! /usr/bin/python3 test/faultctl.py log-check
-- ddbrel.capacity() counts what the answers said, as the proxy saw them
\set proxy_units `/usr/bin/python3 test/faultctl.py units --table CapItems`
SELECT read_units > 0 AS read, write_units > 0 AS written,
       read_units + write_units = :proxy_units AS as_the_server_said,
       read_throttles + write_throttles AS throttles, read_budget, write_budget
  FROM ddbrel.capacity() WHERE server = 'cap' AND "table" = 'CapItems';

-- ---- a long scan under a budget --------------------------------------------------
-- Pages holds 3,000 items of 1.5 KB (about 600 read units, five 1 MB pages
-- without a budget).  The proxy throttles reads above 90 units/s, like a
-- table provisioned with 90 read capacity units; the budget is 60.
CREATE FOREIGN TABLE pages_cap (id text, n int) SERVER cap
  OPTIONS (table 'Pages', read_capacity '60');
\! /usr/bin/python3 test/faultctl.py capacity 90 0
\! /usr/bin/python3 test/faultctl.py reset
SELECT ddbrel.stats_reset();
SELECT count(*), sum(n) FROM pages_cap;
-- over every 5-second window the scan consumed at most 10% more than 5 x 60
-- units, and was never throttled
\! /usr/bin/python3 test/faultctl.py log-check --table Pages --kind read --budget 60 --seconds 5
-- its pages were kept small (about a tenth of a second of the budget each)
SELECT requests > 50 AS small_pages, items_returned FROM ddbrel.stats() WHERE operation = 'Scan';
\set proxy_units `/usr/bin/python3 test/faultctl.py units --table Pages`
SELECT read_units = :proxy_units AS as_the_server_said, read_throttles, read_budget, read_rate
  FROM ddbrel.capacity() WHERE server = 'cap' AND "table" = 'Pages';

-- ---- throttled below the budget: AIMD -----------------------------------------------
-- Now the table takes only 10 units/s.  The first throttles halve the rate,
-- once a second, until the scan fits, and each throttle pauses the table's
-- requests a moment; then the rate grows back slowly, to the next throttle.
-- Fewer than half of the requests are throttled (at a steady 60 units/s,
-- most would be), and the scan ends with every row.
\! /usr/bin/python3 test/faultctl.py capacity 10 0
\! /usr/bin/python3 test/faultctl.py reset
SELECT ddbrel.stats_reset();
SELECT count(*) FROM (SELECT n FROM pages_cap LIMIT 300) s;
\! /usr/bin/python3 test/faultctl.py log-check --table Pages --kind read --budget 60
SELECT read_throttles > 0 AS throttled, read_rate <= read_budget AS rate_within_budget
  FROM ddbrel.capacity() WHERE server = 'cap' AND "table" = 'Pages';
SELECT retries = (SELECT read_throttles FROM ddbrel.capacity()
                   WHERE server = 'cap' AND "table" = 'Pages') AS every_throttle_retried
  FROM ddbrel.stats() WHERE operation = 'Scan';
\! /usr/bin/python3 test/faultctl.py off

-- ---- DynamoDB's ThrottlingReasons in the error ------------------------------------------
CREATE SERVER cap0 FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint :'proxy', max_retries '0');
CREATE USER MAPPING FOR CURRENT_USER SERVER cap0
  OPTIONS (access_key_id 'AKIDTEST', secret_access_key 'secret');
CREATE FOREIGN TABLE pages0 (id text, n int) SERVER cap0 OPTIONS (table 'Pages');
CREATE FOREIGN TABLE orders0 (user_id text, order_id text) SERVER cap0
  OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'ORDER#{order_id}');
SELECT count(*) FROM pages0 WHERE id = 'p0001';		-- described before the fault
SELECT count(*) FROM orders0 WHERE user_id = '123';
\set VERBOSITY default
\! /usr/bin/python3 test/faultctl.py script throughput --reasons
SELECT count(*) FROM pages0;
\! /usr/bin/python3 test/faultctl.py script throughput --reasons
SELECT user_id FROM orders0 WHERE order_id = '1001';	-- Query on GSI1
-- without reasons (older servers, other kinds of throttling), as before
\! /usr/bin/python3 test/faultctl.py script throttling
SELECT count(*) FROM pages0;

-- ---- writes under a budget, and percentages --------------------------------------------
-- A table provisioned with 20 read and 125 write capacity units: 50% of
-- its reads is 10 units/s, 80% of its writes 100.
SELECT ddbrel.request('cap', 'CreateTable', '{"TableName": "CapWrites",
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "ProvisionedThroughput": {"ReadCapacityUnits": 20, "WriteCapacityUnits": 125}}')
  -> 'TableDescription' -> 'ProvisionedThroughput' ->> 'WriteCapacityUnits' AS provisioned_writes;
CREATE FOREIGN TABLE writes_t (id text, pad text) SERVER cap
  OPTIONS (table 'CapWrites', upsert 'true', read_capacity '50%', write_capacity '80%');
\! /usr/bin/python3 test/faultctl.py reset
-- 700 items of about 900 bytes: 700 write units in 28 BatchWriteItems of
-- 25, which take a second or two without a budget, and 7 seconds with it
INSERT INTO writes_t SELECT 'w' || g, repeat('x', 900) FROM generate_series(1, 700) g;
\! /usr/bin/python3 test/faultctl.py log-check --table CapWrites --kind write --budget 100 --seconds 5
SELECT * FROM budget('CapWrites');
SELECT count(*) FROM writes_t WHERE id IN ('w1', 'w700');

-- The server's budget holds for every table no foreign table of the
-- statement set one for, ddbrel.request() included.  A percentage of an
-- on-demand table without a maximum throughput is no budget.
ALTER SERVER cap OPTIONS (ADD write_capacity '50%');
SELECT ddbrel.request('cap', 'PutItem', '{"TableName": "CapItems", "Item": {"id": {"S": "r"}}}') IS NOT NULL AS put;
SELECT * FROM budget('CapItems');
ALTER SERVER cap OPTIONS (SET write_capacity '7');
SELECT ddbrel.request('cap', 'PutItem', '{"TableName": "CapItems", "Item": {"id": {"S": "r"}}}') IS NOT NULL AS put;
SELECT * FROM budget('CapItems');
SELECT ddbrel.request('cap', 'PutItem', '{"TableName": "CapWrites", "Item": {"id": {"S": "r"}}}') IS NOT NULL AS put;
SELECT * FROM budget('CapWrites');
-- a foreign table's own value wins, '0' included (no budget)
ALTER FOREIGN TABLE items_t OPTIONS (ADD write_capacity '0');
INSERT INTO items_t VALUES ('f', '6');
SELECT * FROM budget('CapItems');
INSERT INTO items_up VALUES ('g', '7');
SELECT * FROM budget('CapItems');
-- the lowest budget of the statement's tables of one DynamoDB table wins
ALTER FOREIGN TABLE items_up OPTIONS (ADD read_capacity '30');
ALTER FOREIGN TABLE items_t OPTIONS (ADD read_capacity '20');
SELECT count(*) FROM items_up u JOIN items_t t USING (id);
SELECT * FROM budget('CapItems');

-- An on-demand table with a maximum throughput (OnDemandThroughput, which
-- neither test server knows: the proxy adds it to DescribeTable's answer):
-- a percentage is of that maximum.
CREATE SERVER capod FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint :'proxy');
CREATE USER MAPPING FOR CURRENT_USER SERVER capod
  OPTIONS (access_key_id 'AKIDTEST', secret_access_key 'secret');
CREATE FOREIGN TABLE od_pages (id text, n int) SERVER capod
  OPTIONS (table 'Pages', read_capacity '50%', write_capacity '10%');
\! /usr/bin/python3 test/faultctl.py script patch --ops DescribeTable --patch '{"Table": {"OnDemandThroughput": {"MaxReadRequestUnits": 400, "MaxWriteRequestUnits": 50}}}'
SELECT n FROM od_pages WHERE id = 'p0042';
SELECT read_budget, write_budget FROM ddbrel.capacity() WHERE server = 'capod';

-- ---- clean up ------------------------------------------------------------------------------
SELECT ddbrel.request('cap', 'DeleteTable', '{"TableName": "CapItems"}') IS NOT NULL AS dropped;
SELECT ddbrel.request('cap', 'DeleteTable', '{"TableName": "CapWrites"}') IS NOT NULL AS dropped;
SET client_min_messages = warning;
DROP SCHEMA cap CASCADE;
DROP SERVER cap, cap0, capod CASCADE;
RESET client_min_messages;
