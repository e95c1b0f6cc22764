-- ===========================================================================
-- sql/src/copies.sql: copied columns kept in sync
-- A single-table design duplicates often-read fields (a backlog item
-- carries its assignee's name, a tag item its post's title) so that one
-- item collection serves a read with no join.  declare_copy() records that
-- a column of one entity copies a column of another; triggers on the two
-- foreign tables then carry every change of the source to its copies, and
-- fill the copy of an inserted row.  check_copies() and repair_copies()
-- find and fix copies that drifted (written behind ddbrel's back).
-- ===========================================================================

-- One row per copied column: target.target_column copies
-- source.source_column of the source row whose source_columns equal the
-- target row's target_columns.  lookup says how the copies of one source row
-- are found (a Query on the table or an index, or a key lookup: never a
-- Scan), as EXPLAIN showed it when declared.  on_delete: what a DELETE of
-- the source row does to its copies ('leave' them, or 'set null').
CREATE TABLE copies (
    id serial PRIMARY KEY,
    target regclass NOT NULL,
    target_column name NOT NULL,
    source regclass NOT NULL,
    source_column name NOT NULL,
    target_columns name[] NOT NULL,
    source_columns name[] NOT NULL,
    relationship text,
    on_delete text NOT NULL CHECK (on_delete IN ('leave', 'set null')),
    lookup text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (target, target_column)
);
SELECT pg_catalog.pg_extension_config_dump('copies', '');
SELECT pg_catalog.pg_extension_config_dump('copies_id_seq', '');
GRANT SELECT ON copies TO PUBLIC;

CREATE FUNCTION _held_actions() RETURNS int
AS 'MODULE_PATHNAME', 'ddbrel_held_actions'
LANGUAGE C STRICT VOLATILE;

CREATE FUNCTION _defer_copies(statements text[]) RETURNS int
AS 'MODULE_PATHNAME', 'ddbrel_defer_copies'
LANGUAGE C STRICT VOLATILE;

CREATE FUNCTION _count_copies(found bigint, written bigint) RETURNS void
AS 'MODULE_PATHNAME', 'ddbrel_count_copies'
LANGUAGE C STRICT VOLATILE;

-- The SQL type of a column, as format_type writes it.
CREATE FUNCTION _column_type(rel regclass, col name) RETURNS text
LANGUAGE sql STABLE STRICT AS $$
  SELECT format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a
   WHERE a.attrelid = rel AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped
$$;

-- A relation's name with its schema, for statements that may run under
-- another search_path (at pre-commit).
CREATE FUNCTION _qualified(rel regclass) RETURNS text
LANGUAGE sql STABLE STRICT AS $$
  SELECT format('%I.%I', n.nspname, c.relname)
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE c.oid = rel
$$;

-- The columns that make up an entity's primary key: the holes of its key
-- templates.
CREATE FUNCTION _key_columns(rel regclass) RETURNS name[]
LANGUAGE plpgsql STABLE STRICT AS $$
DECLARE
  e record;
  out name[] := '{}';
  h name;
BEGIN
  e := ddbrel._entity(rel);
  IF e.pk_template IS NULL THEN
    RAISE EXCEPTION 'foreign table "%" has no pk_template', e.relname
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = 'Copied columns live in entity tables, whose key templates say which columns make up the key of an item.';
  END IF;
  FOREACH h IN ARRAY ddbrel._template_holes(e.pk_template) || ddbrel._template_holes(coalesce(e.sk_template, '')) LOOP
    IF NOT h = ANY (out) THEN
      out := out || h;
    END IF;
  END LOOP;
  RETURN out;
END $$;

-- A condition "cols = values of the row r" (r as jsonb, its keys the
-- columns rcols), with literals, so that the planner sees constants it can
-- push down as a key condition.
CREATE FUNCTION _match(rel regclass, cols name[], r jsonb, rcols name[]) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  i int;
  out text[] := '{}';
BEGIN
  FOR i IN 1 .. cardinality(cols) LOOP
    IF r ->> rcols[i] IS NULL THEN
      RETURN NULL;              -- a NULL joins nothing
    END IF;
    out := out || format('%I = %L::%s', cols[i], r ->> rcols[i], ddbrel._column_type(rel, cols[i]));
  END LOOP;
  RETURN array_to_string(out, ' AND ');
END $$;

-- "col = v" or "col IS NULL" for the value v (jsonb null: SQL NULL).
CREATE FUNCTION _equals(rel regclass, col name, v jsonb) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN v IS NULL OR jsonb_typeof(v) = 'null' THEN format('%I IS NULL', col)
              ELSE format('%I = %L::%s', col, v #>> '{}', ddbrel._column_type(rel, col)) END
$$;

-- How the copies of one source row are found, from EXPLAIN of that lookup:
-- 'Query', 'Query on index X', 'GetItem', 'BatchGetItem', or 'Scan'.
CREATE FUNCTION _copy_lookup(target regclass, target_columns name[]) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  i int;
  cond text[] := '{}';
  l text;
  op text;
  ix text;
BEGIN
  FOR i IN 1 .. cardinality(target_columns) LOOP
    cond := cond || format('%I = %L::%s', target_columns[i], '0', ddbrel._column_type(target, target_columns[i]));
  END LOOP;
  FOR l IN EXECUTE format('EXPLAIN (VERBOSE, COSTS OFF) SELECT 1 FROM %s WHERE %s',
                          target, array_to_string(cond, ' AND ')) LOOP
    op := coalesce(op, substring(l FROM 'DynamoDB Operation: (\w+)'));
    ix := coalesce(ix, substring(l FROM 'DynamoDB Index: (\S+)'));
  END LOOP;
  RETURN coalesce(op, 'Scan') || coalesce(' on index ' || ix, '');
END $$;

-- Puts the triggers that keep the copies in place, once per table.
CREATE FUNCTION _copy_triggers(source regclass, target regclass) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_trigger WHERE tgrelid = source AND tgname = 'ddbrel_copy_source') THEN
    EXECUTE format('CREATE TRIGGER ddbrel_copy_source AFTER UPDATE OR DELETE ON %s
                    FOR EACH ROW EXECUTE FUNCTION ddbrel._copy_source()', source);
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_trigger WHERE tgrelid = target AND tgname = 'ddbrel_copy_target') THEN
    EXECUTE format('CREATE TRIGGER ddbrel_copy_target BEFORE INSERT ON %s
                    FOR EACH ROW EXECUTE FUNCTION ddbrel._copy_target()', target);
  END IF;
END $$;

-- target.target_column copies source.source_column, reached through the
-- declared relationship named relationship (between the two, either way),
-- or through target.target_columns = source.source_columns (source_columns
-- default to the same names).  Checks the entities, the types and the
-- joining columns, and that the copies of a source row can be found without
-- a Scan; returns "target.target_column".
CREATE FUNCTION declare_copy(target regclass, target_column text, source regclass, source_column text,
                             target_columns text[] DEFAULT NULL, source_columns text[] DEFAULT NULL,
                             relationship text DEFAULT NULL, on_delete text DEFAULT 'leave')
RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  t record;
  s record;
  tcol name[];
  scol name[];
  tc name[];
  sc name[];
  r record;
  lk text;
  tt text;
  st text;
  via text;
BEGIN
  IF target IS NULL OR source IS NULL OR target_column IS NULL OR source_column IS NULL THEN
    RAISE EXCEPTION 'ddbrel.declare_copy() needs both entities and both columns'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  t := ddbrel._entity(target);
  s := ddbrel._entity(source);
  IF target = source THEN
    RAISE EXCEPTION 'a column cannot copy a column of its own entity "%"', t.relname
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF on_delete IS NULL OR on_delete NOT IN ('leave', 'set null') THEN
    RAISE EXCEPTION 'on_delete must be ''leave'' or ''set null''' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  tcol := ddbrel._columns(target, ARRAY[target_column], 'target_column');
  scol := ddbrel._columns(source, ARRAY[source_column], 'source_column');
  tt := ddbrel._column_type(target, tcol[1]);
  st := ddbrel._column_type(source, scol[1]);
  IF tt <> st THEN
    RAISE EXCEPTION 'column "%" of "%" cannot copy column "%" of "%"', tcol[1], t.relname, scol[1], s.relname
      USING ERRCODE = 'datatype_mismatch',
            DETAIL = format('They are of types %s and %s; a copy has the type of its source.', tt, st);
  END IF;
  IF relationship IS NOT NULL THEN
    IF target_columns IS NOT NULL OR source_columns IS NOT NULL THEN
      RAISE EXCEPTION 'give either a relationship or joining columns, not both'
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO r FROM ddbrel.relationships x
     WHERE x.name = declare_copy.relationship AND x.kind IN ('has_one', 'has_many', 'belongs_to')
       AND ((x.parent = source AND x.child = target) OR (x.parent = target AND x.child = source))
     ORDER BY x.id LIMIT 1;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'no relationship "%" between "%" and "%"', relationship, s.relname, t.relname
        USING ERRCODE = 'undefined_object',
              HINT = 'Declare it with ddbrel.belongs_to() or ddbrel.has_many(), or pass target_columns and source_columns.';
    END IF;
    via := r.declared_on::text || '.' || r.name;
    IF r.parent = source THEN
      sc := r.parent_columns;
      tc := r.child_columns;
    ELSE
      sc := r.child_columns;
      tc := r.parent_columns;
    END IF;
  ELSE
    IF target_columns IS NULL THEN
      RAISE EXCEPTION 'ddbrel.declare_copy() needs a relationship or target_columns'
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'target_columns name the columns of the copying entity that equal source_columns of the source.';
    END IF;
    tc := ddbrel._columns(target, target_columns, 'target_columns');
    sc := ddbrel._columns(source, coalesce(source_columns, target_columns), 'source_columns');
    PERFORM ddbrel._comparable(target, tc, source, sc, 'target_columns', 'source_columns');
  END IF;
  IF tcol[1] = ANY (tc) OR tcol[1] = ANY (ddbrel._key_columns(target)) THEN
    RAISE EXCEPTION 'column "%" of "%" joins or keys its rows and cannot be a copy', tcol[1], t.relname
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM ddbrel._key_columns(source);
  IF EXISTS (SELECT FROM ddbrel.copies c WHERE c.target = declare_copy.target AND c.target_column = tcol[1]) THEN
    RAISE EXCEPTION 'column "%" of "%" is already a copy', tcol[1], t.relname
      USING ERRCODE = 'duplicate_object',
            HINT = format('Drop it first with ddbrel.drop_copy(%L, %L).', target::text, tcol[1]);
  END IF;
  lk := ddbrel._copy_lookup(target, tc);
  IF lk = 'Scan' THEN
    RAISE EXCEPTION 'the copies of "%" in "%" cannot be found without a Scan', s.relname, t.relname
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = format('Finding the rows of "%s" WHERE %s is a Scan of DynamoDB table "%s".', t.relname,
                            (SELECT string_agg(format('%s = ...', x), ' AND ') FROM unnest(tc) x), t.dtable),
            HINT = format('Add a global secondary index to DynamoDB table "%s" whose partition key holds %s, and give "%s" its template (gsi1pk_template ''...{%s}...''), then declare again.',
                          t.dtable, array_to_string(tc, ', '), t.relname, tc[1]);
  END IF;
  INSERT INTO ddbrel.copies (target, target_column, source, source_column, target_columns, source_columns,
                             relationship, on_delete, lookup)
  VALUES (target, tcol[1], source, scol[1], tc, sc,
          via, on_delete, lk);
  PERFORM ddbrel._copy_triggers(source, target);
  RETURN target::text || '.' || tcol[1];
END $$;

-- Forgets a copied column (the copies stay as they are); false if it was
-- not one.  The triggers go with the last declaration of their table.
CREATE FUNCTION drop_copy(target regclass, target_column text) RETURNS boolean
LANGUAGE plpgsql VOLATILE STRICT AS $$
DECLARE
  c record;
BEGIN
  DELETE FROM ddbrel.copies x WHERE x.target = drop_copy.target AND x.target_column = drop_copy.target_column
    RETURNING * INTO c;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  IF NOT EXISTS (SELECT FROM ddbrel.copies x WHERE x.source = c.source) THEN
    EXECUTE format('DROP TRIGGER IF EXISTS ddbrel_copy_source ON %s', c.source);
  END IF;
  IF NOT EXISTS (SELECT FROM ddbrel.copies x WHERE x.target = c.target) THEN
    EXECUTE format('DROP TRIGGER IF EXISTS ddbrel_copy_target ON %s', c.target);
  END IF;
  RETURN true;
END $$;

-- Writes new_value into the copies of the source row o (jsonb) that still
-- hold old_value: finds them with the declared lookup, then updates each
-- by its full key on condition that it holds old_value (one conditional
-- UpdateItem, or a held write checked at COMMIT), so a copy that a newer
-- write changed meanwhile is left alone.  Copies that would make the
-- transaction's TransactWriteItems pass 100 actions are written after it
-- (src/copies.c).  Returns the copies written now.
CREATE FUNCTION _propagate(c ddbrel.copies, o jsonb, old_value jsonb, new_value jsonb) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  m text;
  keys name[];
  found_keys jsonb[];
  n bigint := 0;
  got bigint;
  setv text;
  stmts text[];
  q text;
BEGIN
  m := ddbrel._match(c.target, c.target_columns, o, c.source_columns);
  IF m IS NULL THEN
    RETURN 0;
  END IF;
  keys := ddbrel._key_columns(c.target);
  EXECUTE format('SELECT array_agg(to_jsonb(t)) FROM (SELECT %s FROM %s WHERE %s AND %s) t',
                 (SELECT string_agg(format('%I', x), ', ') FROM unnest(keys) x),
                 c.target, m, ddbrel._equals(c.target, c.target_column, old_value))
    INTO found_keys;
  IF found_keys IS NULL THEN
    RETURN 0;
  END IF;
  setv := CASE WHEN new_value IS NULL OR jsonb_typeof(new_value) = 'null' THEN 'NULL'
               ELSE format('%L::%s', new_value #>> '{}', ddbrel._column_type(c.target, c.target_column)) END;
  SELECT array_agg(format('UPDATE %s SET %I = %s WHERE %s AND %s', ddbrel._qualified(c.target), c.target_column, setv,
                          ddbrel._match(c.target, keys, fk, keys),
                          ddbrel._equals(c.target, c.target_column, old_value)))
    INTO stmts FROM unnest(found_keys) fk;
  IF current_setting('ddbrel.write_mode') = 'transaction'
     AND ddbrel._held_actions() + cardinality(found_keys) > 100 THEN
    -- they do not fit in the COMMIT's TransactWriteItems: after it
    PERFORM ddbrel._defer_copies(stmts);
  ELSE
    FOREACH q IN ARRAY stmts LOOP
      EXECUTE q;
      GET DIAGNOSTICS got = ROW_COUNT;
      n := n + got;
    END LOOP;
  END IF;
  PERFORM ddbrel._count_copies(cardinality(found_keys), n);
  RETURN n;
END $$;

-- AFTER UPDATE OR DELETE of a source row: its copies follow.
CREATE FUNCTION _copy_source() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  c ddbrel.copies;
  o jsonb := to_jsonb(OLD);
  n jsonb;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    n := to_jsonb(NEW);
  END IF;
  FOR c IN SELECT * FROM ddbrel.copies x WHERE x.source = TG_RELID ORDER BY x.id LOOP
    IF TG_OP = 'UPDATE' THEN
      CONTINUE WHEN (o -> c.source_column) IS NOT DISTINCT FROM (n -> c.source_column);
      PERFORM ddbrel._propagate(c, o, o -> c.source_column, n -> c.source_column);
    ELSIF c.on_delete = 'set null' THEN
      PERFORM ddbrel._propagate(c, o, o -> c.source_column, NULL);
    END IF;
  END LOOP;
  RETURN NULL;
END $$;

-- BEFORE INSERT of a row with copied columns: a copy not given (NULL) is
-- read from its source; one given must equal it.
CREATE FUNCTION _copy_target() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  c ddbrel.copies;
  r jsonb := to_jsonb(NEW);
  m text;
  v jsonb;
  found_row boolean;
BEGIN
  FOR c IN SELECT * FROM ddbrel.copies x WHERE x.target = TG_RELID ORDER BY x.id LOOP
    m := ddbrel._match(c.source, c.source_columns, r, c.target_columns);
    CONTINUE WHEN m IS NULL;
    EXECUTE format('SELECT true, to_jsonb(%I) FROM %s WHERE %s', c.source_column, c.source, m)
      INTO found_row, v;
    CONTINUE WHEN found_row IS NULL;     -- no source row: nothing to copy
    IF r -> c.target_column IS NULL OR jsonb_typeof(r -> c.target_column) = 'null' THEN
      r := jsonb_set(r, ARRAY[c.target_column::text], v);
    ELSIF r -> c.target_column IS DISTINCT FROM v THEN
      RAISE EXCEPTION 'column "%" of "%" copies column "%" of "%"', c.target_column, TG_TABLE_NAME,
                      c.source_column, c.source::text
        USING ERRCODE = 'check_violation',
              DETAIL = format('The row gives %s, and its source row (%s) holds %s.',
                              r -> c.target_column, m, coalesce(v::text, 'NULL')),
              HINT = format('Leave column "%s" out of the INSERT: it is filled from "%s".', c.target_column, c.source::text);
    END IF;
  END LOOP;
  NEW := jsonb_populate_record(NEW, r);
  RETURN NEW;
END $$;

-- The rows of entity (as the copying side) whose copied columns differ
-- from their source, at most max_rows of them from after the key "after"
-- (jsonb of the key columns, NULL: from the start), in key order.
CREATE FUNCTION check_copies(entity regclass, after jsonb DEFAULT NULL, max_rows int DEFAULT NULL)
RETURNS TABLE (copy_column name, row_key jsonb, copy_value jsonb, source_value jsonb)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  c ddbrel.copies;
  keys name[];
  kl text;
  q text;
  jn text;
BEGIN
  IF NOT EXISTS (SELECT FROM ddbrel.copies x WHERE x.target = entity) THEN
    RAISE EXCEPTION '"%" has no copied columns', entity::text
      USING ERRCODE = 'undefined_object', HINT = 'Declare them with ddbrel.declare_copy().';
  END IF;
  keys := ddbrel._key_columns(entity);
  kl := (SELECT string_agg(format('t.%I', x), ', ') FROM unnest(keys) x);
  FOR c IN SELECT * FROM ddbrel.copies x WHERE x.target = entity ORDER BY x.id LOOP
    jn := (SELECT string_agg(format('s.%I = t.%I', c.source_columns[i], c.target_columns[i]), ' AND ')
             FROM generate_subscripts(c.target_columns, 1) i);
    q := format('SELECT %L::name, jsonb_build_object(%s), to_jsonb(t.%I), to_jsonb(s.%I)
                   FROM %s t JOIN %s s ON %s
                  WHERE t.%I IS DISTINCT FROM s.%I %s
                  ORDER BY %s %s',
                c.target_column,
                (SELECT string_agg(format('%L, t.%I', x, x), ', ') FROM unnest(keys) x),
                c.target_column, c.source_column, entity, c.source, jn,
                c.target_column, c.source_column,
                CASE WHEN after IS NOT NULL THEN format('AND (%s) > (%s)', kl,
                       (SELECT string_agg(format('%L::%s', after ->> x, ddbrel._column_type(entity, x)), ', ')
                          FROM unnest(keys) x)) ELSE '' END,
                kl, CASE WHEN max_rows IS NOT NULL THEN format('LIMIT %s', max_rows) ELSE '' END);
    RETURN QUERY EXECUTE q;
  END LOOP;
END $$;

-- Sets the copies check_copies() lists to their source's value, batch_rows
-- per transaction; resumable: run again after an interruption, it finds
-- what is still wrong.  Returns the copies it wrote.
CREATE PROCEDURE repair_copies(entity regclass, batch_rows int DEFAULT 25, INOUT repaired bigint DEFAULT 0)
LANGUAGE plpgsql AS $$
DECLARE
  x record;
  keys name[];
  after jsonb;
  n int;
  got bigint;
BEGIN
  IF batch_rows IS NULL OR batch_rows < 1 OR batch_rows > 100 THEN
    RAISE EXCEPTION 'batch_rows must be between 1 and 100' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  keys := ddbrel._key_columns(entity);
  repaired := 0;
  LOOP
    n := 0;
    FOR x IN SELECT * FROM ddbrel.check_copies(entity, after, batch_rows) LOOP
      EXECUTE format('UPDATE %s SET %I = %s WHERE %s AND %s', entity, x.copy_column,
                     CASE WHEN jsonb_typeof(x.source_value) = 'null' OR x.source_value IS NULL THEN 'NULL'
                          ELSE format('%L::%s', x.source_value #>> '{}', ddbrel._column_type(entity, x.copy_column)) END,
                     ddbrel._match(entity, keys, x.row_key, keys),
                     ddbrel._equals(entity, x.copy_column, x.copy_value));
      GET DIAGNOSTICS got = ROW_COUNT;
      repaired := repaired + got;
      after := x.row_key;
      n := n + 1;
    END LOOP;
    COMMIT;
    EXIT WHEN n < batch_rows;
  END LOOP;
END $$;

-- Dropping a foreign table forgets the copies it holds or feeds.
CREATE FUNCTION _forget_dropped_copies() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  t record;
BEGIN
  IF to_regclass('ddbrel.copies') IS NULL THEN
    RETURN;
  END IF;
  DELETE FROM ddbrel.copies c
   USING pg_event_trigger_dropped_objects() d
   WHERE d.classid = 'pg_class'::regclass AND d.objsubid = 0
     AND d.objid IN (c.target, c.source);
  -- the triggers of the tables that survive, and copy or feed no more
  FOR t IN SELECT tr.tgrelid::regclass AS rel, tr.tgname FROM pg_trigger tr
            WHERE (tr.tgname = 'ddbrel_copy_source'
                   AND NOT EXISTS (SELECT FROM ddbrel.copies c WHERE c.source = tr.tgrelid))
               OR (tr.tgname = 'ddbrel_copy_target'
                   AND NOT EXISTS (SELECT FROM ddbrel.copies c WHERE c.target = tr.tgrelid)) LOOP
    EXECUTE format('DROP TRIGGER %I ON %s', t.tgname, t.rel);
  END LOOP;
END $$;
REVOKE ALL ON FUNCTION _forget_dropped_copies() FROM PUBLIC;
CREATE EVENT TRIGGER ddbrel_forget_dropped_copies ON sql_drop
  WHEN TAG IN ('DROP FOREIGN TABLE', 'DROP SCHEMA', 'DROP OWNED', 'DROP SERVER', 'DROP TABLE')
  EXECUTE FUNCTION _forget_dropped_copies();
