-- ddbrel--0.1.sql: install script of the ddbrel extension, made by the
-- Makefile from the files in sql/src (edit those, not this one).

-- ===========================================================================
-- sql/src/core.sql: the wrapper, request accounting, ddbrel.request(),
-- ddbrel.collection() and ddbrel.rewrite()
-- ===========================================================================

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
-- returned, consumed capacity, per operation; and the values read as NULL
-- because a column (wrong_type 'null') could not hold them.
CREATE FUNCTION stats(
    OUT operation text,
    OUT requests bigint,
    OUT retries bigint,
    OUT items_scanned bigint,
    OUT items_returned bigint,
    OUT capacity_units double precision,
    OUT wrong_type_nulls bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'ddbrel_stats'
LANGUAGE C STRICT VOLATILE;

CREATE FUNCTION stats_reset()
RETURNS void
AS 'MODULE_PATHNAME', 'ddbrel_stats_reset'
LANGUAGE C STRICT VOLATILE;

-- Capacity per DynamoDB table: the units this backend's requests consumed
-- (from DynamoDB's ConsumedCapacity) and the throttling answers they got
-- since stats_reset(), the budgets of the last statement (read_capacity,
-- write_capacity in units per second; NULL: none) and the rate each allows
-- now, lower than the budget for a while after DynamoDB throttled.
CREATE FUNCTION capacity(
    OUT server text,
    OUT "table" text,
    OUT read_units double precision,
    OUT write_units double precision,
    OUT read_throttles bigint,
    OUT write_throttles bigint,
    OUT read_budget double precision,
    OUT write_budget double precision,
    OUT read_rate double precision,
    OUT write_rate double precision)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'ddbrel_capacity'
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

-- Eager loading: a parent entity row and the rows of its
-- child entities that live in its partition, from one Query.
CREATE FUNCTION collection(parent regclass, key text, children regclass[])
RETURNS TABLE (entity regclass, "row" jsonb)
AS 'MODULE_PATHNAME', 'ddbrel_collection'
LANGUAGE C STRICT VOLATILE;
-- The same for a partition key of several values (a JSON object of hole
-- values), on the table (index NULL) or on a secondary index.
CREATE FUNCTION collection(parent regclass, keys jsonb, children regclass[], index text)
RETURNS TABLE (entity regclass, "row" jsonb)
AS 'MODULE_PATHNAME', 'ddbrel_collection_keys'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

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

