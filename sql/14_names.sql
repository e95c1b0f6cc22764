-- Placeholders everywhere: attribute names and values with '#', ':', quotes,
-- spaces, DynamoDB reserved words, unicode and 1 KB strings (table Names,
-- test/fixtures/names.sh).  Every filter and key condition returns the right
-- rows, writes land, and the expressions sent hold nothing but placeholders.
CREATE SCHEMA names;
SET search_path = names, public;
-- "long" reads the attribute whose name is 1000 times "n"
DO $$
BEGIN
  EXECUTE format($f$
    CREATE FOREIGN TABLE names_t (
      id text,
      name text,
      status text,
      size numeric,
      data text,
      "timestamp" text,
      tag text OPTIONS (attribute '#tag:x'),
      quoted text OPTIONS (attribute 'say "hi" it''s'),
      first_name text OPTIONS (attribute 'first name'),
      "prénom" text OPTIONS (attribute 'prénom 名前'),
      blob text,
      long text OPTIONS (attribute %L))
    SERVER ddb OPTIONS (table 'Names')$f$, repeat('n', 1000));
END $$;

-- ids as shown: the 1 KB one abbreviated
CREATE FUNCTION sid(id text) RETURNS text IMMUTABLE LANGUAGE sql
  AS $$ SELECT CASE WHEN length(id) > 20 THEN left(id, 3) || '…(' || length(id) || ')' ELSE id END $$;

-- What is left of an expression without placeholders (#n names; :v values,
-- :k key values filled in at run time), function names, keywords, operators.
CREATE FUNCTION residue(e text) RETURNS text IMMUTABLE LANGUAGE sql AS $$
  SELECT regexp_replace(e, '#n[0-9]+|:[vk][0-9]+|\m(begins_with|attribute_exists|attribute_not_exists|attribute_type|contains|size|AND|OR|NOT|IN|BETWEEN)\M|[()=<>,[:space:]]', '', 'g')
$$;
-- the check itself catches raw names and values
SELECT residue('#n0 = :v0 AND begins_with(#n1, :k1) OR #n2 IN (:v1, :v2)') AS clean,
       residue('#n0 = :v0 AND name = :v1') AS raw_name,
       residue('#n0 = ''x''') AS raw_value,
       residue('attribute_exists(#tag:x)') AS raw_odd_name;

-- Runs EXPLAIN (VERBOSE) of q and checks the request it shows: no
-- expression (key condition, filter, projection; as shown and as sent) has
-- a residue, every placeholder is defined, and ExpressionAttributeNames and
-- Values hold only placeholders as keys.  Returns the
-- operation, whether the expressions are clean, and the attribute names
-- (first 12 characters) the placeholders stand for.
CREATE FUNCTION check_request(q text, OUT operation text, OUT placeholders_only bool,
                              OUT names text)
LANGUAGE plpgsql AS $$
DECLARE
  line text;
  req jsonb;
  e text;
  bare text;
  ok bool := true;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || q LOOP
    IF line ~ '^\s*DynamoDB Operation: ' THEN
      operation := substring(line FROM 'Operation: (.*)$');
    ELSIF line ~ '^\s*DynamoDB Request: ' THEN
      req := substring(line FROM 'Request: (.*)$')::jsonb;
    ELSIF line ~ '^\s*DynamoDB (Key Condition|Filter|Projection): ' THEN
      -- the expressions as EXPLAIN shows them
      e := substring(line FROM '^\s*DynamoDB [A-Za-z ]+: (.*)$');
      bare := residue(e);
      IF bare <> '' THEN
        RAISE NOTICE 'not only placeholders in "%": "%"', e, bare;
        ok := false;
      END IF;
    END IF;
  END LOOP;
  IF req IS NULL THEN
    RAISE EXCEPTION 'no DynamoDB Request in the plan of %', q;
  END IF;
  -- and as they are sent
  FOREACH e IN ARRAY ARRAY['KeyConditionExpression', 'FilterExpression', 'ProjectionExpression',
                           'ConditionExpression', 'UpdateExpression'] LOOP
    IF req ? e THEN
      bare := residue(req->>e);
      IF bare <> '' THEN
        RAISE NOTICE '% holds "%"', e, bare;
        ok := false;
      END IF;
    END IF;
  END LOOP;
  -- every placeholder used is defined, every name defined is a #n, every value a :v
  IF EXISTS (SELECT FROM jsonb_object_keys(coalesce(req->'ExpressionAttributeNames', '{}')) k
              WHERE k !~ '^#n[0-9]+$')
     OR EXISTS (SELECT FROM jsonb_object_keys(coalesce(req->'ExpressionAttributeValues', '{}')) k
                 WHERE k !~ '^:[vk][0-9]+$') THEN
    ok := false;
  END IF;
  IF EXISTS (SELECT FROM regexp_matches(concat_ws(' ', req->>'KeyConditionExpression',
                                                  req->>'FilterExpression',
                                                  req->>'ProjectionExpression'),
                                        '#n[0-9]+|:[vk][0-9]+', 'g') m
              WHERE NOT (coalesce(req->'ExpressionAttributeNames', '{}') ? m[1]
                         OR coalesce(req->'ExpressionAttributeValues', '{}') ? m[1])) THEN
    RAISE NOTICE 'undefined placeholder in %', req;
    ok := false;
  END IF;
  placeholders_only := ok;
  SELECT string_agg(left(v, 12), ' | ' ORDER BY v) INTO names
    FROM jsonb_each_text(coalesce(req->'ExpressionAttributeNames', '{}')) AS n(k, v);
END $$;

-- the whole table: every attribute read back as written
SELECT id = repeat('k', 1024) AS long_id, sid(id) AS id,
       name, status, size, data, "timestamp", tag, quoted, first_name, "prénom",
       length(blob) AS blob_len, left(blob, 3) AS blob_start, long
  FROM names_t ORDER BY size;
SELECT * FROM check_request('SELECT * FROM names_t');

-- key equality and IN with odd key values: GetItem, BatchGetItem
SELECT name, size FROM names_t WHERE id = 'a#b:c';
SELECT * FROM check_request($q$SELECT name, size FROM names_t WHERE id = 'a#b:c'$q$);
SELECT name, size FROM names_t WHERE id = 'it''s "quoted"';
SELECT name, size FROM names_t WHERE id = 'ключ 🔑';
SELECT name, size FROM names_t WHERE id = repeat('k', 1024);
SELECT * FROM check_request($q$SELECT name FROM names_t WHERE id = repeat('k', 1024)$q$);
SELECT name FROM names_t WHERE id IN ('status', 'a#b:c', 'it''s "quoted"', 'nope') ORDER BY name;
SELECT * FROM check_request($q$SELECT name FROM names_t WHERE id IN ('status', 'a#b:c', 'it''s "quoted"')$q$);

-- filters on reserved words, with values that look like placeholders or keywords
SELECT sid(id) AS id FROM names_t WHERE name = 'O''Brien "Ob"';
SELECT * FROM check_request($q$SELECT id FROM names_t WHERE name = 'O''Brien "Ob"'$q$);
SELECT sid(id) AS id FROM names_t WHERE data = ':v0';
SELECT * FROM check_request($q$SELECT id FROM names_t WHERE data = ':v0'$q$);
SELECT sid(id) AS id FROM names_t WHERE data = '#n1' OR data = 'select' OR name = 'name' ORDER BY size;
SELECT * FROM check_request($q$SELECT id FROM names_t WHERE data = '#n1' OR data = 'select' OR name = 'name'$q$);
SELECT sid(id) AS id FROM names_t WHERE size = 40;
SELECT * FROM check_request('SELECT id FROM names_t WHERE size = 40');
SELECT sid(id) AS id FROM names_t WHERE "timestamp" = '2024-02-01T00:00:00Z' AND size = 2;
SELECT * FROM check_request($q$SELECT id FROM names_t WHERE "timestamp" = '2024-02-01T00:00:00Z' AND size = 2$q$);
SELECT sid(id) AS id, size FROM names_t WHERE data IN ('x y z', 'data', ':v0') ORDER BY size;
SELECT * FROM check_request($q$SELECT id FROM names_t WHERE data IN ('x y z', 'data', ':v0')$q$);

-- filters on names with '#', ':', quotes, spaces and unicode
SELECT sid(id) AS id FROM names_t WHERE quoted = 'say "hi"';
SELECT * FROM check_request($q$SELECT id FROM names_t WHERE quoted = 'say "hi"'$q$);
SELECT sid(id) AS id FROM names_t WHERE first_name = 'Bo b';
SELECT * FROM check_request($q$SELECT id FROM names_t WHERE first_name = 'Bo b'$q$);
SELECT sid(id) AS id FROM names_t WHERE "prénom" = 'ключ';
SELECT * FROM check_request($q$SELECT id FROM names_t WHERE "prénom" = 'ключ'$q$);
SELECT sid(id) AS id FROM names_t WHERE "prénom" LIKE '🔑%';
SELECT * FROM check_request($q$SELECT id FROM names_t WHERE "prénom" LIKE '🔑%'$q$);
SELECT sid(id) AS id FROM names_t WHERE first_name LIKE 'Д %';
SELECT sid(id) AS id FROM names_t WHERE quoted IS NULL ORDER BY size;
SELECT * FROM check_request('SELECT id FROM names_t WHERE quoted IS NULL');
SELECT sid(id) AS id FROM names_t WHERE long = 'L4';
SELECT * FROM check_request($q$SELECT id FROM names_t WHERE long = 'L4'$q$);
SELECT sid(id) AS id FROM names_t WHERE long IS NOT NULL ORDER BY size;

-- 1 KB values in filters
SELECT sid(id) AS id FROM names_t WHERE blob = repeat('b', 1024);
SELECT * FROM check_request($q$SELECT id FROM names_t WHERE blob = repeat('b', 1024)$q$);
SELECT sid(id) AS id FROM names_t WHERE blob = repeat('ü', 512);
SELECT sid(id) AS id FROM names_t WHERE blob LIKE repeat('a', 1000) || '%';
SELECT * FROM check_request($q$SELECT id FROM names_t WHERE blob LIKE repeat('a', 1000) || '%'$q$);

-- key conditions on reserved words (GSI ByStatus: status / timestamp) and on "#tag:x" (GSI ByTag)
SELECT sid(id) AS id, "timestamp" FROM names_t WHERE status = 'active' AND "timestamp" >= '2024-02' ORDER BY 2;
SELECT * FROM check_request($q$SELECT id FROM names_t WHERE status = 'active' AND "timestamp" >= '2024-02'$q$);
SELECT sid(id) AS id FROM names_t WHERE status = 'size' AND "timestamp" LIKE '2024-04%';
SELECT * FROM check_request($q$SELECT id FROM names_t WHERE status = 'size' AND "timestamp" LIKE '2024-04%'$q$);
SELECT sid(id) AS id FROM names_t WHERE tag = ':v1 #n0';
SELECT * FROM check_request($q$SELECT id FROM names_t WHERE tag = ':v1 #n0'$q$);
SELECT sid(id) AS id FROM names_t WHERE tag = '#t1:a' AND first_name = 'Al ice';
SELECT * FROM check_request($q$SELECT id FROM names_t WHERE tag = '#t1:a' AND first_name = 'Al ice'$q$);
SELECT sid(id) AS id FROM names_t WHERE tag LIKE '#t1%' ORDER BY id;
SELECT * FROM check_request($q$SELECT id FROM names_t WHERE tag LIKE '#t1%'$q$);

-- writes with the same names: PutItem (conditional), UpdateItem (SET, REMOVE,
-- atomic counter) and DeleteItem.  DynamoDB rejects a reserved word, '#' or
-- ':' written into an expression, so every write that works used placeholders.
INSERT INTO names_t (id, name, status, size, data, "timestamp", tag, quoted, first_name, "prénom", blob, long)
  VALUES ('new :v0 #n0 "q" ''s', 'name', 'status', 10, ':v1', 'timestamp', '#tag:y', 'a "b" ''c''',
          'x y', 'ünï 名', repeat('z', 1024), 'L9');
SELECT name, status, size, data, "timestamp", tag, quoted, first_name, "prénom", length(blob), long
  FROM names_t WHERE id = 'new :v0 #n0 "q" ''s';
UPDATE names_t SET status = 'data', size = size + 1, tag = ':v2 #n1', "prénom" = '名前 2', long = NULL
 WHERE id = 'new :v0 #n0 "q" ''s';
UPDATE names_t SET data = 'by filter', quoted = 'say "bye"' WHERE name = 'name' AND "timestamp" = 'timestamp';
SELECT name, status, size, data, tag, quoted, "prénom", long
  FROM names_t WHERE id = 'new :v0 #n0 "q" ''s';
DELETE FROM names_t WHERE id = 'new :v0 #n0 "q" ''s' RETURNING sid(id), name, size;
DELETE FROM names_t WHERE tag = 'none such';
SELECT count(*) FROM names_t;

SET client_min_messages = warning;
DROP SCHEMA names CASCADE;
RESET client_min_messages;
RESET search_path;
