-- Option validation: unknown names get a closest-match hint, bad values a
-- clear message, secrets are accepted only on user mappings.
\set VERBOSITY default

-- server options
CREATE SERVER bad1 FOREIGN DATA WRAPPER ddbrel OPTIONS (regoin 'us-east-1');
CREATE SERVER bad2 FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint 'ftp://example.com');
CREATE SERVER bad3 FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint 'file:///etc/passwd');
CREATE SERVER bad4 FOREIGN DATA WRAPPER ddbrel OPTIONS (endpoint 'http://user:pw@example.com');
CREATE SERVER bad5 FOREIGN DATA WRAPPER ddbrel OPTIONS (region 'US East');
CREATE SERVER bad6 FOREIGN DATA WRAPPER ddbrel OPTIONS (secret_access_key 'must-not-appear');
CREATE SERVER bad7 FOREIGN DATA WRAPPER ddbrel OPTIONS (max_retries '-1');
CREATE SERVER bad8 FOREIGN DATA WRAPPER ddbrel OPTIONS (connect_timeout 'soon');
CREATE SERVER bad9 FOREIGN DATA WRAPPER ddbrel OPTIONS (allow_full_scan 'perhaps');
CREATE SERVER good FOREIGN DATA WRAPPER ddbrel
  OPTIONS (region 'eu-west-1', connect_timeout '2000', request_timeout '10000', max_retries '3');
ALTER SERVER good OPTIONS (ADD endpont 'http://localhost:8000');

-- user mapping options
CREATE USER MAPPING FOR CURRENT_USER SERVER good OPTIONS (acces_key_id 'x');
CREATE USER MAPPING FOR CURRENT_USER SERVER good OPTIONS (region 'us-east-1');
CREATE USER MAPPING FOR CURRENT_USER SERVER good OPTIONS (secret_access_key '');

-- foreign table options
CREATE FOREIGN TABLE ft_bad1 (id text) SERVER ddb;
CREATE FOREIGN TABLE ft_bad2 (id text) SERVER ddb OPTIONS (tabel 'X');
CREATE FOREIGN TABLE ft_bad3 (id text) SERVER ddb OPTIONS (table 'X', consistent_read 'maybe');
CREATE FOREIGN TABLE ft_bad4 (id text) SERVER ddb OPTIONS (table 'X', parallel_segments '0');
CREATE FOREIGN TABLE ft_bad5 (id text) SERVER ddb OPTIONS (table 'X', pk_template 'USER#{user_id');
CREATE FOREIGN TABLE ft_bad6 (id text) SERVER ddb OPTIONS (table 'X', sk_template 'A#{a}{b}');
CREATE FOREIGN TABLE ft_bad7 (id text) SERVER ddb OPTIONS (table 'X', access_key_id 'x');
CREATE FOREIGN TABLE ft_bad8 (id text OPTIONS (attribte 'ID')) SERVER ddb OPTIONS (table 'X');
CREATE FOREIGN TABLE ft_bad9 (id text OPTIONS (document 'yes please')) SERVER ddb OPTIONS (table 'X');

-- checks that need the columns happen when the table is used
CREATE FOREIGN TABLE ft_tmpl (id text) SERVER ddb
  OPTIONS (table 'AppData', pk_template 'USER#{user_id}');
SELECT * FROM ft_tmpl;
CREATE FOREIGN TABLE ft_doc (id text, doc text OPTIONS (document 'true')) SERVER ddb
  OPTIONS (table 'AppData');
SELECT * FROM ft_doc;
CREATE FOREIGN TABLE ft_type (id text) SERVER ddb
  OPTIONS (table 'AppData', type_attribute '_type');
SELECT * FROM ft_type;

-- as in PostgreSQL, a superuser sees user mapping options in the catalog
SELECT count(*) AS secret_in_catalog_for_superuser
  FROM pg_user_mappings WHERE array_to_string(umoptions, ',') LIKE '%regress-secret%';

DROP FOREIGN TABLE ft_tmpl, ft_doc, ft_type;
DROP SERVER good;
