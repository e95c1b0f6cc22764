/*-------------------------------------------------------------------------
 * request.c
 *	  The DynamoDB call layer on top of the HTTP client: starting and
 *	  finishing calls, the one place where a failed call becomes an error
 *	  (SQLSTATE from DynamoDB's __type or the transport failure), request
 *	  accounting, what ddbrel adds to every request on items (it asks for
 *	  ConsumedCapacity; pages sized for a capacity budget), the budgets'
 *	  options resolved against the table's capacity, the follow-ups of an
 *	  answer (the next page, resends of what a batch left unprocessed, with
 *	  the retries' backoff and budget), and the per-backend DescribeTable
 *	  cache with what depends on it.
 *
 * Like postgres_fdw's connection.c: a call returns a DdbResult
 * (ddb_call_wait, ddb_call_result) that the caller inspects (a condition
 * that failed, a table that does not exist), or ddb_call_finish and
 * ddb_call raise the error at once.  Reading the answers is pure C in
 * response_core.c; the retry rules and backoff are retry_core.c's.
 *-------------------------------------------------------------------------
 */
#include "ddbrel.h"

#include "common/pg_prng.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "response_core.h"
#include "retry_core.h"

static void account_response(DdbOp op, const cJSON *resp);
static void capacity_prepare(DdbConn *conn, const char *table, int kind);

const char *const ddb_op_names[DDB_NUM_OPS] = {
	"GetItem", "BatchGetItem", "Query", "Scan", "PutItem", "UpdateItem",
	"DeleteItem", "BatchWriteItem", "DescribeTable", "ListTables",
	"CreateTable", "DescribeTimeToLive", "TransactWriteItems", "TransactGetItems", "Other",
	"Copies"
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

/* Reads are safe to repeat; writes, DDL and anything unknown are not. */
bool
ddb_op_idempotent(DdbOp op)
{
	switch (op)
	{
		case DDB_OP_GET_ITEM:
		case DDB_OP_BATCH_GET_ITEM:
		case DDB_OP_QUERY:
		case DDB_OP_SCAN:
		case DDB_OP_DESCRIBE_TABLE:
		case DDB_OP_LIST_TABLES:
		case DDB_OP_DESCRIBE_TTL:
		case DDB_OP_TRANSACT_GET_ITEMS:
			return true;
		default:
			return false;
	}
}

/* ----------------------------------------------------------------
 * Calls
 * ----------------------------------------------------------------
 */

/*
 * Starts a request; the tree is printed (in CurrentMemoryContext), not kept
 * and not changed.  What ddbrel adds to every request on items goes into
 * the text sent: ReturnConsumedCapacity TOTAL, unless the request asks for
 * something else, and for a Query or Scan under a read budget a Limit that
 * keeps its page within about a tenth of a second of the budget (the
 * request's own Limit when smaller; a scan whose page stops early asks for
 * the next one, as for any page).
 */
static DdbCall *
call_start(DdbConn *conn, const char *op, const char *table, const cJSON *req,
		   bool idempotent, long delay_ms)
{
	DdbOp		o = ddb_op_from_name(op);
	int			kind = ddb_op_capacity_kind(op);
	cJSON	   *copy = NULL;
	char	   *body;
	char	   *sent;
	long		items = 1;
	DdbCall    *call;

	if (kind >= 0 && table && *table)
		capacity_prepare(conn, table, kind);
	if (o == DDB_OP_QUERY || o == DDB_OP_SCAN)
	{
		const cJSON *lim = cJSON_GetObjectItemCaseSensitive(req, "Limit");
		Oid			serverid;
		Oid			userid;
		long		cap;

		ddb_connection_ids(conn, &serverid, &userid);
		cap = (table && *table) ? ddb_capacity_page_limit(serverid, table, o) : 0;

		items = cJSON_IsNumber(lim) && lim->valuedouble >= 1 ? (long) lim->valuedouble : 0;
		if (cap > 0 && (items == 0 || cap < items))
		{
			copy = cJSON_Duplicate(req, true);
			if (copy == NULL)
				ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
			cJSON_DeleteItemFromObjectCaseSensitive(copy, "Limit");
			cJSON_AddNumberToObject(copy, "Limit", (double) cap);
			items = cap;
		}
	}
	else if (o == DDB_OP_BATCH_GET_ITEM || o == DDB_OP_BATCH_WRITE_ITEM)
		items = ddb_resp_unprocessed_count(cJSON_GetObjectItemCaseSensitive(req, "RequestItems"));

	body = cJSON_PrintUnformatted(copy ? copy : req);
	if (copy)
		cJSON_Delete(copy);
	if (body == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	sent = body;
	/* a JSON object prints as "{" then its members: the field goes first */
	if (kind >= 0 && body[0] == '{' &&
		cJSON_GetObjectItemCaseSensitive(req, "ReturnConsumedCapacity") == NULL)
		sent = psprintf("{\"ReturnConsumedCapacity\":\"TOTAL\"%s%s",
						body[1] == '}' ? "" : ",", body + 1);
	PG_TRY();
	{
		call = ddb_http_start(conn, o, op, table, sent, idempotent, delay_ms, items);
	}
	PG_FINALLY();
	{
		if (sent != body)
			pfree(sent);
		cJSON_free(body);
	}
	PG_END_TRY();
	return call;
}

/* Starts a request that is idempotent if its operation is a read. */
DdbCall *
ddb_call_start(DdbConn *conn, const char *op, const char *table, const cJSON *req)
{
	return call_start(conn, op, table, req, ddb_op_idempotent(ddb_op_from_name(op)), 0);
}

/*
 * Starts a request whose writer says whether it is idempotent: safe to
 * repeat even if DynamoDB may already have applied it (a PutItem of a
 * whole item, a DeleteItem, an UpdateItem that only SETs or REMOVEs, a
 * write conditioned so that a second application fails or changes
 * nothing).  See http.c for what is retried.
 */
DdbCall *
ddb_call_start_ex(DdbConn *conn, const char *op, const char *table, const cJSON *req,
				  bool idempotent)
{
	return call_start(conn, op, table, req, idempotent, 0);
}

/*
 * Waits for a call and returns its result, in CurrentMemoryContext; never
 * raises a DynamoDB error (the caller inspects the result, and reports it
 * with ddb_report_result if it must).
 */
DdbResult *
ddb_call_wait(DdbCall *call)
{
	DdbResult  *res = ddb_http_finish(call);

	if (res->status == DDB_CALL_OK)
		account_response(res->op, res->json);
	return res;
}

/* Waits for a call and returns its answer; raises the error if it failed. */
cJSON *
ddb_call_finish(DdbCall *call)
{
	DdbResult  *res = ddb_call_wait(call);

	if (res->status != DDB_CALL_OK)
		ddb_report_result(res, -1);
	return res->json;
}

/* Drops a call in flight (a scan that stops early). */
void
ddb_call_cancel(DdbCall *call)
{
	ddb_http_cancel(call);
}

/* Sends one request and waits for its result. */
DdbResult *
ddb_call_result(DdbConn *conn, const char *op, const char *table, const cJSON *req)
{
	return ddb_call_wait(ddb_call_start(conn, op, table, req));
}

/* Sends one request and waits for its answer; raises the error if it failed. */
cJSON *
ddb_call(DdbConn *conn, const char *op, const char *table, const cJSON *req)
{
	return ddb_call_finish(ddb_call_start(conn, op, table, req));
}

/* Whether a call failed with DynamoDB error type (the __type without namespace). */
bool
ddb_result_is(const DdbResult *res, const char *type)
{
	return res->status == DDB_CALL_ERROR_ANSWER && strcmp(res->type, type) == 0;
}

/* ----------------------------------------------------------------
 * Errors: the one place a failed result becomes an ereport
 * ----------------------------------------------------------------
 */
typedef struct DdbErrorMap
{
	const char *type;
	int			sqlstate;
	const char *message;		/* primary message; %s is the table */
} DdbErrorMap;

static const DdbErrorMap error_map[] = {
	{"ResourceNotFoundException", ERRCODE_FDW_TABLE_NOT_FOUND,
	gettext_noop("DynamoDB table \"%s\" does not exist")},
	{"ConditionalCheckFailedException", ERRCODE_CHECK_VIOLATION,
	gettext_noop("DynamoDB condition check failed on table \"%s\"")},
	{"TransactionConflictException", ERRCODE_T_R_SERIALIZATION_FAILURE,
	gettext_noop("DynamoDB write on table \"%s\" conflicts with a transaction")},
	{"TransactionInProgressException", ERRCODE_T_R_SERIALIZATION_FAILURE,
	gettext_noop("DynamoDB transaction on table \"%s\" is still in progress")},
	{"ValidationException", ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE,
	gettext_noop("DynamoDB rejected the request on table \"%s\"")},
	{"SerializationException", ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE,
	gettext_noop("DynamoDB rejected the request on table \"%s\"")},
	{"UnrecognizedClientException", ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION,
	gettext_noop("DynamoDB did not accept the credentials")},
	{"InvalidSignatureException", ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION,
	gettext_noop("DynamoDB did not accept the credentials")},
	{"MissingAuthenticationTokenException", ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION,
	gettext_noop("DynamoDB did not accept the credentials")},
	{"ExpiredTokenException", ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION,
	gettext_noop("DynamoDB did not accept the credentials")},
	{"AccessDeniedException", ERRCODE_INSUFFICIENT_PRIVILEGE,
	gettext_noop("DynamoDB denied access to table \"%s\"")},
	{"ProvisionedThroughputExceededException", ERRCODE_CONFIGURATION_LIMIT_EXCEEDED,
	gettext_noop("DynamoDB throttled requests on table \"%s\"")},
	{"ThrottlingException", ERRCODE_CONFIGURATION_LIMIT_EXCEEDED,
	gettext_noop("DynamoDB throttled requests on table \"%s\"")},
	{"RequestLimitExceeded", ERRCODE_CONFIGURATION_LIMIT_EXCEEDED,
	gettext_noop("DynamoDB throttled requests on table \"%s\"")},
	{"LimitExceededException", ERRCODE_CONFIGURATION_LIMIT_EXCEEDED,
	gettext_noop("DynamoDB limit exceeded on table \"%s\"")},
	{"ItemCollectionSizeLimitExceededException", ERRCODE_PROGRAM_LIMIT_EXCEEDED,
	gettext_noop("DynamoDB item collection size limit exceeded on table \"%s\"")},
	{"ResourceInUseException", ERRCODE_OBJECT_IN_USE,
	gettext_noop("DynamoDB table \"%s\" is in use")},
	{"InternalServerError", ERRCODE_FDW_ERROR,
	gettext_noop("DynamoDB internal server error on table \"%s\"")},
	{NULL}
};

/*
 * The sentence a failed write adds to its error's detail: what the
 * statement had already written, which ROLLBACK does not undo.
 */
static char *
written_sentence(int64 written)
{
	return psprintf(ngettext("%lld item of this statement had already been written; DynamoDB writes are not undone by ROLLBACK.",
							 "%lld items of this statement had already been written; DynamoDB writes are not undone by ROLLBACK.",
							 (unsigned long) written),
					(long long) written);
}

/*
 * errdetail_plural, and for a write (written >= 0) the written sentence
 * after it: each sentence is translated on its own and the two are joined,
 * as PostgreSQL's deadlock report joins its lines.
 */
#define failure_detail(written, n, singular, plural, ...) \
	((written) < 0 ? \
	 errdetail_plural(singular, plural, n, __VA_ARGS__) : \
	 errdetail_internal("%s %s", \
						psprintf(ngettext(singular, plural, (unsigned long) (n)), __VA_ARGS__), \
						written_sentence(written)))

/* Adds to an error why a failed write was not tried again. */
static void
not_repeated_context(void *arg)
{
	errcontext("DynamoDB %s was not retried: it may have been applied, and repeating it is not known to be safe",
			   (const char *) arg);
}

/*
 * An error answer of DynamoDB: SQLSTATE and primary message from its
 * __type, its type and message in the detail.
 */
static void report_error_answer(const DdbResult *res, int64 written) pg_attribute_noreturn();

static void
report_error_answer(const DdbResult *res, int64 written)
{
	const DdbErrorMap *m;
	int			sqlstate = ERRCODE_FDW_ERROR;
	const char *primary = gettext_noop("DynamoDB request on table \"%s\" failed");
	const char *type = *res->type ? res->type : "(no __type)";

	for (m = error_map; m->type; m++)
		if (strcmp(m->type, res->type) == 0)
		{
			sqlstate = m->sqlstate;
			primary = m->message;
			break;
		}
	/* a throttling answer's reasons follow as a sentence of their own */
	if (res->attempts > 1)
		ereport(ERROR,
				(errcode(sqlstate),
				 errmsg(primary, res->table),
				 failure_detail(written, res->attempts,
								"%s: %s (HTTP %ld, tried %d time)%s%s",
								"%s: %s (HTTP %ld, tried %d times)%s%s",
								type, res->message, res->http_status, res->attempts,
								*res->reasons ? " " : "", res->reasons),
				 errcontext("DynamoDB %s on table \"%s\"", res->opname, res->table)));
	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg(primary, res->table),
			 failure_detail(written, 1, "%s: %s (HTTP %ld)%s%s", "%s: %s (HTTP %ld)%s%s",
							type, res->message, res->http_status,
							*res->reasons ? " " : "", res->reasons),
			 errcontext("DynamoDB %s on table \"%s\"", res->opname, res->table)));
}

/*
 * What a lost connection's detail says, by where in the exchange it was
 * lost: each a whole sentence, singular and plural.
 */
typedef struct DdbLostDetail
{
	DdbCallStatus status;
	const char *singular;
	const char *plural;
} DdbLostDetail;

static const DdbLostDetail lost_details[] = {
	{DDB_CALL_LOST_SENDING,
		gettext_noop("The connection closed while the request was being sent (tried %d time)."),
	gettext_noop("The connection closed while the request was being sent (tried %d times).")},
	{DDB_CALL_LOST_WAITING,
		gettext_noop("The connection closed after the request was sent, before an answer arrived (tried %d time)."),
	gettext_noop("The connection closed after the request was sent, before an answer arrived (tried %d times).")},
	{DDB_CALL_LOST_ANSWER,
		gettext_noop("The connection closed in the middle of the answer (tried %d time)."),
	gettext_noop("The connection closed in the middle of the answer (tried %d times).")},
	{DDB_CALL_NOT_HTTP,
		gettext_noop("The answer was not HTTP (tried %d time)."),
	gettext_noop("The answer was not HTTP (tried %d times).")},
};

/* A call that failed before or instead of a DynamoDB answer. */
static void report_transport(const DdbResult *res, int64 written) pg_attribute_noreturn();

static void
report_transport(const DdbResult *res, int64 written)
{
	int			n = res->attempts;
	int			i;

	for (i = 0; i < (int) lengthof(lost_details); i++)
		if (lost_details[i].status == res->status)
			ereport(ERROR,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("lost connection to DynamoDB endpoint \"%s\"", res->endpoint),
					 failure_detail(written, n, lost_details[i].singular, lost_details[i].plural, n),
					 errcontext("DynamoDB %s on table \"%s\"", res->opname, res->table)));
	switch (res->status)
	{
		case DDB_CALL_BAD_ANSWER:
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("DynamoDB returned an answer that is not valid JSON"),
					 failure_detail(written, n,
									"The answer with HTTP status 200 could not be parsed (tried %d time).",
									"The answer with HTTP status 200 could not be parsed (tried %d times).",
									n),
					 errcontext("DynamoDB %s on table \"%s\"", res->opname, res->table)));
			break;
		case DDB_CALL_OUT_OF_MEMORY:
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory reading the answer of DynamoDB endpoint \"%s\"",
							res->endpoint),
					 failure_detail(written, n, "The request was sent %d time.",
									"The request was sent %d times.", n),
					 errcontext("DynamoDB %s on table \"%s\"", res->opname, res->table)));
			break;
		case DDB_CALL_CA_FILE:
			ereport(ERROR,
					(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
					 errmsg("could not use the CA file \"%s\" for DynamoDB endpoint \"%s\"",
							res->ca_file, res->endpoint),
					 failure_detail(written, n, "%s (tried %d time)", "%s (tried %d times)",
									res->transport, n),
					 errcontext("DynamoDB %s on table \"%s\"", res->opname, res->table)));
			break;
		case DDB_CALL_TLS_VERIFY:
			ereport(ERROR,
					(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
					 errmsg("could not verify the TLS certificate of DynamoDB endpoint \"%s\"",
							res->endpoint),
					 failure_detail(written, n, "%s (tried %d time)", "%s (tried %d times)",
									res->transport, n),
					 errhint("Set the server option \"ca_file\" to a bundle of the certificate authorities that sign the endpoint's certificate."),
					 errcontext("DynamoDB %s on table \"%s\"", res->opname, res->table)));
			break;
		case DDB_CALL_TIMEOUT:
			ereport(ERROR,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("DynamoDB endpoint \"%s\" did not answer in time", res->endpoint),
					 failure_detail(written, n,
									"No complete answer within request_timeout of %d ms (tried %d time).",
									"No complete answer within request_timeout of %d ms (tried %d times).",
									res->request_timeout_ms, n),
					 errcontext("DynamoDB %s on table \"%s\"", res->opname, res->table)));
			break;
		case DDB_CALL_CANCELLED:
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("DynamoDB %s on table \"%s\" was stopped by a rollback to a savepoint",
							res->opname, res->table),
					 errdetail("The request may have been applied, so it is not sent again.")));
			break;
		default:
			break;
	}
	ereport(ERROR,
			(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
			 errmsg("could not reach DynamoDB endpoint \"%s\"", res->endpoint),
			 failure_detail(written, n, "%s (tried %d time)", "%s (tried %d times)",
							res->transport, n),
			 errcontext("DynamoDB %s on table \"%s\"", res->opname, res->table)));
}

/*
 * Raises the error of a failed call: SQLSTATE from DynamoDB's __type or
 * the transport failure, DynamoDB's (or libcurl's) own text and how many
 * times the request was sent in the detail, the operation and table in the
 * context.  written >= 0 (a write statement) adds how many items the
 * statement had already written.
 */
void
ddb_report_result(const DdbResult *res, int64 written)
{
	ErrorContextCallback errcb;

	Assert(res->status != DDB_CALL_OK);
	if (res->not_repeated)
	{
		errcb.callback = not_repeated_context;
		errcb.arg = unconstify(char *, res->opname);
		errcb.previous = error_context_stack;
		error_context_stack = &errcb;
	}
	if (res->status == DDB_CALL_ERROR_ANSWER)
		report_error_answer(res, written);
	report_transport(res, written);
}

/* ----------------------------------------------------------------
 * Follow-ups: the next page, what a batch left unprocessed
 * ----------------------------------------------------------------
 */

/*
 * The request for the page after resp (a copy of req starting at resp's
 * LastEvaluatedKey), or NULL when resp was the last page.
 */
cJSON *
ddb_next_page(const cJSON *req, const cJSON *resp)
{
	const cJSON *last = ddb_resp_last_key(resp);
	cJSON	   *next;

	if (last == NULL)
		return NULL;
	next = cJSON_Duplicate(req, true);
	cJSON_DeleteItemFromObjectCaseSensitive(next, "ExclusiveStartKey");
	cJSON_AddItemToObject(next, "ExclusiveStartKey", cJSON_Duplicate(last, true));
	return next;
}

/* How many keys or items a BatchGetItem or BatchWriteItem answer left unprocessed. */
int
ddb_batch_unprocessed(const cJSON *resp)
{
	return ddb_resp_unprocessed_count(ddb_resp_unprocessed(resp));
}

/*
 * A batch still has unprocessed keys or items after max_retries resends.
 * Two numbers in one sentence: the count of keys or items takes the
 * plural forms of the catalog (errdetail_plural), and a single resend has
 * sentences of its own, so that no form is wrong ("after 1 resends").
 */
static void report_unprocessed(DdbOp op, const char *table, int left, int resends,
							   int64 written) pg_attribute_noreturn();

static void
report_unprocessed(DdbOp op, const char *table, int left, int resends, int64 written)
{
	if (op == DDB_OP_BATCH_GET_ITEM)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("DynamoDB left keys of a BatchGetItem on table \"%s\" unprocessed",
						table),
				 resends == 1 ?
				 errdetail_plural("%d key was still unprocessed after %d resend.",
								  "%d keys were still unprocessed after %d resend.",
								  left, left, resends) :
				 errdetail_plural("%d key was still unprocessed after %d resends.",
								  "%d keys were still unprocessed after %d resends.",
								  left, left, resends),
				 errhint("The server option \"max_retries\" sets how many times they are sent again.")));
	if (resends == 1)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("DynamoDB left items of a BatchWriteItem on table \"%s\" unprocessed",
						table),
				 failure_detail(written, left,
								"%d item was still unprocessed after %d resend.",
								"%d items were still unprocessed after %d resend.",
								left, resends),
				 errhint("The server option \"max_retries\" sets how many times they are sent again.")));
	ereport(ERROR,
			(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
			 errmsg("DynamoDB left items of a BatchWriteItem on table \"%s\" unprocessed",
					table),
			 failure_detail(written, left,
							"%d item was still unprocessed after %d resends.",
							"%d items were still unprocessed after %d resends.",
							left, resends),
			 errhint("The server option \"max_retries\" sets how many times they are sent again.")));
}

/*
 * What follows a BatchGetItem or BatchWriteItem answer: NULL when DynamoDB
 * processed every key or item; else a call that sends what it left
 * unprocessed after a backoff (the n-th resend of a batch waits as the
 * n-th retry of a request does; other calls proceed meanwhile).
 * *resends counts the resends of this batch; when the server's
 * max_retries are spent, the error is raised instead (written as for
 * ddb_report_result).
 */
DdbCall *
ddb_batch_resend(DdbConn *conn, const char *op, const char *table, const cJSON *resp,
				 int *resends, int64 written)
{
	const cJSON *unprocessed = ddb_resp_unprocessed(resp);
	int			left = ddb_batch_unprocessed(resp);
	DdbOp		o = ddb_op_from_name(op);
	cJSON	   *req;
	DdbCall    *call;

	if (left == 0)
		return NULL;
	if (*resends >= ddb_connection_max_retries(conn))
		report_unprocessed(o, table, left, *resends, written);
	(*resends)++;
	req = cJSON_CreateObject();
	cJSON_AddItemToObject(req, "RequestItems", cJSON_Duplicate(unprocessed, true));
	cJSON_AddStringToObject(req, "ReturnConsumedCapacity", "TOTAL");
	ddb_stats.retries[o]++;
	/* what a batch holds is read, or written whole: safe to repeat */
	call = call_start(conn, op, table, req, true,
					  ddb_backoff_ms(*resends, pg_prng_uint64(&pg_global_prng_state)));
	cJSON_Delete(req);
	return call;
}

/* Counts what a response says it scanned, returned and consumed. */
static void
account_response(DdbOp op, const cJSON *resp)
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
	if (op == DDB_OP_TRANSACT_GET_ITEMS)
	{
		const cJSON *r;

		/* Responses: one object per key, with an Item when there is one */
		cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(resp, "Responses"))
			if (cJSON_GetObjectItemCaseSensitive(r, "Item"))
		{
			ddb_stats.items_scanned[op]++;
			ddb_stats.items_returned[op]++;
		}
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
	TimestampTz fetched;		/* when DescribeTable answered */
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

/*
 * Reads a KeySchema array: the HASH attributes into pks (*npk of them),
 * the RANGE ones into sks, each side in the array's order.  A table has one
 * of each at most; a global secondary index with multi-attribute keys up to
 * DDB_MAX_KEY_ATTRS (more are not DynamoDB's, and are not kept).
 */
static void
read_key_schema(const cJSON *ks, char **pks, int *npk, char **sks, int *nsk)
{
	const cJSON *e;

	*npk = *nsk = 0;
	cJSON_ArrayForEach(e, ks)
	{
		char	   *name = json_str(e, "AttributeName");
		char	   *kind = json_str(e, "KeyType");

		if (name == NULL || kind == NULL)
			continue;
		if (strcmp(kind, "HASH") == 0 && *npk < DDB_MAX_KEY_ATTRS)
			pks[(*npk)++] = name;
		else if (strcmp(kind, "RANGE") == 0 && *nsk < DDB_MAX_KEY_ATTRS)
			sks[(*nsk)++] = name;
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
		read_key_schema(cJSON_GetObjectItemCaseSensitive(e, "KeySchema"),
						ix->pk_attrs, &ix->npk, ix->sk_attrs, &ix->nsk);
		if (ix->name == NULL || ix->npk == 0)
			continue;			/* not an index DynamoDB would describe */
		ix->pk_attr = ix->pk_attrs[0];
		ix->sk_attr = ix->nsk > 0 ? ix->sk_attrs[0] : NULL;
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

/* A number of capacity units of a DescribeTable object; 0 unless positive. */
static double
json_units(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsNumber(v) && v->valuedouble > 0 && v->valuedouble < 1e12 ? v->valuedouble : 0;
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
	c->ttl_attr = d->ttl_attr ? pstrdup(d->ttl_attr) : NULL;
	c->attr_types = copy_strings(d->attr_types);
	c->indexes = NIL;
	foreach(lc, d->indexes)
	{
		DdbIndexDesc *ix = palloc(sizeof(DdbIndexDesc));

		int			i;

		*ix = *(DdbIndexDesc *) lfirst(lc);
		ix->name = pstrdup(ix->name);
		for (i = 0; i < ix->npk; i++)
			ix->pk_attrs[i] = pstrdup(ix->pk_attrs[i]);
		for (i = 0; i < ix->nsk; i++)
			ix->sk_attrs[i] = pstrdup(ix->sk_attrs[i]);
		ix->pk_attr = ix->pk_attrs[0];
		ix->sk_attr = ix->nsk > 0 ? ix->sk_attrs[0] : NULL;
		ix->projection = pstrdup(ix->projection);
		ix->include = copy_strings(ix->include);
		c->indexes = lappend(c->indexes, ix);
	}
	return c;
}

/* A DescribeTable answer, read into a DdbTableDesc in CurrentMemoryContext. */
static DdbTableDesc *
read_table(const char *table, const cJSON *resp)
{
	const cJSON *t;
	const cJSON *e;
	DdbTableDesc *desc;
	char	   *pks[DDB_MAX_KEY_ATTRS];
	char	   *sks[DDB_MAX_KEY_ATTRS];
	int			npk;
	int			nsk;

	t = cJSON_GetObjectItemCaseSensitive(resp, "Table");
	desc = palloc0(sizeof(DdbTableDesc));
	desc->name = pstrdup(table);
	read_key_schema(cJSON_GetObjectItemCaseSensitive(t, "KeySchema"), pks, &npk, sks, &nsk);
	desc->pk_attr = npk > 0 ? pks[0] : NULL;
	desc->sk_attr = nsk > 0 ? sks[0] : NULL;
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
	/* capacity: provisioned, or an on-demand table's maximum (-1: none) */
	e = cJSON_GetObjectItemCaseSensitive(t, "ProvisionedThroughput");
	desc->read_units = json_units(e, "ReadCapacityUnits");
	desc->write_units = json_units(e, "WriteCapacityUnits");
	e = cJSON_GetObjectItemCaseSensitive(t, "OnDemandThroughput");
	desc->max_read_units = json_units(e, "MaxReadRequestUnits");
	desc->max_write_units = json_units(e, "MaxWriteRequestUnits");
	desc->indexes = list_concat(read_indexes(cJSON_GetObjectItemCaseSensitive(t, "GlobalSecondaryIndexes"), true),
								read_indexes(cJSON_GetObjectItemCaseSensitive(t, "LocalSecondaryIndexes"), false));
	return desc;
}

static void
desc_cache_init(void)
{
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
	DdbResult  *res;
	DdbTableDesc *desc;

	desc_cache_init();
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
	res = ddb_call_result(conn, "DescribeTable", table, req);
	if (res->status != DDB_CALL_OK)
	{
		MemoryContextSwitchTo(oldcxt);
		if (missing_ok && ddb_result_is(res, "ResourceNotFoundException"))
		{
			MemoryContextDelete(tmp);
			return NULL;
		}
		ddb_report_result(res, -1);
	}
	/* signing may have looked at the catalog, and an invalidation emptied the cache */
	desc_cache_init();
	MemoryContextSwitchTo(desc_cxt);
	desc = read_table(table, res->json);
	entry = hash_search(desc_cache, &key, HASH_ENTER, &found);
	entry->desc = desc;
	entry->fetched = GetCurrentTimestamp();
	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(tmp);
	return copy_desc(desc);
}

/*
 * Completes desc with the attribute DynamoDB expires its table's items by
 * (DescribeTimeToLive), cached with the table's description until the same
 * invalidations: desc->ttl_attr, or NULL when time to live is not enabled
 * (or is being disabled, when DynamoDB no longer deletes expired items).
 * A server that does not know the operation, or credentials that may not
 * use it, leave the attribute unknown, with a warning once per backend and
 * table; the table option ttl_attribute names it without asking.
 */
void
ddb_describe_ttl(DdbConn *conn, DdbTableDesc *desc)
{
	DescCacheKey key;
	DescCacheEntry *entry = NULL;
	MemoryContext tmp;
	MemoryContext oldcxt;
	cJSON	   *req;
	DdbResult  *res;
	char	   *attr = NULL;

	if (desc->ttl_known)
		return;
	memset(&key, 0, sizeof(key));
	ddb_connection_ids(conn, &key.serverid, &key.userid);
	strlcpy(key.table, desc->name, sizeof(key.table));
	if (desc_cache)
		entry = hash_search(desc_cache, &key, HASH_FIND, NULL);
	if (entry && entry->desc->ttl_known)
	{
		desc->ttl_known = true;
		desc->ttl_attr = entry->desc->ttl_attr ? pstrdup(entry->desc->ttl_attr) : NULL;
		return;
	}

	tmp = AllocSetContextCreate(CurrentMemoryContext, "ddbrel describe ttl",
								ALLOCSET_SMALL_SIZES);
	oldcxt = MemoryContextSwitchTo(tmp);
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "TableName", desc->name);
	res = ddb_call_result(conn, "DescribeTimeToLive", desc->name, req);
	MemoryContextSwitchTo(oldcxt);
	if (res->status == DDB_CALL_OK)
	{
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(res->json, "TimeToLiveDescription");
		const cJSON *status = cJSON_GetObjectItemCaseSensitive(d, "TimeToLiveStatus");
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(d, "AttributeName");

		if (cJSON_IsString(status) && cJSON_IsString(name) && *name->valuestring &&
			(strcmp(status->valuestring, "ENABLED") == 0 ||
			 strcmp(status->valuestring, "ENABLING") == 0))
			attr = pstrdup(name->valuestring);
	}
	else if (ddb_result_is(res, "AccessDeniedException") ||
			 ddb_result_is(res, "UnknownOperationException"))
		ereport(WARNING,
				(errmsg("could not learn the time to live attribute of DynamoDB table \"%s\"",
						desc->name),
				 errdetail_internal("%s: %s", res->type, res->message),
				 errhint("Expired items are shown.  Set the foreign table option \"ttl_attribute\" to hide them.")));
	else
		ddb_report_result(res, -1);
	MemoryContextDelete(tmp);

	desc->ttl_known = true;
	desc->ttl_attr = attr;
	/* the call may have taken a while: the cache may have been emptied */
	if (desc_cache && (entry = hash_search(desc_cache, &key, HASH_FIND, NULL)) != NULL)
	{
		entry->desc->ttl_known = true;
		entry->desc->ttl_attr = attr ? MemoryContextStrdup(desc_cxt, attr) : NULL;
	}
}

/*
 * What DescribeTable says of a table's capacity, at most
 * DDB_CAPACITY_MAX_AGE_S old: provisioned capacity changes (auto scaling)
 * without DDL that would empty the description cache.  The cached
 * description unless it is older, then DescribeTable again (the new answer
 * replaces the cached one for everyone).  NULL when the table does not
 * exist.
 */
#define DDB_CAPACITY_MAX_AGE_S 300

static DdbTableDesc *
describe_capacity(DdbConn *conn, const char *table)
{
	DescCacheKey key;
	DescCacheEntry *entry;

	desc_cache_init();
	memset(&key, 0, sizeof(key));
	ddb_connection_ids(conn, &key.serverid, &key.userid);
	strlcpy(key.table, table, sizeof(key.table));
	entry = hash_search(desc_cache, &key, HASH_FIND, NULL);
	if (entry && !TimestampDifferenceExceeds(entry->fetched, GetCurrentTimestamp(),
											 DDB_CAPACITY_MAX_AGE_S * 1000))
		return copy_desc(entry->desc);
	/* too old: forgotten (its memory goes with the next reset of the cache) */
	if (entry)
		(void) hash_search(desc_cache, &key, HASH_REMOVE, NULL);
	return ddb_describe_table(conn, table, true);
}

/* ----------------------------------------------------------------
 * Capacity budgets: the options resolved to units per second
 * (capacity.c keeps the budgets; only this layer may ask DynamoDB)
 * ----------------------------------------------------------------
 */

/*
 * Units per second of a budget option for a table of the connection's
 * server; 0: no budget.  A percentage needs the table's capacity.
 */
static double
capacity_units(DdbConn *conn, const char *table, const DdbCapacity *cap, int kind)
{
	DdbTableDesc *desc;
	double		of;

	if (cap->units > 0 || cap->percent <= 0)
		return cap->units;
	desc = describe_capacity(conn, table);
	if (desc == NULL)
		return 0;
	if (kind == DDB_CAPACITY_WRITE)
		of = desc->write_units > 0 ? desc->write_units : desc->max_write_units;
	else
		of = desc->read_units > 0 ? desc->read_units : desc->max_read_units;
	return of > 0 ? of * cap->percent / 100 : 0;
}

/* Sets a table's budget of a kind for the connection's statement. */
static void
set_budget(DdbConn *conn, const char *table, int kind, double units, bool from_table)
{
	Oid			serverid;
	Oid			userid;

	ddb_connection_ids(conn, &serverid, &userid);
	ddb_capacity_set(serverid, table, kind, ddb_connection_statement(conn), units,
					 from_table);
}

/*
 * The budgets and request rate of a foreign table, for the rest of the
 * statement on its connection: its read_capacity, write_capacity and
 * max_requests_per_second (each its own, else its server's) replace the
 * server's, and lower those of the statement's earlier tables.  Scans and
 * writes call it when they start.
 */
void
ddb_connection_use_table(DdbConn *conn, DdbRelOptions *opts)
{
	ddb_connection_set_rate(conn, opts->max_requests_per_second);
	set_budget(conn, opts->table, DDB_CAPACITY_READ,
			   capacity_units(conn, opts->table, &opts->read_capacity, DDB_CAPACITY_READ), true);
	set_budget(conn, opts->table, DDB_CAPACITY_WRITE,
			   capacity_units(conn, opts->table, &opts->write_capacity, DDB_CAPACITY_WRITE), true);
}

/*
 * Before a request of a kind on a table: the server's budget, unless a
 * foreign table of the connection's statement set one.
 */
static void
capacity_prepare(DdbConn *conn, const char *table, int kind)
{
	Oid			serverid;
	Oid			userid;

	ddb_connection_ids(conn, &serverid, &userid);
	if (ddb_capacity_set_in(serverid, table, kind, ddb_connection_statement(conn)))
		return;
	set_budget(conn, table, kind,
			   capacity_units(conn, table, ddb_connection_server_capacity(conn, kind), kind),
			   false);
}

/*
 * A foreign table's options resolved with its DescribeTable and
 * DescribeTimeToLive (cached),
 * fetched through the user mapping of userid: the user the executor will
 * read the table as (a view's owner, or the current user), also at plan
 * time.
 */
DdbRelOptions *
ddb_get_rel_options_as(Oid relid, Oid userid)
{
	DdbRelOptions *opts = ddb_get_rel_options(relid);
	DdbConn    *conn = ddb_get_connection(opts->serverid, userid);
	DdbTableDesc *desc = ddb_describe_table(conn, opts->table, false);

	opts->userid = userid;
	/* the option names the attribute; else DynamoDB is asked, once */
	if (opts->ttl_option == NULL)
		ddb_describe_ttl(conn, desc);
	ddb_resolve_rel_options(opts, desc);
	return opts;
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
