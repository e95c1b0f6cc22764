/*-------------------------------------------------------------------------
 * import_sql.c
 *	  The SQL text IMPORT FOREIGN SCHEMA writes, for raw tables (import.c)
 *	  and modeling libraries' entities (import_lib.c) alike: identifiers and
 *	  unique names, CREATE FOREIGN TABLE and its column lines, template
 *	  literals, and the SQL type of what sampling saw.
 *
 * Below both importers, so that neither calls the other for its text.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"

#include "ddbrel.h"
#include "import.h"

/*
 * DynamoDB types and the SQL type of a column holding them; an attribute's
 * types seen while sampling are a bit mask over this array.
 */
static const struct
{
	const char *av;
	const char *sql;
}			type_map[] =
{
	{"S", "text"}, {"N", "numeric"}, {"B", "bytea"}, {"BOOL", "boolean"},
	{"NULL", "text"}, {"M", "jsonb"}, {"L", "jsonb"}, {"SS", "text[]"},
	{"NS", "numeric[]"}, {"BS", "bytea[]"}
};
StaticAssertDecl(lengthof(type_map) == DDB_IMPORT_NTYPES,
				 "SeenAttr.counts has one count per type_map entry");

#define T_NULL	(1 << 4)

/* The DynamoDB type name of type_map entry i ("S", "N" ...). */
const char *
ddb_import_type_name(int i)
{
	return type_map[i].av;
}

/*
 * Lower-case identifier made of [a-z0-9_] from key text, or NULL when none
 * is left: hole names must satisfy the template grammar.
 */
char *
ddb_import_ident(const char *s)
{
	StringInfoData buf;
	const char *p;

	initStringInfo(&buf);
	for (p = s; *p; p++)
	{
		unsigned char c = pg_ascii_tolower((unsigned char) *p);

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			appendStringInfoChar(&buf, c);
		else if (buf.len > 0 && buf.data[buf.len - 1] != '_')
			appendStringInfoChar(&buf, '_');
	}
	while (buf.len > 0 && buf.data[buf.len - 1] == '_')
		buf.data[--buf.len] = '\0';
	if (buf.len == 0)
		return NULL;
	if (buf.data[0] >= '0' && buf.data[0] <= '9')
		return psprintf("_%s", buf.data);
	return buf.data;
}

/* Whether a table or column name is taken already. */
bool
ddb_import_name_used(List *used, const char *name)
{
	ListCell   *lc;

	foreach(lc, used)
		if (strcmp((char *) lfirst(lc), name) == 0)
			return true;
	return false;
}

/* Returns base, or base_2, base_3 ... not yet in *used, and records it. */
char *
ddb_import_unique_name(List **used, const char *base)
{
	char	   *name = pstrdup(base);
	int			n = 2;

	while (ddb_import_name_used(*used, name))
		name = psprintf("%s_%d", base, n++);
	*used = lappend(*used, name);
	return name;
}

/*
 * Appends "  colname type [OPTIONS (attribute 'Name')] [COLLATE "C"]" to
 * buf, naming the attribute only when the column name does not already say
 * it.  A type given as "text COLLATE ..." has its collation put after the
 * options, where CREATE FOREIGN TABLE wants it.
 */
void
ddb_import_append_column(StringInfo buf, const char *colname, const char *type,
			  const char *attrname)
{
	const char *collate = strstr(type, " COLLATE ");

	if (buf->data[buf->len - 1] != '(')
		appendStringInfoChar(buf, ',');
	appendStringInfo(buf, "\n  %s %.*s", quote_identifier(colname),
					 collate ? (int) (collate - type) : (int) strlen(type), type);
	if (attrname && strcmp(attrname, colname) != 0)
		appendStringInfo(buf, " OPTIONS (attribute %s)",
						 quote_literal_cstr(attrname));
	if (collate)
		appendStringInfoString(buf, collate);
}

/* Opens "CREATE FOREIGN TABLE name (" for a statement. */
void
ddb_import_begin_table(StringInfo buf, const char *name)
{
	initStringInfo(buf);
	appendStringInfo(buf, "CREATE FOREIGN TABLE %s (", quote_identifier(name));
}

/* Index of a DynamoDB type in type_map (an unknown one is kept as JSON). */
int
ddb_import_type_index(const char *t)
{
	int			i;

	for (i = 0; i < (int) lengthof(type_map); i++)
		if (strcmp(t, type_map[i].av) == 0)
			return i;
	return 5;					/* M */
}

/*
 * The SQL type of a column reading a key attribute of DynamoDB type t (S,
 * N or B).  Strings are compared under COLLATE "C", which orders them as
 * DynamoDB orders keys (by their bytes): so ranges and ORDER BY on the
 * column can become key conditions, whatever the database's collation.
 */
const char *
ddb_import_key_sql_type(const char *t)
{
	if (strcmp(t, "S") == 0)
		return "text COLLATE \"C\"";
	return type_map[ddb_import_type_index(t)].sql;
}

/* Doubles braces so that literal key text survives template parsing. */
void
ddb_import_template_literal(StringInfo buf, const char *s)
{
	for (; *s; s++)
	{
		if (*s == '{' || *s == '}')
			appendStringInfoChar(buf, *s);
		appendStringInfoChar(buf, *s);
	}
}

/* SQL type of an attribute: one type seen (NULL aside), else jsonb. */
const char *
ddb_import_sql_type(int types)
{
	int			i;

	if ((types & ~T_NULL) != 0)
		types &= ~T_NULL;
	for (i = 0; i < (int) lengthof(type_map); i++)
		if (types == (1 << i))
			return type_map[i].sql;
	return "jsonb";
}
