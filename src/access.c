/*-------------------------------------------------------------------------
 * access.c
 *	  Which DynamoDB operation serves a relation's conditions: how each
 *	  condition binds a key attribute (raw columns, key templates), and the
 *	  cheapest of GetItem, BatchGetItem, Query on the table or an index, and
 *	  Scan, with its cost.
 *
 * planner.c asks this file for an access and builds the request around
 * it; nothing here builds request text.  An index is chosen only where no
 * item the query wants can be missing from it (a sparse index needs its
 * keys bound), and only as DynamoDB can query it: each partition-key
 * attribute by equality, sort-key attributes left to right.  An index
 * that does not project every attribute the query reads is still chosen
 * when it is the selective one: its items' keys are then looked up in the
 * table (Access.fetch).
 *-------------------------------------------------------------------------
 */
#include "access.h"

#include "access/sysattr.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

/* ----------------------------------------------------------------
 * Key binding
 * ----------------------------------------------------------------
 */

/* The DynamoDB type of a key attribute (AttributeDefinitions), 'S' if unknown. */
static char
key_type(DdbRelOptions *opts, const char *attr)
{
	ListCell   *lc;
	List	   *l;

	if (opts->desc == NULL)
		return 'S';
	l = opts->desc->attr_types;
	for (lc = list_head(l); lc && lnext(l, lc); lc = lnext(l, lnext(l, lc)))
		if (strcmp((char *) lfirst(lc), attr) == 0)
			return ((char *) lfirst(lnext(l, lc)))[0];
	return 'S';
}

/* Whether a raw column holds key attribute values of keytype exactly. */
static bool
column_fits_key(DdbColumn *col, char keytype)
{
	Oid			base = getBaseType(col->typid);

	switch (keytype)
	{
		case 'S':
			return col->category == DDB_TYPE_TEXT && (base == TEXTOID || base == VARCHAROID);
		case 'N':
			/* a date or time kept as an epoch number is its number */
			return (col->category == DDB_TYPE_NUMBER && base != FLOAT4OID && base != FLOAT8OID) ||
				col->category == DDB_TYPE_EPOCH;
		case 'B':
			return col->category == DDB_TYPE_BYTEA;
	}
	return false;
}

/*
 * Makes kb a binding of the given kind with nothing from the binding it
 * replaces: a stronger condition found later (an equality after an IN)
 * must not inherit the other's array position, prefix or conditions.
 */
static void
reset_bind(KeyBind *kb, KeyBindKind kind)
{
	kb->kind = kind;
	kb->exprs = NIL;
	kb->in_pos = -1;
	kb->in_ri = NULL;
	kb->extra = NULL;
	kb->lo = kb->hi = NULL;
	kb->consumed = NIL;
	kb->spec_mode = DDB_SPEC_WHOLE;
}

/* How a raw key spec's values become numbers: as epochs of col's format, or not. */
int
ddb_epoch_spec_mode(DdbColumn *col)
{
	if (col->category != DDB_TYPE_EPOCH)
		return DDB_SPEC_WHOLE;
	return col->format == DDB_FORMAT_EPOCH_MILLIS ? DDB_SPEC_EPOCH_MS : DDB_SPEC_EPOCH_S;
}

/* Whether a raw column reading attr holds values of that key attribute's type (join.c). */
bool
ddb_column_fits_key(DdbRelOptions *opts, DdbColumn *col, const char *attr)
{
	return column_fits_key(col, key_type(opts, attr));
}

/* Binding from conditions on a raw column that reads attr. */
static KeyBind *
bind_raw(const char *attr, char keytype, List *quals)
{
	KeyBind    *kb = palloc0(sizeof(KeyBind));
	ListCell   *lc;
	QualInfo   *lo = NULL;
	QualInfo   *hi = NULL;

	kb->attr = attr;
	kb->keytype = keytype;
	kb->which = -1;
	kb->in_pos = -1;
	foreach(lc, quals)
	{
		QualInfo   *qi = lfirst(lc);
		DdbQual    *q = qi->q;

		if (q == NULL || q->col->source != DDB_COL_ATTRIBUTE ||
			strcmp(q->col->attrname, attr) != 0 || !column_fits_key(q->col, keytype))
			continue;
		/* an epoch number is of the column's own type's value (a date is not a timestamp) */
		if (q->col->category == DDB_TYPE_EPOCH && !ddb_epoch_value_fits(q))
			continue;
		switch (q->kind)
		{
			case DDB_QUAL_EQ:
				if (kb->kind < KB_EQ && ddb_key_equality_exact(q))
				{
					reset_bind(kb, KB_EQ);
					kb->exprs = list_make1(q->value);
					kb->consumed = list_make1(qi->ri);
					kb->spec_mode = ddb_epoch_spec_mode(q->col);
				}
				break;
			case DDB_QUAL_IN:
				if (kb->kind < KB_IN && ddb_key_equality_exact(q))
				{
					reset_bind(kb, KB_IN);
					kb->exprs = list_make1(q->value);
					kb->in_pos = 0;
					kb->in_ri = qi->ri;
					kb->consumed = list_make1(qi->ri);
					kb->spec_mode = ddb_epoch_spec_mode(q->col);
				}
				break;
			case DDB_QUAL_PREFIX:
				if (kb->kind < KB_PREFIX && keytype == 'S' && q->prefix[0] != '\0')
				{
					reset_bind(kb, KB_PREFIX);
					kb->extra = q->prefix;
					kb->consumed = q->exact ? list_make1(qi->ri) : NIL;
				}
				break;
			case DDB_QUAL_LT:
			case DDB_QUAL_LE:
				if (!hi && ddb_key_order_matches(q))
					hi = qi;
				break;
			case DDB_QUAL_GT:
			case DDB_QUAL_GE:
				if (!lo && ddb_key_order_matches(q))
					lo = qi;
				break;
			default:
				break;
		}
	}
	if (kb->kind < KB_RANGE && (lo || hi))
	{
		reset_bind(kb, KB_RANGE);
		kb->lo = lo ? lo->q : NULL;
		kb->hi = hi ? hi->q : NULL;
		/* with both ends DynamoDB has only the inclusive BETWEEN: strict ends stay local */
		if (lo && (!hi || lo->q->kind == DDB_QUAL_GE))
			kb->consumed = lappend(kb->consumed, lo->ri);
		if (hi && (!lo || hi->q->kind == DDB_QUAL_LE))
			kb->consumed = lappend(kb->consumed, hi->ri);
	}
	return kb;
}

/*
 * Whether every text is a value of the hole's column as it is (text): then
 * begins_with on the literal before a trailing hole is exactly "matches".
 * Typed holes also need their text to be canonical, checked on each item.
 */
bool
ddb_hole_takes_any_text(DdbRelOptions *opts, const char *hole)
{
	int			i;

	for (i = 0; i < opts->ncolumns; i++)
		if (strcmp(opts->columns[i].colname, hole) == 0)
			return ddb_key_text_free(&opts->columns[i]);
	return false;
}

/*
 * Whether a condition on hole h of t, bound into the key, must still be
 * checked on each row: the key holds a transform of the value (every
 * spelling with that transform shares the key), or the column reads an
 * attribute of its own that the key only finds.
 */
static bool
hole_needs_recheck(DdbRelOptions *opts, ddb_template *t, int h)
{
	int			i;

	if (t->transforms[h] != DDB_TRANSFORM_NONE)
		return true;
	for (i = 0; i < opts->ncolumns; i++)
		if (strcmp(opts->columns[i].colname, t->holes[h]) == 0)
			return opts->columns[i].backed;
	return false;
}

/*
 * The literal prefix of a LIKE on hole h as the key holds it: transformed
 * like the hole.  NULL when it cannot be known: a lower-cased capital sigma
 * depends on the text after it.
 */
static char *
hole_prefix_text(ddb_template *t, int h, const char *prefix)
{
	char	   *out;

	if (t->transforms[h] == DDB_TRANSFORM_NONE)
		return (char *) prefix;
	if (t->transforms[h] == DDB_TRANSFORM_LOWER && strstr(prefix, "\xce\xa3") != NULL)
		return NULL;
	out = ddb_template_casemap(t->transforms[h], prefix, strlen(prefix), 0, strlen(prefix));
	return out;
}

/*
 * Binding from a key template: equality on its leading holes' columns gives
 * a prefix, on all of them the whole key; IN on one hole with equality on
 * the others gives several keys.  With nothing bound, the literal prefix.
 */
KeyBind *
ddb_bind_template(DdbRelOptions *opts, int which, List *quals)
{
	DdbAttrTemplate *at = list_nth(opts->templates, which);
	ddb_template *t = at->tmpl;
	KeyBind    *kb = palloc0(sizeof(KeyBind));
	QualInfo   *eq[DDB_TEMPLATE_MAX_HOLES] = {0};
	QualInfo   *in[DDB_TEMPLATE_MAX_HOLES] = {0};
	QualInfo   *pre[DDB_TEMPLATE_MAX_HOLES] = {0};
	QualInfo   *rlo[DDB_TEMPLATE_MAX_HOLES] = {0};
	QualInfo   *rhi[DDB_TEMPLATE_MAX_HOLES] = {0};
	int			h;
	int			nbound = 0;
	int			in_hole = -1;
	bool		trailing = t->nparts > 0 && t->parts[t->nparts - 1].is_hole;
	ListCell   *lc;

	kb->attr = at->attr;
	kb->keytype = 'S';
	kb->which = which;
	kb->in_pos = -1;
	foreach(lc, quals)
	{
		QualInfo   *qi = lfirst(lc);
		DdbQual    *q = qi->q;

		if (q == NULL)
			continue;
		h = ddb_template_hole_index(t, q->col->colname);
		if (h < 0)
			continue;
		/*
		 * A range bounds the key only where the key holds the value itself:
		 * a case-mapped hole ({col:lower}) orders its keys by the mapped text,
		 * so "office < 'Q'" would miss "OFFICE#austin"; it stays local.
		 */
		if (ddb_hole_range_exact(q) && t->transforms[h] == DDB_TRANSFORM_NONE)
		{
			if ((q->kind == DDB_QUAL_GT || q->kind == DDB_QUAL_GE) && !rlo[h])
				rlo[h] = qi;
			else if ((q->kind == DDB_QUAL_LT || q->kind == DDB_QUAL_LE) && !rhi[h])
				rhi[h] = qi;
			continue;
		}
		if (!ddb_hole_condition_exact(q))
			continue;
		if (q->kind == DDB_QUAL_EQ && !eq[h])
			eq[h] = qi;
		else if (q->kind == DDB_QUAL_IN && !in[h])
			in[h] = qi;
		else if (q->kind == DDB_QUAL_PREFIX && !pre[h])
			pre[h] = qi;
	}
	while (nbound < t->nholes && eq[nbound])
		nbound++;
	/* IN on one hole with every other hole bound by equality: several keys */
	for (h = 0; h < t->nholes && nbound < t->nholes; h++)
	{
		int			k;
		bool		others = true;

		if (eq[h] || !in[h])
			continue;
		for (k = 0; k < t->nholes; k++)
			if (k != h && !eq[k])
				others = false;
		if (others)
			in_hole = h;
		break;
	}
	/*
	 * A batched lookup binds several holes to its parallel key arrays
	 * (batchjoin.c): one key per position of the arrays, so their elements
	 * go in pairs, never as a product.
	 */
	if (in_hole < 0 && nbound < t->nholes)
	{
		bool		zip = true;

		for (h = 0; h < t->nholes && zip; h++)
			if (!eq[h] && !(in[h] && ddb_is_batch_param((Node *) in[h]->q->value)))
				zip = false;
		for (h = 0; h < t->nholes && zip; h++)
		{
			if (eq[h])
				continue;
			if (in_hole < 0)
				in_hole = h;
			else
				kb->in_zip = lappend_int(kb->in_zip, h);
		}
	}
	if (in_hole >= 0)
	{
		kb->kind = KB_IN;
		kb->in_pos = in_hole;
		kb->in_ri = in[in_hole]->ri;
		for (h = 0; h < t->nholes; h++)
		{
			QualInfo   *qi = (h == in_hole || list_member_int(kb->in_zip, h)) ? in[h] : eq[h];

			kb->exprs = lappend(kb->exprs, qi->q->value);
			if (!hole_needs_recheck(opts, t, h))
				kb->consumed = lappend(kb->consumed, qi->ri);
		}
		kb->tmpl_exact = true;
		if (!at->is_key)
			kb->consumed = NIL;
		return kb;
	}
	for (h = 0; h < nbound; h++)
	{
		kb->exprs = lappend(kb->exprs, eq[h]->q->value);
		if (!hole_needs_recheck(opts, t, h))
			kb->consumed = lappend(kb->consumed, eq[h]->ri);
	}
	if (nbound == t->nholes)
	{
		kb->kind = KB_EQ;
		kb->tmpl_exact = true;
		if (!at->is_key)
			kb->consumed = NIL;	/* the attributes themselves are still filtered */
		return kb;
	}
	/* the prefix stops at the first unbound hole; exact if that hole ends the template */
	/* a transformed hole matches only transformed text: begins_with is not enough */
	kb->tmpl_exact = (nbound == t->nholes - 1 && trailing &&
					  t->transforms[nbound] == DDB_TRANSFORM_NONE &&
					  ddb_hole_takes_any_text(opts, t->holes[nbound]));
	if (!pre[nbound] && (rlo[nbound] || rhi[nbound]))
	{
		/*
		 * A range on the first unbound hole: a BETWEEN of keys (the only
		 * sort key condition that keeps to the prefix).  On a hole that ends
		 * the template it is exact, but for strict ends: BETWEEN includes
		 * both ends, so those are checked here, as is the whole range on a
		 * hole that more text follows.
		 */
		int			p;

		kb->kind = KB_RANGE;
		kb->lo = rlo[nbound] ? rlo[nbound]->q : NULL;
		kb->hi = rhi[nbound] ? rhi[nbound]->q : NULL;
		kb->extra = "";
		for (p = 0; p < t->nparts; p++)
			if (t->parts[p].is_hole && strcmp(t->parts[p].text, t->holes[nbound]) == 0)
			{
				if (p + 1 < t->nparts)
					kb->extra = pnstrdup(t->parts[p + 1].text, t->parts[p + 1].len);
				break;
			}
		if (kb->tmpl_exact && kb->lo && kb->lo->kind == DDB_QUAL_GE)
			kb->consumed = lappend(kb->consumed, rlo[nbound]->ri);
		if (kb->tmpl_exact && kb->hi && kb->hi->kind == DDB_QUAL_LE)
			kb->consumed = lappend(kb->consumed, rhi[nbound]->ri);
		if (!at->is_key)
			kb->consumed = NIL;
		return kb;
	}
	if (pre[nbound])
	{
		/* an empty prefix (LIKE '%') narrows nothing */
		if (pre[nbound]->q->prefix[0] != '\0')
			kb->extra = hole_prefix_text(t, nbound, pre[nbound]->q->prefix);
		if (pre[nbound]->q->exact && kb->tmpl_exact && !hole_needs_recheck(opts, t, nbound))
			kb->consumed = lappend(kb->consumed, pre[nbound]->ri);
	}
	if (nbound == 0 && kb->extra == NULL)
	{
		char		err[256];
		char	   *p = ddb_template_prefix(t, NULL, 0, err, sizeof(err));

		if (p == NULL || *p == '\0')
		{
			kb->kind = KB_NONE;
			kb->tmpl_exact = false;
			return kb;
		}
	}
	kb->kind = KB_PREFIX;
	if (!at->is_key)
		kb->consumed = NIL;
	return kb;
}

/* The best binding of attribute attr: a raw column or a template on it. */
static KeyBind *
bind_attribute(DdbRelOptions *opts, const char *attr, List *quals)
{
	KeyBind    *best = bind_raw(attr, key_type(opts, attr), quals);
	ListCell   *lc;
	int			i = 0;

	const char *idvalue;

	/* an entity's identifier attribute (its type) is bound to its value */
	if (ddb_identifier_value(opts, attr, &idvalue) && best->kind < KB_EQ)
	{
		best->kind = KB_EQ;
		best->keytype = 'S';
		best->exprs = list_make1(makeConst(TEXTOID, -1, DEFAULT_COLLATION_OID, -1,
										   CStringGetTextDatum(idvalue), false, false));
		best->consumed = NIL;
		return best;
	}

	foreach(lc, opts->templates)
	{
		DdbAttrTemplate *at = lfirst(lc);

		if (strcmp(at->attr, attr) == 0)
		{
			KeyBind    *kb = ddb_bind_template(opts, i, quals);

			if (kb->kind > best->kind || (best->kind == KB_NONE && best->which < 0))
				best = kb;
		}
		i++;
	}
	return best;
}

static bool
has_template(DdbRelOptions *opts, const char *attr)
{
	ListCell   *lc;

	foreach(lc, opts->templates)
		if (strcmp(((DdbAttrTemplate *) lfirst(lc))->attr, attr) == 0)
		return true;
	return false;
}

/* DynamoDB attribute names the scan reads (for projection and index coverage). */
static List *
needed_attributes(DdbRelOptions *opts, Bitmapset *attrs, bool *whole)
{
	List	   *names = NIL;
	int			i;
	ListCell   *lc;
	bool		whole_row = bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, attrs);

	*whole = false;
	for (i = 0; i < opts->ncolumns; i++)
	{
		DdbColumn  *col = &opts->columns[i];

		if (!whole_row && !bms_is_member(col->attnum - FirstLowInvalidHeapAttributeNumber, attrs))
			continue;
		if (col->source == DDB_COL_DOCUMENT || col->source == DDB_COL_EXTRA)
			*whole = true;
		else if (col->source == DDB_COL_ATTRIBUTE || col->backed)
			names = list_append_unique_ptr(names, col->attrname);
		if (col->read_from_key)
			names = list_append_unique_ptr(names,
										   ((DdbAttrTemplate *) list_nth(opts->templates, col->key_tmpl))->attr);
	}
	foreach(lc, opts->identifiers)
		names = lappend(names, ((DdbIdentifier *) lfirst(lc))->attr);
	/* the time to live, checked on each item */
	if (opts->ttl_attr != NULL && !opts->include_expired)
		names = lappend(names, opts->ttl_attr);
	return names;
}

/*
 * Whether an index holds attribute attr of each of its items: the keys of
 * the table and of the index always, the others as its projection says.
 */
bool
ddb_index_projects(DdbRelOptions *opts, DdbIndexDesc *ix, const char *attr)
{
	ListCell   *lc;
	int			i;

	if (strcmp(ix->projection, "ALL") == 0 ||
		strcmp(attr, opts->partition_key) == 0 ||
		(opts->sort_key && strcmp(attr, opts->sort_key) == 0))
		return true;
	for (i = 0; i < ix->npk; i++)
		if (strcmp(attr, ix->pk_attrs[i]) == 0)
			return true;
	for (i = 0; i < ix->nsk; i++)
		if (strcmp(attr, ix->sk_attrs[i]) == 0)
			return true;
	if (strcmp(ix->projection, "INCLUDE") == 0)
		foreach(lc, ix->include)
			if (strcmp((char *) lfirst(lc), attr) == 0)
			return true;
	return false;
}

/* Whether an index stores every attribute the query needs. */
static bool
index_covers(DdbRelOptions *opts, DdbIndexDesc *ix, bool whole, List *needed)
{
	ListCell   *lc;

	if (strcmp(ix->projection, "ALL") == 0)
		return true;
	if (whole)
		return false;
	foreach(lc, needed)
		if (!ddb_index_projects(opts, ix, (const char *) lfirst(lc)))
			return false;
	return true;
}

/* Number of values an IN binding expands to, when known at plan time. */
static int
in_count(KeyBind *kb)
{
	Node	   *arr;

	if (kb == NULL || kb->kind != KB_IN)
		return 1;
	arr = (Node *) list_nth(kb->exprs, kb->in_pos);
	if (IsA(arr, Const) && !((Const *) arr)->constisnull)
	{
		ArrayType  *a = DatumGetArrayTypeP(((Const *) arr)->constvalue);

		return Max(ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a)), 1);
	}
	if (IsA(arr, ArrayExpr))
		return Max(list_length(((ArrayExpr *) arr)->elements), 1);
	return 10;
}

static List *
consumed_of(KeyBind *pk, KeyBind *sk)
{
	List	   *r = list_copy(pk->consumed);
	ListCell   *lc;

	if (sk)
		foreach(lc, sk->consumed)
			r = list_append_unique_ptr(r, lfirst(lc));
	return r;
}

/*
 * Whether an attribute is on every item of the relation: a key of the
 * table, or an attribute a key template declares.
 */
static bool
always_present(DdbRelOptions *opts, const char *attr)
{
	return strcmp(attr, opts->partition_key) == 0 ||
		(opts->sort_key && strcmp(attr, opts->sort_key) == 0) ||
		has_template(opts, attr);
}

/*
 * A Query on index ix for the conditions, or NULL when it cannot serve
 * them: every partition-key attribute must be bound (the first by
 * equality or IN, the others of a multi-attribute key by equality), and
 * sort-key attributes are bound left to right, by equality but for the
 * last one bound (which may be a range or a prefix).  An item without an
 * index key attribute is not in the index, so a sort-key attribute that
 * the key condition does not name must be on every item the query wants.
 */
static Access *
index_access(DdbRelOptions *opts, DdbIndexDesc *ix, List *quals, double per_partition)
{
	KeyBind    *ipk;
	KeyBind    *isk = NULL;
	List	   *more_pk = NIL;
	List	   *sk_eq = NIL;
	List	   *consumed;
	Access	   *a;
	ListCell   *lc;
	int			k;

	ipk = bind_attribute(opts, ix->pk_attrs[0], quals);
	if (ipk->kind != KB_EQ && (ipk->kind != KB_IN || ix->npk > 1))
		return NULL;
	for (k = 1; k < ix->npk; k++)
	{
		KeyBind    *kb = bind_attribute(opts, ix->pk_attrs[k], quals);

		if (kb->kind != KB_EQ)
			return NULL;
		more_pk = lappend(more_pk, kb);
	}
	for (k = 0; k < ix->nsk; k++)
	{
		KeyBind    *kb = bind_attribute(opts, ix->sk_attrs[k], quals);

		if (kb->kind == KB_IN || kb->kind == KB_NONE)
			break;
		if (isk)
			sk_eq = lappend(sk_eq, isk);
		isk = kb;
		if (kb->kind != KB_EQ)
		{
			k++;
			break;
		}
	}
	/*
	 * The sort-key attributes the key condition leaves out: on every item
	 * the query wants, or a condition on them (checked apart) implies it.
	 */
	for (; k < ix->nsk; k++)
		if (!always_present(opts, ix->sk_attrs[k]) &&
			bind_attribute(opts, ix->sk_attrs[k], quals)->kind == KB_NONE)
			return NULL;
	a = palloc0(sizeof(Access));
	a->op = DDB_OP_QUERY;
	a->index = ix;
	a->pk = ipk;
	a->sk = isk;
	a->more_pk = more_pk;
	a->sk_eq = sk_eq;
	a->nkeys = in_count(ipk);
	a->rows = per_partition * a->nkeys;
	a->cost = (6 + per_partition * 0.05) * a->nkeys;
	consumed = consumed_of(ipk, isk);
	foreach(lc, list_concat(list_copy(more_pk), sk_eq))
		consumed = list_concat_unique_ptr(consumed, ((KeyBind *) lfirst(lc))->consumed);
	a->consumed = consumed;
	return a;
}

/*
 * The cheapest access for the given conditions: GetItem < BatchGetItem <
 * Query < Query on an index < Query on an index and BatchGetItem of its
 * items < one Query per value < Scan.
 */
Access *
ddb_choose_access(DdbPlanState *ps, List *quals)
{
	DdbRelOptions *opts = ps->opts;
	Access	   *best = palloc0(sizeof(Access));
	KeyBind    *pk;
	KeyBind    *sk = NULL;
	bool		whole;
	List	   *needed = needed_attributes(opts, ps->attrs, &whole);
	double		per_partition = Max(1.0, Min(ps->table_items, 20.0));
	ListCell   *lc;

	best->op = DDB_OP_SCAN;
	best->rows = Max(ps->table_items, 1);
	best->cost = 100 + Max(ps->table_items, 10) * 0.05;

	pk = bind_attribute(opts, opts->partition_key, quals);
	if (opts->sort_key)
		sk = bind_attribute(opts, opts->sort_key, quals);

	if (pk->kind == KB_EQ || pk->kind == KB_IN)
	{
		Access	   *a = palloc0(sizeof(Access));
		/*
		 * both keys from one IN list ("users" with user_id in both templates),
		 * or from the parallel key arrays of a batched lookup: pairs
		 */
		bool		zipped = (sk && pk->kind == KB_IN && sk->kind == KB_IN &&
							  (pk->in_ri == sk->in_ri ||
							   (ddb_is_batch_param(list_nth(pk->exprs, pk->in_pos)) &&
								ddb_is_batch_param(list_nth(sk->exprs, sk->in_pos)))));
		bool		full = (sk == NULL || sk->kind == KB_EQ || zipped ||
							(sk->kind == KB_IN && pk->kind == KB_EQ));

		a->pk = pk;
		if (full)
		{
			a->sk = sk;
			a->nkeys = zipped ? in_count(pk) : in_count(pk) * in_count(sk);
			a->op = (pk->kind == KB_EQ && (!sk || sk->kind == KB_EQ)) ?
				DDB_OP_GET_ITEM : DDB_OP_BATCH_GET_ITEM;
			a->rows = a->nkeys;
			a->cost = a->op == DDB_OP_GET_ITEM ? 1 : 2 + a->nkeys * 0.05;
		}
		else
		{
			a->op = DDB_OP_QUERY;
			a->sk = (sk && sk->kind != KB_NONE && sk->kind != KB_IN) ? sk : NULL;
			a->nkeys = in_count(pk);
			a->rows = per_partition * a->nkeys;
			a->cost = (5 + per_partition * 0.05) * a->nkeys;
		}
		a->consumed = consumed_of(pk, a->sk);
		if (a->cost < best->cost)
			best = a;
	}

	/* secondary indexes, only where no item the query wants can be missing */
	if (opts->desc && (opts->index == NULL || strcmp(opts->index, "none") != 0))
	{
		foreach(lc, opts->desc->indexes)
		{
			Access	   *a;

			if (opts->index && strcmp(opts->index, ((DdbIndexDesc *) lfirst(lc))->name) != 0)
				continue;
			a = index_access(opts, lfirst(lc), quals, per_partition);
			if (a == NULL)
				continue;
			/* an index without every attribute needed: its keys, then the items */
			a->fetch = !index_covers(opts, a->index, whole, needed);
			if (a->fetch)
				a->cost += (2 + per_partition * 0.05) * a->nkeys;
			if (a->cost < best->cost)
				best = a;
		}
	}
	return best;
}

/*
 * Each condition with what it says of one column (ddb_classify_qual), so
 * that choosing an access reads tests on columns instead of expressions.
 */
List *
ddb_classify_all(DdbRelOptions *opts, Index relid, List *rinfos)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, rinfos)
	{
		QualInfo   *qi = palloc(sizeof(QualInfo));

		qi->ri = lfirst_node(RestrictInfo, lc);
		qi->q = ddb_classify_qual(opts, relid, qi->ri->clause);
		result = lappend(result, qi);
	}
	return result;
}
