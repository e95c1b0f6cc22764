/*-------------------------------------------------------------------------
 * limits_core.h
 *	  The limits DynamoDB documents for a request, checked before it is
 *	  sent: expression sizes, key value lengths, sort key condition order.
 *
 * Pure C (cJSON and codec_core only): unit-tested on its own.  dynalite
 * enforces few of these limits, so without this check a request that
 * DynamoDB would refuse could pass every test.
 *-------------------------------------------------------------------------
 */
#ifndef DDB_LIMITS_CORE_H
#define DDB_LIMITS_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

/* DynamoDB's service constraints ("Expression parameters", "Partition and sort keys") */
#define DDB_LIMIT_EXPRESSION_BYTES		4096	/* any one expression string */
#define DDB_LIMIT_SUBSTITUTION_BYTES	(2 * 1024 * 1024)	/* names + values of a request */
#define DDB_LIMIT_PARTITION_KEY_BYTES	2048
#define DDB_LIMIT_SORT_KEY_BYTES		1024
#define DDB_LIMIT_IN_OPERANDS			100

typedef enum ddb_limits_verdict
{
	DDB_LIMITS_SEND,			/* within the limits (the request may have been rewritten) */
	DDB_LIMITS_EMPTY,			/* no item can match: send nothing, answer nothing */
	DDB_LIMITS_INVALID			/* cannot be sent at all (why says what is wrong) */
} ddb_limits_verdict;

/* The key attributes of what a request reads or writes: a table or an index. */
typedef struct ddb_key_schema
{
	const char *pk;				/* partition key attribute */
	const char *sk;				/* sort key attribute, or NULL */
	const char *table_sk;		/* the table's sort key, or NULL: no value of it is
								 * over 1024 bytes, also where an index has it as
								 * partition key */
} ddb_key_schema;

/*
 * A sort key condition of a Query that cannot be sent as it is (a bound
 * longer than any sort key can be), taken out of the request so that the
 * caller checks it on each item instead.  lo and hi are AttributeValues
 * (either may be NULL) owned by the caller (cJSON_Delete).
 */
typedef struct ddb_key_residual
{
	bool		active;
	cJSON	   *lo;
	bool		lo_inclusive;
	cJSON	   *hi;
	bool		hi_inclusive;
} ddb_key_residual;

/*
 * Checks a request of operation op ("Query", "GetItem", ...) just before it
 * is sent, against what DynamoDB accepts, with keys naming the key
 * attributes of the table or index it reads (for writes: the table's).
 *
 * - Every expression (KeyCondition, Filter, Projection, Condition, Update)
 *   is at most DDB_LIMIT_EXPRESSION_BYTES, and the names and values at most
 *   DDB_LIMIT_SUBSTITUTION_BYTES: else INVALID.
 * - Reads: a key value that no item can have (empty; a partition key over
 *   2048 bytes, a sort key over 1024) makes the request EMPTY; a
 *   BatchGetItem only loses that key (EMPTY when none is left).  In a
 *   Query's key condition: "= v", "< v", "<= v" with such a v, BETWEEN
 *   with lo > hi or hi empty, begins_with with a prefix over the limit
 *   are EMPTY; "> ''", ">= ''" and begins_with(k, '') are dropped (true
 *   of every key); BETWEEN '' AND hi becomes "<= hi"; any other bound over
 *   the limit is taken out into *residual (then Limit goes, and
 *   Select=COUNT becomes a projection of the sort key, so that the caller
 *   sees the items it must check).  Unused placeholders are removed.
 * - Writes (PutItem, UpdateItem, DeleteItem, BatchWriteItem): a key value
 *   that cannot be stored is INVALID.
 *
 * residual may be NULL when the request has no Query key condition.  why
 * (may be NULL) receives a sentence for EMPTY and INVALID.
 */
extern ddb_limits_verdict ddb_limits_check(const char *op, cJSON *req,
										   const ddb_key_schema *keys,
										   ddb_key_residual *residual,
										   char *why, size_t whylen);

/*
 * Whether a key value (an AttributeValue) can exist in DynamoDB as the
 * partition key (is_sort false) or sort key: S and B of 1 byte up to the
 * limit, any valid N.  why as above.
 */
extern bool ddb_limits_key_value_ok(const cJSON *av, bool is_sort, char *why, size_t whylen);

/* Whether an item's sort key value (an AttributeValue, may be NULL) passes a residual. */
extern bool ddb_limits_residual_admits(const ddb_key_residual *r, const cJSON *av);

/*
 * Orders two key values of one type as DynamoDB does (S and B bytewise, N
 * numerically): -1, 0, 1; -2 when they are not of one comparable type.
 */
extern int	ddb_limits_key_compare(const cJSON *a, const cJSON *b);

#endif
