/*-------------------------------------------------------------------------
 * join.c
 *	  Join pushdown: ERD joins read the way a DynamoDB expert would.
 *
 * Two ways, chosen in GetForeignJoinPaths for two ddbrel entities of one
 * server, inner or left joins:
 *
 *	partition	both entities share the partition-key template and the join
 *				equates its columns, and the partition is bound (users and
 *				orders of user 123): ONE Query reads the item collection;
 *				its items are split into the two sides by key shape and
 *				joined here (an adjacency-list read).
 *	lookup		the other side's full primary key is made of columns the
 *				join equates with the driving side (an order's user, a
 *				lecture's students through attendance): the driving side is
 *				read by its own best access, and the other side by one
 *				BatchGetItem per 100 distinct keys, never a request per row.
 *
 * Conditions not represented by the requests are evaluated by PostgreSQL
 * on the joined rows (for a LEFT join only where that is the same thing).
 *-------------------------------------------------------------------------
 */
#include "ddbrel.h"
#include "text_hash.h"

#include <math.h>

#include "access/sysattr.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/planmain.h"
#include "optimizer/restrictinfo.h"
#include "optimizer/tlist.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/jsonb.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#define DDB_JOIN_PARTITION 1
#define DDB_JOIN_LOOKUP 2
#define DDB_LOOKUP_BATCH 100

/* What GetForeignJoinPaths found, kept in joinrel->fdw_private. */
typedef struct DdbJoinInfo
{
	int			mode;
	JoinType	jointype;		/* JOIN_INNER or JOIN_LEFT */
	RelOptInfo *drive;			/* the side whose access runs */
	RelOptInfo *other;
	bool		drive_is_outer; /* for LEFT: the preserved side is drive */
	List	   *pairs;			/* lookup: (other attnum, drive attnum, clause) IntLists */
	List	   *local;			/* join-level conditions left to PostgreSQL */
	const char *part_attr;		/* partition: the partition key attribute read */
	const char *part_index;		/* partition: its index, or NULL for the table */
} DdbJoinInfo;

/* fdw_private of a join plan */
enum DdbJoinPrivate
{
	DDB_JPRIV_MODE,
	DDB_JPRIV_JOINTYPE,
	DDB_JPRIV_DRIVE_IS_OUTER,
	DDB_JPRIV_DRIVE_RTI,
	DDB_JPRIV_OTHER_RTI,
	DDB_JPRIV_DRIVE_RELID,
	DDB_JPRIV_OTHER_RELID,
	DDB_JPRIV_DRIVE_SCAN,		/* ddb_build_scan list of the driving side */
	DDB_JPRIV_OTHER_SCAN,		/* of the other side (not run: shape and columns) */
	DDB_JPRIV_PAIRS,			/* lookup: (other attnum, drive attnum) */
	DDB_JPRIV_PART_ATTR,		/* partition: String, the partition key attribute */
	DDB_JPRIV_PART_INDEX		/* partition: String, its index or "" */
};

static bool
rel_is_ours(RelOptInfo *rel)
{
	return rel->reloptkind == RELOPT_BASEREL && rel->fdwroutine &&
		rel->fdwroutine->GetForeignPaths == ddbGetForeignPaths && rel->fdw_private;
}

/*
 * "a.x = b.y" between the two sides, where equal values mean equal keys:
 * both columns of one type (text and varchar count as one), compared by
 * that type's own equality under a deterministic collation.  Sets the
 * attnums, or returns false.
 */
static bool
equality_pair(Expr *clause, Index r1, Index r2, AttrNumber *a1, AttrNumber *a2)
{
	OpExpr	   *op;
	Node	   *l;
	Node	   *r;
	Oid			lt;
	Oid			rt;

	if (!IsA(clause, OpExpr) || list_length(((OpExpr *) clause)->args) != 2)
		return false;
	op = (OpExpr *) clause;
	l = linitial(op->args);
	r = lsecond(op->args);
	while (IsA(l, RelabelType))
		l = (Node *) ((RelabelType *) l)->arg;
	while (IsA(r, RelabelType))
		r = (Node *) ((RelabelType *) r)->arg;
	if (!IsA(l, Var) || !IsA(r, Var))
		return false;
	lt = getBaseType(exprType(l));
	rt = getBaseType(exprType(r));
	if (lt == VARCHAROID)
		lt = TEXTOID;
	if (rt == VARCHAROID)
		rt = TEXTOID;
	if (lt != rt || !ddb_type_equality(op->opno, lt) || !ddb_collation_exact(op->inputcollid))
		return false;
	if (((Var *) l)->varno == r1 && ((Var *) r)->varno == r2)
	{
		*a1 = ((Var *) l)->varattno;
		*a2 = ((Var *) r)->varattno;
		return true;
	}
	if (((Var *) l)->varno == r2 && ((Var *) r)->varno == r1)
	{
		*a1 = ((Var *) r)->varattno;
		*a2 = ((Var *) l)->varattno;
		return true;
	}
	return false;
}

/*
 * The join's equalities between the two sides, as (a attnum, b attnum,
 * position of the clause in restrictlist) IntLists.
 */
static List *
join_equalities(List *restrictlist, Index ra, Index rb)
{
	List	   *pairs = NIL;
	ListCell   *lc;

	foreach(lc, restrictlist)
	{
		RestrictInfo *ri = lfirst(lc);
		AttrNumber	a;
		AttrNumber	b;

		if (equality_pair(ri->clause, ra, rb, &a, &b))
			pairs = lappend(pairs, list_make3_int(a, b, foreach_current_index(lc)));
	}
	return pairs;
}

/*
 * The clauses of restrictlist that the pairs used do not represent: they
 * are checked on the joined rows.
 */
static List *
clauses_left(List *restrictlist, List *used)
{
	List	   *rest = NIL;
	ListCell   *lc;
	ListCell   *uc;

	foreach(lc, restrictlist)
	{
		bool		done = false;

		foreach(uc, used)
			if (lthird_int((List *) lfirst(uc)) == foreach_current_index(lc))
			done = true;
		if (!done)
			rest = lappend(rest, lfirst(lc));
	}
	return rest;
}

/* Whether a LEFT join may leave these clauses to the joined rows: only WHERE ones. */
static bool
left_join_allows(JoinType jointype, List *rest)
{
	ListCell   *lc;

	if (jointype != JOIN_LEFT)
		return true;
	foreach(lc, rest)
		if (!((RestrictInfo *) lfirst(lc))->is_pushed_down)
			return false;
	return true;
}

static Oid
attcollation(Oid relid, AttrNumber attnum)
{
	Oid			typid;
	int32		typmod;
	Oid			coll;

	get_atttypetypmodcoll(relid, attnum, &typid, &typmod, &coll);
	return coll;
}

/*
 * Column pairs the planner knows equal through equivalence classes (with
 * "u.user_id = '1'" on both sides the join clause itself is gone), other
 * than those already in have.
 */
static List *
known_pairs(PlannerInfo *root, RelOptInfo *ra, DdbRelOptions *a, RelOptInfo *rb,
			DdbRelOptions *b, List *have)
{
	List	   *result = NIL;
	int			i;
	int			j;

	for (i = 0; i < a->ncolumns; i++)
		for (j = 0; j < b->ncolumns; j++)
		{
			DdbColumn  *ca = &a->columns[i];
			DdbColumn  *cb = &b->columns[j];
			Var		   *va;
			Var		   *vb;
			ListCell   *lc;
			bool		dup = false;

			/* one type, and equality that is equality of keys (see equality_pair) */
			if (ca->typid != cb->typid ||
				!ddb_collation_exact(attcollation(a->relid, ca->attnum)))
				continue;
			foreach(lc, have)
				if (linitial_int((List *) lfirst(lc)) == ca->attnum &&
					lsecond_int((List *) lfirst(lc)) == cb->attnum)
				dup = true;
			if (dup)
				continue;
			va = makeVar(ra->relid, ca->attnum, ca->typid, ca->typmod,
						 attcollation(a->relid, ca->attnum), 0);
			vb = makeVar(rb->relid, cb->attnum, cb->typid, cb->typmod,
						 attcollation(b->relid, cb->attnum), 0);
			if (exprs_known_equal(root, (Node *) va, (Node *) vb))
				result = lappend(result, list_make3_int(ca->attnum, cb->attnum, -1));
		}
	return result;
}

/* The pair that equates column cola of a with colb of b, or NULL. */
static List *
pair_equating(List *pairs, DdbRelOptions *a, const char *cola, DdbRelOptions *b, const char *colb)
{
	ListCell   *lc;

	foreach(lc, pairs)
	{
		List	   *p = lfirst(lc);
		DdbColumn  *ca = ddb_column_by_attnum(a, linitial_int(p));
		DdbColumn  *cb = ddb_column_by_attnum(b, lsecond_int(p));

		if (ca && cb && strcmp(ca->colname, cola) == 0 && strcmp(cb->colname, colb) == 0)
			return p;
	}
	return NIL;
}

/* Whether a template column's values have one key text each (codec.c). */
static bool
hole_exact(DdbRelOptions *opts, const char *colname)
{
	DdbColumn  *col = ddb_column_by_name(opts, colname);

	return col && ddb_hole_type_canonical(col->typid);
}

static DdbAttrTemplate *template_on(DdbRelOptions *opts, const char *attr);
static bool same_template_shape(const ddb_template *a, const ddb_template *b);
static bool own_conditions_pushed(PlannerInfo *root, RelOptInfo *rel, int mode);
static void add_join_path(PlannerInfo *root, RelOptInfo *joinrel, DdbJoinInfo *ji,
						  double rows, Cost cost);

/*
 * Partition mode is possible when both entities are of one DynamoDB table
 * with partition-key templates of the same shape on attribute attr (the
 * table's partition key, or an index's: a collection on an index), and
 * the join equates every column of those templates hole by hole (of types
 * whose values have one key text each, so that one partition means equal
 * values).  Returns the pairs that do, or NIL.
 */
static List *
same_partition(DdbRelOptions *a, DdbRelOptions *b, List *pairs, const char *attr)
{
	List	   *used = NIL;
	DdbAttrTemplate *ta = template_on(a, attr);
	DdbAttrTemplate *tb = template_on(b, attr);
	int			h;

	if (ta == NULL || tb == NULL || ta->tmpl->nholes == 0 ||
		strcmp(a->table, b->table) != 0 || a->serverid != b->serverid ||
		!same_template_shape(ta->tmpl, tb->tmpl))
		return NIL;
	for (h = 0; h < ta->tmpl->nholes; h++)
	{
		List	   *p = pair_equating(pairs, a, ta->tmpl->holes[h], b, tb->tmpl->holes[h]);

		if (p == NIL || !hole_exact(a, ta->tmpl->holes[h]))
			return NIL;
		used = lappend(used, p);
	}
	return used;
}

/*
 * A partition join driven by the side whose own conditions bind the
 * partition key attr (on the table, or on index ix); adds its path and
 * returns true, or returns false when neither side binds it.
 */
static bool
try_partition_join(PlannerInfo *root, RelOptInfo *joinrel, RelOptInfo *outerrel,
				   RelOptInfo *innerrel, JoinType jointype, List *restrictlist,
				   List *pairs, const char *attr, const char *ix)
{
	DdbRelOptions *oo = ddb_rel_options(outerrel);
	DdbRelOptions *io = ddb_rel_options(innerrel);
	List	   *used;
	List	   *rest;
	RelOptInfo *drive = NULL;
	DdbJoinInfo *ji;

	if ((used = same_partition(oo, io, pairs, attr)) == NIL ||
		!left_join_allows(jointype, rest = clauses_left(restrictlist, used)))
		return false;
	if (ddb_rel_partition_bound_on(outerrel, attr, ix))
		drive = outerrel;
	else if (ddb_rel_partition_bound_on(innerrel, attr, ix))
		drive = innerrel;
	/* a LEFT join's nullable side: only the copied partition key condition */
	if (drive && jointype == JOIN_LEFT &&
		(drive != outerrel || !own_conditions_pushed(root, innerrel, DDB_BUILD_PARTITION)))
		drive = NULL;
	if (drive == NULL)
		return false;
	ji = palloc0(sizeof(DdbJoinInfo));
	ji->mode = DDB_JOIN_PARTITION;
	ji->jointype = jointype;
	ji->drive = drive;
	ji->other = drive == outerrel ? innerrel : outerrel;
	ji->drive_is_outer = (drive == outerrel);
	ji->local = rest;
	ji->part_attr = attr;
	ji->part_index = ix;
	add_join_path(root, joinrel, ji, clamp_row_est(joinrel->rows), 5.0);
	return true;
}

/*
 * Lookup mode is possible when every column making the other side's
 * primary key is equated with a column of the driving side.  Returns the
 * (other attnum, drive attnum) pairs used, or NIL.
 */
static List *
lookup_pairs(DdbRelOptions *drive, DdbRelOptions *other, List *pairs_od)
{
	List	   *used = NIL;
	int			i;

	if (other->pk_template == NULL && other->sk_template == NULL)
	{
		/* raw table: the columns that read the key attributes */
		const char *attrs[2] = {other->partition_key, other->sort_key};
		int			k;

		for (k = 0; k < 2; k++)
		{
			bool		found = false;
			ListCell   *lc;

			if (attrs[k] == NULL)
				continue;
			foreach(lc, pairs_od)
			{
				DdbColumn  *c = ddb_column_by_attnum(other, linitial_int((List *) lfirst(lc)));

				/* the column's values must be the key's values (a text column over an N key is not) */
				if (c && c->source == DDB_COL_ATTRIBUTE && strcmp(c->attrname, attrs[k]) == 0 &&
					ddb_column_fits_key(other, c, attrs[k]))
				{
					used = lappend(used, lfirst(lc));
					found = true;
					break;
				}
			}
			if (!found)
				return NIL;
		}
		return used;
	}
	if (other->pk_template == NULL || (other->sort_key && other->sk_template == NULL))
		return NIL;
	for (i = 0; i < other->ncolumns; i++)
	{
		DdbColumn  *c = &other->columns[i];
		ListCell   *lc;
		bool		found = false;

		if (c->source != DDB_COL_TEMPLATE &&
			!(other->sk_template && ddb_template_hole_index(other->sk_template, c->colname) >= 0))
			continue;
		if (!ddb_hole_type_canonical(c->typid))
			return NIL;			/* a value of this type has no one key text */
		foreach(lc, pairs_od)
			if (linitial_int((List *) lfirst(lc)) == c->attnum)
			{
				used = lappend(used, lfirst(lc));
				found = true;
				break;
			}
		if (!found)
			return NIL;
	}
	return used;
}

/*
 * Whether every condition of rel's own is represented by its access in
 * the given build mode (for the nullable side of a LEFT join, where
 * PostgreSQL copies the key condition of the preserved side).
 */
static bool
own_conditions_pushed(PlannerInfo *root, RelOptInfo *rel, int mode)
{
	List	   *exprs;
	List	   *local;

	(void) ddb_build_scan(root, rel, rel->baserestrictinfo, 0, false, mode,
						  NULL, &exprs, &local);
	return local == NIL;
}

/*
 * Adds a join path; with a pathkey, one whose rows come in the driving
 * side's sort key order (forward 1 or -1 goes to the plan in fdw_private).
 */
static void
add_join_path_ordered(PlannerInfo *root, RelOptInfo *joinrel, DdbJoinInfo *ji, double rows,
					  Cost cost, PathKey *pathkey, int forward)
{
	ForeignPath *path;
	List	   *pathkeys = pathkey ? list_make1(pathkey) : NIL;
	List	   *priv = pathkey ? list_make1(makeInteger(forward)) : NIL;

	joinrel->fdw_private = ji;
#if PG_VERSION_NUM >= 170000
	path = create_foreign_join_path(root, joinrel, NULL, rows, cost * 0.1, cost, pathkeys,
									joinrel->lateral_relids, NULL, NIL, priv);
#else
	path = create_foreign_join_path(root, joinrel, NULL, rows, cost * 0.1, cost, pathkeys,
									joinrel->lateral_relids, NULL, priv);
#endif
	add_path(joinrel, (Path *) path);
}

static void
add_join_path(PlannerInfo *root, RelOptInfo *joinrel, DdbJoinInfo *ji, double rows, Cost cost)
{
	add_join_path_ordered(root, joinrel, ji, rows, cost, NULL, 0);
}

/*
 * A lookup path: drive read by its own best access, then one BatchGetItem
 * per 100 distinct keys of other, costed below a key lookup per row.
 */
static void
add_lookup_path(PlannerInfo *root, RelOptInfo *joinrel, JoinType jointype,
				RelOptInfo *drive, RelOptInfo *other, bool drive_is_outer,
				List *used, List *rest)
{
	DdbJoinInfo *ji = palloc0(sizeof(DdbJoinInfo));
	double		rows;
	Cost		cost = ddb_rel_access_cost(drive, &rows);

	ji->mode = DDB_JOIN_LOOKUP;
	ji->jointype = jointype;
	ji->drive = drive;
	ji->other = other;
	ji->drive_is_outer = drive_is_outer;
	ji->pairs = used;
	ji->local = rest;
	cost += 0.5 * ceil(rows / DDB_LOOKUP_BATCH) + 0.001 * rows;
	add_join_path(root, joinrel, ji, clamp_row_est(joinrel->rows), cost);
	/* rows come in the driving side's order: its sort key order, if it has one */
	{
		int			forward = 0;
		PathKey    *pk = ddb_rel_order_pathkey(root, drive, &forward);

		if (pk)
			add_join_path_ordered(root, joinrel, ji, clamp_row_est(joinrel->rows), cost, pk, forward);
	}
}

void
ddbGetForeignJoinPaths(PlannerInfo *root, RelOptInfo *joinrel, RelOptInfo *outerrel,
					   RelOptInfo *innerrel, JoinType jointype, JoinPathExtraData *extra)
{
	DdbRelOptions *oo;
	DdbRelOptions *io;
	List	   *pairs;
	List	   *used;
	List	   *rest = NIL;
	ListCell   *lc;

	if (joinrel->fdw_private != NULL)
		return;					/* considered already */
	/* FOR UPDATE / FOR SHARE checks each base row at COMMIT: no pushed join */
	if (root->parse->rowMarks != NIL)
		return;
	if (!rel_is_ours(outerrel) || !rel_is_ours(innerrel))
		return;
	if (jointype != JOIN_INNER && jointype != JOIN_LEFT)
		return;
	oo = ddb_rel_options(outerrel);
	io = ddb_rel_options(innerrel);
	if (oo->serverid != io->serverid)
		return;
	pairs = join_equalities(extra->restrictlist, outerrel->relid, innerrel->relid);
	/* equalities the planner folded into equivalence classes count too */
	pairs = list_concat(pairs, known_pairs(root, outerrel, oo, innerrel, io, pairs));
	if (pairs == NIL)
		return;

	/*
	 * Each way represents some of the equalities exactly; every other join
	 * clause (another equality between the sides too) is checked on the
	 * joined rows.  For LEFT, where a row without partner must be kept,
	 * only WHERE conditions may be left to the joined rows.
	 */

	/* partition: one Query for both sides, driven by whichever binds the key */
	if (try_partition_join(root, joinrel, outerrel, innerrel, jointype, extra->restrictlist,
						   pairs, oo->partition_key, NULL))
		return;
	/* ... or the partition of an index both share (a collection on an index) */
	if (oo->desc && strcmp(oo->table, io->table) == 0)
	{
		foreach(lc, oo->desc->indexes)
		{
			DdbIndexDesc *ix = lfirst(lc);

			if (try_partition_join(root, joinrel, outerrel, innerrel, jointype,
								   extra->restrictlist, pairs, ix->pk_attr, ix->name))
				return;
		}
	}

	/* lookup: the other side by BatchGetItem of keys from the driving side */
	{
		List	   *swapped = NIL;

		foreach(lc, pairs)
			swapped = lappend(swapped, list_make3_int(lsecond_int((List *) lfirst(lc)),
													  linitial_int((List *) lfirst(lc)),
													  lthird_int((List *) lfirst(lc))));
		/* inner looked up from outer (the only way for LEFT) */
		used = lookup_pairs(oo, io, swapped);
		if (used != NIL &&
			(jointype == JOIN_INNER || innerrel->baserestrictinfo == NIL) &&
			left_join_allows(jointype, rest = clauses_left(extra->restrictlist, used)))
		{
			add_lookup_path(root, joinrel, jointype, outerrel, innerrel, true, used, rest);
			return;
		}
		if (jointype == JOIN_INNER)
		{
			used = lookup_pairs(io, oo, pairs);
			if (used != NIL)
				add_lookup_path(root, joinrel, jointype, innerrel, outerrel, false, used,
								clauses_left(extra->restrictlist, used));
		}
	}
}

/* Columns of rel the join reads: its Vars in the scan target list. */
static Bitmapset *
side_attrs(List *fdw_scan_tlist, Index relid)
{
	Bitmapset  *attrs = NULL;

	pull_varattnos((Node *) fdw_scan_tlist, relid, &attrs);
	return attrs;
}

ForeignScan *
ddb_join_plan(PlannerInfo *root, RelOptInfo *joinrel, ForeignPath *best_path, List *tlist,
			  List *scan_clauses, Plan *outer_plan)
{
	DdbJoinInfo *ji = joinrel->fdw_private;
	int			forward = best_path->fdw_private ? intVal(linitial(best_path->fdw_private)) : 0;
	List	   *local_exprs = NIL;
	List	   *fdw_scan_tlist;
	List	   *drive_exprs;
	List	   *drive_local;
	List	   *other_exprs;
	List	   *other_local;
	DdbScanPlan *drive_plan;
	DdbScanPlan *other_plan;
	List	   *pairs_flat = NIL;
	Bitmapset  *dattrs;
	Bitmapset  *oattrs;
	ListCell   *lc;
	List	   *vars;

	/* conditions left to PostgreSQL, on the joined rows */
	foreach(lc, ji->local)
		local_exprs = lappend(local_exprs, ((RestrictInfo *) lfirst(lc))->clause);
	/* the driving side's own conditions that its request does not do */
	(void) ddb_build_scan(root, ji->drive, ji->drive->baserestrictinfo, 0, false,
						  ji->mode == DDB_JOIN_PARTITION ? DDB_BUILD_PARTITION : DDB_BUILD_DRIVER,
						  NULL, &drive_exprs, &drive_local);
	local_exprs = list_concat(local_exprs, drive_local);
	/*
	 * The other side's own conditions.  In one partition bound to one value,
	 * its copy of the partition key condition is implied; for LEFT, that
	 * copy is all it may have.
	 */
	if (ji->mode == DDB_JOIN_PARTITION &&
		(ji->jointype == JOIN_LEFT ||
		 ddb_rel_partition_bound_on(ji->other, ji->part_attr, ji->part_index) == 1))
	{
		List	   *oexprs;
		List	   *olocal;

		(void) ddb_build_scan(root, ji->other, ji->other->baserestrictinfo, 0, false,
							  DDB_BUILD_PARTITION, NULL, &oexprs, &olocal);
		local_exprs = list_concat(local_exprs, olocal);
	}
	else
		foreach(lc, ji->other->baserestrictinfo)
			local_exprs = lappend(local_exprs, ((RestrictInfo *) lfirst(lc))->clause);

	/* the joined row: every column the targets and local conditions need */
	vars = pull_var_clause((Node *) joinrel->reltarget->exprs, PVC_RECURSE_PLACEHOLDERS);
	vars = list_concat(vars, pull_var_clause((Node *) local_exprs, PVC_RECURSE_PLACEHOLDERS));
	fdw_scan_tlist = add_to_flat_tlist(NIL, vars);

	/* each side reads what the joined row needs, the driving side also the join columns */
	dattrs = side_attrs(fdw_scan_tlist, ji->drive->relid);
	oattrs = side_attrs(fdw_scan_tlist, ji->other->relid);
	foreach(lc, ji->pairs)
	{
		List	   *p = lfirst(lc);

		dattrs = bms_add_member(dattrs, lsecond_int(p) - FirstLowInvalidHeapAttributeNumber);
		pairs_flat = lappend_int(lappend_int(pairs_flat, linitial_int(p)), lsecond_int(p));
	}
	/* rebuild the driving side's request with the right columns (and order) */
	drive_plan = ddb_build_scan(root, ji->drive, ji->drive->baserestrictinfo, forward, false,
								ji->mode == DDB_JOIN_PARTITION ? DDB_BUILD_PARTITION : DDB_BUILD_DRIVER,
								dattrs ? dattrs : bms_make_singleton(1 - FirstLowInvalidHeapAttributeNumber),
								&drive_exprs, &drive_local);
	/* the other side is only read by key: the guard is the driving side's */
	ddb_full_scan_guard(ji->drive, drive_plan);
	other_plan = ddb_build_scan(root, ji->other, NIL, 0, false, DDB_BUILD_PARTITION,
								oattrs ? oattrs : bms_make_singleton(1 - FirstLowInvalidHeapAttributeNumber),
								&other_exprs, &other_local);

	{
		List	   *priv = NIL;
		ForeignScan *fs;

		priv = lappend(priv, makeInteger(ji->mode));
		priv = lappend(priv, makeInteger(ji->jointype));
		priv = lappend(priv, makeInteger(ji->drive_is_outer ? 1 : 0));
		priv = lappend(priv, makeInteger(ji->drive->relid));
		priv = lappend(priv, makeInteger(ji->other->relid));
		priv = lappend(priv, makeInteger(planner_rt_fetch(ji->drive->relid, root)->relid));
		priv = lappend(priv, makeInteger(planner_rt_fetch(ji->other->relid, root)->relid));
		priv = lappend(priv, ddb_scan_plan_pack(drive_plan));
		priv = lappend(priv, ddb_scan_plan_pack(other_plan));
		priv = lappend(priv, pairs_flat);
		priv = lappend(priv, makeString(pstrdup(ji->part_attr ? ji->part_attr : "")));
		priv = lappend(priv, makeString(pstrdup(ji->part_index ? ji->part_index : "")));
		fs = make_foreignscan(tlist, local_exprs, 0, drive_exprs, priv, fdw_scan_tlist, NIL,
							  outer_plan);
		return fs;
	}
}

/* ----------------------------------------------------------------
 * Execution
 * ----------------------------------------------------------------
 */

typedef struct DdbJoinState
{
	int			mode;
	JoinType	jointype;
	bool		drive_is_outer;
	Index		drive_rti;
	Index		other_rti;
	DdbScanState *drive;
	DdbScanState *other;		/* never run: shape checks and columns */
	DdbConn    *conn;
	List	   *pairs;			/* flat: other attnum, drive attnum, ... */
	const char *part_attr;		/* partition: the partition key attribute */
	const char *part_index;		/* partition: its index, or "" */
	int			ntl;			/* scan tuple: where each column comes from */
	int		   *tl_side;		/* 0 drive, 1 other */
	AttrNumber *tl_attno;
	int			dnatts;
	int			onatts;
	TupleDesc	ddesc;			/* each side's row type, for whole-row references */
	TupleDesc	odesc;
	Datum	   *dvals;
	bool	   *dnulls;
	Datum	   *ovals;
	bool	   *onulls;
	MemoryContext bufcxt;		/* buffered items of the current round */
	MemoryContext rowcxt;
	bool		loaded;			/* current round's items are buffered */
	bool		finished;		/* the driving scan is exhausted */
	/* the current round: driving items, each with its matches */
	List	   *ditems;			/* cJSON * (copies) */
	List	   *matches;		/* parallel: List of other items per driving item */
	List	   *unmatched_other;	/* partition mode, LEFT with other preserved */
	int			di;				/* position in ditems */
	int			mi;				/* position in its matches */
	CommandId	cid;			/* the command whose snapshot the join reads with */
} DdbJoinState;

static int
relation_natts(Oid relid)
{
	Relation	r = RelationIdGetRelation(relid);
	int			n = RelationGetDescr(r)->natts;

	RelationClose(r);
	return n;
}

/* The row type of a relation, for composite values of its rows. */
static TupleDesc
relation_rowtype(Oid relid)
{
	Relation	r = RelationIdGetRelation(relid);
	TupleDesc	td = CreateTupleDescCopy(RelationGetDescr(r));

	RelationClose(r);
	td->tdtypeid = get_rel_type_id(relid);
	td->tdtypmod = -1;
	return td;
}

/*
 * How far the plan's range table indexes moved after planning.  The plan
 * keeps the two sides' indexes as the planner knew them; when the join is
 * inside a subquery that is not flattened (OFFSET 0, a security-barrier
 * view), setrefs appends the subquery's range table to the top one and
 * shifts every Var by the same offset, which fs_relids shows.  Without it
 * the target list's Vars would be matched against the wrong sides.
 */
static int
join_rtoffset(ForeignScan *fsplan, Index minrti)
{
#if PG_VERSION_NUM >= 160000
	Bitmapset  *relids = fsplan->fs_base_relids;
#else
	Bitmapset  *relids = fsplan->fs_relids;
#endif
	int			first = bms_next_member(relids, -1);

	return first >= 0 ? first - (int) minrti : 0;
}

void
ddb_join_begin(ForeignScanState *node, int eflags)
{
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;
	EState	   *estate = node->ss.ps.state;
	DdbJoinState *js = palloc0(sizeof(DdbJoinState));
	List	   *priv = fsplan->fdw_private;
	Oid			userid = ddb_scan_user(fsplan, estate);
	bool		explain_only = (eflags & EXEC_FLAG_EXPLAIN_ONLY) != 0;
	ListCell   *lc;
	int			i;
	int			rtoffset;

	node->fdw_state = js;
	js->mode = intVal(list_nth(priv, DDB_JPRIV_MODE));
	js->jointype = (JoinType) intVal(list_nth(priv, DDB_JPRIV_JOINTYPE));
	js->drive_is_outer = intVal(list_nth(priv, DDB_JPRIV_DRIVE_IS_OUTER)) != 0;
	js->drive_rti = intVal(list_nth(priv, DDB_JPRIV_DRIVE_RTI));
	js->other_rti = intVal(list_nth(priv, DDB_JPRIV_OTHER_RTI));
	rtoffset = join_rtoffset(fsplan, Min(js->drive_rti, js->other_rti));
	js->drive_rti += rtoffset;
	js->other_rti += rtoffset;
	js->pairs = (List *) list_nth(priv, DDB_JPRIV_PAIRS);
	js->cid = ddb_overlay_command(estate);
	js->part_attr = strVal(list_nth(priv, DDB_JPRIV_PART_ATTR));
	js->part_index = strVal(list_nth(priv, DDB_JPRIV_PART_INDEX));
	js->drive = ddb_scan_create(intVal(list_nth(priv, DDB_JPRIV_DRIVE_RELID)),
								(List *) list_nth(priv, DDB_JPRIV_DRIVE_SCAN), fsplan->fdw_exprs,
								(PlanState *) node, userid, explain_only);
	js->other = ddb_scan_create(intVal(list_nth(priv, DDB_JPRIV_OTHER_RELID)),
								(List *) list_nth(priv, DDB_JPRIV_OTHER_SCAN), NIL,
								(PlanState *) node, userid, explain_only);
	if (explain_only)
		return;
	if (js->mode == DDB_JOIN_PARTITION)
		ddb_scan_set_check_shape(js->drive, false);	/* both entities come back */
	js->conn = ddb_get_connection(ddb_scan_opts(js->drive)->serverid, userid);
	ddb_connection_set_rate(js->conn, ddb_scan_opts(js->drive)->max_requests_per_second);

	js->ntl = list_length(fsplan->fdw_scan_tlist);
	js->tl_side = palloc(sizeof(int) * Max(js->ntl, 1));
	js->tl_attno = palloc(sizeof(AttrNumber) * Max(js->ntl, 1));
	i = 0;
	foreach(lc, fsplan->fdw_scan_tlist)
	{
		TargetEntry *tle = lfirst(lc);
		Var		   *v = (Var *) tle->expr;

		if (!IsA(v, Var))
			elog(ERROR, "unexpected expression in ddbrel join target list");
		js->tl_side[i] = (v->varno == js->drive_rti) ? 0 : 1;
		js->tl_attno[i] = v->varattno;
		i++;
	}
	js->dnatts = relation_natts(ddb_scan_opts(js->drive)->relid);
	js->onatts = relation_natts(ddb_scan_opts(js->other)->relid);
	js->ddesc = relation_rowtype(ddb_scan_opts(js->drive)->relid);
	js->odesc = relation_rowtype(ddb_scan_opts(js->other)->relid);
	js->dvals = palloc0(sizeof(Datum) * Max(js->dnatts, 1));
	js->dnulls = palloc0(sizeof(bool) * Max(js->dnatts, 1));
	js->ovals = palloc0(sizeof(Datum) * Max(js->onatts, 1));
	js->onulls = palloc0(sizeof(bool) * Max(js->onatts, 1));
	js->bufcxt = AllocSetContextCreate(estate->es_query_cxt, "ddbrel join items",
									   ALLOCSET_DEFAULT_SIZES);
	js->rowcxt = AllocSetContextCreate(estate->es_query_cxt, "ddbrel join row",
									   ALLOCSET_DEFAULT_SIZES);
}

/* The partition key value of an item (attribute attr), as text, to group items. */
static char *
partition_of(const char *attr, const cJSON *item)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, attr);
	char	   *t = v ? cJSON_PrintUnformatted(v) : NULL;

	return t ? t : pstrdup("");
}

/*
 * Partition mode: read every item the Query returns, sort them into the
 * two entities, and pair them within each partition.
 */
static void
load_partition(DdbJoinState *js)
{
	List	   *dparts = NIL;
	List	   *others = NIL;
	List	   *oparts = NIL;
	const cJSON *item;
	ListCell   *lc;
	ListCell   *pc;
	MemoryContext oldcxt;
	ddb_text_hash_hash *byparts;
	ddb_text_hash_hash *dseen;

	while ((item = ddb_scan_next(js->drive)) != NULL)
	{
		bool		is_d = ddb_scan_item_matches(js->drive, item);
		bool		is_o = ddb_scan_item_matches(js->other, item);
		cJSON	   *copy;

		if (!is_d && !is_o)
			continue;
		oldcxt = MemoryContextSwitchTo(js->bufcxt);
		copy = cJSON_Duplicate(item, true);
		if (is_d)
		{
			js->ditems = lappend(js->ditems, copy);
			dparts = lappend(dparts, partition_of(js->part_attr, copy));
		}
		if (is_o)
		{
			others = lappend(others, copy);
			oparts = lappend(oparts, partition_of(js->part_attr, copy));
		}
		MemoryContextSwitchTo(oldcxt);
	}
	oldcxt = MemoryContextSwitchTo(js->bufcxt);
	/* the other items by partition, in the Query's order within each */
	byparts = ddb_text_hash_create(js->bufcxt, Max(list_length(others), 1), NULL);
	forboth(lc, others, pc, oparts)
	{
		bool		found;
		DdbTextEntry *e = ddb_text_hash_insert(byparts, lfirst(pc), &found);

		if (!found)
			e->items = NIL;
		e->items = lappend(e->items, lfirst(lc));
	}
	/* an item of both entities pairs with itself too (users JOIN users) */
	dseen = ddb_text_hash_create(js->bufcxt, Max(list_length(dparts), 1), NULL);
	foreach(pc, dparts)
	{
		DdbTextEntry *e = ddb_text_hash_lookup(byparts, lfirst(pc));
		bool		found;

		js->matches = lappend(js->matches, e ? e->items : NIL);
		(void) ddb_text_hash_insert(dseen, lfirst(pc), &found);
	}
	/* LEFT with the other side preserved: its items without a partner */
	if (js->jointype == JOIN_LEFT && !js->drive_is_outer)
		forboth(lc, others, pc, oparts)
			if (ddb_text_hash_lookup(dseen, lfirst(pc)) == NULL)
				js->unmatched_other = lappend(js->unmatched_other, lfirst(lc));
	MemoryContextSwitchTo(oldcxt);
	js->finished = true;
}

/* The other side's primary key for a driving item, or NULL if a value is NULL. */
static cJSON *
lookup_key(DdbJoinState *js, const cJSON *ditem)
{
	DdbRelOptions *dopts = ddb_scan_opts(js->drive);
	DdbRelOptions *oopts = ddb_scan_opts(js->other);
	cJSON	   *key = cJSON_CreateObject();
	const char *attrs[2] = {oopts->partition_key, oopts->sort_key};
	int			k;
	int			i;

	memset(js->dnulls, true, sizeof(bool) * js->dnatts);
	ddb_scan_fill(js->drive, ditem, js->dvals, js->dnulls);
	/* values of the other side's columns, from the equated driving columns */
	memset(js->onulls, true, sizeof(bool) * js->onatts);
	for (i = 0; i + 1 < list_length(js->pairs); i += 2)
	{
		AttrNumber	oatt = list_nth_int(js->pairs, i);
		AttrNumber	datt = list_nth_int(js->pairs, i + 1);

		if (js->dnulls[datt - 1])
			return NULL;
		js->ovals[oatt - 1] = js->dvals[datt - 1];
		js->onulls[oatt - 1] = false;
	}
	for (k = 0; k < 2; k++)
	{
		ddb_template *t = k == 0 ? oopts->pk_template : oopts->sk_template;

		if (attrs[k] == NULL)
			continue;
		if (t)
		{
			const char *holes[DDB_TEMPLATE_MAX_HOLES] = {0};
			char		err[256];
			char	   *text;
			int			h;

			for (h = 0; h < t->nholes; h++)
			{
				DdbColumn  *oc = NULL;
				DdbColumn  *dc = NULL;

				oc = ddb_column_by_name(oopts, t->holes[h]);
				/* the text of the value as the driving column holds it */
				for (i = 0; i + 1 < list_length(js->pairs); i += 2)
					if (oc && list_nth_int(js->pairs, i) == oc->attnum)
						dc = ddb_column_by_attnum(dopts, list_nth_int(js->pairs, i + 1));
				if (oc == NULL || dc == NULL || js->onulls[oc->attnum - 1])
					return NULL;
				holes[h] = ddb_datum_to_key_text(js->ovals[oc->attnum - 1], dc);
			}
			text = ddb_template_compose(t, holes, err, sizeof(err));
			if (text == NULL)
				return NULL;	/* a value no key of that shape can hold */
			cJSON_AddItemToObject(key, attrs[k], ddb_av_string(text));
		}
		else
		{
			for (i = 0; i < oopts->ncolumns; i++)
			{
				DdbColumn  *oc = &oopts->columns[i];
				cJSON	   *av;

				if (oc->source != DDB_COL_ATTRIBUTE || strcmp(oc->attrname, attrs[k]) != 0)
					continue;
				if (js->onulls[oc->attnum - 1])
					return NULL;
				av = ddb_column_key_av(oc, js->ovals[oc->attnum - 1],
									   oopts->desc ? (k == 0 ? oopts->desc->pk_type : oopts->desc->sk_type) : 'S');
				if (av == NULL)
					return NULL;
				cJSON_AddItemToObject(key, attrs[k], av);
				break;
			}
		}
	}
	return key;
}

/*
 * Files an item BatchGetItem returned under its primary key's text, printed
 * as lookup_key prints the keys asked for.  Pairing by a hash of that text
 * keeps a round linear in its driving and found items; comparing each
 * driving item with each found item was quadratic.
 */
static void
found_item(ddb_text_hash_hash *bykey, DdbRelOptions *oopts, cJSON *item)
{
	cJSON	   *fk = cJSON_CreateObject();
	DdbTextEntry *e;

	cJSON_AddItemToObject(fk, oopts->partition_key,
						  cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(item, oopts->partition_key), true));
	if (oopts->sort_key)
		cJSON_AddItemToObject(fk, oopts->sort_key,
							  cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(item, oopts->sort_key), true));
	e = ddb_text_hash_lookup(bykey, cJSON_PrintUnformatted(fk));
	if (e)
		e->items = lappend(e->items, item);
	cJSON_Delete(fk);
}

/*
 * Lookup mode: take up to 100 distinct keys' worth of driving items, get
 * the other side's items by BatchGetItem, and pair them.
 */
static void
load_lookup_round(DdbJoinState *js)
{
	DdbRelOptions *oopts = ddb_scan_opts(js->other);
	List	   *keys = NIL;		/* distinct keys (cJSON), in order */
	List	   *dkeys = NIL;		/* per driving item: its key text or NULL */
	List	   *got = NIL;			/* what the BatchGetItem returned */
	ddb_text_hash_hash *bykey;	/* key text: the other items found */
	const cJSON *item;
	MemoryContext oldcxt;
	ListCell   *lc;
	ListCell   *kc;

	MemoryContextReset(js->bufcxt);
	js->ditems = NIL;
	js->matches = NIL;
	oldcxt = MemoryContextSwitchTo(js->bufcxt);
	bykey = ddb_text_hash_create(js->bufcxt, DDB_LOOKUP_BATCH, NULL);
	while (list_length(keys) < DDB_LOOKUP_BATCH)
	{
		cJSON	   *copy;
		cJSON	   *key;
		char	   *text = NULL;

		MemoryContextSwitchTo(oldcxt);
		item = ddb_scan_next(js->drive);
		MemoryContextSwitchTo(js->bufcxt);
		if (item == NULL)
		{
			js->finished = true;
			break;
		}
		copy = cJSON_Duplicate(item, true);
		key = lookup_key(js, copy);
		if (key)
		{
			bool		dup;
			DdbTextEntry *e;

			text = cJSON_PrintUnformatted(key);
			e = ddb_text_hash_insert(bykey, text, &dup);
			if (!dup)
			{
				e->items = NIL;
				keys = lappend(keys, key);
			}
		}
		js->ditems = lappend(js->ditems, copy);
		dkeys = lappend(dkeys, text);
	}

	/* one BatchGetItem for the round, again for what DynamoDB left over */
	if (keys != NIL)
	{
		cJSON	   *req = cJSON_CreateObject();
		cJSON	   *tbl = cJSON_AddObjectToObject(cJSON_AddObjectToObject(req, "RequestItems"),
												  oopts->table);
		cJSON	   *arr = cJSON_AddArrayToObject(tbl, "Keys");
		cJSON	   *resp;
		int			resends = 0;

		foreach(lc, keys)
			cJSON_AddItemToArray(arr, cJSON_Duplicate(lfirst(lc), true));
		if (oopts->consistent_read)
			cJSON_AddBoolToObject(tbl, "ConsistentRead", true);
		cJSON_AddStringToObject(req, "ReturnConsumedCapacity", "TOTAL");
		/* keys no item can have (an empty text from the driving side) are not asked for */
		resp = ddb_request_fits(oopts, NULL, "BatchGetItem", req, NULL) ?
			ddb_call(js->conn, "BatchGetItem", oopts->table, req) : NULL;
		while (resp != NULL)
		{
			cJSON	   *items = cJSON_GetObjectItemCaseSensitive(
																 cJSON_GetObjectItemCaseSensitive(resp, "Responses"), oopts->table);
			cJSON	   *e;
			DdbCall    *again;

			cJSON_ArrayForEach(e, items)
				got = lappend(got, e);
			again = ddb_batch_resend(js->conn, "BatchGetItem", oopts->table, resp,
									 &resends, -1);
			if (again == NULL)
				break;
			resp = ddb_call_finish(again);
		}
		/* the transaction's own writes to the other side's table */
		{
			DdbOverlay *ov = ddb_overlay_begin(js->conn, oopts, js->cid,
											   DDB_OP_BATCH_GET_ITEM, NULL);

			if (ov)
				got = ddb_overlay_lookup(ov, keys, got);
		}
		foreach(lc, got)
			if (ddb_scan_item_matches(js->other, lfirst(lc)))
			found_item(bykey, oopts, lfirst(lc));
	}

	/* pair: each driving item gets the items found under its key */
	foreach(kc, dkeys)
	{
		DdbTextEntry *e = lfirst(kc) ? ddb_text_hash_lookup(bykey, lfirst(kc)) : NULL;

		js->matches = lappend(js->matches, e ? e->items : NIL);
	}
	MemoryContextSwitchTo(oldcxt);
}

/* Fills the scan tuple from a driving item and an other item (either may be NULL). */
static void
fill_joined(DdbJoinState *js, TupleTableSlot *slot, const cJSON *ditem, const cJSON *oitem)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(js->rowcxt);
	int			i;

	memset(js->dnulls, true, sizeof(bool) * Max(js->dnatts, 1));
	memset(js->onulls, true, sizeof(bool) * Max(js->onatts, 1));
	if (ditem)
		ddb_scan_fill(js->drive, ditem, js->dvals, js->dnulls);
	if (oitem)
		ddb_scan_fill(js->other, oitem, js->ovals, js->onulls);
	ExecClearTuple(slot);
	for (i = 0; i < js->ntl; i++)
	{
		AttrNumber	a = js->tl_attno[i];

		if (a == 0)
		{
			/* a whole-row reference (e.*, to_jsonb(e)): the side's row as a composite */
			bool		side_null = js->tl_side[i] == 0 ? ditem == NULL : oitem == NULL;
			TupleDesc	td = js->tl_side[i] == 0 ? js->ddesc : js->odesc;

			slot->tts_isnull[i] = side_null;
			if (!side_null)
				slot->tts_values[i] =
					heap_copy_tuple_as_datum(heap_form_tuple(td,
															 js->tl_side[i] == 0 ? js->dvals : js->ovals,
															 js->tl_side[i] == 0 ? js->dnulls : js->onulls),
											 td);
			continue;
		}
		if (a < 0)
		{
			slot->tts_isnull[i] = true;
			continue;
		}
		slot->tts_values[i] = js->tl_side[i] == 0 ? js->dvals[a - 1] : js->ovals[a - 1];
		slot->tts_isnull[i] = js->tl_side[i] == 0 ? js->dnulls[a - 1] : js->onulls[a - 1];
	}
	ExecStoreVirtualTuple(slot);
	MemoryContextSwitchTo(oldcxt);
}

TupleTableSlot *
ddb_join_iterate(ForeignScanState *node)
{
	DdbJoinState *js = node->fdw_state;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;

	MemoryContextReset(js->rowcxt);
	for (;;)
	{
		if (!js->loaded)
		{
			if (js->finished)
				break;
			if (js->mode == DDB_JOIN_PARTITION)
				load_partition(js);
			else
				load_lookup_round(js);
			js->loaded = true;
			js->di = 0;
			js->mi = 0;
		}
		if (js->di < list_length(js->ditems))
		{
			const cJSON *d = list_nth(js->ditems, js->di);
			List	   *m = list_nth(js->matches, js->di);

			if (js->mi < list_length(m))
			{
				fill_joined(js, slot, d, list_nth(m, js->mi));
				js->mi++;
				return slot;
			}
			/* no partner: a row only when the driving side is preserved */
			if (m == NIL && js->jointype == JOIN_LEFT && js->drive_is_outer && js->mi == 0)
			{
				js->mi = 1;
				fill_joined(js, slot, d, NULL);
				return slot;
			}
			js->di++;
			js->mi = 0;
			continue;
		}
		if (js->unmatched_other != NIL)
		{
			const cJSON *o = linitial(js->unmatched_other);

			js->unmatched_other = list_delete_first(js->unmatched_other);
			fill_joined(js, slot, NULL, o);
			return slot;
		}
		js->loaded = false;
		if (js->mode == DDB_JOIN_PARTITION)
			js->finished = true;
	}
	return ExecClearTuple(slot);
}

void
ddb_join_rescan(ForeignScanState *node)
{
	DdbJoinState *js = node->fdw_state;

	ddb_scan_stop(js->drive);
	MemoryContextReset(js->bufcxt);
	js->ditems = js->matches = js->unmatched_other = NIL;
	js->loaded = false;
	js->finished = false;
}

void
ddb_join_end(ForeignScanState *node)
{
	DdbJoinState *js = node->fdw_state;

	if (js && js->conn)
		ddb_scan_stop(js->drive);
}

void
ddb_join_explain(ForeignScanState *node, ExplainState *es)
{
	DdbJoinState *js = node->fdw_state;
	DdbRelOptions *d = ddb_scan_opts(js->drive);
	DdbRelOptions *o = ddb_scan_opts(js->other);

	if (js->mode == DDB_JOIN_PARTITION)
	{
		ExplainPropertyText("DynamoDB Join",
							*js->part_index ?
							psprintf("%s %s %s in one partition of index %s (item collection)",
									 get_rel_name(d->relid),
									 js->jointype == JOIN_LEFT ? "LEFT JOIN" : "JOIN",
									 get_rel_name(o->relid), js->part_index) :
							psprintf("%s %s %s in one partition (adjacency list)",
									 get_rel_name(d->relid),
									 js->jointype == JOIN_LEFT ? "LEFT JOIN" : "JOIN",
									 get_rel_name(o->relid)),
							es);
		ExplainPropertyList("DynamoDB Entities",
							list_make2(get_rel_name(d->relid), get_rel_name(o->relid)), es);
		ddb_scan_explain(js->drive, es);
		ExplainPropertyText("DynamoDB Items Split",
							psprintf("%s by %s / %s; %s by %s / %s",
									 get_rel_name(d->relid), d->pk_template_text,
									 d->sk_template_text ? d->sk_template_text : "-",
									 get_rel_name(o->relid), o->pk_template_text,
									 o->sk_template_text ? o->sk_template_text : "-"),
							es);
	}
	else
	{
		ExplainPropertyText("DynamoDB Join",
							psprintf("%s %s %s by key lookup",
									 get_rel_name(js->drive_is_outer ? d->relid : o->relid),
									 js->jointype == JOIN_LEFT ? "LEFT JOIN" : "JOIN",
									 get_rel_name(js->drive_is_outer ? o->relid : d->relid)),
							es);
		ExplainPropertyList("DynamoDB Entities", list_make1(get_rel_name(d->relid)), es);
		ddb_scan_explain(js->drive, es);
		if (es->format != EXPLAIN_FORMAT_TEXT)
			ExplainPropertyText("DynamoDB Lookup Entity", get_rel_name(o->relid), es);
		ExplainPropertyText("DynamoDB Lookup",
							psprintf("BatchGetItem on %s, up to %d keys per request, keys from %s",
									 o->table, DDB_LOOKUP_BATCH, get_rel_name(d->relid)),
							es);
	}
}

/* ----------------------------------------------------------------
 * ddbrel.collection(parent, key, children): eager loading
 * ----------------------------------------------------------------
 */
PG_FUNCTION_INFO_V1(ddbrel_collection);
PG_FUNCTION_INFO_V1(ddbrel_collection_keys);

/* The template that composes attribute attr of an entity, or NULL. */
static DdbAttrTemplate *
template_on(DdbRelOptions *opts, const char *attr)
{
	ListCell   *lc;

	foreach(lc, opts->templates)
		if (strcmp(((DdbAttrTemplate *) lfirst(lc))->attr, attr) == 0)
		return lfirst(lc);
	return NULL;
}

/*
 * Whether two templates compose the same keys from the same values, hole
 * by hole, whatever their holes are named: the partition keys of a parent
 * and a child (an account's "Account#{id}", its members'
 * "Account#{accountid}").
 */
static bool
same_template_shape(const ddb_template *a, const ddb_template *b)
{
	int			i;

	if (a->nparts != b->nparts)
		return false;
	for (i = 0; i < a->nparts; i++)
	{
		const ddb_template_part *x = &a->parts[i];
		const ddb_template_part *y = &b->parts[i];

		if (x->is_hole != y->is_hole)
			return false;
		if (x->is_hole ? x->transform != y->transform
			: (x->len != y->len || memcmp(x->text, y->text, x->len) != 0))
			return false;
	}
	return true;
}

/*
 * The text of a JSON scalar as a key value: strings as they are, numbers
 * and booleans as they print.
 */
static const char *
json_key_text(const cJSON *v, const char *name)
{
	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsNumber(v) || cJSON_IsBool(v))
	{
		char	   *s = cJSON_PrintUnformatted(v);

		return s;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("key value \"%s\" must be a string, a number or a boolean", name)));
	return NULL;				/* keep compiler quiet */
}

/*
 * Reads one partition (of the table, or of index index) for a parent
 * entity and its children, into rsinfo's tuplestore.  keyval is the value
 * of a one-hole partition template, or keys a JSON object of hole values.
 */
static void
collection_query(FunctionCallInfo fcinfo, Oid parent, const char *keyval, const char *keys,
				 ArrayType *children, const char *index)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum	   *elems;
	bool	   *enulls;
	int			nchildren;
	int			nent;
	Oid		   *ents;
	DdbScanState **states;
	DdbRelOptions *popts;
	DdbConn    *conn;
	const char *holes[DDB_TEMPLATE_MAX_HOLES] = {0};
	char		err[256];
	char	   *pk;
	cJSON	   *req;
	int			i;
	const char *pattr;
	DdbAttrTemplate *pt;

	ddb_materialize_srf(fcinfo);
	deconstruct_array(children, REGCLASSOID, 4, true, TYPALIGN_INT, &elems, &enulls, &nchildren);
	nent = nchildren + 1;
	ents = palloc(sizeof(Oid) * nent);
	states = palloc(sizeof(DdbScanState *) * nent);
	ents[0] = parent;
	for (i = 0; i < nchildren; i++)
		ents[i + 1] = DatumGetObjectId(elems[i]);
	/*
	 * The rows come back whole, read with the caller's user mapping (a
	 * PUBLIC one serves every role): check what a SELECT of each table
	 * would, before any request.
	 */
	for (i = 0; i < nent; i++)
	{
		if (!ddb_is_ddbrel_table(ents[i]))
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("\"%s\" is not a ddbrel foreign table", get_rel_name(ents[i]))));
		ddb_require_table_select(ents[i]);
		ddb_require_server_usage(GetForeignServerIdByRelId(ents[i]));
	}
	for (i = 0; i < nent; i++)
		states[i] = ddb_scan_create_bare(ents[i]);
	popts = ddb_scan_opts(states[0]);
	/* the partition key: the table's, or the index's */
	pattr = popts->partition_key;
	if (index)
	{
		ListCell   *lc;

		pattr = NULL;
		if (popts->desc)
			foreach(lc, popts->desc->indexes)
				if (strcmp(((DdbIndexDesc *) lfirst(lc))->name, index) == 0)
				pattr = ((DdbIndexDesc *) lfirst(lc))->pk_attr;
		if (pattr == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("DynamoDB table \"%s\" has no index \"%s\"", popts->table, index)));
	}
	pt = template_on(popts, pattr);
	if (pt == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("foreign table \"%s\" has no %s", get_rel_name(parent),
						index ? psprintf("template for \"%s\", the partition key of index \"%s\"",
										 pattr, index) : "pk_template")));
	if (keyval && pt->tmpl->nholes != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("pk_template of \"%s\" must have exactly one column for ddbrel.collection()",
						get_rel_name(parent)),
				 errhint("Give the key values as a JSON object: ddbrel.collection(parent, keys, children, index).")));
	for (i = 1; i < nent; i++)
	{
		DdbRelOptions *c = ddb_scan_opts(states[i]);
		DdbAttrTemplate *ct = template_on(c, pattr);

		if (c->serverid != popts->serverid || strcmp(c->table, popts->table) != 0 ||
			ct == NULL || !same_template_shape(ct->tmpl, pt->tmpl))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"%s\" does not live in the partitions of \"%s\"",
							get_rel_name(ents[i]), get_rel_name(parent)),
					 errdetail("A child must be on the same DynamoDB table, with a template on \"%s\" of the same shape (%s).",
							   pattr, pt->text)));
	}
	if (keyval)
		holes[0] = keyval;
	else
	{
		cJSON	   *obj = cJSON_Parse(keys);
		const cJSON *e;

		if (!cJSON_IsObject(obj))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("key values must be a JSON object keyed by hole name")));
		cJSON_ArrayForEach(e, obj)
		{
			int			h = ddb_template_hole_index(pt->tmpl, e->string);

			if (h < 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("key template \"%s\" has no hole \"%s\"", pt->text, e->string)));
			holes[h] = json_key_text(e, e->string);
		}
		for (i = 0; i < pt->tmpl->nholes; i++)
			if (holes[i] == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("no value for hole \"%s\" of \"%s\"", pt->tmpl->holes[i], pt->text)));
	}
	pk = ddb_template_compose(pt->tmpl, holes, err, sizeof(err));
	if (pk == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid key for %s: %s", pt->text, err)));
	conn = ddb_get_connection(popts->serverid, GetUserId());

	req = ddb_read_request_json(ddb_partition_query(popts, index, pattr, pk), NIL);
	/* every page of the partition; a key no item can have asks nothing */
	if (!ddb_request_fits(popts, index, "Query", req, NULL))
		req = NULL;
	while (req != NULL)
	{
		cJSON	   *resp = ddb_call(conn, "Query", popts->table, req);
		cJSON	   *item;

		cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(resp, "Items"))
		{
			for (i = 0; i < nent; i++)
			{
				TupleDesc	td;
				Datum	   *values;
				bool	   *nulls;
				HeapTuple	tup;
				Datum		out[2];
				bool		onulls[2] = {false, false};
				Relation	rel;
				char	   *json;

				if (!ddb_scan_item_matches(states[i], item))
					continue;
				rel = RelationIdGetRelation(ents[i]);
				td = CreateTupleDescCopy(RelationGetDescr(rel));
				RelationClose(rel);
				values = palloc0(sizeof(Datum) * td->natts);
				nulls = palloc(sizeof(bool) * td->natts);
				memset(nulls, true, sizeof(bool) * td->natts);
				ddb_scan_fill(states[i], item, values, nulls);
				td->tdtypeid = get_rel_type_id(ents[i]);
				td->tdtypmod = -1;
				tup = heap_form_tuple(td, values, nulls);
				json = TextDatumGetCString(DirectFunctionCall1(row_to_json,
															   heap_copy_tuple_as_datum(tup, td)));
				out[0] = ObjectIdGetDatum(ents[i]);
				out[1] = DirectFunctionCall1(jsonb_in, CStringGetDatum(json));
				tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, out, onulls);
				break;
			}
		}
		req = ddb_next_page(req, resp);
	}
}

/*
 * Returns the parent entity row with the given partition key value and
 * the rows of each child entity in its partition, from ONE Query (all its
 * pages): (entity, row as jsonb) rows, in the partition's key order.
 */
Datum
ddbrel_collection(PG_FUNCTION_ARGS)
{
	collection_query(fcinfo, PG_GETARG_OID(0), text_to_cstring(PG_GETARG_TEXT_PP(1)), NULL,
					 PG_GETARG_ARRAYTYPE_P(2), NULL);
	return (Datum) 0;
}

/*
 * ddbrel.collection(parent, keys, children, index): the same for a
 * partition key of several values (a JSON object of hole values), on the
 * table (index NULL) or on a secondary index whose partition key template
 * the parent and its children share.
 */
Datum
ddbrel_collection_keys(PG_FUNCTION_ARGS)
{
	Jsonb	   *keys;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		ddb_materialize_srf(fcinfo);
		return (Datum) 0;
	}
	keys = PG_GETARG_JSONB_P(1);
	collection_query(fcinfo, PG_GETARG_OID(0), NULL,
					 JsonbToCString(NULL, &keys->root, VARSIZE(keys)),
					 PG_GETARG_ARRAYTYPE_P(2),
					 PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3)));
	return (Datum) 0;
}
