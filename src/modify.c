/*-------------------------------------------------------------------------
 * modify.c
 *	  INSERT, UPDATE, DELETE and COPY into DynamoDB tables and entity tables.
 *
 * INSERT is a PutItem conditioned on attribute_not_exists(partition key),
 * so an existing key is a unique violation, never a silent overwrite; rows
 * of a multi-row INSERT, INSERT ... SELECT or COPY go 25 at a time with all
 * 25 requests in flight at once.  With the table option upsert 'true',
 * INSERT overwrites and rows go as BatchWriteItem calls of 25 items,
 * several calls in flight.  UPDATE is an UpdateItem of the changed columns
 * (SET, or REMOVE for SQL NULL) conditioned on the item existing; "col =
 * col + n" is sent as an atomic "SET #c = #c + :n".  DELETE is a
 * DeleteItem.  Entity tables compose their keys, their type attribute and
 * the index keys they declare from complete column values.
 *
 * With ddbrel.write_mode = 'transaction' (the default) none of this is
 * sent as the statement runs: each row's write is held (txn.c) and the
 * transaction's writes go out at COMMIT as one TransactWriteItems.  COPY
 * is a bulk load and always takes the batched path.  With 'immediate',
 * each write is done when its request returns and ROLLBACK does not undo
 * it; a statement that fails reports how many items it had already
 * written.
 *-------------------------------------------------------------------------
 */
#include "ddbrel.h"

#include "codec_core.h"
#include "expr_core.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/appendinfo.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#define DDB_BATCH_WRITE_MAX 25
#define DDB_WRITE_INFLIGHT 4

/* fdw_private of a ModifyTable for a ddbrel table */
enum DdbModifyPrivate
{
	DDB_MPRIV_COUNTERS,			/* List of (attnum, delta text) pairs: "c = c + n" */
	DDB_MPRIV_ON_CONFLICT_NOTHING,	/* Integer */
	DDB_MPRIV_RETURNING			/* Integer: RETURNING present */
};

typedef struct DdbModifyState
{
	Relation	rel;
	DdbRelOptions *opts;
	DdbConn    *conn;
	CmdType		operation;
	bool		held;			/* writes are held until COMMIT (txn.c) */
	bool		has_unique;		/* columns with a guard item per value */
	DdbColumn  *version;		/* the version column, or NULL */
	bool		upsert;
	bool		on_conflict_nothing;
	bool		returning;
	AttrNumber	wholerow_attno;
	Bitmapset  *updated;		/* UPDATE: changed columns (attnums) */
	List	   *counters;		/* UPDATE: attnum, delta pairs */
	int64		written;		/* items this statement has written */
	MemoryContext tmpcxt;		/* requests of one row or batch */
	MemoryContext respcxt;		/* answers of BatchWriteItem calls */
	/* BatchWriteItem calls in flight (upsert), with their item counts */
	DdbCall    *inflight[DDB_WRITE_INFLIGHT];
	int			inflight_n[DDB_WRITE_INFLIGHT];
	int			ninflight;
	/* rows of a batch that were inserted (PostgreSQL's slot array is its own) */
	TupleTableSlot *inserted[DDB_BATCH_WRITE_MAX];
	/* DELETE without RETURNING: keys waiting for a BatchWriteItem */
	List	   *pending_deletes;
	MemoryContext delcxt;
	/* single-row inserts waiting to be written together */
	cJSON	   *buf_items[DDB_BATCH_WRITE_MAX];
	char	   *buf_keys[DDB_BATCH_WRITE_MAX];
	int			nbuffered;
	MemoryContext bufcxt;
} DdbModifyState;

/* ----------------------------------------------------------------
 * Planning
 * ----------------------------------------------------------------
 */

/* The old row travels as a whole-row junk column: its key and every value. */
void
ddbAddForeignUpdateTargets(PlannerInfo *root, Index rtindex, RangeTblEntry *target_rte,
						   Relation target_relation)
{
	Var		   *var = makeWholeRowVar(target_rte, rtindex, 0, false);

	add_row_identity_var(root, var, rtindex, "wholerow");
}

/*
 * Finds "col = col + n" and "col = col - n" among the new values of an
 * UPDATE, so they can be sent as atomic additions (seed 003's counters).
 */
static List *
find_counters(PlannerInfo *root, ModifyTable *plan, Index resultRelation, int subplan_index)
{
	List	   *result = NIL;
#if PG_VERSION_NUM >= 140000
	List	   *colnos = list_nth(plan->updateColnosLists, subplan_index);
	ListCell   *lc;
	ListCell   *cc = list_head(colnos);

	foreach(lc, root->processed_tlist)
	{
		TargetEntry *tle = lfirst(lc);
		AttrNumber	attno;
		Node	   *e;
		OpExpr	   *op;
		Node	   *l;
		Node	   *r;
		char	   *opname;

		if (tle->resjunk || cc == NULL)
			continue;
		attno = lfirst_int(cc);
		cc = lnext(colnos, cc);
		e = (Node *) tle->expr;
		while (e && IsA(e, RelabelType))
			e = (Node *) ((RelabelType *) e)->arg;
		if (!IsA(e, OpExpr) || list_length(((OpExpr *) e)->args) != 2)
			continue;
		op = (OpExpr *) e;
		opname = get_opname(op->opno);
		if (opname == NULL || (strcmp(opname, "+") != 0 && strcmp(opname, "-") != 0))
			continue;
		l = linitial(op->args);
		r = lsecond(op->args);
		while (IsA(l, RelabelType))
			l = (Node *) ((RelabelType *) l)->arg;
		while (IsA(r, RelabelType))
			r = (Node *) ((RelabelType *) r)->arg;
		if (!IsA(l, Var) || ((Var *) l)->varno != resultRelation ||
			((Var *) l)->varattno != attno || !IsA(r, Const) || ((Const *) r)->constisnull)
			continue;
		switch (((Const *) r)->consttype)
		{
			case INT2OID:
			case INT4OID:
			case INT8OID:
			case NUMERICOID:
				{
					char	   *delta = ddb_value_text(((Const *) r)->constvalue,
													   ((Const *) r)->consttype);

					if (strcmp(opname, "-") == 0)
						delta = delta[0] == '-' ? delta + 1 : psprintf("-%s", delta);
					result = lappend(result, list_make2(makeInteger(attno),
														makeString(delta)));
				}
				break;
			default:
				break;
		}
	}
#endif
	return result;
}

List *
ddbPlanForeignModify(PlannerInfo *root, ModifyTable *plan, Index resultRelation,
					 int subplan_index)
{
	List	   *counters = NIL;

	if (plan->operation == CMD_UPDATE)
		counters = find_counters(root, plan, resultRelation, subplan_index);
	return list_make3(counters,
					  makeInteger(plan->onConflictAction == ONCONFLICT_NOTHING ? 1 : 0),
					  makeInteger(plan->returningLists != NIL ? 1 : 0));
}

/* ----------------------------------------------------------------
 * Items from rows
 * ----------------------------------------------------------------
 */

/*
 * Composes a template from the row's values.  Returns NULL when a hole's
 * column is NULL (if required, that is an error naming the column), unless
 * the template truncates: then the key is cut before the first NULL.
 */
static char *
compose_from_row(DdbModifyState *ms, DdbAttrTemplate *at, Datum *values, bool *isnull,
				 bool required)
{
	const char *holes[DDB_TEMPLATE_MAX_HOLES] = {0};
	char		err[256];
	char	   *key;
	int			h;

	for (h = 0; h < at->tmpl->nholes; h++)
	{
		DdbColumn  *col = ddb_column_by_name(ms->opts, at->tmpl->holes[h]);
		int			att = col->attnum - 1;

		if (isnull[att])
		{
			if (required)
				ereport(ERROR,
						(errcode(ERRCODE_NOT_NULL_VIOLATION),
						 errmsg("column \"%s\" of foreign table \"%s\" is part of the key of attribute \"%s\" and cannot be null",
								col->colname, RelationGetRelationName(ms->rel), at->attr)));
			if (!at->truncate)
				return NULL;
			break;
		}
		holes[h] = ddb_datum_to_key_text(values[att], col);
	}
	if (h < at->tmpl->nholes)
		key = ddb_template_truncate(at->tmpl, holes, h, err, sizeof(err));
	else
		key = ddb_template_compose(at->tmpl, holes, err, sizeof(err));
	if (key == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot compose attribute \"%s\" of foreign table \"%s\" from template \"%s\"",
						at->attr, RelationGetRelationName(ms->rel), at->text),
				 errdetail("%s.", err)));
	return key;
}

/* The AttributeValue of a raw column holding a key attribute of type keytype. */
static cJSON *
key_value(DdbModifyState *ms, DdbColumn *col, Datum value, char keytype)
{
	cJSON	   *av = ddb_column_key_av(col, value, keytype);

	if (av == NULL && col->category == DDB_TYPE_EPOCH && keytype == 'N')
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("value of column \"%s\" has no epoch number for DynamoDB key attribute \"%s\"",
						col->colname, col->attrname),
				 errdetail("Infinite dates and times cannot be kept as numbers.")));
	if (av == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" cannot hold DynamoDB key attribute \"%s\" of type %c",
						col->colname, col->attrname, keytype)));
	return av;
}

static char
attr_keytype(DdbRelOptions *opts, const char *attr)
{
	ListCell   *lc;
	List	   *l = opts->desc ? opts->desc->attr_types : NIL;

	for (lc = list_head(l); lc && lnext(l, lc); lc = lnext(l, lnext(l, lc)))
		if (strcmp((char *) lfirst(lc), attr) == 0)
			return ((char *) lfirst(lnext(l, lc)))[0];
	return 'S';
}

/*
 * The primary key of a row: from the key templates, or from the columns
 * that read the key attributes.
 */
static cJSON *
row_key(DdbModifyState *ms, Datum *values, bool *isnull)
{
	DdbRelOptions *opts = ms->opts;
	cJSON	   *key = cJSON_CreateObject();
	const char *attrs[2];
	int			k;

	attrs[0] = opts->partition_key;
	attrs[1] = opts->sort_key;
	for (k = 0; k < 2; k++)
	{
		ListCell   *lc;
		bool		done = false;
		int			i;

		if (attrs[k] == NULL)
			continue;
		foreach(lc, opts->templates)
		{
			DdbAttrTemplate *at = lfirst(lc);

			if (at->is_key && strcmp(at->attr, attrs[k]) == 0)
			{
				cJSON_AddItemToObject(key, attrs[k],
									  ddb_av_string(compose_from_row(ms, at, values, isnull, true)));
				done = true;
				break;
			}
		}
		for (i = 0; i < opts->ncolumns && !done; i++)
		{
			DdbColumn  *col = &opts->columns[i];

			if (col->source != DDB_COL_ATTRIBUTE || strcmp(col->attrname, attrs[k]) != 0)
				continue;
			if (isnull[col->attnum - 1])
				ereport(ERROR,
						(errcode(ERRCODE_NOT_NULL_VIOLATION),
						 errmsg("column \"%s\" of foreign table \"%s\" holds key attribute \"%s\" and cannot be null",
								col->colname, RelationGetRelationName(ms->rel), attrs[k])));
			cJSON_AddItemToObject(key, attrs[k],
								  key_value(ms, col, values[col->attnum - 1],
											attr_keytype(opts, attrs[k])));
			done = true;
		}
		if (!done)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_COLUMN_NAME_NOT_FOUND),
					 errmsg("foreign table \"%s\" has no column or template for key attribute \"%s\"",
							RelationGetRelationName(ms->rel), attrs[k]),
					 errhint("Add a column with OPTIONS (attribute '%s'), or a key template.", attrs[k])));
		/* a key DynamoDB cannot store (empty, too long): said before asking */
		{
			char		why[256];

			if (!ddb_limits_key_value_ok(cJSON_GetObjectItemCaseSensitive(key, attrs[k]), k == 1,
										 why, sizeof(why)))
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("key attribute \"%s\" of a row of foreign table \"%s\" cannot be stored in DynamoDB",
								attrs[k], RelationGetRelationName(ms->rel)),
						 errdetail("%s", why)));
		}
	}
	return key;
}

/* Whether attr is a key attribute or composed by a template. */
static bool
attr_is_derived(DdbRelOptions *opts, const char *attr)
{
	ListCell   *lc;

	if (strcmp(attr, opts->partition_key) == 0 ||
		(opts->sort_key && strcmp(attr, opts->sort_key) == 0))
		return true;
	foreach(lc, opts->templates)
		if (strcmp(((DdbAttrTemplate *) lfirst(lc))->attr, attr) == 0)
		return true;
	return ddb_identifier_value(opts, attr, NULL);
}

/*
 * A column read from an index key when items lack its attribute, and not
 * given an attribute of its own: written only into the keys.
 */
static bool
key_only(DdbColumn *col)
{
	return col->read_from_key && !col->attr_explicit;
}

/* Whether a column, template or option other than an extra column maps attr. */
static bool
attr_is_mapped(DdbRelOptions *opts, const char *attr)
{
	ListCell   *lc;

	foreach(lc, opts->mapped_attrs)
		if (strcmp((const char *) lfirst(lc), attr) == 0)
			return true;
	return false;
}

/* The whole item of a row, for PutItem. */
static cJSON *
row_item(DdbModifyState *ms, Datum *values, bool *isnull, cJSON **keyp)
{
	DdbRelOptions *opts = ms->opts;
	cJSON	   *item = cJSON_CreateObject();
	cJSON	   *key = row_key(ms, values, isnull);
	cJSON	   *e;
	ListCell   *lc;
	int			i;

	/* a document column gives the attributes the other columns do not */
	for (i = 0; i < opts->ncolumns; i++)
	{
		DdbColumn  *col = &opts->columns[i];
		cJSON	   *m;
		cJSON	   *next;

		if ((col->source != DDB_COL_DOCUMENT && col->source != DDB_COL_EXTRA) ||
			isnull[col->attnum - 1])
			continue;
		m = ddb_datum_to_av(values[col->attnum - 1], col);
		if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(m, "M")))
		{
			if (col->source == DDB_COL_EXTRA)
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("extra column \"%s\" must hold a JSON object",
								col->colname)));
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("document column \"%s\" must hold a JSON object",
							col->colname)));
		}
		for (e = cJSON_GetObjectItemCaseSensitive(m, "M")->child; e; e = next)
		{
			next = e->next;
			/* an extra column holds only what no other column maps */
			if (col->source == DDB_COL_EXTRA && attr_is_mapped(opts, e->string))
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("extra column \"%s\" holds attribute \"%s\", which another column or option maps",
								col->colname, e->string),
						 errhint("Set the attribute through the column or option that maps it.")));
			cJSON_DeleteItemFromObjectCaseSensitive(item, e->string);
			cJSON_AddItemToObject(item, e->string,
								  cJSON_DetachItemViaPointer(cJSON_GetObjectItemCaseSensitive(m, "M"), e));
		}
	}
	/* attribute columns, and key holes backed by an attribute of their own */
	for (i = 0; i < opts->ncolumns; i++)
	{
		DdbColumn  *col = &opts->columns[i];

		if (!(col->source == DDB_COL_ATTRIBUTE || col->backed) || isnull[col->attnum - 1] ||
			attr_is_derived(opts, col->attrname) || key_only(col))
			continue;
		cJSON_DeleteItemFromObjectCaseSensitive(item, col->attrname);
		cJSON_AddItemToObject(item, col->attrname, ddb_datum_to_av(values[col->attnum - 1], col));
	}
	/* index key attributes: only from complete values */
	foreach(lc, opts->templates)
	{
		DdbAttrTemplate *at = lfirst(lc);
		char	   *v;

		if (at->is_key)
			continue;
		cJSON_DeleteItemFromObjectCaseSensitive(item, at->attr);
		v = compose_from_row(ms, at, values, isnull, false);
		if (v)
			cJSON_AddItemToObject(item, at->attr, ddb_av_string(v));
	}
	/* identifier attributes: constants of the entity (type_attribute among them) */
	foreach(lc, opts->identifiers)
	{
		DdbIdentifier *id = lfirst(lc);

		cJSON_DeleteItemFromObjectCaseSensitive(item, id->attr);
		cJSON_AddItemToObject(item, id->attr, ddb_av_string(id->value));
	}
	cJSON_ArrayForEach(e, key)
	{
		cJSON_DeleteItemFromObjectCaseSensitive(item, e->string);
		cJSON_AddItemToObject(item, e->string, cJSON_Duplicate(e, true));
	}
	*keyp = key;
	return item;
}

/* Fills a slot from an item DynamoDB returned (RETURNING of UPDATE/DELETE). */
static void
slot_from_item(DdbModifyState *ms, TupleTableSlot *slot, const cJSON *item)
{
	DdbRelOptions *opts = ms->opts;
	int			i;
	int			natts = slot->tts_tupleDescriptor->natts;

	ExecClearTuple(slot);
	memset(slot->tts_isnull, true, sizeof(bool) * natts);
	for (i = 0; i < opts->ncolumns; i++)
	{
		DdbColumn  *col = &opts->columns[i];
		int			att = col->attnum - 1;

		switch (col->source)
		{
			case DDB_COL_ATTRIBUTE:
				slot->tts_values[att] =
					ddb_av_to_datum(cJSON_GetObjectItemCaseSensitive(item, col->attrname),
									col, &slot->tts_isnull[att]);
				break;
			case DDB_COL_DOCUMENT:
				slot->tts_values[att] = ddb_item_to_document(item, col);
				slot->tts_isnull[att] = false;
				break;
			case DDB_COL_EXTRA:
				slot->tts_values[att] = ddb_item_to_extra(item, col, opts->mapped_attrs);
				slot->tts_isnull[att] = false;
				break;
			case DDB_COL_TEMPLATE:
				if (col->backed && cJSON_GetObjectItemCaseSensitive(item, col->attrname))
				{
					slot->tts_values[att] =
						ddb_av_to_datum(cJSON_GetObjectItemCaseSensitive(item, col->attrname),
										col, &slot->tts_isnull[att]);
					break;
				}
				{
					const char *attr = col->tmpl_key == 0 ? opts->partition_key : opts->sort_key;
					ddb_template *t = col->tmpl_key == 0 ? opts->pk_template : opts->sk_template;
					const cJSON *v = cJSON_GetObjectItemCaseSensitive(
																	  cJSON_GetObjectItemCaseSensitive(item, attr), "S");
					ddb_slice	vals[DDB_TEMPLATE_MAX_HOLES];

					if (cJSON_IsString(v) &&
						ddb_template_match(t, v->valuestring, strlen(v->valuestring), vals))
					{
						slot->tts_values[att] = ddb_text_to_datum(vals[col->tmpl_hole].ptr,
																  vals[col->tmpl_hole].len, col);
						slot->tts_isnull[att] = false;
					}
				}
				break;
		}
	}
	ExecStoreVirtualTuple(slot);
}

/* ----------------------------------------------------------------
 * Execution
 * ----------------------------------------------------------------
 */

/*
 * The user whose mapping a write uses: the one the executor checks
 * permissions as (a view's owner, or the current user).
 */
static Oid
modify_user(ResultRelInfo *rinfo, EState *estate)
{
#if PG_VERSION_NUM >= 160000
	return ExecGetResultRelCheckAsUser(rinfo, estate);
#else
	Index		rti = rinfo->ri_RangeTableIndex;

	/* a partition that tuple routing opened has no range table entry */
	if (rti == 0 && rinfo->ri_RootResultRelInfo)
		rti = rinfo->ri_RootResultRelInfo->ri_RangeTableIndex;
	return rti > 0 ? ddb_rte_user(exec_rt_fetch(rti, estate)) : GetUserId();
#endif
}

/*
 * bulk: a COPY, which always takes the batched path (it must not meet the
 * 100 writes of a transaction); other writes follow ddbrel.write_mode.
 */
static DdbModifyState *
begin_modify(Relation rel, CmdType operation, List *fdw_private, EState *estate,
			 ResultRelInfo *rinfo, bool bulk)
{
	DdbModifyState *ms = palloc0(sizeof(DdbModifyState));
	ForeignTable *ft = GetForeignTable(RelationGetRelid(rel));
	ListCell   *lc;
	Oid			userid;

	ms->rel = rel;
	ms->operation = operation;
	ms->held = (ddb_write_mode == DDB_WRITE_TRANSACTION && !bulk);
	userid = modify_user(rinfo, estate);
	ms->opts = ddb_get_rel_options_as(RelationGetRelid(rel), userid);
	ms->conn = ddb_get_connection(ms->opts->serverid, userid);
	ddb_connection_use_table(ms->conn, ms->opts);
	foreach(lc, ft->options)
	{
		DefElem    *d = lfirst(lc);

		if (strcmp(d->defname, "upsert") == 0)
			ms->upsert = ddb_parse_bool_option("upsert", defGetString(d));
	}
	if (fdw_private)
	{
		ms->counters = (List *) list_nth(fdw_private, DDB_MPRIV_COUNTERS);
		ms->on_conflict_nothing = intVal(list_nth(fdw_private, DDB_MPRIV_ON_CONFLICT_NOTHING)) != 0;
		ms->returning = intVal(list_nth(fdw_private, DDB_MPRIV_RETURNING)) != 0;
	}
	{
		int			i;

		ms->has_unique = ms->opts->unique_sets != NIL;
		for (i = 0; i < ms->opts->ncolumns; i++)
		{
			if (ms->opts->columns[i].unique)
				ms->has_unique = true;
			if (ms->opts->columns[i].version)
				ms->version = &ms->opts->columns[i];
		}
	}
	/* guard items change with their rows, atomically: only a transaction can */
	if (ms->has_unique && !ms->held && !ms->upsert)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("foreign table \"%s\" has unique columns and cannot be written as statements run",
						RelationGetRelationName(rel)),
				 errdetail("The guard items of unique columns are written in the same TransactWriteItems as their rows."),
				 errhint("SET ddbrel.write_mode = 'transaction' (the default); COPY into it needs the table option upsert 'true', which writes guard items unchecked.")));
	ms->tmpcxt = AllocSetContextCreate(estate->es_query_cxt, "ddbrel modify",
									   ALLOCSET_DEFAULT_SIZES);
	ms->respcxt = AllocSetContextCreate(estate->es_query_cxt, "ddbrel write answers",
										ALLOCSET_DEFAULT_SIZES);
	ms->delcxt = AllocSetContextCreate(estate->es_query_cxt, "ddbrel pending deletes",
									   ALLOCSET_DEFAULT_SIZES);
	ms->bufcxt = AllocSetContextCreate(estate->es_query_cxt, "ddbrel pending inserts",
									   ALLOCSET_DEFAULT_SIZES);
	return ms;
}

void
ddbBeginForeignModify(ModifyTableState *mtstate, ResultRelInfo *rinfo,
					  List *fdw_private, int subplan_index, int eflags)
{
	DdbModifyState *ms;

	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;
	ms = begin_modify(rinfo->ri_RelationDesc, mtstate->operation, fdw_private,
					  mtstate->ps.state, rinfo, false);
	if (mtstate->operation == CMD_UPDATE || mtstate->operation == CMD_DELETE)
	{
#if PG_VERSION_NUM >= 140000
		Plan	   *subplan = outerPlanState(mtstate)->plan;
#else
		Plan	   *subplan = mtstate->mt_plans[subplan_index]->plan;
#endif

		ms->wholerow_attno = ExecFindJunkAttributeInTlist(subplan->targetlist, "wholerow");
		if (!AttributeNumberIsValid(ms->wholerow_attno))
			elog(ERROR, "could not find junk wholerow column");
	}
	/*
	 * The columns an UPDATE changes include the STORED generated columns
	 * that depend on them: their attributes and the keys built from them
	 * must be rewritten too, or an index key goes stale.
	 */
	if (mtstate->operation == CMD_UPDATE)
		ms->updated = bms_union(ExecGetUpdatedCols(rinfo, mtstate->ps.state),
								ExecGetExtraUpdatedCols(rinfo, mtstate->ps.state));
	rinfo->ri_FdwState = ms;
}

/*
 * Finishes one BatchWriteItem call, and the resends of what DynamoDB left
 * unprocessed (request.c: backoff, and the server's max_retries).
 */
static void
finish_batch_write(DdbModifyState *ms, DdbCall *call, int nitems)
{
	int			resends = 0;
	MemoryContext oldcxt = MemoryContextSwitchTo(ms->respcxt);

	while (call != NULL)
	{
		DdbResult  *res = ddb_call_wait(call);
		int			left;

		if (res->status != DDB_CALL_OK)
			ddb_report_result(res, ms->written);
		left = ddb_batch_unprocessed(res->json);
		ms->written += nitems - left;
		nitems = left;
		call = ddb_batch_resend(ms->conn, "BatchWriteItem", ms->opts->table, res->json,
								&resends, ms->written);
		MemoryContextReset(ms->respcxt);
	}
	MemoryContextSwitchTo(oldcxt);
}

/* Waits for the oldest BatchWriteItem in flight. */
static void
finish_oldest(DdbModifyState *ms)
{
	DdbCall    *call = ms->inflight[0];
	int			n = ms->inflight_n[0];

	memmove(ms->inflight, ms->inflight + 1, sizeof(DdbCall *) * (ms->ninflight - 1));
	memmove(ms->inflight_n, ms->inflight_n + 1, sizeof(int) * (ms->ninflight - 1));
	ms->ninflight--;
	finish_batch_write(ms, call, n);
}

/* Waits for every BatchWriteItem in flight. */
static void
drain_batch_writes(DdbModifyState *ms)
{
	while (ms->ninflight > 0)
		finish_oldest(ms);
}

/*
 * Sends puts (or deletes) as one BatchWriteItem; keeps up to
 * DDB_WRITE_INFLIGHT calls in flight, waiting for the oldest beyond that.
 */
static void
send_batch_write(DdbModifyState *ms, List *requests)
{
	cJSON	   *req = cJSON_CreateObject();
	cJSON	   *items = cJSON_AddObjectToObject(req, "RequestItems");
	cJSON	   *arr = cJSON_AddArrayToObject(items, ms->opts->table);
	ListCell   *lc;

	foreach(lc, requests)
		cJSON_AddItemToArray(arr, lfirst(lc));
	cJSON_AddStringToObject(req, "ReturnConsumedCapacity", "TOTAL");
	if (ms->ninflight == DDB_WRITE_INFLIGHT)
		finish_oldest(ms);
	/* whole-item puts and deletes: doing them twice leaves the same items */
	ms->inflight[ms->ninflight] = ddb_call_start_ex(ms->conn, "BatchWriteItem", ms->opts->table,
												   req, true);
	ms->inflight_n[ms->ninflight++] = list_length(requests);
}

/* A PutItem request for one item; conditional unless upserting. */
static cJSON *
put_request(DdbModifyState *ms, cJSON *item)
{
	cJSON	   *req = cJSON_CreateObject();

	cJSON_AddStringToObject(req, "TableName", ms->opts->table);
	cJSON_AddItemToObject(req, "Item", item);
	if (!ms->upsert)
	{
		DdbExprBuilder b;

		ddb_expr_init(&b);
		cJSON_AddStringToObject(req, "ConditionExpression",
								ddb_deparse_exists(&b, ms->opts->partition_key, false));
		ddb_expr_attach(&b, req);
		/* a refusal brings the item along: no GetItem to tell a lost answer */
		cJSON_AddStringToObject(req, "ReturnValuesOnConditionCheckFailure", "ALL_OLD");
	}
	cJSON_AddStringToObject(req, "ReturnConsumedCapacity", "TOTAL");
	return req;
}

/*
 * After a conditional put was sent more than once and then failed its
 * condition: did an earlier attempt write it?  The item the refusal
 * returned (ReturnValuesOnConditionCheckFailure), or where the server does
 * not return it a consistent read, holding exactly the item says yes.
 */
static bool
put_landed(DdbModifyState *ms, const cJSON *item, const DdbResult *res)
{
	const cJSON *got = res->error_body ?
	cJSON_GetObjectItemCaseSensitive(res->error_body, "Item") : NULL;
	const cJSON *e;

	if (got == NULL)
	{
		cJSON	   *req = cJSON_CreateObject();
		cJSON	   *key = cJSON_AddObjectToObject(req, "Key");
		cJSON	   *resp;

		cJSON_AddStringToObject(req, "TableName", ms->opts->table);
		cJSON_AddItemToObject(key, ms->opts->partition_key,
							  cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(item, ms->opts->partition_key), true));
		if (ms->opts->sort_key)
			cJSON_AddItemToObject(key, ms->opts->sort_key,
								  cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(item, ms->opts->sort_key), true));
		cJSON_AddBoolToObject(req, "ConsistentRead", true);
		resp = ddb_call(ms->conn, "GetItem", ms->opts->table, req);
		got = cJSON_GetObjectItemCaseSensitive(resp, "Item");
	}
	if (got == NULL || cJSON_GetArraySize(got) != cJSON_GetArraySize(item))
		return false;
	cJSON_ArrayForEach(e, item)
	{
		const cJSON *o = cJSON_GetObjectItemCaseSensitive(got, e->string);

		if (o == NULL || !ddb_av_equal(e, o))
			return false;
	}
	return true;
}

/* The guard writes of a row change (unique.c), for this table's writes. */
static List *
row_guards(DdbModifyState *ms, Datum *oldv, bool *oldn, Datum *newv, bool *newn,
	   const cJSON *rowkey)
{
	return ddb_unique_guards(ms->conn, ms->opts, ms->rel, ms->held, oldv, oldn, newv, newn,
							 rowkey);
}

/*
 * The condition a version column adds to a write of a row the scan read:
 * the version is still the one read.  NULL without a version column.
 */
static char *
version_cond(DdbModifyState *ms, DdbExprBuilder *b, Datum *oldv, bool *oldn)
{
	DdbColumn  *col = ms->version;

	if (col == NULL)
		return NULL;
	if (oldn[col->attnum - 1])
		return ddb_deparse_exists(b, col->attrname, false);
	return ddb_deparse_equals(b, col->attrname, ddb_datum_to_av(oldv[col->attnum - 1], col));
}

/* The values of the row an item was built from, for its guards. */
static void
item_row(DdbModifyState *ms, const cJSON *item, Datum **values, bool **isnull)
{
	/* a copy of the descriptor: the relcache's is reference-counted */
	TupleTableSlot *slot = MakeSingleTupleTableSlot(CreateTupleDescCopy(RelationGetDescr(ms->rel)),
													&TTSOpsVirtual);

	slot_from_item(ms, slot, item);
	*values = slot->tts_values;
	*isnull = slot->tts_isnull;
}

/* The primary key of an item built by row_item. */
static cJSON *
item_key(DdbModifyState *ms, const cJSON *item)
{
	cJSON	   *key = cJSON_CreateObject();

	cJSON_AddItemToObject(key, ms->opts->partition_key,
						  cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(item, ms->opts->partition_key), true));
	if (ms->opts->sort_key)
		cJSON_AddItemToObject(key, ms->opts->sort_key,
							  cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(item, ms->opts->sort_key), true));
	return key;
}

/* Whether DynamoDB holds an item with this key (a consistent read). */
static bool
item_exists(DdbModifyState *ms, const cJSON *key)
{
	cJSON	   *req = cJSON_CreateObject();
	cJSON	   *resp;
	DdbExprBuilder b;

	cJSON_AddStringToObject(req, "TableName", ms->opts->table);
	cJSON_AddItemToObject(req, "Key", cJSON_Duplicate(key, true));
	ddb_expr_init(&b);
	cJSON_AddStringToObject(req, "ProjectionExpression", ddb_expr_name(&b, ms->opts->partition_key));
	ddb_expr_attach(&b, req);
	cJSON_AddBoolToObject(req, "ConsistentRead", true);
	cJSON_AddStringToObject(req, "ReturnConsumedCapacity", "TOTAL");
	resp = ddb_call(ms->conn, "GetItem", ms->opts->table, req);
	return cJSON_GetObjectItemCaseSensitive(resp, "Item") != NULL;
}

/*
 * Holds inserts until COMMIT (ddbrel.write_mode = 'transaction').  A key
 * the transaction already wrote is a duplicate now; one DynamoDB holds is
 * found by the put's condition at COMMIT, or for ON CONFLICT DO NOTHING by
 * a consistent read now (the row must be skipped now).
 */
static int
hold_items(DdbModifyState *ms, cJSON **items, char **keys, int n, bool *inserted)
{
	int			i;
	int			kept = 0;
	MemoryContext oldcxt = MemoryContextSwitchTo(ms->tmpcxt);

	for (i = 0; i < n; i++)
	{
		DdbHeldWrite w = {0};
		DdbExprBuilder b;
		cJSON	   *key = item_key(ms, items[i]);
		DdbHeldState st = ddb_txn_item_state(ms->conn, ms->opts->table, key);

		inserted[i] = false;
		if (!ms->upsert)
		{
			bool		exists = (st == DDB_HELD_IMAGE || st == DDB_HELD_PATCH ||
								  st == DDB_HELD_CHECKED);

			if (st == DDB_HELD_NONE && ms->on_conflict_nothing)
				exists = item_exists(ms, key);
			if (exists && ms->on_conflict_nothing)
				continue;
			if (exists)
				ereport(ERROR,
						(errcode(ERRCODE_UNIQUE_VIOLATION),
						 errmsg("duplicate key: an item with key %s already exists in DynamoDB table \"%s\"",
								keys[i], ms->opts->table),
						 errdetail("This transaction wrote that item."),
						 errhint("Use INSERT ... ON CONFLICT DO NOTHING to skip existing items, or the table option upsert 'true' to overwrite them.")));
			ddb_expr_init(&b);
			w.cond = ddb_cond_make(&b, ddb_deparse_exists(&b, ms->opts->partition_key, false));
			w.role = DDB_ROLE_INSERT;
		}
		w.kind = DDB_HELD_PUT;
		w.table = ms->opts->table;
		w.key = key;
		w.image = items[i];
		w.relname = RelationGetRelationName(ms->rel);
		ddb_txn_hold(ms->conn, &w);
		if (ms->has_unique)
		{
			Datum	   *values;
			bool	   *isnull;

			item_row(ms, items[i], &values, &isnull);
			(void) row_guards(ms, NULL, NULL, values, isnull, key);
		}
		inserted[i] = true;
		kept++;
	}
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(ms->tmpcxt);
	return kept;
}

/*
 * Writes items (built by row_item, with their keys' text): conditional
 * PutItems all in flight at once, or (upsert) one BatchWriteItem that
 * stays in flight.  Sets inserted[i]; an item skipped by ON CONFLICT DO
 * NOTHING is not inserted.  Returns how many were.
 */
static int
put_items(DdbModifyState *ms, cJSON **items, char **keys, int n, bool *inserted)
{
	DdbCall    *calls[DDB_BATCH_WRITE_MAX];
	int			i;
	int			kept = 0;
	int			conflict = -1;
	DdbResult  *first_failure = NULL;
	MemoryContext oldcxt = MemoryContextSwitchTo(ms->tmpcxt);

	Assert(n <= DDB_BATCH_WRITE_MAX);
	if (ms->held)
	{
		MemoryContextSwitchTo(oldcxt);
		return hold_items(ms, items, keys, n, inserted);
	}
	if (ms->upsert)
	{
		List	   *reqs = NIL;

		List	   *guards = NIL;

		for (i = 0; i < n; i++)
		{
			cJSON	   *pr = cJSON_CreateObject();

			cJSON_AddItemToObject(cJSON_AddObjectToObject(pr, "PutRequest"), "Item",
								  cJSON_Duplicate(items[i], true));
			reqs = lappend(reqs, pr);
			inserted[i] = true;
			if (ms->has_unique)
			{
				Datum	   *values;
				bool	   *isnull;

				item_row(ms, items[i], &values, &isnull);
				guards = list_concat(guards, row_guards(ms, NULL, NULL, values, isnull,
														item_key(ms, items[i])));
			}
		}
		send_batch_write(ms, reqs);
		/* a load's guard items, 25 to a BatchWriteItem like its rows */
		while (guards != NIL)
		{
			List	   *chunk = NIL;

			while (guards != NIL && list_length(chunk) < DDB_BATCH_WRITE_MAX)
			{
				chunk = lappend(chunk, linitial(guards));
				guards = list_delete_first(guards);
			}
			send_batch_write(ms, chunk);
		}
		MemoryContextSwitchTo(oldcxt);
		MemoryContextReset(ms->tmpcxt);
		return n;
	}

	for (i = 0; i < n; i++)
	{
		cJSON	   *req = put_request(ms, cJSON_Duplicate(items[i], true));

		calls[i] = NULL;
		PG_TRY();
		{
			/* safe to repeat: a repeat fails its condition, verified below */
			calls[i] = ddb_call_start_ex(ms->conn, "PutItem", ms->opts->table, req, true);
		}
		PG_CATCH();
		{
			int			k;

			for (k = 0; k < i; k++)
				ddb_call_cancel(calls[k]);
			PG_RE_THROW();
		}
		PG_END_TRY();
	}

	/* collect every answer before raising anything, so the count is right */
	for (i = 0; i < n; i++)
	{
		DdbResult  *res = ddb_call_wait(calls[i]);
		bool		ok = (res->status == DDB_CALL_OK);

		/* sent again and then refused: did an earlier attempt land, its answer lost? */
		if (!ok && ddb_result_is(res, "ConditionalCheckFailedException") && res->attempts > 1)
			ok = put_landed(ms, items[i], res);
		inserted[i] = false;
		if (ok)
		{
			ms->written++;
			inserted[i] = true;
			kept++;
		}
		else if (ddb_result_is(res, "ConditionalCheckFailedException"))
		{
			if (conflict < 0)
				conflict = i;
		}
		else if (first_failure == NULL)
			first_failure = res;
	}
	MemoryContextSwitchTo(oldcxt);
	if (first_failure)
		ddb_report_result(first_failure, ms->written);
	if (conflict >= 0 && !ms->on_conflict_nothing)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("duplicate key: an item with key %s already exists in DynamoDB table \"%s\"",
						keys[conflict], ms->opts->table),
				 errdetail_plural("%lld item of this statement had already been written; DynamoDB writes are not undone by ROLLBACK.",
								  "%lld items of this statement had already been written; DynamoDB writes are not undone by ROLLBACK.",
								  (unsigned long) ms->written, (long long) ms->written),
				 errhint("Use INSERT ... ON CONFLICT DO NOTHING to skip existing items, or the table option upsert 'true' to overwrite them.")));
	MemoryContextReset(ms->tmpcxt);
	return kept;
}

/* Builds the item of a row (and its key's text) in the current context. */
static cJSON *
slot_item(DdbModifyState *ms, TupleTableSlot *slot, char **keytext)
{
	cJSON	   *key;
	cJSON	   *item;

	slot_getallattrs(slot);
	item = row_item(ms, slot->tts_values, slot->tts_isnull, &key);
	*keytext = ddb_key_text(key);
	return item;
}

/* Inserts rows now; returns how many, putting them into out. */
static int
insert_rows(DdbModifyState *ms, TupleTableSlot **slots, int n, TupleTableSlot **out)
{
	cJSON	   *items[DDB_BATCH_WRITE_MAX];
	char	   *keys[DDB_BATCH_WRITE_MAX];
	bool		inserted[DDB_BATCH_WRITE_MAX];
	int			i;
	int			kept = 0;
	MemoryContext oldcxt = MemoryContextSwitchTo(ms->bufcxt);

	for (i = 0; i < n; i++)
		items[i] = slot_item(ms, slots[i], &keys[i]);
	MemoryContextSwitchTo(oldcxt);
	(void) put_items(ms, items, keys, n, inserted);
	for (i = 0; i < n; i++)
		if (inserted[i])
			out[kept++] = slots[i];
	MemoryContextReset(ms->bufcxt);
	return kept;
}

/* Writes the rows buffered by single-row inserts (COPY in PostgreSQL < 16). */
static void
flush_buffered(DdbModifyState *ms)
{
	bool		inserted[DDB_BATCH_WRITE_MAX];

	if (ms->nbuffered == 0)
		return;
	(void) put_items(ms, ms->buf_items, ms->buf_keys, ms->nbuffered, inserted);
	ms->nbuffered = 0;
	MemoryContextReset(ms->bufcxt);
}

TupleTableSlot *
ddbExecForeignInsert(EState *estate, ResultRelInfo *rinfo, TupleTableSlot *slot,
					 TupleTableSlot *planSlot)
{
	DdbModifyState *ms = rinfo->ri_FdwState;
	TupleTableSlot *slots[1];

	/*
	 * When nothing needs the row's outcome before the statement ends (no
	 * RETURNING, ON CONFLICT or row triggers), rows are buffered and written
	 * 25 at a time: COPY gets batches even where PostgreSQL does not batch.
	 * A failure still fails the statement, saying how much was written.
	 */
	if (!ms->held && !ms->returning && !ms->on_conflict_nothing && rinfo->ri_TrigDesc == NULL)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(ms->bufcxt);

		ms->buf_items[ms->nbuffered] = slot_item(ms, slot, &ms->buf_keys[ms->nbuffered]);
		ms->nbuffered++;
		MemoryContextSwitchTo(oldcxt);
		if (ms->nbuffered == DDB_BATCH_WRITE_MAX)
			flush_buffered(ms);
		return slot;
	}
	slots[0] = slot;
	if (insert_rows(ms, slots, 1, ms->inserted) == 0)
		return NULL;
	if (ms->upsert)
		drain_batch_writes(ms);
	return slot;
}

TupleTableSlot **
ddbExecForeignBatchInsert(EState *estate, ResultRelInfo *rinfo, TupleTableSlot **slots,
						  TupleTableSlot **planSlots, int *numSlots)
{
	DdbModifyState *ms = rinfo->ri_FdwState;

	/* the batch size is DDB_BATCH_WRITE_MAX, so one round */
	if (*numSlots > DDB_BATCH_WRITE_MAX)
		elog(ERROR, "batch of %d rows exceeds %d", *numSlots, DDB_BATCH_WRITE_MAX);
	*numSlots = insert_rows(ms, slots, *numSlots, ms->inserted);
	return ms->inserted;
}

int
ddbGetForeignModifyBatchSize(ResultRelInfo *rinfo)
{
	DdbModifyState *ms = rinfo->ri_FdwState;

	/* RETURNING and triggers need rows one by one */
	if (ms == NULL || rinfo->ri_projectReturning ||
		(rinfo->ri_TrigDesc && (rinfo->ri_TrigDesc->trig_insert_before_row ||
								rinfo->ri_TrigDesc->trig_insert_after_row)))
		return 1;
	return DDB_BATCH_WRITE_MAX;
}

/* The old row, from the whole-row junk column. */
static void
old_row(DdbModifyState *ms, TupleTableSlot *planSlot, Datum **values, bool **isnull)
{
	bool		null;
	Datum		d = ExecGetJunkAttribute(planSlot, ms->wholerow_attno, &null);
	HeapTupleHeader hdr;
	HeapTupleData tup;
	TupleDesc	tupdesc = RelationGetDescr(ms->rel);

	if (null)
		elog(ERROR, "wholerow is NULL");
	hdr = DatumGetHeapTupleHeader(d);
	tup.t_len = HeapTupleHeaderGetDatumLength(hdr);
	ItemPointerSetInvalid(&tup.t_self);
	tup.t_tableOid = InvalidOid;
	tup.t_data = hdr;
	*values = palloc(sizeof(Datum) * tupdesc->natts);
	*isnull = palloc(sizeof(bool) * tupdesc->natts);
	heap_deform_tuple(&tup, tupdesc, *values, *isnull);
}

/* The key of the old row, as a JSON text for Key. */
static cJSON *
old_key(DdbModifyState *ms, TupleTableSlot *planSlot)
{
	Datum	   *values;
	bool	   *isnull;

	old_row(ms, planSlot, &values, &isnull);
	return row_key(ms, values, isnull);
}

static bool
is_counter(DdbModifyState *ms, AttrNumber attnum, const char **delta)
{
	ListCell   *lc;

	foreach(lc, ms->counters)
	{
		List	   *c = lfirst(lc);

		if (intVal(linitial(c)) == attnum)
		{
			*delta = strVal(lsecond(c));
			return true;
		}
	}
	return false;
}

/*
 * What an UPDATE changes in the item: the changed columns (SET, or REMOVE
 * for SQL NULL), "col = col + n" as an addition, and the index keys whose
 * columns changed, from complete values or removed.
 */
static void
update_patch(DdbModifyState *ms, TupleTableSlot *slot, DdbPatch *patch)
{
	DdbRelOptions *opts = ms->opts;
	int			x = -1;
	ListCell   *lc;

	patch->set = cJSON_CreateObject();
	patch->add = cJSON_CreateObject();
	patch->remove = cJSON_CreateArray();
	while ((x = bms_next_member(ms->updated, x)) >= 0)
	{
		AttrNumber	attnum = x + FirstLowInvalidHeapAttributeNumber;
		DdbColumn  *col = ddb_column_by_attnum(opts, attnum);
		const char *delta;

		if (col == NULL || (col->source == DDB_COL_TEMPLATE && !col->backed))
			continue;			/* key columns: unchanged, checked by the caller */
		if (col->source == DDB_COL_EXTRA)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot UPDATE extra column \"%s\"", col->colname),
					 errhint("Update the attribute columns instead.")));
		if (col->source == DDB_COL_DOCUMENT)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot UPDATE document column \"%s\"", col->colname),
					 errhint("Update the attribute columns instead.")));
		if (attr_is_derived(opts, col->attrname) || key_only(col) ||
			cJSON_GetObjectItemCaseSensitive(patch->set, col->attrname) ||
			cJSON_GetObjectItemCaseSensitive(patch->add, col->attrname))
			continue;
		if (slot->tts_isnull[attnum - 1])
			cJSON_AddItemToArray(patch->remove, cJSON_CreateString(col->attrname));
		else if (is_counter(ms, attnum, &delta))
		{
			cJSON	   *av = cJSON_CreateObject();

			cJSON_AddStringToObject(av, "N", delta);
			cJSON_AddItemToObject(patch->add, col->attrname, av);
		}
		else
			cJSON_AddItemToObject(patch->set, col->attrname,
								  ddb_datum_to_av(slot->tts_values[attnum - 1], col));
	}
	foreach(lc, opts->templates)
	{
		DdbAttrTemplate *at = lfirst(lc);
		bool		touched = false;
		int			h;
		char	   *v;

		if (at->is_key)
			continue;
		for (h = 0; h < at->tmpl->nholes; h++)
		{
			DdbColumn  *col = ddb_column_by_name(opts, at->tmpl->holes[h]);

			if (bms_is_member(col->attnum - FirstLowInvalidHeapAttributeNumber, ms->updated))
				touched = true;
		}
		if (!touched)
			continue;
		cJSON_DeleteItemFromObjectCaseSensitive(patch->set, at->attr);
		v = compose_from_row(ms, at, slot->tts_values, slot->tts_isnull, false);
		if (v)
			cJSON_AddItemToObject(patch->set, at->attr, ddb_av_string(v));
		else
			cJSON_AddItemToArray(patch->remove, cJSON_CreateString(at->attr));
	}
}

/*
 * The condition of an UPDATE of an item the scan read: it still exists,
 * and with a version column, still has the version read.
 */
static DdbCond *
update_cond(DdbModifyState *ms, Datum *oldv, bool *oldn)
{
	DdbExprBuilder b;
	char	   *c;

	ddb_expr_init(&b);
	c = ddb_deparse_exists(&b, ms->opts->partition_key, true);
	return ddb_cond_make(&b, ddb_deparse_and(c, version_cond(ms, &b, oldv, oldn)));
}

TupleTableSlot *
ddbExecForeignUpdate(EState *estate, ResultRelInfo *rinfo, TupleTableSlot *slot,
					 TupleTableSlot *planSlot)
{
	DdbModifyState *ms = rinfo->ri_FdwState;
	DdbRelOptions *opts = ms->opts;
	MemoryContext oldcxt = MemoryContextSwitchTo(ms->tmpcxt);
	Datum	   *oldv;
	bool	   *oldn;
	cJSON	   *key;
	cJSON	   *newkey;
	cJSON	   *req;
	cJSON	   *resp;
	DdbExprBuilder b;
	DdbPatch	patch;
	DdbCond    *cond;
	char	   *update;
	DdbResult  *res;
	const cJSON *attrs;

	old_row(ms, planSlot, &oldv, &oldn);
	key = row_key(ms, oldv, oldn);
	slot_getallattrs(slot);
	/* a changed key would move the item: refuse rather than half-do it */
	newkey = row_key(ms, slot->tts_values, slot->tts_isnull);
	if (!ddb_key_matches(key, newkey))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot change the key of an item in DynamoDB table \"%s\"", opts->table),
				 errdetail("The update would move item %s to %s.", ddb_key_text(key), ddb_key_text(newkey)),
				 errhint("DELETE the row and INSERT it with the new key instead.")));
	update_patch(ms, slot, &patch);
	cond = update_cond(ms, oldv, oldn);

	if (ms->held)
	{
		DdbHeldWrite w = {0};

		/* RETURNING shows the new values as computed here */
		w.kind = DDB_HELD_UPDATE;
		w.table = opts->table;
		w.key = key;
		w.patch = &patch;
		w.cond = cond;
		w.role = DDB_ROLE_CHANGED;
		w.relname = RelationGetRelationName(ms->rel);
		ddb_txn_hold(ms->conn, &w);
		if (ms->has_unique)
			(void) row_guards(ms, oldv, oldn, slot->tts_values, slot->tts_isnull, key);
		MemoryContextSwitchTo(oldcxt);
		MemoryContextReset(ms->tmpcxt);
		return slot;
	}

	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "TableName", opts->table);
	cJSON_AddItemToObject(req, "Key", cJSON_Duplicate(key, true));
	ddb_expr_init(&b);
	update = ddb_deparse_update(&b, &patch);
	if (update)
		cJSON_AddStringToObject(req, "UpdateExpression", update);
	cJSON_AddStringToObject(req, "ConditionExpression", ddb_expr_import(&b, cond));
	ddb_expr_attach(&b, req);
	cJSON_AddStringToObject(req, "ReturnValues", "ALL_NEW");
	cJSON_AddStringToObject(req, "ReturnConsumedCapacity", "TOTAL");
	/* an UpdateExpression over DynamoDB's 4 KB is refused here, not there */
	(void) ddb_request_fits(opts, NULL, "UpdateItem", req, NULL);

	/* SET and REMOVE repeat harmlessly; an atomic addition does not */
	res = ddb_call_wait(ddb_call_start_ex(ms->conn, "UpdateItem", opts->table, req,
										  cJSON_GetArraySize(patch.add) == 0));
	if (ddb_result_is(res, "ConditionalCheckFailedException"))
	{
		/* the item is gone since the scan read it: not updated, as in PostgreSQL */
		MemoryContextSwitchTo(oldcxt);
		MemoryContextReset(ms->tmpcxt);
		return NULL;
	}
	if (res->status != DDB_CALL_OK)
		ddb_report_result(res, -1);
	resp = res->json;
	ms->written++;
	attrs = cJSON_GetObjectItemCaseSensitive(resp, "Attributes");
	MemoryContextSwitchTo(oldcxt);
	/* RETURNING shows what DynamoDB holds now (counters included) */
	if (attrs && ms->returning)
		slot_from_item(ms, slot, attrs);
	return slot;
}

/* Sends the pending deletes as one BatchWriteItem. */
static void
flush_deletes(DdbModifyState *ms)
{
	MemoryContext oldcxt;

	if (ms->pending_deletes == NIL)
		return;
	oldcxt = MemoryContextSwitchTo(ms->delcxt);
	send_batch_write(ms, ms->pending_deletes);
	MemoryContextSwitchTo(oldcxt);
	ms->pending_deletes = NIL;
	MemoryContextReset(ms->delcxt);
}

TupleTableSlot *
ddbExecForeignDelete(EState *estate, ResultRelInfo *rinfo, TupleTableSlot *slot,
					 TupleTableSlot *planSlot)
{
	DdbModifyState *ms = rinfo->ri_FdwState;
	MemoryContext oldcxt;
	cJSON	   *key;
	cJSON	   *req;
	cJSON	   *resp;
	const cJSON *attrs;

	if (ms->held)
	{
		DdbHeldWrite w = {0};
		Datum	   *values;
		bool	   *isnull;

		oldcxt = MemoryContextSwitchTo(ms->tmpcxt);
		old_row(ms, planSlot, &values, &isnull);
		w.kind = DDB_HELD_DELETE;
		w.table = ms->opts->table;
		w.key = row_key(ms, values, isnull);
		w.relname = RelationGetRelationName(ms->rel);
		if (ms->version)
		{
			DdbExprBuilder b;

			/* the version read is still there */
			ddb_expr_init(&b);
			w.cond = ddb_cond_make(&b, version_cond(ms, &b, values, isnull));
			w.role = DDB_ROLE_CHANGED;
		}
		ddb_txn_hold(ms->conn, &w);
		if (ms->has_unique)
			(void) row_guards(ms, values, isnull, NULL, NULL, w.key);
		MemoryContextSwitchTo(oldcxt);
		/* RETURNING: the row as the scan read it */
		if (ms->returning)
		{
			int			natts = slot->tts_tupleDescriptor->natts;

			ExecClearTuple(slot);
			memcpy(slot->tts_values, values, sizeof(Datum) * natts);
			memcpy(slot->tts_isnull, isnull, sizeof(bool) * natts);
			ExecStoreVirtualTuple(slot);
			ExecMaterializeSlot(slot);
		}
		MemoryContextReset(ms->tmpcxt);
		return slot;
	}

	/*
	 * Without RETURNING, deletes go 25 keys per BatchWriteItem: the row
	 * counts as deleted, as the scan just read it.
	 */
	if (!ms->returning)
	{
		cJSON	   *dr;

		oldcxt = MemoryContextSwitchTo(ms->delcxt);
		dr = cJSON_CreateObject();
		cJSON_AddItemToObject(cJSON_AddObjectToObject(dr, "DeleteRequest"), "Key",
							  old_key(ms, planSlot));
		ms->pending_deletes = lappend(ms->pending_deletes, dr);
		MemoryContextSwitchTo(oldcxt);
		if (list_length(ms->pending_deletes) == DDB_BATCH_WRITE_MAX)
			flush_deletes(ms);
		return slot;
	}
	oldcxt = MemoryContextSwitchTo(ms->tmpcxt);
	key = old_key(ms, planSlot);
	req = cJSON_CreateObject();

	cJSON_AddStringToObject(req, "TableName", ms->opts->table);
	cJSON_AddItemToObject(req, "Key", key);
	cJSON_AddStringToObject(req, "ReturnValues", "ALL_OLD");
	cJSON_AddStringToObject(req, "ReturnConsumedCapacity", "TOTAL");
	resp = ddb_call_finish(ddb_call_start_ex(ms->conn, "DeleteItem", ms->opts->table, req, true));
	attrs = cJSON_GetObjectItemCaseSensitive(resp, "Attributes");
	MemoryContextSwitchTo(oldcxt);
	if (attrs == NULL)
	{
		/* already gone: nothing deleted, as in PostgreSQL */
		MemoryContextReset(ms->tmpcxt);
		return NULL;
	}
	ms->written++;
	if (ms->returning)
		slot_from_item(ms, slot, attrs);
	return slot;
}

void
ddbEndForeignModify(EState *estate, ResultRelInfo *rinfo)
{
	DdbModifyState *ms = rinfo->ri_FdwState;

	if (ms)
	{
		flush_buffered(ms);
		flush_deletes(ms);
		drain_batch_writes(ms);
	}
}

void
ddbBeginForeignInsert(ModifyTableState *mtstate, ResultRelInfo *rinfo)
{
	DdbModifyState *ms;
	List	   *priv = NIL;

	/* COPY and routing to a partition: no plan-time state, so no counters */
	priv = list_make3(NIL, makeInteger(0),
					  makeInteger(rinfo->ri_returningList != NIL ? 1 : 0));
	/* COPY has no plan: a bulk load, batched whatever ddbrel.write_mode says */
	ms = begin_modify(rinfo->ri_RelationDesc, CMD_INSERT, priv, mtstate->ps.state, rinfo,
					  mtstate->ps.plan == NULL);
	if (mtstate->ps.plan && ((ModifyTable *) mtstate->ps.plan)->onConflictAction == ONCONFLICT_NOTHING)
		ms->on_conflict_nothing = true;
	rinfo->ri_FdwState = ms;
}

void
ddbEndForeignInsert(EState *estate, ResultRelInfo *rinfo)
{
	ddbEndForeignModify(estate, rinfo);
}

int
ddbIsForeignRelUpdatable(Relation rel)
{
	return (1 << CMD_INSERT) | (1 << CMD_UPDATE) | (1 << CMD_DELETE);
}

void
ddbExplainForeignModify(ModifyTableState *mtstate, ResultRelInfo *rinfo,
						List *fdw_private, int subplan_index, ExplainState *es)
{
	List	   *counters = (List *) list_nth(fdw_private, DDB_MPRIV_COUNTERS);
	const char *op;

	switch (mtstate->operation)
	{
		case CMD_INSERT:
			op = "PutItem";
			break;
		case CMD_UPDATE:
			op = "UpdateItem";
			break;
		default:
			op = "DeleteItem";
			break;
	}
	ExplainPropertyText("DynamoDB Write", op, es);
	if (ddb_write_mode == DDB_WRITE_TRANSACTION && mtstate->ps.plan != NULL)
		ExplainPropertyText("DynamoDB Transaction", "held until COMMIT", es);
	if (counters != NIL)
		ExplainPropertyText("DynamoDB Atomic", "SET #c = #c + :n for col = col + n", es);
}
