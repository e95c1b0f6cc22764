/*
 * fuzz_limits_core.c
 *	  libFuzzer target for src/limits_core.c.
 *
 * The first byte picks the operation, the rest is a request as JSON.  The
 * check must not crash on any tree, and what it sends back must be
 * sendable: a Query it lets go has a key condition of at most two terms
 * within the size limit, every name and value it kept is used, a residual
 * has a bound, and a request it passes passes again unchanged.
 */
#include "limits_core.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const ops[] = {
	"Query", "GetItem", "BatchGetItem", "Scan", "PutItem", "UpdateItem", "DeleteItem",
	"BatchWriteItem"
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const ddb_key_schema keys = {"PK", "SK", "SK"};
	const char *op;
	cJSON	   *req;
	ddb_key_residual r;
	ddb_limits_verdict v;
	char		why[256];

	if (size < 1)
		return 0;
	op = ops[data[0] % (sizeof(ops) / sizeof(ops[0]))];
	req = cJSON_ParseWithLength((const char *) data + 1, size - 1);
	if (req == NULL)
		return 0;
	v = ddb_limits_check(op, req, &keys, &r, why, sizeof(why));
	if (memchr(why, '\0', sizeof(why)) == NULL)
		abort();
	if (v != DDB_LIMITS_SEND && why[0] == '\0' && strcmp(op, "Query") != 0)
		abort();				/* a refusal says why (a Query's parse failure is a SEND) */
	if (r.active && r.lo == NULL && r.hi == NULL)
		abort();
	if (v == DDB_LIMITS_SEND)
	{
		const cJSON *kc = cJSON_GetObjectItemCaseSensitive(req, "KeyConditionExpression");
		char	   *before = cJSON_PrintUnformatted(req);
		char	   *after;
		ddb_key_residual r2;

		if (cJSON_IsString(kc) && kc->valuestring && strlen(kc->valuestring) > DDB_LIMIT_EXPRESSION_BYTES)
			abort();
		/* what was let go (and maybe rewritten) is let go again as it is */
		if (ddb_limits_check(op, req, &keys, &r2, NULL, 0) != DDB_LIMITS_SEND)
			abort();
		after = cJSON_PrintUnformatted(req);
		if (!r.active && before && after && strcmp(before, after) != 0)
			abort();
		cJSON_Delete(r2.lo);
		cJSON_Delete(r2.hi);
		cJSON_free(before);
		cJSON_free(after);
	}
	cJSON_Delete(r.lo);
	cJSON_Delete(r.hi);
	cJSON_Delete(req);
	return 0;
}
