/*
 * test_json_core.c
 *	  Unit tests of src/json_core.c: ddb_json_parse gives cJSON's tree, node
 *	  for node, or fails where cJSON fails, on DynamoDB answers and on the
 *	  corners of cJSON's grammar.
 */
#include "json_core.h"

#include <stdlib.h>

#include "unit.h"

/* Whether two lists of nodes (and their children) are the same, links included. */
static int
same(const cJSON *a, const cJSON *b)
{
	const cJSON *a0 = a;
	const cJSON *b0 = b;
	const cJSON *alast = NULL;
	const cJSON *blast = NULL;

	for (; a && b; a = a->next, b = b->next)
	{
		/* b may flag a type tag name as a shared constant; nothing else differs */
		if ((a->type & 0xFF) != (b->type & 0xFF) || (b->type & ~(0xFF | cJSON_StringIsConst)) ||
			a->valueint != b->valueint || a->valuedouble != b->valuedouble)
			return 0;
		if ((b->type & cJSON_StringIsConst) &&
			!(b->string && strlen(b->string) <= 4 && strchr("SNBML", b->string[0])))
			return 0;
		if ((a->string == NULL) != (b->string == NULL) || (a->string && strcmp(a->string, b->string)))
			return 0;
		if ((a->valuestring == NULL) != (b->valuestring == NULL) ||
			(a->valuestring && strcmp(a->valuestring, b->valuestring)))
			return 0;
		if (a != a0 && (a->prev != alast || b->prev != blast))
			return 0;
		if (!same(a->child, b->child))
			return 0;
		alast = a;
		blast = b;
	}
	if (a || b)
		return 0;
	if (a0 && a0->prev != alast && a0->prev != NULL)
		return 0;
	if (a0 && b0 && ((a0->prev == NULL) != (b0->prev == NULL) || (b0->prev && b0->prev != blast)))
		return 0;
	return 1;
}

/* 1 when both parsers agree on text[0..len), 0 when they do not. */
static int
agree_len(const char *text, size_t len)
{
	char	   *copy = malloc(len + 1);
	cJSON	   *want;
	cJSON	   *got;
	int			ok;

	memcpy(copy, text, len);
	copy[len] = '\0';
	want = cJSON_ParseWithLength(copy, len);
	got = ddb_json_parse(copy, len);
	ok = (want == NULL) == (got == NULL) && (want == NULL || same(want, got));
	if (!ok)
		fprintf(stderr, "disagree on: %.*s (cJSON %s, ddb_json_parse %s)\n", (int) len, text,
				want ? "parses" : "fails", got ? "parses" : "fails");
	cJSON_Delete(want);
	cJSON_Delete(got);
	free(copy);
	return ok;
}

static int
agree(const char *text)
{
	return agree_len(text, strlen(text));
}

static void
test_answers(void)
{
	cJSON	   *t;

	CHECK(agree("{\"Count\":2,\"Items\":[{\"PK\":{\"S\":\"USER#1\"},\"SK\":{\"S\":\"USER#1\"},"
				"\"n\":{\"N\":\"12.50\"},\"b\":{\"BOOL\":true},\"z\":{\"NULL\":true},"
				"\"m\":{\"M\":{\"x\":{\"L\":[{\"S\":\"a\"},{\"N\":\"1\"}]}}},\"ss\":{\"SS\":[\"a\",\"b\"]}},"
				"{\"PK\":{\"S\":\"USER#2\"}}],\"ScannedCount\":2,"
				"\"LastEvaluatedKey\":{\"PK\":{\"S\":\"USER#2\"}},"
				"\"ConsumedCapacity\":{\"TableName\":\"T\",\"CapacityUnits\":0.5}}"));
	CHECK(agree("{\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException\","
				"\"message\":\"Requested resource not found\"}"));
	CHECK(agree("{\"Responses\":{\"T\":[]},\"UnprocessedKeys\":{}}"));
	t = ddb_json_parse("{\"a\":[1,2,3]}", 13);
	CHECK(t != NULL && cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(t, "a")) == 3);
	/* cJSON's own functions work on the tree: append uses the head's prev */
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(t, "a"), cJSON_CreateNumber(4));
	CHECK(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(t, "a"), 3)->valuedouble == 4);
	cJSON_Delete(t);
}

static void
test_scalars(void)
{
	const char *cases[] = {
		"null", "true", "false", "nul", "tru", "fals", "nullx", "0", "-0", "-", "+1", "1.5e3", "1e",
		"1e+", "1.", ".5", "-.5", "01", "1.2.3", "1e5e5", "12345678901234567890123456789",
		"1e400", "-1e400", "2147483647", "2147483648", "-2147483648", "-2147483649", "3.7",
		"\"\"", "\"a\"", "\"abc", "\"a\\\"b\"", "\"a\\\\\"", "\"\\b\\f\\n\\r\\t\\/\"", "\"\\x\"",
		"\"\\u0041\"", "\"\\u00e9\"", "\"\\u20AC\"", "\"\\ud83d\\ude00\"", "\"\\ud83d\"",
		"\"\\ude00\"", "\"\\ud83d\\u0041\"", "\"\\uZZZZ\"", "\"\\u12\"", "\"\\u12\\\"34\"",
		"\"\\uabc\\\\\"", "\"\\", "\"a\\", "\"\x01\x1f raw\"", "\"\xc3\xa9\xff\"",
		"", " ", "\t\n\r ", "x", "[", "]", "{", "}",
	};
	size_t		i;
	char		big[300];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(agree(cases[i]));
	/* longer than cJSON's old 63-byte number buffer */
	memset(big, '7', 200);
	big[200] = '\0';
	CHECK(agree(big));
	memcpy(big, "[0.", 3);
	memset(big + 3, '1', 100);
	strcpy(big + 103, "e-5]");
	CHECK(agree(big));
}

static void
test_structure(void)
{
	const char *cases[] = {
		"[]", "[ ]", "[1,2]", "[1,]", "[,1]", "[1 2]", "[1,2", "[[[]]]", "{}", "{ }",
		"{\"a\":1}", "{\"a\":1,}", "{\"a\" : 1 , \"b\" : [ ] }", "{\"a\"}", "{\"a\":}", "{a:1}",
		"{\"a\":1 \"b\":2}", "{\"a\":1,\"a\":2}", "{\"\":\"\"}", "{\"a\":{\"b\":{\"c\":null}}}",
		"{\"a\":1}trailing", "[1] [2]", "\xef\xbb\xbf{\"a\":1}", "\xef\xbb\xbf" "1",
		"\xef\xbb\xbf[1]", " \xef\xbb\xbf[1]", "[1,\n\t2\r]", "{\"k\":\"v\"}   ",
	};
	size_t		i;
	char	   *deep;
	int			n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(agree(cases[i]));
	/* NUL counts as white space; the length, not the NUL, ends the text */
	CHECK(agree_len("[1,\0 2]", 7));
	CHECK(agree_len("\0\0{\"a\":\"b\\u0000c\"}", 17));
	CHECK(agree_len("[1,2]", 3));
	CHECK(agree_len("\"abc\"", 4));
	CHECK(agree_len("nul", 3));
	/* nesting: 1000 levels parse, 1001 do not */
	deep = malloc(2 * 1001 + 1);
	for (n = 999; n <= 1001; n++)
	{
		memset(deep, '[', n);
		memset(deep + n, ']', n);
		deep[2 * n] = '\0';
		CHECK(agree(deep));
	}
	free(deep);
	CHECK(ddb_json_parse(NULL, 3) == NULL);
	CHECK(ddb_json_parse("[]", 0) == NULL);
}

/*
 * Strings of every length up to 40, with 0 to 17 bytes of text after them:
 * short strings are copied a word or two at a time, reading past their
 * end only where the text goes on (the sanitizers check the reads).
 */
static void
test_string_lengths(void)
{
	char		text[128];
	int			n;
	int			after;

	for (n = 0; n <= 40; n++)
		for (after = 0; after <= 17; after++)
		{
			int			len = 0;

			text[len++] = '[';
			text[len++] = '"';
			memset(text + len, 'a' + n % 26, n);
			len += n;
			text[len++] = '"';
			memset(text + len, ' ', after);
			len += after;
			text[len++] = ']';
			/* the array, and the string alone ending the text */
			CHECK(agree_len(text, len));
			CHECK(agree_len(text + 1, n + 2));
			/* as an object's name */
			text[0] = '{';
			memcpy(text + len - 1, ":\"v\"}", 5);
			CHECK(agree_len(text, len + 4));
		}
}

/*
 * AttributeValues of one string are read in one go; anything near that
 * shape but not it must still come out as cJSON makes it, or fail.
 */
static void
test_attribute_values(void)
{
	const char *cases[] = {
		"{\"S\":\"a\"}", "{\"N\":\"1.5\"}", "{\"B\":\"AAE=\"}", "{\"SS\":\"a\"}",
		"{\"NULL\":\"x\"}", "{\"BOOL\":\"x\"}", "{\"BOOLX\":\"x\"}", "{\"X\":\"a\"}",
		"{\"S\":\"a\" }", "{\"S\" :\"a\"}", "{\"S\": \"a\"}", "{ \"S\":\"a\"}",
		"{\"S\":\"a\",\"N\":\"1\"}", "{\"S\":\"a\\\"b\"}", "{\"S\":\"\\u00e9\"}",
		"{\"S\":1}", "{\"S\":\"a\"", "{\"S\":\"a", "{\"S\":\"\"}", "{\"S\\u0041\":\"a\"}",
		"[{\"S\":\"a\"},{\"N\":\"2\"}]", "{\"k\":{\"S\":\"v\"},\"m\":{\"M\":{\"x\":{\"S\":\"y\"}}}}",
		"{\"k\":{\"S\":\"v\"}}", "{\"k\":{\"S\":\"v\"},}", "{\"k\":{\"S\":\"v\"}x}",
	};
	size_t		i;
	char	   *deep;
	int			n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(agree(cases[i]));
	/* the nesting limit counts the AttributeValue's object */
	deep = malloc(2 * 1000 + 16);
	for (n = 998; n <= 1000; n++)
	{
		memset(deep, '[', n);
		strcpy(deep + n, "{\"S\":\"a\"}");
		memset(deep + n + 9, ']', n);
		deep[2 * n + 9] = '\0';
		CHECK(agree(deep));
	}
	free(deep);
}

int
main(void)
{
	test_answers();
	test_scalars();
	test_structure();
	test_string_lengths();
	test_attribute_values();
	UNIT_DONE("json_core");
}
