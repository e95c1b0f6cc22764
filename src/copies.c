/*-------------------------------------------------------------------------
 * copies.c
 *	  Copied columns: the writes of copies that go after the COMMIT's
 *	  TransactWriteItems.
 *
 * The propagation itself is SQL (sql/src/copies.sql): a trigger on the
 * source finds the copies with a Query and writes each with a conditional
 * UPDATE by its key.  In the default write mode those writes are held with
 * the source's, in one TransactWriteItems of at most 100 actions.  When the
 * copies do not fit, the trigger hands their UPDATE statements here; they
 * run at pre-commit, right after the transaction's own writes went out, in
 * immediate mode (each one conditional UpdateItem), so the source is
 * written first and its copies after it.  A statement that fails there
 * fails the COMMIT of PostgreSQL's transaction, though DynamoDB has the
 * source already: ddbrel.repair_copies() finds the copies left behind.
 *-------------------------------------------------------------------------
 */
#include "ddbrel.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

PG_FUNCTION_INFO_V1(ddbrel_defer_copies);

/* One deferred statement, and the subtransaction that deferred it. */
typedef struct DeferredCopy
{
	char	   *sql;
	SubTransactionId subid;
} DeferredCopy;

static List *deferred = NIL;	/* of DeferredCopy, in TopTransactionContext */

/*
 * ddbrel._defer_copies(statements text[]): runs these UPDATEs of copies
 * after the COMMIT's TransactWriteItems, in immediate mode.
 */
Datum
ddbrel_defer_copies(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;
	MemoryContext oldcxt;

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	oldcxt = MemoryContextSwitchTo(TopTransactionContext);
	for (i = 0; i < n; i++)
	{
		DeferredCopy *d;

		if (nulls[i])
			continue;
		d = palloc(sizeof(DeferredCopy));
		d->sql = TextDatumGetCString(elems[i]);
		d->subid = GetCurrentSubTransactionId();
		deferred = lappend(deferred, d);
	}
	MemoryContextSwitchTo(oldcxt);
	PG_RETURN_INT32(n);
}

/*
 * Runs the deferred statements, at pre-commit after the held writes went
 * out.  A statement may defer more (a copy that is itself a source): they
 * join the end of the list and run too.
 */
void
ddb_copies_pre_commit(void)
{
	int			saved_mode = ddb_write_mode;
	int			i;
	int64		written = 0;

	if (deferred == NIL)
		return;
	ddb_write_mode = DDB_WRITE_IMMEDIATE;
	PG_TRY();
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		for (i = 0; i < list_length(deferred); i++)
		{
			DeferredCopy *d = list_nth(deferred, i);

			if (SPI_execute(d->sql, false, 0) != SPI_OK_UPDATE)
				elog(ERROR, "could not write a copy: %s", d->sql);
			written += SPI_processed;
		}
		SPI_finish();
		PopActiveSnapshot();
	}
	PG_FINALLY();
	{
		ddb_write_mode = saved_mode;
		deferred = NIL;
	}
	PG_END_TRY();
	ddb_stats.requests[DDB_OP_COPIES] += written;
	ddb_stats.items_returned[DDB_OP_COPIES] += written;
}

/* PREPARE TRANSACTION cannot keep them. */
void
ddb_copies_pre_prepare(void)
{
	if (deferred != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot PREPARE a transaction that holds DynamoDB writes of copied columns")));
}

/* The end of the transaction, either way: nothing is left to run. */
void
ddb_copies_xact_end(void)
{
	deferred = NIL;				/* its memory goes with TopTransactionContext */
}

/* A subtransaction that aborts drops the statements it deferred. */
void
ddb_copies_subxact_abort(SubTransactionId subid)
{
	ListCell   *lc;

	foreach(lc, deferred)
	{
		DeferredCopy *d = lfirst(lc);

		if (d->subid == subid)
			deferred = foreach_delete_current(deferred, lc);
	}
}

/* One that commits hands them to its parent. */
void
ddb_copies_subxact_commit(SubTransactionId subid, SubTransactionId parent)
{
	ListCell   *lc;

	foreach(lc, deferred)
	{
		DeferredCopy *d = lfirst(lc);

		if (d->subid == subid)
			d->subid = parent;
	}
}
