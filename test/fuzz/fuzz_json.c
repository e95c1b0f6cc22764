/*
 * fuzz_json.c
 *	  libFuzzer target for src/json_core.c: ddb_json_parse against cJSON.
 *
 * Any input either fails in both parsers or gives two trees that are the
 * same node for node: type, valueint, valuedouble (bit for bit), string and
 * valuestring, child, and the next/prev links (the first node's prev is the
 * last node).  The one allowed difference: ddb_json_parse flags a name that
 * is an AttributeValue type tag cJSON_StringIsConst.  Duplicating and
 * printing the tree with cJSON's functions gives cJSON's text.  The input is
 * handed over without a terminating NUL; cJSON gets a copy with one, since
 * it may look one byte past the length.
 */
#include "json_core.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int
is_tag(const char *s)
{
	static const char *const tags[] = {"S", "N", "B", "M", "L", "SS", "NS", "BS", "BOOL", "NULL"};
	size_t		i;

	for (i = 0; s && i < sizeof(tags) / sizeof(tags[0]); i++)
		if (strcmp(s, tags[i]) == 0)
			return 1;
	return 0;
}

static void
same_tree(const cJSON *a, const cJSON *b)
{
	const cJSON *a0 = a;
	const cJSON *b0 = b;
	const cJSON *alast = NULL;
	const cJSON *blast = NULL;

	for (; a != NULL && b != NULL; a = a->next, b = b->next)
	{
		if ((a->type & 0xFF) != (b->type & 0xFF) || (a->type & ~cJSON_StringIsConst) != a->type ||
			(b->type & ~(0xFF | cJSON_StringIsConst)) != 0 || a->valueint != b->valueint ||
			memcmp(&a->valuedouble, &b->valuedouble, sizeof(double)) != 0)
			abort();
		if ((a->string == NULL) != (b->string == NULL) ||
			(a->string && strcmp(a->string, b->string) != 0))
			abort();
		if ((b->type & cJSON_StringIsConst) && !is_tag(b->string))
			abort();
		if ((a->valuestring == NULL) != (b->valuestring == NULL) ||
			(a->valuestring && strcmp(a->valuestring, b->valuestring) != 0))
			abort();
		if (a != a0 && (a->prev != alast || b->prev != blast))
			abort();
		same_tree(a->child, b->child);
		alast = a;
		blast = b;
	}
	if (a != NULL || b != NULL)
		abort();
	/* the first node's prev is the last one, in a list of children */
	if (a0 != NULL && a0->prev != NULL && (a0->prev != alast || b0->prev != blast))
		abort();
	if (a0 != NULL && (a0->prev == NULL) != (b0->prev == NULL))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *exact = malloc(size ? size : 1);
	char	   *text = malloc(size + 1);
	cJSON	   *want;
	cJSON	   *got;

	memcpy(exact, data, size);
	memcpy(text, data, size);
	text[size] = '\0';
	want = cJSON_ParseWithLength(text, size);
	got = ddb_json_parse(exact, size);
	if ((want == NULL) != (got == NULL))
		abort();
	if (want != NULL)
	{
		same_tree(want, got);
		/* cJSON's own functions work on the tree */
		{
			cJSON	   *dup = cJSON_Duplicate(got, 1);
			char	   *s1 = cJSON_PrintUnformatted(want);
			char	   *s2 = cJSON_PrintUnformatted(dup);

			if ((s1 == NULL) != (s2 == NULL) || (s1 && strcmp(s1, s2) != 0))
				abort();
			cJSON_free(s1);
			cJSON_free(s2);
			cJSON_Delete(dup);
		}
	}
	cJSON_Delete(want);
	cJSON_Delete(got);
	free(exact);
	free(text);
	return 0;
}
