/* ddbrel--0.1.sql: install script of the ddbrel extension */

\echo Use "CREATE EXTENSION ddbrel" to load this file. \quit

CREATE FUNCTION ddbrel_handler()
RETURNS fdw_handler
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT;

CREATE FUNCTION ddbrel_validator(text[], oid)
RETURNS void
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT;

CREATE FOREIGN DATA WRAPPER ddbrel
  HANDLER ddbrel_handler
  VALIDATOR ddbrel_validator;

-- What this backend sent to DynamoDB: requests, retries, items scanned and
-- returned, consumed capacity, per operation.
CREATE FUNCTION stats(
    OUT operation text,
    OUT requests bigint,
    OUT retries bigint,
    OUT items_scanned bigint,
    OUT items_returned bigint,
    OUT capacity_units double precision)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'ddbrel_stats'
LANGUAGE C STRICT VOLATILE;

CREATE FUNCTION stats_reset()
RETURNS void
AS 'MODULE_PATHNAME', 'ddbrel_stats_reset'
LANGUAGE C STRICT VOLATILE;

-- DynamoDB's begins_with, usable in SQL; on a sort key it becomes a key condition.
CREATE FUNCTION begins_with(text, text)
RETURNS boolean
AS 'SELECT starts_with($1, $2)'
LANGUAGE SQL IMMUTABLE STRICT PARALLEL SAFE;

-- One DynamoDB request, sent as the current user through their user mapping
-- (USAGE on the server required); returns DynamoDB's answer.
CREATE FUNCTION request(server text, operation text, request jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ddbrel_request'
LANGUAGE C STRICT VOLATILE;

-- Eager loading (seeds 001, 004): a parent entity row and the rows of its
-- child entities that live in its partition, from one Query.
CREATE FUNCTION collection(parent regclass, key text, children regclass[])
RETURNS TABLE (entity regclass, "row" jsonb)
AS 'MODULE_PATHNAME', 'ddbrel_collection'
LANGUAGE C STRICT VOLATILE;

-- The DynamoDB requests a query over foreign tables makes, one row per
-- request, without running it: from PostgreSQL's own EXPLAIN, so the two
-- always agree.
CREATE FUNCTION rewrite(query text)
RETURNS TABLE (step int, operation text, "table" text, index text,
               key_condition text, filter text, entities text[], request jsonb)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  plan jsonb;
BEGIN
  EXECUTE 'EXPLAIN (VERBOSE, FORMAT JSON) ' || query INTO plan;
  RETURN QUERY
  WITH RECURSIVE nodes(node, ord) AS (
    SELECT plan->0->'Plan', ARRAY[1]
    UNION ALL
    SELECT child.value, n.ord || child.ordinality::int
      FROM nodes n, jsonb_array_elements(n.node->'Plans') WITH ORDINALITY AS child
  ),
  ddb AS (
    SELECT n.node, n.ord FROM nodes n WHERE n.node ? 'DynamoDB Operation'
  ),
  steps AS (
    SELECT d.ord, 1 AS sub,
           d.node->>'DynamoDB Operation' AS operation,
           d.node->>'DynamoDB Table' AS tbl,
           d.node->>'DynamoDB Index' AS idx,
           d.node->>'DynamoDB Key Condition' AS kc,
           d.node->>'DynamoDB Filter' AS flt,
           CASE WHEN d.node ? 'DynamoDB Entities'
                THEN ARRAY(SELECT jsonb_array_elements_text(d.node->'DynamoDB Entities'))
                ELSE ARRAY[d.node->>'Relation Name'] END AS ents,
           (d.node->>'DynamoDB Request')::jsonb AS req
      FROM ddb d
    UNION ALL
    SELECT d.ord, 2, 'BatchGetItem', d.node->>'DynamoDB Table', NULL, NULL, NULL,
           ARRAY[d.node->>'DynamoDB Lookup Entity'], NULL
      FROM ddb d WHERE d.node ? 'DynamoDB Lookup'
  )
  SELECT (row_number() OVER (ORDER BY s.ord, s.sub))::int, s.operation, s.tbl, s.idx, s.kc,
         s.flt, s.ents, s.req
    FROM steps s ORDER BY s.ord, s.sub;
END $$;

-- >>> relationships, design and migration (issues 5 and 6) >>>
-- ===========================================================================
-- Relationship catalog (issue 5): has_one, has_many, belongs_to,
-- belongs_to_many and has_many_through between entity foreign tables, in
-- the vocabulary of seeds 001 and 004; propose_relationships() infers them
-- from key templates without declaring anything.
-- ===========================================================================

-- One row per declared relationship.  Orientation is the same for every
-- kind: "parent" is the referenced side, "child" holds the reference:
--   has_one, has_many, belongs_to:  parent.parent_columns = child.child_columns
--   belongs_to_many:  parent (left) and child (right) are joined by the edge
--     entity "through": parent.parent_columns = through.through_parent_columns
--     and child.child_columns = through.through_child_columns; the other
--     columns of the edge are pivot_columns
--   has_many_through:  parent.parent_columns = through.through_parent_columns
--     and through.through_child_columns = child.child_columns
-- same_partition: the child items (for belongs_to_many and has_many_through:
-- the through items) of one parent share its partition, on one DynamoDB
-- table, so one Query on the parent's partition key reads them.
-- inverse_index: the global secondary index of that DynamoDB table whose
-- partition key is the table's sort key and whose sort key is its partition
-- key (seed 000's GSI1), which reads the relationship from the other side.
CREATE TABLE relationships (
    id serial PRIMARY KEY,
    name text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('has_one', 'has_many', 'belongs_to',
                                       'belongs_to_many', 'has_many_through')),
    declared_on regclass NOT NULL,
    parent regclass NOT NULL,
    child regclass NOT NULL,
    parent_columns name[] NOT NULL,
    child_columns name[] NOT NULL,
    through regclass,
    through_parent_columns name[],
    through_child_columns name[],
    pivot_columns name[],
    same_partition boolean NOT NULL,
    inverse_index text,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (declared_on, name)
);
SELECT pg_catalog.pg_extension_config_dump('relationships', '');
SELECT pg_catalog.pg_extension_config_dump('relationships_id_seq', '');
GRANT SELECT ON relationships TO PUBLIC;

-- Template parts: literal text (braces unescaped) and hole names, in order.
-- Templates were checked by the option validator.
CREATE FUNCTION _template_parts(t text, OUT ord int, OUT hole boolean, OUT part text)
RETURNS SETOF record
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
  i int := 1;
  n int := length(t);
  c text;
  lit text := '';
  k int := 0;
  closing int;
BEGIN
  WHILE i <= n LOOP
    c := substr(t, i, 1);
    IF c IN ('{', '}') AND substr(t, i + 1, 1) = c THEN
      lit := lit || c;
      i := i + 2;
    ELSIF c = '{' THEN
      closing := strpos(substr(t, i + 1), '}');
      IF closing = 0 THEN
        RAISE EXCEPTION 'invalid key template "%"', t USING ERRCODE = 'invalid_parameter_value';
      END IF;
      IF lit <> '' THEN
        k := k + 1; ord := k; hole := false; part := lit; RETURN NEXT;
        lit := '';
      END IF;
      k := k + 1; ord := k; hole := true; part := substr(t, i + 1, closing - 1); RETURN NEXT;
      i := i + closing + 1;
    ELSE
      lit := lit || c;
      i := i + 1;
    END IF;
  END LOOP;
  IF lit <> '' THEN
    k := k + 1; ord := k; hole := false; part := lit; RETURN NEXT;
  END IF;
END $$;

-- Hole names of a template, in order ({} when it has none).
CREATE FUNCTION _template_holes(t text) RETURNS name[]
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT coalesce(array_agg(p.part::name ORDER BY p.ord) FILTER (WHERE p.hole), '{}')
    FROM ddbrel._template_parts(t) p
$$;

-- A template with its holes emptied: two templates of one shape compose the
-- same keys from the same values, whatever their columns are called.
CREATE FUNCTION _template_shape(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT string_agg(CASE WHEN p.hole THEN '{}'
                         ELSE replace(replace(p.part, '{', '{{'), '}', '}}') END, '' ORDER BY p.ord)
    FROM ddbrel._template_parts(t) p
$$;

-- The literal text before the first hole: what every key of it begins with.
CREATE FUNCTION _template_prefix(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT coalesce(string_agg(p.part, '' ORDER BY p.ord)
                    FILTER (WHERE p.ord < coalesce((SELECT min(q.ord) FROM ddbrel._template_parts(t) q
                                                     WHERE q.hole), 1000000)), '')
    FROM ddbrel._template_parts(t) p
$$;

-- The template with hole from[i] renamed to_[i]; NULL if a hole is not in from.
CREATE FUNCTION _template_rename(t text, from_ name[], to_ name[]) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT CASE WHEN bool_and(NOT p.hole OR p.part = ANY (from_)) THEN
           string_agg(CASE WHEN p.hole THEN '{' || to_[array_position(from_, p.part::name)] || '}'
                           ELSE replace(replace(p.part, '{', '{{'), '}', '}}') END, '' ORDER BY p.ord)
         END
    FROM ddbrel._template_parts(t) p
$$;

-- The template as seed 000 writes keys: USER#<user_id>.
CREATE FUNCTION _template_render(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT string_agg(CASE WHEN p.hole THEN '<' || p.part || '>' ELSE p.part END, '' ORDER BY p.ord)
    FROM ddbrel._template_parts(t) p
$$;

-- One option of a foreign table (NULL if not set).
CREATE FUNCTION _ft_option(rel regclass, opt text) RETURNS text
LANGUAGE sql STABLE STRICT AS $$
  SELECT substr(o, length(opt) + 2)
    FROM pg_catalog.pg_foreign_table ft, unnest(ft.ftoptions) o
   WHERE ft.ftrelid = rel AND left(o, length(opt) + 1) = opt || '='
$$;

-- The DynamoDB attribute a column of a foreign table reads.
CREATE FUNCTION _column_attribute(rel regclass, col name) RETURNS text
LANGUAGE sql STABLE STRICT AS $$
  SELECT coalesce((SELECT substr(o, length('attribute') + 2)
                     FROM unnest(a.attfdwoptions) o WHERE left(o, 10) = 'attribute='), a.attname)
    FROM pg_catalog.pg_attribute a
   WHERE a.attrelid = rel AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped
$$;

-- What relationships need to know about a foreign table; an error unless it
-- is a ddbrel foreign table.
CREATE FUNCTION _entity(rel regclass, OUT relname name, OUT server name, OUT dtable text,
                        OUT pk_template text, OUT sk_template text)
LANGUAGE plpgsql STABLE STRICT AS $$
DECLARE
  k "char";
  w name;
  h regproc;
BEGIN
  SELECT c.relname, c.relkind INTO relname, k FROM pg_catalog.pg_class c WHERE c.oid = rel;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'relation with OID % does not exist', rel::oid USING ERRCODE = 'undefined_table';
  END IF;
  IF k <> 'f' THEN
    RAISE EXCEPTION '"%" is not a foreign table', relname
      USING ERRCODE = 'wrong_object_type',
            DETAIL = 'Relationships join ddbrel foreign tables.';
  END IF;
  SELECT s.srvname, w2.fdwname, w2.fdwhandler INTO server, w, h
    FROM pg_catalog.pg_foreign_table ft
    JOIN pg_catalog.pg_foreign_server s ON s.oid = ft.ftserver
    JOIN pg_catalog.pg_foreign_data_wrapper w2 ON w2.oid = s.srvfdw
   WHERE ft.ftrelid = rel;
  IF h IS DISTINCT FROM 'ddbrel.ddbrel_handler'::regproc THEN
    RAISE EXCEPTION '"%" is not a ddbrel foreign table', relname
      USING ERRCODE = 'wrong_object_type',
            DETAIL = format('It belongs to foreign data wrapper "%s".', w);
  END IF;
  dtable := ddbrel._ft_option(rel, 'table');
  pk_template := ddbrel._ft_option(rel, 'pk_template');
  sk_template := ddbrel._ft_option(rel, 'sk_template');
END $$;

-- Checks that cols names distinct columns of rel; returns them as name[].
CREATE FUNCTION _columns(rel regclass, cols text[], what text) RETURNS name[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
  c text;
  out name[] := '{}';
BEGIN
  IF cols IS NULL OR cardinality(cols) = 0 THEN
    RAISE EXCEPTION '% must name at least one column', what USING ERRCODE = 'invalid_parameter_value';
  END IF;
  FOREACH c IN ARRAY cols LOOP
    IF c IS NULL THEN
      RAISE EXCEPTION '% must not contain null', what USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a
                    WHERE a.attrelid = rel AND a.attname = c AND a.attnum > 0 AND NOT a.attisdropped) THEN
      RAISE EXCEPTION 'column "%" of relation "%" does not exist', c,
                      (SELECT relname FROM pg_catalog.pg_class WHERE oid = rel)
        USING ERRCODE = 'undefined_column',
              HINT = format('%s names columns of "%s".', what,
                            (SELECT relname FROM pg_catalog.pg_class WHERE oid = rel));
    END IF;
    IF c::name = ANY (out) THEN
      RAISE EXCEPTION 'column "%" appears twice in %', c, what USING ERRCODE = 'duplicate_column';
    END IF;
    out := out || c::name;
  END LOOP;
  RETURN out;
END $$;

-- Checks that columns a[i] of rel_a and b[i] of rel_b can be compared with =.
CREATE FUNCTION _comparable(rel_a regclass, a name[], rel_b regclass, b name[], what_a text, what_b text)
RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
  i int;
  ta text;
  tb text;
BEGIN
  IF cardinality(a) <> cardinality(b) THEN
    RAISE EXCEPTION '% and % must name the same number of columns', what_a, what_b
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = format('%s names %s and %s names %s.', what_a, cardinality(a), what_b, cardinality(b));
  END IF;
  FOR i IN 1 .. cardinality(a) LOOP
    ta := (SELECT format_type(atttypid, NULL) FROM pg_catalog.pg_attribute WHERE attrelid = rel_a AND attname = a[i]);
    tb := (SELECT format_type(atttypid, NULL) FROM pg_catalog.pg_attribute WHERE attrelid = rel_b AND attname = b[i]);
    BEGIN
      EXECUTE format('SELECT NULL::%s = NULL::%s', ta, tb);
    EXCEPTION WHEN undefined_function OR datatype_mismatch THEN
      RAISE EXCEPTION 'column "%" of "%" and column "%" of "%" cannot be compared',
                      a[i], (SELECT relname FROM pg_catalog.pg_class WHERE oid = rel_a),
                      b[i], (SELECT relname FROM pg_catalog.pg_class WHERE oid = rel_b)
        USING ERRCODE = 'datatype_mismatch',
              DETAIL = format('They are of types %s and %s, which have no equality operator.', ta, tb);
    END;
  END LOOP;
END $$;

-- Whether child's items live in parent's partition: both on one DynamoDB
-- table and child's pk_template is parent's with child_cols for parent_cols.
-- reason says why not.
CREATE FUNCTION _same_partition(child regclass, child_cols name[], parent regclass, parent_cols name[],
                                OUT ok boolean, OUT reason text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  c record;
  p record;
  renamed text;
  h name;
BEGIN
  ok := false;
  c := ddbrel._entity(child);
  p := ddbrel._entity(parent);
  IF c.server <> p.server OR c.dtable IS DISTINCT FROM p.dtable THEN
    reason := format('"%s" is on DynamoDB table "%s" of server "%s" and "%s" on table "%s" of server "%s".',
                     c.relname, c.dtable, c.server, p.relname, p.dtable, p.server);
    RETURN;
  END IF;
  IF c.pk_template IS NULL OR p.pk_template IS NULL THEN
    reason := format('"%s" has no pk_template, so its partitions are not those of an entity.',
                     CASE WHEN c.pk_template IS NULL THEN c.relname ELSE p.relname END);
    RETURN;
  END IF;
  FOREACH h IN ARRAY ddbrel._template_holes(c.pk_template) LOOP
    IF NOT h = ANY (child_cols) THEN
      reason := format('The partition key template "%s" of "%s" uses column "%s", which does not join it to "%s".',
                       c.pk_template, c.relname, h, p.relname);
      RETURN;
    END IF;
  END LOOP;
  renamed := ddbrel._template_rename(c.pk_template, child_cols, parent_cols);
  IF ddbrel._template_shape(renamed) <> ddbrel._template_shape(p.pk_template)
     OR ddbrel._template_holes(renamed) <> ddbrel._template_holes(p.pk_template) THEN
    reason := format('The partition key template of "%s" is "%s" and that of "%s" is "%s".',
                     c.relname, c.pk_template, p.relname, p.pk_template);
    RETURN;
  END IF;
  ok := true;
END $$;

-- The inverted global secondary index of a DynamoDB table (partition key =
-- the table's sort key, sort key = its partition key), from DescribeTable.
-- index_name is NULL if there is none; sort_key NULL if the table has none.
CREATE FUNCTION _inverted_index(server name, dtable text,
                                OUT index_name text, OUT partition_key text, OUT sort_key text,
                                OUT projection text, OUT non_key_attributes text[])
LANGUAGE plpgsql VOLATILE STRICT AS $$
DECLARE
  d jsonb;
  g jsonb;
BEGIN
  d := ddbrel.request(server, 'DescribeTable', jsonb_build_object('TableName', dtable))->'Table';
  SELECT k->>'AttributeName' INTO partition_key FROM jsonb_array_elements(d->'KeySchema') k WHERE k->>'KeyType' = 'HASH';
  SELECT k->>'AttributeName' INTO sort_key FROM jsonb_array_elements(d->'KeySchema') k WHERE k->>'KeyType' = 'RANGE';
  IF sort_key IS NULL THEN
    RETURN;
  END IF;
  FOR g IN SELECT x FROM jsonb_array_elements(coalesce(d->'GlobalSecondaryIndexes', '[]')) x
            ORDER BY x->>'IndexName' LOOP
    IF (SELECT k->>'AttributeName' FROM jsonb_array_elements(g->'KeySchema') k WHERE k->>'KeyType' = 'HASH') = sort_key
       AND (SELECT k->>'AttributeName' FROM jsonb_array_elements(g->'KeySchema') k WHERE k->>'KeyType' = 'RANGE') = partition_key THEN
      index_name := g->>'IndexName';
      projection := g->'Projection'->>'ProjectionType';
      non_key_attributes := ARRAY(SELECT jsonb_array_elements_text(coalesce(g->'Projection'->'NonKeyAttributes', '[]')));
      RETURN;
    END IF;
  END LOOP;
END $$;

-- Records one relationship after the checks every kind shares; the public
-- functions below normalize their arguments into this.
CREATE FUNCTION _declare(kind text, fn text, declared_on regclass, rel_name text,
                         parent regclass, child regclass, parent_columns name[], child_columns name[],
                         through regclass, through_parent_columns name[], through_child_columns name[],
                         pivot_columns name[], same_partition boolean, inverse_index text)
RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF rel_name IS NULL OR rel_name = '' THEN
    RAISE EXCEPTION 'relationship name must not be empty' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF EXISTS (SELECT FROM ddbrel.relationships r WHERE r.declared_on = _declare.declared_on AND r.name = rel_name) THEN
    RAISE EXCEPTION 'relationship "%" of "%" already exists', rel_name,
                    (SELECT relname FROM pg_catalog.pg_class WHERE oid = declared_on)
      USING ERRCODE = 'duplicate_object',
            HINT = format('Pass another name => to ddbrel.%s(), or drop it first with ddbrel.drop_relationship(%L, %L).',
                          fn, declared_on::text, rel_name);
  END IF;
  INSERT INTO ddbrel.relationships (name, kind, declared_on, parent, child, parent_columns, child_columns,
                                    through, through_parent_columns, through_child_columns, pivot_columns,
                                    same_partition, inverse_index)
  VALUES (rel_name, kind, declared_on, parent, child, parent_columns, child_columns,
          through, through_parent_columns, through_child_columns, pivot_columns,
          same_partition, inverse_index);
  RETURN declared_on::text || '.' || rel_name;
END $$;

-- has_one, has_many, belongs_to: the reference is child.child_columns =
-- parent.parent_columns.  same_partition: NULL finds out from the
-- templates; true requires it (an error says why not); false records a
-- relationship read by key lookups only.
CREATE FUNCTION _declare_reference(kind text, declared_on regclass, rel_name text,
                                   parent regclass, child regclass,
                                   parent_columns text[], child_columns text[], same_partition boolean)
RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  p record;
  c record;
  pc name[];
  cc name[];
  sp record;
  inv record;
  invname text;
BEGIN
  IF parent IS NULL OR child IS NULL THEN
    RAISE EXCEPTION 'ddbrel.%() needs both entities', kind USING ERRCODE = 'null_value_not_allowed';
  END IF;
  p := ddbrel._entity(parent);
  c := ddbrel._entity(child);
  pc := ddbrel._columns(parent, parent_columns, 'parent_columns');
  cc := ddbrel._columns(child, coalesce(child_columns, parent_columns), 'child_columns');
  PERFORM ddbrel._comparable(child, cc, parent, pc, 'child_columns', 'parent_columns');
  sp := ddbrel._same_partition(child, cc, parent, pc);
  IF same_partition AND NOT sp.ok THEN
    RAISE EXCEPTION 'entity "%" does not live in the partition of "%"', c.relname, p.relname
      USING ERRCODE = 'invalid_foreign_key',
            DETAIL = sp.reason,
            HINT = 'Leave same_partition unset to declare a relationship that is read by key lookups.';
  END IF;
  IF sp.ok AND same_partition IS DISTINCT FROM false THEN
    inv := ddbrel._inverted_index(c.server, c.dtable);
    invname := inv.index_name;
  END IF;
  RETURN ddbrel._declare(kind, kind, declared_on,
                         coalesce(rel_name, CASE WHEN declared_on = parent THEN c.relname ELSE p.relname END),
                         parent, child, pc, cc, NULL, NULL, NULL, NULL,
                         sp.ok AND same_partition IS DISTINCT FROM false, invname);
END $$;

-- parent has one child: child.child_columns (default: the same names)
-- reference parent.parent_columns, at most one child per parent.
CREATE FUNCTION has_one(parent regclass, child regclass, parent_columns text[],
                        child_columns text[] DEFAULT NULL, name text DEFAULT NULL,
                        same_partition boolean DEFAULT NULL)
RETURNS text
LANGUAGE sql VOLATILE AS $$
  SELECT ddbrel._declare_reference('has_one', parent, name, parent, child, parent_columns, child_columns,
                                   same_partition)
$$;

-- parent has many children: child.child_columns (default: the same names)
-- reference parent.parent_columns.
CREATE FUNCTION has_many(parent regclass, child regclass, parent_columns text[],
                         child_columns text[] DEFAULT NULL, name text DEFAULT NULL,
                         same_partition boolean DEFAULT NULL)
RETURNS text
LANGUAGE sql VOLATILE AS $$
  SELECT ddbrel._declare_reference('has_many', parent, name, parent, child, parent_columns, child_columns,
                                   same_partition)
$$;

-- child belongs to parent: the inverse of has_one/has_many, declared on the
-- entity that holds the reference.
CREATE FUNCTION belongs_to(child regclass, parent regclass, child_columns text[],
                           parent_columns text[] DEFAULT NULL, name text DEFAULT NULL,
                           same_partition boolean DEFAULT NULL)
RETURNS text
LANGUAGE sql VOLATILE AS $$
  SELECT ddbrel._declare_reference('belongs_to', child, name, parent, child,
                                   coalesce(parent_columns, child_columns), child_columns, same_partition)
$$;

-- left and right are many-to-many through the edge entity "through", whose
-- items live in left's partition and hold right's key in their sort key
-- (seed 000's attendance).  through_left_columns/through_right_columns
-- default to left_columns/right_columns; pivot_columns (default: every other
-- column of the edge) are the edge's own data.
CREATE FUNCTION belongs_to_many(left regclass, right regclass, through regclass,
                                left_columns text[], right_columns text[],
                                through_left_columns text[] DEFAULT NULL,
                                through_right_columns text[] DEFAULT NULL,
                                pivot_columns text[] DEFAULT NULL, name text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  l_rel regclass := $1;
  r_rel regclass := $2;
  l record;
  r record;
  e record;
  lc name[];
  rc name[];
  tl name[];
  tr name[];
  pv name[];
  h name;
  sp record;
  inv record;
  attr text;
  c name;
  swap_ok boolean;
BEGIN
  IF l_rel IS NULL OR r_rel IS NULL OR through IS NULL THEN
    RAISE EXCEPTION 'ddbrel.belongs_to_many() needs left, right and through' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  l := ddbrel._entity(l_rel);
  r := ddbrel._entity(r_rel);
  e := ddbrel._entity(through);
  IF through IN (l_rel, r_rel) THEN
    RAISE EXCEPTION 'edge entity "%" must differ from both sides', e.relname USING ERRCODE = 'invalid_parameter_value';
  END IF;
  lc := ddbrel._columns(l_rel, left_columns, 'left_columns');
  rc := ddbrel._columns(r_rel, right_columns, 'right_columns');
  tl := ddbrel._columns(through, coalesce(through_left_columns, left_columns), 'through_left_columns');
  tr := ddbrel._columns(through, coalesce(through_right_columns, right_columns), 'through_right_columns');
  PERFORM ddbrel._comparable(through, tl, l_rel, lc, 'through_left_columns', 'left_columns');
  PERFORM ddbrel._comparable(through, tr, r_rel, rc, 'through_right_columns', 'right_columns');
  IF tl && tr THEN
    RAISE EXCEPTION 'through_left_columns and through_right_columns overlap' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF pivot_columns IS NULL THEN
    pv := ARRAY(SELECT a.attname FROM pg_catalog.pg_attribute a
                 WHERE a.attrelid = through AND a.attnum > 0 AND NOT a.attisdropped
                   AND NOT a.attname = ANY (tl || tr) ORDER BY a.attnum);
  ELSIF cardinality(pivot_columns) = 0 THEN
    pv := '{}';
  ELSE
    pv := ddbrel._columns(through, pivot_columns, 'pivot_columns');
  END IF;
  -- one DynamoDB table for the three
  IF e.server <> l.server OR e.dtable IS DISTINCT FROM l.dtable
     OR e.server <> r.server OR e.dtable IS DISTINCT FROM r.dtable THEN
    RAISE EXCEPTION 'entities "%", "%" and "%" are not on one DynamoDB table', l.relname, r.relname, e.relname
      USING ERRCODE = 'invalid_foreign_key',
            DETAIL = format('"%s" is on table "%s", "%s" on "%s" and "%s" on "%s" (servers "%s", "%s", "%s"); the edge items of a belongs_to_many relationship are read from both sides of one table.',
                            l.relname, l.dtable, r.relname, r.dtable, e.relname, e.dtable, l.server, r.server, e.server);
  END IF;
  IF e.pk_template IS NULL OR e.sk_template IS NULL THEN
    RAISE EXCEPTION 'edge entity "%" has no key templates', e.relname
      USING ERRCODE = 'invalid_foreign_key',
            DETAIL = 'An edge entity needs a pk_template holding the key of the left side and an sk_template holding the key of the right side.';
  END IF;
  -- the edges of one left item are one partition
  FOREACH h IN ARRAY ddbrel._template_holes(e.pk_template) LOOP
    IF NOT h = ANY (tl) THEN
      swap_ok := ddbrel._template_holes(e.pk_template) <@ tr AND ddbrel._template_holes(e.sk_template) <@ tl;
      RAISE EXCEPTION 'edge entity "%" is not partitioned by "%"', e.relname, l.relname
        USING ERRCODE = 'invalid_foreign_key',
              DETAIL = format('Its partition key template "%s" uses column "%s", which is not among through_left_columns (%s).',
                              e.pk_template, h, array_to_string(tl, ', ')),
              HINT = CASE WHEN swap_ok THEN
                       format('Its partitions are those of "%s": declare ddbrel.belongs_to_many(%L, %L, ...) instead; the relationship is read from both sides either way.',
                              r.relname, r_rel::text, l_rel::text)
                     ELSE 'The pk_template of an edge entity must be made of the columns that join it to the left side.' END;
    END IF;
  END LOOP;
  -- and the inverted index finds the edges of one right item
  FOREACH h IN ARRAY ddbrel._template_holes(e.sk_template) LOOP
    IF NOT h = ANY (tr) THEN
      RAISE EXCEPTION 'edge entity "%" does not hold the key of "%" in its sort key', e.relname, r.relname
        USING ERRCODE = 'invalid_foreign_key',
              DETAIL = format('Its sort key template "%s" uses column "%s", which is not among through_right_columns (%s).',
                              e.sk_template, h, array_to_string(tr, ', ')),
              HINT = 'The sk_template of an edge entity must be made of the columns that join it to the right side.';
    END IF;
  END LOOP;
  inv := ddbrel._inverted_index(e.server, e.dtable);
  IF inv.sort_key IS NULL THEN
    RAISE EXCEPTION 'DynamoDB table "%" has no sort key', e.dtable
      USING ERRCODE = 'invalid_foreign_key',
            DETAIL = format('The edge items of "%s" need a sort key holding the key of "%s", for an inverted index to find them.',
                            e.relname, r.relname);
  END IF;
  IF inv.index_name IS NULL THEN
    RAISE EXCEPTION 'DynamoDB table "%" has no inverted index', e.dtable
      USING ERRCODE = 'undefined_object',
            DETAIL = format('"%s" is read from "%s" through a global secondary index whose partition key is "%s" and whose sort key is "%s"; table "%s" has none.',
                            l.relname, r.relname, inv.sort_key, inv.partition_key, e.dtable),
            HINT = format('Add one with UpdateTable, for example GlobalSecondaryIndexUpdates [{"Create": {"IndexName": "GSI1", "KeySchema": [{"AttributeName": "%s", "KeyType": "HASH"}, {"AttributeName": "%s", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}}].',
                          inv.sort_key, inv.partition_key);
  END IF;
  IF inv.projection <> 'ALL' THEN
    FOREACH c IN ARRAY pv LOOP
      attr := ddbrel._column_attribute(through, c);
      IF inv.projection = 'KEYS_ONLY' OR NOT attr = ANY (inv.non_key_attributes) THEN
        RAISE EXCEPTION 'inverted index "%" of DynamoDB table "%" does not project pivot attribute "%"',
                        inv.index_name, e.dtable, attr
          USING ERRCODE = 'undefined_object',
                DETAIL = format('Reading "%s" from "%s" reads the edge items of "%s" from the index, with their pivot columns.',
                                l.relname, r.relname, e.relname),
                HINT = 'Project ALL attributes into the index, or name the pivot attributes in its INCLUDE projection, or pass fewer pivot_columns.';
      END IF;
    END LOOP;
  END IF;
  sp := ddbrel._same_partition(through, tl, l_rel, lc);
  RETURN ddbrel._declare('belongs_to_many', 'belongs_to_many', l_rel, coalesce(name, r.relname),
                         l_rel, r_rel, lc, rc, through, tl, tr, pv, sp.ok, inv.index_name);
END $$;

-- parent has many children through an intermediate entity (seed 001's
-- country → users → posts): parent.parent_columns =
-- through.through_parent_columns (default: the same names) and
-- through.through_child_columns = child.child_columns (default: the same
-- names).
CREATE FUNCTION has_many_through(parent regclass, child regclass, through regclass,
                                 parent_columns text[], through_child_columns text[],
                                 through_parent_columns text[] DEFAULT NULL,
                                 child_columns text[] DEFAULT NULL, name text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  p record;
  c record;
  t record;
  pc name[];
  cc name[];
  tp name[];
  tc name[];
  sp record;
BEGIN
  IF parent IS NULL OR child IS NULL OR through IS NULL THEN
    RAISE EXCEPTION 'ddbrel.has_many_through() needs parent, child and through' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  p := ddbrel._entity(parent);
  c := ddbrel._entity(child);
  t := ddbrel._entity(through);
  IF through IN (parent, child) THEN
    RAISE EXCEPTION 'intermediate entity "%" must differ from parent and child', t.relname
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  pc := ddbrel._columns(parent, parent_columns, 'parent_columns');
  tp := ddbrel._columns(through, coalesce(through_parent_columns, parent_columns), 'through_parent_columns');
  tc := ddbrel._columns(through, through_child_columns, 'through_child_columns');
  cc := ddbrel._columns(child, coalesce(child_columns, through_child_columns), 'child_columns');
  PERFORM ddbrel._comparable(through, tp, parent, pc, 'through_parent_columns', 'parent_columns');
  PERFORM ddbrel._comparable(child, cc, through, tc, 'child_columns', 'through_child_columns');
  sp := ddbrel._same_partition(through, tp, parent, pc);
  RETURN ddbrel._declare('has_many_through', 'has_many_through', parent, coalesce(name, c.relname),
                         parent, child, pc, cc, through, tp, tc, NULL, sp.ok, NULL);
END $$;

-- Forgets a relationship; false if there was none of that name.
CREATE FUNCTION drop_relationship(entity regclass, name text) RETURNS boolean
LANGUAGE sql VOLATILE STRICT AS $$
  WITH d AS (DELETE FROM ddbrel.relationships r WHERE r.declared_on = entity AND r.name = drop_relationship.name
             RETURNING 1)
  SELECT count(*) > 0 FROM d
$$;

-- Dropping a foreign table forgets its relationships (their regclass
-- columns would otherwise name a dead OID, or a later table that reuses it).
CREATE FUNCTION _forget_dropped_relationships() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF to_regclass('ddbrel.relationships') IS NULL THEN
    RETURN;
  END IF;
  DELETE FROM ddbrel.relationships r
   USING pg_event_trigger_dropped_objects() d
   WHERE d.classid = 'pg_class'::regclass AND d.objsubid = 0
     AND d.objid IN (r.declared_on, r.parent, r.child, r.through);
END $$;
REVOKE ALL ON FUNCTION _forget_dropped_relationships() FROM PUBLIC;
CREATE EVENT TRIGGER ddbrel_forget_dropped_relationships ON sql_drop
  WHEN TAG IN ('DROP FOREIGN TABLE', 'DROP SCHEMA', 'DROP OWNED', 'DROP SERVER', 'DROP TABLE')
  EXECUTE FUNCTION _forget_dropped_relationships();

-- The singular of an English table name, for key prefixes (users → USER).
CREATE FUNCTION _singular(n text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT CASE
           WHEN n ~* '[^aeiou]ies$' THEN regexp_replace(n, 'ies$', 'y', 'i')
           WHEN n ~* '(ss|x|ch|sh|zz)es$' THEN regexp_replace(n, 'es$', '', 'i')
           WHEN n ~* '(ss|us|is)$' THEN n
           WHEN n ~* '[^s]s$' THEN regexp_replace(n, 's$', '', 'i')
           ELSE n
         END
$$;

-- Relationships that follow from the key templates of the entity foreign
-- tables of one schema, with the call that would declare each; nothing is
-- declared.  Within one DynamoDB table:
--  * the item that owns a partition is one alone in it (every sort key
--    column is in its pk_template), preferring one whose sort key has the
--    shape of its partition key: users USER#{user_id}/USER#{user_id};
--  * it has many of the entities whose pk_template has the same shape
--    (orders USER#{user_id}/ORDER#{order_id}), and has one of the other
--    entities alone in its partition (profiles USER#{user_id}/PROFILE);
--  * an entity in an owner's partition whose sort key has the shape of
--    another owner's key (attendance STUDENT#{student_id}/
--    LECTURE#{lecture_id}) is an edge: belongs_to_many between the two;
--  * an entity whose partition has the shape of another entity's sort key
--    (comments POST#{post_id}/... and posts USER#{user_id}/POST#{post_id})
--    belongs to it: has_many; among several such entities, those named by
--    the key prefix (posts for POST#) are preferred.
-- Relationships already declared are not proposed again.
CREATE FUNCTION propose_relationships(schema_name name)
RETURNS TABLE (kind text, parent regclass, child regclass, through regclass,
               parent_columns name[], child_columns name[], reason text, declare text)
LANGUAGE sql STABLE STRICT AS $$
  WITH ents AS (
    SELECT c.oid::regclass AS rel, c.relname, s.srvname AS server,
           ddbrel._ft_option(c.oid, 'table') AS dtable,
           ddbrel._ft_option(c.oid, 'pk_template') AS pkt,
           ddbrel._ft_option(c.oid, 'sk_template') AS skt
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_catalog.pg_foreign_table ft ON ft.ftrelid = c.oid
      JOIN pg_catalog.pg_foreign_server s ON s.oid = ft.ftserver
      JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = s.srvfdw
     WHERE n.nspname = schema_name AND w.fdwhandler = 'ddbrel.ddbrel_handler'::regproc
  ),
  e AS (
    SELECT ents.*,
           ddbrel._template_shape(pkt) AS pshape, ddbrel._template_holes(pkt) AS pholes,
           ddbrel._template_shape(skt) AS sshape, ddbrel._template_holes(skt) AS sholes,
           ddbrel._template_holes(skt) <@ ddbrel._template_holes(pkt) AS alone,
           upper(regexp_replace(ddbrel._singular(relname), '[^A-Za-z0-9_]', '_', 'g')) || '#'
             = ddbrel._template_prefix(skt) AS named
      FROM ents WHERE pkt IS NOT NULL AND skt IS NOT NULL
  ),
  owner AS (
    SELECT e.* FROM e
     WHERE e.alone
       AND (e.sshape = e.pshape
            OR NOT EXISTS (SELECT FROM e e2 WHERE e2.alone AND e2.server = e.server AND e2.dtable = e.dtable
                                              AND e2.pshape = e.pshape AND e2.sshape = e2.pshape))
  ),
  edges AS (   -- C in L's partition, with R's key as its sort key
    SELECT l.rel AS l_rel, r.rel AS r_rel, c.rel AS c_rel, l.pholes AS lcols, c.pholes AS tlcols,
           r.pholes AS rcols, c.sholes AS trcols,
           format('the partition of "%s" (%s) is that of "%s" and its sort key (%s) is the key of "%s"',
                  c.relname, c.pkt, l.relname, c.skt, r.relname) AS why
      FROM e c
      JOIN owner l ON l.server = c.server AND l.dtable = c.dtable AND l.pshape = c.pshape
      JOIN owner r ON r.server = c.server AND r.dtable = c.dtable AND c.sshape = r.pshape
     WHERE NOT c.alone AND cardinality(c.sholes) > 0
  ),
  nested AS (  -- C's partition is P's sort key
    SELECT p.rel AS p_rel, c.rel AS c_rel, p.sholes AS pcols, c.pholes AS ccols, p.named,
           format('the partition of "%s" (%s) is the sort key of "%s" (%s)', c.relname, c.pkt, p.relname, p.skt) AS why
      FROM e p
      JOIN e c ON c.server = p.server AND c.dtable = p.dtable AND c.rel <> p.rel AND c.pshape = p.sshape
     WHERE NOT p.alone AND NOT c.alone AND cardinality(p.sholes) > 0
       AND NOT EXISTS (SELECT FROM edges WHERE edges.c_rel IN (p.rel, c.rel))
  ),
  props AS (
    SELECT 'belongs_to_many'::text AS kind, l_rel AS parent, r_rel AS child, c_rel AS through,
           lcols AS parent_columns, rcols AS child_columns, tlcols, trcols, why AS reason
      FROM edges
    UNION ALL
    SELECT CASE WHEN c.alone THEN 'has_one' ELSE 'has_many' END, p.rel, c.rel, NULL, p.pholes, c.pholes, NULL, NULL,
           format('"%s" (%s/%s) lives in the partition of "%s" (%s/%s)', c.relname, c.pkt, c.skt, p.relname, p.pkt, p.skt)
      FROM owner p
      JOIN e c ON c.server = p.server AND c.dtable = p.dtable AND c.rel <> p.rel AND c.pshape = p.pshape
     WHERE NOT EXISTS (SELECT FROM owner o WHERE o.rel = c.rel)
       AND NOT EXISTS (SELECT FROM edges WHERE edges.c_rel = c.rel)
    UNION ALL
    SELECT 'has_many', n.p_rel, n.c_rel, NULL, n.pcols, n.ccols, NULL, NULL, n.why
      FROM nested n
     WHERE n.named OR NOT EXISTS (SELECT FROM nested n2 WHERE n2.c_rel = n.c_rel AND n2.named)
  )
  SELECT pr.kind, pr.parent, pr.child, pr.through, pr.parent_columns, pr.child_columns, pr.reason,
         CASE pr.kind
           WHEN 'belongs_to_many' THEN
             format('SELECT ddbrel.belongs_to_many(%L, %L, through => %L, left_columns => %L, right_columns => %L%s%s);',
                    pr.parent::text, pr.child::text, pr.through::text, pr.parent_columns, pr.child_columns,
                    CASE WHEN pr.tlcols <> pr.parent_columns THEN format(', through_left_columns => %L', pr.tlcols) ELSE '' END,
                    CASE WHEN pr.trcols <> pr.child_columns THEN format(', through_right_columns => %L', pr.trcols) ELSE '' END)
           ELSE
             format('SELECT ddbrel.%s(%L, %L, %L%s);', pr.kind, pr.parent::text, pr.child::text, pr.parent_columns,
                    CASE WHEN pr.child_columns <> pr.parent_columns THEN format(', %L', pr.child_columns) ELSE '' END)
         END
    FROM props pr
   WHERE NOT EXISTS (SELECT FROM ddbrel.relationships r
                      WHERE r.parent = pr.parent AND r.child = pr.child
                        AND r.through IS NOT DISTINCT FROM pr.through
                        AND r.parent_columns = pr.parent_columns AND r.child_columns = pr.child_columns
                        AND (r.kind = pr.kind OR (pr.kind IN ('has_many', 'has_one') AND r.kind = 'belongs_to')))
   ORDER BY pr.parent::text, pr.kind, pr.child::text
$$;

-- ===========================================================================
-- Single-table design of a normalized schema (issue 6): ddbrel.design() and
-- ddbrel.design_access_patterns(), from primary and foreign keys.
-- ===========================================================================

-- "a user", "an order"
CREATE FUNCTION _a(n text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT CASE WHEN n ~* '^[aeio]' THEN 'an ' ELSE 'a ' END || n
$$;

-- Whether the text form of a type can never contain "#", so that a column
-- of it may come before another hole in a key template.
CREATE FUNCTION _hole_is_safe(typid oid) RETURNS boolean
LANGUAGE sql STABLE STRICT AS $$
  WITH RECURSIVE base(t, depth) AS (
    SELECT typid, 0
    UNION ALL
    SELECT ty.typbasetype, b.depth + 1 FROM base b JOIN pg_catalog.pg_type ty ON ty.oid = b.t
     WHERE ty.typtype = 'd' AND b.depth < 20
  )
  SELECT b.t IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype, 'numeric'::regtype,
                 'float4'::regtype, 'float8'::regtype, 'oid'::regtype, 'bool'::regtype,
                 'date'::regtype, 'time'::regtype, 'timetz'::regtype, 'timestamp'::regtype,
                 'timestamptz'::regtype, 'interval'::regtype, 'uuid'::regtype)
         OR (ty.typtype = 'e' AND NOT EXISTS (SELECT FROM pg_catalog.pg_enum en
                                                WHERE en.enumtypid = b.t AND en.enumlabel LIKE '%#%'))
    FROM base b JOIN pg_catalog.pg_type ty ON ty.oid = b.t
   ORDER BY b.depth DESC LIMIT 1
$$;

-- jsonb array of strings → name[]
CREATE FUNCTION _names(j jsonb) RETURNS name[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(array_agg(x::name ORDER BY o), '{}') FROM jsonb_array_elements_text(j) WITH ORDINALITY a(x, o)
$$;

-- The holes of a key made of columns cols of table e (a design entity):
-- "{a}#{b}", the one column whose text may contain "#" last.  what names
-- the key in errors.
CREATE FUNCTION _key_holes(e jsonb, cols name[], what text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  c name;
  safe name[] := '{}';
  unsafe name[] := '{}';
  typid oid;
BEGIN
  IF cardinality(cols) > 16 THEN
    RAISE EXCEPTION '% of table "%" has more than 16 columns', what, e->>'table'
      USING ERRCODE = 'feature_not_supported',
            DETAIL = 'A key template has at most 16 holes.';
  END IF;
  FOREACH c IN ARRAY cols LOOP
    IF c !~ '^[A-Za-z_][A-Za-z0-9_]*$' THEN
      RAISE EXCEPTION 'column "%" of table "%" cannot be a key template hole', c, e->>'table'
        USING ERRCODE = 'feature_not_supported',
              DETAIL = format('It is part of %s, and template holes are names made of ASCII letters, digits and underscores that do not start with a digit.', what),
              HINT = 'Rename the column.';
    END IF;
    SELECT (x->>'typid')::oid INTO typid FROM jsonb_array_elements(e->'columns') x WHERE x->>'name' = c;
    IF ddbrel._hole_is_safe(typid) THEN
      safe := safe || c;
    ELSE
      unsafe := unsafe || c;
    END IF;
  END LOOP;
  IF cardinality(unsafe) > 1 THEN
    RAISE EXCEPTION '% of table "%" cannot be templated', what, e->>'table'
      USING ERRCODE = 'feature_not_supported',
            DETAIL = format('Columns %s are of types whose text can contain the separator "#", so a key composed of more than one of them could not be split back into columns.',
                            (SELECT string_agg(format('"%s" (%s)', u, x->>'type'), ', ')
                               FROM unnest(unsafe) u
                               JOIN jsonb_array_elements(e->'columns') x ON x->>'name' = u)),
            HINT = 'Give the table a single-column primary key, or make all but one of its key columns numbers, dates, times, uuids or booleans.';
  END IF;
  RETURN (SELECT string_agg('{' || h || '}', '#' ORDER BY o) FROM unnest(safe || unsafe) WITH ORDINALITY u(h, o));
END $$;

-- The identity template of a table: PREFIX#{pk columns}.
CREATE FUNCTION _ident(e jsonb) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT (e->>'prefix') || '#' || ddbrel._key_holes(e, ddbrel._names(e->'pk'), 'the primary key')
$$;

-- The whole design as a jsonb array of entities, in output order; the
-- public functions and migrate() read it.  Each entity:
--   table, columns [{name, type, typid, notnull}], pk [...], prefix,
--   role (root | child | edge), pk_template, sk_template, same_partition,
--   note, depth, type_value,
--   owner {table, constraint, cols, refcols, has_one} (child),
--   left/right {table, constraint, cols, refcols} and pivot [...] (edge),
--   refs [{table, constraint, cols, refcols}] (other foreign keys).
CREATE FUNCTION _design(source_schema name, owners jsonb, prefixes jsonb, exclude name[],
                        partition_key text, sort_key text, gsi_name text, type_attribute text)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
  nsp oid;
  ents jsonb := '{}';
  t record;
  f record;
  k text;
  e jsonb;
  e2 jsonb;
  p jsonb;
  fk jsonb;
  fks jsonb;
  cands jsonb;
  v text;
  m text[];
  pname text;
  pcols name[];
  n int;
  path text[];
  cur text;
  pkt text;
  skt text;
  rest name[];
  changed boolean;
  pairs text[];
  pair text;
  other text;
  result jsonb := '[]';
  c jsonb;
  i int;
BEGIN
  SELECT oid INTO nsp FROM pg_catalog.pg_namespace WHERE nspname = source_schema;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'schema "%" does not exist', source_schema USING ERRCODE = 'invalid_schema_name';
  END IF;
  IF coalesce(partition_key, '') = '' OR coalesce(sort_key, '') = '' OR partition_key = sort_key THEN
    RAISE EXCEPTION 'partition_key and sort_key must be two different attribute names'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF coalesce(gsi_name, '') = '' THEN
    RAISE EXCEPTION 'gsi_name must not be empty' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF type_attribute = '' OR type_attribute IN (partition_key, sort_key) THEN
    RAISE EXCEPTION 'type_attribute must be an attribute name other than the key attributes'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF jsonb_typeof(coalesce(owners, '{}')) <> 'object' OR jsonb_typeof(coalesce(prefixes, '{}')) <> 'object' THEN
    RAISE EXCEPTION 'owners and prefixes must be JSON objects keyed by table name'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'For example owners => ''{"comments": "posts"}'', prefixes => ''{"users": "U"}''.';
  END IF;
  owners := coalesce(owners, '{}');
  prefixes := coalesce(prefixes, '{}');

  -- tables, columns, primary keys
  FOR t IN
    SELECT c.oid, c.relname,
           (SELECT jsonb_agg(jsonb_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
                                                'typid', a.atttypid, 'notnull', a.attnotnull) ORDER BY a.attnum)
              FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
           (SELECT jsonb_agg(a.attname ORDER BY k.o)
              FROM pg_catalog.pg_constraint pc, unnest(pc.conkey) WITH ORDINALITY k(attnum, o), pg_catalog.pg_attribute a
             WHERE pc.conrelid = c.oid AND pc.contype = 'p' AND a.attrelid = c.oid AND a.attnum = k.attnum) AS pk,
           (SELECT coalesce(jsonb_agg(u.cols), '[]') FROM (
              SELECT jsonb_agg(a.attname ORDER BY a.attname) AS cols
                FROM pg_catalog.pg_index ix, unnest(ix.indkey) k(attnum), pg_catalog.pg_attribute a
               WHERE ix.indrelid = c.oid AND ix.indisunique AND ix.indpred IS NULL
                 AND a.attrelid = c.oid AND a.attnum = k.attnum
               GROUP BY ix.indexrelid) u) AS uniques
      FROM pg_catalog.pg_class c
     WHERE c.relnamespace = nsp AND c.relkind IN ('r', 'p') AND NOT c.relispartition
       AND NOT c.relname = ANY (coalesce(exclude, '{}'))
     ORDER BY c.relname
  LOOP
    IF t.pk IS NULL THEN
      RAISE EXCEPTION 'table "%" has no primary key', t.relname
        USING ERRCODE = 'object_not_in_prerequisite_state',
              DETAIL = 'The key of every item of a single-table design is made from the primary key of its table.',
              HINT = format('Add a primary key to "%s", or leave the table out with exclude => ''{%s}''.', t.relname, t.relname);
    END IF;
    FOR c IN SELECT x FROM jsonb_array_elements(t.columns) x LOOP
      IF lower(c->>'name') IN (lower(partition_key), lower(sort_key)) THEN
        RAISE EXCEPTION 'column "%" of table "%" has the name of key attribute "%"', c->>'name', t.relname,
                        CASE WHEN lower(c->>'name') = lower(partition_key) THEN partition_key ELSE sort_key END
          USING ERRCODE = 'duplicate_column',
                DETAIL = 'A column of a ddbrel foreign table reads the key attribute whose name is its own, ignoring case.',
                HINT = 'Name the key attributes differently with partition_key => and sort_key =>.';
      END IF;
      IF c->>'name' = type_attribute THEN
        RAISE EXCEPTION 'column "%" of table "%" has the name of the entity-type attribute', c->>'name', t.relname
          USING ERRCODE = 'duplicate_column',
                HINT = 'Pass another type_attribute =>.';
      END IF;
    END LOOP;
    ents := ents || jsonb_build_object(t.relname, jsonb_build_object(
      'table', t.relname, 'relid', t.oid, 'columns', t.columns, 'pk', t.pk, 'uniques', t.uniques,
      'fks', '[]'::jsonb, 'refs', '[]'::jsonb));
  END LOOP;

  FOR k IN SELECT jsonb_object_keys(owners) LOOP
    IF NOT ents ? k THEN
      RAISE EXCEPTION 'owners names table "%", which is not a table of schema "%" being designed', k, source_schema
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
  END LOOP;
  FOR k IN SELECT jsonb_object_keys(prefixes) LOOP
    IF NOT ents ? k THEN
      RAISE EXCEPTION 'prefixes names table "%", which is not a table of schema "%" being designed', k, source_schema
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF jsonb_typeof(prefixes->k) <> 'string' OR prefixes->>k !~ '^[A-Za-z0-9_]+$' THEN
      RAISE EXCEPTION 'invalid key prefix % for table "%"', prefixes->k, k
        USING ERRCODE = 'invalid_parameter_value',
              DETAIL = 'A key prefix is made of ASCII letters, digits and underscores.';
    END IF;
  END LOOP;

  -- foreign keys between the tables being designed
  FOR k IN SELECT jsonb_object_keys(ents) LOOP
    e := ents->k;
    fks := '[]';
    FOR f IN
      SELECT con.conname, rc.relname AS ref,
             (SELECT jsonb_agg(a.attname ORDER BY x.o) FROM unnest(con.conkey) WITH ORDINALITY x(n, o)
                JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = x.n) AS cols,
             (SELECT jsonb_agg(a.attname ORDER BY x.o) FROM unnest(con.confkey) WITH ORDINALITY x(n, o)
                JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = x.n) AS refcols
        FROM pg_catalog.pg_constraint con
        JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
       WHERE con.contype = 'f' AND con.conrelid = (e->>'relid')::oid AND rc.relnamespace = nsp
       ORDER BY con.conname
    LOOP
      CONTINUE WHEN NOT ents ? f.ref;
      fk := jsonb_build_object('table', f.ref, 'constraint', f.conname, 'cols', f.cols, 'refcols', f.refcols);
      -- can it hold the child in the parent's partition?  It must reference
      -- the parent's primary key and never be NULL.
      fk := fk || jsonb_build_object(
        'refs_pk', (SELECT array_agg(x ORDER BY x) FROM jsonb_array_elements_text(f.refcols) x)
                   = (SELECT array_agg(x ORDER BY x) FROM jsonb_array_elements_text(ents->f.ref->'pk') x),
        'in_pk', f.cols <@ (e->'pk'),
        'notnull', NOT EXISTS (SELECT FROM jsonb_array_elements(e->'columns') x
                                WHERE f.cols ? (x->>'name') AND NOT (x->>'notnull')::boolean),
        'self', f.ref = k);
      fk := fk || jsonb_build_object('owning', (fk->>'refs_pk')::boolean AND NOT (fk->>'self')::boolean
                                               AND ((fk->>'in_pk')::boolean OR (fk->>'notnull')::boolean));
      fks := fks || jsonb_build_array(fk);
    END LOOP;
    ents := jsonb_set(ents, ARRAY[k, 'fks'], fks);
  END LOOP;

  -- roles: an edge (pure join table), a child in an owner's partition, or a root
  FOR k IN SELECT jsonb_object_keys(ents) LOOP
    e := ents->k;
    fks := e->'fks';
    e := e || jsonb_build_object('role', 'root');
    -- a pure join table: its primary key is exactly two foreign keys to
    -- primary keys; the one whose columns come first is the left side
    SELECT jsonb_build_object('left', CASE WHEN pa.lpos < pb.lpos THEN a ELSE b END,
                              'right', CASE WHEN pa.lpos < pb.lpos THEN b ELSE a END)
      INTO p
      FROM jsonb_array_elements(fks) WITH ORDINALITY x(a, ia)
      JOIN jsonb_array_elements(fks) WITH ORDINALITY y(b, ib) ON ib > ia
      CROSS JOIN LATERAL (SELECT min(o) AS lpos FROM jsonb_array_elements_text(e->'pk') WITH ORDINALITY z(c2, o)
                           WHERE a->'cols' ? c2) pa
      CROSS JOIN LATERAL (SELECT min(o) AS lpos FROM jsonb_array_elements_text(e->'pk') WITH ORDINALITY z(c2, o)
                           WHERE b->'cols' ? c2) pb
     WHERE (a->>'refs_pk')::boolean AND (b->>'refs_pk')::boolean
       AND jsonb_array_length(a->'cols') + jsonb_array_length(b->'cols') = jsonb_array_length(e->'pk')
       AND ((a->'cols') || (b->'cols')) @> (e->'pk') AND (e->'pk') @> ((a->'cols') || (b->'cols'));
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n <> 1 THEN
      p := NULL;
    END IF;

    IF owners ? k THEN
      IF jsonb_typeof(owners->k) = 'null' THEN
        p := NULL;          -- a root, even if it is a join table
      ELSE
        IF jsonb_typeof(owners->k) <> 'string' THEN
          RAISE EXCEPTION 'invalid owner % for table "%"', owners->k, k
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'An owner is a table name, optionally with the foreign key columns: "posts" or "posts(post_id)"; null makes the table a root.';
        END IF;
        m := regexp_match(owners->>k, '^\s*([^()]+?)\s*(?:\(([^()]*)\))?\s*$');
        IF m IS NULL THEN
          RAISE EXCEPTION 'invalid owner "%" for table "%"', owners->>k, k
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'An owner is a table name, optionally with the foreign key columns: "posts" or "posts(post_id)"; null makes the table a root.';
        END IF;
        pname := m[1];
        pcols := CASE WHEN m[2] IS NULL THEN NULL
                      ELSE ARRAY(SELECT btrim(x)::name FROM unnest(string_to_array(m[2], ',')) x) END;
        SELECT jsonb_agg(x) INTO cands FROM jsonb_array_elements(fks) x
         WHERE x->>'table' = pname AND (pcols IS NULL OR ddbrel._names(x->'cols') = pcols);
        IF cands IS NULL THEN
          RAISE EXCEPTION '%', format('table "%s" has no foreign key%s to "%s"', k,
                                      coalesce(' (' || array_to_string(pcols, ', ') || ')', ''), pname)
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('owners names "%s" as the owner of "%s".', owners->>k, k);
        ELSIF jsonb_array_length(cands) > 1 THEN
          RAISE EXCEPTION 'table "%" has more than one foreign key to "%"', k, pname
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = format('Name its columns: %s.',
                                (SELECT string_agg(format('"%s(%s)"', pname, (SELECT string_agg(y, ', ') FROM jsonb_array_elements_text(x->'cols') y)), ' or ')
                                   FROM jsonb_array_elements(cands) x));
        END IF;
        fk := cands->0;
        IF p IS NOT NULL AND fk IN (p->'left', p->'right') THEN
          -- a join table: the owner is its left side
          IF fk = p->'right' THEN
            p := jsonb_build_object('left', p->'right', 'right', p->'left');
          END IF;
        ELSE
          p := NULL;
          IF NOT (fk->>'owning')::boolean THEN
            RAISE EXCEPTION 'foreign key "%" of table "%" cannot place it in the partition of "%"', fk->>'constraint', k, pname
              USING ERRCODE = 'invalid_parameter_value',
                    DETAIL = CASE WHEN NOT (fk->>'refs_pk')::boolean
                                    THEN format('It references columns of "%s" other than its primary key.', pname)
                                  WHEN (fk->>'self')::boolean
                                    THEN 'It references the table itself.'
                                  ELSE 'Its columns can be null, and a key column cannot.' END;
          END IF;
          e := e || jsonb_build_object('role', 'child', 'owner', fk);
        END IF;
      END IF;
    ELSIF p IS NULL THEN
      SELECT jsonb_agg(x) INTO cands FROM jsonb_array_elements(fks) x WHERE (x->>'owning')::boolean;
      IF jsonb_array_length(cands) > 1 THEN
        -- those inside the primary key win (order_items (order_id, line) over product_id)
        SELECT jsonb_agg(x) INTO c FROM jsonb_array_elements(cands) x WHERE (x->>'in_pk')::boolean;
        IF jsonb_array_length(c) = 1 THEN
          cands := c;
        ELSE
          RAISE EXCEPTION 'table "%" has more than one owning parent', k
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = format('Its foreign keys %s reference primary keys and are never null, so the items of "%s" could live in the partition of either.',
                                  (SELECT string_agg(format('%s (%s)', x->>'table', (SELECT string_agg(y, ', ') FROM jsonb_array_elements_text(x->'cols') y)), ' and ')
                                     FROM jsonb_array_elements(cands) x), k),
                  HINT = format('Choose one with owners => ''{"%s": "%s"}'', or make it a root with owners => ''{"%s": null}''.',
                                k, cands->0->>'table', k);
        END IF;
      END IF;
      IF jsonb_array_length(cands) = 1 THEN
        e := e || jsonb_build_object('role', 'child', 'owner', cands->0);
      END IF;
    END IF;
    IF p IS NOT NULL THEN
      e := e || jsonb_build_object('role', 'edge', 'left', p->'left', 'right', p->'right',
                                   'pivot', (SELECT coalesce(jsonb_agg(x->>'name'), '[]') FROM jsonb_array_elements(e->'columns') x
                                              WHERE NOT (p->'left'->'cols' ? (x->>'name')) AND NOT (p->'right'->'cols' ? (x->>'name'))));
    END IF;
    IF e->>'role' = 'child' THEN
      -- has one: the owner's key columns are unique in the child
      e := jsonb_set(e, '{owner,has_one}', to_jsonb(EXISTS (
             SELECT FROM jsonb_array_elements(e->'uniques') u
              WHERE u @> (e->'owner'->'cols') AND (e->'owner'->'cols') @> u)));
    END IF;
    -- the other foreign keys are references
    e := jsonb_set(e, '{refs}', (SELECT coalesce(jsonb_agg(x), '[]') FROM jsonb_array_elements(fks) x
                                  WHERE (x->>'constraint') IS DISTINCT FROM (e->'owner'->>'constraint')
                                    AND (x->>'constraint') IS DISTINCT FROM (e->'left'->>'constraint')
                                    AND (x->>'constraint') IS DISTINCT FROM (e->'right'->>'constraint')));
    ents := jsonb_set(ents, ARRAY[k], e);
  END LOOP;

  -- ownership cycles
  FOR k IN SELECT jsonb_object_keys(ents) LOOP
    path := ARRAY[k];
    cur := k;
    WHILE ents->cur->>'role' = 'child' LOOP
      cur := ents->cur->'owner'->>'table';
      IF cur = ANY (path) THEN
        path := path[array_position(path, cur):] || cur;
        RAISE EXCEPTION 'tables % form an ownership cycle',
                        (SELECT string_agg(format('"%s"', x), ', ') FROM (SELECT DISTINCT x FROM unnest(path) x ORDER BY 1) s)
          USING ERRCODE = 'feature_not_supported',
                DETAIL = format('Each would live in the partition of the next: %s. None of them has a partition of its own.',
                                (SELECT string_agg(format('"%s"', x), ' → ' ORDER BY o) FROM unnest(path) WITH ORDINALITY u(x, o))),
                HINT = format('Make one of them a root, for example with owners => ''{"%s": null}''.', path[1]);
      END IF;
      path := path || cur;
    END LOOP;
  END LOOP;

  -- key prefixes
  FOR k IN SELECT jsonb_object_keys(ents) LOOP
    v := coalesce(prefixes->>k, upper(regexp_replace(ddbrel._singular(k), '[^A-Za-z0-9_]', '_', 'g')));
    SELECT x INTO other FROM jsonb_object_keys(ents) x WHERE x <> k AND ents->x->>'prefix' = v;
    IF other IS NOT NULL THEN
      RAISE EXCEPTION 'tables "%" and "%" would both have key prefix "%"', least(k, other), greatest(k, other), v
        USING ERRCODE = 'duplicate_object',
              HINT = format('Tell them apart with prefixes => ''{"%s": "..."}''.', k);
    END IF;
    ents := jsonb_set(ents, ARRAY[k, 'prefix'], to_jsonb(v));
    IF type_attribute IS NOT NULL THEN
      ents := jsonb_set(ents, ARRAY[k, 'type_value'], to_jsonb(v));
    END IF;
  END LOOP;

  -- templates: roots and edges, then children once their owner is placed
  FOR k IN SELECT jsonb_object_keys(ents) LOOP
    e := ents->k;
    IF e->>'role' = 'root' THEN
      pkt := ddbrel._ident(e);
      e := e || jsonb_build_object('pk_template', pkt, 'sk_template', pkt, 'same_partition', false);
    ELSIF e->>'role' = 'edge' THEN
      e := e || jsonb_build_object(
        'pk_template', ddbrel._template_rename(ddbrel._ident(ents->(e->'left'->>'table')),
                                               ddbrel._names(e->'left'->'refcols'), ddbrel._names(e->'left'->'cols')),
        'sk_template', ddbrel._template_rename(ddbrel._ident(ents->(e->'right'->>'table')),
                                               ddbrel._names(e->'right'->'refcols'), ddbrel._names(e->'right'->'cols')),
        'same_partition', (ents->(e->'left'->>'table')->>'role') = 'root');
    END IF;
    ents := jsonb_set(ents, ARRAY[k], e);
  END LOOP;
  LOOP
    changed := false;
    FOR k IN SELECT x FROM jsonb_object_keys(ents) x ORDER BY 1 LOOP
      e := ents->k;
      CONTINUE WHEN e->>'role' <> 'child' OR e ? 'pk_template';
      p := ents->(e->'owner'->>'table');
      CONTINUE WHEN NOT p ? 'pk_template';
      IF ddbrel._template_holes(p->>'pk_template') <@ ddbrel._names(e->'owner'->'refcols') THEN
        -- the owner's partition, named by our own columns
        pkt := ddbrel._template_rename(p->>'pk_template', ddbrel._names(e->'owner'->'refcols'), ddbrel._names(e->'owner'->'cols'));
        e := e || jsonb_build_object('same_partition', true);
      ELSE
        -- the owner lives in a partition we cannot name: use the owner's identity
        pkt := ddbrel._template_rename(ddbrel._ident(p), ddbrel._names(e->'owner'->'refcols'), ddbrel._names(e->'owner'->'cols'));
        e := e || jsonb_build_object('same_partition', false, 'note',
               format('partition %s of its own: the partition of "%s" (%s) needs %s, which "%s" does not have',
                      pkt, p->>'table', p->>'pk_template',
                      (SELECT string_agg(format('"%s"', h), ', ') FROM unnest(ddbrel._template_holes(p->>'pk_template')) h
                        WHERE NOT h = ANY (ddbrel._names(e->'owner'->'refcols'))), k));
      END IF;
      rest := ARRAY(SELECT x FROM unnest(ddbrel._names(e->'pk')) WITH ORDINALITY u(x, o)
                     WHERE NOT x = ANY (ddbrel._template_holes(pkt)) ORDER BY o);
      skt := (e->>'prefix') || '#' ||
             CASE WHEN cardinality(rest) = 0 THEN '' ELSE ddbrel._key_holes(e, rest, 'the sort key') END;
      e := e || jsonb_build_object('pk_template', pkt, 'sk_template', skt);
      ents := jsonb_set(ents, ARRAY[k], e);
      changed := true;
    END LOOP;
    EXIT WHEN NOT changed;
  END LOOP;

  -- two entities with keys of the same prefixes would share items: an edge
  -- then uses its own prefix for its sort key (self-references, two join
  -- tables between the same sides, an edge to a child in its partition)
  FOR k IN SELECT x FROM jsonb_object_keys(ents) x ORDER BY (ents->x->>'role') = 'edge', x LOOP
    e := ents->k;
    pair := ddbrel._template_prefix(e->>'pk_template') || E'\x01' || ddbrel._template_prefix(e->>'sk_template');
    IF pair = ANY (coalesce(pairs, '{}')) THEN
      IF e->>'role' = 'edge' THEN
        skt := (e->>'prefix') || substr(e->>'sk_template', length(ents->(e->'right'->>'table')->>'prefix') + 1);
        e := e || jsonb_build_object('sk_template', skt);
        ents := jsonb_set(ents, ARRAY[k], e);
        pair := ddbrel._template_prefix(e->>'pk_template') || E'\x01' || ddbrel._template_prefix(skt);
      END IF;
      IF pair = ANY (pairs) THEN
        RAISE EXCEPTION 'cannot place table "%"', k
          USING ERRCODE = 'feature_not_supported',
                DETAIL = format('Its items would have keys (%s, %s) of the shape of another table''s items.',
                                e->>'pk_template', e->>'sk_template');
      END IF;
    END IF;
    pairs := coalesce(pairs, '{}') || pair;
  END LOOP;

  -- depth, for the output order: roots, then what hangs off them
  FOR i IN 1 .. 50 LOOP
    changed := false;
    FOR k IN SELECT jsonb_object_keys(ents) LOOP
      e := ents->k;
      n := CASE e->>'role'
             WHEN 'root' THEN 0
             WHEN 'child' THEN coalesce((ents->(e->'owner'->>'table')->>'depth')::int, 0) + 1
             ELSE greatest(coalesce((ents->(e->'left'->>'table')->>'depth')::int, 0),
                           coalesce((ents->(e->'right'->>'table')->>'depth')::int, 0)) + 1
           END;
      IF (e->>'depth')::int IS DISTINCT FROM n THEN
        ents := jsonb_set(ents, ARRAY[k, 'depth'], to_jsonb(n));
        changed := true;
      END IF;
    END LOOP;
    EXIT WHEN NOT changed;
  END LOOP;

  SELECT coalesce(jsonb_agg(x.value - 'uniques' - 'fks' - 'relid' ORDER BY (x.value->>'depth')::int, x.key), '[]')
    INTO result FROM jsonb_each(ents) x;
  RETURN result;
END $fn$;

-- The single-table design of a normalized schema: one row per table, with
-- the key templates of its items and their keys in the inverted index.
CREATE FUNCTION design(source_schema name, owners jsonb DEFAULT '{}', prefixes jsonb DEFAULT '{}',
                       exclude name[] DEFAULT '{}', partition_key text DEFAULT 'PK',
                       sort_key text DEFAULT 'SK', gsi_name text DEFAULT 'GSI1',
                       type_attribute text DEFAULT NULL)
RETURNS TABLE (entity name, role text, pk_template text, sk_template text,
               gsi_pk_template text, gsi_sk_template text, type_value text, parents name[], note text)
LANGUAGE sql STABLE AS $$
  SELECT (x->>'table')::name, x->>'role', x->>'pk_template', x->>'sk_template',
         x->>'sk_template', x->>'pk_template', x->>'type_value',
         CASE x->>'role' WHEN 'child' THEN ARRAY[(x->'owner'->>'table')::name]
                         WHEN 'edge' THEN ARRAY[(x->'left'->>'table')::name, (x->'right'->>'table')::name]
                         ELSE '{}'::name[] END,
         x->>'note'
    FROM jsonb_array_elements(ddbrel._design(source_schema, owners, prefixes, exclude, partition_key,
                                             sort_key, gsi_name, type_attribute)) WITH ORDINALITY a(x, o)
   ORDER BY o
$$;

-- The access patterns the design serves, as seed 000 tabulates them: what
-- is read, from which index, with which parameters, by which key condition.
-- Foreign keys that no key serves are listed with index "Scan".
CREATE FUNCTION design_access_patterns(source_schema name, owners jsonb DEFAULT '{}',
                                       prefixes jsonb DEFAULT '{}', exclude name[] DEFAULT '{}',
                                       partition_key text DEFAULT 'PK', sort_key text DEFAULT 'SK',
                                       gsi_name text DEFAULT 'GSI1', type_attribute text DEFAULT NULL)
RETURNS TABLE (entity name, access_pattern text, index text, parameters text, key_condition text)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_variable
DECLARE
  d jsonb;
  x jsonb;
  r jsonb;
  one text;
  pkt text;
  skt text;
  pk_name text := partition_key;
  sk_name text := sort_key;
BEGIN
  d := ddbrel._design(source_schema, owners, prefixes, exclude, partition_key, sort_key, gsi_name, type_attribute);
  FOR x IN SELECT y FROM jsonb_array_elements(d) y LOOP
    entity := x->>'table';
    one := lower(ddbrel._singular(x->>'table'));
    pkt := x->>'pk_template';
    skt := x->>'sk_template';
    IF x->>'role' = 'root' THEN
      access_pattern := format('View %s by %s', ddbrel._a(one),
                               (SELECT string_agg(c, ', ') FROM jsonb_array_elements_text(x->'pk') c));
      index := 'Main table';
      parameters := (SELECT string_agg(c, ', ') FROM jsonb_array_elements_text(x->'pk') c);
      key_condition := format('%s = %s AND %s = %s', pk_name, ddbrel._template_render(pkt),
                              sk_name, ddbrel._template_render(skt));
      RETURN NEXT;
    ELSIF x->>'role' = 'child' THEN
      IF (x->'owner'->>'has_one')::boolean THEN
        access_pattern := format('View the %s of %s', one, ddbrel._a(lower(ddbrel._singular(x->'owner'->>'table'))));
      ELSE
        access_pattern := format('View all %s of %s', x->>'table', ddbrel._a(lower(ddbrel._singular(x->'owner'->>'table'))));
      END IF;
      index := 'Main table';
      parameters := array_to_string(ddbrel._template_holes(pkt), ', ');
      key_condition := format('%s = %s AND begins_with(%s, %s)', pk_name, ddbrel._template_render(pkt),
                              sk_name, ddbrel._template_prefix(skt));
      IF cardinality(ddbrel._template_holes(skt)) = 0 THEN
        key_condition := format('%s = %s AND %s = %s', pk_name, ddbrel._template_render(pkt),
                                sk_name, skt);
      END IF;
      RETURN NEXT;
      -- the sort key identifies the item on its own: the inverted index finds it
      IF cardinality(ddbrel._template_holes(skt)) > 0
         AND ddbrel._names(x->'pk') <@ ddbrel._template_holes(skt) THEN
        access_pattern := format('View %s by %s', ddbrel._a(one), array_to_string(ddbrel._template_holes(skt), ', '));
        index := gsi_name;
        parameters := array_to_string(ddbrel._template_holes(skt), ', ');
        key_condition := format('%s = %s AND begins_with(%s, %s)', sk_name, ddbrel._template_render(skt),
                                pk_name, ddbrel._template_prefix(pkt));
        RETURN NEXT;
      END IF;
    ELSE
      access_pattern := CASE WHEN x->'left'->>'table' = x->'right'->>'table'
                          THEN format('View all %s of %s by %s', x->>'table', ddbrel._a(lower(ddbrel._singular(x->'left'->>'table'))),
                                      array_to_string(ddbrel._template_holes(pkt), ', '))
                          ELSE format('View all %s of %s', x->'right'->>'table', ddbrel._a(lower(ddbrel._singular(x->'left'->>'table')))) END;
      index := 'Main table';
      parameters := array_to_string(ddbrel._template_holes(pkt), ', ');
      key_condition := format('%s = %s AND begins_with(%s, %s)', pk_name, ddbrel._template_render(pkt),
                              sk_name, ddbrel._template_prefix(skt));
      RETURN NEXT;
      access_pattern := CASE WHEN x->'left'->>'table' = x->'right'->>'table'
                          THEN format('View all %s of %s by %s', x->>'table', ddbrel._a(lower(ddbrel._singular(x->'right'->>'table'))),
                                      array_to_string(ddbrel._template_holes(skt), ', '))
                          ELSE format('View all %s of %s', x->'left'->>'table', ddbrel._a(lower(ddbrel._singular(x->'right'->>'table')))) END;
      index := gsi_name;
      parameters := array_to_string(ddbrel._template_holes(skt), ', ');
      key_condition := format('%s = %s AND begins_with(%s, %s)', sk_name, ddbrel._template_render(skt),
                              pk_name, ddbrel._template_prefix(pkt));
      RETURN NEXT;
    END IF;
    -- references no key serves
    FOR r IN SELECT y FROM jsonb_array_elements(x->'refs') y LOOP
      access_pattern := format('View all %s of %s', x->>'table', ddbrel._a(lower(ddbrel._singular(r->>'table'))));
      index := 'Scan';
      parameters := (SELECT string_agg(c, ', ') FROM jsonb_array_elements_text(r->'cols') c);
      key_condition := NULL;
      RETURN NEXT;
    END LOOP;
  END LOOP;
END $$;

-- ===========================================================================
-- Migration of a normalized schema into one DynamoDB table (issue 6):
-- CALL ddbrel.migrate(), resumable through ddbrel.migrations.
-- ===========================================================================

-- One row per migration run: a source schema loaded into a DynamoDB table,
-- with entity foreign tables in a target schema.
CREATE TABLE migration_runs (
    run serial PRIMARY KEY,
    source_schema name NOT NULL,
    server name NOT NULL,
    target_table text NOT NULL,
    target_schema name NOT NULL,
    design jsonb NOT NULL,
    status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
    pid integer,
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);

-- Progress of one source table in a run.  Rows are loaded in primary key
-- order, a batch per transaction; resume_after is the key of the last row
-- of the last batch committed, where a resumed run goes on.
CREATE TABLE migrations (
    run integer NOT NULL,
    source_table name NOT NULL,
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'loading', 'loaded', 'verified', 'failed')),
    rows_total bigint,
    rows_done bigint NOT NULL DEFAULT 0,
    items bigint,
    resume_after text[],
    load_seconds double precision NOT NULL DEFAULT 0,
    error text,
    started_at timestamptz,
    finished_at timestamptz,
    PRIMARY KEY (run, source_table)
);

CREATE VIEW migration_status AS
  SELECT m.run, r.source_schema, r.target_schema, r.target_table AS dynamodb_table, m.source_table,
         m.status, m.rows_total, m.rows_done, m.items,
         round(m.load_seconds::numeric, 3) AS seconds,
         CASE WHEN m.load_seconds > 0 THEN round((m.rows_done / m.load_seconds)::numeric) END AS rows_per_second,
         m.error
    FROM migrations m JOIN migration_runs r ON r.run = m.run;

-- Creates the DynamoDB table of a design (key partition_key/sort_key, both
-- S, and the inverted index gsi_name), or checks that an existing one has
-- those keys; then waits until it and its indexes are ACTIVE.  Returns
-- 'created' or 'existing'.
CREATE FUNCTION _ensure_table(server name, dtable text, partition_key text, sort_key text,
                              gsi_name text, wait_seconds integer)
RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  d jsonb;
  outcome text;
  t0 timestamptz := clock_timestamp();
  i int := 0;
  key_ok boolean;
  gsi_ok boolean;
BEGIN
  BEGIN
    d := ddbrel.request(server, 'DescribeTable', jsonb_build_object('TableName', dtable))->'Table';
  EXCEPTION WHEN SQLSTATE 'HV00R' THEN
    d := NULL;
  END;
  IF d IS NULL THEN
    PERFORM ddbrel.request(server, 'CreateTable', jsonb_build_object(
      'TableName', dtable,
      'BillingMode', 'PAY_PER_REQUEST',
      'AttributeDefinitions', jsonb_build_array(
          jsonb_build_object('AttributeName', partition_key, 'AttributeType', 'S'),
          jsonb_build_object('AttributeName', sort_key, 'AttributeType', 'S')),
      'KeySchema', jsonb_build_array(
          jsonb_build_object('AttributeName', partition_key, 'KeyType', 'HASH'),
          jsonb_build_object('AttributeName', sort_key, 'KeyType', 'RANGE')),
      'GlobalSecondaryIndexes', jsonb_build_array(jsonb_build_object(
          'IndexName', gsi_name,
          'KeySchema', jsonb_build_array(
              jsonb_build_object('AttributeName', sort_key, 'KeyType', 'HASH'),
              jsonb_build_object('AttributeName', partition_key, 'KeyType', 'RANGE')),
          'Projection', jsonb_build_object('ProjectionType', 'ALL')))));
    outcome := 'created';
  ELSE
    key_ok := d->'KeySchema' @> jsonb_build_array(jsonb_build_object('AttributeName', partition_key, 'KeyType', 'HASH'),
                                                  jsonb_build_object('AttributeName', sort_key, 'KeyType', 'RANGE'))
              AND jsonb_array_length(d->'KeySchema') = 2
              AND d->'AttributeDefinitions' @> jsonb_build_array(jsonb_build_object('AttributeName', partition_key, 'AttributeType', 'S'),
                                                                 jsonb_build_object('AttributeName', sort_key, 'AttributeType', 'S'));
    gsi_ok := EXISTS (SELECT FROM jsonb_array_elements(coalesce(d->'GlobalSecondaryIndexes', '[]')) g
                       WHERE g->>'IndexName' = gsi_name AND jsonb_array_length(g->'KeySchema') = 2
                         AND g->'KeySchema' @> jsonb_build_array(jsonb_build_object('AttributeName', sort_key, 'KeyType', 'HASH'),
                                                                 jsonb_build_object('AttributeName', partition_key, 'KeyType', 'RANGE'))
                         AND g->'Projection'->>'ProjectionType' = 'ALL');
    IF NOT key_ok OR NOT gsi_ok THEN
      RAISE EXCEPTION 'DynamoDB table "%" does not match the design', dtable
        USING ERRCODE = 'object_not_in_prerequisite_state',
              DETAIL = format('Its key is (%s) and its global secondary indexes are %s; the design needs key (%s HASH, %s RANGE) of type S and global secondary index "%s" on (%s HASH, %s RANGE) projecting ALL.',
                              (SELECT string_agg((k->>'AttributeName') || ' ' || (k->>'KeyType'), ', ') FROM jsonb_array_elements(d->'KeySchema') k),
                              coalesce((SELECT string_agg(format('"%s" (%s)', g->>'IndexName',
                                                                 (SELECT string_agg((k->>'AttributeName') || ' ' || (k->>'KeyType'), ', ')
                                                                    FROM jsonb_array_elements(g->'KeySchema') k)), ', ')
                                          FROM jsonb_array_elements(d->'GlobalSecondaryIndexes') g), 'none'),
                              partition_key, sort_key, gsi_name, sort_key, partition_key),
              HINT = 'Migrate into a new table, or pass partition_key, sort_key and gsi_name that match this one.';
    END IF;
    outcome := 'existing';
  END IF;
  LOOP
    d := ddbrel.request(server, 'DescribeTable', jsonb_build_object('TableName', dtable))->'Table';
    EXIT WHEN d->>'TableStatus' = 'ACTIVE'
          AND NOT EXISTS (SELECT FROM jsonb_array_elements(coalesce(d->'GlobalSecondaryIndexes', '[]')) g
                           WHERE g->>'IndexStatus' <> 'ACTIVE');
    IF clock_timestamp() - t0 > make_interval(secs => wait_seconds) THEN
      RAISE EXCEPTION 'DynamoDB table "%" is not active after % seconds', dtable, wait_seconds
        USING ERRCODE = 'object_not_in_prerequisite_state',
              DETAIL = format('Its status is %s.', d->>'TableStatus'),
              HINT = 'Pass a larger wait_seconds, or call ddbrel.migrate() again later.';
    END IF;
    PERFORM pg_sleep(least(0.05 * 2 ^ i, 2));
    i := i + 1;
  END LOOP;
  RETURN outcome;
END $$;

-- Creates the entity foreign table of one design entity in target_schema
-- (same name and columns as the source table, upsert on for loading), or
-- checks that an existing one is exactly that (and turns upsert on again
-- if it is still to be loaded).
CREATE FUNCTION _ensure_foreign_table(server name, dtable text, target_schema name, e jsonb,
                                      type_attribute text, loading boolean)
RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  rel regclass := to_regclass(format('%I.%I', target_schema, e->>'table'));
  cols text := (SELECT string_agg(format('%I %s', x->>'name', x->>'type'), ', ' ORDER BY o)
                  FROM jsonb_array_elements(e->'columns') WITH ORDINALITY a(x, o));
  opts text := format('table %L, pk_template %L, sk_template %L', dtable, e->>'pk_template', e->>'sk_template')
               || CASE WHEN type_attribute IS NOT NULL
                       THEN format(', type_attribute %L, type_value %L', type_attribute, e->>'type_value') ELSE '' END;
  have_cols text;
  ok boolean;
BEGIN
  IF rel IS NULL THEN
    EXECUTE format('CREATE FOREIGN TABLE %I.%I (%s) SERVER %I OPTIONS (%s, upsert %L)',
                   target_schema, e->>'table', cols, server, opts, 'true');
    RETURN 'created';
  END IF;
  SELECT string_agg(format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY a.attnum)
    INTO have_cols FROM pg_catalog.pg_attribute a WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped;
  ok := EXISTS (SELECT FROM pg_catalog.pg_foreign_table ft
                  JOIN pg_catalog.pg_foreign_server s ON s.oid = ft.ftserver
                 WHERE ft.ftrelid = rel AND s.srvname = server)
        AND ddbrel._ft_option(rel, 'table') IS NOT DISTINCT FROM dtable
        AND ddbrel._ft_option(rel, 'pk_template') IS NOT DISTINCT FROM e->>'pk_template'
        AND ddbrel._ft_option(rel, 'sk_template') IS NOT DISTINCT FROM e->>'sk_template'
        AND ddbrel._ft_option(rel, 'type_attribute') IS NOT DISTINCT FROM type_attribute
        AND ddbrel._ft_option(rel, 'type_value') IS NOT DISTINCT FROM (CASE WHEN type_attribute IS NOT NULL THEN e->>'type_value' END)
        AND have_cols = cols;
  IF NOT ok THEN
    RAISE EXCEPTION 'relation "%.%" already exists', target_schema, e->>'table'
      USING ERRCODE = 'duplicate_table',
            DETAIL = format('It is not the entity foreign table this migration creates: SERVER %s OPTIONS (%s) with columns (%s).',
                            quote_ident(server), opts, cols),
            HINT = 'Drop it, or migrate into another target schema.';
  END IF;
  IF NOT loading THEN
    RETURN 'existing';
  ELSIF ddbrel._ft_option(rel, 'upsert') IS NULL THEN
    EXECUTE format('ALTER FOREIGN TABLE %s OPTIONS (ADD upsert %L)', rel, 'true');
  ELSIF ddbrel._ft_option(rel, 'upsert') <> 'true' THEN
    EXECUTE format('ALTER FOREIGN TABLE %s OPTIONS (SET upsert %L)', rel, 'true');
  END IF;
  RETURN 'existing';
END $$;

-- Declares the relationships of one design entity between the entity
-- foreign tables in target_schema (those already declared are kept):
-- has_many/has_one for a child in its owner's partition, belongs_to_many
-- for an edge, belongs_to for every other foreign key.  Names are those
-- of the foreign key constraints, and of the join table for an edge.
CREATE FUNCTION _declare_design_relationships(target_schema name, e jsonb)
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  me regclass := format('%I.%I', target_schema, e->>'table')::regclass;
  r jsonb;
  other regclass;
BEGIN
  IF e->>'role' = 'child' THEN
    other := format('%I.%I', target_schema, e->'owner'->>'table')::regclass;
    IF NOT EXISTS (SELECT FROM ddbrel.relationships x WHERE x.declared_on = other AND x.name = e->'owner'->>'constraint') THEN
      IF (e->'owner'->>'has_one')::boolean THEN
        PERFORM ddbrel.has_one(other, me, ddbrel._names(e->'owner'->'refcols')::text[],
                               ddbrel._names(e->'owner'->'cols')::text[], name => e->'owner'->>'constraint');
      ELSE
        PERFORM ddbrel.has_many(other, me, ddbrel._names(e->'owner'->'refcols')::text[],
                                ddbrel._names(e->'owner'->'cols')::text[], name => e->'owner'->>'constraint');
      END IF;
    END IF;
  ELSIF e->>'role' = 'edge' THEN
    other := format('%I.%I', target_schema, e->'left'->>'table')::regclass;
    IF NOT EXISTS (SELECT FROM ddbrel.relationships x WHERE x.declared_on = other AND x.name = e->>'table') THEN
      PERFORM ddbrel.belongs_to_many(other, format('%I.%I', target_schema, e->'right'->>'table')::regclass, me,
                                     ddbrel._names(e->'left'->'refcols')::text[], ddbrel._names(e->'right'->'refcols')::text[],
                                     ddbrel._names(e->'left'->'cols')::text[], ddbrel._names(e->'right'->'cols')::text[],
                                     name => e->>'table');
    END IF;
  END IF;
  FOR r IN SELECT y FROM jsonb_array_elements(e->'refs') y LOOP
    CONTINUE WHEN EXISTS (SELECT FROM ddbrel.relationships x WHERE x.declared_on = me AND x.name = r->>'constraint');
    PERFORM ddbrel.belongs_to(me, format('%I.%I', target_schema, r->>'table')::regclass,
                              ddbrel._names(r->'cols')::text[], ddbrel._names(r->'refcols')::text[],
                              name => r->>'constraint');
  END LOOP;
END $$;

-- Migrates the tables of source_schema into the DynamoDB table
-- target_table with the single-table design of ddbrel.design() (the
-- design options are the same), through entity foreign tables of the same
-- names and columns created in target_schema, and declares their
-- relationships.  Rows go in primary key order, batch_rows per transaction,
-- through BatchWriteItem (upsert 'true' while loading, removed after);
-- progress is committed in ddbrel.migrations, so after an error or a
-- cancel the same CALL goes on where it stopped, overwriting the items of
-- the batch it was in (same keys: nothing is duplicated or lost).  Then
-- verify: 'count' compares item counts with row counts, 'full' also
-- compares every row both ways (EXCEPT ALL), 'none' skips it.
-- restart starts a new run that loads every table again.
CREATE PROCEDURE migrate(source_schema name, server name, target_table text, target_schema name,
                         owners jsonb DEFAULT '{}', prefixes jsonb DEFAULT '{}',
                         exclude name[] DEFAULT '{}', partition_key text DEFAULT 'PK',
                         sort_key text DEFAULT 'SK', gsi_name text DEFAULT 'GSI1',
                         type_attribute text DEFAULT NULL, verify text DEFAULT 'count',
                         batch_rows integer DEFAULT 10000, restart boolean DEFAULT false,
                         wait_seconds integer DEFAULT 300,
                         INOUT run integer DEFAULT NULL, INOUT tables integer DEFAULT NULL,
                         INOUT rows_loaded bigint DEFAULT NULL, INOUT items bigint DEFAULT NULL,
                         INOUT seconds numeric DEFAULT NULL, INOUT rows_per_second numeric DEFAULT NULL,
                         INOUT status text DEFAULT NULL)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_src name := source_schema;
  v_server name := server;
  v_dtable text := target_table;
  v_tschema name := target_schema;
  v_type_attr text := type_attribute;
  v_verify text := verify;
  v_batch integer := batch_rows;
  v_restart boolean := restart;
  d jsonb;
  x jsonb;
  r record;
  m record;
  v_run integer;
  v_handler regproc;
  t_start timestamptz := clock_timestamp();
  t0 timestamptz;
  v_tab name;
  v_cols text;
  v_keylist text;
  v_keytext text;
  v_after text;
  v_upto_cond text;
  v_total bigint;
  v_done bigint;
  v_resume text[];
  v_upto text[];
  v_n bigint;
  v_rows bigint;
  v_missing bigint;
  v_extra bigint;
  v_loaded bigint := 0;
  v_load_secs double precision := 0;
  v_secs double precision;
  v_items bigint := 0;
  v_first boolean;
  v_err boolean;
  v_state text;
  v_msg text;
  v_detail text;
  v_hint text;
  v_rel regclass;
BEGIN
  IF transaction_timestamp() <> statement_timestamp() THEN
    RAISE EXCEPTION 'ddbrel.migrate() cannot run inside a transaction block'
      USING ERRCODE = 'active_sql_transaction',
            HINT = 'It commits after every batch of rows so that an interrupted migration can resume: run CALL ddbrel.migrate(...) on its own.';
  END IF;
  IF v_verify IS NULL OR v_verify NOT IN ('count', 'full', 'none') THEN
    RAISE EXCEPTION 'invalid value for verify: "%"', v_verify
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Valid values are "count", "full" and "none".';
  END IF;
  IF v_batch IS NULL OR v_batch < 1 THEN
    RAISE EXCEPTION 'batch_rows must be at least 1' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF coalesce(v_dtable, '') = '' THEN
    RAISE EXCEPTION 'target_table must name a DynamoDB table' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF v_tschema IS NULL OR v_tschema = v_src THEN
    RAISE EXCEPTION 'target schema must differ from the source schema'
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'The entity foreign tables have the names of the source tables.';
  END IF;
  SELECT w.fdwhandler INTO v_handler
    FROM pg_catalog.pg_foreign_server s JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = s.srvfdw
   WHERE s.srvname = v_server;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'server "%" does not exist', v_server USING ERRCODE = 'undefined_object';
  ELSIF v_handler IS DISTINCT FROM 'ddbrel.ddbrel_handler'::regproc THEN
    RAISE EXCEPTION 'server "%" is not a ddbrel server', v_server USING ERRCODE = 'wrong_object_type';
  END IF;

  d := ddbrel._design(v_src, owners, prefixes, exclude, partition_key, sort_key, gsi_name, v_type_attr);
  IF jsonb_array_length(d) = 0 THEN
    RAISE EXCEPTION 'schema "%" has no tables to migrate', v_src USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;

  -- the run to resume: the last one of these arguments, unless restart
  IF NOT v_restart THEN
    SELECT mr.run, mr.design, mr.status, mr.pid INTO r
      FROM ddbrel.migration_runs mr
     WHERE mr.source_schema = v_src AND mr.server = v_server AND mr.target_table = v_dtable
       AND mr.target_schema = v_tschema
     ORDER BY mr.run DESC LIMIT 1;
    IF FOUND THEN
      IF r.design <> d THEN
        RAISE EXCEPTION 'the design of schema "%" changed since migration run %', v_src, r.run
          USING ERRCODE = 'object_not_in_prerequisite_state',
                DETAIL = format('Run %s loaded items with the keys of its own design into table "%s".', r.run, v_dtable),
                HINT = format('Pass the same options as that run to resume it, or restart => true to start a new run (drop the foreign tables of schema "%s" first if their templates change).', v_tschema);
      END IF;
      IF r.status = 'running' AND r.pid <> pg_backend_pid()
         AND EXISTS (SELECT FROM pg_catalog.pg_stat_activity a WHERE a.pid = r.pid AND a.state = 'active') THEN
        RAISE EXCEPTION 'migration run % is running in process %', r.run, r.pid USING ERRCODE = 'object_in_use';
      END IF;
      v_run := r.run;
    END IF;
  END IF;

  -- the DynamoDB table, the entity foreign tables and their relationships
  IF ddbrel._ensure_table(v_server, v_dtable, partition_key, sort_key, gsi_name, wait_seconds) = 'created' THEN
    RAISE NOTICE 'created DynamoDB table "%"', v_dtable;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = v_tschema) THEN
    EXECUTE format('CREATE SCHEMA %I', v_tschema);
  END IF;
  FOR x IN SELECT y FROM jsonb_array_elements(d) y LOOP
    PERFORM ddbrel._ensure_foreign_table(v_server, v_dtable, v_tschema, x, v_type_attr,
                                         NOT EXISTS (SELECT FROM ddbrel.migrations mg
                                                      WHERE mg.run = v_run AND mg.source_table = x->>'table'
                                                        AND mg.status IN ('loaded', 'verified')));
  END LOOP;
  FOR x IN SELECT y FROM jsonb_array_elements(d) y LOOP
    PERFORM ddbrel._declare_design_relationships(v_tschema, x);
  END LOOP;

  -- record the run: from here on, progress survives errors and cancels
  IF v_run IS NULL THEN
    INSERT INTO ddbrel.migration_runs (source_schema, server, target_table, target_schema, design, pid)
    VALUES (v_src, v_server, v_dtable, v_tschema, d, pg_backend_pid())
    RETURNING run INTO v_run;
    INSERT INTO ddbrel.migrations (run, source_table)
      SELECT v_run, (y->>'table')::name FROM jsonb_array_elements(d) y;
  ELSE
    IF r.status = 'done' THEN
      RAISE NOTICE 'migration run % is complete', v_run;
    ELSE
      RAISE NOTICE 'resuming migration run %', v_run;
    END IF;
    UPDATE ddbrel.migration_runs SET status = 'running', pid = pg_backend_pid(), finished_at = NULL WHERE run = v_run;
  END IF;
  COMMIT;

  -- load, a batch of rows per transaction
  FOR x IN SELECT y FROM jsonb_array_elements(d) y LOOP
    v_tab := x->>'table';
    SELECT mg.status, mg.rows_done, mg.resume_after INTO m
      FROM ddbrel.migrations mg WHERE mg.run = v_run AND mg.source_table = v_tab;
    IF m.status IN ('loaded', 'verified') THEN
      CONTINUE;
    END IF;
    SELECT string_agg(format('%I', j->>'name'), ', ' ORDER BY o) INTO v_cols
      FROM jsonb_array_elements(x->'columns') WITH ORDINALITY a(j, o);
    SELECT string_agg(format('%I', c), ', ' ORDER BY o),
           'ARRAY[' || string_agg(format('%I::text', c), ', ' ORDER BY o) || ']',
           '(' || string_agg(format('%I', c), ', ' ORDER BY o) || ') > ('
               || string_agg(format('($1[%s])::%s', o, ty), ', ' ORDER BY o) || ')',
           '(' || string_agg(format('%I', c), ', ' ORDER BY o) || ') <= ('
               || string_agg(format('($2[%s])::%s', o, ty), ', ' ORDER BY o) || ')'
      INTO v_keylist, v_keytext, v_after, v_upto_cond
      FROM jsonb_array_elements_text(x->'pk') WITH ORDINALITY a(c, o),
           LATERAL (SELECT y->>'type' AS ty FROM jsonb_array_elements(x->'columns') y WHERE y->>'name' = c) t;
    EXECUTE format('SELECT count(*) FROM %I.%I', v_src, v_tab) INTO v_total;
    UPDATE ddbrel.migrations mg SET status = 'loading', rows_total = v_total,
           started_at = coalesce(mg.started_at, now()), error = NULL
     WHERE mg.run = v_run AND mg.source_table = v_tab;
    v_resume := m.resume_after;
    v_done := m.rows_done;
    v_first := true;
    COMMIT;
    LOOP
      EXECUTE format('SELECT %s FROM %I.%I WHERE %s ORDER BY %s OFFSET %s LIMIT 1',
                     v_keytext, v_src, v_tab, CASE WHEN v_resume IS NULL THEN 'true' ELSE v_after END,
                     v_keylist, v_batch - 1)
        INTO v_upto USING v_resume;
      t0 := clock_timestamp();
      v_err := false;
      BEGIN
        EXECUTE format('INSERT INTO %I.%I (%s) SELECT %s FROM %I.%I WHERE %s AND %s',
                       v_tschema, v_tab, v_cols, v_cols, v_src, v_tab,
                       CASE WHEN v_resume IS NULL THEN 'true' ELSE v_after END,
                       CASE WHEN v_upto IS NULL THEN 'true' ELSE v_upto_cond END)
          USING v_resume, v_upto;
        GET DIAGNOSTICS v_n = ROW_COUNT;
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT,
                                v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
        v_err := true;
      END;
      v_secs := extract(epoch FROM clock_timestamp() - t0);
      IF v_err THEN
        UPDATE ddbrel.migrations mg SET status = 'failed', error = v_msg, load_seconds = mg.load_seconds + v_secs
         WHERE mg.run = v_run AND mg.source_table = v_tab;
        UPDATE ddbrel.migration_runs mr SET status = 'failed', finished_at = now() WHERE mr.run = v_run;
        COMMIT;
        RAISE EXCEPTION USING ERRCODE = v_state, MESSAGE = v_msg,
          DETAIL = concat_ws(' ', nullif(v_detail, ''),
                             format('Migration run %s stopped in table "%s" after %s of %s rows.', v_run, v_tab, v_done, v_total)),
          HINT = concat_ws(' ', nullif(v_hint, ''),
                           'Fix the cause and CALL ddbrel.migrate() again with the same arguments: it resumes where it stopped.');
      END IF;
      v_done := v_done + v_n;
      v_loaded := v_loaded + v_n;
      v_load_secs := v_load_secs + v_secs;
      UPDATE ddbrel.migrations mg SET rows_done = v_done, resume_after = v_upto, load_seconds = mg.load_seconds + v_secs
       WHERE mg.run = v_run AND mg.source_table = v_tab
       RETURNING mg.load_seconds INTO v_secs;
      COMMIT;
      IF v_n > 0 OR v_first THEN
        RAISE NOTICE 'table "%": % of % rows loaded', v_tab, v_done, v_total
          USING DETAIL = format('%s rows/s.', CASE WHEN v_secs > 0 THEN round((v_done / v_secs)::numeric) ELSE 0 END);
      END IF;
      v_first := false;
      EXIT WHEN v_upto IS NULL;
      v_resume := v_upto;
    END LOOP;
    UPDATE ddbrel.migrations mg SET status = 'loaded', finished_at = now()
     WHERE mg.run = v_run AND mg.source_table = v_tab;
    COMMIT;
  END LOOP;

  -- loading is over: INSERT refuses existing keys again
  FOR x IN SELECT y FROM jsonb_array_elements(d) y LOOP
    v_rel := format('%I.%I', v_tschema, x->>'table')::regclass;
    IF ddbrel._ft_option(v_rel, 'upsert') IS NOT NULL THEN
      EXECUTE format('ALTER FOREIGN TABLE %s OPTIONS (DROP upsert)', v_rel);
    END IF;
  END LOOP;
  COMMIT;

  -- verify
  FOR x IN SELECT y FROM jsonb_array_elements(d) y LOOP
    EXIT WHEN v_verify = 'none';
    v_tab := x->>'table';
    EXECUTE format('SELECT count(*) FROM %I.%I', v_src, v_tab) INTO v_rows;
    EXECUTE format('SELECT count(*) FROM %I.%I', v_tschema, v_tab) INTO v_n;
    v_missing := 0;
    v_extra := 0;
    IF v_verify = 'full' THEN
      SELECT string_agg(format('%I', y->>'name'), ', ') INTO v_cols FROM jsonb_array_elements(x->'columns') y;
      BEGIN
        EXECUTE format('SELECT count(*) FROM (SELECT %s FROM %I.%I EXCEPT ALL SELECT %s FROM %I.%I) d',
                       v_cols, v_src, v_tab, v_cols, v_tschema, v_tab) INTO v_missing;
        EXECUTE format('SELECT count(*) FROM (SELECT %s FROM %I.%I EXCEPT ALL SELECT %s FROM %I.%I) d',
                       v_cols, v_tschema, v_tab, v_cols, v_src, v_tab) INTO v_extra;
      EXCEPTION WHEN undefined_function THEN
        RAISE NOTICE 'table "%" has columns that cannot be compared; only counts are verified', v_tab;
      END;
    END IF;
    IF v_n <> v_rows OR v_missing > 0 OR v_extra > 0 THEN
      v_msg := CASE WHEN v_n <> v_rows
                    THEN format('table "%s" has %s items in DynamoDB and %s rows in schema "%s"', v_tab, v_n, v_rows, v_src)
                    ELSE format('table "%s" differs between schemas "%s" and "%s"', v_tab, v_src, v_tschema) END;
      UPDATE ddbrel.migrations mg SET status = 'failed', items = v_n, error = v_msg
       WHERE mg.run = v_run AND mg.source_table = v_tab;
      UPDATE ddbrel.migration_runs mr SET status = 'failed', finished_at = now() WHERE mr.run = v_run;
      COMMIT;
      RAISE EXCEPTION '%', v_msg
        USING ERRCODE = 'data_exception',
              DETAIL = CASE WHEN v_verify = 'full'
                            THEN format('%s rows of "%s.%s" are not in "%s.%s", and %s rows of "%s.%s" are not in "%s.%s".',
                                        v_missing, v_src, v_tab, v_tschema, v_tab, v_extra, v_tschema, v_tab, v_src, v_tab)
                            ELSE 'Rows were added or removed during the migration, or another writer uses the DynamoDB table.' END,
              HINT = 'CALL ddbrel.migrate() with restart => true loads every table again.';
    END IF;
    UPDATE ddbrel.migrations mg SET status = 'verified', items = v_n WHERE mg.run = v_run AND mg.source_table = v_tab;
    COMMIT;
    v_items := v_items + v_n;
    RAISE NOTICE 'table "%": % items for % rows%', v_tab, v_n, v_rows,
                 CASE WHEN v_verify = 'full' THEN ', every row read back equal' ELSE '' END;
  END LOOP;

  UPDATE ddbrel.migration_runs mr SET status = 'done', finished_at = now() WHERE mr.run = v_run;
  COMMIT;
  run := v_run;
  tables := jsonb_array_length(d);
  rows_loaded := v_loaded;
  items := CASE WHEN v_verify <> 'none' THEN v_items END;
  seconds := round(extract(epoch FROM clock_timestamp() - t_start)::numeric, 3);
  rows_per_second := CASE WHEN v_load_secs > 0 THEN round((v_loaded / v_load_secs)::numeric) END;
  status := 'done';
END $$;
-- <<< relationships, design and migration (issues 5 and 6) <<<
