-- ===========================================================================
-- sql/src/relationships.sql: the relationship catalog
-- has_one, has_many, belongs_to, belongs_to_many and has_many_through
-- between entity foreign tables, in the vocabulary of ORMs;
-- propose_relationships() infers them from key templates without declaring
-- anything.
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
-- key (an inverted GSI1), which reads the relationship from the other side.
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

-- What relationships need to know about a foreign table, as the scans
-- resolve it; an error unless it is a ddbrel foreign table.
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
  SELECT w2.fdwname, w2.fdwhandler INTO w, h
    FROM pg_catalog.pg_foreign_table ft
    JOIN pg_catalog.pg_foreign_server s ON s.oid = ft.ftserver
    JOIN pg_catalog.pg_foreign_data_wrapper w2 ON w2.oid = s.srvfdw
   WHERE ft.ftrelid = rel;
  IF h IS DISTINCT FROM 'ddbrel.ddbrel_handler'::regproc THEN
    RAISE EXCEPTION '"%" is not a ddbrel foreign table', relname
      USING ERRCODE = 'wrong_object_type',
            DETAIL = format('It belongs to foreign data wrapper "%s".', w);
  END IF;
  SELECT o.server, o.dynamodb_table, o.pk_template, o.sk_template
    INTO server, dtable, pk_template, sk_template
    FROM ddbrel._entity_options(rel) o;
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
LANGUAGE sql VOLATILE STRICT AS $$
  WITH d AS (SELECT * FROM ddbrel.describe_table(server, dtable))
  SELECT ix.index_name, t.partition_key, t.sort_key, ix.projection,
         CASE WHEN ix.index_name IS NOT NULL THEN coalesce(ix.non_key_attributes, '{}') END
    FROM d t
    LEFT JOIN d ix
      ON ix.index_kind = 'global' AND ix.partition_key = t.sort_key AND ix.sort_key = t.partition_key
   WHERE t.index_kind = 'table'
   ORDER BY ix.index_name LIMIT 1
$$;

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

-- The pivot columns of an edge entity: pivot_columns, or by default every
-- column that joins it to neither side.
CREATE FUNCTION _edge_pivot_columns(through regclass, tl name[], tr name[], pivot_columns text[])
RETURNS name[]
LANGUAGE sql STABLE AS $$
  SELECT CASE
           WHEN pivot_columns IS NULL THEN
             ARRAY(SELECT a.attname FROM pg_catalog.pg_attribute a
                    WHERE a.attrelid = through AND a.attnum > 0 AND NOT a.attisdropped
                      AND NOT a.attname = ANY (tl || tr) ORDER BY a.attnum)
           WHEN cardinality(pivot_columns) = 0 THEN '{}'::name[]
           ELSE ddbrel._columns(through, pivot_columns, 'pivot_columns')
         END
$$;

-- Checks that the edge entity e can join l and r: the three on one DynamoDB
-- table, the edges of one left item in one partition (e's pk_template made
-- of tl) and the key of the right item in their sort key (sk_template made
-- of tr).
CREATE FUNCTION _check_edge_keys(l record, r record, e record, l_rel regclass, r_rel regclass,
                                 tl name[], tr name[])
RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
  h name;
  swap_ok boolean;
BEGIN
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
  FOREACH h IN ARRAY ddbrel._template_holes(e.sk_template) LOOP
    IF NOT h = ANY (tr) THEN
      RAISE EXCEPTION 'edge entity "%" does not hold the key of "%" in its sort key', e.relname, r.relname
        USING ERRCODE = 'invalid_foreign_key',
              DETAIL = format('Its sort key template "%s" uses column "%s", which is not among through_right_columns (%s).',
                              e.sk_template, h, array_to_string(tr, ', ')),
              HINT = 'The sk_template of an edge entity must be made of the columns that join it to the right side.';
    END IF;
  END LOOP;
END $$;

-- The inverted index that reads the edges of e from the right side, with
-- the pivot columns pv: an error unless the DynamoDB table has one that
-- projects them.  Key attributes are in every index; a column reads the
-- attribute ddbrel.entity_columns() says (a key attribute for "pk").
CREATE FUNCTION _edge_inverted_index(l record, r record, e record, through regclass, pv name[])
RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  inv record;
  col record;
BEGIN
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
  IF inv.projection = 'ALL' THEN
    RETURN inv.index_name;
  END IF;
  FOR col IN SELECT ec.column_name, coalesce(ec.attribute, ec.column_name) AS attr,
                    ec.attribute = ANY (inv.non_key_attributes || ARRAY[inv.partition_key, inv.sort_key]) AS projected
               FROM unnest(pv) WITH ORDINALITY u(c, o)
               JOIN ddbrel.entity_columns(through) ec ON ec.column_name = u.c
              ORDER BY u.o LOOP
    IF NOT coalesce(col.projected, false) THEN
      RAISE EXCEPTION 'inverted index "%" of DynamoDB table "%" does not project pivot attribute "%"',
                      inv.index_name, e.dtable, col.attr
        USING ERRCODE = 'undefined_object',
              DETAIL = format('Reading "%s" from "%s" reads the edge items of "%s" from the index, with their pivot columns.',
                              l.relname, r.relname, e.relname),
              HINT = 'Project ALL attributes into the index, or name the pivot attributes in its INCLUDE projection, or pass fewer pivot_columns.';
    END IF;
  END LOOP;
  RETURN inv.index_name;
END $$;

-- left and right are many-to-many through the edge entity "through", whose
-- items live in left's partition and hold right's key in their sort key
-- (students and lectures through attendance).  through_left_columns/through_right_columns
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
  inv_name text;
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
  pv := ddbrel._edge_pivot_columns(through, tl, tr, pivot_columns);
  PERFORM ddbrel._check_edge_keys(l, r, e, l_rel, r_rel, tl, tr);
  inv_name := ddbrel._edge_inverted_index(l, r, e, through, pv);
  RETURN ddbrel._declare('belongs_to_many', 'belongs_to_many', l_rel, coalesce(name, r.relname),
                         l_rel, r_rel, lc, rc, through, tl, tr, pv,
                         (ddbrel._same_partition(through, tl, l_rel, lc)).ok, inv_name);
END $$;

-- parent has many children through an intermediate entity (for example
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
  WITH rels AS MATERIALIZED (   -- the ddbrel foreign tables of the schema
    SELECT c.oid, c.relname
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_catalog.pg_foreign_table ft ON ft.ftrelid = c.oid
      JOIN pg_catalog.pg_foreign_server s ON s.oid = ft.ftserver
      JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = s.srvfdw
     WHERE n.nspname = schema_name AND w.fdwhandler = 'ddbrel.ddbrel_handler'::regproc
  ),
  ents AS (    -- their options, as the scans resolve them
    SELECT r.oid::regclass AS rel, r.relname, o.server, o.dynamodb_table AS dtable,
           o.pk_template AS pkt, o.sk_template AS skt
      FROM rels r, LATERAL ddbrel._entity_options(r.oid) o
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

