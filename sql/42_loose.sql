-- Loose tables: attributes that change type from item to item, and
-- attributes no column maps.  A column option wrong_type 'null' reads a
-- value the column cannot hold as NULL (counted in ddbrel.stats()) instead
-- of failing the query; a jsonb column with extra 'true' holds every
-- attribute no other column maps; IMPORT FOREIGN SCHEMA says in a NOTICE
-- which attributes the sampled items had, and of which types.
CREATE SCHEMA loose;
SET search_path = loose, public;
CREATE FUNCTION drop_table(t text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ddbrel.request('ddb', 'DeleteTable', jsonb_build_object('TableName', t));
EXCEPTION WHEN SQLSTATE 'HV00R' THEN
  NULL;
END $$;
SELECT drop_table('Loose15');
SELECT ddbrel.request('ddb', 'CreateTable', '{"TableName": "Loose15",
  "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"},
                           {"AttributeName": "SK", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
  "BillingMode": "PAY_PER_REQUEST"}') IS NOT NULL AS created;
SELECT ddbrel._wait_table_active('ddb', 'Loose15', 60);
-- qty is a number, except where an older writer stored text; seen is a
-- date, or a word; tags a list of strings, or a list with a number in it
SELECT ddbrel.request('ddb', 'BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object('Loose15',
  (SELECT jsonb_agg(jsonb_build_object('PutRequest', jsonb_build_object('Item', i)))
     FROM (VALUES
       ('{"PK": {"S": "ITEM#1"}, "SK": {"S": "ITEM#1"}, "qty": {"N": "3"}, "seen": {"S": "2024-05-01"},
          "tags": {"L": [{"S": "a"}, {"S": "b"}]}, "color": {"S": "red"}}'::jsonb),
       ('{"PK": {"S": "ITEM#2"}, "SK": {"S": "ITEM#2"}, "qty": {"S": "n/a"}, "seen": {"S": "yesterday-ish"},
          "tags": {"L": [{"S": "a"}, {"N": "7"}]}, "size": {"N": "42"}}'),
       ('{"PK": {"S": "ITEM#3"}, "SK": {"S": "ITEM#3"}, "qty": {"N": "5"}, "seen": {"N": "20240501"},
          "tags": {"SS": ["x"]}, "color": {"S": "blue"}, "dims": {"M": {"w": {"N": "1.5"}}}}'),
       ('{"PK": {"S": "ITEM#4"}, "SK": {"S": "ITEM#4"}, "qty": {"BOOL": true}}'),
       ('{"PK": {"S": "ITEM#5"}, "SK": {"S": "ITEM#5"}, "qty": {"N": "99999999999"}}')) v(i)))))
  ->'UnprocessedItems' AS unprocessed;

-- by default, a value of the wrong type is an error that names it
CREATE FOREIGN TABLE items_strict (item_id text, qty int)
  SERVER ddb OPTIONS (table 'Loose15', pk_template 'ITEM#{item_id}', sk_template 'ITEM#{item_id}');
SELECT * FROM items_strict WHERE item_id = '2';
SELECT * FROM items_strict WHERE item_id = '1';

-- wrong_type 'null': NULL instead, for the wrong DynamoDB type (S, BOOL
-- in an int column), a text the column's type refuses ('yesterday-ish'
-- as a date), a number out of its range, a list with an element of
-- another type
CREATE FOREIGN TABLE items (item_id text,
                            qty int OPTIONS (wrong_type 'null'),
                            seen date OPTIONS (wrong_type 'null'),
                            tags text[] OPTIONS (wrong_type 'null'),
                            color text)
  SERVER ddb OPTIONS (table 'Loose15', pk_template 'ITEM#{item_id}', sk_template 'ITEM#{item_id}');
SELECT ddbrel.stats_reset();
SELECT * FROM items ORDER BY item_id;
SELECT operation, wrong_type_nulls FROM ddbrel.stats() WHERE operation = 'Scan';
-- the same rows, one key at a time (GetItem counts its own)
SELECT ddbrel.stats_reset();
SELECT qty, seen, tags FROM items WHERE item_id = '2';
SELECT operation, wrong_type_nulls FROM ddbrel.stats() WHERE operation = 'GetItem';
-- a filter on such a column stays exact: DynamoDB's "qty = 3" skips the
-- items whose qty is of another type, which read as NULL here, so it is
-- pushed; IS NULL, <> and ranges are not (DynamoDB would see 99999999999
-- as more than 3, and the S "n/a" as not NULL)
EXPLAIN (COSTS OFF) SELECT item_id FROM items WHERE qty = 3;
SELECT item_id FROM items WHERE qty = 3;
EXPLAIN (COSTS OFF) SELECT item_id FROM items WHERE qty IS NULL OR qty > 3;
SELECT item_id FROM items WHERE qty IS NULL OR qty > 3 ORDER BY item_id;
SELECT item_id FROM items WHERE qty <> 3 ORDER BY item_id;
-- an invalid value of the option
CREATE FOREIGN TABLE bad_opt (x int OPTIONS (wrong_type 'zero')) SERVER ddb OPTIONS (table 'Loose15');

-- extra 'true': the attributes no other column maps, as one object; the
-- keys (read by the templates) and qty, seen, tags (columns) are not in it
CREATE FOREIGN TABLE items_extra (item_id text, qty int OPTIONS (wrong_type 'null'),
                                  seen text, tags jsonb, rest jsonb OPTIONS (extra 'true'))
  SERVER ddb OPTIONS (table 'Loose15', pk_template 'ITEM#{item_id}', sk_template 'ITEM#{item_id}');
EXPLAIN (VERBOSE, COSTS OFF) SELECT item_id, rest FROM items_extra WHERE item_id = '3';
SELECT item_id, rest FROM items_extra ORDER BY item_id;
SELECT item_id FROM items_extra WHERE rest ? 'color' ORDER BY item_id;
-- written back: its members become attributes of the item
INSERT INTO items_extra (item_id, qty, rest) VALUES ('6', 1, '{"color": "green", "dims": {"w": 2}}');
SELECT ddbrel.request('ddb', 'GetItem', '{"TableName": "Loose15",
  "Key": {"PK": {"S": "ITEM#6"}, "SK": {"S": "ITEM#6"}}}')->'Item' AS item;
-- but not an attribute a column maps, and it cannot be updated in place
INSERT INTO items_extra (item_id, rest) VALUES ('7', '{"qty": 5}');
UPDATE items_extra SET rest = '{}' WHERE item_id = '6';
-- an extra column is jsonb or json, and not a document column too
CREATE FOREIGN TABLE bad_extra (x text OPTIONS (extra 'true')) SERVER ddb OPTIONS (table 'Loose15');
SELECT * FROM bad_extra;
CREATE FOREIGN TABLE bad_extra2 (x jsonb OPTIONS (extra 'true', document 'true'))
  SERVER ddb OPTIONS (table 'Loose15');
SELECT * FROM bad_extra2;

-- IMPORT FOREIGN SCHEMA samples the items and says what it found
CREATE SCHEMA loose_imp;
IMPORT FOREIGN SCHEMA "Loose15" FROM SERVER ddb INTO loose_imp;
CREATE SCHEMA loose_imp2;
IMPORT FOREIGN SCHEMA "Loose15" FROM SERVER ddb INTO loose_imp2 OPTIONS (sample_size '0');
IMPORT FOREIGN SCHEMA "Loose15" FROM SERVER ddb INTO loose_imp
  OPTIONS (entities 'true', sample_size '100');
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'loose_imp.item'::regclass AND attnum > 0 ORDER BY attnum;
SELECT count(*) FROM loose_imp.loose15;

SELECT drop_table('Loose15');
DROP SCHEMA loose_imp CASCADE;
DROP SCHEMA loose_imp2 CASCADE;
DROP SCHEMA loose CASCADE;
