-- ===========================================================================
-- sql/src/migrate.sql: a normalized schema into one DynamoDB table
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

-- Checks that an existing DynamoDB table has the keys of a design: key
-- (partition_key HASH, sort_key RANGE), both S, and the inverted global
-- secondary index gsi_name (sort_key HASH, partition_key RANGE) projecting
-- ALL.
CREATE FUNCTION _check_design_table(server name, dtable text, partition_key text, sort_key text,
                                    gsi_name text)
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_variable
DECLARE
  t record;
BEGIN
  SELECT * INTO t FROM ddbrel.describe_table(server, dtable) d WHERE d.index_kind = 'table';
  IF t.partition_key = partition_key AND t.partition_key_type = 'S'
     AND t.sort_key = sort_key AND t.sort_key_type = 'S'
     AND EXISTS (SELECT FROM ddbrel.describe_table(server, dtable) g
                  WHERE g.index_kind = 'global' AND g.index_name = gsi_name AND g.partition_key = sort_key
                    AND g.sort_key = partition_key AND g.projection = 'ALL') THEN
    RETURN;
  END IF;
  RAISE EXCEPTION 'DynamoDB table "%" does not match the design', dtable
    USING ERRCODE = 'object_not_in_prerequisite_state',
          DETAIL = format('Its key is (%s) and its global secondary indexes are %s; the design needs key (%s HASH, %s RANGE) of type S and global secondary index "%s" on (%s HASH, %s RANGE) projecting ALL.',
                          concat_ws(', ', t.partition_key || ' HASH', t.sort_key || ' RANGE'),
                          coalesce((SELECT string_agg(format('"%s" (%s)', g.index_name,
                                                             concat_ws(', ', g.partition_key || ' HASH', g.sort_key || ' RANGE')),
                                                      ', ' ORDER BY g.ordinality)
                                      FROM ddbrel.describe_table(server, dtable) WITH ORDINALITY g
                                     WHERE g.index_kind = 'global'), 'none'),
                          partition_key, sort_key, gsi_name, sort_key, partition_key),
          HINT = 'Migrate into a new table, or pass partition_key, sort_key and gsi_name that match this one.';
END $$;

-- Waits until a DynamoDB table and its indexes are ACTIVE (TableStatus and
-- IndexStatus, which the cached description does not keep).
CREATE FUNCTION _wait_table_active(server name, dtable text, wait_seconds integer)
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  d jsonb;
  t0 timestamptz := clock_timestamp();
  i int := 0;
BEGIN
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
END $$;

-- Creates the DynamoDB table of a design (key partition_key/sort_key, both
-- S, and the inverted index gsi_name), or checks that an existing one has
-- those keys; then waits until it and its indexes are ACTIVE.  Returns
-- 'created' or 'existing'.
CREATE FUNCTION _ensure_table(server name, dtable text, partition_key text, sort_key text,
                              gsi_name text, wait_seconds integer)
RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  outcome text := 'existing';
BEGIN
  IF EXISTS (SELECT FROM ddbrel.describe_table(server, dtable, missing_ok => true, refresh => true)) THEN
    PERFORM ddbrel._check_design_table(server, dtable, partition_key, sort_key, gsi_name);
  ELSE
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
  END IF;
  PERFORM ddbrel._wait_table_active(server, dtable, wait_seconds);
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
  -- key template holes of a type with a collation order as DynamoDB orders
  -- keys, by their bytes: COLLATE "C", so ranges and ORDER BY on them are
  -- pushed whatever the database's collation
  holes name[] := ddbrel._template_holes(e->>'pk_template') || ddbrel._template_holes(e->>'sk_template');
  cols text := (SELECT string_agg(format('%I %s%s', x->>'name', x->>'type',
                                         CASE WHEN (x->>'name')::name = ANY (holes) AND t.typcollation <> 0
                                              THEN ' COLLATE "C"' ELSE '' END), ', ' ORDER BY o)
                  FROM jsonb_array_elements(e->'columns') WITH ORDINALITY a(x, o)
                  JOIN pg_catalog.pg_type t ON t.oid = (x->>'typid')::oid)
              || coalesce((SELECT string_agg(format(', %I %s', x->>'column', x->>'type'), '' ORDER BY o)
                             FROM jsonb_array_elements(e->'copies') WITH ORDINALITY a(x, o)), '');
  -- a UNIQUE column keeps a guard item per value (loaded with the rows)
  cols_ddl text := (SELECT string_agg(format('%I %s%s', x->>'name', x->>'type',
                                             CASE WHEN (x->>'name')::name = ANY (holes) AND t.typcollation <> 0
                                                  THEN ' COLLATE "C"' ELSE '' END)
                                      || CASE WHEN (x->>'unique')::boolean THEN ' OPTIONS (unique ''true'')' ELSE '' END,
                                      ', ' ORDER BY o)
                      FROM jsonb_array_elements(e->'columns') WITH ORDINALITY a(x, o)
                      JOIN pg_catalog.pg_type t ON t.oid = (x->>'typid')::oid)
                  -- copied columns, filled from the parent's rows
                  || coalesce((SELECT string_agg(format(', %I %s', x->>'column', x->>'type'), '' ORDER BY o)
                                 FROM jsonb_array_elements(e->'copies') WITH ORDINALITY a(x, o)), '');
  opts text := format('table %L, pk_template %L, sk_template %L', dtable, e->>'pk_template', e->>'sk_template')
               || CASE WHEN type_attribute IS NOT NULL
                       THEN format(', type_attribute %L, type_value %L', type_attribute, e->>'type_value') ELSE '' END
               -- UNIQUE constraints on several columns: a guard item per combination
               || coalesce((SELECT format(', unique %L', string_agg(ddbrel._unique_set_text(u.s), ', ' ORDER BY o))
                              FROM jsonb_array_elements(e->'unique_sets') WITH ORDINALITY u(s, o)
                            HAVING count(*) > 0), '');
  have_cols text;
  ok boolean;
BEGIN
  IF rel IS NULL THEN
    EXECUTE format('CREATE FOREIGN TABLE %I.%I (%s) SERVER %I OPTIONS (%s, upsert %L)',
                   target_schema, e->>'table', cols_ddl, server, opts, 'true');
    RETURN 'created';
  END IF;
  SELECT string_agg(format('%I %s%s', a.attname, format_type(a.atttypid, a.atttypmod),
                           CASE WHEN a.attcollation <> t.typcollation THEN format(' COLLATE %I', c.collname) ELSE '' END),
                    ', ' ORDER BY a.attnum)
    INTO have_cols
    FROM pg_catalog.pg_attribute a
    JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_catalog.pg_collation c ON c.oid = a.attcollation
   WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped;
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

-- ---------------------------------------------------------------------------
-- migrate() and its steps.  The steps that commit (loading and verifying a
-- table) are procedures, CALLed from migrate() so that their COMMITs end
-- its transactions; the others are functions.
-- ---------------------------------------------------------------------------

-- Checks the arguments of ddbrel.migrate() that ddbrel.design() does not.
CREATE FUNCTION _migrate_check_args(source_schema name, server name, target_table text,
                                    target_schema name, verify text, batch_rows integer)
RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
  h regproc;
BEGIN
  IF transaction_timestamp() <> statement_timestamp() THEN
    RAISE EXCEPTION 'ddbrel.migrate() cannot run inside a transaction block'
      USING ERRCODE = 'active_sql_transaction',
            HINT = 'It commits after every batch of rows so that an interrupted migration can resume: run CALL ddbrel.migrate(...) on its own.';
  END IF;
  IF verify IS NULL OR verify NOT IN ('count', 'full', 'none') THEN
    RAISE EXCEPTION 'invalid value for verify: "%"', verify
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Valid values are "count", "full" and "none".';
  END IF;
  IF batch_rows IS NULL OR batch_rows < 1 THEN
    RAISE EXCEPTION 'batch_rows must be at least 1' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF coalesce(target_table, '') = '' THEN
    RAISE EXCEPTION 'target_table must name a DynamoDB table' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF target_schema IS NULL OR target_schema = source_schema THEN
    RAISE EXCEPTION 'target schema must differ from the source schema'
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'The entity foreign tables have the names of the source tables.';
  END IF;
  SELECT w.fdwhandler INTO h
    FROM pg_catalog.pg_foreign_server s JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = s.srvfdw
   WHERE s.srvname = server;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'server "%" does not exist', server USING ERRCODE = 'undefined_object';
  ELSIF h IS DISTINCT FROM 'ddbrel.ddbrel_handler'::regproc THEN
    RAISE EXCEPTION 'server "%" is not a ddbrel server', server USING ERRCODE = 'wrong_object_type';
  END IF;
END $$;

-- The run to resume: the last one of these arguments, or NULL.  An error
-- if its design differs from design, or it is running in another backend.
CREATE FUNCTION _migrate_resumable_run(source_schema name, server name, target_table text,
                                       target_schema name, design jsonb)
RETURNS integer
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_variable
DECLARE
  r record;
BEGIN
  SELECT mr.run, mr.design, mr.status, mr.pid INTO r
    FROM ddbrel.migration_runs mr
   WHERE mr.source_schema = source_schema AND mr.server = server AND mr.target_table = target_table
     AND mr.target_schema = target_schema
   ORDER BY mr.run DESC LIMIT 1;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  IF r.design <> design THEN
    RAISE EXCEPTION 'the design of schema "%" changed since migration run %', source_schema, r.run
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = format('Run %s loaded items with the keys of its own design into table "%s".', r.run, target_table),
            HINT = format('Pass the same options as that run to resume it, or restart => true to start a new run (drop the foreign tables of schema "%s" first if their templates change).', target_schema);
  END IF;
  IF r.status = 'running' AND r.pid <> pg_backend_pid()
     AND EXISTS (SELECT FROM pg_catalog.pg_stat_activity a WHERE a.pid = r.pid AND a.state = 'active') THEN
    RAISE EXCEPTION 'migration run % is running in process %', r.run, r.pid USING ERRCODE = 'object_in_use';
  END IF;
  RETURN r.run;
END $$;

-- What the rows are written through: the DynamoDB table, the target
-- schema, the entity foreign tables (upsert on for the tables run has still
-- to load) and their relationships.
CREATE FUNCTION _migrate_prepare(server name, target_table text, target_schema name, design jsonb,
                                 partition_key text, sort_key text, gsi_name text,
                                 type_attribute text, wait_seconds integer, run integer)
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_variable
DECLARE
  x jsonb;
BEGIN
  IF ddbrel._ensure_table(server, target_table, partition_key, sort_key, gsi_name, wait_seconds) = 'created' THEN
    RAISE NOTICE 'created DynamoDB table "%"', target_table;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = target_schema) THEN
    EXECUTE format('CREATE SCHEMA %I', target_schema);
  END IF;
  FOR x IN SELECT y FROM jsonb_array_elements(design) y LOOP
    PERFORM ddbrel._ensure_foreign_table(server, target_table, target_schema, x, type_attribute,
                                         NOT EXISTS (SELECT FROM ddbrel.migrations mg
                                                      WHERE mg.run = run AND mg.source_table = x->>'table'
                                                        AND mg.status IN ('loaded', 'verified')));
  END LOOP;
  FOR x IN SELECT y FROM jsonb_array_elements(design) y LOOP
    PERFORM ddbrel._declare_design_relationships(target_schema, x);
  END LOOP;
END $$;

-- Records a new run of design (run NULL), with a row per table, or marks
-- run as running again; returns the run.  From its commit on, progress
-- survives errors and cancels.
CREATE FUNCTION _migrate_start_run(run integer, source_schema name, server name, target_table text,
                                   target_schema name, design jsonb)
RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_variable
DECLARE
  v_run integer := run;
BEGIN
  IF v_run IS NULL THEN
    INSERT INTO ddbrel.migration_runs (source_schema, server, target_table, target_schema, design, pid)
    VALUES (source_schema, server, target_table, target_schema, design, pg_backend_pid())
    RETURNING migration_runs.run INTO v_run;
    INSERT INTO ddbrel.migrations (run, source_table)
      SELECT v_run, (y->>'table')::name FROM jsonb_array_elements(design) y;
    RETURN v_run;
  END IF;
  IF (SELECT mr.status FROM ddbrel.migration_runs mr WHERE mr.run = v_run) = 'done' THEN
    RAISE NOTICE 'migration run % is complete', v_run;
  ELSE
    RAISE NOTICE 'resuming migration run %', v_run;
  END IF;
  UPDATE ddbrel.migration_runs mr SET status = 'running', pid = pg_backend_pid(), finished_at = NULL
   WHERE mr.run = v_run;
  RETURN v_run;
END $$;

-- The SQL that reads design entity x in primary key order: its key columns
-- (keylist), their values as text[] (keytext), and the conditions "after
-- key $1" (after) and "up to key $2" (upto).
CREATE FUNCTION _migrate_key_sql(x jsonb, OUT keylist text, OUT keytext text, OUT after text, OUT upto text)
LANGUAGE sql IMMUTABLE AS $$
  SELECT string_agg(format('%I', c), ', ' ORDER BY o),
         'ARRAY[' || string_agg(format('%I::text', c), ', ' ORDER BY o) || ']',
         '(' || string_agg(format('%I', c), ', ' ORDER BY o) || ') > ('
             || string_agg(format('($1[%s])::%s', o, ty), ', ' ORDER BY o) || ')',
         '(' || string_agg(format('%I', c), ', ' ORDER BY o) || ') <= ('
             || string_agg(format('($2[%s])::%s', o, ty), ', ' ORDER BY o) || ')'
    FROM jsonb_array_elements_text(x->'pk') WITH ORDINALITY a(c, o),
         LATERAL (SELECT y->>'type' AS ty FROM jsonb_array_elements(x->'columns') y WHERE y->>'name' = c) t
$$;

-- Copies one batch of the rows of source table tab (after key resume, up
-- to key upto) into its entity foreign table, columns cols from the
-- expressions sel (the columns, then the parent's values of copied columns); returns how many and how
-- long it took, or the error it failed with (err_state not NULL).
CREATE FUNCTION _migrate_insert_batch(source_schema name, target_schema name, tab name, cols text,
                                      sel text, after_cond text, upto_cond text, resume text[], upto text[],
                                      OUT n bigint, OUT secs double precision, OUT err_state text,
                                      OUT err_message text, OUT err_detail text, OUT err_hint text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  t0 timestamptz := clock_timestamp();
BEGIN
  -- a bulk load: batched BatchWriteItem calls, never the 100 writes of one
  -- DynamoDB transaction (each batch commits on its own, and a failed one
  -- is loaded again: upsert)
  PERFORM pg_catalog.set_config('ddbrel.write_mode', 'immediate', true);
  BEGIN
    EXECUTE format('INSERT INTO %I.%I (%s) SELECT %s FROM %I.%I WHERE %s AND %s',
                   target_schema, tab, cols, sel, source_schema, tab,
                   CASE WHEN resume IS NULL THEN 'true' ELSE after_cond END,
                   CASE WHEN upto IS NULL THEN 'true' ELSE upto_cond END)
      USING resume, upto;
    GET DIAGNOSTICS n = ROW_COUNT;
  EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_message = MESSAGE_TEXT,
                            err_detail = PG_EXCEPTION_DETAIL, err_hint = PG_EXCEPTION_HINT;
  END;
  secs := extract(epoch FROM clock_timestamp() - t0);
END $$;

-- Loads design entity x of run, a batch of batch_rows rows per
-- transaction from where the run stopped; adds the rows and the seconds
-- to rows_loaded and load_time.  On an error the table and the run are
-- marked failed (committed) and the error is raised again.
CREATE PROCEDURE _migrate_load_table(run integer, source_schema name, target_schema name, x jsonb,
                                     batch_rows integer, INOUT rows_loaded bigint,
                                     INOUT load_time double precision)
LANGUAGE plpgsql AS $$
#variable_conflict use_variable
DECLARE
  v_tab name := x->>'table';
  m record;
  k record;
  b record;
  v_cols text;
  v_sel text;
  v_total bigint;
  v_done bigint;
  v_resume text[];
  v_upto text[];
  v_secs double precision;
  v_first boolean := true;
BEGIN
  SELECT mg.status, mg.rows_done, mg.resume_after INTO m
    FROM ddbrel.migrations mg WHERE mg.run = run AND mg.source_table = v_tab;
  IF m.status IN ('loaded', 'verified') THEN
    RETURN;
  END IF;
  SELECT string_agg(format('%I', j->>'name'), ', ' ORDER BY o) INTO v_cols
    FROM jsonb_array_elements(x->'columns') WITH ORDINALITY a(j, o);
  -- a copied column: its value in the parent's source row, read with the row
  SELECT v_cols || coalesce(string_agg(format(', %I', j->>'column'), '' ORDER BY o), ''),
         v_cols || coalesce(string_agg(format(', (SELECT p.%I FROM %I.%I p WHERE %s)', j->>'source_column',
                                    source_schema, j->>'source_table',
                                    (SELECT string_agg(format('p.%I = %I.%I.%I', rc, source_schema, v_tab, cc), ' AND ')
                                       FROM jsonb_array_elements_text(j->'refcols') WITH ORDINALITY r(rc, ro)
                                       JOIN jsonb_array_elements_text(j->'cols') WITH ORDINALITY q(cc, co) ON co = ro)),
                             '' ORDER BY o), '')
    INTO v_cols, v_sel
    FROM jsonb_array_elements(coalesce(x->'copies', '[]')) WITH ORDINALITY a(j, o);
  k := ddbrel._migrate_key_sql(x);
  EXECUTE format('SELECT count(*) FROM %I.%I', source_schema, v_tab) INTO v_total;
  UPDATE ddbrel.migrations mg SET status = 'loading', rows_total = v_total,
         started_at = coalesce(mg.started_at, now()), error = NULL
   WHERE mg.run = run AND mg.source_table = v_tab;
  v_resume := m.resume_after;
  v_done := m.rows_done;
  COMMIT;
  LOOP
    EXECUTE format('SELECT %s FROM %I.%I WHERE %s ORDER BY %s OFFSET %s LIMIT 1',
                   k.keytext, source_schema, v_tab, CASE WHEN v_resume IS NULL THEN 'true' ELSE k.after END,
                   k.keylist, batch_rows - 1)
      INTO v_upto USING v_resume;
    b := ddbrel._migrate_insert_batch(source_schema, target_schema, v_tab, v_cols, v_sel, k.after, k.upto,
                                      v_resume, v_upto);
    IF b.err_state IS NOT NULL THEN
      UPDATE ddbrel.migrations mg SET status = 'failed', error = b.err_message,
             load_seconds = mg.load_seconds + b.secs
       WHERE mg.run = run AND mg.source_table = v_tab;
      UPDATE ddbrel.migration_runs mr SET status = 'failed', finished_at = now() WHERE mr.run = run;
      COMMIT;
      RAISE EXCEPTION USING ERRCODE = b.err_state, MESSAGE = b.err_message,
        DETAIL = concat_ws(' ', nullif(b.err_detail, ''),
                           format('Migration run %s stopped in table "%s" after %s of %s rows.', run, v_tab, v_done, v_total)),
        HINT = concat_ws(' ', nullif(b.err_hint, ''),
                         'Fix the cause and CALL ddbrel.migrate() again with the same arguments: it resumes where it stopped.');
    END IF;
    v_done := v_done + b.n;
    rows_loaded := rows_loaded + b.n;
    load_time := load_time + b.secs;
    UPDATE ddbrel.migrations mg SET rows_done = v_done, resume_after = v_upto,
           load_seconds = mg.load_seconds + b.secs
     WHERE mg.run = run AND mg.source_table = v_tab
     RETURNING mg.load_seconds INTO v_secs;
    COMMIT;
    IF b.n > 0 OR v_first THEN
      RAISE NOTICE 'table "%": % of % rows loaded', v_tab, v_done, v_total
        USING DETAIL = format('%s rows/s.', CASE WHEN v_secs > 0 THEN round((v_done / v_secs)::numeric) ELSE 0 END);
    END IF;
    v_first := false;
    EXIT WHEN v_upto IS NULL;
    v_resume := v_upto;
  END LOOP;
  UPDATE ddbrel.migrations mg SET status = 'loaded', finished_at = now()
   WHERE mg.run = run AND mg.source_table = v_tab;
  COMMIT;
END $$;

-- Loading is over: INSERT into the entity foreign tables refuses existing
-- keys again.
CREATE FUNCTION _migrate_end_upsert(target_schema name, design jsonb)
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  x jsonb;
  rel regclass;
BEGIN
  FOR x IN SELECT y FROM jsonb_array_elements(design) y LOOP
    rel := format('%I.%I', target_schema, x->>'table')::regclass;
    IF ddbrel._ft_option(rel, 'upsert') IS NOT NULL THEN
      EXECUTE format('ALTER FOREIGN TABLE %s OPTIONS (DROP upsert)', rel);
    END IF;
  END LOOP;
END $$;

-- Declares the copied columns of the design (those not declared yet), once
-- the items carry their values: from then on an UPDATE of the parent's
-- column reaches its copies (ddbrel.declare_copy(), through the
-- relationship of the owning foreign key).
CREATE FUNCTION _migrate_declare_copies(target_schema name, design jsonb)
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  x jsonb;
  c jsonb;
  me regclass;
BEGIN
  FOR x IN SELECT y FROM jsonb_array_elements(design) y LOOP
    me := format('%I.%I', target_schema, x->>'table')::regclass;
    FOR c IN SELECT y FROM jsonb_array_elements(coalesce(x->'copies', '[]')) y LOOP
      CONTINUE WHEN EXISTS (SELECT FROM ddbrel.copies cp WHERE cp.target = me AND cp.target_column = c->>'column');
      PERFORM ddbrel.declare_copy(me, c->>'column', format('%I.%I', target_schema, c->>'source_table')::regclass,
                                  c->>'source_column', relationship => c->>'constraint');
    END LOOP;
  END LOOP;
END $$;

-- Verifies design entity x of run: its item count against the row count
-- of its source table, and with verify 'full' every row both ways (EXCEPT
-- ALL); adds the items to items.  A difference marks the table and the run
-- failed (committed) and raises an error.
CREATE PROCEDURE _migrate_verify_table(run integer, source_schema name, target_schema name, x jsonb,
                                       verify text, INOUT items bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_variable
DECLARE
  v_tab name := x->>'table';
  v_cols text;
  v_rows bigint;
  v_n bigint;
  v_missing bigint := 0;
  v_extra bigint := 0;
  v_msg text;
BEGIN
  EXECUTE format('SELECT count(*) FROM %I.%I', source_schema, v_tab) INTO v_rows;
  EXECUTE format('SELECT count(*) FROM %I.%I', target_schema, v_tab) INTO v_n;
  IF verify = 'full' THEN
    SELECT string_agg(format('%I', y->>'name'), ', ') INTO v_cols FROM jsonb_array_elements(x->'columns') y;
    BEGIN
      EXECUTE format('SELECT count(*) FROM (SELECT %s FROM %I.%I EXCEPT ALL SELECT %s FROM %I.%I) d',
                     v_cols, source_schema, v_tab, v_cols, target_schema, v_tab) INTO v_missing;
      EXECUTE format('SELECT count(*) FROM (SELECT %s FROM %I.%I EXCEPT ALL SELECT %s FROM %I.%I) d',
                     v_cols, target_schema, v_tab, v_cols, source_schema, v_tab) INTO v_extra;
    EXCEPTION WHEN undefined_function THEN
      RAISE NOTICE 'table "%" has columns that cannot be compared; only counts are verified', v_tab;
    END;
  END IF;
  IF v_n <> v_rows OR v_missing > 0 OR v_extra > 0 THEN
    v_msg := CASE WHEN v_n <> v_rows
                  THEN format('table "%s" has %s items in DynamoDB and %s rows in schema "%s"', v_tab, v_n, v_rows, source_schema)
                  ELSE format('table "%s" differs between schemas "%s" and "%s"', v_tab, source_schema, target_schema) END;
    UPDATE ddbrel.migrations mg SET status = 'failed', items = v_n, error = v_msg
     WHERE mg.run = run AND mg.source_table = v_tab;
    UPDATE ddbrel.migration_runs mr SET status = 'failed', finished_at = now() WHERE mr.run = run;
    COMMIT;
    RAISE EXCEPTION '%', v_msg
      USING ERRCODE = 'data_exception',
            DETAIL = CASE WHEN verify = 'full'
                          THEN format('%s rows of "%s.%s" are not in "%s.%s", and %s rows of "%s.%s" are not in "%s.%s".',
                                      v_missing, source_schema, v_tab, target_schema, v_tab, v_extra, target_schema, v_tab, source_schema, v_tab)
                          ELSE 'Rows were added or removed during the migration, or another writer uses the DynamoDB table.' END,
            HINT = 'CALL ddbrel.migrate() with restart => true loads every table again.';
  END IF;
  UPDATE ddbrel.migrations mg SET status = 'verified', items = v_n WHERE mg.run = run AND mg.source_table = v_tab;
  COMMIT;
  items := items + v_n;
  RAISE NOTICE 'table "%": % items for % rows%', v_tab, v_n, v_rows,
               CASE WHEN verify = 'full' THEN ', every row read back equal' ELSE '' END;
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
-- restart starts a new run that loads every table again.  copies (as for
-- ddbrel.design()) adds copied columns to child entities, filled from the
-- parent's rows during the load and declared with ddbrel.declare_copy().
CREATE PROCEDURE migrate(source_schema name, server name, target_table text, target_schema name,
                         owners jsonb DEFAULT '{}', prefixes jsonb DEFAULT '{}',
                         exclude name[] DEFAULT '{}', partition_key text DEFAULT 'PK',
                         sort_key text DEFAULT 'SK', gsi_name text DEFAULT 'GSI1',
                         type_attribute text DEFAULT NULL, verify text DEFAULT 'count',
                         batch_rows integer DEFAULT 10000, restart boolean DEFAULT false,
                         wait_seconds integer DEFAULT 300, copies jsonb DEFAULT '{}',
                         INOUT run integer DEFAULT NULL, INOUT tables integer DEFAULT NULL,
                         INOUT rows_loaded bigint DEFAULT NULL, INOUT items bigint DEFAULT NULL,
                         INOUT seconds numeric DEFAULT NULL, INOUT rows_per_second numeric DEFAULT NULL,
                         INOUT status text DEFAULT NULL)
LANGUAGE plpgsql AS $$
DECLARE
  t_start timestamptz := clock_timestamp();
  d jsonb;
  x jsonb;
  v_run integer;
  v_loaded bigint := 0;
  v_load_secs double precision := 0;
  v_items bigint := 0;
BEGIN
  PERFORM ddbrel._migrate_check_args(source_schema, server, target_table, target_schema, verify, batch_rows);
  d := ddbrel._design(source_schema, owners, prefixes, exclude, partition_key, sort_key, gsi_name, type_attribute,
                      copies);
  IF jsonb_array_length(d) = 0 THEN
    RAISE EXCEPTION 'schema "%" has no tables to migrate', source_schema USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  IF NOT restart THEN
    v_run := ddbrel._migrate_resumable_run(source_schema, server, target_table, target_schema, d);
  END IF;
  PERFORM ddbrel._migrate_prepare(server, target_table, target_schema, d, partition_key, sort_key,
                                  gsi_name, type_attribute, wait_seconds, v_run);
  v_run := ddbrel._migrate_start_run(v_run, source_schema, server, target_table, target_schema, d);
  COMMIT;
  FOR x IN SELECT y FROM jsonb_array_elements(d) y LOOP
    CALL ddbrel._migrate_load_table(v_run, source_schema, target_schema, x, batch_rows, v_loaded, v_load_secs);
  END LOOP;
  PERFORM ddbrel._migrate_end_upsert(target_schema, d);
  PERFORM ddbrel._migrate_declare_copies(target_schema, d);
  COMMIT;
  IF verify <> 'none' THEN
    FOR x IN SELECT y FROM jsonb_array_elements(d) y LOOP
      CALL ddbrel._migrate_verify_table(v_run, source_schema, target_schema, x, verify, v_items);
    END LOOP;
  END IF;
  UPDATE ddbrel.migration_runs mr SET status = 'done', finished_at = now() WHERE mr.run = v_run;
  COMMIT;
  run := v_run;
  tables := jsonb_array_length(d);
  rows_loaded := v_loaded;
  items := CASE WHEN verify <> 'none' THEN v_items END;
  seconds := round(extract(epoch FROM clock_timestamp() - t_start)::numeric, 3);
  rows_per_second := CASE WHEN v_load_secs > 0 THEN round((v_loaded / v_load_secs)::numeric) END;
  status := 'done';
END $$;
