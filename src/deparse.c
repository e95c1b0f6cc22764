/*-------------------------------------------------------------------------
 * deparse.c
 *	  DynamoDB expression texts (postgres_fdw's deparse.c writes all remote
 *	  text the same way): the placeholder builder, qual classification
 *	  (which WHERE conditions bind key attributes, which become a
 *	  FilterExpression, and which stay local), key conditions and
 *	  projections, and the condition and update expressions of writes.
 *
 * A condition is pushed only where DynamoDB's semantics equal PostgreSQL's
 * for the column's type; then it is not rechecked.  A condition DynamoDB
 * can only approximate (a superset) may narrow the request, but stays local.
 * Every name and value travels as a #name / :value placeholder.
 *-------------------------------------------------------------------------
 */
#include "ddbrel.h"

#include <ctype.h>

#include "access/stratnum.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_opfamily.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/pg_locale.h"
#include "utils/syscache.h"
#include "catalog/pg_am.h"
#include "catalog/pg_database.h"
#include "miscadmin.h"

#include "codec_core.h"

/* ----------------------------------------------------------------
 * Expression builder: every name and value becomes a placeholder
 * ----------------------------------------------------------------
 */

/*
 * Starts the names and values of one request: the expressions of a
 * request share them, so one builder serves all of its expressions.
 */
void
ddb_expr_init(DdbExprBuilder *b)
{
	b->names = cJSON_CreateObject();
	b->values = cJSON_CreateObject();
	b->nnames = 0;
	b->nvalues = 0;
}

/* The #placeholder of an attribute name, reusing one already assigned. */
const char *
ddb_expr_name(DdbExprBuilder *b, const char *attr)
{
	cJSON	   *e;
	char		ph[16];

	cJSON_ArrayForEach(e, b->names)
		if (cJSON_IsString(e) && strcmp(e->valuestring, attr) == 0)
		return e->string;
	snprintf(ph, sizeof(ph), "#n%d", b->nnames++);
	cJSON_AddStringToObject(b->names, ph, attr);
	return cJSON_GetObjectItemCaseSensitive(b->names, ph)->string;
}

/* The :placeholder of a value (an AttributeValue object, now owned by b). */
const char *
ddb_expr_value(DdbExprBuilder *b, cJSON *av)
{
	char		ph[16];

	snprintf(ph, sizeof(ph), ":v%d", b->nvalues++);
	cJSON_AddItemToObject(b->values, ph, av);
	return cJSON_GetObjectItemCaseSensitive(b->values, ph)->string;
}

/* A string AttributeValue, {"S": s}: key texts and template prefixes. */
cJSON *
ddb_av_string(const char *s)
{
	cJSON	   *av = cJSON_CreateObject();

	cJSON_AddStringToObject(av, "S", s);
	return av;
}

/*
 * Forgets the names and values added since the builder had nnames and
 * nvalues of them: a condition that turned out not to be pushable must not
 * leave placeholders behind (DynamoDB rejects unused ones).
 */
void
ddb_expr_rollback(DdbExprBuilder *b, int nnames, int nvalues)
{
	char		ph[16];

	while (b->nnames > nnames)
	{
		snprintf(ph, sizeof(ph), "#n%d", --b->nnames);
		cJSON_DeleteItemFromObjectCaseSensitive(b->names, ph);
	}
	while (b->nvalues > nvalues)
	{
		snprintf(ph, sizeof(ph), ":v%d", --b->nvalues);
		cJSON_DeleteItemFromObjectCaseSensitive(b->values, ph);
	}
}

/* Adds the names and values maps to a request, when not empty. */
void
ddb_expr_attach(DdbExprBuilder *b, cJSON *req)
{
	if (b->nnames > 0)
		cJSON_AddItemToObject(req, "ExpressionAttributeNames", b->names);
	else
		cJSON_Delete(b->names);
	if (b->nvalues > 0)
		cJSON_AddItemToObject(req, "ExpressionAttributeValues", b->values);
	else
		cJSON_Delete(b->values);
	b->names = b->values = NULL;
}

/* Strips binary-compatible casts so "col::text = x" still names col. */
static Node *
strip_relabel(Node *n)
{
	while (n && IsA(n, RelabelType))
		n = (Node *) ((RelabelType *) n)->arg;
	return n;
}

/* The column of this relation that n is, or NULL. */
static DdbColumn *
column_of(DdbRelOptions *opts, Index relid, Node *n)
{
	Var		   *v;
	int			i;

	n = strip_relabel(n);
	if (n == NULL || !IsA(n, Var))
		return NULL;
	v = (Var *) n;
	if (v->varno != relid || v->varlevelsup != 0 || v->varattno <= 0)
		return NULL;
	for (i = 0; i < opts->ncolumns; i++)
		if (opts->columns[i].attnum == v->varattno)
			return &opts->columns[i];
	return NULL;
}

/* A value known before the scan starts: no own Vars, nothing volatile. */
static bool
is_scan_constant(Node *n, Index relid)
{
	Relids		varnos;
	bool		result;

	if (n == NULL || contain_volatile_functions(n))
		return false;
#if PG_VERSION_NUM >= 140000
	varnos = pull_varnos(NULL, n);
#else
	varnos = pull_varnos(n);
#endif
	result = !bms_is_member(relid, varnos);
	bms_free(varnos);
	return result;
}

/*
 * Whether a locale name is a C locale with UTF-8 encoding ("C.UTF-8",
 * "C.utf8"): glibc's (since 2.35, and Debian's before it) sorts by code
 * point, and in UTF-8 that is the order of the bytes.
 */
static bool
locale_is_c_utf8(const char *name)
{
	return name != NULL && (pg_strcasecmp(name, "C.UTF-8") == 0 ||
							pg_strcasecmp(name, "C.UTF8") == 0);
}

/*
 * Whether a collation orders strings like DynamoDB (bytewise): C, POSIX,
 * glibc's C.UTF-8 and PostgreSQL 17's builtin C.UTF-8, as a collation of
 * their own or as the database's default.  Every other collation orders
 * by language rules, and what depends on order stays local.
 */
bool
ddb_collation_is_c(Oid coll)
{
	HeapTuple	tp;
	bool		result = false;

	if (coll == InvalidOid || coll == C_COLLATION_OID || coll == POSIX_COLLATION_OID)
		return true;
#if PG_VERSION_NUM < 170000
	if (lc_collate_is_c(coll))
		return true;
#else
	/* builtin C and C.UTF-8 say so themselves */
	if (pg_newlocale_from_collation(coll)->collate_is_c)
		return true;
#endif
	if (coll == DEFAULT_COLLATION_OID)
	{
		/* the database's own: a libc C.UTF-8 */
		tp = SearchSysCache1(DATABASEOID, ObjectIdGetDatum(MyDatabaseId));
		if (HeapTupleIsValid(tp))
		{
			Form_pg_database db = (Form_pg_database) GETSTRUCT(tp);
			bool		isnull;
			Datum		d;

			if (db->datlocprovider == COLLPROVIDER_LIBC)
			{
				d = SysCacheGetAttr(DATABASEOID, tp, Anum_pg_database_datcollate, &isnull);
				result = !isnull && locale_is_c_utf8(TextDatumGetCString(d));
			}
			ReleaseSysCache(tp);
		}
		return result;
	}
	tp = SearchSysCache1(COLLOID, ObjectIdGetDatum(coll));
	if (HeapTupleIsValid(tp))
	{
		Form_pg_collation c = (Form_pg_collation) GETSTRUCT(tp);
		bool		isnull;
		Datum		d;

		if (c->collprovider == COLLPROVIDER_LIBC)
		{
			d = SysCacheGetAttr(COLLOID, tp, Anum_pg_collation_collcollate, &isnull);
			result = !isnull && locale_is_c_utf8(TextDatumGetCString(d));
		}
		ReleaseSysCache(tp);
	}
	return result;
}

#define bytewise_collation(c) ddb_collation_is_c(c)

/* Whether equality under a collation is byte equality. */
static bool
deterministic_collation(Oid coll)
{
	if (coll == InvalidOid || bytewise_collation(coll))
		return true;
	return get_collation_isdeterministic(coll);
}

/* Btree strategy of opno for the column's type, or 0 (and NE for "<>"). */
#define DDB_STRATEGY_NE 100
static int
comparison_strategy(Oid opno, Oid coltype)
{
	Oid			opclass = GetDefaultOpClass(getBaseType(coltype), BTREE_AM_OID);
	Oid			family;
	Oid			neg;

	if (!OidIsValid(opclass))
		return 0;
	family = get_opclass_family(opclass);
	if (op_in_opfamily(opno, family))
		return get_op_opfamily_strategy(opno, family);
	neg = get_negator(opno);
	if (OidIsValid(neg) && op_in_opfamily(neg, family) &&
		get_op_opfamily_strategy(neg, family) == BTEqualStrategyNumber)
		return DDB_STRATEGY_NE;
	return 0;
}

/*
 * The literal prefix of a LIKE pattern (backslash escapes), and whether the
 * pattern is exactly that prefix followed by one '%'.  *is_equal is set for
 * patterns without wildcards.
 */
static char *
like_prefix(const char *pat, bool *exact, bool *is_equal)
{
	StringInfoData buf;
	const char *p;

	initStringInfo(&buf);
	*exact = false;
	*is_equal = false;
	for (p = pat; *p; p++)
	{
		if (*p == '\\')
		{
			if (p[1] == '\0')
				return NULL;	/* PostgreSQL rejects this pattern */
			appendStringInfoChar(&buf, *++p);
		}
		else if (*p == '%')
		{
			*exact = (p[1] == '\0');
			return buf.data;
		}
		else if (*p == '_')
			return buf.data;
		else
			appendStringInfoChar(&buf, *p);
	}
	*is_equal = true;
	*exact = true;
	return buf.data;
}

/*
 * Classifies one clause that compares a column of the relation with a
 * scan-constant value.  Returns NULL for anything else.
 */
DdbQual *
ddb_classify_qual(DdbRelOptions *opts, Index relid, Expr *clause)
{
	DdbQual    *q = palloc0(sizeof(DdbQual));

	q->clause = clause;
	if (IsA(clause, OpExpr) && list_length(((OpExpr *) clause)->args) == 2)
	{
		OpExpr	   *op = (OpExpr *) clause;
		Node	   *l = linitial(op->args);
		Node	   *r = lsecond(op->args);
		Oid			opno = op->opno;
		RegProcedure fn = get_opcode(opno);

		q->col = column_of(opts, relid, l);
		if (q->col == NULL)
		{
			q->col = column_of(opts, relid, r);
			if (q->col == NULL)
				return NULL;
			/* value op column: use the commutator */
			r = l;
			opno = get_commutator(opno);
			if (!OidIsValid(opno))
				return NULL;
			fn = get_opcode(opno);
		}
		if (!is_scan_constant(r, relid))
			return NULL;
		q->value = (Expr *) r;
		q->collation = op->inputcollid;
		if (fn == F_TEXTLIKE || fn == F_STARTS_WITH)
		{
			Node	   *rv = strip_relabel(r);
			bool		exact;
			bool		is_equal;
			char	   *s;

			if (!IsA(rv, Const) || ((Const *) rv)->constisnull)
				return NULL;
			s = TextDatumGetCString(((Const *) rv)->constvalue);
			if (fn == F_STARTS_WITH)
			{
				q->prefix = s;
				q->exact = true;
			}
			else
			{
				q->prefix = like_prefix(s, &exact, &is_equal);
				if (q->prefix == NULL)
					return NULL;
				q->exact = exact;
				if (is_equal)
				{
					q->kind = DDB_QUAL_EQ;
					q->value = (Expr *) makeConst(TEXTOID, -1, DEFAULT_COLLATION_OID, -1,
												  CStringGetTextDatum(q->prefix), false, false);
					return q;
				}
			}
			q->kind = DDB_QUAL_PREFIX;
			return q;
		}
		switch (comparison_strategy(opno, q->col->typid))
		{
			case BTEqualStrategyNumber:
				q->kind = DDB_QUAL_EQ;
				break;
			case BTLessStrategyNumber:
				q->kind = DDB_QUAL_LT;
				break;
			case BTLessEqualStrategyNumber:
				q->kind = DDB_QUAL_LE;
				break;
			case BTGreaterStrategyNumber:
				q->kind = DDB_QUAL_GT;
				break;
			case BTGreaterEqualStrategyNumber:
				q->kind = DDB_QUAL_GE;
				break;
			case DDB_STRATEGY_NE:
				q->kind = DDB_QUAL_NE;
				break;
			default:
				return NULL;
		}
		return q;
	}
	if (IsA(clause, FuncExpr) && ((FuncExpr *) clause)->funcid == F_STARTS_WITH)
	{
		FuncExpr   *f = (FuncExpr *) clause;
		Node	   *rv;

		q->col = column_of(opts, relid, linitial(f->args));
		rv = strip_relabel(lsecond(f->args));
		if (q->col == NULL || !IsA(rv, Const) || ((Const *) rv)->constisnull)
			return NULL;
		q->prefix = TextDatumGetCString(((Const *) rv)->constvalue);
		q->exact = true;
		q->kind = DDB_QUAL_PREFIX;
		q->collation = f->inputcollid;
		return q;
	}
	if (IsA(clause, ScalarArrayOpExpr))
	{
		ScalarArrayOpExpr *sa = (ScalarArrayOpExpr *) clause;

		if (!sa->useOr || list_length(sa->args) != 2)
			return NULL;
		q->col = column_of(opts, relid, linitial(sa->args));
		if (q->col == NULL || !is_scan_constant(lsecond(sa->args), relid))
			return NULL;
		if (comparison_strategy(sa->opno, q->col->typid) != BTEqualStrategyNumber)
			return NULL;
		q->kind = DDB_QUAL_IN;
		q->value = (Expr *) lsecond(sa->args);
		q->collation = sa->inputcollid;
		return q;
	}
	if (IsA(clause, NullTest))
	{
		NullTest   *nt = (NullTest *) clause;

		q->col = column_of(opts, relid, (Node *) nt->arg);
		if (q->col == NULL || nt->argisrow)
			return NULL;
		q->kind = nt->nulltesttype == IS_NULL ? DDB_QUAL_IS_NULL : DDB_QUAL_NOT_NULL;
		return q;
	}
	if (IsA(clause, Var) && exprType((Node *) clause) == BOOLOID)
	{
		q->col = column_of(opts, relid, (Node *) clause);
		if (q->col == NULL)
			return NULL;
		q->kind = DDB_QUAL_EQ;
		q->value = (Expr *) makeBoolConst(true, false);
		return q;
	}
	if (IsA(clause, BoolExpr) && ((BoolExpr *) clause)->boolop == NOT_EXPR &&
		IsA(linitial(((BoolExpr *) clause)->args), Var) &&
		exprType(linitial(((BoolExpr *) clause)->args)) == BOOLOID)
	{
		q->col = column_of(opts, relid, linitial(((BoolExpr *) clause)->args));
		if (q->col == NULL)
			return NULL;
		q->kind = DDB_QUAL_EQ;
		q->value = (Expr *) makeBoolConst(false, false);
		return q;
	}
	return NULL;
}

/* ----------------------------------------------------------------
 * Values
 * ----------------------------------------------------------------
 */

/* A codec descriptor for a value of the given type (for key and filter values). */
DdbColumn *
ddb_value_column(Oid typid)
{
	DdbColumn  *col = palloc0(sizeof(DdbColumn));

	col->typid = typid;
	col->typmod = -1;
	col->colname = "value";
	col->attrname = "value";
	ddb_codec_column_init(col);
	return col;
}

/* ----------------------------------------------------------------
 * FilterExpression
 * ----------------------------------------------------------------
 */

/* A text constant that no non-string attribute could read as (see codec). */
static bool
text_unambiguous(const char *s)
{
	if (ddb_number_valid(s) || strcmp(s, "true") == 0 || strcmp(s, "false") == 0)
		return false;
	return s[0] != '{' && s[0] != '[';
}

/*
 * The filter AttributeValue for comparing a column of category cat with a
 * constant, or NULL when DynamoDB would not compare them as PostgreSQL does.
 * *tag receives the DynamoDB type of the value.
 */
static cJSON *
filter_value(DdbColumn *col, Const *c, bool equality, const char **tag)
{
	cJSON	   *av;
	char	   *s;
	Oid			base = getBaseType(col->typid);

	if (c->constisnull)
		return NULL;
	switch (col->category)
	{
		case DDB_TYPE_TEXT:
			if (base != TEXTOID && base != VARCHAROID)
				return NULL;
			if (!equality)
				return NULL;	/* numbers read as text compare differently */
			s = ddb_value_text(c->constvalue, c->consttype);
			if (!text_unambiguous(s))
				return NULL;
			*tag = "S";
			return ddb_av_string(s);
		case DDB_TYPE_NUMBER:
			if (base == FLOAT4OID || base == FLOAT8OID)
				return NULL;	/* binary floats are not decimal numbers */
			if (c->consttype != INT2OID && c->consttype != INT4OID &&
				c->consttype != INT8OID && c->consttype != NUMERICOID)
				return NULL;
			s = ddb_value_text(c->constvalue, c->consttype);
			if (!ddb_number_valid(s))
				return NULL;
			*tag = "N";
			av = cJSON_CreateObject();
			cJSON_AddStringToObject(av, "N", s);
			return av;
		case DDB_TYPE_EPOCH:
			/* a time kept as a number compares as its number */
			if (getBaseType(c->consttype) != base ||
				!ddb_time_is_finite(c->constvalue, c->consttype))
				return NULL;
			*tag = "N";
			av = cJSON_CreateObject();
			cJSON_AddStringToObject(av, "N", ddb_time_epoch_text(c->constvalue, c->consttype,
																  col->format));
			return av;
		case DDB_TYPE_BOOL:
			if (c->consttype != BOOLOID || !equality)
				return NULL;
			*tag = "BOOL";
			av = cJSON_CreateObject();
			cJSON_AddBoolToObject(av, "BOOL", DatumGetBool(c->constvalue));
			return av;
		default:
			return NULL;
	}
}

static cJSON *
type_av(const char *tag)
{
	return ddb_av_string(tag);
}

/*
 * jsonb containment of simple values, "doc @> '{"status": "shipped"}'" on
 * a document column (or on a map attribute), as path equalities.  Exact
 * only for scalars: strings that no binary value's base64 could spell,
 * numbers, booleans and null; arrays are left to PostgreSQL.
 */
static bool
containment_filter(DdbExprBuilder *b, StringInfo out, const char *path, JsonbValue *v,
				   JsonbIterator **it)
{
	JsonbIteratorToken tok;
	JsonbValue	key;
	JsonbValue	val;
	bool		any = false;

	(void) v;
	while ((tok = JsonbIteratorNext(it, &key, true)) != WJB_DONE)
	{
		char	   *name;
		char	   *sub;

		if (tok == WJB_END_OBJECT)
			break;
		if (tok != WJB_KEY)
			return false;
		name = pnstrdup(key.val.string.val, key.val.string.len);
		sub = path ? psprintf("%s.%s", path, ddb_expr_name(b, name)) : pstrdup(ddb_expr_name(b, name));
		tok = JsonbIteratorNext(it, &val, true);
		if (tok == WJB_BEGIN_OBJECT)
		{
			if (!containment_filter(b, out, sub, &val, it))
				return false;
			any = true;
			continue;
		}
		if (tok != WJB_VALUE)
			return false;	/* arrays: containment is not equality */
		if (out->len > 0)
			appendStringInfoString(out, " AND ");
		switch (val.type)
		{
			case jbvString:
				{
					char	   *str = pnstrdup(val.val.string.val, val.val.string.len);

					/* a B attribute reads as a base64 string */
					if (ddb_base64_decode(str, strlen(str), NULL) >= 0)
						return false;
					appendStringInfo(out, "%s = %s", sub, ddb_expr_value(b, ddb_av_string(str)));
				}
				break;
			case jbvNumeric:
				{
					cJSON	   *av = cJSON_CreateObject();
					char	   *num = DatumGetCString(DirectFunctionCall1(numeric_out,
																		  NumericGetDatum(val.val.numeric)));

					if (!ddb_number_valid(num))
						return false;
					cJSON_AddStringToObject(av, "N", num);
					appendStringInfo(out, "%s = %s", sub, ddb_expr_value(b, av));
				}
				break;
			case jbvBool:
				{
					cJSON	   *av = cJSON_CreateObject();

					cJSON_AddBoolToObject(av, "BOOL", val.val.boolean);
					appendStringInfo(out, "%s = %s", sub, ddb_expr_value(b, av));
				}
				break;
			case jbvNull:
				appendStringInfo(out, "attribute_type(%s, %s)", sub,
								 ddb_expr_value(b, type_av("NULL")));
				break;
			default:
				return false;
		}
		any = true;
	}
	return any;
}

/* "col @> const" on a document or jsonb attribute column, if exact. */
static bool
deparse_containment(DdbRelOptions *opts, Index relid, OpExpr *op, DdbExprBuilder *b,
					StringInfo buf, List *forbidden)
{
	DdbColumn  *col = column_of(opts, relid, linitial(op->args));
	Node	   *r = strip_relabel(lsecond(op->args));
	Jsonb	   *jb;
	JsonbIterator *it;
	JsonbValue	v;
	StringInfoData sub;
	ListCell   *lc;

	if (col == NULL || !IsA(r, Const) || ((Const *) r)->constisnull ||
		((Const *) r)->consttype != JSONBOID)
		return false;
	if (col->source != DDB_COL_DOCUMENT &&
		!(col->source == DDB_COL_ATTRIBUTE && col->category == DDB_TYPE_JSON))
		return false;
	if (col->source == DDB_COL_ATTRIBUTE)
		foreach(lc, forbidden)
			if (strcmp((char *) lfirst(lc), col->attrname) == 0)
			return false;
	jb = DatumGetJsonbP(((Const *) r)->constvalue);
	if (!JB_ROOT_IS_OBJECT(jb))
		return false;
	it = JsonbIteratorInit(&jb->root);
	if (JsonbIteratorNext(&it, &v, true) != WJB_BEGIN_OBJECT)
		return false;
	initStringInfo(&sub);
	if (!containment_filter(b, &sub,
							col->source == DDB_COL_DOCUMENT ? NULL : ddb_expr_name(b, col->attrname),
							&v, &it))
		return false;			/* the caller rolls the placeholders back */
	/* a document's top-level keys are attributes: keys of the table stay out */
	if (col->source == DDB_COL_DOCUMENT)
		foreach(lc, forbidden)
		{
			const char *fk = lfirst(lc);
			cJSON	   *e;

			cJSON_ArrayForEach(e, b->names)
				if (strcmp(e->valuestring, fk) == 0 && strstr(sub.data, e->string))
				return false;
		}
	appendStringInfo(buf, "(%s)", sub.data);
	return true;
}

/*
 * Appends the FilterExpression form of a qual to buf, or returns false
 * (leaving buf as it was) when the qual cannot be pushed exactly.
 * Attributes in forbidden (key attributes of a Query) are never filtered.
 */
static bool
deparse_filter(DdbRelOptions *opts, Index relid, Expr *clause, DdbExprBuilder *b,
			   StringInfo buf, List *forbidden)
{
	DdbQual    *q;
	const char *name;
	const char *tag = NULL;
	cJSON	   *av;
	ListCell   *lc;

	if (IsA(clause, BoolExpr) && ((BoolExpr *) clause)->boolop != NOT_EXPR)
	{
		BoolExpr   *be = (BoolExpr *) clause;
		StringInfoData sub;
		bool		first = true;

		initStringInfo(&sub);
		appendStringInfoChar(&sub, '(');
		foreach(lc, be->args)
		{
			if (!first)
				appendStringInfoString(&sub, be->boolop == AND_EXPR ? " AND " : " OR ");
			first = false;
			if (!deparse_filter(opts, relid, lfirst(lc), b, &sub, forbidden))
				return false;	/* the caller rolls the placeholders back */
		}
		appendStringInfoChar(&sub, ')');
		appendStringInfoString(buf, sub.data);
		return true;
	}

	if (IsA(clause, OpExpr) && list_length(((OpExpr *) clause)->args) == 2 &&
		get_opcode(((OpExpr *) clause)->opno) == F_JSONB_CONTAINS)
		return deparse_containment(opts, relid, (OpExpr *) clause, b, buf, forbidden);
	q = ddb_classify_qual(opts, relid, clause);
	/* a column read from a key when the attribute is missing: only rows can tell */
	if (q == NULL || q->col->source != DDB_COL_ATTRIBUTE || q->col->read_from_key)
		return false;
	/*
	 * A column that reads values of the wrong type as NULL: DynamoDB sees
	 * those values, so only equality (never true of them, as of NULL) is
	 * its own; IS NULL, <> and ranges (a number out of the column's range)
	 * are checked here.
	 */
	if (q->col->wrong_type_null && q->kind != DDB_QUAL_EQ && q->kind != DDB_QUAL_IN)
		return false;
	foreach(lc, forbidden)
		if (strcmp((char *) lfirst(lc), q->col->attrname) == 0)
		return false;

	switch (q->kind)
	{
		case DDB_QUAL_IS_NULL:
			name = ddb_expr_name(b, q->col->attrname);
			appendStringInfo(buf, "(attribute_not_exists(%s) OR attribute_type(%s, %s))",
							 name, name, ddb_expr_value(b, type_av("NULL")));
			return true;
		case DDB_QUAL_NOT_NULL:
			name = ddb_expr_name(b, q->col->attrname);
			appendStringInfo(buf, "(attribute_exists(%s) AND NOT attribute_type(%s, %s))",
							 name, name, ddb_expr_value(b, type_av("NULL")));
			return true;
		case DDB_QUAL_PREFIX:
			if (!q->exact || q->col->category != DDB_TYPE_TEXT ||
				!deterministic_collation(q->collation))
				return false;
			/* a number read as text could start with the prefix too */
			if (q->prefix[0] == '\0' || strchr("-0123456789{[tf", q->prefix[0]))
				return false;
			name = ddb_expr_name(b, q->col->attrname);
			appendStringInfo(buf, "begins_with(%s, %s)", name,
							 ddb_expr_value(b, ddb_av_string(q->prefix)));
			return true;
		case DDB_QUAL_IN:
			{
				Node	   *arr = strip_relabel((Node *) q->value);
				Const	   *c = (Const *) arr;
				Datum	   *elems;
				bool	   *nulls;
				int			n;
				int			i;
				int			nonnull;
				int16		elmlen;
				bool		elmbyval;
				char		elmalign;
				Oid			elemtype;
				StringInfoData sub;

				if (!IsA(arr, Const) || c->constisnull)
					return false;
				elemtype = get_element_type(c->consttype);
				get_typlenbyvalalign(elemtype, &elmlen, &elmbyval, &elmalign);
				deconstruct_array(DatumGetArrayTypeP(c->constvalue), elemtype, elmlen,
								  elmbyval, elmalign, &elems, &nulls, &n);
				/*
				 * A NULL element is never equal to anything: in a filter (only
				 * AND and OR above it, never NOT) it is as good as absent.
				 * Without elements the condition is never true; that stays
				 * local, as it costs nothing there.
				 */
				for (i = 0, nonnull = 0; i < n; i++)
					if (!nulls[i])
						nonnull++;
				if (nonnull == 0 || nonnull > DDB_LIMIT_IN_OPERANDS)
					return false;
				initStringInfo(&sub);
				name = ddb_expr_name(b, q->col->attrname);
				appendStringInfo(&sub, "%s IN (", name);
				for (i = 0, nonnull = 0; i < n; i++)
				{
					Const	   *ec;

					if (nulls[i])
						continue;
					ec = makeConst(elemtype, -1, q->collation, elmlen, elems[i], false, elmbyval);
					av = filter_value(q->col, ec, true, &tag);
					if (av == NULL)
						return false;
					appendStringInfo(&sub, "%s%s", nonnull++ > 0 ? ", " : "", ddb_expr_value(b, av));
				}
				appendStringInfoChar(&sub, ')');
				if (q->col->category == DDB_TYPE_TEXT && !deterministic_collation(q->collation))
					return false;
				appendStringInfoString(buf, sub.data);
				return true;
			}
		default:
			break;
	}

	/* comparisons with a constant */
	if (q->value == NULL || !IsA(strip_relabel((Node *) q->value), Const))
		return false;
	if (q->col->category == DDB_TYPE_TEXT && !deterministic_collation(q->collation))
		return false;
	av = filter_value(q->col, (Const *) strip_relabel((Node *) q->value),
					  q->kind == DDB_QUAL_EQ || q->kind == DDB_QUAL_NE, &tag);
	if (av == NULL)
		return false;
	name = ddb_expr_name(b, q->col->attrname);
	switch (q->kind)
	{
		case DDB_QUAL_EQ:
			appendStringInfo(buf, "%s = %s", name, ddb_expr_value(b, av));
			break;
		case DDB_QUAL_NE:
			/*
			 * DynamoDB's <> is true for a missing or NULL attribute, SQL's is
			 * not; for values of other types both say "different" (a number
			 * read as text differs from a text constant that is no number).
			 */
			appendStringInfo(buf, "(attribute_exists(%s) AND NOT attribute_type(%s, %s) AND %s <> %s)",
							 name, name, ddb_expr_value(b, type_av("NULL")), name,
							 ddb_expr_value(b, av));
			break;
		case DDB_QUAL_LT:
			appendStringInfo(buf, "%s < %s", name, ddb_expr_value(b, av));
			break;
		case DDB_QUAL_LE:
			appendStringInfo(buf, "%s <= %s", name, ddb_expr_value(b, av));
			break;
		case DDB_QUAL_GT:
			appendStringInfo(buf, "%s > %s", name, ddb_expr_value(b, av));
			break;
		case DDB_QUAL_GE:
			appendStringInfo(buf, "%s >= %s", name, ddb_expr_value(b, av));
			break;
		default:
			return false;
	}
	return true;
}

/*
 * Bytes the names and values of a builder take in the request, counting
 * only placeholders numbered from nnames and nvalues on.
 */
static size_t
substitution_bytes(DdbExprBuilder *b, int nnames, int nvalues)
{
	size_t		total = 0;
	cJSON	   *e;

	cJSON_ArrayForEach(e, b->names)
		if (atoi(e->string + 2) >= nnames)
		total += strlen(e->string) + strlen(e->valuestring);
	cJSON_ArrayForEach(e, b->values)
		if (atoi(e->string + 2) >= nvalues)
		{
			char	   *text = cJSON_PrintUnformatted(e);

			total += strlen(e->string) + strlen(text);
		}
	return total;
}

/* Room left for key values, which the executor adds to a request. */
#define DDB_KEY_VALUES_RESERVE 8192

/*
 * Appends every qual of quals that can be pushed exactly to the filter
 * (joined by AND) and returns the rest.  A qual that would take the filter
 * over DynamoDB's size limits (4 KB of expression, 2 MB of names and
 * values) stays local too.
 */
List *
ddb_build_filter(DdbRelOptions *opts, Index relid, List *quals, DdbExprBuilder *b,
				 StringInfo filter, List *forbidden)
{
	List	   *local = NIL;
	ListCell   *lc;
	size_t		subst = substitution_bytes(b, 0, 0);

	foreach(lc, quals)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);
		StringInfoData one;
		int			nnames = b->nnames;
		int			nvalues = b->nvalues;
		size_t		added = 0;
		bool		ok;

		initStringInfo(&one);
		ok = deparse_filter(opts, relid, ri->clause, b, &one, forbidden);
		if (ok)
		{
			added = substitution_bytes(b, nnames, nvalues);
			ok = filter->len + (filter->len > 0 ? 5 : 0) + one.len <= DDB_LIMIT_EXPRESSION_BYTES &&
				subst + added <= DDB_LIMIT_SUBSTITUTION_BYTES - DDB_KEY_VALUES_RESERVE;
		}
		if (!ok)
		{
			ddb_expr_rollback(b, nnames, nvalues);
			local = lappend(local, ri);
		}
		else
		{
			if (filter->len > 0)
				appendStringInfoString(filter, " AND ");
			appendStringInfoString(filter, one.data);
			subst += added;
		}
	}
	return local;
}

/* ----------------------------------------------------------------
 * Key conditions, entity filters, projections
 * ----------------------------------------------------------------
 */

/*
 * A Query's KeyConditionExpression: the partition key equal to pk_value,
 * and a sort key condition of kind op on sk_value (and sk_value2, the
 * upper end of BETWEEN).  The values are placeholders: the executor's
 * (":k0") for values known only then, or the builder's for constants.
 * The names are taken in this order (partition key, sort key) before any
 * other expression of the request takes its own.
 */
/* Appends " AND " and the sort key condition op on skn to buf. */
static void
append_sort_term(StringInfo buf, DdbSortKeyOp op, const char *skn, const char *sk_value,
				 const char *sk_value2)
{
	switch (op)
	{
		case DDB_SK_EQ:
			appendStringInfo(buf, " AND %s = %s", skn, sk_value);
			break;
		case DDB_SK_BEGINS_WITH:
			appendStringInfo(buf, " AND begins_with(%s, %s)", skn, sk_value);
			break;
		case DDB_SK_LT:
			appendStringInfo(buf, " AND %s < %s", skn, sk_value);
			break;
		case DDB_SK_LE:
			appendStringInfo(buf, " AND %s <= %s", skn, sk_value);
			break;
		case DDB_SK_GT:
			appendStringInfo(buf, " AND %s > %s", skn, sk_value);
			break;
		case DDB_SK_GE:
			appendStringInfo(buf, " AND %s >= %s", skn, sk_value);
			break;
		case DDB_SK_BETWEEN:
			appendStringInfo(buf, " AND %s BETWEEN %s AND %s", skn, sk_value, sk_value2);
			break;
		case DDB_SK_NONE:
			break;
	}
}

char *
ddb_deparse_key_condition(DdbExprBuilder *b, const char *pk_attr, const char *pk_value,
						  DdbSortKeyOp op, const char *sk_attr, const char *sk_value,
						  const char *sk_value2)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%s = %s", ddb_expr_name(b, pk_attr), pk_value);
	if (op != DDB_SK_NONE)
		append_sort_term(&buf, op, ddb_expr_name(b, sk_attr), sk_value, sk_value2);
	return buf.data;
}

/*
 * The KeyConditionExpression of a Query on an index with multi-attribute
 * keys: each attribute of eq_attrs (char *) equal to its placeholder in
 * eq_values (char *), in that order (every partition-key attribute, then
 * the sort-key attributes bound by equality, left to right), then the
 * condition op on the next sort-key attribute, as above.  DynamoDB wants
 * one term per key attribute, joined by AND.
 */
char *
ddb_deparse_key_condition_multi(DdbExprBuilder *b, List *eq_attrs, List *eq_values,
								DdbSortKeyOp op, const char *sk_attr, const char *sk_value,
								const char *sk_value2)
{
	StringInfoData buf;
	ListCell   *ac;
	ListCell   *vc;

	initStringInfo(&buf);
	forboth(ac, eq_attrs, vc, eq_values)
		appendStringInfo(&buf, "%s%s = %s", buf.len ? " AND " : "",
						 ddb_expr_name(b, (const char *) lfirst(ac)), (const char *) lfirst(vc));
	if (op != DDB_SK_NONE)
		append_sort_term(&buf, op, ddb_expr_name(b, sk_attr), sk_value, sk_value2);
	return buf.data;
}

/*
 * Appends to a FilterExpression (joined by AND) the test that attribute
 * at->attr has the shape of key template at: equal to its text when it has
 * no holes, else beginning with its literal prefix.  For a Scan of an
 * entity table, whose filter may name key attributes, so that DynamoDB
 * sends back only the entity's items.
 */
void
ddb_deparse_template_filter(DdbExprBuilder *b, StringInfo filter, DdbAttrTemplate *at)
{
	char		err[256];
	char	   *p = ddb_template_prefix(at->tmpl, NULL, 0, err, sizeof(err));

	appendStringInfo(filter, at->tmpl->nholes == 0 ? "%s%s = %s" : "%sbegins_with(%s, %s)",
					 filter->len ? " AND " : "", ddb_expr_name(b, at->attr),
					 ddb_expr_value(b, ddb_av_string(p)));
}

/*
 * Appends to a FilterExpression (joined by AND) the tests that the entity's
 * identifier attributes (type_attribute among them) hold their values; all
 * but bound_attr, the partition key attribute the request binds already.
 */
void
ddb_deparse_identifier_filter(DdbExprBuilder *b, StringInfo filter, DdbRelOptions *opts,
							  const char *bound_attr)
{
	ListCell   *lc;

	foreach(lc, opts->identifiers)
	{
		DdbIdentifier *id = lfirst(lc);

		if (bound_attr && strcmp(bound_attr, id->attr) == 0)
			continue;
		appendStringInfo(filter, "%s%s = %s", filter->len ? " AND " : "",
						 ddb_expr_name(b, id->attr),
						 ddb_expr_value(b, ddb_av_string(id->value)));
	}
}

/*
 * The ProjectionExpression of the attributes named in attrs (char *), or
 * NULL when it would be longer than DynamoDB takes: then the request reads
 * whole items, and the names this took are given back.  DynamoDB refuses
 * a path named twice, so each attribute is named once however often attrs
 * has it (a column may read a key or the type attribute too).
 */
char *
ddb_deparse_projection(DdbExprBuilder *b, List *attrs)
{
	StringInfoData pe;
	List	   *names = NIL;
	int			nnames = b->nnames;
	int			nvalues = b->nvalues;
	ListCell   *lc;

	foreach(lc, attrs)
		if (!list_member(names, makeString(lfirst(lc))))
			names = lappend(names, makeString(lfirst(lc)));
	initStringInfo(&pe);
	foreach(lc, names)
		appendStringInfo(&pe, "%s%s", pe.len ? ", " : "", ddb_expr_name(b, strVal(lfirst(lc))));
	if (pe.len <= DDB_LIMIT_EXPRESSION_BYTES)
		return pe.data;
	ddb_expr_rollback(b, nnames, nvalues);
	return NULL;
}

/* Whether a key attribute comparison under collation coll orders like DynamoDB. */
bool
ddb_key_order_matches(DdbQual *q)
{
	if (q->col->category == DDB_TYPE_TEXT)
		return bytewise_collation(q->collation);
	if (q->col->category == DDB_TYPE_EPOCH)
		return true;			/* epoch numbers order as their times */
	return q->col->category == DDB_TYPE_NUMBER || q->col->category == DDB_TYPE_BYTEA;
}

/* Whether opno is the equality of typid's default btree operator class (join.c). */
bool
ddb_type_equality(Oid opno, Oid typid)
{
	return comparison_strategy(opno, typid) == BTEqualStrategyNumber;
}

/* Whether equality under collation coll is byte equality of text (join.c). */
bool
ddb_collation_exact(Oid coll)
{
	return deterministic_collation(coll);
}

/* Integer types compare by value across widths: 7::int2 = 7::int8, both "7". */
static bool
integer_type(Oid typid)
{
	return typid == INT2OID || typid == INT4OID || typid == INT8OID;
}

/*
 * Whether a condition on a key template hole's column may bind the key:
 * the key text it composes must name exactly the items whose column
 * satisfies it.  The column's type must have canonical texts (codec.c),
 * the compared value must be of that type (or, for integers, of any
 * integer type), so that equal values mean equal texts: "day =
 * '2024-01-05'::timestamp" compares a date with a timestamp, and
 * "inv_id = 7.0" must find the key "INV#7".  Text must be compared under a
 * deterministic collation, and a prefix (LIKE) only on text.
 */
bool
ddb_hole_condition_exact(DdbQual *q)
{
	Oid			colbase = getBaseType(q->col->typid);
	Oid			valtype;

	if (q->col->source == DDB_COL_DOCUMENT || !ddb_hole_type_canonical(colbase))
		return false;
	if (q->kind == DDB_QUAL_PREFIX)
		return (colbase == TEXTOID || colbase == VARCHAROID) &&
			deterministic_collation(q->collation);
	if (q->kind != DDB_QUAL_EQ && q->kind != DDB_QUAL_IN)
		return false;
	valtype = exprType(strip_relabel((Node *) q->value));
	if (q->kind == DDB_QUAL_IN)
		valtype = get_element_type(valtype);
	valtype = getBaseType(valtype);
	if (colbase == VARCHAROID)
		colbase = TEXTOID;
	if (valtype == VARCHAROID)
		valtype = TEXTOID;
	if (valtype != colbase && !(integer_type(valtype) && integer_type(colbase)))
		return false;
	return ddb_key_equality_exact(q);
}

/*
 * Whether a range condition (<, <=, >, >=) on a key template hole's column
 * may bound the key: the hole holds text compared bytewise, as DynamoDB
 * compares keys, with a text constant or parameter.  Holes of other types
 * do not qualify: their texts need not sort like their values.
 */
bool
ddb_hole_range_exact(DdbQual *q)
{
	Oid			colbase = getBaseType(q->col->typid);
	Oid			valtype;

	if (q->kind != DDB_QUAL_LT && q->kind != DDB_QUAL_LE &&
		q->kind != DDB_QUAL_GT && q->kind != DDB_QUAL_GE)
		return false;
	if (q->col->source == DDB_COL_DOCUMENT ||
		(colbase != TEXTOID && colbase != VARCHAROID))
		return false;
	valtype = getBaseType(exprType(strip_relabel((Node *) q->value)));
	if (valtype != TEXTOID && valtype != VARCHAROID)
		return false;
	return bytewise_collation(q->collation);
}

/*
 * Whether the value of a condition on a date or time column kept as an
 * epoch number is of the column's own type, so that its epoch number
 * compares as PostgreSQL compares the values (a date against a timestamptz
 * depends on the time zone).
 */
bool
ddb_epoch_value_fits(DdbQual *q)
{
	Oid			valtype = exprType(strip_relabel((Node *) q->value));

	if (q->kind == DDB_QUAL_IN)
		valtype = get_element_type(valtype);
	return getBaseType(valtype) == getBaseType(q->col->typid);
}

bool
ddb_key_equality_exact(DdbQual *q)
{
	if (q->col->category == DDB_TYPE_TEXT)
		return deterministic_collation(q->collation);
	return true;
}

/*
 * Adds a condition's own expression to a request's builder: its
 * placeholders renamed to b's (names reused, values added), so conditions
 * made apart (by a write, by a locked read) combine into one request.
 * DynamoDB expressions have no string literals, so every '#' or ':'
 * starts a placeholder.
 */
char *
ddb_expr_import(DdbExprBuilder *b, const DdbCond *c)
{
	StringInfoData out;
	const char *p = c->expr;

	initStringInfo(&out);
	while (*p)
	{
		if (*p == '#' || *p == ':')
		{
			const char *q = p + 1;
			char	   *ph;
			cJSON	   *e;

			while (*q && (isalnum((unsigned char) *q) || *q == '_'))
				q++;
			ph = pnstrdup(p, q - p);
			e = cJSON_GetObjectItemCaseSensitive(*p == '#' ? c->names : c->values, ph);
			if (e == NULL)
				elog(ERROR, "condition placeholder \"%s\" has no value", ph);
			appendStringInfoString(&out, *p == '#' ? ddb_expr_name(b, e->valuestring)
								   : ddb_expr_value(b, cJSON_Duplicate(e, true)));
			p = q;
			continue;
		}
		appendStringInfoChar(&out, *p++);
	}
	return out.data;
}

/* ----------------------------------------------------------------
 * Write expressions: conditions and update expressions of writes
 * (modify.c composes the requests, txn.c the transactions)
 * ----------------------------------------------------------------
 */

/* A condition that travels apart from any request: b's maps move into it. */
DdbCond *
ddb_cond_make(DdbExprBuilder *b, const char *expr)
{
	DdbCond    *c = palloc0(sizeof(DdbCond));

	c->expr = pstrdup(expr);
	c->names = b->names;
	c->values = b->values;
	b->names = b->values = NULL;
	return c;
}

/* A deep copy of a condition in CurrentMemoryContext (NULL stays NULL). */
DdbCond *
ddb_cond_copy(const DdbCond *c)
{
	DdbCond    *r;

	if (c == NULL)
		return NULL;
	r = palloc0(sizeof(DdbCond));
	r->expr = pstrdup(c->expr);
	r->names = cJSON_Duplicate(c->names, true);
	r->values = cJSON_Duplicate(c->values, true);
	return r;
}

/* attribute_exists(attr) or attribute_not_exists(attr). */
char *
ddb_deparse_exists(DdbExprBuilder *b, const char *attr, bool exists)
{
	return psprintf("%s(%s)", exists ? "attribute_exists" : "attribute_not_exists",
					ddb_expr_name(b, attr));
}

/* attr = value (value is copied). */
char *
ddb_deparse_equals(DdbExprBuilder *b, const char *attr, const cJSON *av)
{
	const char *name = ddb_expr_name(b, attr);

	return psprintf("%s = %s", name, ddb_expr_value(b, cJSON_Duplicate(av, true)));
}

/*
 * Adds a ProjectionExpression of the table's key attributes to a request
 * that already has its placeholders (a Select=COUNT request turned into
 * one that returns the keys), with placeholders of their own.
 */
void
ddb_deparse_key_projection(cJSON *req, const char *pk, const char *sk)
{
	cJSON	   *names = cJSON_GetObjectItemCaseSensitive(req, "ExpressionAttributeNames");

	if (names == NULL)
		names = cJSON_AddObjectToObject(req, "ExpressionAttributeNames");
	cJSON_AddStringToObject(names, "#kp0", pk);
	if (sk)
		cJSON_AddStringToObject(names, "#kp1", sk);
	cJSON_AddStringToObject(req, "ProjectionExpression", sk ? "#kp0, #kp1" : "#kp0");
}

/* a AND b, where either may be NULL. */
char *
ddb_deparse_and(const char *a, const char *b)
{
	if (a == NULL || *a == '\0')
		return b ? pstrdup(b) : NULL;
	if (b == NULL || *b == '\0')
		return pstrdup(a);
	return psprintf("%s AND %s", a, b);
}

/*
 * "The item is as it was read": every attribute of item equal to its
 * value, and every attribute of absent missing.  The condition of a
 * locked read (SELECT ... FOR UPDATE) at COMMIT.
 */
char *
ddb_deparse_unchanged(DdbExprBuilder *b, const cJSON *item, List *absent)
{
	StringInfoData out;
	const cJSON *e;
	ListCell   *lc;

	initStringInfo(&out);
	cJSON_ArrayForEach(e, item)
		appendStringInfo(&out, "%s%s", out.len ? " AND " : "", ddb_deparse_equals(b, e->string, e));
	foreach(lc, absent)
		appendStringInfo(&out, "%s%s", out.len ? " AND " : "",
						 ddb_deparse_exists(b, (const char *) lfirst(lc), false));
	return out.data;
}

/*
 * The UpdateExpression of a patch: "SET #a = :v, #c = #c + :d REMOVE #r".
 * NULL when the patch changes nothing.
 */
char *
ddb_deparse_update(DdbExprBuilder *b, const DdbPatch *patch)
{
	StringInfoData set;
	StringInfoData remove;
	const cJSON *e;

	initStringInfo(&set);
	initStringInfo(&remove);
	cJSON_ArrayForEach(e, patch->set)
		appendStringInfo(&set, "%s%s", set.len ? ", " : "", ddb_deparse_equals(b, e->string, e));
	cJSON_ArrayForEach(e, patch->add)
	{
		const char *name = ddb_expr_name(b, e->string);

		appendStringInfo(&set, "%s%s = %s + %s", set.len ? ", " : "", name, name,
						 ddb_expr_value(b, cJSON_Duplicate(e, true)));
	}
	cJSON_ArrayForEach(e, patch->remove)
		appendStringInfo(&remove, "%s%s", remove.len ? ", " : "", ddb_expr_name(b, e->valuestring));
	if (set.len == 0 && remove.len == 0)
		return NULL;
	if (set.len && remove.len)
		return psprintf("SET %s REMOVE %s", set.data, remove.data);
	return set.len ? psprintf("SET %s", set.data) : psprintf("REMOVE %s", remove.data);
}
