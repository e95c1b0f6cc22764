/*
 * test_codec_core.c
 *	  Unit tests of src/codec_core.c: AttributeValue -> JSON, numbers,
 *	  base64, escaping.
 */
#include "codec_core.h"
#include "unit.h"

#include <stdlib.h>

static char result[65536];

/*
 * Parses json as an AttributeValue (or as an item when item is true),
 * converts it, and returns the JSON text, or "ERR: message".  Also checks
 * that successful output parses back with cJSON.
 */
static const char *
conv(const char *json, int item)
{
	cJSON	   *av = cJSON_Parse(json);
	ddb_buf		b;
	char		err[256];
	int			rc;

	if (av == NULL)
		return "ERR: test input is not JSON";
	ddb_buf_init(&b);
	ddb_buf_append(&b, "", 0);
	err[0] = '\0';
	rc = item ? ddb_item_to_json(av, &b, err, sizeof(err))
		: ddb_av_to_json(av, &b, err, sizeof(err));
	if (rc == 0)
	{
		cJSON	   *back = cJSON_Parse(b.data);

		CHECK(back != NULL);
		cJSON_Delete(back);
		snprintf(result, sizeof(result), "%s", b.data);
	}
	else
	{
		CHECK(b.len == 0);		/* partial output undone */
		snprintf(result, sizeof(result), "ERR: %s", err);
	}
	ddb_buf_free(&b);
	cJSON_Delete(av);
	return result;
}

#define AV(json, want) CHECK_STR(conv((json), 0), (want))
#define ITEM(json, want) CHECK_STR(conv((json), 1), (want))
#define AV_ERR(json) CHECK(strncmp(conv((json), 0), "ERR: ", 5) == 0)

static void
test_types(void)
{
	AV("{\"S\":\"hello\"}", "\"hello\"");
	AV("{\"S\":\"\"}", "\"\"");
	AV("{\"N\":\"42\"}", "42");
	AV("{\"N\":\"-3.25\"}", "-3.25");
	AV("{\"N\":\"1E+100\"}", "1E+100");
	AV("{\"BOOL\":true}", "true");
	AV("{\"BOOL\":false}", "false");
	AV("{\"NULL\":true}", "null");
	AV("{\"B\":\"AAEC\"}", "\"AAEC\"");
	AV("{\"B\":\"\"}", "\"\"");
	AV("{\"SS\":[\"a\",\"b\"]}", "[\"a\",\"b\"]");
	AV("{\"NS\":[\"1\",\"2.5\",\"-0\"]}", "[1,2.5,-0]");
	AV("{\"BS\":[\"AA==\",\"AAE=\"]}", "[\"AA==\",\"AAE=\"]");
	AV("{\"SS\":[]}", "[]");
	AV("{\"M\":{}}", "{}");
	AV("{\"L\":[]}", "[]");
	AV("{\"M\":{\"a\":{\"S\":\"x\"},\"b\":{\"N\":\"1\"}}}", "{\"a\":\"x\",\"b\":1}");
	AV("{\"L\":[{\"S\":\"x\"},{\"NULL\":true},{\"BOOL\":false}]}", "[\"x\",null,false]");
}

static void
test_nesting(void)
{
	char		buf[20000];
	char	   *p;
	int			i;

	AV("{\"M\":{\"l\":{\"L\":[{\"M\":{\"n\":{\"NS\":[\"1\"]}}},{\"L\":[]}]},"
	   "\"m\":{\"M\":{\"deep\":{\"M\":{\"x\":{\"BOOL\":true}}}}}}}",
	   "{\"l\":[{\"n\":[1]},[]],\"m\":{\"deep\":{\"x\":true}}}");

	/* 400 levels of L is fine (cJSON parses up to 1000 levels of JSON) */
	p = buf;
	for (i = 0; i < 400; i++)
		p += sprintf(p, "{\"L\":[");
	p += sprintf(p, "{\"N\":\"7\"}");
	for (i = 0; i < 400; i++)
		p += sprintf(p, "]}");
	conv(buf, 0);
	CHECK(strncmp(result, "[[[[", 4) == 0);
	CHECK(strstr(result, "7") != NULL);
	CHECK(strlen(result) == 801);

	/* errors deep inside are reported, and nothing is left in the buffer */
	AV("{\"M\":{\"a\":{\"L\":[{\"S\":\"x\"},{\"N\":\"abc\"}]}}}", "ERR: invalid number \"abc\"");
	AV("{\"L\":[{\"X\":1}]}", "ERR: attribute value has unknown type \"X\"");
}

static void
test_numbers(void)
{
	const char *n38 = "12345678901234567890123456789012345678";

	/* 38 digits pass through exactly */
	CHECK(ddb_number_valid(n38));
	AV("{\"N\":\"12345678901234567890123456789012345678\"}", n38);
	AV("{\"N\":\"-0.12345678901234567890123456789012345678\"}",
	   "-0.12345678901234567890123456789012345678");
	AV("{\"N\":\"9.9999999999999999999999999999999999999E+125\"}",
	   "9.9999999999999999999999999999999999999E+125");
	AV("{\"N\":\"99999999999999999999999999999999999999\"}",
	   "99999999999999999999999999999999999999");
	CHECK(!ddb_number_valid("123456789012345678901234567890123456789"));	/* 39 */
	CHECK(!ddb_number_valid("1.23456789012345678901234567890123456789"));
	/* zeros around the digits are not significant */
	CHECK(ddb_number_valid("000000000012345678901234567890123456789012345678"));
	CHECK(ddb_number_valid("12345678901234567890123456789012345678000"));
	CHECK(ddb_number_valid("0.0000012345678901234567890123456789012345678"));
	CHECK(ddb_number_valid("10000000000000000000000000000000000000000000000000000"));

	/* magnitude: 1E-130 <= |x| < 1E+126 */
	CHECK(ddb_number_valid("1E-130"));
	CHECK(!ddb_number_valid("1E-131"));
	CHECK(!ddb_number_valid("0.1E-130"));
	CHECK(ddb_number_valid("10E-131"));
	CHECK(ddb_number_valid("9.9E+125"));
	CHECK(!ddb_number_valid("1E+126"));
	CHECK(!ddb_number_valid("10E+125"));
	CHECK(ddb_number_valid("-9.9E+125"));
	CHECK(!ddb_number_valid("-1E+126"));
	CHECK(ddb_number_valid("0E+999999"));
	CHECK(ddb_number_valid("0"));
	CHECK(ddb_number_valid("-0"));
	CHECK(!ddb_number_valid("1e99999999999999999999999999"));
	CHECK(!ddb_number_valid("1e-99999999999999999999999999"));

	/* syntax */
	CHECK(ddb_number_valid("1e5"));
	CHECK(ddb_number_valid("1E-5"));
	CHECK(ddb_number_valid("1e+05"));
	CHECK(ddb_number_valid(".5"));
	CHECK(ddb_number_valid("5."));
	CHECK(ddb_number_valid("-.5"));
	CHECK(ddb_number_valid("007"));
	CHECK(!ddb_number_valid(""));
	CHECK(!ddb_number_valid("-"));
	CHECK(!ddb_number_valid("."));
	CHECK(!ddb_number_valid("-."));
	CHECK(!ddb_number_valid("+1"));
	CHECK(!ddb_number_valid("1e"));
	CHECK(!ddb_number_valid("1e+"));
	CHECK(!ddb_number_valid("e5"));
	CHECK(!ddb_number_valid(".e5"));
	CHECK(!ddb_number_valid("1.2.3"));
	CHECK(!ddb_number_valid("1 "));
	CHECK(!ddb_number_valid(" 1"));
	CHECK(!ddb_number_valid("0x10"));
	CHECK(!ddb_number_valid("NaN"));
	CHECK(!ddb_number_valid("Infinity"));
	CHECK(!ddb_number_valid("-Infinity"));
	CHECK(!ddb_number_valid("1e5.5"));
	CHECK(!ddb_number_valid("--1"));
	CHECK(!ddb_number_valid(NULL));

	/* odd spellings become valid JSON, digits untouched */
	AV("{\"N\":\".5\"}", "0.5");
	AV("{\"N\":\"-.5\"}", "-0.5");
	AV("{\"N\":\"5.\"}", "5");
	AV("{\"N\":\"5.e3\"}", "5e3");
	AV("{\"N\":\"007\"}", "7");
	AV("{\"N\":\"000.250\"}", "0.250");
	AV("{\"N\":\"1E-05\"}", "1E-05");
	AV("{\"NS\":[\".5\",\"00\"]}", "[0.5,0]");

	/* bad numbers in AVs */
	AV("{\"N\":\"abc\"}", "ERR: invalid number \"abc\"");
	AV("{\"N\":\"\"}", "ERR: invalid number \"\"");
	AV("{\"N\":\"NaN\"}", "ERR: invalid number \"NaN\"");
	AV_ERR("{\"N\":\"123456789012345678901234567890123456789\"}");
	AV_ERR("{\"N\":42}");
	AV_ERR("{\"NS\":[\"1\",\"x\"]}");
	AV_ERR("{\"NS\":[1]}");

	/* comparison */
	CHECK(ddb_number_compare("1", "1.0") == 0);
	CHECK(ddb_number_compare("1", "10e-1") == 0);
	CHECK(ddb_number_compare("0", "-0") == 0);
	CHECK(ddb_number_compare("0.0", "0e10") == 0);
	CHECK(ddb_number_compare("1", "2") < 0);
	CHECK(ddb_number_compare("2", "1") > 0);
	CHECK(ddb_number_compare("-1", "1") < 0);
	CHECK(ddb_number_compare("-1", "-2") > 0);
	CHECK(ddb_number_compare("10", "9.99") > 0);
	CHECK(ddb_number_compare("1.2", "1.23") < 0);
	CHECK(ddb_number_compare("-1.2", "-1.23") > 0);
	CHECK(ddb_number_compare("0.001", "0") > 0);
	CHECK(ddb_number_compare("-0.001", "0") < 0);
	CHECK(ddb_number_compare("12345678901234567890123456789012345678",
							 "12345678901234567890123456789012345679") < 0);
	CHECK(ddb_number_compare("1E+125", "99999999999999999999") > 0);

	/* trimming to the stored form */
	{
		static const char *const cases[][2] = {
			{"1.50", "1.5"}, {"2.0", "2"}, {"-0.0", "0"}, {"0.000", "0"},
			{"100", "100"}, {"100.0100", "100.01"}, {"-3.10", "-3.1"},
			{"0.5", "0.5"}, {"12345678901234567890123456789012345678",
			"12345678901234567890123456789012345678"}, {"1E+10", "1E+10"},
			{"1.0e5", "1.0e5"}, {"", ""}, {"-", "-"}, {".50", ".50"}, {"x.0", "x.0"},
		};
		size_t		i;

		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		{
			char		buf[64];

			strcpy(buf, cases[i][0]);
			ddb_number_trim(buf);
			CHECK_STR(buf, cases[i][1]);
			if (ddb_number_valid(cases[i][0]))
				CHECK(ddb_number_compare(buf, cases[i][0]) == 0);
		}
	}
}

static void
test_base64(void)
{
	unsigned char in[256];
	unsigned char dec[300];
	char		enc[400];
	size_t		n;
	int			i;
	int			ok = 1;

	for (i = 0; i < 256; i++)
		in[i] = (unsigned char) (i * 37 + 11);
	for (n = 0; n <= 256; n++)
	{
		long		len;

		ddb_base64_encode(in, n, enc);
		if (strlen(enc) != ddb_base64_encoded_len(n))
			ok = 0;
		len = ddb_base64_decode(enc, strlen(enc), dec);
		if (len != (long) n || memcmp(dec, in, n) != 0)
			ok = 0;
	}
	CHECK(ok);

	/* RFC 4648 test vectors */
	ddb_base64_encode((const unsigned char *) "", 0, enc);
	CHECK_STR(enc, "");
	ddb_base64_encode((const unsigned char *) "f", 1, enc);
	CHECK_STR(enc, "Zg==");
	ddb_base64_encode((const unsigned char *) "fo", 2, enc);
	CHECK_STR(enc, "Zm8=");
	ddb_base64_encode((const unsigned char *) "foo", 3, enc);
	CHECK_STR(enc, "Zm9v");
	ddb_base64_encode((const unsigned char *) "foobar", 6, enc);
	CHECK_STR(enc, "Zm9vYmFy");
	ddb_base64_encode((const unsigned char *) "\xff\xfe\xfd", 3, enc);
	CHECK_STR(enc, "//79");
	CHECK(ddb_base64_encoded_len(0) == 0);
	CHECK(ddb_base64_encoded_len(1) == 4);
	CHECK(ddb_base64_encoded_len(3) == 4);
	CHECK(ddb_base64_encoded_len(4) == 8);

	CHECK(ddb_base64_decode("Zm9vYg==", 8, dec) == 4 && memcmp(dec, "foob", 4) == 0);
	CHECK(ddb_base64_decode("Zm9vYmE=", 8, dec) == 5 && memcmp(dec, "fooba", 5) == 0);
	CHECK(ddb_base64_decode("", 0, dec) == 0);
	CHECK(ddb_base64_decode("Zm9vYg==", 8, NULL) == 4);

	/* strict: bad length, characters, padding, unused bits */
	CHECK(ddb_base64_decode("Zm9", 3, dec) == -1);
	CHECK(ddb_base64_decode("Zg", 2, dec) == -1);
	CHECK(ddb_base64_decode("Zm9v Zg==", 9, dec) == -1);
	CHECK(ddb_base64_decode("Zm9*", 4, dec) == -1);
	CHECK(ddb_base64_decode("Zm-_", 4, dec) == -1);		/* base64url */
	CHECK(ddb_base64_decode("Zg==Zm9v", 8, dec) == -1);	/* padding inside */
	CHECK(ddb_base64_decode("Z===", 4, dec) == -1);
	CHECK(ddb_base64_decode("====", 4, dec) == -1);
	CHECK(ddb_base64_decode("Zg=A", 4, dec) == -1);
	CHECK(ddb_base64_decode("Zh==", 4, dec) == -1);		/* unused bits set */
	CHECK(ddb_base64_decode("Zm9=", 4, dec) == -1);
	CHECK(ddb_base64_decode("Zm8=", 4, dec) == 2);
	CHECK(ddb_base64_decode("Zm9v\n", 5, dec) == -1);

	/* B and BS payloads are checked */
	AV("{\"B\":\"Zm9v\"}", "\"Zm9v\"");
	AV("{\"B\":\"Zm9\"}", "ERR: invalid base64 in attribute value of type \"B\"");
	AV("{\"BS\":[\"Zg==\",\"!!!!\"]}", "ERR: invalid base64 in attribute value of type \"BS\"");
	AV_ERR("{\"B\":7}");
}

static void
test_malformed(void)
{
	AV("{}", "ERR: attribute value is not an object with a single type");
	AV("{\"S\":\"a\",\"N\":\"1\"}", "ERR: attribute value is not an object with a single type");
	AV("\"S\"", "ERR: attribute value is not an object with a single type");
	AV("[{\"S\":\"a\"}]", "ERR: attribute value is not an object with a single type");
	AV("null", "ERR: attribute value is not an object with a single type");
	AV("{\"X\":\"a\"}", "ERR: attribute value has unknown type \"X\"");
	AV("{\"s\":\"a\"}", "ERR: attribute value has unknown type \"s\"");
	AV("{\"S\":1}", "ERR: attribute value of type \"S\" is not a string");
	AV("{\"S\":null}", "ERR: attribute value of type \"S\" is not a string");
	AV("{\"BOOL\":\"true\"}", "ERR: attribute value of type \"BOOL\" is not a boolean");
	AV("{\"NULL\":false}", "ERR: attribute value of type \"NULL\" is not true");
	AV("{\"M\":[]}", "ERR: attribute value of type \"M\" is not an object");
	AV("{\"L\":{}}", "ERR: attribute value of type \"L\" is not an array");
	AV("{\"SS\":\"a\"}", "ERR: attribute value of type \"SS\" is not an array");
	AV("{\"SS\":[\"a\",1]}", "ERR: attribute value of type \"SS\" has an element that is not a string");
	AV("{\"M\":{\"a\":\"x\"}}", "ERR: attribute value is not an object with a single type");
	AV("{\"L\":[\"x\"]}", "ERR: attribute value is not an object with a single type");
	CHECK(ddb_av_type(NULL) == NULL);

	{
		cJSON	   *av = cJSON_Parse("{\"SS\":[\"a\"]}");

		CHECK_STR(ddb_av_type(av), "SS");
		cJSON_Delete(av);
	}

	/* a programmatic tree nested past the limit is refused, not recursed */
	{
		cJSON	   *root = cJSON_CreateObject();
		cJSON	   *cur = root;
		ddb_buf		b;
		char		err[128];
		int			i;

		for (i = 0; i < 1100; i++)
		{
			cJSON	   *l = cJSON_AddArrayToObject(cur, "L");
			cJSON	   *next = cJSON_CreateObject();

			cJSON_AddItemToArray(l, next);
			cur = next;
		}
		cJSON_AddStringToObject(cur, "S", "x");
		ddb_buf_init(&b);
		CHECK(ddb_av_to_json(root, &b, err, sizeof(err)) == -1);
		CHECK_STR(err, "attribute value nested too deeply");
		ddb_buf_free(&b);
		cJSON_Delete(root);
	}

	/* err may be NULL */
	{
		cJSON	   *av = cJSON_Parse("{\"X\":1}");
		ddb_buf		b;

		ddb_buf_init(&b);
		CHECK(ddb_av_to_json(av, &b, NULL, 0) == -1);
		ddb_buf_free(&b);
		cJSON_Delete(av);
	}
}

static void
test_items(void)
{
	ITEM("{}", "{}");
	ITEM("{\"pk\":{\"S\":\"USER#1\"},\"n\":{\"N\":\"12345678901234567890123456789012345678\"},"
		 "\"tags\":{\"SS\":[\"a\"]},\"m\":{\"M\":{\"k\":{\"NULL\":true}}}}",
		 "{\"pk\":\"USER#1\",\"n\":12345678901234567890123456789012345678,"
		 "\"tags\":[\"a\"],\"m\":{\"k\":null}}");
	ITEM("{\"a\\\"b\":{\"S\":\"x\"}}", "{\"a\\\"b\":\"x\"}");
	ITEM("{\"pk\":{\"S\":\"a\"},\"bad\":{\"N\":\"x\"}}",
		 "ERR: attribute \"bad\": invalid number \"x\"");
	ITEM("[]", "ERR: item is not an object");
	ITEM("{\"a\":{\"S\":\"x\",\"N\":\"1\"}}",
		 "ERR: attribute \"a\": attribute value is not an object with a single type");

	/* output is appended after what the buffer holds; errors keep it */
	{
		cJSON	   *item = cJSON_Parse("{\"a\":{\"N\":\"1\"}}");
		cJSON	   *bad = cJSON_Parse("{\"a\":{\"N\":\"y\"}}");
		ddb_buf		b;
		char		err[128];

		ddb_buf_init(&b);
		ddb_buf_append(&b, "x=", 2);
		CHECK(ddb_item_to_json(item, &b, err, sizeof(err)) == 0);
		CHECK_STR(b.data, "x={\"a\":1}");
		CHECK(ddb_item_to_json(bad, &b, err, sizeof(err)) == -1);
		CHECK_STR(b.data, "x={\"a\":1}");
		CHECK(b.len == 9);
		ddb_buf_free(&b);
		CHECK(b.data == NULL);
		cJSON_Delete(item);
		cJSON_Delete(bad);
	}
}

static void
test_escaping(void)
{
	ddb_buf		b;
	char		all[32];
	int			i;

	AV("{\"S\":\"q\\\"b\\\\s/\"}", "\"q\\\"b\\\\s/\"");
	AV("{\"S\":\"\\n\\t\\r\\b\\f\\u0001\\u001f\\u007f\"}",
	   "\"\\n\\t\\r\\b\\f\\u0001\\u001f\x7f\"");
	/* UTF-8 kept as bytes, \u escapes decoded by cJSON come out as UTF-8 */
	AV("{\"S\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}",
	   "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	AV("{\"S\":\"\\u00e9\\ud83d\\ude00\"}", "\"\xc3\xa9\xf0\x9f\x98\x80\"");
	AV("{\"M\":{\"k\\n\\\"\":{\"S\":\"v\"}}}", "{\"k\\n\\\"\":\"v\"}");
	AV("{\"SS\":[\"a\\\"\",\"\\\\\"]}", "[\"a\\\"\",\"\\\\\"]");

	/* every control character, and embedded NUL, escaped */
	for (i = 0; i < 32; i++)
		all[i] = (char) i;
	ddb_buf_init(&b);
	ddb_json_quote(&b, all, 32);
	CHECK_STR(b.data, "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007"
			  "\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013"
			  "\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c"
			  "\\u001d\\u001e\\u001f\"");
	{
		cJSON	   *back = cJSON_Parse(b.data);

		CHECK(back != NULL && cJSON_IsString(back));
		cJSON_Delete(back);
	}
	ddb_buf_free(&b);

	ddb_buf_init(&b);
	ddb_json_quote(&b, "", 0);
	CHECK_STR(b.data, "\"\"");
	ddb_buf_free(&b);
}

static int	n_alloc;
static int	n_free;

static void *
count_alloc(size_t n)
{
	n_alloc++;
	return malloc(n);
}

static void *
count_realloc(void *p, size_t n)
{
	if (p == NULL)
		n_alloc++;
	return realloc(p, n);
}

static void
count_free(void *p)
{
	n_free++;
	free(p);
}

static void
test_buffer_and_allocator(void)
{
	ddb_buf		b;
	int			i;

	ddb_codec_set_allocator(count_alloc, count_realloc, count_free);
	ddb_buf_init(&b);
	CHECK(b.data == NULL && b.len == 0);
	ddb_buf_append(&b, "", 0);
	CHECK(b.data != NULL && b.data[0] == '\0');
	for (i = 0; i < 10000; i++)
		ddb_buf_append(&b, "abc", 3);
	CHECK(b.len == 30000);
	CHECK(b.data[30000] == '\0');
	CHECK(memcmp(b.data + 29997, "abc", 3) == 0);
	ddb_buf_free(&b);
	CHECK(n_alloc == 1);
	CHECK(n_free == 1);
	ddb_codec_set_allocator(NULL, NULL, NULL);
}

int
main(void)
{
	test_types();
	test_nesting();
	test_numbers();
	test_base64();
	test_malformed();
	test_items();
	test_escaping();
	test_buffer_and_allocator();
	UNIT_DONE("codec_core");
}
