/*
 * test_limits_core.c
 *	  Unit tests of src/limits_core.c: what a request may hold before it is
 *	  sent (expression sizes, key value lengths, sort key condition order),
 *	  and how a Query's key condition is rewritten when some of it cannot be
 *	  sent.
 */
#include "limits_core.h"

#include <stdlib.h>

#include "codec_core.h"
#include "unit.h"

static const ddb_key_schema table_keys = {"PK", "SK", "SK"};

/* A string of n copies of c (static buffer, one at a time). */
static const char *
repeat(char c, size_t n)
{
	static char buf[3 * 1024 * 1024];

	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

/* A Query on PK = pk with a sort key condition cond over :k1 = a (and :k2 = b). */
static cJSON *
query(const char *pk, const char *cond, const char *a, const char *b)
{
	cJSON	   *req = cJSON_CreateObject();
	cJSON	   *names = cJSON_AddObjectToObject(req, "ExpressionAttributeNames");
	cJSON	   *vals = cJSON_AddObjectToObject(req, "ExpressionAttributeValues");
	char		kc[256];

	cJSON_AddStringToObject(req, "TableName", "T");
	snprintf(kc, sizeof(kc), "#n0 = :k0%s%s", cond ? " AND " : "", cond ? cond : "");
	cJSON_AddStringToObject(req, "KeyConditionExpression", kc);
	cJSON_AddStringToObject(names, "#n0", "PK");
	cJSON_AddStringToObject(names, "#n1", "SK");
	cJSON_AddItemToObject(vals, ":k0", cJSON_CreateObject());
	cJSON_AddStringToObject(cJSON_GetObjectItem(vals, ":k0"), "S", pk);
	if (a)
	{
		cJSON_AddItemToObject(vals, ":k1", cJSON_CreateObject());
		cJSON_AddStringToObject(cJSON_GetObjectItem(vals, ":k1"), "S", a);
	}
	if (b)
	{
		cJSON_AddItemToObject(vals, ":k2", cJSON_CreateObject());
		cJSON_AddStringToObject(cJSON_GetObjectItem(vals, ":k2"), "S", b);
	}
	return req;
}

static const char *
field(const cJSON *req, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, name);

	return cJSON_IsString(v) ? v->valuestring : "(none)";
}

static cJSON *
av(const char *type, const char *text)
{
	cJSON	   *v = cJSON_CreateObject();

	cJSON_AddStringToObject(v, type, text);
	return v;
}

static void
test_expression_sizes(void)
{
	cJSON	   *req = cJSON_CreateObject();
	char		why[256];

	cJSON_AddStringToObject(req, "TableName", "T");
	cJSON_AddStringToObject(req, "FilterExpression", repeat('a', 4096));
	CHECK(ddb_limits_check("Scan", req, &table_keys, NULL, why, sizeof(why)) == DDB_LIMITS_SEND);
	cJSON_ReplaceItemInObject(req, "FilterExpression", cJSON_CreateString(repeat('a', 4097)));
	CHECK(ddb_limits_check("Scan", req, &table_keys, NULL, why, sizeof(why)) == DDB_LIMITS_INVALID);
	CHECK(strstr(why, "FilterExpression has 4097 bytes") != NULL);
	cJSON_DeleteItemFromObject(req, "FilterExpression");
	cJSON_AddStringToObject(req, "ProjectionExpression", repeat('p', 5000));
	CHECK(ddb_limits_check("Query", req, &table_keys, NULL, why, sizeof(why)) == DDB_LIMITS_INVALID);
	CHECK(strstr(why, "ProjectionExpression") != NULL);
	cJSON_DeleteItemFromObject(req, "ProjectionExpression");
	cJSON_AddStringToObject(req, "UpdateExpression", repeat('u', 4097));
	CHECK(ddb_limits_check("UpdateItem", req, NULL, NULL, why, sizeof(why)) == DDB_LIMITS_INVALID);
	cJSON_DeleteItemFromObject(req, "UpdateExpression");
	/* substitutions: 2 MB in all */
	cJSON_AddStringToObject(req, "FilterExpression", "#n0 = :v0");
	cJSON_AddItemToObject(req, "ExpressionAttributeNames", cJSON_CreateObject());
	cJSON_AddStringToObject(cJSON_GetObjectItem(req, "ExpressionAttributeNames"), "#n0", "a");
	cJSON_AddItemToObject(req, "ExpressionAttributeValues", cJSON_CreateObject());
	cJSON_AddItemToObject(cJSON_GetObjectItem(req, "ExpressionAttributeValues"), ":v0",
						  av("S", repeat('v', 1024 * 1024)));
	CHECK(ddb_limits_check("Scan", req, &table_keys, NULL, why, sizeof(why)) == DDB_LIMITS_SEND);
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(req, "ExpressionAttributeValues"), ":v0",
							  av("S", repeat('v', 2 * 1024 * 1024)));
	CHECK(ddb_limits_check("Scan", req, &table_keys, NULL, why, sizeof(why)) == DDB_LIMITS_INVALID);
	CHECK(strstr(why, "names and values") != NULL);
	cJSON_Delete(req);
}

static void
test_key_values(void)
{
	cJSON	   *v;
	char		why[256];

	v = av("S", "x");
	CHECK(ddb_limits_key_value_ok(v, false, why, sizeof(why)));
	cJSON_Delete(v);
	v = av("S", "");
	CHECK(!ddb_limits_key_value_ok(v, false, why, sizeof(why)));
	CHECK(strstr(why, "cannot be empty") != NULL);
	cJSON_Delete(v);
	v = av("S", repeat('k', 2048));
	CHECK(ddb_limits_key_value_ok(v, false, NULL, 0));
	CHECK(!ddb_limits_key_value_ok(v, true, why, sizeof(why)));
	CHECK(strstr(why, "at most 1024 bytes; this one has 2048") != NULL);
	cJSON_Delete(v);
	v = av("S", repeat('k', 2049));
	CHECK(!ddb_limits_key_value_ok(v, false, NULL, 0));
	cJSON_Delete(v);
	v = av("S", repeat('k', 1024));
	CHECK(ddb_limits_key_value_ok(v, true, NULL, 0));
	cJSON_Delete(v);
	/* UTF-8 bytes, not characters: 512 two-byte characters fit, one more does not */
	{
		char		s[2 * 513 + 1];
		int			i;

		for (i = 0; i < 513; i++)
		{
			s[2 * i] = (char) 0xc3;
			s[2 * i + 1] = (char) 0xa9;
		}
		s[2 * 512] = '\0';
		v = av("S", s);
		CHECK(ddb_limits_key_value_ok(v, true, NULL, 0));
		cJSON_Delete(v);
		s[2 * 512] = (char) 0xc3;
		s[2 * 513] = '\0';
		v = av("S", s);
		CHECK(!ddb_limits_key_value_ok(v, true, NULL, 0));
		cJSON_Delete(v);
	}
	/* B: decoded bytes */
	v = av("B", "");
	CHECK(!ddb_limits_key_value_ok(v, true, NULL, 0));
	cJSON_Delete(v);
	v = av("B", "AAE=");
	CHECK(ddb_limits_key_value_ok(v, true, NULL, 0));
	cJSON_Delete(v);
	{
		unsigned char raw[1025];
		char		enc[2000];

		memset(raw, 7, sizeof(raw));
		ddb_base64_encode(raw, 1024, enc);
		v = av("B", enc);
		CHECK(ddb_limits_key_value_ok(v, true, NULL, 0));
		cJSON_Delete(v);
		ddb_base64_encode(raw, 1025, enc);
		v = av("B", enc);
		CHECK(!ddb_limits_key_value_ok(v, true, NULL, 0));
		cJSON_Delete(v);
	}
	/* N: any valid number; other types are no keys */
	v = av("N", "-12.5");
	CHECK(ddb_limits_key_value_ok(v, false, NULL, 0));
	cJSON_Delete(v);
	v = av("N", "NaN");
	CHECK(!ddb_limits_key_value_ok(v, false, NULL, 0));
	cJSON_Delete(v);
	v = cJSON_CreateObject();
	cJSON_AddBoolToObject(v, "BOOL", 1);
	CHECK(!ddb_limits_key_value_ok(v, false, why, sizeof(why)));
	cJSON_Delete(v);
	CHECK(!ddb_limits_key_value_ok(NULL, false, NULL, 0));
}

static void
test_compare(void)
{
	cJSON	   *a = av("S", "10");
	cJSON	   *b = av("S", "9");
	cJSON	   *c = av("N", "10");
	cJSON	   *d = av("N", "9.5");
	cJSON	   *e = av("B", "/w==");	/* 0xff */
	cJSON	   *f = av("B", "AP8=");	/* 0x00 0xff */
	cJSON	   *g = av("S", "1");

	CHECK(ddb_limits_key_compare(a, b) == -1);	/* bytes */
	CHECK(ddb_limits_key_compare(c, d) == 1);	/* numbers */
	CHECK(ddb_limits_key_compare(e, f) == 1);	/* decoded bytes, not base64 text */
	CHECK(ddb_limits_key_compare(g, a) == -1);	/* a prefix sorts first */
	CHECK(ddb_limits_key_compare(a, a) == 0);
	CHECK(ddb_limits_key_compare(a, c) == -2);
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(c);
	cJSON_Delete(d);
	cJSON_Delete(e);
	cJSON_Delete(f);
	cJSON_Delete(g);
}

static void
test_get_item(void)
{
	cJSON	   *req = cJSON_CreateObject();
	cJSON	   *key = cJSON_AddObjectToObject(req, "Key");
	char		why[256];

	cJSON_AddStringToObject(req, "TableName", "T");
	cJSON_AddItemToObject(key, "PK", av("S", "USER#1"));
	cJSON_AddItemToObject(key, "SK", av("S", "USER#1"));
	CHECK(ddb_limits_check("GetItem", req, &table_keys, NULL, why, sizeof(why)) == DDB_LIMITS_SEND);
	cJSON_ReplaceItemInObject(key, "SK", av("S", ""));
	CHECK(ddb_limits_check("GetItem", req, &table_keys, NULL, why, sizeof(why)) == DDB_LIMITS_EMPTY);
	CHECK(strstr(why, "sort key value cannot be empty") != NULL);
	cJSON_ReplaceItemInObject(key, "SK", av("S", "x"));
	cJSON_ReplaceItemInObject(key, "PK", av("S", repeat('p', 2049)));
	CHECK(ddb_limits_check("GetItem", req, &table_keys, NULL, why, sizeof(why)) == DDB_LIMITS_EMPTY);
	/* the same key in a write cannot be stored */
	CHECK(ddb_limits_check("DeleteItem", req, &table_keys, NULL, why, sizeof(why)) == DDB_LIMITS_INVALID);
	CHECK(strstr(why, "partition key value is at most 2048 bytes") != NULL);
	cJSON_Delete(req);

	req = cJSON_CreateObject();
	key = cJSON_AddObjectToObject(req, "Item");
	cJSON_AddItemToObject(key, "PK", av("S", "a"));
	cJSON_AddItemToObject(key, "SK", av("S", ""));
	cJSON_AddItemToObject(key, "other", av("S", ""));
	CHECK(ddb_limits_check("PutItem", req, &table_keys, NULL, why, sizeof(why)) == DDB_LIMITS_INVALID);
	cJSON_ReplaceItemInObject(key, "SK", av("S", "b"));
	CHECK(ddb_limits_check("PutItem", req, &table_keys, NULL, why, sizeof(why)) == DDB_LIMITS_SEND);
	cJSON_Delete(req);
}

static void
test_batch_get(void)
{
	cJSON	   *req = cJSON_Parse("{\"RequestItems\":{\"T\":{\"Keys\":["
								  "{\"PK\":{\"S\":\"a\"},\"SK\":{\"S\":\"\"}},"
								  "{\"PK\":{\"S\":\"b\"},\"SK\":{\"S\":\"b\"}},"
								  "{\"PK\":{\"S\":\"\"},\"SK\":{\"S\":\"c\"}}],"
								  "\"ProjectionExpression\":\"#n0\","
								  "\"ExpressionAttributeNames\":{\"#n0\":\"PK\"}}}}");
	char	   *text;
	char		why[256];

	CHECK(ddb_limits_check("BatchGetItem", req, &table_keys, NULL, why, sizeof(why)) == DDB_LIMITS_SEND);
	text = cJSON_PrintUnformatted(req);
	CHECK_STR(text, "{\"RequestItems\":{\"T\":{\"Keys\":[{\"PK\":{\"S\":\"b\"},\"SK\":{\"S\":\"b\"}}],"
			  "\"ProjectionExpression\":\"#n0\",\"ExpressionAttributeNames\":{\"#n0\":\"PK\"}}}}");
	free(text);
	cJSON_Delete(req);

	req = cJSON_Parse("{\"RequestItems\":{\"T\":{\"Keys\":[{\"PK\":{\"S\":\"\"},\"SK\":{\"S\":\"x\"}}]}}}");
	CHECK(ddb_limits_check("BatchGetItem", req, &table_keys, NULL, why, sizeof(why)) == DDB_LIMITS_EMPTY);
	cJSON_Delete(req);

	req = cJSON_Parse("{\"RequestItems\":{\"T\":[{\"PutRequest\":{\"Item\":{\"PK\":{\"S\":\"a\"},\"SK\":{\"S\":\"a\"}}}},"
					  "{\"DeleteRequest\":{\"Key\":{\"PK\":{\"S\":\"a\"},\"SK\":{\"S\":\"\"}}}}]}}");
	CHECK(ddb_limits_check("BatchWriteItem", req, &table_keys, NULL, why, sizeof(why)) == DDB_LIMITS_INVALID);
	cJSON_Delete(req);
}

/* Runs a Query through the check; returns the verdict, *kc the key condition after. */
static ddb_limits_verdict
run_query(cJSON *req, ddb_key_residual *r, const char **kc)
{
	ddb_limits_verdict v = ddb_limits_check("Query", req, &table_keys, r, NULL, 0);

	*kc = field(req, "KeyConditionExpression");
	return v;
}

static void
test_query(void)
{
	cJSON	   *req;
	ddb_key_residual r;
	const char *kc;
	char	   *text;

	/* fine as it is */
	req = query("USER#1", "begins_with(#n1, :k1)", "ORDER#", NULL);
	CHECK(run_query(req, &r, &kc) == DDB_LIMITS_SEND);
	CHECK_STR(kc, "#n0 = :k0 AND begins_with(#n1, :k1)");
	CHECK(!r.active);
	cJSON_Delete(req);

	/* no partition key is empty or over 2048 bytes */
	req = query("", NULL, NULL, NULL);
	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(req, "ExpressionAttributeNames"), "#n1");
	CHECK(run_query(req, &r, &kc) == DDB_LIMITS_EMPTY);
	cJSON_Delete(req);
	req = query(repeat('p', 2049), "#n1 = :k1", "x", NULL);
	CHECK(run_query(req, &r, &kc) == DDB_LIMITS_EMPTY);
	cJSON_Delete(req);
	req = query(repeat('p', 2048), "#n1 = :k1", "x", NULL);
	CHECK(run_query(req, &r, &kc) == DDB_LIMITS_SEND);
	cJSON_Delete(req);

	/* sort key = '' or oversized, < '', <= '': nothing */
	req = query("a", "#n1 = :k1", "", NULL);
	CHECK(run_query(req, &r, &kc) == DDB_LIMITS_EMPTY);
	cJSON_Delete(req);
	req = query("a", "#n1 = :k1", repeat('s', 1025), NULL);
	CHECK(run_query(req, &r, &kc) == DDB_LIMITS_EMPTY);
	cJSON_Delete(req);
	req = query("a", "#n1 < :k1", "", NULL);
	CHECK(run_query(req, &r, &kc) == DDB_LIMITS_EMPTY);
	cJSON_Delete(req);
	req = query("a", "#n1 <= :k1", "", NULL);
	CHECK(run_query(req, &r, &kc) == DDB_LIMITS_EMPTY);
	cJSON_Delete(req);

	/* > '', >= '', begins_with '': every key; the term and its placeholders go */
	req = query("a", "#n1 > :k1", "", NULL);
	cJSON_AddStringToObject(req, "ProjectionExpression", "#n0, #n1");
	CHECK(run_query(req, &r, &kc) == DDB_LIMITS_SEND);
	CHECK_STR(kc, "#n0 = :k0");
	text = cJSON_PrintUnformatted(req);
	CHECK_STR(text, "{\"ExpressionAttributeNames\":{\"#n0\":\"PK\",\"#n1\":\"SK\"},"
			  "\"ExpressionAttributeValues\":{\":k0\":{\"S\":\"a\"}},"
			  "\"TableName\":\"T\",\"KeyConditionExpression\":\"#n0 = :k0\","
			  "\"ProjectionExpression\":\"#n0, #n1\"}");
	free(text);
	cJSON_Delete(req);
	req = query("a", "#n1 >= :k1", "", NULL);
	CHECK(run_query(req, &r, &kc) == DDB_LIMITS_SEND);
	CHECK_STR(kc, "#n0 = :k0");
	/* #n1 is no longer used anywhere: removed too */
	CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(req, "ExpressionAttributeNames"), "#n1") == NULL);
	cJSON_Delete(req);
	req = query("a", "begins_with(#n1, :k1)", "", NULL);
	CHECK(run_query(req, &r, &kc) == DDB_LIMITS_SEND);
	CHECK_STR(kc, "#n0 = :k0");
	cJSON_Delete(req);
	req = query("a", "begins_with(#n1, :k1)", repeat('b', 1025), NULL);
	CHECK(run_query(req, &r, &kc) == DDB_LIMITS_EMPTY);
	cJSON_Delete(req);

	/* BETWEEN: order, empty ends */
	req = query("a", "#n1 BETWEEN :k1 AND :k2", "Z", "A");
	CHECK(run_query(req, &r, &kc) == DDB_LIMITS_EMPTY);
	cJSON_Delete(req);
	req = query("a", "#n1 BETWEEN :k1 AND :k2", "A", "A");
	CHECK(run_query(req, &r, &kc) == DDB_LIMITS_SEND);
	CHECK_STR(kc, "#n0 = :k0 AND #n1 BETWEEN :k1 AND :k2");
	cJSON_Delete(req);
	req = query("a", "#n1 BETWEEN :k1 AND :k2", "", "m");
	CHECK(run_query(req, &r, &kc) == DDB_LIMITS_SEND);
	CHECK_STR(kc, "#n0 = :k0 AND #n1 <= :k2");
	CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(req, "ExpressionAttributeValues"), ":k1") == NULL);
	cJSON_Delete(req);
	req = query("a", "#n1 BETWEEN :k1 AND :k2", "", "");
	CHECK(run_query(req, &r, &kc) == DDB_LIMITS_EMPTY);
	cJSON_Delete(req);

	/* numbers compare as numbers */
	req = query("a", "#n1 BETWEEN :k1 AND :k2", "x", "y");
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(req, "ExpressionAttributeValues"), ":k1", av("N", "10"));
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(req, "ExpressionAttributeValues"), ":k2", av("N", "9"));
	CHECK(run_query(req, &r, &kc) == DDB_LIMITS_EMPTY);
	cJSON_Delete(req);

	/* a bound no key reaches: out into the residual, Limit and COUNT go */
	req = query("a", "#n1 < :k1", repeat('m', 1500), NULL);
	cJSON_AddNumberToObject(req, "Limit", 5);
	cJSON_AddStringToObject(req, "Select", "COUNT");
	CHECK(run_query(req, &r, &kc) == DDB_LIMITS_SEND);
	CHECK_STR(kc, "#n0 = :k0");
	CHECK(r.active && r.hi && !r.hi_inclusive && r.lo == NULL);
	CHECK(cJSON_GetObjectItem(req, "Limit") == NULL);
	CHECK(cJSON_GetObjectItem(req, "Select") == NULL);
	CHECK_STR(field(req, "ProjectionExpression"), "#n1");
	CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(req, "ExpressionAttributeNames"), "#n1") != NULL);
	{
		cJSON	   *k1 = av("S", "m");
		cJSON	   *k2 = av("S", repeat('m', 1024));
		cJSON	   *k3 = av("S", "n");

		CHECK(ddb_limits_residual_admits(&r, k1));
		CHECK(ddb_limits_residual_admits(&r, k2));
		CHECK(!ddb_limits_residual_admits(&r, k3));
		CHECK(!ddb_limits_residual_admits(&r, NULL));
		cJSON_Delete(k1);
		cJSON_Delete(k2);
		cJSON_Delete(k3);
	}
	cJSON_Delete(r.hi);
	cJSON_Delete(req);

	req = query("a", "#n1 BETWEEN :k1 AND :k2", "b", repeat('z', 1100));
	CHECK(run_query(req, &r, &kc) == DDB_LIMITS_SEND);
	CHECK_STR(kc, "#n0 = :k0");
	CHECK(r.active && r.lo && r.hi && r.lo_inclusive && r.hi_inclusive);
	{
		cJSON	   *k1 = av("S", "a");
		cJSON	   *k2 = av("S", "b");
		cJSON	   *k3 = av("S", "zz");

		CHECK(!ddb_limits_residual_admits(&r, k1));
		CHECK(ddb_limits_residual_admits(&r, k2));
		CHECK(ddb_limits_residual_admits(&r, k3));
		cJSON_Delete(k1);
		cJSON_Delete(k2);
		cJSON_Delete(k3);
	}
	cJSON_Delete(r.lo);
	cJSON_Delete(r.hi);
	cJSON_Delete(req);

	req = query("a", "#n1 >= :k1", repeat('q', 1100), NULL);
	CHECK(run_query(req, &r, &kc) == DDB_LIMITS_SEND);
	CHECK(r.active && r.lo && r.lo_inclusive && r.hi == NULL);
	cJSON_Delete(r.lo);
	cJSON_Delete(req);

	/* what the check does not parse goes as it is, for DynamoDB to judge */
	req = query("", "#n1 <> :k1", "x", NULL);
	CHECK(run_query(req, &r, &kc) == DDB_LIMITS_SEND);
	CHECK_STR(kc, "#n0 = :k0 AND #n1 <> :k1");
	cJSON_Delete(req);

	/* parentheses and either order; bare attribute names */
	req = query("a", NULL, "", NULL);
	cJSON_ReplaceItemInObject(req, "KeyConditionExpression",
							  cJSON_CreateString("(SK > :k1) AND (#n0 = :k0)"));
	CHECK(run_query(req, &r, &kc) == DDB_LIMITS_SEND);
	CHECK_STR(kc, "#n0 = :k0");
	cJSON_Delete(req);

	/* placeholders are whole tokens: #n1 is not used by #n10 */
	req = query("a", "#n1 > :k1", "", NULL);
	cJSON_AddStringToObject(cJSON_GetObjectItem(req, "ExpressionAttributeNames"), "#n10", "x");
	cJSON_AddStringToObject(req, "FilterExpression", "attribute_exists(#n10)");
	CHECK(run_query(req, &r, &kc) == DDB_LIMITS_SEND);
	CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(req, "ExpressionAttributeNames"), "#n1") == NULL);
	CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(req, "ExpressionAttributeNames"), "#n10") != NULL);
	cJSON_Delete(req);

	/* an index: its own keys */
	{
		ddb_key_schema gsi = {"SK", "PK", NULL};

		req = query("x", NULL, NULL, NULL);
		cJSON_ReplaceItemInObject(cJSON_GetObjectItem(req, "ExpressionAttributeNames"), "#n0",
								  cJSON_CreateString("SK"));
		CHECK(ddb_limits_check("Query", req, &gsi, &r, NULL, 0) == DDB_LIMITS_SEND);
		cJSON_ReplaceItemInObject(cJSON_GetObjectItem(req, "ExpressionAttributeValues"), ":k0",
								  av("S", repeat('x', 1500)));
		/* 1500 bytes fit an index partition key ... */
		CHECK(ddb_limits_check("Query", req, &gsi, &r, NULL, 0) == DDB_LIMITS_SEND);
		/* ... unless the attribute is the table's sort key */
		gsi.table_sk = "SK";
		CHECK(ddb_limits_check("Query", req, &gsi, &r, NULL, 0) == DDB_LIMITS_EMPTY);
		cJSON_ReplaceItemInObject(cJSON_GetObjectItem(req, "ExpressionAttributeValues"), ":k0",
								  av("S", ""));
		CHECK(ddb_limits_check("Query", req, &gsi, &r, NULL, 0) == DDB_LIMITS_EMPTY);
		cJSON_Delete(req);
	}
}

int
main(void)
{
	test_expression_sizes();
	test_key_values();
	test_compare();
	test_get_item();
	test_batch_get();
	test_query();
	UNIT_DONE("limits_core");
}
