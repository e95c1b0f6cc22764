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
