-- ===========================================================================
-- sql/src/catalog.sql: the C the SQL functions below stand on (src/catalog.c)
-- Key templates are parsed by the one grammar of src/template.c, columns are
-- resolved by src/option.c, and DescribeTable comes from the per-backend
-- cache the planner uses; nothing here re-implements them.
-- ===========================================================================

-- Template parts: literal text (braces unescaped) and hole names, in order;
-- an error for a template the grammar rejects.
CREATE FUNCTION template_parts(template text, OUT ord int, OUT hole boolean, OUT part text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'ddbrel_template_parts'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- The key a template composes from hole values (a JSON object keyed by hole
-- name), refused when a value would not read back as itself.
CREATE FUNCTION compose_key(template text, "values" jsonb)
RETURNS text
AS 'MODULE_PATHNAME', 'ddbrel_compose_key'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- The hole values of a key, as a scan reads them; NULL if it does not match.
CREATE FUNCTION parse_key(template text, key text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ddbrel_parse_key'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Hole names of a template, in order ({} when it has none).
CREATE FUNCTION _template_holes(t text) RETURNS name[]
AS 'MODULE_PATHNAME', 'ddbrel_template_holes'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- A template with its holes emptied: two templates of one shape compose the
-- same keys from the same values, whatever their columns are called.
CREATE FUNCTION _template_shape(t text) RETURNS text
AS 'MODULE_PATHNAME', 'ddbrel_template_shape'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- The literal text before the first hole: what every key of it begins with.
CREATE FUNCTION _template_prefix(t text) RETURNS text
AS 'MODULE_PATHNAME', 'ddbrel_template_prefix'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- The template with hole from_[i] renamed to_[i]; NULL if a hole is not in from_.
CREATE FUNCTION _template_rename(t text, from_ name[], to_ name[]) RETURNS text
AS 'MODULE_PATHNAME', 'ddbrel_template_rename'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Whether the grammar takes a name as a hole name.
CREATE FUNCTION _template_hole_name_ok(n text) RETURNS boolean
AS 'MODULE_PATHNAME', 'ddbrel_template_hole_name_ok'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- How many holes a template may have.
CREATE FUNCTION _template_max_holes() RETURNS int
AS 'MODULE_PATHNAME', 'ddbrel_template_max_holes'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- The template as adjacency-list designs write keys: USER#<user_id>.
CREATE FUNCTION _template_render(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT string_agg(CASE WHEN p.hole THEN '<' || p.part || '>' ELSE p.part END, '' ORDER BY p.ord)
    FROM ddbrel.template_parts(t) p
$$;

-- Server, DynamoDB table, key templates and entity type of a ddbrel foreign
-- table, as the scans resolve them (templates parsed, holes bound to
-- columns); no DynamoDB request.
CREATE FUNCTION _entity_options(rel regclass, OUT server name, OUT dynamodb_table text,
                                OUT pk_template text, OUT sk_template text,
                                OUT type_attribute text, OUT type_value text)
AS 'MODULE_PATHNAME', 'ddbrel_entity_options'
LANGUAGE C STABLE STRICT;

-- Where each column of a ddbrel foreign table takes its value: source
-- 'attribute' (attribute: the DynamoDB attribute it reads, key attributes
-- matched ignoring case), 'document' (the whole item) or 'template' (hole
-- "hole" of template "template" on key attribute "attribute").  Key
-- attribute names not set as options come from DescribeTable: USAGE on the
-- server is required.
CREATE FUNCTION entity_columns(rel regclass)
RETURNS TABLE (attnum smallint, column_name name, source text, attribute text,
               template text, hole name)
AS 'MODULE_PATHNAME', 'ddbrel_entity_columns'
LANGUAGE C STABLE STRICT;

-- The keys of a DynamoDB table and of its indexes, from the DescribeTable
-- cache (refresh empties it first): the table's row first (index_name NULL,
-- index_kind 'table'), then one row per index ('global' or 'local').
-- Requires USAGE on the server; no rows when missing_ok and it is missing.
CREATE FUNCTION describe_table(server name, table_name text, missing_ok boolean DEFAULT false,
                               refresh boolean DEFAULT false)
RETURNS TABLE (index_name text, index_kind text, partition_key text, partition_key_type text,
               sort_key text, sort_key_type text, projection text, non_key_attributes text[])
AS 'MODULE_PATHNAME', 'ddbrel_describe_table'
LANGUAGE C VOLATILE STRICT;

-- One option of a foreign table, as written (NULL if not set).
CREATE FUNCTION _ft_option(rel regclass, opt text) RETURNS text
LANGUAGE sql STABLE STRICT AS $$
  SELECT substr(o, length(opt) + 2)
    FROM pg_catalog.pg_foreign_table ft, unnest(ft.ftoptions) o
   WHERE ft.ftrelid = rel AND left(o, length(opt) + 1) = opt || '='
$$;

