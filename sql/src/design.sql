-- ===========================================================================
-- sql/src/design.sql: the single-table design of a normalized schema
-- ddbrel.design() and ddbrel.design_access_patterns(), from primary and
-- foreign keys.
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
  IF cardinality(cols) > ddbrel._template_max_holes() THEN
    RAISE EXCEPTION '% of table "%" has more than % columns', what, e->>'table', ddbrel._template_max_holes()
      USING ERRCODE = 'feature_not_supported',
            DETAIL = format('A key template has at most %s holes.', ddbrel._template_max_holes());
  END IF;
  FOREACH c IN ARRAY cols LOOP
    IF NOT ddbrel._template_hole_name_ok(c) THEN
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

-- ---------------------------------------------------------------------------
-- _design() and its steps.  A design is built as a jsonb object keyed by
-- table name; each step reads it and returns it with one more thing decided.
-- Steps visit the tables in jsonb key order, so the first table an error
-- names is always the same one.
-- ---------------------------------------------------------------------------

-- Checks the arguments of ddbrel.design() and friends; returns the OID of
-- the source schema.
CREATE FUNCTION _design_check_args(source_schema name, owners jsonb, prefixes jsonb,
                                   partition_key text, sort_key text, gsi_name text,
                                   type_attribute text)
RETURNS oid
LANGUAGE plpgsql STABLE AS $$
DECLARE
  nsp oid;
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
  RETURN nsp;
END $$;

-- Step 1: the tables of the schema (but exclude), keyed by name, with their
-- columns, primary key and unique column sets.  An error for a table
-- without primary key, or with a column that would read a key attribute or
-- the entity-type attribute instead of its own.
CREATE FUNCTION _design_tables(nsp oid, exclude name[], partition_key text, sort_key text,
                               type_attribute text)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  ents jsonb := '{}';
  t record;
  c jsonb;
BEGIN
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
                 AND ix.indexprs IS NULL  -- an index on expressions constrains no column as such
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
  RETURN ents;
END $$;

-- Checks that owners and prefixes name tables being designed, and that
-- every prefix can start a key.
CREATE FUNCTION _design_check_options(ents jsonb, owners jsonb, prefixes jsonb, source_schema name)
RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
  k text;
BEGIN
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
END $$;

-- Step 2: the foreign keys between the tables being designed ("fks" of
-- each), with what decides whether one can place the child in the parent's
-- partition: it references the parent's primary key and is never NULL.
CREATE FUNCTION _design_foreign_keys(ents jsonb, nsp oid)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  k text;
  e jsonb;
  f record;
  fk jsonb;
  fks jsonb;
BEGIN
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
  RETURN ents;
END $$;

-- The two sides of a pure join table e: its primary key is exactly two
-- foreign keys to primary keys; the one whose columns come first is the
-- left side.  NULL for any other table.
CREATE FUNCTION _design_join_sides(e jsonb)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  p jsonb;
  n int;
BEGIN
  SELECT jsonb_build_object('left', CASE WHEN pa.lpos < pb.lpos THEN a ELSE b END,
                            'right', CASE WHEN pa.lpos < pb.lpos THEN b ELSE a END)
    INTO p
    FROM jsonb_array_elements(e->'fks') WITH ORDINALITY x(a, ia)
    JOIN jsonb_array_elements(e->'fks') WITH ORDINALITY y(b, ib) ON ib > ia
    CROSS JOIN LATERAL (SELECT min(o) AS lpos FROM jsonb_array_elements_text(e->'pk') WITH ORDINALITY z(c2, o)
                         WHERE a->'cols' ? c2) pa
    CROSS JOIN LATERAL (SELECT min(o) AS lpos FROM jsonb_array_elements_text(e->'pk') WITH ORDINALITY z(c2, o)
                         WHERE b->'cols' ? c2) pb
   WHERE (a->>'refs_pk')::boolean AND (b->>'refs_pk')::boolean
     AND jsonb_array_length(a->'cols') + jsonb_array_length(b->'cols') = jsonb_array_length(e->'pk')
     AND ((a->'cols') || (b->'cols')) @> (e->'pk') AND (e->'pk') @> ((a->'cols') || (b->'cols'));
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN CASE WHEN n = 1 THEN p END;
END $$;

-- The foreign key of table k that owners names as its owner ("posts" or
-- "posts(post_id)"); an error unless exactly one matches.
CREATE FUNCTION _design_named_owner(k text, fks jsonb, owner jsonb)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  m text[];
  pname text;
  pcols name[];
  cands jsonb;
BEGIN
  IF jsonb_typeof(owner) <> 'string' THEN
    RAISE EXCEPTION 'invalid owner % for table "%"', owner, k
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'An owner is a table name, optionally with the foreign key columns: "posts" or "posts(post_id)"; null makes the table a root.';
  END IF;
  m := regexp_match(owner #>> '{}', '^\s*([^()]+?)\s*(?:\(([^()]*)\))?\s*$');
  IF m IS NULL THEN
    RAISE EXCEPTION 'invalid owner "%" for table "%"', owner #>> '{}', k
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
            DETAIL = format('owners names "%s" as the owner of "%s".', owner #>> '{}', k);
  ELSIF jsonb_array_length(cands) > 1 THEN
    RAISE EXCEPTION 'table "%" has more than one foreign key to "%"', k, pname
      USING ERRCODE = 'invalid_parameter_value',
            HINT = format('Name its columns: %s.',
                          (SELECT string_agg(format('"%s(%s)"', pname, (SELECT string_agg(y, ', ') FROM jsonb_array_elements_text(x->'cols') y)), ' or ')
                             FROM jsonb_array_elements(cands) x));
  END IF;
  RETURN cands->0;
END $$;

-- The foreign key of table k that places it in its parent's partition when
-- owners says nothing: the one owning foreign key, or among several the
-- one inside the primary key (order_items (order_id, line) over
-- product_id); NULL if none, an error if that does not decide.
CREATE FUNCTION _design_inferred_owner(k text, fks jsonb)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  cands jsonb;
  in_pk jsonb;
BEGIN
  SELECT jsonb_agg(x) INTO cands FROM jsonb_array_elements(fks) x WHERE (x->>'owning')::boolean;
  IF jsonb_array_length(cands) > 1 THEN
    SELECT jsonb_agg(x) INTO in_pk FROM jsonb_array_elements(cands) x WHERE (x->>'in_pk')::boolean;
    IF jsonb_array_length(in_pk) = 1 THEN
      cands := in_pk;
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
  RETURN CASE WHEN jsonb_array_length(cands) = 1 THEN cands->0 END;
END $$;

-- The role of table k: an edge (a pure join table, between its left and
-- right side), a child in its owner's partition, or a root; owners (its
-- entry for k, if any) overrides what the foreign keys suggest.  The other
-- foreign keys become references ("refs").
CREATE FUNCTION _design_role(k text, e jsonb, owners jsonb)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  fks jsonb := e->'fks';
  p jsonb := ddbrel._design_join_sides(e);
  fk jsonb;
BEGIN
  e := e || jsonb_build_object('role', 'root');
  IF owners ? k THEN
    IF jsonb_typeof(owners->k) = 'null' THEN
      p := NULL;            -- a root, even if it is a join table
    ELSE
      fk := ddbrel._design_named_owner(k, fks, owners->k);
      IF p IS NOT NULL AND fk IN (p->'left', p->'right') THEN
        -- a join table: the owner is its left side
        IF fk = p->'right' THEN
          p := jsonb_build_object('left', p->'right', 'right', p->'left');
        END IF;
      ELSE
        p := NULL;
        IF NOT (fk->>'owning')::boolean THEN
          RAISE EXCEPTION 'foreign key "%" of table "%" cannot place it in the partition of "%"',
                          fk->>'constraint', k, fk->>'table'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = CASE WHEN NOT (fk->>'refs_pk')::boolean
                                  THEN format('It references columns of "%s" other than its primary key.', fk->>'table')
                                WHEN (fk->>'self')::boolean
                                  THEN 'It references the table itself.'
                                ELSE 'Its columns can be null, and a key column cannot.' END;
        END IF;
        e := e || jsonb_build_object('role', 'child', 'owner', fk);
      END IF;
    END IF;
  ELSIF p IS NULL THEN
    fk := ddbrel._design_inferred_owner(k, fks);
    IF fk IS NOT NULL THEN
      e := e || jsonb_build_object('role', 'child', 'owner', fk);
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
  RETURN jsonb_set(e, '{refs}', (SELECT coalesce(jsonb_agg(x), '[]') FROM jsonb_array_elements(fks) x
                                  WHERE (x->>'constraint') IS DISTINCT FROM (e->'owner'->>'constraint')
                                    AND (x->>'constraint') IS DISTINCT FROM (e->'left'->>'constraint')
                                    AND (x->>'constraint') IS DISTINCT FROM (e->'right'->>'constraint')));
END $$;

-- Step 3: the role of every table.
CREATE FUNCTION _design_roles(ents jsonb, owners jsonb)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  k text;
BEGIN
  FOR k IN SELECT jsonb_object_keys(ents) LOOP
    ents := jsonb_set(ents, ARRAY[k], ddbrel._design_role(k, ents->k, owners));
  END LOOP;
  RETURN ents;
END $$;

-- Checks that following owners from any table ends at a root: in a cycle
-- of children none would have a partition of its own.
CREATE FUNCTION _design_check_cycles(ents jsonb)
RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
  k text;
  path text[];
  cur text;
BEGIN
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
END $$;

-- Step 4: the key prefix of every table (prefixes, or the upper-case
-- singular of its name: users → USER), distinct; it is also the entity
-- type value when there is a type_attribute.
CREATE FUNCTION _design_prefixes(ents jsonb, prefixes jsonb, type_attribute text)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  k text;
  v text;
  other text;
BEGIN
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
  RETURN ents;
END $$;

-- The keys of child e once its owner p is placed: the owner's partition,
-- named by e's own columns, when e has every column it needs, else a
-- partition of e's own from the owner's identity (with a note saying why);
-- the sort key is e's prefix and the primary key columns not in the
-- partition key.
CREATE FUNCTION _design_child_keys(k text, e jsonb, p jsonb)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  refcols name[] := ddbrel._names(e->'owner'->'refcols');
  cols name[] := ddbrel._names(e->'owner'->'cols');
  pkt text;
  rest name[];
BEGIN
  IF ddbrel._template_holes(p->>'pk_template') <@ refcols THEN
    pkt := ddbrel._template_rename(p->>'pk_template', refcols, cols);
    e := e || jsonb_build_object('same_partition', true);
  ELSE
    pkt := ddbrel._template_rename(ddbrel._ident(p), refcols, cols);
    e := e || jsonb_build_object('same_partition', false, 'note',
           format('partition %s of its own: the partition of "%s" (%s) needs %s, which "%s" does not have',
                  pkt, p->>'table', p->>'pk_template',
                  (SELECT string_agg(format('"%s"', h), ', ') FROM unnest(ddbrel._template_holes(p->>'pk_template')) h
                    WHERE NOT h = ANY (refcols)), k));
  END IF;
  rest := ARRAY(SELECT x FROM unnest(ddbrel._names(e->'pk')) WITH ORDINALITY u(x, o)
                 WHERE NOT x = ANY (ddbrel._template_holes(pkt)) ORDER BY o);
  RETURN e || jsonb_build_object(
    'pk_template', pkt,
    'sk_template', (e->>'prefix') || '#' ||
                   CASE WHEN cardinality(rest) = 0 THEN '' ELSE ddbrel._key_holes(e, rest, 'the sort key') END);
END $$;

-- Step 5: the key templates.  A root's item is keyed by its identity
-- (USER#{user_id} twice); an edge lives in its left side's partition with
-- its right side's identity as sort key; a child, once its owner is
-- placed, by _design_child_keys().
CREATE FUNCTION _design_templates(ents jsonb)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  k text;
  e jsonb;
  p jsonb;
  pkt text;
  changed boolean;
BEGIN
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
      ents := jsonb_set(ents, ARRAY[k], ddbrel._design_child_keys(k, e, p));
      changed := true;
    END LOOP;
    EXIT WHEN NOT changed;
  END LOOP;
  RETURN ents;
END $$;

-- Step 6: two entities with keys of the same prefixes would share items: an
-- edge then uses its own prefix for its sort key (self-references, two join
-- tables between the same sides, an edge to a child in its partition);
-- anything else is an error.
CREATE FUNCTION _design_distinct_keys(ents jsonb)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  k text;
  e jsonb;
  skt text;
  pair text;
  pairs text[] := '{}';
BEGIN
  FOR k IN SELECT x FROM jsonb_object_keys(ents) x ORDER BY (ents->x->>'role') = 'edge', x LOOP
    e := ents->k;
    pair := ddbrel._template_prefix(e->>'pk_template') || E'\x01' || ddbrel._template_prefix(e->>'sk_template');
    IF pair = ANY (pairs) THEN
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
    pairs := pairs || pair;
  END LOOP;
  RETURN ents;
END $$;

-- Step 7: the depth of every table, for the output order: roots, then what
-- hangs off them.
CREATE FUNCTION _design_depth(ents jsonb)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  k text;
  e jsonb;
  n int;
  i int;
  changed boolean;
BEGIN
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
  RETURN ents;
END $$;

-- The UNIQUE constraints (and unique indexes) of the source: one column
-- other than the primary key is marked "unique": true, and its foreign
-- table keeps a guard item per value (the column option unique); several
-- columns are added to "unique_sets" [[column, ...], ...], kept by the
-- table option unique.  A set that holds the whole primary key is unique
-- already and needs no guard.
CREATE FUNCTION _unique_set_text(cols jsonb)
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT '(' || string_agg(quote_ident(c), ', ' ORDER BY o) || ')'
    FROM jsonb_array_elements_text(cols) WITH ORDINALITY a(c, o)
$$;

CREATE FUNCTION _design_unique_columns(ents jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(jsonb_object_agg(e.key, jsonb_set(jsonb_set(e.value, '{columns}',
           (SELECT jsonb_agg(CASE WHEN EXISTS (SELECT FROM jsonb_array_elements(e.value->'uniques') u(s)
                                                WHERE u.s = jsonb_build_array(c->>'name'))
                                       AND e.value->'pk' <> jsonb_build_array(c->>'name')
                                  THEN c || '{"unique": true}' ELSE c END ORDER BY o)
              FROM jsonb_array_elements(e.value->'columns') WITH ORDINALITY a(c, o))),
           '{unique_sets}',
           coalesce((SELECT jsonb_agg(u.s ORDER BY u.s::text)
                       FROM jsonb_array_elements(e.value->'uniques') u(s)
                      WHERE jsonb_array_length(u.s) > 1 AND NOT u.s @> (e.value->'pk')), '[]'))), '{}')
    FROM jsonb_each(ents) e
$$;

-- Copied columns: copies maps "child.new_column" to "parent.column", a
-- column of the parent to be duplicated into the child's items so that the
-- child's access pattern reads it without a join.  The child must be placed
-- in the parent's partition (the parent is its owner): then the copies of
-- one parent row are one Query of that partition, which keeping them in
-- sync needs.  Adds "copies" [{column, type, typid, source_table,
-- source_column, constraint, cols, refcols}] to the child.
CREATE FUNCTION _design_copies(ents jsonb, copies jsonb, source_schema name, partition_key text,
                               sort_key text, type_attribute text)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  k text;
  v text;
  t text[];
  s text[];
  e jsonb;
  p jsonb;
  sc jsonb;
  n int;
BEGIN
  IF jsonb_typeof(copies) <> 'object' THEN
    RAISE EXCEPTION 'copies must be a JSON object mapping "child.column" to "parent.column"'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'For example copies => ''{"orders.user_name": "users.name"}''.';
  END IF;
  FOR k, v IN SELECT x.key, x.value #>> '{}' FROM jsonb_each(copies) x ORDER BY x.key LOOP
    t := regexp_match(k, '^([^.]+)\.([^.]+)$');
    s := CASE WHEN jsonb_typeof(copies->k) = 'string' THEN regexp_match(v, '^([^.]+)\.([^.]+)$') END;
    IF t IS NULL OR s IS NULL THEN
      RAISE EXCEPTION 'invalid copy "%": %', k, copies->k
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'A copy maps "child.new_column" to "parent.column", for example "orders.user_name": "users.name".';
    END IF;
    IF NOT ents ? t[1] THEN
      RAISE EXCEPTION 'copies names table "%", which is not a table of schema "%" being designed', t[1], source_schema
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT ents ? s[1] THEN
      RAISE EXCEPTION 'copies names table "%", which is not a table of schema "%" being designed', s[1], source_schema
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    e := ents->t[1];
    p := ents->s[1];
    SELECT c INTO sc FROM jsonb_array_elements(p->'columns') c WHERE c->>'name' = s[2];
    IF sc IS NULL THEN
      RAISE EXCEPTION 'column "%" of table "%" does not exist', s[2], s[1]
        USING ERRCODE = 'undefined_column';
    END IF;
    IF EXISTS (SELECT FROM jsonb_array_elements(e->'columns') c WHERE c->>'name' = t[2])
       OR EXISTS (SELECT FROM jsonb_array_elements(coalesce(e->'copies', '[]')) c WHERE c->>'column' = t[2]) THEN
      RAISE EXCEPTION 'column "%" of table "%" already exists', t[2], t[1]
        USING ERRCODE = 'duplicate_column',
              DETAIL = 'A copy is a new column of the child''s entity foreign table.';
    END IF;
    IF lower(t[2]) IN (lower(partition_key), lower(sort_key)) OR t[2] = type_attribute THEN
      RAISE EXCEPTION 'copied column "%" of table "%" has the name of a key attribute or of the entity-type attribute', t[2], t[1]
        USING ERRCODE = 'duplicate_column',
              HINT = 'Name the copy differently.';
    END IF;
    SELECT count(*) INTO n FROM jsonb_array_elements(e->'fks') f WHERE f->>'table' = s[1];
    IF n = 0 THEN
      RAISE EXCEPTION 'table "%" has no foreign key to table "%"', t[1], s[1]
        USING ERRCODE = 'invalid_parameter_value',
              DETAIL = 'A copy duplicates a column of the row that a foreign key of the child references.';
    END IF;
    IF e->>'role' <> 'child' OR e->'owner'->>'table' <> s[1] THEN
      RAISE EXCEPTION 'cannot copy "%" into table "%"', v, t[1]
        USING ERRCODE = 'feature_not_supported',
              DETAIL = format('The items of "%s" are not in the partitions of "%s", so the copies of one "%s" row could only be found by a Scan.',
                              t[1], s[1], s[1]),
              HINT = format('Make "%s" the owner of "%s" with owners => ''{"%s": "%s"}'', or declare the copy with ddbrel.declare_copy() after adding an index.',
                            s[1], t[1], t[1], s[1]);
    END IF;
    e := jsonb_set(e, '{copies}', coalesce(e->'copies', '[]') || jsonb_build_array(jsonb_build_object(
           'column', t[2], 'type', sc->'type', 'typid', sc->'typid', 'source_table', s[1],
           'source_column', s[2], 'constraint', e->'owner'->'constraint',
           'cols', e->'owner'->'cols', 'refcols', e->'owner'->'refcols')));
    ents := jsonb_set(ents, ARRAY[t[1]], e);
  END LOOP;
  RETURN ents;
END $$;

-- The whole design as a jsonb array of entities, in output order; the
-- public functions and migrate() read it.  Each entity:
--   table, columns [{name, type, typid, notnull, unique}], pk [...], prefix,
--   role (root | child | edge), pk_template, sk_template, same_partition,
--   note, depth, type_value,
--   owner {table, constraint, cols, refcols, has_one} (child),
--   left/right {table, constraint, cols, refcols} and pivot [...] (edge),
--   refs [{table, constraint, cols, refcols}] (other foreign keys),
--   copies [{column, type, typid, source_table, source_column, constraint,
--            cols, refcols}] (copied columns of a child, when asked for).
CREATE FUNCTION _design(source_schema name, owners jsonb, prefixes jsonb, exclude name[],
                        partition_key text, sort_key text, gsi_name text, type_attribute text,
                        copies jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  nsp oid;
  ents jsonb;
BEGIN
  nsp := ddbrel._design_check_args(source_schema, owners, prefixes, partition_key, sort_key,
                                   gsi_name, type_attribute);
  owners := coalesce(owners, '{}');
  prefixes := coalesce(prefixes, '{}');
  ents := ddbrel._design_tables(nsp, exclude, partition_key, sort_key, type_attribute);
  PERFORM ddbrel._design_check_options(ents, owners, prefixes, source_schema);
  ents := ddbrel._design_foreign_keys(ents, nsp);
  ents := ddbrel._design_roles(ents, owners);
  PERFORM ddbrel._design_check_cycles(ents);
  ents := ddbrel._design_prefixes(ents, prefixes, type_attribute);
  ents := ddbrel._design_templates(ents);
  ents := ddbrel._design_distinct_keys(ents);
  ents := ddbrel._design_depth(ents);
  ents := ddbrel._design_unique_columns(ents);
  ents := ddbrel._design_copies(ents, coalesce(copies, '{}'), source_schema, partition_key, sort_key,
                                type_attribute);
  RETURN (SELECT coalesce(jsonb_agg(x.value - 'uniques' - 'fks' - 'relid' ORDER BY (x.value->>'depth')::int, x.key), '[]')
            FROM jsonb_each(ents) x);
END $$;

-- The single-table design of a normalized schema: one row per table, with
-- the key templates of its items and their keys in the inverted index.
CREATE FUNCTION design(source_schema name, owners jsonb DEFAULT '{}', prefixes jsonb DEFAULT '{}',
                       exclude name[] DEFAULT '{}', partition_key text DEFAULT 'PK',
                       sort_key text DEFAULT 'SK', gsi_name text DEFAULT 'GSI1',
                       type_attribute text DEFAULT NULL, copies jsonb DEFAULT '{}')
RETURNS TABLE (entity name, role text, pk_template text, sk_template text,
               gsi_pk_template text, gsi_sk_template text, type_value text, parents name[], note text,
               unique_columns text[])
LANGUAGE sql STABLE AS $$
  SELECT (x->>'table')::name, x->>'role', x->>'pk_template', x->>'sk_template',
         x->>'sk_template', x->>'pk_template', x->>'type_value',
         CASE x->>'role' WHEN 'child' THEN ARRAY[(x->'owner'->>'table')::name]
                         WHEN 'edge' THEN ARRAY[(x->'left'->>'table')::name, (x->'right'->>'table')::name]
                         ELSE '{}'::name[] END,
         x->>'note',
         ARRAY(SELECT c->>'name' FROM jsonb_array_elements(x->'columns') WITH ORDINALITY u(c, o)
                WHERE (c->>'unique')::boolean ORDER BY o)
         || ARRAY(SELECT ddbrel._unique_set_text(u.s)
                    FROM jsonb_array_elements(coalesce(x->'unique_sets', '[]')) WITH ORDINALITY u(s, o) ORDER BY o)
    FROM jsonb_array_elements(ddbrel._design(source_schema, owners, prefixes, exclude, partition_key,
                                             sort_key, gsi_name, type_attribute, copies)) WITH ORDINALITY a(x, o)
   ORDER BY o
$$;

-- The access pattern of a root x: its item by its primary key.
CREATE FUNCTION _root_access_patterns(x jsonb, pk_name text, sk_name text,
                                      OUT access_pattern text, OUT index text,
                                      OUT parameters text, OUT key_condition text)
RETURNS SETOF record
LANGUAGE plpgsql STABLE AS $$
BEGIN
  parameters := (SELECT string_agg(c, ', ') FROM jsonb_array_elements_text(x->'pk') c);
  access_pattern := format('View %s by %s', ddbrel._a(lower(ddbrel._singular(x->>'table'))), parameters);
  index := 'Main table';
  key_condition := format('%s = %s AND %s = %s', pk_name, ddbrel._template_render(x->>'pk_template'),
                          sk_name, ddbrel._template_render(x->>'sk_template'));
  RETURN NEXT;
END $$;

-- The access patterns of a child x: its items in its owner's partition,
-- and, when its sort key identifies an item on its own, that item from the
-- inverted index.
CREATE FUNCTION _child_access_patterns(x jsonb, pk_name text, sk_name text, gsi_name text,
                                       OUT access_pattern text, OUT index text,
                                       OUT parameters text, OUT key_condition text)
RETURNS SETOF record
LANGUAGE plpgsql STABLE AS $$
DECLARE
  one text := lower(ddbrel._singular(x->>'table'));
  owner text := ddbrel._a(lower(ddbrel._singular(x->'owner'->>'table')));
  pkt text := x->>'pk_template';
  skt text := x->>'sk_template';
  sk_holes name[] := ddbrel._template_holes(skt);
  c jsonb;
BEGIN
  access_pattern := CASE WHEN (x->'owner'->>'has_one')::boolean
                         THEN format('View the %s of %s', one, owner)
                         ELSE format('View all %s of %s', x->>'table', owner) END;
  index := 'Main table';
  parameters := array_to_string(ddbrel._template_holes(pkt), ', ');
  key_condition := CASE WHEN cardinality(sk_holes) = 0
                        THEN format('%s = %s AND %s = %s', pk_name, ddbrel._template_render(pkt), sk_name, skt)
                        ELSE format('%s = %s AND begins_with(%s, %s)', pk_name, ddbrel._template_render(pkt),
                                    sk_name, ddbrel._template_prefix(skt)) END;
  RETURN NEXT;
  -- each copied column: the same Query reads the owner's column, no join
  FOR c IN SELECT y FROM jsonb_array_elements(coalesce(x->'copies', '[]')) WITH ORDINALITY a(y, o) ORDER BY o LOOP
    access_pattern := CASE WHEN (x->'owner'->>'has_one')::boolean
                           THEN format('View the %s of %s with %s.%s copied as %s, without a join', one, owner,
                                       c->>'source_table', c->>'source_column', c->>'column')
                           ELSE format('View all %s of %s with %s.%s copied as %s, without a join', x->>'table', owner,
                                       c->>'source_table', c->>'source_column', c->>'column') END;
    RETURN NEXT;
  END LOOP;
  IF cardinality(sk_holes) > 0 AND ddbrel._names(x->'pk') <@ sk_holes THEN
    access_pattern := format('View %s by %s', ddbrel._a(one), array_to_string(sk_holes, ', '));
    index := gsi_name;
    parameters := array_to_string(sk_holes, ', ');
    key_condition := format('%s = %s AND begins_with(%s, %s)', sk_name, ddbrel._template_render(skt),
                            pk_name, ddbrel._template_prefix(pkt));
    RETURN NEXT;
  END IF;
END $$;

-- The access patterns of an edge x: the right items of a left item from
-- the main table, the left items of a right item from the inverted index.
CREATE FUNCTION _edge_access_patterns(x jsonb, pk_name text, sk_name text, gsi_name text,
                                      OUT access_pattern text, OUT index text,
                                      OUT parameters text, OUT key_condition text)
RETURNS SETOF record
LANGUAGE plpgsql STABLE AS $$
DECLARE
  lt text := x->'left'->>'table';
  rt text := x->'right'->>'table';
  pkt text := x->>'pk_template';
  skt text := x->>'sk_template';
BEGIN
  access_pattern := CASE WHEN lt = rt
                         THEN format('View all %s of %s by %s', x->>'table', ddbrel._a(lower(ddbrel._singular(lt))),
                                     array_to_string(ddbrel._template_holes(pkt), ', '))
                         ELSE format('View all %s of %s', rt, ddbrel._a(lower(ddbrel._singular(lt)))) END;
  index := 'Main table';
  parameters := array_to_string(ddbrel._template_holes(pkt), ', ');
  key_condition := format('%s = %s AND begins_with(%s, %s)', pk_name, ddbrel._template_render(pkt),
                          sk_name, ddbrel._template_prefix(skt));
  RETURN NEXT;
  access_pattern := CASE WHEN lt = rt
                         THEN format('View all %s of %s by %s', x->>'table', ddbrel._a(lower(ddbrel._singular(rt))),
                                     array_to_string(ddbrel._template_holes(skt), ', '))
                         ELSE format('View all %s of %s', lt, ddbrel._a(lower(ddbrel._singular(rt)))) END;
  index := gsi_name;
  parameters := array_to_string(ddbrel._template_holes(skt), ', ');
  key_condition := format('%s = %s AND begins_with(%s, %s)', sk_name, ddbrel._template_render(skt),
                          pk_name, ddbrel._template_prefix(pkt));
  RETURN NEXT;
END $$;

-- The access patterns of one design entity x: those of its role, then its
-- references, which no key serves (index "Scan").
CREATE FUNCTION _access_patterns(x jsonb, pk_name text, sk_name text, gsi_name text,
                                 OUT access_pattern text, OUT index text,
                                 OUT parameters text, OUT key_condition text)
RETURNS SETOF record
LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF x->>'role' = 'root' THEN
    RETURN QUERY SELECT * FROM ddbrel._root_access_patterns(x, pk_name, sk_name);
  ELSIF x->>'role' = 'child' THEN
    RETURN QUERY SELECT * FROM ddbrel._child_access_patterns(x, pk_name, sk_name, gsi_name);
  ELSE
    RETURN QUERY SELECT * FROM ddbrel._edge_access_patterns(x, pk_name, sk_name, gsi_name);
  END IF;
  RETURN QUERY
    SELECT format('View all %s of %s', x->>'table', ddbrel._a(lower(ddbrel._singular(r.y->>'table')))), 'Scan',
           (SELECT string_agg(c, ', ') FROM jsonb_array_elements_text(r.y->'cols') c), NULL::text
      FROM jsonb_array_elements(x->'refs') WITH ORDINALITY r(y, o)
     ORDER BY r.o;
END $$;

-- The access patterns the design serves, as a single-table design tabulates them: what
-- is read, from which index, with which parameters, by which key condition.
-- Foreign keys that no key serves are listed with index "Scan".
CREATE FUNCTION design_access_patterns(source_schema name, owners jsonb DEFAULT '{}',
                                       prefixes jsonb DEFAULT '{}', exclude name[] DEFAULT '{}',
                                       partition_key text DEFAULT 'PK', sort_key text DEFAULT 'SK',
                                       gsi_name text DEFAULT 'GSI1', type_attribute text DEFAULT NULL,
                                       copies jsonb DEFAULT '{}')
RETURNS TABLE (entity name, access_pattern text, index text, parameters text, key_condition text)
LANGUAGE sql STABLE AS $$
  SELECT (d.x->>'table')::name, p.access_pattern, p.index, p.parameters, p.key_condition
    FROM jsonb_array_elements(ddbrel._design(source_schema, owners, prefixes, exclude, partition_key,
                                             sort_key, gsi_name, type_attribute, copies)) WITH ORDINALITY d(x, o),
         LATERAL ddbrel._access_patterns(d.x, partition_key, sort_key, gsi_name) WITH ORDINALITY p
   ORDER BY d.o, p.ordinality
$$;
