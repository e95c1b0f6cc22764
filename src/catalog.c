/*-------------------------------------------------------------------------
 * catalog.c
 *	  What ddbrel's SQL functions ask of C: key templates, the resolved
 *	  options of an entity foreign table, and the cached DescribeTable.
 *
 * The relationship catalog, ddbrel.design() and ddbrel.migrate() are
 * written in PL/pgSQL, but the rules they depend on live in C: the
 * template grammar (template.c, unit-tested and fuzzed), which DynamoDB
 * attribute each column reads (option.c), and what DescribeTable says of a
 * table (request.c, cached per backend).  This file exposes those rules to
 * SQL so that the install script calls them instead of keeping copies that
 * drift (a second parser that accepted templates this one rejects, a second
 * column resolver that missed the case-insensitive key-attribute rule).
 *
 * Functions that reach DynamoDB require USAGE on the foreign server, as
 * ddbrel.request() does: they send a request with the caller's user mapping.
 *
 * IDENTIFICATION
 *	  src/catalog.c
 *-------------------------------------------------------------------------
 */
#include "ddbrel.h"

#include "catalog/objectaddress.h"
#include "catalog/pg_class.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(ddbrel_template_parts);
PG_FUNCTION_INFO_V1(ddbrel_template_holes);
PG_FUNCTION_INFO_V1(ddbrel_template_shape);
PG_FUNCTION_INFO_V1(ddbrel_template_prefix);
PG_FUNCTION_INFO_V1(ddbrel_template_rename);
PG_FUNCTION_INFO_V1(ddbrel_template_hole_name_ok);
PG_FUNCTION_INFO_V1(ddbrel_template_max_holes);
PG_FUNCTION_INFO_V1(ddbrel_compose_key);
PG_FUNCTION_INFO_V1(ddbrel_parse_key);
PG_FUNCTION_INFO_V1(ddbrel_entity_options);
PG_FUNCTION_INFO_V1(ddbrel_entity_columns);
PG_FUNCTION_INFO_V1(ddbrel_describe_table);

/* ----------------------------------------------------------------
 * Templates
 * ----------------------------------------------------------------
 */

/*
 * The template core writes its reasons as lower-case clauses ("unterminated
 * \"{\" at position 5"); a DETAIL is a sentence.
 */
static char *
reason_sentence(const char *reason)
{
	char	   *s = psprintf("%s.", reason);

	s[0] = pg_toupper((unsigned char) s[0]);
	return s;
}

/* Parses a template with the one grammar there is, or raises why not. */
static ddb_template *
parse_template_arg(const char *text)
{
	char		err[256];
	ddb_template *t = ddb_template_parse(text, err, sizeof(err));

	if (t == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid key template \"%s\"", text),
				 errdetail("%s", reason_sentence(err))));
	return t;
}

/* Appends literal template text with its braces escaped again ("{{", "}}"). */
static void
append_escaped(StringInfo buf, const char *s, size_t len)
{
	size_t		i;

	for (i = 0; i < len; i++)
	{
		if (s[i] == '{' || s[i] == '}')
			appendStringInfoChar(buf, s[i]);
		appendStringInfoChar(buf, s[i]);
	}
}

/*
 * ddbrel.template_parts(template): the literal texts (braces unescaped) and
 * hole names of a template, in order.
 */
Datum
ddbrel_template_parts(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ddb_template *t = parse_template_arg(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	int			i;

	ddb_materialize_srf(fcinfo);
	for (i = 0; i < t->nparts; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = Int32GetDatum(i + 1);
		values[1] = BoolGetDatum(t->parts[i].is_hole);
		values[2] = PointerGetDatum(cstring_to_text_with_len(t->parts[i].text,
															 t->parts[i].len));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* ddbrel._template_holes(template): the hole names, in order ({} for none). */
Datum
ddbrel_template_holes(PG_FUNCTION_ARGS)
{
	ddb_template *t = parse_template_arg(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	Datum	   *names = palloc(sizeof(Datum) * Max(t->nholes, 1));
	int			h;

	for (h = 0; h < t->nholes; h++)
	{
		Name		n = palloc0(NAMEDATALEN);

		namestrcpy(n, t->holes[h]);
		names[h] = NameGetDatum(n);
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(names, t->nholes, NAMEOID, NAMEDATALEN,
										  false, TYPALIGN_CHAR));
}

/*
 * ddbrel._template_shape(template): the template with its holes emptied
 * ("USER#{}"), so two templates of one shape compose the same keys from
 * the same values, whatever their columns are called.
 */
Datum
ddbrel_template_shape(PG_FUNCTION_ARGS)
{
	ddb_template *t = parse_template_arg(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < t->nparts; i++)
	{
		if (t->parts[i].is_hole)
			appendStringInfoString(&buf, "{}");
		else
			append_escaped(&buf, t->parts[i].text, t->parts[i].len);
	}
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}

/*
 * ddbrel._template_prefix(template): the literal text before the first
 * hole, which every key of the template begins with.
 */
Datum
ddbrel_template_prefix(PG_FUNCTION_ARGS)
{
	ddb_template *t = parse_template_arg(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	char		err[256];
	char	   *prefix = ddb_template_prefix(t, NULL, 0, err, sizeof(err));

	if (prefix == NULL)
		elog(ERROR, "could not take the prefix of a key template: %s", err);
	PG_RETURN_TEXT_P(cstring_to_text(prefix));
}

/* Reads a name[] argument into C strings. */
static int
name_array_arg(ArrayType *arr, char ***out)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;

	deconstruct_array(arr, NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR, &elems, &nulls, &n);
	*out = palloc(sizeof(char *) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("column name arrays must not contain null")));
		(*out)[i] = NameStr(*DatumGetName(elems[i]));
	}
	return n;
}

/*
 * ddbrel._template_rename(template, from, to): the template with hole
 * from[i] renamed to[i]; NULL when a hole is not in from.  The result is
 * parsed again, so it is a template the grammar accepts, or an error.
 */
Datum
ddbrel_template_rename(PG_FUNCTION_ARGS)
{
	ddb_template *t = parse_template_arg(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	char	  **from;
	char	  **to;
	int			nfrom = name_array_arg(PG_GETARG_ARRAYTYPE_P(1), &from);
	int			nto = name_array_arg(PG_GETARG_ARRAYTYPE_P(2), &to);
	StringInfoData buf;
	int			i;

	if (nfrom != nto)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a renaming needs as many new names as old ones"),
				 errdetail("It has %d old and %d new names.", nfrom, nto)));
	initStringInfo(&buf);
	for (i = 0; i < t->nparts; i++)
	{
		int			k;

		if (!t->parts[i].is_hole)
		{
			append_escaped(&buf, t->parts[i].text, t->parts[i].len);
			continue;
		}
		for (k = 0; k < nfrom; k++)
			if (strcmp(from[k], t->parts[i].text) == 0)
				break;
		if (k == nfrom)
			PG_RETURN_NULL();
		appendStringInfo(&buf, "{%s}", to[k]);
	}
	ddb_template_free(parse_template_arg(buf.data));
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}

/*
 * ddbrel._template_hole_name_ok(name): whether the grammar takes name as a
 * hole name ("{name}" parses to that one hole).
 */
Datum
ddbrel_template_hole_name_ok(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ddb_template *t = ddb_template_parse(psprintf("{%s}", name), NULL, 0);
	bool		ok = t != NULL && t->nholes == 1 && strcmp(t->holes[0], name) == 0;

	ddb_template_free(t);
	PG_RETURN_BOOL(ok);
}

/* ddbrel._template_max_holes(): how many holes a template may have. */
Datum
ddbrel_template_max_holes(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(DDB_TEMPLATE_MAX_HOLES);
}

/* The text of a scalar jsonb value, or NULL for JSON null. */
static char *
jsonb_scalar_text(const JsonbValue *v, const char *key)
{
	switch (v->type)
	{
		case jbvNull:
			return NULL;
		case jbvString:
			return pnstrdup(v->val.string.val, v->val.string.len);
		case jbvNumeric:
			return DatumGetCString(DirectFunctionCall1(numeric_out,
													   NumericGetDatum(v->val.numeric)));
		case jbvBool:
			return pstrdup(v->val.boolean ? "true" : "false");
		default:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("value for hole \"%s\" must be a string, number or boolean", key)));
	}
	return NULL;				/* keep the compiler quiet */
}

/*
 * ddbrel.compose_key(template, values): the key the template composes from
 * values, a JSON object keyed by hole name; refused when a value would
 * not read back as itself (the promise of template.c).
 */
Datum
ddbrel_compose_key(PG_FUNCTION_ARGS)
{
	char	   *tmpl_text = text_to_cstring(PG_GETARG_TEXT_PP(0));
	Jsonb	   *jb = PG_GETARG_JSONB_P(1);
	ddb_template *t = parse_template_arg(tmpl_text);
	const char *values[DDB_TEMPLATE_MAX_HOLES] = {0};
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *key = NULL;
	char		err[256];
	char	   *out;

	if (!JB_ROOT_IS_OBJECT(jb))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("key values must be a JSON object keyed by hole name")));
	it = JsonbIteratorInit(&jb->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		int			h;

		if (tok == WJB_KEY)
		{
			key = pnstrdup(v.val.string.val, v.val.string.len);
			continue;
		}
		if (tok != WJB_VALUE)
			continue;
		h = ddb_template_hole_index(t, key);
		if (h < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("key template \"%s\" has no hole \"%s\"", tmpl_text, key)));
		values[h] = jsonb_scalar_text(&v, key);
	}
	out = ddb_template_compose(t, values, err, sizeof(err));
	if (out == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot compose a key of template \"%s\"", tmpl_text),
				 errdetail("%s", reason_sentence(err))));
	PG_RETURN_TEXT_P(cstring_to_text(out));
}

/*
 * ddbrel.parse_key(template, key): the hole values of a key as a JSON
 * object, read the way a scan reads key attributes; NULL when the key does
 * not match the template.
 */
Datum
ddbrel_parse_key(PG_FUNCTION_ARGS)
{
	ddb_template *t = parse_template_arg(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	text	   *keyt = PG_GETARG_TEXT_PP(1);
	ddb_slice	slices[DDB_TEMPLATE_MAX_HOLES];
	JsonbParseState *state = NULL;
	JsonbValue *res;
	int			h;

	if (!ddb_template_match(t, VARDATA_ANY(keyt), VARSIZE_ANY_EXHDR(keyt), slices))
		PG_RETURN_NULL();
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	for (h = 0; h < t->nholes; h++)
	{
		JsonbValue	k;
		JsonbValue	v;

		k.type = jbvString;
		k.val.string.val = (char *) t->holes[h];
		k.val.string.len = strlen(t->holes[h]);
		pushJsonbValue(&state, WJB_KEY, &k);
		v.type = jbvString;
		v.val.string.val = (char *) slices[h].ptr;
		v.val.string.len = slices[h].len;
		pushJsonbValue(&state, WJB_VALUE, &v);
	}
	res = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	PG_RETURN_JSONB_P(JsonbValueToJsonb(res));
}

/* ----------------------------------------------------------------
 * Checks and set-up shared by the SQL-callable functions
 * ----------------------------------------------------------------
 */

/*
 * Sets up a materialized set-returning call (the API was renamed in 16 and
 * did not exist before 15).
 */
void
ddb_materialize_srf(FunctionCallInfo fcinfo)
{
#if PG_VERSION_NUM >= 160000
	InitMaterializedSRF(fcinfo, 0);
#elif PG_VERSION_NUM >= 150000
	SetSingleFuncCall(fcinfo, 0);
#else
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext oldcxt;
	TupleDesc	tupdesc;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	oldcxt = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = tuplestore_begin_heap(true, false, work_mem);
	rsinfo->setDesc = CreateTupleDescCopy(tupdesc);
	MemoryContextSwitchTo(oldcxt);
#endif
}

/*
 * USAGE on a foreign server, PostgreSQL's gate for acting through it: every
 * SQL function that sends a request with the caller's user mapping (a
 * PUBLIC mapping serves any role) requires it.
 */
void
ddb_require_server_usage(Oid serverid)
{
	AclResult	aclresult;

#if PG_VERSION_NUM >= 160000
	aclresult = object_aclcheck(ForeignServerRelationId, serverid, GetUserId(), ACL_USAGE);
#else
	aclresult = pg_foreign_server_aclcheck(serverid, GetUserId(), ACL_USAGE);
#endif
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_FOREIGN_SERVER, GetForeignServer(serverid)->servername);
}

/*
 * SELECT on a foreign table whose whole rows a function returns: on the
 * table, or on every column of it (what a whole-row reference needs).
 */
void
ddb_require_table_select(Oid relid)
{
	Oid			userid = GetUserId();

	if (pg_class_aclcheck(relid, userid, ACL_SELECT) == ACLCHECK_OK)
		return;
	if (pg_attribute_aclcheck_all(relid, userid, ACL_SELECT, ACLMASK_ALL) == ACLCHECK_OK)
		return;
	aclcheck_error(ACLCHECK_NO_PRIV, get_relkind_objtype(get_rel_relkind(relid)),
				   get_rel_name(relid));
}

/* ----------------------------------------------------------------
 * Entity foreign tables
 * ----------------------------------------------------------------
 */

/*
 * Whether a foreign server belongs to this wrapper: its wrapper's handler
 * hands out our routines (whatever the handler function is called).
 */
bool
ddb_is_ddbrel_server(Oid serverid)
{
	ForeignDataWrapper *fdw = GetForeignDataWrapper(GetForeignServer(serverid)->fdwid);

	if (!OidIsValid(fdw->fdwhandler))
		return false;
	return GetFdwRoutine(fdw->fdwhandler)->GetForeignRelSize == ddbGetForeignRelSize;
}

/* Whether relid is a foreign table of this wrapper. */
bool
ddb_is_ddbrel_table(Oid relid)
{
	return get_rel_relkind(relid) == RELKIND_FOREIGN_TABLE &&
		ddb_is_ddbrel_server(GetForeignServerIdByRelId(relid));
}

void
ddb_require_ddbrel_server(ForeignServer *server)
{
	if (!ddb_is_ddbrel_server(server->serverid))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("server \"%s\" is not a ddbrel server", server->servername)));
}

static void
require_ddbrel_table(Oid relid)
{
	if (!ddb_is_ddbrel_table(relid))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a ddbrel foreign table", get_rel_name(relid))));
}

static Datum
text_or_null(const char *s, bool *isnull)
{
	*isnull = (s == NULL);
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

/*
 * ddbrel._entity_options(rel): server, DynamoDB table, key templates and
 * entity type of an entity foreign table, after option.c has resolved them
 * (templates parsed, their holes bound to columns).  No DynamoDB request:
 * key attribute names that DescribeTable would give are not asked for.
 */
Datum
ddbrel_entity_options(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	DdbRelOptions *opts;
	TupleDesc	tupdesc;
	Datum		values[6];
	bool		nulls[6];

	require_ddbrel_table(relid);
	opts = ddb_get_rel_options(relid);
	ddb_resolve_rel_options(opts, NULL);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	values[0] = DirectFunctionCall1(namein,
									CStringGetDatum(GetForeignServer(opts->serverid)->servername));
	nulls[0] = false;
	values[1] = text_or_null(opts->table, &nulls[1]);
	values[2] = text_or_null(opts->pk_template_text, &nulls[2]);
	values[3] = text_or_null(opts->sk_template_text, &nulls[3]);
	values[4] = text_or_null(opts->type_attribute, &nulls[4]);
	values[5] = text_or_null(opts->type_value, &nulls[5]);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * ddbrel.entity_columns(rel): for each column of an entity foreign table,
 * where a scan takes its value: a DynamoDB attribute (with the name it
 * resolves to, a key attribute's own spelling for "pk" and the like), the
 * whole item (document), or a hole of the pk or sk template.  Key attribute
 * names not set as options come from DescribeTable (cached).
 */
Datum
ddbrel_entity_columns(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			relid = PG_GETARG_OID(0);
	DdbRelOptions *opts;
	int			i;

	require_ddbrel_table(relid);
	ddb_require_server_usage(GetForeignServerIdByRelId(relid));
	opts = ddb_get_rel_options_as(relid, GetUserId());
	ddb_materialize_srf(fcinfo);
	for (i = 0; i < opts->ncolumns; i++)
	{
		DdbColumn  *col = &opts->columns[i];
		Datum		values[6];
		bool		nulls[6] = {false, false, false, true, true, true};
		const char *source = "attribute";

		values[0] = Int16GetDatum(col->attnum);
		values[1] = DirectFunctionCall1(namein, CStringGetDatum(col->colname));
		if (col->source == DDB_COL_ATTRIBUTE)
		{
			values[3] = CStringGetTextDatum(col->attrname);
			nulls[3] = false;
		}
		else if (col->source == DDB_COL_DOCUMENT)
			source = "document";
		else
		{
			ddb_template *t = col->tmpl_key == 0 ? opts->pk_template : opts->sk_template;
			const char *keyattr = col->tmpl_key == 0 ? opts->partition_key : opts->sort_key;

			source = "template";
			values[3] = text_or_null(keyattr, &nulls[3]);
			values[4] = CStringGetTextDatum(col->tmpl_key == 0 ?
											opts->pk_template_text : opts->sk_template_text);
			nulls[4] = false;
			values[5] = DirectFunctionCall1(namein, CStringGetDatum(t->holes[col->tmpl_hole]));
			nulls[5] = false;
		}
		values[2] = CStringGetTextDatum(source);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* ----------------------------------------------------------------
 * DescribeTable
 * ----------------------------------------------------------------
 */

/* The type (S, N or B) AttributeDefinitions give an attribute; NULL if none. */
static char *
defined_type(const DdbTableDesc *d, const char *attr)
{
	ListCell   *lc;

	if (attr == NULL)
		return NULL;
	for (lc = list_head(d->attr_types); lc; lc = lnext(d->attr_types, lnext(d->attr_types, lc)))
		if (strcmp((char *) lfirst(lc), attr) == 0)
			return (char *) lfirst(lnext(d->attr_types, lc));
	return NULL;
}

/*
 * The attributes of one side of a key and their types, each joined by ", "
 * (an index with multi-attribute keys has up to DDB_MAX_KEY_ATTRS); NULL
 * for none.
 */
static void
key_side(const DdbTableDesc *d, char *const *attrs, int n, char **names, char **types)
{
	StringInfoData nb;
	StringInfoData tb;
	int			i;

	*names = *types = NULL;
	if (n == 0 || attrs[0] == NULL)
		return;
	initStringInfo(&nb);
	initStringInfo(&tb);
	for (i = 0; i < n; i++)
	{
		char	   *t = defined_type(d, attrs[i]);

		appendStringInfo(&nb, "%s%s", i ? ", " : "", attrs[i]);
		appendStringInfo(&tb, "%s%s", i ? ", " : "", t ? t : "?");
	}
	*names = nb.data;
	*types = (n == 1 && defined_type(d, attrs[0]) == NULL) ? NULL : tb.data;
}

/* One row of describe_table: the table (ix NULL) or one of its indexes. */
static void
put_key_row(ReturnSetInfo *rsinfo, const DdbTableDesc *d, const DdbIndexDesc *ix)
{
	Datum		values[8];
	bool		nulls[8];
	char	   *pk;
	char	   *pkt;
	char	   *sk;
	char	   *skt;

	if (ix)
	{
		key_side(d, ix->pk_attrs, ix->npk, &pk, &pkt);
		key_side(d, ix->sk_attrs, ix->nsk, &sk, &skt);
	}
	else
	{
		key_side(d, &d->pk_attr, 1, &pk, &pkt);
		key_side(d, &d->sk_attr, d->sk_attr ? 1 : 0, &sk, &skt);
	}
	memset(nulls, false, sizeof(nulls));
	values[0] = text_or_null(ix ? ix->name : NULL, &nulls[0]);
	values[1] = CStringGetTextDatum(ix == NULL ? "table" : ix->global ? "global" : "local");
	values[2] = text_or_null(pk, &nulls[2]);
	values[3] = text_or_null(pkt, &nulls[3]);
	values[4] = text_or_null(sk, &nulls[4]);
	values[5] = text_or_null(skt, &nulls[5]);
	values[6] = CStringGetTextDatum(ix ? ix->projection : "ALL");
	if (ix && strcmp(ix->projection, "INCLUDE") == 0)
	{
		Datum	   *names = palloc(sizeof(Datum) * Max(list_length(ix->include), 1));
		ListCell   *lc;
		int			n = 0;

		foreach(lc, ix->include)
			names[n++] = CStringGetTextDatum((char *) lfirst(lc));
		values[7] = PointerGetDatum(construct_array(names, n, TEXTOID, -1, false, TYPALIGN_INT));
	}
	else
		nulls[7] = true;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * ddbrel.describe_table(server, table_name, missing_ok, refresh): the keys
 * of a DynamoDB table and of its indexes, from the DescribeTable cache the
 * planner uses (refresh empties it first).  The table's own row comes
 * first, with a NULL index name; no rows when missing_ok and the table
 * does not exist.
 */
Datum
ddbrel_describe_table(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ForeignServer *server = GetForeignServerByName(NameStr(*PG_GETARG_NAME(0)), false);
	char	   *table = text_to_cstring(PG_GETARG_TEXT_PP(1));
	bool		missing_ok = PG_GETARG_BOOL(2);
	bool		refresh = PG_GETARG_BOOL(3);
	DdbTableDesc *desc;
	ListCell   *lc;

	ddb_require_server_usage(server->serverid);
	ddb_require_ddbrel_server(server);
	ddb_materialize_srf(fcinfo);
	if (refresh)
		ddb_invalidate_table_cache();
	desc = ddb_describe_table(ddb_get_connection(server->serverid, GetUserId()), table,
							  missing_ok);
	if (desc == NULL)
		return (Datum) 0;
	put_key_row(rsinfo, desc, NULL);
	foreach(lc, desc->indexes)
		put_key_row(rsinfo, desc, (DdbIndexDesc *) lfirst(lc));
	return (Datum) 0;
}
