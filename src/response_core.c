/*-------------------------------------------------------------------------
 * response_core.c
 *	  Pure C reading of DynamoDB answers: the __type, message and
 *	  throttling reasons of an error body, the accounting fields of an
 *	  answer (Count, ScannedCount, ConsumedCapacity and its parts by table,
 *	  BatchGetItem Responses), and whether a batch left
 *	  keys or items unprocessed (and how many) or a page has a successor.
 *
 * Nothing here includes PostgreSQL headers, so it is unit-tested
 * (test/unit/test_response_core.c) and fuzzed (test/fuzz/
 * fuzz_response_core.c) on its own; request.c is the PostgreSQL side.
 * Every function accepts any JSON value, or NULL, where it expects an
 * answer: what a server or a proxy sends is never trusted to be well formed.
 *-------------------------------------------------------------------------
 */
#include "response_core.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Counts above 2^53 are not exact in a double anyway; DynamoDB never sends them. */
#define DDB_COUNT_MAX 9007199254740992.0

/* A string member of an object, or NULL (also when json is not an object). */
static const char *
string_member(const cJSON *json, const char *name)
{
	const cJSON *v;

	if (!cJSON_IsObject(json))
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(json, name);
	return cJSON_IsString(v) && v->valuestring != NULL ? v->valuestring : NULL;
}

/*
 * DynamoDB answers "__type": "com.amazonaws.dynamodb.v20120810#Name" (and
 * "com.amazon.coral.service#Name" for some): the part after the last '#'.
 */
static const char *
strip_namespace(const char *type)
{
	const char *hash = strrchr(type, '#');

	return hash ? hash + 1 : type;
}

void
ddb_error_read(const cJSON *json, ddb_error_info *out)
{
	const char *t = string_member(json, "__type");
	const char *m = string_member(json, "message");

	/* DynamoDB spells it "message"; some errors (and proxies) "Message" */
	if (m == NULL)
		m = string_member(json, "Message");
	out->type = t ? strip_namespace(t) : "";
	out->message = m ? m : "";
}

bool
ddb_error_type_text(const char *body, size_t len, char *out, size_t outlen)
{
	cJSON	   *json;
	ddb_error_info info;
	bool		found;

	if (outlen > 0)
		out[0] = '\0';
	if (body == NULL || len == 0)
		return false;
	json = cJSON_ParseWithLength(body, len);
	if (json == NULL)
		return false;
	ddb_error_read(json, &info);
	found = info.type[0] != '\0';
	if (outlen > 0)
		snprintf(out, outlen, "%s", info.type);
	cJSON_Delete(json);
	return found;
}

bool
ddb_error_is_throttling(const char *type)
{
	static const char *const throttling[] = {
		"ProvisionedThroughputExceededException",
		"ThrottlingException",
		"RequestLimitExceeded",
		"LimitExceededException",
		/* a TransactWriteItems with the same token is still running */
		"TransactionInProgressException",
		NULL
	};
	int			i;

	if (type == NULL)
		return false;
	for (i = 0; throttling[i]; i++)
		if (strcmp(type, throttling[i]) == 0)
			return true;
	return false;
}

/* Appends the printable ASCII of s (at most max bytes of it) to out. */
static void
append_printable(char *out, size_t outlen, size_t *len, const char *s, size_t max)
{
	size_t		i;

	for (i = 0; s[i] != '\0' && i < max && *len + 1 < outlen; i++)
		if ((unsigned char) s[i] >= 0x20 && (unsigned char) s[i] < 0x7f)
			out[(*len)++] = s[i];
	out[*len] = '\0';
}

/* Where a throttling reason applies, from its name (ResourceOperationLimit). */
static const char *
reason_scope(const char *reason)
{
	if (strstr(reason, "KeyRange") != NULL)
		return "at a partition";
	if (strstr(reason, "AccountLimit") != NULL)
		return "at the account";
	if (strncmp(reason, "Index", 5) == 0)
		return "at an index";
	if (strncmp(reason, "Table", 5) == 0)
		return "at the table";
	return NULL;
}

int
ddb_error_throttling_reasons(const cJSON *json, char *out, size_t outlen)
{
	const cJSON *reasons;
	const cJSON *e;
	size_t		len = 0;
	int			n = 0;

	if (outlen == 0)
		return 0;
	out[0] = '\0';
	if (!cJSON_IsObject(json))
		return 0;
	reasons = cJSON_GetObjectItemCaseSensitive(json, "ThrottlingReasons");
	if (!cJSON_IsArray(reasons))
		return 0;
	cJSON_ArrayForEach(e, reasons)
	{
		const char *reason = string_member(e, "reason");
		const char *resource = string_member(e, "resource");
		const char *scope;

		if (reason == NULL || reason[0] == '\0')
			continue;
		if (n == 8)
		{
			append_printable(out, outlen, &len, "; ...", 5);
			break;
		}
		scope = reason_scope(reason);
		append_printable(out, outlen, &len, n == 0 ? "Throttled " : "; ", 10);
		if (scope)
		{
			append_printable(out, outlen, &len, scope, 32);
			append_printable(out, outlen, &len, ": ", 2);
		}
		append_printable(out, outlen, &len, reason, 128);
		if (resource && resource[0] != '\0')
		{
			append_printable(out, outlen, &len, " on ", 4);
			append_printable(out, outlen, &len, resource, 512);
		}
		n++;
	}
	if (n > 0)
		append_printable(out, outlen, &len, ".", 1);
	return n;
}

/* A count member as a non-negative integer; 0 when absent or not a number. */
static long long
count_member(const cJSON *json, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(json, name);
	double		d;

	if (!cJSON_IsNumber(v))
		return 0;
	d = v->valuedouble;
	if (!(d > 0))				/* also NaN */
		return 0;
	if (d > DDB_COUNT_MAX)
		return (long long) DDB_COUNT_MAX;
	return (long long) d;
}

/*
 * CapacityUnits of one ConsumedCapacity object; 0 unless a finite,
 * non-negative number.  *has is set when it is one.
 */
static double
capacity_units(const cJSON *cap, bool *has)
{
	const cJSON *v;

	if (!cJSON_IsObject(cap))
		return 0;
	v = cJSON_GetObjectItemCaseSensitive(cap, "CapacityUnits");
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0)
		return 0;
	*has = true;
	return v->valuedouble;
}

void
ddb_resp_counts_read(const cJSON *resp, ddb_resp_counts *out)
{
	const cJSON *r;
	const cJSON *t;
	const cJSON *cap;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(resp))
		return;
	out->count = count_member(resp, "Count");
	out->scanned = count_member(resp, "ScannedCount");
	out->has_item = cJSON_GetObjectItemCaseSensitive(resp, "Item") != NULL;

	/* BatchGetItem: {"Responses": {"Table": [item, ...], ...}} */
	r = cJSON_GetObjectItemCaseSensitive(resp, "Responses");
	if (cJSON_IsObject(r))
	{
		cJSON_ArrayForEach(t, r)
		{
			if (cJSON_IsArray(t) && out->batch_items < (long long) DDB_COUNT_MAX)
				out->batch_items += cJSON_GetArraySize(t);
		}
	}

	/* one object for single-table operations, an array for batches */
	cap = cJSON_GetObjectItemCaseSensitive(resp, "ConsumedCapacity");
	if (cJSON_IsArray(cap))
	{
		const cJSON *e;

		cJSON_ArrayForEach(e, cap)
			out->capacity += capacity_units(e, &out->has_capacity);
	}
	else
		out->capacity = capacity_units(cap, &out->has_capacity);
	if (!isfinite(out->capacity))
		out->capacity = 0;
}

int
ddb_resp_capacity_parts(const cJSON *resp, ddb_capacity_part *parts, int max)
{
	const cJSON *cap;
	const cJSON *e;
	int			n = 0;

	if (!cJSON_IsObject(resp))
		return 0;
	cap = cJSON_GetObjectItemCaseSensitive(resp, "ConsumedCapacity");
	if (cJSON_IsObject(cap))
		e = cap;
	else if (cJSON_IsArray(cap))
		e = cap->child;
	else
		return 0;
	for (; e != NULL; e = cJSON_IsArray(cap) ? e->next : NULL)
	{
		bool		has = false;
		double		units = capacity_units(e, &has);
		const char *table;

		if (!has)
			continue;
		if (n < max)
		{
			table = string_member(e, "TableName");
			parts[n].table = table ? table : "";
			parts[n].units = units;
		}
		n++;
	}
	return n;
}

/* An object member that holds at least one member, or NULL. */
static const cJSON *
nonempty_object(const cJSON *resp, const char *name)
{
	const cJSON *v;

	if (!cJSON_IsObject(resp))
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(resp, name);
	return cJSON_IsObject(v) && v->child != NULL ? v : NULL;
}

const cJSON *
ddb_resp_unprocessed(const cJSON *resp)
{
	const cJSON *u = nonempty_object(resp, "UnprocessedKeys");

	return u ? u : nonempty_object(resp, "UnprocessedItems");
}

int
ddb_resp_unprocessed_count(const cJSON *unprocessed)
{
	const cJSON *t;
	long long	n = 0;

	if (!cJSON_IsObject(unprocessed))
		return 0;
	cJSON_ArrayForEach(t, unprocessed)
	{
		/* BatchWriteItem: {"T": [request, ...]}; BatchGetItem: {"T": {"Keys": [...]}} */
		const cJSON *list = cJSON_IsArray(t) ? t :
		cJSON_IsObject(t) ? cJSON_GetObjectItemCaseSensitive(t, "Keys") : NULL;

		if (cJSON_IsArray(list))
			n += cJSON_GetArraySize(list);
		if (n > 2147483647LL)
			return 2147483647;
	}
	return (int) n;
}

const cJSON *
ddb_resp_last_key(const cJSON *resp)
{
	return nonempty_object(resp, "LastEvaluatedKey");
}
