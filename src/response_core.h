/*-------------------------------------------------------------------------
 * response_core.h
 *	  Pure C reading of DynamoDB answers: error bodies, accounting fields,
 *	  unprocessed keys and items.  No PostgreSQL headers (unit-tested, fuzzed).
 *-------------------------------------------------------------------------
 */
#ifndef DDB_RESPONSE_CORE_H
#define DDB_RESPONSE_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

/*
 * What an error body says.  type is the __type without its namespace
 * ("com.amazonaws.dynamodb.v20120810#ResourceNotFoundException" ->
 * "ResourceNotFoundException"), message the "message" (or "Message")
 * member; both point into the tree and are "" when absent.
 */
typedef struct ddb_error_info
{
	const char *type;
	const char *message;
} ddb_error_info;

/* Reads an error body already parsed; json may be NULL or any JSON value. */
extern void ddb_error_read(const cJSON *json, ddb_error_info *out);

/*
 * The namespace-free __type of a raw error body, copied (truncated) into
 * out, or "" when the body is not a JSON object with a string __type.
 * Returns whether a type was found.  For callers that hold only the text.
 */
extern bool ddb_error_type_text(const char *body, size_t len, char *out, size_t outlen);

/*
 * Whether an error type asks the client to slow down and try again
 * (ProvisionedThroughputExceededException, ThrottlingException,
 * RequestLimitExceeded, LimitExceededException, and
 * TransactionInProgressException: a TransactWriteItems with the same
 * ClientRequestToken is still running, so this attempt did nothing).
 */
extern bool ddb_error_is_throttling(const char *type);

/*
 * DynamoDB's "ThrottlingReasons" of an error body, as one sentence for an
 * error's detail, in out (always terminated, truncated to outlen):
 * "Throttled at the table: TableReadProvisionedThroughputExceeded on
 * arn:aws:dynamodb:...:table/T; at a partition: ..."  Each reason is placed
 * at the table, an index, a partition (KeyRange...) or the account
 * (...AccountLimit...) from its name; text outside printable ASCII is
 * dropped.  Returns how many reasons were written (0: out is "").
 */
extern int	ddb_error_throttling_reasons(const cJSON *json, char *out, size_t outlen);

/*
 * The accounting fields of a successful answer.  Counts are clamped to
 * [0, 2^53]; absent fields count 0.
 */
typedef struct ddb_resp_counts
{
	long long	count;			/* "Count" (Query, Scan) */
	long long	scanned;		/* "ScannedCount" (Query, Scan) */
	bool		has_item;		/* "Item" present (GetItem) */
	long long	batch_items;	/* items in every table of "Responses" (BatchGetItem) */
	double		capacity;		/* sum of CapacityUnits of "ConsumedCapacity",
								 * an object or an array of objects */
	bool		has_capacity;	/* it held at least one CapacityUnits number */
} ddb_resp_counts;

extern void ddb_resp_counts_read(const cJSON *resp, ddb_resp_counts *out);

/* One table's share of an answer's "ConsumedCapacity". */
typedef struct ddb_capacity_part
{
	const char *table;			/* its TableName, "" when absent; in the tree */
	double		units;			/* its CapacityUnits, as ddb_resp_counts reads them */
} ddb_capacity_part;

/*
 * The parts of "ConsumedCapacity" (one for an object, one per object of an
 * array) that hold a CapacityUnits number, up to max of them in parts;
 * returns how many there are in all.
 */
extern int	ddb_resp_capacity_parts(const cJSON *resp, ddb_capacity_part *parts, int max);

/*
 * "UnprocessedKeys" (BatchGetItem) or "UnprocessedItems" (BatchWriteItem)
 * when it holds at least one table, else NULL: what to send again.
 */
extern const cJSON *ddb_resp_unprocessed(const cJSON *resp);

/*
 * How many requests an UnprocessedItems object holds (the PutRequests and
 * DeleteRequests of every table), or how many keys an UnprocessedKeys
 * object holds (the Keys of every table); members of any other shape count
 * 0.  Clamped to [0, 2^31 - 1]; 0 for NULL.
 */
extern int	ddb_resp_unprocessed_count(const cJSON *unprocessed);

/* "LastEvaluatedKey" when it is a non-empty object, else NULL: there is a next page. */
extern const cJSON *ddb_resp_last_key(const cJSON *resp);

#endif							/* DDB_RESPONSE_CORE_H */
