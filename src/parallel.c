/*-------------------------------------------------------------------------
 * parallel.c
 *	  Parallel query: a full Scan whose segments are shared by the
 *	  participants of a Gather through dynamic shared memory.
 *
 * A DynamoDB Scan splits into independent segments (Segment,
 * TotalSegments), so a Parallel Foreign Scan needs no more coordination
 * than a counter: each participant (the leader, unless
 * parallel_leader_participation is off, and every worker) claims the next
 * segment number from an atomic counter in the Gather's shared memory,
 * reads that segment to its end, and claims another.  Every segment is
 * read by exactly one participant, whatever number of workers actually
 * starts (none: the leader reads them all).  The number of segments is
 * fixed when the plan is made, so EXPLAIN shows it.
 *
 * Only the plain full Scan gets a partial path: a Query, GetItem or
 * BatchGetItem has no segments to share (a Query cannot be split by
 * segment), and a LIMIT is never sent with a partial path.  A
 * Select=COUNT Scan stays correct, since each participant counts only its
 * own segments and the partial aggregates add the counts up.
 *
 * Workers make their own connections and read the user mapping of the
 * same user as the leader (a parallel worker runs as the leader's current
 * user, and the range table names a view's owner).  What a worker sent to
 * DynamoDB (ddbrel.stats()) and what the tables consumed of their capacity
 * (ddbrel.capacity()) are added to counters in the shared memory when its
 * scan ends, or when the worker fails: its error report does it, before
 * the error goes to the leader, so what a failed statement sent is counted
 * too.  The leader adds the counters to its own when it detaches from the
 * shared memory at the end of the Gather, which an error also ends.
 *-------------------------------------------------------------------------
 */
#include "ddbrel.h"

#include <math.h>

#include "access/parallel.h"
#include "miscadmin.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/planmain.h"
#include "port/atomics.h"
#include "storage/dsm.h"
#include "storage/spin.h"

/* Segments per participant: enough to even out segments of unequal size. */
#define DDB_SEGMENTS_PER_PARTICIPANT 4

/* DynamoDB's own limit is 1,000,000; more than this only adds requests. */
#define DDB_MAX_PARALLEL_SEGMENTS 64

/*
 * Tables a worker's capacity counts are kept for; a worker of a scan reads
 * one table, and whatever its other nodes read beyond this many is not
 * counted by its leader.
 */
#define DDB_PARALLEL_TABLES 4

/* The shared state of one Parallel Foreign Scan. */
typedef struct DdbParallelScan
{
	DdbSegmentCounter segments;	/* claimed by the participants' scans */
	slock_t		mutex;			/* protects the counters below */
	DdbStats	stats;			/* what the workers sent, added as they end */
	int			ntables;
	DdbTableCapacity tables[DDB_PARALLEL_TABLES];	/* what they consumed */
} DdbParallelScan;

/* In a worker: the shared state its error report hands its counters to. */
static DdbParallelScan *worker_shared = NULL;
static emit_log_hook_type prev_emit_log_hook = NULL;

static void worker_done(DdbParallelScan *ps);

/* ----------------------------------------------------------------
 * Planning
 * ----------------------------------------------------------------
 */

/*
 * Any ddbrel scan may run in a worker: it needs nothing of the leader's
 * backend but the catalogs and the user, which workers share.
 */
bool
ddbIsForeignScanParallelSafe(PlannerInfo *root, RelOptInfo *rel, RangeTblEntry *rte)
{
	return true;
}

/*
 * PostgreSQL's share of a partial path's rows for one participant, as
 * costsize.c counts it: the leader helps less the more workers there are.
 */
static double
parallel_divisor(int workers)
{
	double		divisor = workers;

	if (parallel_leader_participation)
	{
		double		leader = 1.0 - (0.3 * workers);

		if (leader > 0)
			divisor += leader;
	}
	return divisor;
}

/*
 * Adds the partial path of a full Scan whose serial path costs startup and
 * total.  The number
 * of workers follows PostgreSQL's rule for tables, from the table's size
 * as DescribeTable reports it (TableSizeBytes): none below
 * min_parallel_table_scan_size, one more each time the size triples,
 * at most max_parallel_workers_per_gather.  The table option
 * parallel_workers sets the number instead, as the storage parameter of a
 * table does (DynamoDB refreshes the size about every six hours, so a
 * table just loaded says it is empty).  The rows are divided among the
 * participants, and so is the cost of reading them; the cost of starting
 * the scan is not.  A table with a request rate limit or a read capacity
 * budget is read serially: both are kept per backend, and workers would
 * each take them whole.
 */
void
ddb_parallel_add_paths(PlannerInfo *root, RelOptInfo *baserel, DdbRelOptions *opts,
					   Cost startup, Cost total)
{
	double		pages;
	int			workers;
	double		divisor;
	ForeignPath *path;

	/*
	 * Writes this transaction holds are known to this backend only, and
	 * its reads must show them: such a transaction plans serial scans.
	 */
	if (!baserel->consider_parallel || baserel->lateral_relids != NULL ||
		ddb_txn_has_writes() ||
		max_parallel_workers_per_gather <= 0 || opts->max_requests_per_second > 0 ||
		opts->read_capacity.units > 0 || opts->read_capacity.percent > 0)
		return;
	pages = (opts->desc && opts->desc->size_bytes > 0) ?
		ceil(opts->desc->size_bytes / BLCKSZ) : 0;
	baserel->rel_parallel_workers = opts->parallel_workers;
	workers = compute_parallel_worker(baserel, pages, -1, max_parallel_workers_per_gather);
	if (workers <= 0)
		return;
	divisor = parallel_divisor(workers);
	path = create_foreignscan_path(root, baserel, NULL, clamp_row_est(baserel->rows / divisor),
								   startup, startup + (total - startup) / divisor,
								   NIL, NULL, NULL, NIL);
	path->path.parallel_aware = true;
	path->path.parallel_safe = true;
	path->path.parallel_workers = workers;
	add_partial_path(baserel, (Path *) path);
}

/*
 * The segments of a parallel plan: the table's parallel_segments, and at
 * least DDB_SEGMENTS_PER_PARTICIPANT for each participant the plan counts
 * on (its workers and the leader), so that a participant that finishes
 * early finds segments left to claim.
 */
int
ddb_parallel_segments(int parallel_segments, int workers)
{
	int			n = DDB_SEGMENTS_PER_PARTICIPANT * (workers + 1);

	n = Min(n, DDB_MAX_PARALLEL_SEGMENTS);
	return Max(parallel_segments, n);
}

/* ----------------------------------------------------------------
 * Execution
 * ----------------------------------------------------------------
 */

Size
ddbEstimateDSMForeignScan(ForeignScanState *node, ParallelContext *pcxt)
{
	return sizeof(DdbParallelScan);
}

/*
 * The leader, at the end of the Gather (or when an error ends it): the
 * workers are gone, so what they sent is added to this backend's counters.
 * Runs while the shared memory is still mapped; raises nothing.
 */
static void
merge_worker_stats(dsm_segment *seg, Datum arg)
{
	DdbParallelScan *ps = (DdbParallelScan *) DatumGetPointer(arg);
	int			i;

	DdbTableCapacity tables[DDB_PARALLEL_TABLES];
	int			ntables;

	/* after an error, a worker may still be ending */
	SpinLockAcquire(&ps->mutex);
	for (i = 0; i < DDB_NUM_OPS; i++)
	{
		ddb_stats.requests[i] += ps->stats.requests[i];
		ddb_stats.retries[i] += ps->stats.retries[i];
		ddb_stats.items_scanned[i] += ps->stats.items_scanned[i];
		ddb_stats.items_returned[i] += ps->stats.items_returned[i];
		ddb_stats.capacity[i] += ps->stats.capacity[i];
		ddb_stats.wrong_type[i] += ps->stats.wrong_type[i];
	}
	memset(&ps->stats, 0, sizeof(ps->stats));
	ntables = ps->ntables;
	memcpy(tables, ps->tables, sizeof(DdbTableCapacity) * ntables);
	ps->ntables = 0;
	SpinLockRelease(&ps->mutex);
	/* outside the spinlock: the leader's entry of a table may be new */
	for (i = 0; i < ntables; i++)
		ddb_capacity_add(&tables[i]);
}

/*
 * The leader shares the segments, unless its transaction holds writes of
 * the table, which only it can show: then it reads every segment itself,
 * as a serial scan does, and leaves none for the workers to claim.  (Such
 * a transaction plans no parallel scan; this is a plan made before the
 * writes, a cursor's or a cached one.)  A leader that does not take part
 * in its Gather would read nothing at all: that is refused, not answered
 * with missing rows.
 */
static void
leader_or_all(DdbScanState *st, DdbParallelScan *ps)
{
	if (ddb_scan_holds_writes(st))
	{
		if (!parallel_leader_participation)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot read a foreign table in parallel while the transaction holds writes of it"),
					 errdetail("Only this backend can show the writes the transaction has not sent yet, and parallel_leader_participation is off."),
					 errhint("Set parallel_leader_participation to on, or max_parallel_workers_per_gather to 0.")));
		pg_atomic_write_u32(&ps->segments.next, ps->segments.nsegments);
		ddb_scan_set_parallel(st, NULL);
	}
	else
		ddb_scan_set_parallel(st, &ps->segments);
}

static void
init_shared(DdbParallelScan *ps, int nsegments)
{
	pg_atomic_init_u32(&ps->segments.next, 0);
	ps->segments.nsegments = nsegments;
	SpinLockInit(&ps->mutex);
	memset(&ps->stats, 0, sizeof(ps->stats));
	ps->ntables = 0;
}

void
ddbInitializeDSMForeignScan(ForeignScanState *node, ParallelContext *pcxt, void *coordinate)
{
	DdbParallelScan *ps = (DdbParallelScan *) coordinate;
	DdbScanState *st = node->fdw_state;

	init_shared(ps, ddb_scan_segments(st));
	/* without a segment (no shared memory to be had), no worker starts */
	if (pcxt->seg != NULL)
		on_dsm_detach(pcxt->seg, merge_worker_stats, PointerGetDatum(ps));
	leader_or_all(st, ps);
}

/* A rescan: the workers of the last round are gone, every segment is new. */
void
ddbReInitializeDSMForeignScan(ForeignScanState *node, ParallelContext *pcxt, void *coordinate)
{
	DdbParallelScan *ps = (DdbParallelScan *) coordinate;

	pg_atomic_write_u32(&ps->segments.next, 0);
	leader_or_all(node->fdw_state, ps);
}

/*
 * A worker's error report (emit_log_hook, called before the report goes to
 * the leader): what the worker sent is handed over, since its scans will
 * not end.  Raises nothing.
 */
static void
worker_error_report(ErrorData *edata)
{
	if (edata->elevel >= ERROR && worker_shared != NULL)
		worker_done(worker_shared);
	if (prev_emit_log_hook)
		prev_emit_log_hook(edata);
}

void
ddbInitializeWorkerForeignScan(ForeignScanState *node, shm_toc *toc, void *coordinate)
{
	/* a worker runs one parallel query: its shared memory stays mapped until it exits */
	if (worker_shared == NULL)
	{
		prev_emit_log_hook = emit_log_hook;
		emit_log_hook = worker_error_report;
	}
	worker_shared = (DdbParallelScan *) coordinate;
	ddb_scan_set_parallel(node->fdw_state, &((DdbParallelScan *) coordinate)->segments);
}

/*
 * A worker's plan has run (or the worker fails): what this worker sent so far
 * and what it consumed of each table's capacity go to the shared counters
 * for the leader, and are taken off its own, so that another parallel
 * scan in the same worker does not add them again.  Raises nothing.
 */
static void
worker_done(DdbParallelScan *ps)
{
	DdbTableCapacity tables[DDB_PARALLEL_TABLES];
	int			ntables = ddb_capacity_take(tables, DDB_PARALLEL_TABLES);
	int			i;
	int			j;

	SpinLockAcquire(&ps->mutex);
	for (i = 0; i < DDB_NUM_OPS; i++)
	{
		ps->stats.requests[i] += ddb_stats.requests[i];
		ps->stats.retries[i] += ddb_stats.retries[i];
		ps->stats.items_scanned[i] += ddb_stats.items_scanned[i];
		ps->stats.items_returned[i] += ddb_stats.items_returned[i];
		ps->stats.capacity[i] += ddb_stats.capacity[i];
		ps->stats.wrong_type[i] += ddb_stats.wrong_type[i];
	}
	for (i = 0; i < ntables; i++)
	{
		DdbTableCapacity *t = &tables[i];

		for (j = 0; j < ps->ntables; j++)
			if (ps->tables[j].serverid == t->serverid &&
				strcmp(ps->tables[j].table, t->table) == 0)
				break;
		if (j == ps->ntables)
		{
			if (j == DDB_PARALLEL_TABLES)
				continue;		/* not counted: see DDB_PARALLEL_TABLES */
			ps->tables[j] = *t;
			ps->ntables++;
			continue;
		}
		ps->tables[j].units[0] += t->units[0];
		ps->tables[j].units[1] += t->units[1];
		ps->tables[j].throttled[0] += t->throttled[0];
		ps->tables[j].throttled[1] += t->throttled[1];
	}
	SpinLockRelease(&ps->mutex);
	memset(&ddb_stats, 0, sizeof(ddb_stats));
}

/*
 * The end of a worker's plan (ExecShutdownNode, before the worker reports
 * that it is done): its counters go to the leader.  Nothing to do in the
 * leader, whose counters they join.
 */
void
ddbShutdownForeignScan(ForeignScanState *node)
{
	if (IsParallelWorker() && worker_shared != NULL)
		worker_done(worker_shared);
}
