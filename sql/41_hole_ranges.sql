-- Ranges on key template holes.  A range on a hole of a sort-key template
-- (the holes before it bound by equality) becomes a key condition: always
-- a BETWEEN, since a KeyConditionExpression holds one sort-key condition
-- and the keys must keep to the template's prefix.  On a hole that ends
-- the template the keys read are the items returned; on a hole that more
-- text follows, the key range is the tightest one holding every match and
-- the condition is checked here too.  Every answer is compared with the
-- same query on a plain table of the same rows.
CREATE SCHEMA hr;
SET search_path = hr, public;
CREATE FUNCTION drop_table(t text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ddbrel.request('ddb', 'DeleteTable', jsonb_build_object('TableName', t));
EXCEPTION WHEN SQLSTATE 'HV00R' THEN
  NULL;
END $$;
SELECT drop_table('Ranges15');
SELECT ddbrel.request('ddb', 'CreateTable', '{"TableName": "Ranges15",
  "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"},
                           {"AttributeName": "SK", "AttributeType": "S"},
                           {"AttributeName": "gpk", "AttributeType": "S"},
                           {"AttributeName": "gsk", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
  "GlobalSecondaryIndexes": [{"IndexName": "GSI1",
    "KeySchema": [{"AttributeName": "gpk", "KeyType": "HASH"}, {"AttributeName": "gsk", "KeyType": "RANGE"}],
    "Projection": {"ProjectionType": "ALL"}}],
  "BillingMode": "PAY_PER_REQUEST"}') IS NOT NULL AS created;
SELECT ddbrel._wait_table_active('ddb', 'Ranges15', 60);
-- user 1000 has a profile, four orders, dated shipments (one dated "2024-01",
-- one "2024-01-31-late", one "!early": they sort around the "#" after the
-- date) and
-- notes of two kinds; user 2000 one order.  Orders are also in GSI1 by
-- status and date (the index's key attributes are composed from the
-- attributes status and created).
SELECT ddbrel.request('ddb', 'BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object('Ranges15',
  (SELECT jsonb_agg(jsonb_build_object('PutRequest', jsonb_build_object('Item', i)))
     FROM (VALUES ('{"PK": {"S": "USER#1000"}, "SK": {"S": "PROFILE"}, "name": {"S": "Ann"}}'::jsonb),
                  ('{"PK": {"S": "USER#1000"}, "SK": {"S": "ORDER#1000-1"}, "total": {"N": "10"},
                     "gpk": {"S": "STATUS#open"}, "gsk": {"S": "2024-01-05#1000-1"},
                     "status": {"S": "open"}, "created": {"S": "2024-01-05"}}'),
                  ('{"PK": {"S": "USER#1000"}, "SK": {"S": "ORDER#1000-2"}, "total": {"N": "20"},
                     "gpk": {"S": "STATUS#open"}, "gsk": {"S": "2024-01-31#1000-2"},
                     "status": {"S": "open"}, "created": {"S": "2024-01-31"}}'),
                  ('{"PK": {"S": "USER#1000"}, "SK": {"S": "ORDER#1000-3"}, "total": {"N": "30"},
                     "gpk": {"S": "STATUS#open"}, "gsk": {"S": "2024-02-01#1000-3"},
                     "status": {"S": "open"}, "created": {"S": "2024-02-01"}}'),
                  ('{"PK": {"S": "USER#1000"}, "SK": {"S": "ORDER#1000-4"}, "total": {"N": "40"},
                     "gpk": {"S": "STATUS#done"}, "gsk": {"S": "2024-01-20#1000-4"},
                     "status": {"S": "done"}, "created": {"S": "2024-01-20"}}'),
                  ('{"PK": {"S": "USER#2000"}, "SK": {"S": "ORDER#2000-1"}, "total": {"N": "5"},
                     "gpk": {"S": "STATUS#open"}, "gsk": {"S": "2024-01-10#2000-1"},
                     "status": {"S": "open"}, "created": {"S": "2024-01-10"}}'),
                  ('{"PK": {"S": "USER#1000"}, "SK": {"S": "SHIP#2023-12-31#s1"}, "qty": {"N": "1"}}'),
                  ('{"PK": {"S": "USER#1000"}, "SK": {"S": "SHIP#2024-01-01#s2"}, "qty": {"N": "2"}}'),
                  ('{"PK": {"S": "USER#1000"}, "SK": {"S": "SHIP#2024-01-15#s3"}, "qty": {"N": "3"}}'),
                  ('{"PK": {"S": "USER#1000"}, "SK": {"S": "SHIP#2024-01-31#s4"}, "qty": {"N": "4"}}'),
                  ('{"PK": {"S": "USER#1000"}, "SK": {"S": "SHIP#2024-01-31-late#s5"}, "qty": {"N": "5"}}'),
                  ('{"PK": {"S": "USER#1000"}, "SK": {"S": "SHIP#2024-02-01#s6"}, "qty": {"N": "6"}}'),
                  ('{"PK": {"S": "USER#1000"}, "SK": {"S": "SHIP#2024-01#s7"}, "qty": {"N": "7"}}'),
                  ('{"PK": {"S": "USER#1000"}, "SK": {"S": "SHIP#!early#s0"}, "qty": {"N": "0"}}'),
                  ('{"PK": {"S": "USER#1000"}, "SK": {"S": "NOTE#a#m"}, "body": {"S": "am"}}'),
                  ('{"PK": {"S": "USER#1000"}, "SK": {"S": "NOTE#a#z"}, "body": {"S": "az"}}'),
                  ('{"PK": {"S": "USER#1000"}, "SK": {"S": "NOTE#a#b"}, "body": {"S": "ab"}}'),
                  ('{"PK": {"S": "USER#1000"}, "SK": {"S": "NOTE#b#n"}, "body": {"S": "bn"}}')) v(i)))))
  ->'UnprocessedItems' AS unprocessed;

CREATE FOREIGN TABLE orders (user_id text COLLATE "C", order_id text COLLATE "C", total int,
                             status text COLLATE "C", created text COLLATE "C")
  SERVER ddb OPTIONS (table 'Ranges15', pk_template 'USER#{user_id}', sk_template 'ORDER#{order_id}',
                      gpk_template 'STATUS#{status}', gsk_template '{created}#{order_id}');
CREATE TABLE local_orders AS SELECT * FROM orders;
CREATE FOREIGN TABLE ships (user_id text COLLATE "C", shipped text COLLATE "C", ship_id text COLLATE "C",
                            qty int)
  SERVER ddb OPTIONS (table 'Ranges15', pk_template 'USER#{user_id}',
                      sk_template 'SHIP#{shipped}#{ship_id}');
CREATE TABLE local_ships AS SELECT * FROM ships;
CREATE FOREIGN TABLE notes (user_id text COLLATE "C", kind text COLLATE "C", cid text COLLATE "C",
                            body text)
  SERVER ddb OPTIONS (table 'Ranges15', pk_template 'USER#{user_id}', sk_template 'NOTE#{kind}#{cid}');
CREATE TABLE local_notes AS SELECT * FROM notes;

-- BETWEEN on the last hole: exactly the three items returned are read
EXPLAIN (VERBOSE, COSTS OFF)
SELECT order_id, total FROM orders WHERE user_id = '1000' AND order_id BETWEEN '1000-1' AND '1000-3';
SELECT ddbrel.stats_reset();
SELECT order_id, total FROM orders WHERE user_id = '1000' AND order_id BETWEEN '1000-1' AND '1000-3'
 ORDER BY order_id;
SELECT * FROM sent();
-- one end: a BETWEEN bounded by the template's prefix
EXPLAIN (COSTS OFF) SELECT order_id FROM orders WHERE user_id = '1000' AND order_id >= '1000-3';
SELECT ddbrel.stats_reset();
SELECT order_id FROM orders WHERE user_id = '1000' AND order_id >= '1000-3' ORDER BY 1;
SELECT * FROM sent();
EXPLAIN (COSTS OFF) SELECT order_id FROM orders WHERE user_id = '1000' AND order_id <= '1000-2';
SELECT ddbrel.stats_reset();
SELECT order_id FROM orders WHERE user_id = '1000' AND order_id <= '1000-2' ORDER BY 1;
SELECT * FROM sent();
-- strict ends are read inclusively and checked here
EXPLAIN (COSTS OFF) SELECT order_id FROM orders WHERE user_id = '1000' AND order_id > '1000-1' AND order_id < '1000-4';
SELECT order_id FROM orders WHERE user_id = '1000' AND order_id > '1000-1' AND order_id < '1000-4' ORDER BY 1;
-- in key order, with a Limit
EXPLAIN (COSTS OFF)
SELECT order_id FROM orders WHERE user_id = '1000' AND order_id < '1000-4' ORDER BY order_id DESC LIMIT 2;
SELECT order_id FROM orders WHERE user_id = '1000' AND order_id < '1000-4' ORDER BY order_id DESC LIMIT 2;
-- bounds that leave nothing, or a NULL bound, read nothing
SELECT ddbrel.stats_reset();
SELECT order_id FROM orders WHERE user_id = '1000' AND order_id BETWEEN '1000-3' AND '1000-1';
SELECT order_id FROM orders WHERE user_id = '1000' AND order_id > NULL;
SELECT * FROM sent();
-- parameters (a generic plan): the ends are made when the scan starts
SET plan_cache_mode = force_generic_plan;
PREPARE o(text, text) AS
  SELECT order_id FROM orders WHERE user_id = '1000' AND order_id >= $1 AND order_id <= $2 ORDER BY 1;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE o('1000-2', '1000-3');
EXECUTE o('1000-2', '1000-3');
EXECUTE o('1000-0', '1000-9');
EXECUTE o('1000-2', NULL);
DEALLOCATE o;
PREPARE s(text) AS
  SELECT ship_id FROM ships WHERE user_id = '1000' AND shipped <= $1 ORDER BY 1;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE s('2024-01-01');
EXECUTE s('2024-01-01');
EXECUTE s('2024-01-31');
DEALLOCATE s;
RESET plan_cache_mode;
-- under the database's collation, the range stays here
EXPLAIN (COSTS OFF)
SELECT order_id FROM orders WHERE user_id = '1000' AND order_id COLLATE "en-US-x-icu" >= '1000-3';

-- a range on the partition key's hole binds no key: a Scan, still
-- filtered by the template's prefix
EXPLAIN (COSTS OFF) SELECT order_id FROM orders WHERE user_id >= '2000';
SELECT user_id, order_id FROM orders WHERE user_id >= '2000';

-- a hole that more text follows: the key range holds every shipment
-- whose date is in range, also those whose date is a prefix of the high
-- end ("2024-01"); the condition is checked here
EXPLAIN (VERBOSE, COSTS OFF)
SELECT shipped, ship_id FROM ships WHERE user_id = '1000' AND shipped BETWEEN '2024-01-01' AND '2024-01-31';
SELECT ddbrel.stats_reset();
SELECT shipped, ship_id FROM ships WHERE user_id = '1000' AND shipped BETWEEN '2024-01-01' AND '2024-01-31'
 ORDER BY 1, 2;
SELECT * FROM sent();
SELECT ddbrel.stats_reset();
SELECT shipped, ship_id FROM ships WHERE user_id = '1000' AND shipped > '2024-01-15' ORDER BY 1, 2;
SELECT * FROM sent();
SELECT shipped, ship_id FROM ships WHERE user_id = '1000' AND shipped < '2024-01-15' ORDER BY 1, 2;
SELECT shipped, ship_id FROM ships WHERE user_id = '1000' AND shipped <= '2024-01-31-late' ORDER BY 1, 2;

-- equality on the first hole, a range on the second
EXPLAIN (COSTS OFF) SELECT kind, cid FROM notes WHERE user_id = '1000' AND kind = 'a' AND cid > 'b';
SELECT ddbrel.stats_reset();
SELECT kind, cid FROM notes WHERE user_id = '1000' AND kind = 'a' AND cid > 'b' ORDER BY 2;
SELECT * FROM sent();
SELECT ddbrel.stats_reset();
SELECT kind, cid FROM notes WHERE user_id = '1000' AND kind = 'a' AND cid <= 'm' ORDER BY 2;
SELECT * FROM sent();
-- a range on the first hole, with more holes after it
SELECT kind, cid FROM notes WHERE user_id = '1000' AND kind >= 'b' ORDER BY 1, 2;

-- the sort key of an index, declared by its template
EXPLAIN (VERBOSE, COSTS OFF)
SELECT order_id, created FROM orders WHERE status = 'open' AND created BETWEEN '2024-01-05' AND '2024-01-31';
SELECT ddbrel.stats_reset();
SELECT order_id, created FROM orders WHERE status = 'open' AND created BETWEEN '2024-01-05' AND '2024-01-31'
 ORDER BY 1;
SELECT * FROM sent();

-- the same answers as plain tables
SELECT (SELECT array_agg(order_id ORDER BY order_id) FROM orders
         WHERE user_id = '1000' AND order_id > '1000-1' AND order_id <= '1000-4') =
       (SELECT array_agg(order_id ORDER BY order_id) FROM local_orders
         WHERE user_id = '1000' AND order_id > '1000-1' AND order_id <= '1000-4') AS orders_same,
       (SELECT array_agg(ship_id ORDER BY ship_id) FROM ships
         WHERE user_id = '1000' AND shipped >= '2024-01' AND shipped < '2024-02') =
       (SELECT array_agg(ship_id ORDER BY ship_id) FROM local_ships
         WHERE user_id = '1000' AND shipped >= '2024-01' AND shipped < '2024-02') AS ships_same,
       (SELECT array_agg(ship_id ORDER BY ship_id) FROM ships
         WHERE user_id = '1000' AND shipped <= '2024-01-31') =
       (SELECT array_agg(ship_id ORDER BY ship_id) FROM local_ships
         WHERE user_id = '1000' AND shipped <= '2024-01-31') AS ships_same_2,
       (SELECT array_agg(cid ORDER BY cid) FROM notes WHERE user_id = '1000' AND kind = 'a' AND cid >= 'c') =
       (SELECT array_agg(cid ORDER BY cid) FROM local_notes WHERE user_id = '1000' AND kind = 'a' AND cid >= 'c')
       AS notes_same,
       (SELECT array_agg(order_id ORDER BY order_id) FROM orders
         WHERE status = 'open' AND created > '2024-01-05' AND created < '2024-02') =
       (SELECT array_agg(order_id ORDER BY order_id) FROM local_orders
         WHERE status = 'open' AND created > '2024-01-05' AND created < '2024-02') AS index_same;

-- A case-mapped hole ({office:lower}, as modeling libraries write it) keys
-- its items by the mapped text, which does not sort like the values: a
-- range on it stays local (no BETWEEN), and finds every row.
SELECT ddbrel.request('ddb', 'BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object('Ranges15',
  (SELECT jsonb_agg(jsonb_build_object('PutRequest', jsonb_build_object('Item', i)))
     FROM (VALUES ('{"PK": {"S": "ORG#1"}, "SK": {"S": "OFFICE#austin"}, "office": {"S": "Austin"}}'::jsonb),
                  ('{"PK": {"S": "ORG#1"}, "SK": {"S": "OFFICE#portland"}, "office": {"S": "Portland"}}'),
                  ('{"PK": {"S": "ORG#1"}, "SK": {"S": "OFFICE#zurich"}, "office": {"S": "Zurich"}}')) v(i)))))
  ->'UnprocessedItems' = '{}' AS offices_written;
CREATE FOREIGN TABLE offices (org_id text COLLATE "C", office text OPTIONS (attribute 'office') COLLATE "C")
  SERVER ddb OPTIONS (table 'Ranges15', pk_template 'ORG#{org_id}', sk_template 'OFFICE#{office:lower}');
EXPLAIN (VERBOSE, COSTS OFF) SELECT office FROM offices WHERE org_id = '1' AND office < 'Q';
SELECT office FROM offices WHERE org_id = '1' AND office < 'Q' ORDER BY office;
SELECT office FROM offices WHERE org_id = '1' AND office BETWEEN 'A' AND 'Q' ORDER BY office;
SELECT office FROM offices WHERE org_id = '1' AND office >= 'p' ORDER BY office;

SELECT drop_table('Ranges15');
DROP SCHEMA hr CASCADE;
