/*
 * test_expr_core.c
 *	  Unit tests of src/expr_core.c: DynamoDB condition expressions on
 *	  items (the forms ddbrel's requests use, DynamoDB's rules for missing
 *	  attributes and mixed types, document paths), malformed expressions,
 *	  and value equality and order.
 */
#include "expr_core.h"

#include <stdlib.h>

#include "unit.h"

static const char *item_text =
"{\"PK\":{\"S\":\"USER#1\"},\"SK\":{\"S\":\"ORDER#0002\"},\"n\":{\"N\":\"10.50\"},"
"\"s\":{\"S\":\"hello\"},\"b\":{\"B\":\"AAEC\"},\"t\":{\"BOOL\":true},\"z\":{\"NULL\":true},"
"\"ss\":{\"SS\":[\"a\",\"b\"]},\"ns\":{\"NS\":[\"1\",\"2.5\"]},"
"\"m\":{\"M\":{\"k\":{\"S\":\"v\"},\"deep\":{\"M\":{\"x\":{\"N\":\"3\"}}}}},"
"\"l\":{\"L\":[{\"S\":\"first\"},{\"N\":\"2\"}]}}";

static const char *names_text =
"{\"#pk\":\"PK\",\"#sk\":\"SK\",\"#n\":\"n\",\"#s\":\"s\",\"#b\":\"b\",\"#t\":\"t\",\"#z\":\"z\","
"\"#ss\":\"ss\",\"#ns\":\"ns\",\"#m\":\"m\",\"#k\":\"k\",\"#deep\":\"deep\",\"#x\":\"x\",\"#l\":\"l\","
"\"#none\":\"none\",\"#dot\":\"a.b\"}";

static const char *values_text =
"{\":u1\":{\"S\":\"USER#1\"},\":o\":{\"S\":\"ORDER#\"},\":lo\":{\"S\":\"ORDER#0001\"},"
"\":hi\":{\"S\":\"ORDER#0003\"},\":n105\":{\"N\":\"10.5\"},\":n10\":{\"N\":\"10\"},"
"\":n11\":{\"N\":\"1.1E1\"},\":s10\":{\"S\":\"10.5\"},\":hello\":{\"S\":\"hello\"},"
"\":he\":{\"S\":\"he\"},\":ell\":{\"S\":\"ell\"},\":b\":{\"B\":\"AAEC\"},\":b0\":{\"B\":\"AA==\"},"
"\":true\":{\"BOOL\":true},\":NULL\":{\"S\":\"NULL\"},\":S\":{\"S\":\"S\"},\":a\":{\"S\":\"a\"},"
"\":n25\":{\"N\":\"2.50\"},\":v\":{\"S\":\"v\"},\":three\":{\"N\":\"3\"},"
"\":first\":{\"S\":\"first\"},\":set\":{\"SS\":[\"b\",\"a\"]},\":set3\":{\"SS\":[\"a\",\"c\"]}}";

static cJSON *item;
static cJSON *names;
static cJSON *values;

static int
ev(const char *expr)
{
	char		err[256];

	return ddb_cond_eval(expr, names, values, item, err, sizeof(err));
}

static void
test_keys(void)
{
	/* the forms of a Query's key condition */
	CHECK(ev("#pk = :u1") == 1);
	CHECK(ev("#pk = :u1 AND begins_with(#sk, :o)") == 1);
	CHECK(ev("#pk = :u1 AND #sk BETWEEN :lo AND :hi") == 1);
	CHECK(ev("#pk = :u1 AND #sk > :hi") == 0);
	CHECK(ev("#pk = :u1 AND #sk <= :hi") == 1);
	CHECK(ev("#pk = :o") == 0);
	/* keywords in any case, spacing free */
	CHECK(ev("#pk=:u1 and #sk between :lo and :hi") == 1);
}

static void
test_comparisons(void)
{
	/* numbers by value, not by text */
	CHECK(ev("#n = :n105") == 1);
	CHECK(ev("#n > :n10") == 1);
	CHECK(ev("#n < :n11") == 1);
	CHECK(ev("#n >= :n105 AND #n <= :n105") == 1);
	/* two types are never equal, never ordered */
	CHECK(ev("#n = :s10") == 0);
	CHECK(ev("#n <> :s10") == 1);
	CHECK(ev("#n < :s10") == 0);
	CHECK(ev("#n > :s10") == 0);
	/* a missing attribute: false, except for <> */
	CHECK(ev("#none = :hello") == 0);
	CHECK(ev("#none <> :hello") == 1);
	CHECK(ev("#none < :hello") == 0);
	CHECK(ev("#none BETWEEN :lo AND :hi") == 0);
	CHECK(ev("#none IN (:hello, :a)") == 0);
	/* strings bytewise, binary by bytes */
	CHECK(ev("#s = :hello") == 1);
	CHECK(ev("#s > :he") == 1);
	CHECK(ev("#b = :b") == 1);
	CHECK(ev("#b > :b0") == 1);
	CHECK(ev("#t = :true") == 1);
	/* IN */
	CHECK(ev("#s IN (:a, :hello)") == 1);
	CHECK(ev("#s IN (:a)") == 0);
	/* sets in any order, numbers in sets by value */
	CHECK(ev("#ss = :set") == 1);
	CHECK(ev("#ss = :set3") == 0);
	/* literal attribute names */
	CHECK(ev("s = :hello") == 1);
	/* a placeholder name with a dot is one attribute, not a path */
	CHECK(ev("attribute_not_exists(#dot)") == 1);
}

static void
test_functions(void)
{
	CHECK(ev("attribute_exists(#s)") == 1);
	CHECK(ev("attribute_exists(#none)") == 0);
	CHECK(ev("attribute_not_exists(#none)") == 1);
	CHECK(ev("attribute_type(#z, :NULL)") == 1);
	CHECK(ev("attribute_type(#s, :S)") == 1);
	CHECK(ev("attribute_type(#n, :S)") == 0);
	CHECK(ev("attribute_type(#none, :S)") == 0);
	CHECK(ev("begins_with(#s, :he)") == 1);
	CHECK(ev("begins_with(#s, :ell)") == 0);
	CHECK(ev("begins_with(#b, :b0)") == 1);
	CHECK(ev("begins_with(#n, :s10)") == 0);
	CHECK(ev("contains(#s, :ell)") == 1);
	CHECK(ev("contains(#ss, :a)") == 1);
	CHECK(ev("contains(#ns, :n25)") == 1);
	CHECK(ev("contains(#l, :first)") == 1);
	/* what ddbrel's filters write for IS NULL / IS NOT NULL / <> */
	CHECK(ev("(attribute_not_exists(#z) OR attribute_type(#z, :NULL))") == 1);
	CHECK(ev("(attribute_exists(#s) AND NOT attribute_type(#s, :NULL))") == 1);
	CHECK(ev("(attribute_exists(#none) AND NOT attribute_type(#none, :NULL) AND #none <> :a)") == 0);
}

static void
test_paths_and_logic(void)
{
	CHECK(ev("#m.#k = :v") == 1);
	CHECK(ev("#m.#deep.#x = :three") == 1);
	CHECK(ev("#m.#none.#x = :three") == 0);
	CHECK(ev("#l[0] = :first") == 1);
	CHECK(ev("#l[5] = :first") == 0);
	CHECK(ev("#s[0] = :first") == 0);
	CHECK(ev("NOT #s = :a") == 1);
	CHECK(ev("NOT (#s = :a OR #s = :hello)") == 0);
	CHECK(ev("#s = :a OR #s = :hello AND #n = :n105") == 1);
	/* AND binds tighter than OR */
	CHECK(ev("#s = :hello OR #s = :a AND #n = :n10") == 1);
	CHECK(ev("(#s = :hello OR #s = :a) AND #n = :n10") == 0);
	CHECK(ev("NOT NOT #s = :hello") == 1);
}

static void
test_errors(void)
{
	char		err[128];
	char		deep[400];
	int			i;

	CHECK(ev("") == -1);
	CHECK(ev("#s = ") == -1);
	CHECK(ev("#s = :nosuch") == -1);
	CHECK(ev("#nosuch = :a") == -1);
	CHECK(ev("#s = :a AND") == -1);
	CHECK(ev("#s = :a )") == -1);
	CHECK(ev("(#s = :a") == -1);
	CHECK(ev("#s BETWEEN :a :hello") == -1);
	CHECK(ev("#s IN ()") == -1);
	CHECK(ev("size(#s) = :n10") == -1);
	CHECK(ev("#s ! :a") == -1);
	CHECK(ev("#l[ = :a") == -1);
	CHECK(ev("# = :a") == -1);
	/* no maps at all: placeholders are unknown */
	CHECK(ddb_cond_eval("#s = :a", NULL, NULL, item, err, sizeof(err)) == -1);
	CHECK(strstr(err, "#s") != NULL);
	/* a tiny error buffer still terminates */
	CHECK(ddb_cond_eval("((", names, values, item, err, 4) == -1);
	CHECK(strlen(err) < 4);
	/* nesting is bounded */
	for (i = 0; i < 200; i++)
		deep[i] = '(';
	deep[200] = '\0';
	CHECK(ev(deep) == -1);
	/* no item: every attribute is missing */
	CHECK(ddb_cond_eval("attribute_not_exists(#s)", names, values, NULL, err, sizeof(err)) == 1);
}

static void
test_values(void)
{
	cJSON	   *a = cJSON_Parse("{\"N\":\"1.0\"}");
	cJSON	   *b = cJSON_Parse("{\"N\":\"1\"}");
	cJSON	   *c = cJSON_Parse("{\"S\":\"1\"}");
	cJSON	   *m1 = cJSON_Parse("{\"M\":{\"a\":{\"N\":\"1\"},\"b\":{\"L\":[{\"S\":\"x\"}]}}}");
	cJSON	   *m2 = cJSON_Parse("{\"M\":{\"b\":{\"L\":[{\"S\":\"x\"}]},\"a\":{\"N\":\"1.00\"}}}");
	cJSON	   *m3 = cJSON_Parse("{\"M\":{\"b\":{\"L\":[{\"S\":\"y\"}]},\"a\":{\"N\":\"1\"}}}");
	cJSON	   *s1 = cJSON_Parse("{\"S\":\"a\\u00e9\"}");
	cJSON	   *s2 = cJSON_Parse("{\"S\":\"az\"}");
	cJSON	   *bad = cJSON_Parse("{\"S\":\"a\",\"N\":\"1\"}");

	CHECK(ddb_av_equal(a, b));
	CHECK(!ddb_av_equal(a, c));
	CHECK(ddb_av_equal(m1, m2));
	CHECK(!ddb_av_equal(m1, m3));
	CHECK(!ddb_av_equal(bad, bad));
	CHECK(ddb_av_order(a, b) == 0);
	CHECK(ddb_av_order(a, c) == 2);
	/* UTF-8 bytes: "é" (0xC3 0xA9) sorts after "z" */
	CHECK(ddb_av_order(s1, s2) == 1);
	CHECK(ddb_av_order(s2, s1) == -1);
	CHECK(ddb_av_order(m1, m1) == 2);
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(c);
	cJSON_Delete(m1);
	cJSON_Delete(m2);
	cJSON_Delete(m3);
	cJSON_Delete(s1);
	cJSON_Delete(s2);
	cJSON_Delete(bad);
}

int
main(void)
{
	item = cJSON_Parse(item_text);
	names = cJSON_Parse(names_text);
	values = cJSON_Parse(values_text);
	if (!item || !names || !values)
	{
		fprintf(stderr, "fixture JSON does not parse\n");
		return 1;
	}
	test_keys();
	test_comparisons();
	test_functions();
	test_paths_and_logic();
	test_errors();
	test_values();
	cJSON_Delete(item);
	cJSON_Delete(names);
	cJSON_Delete(values);
	UNIT_DONE("expr_core");
}
