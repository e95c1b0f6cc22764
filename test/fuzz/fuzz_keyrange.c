/*
 * fuzz_keyrange.c
 *	  libFuzzer target of src/keyrange_core.c: the input is four texts
 *	  separated by NUL bytes (prefix, the literal after the hole, low and
 *	  high bound, either bound empty for none).  Whatever they are, the
 *	  range must hold the keys of the bounds themselves, and of every
 *	  non-empty prefix of the high bound, when the hole can hold them.
 *	  Texts that are not valid UTF-8 are skipped: keys never are.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keyrange_core.h"

#define MAX_KEY 64

static int
le(const char *a, const char *b)
{
	size_t		al = strlen(a),
				bl = strlen(b);
	int			c = memcmp(a, b, al < bl ? al : bl);

	return c < 0 || (c == 0 && al <= bl);
}

/* Whether s is valid UTF-8 (DynamoDB's strings are; the property needs it). */
static int
utf8_valid(const unsigned char *s)
{
	while (*s)
	{
		int			n = *s < 0x80 ? 0 : (*s & 0xE0) == 0xC0 ? 1 : (*s & 0xF0) == 0xE0 ? 2 :
			(*s & 0xF8) == 0xF0 && *s <= 0xF4 ? 3 : -1;
		unsigned int cp;

		if (n < 0 || (n == 1 && *s < 0xC2))
			return 0;
		cp = n == 0 ? *s : *s & (0x3F >> n);
		s++;
		while (n-- > 0)
		{
			if ((*s & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (*s++ & 0x3F);
		}
		if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
	}
	return 1;
}

static void
check_key(const ddb_key_range *r, const char *prefix, const char *v, const char *after,
		  const char *lo, const char *hi)
{
	char		key[4 * MAX_KEY];

	if (!utf8_valid((const unsigned char *) v) || (*after && (*v == '\0' || strstr(v, after))))
		return;
	if ((lo && !le(lo, v)) || (hi && !le(v, hi)))
		return;
	snprintf(key, sizeof(key), "%s%s%s", prefix, v, after);
	if (strlen(key) > MAX_KEY)
		return;
	if (!le(r->lo, key) || !le(key, r->hi))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		buf[4 * MAX_KEY + 8];
	char	   *part[4];
	int			n = 0;
	size_t		i;
	ddb_key_range r;
	const char *lo;
	const char *hi;

	if (size > 4 * MAX_KEY)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	part[n++] = buf;
	for (i = 0; i < size && n < 4; i++)
		if (buf[i] == '\0')
			part[n++] = buf + i + 1;
	if (n < 4)
		return 0;
	for (i = 0; i < 4; i++)
		if (!utf8_valid((const unsigned char *) part[i]))
			return 0;
	lo = *part[2] ? part[2] : NULL;
	hi = *part[3] ? part[3] : NULL;
	if (ddb_keyrange_hole(part[0], part[1], lo, hi, MAX_KEY, &r) != 0)
		abort();
	if (lo)
		check_key(&r, part[0], lo, part[1], lo, hi);
	if (hi)
	{
		size_t		k;
		char		v[MAX_KEY * 4];

		for (k = 1; k <= strlen(hi); k++)
		{
			memcpy(v, hi, k);
			v[k] = '\0';
			check_key(&r, part[0], v, part[1], lo, hi);
		}
	}
	free(r.lo);
	free(r.hi);
	return 0;
}
