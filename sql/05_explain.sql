-- EXPLAIN shows the DynamoDB operation, table and the exact request, with
-- every name and value as a placeholder.
EXPLAIN (COSTS OFF) SELECT * FROM users;
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM users;
EXPLAIN (VERBOSE, COSTS OFF) SELECT order_id, total FROM orders;
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM app_items;
EXPLAIN (VERBOSE, COSTS OFF) SELECT count(*) FROM pages;
EXPLAIN (VERBOSE, COSTS OFF) SELECT user_id, email FROM blog_users;
-- an attribute name with odd characters is still a placeholder
CREATE FOREIGN TABLE odd_names ("weird col" text OPTIONS (attribute 'a #b:c "d"'))
  SERVER ddb OPTIONS (table 'Types', partition_key 'id');
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM odd_names;
ALTER FOREIGN TABLE pages OPTIONS (SET parallel_segments '4', ADD consistent_read 'true');
EXPLAIN (VERBOSE, COSTS OFF) SELECT n FROM pages;
ALTER FOREIGN TABLE pages OPTIONS (SET parallel_segments '1', DROP consistent_read);
-- EXPLAIN ANALYZE runs the scan
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM orders;
-- the credentials never appear in a plan
CREATE FUNCTION explain_text(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  line text;
  acc text := '';
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (VERBOSE, ANALYZE) ' || q LOOP
    acc := acc || line || E'\n';
  END LOOP;
  RETURN acc;
END $$;
SELECT position('regress-secret' IN t) = 0 AS no_secret,
       position('AKIDTEST' IN t) = 0 AS no_key_id,
       position('DynamoDB Request' IN t) > 0 AS has_request
  FROM explain_text('SELECT * FROM users') t;
