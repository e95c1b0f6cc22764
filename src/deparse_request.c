/*-------------------------------------------------------------------------
 * deparse_request.c
 *	  The read requests of a scan: how planner.c hands them to scan.c in
 *	  ForeignScan->fdw_private, and the JSON they become.
 *
 * deparse.c writes the expressions of a request; this file puts a request
 * together from them.  What the planner fixes travels in fdw_private,
 * which must be a tree of plain nodes (copyObject, EXPLAIN of a cached
 * plan): each structure below has one function that packs it into a List
 * and one that reads it back, and no other code knows the positions.
 * Every request, read or write, is checked against DynamoDB's limits here
 * just before it is sent (ddb_request_fits).
 *-------------------------------------------------------------------------
 */
#include "ddbrel.h"

#include "nodes/value.h"

#include "text_hash.h"

/* ----------------------------------------------------------------
 * Key specs
 * ----------------------------------------------------------------
 */

/* Positions of a packed DdbKeySpec. */
enum KeySpecField
{
	SPEC_NAME,					/* String */
	SPEC_ROLE,					/* Integer */
	SPEC_KEYTYPE,				/* Integer: 'S', 'N' or 'B' */
	SPEC_TMPL,					/* Integer */
	SPEC_EXPRS,					/* IntList */
	SPEC_IN_POS,				/* Integer */
	SPEC_EXTRA,					/* String */
	SPEC_PREFIX,				/* Integer: DDB_SPEC_* (1: a prefix) */
	SPEC_IN_ZIP,				/* IntList */
	SPEC_NFIELDS
};

/* A key spec as plain nodes, for fdw_private. */
List *
ddb_key_spec_pack(const DdbKeySpec *spec)
{
	List	   *l = NIL;

	l = lappend(l, makeString(pstrdup(spec->name)));
	l = lappend(l, makeInteger(spec->role));
	l = lappend(l, makeInteger(spec->keytype));
	l = lappend(l, makeInteger(spec->tmpl));
	l = lappend(l, list_copy(spec->exprs));
	l = lappend(l, makeInteger(spec->in_pos));
	l = lappend(l, makeString(pstrdup(spec->extra ? spec->extra : "")));
	l = lappend(l, makeInteger(spec->mode != DDB_SPEC_WHOLE ? spec->mode :
							   spec->prefix ? DDB_SPEC_BEGINS : DDB_SPEC_WHOLE));
	l = lappend(l, list_copy(spec->in_zip));
	Assert(list_length(l) == SPEC_NFIELDS);
	return l;
}

/* A key spec read back from ddb_key_spec_pack's List. */
DdbKeySpec *
ddb_key_spec_unpack(List *packed)
{
	DdbKeySpec *spec = palloc0(sizeof(DdbKeySpec));

	Assert(list_length(packed) == SPEC_NFIELDS);
	spec->name = strVal(list_nth(packed, SPEC_NAME));
	spec->role = intVal(list_nth(packed, SPEC_ROLE));
	spec->keytype = (char) intVal(list_nth(packed, SPEC_KEYTYPE));
	spec->tmpl = intVal(list_nth(packed, SPEC_TMPL));
	spec->exprs = (List *) list_nth(packed, SPEC_EXPRS);
	spec->in_pos = intVal(list_nth(packed, SPEC_IN_POS));
	spec->extra = strVal(list_nth(packed, SPEC_EXTRA));
	spec->mode = intVal(list_nth(packed, SPEC_PREFIX));
	spec->prefix = (spec->mode == DDB_SPEC_BEGINS);
	spec->in_zip = (List *) list_nth(packed, SPEC_IN_ZIP);
	return spec;
}

/* ----------------------------------------------------------------
 * Read requests and scan plans in fdw_private
 * ----------------------------------------------------------------
 */

/* Positions of a packed DdbReadRequest. */
enum RequestField
{
	REQ_OP,						/* Integer: DdbOp */
	REQ_TABLE,					/* String */
	REQ_INDEX,					/* String, "" for none */
	REQ_KEY_CONDITION,			/* String, "" for none */
	REQ_FILTER,					/* String, "" for none */
	REQ_PROJECTION,				/* String, "" for none */
	REQ_COUNT,					/* Integer: 0 or 1 */
	REQ_BACKWARD,				/* Integer: 0 or 1 */
	REQ_LIMIT,					/* Integer */
	REQ_CONSISTENT_READ,		/* Integer: 0 or 1 */
	REQ_SEGMENTS,				/* Integer */
	REQ_NAMES,					/* List of String: placeholder, name, ... */
	REQ_VALUES,					/* List of String: placeholder, JSON, ... */
	REQ_KEYS,					/* List of packed DdbKeySpecs */
	REQ_FETCH,					/* Integer: 0 or 1 */
	REQ_FETCH_PROJECTION,		/* String, "" for none */
	REQ_FETCH_NAMES,			/* List of String: placeholder, name, ... */
	REQ_NFIELDS
};

/* Positions of a packed DdbScanPlan. */
enum ScanPlanField
{
	PLAN_REQUEST,				/* packed DdbReadRequest */
	PLAN_RETRIEVED,				/* IntList */
	PLAN_FLAGS,					/* Integer */
	PLAN_SHOWN,					/* List of String */
	PLAN_NFIELDS
};

static Node *
string_or_empty(const char *s)
{
	return (Node *) makeString(pstrdup(s ? s : ""));
}

static char *
string_or_null(Node *n)
{
	char	   *s = strVal(n);

	return *s ? s : NULL;
}

/*
 * The members of a names or values object as (placeholder, text) String
 * pairs; values as their JSON.
 */
static List *
pack_placeholders(const cJSON *obj, bool json)
{
	List	   *l = NIL;
	const cJSON *e;

	if (obj == NULL)
		return NIL;
	cJSON_ArrayForEach(e, obj)
	{
		l = lappend(l, makeString(pstrdup(e->string)));
		l = lappend(l, makeString(json ? cJSON_PrintUnformatted(e) : pstrdup(e->valuestring)));
	}
	return l;
}

/* The object pack_placeholders packed, or NULL when it was empty. */
static cJSON *
unpack_placeholders(List *l, bool json)
{
	cJSON	   *obj;
	int			i;

	if (l == NIL)
		return NULL;
	obj = cJSON_CreateObject();
	for (i = 0; i + 1 < list_length(l); i += 2)
	{
		const char *ph = strVal(list_nth(l, i));
		const char *text = strVal(list_nth(l, i + 1));

		if (!json)
			cJSON_AddStringToObject(obj, ph, text);
		else
		{
			cJSON	   *av = cJSON_Parse(text);

			if (av == NULL)
				elog(ERROR, "invalid AttributeValue in a ddbrel plan: %s", text);
			cJSON_AddItemToObject(obj, ph, av);
		}
	}
	return obj;
}

static List *
read_request_pack(const DdbReadRequest *r)
{
	List	   *l = NIL;
	List	   *keys = NIL;
	ListCell   *lc;

	foreach(lc, r->keys)
		keys = lappend(keys, ddb_key_spec_pack(lfirst(lc)));
	l = lappend(l, makeInteger(r->op));
	l = lappend(l, string_or_empty(r->table));
	l = lappend(l, string_or_empty(r->index));
	l = lappend(l, string_or_empty(r->key_condition));
	l = lappend(l, string_or_empty(r->filter));
	l = lappend(l, string_or_empty(r->projection));
	l = lappend(l, makeInteger(r->count ? 1 : 0));
	l = lappend(l, makeInteger(r->backward ? 1 : 0));
	l = lappend(l, makeInteger(r->limit));
	l = lappend(l, makeInteger(r->consistent_read ? 1 : 0));
	l = lappend(l, makeInteger(r->segments));
	l = lappend(l, pack_placeholders(r->names, false));
	l = lappend(l, pack_placeholders(r->values, true));
	l = lappend(l, keys);
	l = lappend(l, makeInteger(r->fetch ? 1 : 0));
	l = lappend(l, string_or_empty(r->fetch_projection));
	l = lappend(l, pack_placeholders(r->fetch_names, false));
	Assert(list_length(l) == REQ_NFIELDS);
	return l;
}

static DdbReadRequest *
read_request_unpack(List *l)
{
	DdbReadRequest *r = palloc0(sizeof(DdbReadRequest));
	ListCell   *lc;

	Assert(list_length(l) == REQ_NFIELDS);
	r->op = (DdbOp) intVal(list_nth(l, REQ_OP));
	r->table = strVal(list_nth(l, REQ_TABLE));
	r->index = string_or_null(list_nth(l, REQ_INDEX));
	r->key_condition = string_or_null(list_nth(l, REQ_KEY_CONDITION));
	r->filter = string_or_null(list_nth(l, REQ_FILTER));
	r->projection = string_or_null(list_nth(l, REQ_PROJECTION));
	r->count = intVal(list_nth(l, REQ_COUNT)) != 0;
	r->backward = intVal(list_nth(l, REQ_BACKWARD)) != 0;
	r->limit = intVal(list_nth(l, REQ_LIMIT));
	r->consistent_read = intVal(list_nth(l, REQ_CONSISTENT_READ)) != 0;
	r->segments = intVal(list_nth(l, REQ_SEGMENTS));
	r->names = unpack_placeholders((List *) list_nth(l, REQ_NAMES), false);
	r->values = unpack_placeholders((List *) list_nth(l, REQ_VALUES), true);
	foreach(lc, (List *) list_nth(l, REQ_KEYS))
		r->keys = lappend(r->keys, ddb_key_spec_unpack(lfirst(lc)));
	r->fetch = intVal(list_nth(l, REQ_FETCH)) != 0;
	r->fetch_projection = string_or_null(list_nth(l, REQ_FETCH_PROJECTION));
	r->fetch_names = unpack_placeholders((List *) list_nth(l, REQ_FETCH_NAMES), false);
	return r;
}

/* A scan plan as plain nodes, for ForeignScan->fdw_private. */
List *
ddb_scan_plan_pack(const DdbScanPlan *plan)
{
	List	   *l = NIL;

	l = lappend(l, read_request_pack(plan->request));
	l = lappend(l, list_copy(plan->retrieved));
	l = lappend(l, makeInteger(plan->flags));
	l = lappend(l, list_copy(plan->shown));
	Assert(list_length(l) == PLAN_NFIELDS);
	return l;
}

/*
 * A scan plan read back from ddb_scan_plan_pack's List, in
 * CurrentMemoryContext: once per executor scan, not per rescan.
 */
DdbScanPlan *
ddb_scan_plan_unpack(List *packed)
{
	DdbScanPlan *plan = palloc0(sizeof(DdbScanPlan));

	Assert(list_length(packed) == PLAN_NFIELDS);
	plan->request = read_request_unpack((List *) list_nth(packed, PLAN_REQUEST));
	plan->retrieved = (List *) list_nth(packed, PLAN_RETRIEVED);
	plan->flags = intVal(list_nth(packed, PLAN_FLAGS));
	plan->shown = (List *) list_nth(packed, PLAN_SHOWN);
	return plan;
}

/* ----------------------------------------------------------------
 * JSON
 * ----------------------------------------------------------------
 */

/*
 * The planned part of a request, its members in the order DynamoDB's
 * reference lists them.  per_table leaves out what a BatchGetItem
 * request has once for all its tables (TableName, ReturnConsumedCapacity).
 */
static cJSON *
request_base(const DdbReadRequest *r, bool per_table)
{
	cJSON	   *req = cJSON_CreateObject();

	if (!per_table && r->op != DDB_OP_BATCH_GET_ITEM)
		cJSON_AddStringToObject(req, "TableName", r->table);
	if (r->index)
		cJSON_AddStringToObject(req, "IndexName", r->index);
	if (r->key_condition)
		cJSON_AddStringToObject(req, "KeyConditionExpression", r->key_condition);
	if (r->filter)
		cJSON_AddStringToObject(req, "FilterExpression", r->filter);
	if (r->count)
		cJSON_AddStringToObject(req, "Select", "COUNT");
	else if (r->projection)
		cJSON_AddStringToObject(req, "ProjectionExpression", r->projection);
	if (r->backward)
		cJSON_AddBoolToObject(req, "ScanIndexForward", false);
	if (r->limit > 0)
		cJSON_AddNumberToObject(req, "Limit", (double) r->limit);
	if (r->names)
		cJSON_AddItemToObject(req, "ExpressionAttributeNames", cJSON_Duplicate(r->names, true));
	if (r->values)
		cJSON_AddItemToObject(req, "ExpressionAttributeValues", cJSON_Duplicate(r->values, true));
	if (r->consistent_read)
		cJSON_AddBoolToObject(req, "ConsistentRead", true);
	if (!per_table)
		cJSON_AddStringToObject(req, "ReturnConsumedCapacity", "TOTAL");
	return req;
}

/*
 * A request with one value per key spec (keyvals: AttributeValues in the
 * order of r->keys, copied): a Query's key values join the constants of
 * its expressions, a GetItem's make its Key.  For BatchGetItem the one
 * key goes in "Keys" as an object: that is how EXPLAIN shows the keys of
 * every batch (ddb_read_requests makes the batches themselves).
 */
cJSON *
ddb_read_request_json(const DdbReadRequest *r, List *keyvals)
{
	cJSON	   *req = request_base(r, false);
	cJSON	   *into = NULL;
	ListCell   *sc;
	ListCell   *vc;

	if (keyvals == NIL)
		return req;
	switch (r->op)
	{
		case DDB_OP_GET_ITEM:
			into = cJSON_AddObjectToObject(req, "Key");
			break;
		case DDB_OP_BATCH_GET_ITEM:
			into = cJSON_AddObjectToObject(req, "Keys");
			break;
		default:
			into = cJSON_GetObjectItemCaseSensitive(req, "ExpressionAttributeValues");
			if (into == NULL)
				into = cJSON_AddObjectToObject(req, "ExpressionAttributeValues");
			break;
	}
	forboth(sc, r->keys, vc, keyvals)
		cJSON_AddItemToObject(into, ((DdbKeySpec *) lfirst(sc))->name,
							  cJSON_Duplicate(lfirst(vc), true));
	return req;
}

/* The segments of a Scan: one request each. */
static List *
scan_requests(const DdbReadRequest *r)
{
	List	   *reqs = NIL;
	int			i;

	for (i = 0; i < r->segments; i++)
	{
		cJSON	   *req = request_base(r, false);

		if (r->segments > 1)
		{
			cJSON_AddNumberToObject(req, "Segment", i);
			cJSON_AddNumberToObject(req, "TotalSegments", r->segments);
		}
		reqs = lappend(reqs, req);
	}
	return reqs;
}

/*
 * One Query per distinct partition key value (an IN list is a set: a value
 * twice must not read its items twice); the other key values are single.
 */
static List *
query_requests(const DdbReadRequest *r, List *keyvals)
{
	List	   *reqs = NIL;
	List	   *pks = linitial(keyvals);
	ddb_text_hash_hash *seen = ddb_text_hash_create(CurrentMemoryContext,
													list_length(pks), NULL);
	ListCell   *lc;

	foreach(lc, pks)
	{
		List	   *one = NIL;
		ListCell   *vc;
		bool		found;

		if (lfirst(lc) == NULL)
			continue;
		(void) ddb_text_hash_insert(seen, cJSON_PrintUnformatted(lfirst(lc)), &found);
		if (found)
			continue;
		one = lappend(one, lfirst(lc));
		for_each_from(vc, keyvals, 1)
			one = lappend(one, linitial((List *) lfirst(vc)));
		reqs = lappend(reqs, ddb_read_request_json(r, one));
	}
	return reqs;
}

/*
 * The distinct keys (cJSON objects) of a GetItem or BatchGetItem: each
 * partition key value with each sort key value, or, when both lists come
 * from one IN list (both of one length, more than one), in pairs.  A NULL
 * value (one no key can have) makes no key; BatchGetItem refuses a key
 * asked for twice.
 */
static List *
distinct_keys(const DdbReadRequest *r, List *keyvals)
{
	List	   *keys = NIL;
	List	   *pks = linitial(keyvals);
	List	   *sks = list_length(keyvals) > 1 ? lsecond(keyvals) : NIL;
	const char *pkname = ((DdbKeySpec *) linitial(r->keys))->name;
	const char *skname = sks ? ((DdbKeySpec *) lsecond(r->keys))->name : NULL;
	bool		zipped = (sks && list_length(sks) > 1 && list_length(pks) > 1);
	ddb_text_hash_hash *seen = ddb_text_hash_create(CurrentMemoryContext,
													list_length(pks) * Max(list_length(sks), 1),
													NULL);
	ListCell   *pc;
	ListCell   *kc;
	int			pi = 0;

	foreach(pc, pks)
	{
		List	   *skl = sks ? (zipped ? list_make1(list_nth(sks, pi)) : sks) : list_make1(NULL);

		pi++;
		if (lfirst(pc) == NULL)
			continue;
		foreach(kc, skl)
		{
			cJSON	   *key;
			bool		found;

			if (skname && lfirst(kc) == NULL)
				continue;
			key = cJSON_CreateObject();
			cJSON_AddItemToObject(key, pkname, cJSON_Duplicate(lfirst(pc), true));
			if (skname)
				cJSON_AddItemToObject(key, skname, cJSON_Duplicate(lfirst(kc), true));
			(void) ddb_text_hash_insert(seen, cJSON_PrintUnformatted(key), &found);
			if (!found)
				keys = lappend(keys, key);
		}
	}
	return keys;
}

/*
 * A GetItem for its one key, or BatchGetItem requests of up to
 * DDB_BATCH_GET_MAX keys each, the plan's request being the per-table part.
 */
static List *
get_requests(const DdbReadRequest *r, List *keyvals)
{
	List	   *reqs = NIL;
	List	   *keys = distinct_keys(r, keyvals);
	int			i;

	if (keys == NIL)
		return NIL;
	if (r->op == DDB_OP_GET_ITEM)
	{
		cJSON	   *req = request_base(r, false);

		cJSON_AddItemToObject(req, "Key", linitial(keys));
		return list_make1(req);
	}
	while (keys != NIL)
	{
		cJSON	   *req = cJSON_CreateObject();
		cJSON	   *items = cJSON_AddObjectToObject(req, "RequestItems");
		cJSON	   *tbl = request_base(r, true);
		cJSON	   *arr = cJSON_CreateArray();

		for (i = 0; i < DDB_BATCH_GET_MAX && keys != NIL; i++)
		{
			cJSON_AddItemToArray(arr, linitial(keys));
			keys = list_delete_first(keys);
		}
		cJSON_AddItemToObject(tbl, "Keys", arr);
		cJSON_AddItemToObject(items, r->table, tbl);
		cJSON_AddStringToObject(req, "ReturnConsumedCapacity", "TOTAL");
		reqs = lappend(reqs, req);
	}
	return reqs;
}

/*
 * The requests one (re)scan sends, made at its start from the plan and the
 * key values the executor computed: keyvals holds, per key spec, the List
 * of its AttributeValues (several for IN; NULL for a value no key can
 * have).  Each request still goes through ddb_request_fits before it is
 * sent.
 */
List *
ddb_read_requests(const DdbReadRequest *r, List *keyvals)
{
	switch (r->op)
	{
		case DDB_OP_SCAN:
			return scan_requests(r);
		case DDB_OP_QUERY:
			return query_requests(r, keyvals);
		case DDB_OP_GET_ITEM:
		case DDB_OP_BATCH_GET_ITEM:
			return get_requests(r, keyvals);
		default:
			elog(ERROR, "unexpected DynamoDB operation %d", r->op);
	}
	return NIL;					/* keep compiler quiet */
}

/*
 * The Query that reads one whole partition of opts's table, or of its index
 * (NULL: the table), whose partition key attribute pk_attr has the value pk:
 * ddbrel.collection()'s request.
 */
DdbReadRequest *
ddb_partition_query(DdbRelOptions *opts, const char *index, const char *pk_attr,
					const char *pk)
{
	DdbReadRequest *r = palloc0(sizeof(DdbReadRequest));
	DdbExprBuilder b;
	const char *value;

	ddb_expr_init(&b);
	value = ddb_expr_value(&b, ddb_av_string(pk));
	r->op = DDB_OP_QUERY;
	r->table = opts->table;
	r->index = index ? pstrdup(index) : NULL;
	r->key_condition = ddb_deparse_key_condition(&b, pk_attr, value,
												 DDB_SK_NONE, NULL, NULL, NULL);
	/* an index (global) cannot be read consistently */
	r->consistent_read = opts->consistent_read && index == NULL;
	r->segments = 1;
	r->names = b.names;
	r->values = b.values;
	return r;
}

/* ----------------------------------------------------------------
 * Request limits
 * ----------------------------------------------------------------
 */

/*
 * The key attributes a request on opts's table reads: those of the index
 * named (a Query on an index), else the table's.
 */
ddb_key_schema
ddb_request_key_schema(DdbRelOptions *opts, const char *index)
{
	ddb_key_schema keys;
	ListCell   *lc;

	keys.pk = opts->partition_key;
	keys.sk = opts->sort_key;
	keys.table_sk = opts->sort_key;
	if (index && *index && opts->desc)
		foreach(lc, opts->desc->indexes)
		{
			DdbIndexDesc *ix = lfirst(lc);

			if (strcmp(ix->name, index) == 0)
			{
				keys.pk = ix->pk_attr;
				keys.sk = ix->sk_attr;
			}
		}
	return keys;
}

/*
 * Every request ddbrel builds goes through here just before it is sent:
 * the limits DynamoDB documents (limits_core.c).  Returns false when no
 * item can match (the request is not to be sent); raises an error when the
 * request cannot be sent at all.  A sort key bound no key can reach comes
 * back in *residual (may be NULL when op has no key condition), for the
 * caller to check on each item.  index names the index a Query reads, or
 * is NULL or "".
 */
bool
ddb_request_fits(DdbRelOptions *opts, const char *index, const char *op, cJSON *req,
				 ddb_key_residual *residual)
{
	ddb_key_schema keys = ddb_request_key_schema(opts, index);
	char		why[256];

	switch (ddb_limits_check(op, req, &keys, residual, why, sizeof(why)))
	{
		case DDB_LIMITS_SEND:
			return true;
		case DDB_LIMITS_EMPTY:
			return false;
		case DDB_LIMITS_INVALID:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("DynamoDB %s request on table \"%s\" exceeds a limit of DynamoDB",
							op, opts->table),
					 errdetail("%s", why)));
	}
	return false;				/* keep compiler quiet */
}
