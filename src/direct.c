/*-------------------------------------------------------------------------
 * direct.c
 *	  Direct modify: an UPDATE or DELETE of one item by its full primary
 *	  key, whose other conditions DynamoDB can evaluate, is one UpdateItem
 *	  or DeleteItem with a ConditionExpression and no prior read.
 *
 *	UPDATE accounts SET balance = balance - 10, version = version + 1
 *	 WHERE id = 'a1' AND version = 3;
 *
 * is UpdateItem(Key id = a1, SET #b = #b + :d, #v = #v + :one,
 * ConditionExpression attribute_exists(#id) AND #v = :three): optimistic
 * locking in one request, and the row count is its outcome (a failed
 * condition is 0 rows).  Where that is possible is decided in
 * PlanDirectModify: the scan is a GetItem, every other condition has an
 * exact DynamoDB form (deparse.c), every new value is known before the
 * write (a constant, a parameter, or "col = col + n"), no unique column is
 * involved, and an index key it changes can be composed from the new
 * values and the key.
 *
 * In a transaction (ddbrel.write_mode = 'transaction') the write must wait
 * for COMMIT, but the row count cannot: the item is read (consistently,
 * through the transaction's own writes), the condition evaluated on it
 * (expr_core.c), and the write held with the same condition, which DynamoDB
 * checks again at COMMIT (a change meanwhile is serialization_failure).
 * A statement outside a transaction block that is the transaction's only
 * write is sent at once: it is a transaction by itself.
 *-------------------------------------------------------------------------
 */
#include "ddbrel.h"

#include "access/sysattr.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/restrictinfo.h"
#include "parser/parsetree.h"
#include "tcop/pquery.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "codec_core.h"
#include "expr_core.h"

/* ForeignScan->fdw_private of a direct modify */
enum DdbDirectPrivate
{
	DDB_DPRIV_SCAN,				/* the GetItem's ddb_build_scan list: the key */
	DDB_DPRIV_OPERATION,		/* Integer: CMD_UPDATE or CMD_DELETE */
	DDB_DPRIV_COND,				/* String: {"expr", "names", "values"} */
	DDB_DPRIV_SETS,				/* List of (attnum, expr index or -1, delta) */
	DDB_DPRIV_INDEX_KEYS,		/* List of (template index, IntList of sources) */
	DDB_DPRIV_RETURNING			/* Integer */
};

/* where a hole of an index key template gets its value at execution */
#define DDB_HOLE_SET 0			/* a new value: (0, expr index) */
#define DDB_HOLE_KEY 1			/* a key value of the WHERE clause: (1, expr index) */

typedef struct DdbDirectState
{
	Relation	rel;
	DdbRelOptions *opts;
	DdbConn    *conn;
	DdbScanState *scan;			/* never run: composes the key */
	CmdType		operation;
	DdbCond    *cond;
	List	   *sets;
	List	   *index_keys;
	bool		returning;
	List	   *exprstates;		/* of fdw_exprs */
	ExprContext *econtext;
	bool		done;
	int64		count;
	CommandId	cid;
} DdbDirectState;

/* Whether attr is a key attribute or composed by a template or the type. */
static bool
attr_derived(DdbRelOptions *opts, const char *attr)
{
	ListCell   *lc;

	if (strcmp(attr, opts->partition_key) == 0 ||
		(opts->sort_key && strcmp(attr, opts->sort_key) == 0))
		return true;
	foreach(lc, opts->templates)
		if (strcmp(((DdbAttrTemplate *) lfirst(lc))->attr, attr) == 0)
		return true;
	return opts->type_attribute && strcmp(attr, opts->type_attribute) == 0;
}

/* The subplan scanning the result relation: a ForeignScan, maybe under a Result. */
static ForeignScan *
result_scan(ModifyTable *plan, Index resultRelation)
{
	Plan	   *sub = outerPlan(plan);

	if (sub && IsA(sub, Result) && sub->qual == NIL &&
		((Result *) sub)->resconstantqual == NULL && outerPlan(sub))
		sub = outerPlan(sub);
	if (sub == NULL || !IsA(sub, ForeignScan) ||
		((ForeignScan *) sub)->scan.scanrelid != resultRelation)
		return NULL;
	return (ForeignScan *) sub;
}

/*
 * "col = col + n" or "col = col - n" with a constant: the delta's text, or
 * NULL.
 */
static char *
counter_delta(Expr *e, Index rti, AttrNumber attno)
{
	OpExpr	   *op;
	Node	   *l;
	Node	   *r;
	char	   *opname;
	char	   *delta;

	while (e && IsA(e, RelabelType))
		e = ((RelabelType *) e)->arg;
	if (e == NULL || !IsA(e, OpExpr) || list_length(((OpExpr *) e)->args) != 2)
		return NULL;
	op = (OpExpr *) e;
	opname = get_opname(op->opno);
	if (opname == NULL || (strcmp(opname, "+") != 0 && strcmp(opname, "-") != 0))
		return NULL;
	l = linitial(op->args);
	r = lsecond(op->args);
	while (IsA(l, RelabelType))
		l = (Node *) ((RelabelType *) l)->arg;
	while (IsA(r, RelabelType))
		r = (Node *) ((RelabelType *) r)->arg;
	if (!IsA(l, Var) || ((Var *) l)->varno != rti || ((Var *) l)->varattno != attno ||
		!IsA(r, Const) || ((Const *) r)->constisnull)
		return NULL;
	switch (((Const *) r)->consttype)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case NUMERICOID:
			break;
		default:
			return NULL;
	}
	delta = ddb_value_text(((Const *) r)->constvalue, ((Const *) r)->consttype);
	if (strcmp(opname, "-") == 0)
		delta = delta[0] == '-' ? delta + 1 : psprintf("-%s", delta);
	return delta;
}

/* Whether an expression is known before the write: no own Vars, nothing volatile. */
static bool
known_before(Expr *e, Index rti)
{
	Relids		varnos;

	if (contain_volatile_functions((Node *) e))
		return false;
	varnos = pull_varnos(NULL, (Node *) e);
	return !bms_is_member(rti, varnos);
}

/*
 * The expression index in fdw_exprs of the WHERE clause's value for a
 * column of the key (a hole of a key template, or a raw key column), or -1.
 */
static int
key_value_index(DdbRelOptions *opts, List *specs, DdbColumn *col)
{
	ListCell   *lc;

	foreach(lc, specs)
	{
		DdbKeySpec *spec = lfirst(lc);
		int			which = spec->tmpl;
		List	   *idx = spec->exprs;

		if (which >= 0)
		{
			DdbAttrTemplate *at = list_nth(opts->templates, which);
			int			h = ddb_template_hole_index(at->tmpl, col->colname);

			if (h >= 0 && h < list_length(idx))
				return list_nth_int(idx, h);
		}
		else if (col->source == DDB_COL_ATTRIBUTE &&
				 strcmp(spec->name, col->attrname) == 0 &&
				 list_length(idx) == 1)
			return linitial_int(idx);
	}
	return -1;
}

bool
ddbPlanDirectModify(PlannerInfo *root, ModifyTable *plan, Index resultRelation,
					int subplan_index)
{
	CmdType		operation = plan->operation;
	ForeignScan *fscan;
	RelOptInfo *rel;
	DdbRelOptions *opts;
	List	   *scanpriv;
	DdbScanPlan *scanplan;
	List	   *specs;
	List	   *exprs;
	List	   *sets = NIL;
	List	   *index_keys = NIL;
	List	   *rinfos = NIL;
	List	   *local;
	DdbExprBuilder b;
	StringInfoData filter;
	Bitmapset  *setcols = NULL;
	char	   *cond;
	cJSON	   *cj;
	ListCell   *lc;
	int			i;

	if (operation != CMD_UPDATE && operation != CMD_DELETE)
		return false;
	fscan = result_scan(plan, resultRelation);
	if (fscan == NULL || fscan->scan.plan.initPlan)
		return false;
	scanpriv = fscan->fdw_private;
	scanplan = ddb_scan_plan_unpack(scanpriv);
	if (scanplan->request->op != DDB_OP_GET_ITEM || (scanplan->flags & DDB_FLAG_MATCH))
		return false;
	rel = find_base_rel(root, resultRelation);
	opts = ddb_rel_options(rel);
	specs = scanplan->request->keys;
	exprs = list_copy(fscan->fdw_exprs);
	for (i = 0; i < opts->ncolumns; i++)
		if (opts->columns[i].unique && operation == CMD_DELETE)
			return false;		/* the guard needs the old value */
	if (opts->unique_sets != NIL)
		return false;			/* so do the guards of unique sets */

	/* new values: constants, parameters, or counters */
	if (operation == CMD_UPDATE)
	{
		List	   *colnos = list_nth(plan->updateColnosLists, subplan_index);
		ListCell   *cc = list_head(colnos);

		foreach(lc, root->processed_tlist)
		{
			TargetEntry *tle = lfirst(lc);
			AttrNumber	attno;
			DdbColumn  *col;
			char	   *delta;

			if (tle->resjunk || cc == NULL)
				continue;
			attno = lfirst_int(cc);
			cc = lnext(colnos, cc);
			col = ddb_column_by_attnum(opts, attno);
			if (col == NULL || col->source != DDB_COL_ATTRIBUTE || col->unique ||
				attr_derived(opts, col->attrname))
				return false;
			setcols = bms_add_member(setcols, attno);
			delta = counter_delta(tle->expr, resultRelation, attno);
			if (delta)
				sets = lappend(sets, list_make3(makeInteger(attno), makeInteger(-1),
												makeString(delta)));
			else if (known_before(tle->expr, resultRelation))
			{
				exprs = lappend(exprs, tle->expr);
				sets = lappend(sets, list_make3(makeInteger(attno),
												makeInteger(list_length(exprs) - 1),
												makeString(pstrdup(""))));
			}
			else
				return false;
		}
		/* index keys the new values change: composed from them and the key */
		i = 0;
		foreach(lc, opts->templates)
		{
			DdbAttrTemplate *at = lfirst(lc);
			List	   *sources = NIL;
			bool		touched = false;
			int			h;

			if (at->is_key)
			{
				i++;
				continue;
			}
			for (h = 0; h < at->tmpl->nholes; h++)
			{
				DdbColumn  *col = ddb_column_by_name(opts, at->tmpl->holes[h]);
				ListCell   *sc;
				int			k = -1;

				foreach(sc, sets)
					if (intVal(linitial((List *) lfirst(sc))) == col->attnum)
					{
						touched = true;
						k = intVal(lsecond((List *) lfirst(sc)));
						if (k < 0)
							return false;	/* a counter in a key: not composable */
						sources = lappend_int(lappend_int(sources, DDB_HOLE_SET), k);
					}
				if (k < 0)
				{
					k = key_value_index(opts, specs, col);
					sources = lappend_int(lappend_int(sources, DDB_HOLE_KEY), k);
				}
				if (k < 0)
					sources = NIL;	/* a hole no value is known for */
			}
			if (touched)
			{
				if (list_length(sources) != 2 * at->tmpl->nholes)
					return false;
				index_keys = lappend(index_keys, list_make2(makeInteger(i), sources));
			}
			i++;
		}
	}

	/* the condition: the item exists, is of the entity, and every other condition */
	ddb_expr_init(&b);
	cond = ddb_deparse_exists(&b, opts->partition_key, true);
	if (opts->type_attribute)
		cond = ddb_deparse_and(cond, ddb_deparse_equals(&b, opts->type_attribute,
														ddb_av_string(opts->type_value)));
	foreach(lc, fscan->scan.plan.qual)
		rinfos = lappend(rinfos, make_simple_restrictinfo(root, lfirst(lc)));
	initStringInfo(&filter);
	local = ddb_build_filter(opts, resultRelation, rinfos, &b, &filter, NIL);
	if (local != NIL)
		return false;
	if (filter.len > 0)
		cond = ddb_deparse_and(cond, filter.data);
	cj = cJSON_CreateObject();
	cJSON_AddStringToObject(cj, "expr", cond);
	cJSON_AddItemToObject(cj, "names", b.names);
	cJSON_AddItemToObject(cj, "values", b.values);

	fscan->operation = operation;
	fscan->resultRelation = resultRelation;
	fscan->fdw_exprs = exprs;
	fscan->scan.plan.qual = NIL;	/* DynamoDB evaluates them */
	fscan->fdw_private = lappend(list_make5(scanpriv, makeInteger(operation),
											makeString(cJSON_PrintUnformatted(cj)), sets,
											index_keys),
								 makeInteger(plan->returningLists != NIL ? 1 : 0));
	return true;
}

/* ----------------------------------------------------------------
 * Execution
 * ----------------------------------------------------------------
 */

void
ddbBeginDirectModify(ForeignScanState *node, int eflags)
{
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;
	EState	   *estate = node->ss.ps.state;
	List	   *priv = fsplan->fdw_private;
	DdbDirectState *dm = palloc0(sizeof(DdbDirectState));
	Oid			userid = ddb_scan_user(fsplan, estate);
	cJSON	   *cj;

	node->fdw_state = dm;
	dm->rel = node->ss.ss_currentRelation;
	dm->operation = (CmdType) intVal(list_nth(priv, DDB_DPRIV_OPERATION));
	dm->sets = (List *) list_nth(priv, DDB_DPRIV_SETS);
	dm->index_keys = (List *) list_nth(priv, DDB_DPRIV_INDEX_KEYS);
	dm->returning = intVal(list_nth(priv, DDB_DPRIV_RETURNING)) != 0;
	cj = cJSON_Parse(strVal(list_nth(priv, DDB_DPRIV_COND)));
	dm->cond = palloc0(sizeof(DdbCond));
	dm->cond->expr = pstrdup(cJSON_GetObjectItemCaseSensitive(cj, "expr")->valuestring);
	dm->cond->names = cJSON_DetachItemFromObjectCaseSensitive(cj, "names");
	dm->cond->values = cJSON_DetachItemFromObjectCaseSensitive(cj, "values");
	dm->scan = ddb_scan_create(RelationGetRelid(dm->rel),
							   (List *) list_nth(priv, DDB_DPRIV_SCAN), fsplan->fdw_exprs,
							   (PlanState *) node, userid,
							   (eflags & EXEC_FLAG_EXPLAIN_ONLY) != 0);
	dm->opts = ddb_scan_opts(dm->scan);
	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;
	dm->conn = ddb_get_connection(dm->opts->serverid, userid);
	ddb_connection_set_rate(dm->conn, dm->opts->max_requests_per_second);
	dm->exprstates = ExecInitExprList(fsplan->fdw_exprs, (PlanState *) node);
	dm->econtext = node->ss.ps.ps_ExprContext;
	dm->cid = ddb_overlay_command(estate);
}

/* The value of fdw_exprs[i]. */
static Datum
eval_expr(DdbDirectState *dm, int i, bool *isnull, Oid *typid)
{
	ExprState  *es = list_nth(dm->exprstates, i);

	*typid = exprType((Node *) es->expr);
	return ExecEvalExpr(es, dm->econtext, isnull);
}

/* The patch of the UPDATE: new values, counters, index keys. */
static void
direct_patch(DdbDirectState *dm, DdbPatch *patch)
{
	ListCell   *lc;

	patch->set = cJSON_CreateObject();
	patch->add = cJSON_CreateObject();
	patch->remove = cJSON_CreateArray();
	foreach(lc, dm->sets)
	{
		List	   *s = lfirst(lc);
		DdbColumn  *col = ddb_column_by_attnum(dm->opts, intVal(linitial(s)));
		int			idx = intVal(lsecond(s));

		if (idx < 0)
		{
			cJSON	   *av = cJSON_CreateObject();

			cJSON_AddStringToObject(av, "N", strVal(lthird(s)));
			cJSON_AddItemToObject(patch->add, col->attrname, av);
		}
		else
		{
			bool		isnull;
			Oid			typid;
			Datum		d = eval_expr(dm, idx, &isnull, &typid);

			if (isnull)
				cJSON_AddItemToArray(patch->remove, cJSON_CreateString(col->attrname));
			else
				cJSON_AddItemToObject(patch->set, col->attrname, ddb_datum_to_av(d, col));
		}
	}
	foreach(lc, dm->index_keys)
	{
		List	   *ik = lfirst(lc);
		DdbAttrTemplate *at = list_nth(dm->opts->templates, intVal(linitial(ik)));
		List	   *sources = lsecond(ik);
		const char *holes[DDB_TEMPLATE_MAX_HOLES] = {0};
		bool		complete = true;
		char		err[256];
		char	   *v;
		int			h;

		for (h = 0; h < at->tmpl->nholes; h++)
		{
			DdbColumn  *col = ddb_column_by_name(dm->opts, at->tmpl->holes[h]);
			bool		isnull;
			Oid			typid;
			Datum		d = eval_expr(dm, list_nth_int(sources, 2 * h + 1), &isnull, &typid);

			if (isnull)
			{
				complete = false;
				break;
			}
			holes[h] = list_nth_int(sources, 2 * h) == DDB_HOLE_SET ?
				ddb_datum_to_key_text(d, col) : ddb_value_text(d, typid);
		}
		v = complete ? ddb_template_compose(at->tmpl, holes, err, sizeof(err)) : NULL;
		if (v)
			cJSON_AddItemToObject(patch->set, at->attr, ddb_av_string(v));
		else
			cJSON_AddItemToArray(patch->remove, cJSON_CreateString(at->attr));
	}
}

/* Fills the scan tuple from an item, for RETURNING. */
static void
returning_row(ForeignScanState *node, DdbDirectState *dm, const cJSON *item)
{
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;

	ExecClearTuple(slot);
	memset(slot->tts_isnull, true, sizeof(bool) * slot->tts_tupleDescriptor->natts);
	ddb_scan_fill(dm->scan, item, slot->tts_values, slot->tts_isnull);
	ExecStoreVirtualTuple(slot);
	node->resultRelInfo->ri_projectReturning->pi_exprContext->ecxt_scantuple = slot;
}

/*
 * After the write was sent more than once and then failed its condition:
 * is the item as the write leaves it (the refusal's item)?  Then an earlier
 * attempt wrote it.
 */
static bool
direct_landed(DdbDirectState *dm, const DdbResult *res, const DdbPatch *patch)
{
	const cJSON *item = res->error_body ?
	cJSON_GetObjectItemCaseSensitive(res->error_body, "Item") : NULL;
	const cJSON *e;

	if (dm->operation == CMD_DELETE)
		return item == NULL;
	if (item == NULL)
		return false;
	cJSON_ArrayForEach(e, patch->set)
	{
		const cJSON *o = cJSON_GetObjectItemCaseSensitive(item, e->string);

		if (o == NULL || !ddb_av_equal(e, o))
			return false;
	}
	cJSON_ArrayForEach(e, patch->remove)
		if (cJSON_GetObjectItemCaseSensitive(item, e->valuestring))
		return false;
	return true;
}

/*
 * An UPDATE with an addition (a counter), sent now as a TransactWriteItems
 * of one action: its ClientRequestToken makes a retry after a lost answer
 * safe, so the addition is applied exactly once.  False when the server
 * has no TransactWriteItems (nothing was applied).
 */
static bool
direct_send_once(DdbDirectState *dm, const cJSON *req)
{
	cJSON	   *tr = cJSON_CreateObject();
	cJSON	   *act = cJSON_CreateObject();
	cJSON	   *upd = cJSON_Duplicate(req, true);
	char		token[37];
	DdbResult  *res;
	const cJSON *r;

	cJSON_DeleteItemFromObjectCaseSensitive(upd, "ReturnValues");
	cJSON_DeleteItemFromObjectCaseSensitive(upd, "ReturnValuesOnConditionCheckFailure");
	cJSON_DeleteItemFromObjectCaseSensitive(upd, "ReturnConsumedCapacity");
	cJSON_AddItemToObject(act, "Update", upd);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(tr, "TransactItems"), act);
	ddb_new_token(token);
	cJSON_AddStringToObject(tr, "ClientRequestToken", token);
	cJSON_AddStringToObject(tr, "ReturnConsumedCapacity", "TOTAL");
	res = ddb_call_wait(ddb_call_start_ex(dm->conn, "TransactWriteItems", dm->opts->table, tr, true));
	if (res->status == DDB_CALL_OK)
	{
		dm->count = 1;
		return true;
	}
	if (ddb_result_is(res, "UnknownOperationException"))
	{
		ddb_txn_set_lacks_transactions(dm->conn);
		return false;
	}
	if (ddb_result_is(res, "TransactionCanceledException") && res->error_body)
		cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(res->error_body, "CancellationReasons"))
		{
			const cJSON *code = cJSON_GetObjectItemCaseSensitive(r, "Code");

			if (cJSON_IsString(code) && strcmp(code->valuestring, "ConditionalCheckFailed") == 0)
				return true;	/* no row satisfied the conditions */
		}
	ddb_report_result(res, -1);
	return true;				/* not reached */
}

/* Sends the write now: the row count is its outcome. */
static const cJSON *
direct_send(DdbDirectState *dm, cJSON *key, DdbPatch *patch)
{
	cJSON	   *req = cJSON_CreateObject();
	DdbExprBuilder b;
	DdbResult  *res;
	bool		update = (dm->operation == CMD_UPDATE);
	bool		counters = update && cJSON_GetArraySize(patch->add) > 0;
	char	   *ue;

	cJSON_AddStringToObject(req, "TableName", dm->opts->table);
	cJSON_AddItemToObject(req, "Key", key);
	ddb_expr_init(&b);
	if (update && (ue = ddb_deparse_update(&b, patch)) != NULL)
		cJSON_AddStringToObject(req, "UpdateExpression", ue);
	cJSON_AddStringToObject(req, "ConditionExpression", ddb_expr_import(&b, dm->cond));
	ddb_expr_attach(&b, req);
	if (dm->returning)
		cJSON_AddStringToObject(req, "ReturnValues", update ? "ALL_NEW" : "ALL_OLD");
	cJSON_AddStringToObject(req, "ReturnValuesOnConditionCheckFailure", "ALL_OLD");
	cJSON_AddStringToObject(req, "ReturnConsumedCapacity", "TOTAL");
	/* an addition once, by a token (not in immediate mode, which is today's UpdateItem) */
	if (counters && !dm->returning && ddb_write_mode == DDB_WRITE_TRANSACTION &&
		!ddb_txn_lacks_transactions(dm->conn) && direct_send_once(dm, req))
		return NULL;
	/* a repeat of an addition is not safe; of the rest, it is checked */
	res = ddb_call_wait(ddb_call_start_ex(dm->conn, update ? "UpdateItem" : "DeleteItem",
										  dm->opts->table, req, !counters));
	if (ddb_result_is(res, "ConditionalCheckFailedException"))
	{
		/* sent again after a lost answer: did the first attempt write it? */
		if (res->attempts > 1 && direct_landed(dm, res, patch))
		{
			dm->count = 1;
			return update ? cJSON_GetObjectItemCaseSensitive(res->error_body, "Item") : NULL;
		}
		return NULL;			/* no row satisfied the conditions */
	}
	if (res->status != DDB_CALL_OK)
		ddb_report_result(res, -1);
	dm->count = 1;
	return cJSON_GetObjectItemCaseSensitive(res->json, "Attributes");
}

/*
 * In a transaction: the item as the transaction sees it, the condition
 * evaluated on it, and the write held with that condition for COMMIT.
 */
static const cJSON *
direct_hold(DdbDirectState *dm, cJSON *key, DdbPatch *patch)
{
	cJSON	   *item = ddb_overlay_get(dm->conn, dm->opts, key, dm->cid);
	DdbHeldWrite w = {0};
	char		err[256];
	int			r;

	if (item == NULL)
		return NULL;
	r = ddb_cond_eval(dm->cond->expr, dm->cond->names, dm->cond->values, item, err, sizeof(err));
	if (r < 0)
		elog(ERROR, "could not evaluate DynamoDB condition \"%s\": %s", dm->cond->expr, err);
	if (r == 0)
		return NULL;
	w.kind = dm->operation == CMD_UPDATE ? DDB_HELD_UPDATE : DDB_HELD_DELETE;
	w.table = dm->opts->table;
	w.key = key;
	w.patch = dm->operation == CMD_UPDATE ? patch : NULL;
	w.cond = dm->cond;
	w.role = DDB_ROLE_CHANGED;
	w.relname = RelationGetRelationName(dm->rel);
	ddb_txn_hold(dm->conn, &w);
	dm->count = 1;
	if (dm->operation == CMD_UPDATE)
		(void) ddb_patch_apply(item, patch, true);
	return item;
}

/*
 * Whether the write goes at once: in immediate mode, or when it is the
 * statement's only write and the statement is the whole transaction: run
 * by the client itself (the active portal's statement, not one inside a
 * function or procedure, which may write more in the same transaction),
 * outside a transaction block, with nothing held before it.  An addition
 * with RETURNING is read and held instead (its TransactWriteItems at
 * COMMIT makes it exactly-once, and the read gives the new value).
 */
static bool
send_now(ForeignScanState *node, DdbPatch *patch)
{
	EState	   *estate = node->ss.ps.state;
	DdbDirectState *dm = node->fdw_state;

	if (ddb_write_mode == DDB_WRITE_IMMEDIATE)
		return true;
	if (dm->returning && patch->add && cJSON_GetArraySize(patch->add) > 0 &&
		!ddb_txn_lacks_transactions(dm->conn))
		return false;
	return !IsTransactionBlock() && !ddb_txn_has_writes() &&
		list_length(estate->es_plannedstmt->resultRelations) == 1 &&
		ActivePortal != NULL && list_member_ptr(ActivePortal->stmts, estate->es_plannedstmt);
}

TupleTableSlot *
ddbIterateDirectModify(ForeignScanState *node)
{
	DdbDirectState *dm = node->fdw_state;
	EState	   *estate = node->ss.ps.state;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;
	cJSON	   *key;
	DdbPatch	patch = {0};
	const cJSON *item;

	if (dm->done)
		return ExecClearTuple(slot);
	dm->done = true;
	key = ddb_scan_key(dm->scan);
	if (key == NULL)
		return ExecClearTuple(slot);	/* a NULL key value: no row */
	if (dm->operation == CMD_UPDATE)
		direct_patch(dm, &patch);
	item = send_now(node, &patch) ? direct_send(dm, key, &patch) : direct_hold(dm, key, &patch);
	if (dm->returning)
	{
		if (dm->count == 0 || item == NULL)
			return ExecClearTuple(slot);
		returning_row(node, dm, item);
		return slot;
	}
	estate->es_processed += dm->count;
	return ExecClearTuple(slot);
}

void
ddbEndDirectModify(ForeignScanState *node)
{
	DdbDirectState *dm = node->fdw_state;

	if (dm && dm->scan && dm->conn)
		ddb_scan_stop(dm->scan);
}

void
ddbExplainDirectModify(ForeignScanState *node, ExplainState *es)
{
	DdbDirectState *dm = node->fdw_state;

	ExplainPropertyText("DynamoDB Direct Modify",
						psprintf("%s with a condition, no prior read",
								 dm->operation == CMD_UPDATE ? "UpdateItem" : "DeleteItem"),
						es);
	ExplainPropertyText("DynamoDB Table", dm->opts->table, es);
	ExplainPropertyText("DynamoDB Condition", dm->cond->expr, es);
	{
		ListCell   *lc;

		foreach(lc, dm->sets)
			if (intVal(lsecond((List *) lfirst(lc))) < 0)
			{
				ExplainPropertyText("DynamoDB Atomic", "SET #c = #c + :n for col = col + n", es);
				break;
			}
	}
	if (ddb_write_mode == DDB_WRITE_TRANSACTION && IsTransactionBlock())
		ExplainPropertyText("DynamoDB Transaction",
							"GetItem, condition checked, write held until COMMIT with it",
							es);
}
