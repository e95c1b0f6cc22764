/*-------------------------------------------------------------------------
 * planner.c
 *	  Paths and plans: the planner's callbacks for a base relation, and
 *	  the request of the access access.c chose (GetItem, BatchGetItem,
 *	  Query on the table or an index, or Scan), with its key condition,
 *	  filter, projection, order and limit.
 *
 * Key attributes are bound from conditions on raw columns (pk = 'x') or
 * on the columns of key templates (user_id = '1' with pk_template
 * 'USER#{user_id}'), in access.c.  Values may be known only at execution
 * (parameters, the outer side of a join): they travel as expressions in
 * fdw_exprs and the executor composes the keys.  Everything else in the
 * request is fixed here, with every name and value as a #name / :value
 * placeholder.  A Query on an index that lacks attributes the query needs
 * is planned with a second step, the BatchGetItem of its items (fetch.c
 * runs it).
 *-------------------------------------------------------------------------
 */
#include "ddbrel.h"

#include <math.h>

#include "access/sysattr.h"
#include "catalog/pg_collation.h"
#include "utils/array.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/planmain.h"
#include "optimizer/restrictinfo.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "access.h"

/* ----------------------------------------------------------------
 * Planner callbacks
 * ----------------------------------------------------------------
 */


void
ddbGetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	DdbPlanState *ps = palloc0(sizeof(DdbPlanState));
	ListCell   *lc;
	List	   *quals;
	double		sel;

	/* as the user the executor will read the table as: a view's owner */
	ps->opts = ddb_get_rel_options_as(foreigntableid,
									  ddb_rte_user(planner_rt_fetch(baserel->relid, root)));
	/*
	 * DynamoDB refreshes ItemCount about every six hours (DynamoDB Local
	 * keeps it current, dynalite always says zero).  A Scan reads the table
	 * as it is now, however small it was then, while key access costs the
	 * same at any size: so the count may raise the estimate but never lower
	 * it below DDB_MIN_TABLE_ITEMS, and plans lean to key access rather than
	 * to a Scan (or to a Scan repeated per outer row) on every table, the
	 * same way whatever ItemCount says.
	 */
	ps->table_items = DDB_MIN_TABLE_ITEMS;
	if (ps->opts->desc && ps->opts->desc->item_count > DDB_MIN_TABLE_ITEMS)
		ps->table_items = ps->opts->desc->item_count;
	pull_varattnos((Node *) baserel->reltarget->exprs, baserel->relid, &ps->attrs);
	foreach(lc, baserel->baserestrictinfo)
		pull_varattnos((Node *) lfirst_node(RestrictInfo, lc)->clause, baserel->relid, &ps->attrs);
	quals = ddb_classify_all(ps->opts, baserel->relid, baserel->baserestrictinfo);
	ps->base = ddb_choose_access(ps, quals);
	baserel->fdw_private = ps;

	/* selectivity of what the key condition does not already account for */
	sel = clauselist_selectivity(root, list_difference_ptr(
												extract_actual_clauses(baserel->baserestrictinfo, false), NIL),
								 baserel->relid, JOIN_INNER, NULL);
	if (ps->base->op == DDB_OP_SCAN)
		baserel->rows = clamp_row_est(ps->table_items *
									  ((ps->opts->pk_template || ps->opts->identifiers) ? 0.25 : 1.0) * sel);
	else
		baserel->rows = clamp_row_est(Min(ps->base->rows, ps->table_items));
}

/* Whether a sort column reads the sort key attr in DynamoDB's order. */
static bool
column_orders_key(DdbRelOptions *opts, DdbColumn *col, const char *attr, Oid collation)
{
	ListCell   *lc;

	if (col->category == DDB_TYPE_TEXT && !ddb_collation_is_c(collation))
		return false;
	if (col->source == DDB_COL_ATTRIBUTE)
		return strcmp(col->attrname, attr) == 0 && ddb_column_fits_key(opts, col, attr);
	/* other types' texts do not sort like their values (dates before year 1000) */
	if (col->source != DDB_COL_TEMPLATE ||
		(getBaseType(col->typid) != TEXTOID && getBaseType(col->typid) != VARCHAROID))
		return false;
	/*
	 * a template "LITERAL{col}": keys share the literal, so they sort like
	 * col; not "{col:lower}", whose keys sort like lower(col)
	 */
	foreach(lc, opts->templates)
	{
		DdbAttrTemplate *at = lfirst(lc);
		ddb_template *t = at->tmpl;

		if (strcmp(at->attr, attr) == 0 && t->nholes == 1 &&
			t->parts[t->nparts - 1].is_hole &&
			t->transforms[0] == DDB_TRANSFORM_NONE &&
			strcmp(t->holes[0], col->colname) == 0)
			return true;
	}
	return false;
}

/*
 * The query's first ORDER BY key if this access returns rows in that order
 * (a Query on one partition sorts by the sort key), with its direction.
 */
static PathKey *
useful_pathkey(PlannerInfo *root, RelOptInfo *baserel, DdbPlanState *ps, Access *a,
			   bool *forward)
{
	PathKey    *pk;
	ListCell   *lc;
	const char *attr;

	if (a->op != DDB_OP_QUERY || a->nkeys != 1 || a->pk->kind != KB_EQ ||
		root->query_pathkeys == NIL)
		return NULL;
	attr = a->index ? a->index->sk_attr : ps->opts->sort_key;
	if (a->index && a->index->nsk > 1)
	{
		/*
		 * Items sort by the sort-key attributes in turn: where the first ones
		 * are bound by equality, by the next one.
		 */
		int			k = list_length(a->sk_eq) + (a->sk && a->sk->kind == KB_EQ ? 1 : 0);

		attr = a->index->sk_attrs[Min(k, a->index->nsk - 1)];
	}
	if (attr == NULL)
		return NULL;
	pk = linitial(root->query_pathkeys);
	if (pk->pk_eclass->ec_has_volatile)
		return NULL;
	foreach(lc, pk->pk_eclass->ec_members)
	{
		EquivalenceMember *em = lfirst(lc);
		Node	   *e = (Node *) em->em_expr;
		int			i;

		while (e && IsA(e, RelabelType))
			e = (Node *) ((RelabelType *) e)->arg;
		if (!IsA(e, Var) || ((Var *) e)->varno != baserel->relid)
			continue;
		for (i = 0; i < ps->opts->ncolumns; i++)
		{
			DdbColumn  *col = &ps->opts->columns[i];

			if (col->attnum == ((Var *) e)->varattno &&
				column_orders_key(ps->opts, col, attr, pk->pk_eclass->ec_collation))
			{
				*forward = (pk->pk_strategy == BTLessStrategyNumber);
				return pk;
			}
		}
	}
	return NULL;
}

typedef struct KeyColumnArg
{
	DdbRelOptions *opts;
	Index		relid;
	AttrNumber	attnum;			/* the one column to match */
} KeyColumnArg;

/* EC callback: an equivalence class containing one of our key-binding columns. */
static bool
key_column_ec(PlannerInfo *root, RelOptInfo *rel, EquivalenceClass *ec,
			  EquivalenceMember *em, void *arg)
{
	KeyColumnArg *ka = arg;
	Node	   *e = (Node *) em->em_expr;
	ListCell   *lc;
	int			i;

	while (e && IsA(e, RelabelType))
		e = (Node *) ((RelabelType *) e)->arg;
	if (!IsA(e, Var) || ((Var *) e)->varno != ka->relid)
		return false;
	for (i = 0; i < ka->opts->ncolumns; i++)
	{
		DdbColumn  *col = &ka->opts->columns[i];

		if (col->attnum != ((Var *) e)->varattno || col->attnum != ka->attnum)
			continue;
		foreach(lc, ka->opts->templates)
			if (ddb_template_hole_index(((DdbAttrTemplate *) lfirst(lc))->tmpl, col->colname) >= 0)
			return true;
		if (col->source == DDB_COL_ATTRIBUTE)
		{
			if (strcmp(col->attrname, ka->opts->partition_key) == 0 ||
				(ka->opts->sort_key && strcmp(col->attrname, ka->opts->sort_key) == 0))
				return true;
			if (ka->opts->desc)
				foreach(lc, ka->opts->desc->indexes)
				{
					DdbIndexDesc *ix = lfirst(lc);
					int			k;

					for (k = 0; k < ix->npk; k++)
						if (strcmp(ix->pk_attrs[k], col->attrname) == 0)
							return true;
				}
		}
	}
	return false;
}

void
ddbGetForeignPaths(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	DdbPlanState *ps = baserel->fdw_private;
	Access	   *a = ps->base;
	bool		forward = true;
	PathKey    *pathkey;
	KeyColumnArg ka;
	List	   *join_clauses;
	ListCell   *lc;

	add_path(baserel, (Path *)
			 create_foreignscan_path(root, baserel, NULL, baserel->rows,
									 a->cost * 0.1, a->cost, NIL, NULL, NULL, NIL));
	/* a full Scan may also be shared by parallel workers (parallel.c) */
	if (a->op == DDB_OP_SCAN)
		ddb_parallel_add_paths(root, baserel, ps->opts, a->cost * 0.1, a->cost);

	/* a Query on one partition returns rows in sort key order, either way */
	pathkey = useful_pathkey(root, baserel, ps, a, &forward);
	if (pathkey)
		add_path(baserel, (Path *)
				 create_foreignscan_path(root, baserel, NULL, baserel->rows,
										 a->cost * 0.1, a->cost, list_make1(pathkey),
										 NULL, NULL, list_make1(makeInteger(forward ? 1 : -1))));

	/* joins: a key lookup per outer row instead of a scan per row */
	ka.opts = ps->opts;
	ka.relid = baserel->relid;
	/* the planner reports one equivalence class per call: ask column by column */
	join_clauses = NIL;
	{
		int			i;

		for (i = 0; i < ps->opts->ncolumns; i++)
		{
			ka.attnum = ps->opts->columns[i].attnum;
			join_clauses = list_concat(join_clauses,
									   generate_implied_equalities_for_column(root, baserel, key_column_ec,
																			  &ka, baserel->lateral_referencers));
		}
	}
	foreach(lc, baserel->joininfo)
	{
		RestrictInfo *ri = lfirst(lc);

		if (!ri->can_join || ri->outerjoin_delayed)
			continue;
		join_clauses = lappend(join_clauses, ri);
	}
	/* one path per set of outer relations, with every clause they bind */
	foreach(lc, join_clauses)
	{
		RestrictInfo *ri = lfirst(lc);
		Relids		outer = bms_difference(ri->clause_relids, baserel->relids);
		List	   *clauses = NIL;
		List	   *quals;
		Access	   *pa;
		ForeignPath *path;
		ListCell   *lc2;
		bool		seen = false;

		if (bms_is_empty(outer) || !join_clause_is_movable_to(ri, baserel))
			continue;
		foreach(lc2, join_clauses)
		{
			RestrictInfo *r2 = lfirst(lc2);

			if (lfirst(lc2) == lfirst(lc))
				break;
			if (bms_equal(bms_difference(r2->clause_relids, baserel->relids), outer) &&
				join_clause_is_movable_to(r2, baserel))
				seen = true;	/* this set was done with an earlier clause */
		}
		if (seen)
			continue;
		foreach(lc2, join_clauses)
		{
			RestrictInfo *r2 = lfirst(lc2);

			if (bms_equal(bms_difference(r2->clause_relids, baserel->relids), outer) &&
				join_clause_is_movable_to(r2, baserel))
				clauses = lappend(clauses, r2);
		}
		quals = ddb_classify_all(ps->opts, baserel->relid,
							 list_concat(list_copy(baserel->baserestrictinfo), clauses));
		pa = ddb_choose_access(ps, quals);
		if (pa->op == DDB_OP_SCAN)
			continue;
		path = create_foreignscan_path(root, baserel, NULL, clamp_row_est(pa->rows),
									   pa->cost * 0.1, pa->cost, NIL, outer, NULL, NIL);
		add_path(baserel, (Path *) path);
	}
}

/* ----------------------------------------------------------------
 * Plan: the request, and how the executor completes it
 * ----------------------------------------------------------------
 */

/* A readable form of a runtime value, for EXPLAIN. */
static char *
render_expr(PlannerInfo *root, Expr *e)
{
	Node	   *n = (Node *) e;

	while (n && IsA(n, RelabelType))
		n = (Node *) ((RelabelType *) n)->arg;
	if (IsA(n, Param))
		return psprintf("$%d", ((Param *) n)->paramid);
	if (IsA(n, Var))
	{
		Var		   *v = (Var *) n;
		RangeTblEntry *rte = planner_rt_fetch(v->varno, root);

		return psprintf("%s.%s", rte->eref->aliasname,
						get_rte_attribute_name(rte, v->varattno));
	}
	return pstrdup("(expression)");
}

/*
 * The key spec of a key binding: how the executor computes its value from
 * the binding's expressions, which go to the end of *exprs (fdw_exprs).
 */
static DdbKeySpec *
key_spec(KeyBind *kb, const char *placeholder, int role, List **exprs)
{
	DdbKeySpec *spec = palloc0(sizeof(DdbKeySpec));
	ListCell   *lc;

	spec->name = pstrdup(placeholder);
	spec->role = role;
	spec->keytype = kb->keytype;
	spec->tmpl = kb->which;
	foreach(lc, kb->exprs)
	{
		*exprs = lappend(*exprs, lfirst(lc));
		spec->exprs = lappend_int(spec->exprs, list_length(*exprs) - 1);
	}
	spec->in_pos = kb->in_pos;
	spec->in_zip = list_copy(kb->in_zip);
	spec->extra = kb->extra ? pstrdup(kb->extra) : "";
	spec->prefix = (kb->kind == KB_PREFIX);
	spec->mode = spec->prefix ? DDB_SPEC_BEGINS : kb->spec_mode;
	return spec;
}

/* The key spec of one end of a sort key range: the value as it is. */
static DdbKeySpec *
range_spec(DdbQual *q, char keytype, const char *placeholder, List **exprs)
{
	DdbKeySpec *spec = palloc0(sizeof(DdbKeySpec));

	*exprs = lappend(*exprs, q->value);
	spec->name = pstrdup(placeholder);
	spec->role = DDB_KEY_RANGE;
	spec->keytype = keytype;
	spec->tmpl = -1;
	spec->exprs = list_make1_int(list_length(*exprs) - 1);
	spec->in_pos = -1;
	spec->extra = "";
	spec->prefix = false;
	spec->mode = ddb_epoch_spec_mode(q->col);
	return spec;
}

/*
 * One end of the key range of a range on a template hole: the values of
 * the holes bound by equality, then the bound of that end, if any.
 */
static DdbKeySpec *
hole_range_spec(KeyBind *kb, bool high, const char *placeholder, List **exprs)
{
	DdbQual    *bound = high ? kb->hi : kb->lo;
	DdbKeySpec *spec = key_spec(kb, placeholder, DDB_KEY_SK, exprs);

	if (bound)
	{
		*exprs = lappend(*exprs, bound->value);
		spec->exprs = lappend_int(spec->exprs, list_length(*exprs) - 1);
		spec->mode = high ? DDB_SPEC_RANGE_HI : DDB_SPEC_RANGE_LO;
	}
	else if (high)
		spec->mode = DDB_SPEC_RANGE_TOP;
	else
	{
		/* no low bound: the prefix itself, without the literal after the hole */
		spec->mode = DDB_SPEC_BEGINS;
		spec->prefix = true;
		spec->extra = "";
	}
	return spec;
}

/* The sort key condition of a one-ended range. */
static DdbSortKeyOp
range_op(DdbQualKind k)
{
	switch (k)
	{
		case DDB_QUAL_LT:
			return DDB_SK_LT;
		case DDB_QUAL_LE:
			return DDB_SK_LE;
		case DDB_QUAL_GT:
			return DDB_SK_GT;
		default:
			return DDB_SK_GE;
	}
}

/* The columns that bind attribute attr: a template's holes, or a raw column. */
static void
binding_columns(DdbRelOptions *opts, const char *attr, StringInfo buf)
{
	ListCell   *lc;
	int			i;
	int			n = 0;

	foreach(lc, opts->templates)
	{
		DdbAttrTemplate *at = lfirst(lc);
		int			h;

		if (strcmp(at->attr, attr) != 0)
			continue;
		for (h = 0; h < at->tmpl->nholes; h++)
			appendStringInfo(buf, "%s\"%s\"", n++ ? " and " : "", at->tmpl->holes[h]);
	}
	for (i = 0; i < opts->ncolumns && n == 0; i++)
		if (opts->columns[i].source == DDB_COL_ATTRIBUTE &&
			strcmp(opts->columns[i].attrname, attr) == 0)
			appendStringInfo(buf, "\"%s\"", opts->columns[i].colname), n++;
	if (n == 0)
		appendStringInfo(buf, "a column reading attribute \"%s\"", attr);
}

/* Hint for the full-scan guard: which conditions would make this a Query. */
static char *
scan_guard_hint(DdbRelOptions *opts)
{
	StringInfoData buf;
	ListCell   *lc;
	bool		any = false;
	int			i;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "Add an equality condition on ");
	binding_columns(opts, opts->partition_key, &buf);
	if (opts->desc && (opts->index == NULL || strcmp(opts->index, "none") != 0))
		foreach(lc, opts->desc->indexes)
		{
			DdbIndexDesc *ix = lfirst(lc);

			if (opts->index && strcmp(opts->index, ix->name) != 0)
				continue;
			appendStringInfoString(&buf, ", or on ");
			for (i = 0; i < ix->npk; i++)
			{
				if (i > 0)
					appendStringInfoString(&buf, " and ");
				binding_columns(opts, ix->pk_attrs[i], &buf);
			}
			appendStringInfo(&buf, " (index \"%s\")", ix->name);
			any = true;
		}
	appendStringInfoString(&buf, any ? ", to make it a Query." : " to make it a Query.");
	return buf.data;
}

/*
 * A scan being built by ddb_build_scan: each step reads what the steps
 * before it decided and adds its part.
 */
typedef struct ScanBuild
{
	PlannerInfo *root;
	RelOptInfo *baserel;
	DdbRelOptions *opts;
	int			mode;			/* DDB_BUILD_* */
	List	   *quals;			/* QualInfo: the conditions, classified */
	Access	   *a;				/* how the relation is read */
	List	   *rest;			/* RestrictInfos the access does not represent */
	List	   *specs;			/* DdbKeySpec */
	List	   *exprs;			/* fdw_exprs: the expressions of the key values */
	DdbExprBuilder b;			/* the request's names and values */
	DdbExprBuilder fb;			/* the names of the fetch's projection */
	List	   *forbidden;		/* attributes a Query's filter may not name */
	StringInfoData filter;
	bool		need_match;		/* key templates are checked on each item */
	bool		type_check;		/* the type attribute is checked on each item */
	bool		hide_expired;	/* the filter hides items whose TTL is past */
	bool		late_expiry;	/* ... or, for an index without the TTL, only
								 * the fetched items are checked */
	List	   *local;			/* conditions left to PostgreSQL */
	List	   *retrieved;		/* attnums of the columns the executor fills */
	DdbReadRequest *req;
} ScanBuild;

/*
 * Step 2, the access: the cheapest operation for the conditions (step 1
 * classified them).  The driving side of a join inside one partition
 * reads the whole partition instead, a Query per partition key value and
 * nothing else, so that the items of both entities come back.  What the
 * access represents exactly is done; the rest may still go to the filter.
 */
static void
scan_choose_access(ScanBuild *sb)
{
	Access	   *a = ddb_choose_access(sb->baserel->fdw_private, sb->quals);
	ListCell   *lc;

	if (sb->mode == DDB_BUILD_PARTITION && a->pk)
	{
		/* on the index whose partition key it binds (a collection on an index) */
		a->op = DDB_OP_QUERY;
		if (a->index && strcmp(a->pk->attr, a->index->pk_attr) != 0)
		{
			a->index = NULL;
			a->more_pk = NIL;
			a->fetch = false;
		}
		a->sk = NULL;
		a->sk_eq = NIL;
		a->consumed = list_copy(a->pk->consumed);
		foreach(lc, a->more_pk)
			a->consumed = list_concat_unique_ptr(a->consumed, ((KeyBind *) lfirst(lc))->consumed);
	}
	foreach(lc, sb->quals)
	{
		QualInfo   *qi = lfirst(lc);

		if (!list_member_ptr(a->consumed, qi->ri))
			sb->rest = lappend(sb->rest, qi->ri);
	}
	sb->a = a;
	sb->req->op = a->op;
	sb->req->index = a->index ? a->index->name : NULL;
	sb->req->segments = a->op == DDB_OP_SCAN ? sb->opts->parallel_segments : 1;
	/* a global index has no consistent reads */
	sb->req->consistent_read = sb->opts->consistent_read &&
		(a->index == NULL || !a->index->global);
}

/* The sort key condition of a Query's sort key binding. */
static DdbSortKeyOp
sort_key_op(KeyBind *sk)
{
	if (sk == NULL)
		return DDB_SK_NONE;
	switch (sk->kind)
	{
		case KB_EQ:
			return DDB_SK_EQ;
		case KB_PREFIX:
			return DDB_SK_BEGINS_WITH;
		case KB_RANGE:
			/* on a template hole: always the keys between two ends */
			if ((sk->lo && sk->hi) || sk->which >= 0)
				return DDB_SK_BETWEEN;
			return range_op(sk->lo ? sk->lo->kind : sk->hi->kind);
		default:
			return DDB_SK_NONE;
	}
}

/*
 * Step 3, the key values: how the executor computes each (key specs over
 * fdw_exprs), since parameters and the outer side of a join are known only
 * then.  A Query's values are the placeholders :k0 (partition key), :k1
 * and :k2 (sort key) of its key condition; GetItem and BatchGetItem name
 * the key attributes.  A Scan has none.
 */
static void
scan_bind_keys(ScanBuild *sb)
{
	Access	   *a = sb->a;
	ListCell   *lc;

	if (a->op == DDB_OP_QUERY)
	{
		DdbSortKeyOp op = sort_key_op(a->sk);

		sb->specs = lappend(sb->specs, key_spec(a->pk, ":k0", DDB_KEY_PK, &sb->exprs));
		if (op == DDB_SK_EQ || op == DDB_SK_BEGINS_WITH)
			sb->specs = lappend(sb->specs, key_spec(a->sk, ":k1", DDB_KEY_SK, &sb->exprs));
		else if (op == DDB_SK_BETWEEN && a->sk->which >= 0)
		{
			sb->specs = lappend(sb->specs, hole_range_spec(a->sk, false, ":k1", &sb->exprs));
			sb->specs = lappend(sb->specs, hole_range_spec(a->sk, true, ":k2", &sb->exprs));
		}
		else if (op == DDB_SK_BETWEEN)
		{
			sb->specs = lappend(sb->specs, range_spec(a->sk->lo, a->sk->keytype, ":k1", &sb->exprs));
			sb->specs = lappend(sb->specs, range_spec(a->sk->hi, a->sk->keytype, ":k2", &sb->exprs));
		}
		else if (op != DDB_SK_NONE)
			sb->specs = lappend(sb->specs, range_spec(a->sk->lo ? a->sk->lo : a->sk->hi,
													  a->sk->keytype, ":k1", &sb->exprs));
		/* the other attributes of multi-attribute keys, each one value */
		foreach(lc, a->more_pk)
			sb->specs = lappend(sb->specs,
								key_spec(lfirst(lc), psprintf(":kp%d", foreach_current_index(lc) + 1),
										 DDB_KEY_PK, &sb->exprs));
		foreach(lc, a->sk_eq)
			sb->specs = lappend(sb->specs,
								key_spec(lfirst(lc), psprintf(":ks%d", foreach_current_index(lc)),
										 DDB_KEY_SK, &sb->exprs));
	}
	else if (a->op == DDB_OP_GET_ITEM || a->op == DDB_OP_BATCH_GET_ITEM)
	{
		sb->specs = lappend(sb->specs, key_spec(a->pk, a->pk->attr, DDB_KEY_PK, &sb->exprs));
		if (a->sk)
			sb->specs = lappend(sb->specs, key_spec(a->sk, a->sk->attr, DDB_KEY_SK, &sb->exprs));
	}
}

/*
 * Step 4, the key condition of a Query, over the placeholders of step 3.
 * It takes the first names of the request.  DynamoDB refuses a Query
 * whose filter names a key attribute of the table or of the index read.
 */
static void
scan_key_condition(ScanBuild *sb)
{
	Access	   *a = sb->a;
	ListCell   *lc;

	if (a->op != DDB_OP_QUERY)
		return;
	if (a->more_pk == NIL && a->sk_eq == NIL)
		sb->req->key_condition = ddb_deparse_key_condition(&sb->b, a->pk->attr, ":k0",
														   sort_key_op(a->sk),
														   a->sk ? a->sk->attr : NULL,
														   ":k1", ":k2");
	else
	{
		/* multi-attribute keys: one term per attribute bound */
		List	   *attrs = list_make1((char *) a->pk->attr);
		List	   *values = list_make1(":k0");

		foreach(lc, a->more_pk)
		{
			attrs = lappend(attrs, (char *) ((KeyBind *) lfirst(lc))->attr);
			values = lappend(values, psprintf(":kp%d", foreach_current_index(lc) + 1));
		}
		foreach(lc, a->sk_eq)
		{
			attrs = lappend(attrs, (char *) ((KeyBind *) lfirst(lc))->attr);
			values = lappend(values, psprintf(":ks%d", foreach_current_index(lc)));
		}
		sb->req->key_condition = ddb_deparse_key_condition_multi(&sb->b, attrs, values,
																 sort_key_op(a->sk),
																 a->sk ? a->sk->attr : NULL,
																 ":k1", ":k2");
	}
	sb->forbidden = list_make1((char *) a->pk->attr);
	if (a->sk)
		sb->forbidden = lappend(sb->forbidden, (char *) a->sk->attr);
	if (a->index)
	{
		int			k;

		for (k = 0; k < a->index->npk; k++)
			sb->forbidden = lappend(sb->forbidden, a->index->pk_attrs[k]);
		for (k = 0; k < a->index->nsk; k++)
			sb->forbidden = lappend(sb->forbidden, a->index->sk_attrs[k]);
	}
	sb->forbidden = lappend(sb->forbidden, sb->opts->partition_key);
	if (sb->opts->sort_key)
		sb->forbidden = lappend(sb->forbidden, sb->opts->sort_key);
}

/*
 * Whether the access reads an index that does not hold every identifier
 * attribute, and fetches its items: the filter of its Query cannot test
 * them (DynamoDB would find them missing), the fetched items are checked.
 */
static bool
fetch_lacks_identifiers(ScanBuild *sb)
{
	ListCell   *lc;

	if (!sb->a->fetch)
		return false;
	foreach(lc, sb->opts->identifiers)
		if (!ddb_index_projects(sb->opts, sb->a->index, ((DdbIdentifier *) lfirst(lc))->attr))
			return true;
	return false;
}

/*
 * Whether every column a condition reads is held by the index a fetching
 * access queries (so that DynamoDB may decide it in the Query's filter).
 */
static bool
clause_on_index(ScanBuild *sb, RestrictInfo *ri)
{
	DdbRelOptions *opts = sb->opts;
	Bitmapset  *attrs = NULL;
	int			i;

	pull_varattnos((Node *) ri->clause, sb->baserel->relid, &attrs);
	if (bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, attrs))
		return false;
	for (i = 0; i < opts->ncolumns; i++)
	{
		DdbColumn  *col = &opts->columns[i];

		if (!bms_is_member(col->attnum - FirstLowInvalidHeapAttributeNumber, attrs))
			continue;
		if (col->source == DDB_COL_DOCUMENT || col->source == DDB_COL_EXTRA)
			return false;
		if ((col->source == DDB_COL_ATTRIBUTE || col->backed) &&
			!ddb_index_projects(opts, sb->a->index, col->attrname))
			return false;
		if (col->read_from_key &&
			!ddb_index_projects(opts, sb->a->index,
								((DdbAttrTemplate *) list_nth(opts->templates, col->key_tmpl))->attr))
			return false;
	}
	return true;
}

/*
 * Step 5a, the entity: the items of an entity table are those whose keys
 * have its templates' shapes and whose type attribute holds its type.
 * DynamoDB checks what the key condition implies, and what a filter can
 * say (a Scan's filter may name key attributes, a Query's only the type
 * attribute); the rest is checked on each item (DDB_FLAG_*).  The driving
 * side of a join in one partition gets the items of both entities back,
 * so they are sorted out on each item too.
 */
static void
scan_entity_checks(ScanBuild *sb)
{
	DdbRelOptions *opts = sb->opts;
	Access	   *a = sb->a;
	ListCell   *lc;
	int			i;

	if (sb->mode == DDB_BUILD_PARTITION)
	{
		sb->need_match = true;
		sb->type_check = (opts->identifiers != NIL);
		return;
	}
	for (i = 0; (opts->pk_template || opts->sk_template) && i < list_length(opts->templates); i++)
	{
		DdbAttrTemplate *at = list_nth(opts->templates, i);
		KeyBind    *used = NULL;

		if (!at->is_key)
			continue;
		if (a->pk && a->pk->which == i)
			used = a->pk;
		else if (a->sk && a->sk->which == i)
			used = a->sk;
		if (used && used->tmpl_exact)
			continue;
		/* a template the access does not bind: a Scan's filter may check it */
		if (used == NULL && a->op == DDB_OP_SCAN)
		{
			KeyBind    *kb = ddb_bind_template(opts, i, sb->quals);

			if (kb->kind == KB_PREFIX || kb->kind == KB_EQ || kb->kind == KB_RANGE)
			{
				ddb_deparse_template_filter(&sb->b, &sb->filter, at);
				/* the filter is the whole check: no holes, or one trailing hole of text */
				if (at->tmpl->nholes == 0 ||
					(at->tmpl->nholes == 1 && at->tmpl->parts[at->tmpl->nparts - 1].is_hole &&
					 at->tmpl->transforms[0] == DDB_TRANSFORM_NONE &&
					 ddb_hole_takes_any_text(opts, at->tmpl->holes[0])))
					continue;
			}
		}
		sb->need_match = true;
	}
	/* a column in both key templates must read one value from both */
	if (opts->pk_template && opts->sk_template)
		for (i = 0; i < opts->sk_template->nholes; i++)
			if (ddb_template_hole_index(opts->pk_template, opts->sk_template->holes[i]) >= 0 &&
				!(a->pk && a->pk->kind == KB_EQ && a->sk && a->sk->kind == KB_EQ))
				sb->need_match = true;
	/* identifier attributes the key condition does not bind already */
	foreach(lc, opts->identifiers)
	{
		DdbIdentifier *id = lfirst(lc);

		if (a->pk && strcmp(a->pk->attr, id->attr) == 0)
			continue;
		if ((a->op == DDB_OP_QUERY || a->op == DDB_OP_SCAN) && !fetch_lacks_identifiers(sb))
			ddb_deparse_identifier_filter(&sb->b, &sb->filter, opts, a->pk ? a->pk->attr : NULL);
		else
			sb->type_check = true;
		break;
	}
}

/*
 * Step 5b, the filter: the other conditions go to the FilterExpression
 * where DynamoDB decides them exactly as PostgreSQL would; the rest stays
 * local.  GetItem and BatchGetItem take no filter, and a join's partition
 * read none (its conditions are the other entity's too).
 */
static void
scan_filter(ScanBuild *sb)
{
	List	   *local_ri = sb->rest;
	List	   *kept = NIL;
	ListCell   *lc;

	/*
	 * A Query on an index whose items are fetched: what the index does not
	 * hold stays here, to be checked on the fetched items.
	 */
	if (sb->a->fetch)
	{
		List	   *on_index = NIL;

		foreach(lc, sb->rest)
		{
			if (clause_on_index(sb, lfirst(lc)))
				on_index = lappend(on_index, lfirst(lc));
			else
				kept = lappend(kept, lfirst(lc));
		}
		local_ri = on_index;
	}
	if (sb->mode != DDB_BUILD_PARTITION &&
		(sb->a->op == DDB_OP_QUERY || sb->a->op == DDB_OP_SCAN))
		local_ri = ddb_build_filter(sb->opts, sb->baserel->relid, local_ri, &sb->b,
									&sb->filter, sb->forbidden);
	sb->local = extract_actual_clauses(list_concat(local_ri, kept), false);

	/*
	 * Items whose time to live is past are hidden: by the filter (its times
	 * filled in when the scan starts), and on each item too (scan.c).
	 */
	sb->late_expiry = (sb->opts->ttl_attr != NULL && !sb->opts->include_expired && sb->a->fetch &&
					   !ddb_index_projects(sb->opts, sb->a->index, sb->opts->ttl_attr));
	if (sb->opts->ttl_attr != NULL && !sb->opts->include_expired &&
		(sb->a->op == DDB_OP_QUERY || sb->a->op == DDB_OP_SCAN) && !sb->late_expiry)
	{
		sb->hide_expired = true;
		appendStringInfo(&sb->filter, "%sNOT (%s BETWEEN %s AND %s)", sb->filter.len ? " AND " : "",
						 ddb_expr_name(&sb->b, sb->opts->ttl_attr), DDB_TTL_OLD_PH, DDB_TTL_NOW_PH);
	}
	sb->req->filter = sb->filter.len > 0 ? sb->filter.data : NULL;
}

/*
 * Step 6, what to read: the columns the targets and the local conditions
 * use (or attrs, for a join's side).  A count(*) and the like, that reads
 * no column and checks nothing here, asks for Select=COUNT instead; else
 * the projection names the attributes read, and always the keys: they
 * carry templates and name the item in errors.  A document column reads
 * whole items, and so does a join's partition read (both entities).
 */
static void
scan_projection(ScanBuild *sb, Bitmapset *attrs_in)
{
	DdbRelOptions *opts = sb->opts;
	Bitmapset  *attrs = NULL;
	List	   *names = list_make1(opts->partition_key);
	bool		whole = false;
	bool		whole_row;
	ListCell   *lc;
	int			i;

	if (attrs_in)
		attrs = bms_copy(attrs_in);
	else
	{
		pull_varattnos((Node *) sb->baserel->reltarget->exprs, sb->baserel->relid, &attrs);
		foreach(lc, sb->local)
			pull_varattnos((Node *) lfirst(lc), sb->baserel->relid, &attrs);
	}
	whole_row = bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, attrs);
	if (opts->sort_key)
		names = lappend(names, opts->sort_key);
	for (i = 0; i < opts->ncolumns; i++)
	{
		DdbColumn  *col = &opts->columns[i];

		if (!whole_row && !bms_is_member(col->attnum - FirstLowInvalidHeapAttributeNumber, attrs))
			continue;
		sb->retrieved = lappend_int(sb->retrieved, col->attnum);
		/* a document or extra column needs the whole item */
		if (col->source == DDB_COL_DOCUMENT || col->source == DDB_COL_EXTRA)
			whole = true;
		else if (col->source == DDB_COL_ATTRIBUTE || col->backed)
			names = lappend(names, col->attrname);
		if (col->read_from_key)
			names = lappend(names,
							((DdbAttrTemplate *) list_nth(opts->templates, col->key_tmpl))->attr);
	}
	if (sb->type_check)
		foreach(lc, opts->identifiers)
			names = lappend(names, ((DdbIdentifier *) lfirst(lc))->attr);
	/* the TTL attribute, for the check on each item */
	if (opts->ttl_attr != NULL && !opts->include_expired)
		names = lappend(names, opts->ttl_attr);

	if (sb->a->fetch)
	{
		/*
		 * The index's items give the table's keys, and the index's (by
		 * which the transaction's own items are merged in order); the items
		 * fetched, the rest.
		 */
		List	   *keys = list_make1(opts->partition_key);

		if (opts->sort_key)
			keys = lappend(keys, opts->sort_key);
		for (i = 0; i < sb->a->index->npk; i++)
			keys = lappend(keys, sb->a->index->pk_attrs[i]);
		for (i = 0; i < sb->a->index->nsk; i++)
			keys = lappend(keys, sb->a->index->sk_attrs[i]);
		sb->req->projection = ddb_deparse_projection(&sb->b, keys);
		sb->req->fetch = true;
		ddb_expr_init(&sb->fb);
		if (!whole && sb->mode != DDB_BUILD_PARTITION)
			sb->req->fetch_projection = ddb_deparse_projection(&sb->fb, names);
		sb->req->fetch_names = sb->req->fetch_projection ? sb->fb.names : NULL;
	}
	else if (sb->retrieved == NIL && sb->local == NIL && !sb->need_match && !sb->type_check &&
			 sb->mode == DDB_BUILD_SCAN &&
			 (sb->a->op == DDB_OP_QUERY || sb->a->op == DDB_OP_SCAN))
		sb->req->count = true;
	else if (!whole && sb->mode != DDB_BUILD_PARTITION)
		sb->req->projection = ddb_deparse_projection(&sb->b, names);	/* NULL: too long */
}

/*
 * Step 7, order and limit: ScanIndexForward for the order a path promised,
 * and the query's LIMIT as DynamoDB's Limit, only where DynamoDB does all
 * the work (nothing local, nothing checked here, one request stream) and
 * the order is the one the query wants (allow_limit): else the first
 * items DynamoDB returns need not be the rows the query keeps.
 */
static void
scan_order_limit(ScanBuild *sb, int forward, bool allow_limit)
{
	PlannerInfo *root = sb->root;

	sb->req->backward = (forward < 0);
	if (sb->mode == DDB_BUILD_SCAN && allow_limit && root->limit_tuples > 0 &&
		sb->local == NIL && !sb->need_match && !sb->type_check && !sb->late_expiry &&
		bms_membership(root->all_baserels) == BMS_SINGLETON &&
		(sb->a->op == DDB_OP_QUERY || sb->a->op == DDB_OP_SCAN) && sb->a->nkeys <= 1 &&
		sb->opts->parallel_segments == 1)
		sb->req->limit = (int) ceil(root->limit_tuples);
}

/*
 * Step 8, the plan: the request with its placeholders and key specs, what
 * to fill and check, and how EXPLAIN names each runtime value.
 */
static DdbScanPlan *
scan_pack(ScanBuild *sb)
{
	DdbScanPlan *plan = palloc0(sizeof(DdbScanPlan));
	ListCell   *lc;

	sb->req->names = sb->b.nnames > 0 ? sb->b.names : NULL;
	sb->req->values = sb->b.nvalues > 0 ? sb->b.values : NULL;
	if (sb->hide_expired)
	{
		cJSON	   *av;

		if (sb->req->values == NULL)
			sb->req->values = cJSON_CreateObject();
		av = cJSON_AddObjectToObject(sb->req->values, DDB_TTL_OLD_PH);
		cJSON_AddStringToObject(av, "N", "(statement start - 5 years, epoch seconds)");
		av = cJSON_AddObjectToObject(sb->req->values, DDB_TTL_NOW_PH);
		cJSON_AddStringToObject(av, "N", "(statement start, epoch seconds)");
	}
	sb->req->keys = sb->specs;
	plan->request = sb->req;
	plan->retrieved = sb->retrieved;
	plan->flags = (sb->need_match ? DDB_FLAG_MATCH : 0) |
		(sb->type_check ? DDB_FLAG_TYPE_CHECK : 0);
	foreach(lc, sb->exprs)
		plan->shown = lappend(plan->shown, makeString(IsA(lfirst(lc), Const) ? pstrdup("") :
													  render_expr(sb->root, lfirst(lc))));
	return plan;
}

/*
 * The plan of a scan of one relation for the given conditions
 * (RestrictInfos), in the steps above.  Sets *exprs (the key values'
 * expressions, fdw_exprs) and *local (conditions left to PostgreSQL).  In
 * DDB_BUILD_PARTITION mode (the driving side of a join inside one
 * partition) the request reads the whole partition: no sort key
 * condition, no filter, and every condition stays local.  attrs, when not
 * NULL, names the columns to read instead of targets + local conditions.
 * Raises nothing for a Scan that allow_full_scan forbids: paths are built
 * speculatively, the guard is for the plan chosen (ddb_full_scan_guard).
 */
DdbScanPlan *
ddb_build_scan(PlannerInfo *root, RelOptInfo *baserel, List *scan_clauses, int forward,
			   bool allow_limit, int mode, Bitmapset *attrs, List **exprs, List **local)
{
	ScanBuild	sb;

	memset(&sb, 0, sizeof(sb));
	sb.root = root;
	sb.baserel = baserel;
	sb.opts = ((DdbPlanState *) baserel->fdw_private)->opts;
	sb.mode = mode;
	sb.req = palloc0(sizeof(DdbReadRequest));
	sb.req->table = sb.opts->table;
	ddb_expr_init(&sb.b);
	initStringInfo(&sb.filter);

	/* step 1, the conditions: what each says of one column */
	sb.quals = ddb_classify_all(sb.opts, baserel->relid, scan_clauses);
	scan_choose_access(&sb);
	scan_bind_keys(&sb);
	scan_key_condition(&sb);
	scan_entity_checks(&sb);
	scan_filter(&sb);
	scan_projection(&sb, attrs);
	scan_order_limit(&sb, forward, allow_limit);
	*exprs = sb.exprs;
	*local = sb.local;
	return scan_pack(&sb);
}

/*
 * The full-scan guard (allow_full_scan 'false'): raised for a plan that
 * is made, in GetForeignPlan, never while paths are only considered.
 */
void
ddb_full_scan_guard(RelOptInfo *rel, const DdbScanPlan *plan)
{
	DdbRelOptions *opts = ddb_rel_options(rel);

	if (plan->request->op == DDB_OP_SCAN && !opts->allow_full_scan)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("query on foreign table \"%s\" would scan the whole DynamoDB table \"%s\"",
						get_rel_name(opts->relid), opts->table),
				 errdetail("The option allow_full_scan is false."),
				 errhint("%s", scan_guard_hint(opts))));
}

/* GetForeignPlan of a base relation (ddbrel.c sends joins to join.c). */
ForeignScan *
ddb_scan_plan(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid,
			  ForeignPath *best_path, List *tlist, List *scan_clauses,
			  Plan *outer_plan)
{
	List	   *exprs;
	List	   *local;
	DdbScanPlan *plan;
	int			forward = 0;

	if (best_path->fdw_private)
		forward = intVal(linitial(best_path->fdw_private));
	/*
	 * A LIMIT is pushed only when this path's order is what the query wants,
	 * and never to the participants of a parallel scan.
	 */
	plan = ddb_build_scan(root, baserel, scan_clauses, forward,
						  pathkeys_contained_in(root->query_pathkeys, best_path->path.pathkeys) &&
						  !best_path->path.parallel_aware,
						  DDB_BUILD_SCAN, NULL, &exprs, &local);
	ddb_full_scan_guard(baserel, plan);
	if (best_path->path.parallel_aware)
		plan->request->segments = ddb_parallel_segments(plan->request->segments,
														best_path->path.parallel_workers);
	return make_foreignscan(tlist, local, baserel->relid, exprs, ddb_scan_plan_pack(plan),
							NIL, NIL, outer_plan);
}

/* ----------------------------------------------------------------
 * For join.c: what planning found about one relation
 * ----------------------------------------------------------------
 */
DdbRelOptions *
ddb_rel_options(RelOptInfo *rel)
{
	return ((DdbPlanState *) rel->fdw_private)->opts;
}

/*
 * Whether the relation's own conditions bind the table's partition key:
 * 0 no, 1 to one value, 2 to several (IN).
 */
int
ddb_rel_partition_bound(RelOptInfo *rel)
{
	DdbPlanState *ps = rel->fdw_private;
	Access	   *a = ps->base;

	if (a->op == DDB_OP_SCAN || a->index != NULL || a->pk == NULL ||
		strcmp(a->pk->attr, ps->opts->partition_key) != 0)
		return 0;
	return a->pk->kind == KB_EQ ? 1 : a->pk->kind == KB_IN ? 2 : 0;
}

/*
 * Whether the relation's own conditions bind partition key attribute attr
 * of the table (ix NULL) or of index ix, and its access reads there: 0 no,
 * 1 to one value, 2 to several (IN).  A join inside that partition (a
 * collection on an index) is driven by such a relation.
 */
int
ddb_rel_partition_bound_on(RelOptInfo *rel, const char *attr, const char *ix)
{
	DdbPlanState *ps = rel->fdw_private;
	Access	   *a = ps->base;

	if (ix == NULL || *ix == '\0')
		return ddb_rel_partition_bound(rel);
	if (a->op != DDB_OP_QUERY || a->index == NULL || a->pk == NULL ||
		strcmp(a->index->name, ix) != 0 || strcmp(a->pk->attr, attr) != 0 ||
		a->more_pk != NIL)
		return 0;
	return a->pk->kind == KB_EQ ? 1 : a->pk->kind == KB_IN ? 2 : 0;
}

/*
 * For batchjoin.c: the operation the relation's own conditions plus extra
 * (RestrictInfos, such as "key = ANY($n)") would be read with, and its
 * cost per key value.
 */
DdbOp
ddb_rel_access_with(RelOptInfo *rel, List *extra, Cost *per_key)
{
	DdbPlanState *ps = rel->fdw_private;
	List	   *quals = ddb_classify_all(ps->opts, rel->relid,
									 list_concat(list_copy(rel->baserestrictinfo), extra));
	Access	   *a = ddb_choose_access(ps, quals);

	if (per_key)
		*per_key = a->cost / Max(a->nkeys, 1);
	return a->op;
}

Cost
ddb_rel_access_cost(RelOptInfo *rel, double *rows)
{
	DdbPlanState *ps = rel->fdw_private;

	*rows = ps->base->rows;
	return ps->base->cost;
}

/*
 * The query's first ORDER BY key, when the relation's own access returns
 * rows in that order (a Query on one partition); *forward 1 or -1.
 */
PathKey *
ddb_rel_order_pathkey(PlannerInfo *root, RelOptInfo *rel, int *forward)
{
	DdbPlanState *ps = rel->fdw_private;
	bool		fwd = true;
	PathKey    *pk = useful_pathkey(root, rel, ps, ps->base, &fwd);

	*forward = fwd ? 1 : -1;
	return pk;
}
