-- Temporary credentials that expire while a statement runs.  Each request
-- is signed when it is sent; once the credentials it would be signed with
-- expire within a minute (or within half their lifetime, when that is
-- shorter), new ones are asked for first.  Here the container endpoint
-- of test/credservers.py hands out credentials that live 6 seconds, and a
-- statement paced to at least 8 seconds reads through the DynamoDB front
-- that refuses requests signed with expired credentials.  (Before, a
-- statement signed everything with the credentials it started with, and
-- failed with ExpiredTokenException.)
\getenv verify DDB_VERIFY_ENDPOINT
CREATE SCHEMA expiry;
SET search_path = expiry, public;
-- 32 segments, each at least one request, at 4 requests per second
CREATE SERVER short_lived FOREIGN DATA WRAPPER ddbrel
  OPTIONS (endpoint :'verify', credential_source 'container', max_requests_per_second '4');
CREATE USER MAPPING FOR CURRENT_USER SERVER short_lived;
CREATE FOREIGN TABLE pages (id text, n int) SERVER short_lived
  OPTIONS (table 'Pages', parallel_segments '32');
\! /usr/bin/python3 test/credctl.py config lifetime=6
\! /usr/bin/python3 test/credctl.py reset
SELECT count(*), sum(n) FROM pages;
-- nothing was refused, and more than one set of credentials signed
\! /usr/bin/python3 test/credctl.py stats ddb_rejected
\set keys `/usr/bin/python3 test/credctl.py stats ddb_signer_keys | cut -d= -f2`
SELECT :keys >= 2 AS renewed_within_the_statement;

-- A cursor read across several statements, its credentials expiring
-- between them: each page is signed with valid ones.
\! /usr/bin/python3 test/credctl.py reset
BEGIN;
DECLARE c CURSOR FOR SELECT n FROM pages;
FETCH 1 FROM c \g /dev/null
SELECT pg_sleep(7);
MOVE FORWARD ALL IN c;
COMMIT;
\! /usr/bin/python3 test/credctl.py stats ddb_rejected

\! /usr/bin/python3 test/credctl.py config lifetime=3600
DROP SCHEMA expiry CASCADE;
DROP SERVER short_lived CASCADE;
