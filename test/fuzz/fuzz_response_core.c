/*
 * fuzz_response_core.c
 *	  libFuzzer target for src/response_core.c.
 *
 * The input is a response body as a server (or a broken proxy) might send
 * it.  It is read as an error body, from the text and from the parsed
 * tree, and as a successful answer.  Checks: the two error readings agree,
 * a type never keeps its namespace, the text reading always terminates its
 * (sometimes tiny) buffer, counts stay in [0, 2^53] and capacity is finite
 * and non-negative, unprocessed/last-key results are non-empty objects
 * that are members of the answer itself, and unprocessed counts are never
 * negative.  Capacity parts by table add up to the capacity read, and a
 * throttling-reasons sentence is terminated, printable ASCII, and empty
 * exactly when it reports no reason.
 */
#include "response_core.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define COUNT_MAX 9007199254740992LL

static int
is_member(const cJSON *parent, const cJSON *child)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, parent)
		if (c == child)
		return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		type[256];
	char		tiny[4];
	bool		found;
	cJSON	   *json;
	ddb_error_info info;
	ddb_resp_counts c;
	const cJSON *u;

	found = ddb_error_type_text((const char *) data, size, type, sizeof(type));
	if (memchr(type, '\0', sizeof(type)) == NULL)
		abort();
	if (found != (type[0] != '\0'))
		abort();
	if (strchr(type, '#') != NULL)
		abort();
	(void) ddb_error_type_text((const char *) data, size, tiny, sizeof(tiny));
	if (memchr(tiny, '\0', sizeof(tiny)) == NULL || strncmp(tiny, type, sizeof(tiny) - 1) != 0)
		abort();

	json = cJSON_ParseWithLength((const char *) data, size);
	ddb_error_read(json, &info);
	if (info.type == NULL || info.message == NULL || strchr(info.type, '#') != NULL)
		abort();
	if (strncmp(info.type, type, sizeof(type) - 1) != 0)
		abort();

	ddb_resp_counts_read(json, &c);
	if (c.count < 0 || c.count > COUNT_MAX || c.scanned < 0 || c.scanned > COUNT_MAX ||
		c.batch_items < 0 || !isfinite(c.capacity) || c.capacity < 0)
		abort();
	if (json == NULL && (c.count || c.scanned || c.batch_items || c.has_item || c.capacity))
		abort();

	{
		ddb_capacity_part parts[8];
		int			np = ddb_resp_capacity_parts(json, parts, 8);
		double		sum = 0;
		int			i;

		if (np < 0 || (np > 0) != c.has_capacity)
			abort();
		for (i = 0; i < np && i < 8; i++)
		{
			if (parts[i].table == NULL || !isfinite(parts[i].units) || parts[i].units < 0)
				abort();
			sum += parts[i].units;
		}
		/* all parts seen: they are the capacity read (unless it overflowed) */
		if (np <= 8 && isfinite(sum) && sum != c.capacity)
			abort();
	}
	{
		char		reasons[300];
		char		small[7];
		int			nr = ddb_error_throttling_reasons(json, reasons, sizeof(reasons));
		const char *r;

		if (nr < 0 || memchr(reasons, '\0', sizeof(reasons)) == NULL)
			abort();
		if ((nr == 0) != (reasons[0] == '\0'))
			abort();
		for (r = reasons; *r; r++)
			if ((unsigned char) *r < 0x20 || (unsigned char) *r >= 0x7f)
				abort();
		if (ddb_error_throttling_reasons(json, small, sizeof(small)) != nr ||
			memchr(small, '\0', sizeof(small)) == NULL || strncmp(small, reasons, sizeof(small) - 1) != 0)
			abort();
	}

	u = ddb_resp_unprocessed(json);
	if (u && (!cJSON_IsObject(u) || u->child == NULL || !is_member(json, u)))
		abort();
	if (ddb_resp_unprocessed_count(u) < 0 || (u == NULL && ddb_resp_unprocessed_count(u) != 0))
		abort();
	if (ddb_resp_unprocessed_count(json) < 0)
		abort();
	u = ddb_resp_last_key(json);
	if (u && (!cJSON_IsObject(u) || u->child == NULL || !is_member(json, u)))
		abort();

	cJSON_Delete(json);
	return 0;
}
