/*-------------------------------------------------------------------------
 * fetch.c
 *	  The second step of a Query on an index that does not hold every
 *	  attribute a scan needs (KEYS_ONLY, or INCLUDE without them): the
 *	  table's items for the keys the index returned, by BatchGetItem.
 *
 * scan.c reads the index Query as any other and hands each item it
 * returns to ddb_fetch_add, up to DDB_BATCH_GET_MAX keys; ddb_fetch_run
 * asks for them in one BatchGetItem (the keys DynamoDB leaves unprocessed
 * are sent again by request.c's ddb_batch_resend, within the server's
 * max_retries), and ddb_fetch_next gives the items back in the order the
 * index returned their keys: BatchGetItem answers in any order, and a plan
 * may rely on the index's sort key order.  A key whose item is gone by
 * then (deleted since the index saw it) gives no row.
 *
 * An item the transaction holds whole (overlay.c) comes among the index's
 * items as it is: it is not asked for, and keeps its place.
 *
 * Everything of one batch lives in the fetch's memory context, reset by
 * ddb_fetch_reset before the next batch.
 *-------------------------------------------------------------------------
 */
#include "ddbrel.h"

#include "miscadmin.h"
#include "utils/memutils.h"

#include "text_hash.h"

/* One item of a batch, in the index's order. */
typedef struct FetchEntry
{
	const cJSON *item;			/* fetched, or held whole; NULL: none (yet) */
} FetchEntry;

struct DdbFetch
{
	DdbConn    *conn;
	DdbRelOptions *opts;
	const DdbReadRequest *req;	/* fetch_projection and fetch_names */
	MemoryContext cxt;			/* one batch */
	List	   *entries;		/* FetchEntry, in the index's order */
	int			pos;			/* next entry ddb_fetch_next looks at */
	cJSON	   *keys;			/* the keys to ask for (distinct) */
	int			nkeys;
	ddb_text_hash_hash *bykey;	/* key text -> the entries of that key */
};

/*
 * The table key of an item as text (its key attributes' values as JSON),
 * or NULL when it lacks one.  Index items and table items both come from
 * DynamoDB, so one key prints the same from either.
 */
static char *
key_text(DdbRelOptions *opts, const cJSON *item)
{
	const cJSON *pk = cJSON_GetObjectItemCaseSensitive(item, opts->partition_key);
	const cJSON *sk = opts->sort_key ? cJSON_GetObjectItemCaseSensitive(item, opts->sort_key) : NULL;
	char	   *p;
	char	   *s;
	char	   *text;

	if (pk == NULL || (opts->sort_key && sk == NULL))
		return NULL;
	p = cJSON_PrintUnformatted(pk);
	if (sk == NULL)
		return p;
	s = cJSON_PrintUnformatted(sk);
	text = psprintf("%s %s", p, s);
	cJSON_free(p);
	cJSON_free(s);
	return text;
}

/* A fetch for the scan of one relation; its batches live under parent. */
DdbFetch *
ddb_fetch_create(DdbConn *conn, DdbRelOptions *opts, const DdbReadRequest *req,
				 MemoryContext parent)
{
	DdbFetch   *f = palloc0(sizeof(DdbFetch));

	f->conn = conn;
	f->opts = opts;
	f->req = req;
	f->cxt = AllocSetContextCreate(parent, "ddbrel fetch", ALLOCSET_DEFAULT_SIZES);
	ddb_fetch_reset(f);
	return f;
}

/* Forgets the batch: its items too. */
void
ddb_fetch_reset(DdbFetch *f)
{
	MemoryContext oldcxt;

	MemoryContextReset(f->cxt);
	oldcxt = MemoryContextSwitchTo(f->cxt);
	f->entries = NIL;
	f->pos = 0;
	f->keys = cJSON_CreateArray();
	f->nkeys = 0;
	f->bykey = ddb_text_hash_create(f->cxt, DDB_BATCH_GET_MAX, NULL);
	MemoryContextSwitchTo(oldcxt);
}

/*
 * Adds an item the index Query returned to the batch: its key is to be
 * looked up, unless held (an item the transaction holds whole, taken as
 * it is).  An item without the table's keys (not DynamoDB's) is skipped.
 */
void
ddb_fetch_add(DdbFetch *f, const cJSON *item, bool held)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(f->cxt);
	FetchEntry *e = palloc0(sizeof(FetchEntry));
	char	   *text = key_text(f->opts, item);

	if (held)
		e->item = cJSON_Duplicate(item, true);
	else if (text != NULL)
	{
		bool		found;
		DdbTextEntry *te = ddb_text_hash_insert(f->bykey, text, &found);

		if (!found)
		{
			cJSON	   *key = cJSON_CreateObject();

			te->items = NIL;
			cJSON_AddItemToObject(key, f->opts->partition_key,
								  cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(item, f->opts->partition_key), true));
			if (f->opts->sort_key)
				cJSON_AddItemToObject(key, f->opts->sort_key,
									  cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(item, f->opts->sort_key), true));
			cJSON_AddItemToArray(f->keys, key);
			f->nkeys++;
		}
		te->items = lappend(te->items, e);
	}
	f->entries = lappend(f->entries, e);
	MemoryContextSwitchTo(oldcxt);
}

/* Whether the batch holds as many keys as one BatchGetItem may ask for. */
bool
ddb_fetch_full(DdbFetch *f)
{
	return f->nkeys >= DDB_BATCH_GET_MAX;
}

/*
 * The BatchGetItem of keys (an array, or for EXPLAIN any value that says
 * what they are) on opts's table, with the plan's fetch projection.
 */
cJSON *
ddb_fetch_request(DdbRelOptions *opts, const DdbReadRequest *req, cJSON *keys)
{
	cJSON	   *r = cJSON_CreateObject();
	cJSON	   *tbl = cJSON_AddObjectToObject(cJSON_AddObjectToObject(r, "RequestItems"),
											  opts->table);

	cJSON_AddItemToObject(tbl, "Keys", keys);
	if (req->fetch_projection)
	{
		cJSON_AddStringToObject(tbl, "ProjectionExpression", req->fetch_projection);
		if (req->fetch_names)
			cJSON_AddItemToObject(tbl, "ExpressionAttributeNames",
								  cJSON_Duplicate(req->fetch_names, true));
	}
	/* the table can be read consistently, though a global index cannot */
	if (opts->consistent_read)
		cJSON_AddBoolToObject(tbl, "ConsistentRead", true);
	cJSON_AddStringToObject(r, "ReturnConsumedCapacity", "TOTAL");
	return r;
}

/*
 * Asks DynamoDB for the items of the batch's keys, until it has answered
 * for every key (each resend of what it left unprocessed waits a backoff;
 * past max_retries resends the error is raised).
 */
void
ddb_fetch_run(DdbFetch *f)
{
	MemoryContext oldcxt;
	cJSON	   *req;
	DdbCall    *call;
	int			resends = 0;

	if (f->nkeys == 0)
		return;
	oldcxt = MemoryContextSwitchTo(f->cxt);
	req = ddb_fetch_request(f->opts, f->req, f->keys);
	f->keys = cJSON_CreateArray();
	f->nkeys = 0;
	if (ddb_request_fits(f->opts, NULL, "BatchGetItem", req, NULL))
	{
		call = ddb_call_start(f->conn, "BatchGetItem", f->opts->table, req);
		while (call != NULL)
		{
			cJSON	   *resp = ddb_call_finish(call);
			const cJSON *item;

			cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(
																	  cJSON_GetObjectItemCaseSensitive(resp, "Responses"), f->opts->table))
			{
				char	   *text = key_text(f->opts, item);
				DdbTextEntry *te = text ? ddb_text_hash_lookup(f->bykey, text) : NULL;
				ListCell   *lc;

				if (te == NULL)
					continue;	/* not a key asked for: no row of this scan */
				foreach(lc, te->items)
					((FetchEntry *) lfirst(lc))->item = item;
			}
			CHECK_FOR_INTERRUPTS();
			call = ddb_batch_resend(f->conn, "BatchGetItem", f->opts->table, resp, &resends, -1);
		}
	}
	MemoryContextSwitchTo(oldcxt);
}

/* The batch's next item in the index's order, or NULL at its end. */
const cJSON *
ddb_fetch_next(DdbFetch *f)
{
	while (f->pos < list_length(f->entries))
	{
		FetchEntry *e = list_nth(f->entries, f->pos++);

		if (e->item)
			return e->item;
	}
	return NULL;
}
