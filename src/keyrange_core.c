/*-------------------------------------------------------------------------
 * keyrange_core.c
 *	  Key ranges for conditions on a key template hole (keyrange_core.h).
 *
 * Everything here compares bytes, as DynamoDB compares string keys.  A key
 * "prefix V after rest" with V in [lo, hi] is at least prefix + lo: either
 * lo is a prefix of V, or V is greater at the first byte where they
 * differ.  It is at most the highest key beginning with prefix + V + after;
 * which V gives the highest of those is worked out from hi's prefixes.
 *-------------------------------------------------------------------------
 */
#include "keyrange_core.h"

#include <stdlib.h>
#include <string.h>

static void *(*kr_alloc) (size_t) = malloc;
static void (*kr_free) (void *) = free;

void
ddb_keyrange_set_allocator(void *(*alloc_fn) (size_t), void (*free_fn) (void *))
{
	kr_alloc = alloc_fn ? alloc_fn : malloc;
	kr_free = free_fn ? free_fn : free;
}

/* a + b (lengths given), NUL-terminated, or NULL. */
static char *
concat(const char *a, size_t alen, const char *b, size_t blen)
{
	char	   *r = kr_alloc(alen + blen + 1);

	if (r == NULL)
		return NULL;
	memcpy(r, a, alen);
	memcpy(r + alen, b, blen);
	r[alen + blen] = '\0';
	return r;
}

/*
 * How the highest keys beginning with a and with b compare: as a and b at
 * the first byte where they differ; when one begins with the other, the
 * shorter begins more keys, and its highest is the higher.
 */
static int
top_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int			c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? 1 : alen > blen ? -1 : 0;
}

char *
ddb_keyrange_top(const char *text, size_t len, size_t max_len)
{
	static const unsigned char max4[4] = {0xF4, 0x8F, 0xBF, 0xBF};	/* U+10FFFF */
	static const unsigned char max3[3] = {0xEF, 0xBF, 0xBF};	/* U+FFFF */
	static const unsigned char max2[2] = {0xDF, 0xBF};	/* U+07FF */
	char	   *r;
	size_t		room;
	size_t		pos;

	if (len >= max_len)
		return concat(text, len, "", 0);
	r = kr_alloc(max_len + 1);
	if (r == NULL)
		return NULL;
	memcpy(r, text, len);
	pos = len;
	room = max_len - len;
	while (room >= 4)
	{
		memcpy(r + pos, max4, 4);
		pos += 4;
		room -= 4;
	}
	/* the largest character of the bytes left beats any of as many bytes */
	if (room == 3)
		memcpy(r + pos, max3, 3);
	else if (room == 2)
		memcpy(r + pos, max2, 2);
	else if (room == 1)
		r[pos] = 0x7F;
	pos += room;
	r[pos] = '\0';
	return r;
}

/* Whether byte c starts a UTF-8 character (is not a continuation byte). */
static inline bool
char_start(unsigned char c)
{
	return (c & 0xC0) != 0x80;
}

int
ddb_keyrange_hole(const char *prefix, const char *after, const char *lo,
				  const char *hi, size_t max_len, ddb_key_range *out)
{
	size_t		plen = strlen(prefix);
	size_t		alen = strlen(after);

	memset(out, 0, sizeof(*out));
	out->lo = concat(prefix, plen, lo ? lo : "", lo ? strlen(lo) : 0);
	if (out->lo == NULL)
		return -1;

	if (hi == NULL)
	{
		/* no upper bound: every key of the prefix */
		out->hi = ddb_keyrange_top(prefix, plen, max_len);
		out->hi_top = true;
		out->hi_top_len = plen;
	}
	else if (alen == 0)
	{
		/* the hole ends the template: the key is prefix + V */
		out->hi = concat(prefix, plen, hi, strlen(hi));
	}
	else
	{
		/*
		 * V + after for the V <= hi that sorts highest: hi itself, or one of
		 * its non-empty prefixes when after sorts above the rest of hi.
		 */
		size_t		hlen = strlen(hi);
		size_t		best = hlen;
		size_t		k;
		char	   *cand;
		char	   *bestcand;

		bestcand = concat(hi, hlen, after, alen);
		if (bestcand == NULL)
			return -1;
		for (k = 1; k < hlen; k++)
		{
			if (!char_start((unsigned char) hi[k]))
				continue;
			cand = concat(hi, k, after, alen);
			if (cand == NULL)
			{
				kr_free(bestcand);
				return -1;
			}
			if (top_cmp(cand, k + alen, bestcand, best + alen) > 0)
			{
				kr_free(bestcand);
				bestcand = cand;
				best = k;
			}
			else
				kr_free(cand);
		}
		if (hlen == 0)
		{
			/* no non-empty V is at most "": nothing can match; keep lo > hi */
			kr_free(bestcand);
			out->hi = concat(prefix, plen, "", 0);
		}
		else
		{
			char	   *text = concat(prefix, plen, bestcand, best + alen);

			kr_free(bestcand);
			if (text == NULL)
				return -1;
			out->hi = ddb_keyrange_top(text, plen + best + alen, max_len);
			out->hi_top = true;
			out->hi_top_len = plen + best + alen;
			kr_free(text);
		}
	}
	if (out->hi == NULL)
	{
		kr_free(out->lo);
		out->lo = NULL;
		return -1;
	}
	return 0;
}
