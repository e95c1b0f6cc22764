-- ===========================================================================
-- sql/src/migrate.sql: migration of a normalized schema into one DynamoDB table,
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
