/*
 * fuzz_expr_core.c
 *	  libFuzzer target for src/expr_core.c.
 *
 * The input's first line is a condition expression, the rest an item in
 * DynamoDB JSON (or anything).  The expression is evaluated on that item
 * (when it parses) and on a fixed item with fixed placeholders.  Checks:
 * the result is -1, 0 or 1, the same when evaluated twice, an error always
 * leaves a terminated message in a tiny buffer, and every value of the
 * items is equal to itself and ordered consistently with itself.
 */
#include "expr_core.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *fixed_item =
"{\"PK\":{\"S\":\"A#1\"},\"n\":{\"N\":\"10.5\"},\"b\":{\"B\":\"AAEC\"},\"s\":{\"SS\":[\"a\"]},"
"\"m\":{\"M\":{\"k\":{\"L\":[{\"N\":\"1\"}]}}}}";
static const char *fixed_names = "{\"#a\":\"PK\",\"#n\":\"n\",\"#b\":\"b\",\"#m\":\"m\",\"#k\":\"k\",\"#s\":\"s\"}";
static const char *fixed_values =
"{\":a\":{\"S\":\"A#\"},\":n\":{\"N\":\"1E1\"},\":b\":{\"B\":\"AA==\"},\":s\":{\"S\":\"a\"},"
"\":t\":{\"S\":\"N\"},\":l\":{\"L\":[{\"N\":\"1\"}]}}";

static void
check_values(const cJSON *item)
{
	const cJSON *e;

	if (!cJSON_IsObject(item))
		return;
	cJSON_ArrayForEach(e, item)
	{
		int			o = ddb_av_order(e, e);

		if (o != 0 && o != 2)
			abort();
		(void) ddb_av_equal(e, e);
	}
}

static void
eval_checked(const char *expr, const cJSON *names, const cJSON *values, const cJSON *item)
{
	char		err[128];
	char		tiny[3];
	int			r1 = ddb_cond_eval(expr, names, values, item, err, sizeof(err));
	int			r2 = ddb_cond_eval(expr, names, values, item, tiny, sizeof(tiny));

	if (r1 < -1 || r1 > 1 || r1 != r2)
		abort();
	if (memchr(err, '\0', sizeof(err)) == NULL || memchr(tiny, '\0', sizeof(tiny)) == NULL)
		abort();
	if (r1 == -1 && err[0] == '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *text = malloc(size + 1);
	char	   *nl;
	cJSON	   *item;
	static cJSON *fitem;
	static cJSON *fnames;
	static cJSON *fvalues;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (fitem == NULL)
	{
		fitem = cJSON_Parse(fixed_item);
		fnames = cJSON_Parse(fixed_names);
		fvalues = cJSON_Parse(fixed_values);
	}
	nl = strchr(text, '\n');
	if (nl)
		*nl = '\0';
	item = nl ? cJSON_Parse(nl + 1) : NULL;
	eval_checked(text, fnames, fvalues, fitem);
	eval_checked(text, fnames, fvalues, item);
	eval_checked(text, NULL, NULL, NULL);
	check_values(item);
	cJSON_Delete(item);
	free(text);
	return 0;
}
