/*-------------------------------------------------------------------------
 * batchjoin.c
 *	  Batched parameterized lookups: a join whose inner side is a ddbrel
 *	  table read by key, in rounds of up to 800 outer rows, a BatchGetItem
 *	  per 100 distinct keys with 8 in flight (or concurrent Queries when
 *	  the join binds only the partition key).
 *
 * Without this, a nested loop from a local table (or from a pushed-down
 * join) to a ddbrel table asks for the inner row by one GetItem per outer
 * row: 1,000 keys are 1,000 round trips.  Here a CustomScan, offered
 * through set_join_pathlist_hook, reads a round of outer rows, evaluates
 * their join key, and rescans ONE ordinary ddbrel Foreign Scan whose
 * condition is "key = ANY($n)" (one array per key column, paired element
 * by element): scan.c turns that into BatchGetItems of 100 distinct keys
 * (UnprocessedKeys asked for again), or, for a partition key alone, into a
 * Query per distinct value, up to 8 requests in flight either way.  The
 * next round's outer rows are read and its requests sent as soon as a
 * round's items are in, so they travel while that round is joined.  A
 * round holds what work_mem allows (next_round_rows).  The items come back
 * in any order; they are hashed by their key value, and each outer row,
 * in its own order, is joined with the inner rows of its hash by
 * evaluating every join condition again.  So:
 *
 *	- the answer does not depend on the lookup being exact: the lookup only
 *	  has to return a superset of the matching rows, as a GetItem per row
 *	  does today, and every condition is checked here;
 *	- row order is the outer side's, so the outer path's sort order holds;
 *	- INNER, LEFT, SEMI and ANTI joins are kept (a LEFT row without a match
 *	  gets NULLs; a NULL outer key matches nothing and is not sent);
 *	- the inner Foreign Scan is the ordinary one, so EXPLAIN, stats(),
 *	  projections and its own local conditions are those of any scan.
 *
 * Why a CustomScan over the join and not a change to the nested loop or to
 * the foreign scan: PostgreSQL 15's NestLoop asks its inner side for one
 * outer row at a time and has no batching; an FDW's parameterized path sees
 * only one row's parameter.  A join-level CustomScan owns both children and
 * may read ahead on the outer side, which is what batching needs, while the
 * planner still costs it against the per-row nested loop and the hash join.
 *
 * The Params that carry a batch's keys are set by this node, as a
 * NestLoop sets its parameters; PostgreSQL's finalize_plan only knows the
 * latter, so the plan holds them as placeholders and the executor's copy
 * of the inner scan has the Params (hide_batch_params).
 *
 * ddbrel.batch_lookups (default on) turns the path off.
 *-------------------------------------------------------------------------
 */
#include "ddbrel.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "executor/nodeCustom.h"
#include "miscadmin.h"
#include "nodes/extensible.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/planmain.h"
#include "optimizer/restrictinfo.h"
#include "optimizer/tlist.h"
#include "optimizer/paramassign.h"
#include "parser/parsetree.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/ruleutils.h"

#define DDB_BATCH_ROWS 100		/* keys of one BatchGetItem */
#define DDB_BATCH_INFLIGHT 8	/* requests of a round in flight (scan.c's) */
/* outer rows of a round: enough keys for every request in flight */
#define DDB_ROUND_MAX_ROWS (DDB_BATCH_ROWS * DDB_BATCH_INFLIGHT)
/* key columns: two key attributes, or more holes of their templates */
#define DDB_BATCH_MAX_KEYS 8

bool		ddb_batch_lookups = true;

static set_join_pathlist_hook_type prev_join_pathlist_hook = NULL;

/*
 * One key column of the inner side and the outer expression equated with
 * it.  opno takes the inner side on its left, the outer on its right; their
 * types may differ (int4 = int8) where cross_type_exact allows it.
 */
typedef struct BatchKey
{
	Var		   *ivar;
	Expr	   *iexpr;			/* ivar as the operator takes it (a RelabelType) */
	Expr	   *oexpr;
	Oid			opno;
	Oid			collation;
} BatchKey;

/* custom_private of the path */
enum BatchPathPrivate
{
	BP_JOINTYPE,
	BP_INNER_RELID,
	BP_ATTNOS,					/* IntList */
	BP_OPNOS,					/* OidList */
	BP_COLLATIONS,				/* OidList */
	BP_OUTER_EXPRS,
	BP_RESTRICTLIST,
	BP_OP,						/* DDB_OP_BATCH_GET_ITEM or DDB_OP_QUERY */
	BP_INNER_EXPRS				/* BatchKey.iexpr of each key */
};

/* custom_private of the plan */
enum BatchPlanPrivate
{
	BS_JOINTYPE,
	BS_NOUTER,
	BS_PARAMIDS,				/* IntList, one per key column */
	BS_KEYPOS,					/* IntList: attributes of the keys in the inner tuple */
	BS_OPNOS,
	BS_COLLATIONS,
	BS_OP,
	BS_FIRST_ROUND				/* outer rows of the first round */
};

typedef struct BatchState
{
	CustomScanState css;
	JoinType	jointype;
	int			nkeys;
	int			nouter_cols;
	int			paramid[DDB_BATCH_MAX_KEYS];
	int			keypos[DDB_BATCH_MAX_KEYS];
	Oid			collation[DDB_BATCH_MAX_KEYS];
	Oid			keytype[DDB_BATCH_MAX_KEYS];
	int16		typlen[DDB_BATCH_MAX_KEYS];
	bool		typbyval[DDB_BATCH_MAX_KEYS];
	char		typalign[DDB_BATCH_MAX_KEYS];
	bool		use_hash;
	FmgrInfo	hashfn[DDB_BATCH_MAX_KEYS];	/* of the outer values */
	FmgrInfo	ihashfn[DDB_BATCH_MAX_KEYS];	/* of the inner values */
	ExprState  *keyexpr[DDB_BATCH_MAX_KEYS];
	PlanState  *outerps;
	PlanState  *innerps;
	ExprState  *joinqual;
	TupleTableSlot *outer_slot;
	TupleTableSlot *inner_slot;
	MemoryContext batchcxt;
	/* outer rows of the next round (up to DDB_ROUND_MAX_ROWS) */
	int			first_round;
	int			round_rows;
	/* the current batch */
	int			nouter;
	MinimalTuple *outer_tups;
	uint32	   *outer_hash;
	bool	   *outer_null;
	int			ninner;
	int			inner_cap;
	MinimalTuple *inner_tups;
	uint32	   *inner_hash;
	int		   *inner_next;		/* next inner row of the same bucket, or -1 */
	int		   *bucket;			/* first inner row of each bucket, or -1 */
	uint32		bucket_mask;
	Size		inner_bytes;	/* of the round's inner tuples */
	int			oi;				/* current outer row */
	int			ii;				/* next inner row to try with it, or -1 */
	bool		cur_loaded;
	bool		matched;
	bool		outer_done;
	/* the next round: its outer rows read, its requests on their way */
	MemoryContext nextcxt;
	int			next_nouter;
	MinimalTuple *next_tups;
	uint32	   *next_hash;
	bool	   *next_null;
	bool		have_next;		/* next_* hold a round */
	bool		next_pending;	/* the inner scan reads its keys */
	long		rounds_taken;
	/* for EXPLAIN ANALYZE */
	long		batches;
	long		keys_sent;
	int			max_round;		/* the most outer rows a round held */
} BatchState;

static Plan *plan_batch_path(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
							 List *tlist, List *clauses, List *custom_plans);
static Node *create_batch_state(CustomScan *cscan);
static void batch_begin(CustomScanState *node, EState *estate, int eflags);
static TupleTableSlot *batch_exec(CustomScanState *node);
static void batch_end(CustomScanState *node);
static void batch_rescan(CustomScanState *node);
static void batch_explain(CustomScanState *node, List *ancestors, ExplainState *es);

static const CustomPathMethods batch_path_methods = {
	.CustomName = "DynamoDB Batched Lookup",
	.PlanCustomPath = plan_batch_path,
};

static const CustomScanMethods batch_scan_methods = {
	.CustomName = "DynamoDB Batched Lookup",
	.CreateCustomScanState = create_batch_state,
};

static const CustomExecMethods batch_exec_methods = {
	.CustomName = "DynamoDB Batched Lookup",
	.BeginCustomScan = batch_begin,
	.ExecCustomScan = batch_exec,
	.EndCustomScan = batch_end,
	.ReScanCustomScan = batch_rescan,
	.ExplainCustomScan = batch_explain,
};

/* ----------------------------------------------------------------
 * Planning
 * ----------------------------------------------------------------
 */

static Node *
strip_relabel(Node *n)
{
	while (n && IsA(n, RelabelType))
		n = (Node *) ((RelabelType *) n)->arg;
	return n;
}

/* Integer types: one decimal text, and one hash (hashint8 extends hashint4). */
static bool
integer_type(Oid t)
{
	return t == INT2OID || t == INT4OID || t == INT8OID;
}

/*
 * Whether an equality between an inner key column (of type coltype, taken
 * as ityp by the operator: varchar as text) and an outer value of type otyp
 * holds exactly when their keys are equal, so that the outer values can go
 * to DynamoDB as they are.  A key is the value's text (a template hole, an
 * S attribute) or its number (an N attribute).
 *
 * - one type on both sides (or a domain over it): the case the key
 *   conditions of scans are built for;
 * - integers of different widths (int4 = int8): equal values print the
 *   same decimal digits, and an outer value out of the column's range asks
 *   for a key no row of the column can hold;
 * - a varchar column compared as text with a text value (texteq): the text
 *   is the key.
 *
 * Anything else (numeric = int casts a side and stays a nested loop; a
 * float prints 1e+20 for what a numeric prints in full) is not batched.
 */
static bool
cross_type_exact(Oid coltype, Oid ityp, Oid otyp)
{
	if (ityp == otyp && (ityp == coltype || ityp == getBaseType(coltype) ||
						 (ityp == TEXTOID && getBaseType(coltype) == VARCHAROID)))
		return true;
	return ityp == coltype && integer_type(ityp) && integer_type(otyp);
}

/*
 * A join clause "outer expression = inner column" with a hashable equality
 * the keys decide exactly (cross_type_exact): the column, the expression
 * and the operator.
 */
static bool
key_clause(RestrictInfo *ri, RelOptInfo *outerrel, RelOptInfo *innerrel, BatchKey *key)
{
	OpExpr	   *op;
	Node	   *l;
	Node	   *r;
	Node	   *inner;
	Node	   *outer;
	Node	   *var;
	Oid			opno;

	if (!IsA(ri->clause, OpExpr))
		return false;
	op = (OpExpr *) ri->clause;
	if (list_length(op->args) != 2)
		return false;
	l = linitial(op->args);
	r = lsecond(op->args);
	if (bms_is_subset(ri->left_relids, outerrel->relids) &&
		bms_equal(ri->right_relids, innerrel->relids))
	{
		outer = l;
		inner = r;
	}
	else if (bms_is_subset(ri->right_relids, outerrel->relids) &&
			 bms_equal(ri->left_relids, innerrel->relids))
	{
		outer = r;
		inner = l;
	}
	else
		return false;
	if (bms_is_empty(inner == l ? ri->right_relids : ri->left_relids))
		return false;
	var = strip_relabel(inner);
	if (!IsA(var, Var) || ((Var *) var)->varno != innerrel->relid ||
		((Var *) var)->varattno <= 0 || ((Var *) var)->varlevelsup != 0)
		return false;
	if (contain_volatile_functions(outer) ||
		!op_hashjoinable(op->opno, exprType(l)) ||
		!cross_type_exact(((Var *) var)->vartype, exprType(inner), exprType(outer)) ||
		!OidIsValid(get_array_type(exprType(outer))))
		return false;
	/* the operator with the inner side on its left, as "inner = ANY(outer values)" */
	opno = (inner == l) ? op->opno : get_commutator(op->opno);
	if (!OidIsValid(opno))
		return false;
	key->ivar = (Var *) var;
	key->iexpr = (Expr *) inner;
	key->oexpr = (Expr *) outer;
	key->opno = opno;
	key->collation = op->inputcollid;
	return true;
}

/* "col = ANY($paramid)": the column's values of a batch, as an array Param. */
static RestrictInfo *
any_clause(PlannerInfo *root, BatchKey *key, int paramid)
{
	ScalarArrayOpExpr *sa = makeNode(ScalarArrayOpExpr);
	Param	   *p = makeNode(Param);

	p->paramkind = PARAM_EXEC;
	p->paramid = paramid;
	p->paramtype = get_array_type(exprType((Node *) key->oexpr));
	p->paramtypmod = -1;
	p->paramcollid = exprCollation((Node *) key->oexpr);
	p->location = DDB_BATCH_PARAM_LOCATION;
	sa->opno = key->opno;
	sa->opfuncid = get_opcode(key->opno);
	sa->hashfuncid = InvalidOid;
	sa->negfuncid = InvalidOid;
	sa->useOr = true;
	sa->inputcollid = key->collation;
	sa->args = list_make2(copyObject(key->iexpr), p);
	sa->location = -1;
	return make_simple_restrictinfo(root, (Expr *) sa);
}

/*
 * How the inner relation is read with these key columns' values: by
 * BatchGetItem (a whole key), or by one Query per value (a partition key;
 * the scan keeps up to 8 in flight) when nothing else would read it by key.
 * DDB_OP_SCAN: not batched.
 */
static DdbOp
keys_give_batch(PlannerInfo *root, RelOptInfo *innerrel, List *keys, Cost *per_key)
{
	List	   *extra = NIL;
	DdbOp		op;
	ListCell   *lc;

	foreach(lc, keys)
		extra = lappend(extra, any_clause(root, lfirst(lc), 0));
	op = ddb_rel_access_with(innerrel, extra, per_key);
	if (op == DDB_OP_BATCH_GET_ITEM)
		return op;
	if (op == DDB_OP_QUERY && ddb_rel_access_with(innerrel, NIL, NULL) == DDB_OP_SCAN)
		return op;
	return DDB_OP_SCAN;
}

/*
 * Adds the batched path over one outer path.  Cost: the outer side, then
 * one BatchGetItem per 100 outer rows (a GetItem costs 1 in planner.c, a
 * BatchGetItem of n keys 2 + n/20), or a Query per key with 8 in flight
 * (counted as a quarter of the Query a row would cost, plus one), plus
 * the local work of hashing and
 * checking the rows: a key matches one item at most, so about one row per
 * outer row, as the per-row nested loop counts it.
 */
static void
add_batch_path(PlannerInfo *root, RelOptInfo *joinrel, JoinType jointype, Path *outer_path,
			   RelOptInfo *innerrel, List *keys, DdbOp op, Cost per_key,
			   List *restrictlist)
{
	CustomPath *cp;
	double		outer_rows = Max(outer_path->rows, 1.0);
	double		nbatches = ceil(outer_rows / DDB_BATCH_ROWS);
	double		per_batch = Min(outer_rows, DDB_BATCH_ROWS);
	Cost		batch_cost = op == DDB_OP_BATCH_GET_ITEM ? 2 + per_batch * 0.05 :
		per_key + per_key * per_batch / 4;
	List	   *attnos = NIL;
	List	   *opnos = NIL;
	List	   *collations = NIL;
	List	   *oexprs = NIL;
	List	   *iexprs = NIL;
	ListCell   *lc;

	foreach(lc, keys)
	{
		BatchKey   *key = lfirst(lc);

		iexprs = lappend(iexprs, key->iexpr);
		attnos = lappend_int(attnos, key->ivar->varattno);
		opnos = lappend_oid(opnos, key->opno);
		collations = lappend_oid(collations, key->collation);
		oexprs = lappend(oexprs, key->oexpr);
	}
	cp = makeNode(CustomPath);
	cp->path.pathtype = T_CustomScan;
	cp->path.parent = joinrel;
	cp->path.pathtarget = joinrel->reltarget;
	cp->path.param_info = NULL;
	cp->path.parallel_aware = false;
	cp->path.parallel_safe = false;
	cp->path.parallel_workers = 0;
	cp->path.rows = joinrel->rows;
	cp->path.startup_cost = outer_path->startup_cost + batch_cost;
	cp->path.total_cost = outer_path->total_cost + nbatches * batch_cost +
		outer_rows * cpu_tuple_cost * 2;
	cp->path.pathkeys = build_join_pathkeys(root, joinrel, jointype, outer_path->pathkeys);
	/*
	 * The scan tuple holds both sides' columns, so the node computes the
	 * join's target list itself: without this, a Result node above it would
	 * cost a projection per estimated row, and the planner would prefer a
	 * GetItem per row for that alone.
	 */
#ifdef CUSTOMPATH_SUPPORT_PROJECTION
	cp->flags = CUSTOMPATH_SUPPORT_PROJECTION;
#else
	cp->flags = 0;
#endif
	cp->custom_paths = list_make1(outer_path);
	cp->custom_private = list_make5(makeInteger(jointype), makeInteger(innerrel->relid),
									attnos, opnos, collations);
	cp->custom_private = lappend(cp->custom_private, oexprs);
	cp->custom_private = lappend(cp->custom_private, restrictlist);
	cp->custom_private = lappend(cp->custom_private, makeInteger(op));
	cp->custom_private = lappend(cp->custom_private, iexprs);
	cp->methods = &batch_path_methods;
	add_path(joinrel, &cp->path);
}

/*
 * set_join_pathlist_hook: offer a batched lookup when the inner relation
 * is a ddbrel table that the join's key values read by BatchGetItem: with
 * every key column the join equates, else with one of them.
 */
static void
batch_join_paths(PlannerInfo *root, RelOptInfo *joinrel, RelOptInfo *outerrel,
				 RelOptInfo *innerrel, JoinType jointype, JoinPathExtraData *extra)
{
	Path	   *outer_path;
	List	   *cands = NIL;
	List	   *keys = NIL;
	DdbOp		op = DDB_OP_SCAN;
	Cost		per_key = 0;
	ListCell   *lc;

	if (prev_join_pathlist_hook)
		prev_join_pathlist_hook(root, joinrel, outerrel, innerrel, jointype, extra);
	if (!ddb_batch_lookups)
		return;
	if (jointype != JOIN_INNER && jointype != JOIN_LEFT &&
		jointype != JOIN_SEMI && jointype != JOIN_ANTI)
		return;
	if (innerrel->reloptkind != RELOPT_BASEREL || innerrel->rtekind != RTE_RELATION ||
		innerrel->fdwroutine == NULL ||
		innerrel->fdwroutine->GetForeignPaths != ddbGetForeignPaths ||
		innerrel->fdw_private == NULL || !bms_is_empty(innerrel->lateral_relids))
		return;
	/* the table an UPDATE or DELETE writes is read row by row, as modify.c expects */
	if (bms_is_member(innerrel->relid, root->all_result_relids) ||
		innerrel->relid == root->parse->resultRelation)
		return;
	outer_path = outerrel->cheapest_total_path;
	if (outer_path == NULL || !bms_is_empty(PATH_REQ_OUTER(outer_path)))
		return;
	if (!bms_is_empty(joinrel->lateral_relids))
		return;

	/* one clause per inner column */
	foreach(lc, extra->restrictlist)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);
		BatchKey	key;
		ListCell   *kc;
		bool		dup = false;

		if (IS_OUTER_JOIN(jointype) && RINFO_IS_PUSHED_DOWN(ri, joinrel->relids))
			continue;
		if (!key_clause(ri, outerrel, innerrel, &key))
			continue;
		foreach(kc, cands)
			if (((BatchKey *) lfirst(kc))->ivar->varattno == key.ivar->varattno)
				dup = true;
		if (dup || list_length(cands) >= DDB_BATCH_MAX_KEYS)
			continue;
		{
			BatchKey   *copy = palloc(sizeof(BatchKey));

			*copy = key;
			cands = lappend(cands, copy);
		}
	}
	if (cands == NIL)
		return;
	op = keys_give_batch(root, innerrel, cands, &per_key);
	if (op != DDB_OP_SCAN)
		keys = cands;
	else if (list_length(cands) > 1)
	{
		foreach(lc, cands)
		{
			op = keys_give_batch(root, innerrel, list_make1(lfirst(lc)), &per_key);
			if (op != DDB_OP_SCAN)
			{
				keys = list_make1(lfirst(lc));
				break;
			}
		}
	}
	if (keys == NIL)
		return;

	/* the cheapest outer path, and the cheapest of each useful order */
	add_batch_path(root, joinrel, jointype, outer_path, innerrel, keys, op, per_key,
				   extra->restrictlist);
	foreach(lc, outerrel->pathlist)
	{
		Path	   *p = lfirst(lc);

		if (p != outer_path && p->pathkeys != NIL && bms_is_empty(PATH_REQ_OUTER(p)) &&
			has_useful_pathkeys(root, joinrel))
			add_batch_path(root, joinrel, jointype, p, innerrel, keys, op, per_key,
						   extra->restrictlist);
	}
}

/*
 * In the plan, a batch's Param is a typed NULL Const whose location holds
 * its number; batch_begin puts the Params back in its copy of the inner
 * scan.  PostgreSQL's finalize_plan requires every PARAM_EXEC a plan node
 * reads to be set by an ancestor it knows (a NestLoop, an InitPlan) or to
 * come from an outer query level; a Param set by a CustomScan is neither,
 * and would fail planning inside a SubPlan or a CTE ("plan should not
 * reference subplan's variable").
 */
#define HIDDEN_PARAM_BASE (-1000000)

static Node *
hide_batch_params(Node *node, void *context)
{
	if (node == NULL)
		return NULL;
	if (ddb_is_batch_param(node))
	{
		Param	   *p = (Param *) node;
		Const	   *c = makeNullConst(p->paramtype, p->paramtypmod, p->paramcollid);

		c->location = HIDDEN_PARAM_BASE - p->paramid;
		return (Node *) c;
	}
	return expression_tree_mutator(node, hide_batch_params, context);
}

static Node *
show_batch_params(Node *node, void *context)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, Const) && ((Const *) node)->constisnull &&
		((Const *) node)->location <= HIDDEN_PARAM_BASE)
	{
		Const	   *c = (Const *) node;
		Param	   *p = makeNode(Param);

		p->paramkind = PARAM_EXEC;
		p->paramid = HIDDEN_PARAM_BASE - c->location;
		p->paramtype = c->consttype;
		p->paramtypmod = c->consttypmod;
		p->paramcollid = c->constcollid;
		p->location = DDB_BATCH_PARAM_LOCATION;
		return (Node *) p;
	}
	return expression_tree_mutator(node, show_batch_params, context);
}

/* The inner relation's scan: "key = ANY($paramid)" and its own conditions. */
static ForeignScan *
inner_scan(PlannerInfo *root, RelOptInfo *innerrel, List *keys, List *paramids,
		   List **tlist_out)
{
	List	   *tlist = NIL;
	List	   *clauses;
	List	   *exprs;
	List	   *local;
	DdbScanPlan *plan;
	ForeignScan *fs;
	ListCell   *lc;
	ListCell   *pc;

	foreach(lc, innerrel->reltarget->exprs)
		tlist = lappend(tlist, makeTargetEntry(copyObject(lfirst(lc)), list_length(tlist) + 1,
											   NULL, false));
	clauses = list_copy(innerrel->baserestrictinfo);
	forboth(lc, keys, pc, paramids)
	{
		BatchKey   *key = lfirst(lc);

		/* the key columns are in the tuple, for hashing */
		if (!tlist_member((Expr *) key->ivar, tlist))
			tlist = lappend(tlist, makeTargetEntry((Expr *) copyObject(key->ivar),
												   list_length(tlist) + 1, NULL, false));
		clauses = lappend(clauses, any_clause(root, key, lfirst_int(pc)));
	}
	plan = ddb_build_scan(root, innerrel, clauses, 0, false, DDB_BUILD_DRIVER, NULL,
						  &exprs, &local);
	ddb_full_scan_guard(innerrel, plan);
	/* the Params are set by this node: hidden from finalize_plan (see the header) */
	exprs = (List *) hide_batch_params((Node *) exprs, NULL);
	local = (List *) hide_batch_params((Node *) local, NULL);
	fs = make_foreignscan(tlist, local, innerrel->relid, exprs, ddb_scan_plan_pack(plan),
						  NIL, NIL, NULL);
	fs->fs_server = innerrel->serverid;
	fs->fs_relids = bms_copy(innerrel->relids);
	fs->fsSystemCol = false;
	fs->scan.plan.startup_cost = 0;
	fs->scan.plan.total_cost = 2 + DDB_BATCH_ROWS * 0.05;
	fs->scan.plan.plan_rows = DDB_BATCH_ROWS;
	fs->scan.plan.plan_width = innerrel->reltarget->width;
	fs->scan.plan.parallel_safe = false;
	*tlist_out = tlist;
	return fs;
}

static Plan *
plan_batch_path(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
				List *tlist, List *clauses, List *custom_plans)
{
	List	   *priv = best_path->custom_private;
	JoinType	jointype = intVal(list_nth(priv, BP_JOINTYPE));
	Index		inner_relid = intVal(list_nth(priv, BP_INNER_RELID));
	List	   *attnos = list_nth(priv, BP_ATTNOS);
	List	   *opnos = list_nth(priv, BP_OPNOS);
	List	   *collations = list_nth(priv, BP_COLLATIONS);
	List	   *oexprs = list_nth(priv, BP_OUTER_EXPRS);
	List	   *restrictlist = list_nth(priv, BP_RESTRICTLIST);
	RelOptInfo *innerrel = find_base_rel(root, inner_relid);
	Oid			relid = planner_rt_fetch(inner_relid, root)->relid;
	Plan	   *outer_plan = linitial(custom_plans);
	CustomScan *cscan = makeNode(CustomScan);
	List	   *inner_tlist;
	List	   *scan_tlist = NIL;
	List	   *joinquals;
	List	   *otherquals;
	List	   *keys = NIL;
	List	   *paramids = NIL;
	List	   *keypos = NIL;
	ForeignScan *fs;
	ListCell   *lc;
	int			i;

	for (i = 0; i < list_length(attnos); i++)
	{
		BatchKey   *key = palloc0(sizeof(BatchKey));
		AttrNumber	attno = list_nth_int(attnos, i);
		Oid			typid;
		int32		typmod;
		Oid			collid;
		int			paramid;

		get_atttypetypmodcoll(relid, attno, &typid, &typmod, &collid);
		key->ivar = makeVar(inner_relid, attno, typid, typmod, collid, 0);
		key->iexpr = list_nth(list_nth(priv, BP_INNER_EXPRS), i);
		key->oexpr = list_nth(oexprs, i);
		key->opno = list_nth_oid(opnos, i);
		key->collation = list_nth_oid(collations, i);
		keys = lappend(keys, key);
		paramid = assign_special_exec_param(root);
		paramids = lappend_int(paramids, paramid);
	}

	fs = inner_scan(root, innerrel, keys, paramids, &inner_tlist);

	/* the scan tuple: the outer plan's columns, then the inner scan's */
	foreach(lc, outer_plan->targetlist)
	{
		TargetEntry *tle = lfirst(lc);

		scan_tlist = lappend(scan_tlist, makeTargetEntry(copyObject(tle->expr),
														 list_length(scan_tlist) + 1,
														 NULL, false));
	}
	foreach(lc, inner_tlist)
	{
		TargetEntry *tle = lfirst(lc);

		scan_tlist = lappend(scan_tlist, makeTargetEntry(copyObject(tle->expr),
														 list_length(scan_tlist) + 1,
														 NULL, false));
	}
	foreach(lc, keys)
		keypos = lappend_int(keypos,
							 tlist_member((Expr *) ((BatchKey *) lfirst(lc))->ivar,
										  inner_tlist)->resno);

	/* every join condition is checked here; pushed-down ones filter the result */
	if (!IS_OUTER_JOIN(jointype))
	{
		joinquals = extract_actual_clauses(restrictlist, false);
		otherquals = NIL;
	}
	else
		extract_actual_join_clauses(restrictlist, rel->relids, &joinquals, &otherquals);

	cscan->scan.plan.targetlist = tlist;
	cscan->scan.plan.qual = otherquals;
	cscan->scan.scanrelid = 0;
	cscan->flags = best_path->flags;
	cscan->custom_plans = list_make2(outer_plan, fs);
	cscan->custom_exprs = list_make2(joinquals, copyObject(oexprs));
	cscan->custom_private = list_make5(makeInteger(jointype),
									   makeInteger(list_length(outer_plan->targetlist)),
									   paramids, keypos, opnos);
	cscan->custom_private = lappend(cscan->custom_private, collations);
	cscan->custom_private = lappend(cscan->custom_private, list_nth(priv, BP_OP));
	/* a plan asked for its first rows (LIMIT, a cursor) starts with one request */
	cscan->custom_private = lappend(cscan->custom_private,
									makeInteger(root->tuple_fraction > 0 ?
												DDB_BATCH_ROWS : DDB_ROUND_MAX_ROWS));
	cscan->custom_scan_tlist = scan_tlist;
	cscan->methods = &batch_scan_methods;
	return &cscan->scan.plan;
}

/* ----------------------------------------------------------------
 * Execution
 * ----------------------------------------------------------------
 */

static Node *
create_batch_state(CustomScan *cscan)
{
	BatchState *bs = palloc0(sizeof(BatchState));

	NodeSetTag(bs, T_CustomScanState);
	bs->css.methods = &batch_exec_methods;
	return (Node *) bs;
}

static void
batch_begin(CustomScanState *node, EState *estate, int eflags)
{
	BatchState *bs = (BatchState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	List	   *priv = cscan->custom_private;
	List	   *oexprs = lsecond(cscan->custom_exprs);
	int			i;

	bs->jointype = intVal(list_nth(priv, BS_JOINTYPE));
	bs->nouter_cols = intVal(list_nth(priv, BS_NOUTER));
	bs->nkeys = list_length(oexprs);
	bs->use_hash = true;
	for (i = 0; i < bs->nkeys; i++)
	{
		Oid			lhs;
		Oid			rhs;

		bs->paramid[i] = list_nth_int(list_nth(priv, BS_PARAMIDS), i);
		bs->keypos[i] = list_nth_int(list_nth(priv, BS_KEYPOS), i);
		bs->collation[i] = list_nth_oid(list_nth(priv, BS_COLLATIONS), i);
		bs->keyexpr[i] = ExecInitExpr(list_nth(oexprs, i), &node->ss.ps);
		bs->keytype[i] = exprType(list_nth(oexprs, i));
		get_typlenbyvalalign(bs->keytype[i], &bs->typlen[i], &bs->typbyval[i],
							 &bs->typalign[i]);
		/* the operator takes the inner value on its left, the outer on its right */
		if (get_op_hash_functions(list_nth_oid(list_nth(priv, BS_OPNOS), i), &lhs, &rhs) &&
			OidIsValid(lhs) && OidIsValid(rhs))
		{
			fmgr_info(rhs, &bs->hashfn[i]);
			fmgr_info(lhs, &bs->ihashfn[i]);
		}
		else
			bs->use_hash = false;
	}

	bs->outerps = ExecInitNode(linitial(cscan->custom_plans), estate, eflags);
	{
		/* the inner scan with its Params back (the plan stays as it is) */
		ForeignScan *fs = (ForeignScan *) lsecond(cscan->custom_plans);
		ForeignScan *copy = palloc(sizeof(ForeignScan));

		memcpy(copy, fs, sizeof(ForeignScan));
		copy->fdw_exprs = (List *) show_batch_params((Node *) fs->fdw_exprs, NULL);
		copy->scan.plan.qual = (List *) show_batch_params((Node *) fs->scan.plan.qual, NULL);
		bs->innerps = ExecInitNode((Plan *) copy, estate,
								   eflags & ~(EXEC_FLAG_BACKWARD | EXEC_FLAG_MARK));
	}
	node->custom_ps = list_make2(bs->outerps, bs->innerps);
	bs->joinqual = ExecInitQual(linitial(cscan->custom_exprs), &node->ss.ps);
	bs->outer_slot = ExecInitExtraTupleSlot(estate, ExecGetResultType(bs->outerps),
											&TTSOpsMinimalTuple);
	bs->inner_slot = ExecInitExtraTupleSlot(estate, ExecGetResultType(bs->innerps),
											&TTSOpsMinimalTuple);
	bs->batchcxt = AllocSetContextCreate(estate->es_query_cxt, "ddbrel batched lookup",
										 ALLOCSET_DEFAULT_SIZES);
	bs->nextcxt = AllocSetContextCreate(estate->es_query_cxt, "ddbrel batched lookup",
										ALLOCSET_DEFAULT_SIZES);
	bs->outer_tups = palloc(sizeof(MinimalTuple) * DDB_ROUND_MAX_ROWS);
	bs->outer_hash = palloc(sizeof(uint32) * DDB_ROUND_MAX_ROWS);
	bs->outer_null = palloc(sizeof(bool) * DDB_ROUND_MAX_ROWS);
	bs->next_tups = palloc(sizeof(MinimalTuple) * DDB_ROUND_MAX_ROWS);
	bs->next_hash = palloc(sizeof(uint32) * DDB_ROUND_MAX_ROWS);
	bs->next_null = palloc(sizeof(bool) * DDB_ROUND_MAX_ROWS);
	bs->first_round = intVal(list_nth(priv, BS_FIRST_ROUND));
	bs->round_rows = bs->first_round;
	bs->oi = bs->nouter = 0;
}

/*
 * The hash of a key value: all of its columns combined.  An outer value
 * and an inner one hash alike when equal (the hash functions of one hash
 * operator family, as a hash join uses them).
 */
static inline uint32
key_hash(BatchState *bs, uint32 h, int i, Datum d, bool inner)
{
	if (!bs->use_hash)
		return 0;
	return hash_combine(h, DatumGetUInt32(FunctionCall1Coll(inner ? &bs->ihashfn[i] : &bs->hashfn[i],
														   bs->collation[i], d)));
}

/* The scan tuple from an outer row and an inner row (NULLs without one). */
static TupleTableSlot *
fill_scan_tuple(BatchState *bs, TupleTableSlot *inner)
{
	TupleTableSlot *slot = bs->css.ss.ss_ScanTupleSlot;
	int			natts = slot->tts_tupleDescriptor->natts;
	int			i;

	ExecClearTuple(slot);
	slot_getallattrs(bs->outer_slot);
	for (i = 0; i < bs->nouter_cols; i++)
	{
		slot->tts_values[i] = bs->outer_slot->tts_values[i];
		slot->tts_isnull[i] = bs->outer_slot->tts_isnull[i];
	}
	if (inner)
		slot_getallattrs(inner);
	for (i = bs->nouter_cols; i < natts; i++)
	{
		slot->tts_values[i] = inner ? inner->tts_values[i - bs->nouter_cols] : (Datum) 0;
		slot->tts_isnull[i] = inner ? inner->tts_isnull[i - bs->nouter_cols] : true;
	}
	return ExecStoreVirtualTuple(slot);
}

/*
 * The size of the next round, from what the last one took: as many outer
 * rows as the inner rows of work_mem can answer, at the last round's bytes
 * per outer row, in whole requests (100 keys), between one request and
 * DDB_ROUND_MAX_ROWS.  The round's inner rows are all held until its last
 * outer row is joined, so this is what keeps memory bounded when items are
 * large or a Query returns many items per key.
 */
static int
next_round_rows(BatchState *bs)
{
	double		per_row;
	double		rows;

	if (bs->nouter == 0)
		return bs->round_rows;
	per_row = (double) bs->inner_bytes / bs->nouter;
	rows = per_row > 0 ? (double) work_mem * 1024.0 / per_row : DDB_ROUND_MAX_ROWS;
	if (rows >= DDB_ROUND_MAX_ROWS)
		return DDB_ROUND_MAX_ROWS;
	return Max(DDB_BATCH_ROWS, ((int) rows / DDB_BATCH_ROWS) * DDB_BATCH_ROWS);
}

/*
 * Chains the round's inner rows by hash, each chain in arrival order (the
 * order a Query returns a partition's items in), so that an outer row
 * tries only the inner rows of its hash.
 */
static void
index_inner(BatchState *bs)
{
	uint32		nbuckets = 1;
	int			j;

	while (nbuckets < (uint32) bs->ninner && nbuckets < (1U << 20))
		nbuckets <<= 1;
	if (!bs->use_hash)
		nbuckets = 1;
	bs->bucket_mask = nbuckets - 1;
	bs->bucket = MemoryContextAlloc(bs->batchcxt, sizeof(int) * nbuckets);
	bs->inner_next = MemoryContextAlloc(bs->batchcxt, sizeof(int) * Max(bs->ninner, 1));
	memset(bs->bucket, -1, sizeof(int) * nbuckets);
	for (j = bs->ninner - 1; j >= 0; j--)
	{
		uint32		b = bs->inner_hash[j] & bs->bucket_mask;

		bs->inner_next[j] = bs->bucket[b];
		bs->bucket[b] = j;
	}
}

/*
 * Reads the next round of outer rows (up to round_rows) into the next_*
 * arrays, and starts the requests for their keys: one rescan of the inner
 * scan, whose first requests are sent at once (one BatchGetItem per 100
 * distinct keys, scan.c keeping up to 8 in flight), so a round of 800
 * outer rows waits for one round trip, not eight, and the round before is
 * joined while they travel.  An outer row with a NULL in its key matches
 * nothing and sends nothing.  The arrays of a key of several columns stay
 * parallel: element i of each is row i's.
 */
static void
read_round(BatchState *bs)
{
	ExprContext *econtext = bs->css.ss.ps.ps_ExprContext;
	Datum	   *keys[DDB_BATCH_MAX_KEYS];
	int			nkeys = 0;
	int			want;
	MemoryContext oldcxt;
	int			k;

	/* sized by the last round read in full */
	want = next_round_rows(bs);
	bs->round_rows = want;
	MemoryContextReset(bs->nextcxt);
	bs->next_nouter = 0;
	bs->next_pending = false;
	for (k = 0; k < bs->nkeys; k++)
		keys[k] = MemoryContextAlloc(bs->nextcxt, sizeof(Datum) * want);
	while (bs->next_nouter < want)
	{
		TupleTableSlot *slot = ExecProcNode(bs->outerps);
		Datum		vals[DDB_BATCH_MAX_KEYS];
		bool		anynull = false;
		uint32		h = 0;
		int			n = bs->next_nouter;

		if (TupIsNull(slot))
		{
			bs->outer_done = true;
			break;
		}
		oldcxt = MemoryContextSwitchTo(bs->nextcxt);
		bs->next_tups[n] = ExecCopySlotMinimalTuple(slot);
		MemoryContextSwitchTo(oldcxt);
		ExecStoreMinimalTuple(bs->next_tups[n], bs->outer_slot, false);
		ResetExprContext(econtext);
		econtext->ecxt_scantuple = fill_scan_tuple(bs, NULL);
		for (k = 0; k < bs->nkeys && !anynull; k++)
		{
			bool		isnull;

			vals[k] = ExecEvalExprSwitchContext(bs->keyexpr[k], econtext, &isnull);
			anynull = isnull;
		}
		bs->next_null[n] = anynull;
		if (!anynull)
		{
			oldcxt = MemoryContextSwitchTo(bs->nextcxt);
			for (k = 0; k < bs->nkeys; k++)
			{
				keys[k][nkeys] = datumCopy(vals[k], bs->typbyval[k], bs->typlen[k]);
				h = key_hash(bs, h, k, keys[k][nkeys], false);
			}
			MemoryContextSwitchTo(oldcxt);
			nkeys++;
		}
		bs->next_hash[n] = h;
		bs->next_nouter++;
	}
	ExecClearTuple(bs->outer_slot);
	ResetExprContext(econtext);
	bs->have_next = bs->next_nouter > 0;
	bs->max_round = Max(bs->max_round, bs->next_nouter);
	if (nkeys == 0)
		return;
	for (k = 0; k < bs->nkeys; k++)
	{
		ParamExecData *prm = &econtext->ecxt_param_exec_vals[bs->paramid[k]];
		ArrayType  *arr;

		oldcxt = MemoryContextSwitchTo(bs->nextcxt);
		arr = construct_array(keys[k], nkeys, bs->keytype[k], bs->typlen[k],
							  bs->typbyval[k], bs->typalign[k]);
		MemoryContextSwitchTo(oldcxt);
		prm->execPlan = NULL;
		prm->value = PointerGetDatum(arr);
		prm->isnull = false;
		bs->innerps->chgParam = bms_add_member(bs->innerps->chgParam, bs->paramid[k]);
	}
	ExecReScan(bs->innerps);
	ddb_scan_prefetch((ForeignScanState *) bs->innerps);
	bs->next_pending = true;
	bs->batches++;
	bs->keys_sent += nkeys;
}

/*
 * Makes the round read by read_round the current one: its outer rows, and
 * the inner rows of their keys, read to the end of the inner scan and
 * chained by hash.
 */
static void
take_round(BatchState *bs)
{
	MemoryContext oldcxt;
	MemoryContext cxt;
	MinimalTuple *tups;
	uint32	   *hash;
	bool	   *nulls;
	int			k;

	/* the current round's memory becomes the next one's, and the other way */
	cxt = bs->batchcxt;
	bs->batchcxt = bs->nextcxt;
	bs->nextcxt = cxt;
	tups = bs->outer_tups;
	bs->outer_tups = bs->next_tups;
	bs->next_tups = tups;
	hash = bs->outer_hash;
	bs->outer_hash = bs->next_hash;
	bs->next_hash = hash;
	nulls = bs->outer_null;
	bs->outer_null = bs->next_null;
	bs->next_null = nulls;
	bs->nouter = bs->next_nouter;
	bs->have_next = false;
	bs->next_nouter = 0;

	ExecClearTuple(bs->outer_slot);
	ExecClearTuple(bs->inner_slot);
	bs->ninner = 0;
	bs->inner_cap = 0;
	bs->inner_bytes = 0;
	bs->inner_tups = NULL;
	bs->inner_hash = NULL;
	while (bs->next_pending)
	{
		TupleTableSlot *slot = ExecProcNode(bs->innerps);
		uint32		h = 0;

		if (TupIsNull(slot))
			break;
		if (bs->ninner == bs->inner_cap)
		{
			bs->inner_cap = Max(bs->inner_cap * 2, 64);
			oldcxt = MemoryContextSwitchTo(bs->batchcxt);
			if (bs->inner_tups == NULL)
			{
				bs->inner_tups = palloc(sizeof(MinimalTuple) * bs->inner_cap);
				bs->inner_hash = palloc(sizeof(uint32) * bs->inner_cap);
			}
			else
			{
				bs->inner_tups = repalloc(bs->inner_tups, sizeof(MinimalTuple) * bs->inner_cap);
				bs->inner_hash = repalloc(bs->inner_hash, sizeof(uint32) * bs->inner_cap);
			}
			MemoryContextSwitchTo(oldcxt);
		}
		oldcxt = MemoryContextSwitchTo(bs->batchcxt);
		bs->inner_tups[bs->ninner] = ExecCopySlotMinimalTuple(slot);
		MemoryContextSwitchTo(oldcxt);
		bs->inner_bytes += bs->inner_tups[bs->ninner]->t_len;
		/* a NULL key matches no outer key: any hash will do */
		for (k = 0; k < bs->nkeys; k++)
		{
			bool		isnull;
			Datum		d = slot_getattr(slot, bs->keypos[k], &isnull);

			if (!isnull)
				h = key_hash(bs, h, k, d, true);
		}
		bs->inner_hash[bs->ninner] = h;
		bs->ninner++;
	}
	bs->next_pending = false;
	ExecClearTuple(bs->inner_slot);
	index_inner(bs);
	bs->rounds_taken++;
	bs->oi = 0;
	bs->ii = -1;
	bs->cur_loaded = false;
	bs->matched = false;
}

static TupleTableSlot *
batch_next(ScanState *ss)
{
	BatchState *bs = (BatchState *) ss;
	ExprContext *econtext = ss->ps.ps_ExprContext;

	for (;;)
	{
		if (bs->oi >= bs->nouter)
		{
			if (!bs->have_next && !bs->outer_done)
				read_round(bs);
			if (!bs->have_next)
				return ExecClearTuple(ss->ss_ScanTupleSlot);
			take_round(bs);
			/*
			 * The next round's requests travel while this one is joined;
			 * after a first round of one request (a plan asked for its
			 * first rows), only once that round is used up.
			 */
			if (!bs->outer_done &&
				(bs->first_round == DDB_ROUND_MAX_ROWS || bs->rounds_taken > 1))
				read_round(bs);
			continue;
		}
		if (!bs->cur_loaded)
		{
			ExecStoreMinimalTuple(bs->outer_tups[bs->oi], bs->outer_slot, false);
			bs->cur_loaded = true;
			bs->matched = false;
			bs->ii = bs->outer_null[bs->oi] ? -1 :
				bs->bucket[bs->outer_hash[bs->oi] & bs->bucket_mask];
		}
		while (bs->ii >= 0)
		{
			int			j = bs->ii;
			TupleTableSlot *scan;

			bs->ii = bs->inner_next[j];
			if (bs->use_hash && bs->inner_hash[j] != bs->outer_hash[bs->oi])
				continue;
			ExecStoreMinimalTuple(bs->inner_tups[j], bs->inner_slot, false);
			scan = fill_scan_tuple(bs, bs->inner_slot);
			econtext->ecxt_scantuple = scan;
			ResetExprContext(econtext);
			if (!ExecQual(bs->joinqual, econtext))
				continue;
			bs->matched = true;
			if (bs->jointype == JOIN_ANTI)
				break;
			if (bs->jointype == JOIN_SEMI)
				bs->ii = -1;	/* one row per outer row */
			return scan;
		}
		/* done with this outer row */
		bs->oi++;
		bs->cur_loaded = false;
		if (!bs->matched && (bs->jointype == JOIN_LEFT || bs->jointype == JOIN_ANTI))
			return fill_scan_tuple(bs, NULL);
	}
}

static bool
batch_recheck(ScanState *ss, TupleTableSlot *slot)
{
	return true;
}

static TupleTableSlot *
batch_exec(CustomScanState *node)
{
	return ExecScan(&node->ss, batch_next, batch_recheck);
}

static void
batch_end(CustomScanState *node)
{
	BatchState *bs = (BatchState *) node;

	ExecEndNode(bs->outerps);
	ExecEndNode(bs->innerps);
	MemoryContextDelete(bs->batchcxt);
	MemoryContextDelete(bs->nextcxt);
}

static void
batch_rescan(CustomScanState *node)
{
	BatchState *bs = (BatchState *) node;

	if (bs->outerps->chgParam == NULL)
		ExecReScan(bs->outerps);
	ExecClearTuple(bs->outer_slot);
	ExecClearTuple(bs->inner_slot);
	MemoryContextReset(bs->batchcxt);
	MemoryContextReset(bs->nextcxt);
	bs->oi = bs->nouter = bs->ninner = bs->next_nouter = 0;
	bs->have_next = bs->next_pending = false;
	bs->rounds_taken = 0;
	bs->round_rows = bs->first_round;
	bs->outer_done = false;
	bs->cur_loaded = false;
}

static void
batch_explain(CustomScanState *node, List *ancestors, ExplainState *es)
{
	BatchState *bs = (BatchState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	List	   *context;
	const char *jt;
	bool		useprefix = list_length(es->rtable) > 1 || es->verbose;

	switch (bs->jointype)
	{
		case JOIN_LEFT:
			jt = "Left";
			break;
		case JOIN_SEMI:
			jt = "Semi";
			break;
		case JOIN_ANTI:
			jt = "Anti";
			break;
		default:
			jt = "Inner";
			break;
	}
	ExplainPropertyText("Join Type", jt, es);
	context = set_deparse_context_plan(es->deparse_cxt, node->ss.ps.plan, ancestors);
	ExplainPropertyText("DynamoDB Batch Key",
						deparse_expression((Node *) lsecond(cscan->custom_exprs), context,
										   useprefix, false), es);
	ExplainPropertyText("DynamoDB Batch",
						intVal(list_nth(cscan->custom_private, BS_OP)) == DDB_OP_QUERY ?
						psprintf("up to %d outer rows a round, a Query per distinct key, %d in flight",
								 DDB_ROUND_MAX_ROWS, DDB_BATCH_INFLIGHT) :
						psprintf("up to %d outer rows a round, a BatchGetItem per %d distinct keys, %d in flight",
								 DDB_ROUND_MAX_ROWS, DDB_BATCH_ROWS, DDB_BATCH_INFLIGHT), es);
	if (linitial(cscan->custom_exprs) != NIL)
		ExplainPropertyText("Join Filter",
							deparse_expression((Node *) make_ands_explicit(linitial(cscan->custom_exprs)),
											   context, useprefix, false), es);
	if (es->analyze)
	{
		ExplainPropertyInteger("DynamoDB Rounds", NULL, bs->batches, es);
		ExplainPropertyInteger("DynamoDB Batch Keys", NULL, bs->keys_sent, es);
		ExplainPropertyInteger("DynamoDB Largest Round", NULL, bs->max_round, es);
	}
}

/* Called from _PG_init. */
void
ddb_batchjoin_init(void)
{
	DefineCustomBoolVariable("ddbrel.batch_lookups",
							 "Joins read a ddbrel table by key 100 outer rows at a time.",
							 "When off, a join reads the table by one request per outer row.",
							 &ddb_batch_lookups, true, PGC_USERSET, 0,
							 NULL, NULL, NULL);
	RegisterCustomScanMethods(&batch_scan_methods);
	prev_join_pathlist_hook = set_join_pathlist_hook;
	set_join_pathlist_hook = batch_join_paths;
}
