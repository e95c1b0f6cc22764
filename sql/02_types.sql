-- Type mapping, DynamoDB -> PostgreSQL, over items written by the AWS CLI
-- (test/fixtures/types.sh lists them).
CREATE FOREIGN TABLE types_text (id text, v text) SERVER ddb OPTIONS (table 'Types');
CREATE FOREIGN TABLE types_num (id text, v numeric) SERVER ddb OPTIONS (table 'Types');
CREATE FOREIGN TABLE types_json (id text, v jsonb, w json) SERVER ddb OPTIONS (table 'Types');
CREATE FOREIGN TABLE types_all (
  id text,
  s text, n numeric, n_int int8, n_float float8, b bytea, bool boolean, nul text,
  m jsonb, l jsonb, ss text[], ns numeric[], ns_int int4[], bs bytea[],
  missing text,
  doc jsonb OPTIONS (document 'true'))
  SERVER ddb OPTIONS (table 'Types');
ALTER FOREIGN TABLE types_all ALTER COLUMN n_int OPTIONS (attribute 'n');
ALTER FOREIGN TABLE types_all ALTER COLUMN n_float OPTIONS (attribute 'n');
ALTER FOREIGN TABLE types_all ALTER COLUMN ns_int OPTIONS (attribute 'ns');

-- strings: empty stays empty (not NULL), unicode and escapes intact
SELECT id, v, v IS NULL AS is_null, length(v) FROM types_text
 WHERE id IN ('t1', 't2', 't3', 't4') ORDER BY id;

-- numbers: 38 digits survive, exponents and tiny values are exact
SELECT id, v FROM types_num WHERE id IN ('t5', 't6', 't7', 't8', 't9', 't10') ORDER BY id;
SELECT v = 12345678901234567890123456789012345678 AS exact_38_digits FROM types_num WHERE id = 't8';
-- a number read into a text column keeps DynamoDB's text
SELECT v FROM types_text WHERE id = 't8';

-- binary, booleans and NULL
CREATE FOREIGN TABLE types_b (id text, v bytea) SERVER ddb OPTIONS (table 'Types');
CREATE FOREIGN TABLE types_bool (id text, v boolean) SERVER ddb OPTIONS (table 'Types');
SELECT v FROM types_b WHERE id = 't11';
SELECT id, v FROM types_bool WHERE id IN ('t12', 't13', 't14') ORDER BY id;

-- maps and lists as jsonb, nested, empty
SELECT id, v FROM types_json WHERE id IN ('t15', 't16', 't20') ORDER BY id;
SELECT v #>> '{child,child,name}' AS level3, (v #> '{child,child,n}')::int + 1 AS n_plus_1
  FROM types_json WHERE id = 't15';
SELECT w FROM types_json WHERE id = 't20';
-- scalars in a jsonb column are plain JSON scalars
SELECT id, v, jsonb_typeof(v) FROM types_json WHERE id IN ('t1', 't8', 't12', 't14') ORDER BY id;

-- sets
CREATE FOREIGN TABLE types_sets (id text, v text[]) SERVER ddb OPTIONS (table 'Types');
CREATE FOREIGN TABLE types_nsets (id text, v numeric[]) SERVER ddb OPTIONS (table 'Types');
CREATE FOREIGN TABLE types_bsets (id text, v bytea[]) SERVER ddb OPTIONS (table 'Types');
SELECT (SELECT array_agg(x ORDER BY x) FROM unnest(v) x) FROM types_sets WHERE id = 't17';
SELECT (SELECT array_agg(x ORDER BY x) FROM unnest(v) x) FROM types_nsets WHERE id = 't18';
SELECT (SELECT array_agg(x ORDER BY x) FROM unnest(v) x) FROM types_bsets WHERE id = 't19';

-- one item with every type, each column typed for it; a missing attribute is NULL
SELECT s, n, n_int, n_float, b, bool, nul, m, l,
       (SELECT array_agg(x ORDER BY x) FROM unnest(ss) x) AS ss,
       (SELECT array_agg(x ORDER BY x) FROM unnest(ns) x) AS ns,
       (SELECT array_agg(x ORDER BY x) FROM unnest(ns_int) x) AS ns_int,
       bs, missing
  FROM types_all WHERE id = 't21';
-- the document column holds the whole item as plain JSON
SELECT doc FROM types_all WHERE id = 't21';
SELECT doc FROM types_all WHERE id = 't22';
SELECT doc->'v' AS v FROM types_all WHERE id = 't8';

-- a value that does not fit its column names the attribute and the item
SELECT * FROM types_num WHERE id = 't1';
SELECT v FROM types_bool WHERE id = 't5';
CREATE FOREIGN TABLE types_int (id text, v int2) SERVER ddb OPTIONS (table 'Types');
SELECT v FROM types_int WHERE id = 't5';
SELECT v FROM types_int WHERE id = 't8';
SELECT v FROM types_int WHERE id = 't1';
