/*-------------------------------------------------------------------------
 * capacity.c
 *	  Capacity budgets: the read_capacity and write_capacity options
 *	  resolved to units per second, one budget per (server, DynamoDB table)
 *	  and kind with its cost estimates, and what each table consumed.
 *
 * A budget caps the capacity units that one table's reads (or writes)
 * consume, whichever foreign tables, statements or calls they come from:
 * the table's capacity is what DynamoDB throttles on.  The pacing
 * arithmetic (a token bucket in capacity units, AIMD after a throttle) and
 * the estimates are retry_core.c's ddb_budget and ddb_cost, pure C and
 * tested with a fake clock; this file keeps them per table for the life of
 * the backend (entries are never removed, so calls may point at them), so
 * that neither a rebuilt connection nor a new statement forgets a table's
 * throttling.  http.c asks it when an attempt may be sent and what it is
 * estimated to cost, and tells it what each answer consumed.  It sits
 * below the connections: it neither calls nor knows them, and the options
 * are resolved into units by the call layer (request.c), which alone may
 * ask DynamoDB for a table's capacity.
 *
 * Options
 *	  A budget is a number of units per second, or a percentage of what the
 *	  table may consume of its kind: its provisioned capacity, or for an
 *	  on-demand table its maximum throughput (OnDemandThroughput) when it has
 *	  one.  An on-demand table without a maximum has nothing to take a
 *	  percentage of: no budget.  A foreign table's option (by default its
 *	  server's) applies to the rest of the statement that uses it, and the
 *	  lowest of the statement's tables over one DynamoDB table wins; a
 *	  request on a table no foreign table of the statement budgeted (
 *	  ddbrel.request(), IMPORT FOREIGN SCHEMA) takes the server's.
 *-------------------------------------------------------------------------
 */
#include "ddbrel.h"

#include "utils/hsearch.h"
#include "utils/timestamp.h"

#include "response_core.h"
#include "retry_core.h"

typedef struct DdbBudgetKey
{
	Oid			serverid;
	char		table[256];
} DdbBudgetKey;

struct DdbBudgetEntry
{
	DdbBudgetKey key;
	ddb_budget	budget[2];		/* DDB_CAPACITY_READ, DDB_CAPACITY_WRITE */
	ddb_cost	cost[DDB_NUM_OPS];	/* estimates by operation */
	double		units[2];		/* consumed, since ddbrel.stats_reset() */
	int64		throttled[2];	/* throttling answers, since then */
};

static HTAB *budget_hash = NULL;

/*
 * Whether an operation consumes read or write capacity (and takes
 * ReturnConsumedCapacity), by name: DDB_CAPACITY_READ, DDB_CAPACITY_WRITE,
 * or -1 for operations on tables rather than items.
 */
int
ddb_op_capacity_kind(const char *opname)
{
	static const char *const reads[] = {
		"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems", NULL
	};
	static const char *const writes[] = {
		"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems", NULL
	};
	int			i;

	for (i = 0; reads[i]; i++)
		if (strcmp(opname, reads[i]) == 0)
			return DDB_CAPACITY_READ;
	for (i = 0; writes[i]; i++)
		if (strcmp(opname, writes[i]) == 0)
			return DDB_CAPACITY_WRITE;
	return -1;
}

/* The budget entry of (server, table), created on first use. */
DdbBudgetEntry *
ddb_capacity_entry(Oid serverid, const char *table)
{
	DdbBudgetKey key;
	DdbBudgetEntry *e;
	bool		found;

	if (budget_hash == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(DdbBudgetKey);
		ctl.entrysize = sizeof(DdbBudgetEntry);
		budget_hash = hash_create("ddbrel capacity budgets", 16, &ctl, HASH_ELEM | HASH_BLOBS);
	}
	memset(&key, 0, sizeof(key));
	key.serverid = serverid;
	strlcpy(key.table, table, sizeof(key.table));
	e = hash_search(budget_hash, &key, HASH_ENTER, &found);
	if (!found)
		memset((char *) e + sizeof(DdbBudgetKey), 0, sizeof(DdbBudgetEntry) - sizeof(DdbBudgetKey));
	return e;
}

/*
 * Sets a table's budget of a kind, units per second (0: none), for the
 * statement that started at statement: a foreign table's (from_table: the
 * lowest of the statement's tables wins) or the server's.  The call layer
 * resolves the options (request.c: a percentage needs DescribeTable).
 */
void
ddb_capacity_set(Oid serverid, const char *table, int kind, TimestampTz statement,
				 double units, bool from_table)
{
	DdbBudgetEntry *e = ddb_capacity_entry(serverid, table);

	if (from_table)
		ddb_budget_table(&e->budget[kind], statement, units);
	else
		ddb_budget_statement(&e->budget[kind], statement, units);
}

/*
 * The budget of a kind a foreign table of the statement at statement set
 * for a DynamoDB table, units per second; 0 when none did.  A transaction
 * keeps it for its COMMIT, a statement of its own (txn.c).
 */
double
ddb_capacity_table_budget(Oid serverid, const char *table, int kind, TimestampTz statement)
{
	ddb_budget *b = &ddb_capacity_entry(serverid, table)->budget[kind];

	return (b->from_table && b->statement == statement) ? b->limit : 0;
}

/* Whether a foreign table of the statement at statement set the budget. */
bool
ddb_capacity_set_in(Oid serverid, const char *table, int kind, TimestampTz statement)
{
	return ddb_capacity_entry(serverid, table)->budget[kind].statement == statement;
}

/*
 * The Limit of the next Query or Scan page on a table under its read
 * budget, so that a page costs about a tenth of a second of it; 0 when
 * there is no budget.
 */
long
ddb_capacity_page_limit(Oid serverid, const char *table, DdbOp op)
{
	DdbBudgetEntry *e = ddb_capacity_entry(serverid, table);
	double		per_item = e->cost[op].per_item;

	return ddb_budget_page_limit(&e->budget[DDB_CAPACITY_READ], GetCurrentTimestamp(),
								 per_item > 0 ? per_item : DDB_COST_READ_GUESS);
}

/*
 * What a request of items items (its Limit, keys or items; 0: not known)
 * is estimated to cost.
 */
double
ddb_capacity_estimate(DdbBudgetEntry *e, int kind, DdbOp op, long items)
{
	bool		page = (op == DDB_OP_QUERY || op == DDB_OP_SCAN);

	return ddb_cost_estimate(&e->cost[op], items, page,
							 kind == DDB_CAPACITY_WRITE ? DDB_COST_WRITE_GUESS : DDB_COST_READ_GUESS);
}

/* The earliest time at or after from when a request of estimate units may go. */
TimestampTz
ddb_capacity_ready(DdbBudgetEntry *e, int kind, TimestampTz from, double estimate)
{
	return (TimestampTz) ddb_budget_ready(&e->budget[kind], (int64_t) from, estimate);
}

/* A request of estimate units is sent now. */
void
ddb_capacity_spend(DdbBudgetEntry *e, int kind, double estimate)
{
	ddb_budget_take(&e->budget[kind], GetCurrentTimestamp(), estimate);
}

/*
 * DynamoDB throttled a request estimated at estimate units: it consumed
 * nothing, the rate is cut (AIMD) and the table's requests pause.
 */
void
ddb_capacity_throttled(DdbBudgetEntry *e, int kind, double estimate)
{
	TimestampTz now = GetCurrentTimestamp();

	ddb_budget_settle(&e->budget[kind], now, estimate, 0);
	(void) ddb_budget_throttled(&e->budget[kind], now);
	e->throttled[kind]++;
}

/*
 * Settles a request on e's table estimated at estimate units with its
 * answer: the units its table's part of ConsumedCapacity says, the cost
 * of its kind of request for the next estimate, and what every table named
 * consumed.  An answer without ConsumedCapacity settles nothing: the
 * estimate stands.  items as for ddb_capacity_estimate.
 */
void
ddb_capacity_answer(DdbBudgetEntry *e, int kind, DdbOp op, long items, double estimate,
					const cJSON *json)
{
	ddb_resp_counts c;
	ddb_capacity_part parts[16];
	int			nparts;
	int			i;
	double		mine = 0;

	ddb_resp_counts_read(json, &c);
	if (!c.has_capacity)
		return;
	nparts = Min(ddb_resp_capacity_parts(json, parts, lengthof(parts)), (int) lengthof(parts));
	for (i = 0; i < nparts; i++)
	{
		const char *t = parts[i].table[0] ? parts[i].table : e->key.table;

		if (strcmp(t, e->key.table) == 0)
		{
			mine += parts[i].units;
			e->units[kind] += parts[i].units;
		}
		else
			ddb_capacity_entry(e->key.serverid, t)->units[kind] += parts[i].units;
	}
	ddb_budget_settle(&e->budget[kind], GetCurrentTimestamp(), estimate, mine);
	/* a page's items are those it evaluated */
	ddb_cost_observe(&e->cost[op], mine,
					 (op == DDB_OP_QUERY || op == DDB_OP_SCAN) ? c.scanned : items);
}

/*
 * What every table consumed and was throttled since ddbrel.stats_reset(),
 * and its budgets now; palloc'd, *n rows.
 */
DdbTableCapacity *
ddb_capacity_stats(int *n)
{
	HASH_SEQ_STATUS seq;
	DdbBudgetEntry *e;
	DdbTableCapacity *rows;
	TimestampTz now = GetCurrentTimestamp();
	int			i = 0;

	*n = 0;
	if (budget_hash == NULL)
		return NULL;
	rows = palloc0(sizeof(DdbTableCapacity) * Max(hash_get_num_entries(budget_hash), 1));
	hash_seq_init(&seq, budget_hash);
	while ((e = hash_seq_search(&seq)) != NULL)
	{
		DdbTableCapacity *r = &rows[i++];
		int			k;

		r->serverid = e->key.serverid;
		strlcpy(r->table, e->key.table, sizeof(r->table));
		for (k = 0; k < 2; k++)
		{
			r->units[k] = e->units[k];
			r->throttled[k] = e->throttled[k];
			r->budget[k] = e->budget[k].limit;
			r->rate[k] = ddb_budget_rate(&e->budget[k], now);
		}
	}
	*n = i;
	return rows;
}

/* Zeroes what ddb_capacity_stats counts; budgets and estimates stay. */
void
ddb_capacity_stats_reset(void)
{
	HASH_SEQ_STATUS seq;
	DdbBudgetEntry *e;

	if (budget_hash == NULL)
		return;
	hash_seq_init(&seq, budget_hash);
	while ((e = hash_seq_search(&seq)) != NULL)
	{
		e->units[0] = e->units[1] = 0;
		e->throttled[0] = e->throttled[1] = 0;
	}
}

/*
 * A parallel worker hands what it consumed to its leader (parallel.c): up
 * to max tables with anything consumed or throttled, each zeroed here so
 * that it is handed over once.  Returns how many; tables beyond max keep
 * their counts for the next call.
 */
int
ddb_capacity_take(DdbTableCapacity *out, int max)
{
	HASH_SEQ_STATUS seq;
	DdbBudgetEntry *e;
	int			n = 0;

	if (budget_hash == NULL)
		return 0;
	hash_seq_init(&seq, budget_hash);
	while ((e = hash_seq_search(&seq)) != NULL)
	{
		DdbTableCapacity *r;

		if (e->units[0] == 0 && e->units[1] == 0 &&
			e->throttled[0] == 0 && e->throttled[1] == 0)
			continue;
		if (n == max)
		{
			hash_seq_term(&seq);
			break;
		}
		r = &out[n++];
		memset(r, 0, sizeof(*r));
		r->serverid = e->key.serverid;
		strlcpy(r->table, e->key.table, sizeof(r->table));
		r->units[0] = e->units[0];
		r->units[1] = e->units[1];
		r->throttled[0] = e->throttled[0];
		r->throttled[1] = e->throttled[1];
		e->units[0] = e->units[1] = 0;
		e->throttled[0] = e->throttled[1] = 0;
	}
	return n;
}

/* The leader adds what a worker of its consumed (ddb_capacity_take's). */
void
ddb_capacity_add(const DdbTableCapacity *t)
{
	DdbBudgetEntry *e = ddb_capacity_entry(t->serverid, t->table);

	e->units[0] += t->units[0];
	e->units[1] += t->units[1];
	e->throttled[0] += t->throttled[0];
	e->throttled[1] += t->throttled[1];
}
