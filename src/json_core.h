/*-------------------------------------------------------------------------
 * json_core.h
 *	  A JSON parser that builds cJSON trees, faster than cJSON's own, for
 *	  DynamoDB's answers.  No PostgreSQL headers (unit-tested, fuzzed).
 *-------------------------------------------------------------------------
 */
#ifndef DDB_JSON_CORE_H
#define DDB_JSON_CORE_H

#include <stddef.h>
#include <cjson/cJSON.h>

/*
 * The tree cJSON_ParseWithLength(text, len) of cJSON 1.7 returns, node for
 * node: the same types, strings, numbers (through strtod, as cJSON), prev
 * and next links, and NULL for the same inputs, including cJSON's
 * leniencies (any byte up to space is white space, text after the value is
 * ignored, a leading UTF-8 byte order mark is skipped).  Nodes and strings
 * are separate allocations from the allocator below, so cJSON_Delete and
 * cJSON_Duplicate work on the tree when cJSON's hooks use the same one.
 */
extern cJSON *ddb_json_parse(const char *text, size_t len);

/* Memory for ddb_json_parse (default malloc/free); NULL restores the default. */
extern void ddb_json_set_allocator(void *(*alloc_fn) (size_t), void (*free_fn) (void *));

#endif
