/*-------------------------------------------------------------------------
 * overlay.c
 *	  Reading your own writes: the items a transaction holds (txn.c),
 *	  merged into what its scans, key lookups and joins read from DynamoDB.
 *
 * A read sees the writes of the earlier commands of its transaction, as a
 * PostgreSQL snapshot does.  For each request of a scan:
 *
 *	- an item DynamoDB returns whose key the transaction holds is dropped:
 *	  deleted, or replaced by the held version, which comes among the
 *	  extras below if it belongs to the request;
 *	- an item the transaction wrote whole (INSERT) is added when it
 *	  satisfies the request: its key condition and filter, evaluated here
 *	  by expr_core.c exactly as DynamoDB would, the keys of a GetItem or
 *	  BatchGetItem, and for a query on an index the index's key attributes;
 *	- an item the transaction updated is DynamoDB's item with the update
 *	  applied.  Where DynamoDB's own filter or an index decides whether the
 *	  item is returned at all, DynamoDB's version cannot tell, so the
 *	  updated items are read first (one consistent BatchGetItem) and
 *	  treated as written whole; elsewhere the update is applied to the item
 *	  as it comes.
 *
 * A Query returns items in sort key order, which a plan may rely on: the
 * added items are merged in that order.  A Limit or Select=COUNT sent to
 * DynamoDB would count items the transaction changed, so a scan of a
 * table the transaction holds items of sends neither (ddb_overlay_prepare);
 * PostgreSQL applies the LIMIT and counts the rows.
 *
 * The scan's other rewrite in a transaction is here too: in REPEATABLE
 * READ and SERIALIZABLE a key lookup of up to 100 keys is sent as one
 * TransactGetItems (ddb_overlay_transact_get), read as of one moment.
 *-------------------------------------------------------------------------
 */
#include "ddbrel.h"

#include "utils/snapmgr.h"

#include "expr_core.h"

struct DdbOverlay
{
	DdbRelOptions *opts;
	DdbOp		op;
	List	   *views;			/* DdbHeldView of the table */
	bool		lazy;			/* updated items patched as DynamoDB returns them */
	const char *sort_attr;		/* Query: what its items are ordered by */
	bool		forward;
	DdbIndexDesc *index;		/* Query on an index */
};

/* The command whose snapshot a scan reads with: it sees earlier commands. */
CommandId
ddb_overlay_command(EState *estate)
{
	if (estate && estate->es_snapshot && estate->es_snapshot != InvalidSnapshot)
		return estate->es_snapshot->curcid;
	return GetCurrentCommandId(false);
}

/* The held view of the item with this key, or NULL. */
static DdbHeldView *
view_of(DdbOverlay *ov, const cJSON *item)
{
	ListCell   *lc;

	foreach(lc, ov->views)
	{
		DdbHeldView *v = lfirst(lc);

		if (ddb_key_matches(v->key, item))
			return v;
	}
	return NULL;
}

/*
 * Reads DynamoDB's version of every item the transaction updated (a
 * consistent BatchGetItem), and applies the updates: they become items
 * known whole, or deleted when DynamoDB has no such item (the update will
 * fail at COMMIT).
 */
static void
fetch_bases(DdbOverlay *ov, DdbConn *conn)
{
	cJSON	   *req;
	cJSON	   *keys;
	cJSON	   *resp;
	List	   *found = NIL;
	ListCell   *lc;
	int			resends = 0;
	int			n = 0;

	req = cJSON_CreateObject();
	keys = cJSON_CreateArray();
	foreach(lc, ov->views)
	{
		DdbHeldView *v = lfirst(lc);

		if (v->state == DDB_HELD_PATCH)
		{
			cJSON_AddItemToArray(keys, cJSON_Duplicate(v->key, true));
			n++;
		}
	}
	if (n == 0)
	{
		cJSON_Delete(keys);
		cJSON_Delete(req);
		return;
	}
	{
		cJSON	   *tbl = cJSON_AddObjectToObject(cJSON_AddObjectToObject(req, "RequestItems"),
												  ov->opts->table);

		cJSON_AddItemToObject(tbl, "Keys", keys);
		cJSON_AddBoolToObject(tbl, "ConsistentRead", true);
	}
	cJSON_AddStringToObject(req, "ReturnConsumedCapacity", "TOTAL");
	resp = ddb_call(conn, "BatchGetItem", ov->opts->table, req);
	for (;;)
	{
		cJSON	   *items = cJSON_GetObjectItemCaseSensitive(
															 cJSON_GetObjectItemCaseSensitive(resp, "Responses"), ov->opts->table);
		cJSON	   *e;
		DdbCall    *again;

		cJSON_ArrayForEach(e, items)
			found = lappend(found, e);
		again = ddb_batch_resend(conn, "BatchGetItem", ov->opts->table, resp, &resends, -1);
		if (again == NULL)
			break;
		resp = ddb_call_finish(again);
	}
	foreach(lc, ov->views)
	{
		DdbHeldView *v = lfirst(lc);
		ListCell   *fc;
		cJSON	   *base = NULL;

		if (v->state != DDB_HELD_PATCH)
			continue;
		foreach(fc, found)
			if (ddb_key_matches(v->key, lfirst(fc)))
			base = lfirst(fc);
		if (base == NULL)
		{
			v->state = DDB_HELD_ABSENT;
			continue;
		}
		v->image = cJSON_Duplicate(base, true);
		(void) ddb_patch_apply(v->image, &v->patch, true);
		v->state = DDB_HELD_IMAGE;
	}
}

/*
 * The overlay of one scan of opts's table with operation op (its plan's
 * request text), as command `before` sees the transaction; NULL when the
 * transaction holds nothing of the table.  In CurrentMemoryContext (the
 * scan's).
 */
DdbOverlay *
ddb_overlay_begin(DdbConn *conn, DdbRelOptions *opts, CommandId before, DdbOp op,
				  const char *request_text)
{
	List	   *views = ddb_txn_view(conn, opts->table, before);
	DdbOverlay *ov;
	cJSON	   *req;
	const cJSON *v;

	if (views == NIL)
		return NULL;
	ov = palloc0(sizeof(DdbOverlay));
	ov->opts = opts;
	ov->op = op;
	ov->views = views;
	ov->forward = true;
	req = request_text ? cJSON_Parse(request_text) : NULL;
	v = req ? cJSON_GetObjectItemCaseSensitive(req, "IndexName") : NULL;
	if (cJSON_IsString(v) && opts->desc)
	{
		ListCell   *lc;

		foreach(lc, opts->desc->indexes)
			if (strcmp(((DdbIndexDesc *) lfirst(lc))->name, v->valuestring) == 0)
			ov->index = lfirst(lc);
	}
	if (op == DDB_OP_QUERY)
	{
		const cJSON *fwd = cJSON_GetObjectItemCaseSensitive(req, "ScanIndexForward");

		ov->sort_attr = ov->index ? ov->index->sk_attr : opts->sort_key;
		ov->forward = !(fwd && cJSON_IsFalse(fwd));
	}
	/* where DynamoDB's filter or an index decides, updated items are read first */
	ov->lazy = !((op == DDB_OP_QUERY || op == DDB_OP_SCAN) &&
				 (ov->index || cJSON_GetObjectItemCaseSensitive(req, "FilterExpression")));
	if (!ov->lazy)
		fetch_bases(ov, conn);
	cJSON_Delete(req);
	return ov;
}

/*
 * Adjusts one request of the scan: no Limit, and instead of Select=COUNT
 * the items' keys, which the overlay needs to see.
 */
void
ddb_overlay_prepare(DdbOverlay *ov, cJSON *req)
{
	const cJSON *sel = cJSON_GetObjectItemCaseSensitive(req, "Select");

	cJSON_DeleteItemFromObjectCaseSensitive(req, "Limit");
	if (cJSON_IsString(sel) && strcmp(sel->valuestring, "COUNT") == 0)
	{
		cJSON_DeleteItemFromObjectCaseSensitive(req, "Select");
		ddb_deparse_key_projection(req, ov->opts->partition_key, ov->opts->sort_key);
	}
}

/* Evaluates one of the request's expressions on an item. */
static bool
satisfies(const cJSON *req, const char *member, const cJSON *item)
{
	const cJSON *expr = cJSON_GetObjectItemCaseSensitive(req, member);
	char		err[256];
	int			r;

	if (!cJSON_IsString(expr))
		return true;
	r = ddb_cond_eval(expr->valuestring,
					  cJSON_GetObjectItemCaseSensitive(req, "ExpressionAttributeNames"),
					  cJSON_GetObjectItemCaseSensitive(req, "ExpressionAttributeValues"),
					  item, err, sizeof(err));
	if (r < 0)
		elog(ERROR, "could not evaluate DynamoDB %s \"%s\" on a held item: %s",
			 member, expr->valuestring, err);
	return r == 1;
}

/* Whether key is one of the keys of an array of keys. */
static bool
key_in(const cJSON *keys, const cJSON *key)
{
	const cJSON *k;

	cJSON_ArrayForEach(k, keys)
		if (ddb_key_matches(k, key) && cJSON_GetArraySize(k) == cJSON_GetArraySize(key))
		return true;
	return false;
}

/* Whether an item has every key attribute of index ix (else it is not in it). */
static bool
in_index(const DdbIndexDesc *ix, const cJSON *item)
{
	int			i;

	for (i = 0; i < ix->npk; i++)
		if (!cJSON_GetObjectItemCaseSensitive(item, ix->pk_attrs[i]))
			return false;
	for (i = 0; i < ix->nsk; i++)
		if (!cJSON_GetObjectItemCaseSensitive(item, ix->sk_attrs[i]))
			return false;
	return true;
}

/* Whether a held item belongs to what req reads. */
static bool
belongs(DdbOverlay *ov, const cJSON *req, DdbHeldView *v)
{
	switch (ov->op)
	{
		case DDB_OP_GET_ITEM:
			{
				const cJSON *key = cJSON_GetObjectItemCaseSensitive(req, "Key");

				return key && ddb_key_matches(key, v->key) &&
					cJSON_GetArraySize(key) == cJSON_GetArraySize(v->key);
			}
		case DDB_OP_BATCH_GET_ITEM:
			{
				const cJSON *tbl = cJSON_GetObjectItemCaseSensitive(
																	cJSON_GetObjectItemCaseSensitive(req, "RequestItems"), ov->opts->table);

				return key_in(cJSON_GetObjectItemCaseSensitive(tbl, "Keys"), v->key);
			}
		case DDB_OP_QUERY:
			if (ov->index && !in_index(ov->index, v->image))
				return false;	/* not in the (sparse) index */
			return satisfies(req, "KeyConditionExpression", v->image) &&
				satisfies(req, "FilterExpression", v->image);
		case DDB_OP_SCAN:
			return satisfies(req, "FilterExpression", v->image);
		default:
			return false;
	}
}

/* Whether extra comes before item in the order of the request's items. */
bool
ddb_overlay_before(DdbOverlay *ov, const cJSON *extra, const cJSON *item)
{
	int			o;
	int			k;

	if (ov->sort_attr == NULL || item == NULL)
		return item == NULL;
	o = ddb_av_order(cJSON_GetObjectItemCaseSensitive(extra, ov->sort_attr),
					 cJSON_GetObjectItemCaseSensitive(item, ov->sort_attr));
	/* multi-attribute sort keys order by each attribute in turn */
	for (k = 1; o == 0 && ov->index && k < ov->index->nsk; k++)
		o = ddb_av_order(cJSON_GetObjectItemCaseSensitive(extra, ov->index->sk_attrs[k]),
						 cJSON_GetObjectItemCaseSensitive(item, ov->index->sk_attrs[k]));
	if (o == 2)
		return false;
	return ov->forward ? o < 0 : o > 0;
}

/*
 * The held items one request of the scan returns besides DynamoDB's (in
 * the request's order), copies in CurrentMemoryContext.
 */
List *
ddb_overlay_extras(DdbOverlay *ov, const cJSON *req)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, ov->views)
	{
		DdbHeldView *v = lfirst(lc);
		cJSON	   *copy;
		ListCell   *pos;
		int			i = 0;

		if (v->state != DDB_HELD_IMAGE || !belongs(ov, req, v))
			continue;
		copy = cJSON_Duplicate(v->image, true);
		/* insertion in order: a transaction holds at most 100 items */
		foreach(pos, result)
		{
			if (ddb_overlay_before(ov, copy, lfirst(pos)))
				break;
			i++;
		}
		result = list_insert_nth(result, i, copy);
	}
	return result;
}

/*
 * An item DynamoDB returned, as the transaction sees it: itself, NULL when
 * the transaction deleted or rewrote it (its new version comes among the
 * extras), or with the transaction's update applied (a copy in
 * CurrentMemoryContext).
 */
const cJSON *
ddb_overlay_filter(DdbOverlay *ov, const cJSON *item)
{
	DdbHeldView *v = view_of(ov, item);
	cJSON	   *copy;

	if (v == NULL)
		return item;
	if (v->state != DDB_HELD_PATCH)
		return NULL;
	copy = cJSON_Duplicate(item, true);
	(void) ddb_patch_apply(copy, &v->patch, true);
	return copy;
}

/*
 * The item with this key as the transaction sees it (command `before`): a
 * consistent GetItem with the transaction's writes of it applied; NULL
 * when there is none.  A copy in CurrentMemoryContext.
 */
cJSON *
ddb_overlay_get(DdbConn *conn, DdbRelOptions *opts, const cJSON *key, CommandId before)
{
	List	   *views = ddb_txn_view(conn, opts->table, before);
	DdbHeldView *v = NULL;
	ListCell   *lc;
	cJSON	   *req;
	cJSON	   *resp;
	cJSON	   *item;

	foreach(lc, views)
		if (ddb_key_matches(((DdbHeldView *) lfirst(lc))->key, key))
		v = lfirst(lc);
	if (v && v->state == DDB_HELD_ABSENT)
		return NULL;
	if (v && v->state == DDB_HELD_IMAGE)
		return cJSON_Duplicate(v->image, true);
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "TableName", opts->table);
	cJSON_AddItemToObject(req, "Key", cJSON_Duplicate(key, true));
	cJSON_AddBoolToObject(req, "ConsistentRead", true);
	cJSON_AddStringToObject(req, "ReturnConsumedCapacity", "TOTAL");
	resp = ddb_call(conn, "GetItem", opts->table, req);
	item = cJSON_DetachItemFromObjectCaseSensitive(resp, "Item");
	if (item && v && v->state == DDB_HELD_PATCH)
		(void) ddb_patch_apply(item, &v->patch, true);
	return item;
}

/*
 * A join's lookup by keys (a BatchGetItem of whole items): the items found
 * as the transaction sees them, and the held items of those keys DynamoDB
 * does not have yet.
 */
List *
ddb_overlay_lookup(DdbOverlay *ov, List *keys, List *found)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, found)
	{
		const cJSON *r = ddb_overlay_filter(ov, lfirst(lc));

		if (r)
			result = lappend(result, unconstify(cJSON *, r));
	}
	foreach(lc, ov->views)
	{
		DdbHeldView *v = lfirst(lc);
		ListCell   *kc;

		if (v->state != DDB_HELD_IMAGE)
			continue;
		foreach(kc, keys)
			if (ddb_key_matches(v->key, lfirst(kc)) &&
				cJSON_GetArraySize(v->key) == cJSON_GetArraySize(lfirst(kc)))
			{
				result = lappend(result, cJSON_Duplicate(v->image, true));
				break;
			}
	}
	return result;
}

/*
 * In a REPEATABLE READ or SERIALIZABLE transaction the items of one key
 * lookup are read as of one moment: a GetItem or BatchGetItem of up to 100
 * keys becomes one TransactGetItems.  NULL when the request has more keys
 * (a BatchGetItem stream holds at most 100, so only several streams do).
 */
cJSON *
ddb_overlay_transact_get(const char *table, DdbOp op, const cJSON *req)
{
	const cJSON *keys;
	const cJSON *part = req;
	const cJSON *k;
	cJSON	   *tr;
	cJSON	   *items;

	if (op == DDB_OP_GET_ITEM)
	{
		cJSON	   *one = cJSON_CreateArray();

		cJSON_AddItemToArray(one, cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(req, "Key"), true));
		keys = one;
	}
	else
	{
		part = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(req, "RequestItems"),
												table);
		keys = cJSON_GetObjectItemCaseSensitive(part, "Keys");
	}
	if (cJSON_GetArraySize(keys) > 100)
		return NULL;
	tr = cJSON_CreateObject();
	items = cJSON_AddArrayToObject(tr, "TransactItems");
	cJSON_ArrayForEach(k, keys)
	{
		cJSON	   *get = cJSON_CreateObject();
		cJSON	   *g = cJSON_AddObjectToObject(get, "Get");
		const cJSON *v;

		cJSON_AddStringToObject(g, "TableName", table);
		cJSON_AddItemToObject(g, "Key", cJSON_Duplicate(k, true));
		if ((v = cJSON_GetObjectItemCaseSensitive(part, "ProjectionExpression")))
			cJSON_AddItemToObject(g, "ProjectionExpression", cJSON_Duplicate(v, true));
		if ((v = cJSON_GetObjectItemCaseSensitive(part, "ExpressionAttributeNames")))
			cJSON_AddItemToObject(g, "ExpressionAttributeNames", cJSON_Duplicate(v, true));
		cJSON_AddItemToArray(items, get);
	}
	cJSON_AddStringToObject(tr, "ReturnConsumedCapacity", "TOTAL");
	return tr;
}

/* The items a TransactGetItems answer holds, in key order, as one array. */
cJSON *
ddb_overlay_transact_items(const cJSON *resp)
{
	cJSON	   *items = cJSON_CreateArray();
	const cJSON *r;

	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(resp, "Responses"))
	{
		const cJSON *item = cJSON_GetObjectItemCaseSensitive(r, "Item");

		if (item)
			cJSON_AddItemToArray(items, cJSON_Duplicate(item, true));
	}
	return items;
}
