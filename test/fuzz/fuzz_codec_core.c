/*
 * fuzz_codec_core.c
 *	  libFuzzer target for src/codec_core.c.
 *
 * The input is parsed with cJSON and converted both as an item and as a
 * single AttributeValue; whenever a conversion succeeds its output must be
 * valid JSON.  Also checks that any string accepted by the base64 decoder
 * re-encodes to itself, that accepted numbers compare equal to themselves,
 * and that failed conversions leave the buffer as it was.
 */
#include "codec_core.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void
check_output(int rc, ddb_buf *b, size_t before)
{
	cJSON	   *back;

	if (rc != 0)
	{
		if (b->len != before)
			abort();
		return;
	}
	back = cJSON_Parse(b->data + before);
	if (back == NULL)
		abort();
	cJSON_Delete(back);
}

static void
check_strings(const cJSON *node)
{
	for (; node != NULL; node = node->next)
	{
		if (cJSON_IsString(node) && node->valuestring != NULL)
		{
			const char *s = node->valuestring;
			size_t		n = strlen(s);
			unsigned char *dec = malloc(n * 3 / 4 + 3);
			long		len = ddb_base64_decode(s, n, dec);

			if (len >= 0)
			{
				char	   *enc = malloc(ddb_base64_encoded_len(len) + 1);

				ddb_base64_encode(dec, len, enc);
				if (strcmp(enc, s) != 0)
					abort();
				free(enc);
			}
			free(dec);
			if (ddb_number_valid(s))
			{
				char	   *t = strdup(s);

				if (ddb_number_compare(s, s) != 0)
					abort();
				/* trimming keeps the value and stays a valid number */
				ddb_number_trim(t);
				if (!ddb_number_valid(t) || ddb_number_compare(s, t) != 0)
					abort();
				free(t);
			}
		}
		check_strings(node->child);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *text = malloc(size + 1);
	cJSON	   *root;
	ddb_buf		b;
	char		err[256];

	memcpy(text, data, size);
	text[size] = '\0';
	root = cJSON_Parse(text);
	free(text);
	if (root == NULL)
		return 0;

	ddb_buf_init(&b);
	check_output(ddb_item_to_json(root, &b, err, sizeof(err)), &b, 0);
	ddb_buf_free(&b);

	ddb_buf_init(&b);
	ddb_buf_append(&b, "[", 1);
	check_output(ddb_av_to_json(root, &b, err, sizeof(err)), &b, 1);
	ddb_buf_free(&b);

	/* quoting any string (keys included) gives a JSON string */
	if (root->child != NULL && root->child->string != NULL)
	{
		cJSON	   *back;

		ddb_buf_init(&b);
		ddb_json_quote(&b, root->child->string, strlen(root->child->string));
		back = cJSON_Parse(b.data);
		if (back == NULL || !cJSON_IsString(back) ||
			strcmp(back->valuestring, root->child->string) != 0)
			abort();
		cJSON_Delete(back);
		ddb_buf_free(&b);
	}

	check_strings(root);
	cJSON_Delete(root);
	return 0;
}
