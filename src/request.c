/*-------------------------------------------------------------------------
 * request.c
 *	  DynamoDB operations on top of the HTTP client: one synchronous call,
 *	  error mapping to SQLSTATEs, request accounting, and the per-backend
 *	  DescribeTable cache.  Reading the answers themselves is pure C in
 *	  response_core.c.
 *-------------------------------------------------------------------------
 */
#include "ddbrel.h"

#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "response_core.h"

const char *const ddb_op_names[DDB_NUM_OPS] = {
	"GetItem", "BatchGetItem", "Query", "Scan", "PutItem", "UpdateItem",
	"DeleteItem", "BatchWriteItem", "DescribeTable", "ListTables",
	"CreateTable", "Other"
};

DdbOp
ddb_op_from_name(const char *op)
{
	int			i;

	for (i = 0; i < DDB_OP_OTHER; i++)
		if (strcmp(ddb_op_names[i], op) == 0)
			return (DdbOp) i;
	return DDB_OP_OTHER;
}

/* Sends one request and waits for its answer; the request tree is printed, not kept. */
cJSON *
ddb_call(DdbConn *conn, const char *op, const char *table, cJSON *req)
{
	char	   *body = cJSON_PrintUnformatted(req);
	DdbCall    *call;

	if (body == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	call = ddb_call_start(conn, op, table, body);
	cJSON_free(body);
	return ddb_call_finish(call);
}

typedef struct DdbErrorMap
{
	const char *type;
	int			sqlstate;
	const char *message;		/* primary message; %s is the table */
} DdbErrorMap;

static const DdbErrorMap error_map[] = {
	{"ResourceNotFoundException", ERRCODE_FDW_TABLE_NOT_FOUND,
	"DynamoDB table \"%s\" does not exist"},
	{"ConditionalCheckFailedException", ERRCODE_CHECK_VIOLATION,
	"DynamoDB condition check failed on table \"%s\""},
	{"ValidationException", ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE,
	"DynamoDB rejected the request on table \"%s\""},
	{"SerializationException", ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE,
	"DynamoDB rejected the request on table \"%s\""},
	{"UnrecognizedClientException", ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION,
	"DynamoDB did not accept the credentials"},
	{"InvalidSignatureException", ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION,
	"DynamoDB did not accept the credentials"},
	{"MissingAuthenticationTokenException", ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION,
	"DynamoDB did not accept the credentials"},
	{"ExpiredTokenException", ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION,
	"DynamoDB did not accept the credentials"},
	{"AccessDeniedException", ERRCODE_INSUFFICIENT_PRIVILEGE,
	"DynamoDB denied access to table \"%s\""},
	{"ProvisionedThroughputExceededException", ERRCODE_CONFIGURATION_LIMIT_EXCEEDED,
	"DynamoDB throttled requests on table \"%s\""},
	{"ThrottlingException", ERRCODE_CONFIGURATION_LIMIT_EXCEEDED,
	"DynamoDB throttled requests on table \"%s\""},
	{"RequestLimitExceeded", ERRCODE_CONFIGURATION_LIMIT_EXCEEDED,
	"DynamoDB throttled requests on table \"%s\""},
	{"LimitExceededException", ERRCODE_CONFIGURATION_LIMIT_EXCEEDED,
	"DynamoDB limit exceeded on table \"%s\""},
	{"ItemCollectionSizeLimitExceededException", ERRCODE_PROGRAM_LIMIT_EXCEEDED,
	"DynamoDB item collection size limit exceeded on table \"%s\""},
	{"ResourceInUseException", ERRCODE_OBJECT_IN_USE,
	"DynamoDB table \"%s\" is in use"},
	{"InternalServerError", ERRCODE_FDW_ERROR,
	"DynamoDB internal server error on table \"%s\""},
	{NULL}
};

/*
 * Raises the PostgreSQL error for a DynamoDB error response: SQLSTATE from
 * the __type, DynamoDB's own type and message in the detail, the operation
 * and table in the context.
 */
void
ddb_report_error(const char *op, const char *table, long status,
				 const char *body, int attempts)
{
	cJSON	   *json = cJSON_Parse(body);
	ddb_error_info info;
	const char *type;
	const char *msg;
	const DdbErrorMap *m;
	int			sqlstate = ERRCODE_FDW_ERROR;
	const char *primary = "DynamoDB request on table \"%s\" failed";

	ddb_error_read(json, &info);
	type = info.type;
	msg = info.message;
	for (m = error_map; m->type; m++)
		if (strcmp(m->type, type) == 0)
		{
			sqlstate = m->sqlstate;
			primary = m->message;
			break;
		}
	if (*type == '\0')
		type = "(no __type)";
	/* not JSON (a proxy's or load balancer's page): show it as it came */
	if (*msg == '\0' && json == NULL)
		msg = body;

	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg_internal(primary, table),
			 attempts > 1 ?
			 errdetail_internal("%s: %s (HTTP %ld, tried %d times)", type, msg, status, attempts) :
			 errdetail_internal("%s: %s (HTTP %ld)", type, msg, status),
			 errcontext("DynamoDB %s on table \"%s\"", op, table)));
}

/* Counts what a response says it scanned, returned and consumed. */
void
ddb_account_response(DdbOp op, const cJSON *resp)
{
	ddb_resp_counts c;

	ddb_resp_counts_read(resp, &c);
	ddb_stats.items_scanned[op] += c.scanned;
	ddb_stats.items_returned[op] += c.count;
	if (op == DDB_OP_GET_ITEM && c.has_item)
	{
		ddb_stats.items_scanned[op]++;
		ddb_stats.items_returned[op]++;
	}
	if (op == DDB_OP_BATCH_GET_ITEM)
	{
		ddb_stats.items_scanned[op] += c.batch_items;
		ddb_stats.items_returned[op] += c.batch_items;
	}
	ddb_stats.capacity[op] += c.capacity;
}

/* ----------------------------------------------------------------
 * DescribeTable cache
 * ----------------------------------------------------------------
 */
typedef struct DescCacheKey
{
	Oid			serverid;
	Oid			userid;
	char		table[256];
} DescCacheKey;

typedef struct DescCacheEntry
{
	DescCacheKey key;
	DdbTableDesc *desc;			/* in desc_cxt */
} DescCacheEntry;

static HTAB *desc_cache = NULL;
static MemoryContext desc_cxt = NULL;

void
ddb_invalidate_table_cache(void)
{
	if (desc_cache)
	{
		hash_destroy(desc_cache);
		desc_cache = NULL;
	}
	if (desc_cxt)
		MemoryContextReset(desc_cxt);
}

static char *
json_str(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(v) ? pstrdup(v->valuestring) : NULL;
}

/* Reads a KeySchema array into hash and range attribute names. */
static void
read_key_schema(const cJSON *ks, char **pk, char **sk)
{
	const cJSON *e;

	*pk = *sk = NULL;
	cJSON_ArrayForEach(e, ks)
	{
		char	   *name = json_str(e, "AttributeName");
		char	   *kind = json_str(e, "KeyType");

		if (name && kind && strcmp(kind, "HASH") == 0)
			*pk = name;
		else if (name && kind && strcmp(kind, "RANGE") == 0)
			*sk = name;
	}
}

static List *
read_indexes(const cJSON *arr, bool global)
{
	List	   *result = NIL;
	const cJSON *e;

	cJSON_ArrayForEach(e, arr)
	{
		DdbIndexDesc *ix = palloc0(sizeof(DdbIndexDesc));
		const cJSON *proj = cJSON_GetObjectItemCaseSensitive(e, "Projection");
		const cJSON *inc;
		const cJSON *a;

		ix->name = json_str(e, "IndexName");
		ix->global = global;
		read_key_schema(cJSON_GetObjectItemCaseSensitive(e, "KeySchema"), &ix->pk_attr, &ix->sk_attr);
		ix->projection = json_str(proj, "ProjectionType");
		if (ix->projection == NULL)
			ix->projection = pstrdup("ALL");
		inc = cJSON_GetObjectItemCaseSensitive(proj, "NonKeyAttributes");
		cJSON_ArrayForEach(a, inc)
			if (cJSON_IsString(a))
			ix->include = lappend(ix->include, pstrdup(a->valuestring));
		result = lappend(result, ix);
	}
	return result;
}

static char
attr_type(List *attr_types, const char *name)
{
	ListCell   *lc;

	for (lc = list_head(attr_types); lc; lc = lnext(attr_types, lnext(attr_types, lc)))
	{
		if (strcmp((char *) lfirst(lc), name) == 0)
			return ((char *) lfirst(lnext(attr_types, lc)))[0];
	}
	return 'S';
}

static List *
copy_strings(List *l)
{
	List	   *r = NIL;
	ListCell   *lc;

	foreach(lc, l)
		r = lappend(r, pstrdup((char *) lfirst(lc)));
	return r;
}

/*
 * A copy in CurrentMemoryContext: an invalidation may empty the cache at
 * any lock acquisition, so callers never hold pointers into it.
 */
static DdbTableDesc *
copy_desc(const DdbTableDesc *d)
{
	DdbTableDesc *c = palloc(sizeof(DdbTableDesc));
	ListCell   *lc;

	*c = *d;
	c->name = pstrdup(d->name);
	c->pk_attr = pstrdup(d->pk_attr);
	c->sk_attr = d->sk_attr ? pstrdup(d->sk_attr) : NULL;
	c->attr_types = copy_strings(d->attr_types);
	c->indexes = NIL;
	foreach(lc, d->indexes)
	{
		DdbIndexDesc *ix = palloc(sizeof(DdbIndexDesc));

		*ix = *(DdbIndexDesc *) lfirst(lc);
		ix->name = pstrdup(ix->name);
		ix->pk_attr = pstrdup(ix->pk_attr);
		ix->sk_attr = ix->sk_attr ? pstrdup(ix->sk_attr) : NULL;
		ix->projection = pstrdup(ix->projection);
		ix->include = copy_strings(ix->include);
		c->indexes = lappend(c->indexes, ix);
	}
	return c;
}

/*
 * DescribeTable, cached per backend until options change.  Returns NULL
 * when missing_ok and the table does not exist.
 */
DdbTableDesc *
ddb_describe_table(DdbConn *conn, const char *table, bool missing_ok)
{
	DescCacheKey key;
	DescCacheEntry *entry;
	bool		found;
	MemoryContext oldcxt;
	MemoryContext tmp;
	cJSON	   *req;
	cJSON	   *resp;
	const cJSON *t;
	const cJSON *e;
	DdbTableDesc *desc;

	if (desc_cxt == NULL)
		desc_cxt = AllocSetContextCreate(CacheMemoryContext, "ddbrel table descriptions",
										 ALLOCSET_SMALL_SIZES);
	if (desc_cache == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(DescCacheKey);
		ctl.entrysize = sizeof(DescCacheEntry);
		ctl.hcxt = desc_cxt;
		desc_cache = hash_create("ddbrel table descriptions", 16, &ctl,
								 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	memset(&key, 0, sizeof(key));
	ddb_connection_ids(conn, &key.serverid, &key.userid);
	strlcpy(key.table, table, sizeof(key.table));
	entry = hash_search(desc_cache, &key, HASH_FIND, NULL);
	if (entry)
		return copy_desc(entry->desc);

	tmp = AllocSetContextCreate(CurrentMemoryContext, "ddbrel describe", ALLOCSET_SMALL_SIZES);
	oldcxt = MemoryContextSwitchTo(tmp);
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "TableName", table);
	PG_TRY();
	{
		resp = ddb_call(conn, "DescribeTable", table, req);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		if (missing_ok && geterrcode() == ERRCODE_FDW_TABLE_NOT_FOUND)
		{
			FlushErrorState();
			MemoryContextDelete(tmp);
			return NULL;
		}
		PG_RE_THROW();
	}
	PG_END_TRY();

	MemoryContextSwitchTo(desc_cxt);
	t = cJSON_GetObjectItemCaseSensitive(resp, "Table");
	desc = palloc0(sizeof(DdbTableDesc));
	desc->name = pstrdup(table);
	read_key_schema(cJSON_GetObjectItemCaseSensitive(t, "KeySchema"), &desc->pk_attr, &desc->sk_attr);
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(t, "AttributeDefinitions"))
	{
		char	   *n = json_str(e, "AttributeName");
		char	   *ty = json_str(e, "AttributeType");

		if (n && ty)
			desc->attr_types = lappend(lappend(desc->attr_types, n), ty);
	}
	if (desc->pk_attr == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("DescribeTable of \"%s\" returned no partition key", table)));
	desc->pk_type = attr_type(desc->attr_types, desc->pk_attr);
	desc->sk_type = desc->sk_attr ? attr_type(desc->attr_types, desc->sk_attr) : 0;
	e = cJSON_GetObjectItemCaseSensitive(t, "ItemCount");
	desc->item_count = cJSON_IsNumber(e) ? e->valuedouble : 0;
	e = cJSON_GetObjectItemCaseSensitive(t, "TableSizeBytes");
	desc->size_bytes = cJSON_IsNumber(e) ? e->valuedouble : 0;
	desc->indexes = list_concat(read_indexes(cJSON_GetObjectItemCaseSensitive(t, "GlobalSecondaryIndexes"), true),
								read_indexes(cJSON_GetObjectItemCaseSensitive(t, "LocalSecondaryIndexes"), false));
	entry = hash_search(desc_cache, &key, HASH_ENTER, &found);
	entry->desc = desc;
	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(tmp);
	return copy_desc(desc);
}

/* ListTables, every page. */
List *
ddb_list_tables(DdbConn *conn)
{
	List	   *result = NIL;
	char	   *start = NULL;

	for (;;)
	{
		cJSON	   *req = cJSON_CreateObject();
		cJSON	   *resp;
		const cJSON *e;
		const cJSON *last;

		if (start)
			cJSON_AddStringToObject(req, "ExclusiveStartTableName", start);
		resp = ddb_call(conn, "ListTables", "", req);
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(resp, "TableNames"))
			if (cJSON_IsString(e))
			result = lappend(result, pstrdup(e->valuestring));
		last = cJSON_GetObjectItemCaseSensitive(resp, "LastEvaluatedTableName");
		start = cJSON_IsString(last) ? pstrdup(last->valuestring) : NULL;
		cJSON_Delete(req);
		cJSON_Delete(resp);
		if (start == NULL)
			break;
	}
	return result;
}
