/*
 * test_keyrange_core.c
 *	  Unit tests of src/keyrange_core.c: the key range of a condition on a
 *	  template hole, checked on examples and against every key a small
 *	  alphabet can spell.
 */
#include "keyrange_core.h"

#include <stdlib.h>

#include "unit.h"

/* bytewise a <= b */
static int
le(const char *a, const char *b)
{
	size_t		al = strlen(a),
				bl = strlen(b);
	int			c = memcmp(a, b, al < bl ? al : bl);

	return c < 0 || (c == 0 && al <= bl);
}

static void
examples(void)
{
	ddb_key_range r;
	size_t		i;

	/* the last hole: exactly the prefixed bounds */
	CHECK(ddb_keyrange_hole("ORDER#", "", "1000-1", "1000-3", 1024, &r) == 0);
	CHECK_STR(r.lo, "ORDER#1000-1");
	CHECK_STR(r.hi, "ORDER#1000-3");
	CHECK(!r.hi_top);
	free(r.lo);
	free(r.hi);

	/* no upper bound: the highest key of the prefix, 1024 bytes */
	CHECK(ddb_keyrange_hole("ORDER#", "", "x", NULL, 1024, &r) == 0);
	CHECK_STR(r.lo, "ORDER#x");
	CHECK(r.hi_top && r.hi_top_len == 6);
	CHECK(strlen(r.hi) == 1024);
	CHECK(memcmp(r.hi, "ORDER#\xF4\x8F\xBF\xBF", 10) == 0);
	/* 1018 bytes after the prefix: 254 times U+10FFFF, then U+07FF */
	CHECK(memcmp(r.hi + 1022, "\xDF\xBF", 2) == 0);
	CHECK(le("ORDER#\xF4\x8F\xBF\xBF" "zzz", r.hi));
	CHECK(!le("ORDES", r.hi));
	free(r.lo);
	free(r.hi);

	/* no lower bound: the prefix itself */
	CHECK(ddb_keyrange_hole("ORDER#", "", NULL, "b", 1024, &r) == 0);
	CHECK_STR(r.lo, "ORDER#");
	CHECK_STR(r.hi, "ORDER#b");
	free(r.lo);
	free(r.hi);

	/* a literal after the hole that sorts below the values: hi + after */
	CHECK(ddb_keyrange_hole("O#", "#", "2024-01-01", "2024-01-31", 1024, &r) == 0);
	CHECK_STR(r.lo, "O#2024-01-01");
	CHECK(r.hi_top && r.hi_top_len == strlen("O#2024-01-31#"));
	CHECK(memcmp(r.hi, "O#2024-01-31#\xF4", 14) == 0);
	free(r.lo);
	free(r.hi);

	/* ... and one that sorts above: a shorter value's keys sort higher */
	CHECK(ddb_keyrange_hole("P", "~", NULL, "ab", 64, &r) == 0);
	CHECK(r.hi_top && r.hi_top_len == 3);
	CHECK(memcmp(r.hi, "Pa~", 3) == 0);
	CHECK(strlen(r.hi) == 64);
	free(r.lo);
	free(r.hi);

	/* prefixes end at character boundaries: "\xC3" alone is no text */
	CHECK(ddb_keyrange_hole("P", "\xFF", NULL, "\xC3\xA9", 64, &r) == 0);
	CHECK(r.hi_top_len == 4);
	free(r.lo);
	free(r.hi);

	/* the filler for each remainder of bytes */
	for (i = 0; i < 4; i++)
	{
		char	   *t = ddb_keyrange_top("ab", 2, 10 + i);

		CHECK(strlen(t) == 10 + i);
		if (i == 1)
			CHECK((unsigned char) t[10] == 0x7F);
		if (i == 2)
			CHECK(memcmp(t + 10, "\xDF\xBF", 2) == 0);
		if (i == 3)
			CHECK(memcmp(t + 10, "\xEF\xBF\xBF", 3) == 0);
		free(t);
	}
	/* a text as long as a key can be is its own top */
	{
		char	   *t = ddb_keyrange_top("abcdef", 6, 4);

		CHECK_STR(t, "abcdef");
		free(t);
	}
}

/*
 * Every key "P" + V + after + rest over a small alphabet, V and rest short:
 * if lo <= V <= hi, the key lies in the range.
 */
static const char *const alphabet[] = {"a", "b", "~", "#", "\xC3\xA9", "\xF0\x9F\x98\x80"};
#define NALPHA (sizeof(alphabet) / sizeof(alphabet[0]))

static void
spell(char *buf, int n, int code)
{
	buf[0] = '\0';
	while (n-- > 0)
	{
		strcat(buf, alphabet[code % NALPHA]);
		code /= NALPHA;
	}
}

static void
exhaustive(void)
{
	const char *afters[] = {"", "#", "~", "b"};
	const char *bounds[] = {NULL, "a", "ab", "b~", "~", "\xC3\xA9", "a#"};
	size_t		ai,
				li,
				hi;
	int			bad = 0;

	for (ai = 0; ai < 4; ai++)
		for (li = 0; li < 7; li++)
			for (hi = 0; hi < 7; hi++)
			{
				ddb_key_range r;
				int			vn,
							vc,
							rn,
							rc;
				const char *after = afters[ai];
				const char *lo = bounds[li];
				const char *h = bounds[hi];

				if (ddb_keyrange_hole("P", after, lo, h, 48, &r) != 0)
				{
					bad++;
					continue;
				}
				for (vn = 0; vn <= 2; vn++)
					for (vc = 0; vc < (vn == 0 ? 1 : vn == 1 ? 6 : 36); vc++)
						for (rn = 0; rn <= (*after ? 1 : 0); rn++)
							for (rc = 0; rc < (rn == 0 ? 1 : 6); rc++)
							{
								char		v[32],
											rest[32],
											key[128];

								spell(v, vn, vc);
								spell(rest, rn, rc);
								if (*after && (vn == 0 || strstr(v, after)))
									continue;	/* not a value the hole can hold */
								if ((lo && !le(lo, v)) || (h && !le(v, h)))
									continue;
								snprintf(key, sizeof(key), "P%s%s%s", v, after, rest);
								if (!le(r.lo, key) || !le(key, r.hi))
								{
									if (bad++ < 5)
										fprintf(stderr, "key \"%s\" outside [%s, %s] after \"%s\"\n",
												key, r.lo, r.hi, after);
								}
							}
				free(r.lo);
				free(r.hi);
			}
	CHECK(bad == 0);
}

int
main(void)
{
	examples();
	exhaustive();
	UNIT_DONE("keyrange_core");
}
