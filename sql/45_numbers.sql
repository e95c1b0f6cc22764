-- Numbers read into numeric and integer columns.  A plain number (an
-- optional minus, digits, at most one point, 15 digits at the most) is
-- converted without numeric_in or the integers' input functions; anything
-- else (more digits, an exponent) goes through them.  Either way the value
-- must be the one the input function makes of the same text, down to its
-- display scale: numeric_send of the column equals numeric_send of the
-- attribute's text cast to numeric.
CREATE SCHEMA numbers;
SET search_path = numbers, public;
CREATE FUNCTION drop_table(t text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ddbrel.request('ddb', 'DeleteTable', jsonb_build_object('TableName', t));
EXCEPTION WHEN SQLSTATE 'HV00R' THEN
  NULL;
END $$;
SELECT drop_table('Numbers45');
SELECT ddbrel.request('ddb', 'CreateTable', '{"TableName": "Numbers45",
  "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}],
  "BillingMode": "PAY_PER_REQUEST"}') IS NOT NULL AS created;
SELECT ddbrel._wait_table_active('ddb', 'Numbers45', 60);
CREATE TABLE texts (k int, t text);
INSERT INTO texts VALUES
  (1, '0'), (2, '-0'), (3, '7'), (4, '-7'), (5, '1.5'), (6, '-1.50'),
  (7, '0.001'), (8, '0.1000'), (9, '100'), (10, '1.0'),
  (11, '123456789012345'), (12, '-123456789012345'), (13, '12345678901234.5'),
  (14, '0.000000000000001'), (15, '1234567890123456'), (16, '1e3'),
  (17, '1.5E-7'), (18, '99999999999999999999999999999999999999'),
  (19, '2147483647'), (20, '2147483648'), (21, '-2147483648'), (22, '-2147483649'),
  (23, '32767'), (24, '32768'), (25, '-32768'), (26, '9223372036854775807'),
  (27, '-9223372036854775808'), (28, '10000.0001'), (29, '-0.0'), (30, '12.345678901234');
SELECT ddbrel.request('ddb', 'BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object('Numbers45',
  (SELECT jsonb_agg(jsonb_build_object('PutRequest', jsonb_build_object('Item',
            jsonb_build_object('PK', jsonb_build_object('S', 'N#' || k), 'k', jsonb_build_object('N', k::text),
                               'n', jsonb_build_object('N', t)))))
     FROM texts WHERE k <= 25))))
  ->'UnprocessedItems' AS unprocessed;
SELECT ddbrel.request('ddb', 'BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object('Numbers45',
  (SELECT jsonb_agg(jsonb_build_object('PutRequest', jsonb_build_object('Item',
            jsonb_build_object('PK', jsonb_build_object('S', 'N#' || k), 'k', jsonb_build_object('N', k::text),
                               'n', jsonb_build_object('N', t)))))
     FROM texts WHERE k > 25))))
  ->'UnprocessedItems' AS unprocessed;

-- five columns read the same attribute
CREATE FOREIGN TABLE nums (pk text OPTIONS (attribute 'PK'), k int,
                           t text OPTIONS (attribute 'n'),
                           n numeric OPTIONS (attribute 'n'),
                           i2 smallint OPTIONS (attribute 'n', wrong_type 'null'),
                           i4 int OPTIONS (attribute 'n', wrong_type 'null'),
                           i8 bigint OPTIONS (attribute 'n', wrong_type 'null'))
  SERVER ddb OPTIONS (table 'Numbers45');
SELECT k, t, n, numeric_send(n) = numeric_send(t::numeric) AS same, i2, i4, i8
  FROM nums ORDER BY k;
-- the integers: what their input functions make of the text, or NULL
-- where they refuse it (a point, out of range)
CREATE FUNCTION int_or_null(t text, typ text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  RETURN CASE typ WHEN 'int2' THEN t::int2::text WHEN 'int4' THEN t::int4::text ELSE t::int8::text END;
EXCEPTION WHEN invalid_text_representation OR numeric_value_out_of_range THEN
  RETURN NULL;
END $$;
SELECT count(*) AS rows,
       count(*) FILTER (WHERE i2::text IS NOT DISTINCT FROM int_or_null(t, 'int2')) AS int2_same,
       count(*) FILTER (WHERE i4::text IS NOT DISTINCT FROM int_or_null(t, 'int4')) AS int4_same,
       count(*) FILTER (WHERE i8::text IS NOT DISTINCT FROM int_or_null(t, 'int8')) AS int8_same
  FROM nums;
-- numeric with a typmod goes through numeric_in, which rounds, or
-- refuses a number too large for it
CREATE FOREIGN TABLE nums_typmod (pk text OPTIONS (attribute 'PK'), k int, n numeric(10,2))
  SERVER ddb OPTIONS (table 'Numbers45');
SELECT k, n FROM nums_typmod WHERE k IN (5, 6, 7, 17, 28) ORDER BY k;
SELECT k, n FROM nums_typmod WHERE k = 13;
-- an integer column without wrong_type 'null' says why it refuses a text
CREATE FOREIGN TABLE nums_strict (pk text OPTIONS (attribute 'PK'), i4 int OPTIONS (attribute 'n'))
  SERVER ddb OPTIONS (table 'Numbers45');
SELECT i4 FROM nums_strict WHERE pk = 'N#5';
SELECT i4 FROM nums_strict WHERE pk = 'N#20';
SELECT i4 FROM nums_strict WHERE pk = 'N#21';

SELECT drop_table('Numbers45');
DROP SCHEMA numbers CASCADE;
