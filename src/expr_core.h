/*-------------------------------------------------------------------------
 * expr_core.h
 *	  Pure C evaluation of DynamoDB condition expressions on items, and the
 *	  comparison of attribute values as DynamoDB compares them.  No
 *	  PostgreSQL headers (unit-tested, fuzzed).
 *
 * A transaction's held writes are not in DynamoDB yet, so when the
 * transaction reads, the items it holds are checked here against the
 * request DynamoDB would have run them through: its KeyConditionExpression
 * and FilterExpression, with the request's own ExpressionAttributeNames and
 * ExpressionAttributeValues.  The grammar is DynamoDB's condition grammar:
 * comparisons (= <> < <= > >=), BETWEEN, IN, AND, OR, NOT, parentheses, and
 * the functions attribute_exists, attribute_not_exists, attribute_type,
 * begins_with and contains, on document paths (#a.#b[2]).
 *-------------------------------------------------------------------------
 */
#ifndef DDB_EXPR_CORE_H
#define DDB_EXPR_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

/*
 * Evaluates condition expression expr on item (an object of attribute name
 * -> AttributeValue).  names maps "#placeholder" -> attribute name, values
 * ":placeholder" -> AttributeValue; either may be NULL.  Returns 1 (true),
 * 0 (false), or -1 with a message in err for an expression that does not
 * parse or names an unknown placeholder.
 */
extern int	ddb_cond_eval(const char *expr, const cJSON *names, const cJSON *values,
						  const cJSON *item, char *err, size_t errlen);

/*
 * Whether two AttributeValues are equal as DynamoDB's "=" says: the same
 * type, numbers by value ("1" = "1.0"), sets in any order, lists in order,
 * maps member by member.
 */
extern bool ddb_av_equal(const cJSON *a, const cJSON *b);

/*
 * The order of two AttributeValues as DynamoDB sorts keys: numbers by
 * value, strings and binaries byte by byte.  -1, 0 or 1; 2 when they
 * cannot be ordered (other types, or two different types).
 */
extern int	ddb_av_order(const cJSON *a, const cJSON *b);

#endif							/* DDB_EXPR_CORE_H */
