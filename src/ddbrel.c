/*-------------------------------------------------------------------------
 * ddbrel.c
 *	  Module entry: _PG_init, the FDW handler (sending scans and joins to
 *	  their files), transaction and subtransaction callbacks,
 *	  ddbrel.stats() and ddbrel.request().
 *-------------------------------------------------------------------------
 */
#include "ddbrel.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "commands/explain.h"
#include "foreign/fdwapi.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/acl.h"
#include "utils/jsonb.h"
#include "miscadmin.h"
#include "catalog/pg_foreign_server.h"
#include "utils/inval.h"
#include "utils/guc.h"
#include "utils/syscache.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(ddbrel_handler);
PG_FUNCTION_INFO_V1(ddbrel_stats);
PG_FUNCTION_INFO_V1(ddbrel_stats_reset);
PG_FUNCTION_INFO_V1(ddbrel_capacity);
PG_FUNCTION_INFO_V1(ddbrel_request);
PG_FUNCTION_INFO_V1(ddbrel_held_actions);
PG_FUNCTION_INFO_V1(ddbrel_count_copies);


/*
 * Held writes go out at pre-commit (txn.c).  Requests still in flight when
 * a transaction ends belong to a query that is gone (error, cancel, or a
 * LIMIT that stopped early): drop them.
 */
static void
ddb_xact_callback(XactEvent event, void *arg)
{
	ddb_txn_xact_event(event);
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
			/* after the held writes: the copies that did not fit in them */
			ddb_copies_pre_commit();
			break;
		case XACT_EVENT_PRE_PREPARE:
			ddb_copies_pre_prepare();
			break;
		case XACT_EVENT_PREPARE:
			ddb_copies_xact_end();
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
			ddb_copies_xact_end();
			ddb_http_abort_all();
			break;
		default:
			break;
	}
}

/*
 * A subtransaction that aborts (ROLLBACK TO SAVEPOINT, an error caught by
 * a PL/pgSQL exception block) drops the writes it held, and stops the
 * requests it started, which would otherwise go on retrying and taking
 * rate-limit tokens for a query that is gone until the top transaction
 * ends.  One that commits hands its writes and requests to its parent.
 */
static void
ddb_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
					 SubTransactionId parentSubid, void *arg)
{
	switch (event)
	{
		case SUBXACT_EVENT_ABORT_SUB:
			ddb_txn_subxact_abort(mySubid);
			ddb_copies_subxact_abort(mySubid);
			ddb_http_subxact_abort(mySubid);
			break;
		case SUBXACT_EVENT_COMMIT_SUB:
			ddb_txn_subxact_commit(mySubid, parentSubid);
			ddb_copies_subxact_commit(mySubid, parentSubid);
			ddb_http_subxact_commit(mySubid, parentSubid);
			break;
		default:
			break;
	}
}

/*
 * Table descriptions are cached per backend; any change to foreign server,
 * user mapping or foreign table options may point them elsewhere.
 */
static void
ddb_inval_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	ddb_invalidate_table_cache();
}

static const struct config_enum_entry write_mode_options[] = {
	{"transaction", DDB_WRITE_TRANSACTION, false},
	{"immediate", DDB_WRITE_IMMEDIATE, false},
	{NULL, 0, false}
};

void
_PG_init(void)
{
	DefineCustomEnumVariable("ddbrel.write_mode",
							 "How ddbrel writes to DynamoDB.",
							 "transaction: a transaction's writes are held and sent at COMMIT as one "
							 "atomic TransactWriteItems (at most 100 items); immediate: each "
							 "statement is written as it runs, batched, and ROLLBACK does not undo it.",
							 &ddb_write_mode,
							 DDB_WRITE_TRANSACTION,
							 write_mode_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
	MarkGUCPrefixReserved("ddbrel");
	ddb_codec_pg_init();
	ddb_batchjoin_init();
	RegisterXactCallback(ddb_xact_callback, NULL);
	RegisterSubXactCallback(ddb_subxact_callback, NULL);
	CacheRegisterSyscacheCallback(FOREIGNSERVEROID, ddb_inval_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(FOREIGNTABLEREL, ddb_inval_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(USERMAPPINGOID, ddb_inval_callback, (Datum) 0);
}

/* ----------------------------------------------------------------
 * Scans and joins
 *
 * One FdwRoutine serves base relations and pushed-down joins: a join
 * relation, or a plan whose scanrelid is 0, is a join (join.c), anything
 * else a scan of one relation (planner.c, scan.c).  Choosing here keeps
 * the scan code from calling the join code: join.c uses scans, not the
 * other way round.
 * ----------------------------------------------------------------
 */
static ForeignScan *
ddbGetForeignPlan(PlannerInfo *root, RelOptInfo *rel, Oid foreigntableid,
				  ForeignPath *best_path, List *tlist, List *scan_clauses,
				  Plan *outer_plan)
{
	if (IS_JOIN_REL(rel))
		return ddb_join_plan(root, rel, best_path, tlist, scan_clauses, outer_plan);
	return ddb_scan_plan(root, rel, foreigntableid, best_path, tlist, scan_clauses,
						 outer_plan);
}

static inline bool
is_join(ForeignScanState *node)
{
	return ((ForeignScan *) node->ss.ps.plan)->scan.scanrelid == 0;
}

static void
ddbBeginForeignScan(ForeignScanState *node, int eflags)
{
	if (is_join(node))
		ddb_join_begin(node, eflags);
	else
		ddb_scan_begin(node, eflags);
}

static TupleTableSlot *
ddbIterateForeignScan(ForeignScanState *node)
{
	return is_join(node) ? ddb_join_iterate(node) : ddb_scan_iterate(node);
}

static void
ddbReScanForeignScan(ForeignScanState *node)
{
	if (is_join(node))
		ddb_join_rescan(node);
	else
		ddb_scan_rescan(node);
}

static void
ddbEndForeignScan(ForeignScanState *node)
{
	if (is_join(node))
		ddb_join_end(node);
	else
		ddb_scan_end(node);
}

static void
ddbExplainForeignScan(ForeignScanState *node, ExplainState *es)
{
	if (is_join(node))
		ddb_join_explain(node, es);
	else
		ddb_scan_explain(node->fdw_state, es);
}

Datum
ddbrel_handler(PG_FUNCTION_ARGS)
{
	FdwRoutine *routine = makeNode(FdwRoutine);

	routine->GetForeignRelSize = ddbGetForeignRelSize;
	routine->GetForeignPaths = ddbGetForeignPaths;
	routine->GetForeignPlan = ddbGetForeignPlan;
	routine->BeginForeignScan = ddbBeginForeignScan;
	routine->IterateForeignScan = ddbIterateForeignScan;
	routine->ReScanForeignScan = ddbReScanForeignScan;
	routine->EndForeignScan = ddbEndForeignScan;
	routine->ExplainForeignScan = ddbExplainForeignScan;
	routine->ImportForeignSchema = ddbImportForeignSchema;
	routine->GetForeignJoinPaths = ddbGetForeignJoinPaths;

	routine->IsForeignScanParallelSafe = ddbIsForeignScanParallelSafe;
	routine->EstimateDSMForeignScan = ddbEstimateDSMForeignScan;
	routine->InitializeDSMForeignScan = ddbInitializeDSMForeignScan;
	routine->ReInitializeDSMForeignScan = ddbReInitializeDSMForeignScan;
	routine->InitializeWorkerForeignScan = ddbInitializeWorkerForeignScan;
	routine->ShutdownForeignScan = ddbShutdownForeignScan;

	routine->AddForeignUpdateTargets = ddbAddForeignUpdateTargets;
	routine->PlanForeignModify = ddbPlanForeignModify;
	routine->BeginForeignModify = ddbBeginForeignModify;
	routine->ExecForeignInsert = ddbExecForeignInsert;
	routine->ExecForeignBatchInsert = ddbExecForeignBatchInsert;
	routine->GetForeignModifyBatchSize = ddbGetForeignModifyBatchSize;
	routine->ExecForeignUpdate = ddbExecForeignUpdate;
	routine->ExecForeignDelete = ddbExecForeignDelete;
	routine->EndForeignModify = ddbEndForeignModify;
	routine->BeginForeignInsert = ddbBeginForeignInsert;
	routine->EndForeignInsert = ddbEndForeignInsert;
	routine->IsForeignRelUpdatable = ddbIsForeignRelUpdatable;
	routine->ExplainForeignModify = ddbExplainForeignModify;
	routine->PlanDirectModify = ddbPlanDirectModify;
	routine->BeginDirectModify = ddbBeginDirectModify;
	routine->IterateDirectModify = ddbIterateDirectModify;
	routine->EndDirectModify = ddbEndDirectModify;
	routine->ExplainDirectModify = ddbExplainDirectModify;

	PG_RETURN_POINTER(routine);
}

/*
 * ddbrel.stats(): what this backend sent to DynamoDB, one row per
 * operation used so far.  Tests assert pushdown with it.
 */
Datum
ddbrel_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			i;

	ddb_materialize_srf(fcinfo);
	for (i = 0; i < DDB_NUM_OPS; i++)
	{
		Datum		values[7];
		bool		nulls[7] = {0};

		if (ddb_stats.requests[i] == 0 && ddb_stats.items_scanned[i] == 0)
			continue;
		values[0] = CStringGetTextDatum(ddb_op_names[i]);
		values[1] = Int64GetDatum(ddb_stats.requests[i]);
		values[2] = Int64GetDatum(ddb_stats.retries[i]);
		values[3] = Int64GetDatum(ddb_stats.items_scanned[i]);
		values[4] = Int64GetDatum(ddb_stats.items_returned[i]);
		values[5] = Float8GetDatum(ddb_stats.capacity[i]);
		values[6] = Int64GetDatum(ddb_stats.wrong_type[i]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

Datum
ddbrel_stats_reset(PG_FUNCTION_ARGS)
{
	memset(&ddb_stats, 0, sizeof(ddb_stats));
	ddb_capacity_stats_reset();
	PG_RETURN_VOID();
}

/*
 * ddbrel.capacity(): per server and DynamoDB table, the capacity units this
 * backend's requests consumed (as DynamoDB's answers said) and the
 * throttling answers they got since ddbrel.stats_reset(), and the budgets:
 * as set for the last statement (NULL: none) and what they allow now,
 * after throttles (AIMD).
 */
Datum
ddbrel_capacity(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	DdbTableCapacity *rows;
	int			n;
	int			i;

	ddb_materialize_srf(fcinfo);
	rows = ddb_capacity_stats(&n);
	for (i = 0; i < n; i++)
	{
		DdbTableCapacity *r = &rows[i];
		ForeignServer *server = GetForeignServerExtended(r->serverid, FSV_MISSING_OK);
		Datum		values[10];
		bool		nulls[10] = {0};
		int			k;

		if (server == NULL)
			continue;			/* dropped since */
		values[0] = CStringGetTextDatum(server->servername);
		values[1] = CStringGetTextDatum(r->table);
		values[2] = Float8GetDatum(r->units[DDB_CAPACITY_READ]);
		values[3] = Float8GetDatum(r->units[DDB_CAPACITY_WRITE]);
		values[4] = Int64GetDatum(r->throttled[DDB_CAPACITY_READ]);
		values[5] = Int64GetDatum(r->throttled[DDB_CAPACITY_WRITE]);
		for (k = 0; k < 2; k++)
		{
			values[6 + k] = Float8GetDatum(r->budget[k]);
			nulls[6 + k] = r->budget[k] <= 0;
			values[8 + k] = Float8GetDatum(r->rate[k]);
			nulls[8 + k] = r->budget[k] <= 0;
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * ddbrel._held_actions(): how many items the transaction's held writes
 * touch, so that the propagation of a copied column can tell whether its
 * copies still fit in the COMMIT's TransactWriteItems.
 */
Datum
ddbrel_held_actions(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(ddb_txn_nactions());
}

/*
 * ddbrel._count_copies(found, written): the propagation of copied columns
 * (sql/src/copies.sql) counts in ddbrel.stats(), on the row "Copies":
 * requests and items_returned are the copies written, items_scanned the
 * copies found holding the old value.
 */
Datum
ddbrel_count_copies(PG_FUNCTION_ARGS)
{
	ddb_stats.requests[DDB_OP_COPIES] += PG_GETARG_INT64(1);
	ddb_stats.items_scanned[DDB_OP_COPIES] += PG_GETARG_INT64(0);
	ddb_stats.items_returned[DDB_OP_COPIES] += PG_GETARG_INT64(1);
	PG_RETURN_VOID();
}

/*
 * ddbrel.request(server, operation, request): sends one DynamoDB request
 * as the current user (through their user mapping) and returns the answer.
 * For administration (CreateTable, DescribeTable) and for ddbrel's own SQL
 * functions (migration); requires USAGE on the server.  A request that
 * changes a table's keys, indexes or time to live drops the cached table
 * descriptions.
 */
Datum
ddbrel_request(PG_FUNCTION_ARGS)
{
	char	   *servername = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *op = text_to_cstring(PG_GETARG_TEXT_PP(1));
	Jsonb	   *reqjb = PG_GETARG_JSONB_P(2);
	char	   *reqtext = JsonbToCString(NULL, &reqjb->root, VARSIZE(reqjb));
	ForeignServer *server = GetForeignServerByName(servername, false);
	DdbConn    *conn;
	cJSON	   *req;
	cJSON	   *resp;
	cJSON	   *table;
	char	   *out;
	static const char *const allowed[] = {
		"BatchGetItem", "BatchWriteItem", "CreateTable", "DeleteItem", "DeleteTable",
		"DescribeTable", "GetItem", "ListTables", "PutItem", "Query", "Scan",
		"UpdateItem", "UpdateTable", "DescribeTimeToLive", "UpdateTimeToLive",
		"TransactWriteItems", "TransactGetItems",
		"TagResource", "UntagResource", "ListTagsOfResource", NULL
	};
	int			i;

	ddb_require_server_usage(server->serverid);
	ddb_require_ddbrel_server(server);
	for (i = 0; allowed[i]; i++)
		if (strcmp(allowed[i], op) == 0)
			break;
	if (allowed[i] == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown DynamoDB operation \"%s\"", op)));
	req = cJSON_Parse(reqtext);
	if (req == NULL || !cJSON_IsObject(req))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("DynamoDB request must be a JSON object")));
	table = cJSON_GetObjectItemCaseSensitive(req, "TableName");
	conn = ddb_get_connection(server->serverid, GetUserId());
	resp = ddb_call(conn, op, cJSON_IsString(table) ? table->valuestring : "", req);
	/* the cached descriptions (planner, ddbrel.describe_table) may be stale now */
	if (strcmp(op, "CreateTable") == 0 || strcmp(op, "UpdateTable") == 0 ||
		strcmp(op, "DeleteTable") == 0 || strcmp(op, "UpdateTimeToLive") == 0)
		ddb_invalidate_table_cache();
	out = cJSON_PrintUnformatted(resp);
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(out)));
}
