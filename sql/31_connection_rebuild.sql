-- A connection is rebuilt when its server's endpoint, region or TLS
-- settings change.  Calls still in flight, such as an open cursor's next
-- page (read ahead while the current one is returned), finish on the old
-- connection; new calls, also the cursor's later pages, go out on the new
-- one.  (The rebuild used to free every call of every connection, and the
-- cursor then read freed memory.)
\getenv proxy DDB_PROXY_ENDPOINT
\getenv direct DDB_ENDPOINT
CREATE SCHEMA rebuild;
SET search_path = rebuild, public;
CREATE SERVER rb FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint :'proxy');
CREATE USER MAPPING FOR CURRENT_USER SERVER rb
  OPTIONS (access_key_id 'AKIDTEST', secret_access_key 'secret');
-- Pages: 3,000 items in about five 1 MB pages; n runs from 1 to 3000
CREATE FOREIGN TABLE rb_pages (id text, n int) SERVER rb OPTIONS (table 'Pages');
CREATE FOREIGN TABLE rb_users (user_id text, name text) SERVER rb
  OPTIONS (table 'AppData', pk_template 'USER#{user_id}', sk_template 'USER#{user_id}');
-- Reads up to max rows of a cursor: how many, and the sum of their n.
CREATE FUNCTION drain(c refcursor, max int, OUT rows int, OUT total bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v int;
BEGIN
  rows := 0;
  total := 0;
  WHILE rows < max LOOP
    FETCH c INTO v;
    EXIT WHEN NOT FOUND;
    rows := rows + 1;
    total := total + v;
  END LOOP;
END $$;

-- The cursor's first page is read and its second requested; then the
-- endpoint moves (the proxy and the server behind it hold the same tables),
-- and another query rebuilds the connection while that request is out.
\! /usr/bin/python3 test/faultctl.py reset
BEGIN;
DECLARE c CURSOR FOR SELECT n FROM rb_pages;
SELECT total AS first_total FROM drain('c', 5) \gset
ALTER SERVER rb OPTIONS (SET endpoint :'direct');
SELECT name FROM rb_users WHERE user_id = '123';
SELECT rows + 5 AS rows, total + :first_total = 4501500 AS every_row_once FROM drain('c', 100000);
COMMIT;
-- the proxy saw the cursor's first two pages only: the rest went direct
\! /usr/bin/python3 test/faultctl.py stats | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["by_op"])'

-- The same, ending in ROLLBACK (which also undoes the ALTER) while the old
-- connection still has the call: the end of the transaction frees both.
\! /usr/bin/python3 test/faultctl.py reset
BEGIN;
DECLARE c CURSOR FOR SELECT n FROM rb_pages;
SELECT rows FROM drain('c', 5);
ALTER SERVER rb OPTIONS (SET endpoint :'proxy');
SELECT name FROM rb_users WHERE user_id = '123';
ROLLBACK;
SELECT name FROM rb_users WHERE user_id = '123';
-- ... or in CLOSE: the cursor's call is dropped, the old connection with it
BEGIN;
DECLARE c CURSOR FOR SELECT n FROM rb_pages;
SELECT rows FROM drain('c', 5);
ALTER SERVER rb OPTIONS (SET endpoint :'proxy');
SELECT name FROM rb_users WHERE user_id = '123';
CLOSE c;
COMMIT;
SELECT count(*), sum(n) FROM rb_pages;

-- Inside a savepoint that is rolled back: the outer cursor's call, on the
-- old connection, is not the savepoint's and goes on.
BEGIN;
DECLARE c CURSOR FOR SELECT n FROM rb_pages;
SELECT total AS first_total FROM drain('c', 5) \gset
SAVEPOINT s;
ALTER SERVER rb OPTIONS (SET endpoint :'direct');
SELECT name FROM rb_users WHERE user_id = '123';
ROLLBACK TO s;
SELECT rows + 5 AS rows, total + :first_total = 4501500 AS every_row_once FROM drain('c', 100000);
COMMIT;

-- Credentials that change are not a rebuild: calls in flight keep going,
-- their retries are signed with the new keys.
BEGIN;
DECLARE c CURSOR FOR SELECT n FROM rb_pages;
SELECT total AS first_total FROM drain('c', 5) \gset
ALTER USER MAPPING FOR CURRENT_USER SERVER rb
  OPTIONS (SET access_key_id 'AKIDTESTTWO', SET secret_access_key 'secret2');
SELECT name FROM rb_users WHERE user_id = '123';
SELECT rows + 5 AS rows, total + :first_total = 4501500 AS every_row_once FROM drain('c', 100000);
COMMIT;

DROP SCHEMA rebuild CASCADE;
DROP SERVER rb CASCADE;
