/*-------------------------------------------------------------------------
 * test_template.c
 *	  Unit tests of src/template.c: parse errors, match, compose, prefix,
 *	  and compose/match round trips over generated values.
 *
 * IDENTIFICATION
 *	  test/unit/test_template.c
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdlib.h>

#include "template.h"
#include "unit.h"

static char errbuf[256];

/* Parses text, which must fail with message want. */
static void
check_parse_error(const char *text, const char *want)
{
	ddb_template *t;

	errbuf[0] = '\0';
	t = ddb_template_parse(text, errbuf, sizeof(errbuf));
	CHECK(t == NULL);
	CHECK_STR(errbuf, want);
	ddb_template_free(t);
}

/* Parses text, which must succeed. */
static ddb_template *
parse_ok(const char *text)
{
	ddb_template *t;

	errbuf[0] = '\0';
	t = ddb_template_parse(text, errbuf, sizeof(errbuf));
	if (t == NULL)
		fprintf(stderr, "parse of \"%s\" failed: %s\n", text, errbuf);
	CHECK(t != NULL);
	return t;
}

/*
 * Matches key against text; want is NULL for "no match", else the values
 * joined by "|" (templates under test here do not use "|").
 */
static void
check_match(const char *text, const char *key, const char *want)
{
	ddb_template *t = parse_ok(text);
	ddb_slice	values[DDB_TEMPLATE_MAX_HOLES];
	char		got[512];
	size_t		n = 0;
	int			h;
	bool		ok;

	if (t == NULL)
		return;
	ok = ddb_template_match(t, key, strlen(key), values);
	if (want == NULL)
	{
		if (ok)
			fprintf(stderr, "\"%s\" unexpectedly matched \"%s\"\n", key, text);
		CHECK(!ok);
		ddb_template_free(t);
		return;
	}
	CHECK(ok);
	if (ok)
	{
		got[0] = '\0';
		for (h = 0; h < t->nholes; h++)
		{
			if (h > 0)
				got[n++] = '|';
			memcpy(got + n, values[h].ptr, values[h].len);
			n += values[h].len;
		}
		got[n] = '\0';
		CHECK_STR(got, want);
	}
	ddb_template_free(t);
}

/* Composes (nbound < 0) or prefixes; want NULL means an error with wanterr. */
static void
check_build(const char *text, const char *const *values, int nbound,
			const char *want, const char *wanterr)
{
	ddb_template *t = parse_ok(text);
	char	   *s;

	if (t == NULL)
		return;
	errbuf[0] = '\0';
	if (nbound < 0)
		s = ddb_template_compose(t, values, errbuf, sizeof(errbuf));
	else
		s = ddb_template_prefix(t, values, nbound, errbuf, sizeof(errbuf));
	if (want)
	{
		if (s == NULL)
			fprintf(stderr, "build of \"%s\" failed: %s\n", text, errbuf);
		CHECK_STR(s, want);
	}
	else
	{
		CHECK(s == NULL);
		CHECK_STR(errbuf, wanterr);
	}
	free(s);
	ddb_template_free(t);
}

static void
test_parse_errors(void)
{
	check_parse_error("", "empty template");
	check_parse_error(NULL, "empty template");
	check_parse_error("USER#{", "unterminated \"{\" at position 5");
	check_parse_error("USER#{user_id", "unterminated \"{\" at position 5");
	check_parse_error("{", "unterminated \"{\" at position 0");
	check_parse_error("A#{x}#{y", "unterminated \"{\" at position 6");
	check_parse_error("USER#{}", "empty hole name at position 5");
	check_parse_error("{}", "empty hole name at position 0");
	check_parse_error("USER#}", "unmatched \"}\" at position 5");
	check_parse_error("}", "unmatched \"}\" at position 0");
	check_parse_error("{a}}", "unmatched \"}\" at position 3");
	check_parse_error("{{a}", "unmatched \"}\" at position 3");
	check_parse_error("}}}", "unmatched \"}\" at position 2");
	check_parse_error("X#{1abc}", "hole name at position 2 must start with a letter or underscore");
	check_parse_error("X#{user id}", "invalid character \" \" in hole name at position 7");
	check_parse_error("X#{a-b}", "invalid character \"-\" in hole name at position 4");
	check_parse_error("X#{a{b}", "invalid character \"{\" in hole name at position 4");
	check_parse_error("X#{#}", "invalid character \"#\" in hole name at position 3");
	check_parse_error("X#{\xc3\xa9}", "invalid character byte 0xc3 in hole name at position 3");
	check_parse_error("{a}{b}", "adjacent holes \"a\" and \"b\" at position 3 (literal text must separate them)");
	check_parse_error("P#{a}#{b}{c}", "adjacent holes \"b\" and \"c\" at position 9 (literal text must separate them)");
	check_parse_error("{id}#{id}", "duplicate hole name \"id\" at position 5");
	check_parse_error("{id}#{ID}#{id}", "duplicate hole name \"id\" at position 10");
	check_parse_error("{a}#{b}#{a}", "duplicate hole name \"a\" at position 8");

	/* at most DDB_TEMPLATE_MAX_HOLES holes */
	{
		char		text[512];
		size_t		n = 0;
		int			h;
		ddb_template *t;

		for (h = 0; h < DDB_TEMPLATE_MAX_HOLES; h++)
			n += (size_t) snprintf(text + n, sizeof(text) - n, "{h%d}#", h);
		t = parse_ok(text);
		CHECK(t != NULL && t->nholes == DDB_TEMPLATE_MAX_HOLES);
		CHECK(t != NULL && t->nparts == 2 * DDB_TEMPLATE_MAX_HOLES);
		ddb_template_free(t);
		snprintf(text + n, sizeof(text) - n, "{h%d}", h);
		check_parse_error(text, "too many holes at position 86 (at most 16)");
	}

	/* err may be NULL or tiny */
	CHECK(ddb_template_parse("{", NULL, 0) == NULL);
	{
		char		tiny[8];

		CHECK(ddb_template_parse("USER#{", tiny, sizeof(tiny)) == NULL);
		CHECK_STR(tiny, "untermi");
	}
}

static void
test_parse_structure(void)
{
	ddb_template *t;

	t = parse_ok("USER#{user_id}");
	if (t)
	{
		CHECK(t->nparts == 2);
		CHECK(t->nholes == 1);
		CHECK(!t->parts[0].is_hole);
		CHECK_STR(t->parts[0].text, "USER#");
		CHECK(t->parts[0].len == 5);
		CHECK(t->parts[1].is_hole);
		CHECK_STR(t->parts[1].text, "user_id");
		CHECK(t->parts[1].len == 7);
		CHECK_STR(t->holes[0], "user_id");
		CHECK(t->holes[0] == t->parts[1].text);
		CHECK(ddb_template_hole_index(t, "user_id") == 0);
		CHECK(ddb_template_hole_index(t, "USER_ID") == -1);
		CHECK(ddb_template_hole_index(t, "user") == -1);
		CHECK(ddb_template_hole_index(t, NULL) == -1);
	}
	ddb_template_free(t);

	t = parse_ok("#METADATA");
	if (t)
	{
		CHECK(t->nparts == 1);
		CHECK(t->nholes == 0);
		CHECK_STR(t->parts[0].text, "#METADATA");
		CHECK(ddb_template_hole_index(t, "x") == -1);
	}
	ddb_template_free(t);

	t = parse_ok("{a}#{_b2}|{C}");
	if (t)
	{
		CHECK(t->nparts == 5);
		CHECK(t->nholes == 3);
		CHECK_STR(t->holes[0], "a");
		CHECK_STR(t->holes[1], "_b2");
		CHECK_STR(t->holes[2], "C");
		CHECK(ddb_template_hole_index(t, "C") == 2);
		CHECK(ddb_template_hole_index(t, "_b2") == 1);
		CHECK_STR(t->parts[1].text, "#");
		CHECK_STR(t->parts[3].text, "|");
	}
	ddb_template_free(t);

	/* literal braces are unescaped and join the surrounding literal */
	t = parse_ok("{{x}}#{id}}}");
	if (t)
	{
		CHECK(t->nparts == 3);
		CHECK_STR(t->parts[0].text, "{x}#");
		CHECK(t->parts[0].len == 4);
		CHECK_STR(t->parts[1].text, "id");
		CHECK_STR(t->parts[2].text, "}");
	}
	ddb_template_free(t);

	/* escaped braces alone separate two holes */
	t = parse_ok("{a}{{{b}");
	if (t)
	{
		CHECK(t->nparts == 3);
		CHECK_STR(t->parts[1].text, "{");
	}
	ddb_template_free(t);

	t = parse_ok("{{}}");
	if (t)
	{
		CHECK(t->nparts == 1 && t->nholes == 0);
		CHECK_STR(t->parts[0].text, "{}");
	}
	ddb_template_free(t);

	/* UTF-8 literal text passes through untouched */
	t = parse_ok("\xc3\x9cSER\xe2\x82\xac{id}\xf0\x9f\x98\x80");
	if (t)
	{
		CHECK(t->nparts == 3);
		CHECK_STR(t->parts[0].text, "\xc3\x9cSER\xe2\x82\xac");
		CHECK(t->parts[0].len == 8);
		CHECK_STR(t->parts[2].text, "\xf0\x9f\x98\x80");
	}
	ddb_template_free(t);

	/* a hole alone, and whitespace literals */
	t = parse_ok("{id}");
	CHECK(t != NULL && t->nparts == 1 && t->nholes == 1);
	ddb_template_free(t);
	t = parse_ok(" ");
	CHECK(t != NULL && t->nparts == 1 && t->nholes == 0);
	ddb_template_free(t);

	ddb_template_free(NULL);
	CHECK(ddb_template_hole_index(NULL, "x") == -1);
}

static void
test_match(void)
{
	/* the seed examples */
	check_match("USER#{user_id}", "USER#123", "123");
	check_match("ORDER#{order_id}", "ORDER#o-1", "o-1");
	check_match("STUDENT#{student_id}", "STUDENT#s1", "s1");
	check_match("LECTURE#{lecture_id}", "LECTURE#cs101", "cs101");
	check_match("POST#{post_id}", "POST#p9", "p9");
	check_match("COMMENT#{comment_id}", "COMMENT#2024-01-01T00:00:00Z#c1", "2024-01-01T00:00:00Z#c1");
	check_match("TAG#{tag}", "TAG#postgres", "postgres");
	check_match("#METADATA", "#METADATA", "");

	/* items of other entities in the same table do not match */
	check_match("USER#{user_id}", "ORDER#1", NULL);
	/* a trailing hole may be empty: begins_with(key, "USER#") is exact */
	check_match("USER#{user_id}", "USER#", "");
	check_match("USER#{user_id}", "USER", NULL);
	check_match("USER#{user_id}", "", NULL);
	check_match("USER#{user_id}", "user#1", NULL);
	check_match("#METADATA", "#METADATA#", NULL);
	check_match("#METADATA", "#METADAT", NULL);
	check_match("#METADATA", "", NULL);
	check_match("ORDER#{order_id}", "#METADATA", NULL);

	/* the literal after a hole also occurring inside a value */
	check_match("USER#{id}", "USER#a#b", "a#b");
	check_match("USER#{id}", "USER##", "#");
	check_match("A#{x}#B#{y}", "A#1#B#2", "1|2");
	check_match("A#{x}#B#{y}", "A#1#2#B#3", "1#2|3");
	check_match("A#{x}#B#{y}", "A#1#B#2#B#3", "1|2#B#3");
	check_match("A#{x}#B#{y}", "A##B#2", NULL);
	check_match("A#{x}#B#{y}", "A#1#B#", "1|");
	check_match("{x}#", "a#", "a");
	check_match("{x}#", "a#b#", NULL);	/* no backtracking */
	check_match("{x}#", "#", NULL);
	check_match("{x}#{y}", "a#b#c", "a|b#c");
	check_match("{x}#{y}", "##b", NULL);	/* x would be empty */
	check_match("{x}#{y}#END", "a#b#END", "a|b");
	check_match("{x}#{y}#END", "a#b#c#END", "a|b#c");
	check_match("{x}#{y}#END", "a#b#END#END", NULL);	/* y = "b", then "#END" is left */
	check_match("ORDER#{date}-{id}", "ORDER#2024-01-15-7", "2024|01-15-7");
	check_match("{x}aa{y}", "baaac", "b|ac");
	check_match("{x}aa{y}", "aaa", NULL);
	check_match("{x}", "anything at all", "anything at all");
	check_match("{x}", "", "");
	check_match("{x}#{y}", "#b", NULL);	/* only the trailing hole may be empty */

	/* literal braces */
	check_match("{{{id}}}", "{42}", "42");
	check_match("{{{id}}}", "{4}2}", NULL);
	check_match("{{{id}}}", "42", NULL);
	check_match("A}}{x}{{B", "A}1{B", "1");

	/* UTF-8 bytes in literals and values */
	check_match("\xc3\x9c#{id}", "\xc3\x9c#\xe2\x82\xac\xf0\x9f\x98\x80", "\xe2\x82\xac\xf0\x9f\x98\x80");
	check_match("{a}\xe2\x82\xac{b}", "x\xe2\x82\xacy\xe2\x82\xacz", "x|y\xe2\x82\xacz");
	check_match("{a}\xe2\x82\xac{b}", "x\xe2\x82y", NULL);

	/* keys are counted, not NUL-terminated */
	{
		ddb_template *t = parse_ok("USER#{id}#X");
		ddb_slice	v[1];
		const char	key[] = {'U', 'S', 'E', 'R', '#', '9', '#', 'X', '#', 'X'};

		if (t)
		{
			CHECK(ddb_template_match(t, key, 8, v));
			CHECK(v[0].ptr == key + 5 && v[0].len == 1);
			CHECK(!ddb_template_match(t, key, 7, v));
			CHECK(!ddb_template_match(t, key, 10, v));
			CHECK(!ddb_template_match(t, NULL, 0, v));
			CHECK(!ddb_template_match(NULL, key, 8, v));
		}
		ddb_template_free(t);

		t = parse_ok("#METADATA");
		CHECK(t && ddb_template_match(t, "#METADATA", 9, NULL));
		ddb_template_free(t);

		/* a NUL byte inside a key is matched like any other byte */
		t = parse_ok("K#{v}");
		CHECK(t && ddb_template_match(t, "K#a\0b", 5, v) && v[0].len == 3);
		ddb_template_free(t);
	}
}

static void
test_compose_prefix(void)
{
	const char *const one[] = {"123"};
	const char *const two[] = {"1", "2"};
	const char *const date[] = {"2024", "01-15-7"};
	const char *const uni[] = {"\xe2\x82\xac\xf0\x9f\x98\x80"};

	check_build("USER#{user_id}", one, -1, "USER#123", NULL);
	check_build("ORDER#{order_id}", one, -1, "ORDER#123", NULL);
	check_build("#METADATA", NULL, -1, "#METADATA", NULL);
	check_build("#METADATA", NULL, 0, "#METADATA", NULL);
	check_build("A#{x}#B#{y}", two, -1, "A#1#B#2", NULL);
	check_build("{{{id}}}", one, -1, "{123}", NULL);
	check_build("K#{v}", uni, -1, "K#\xe2\x82\xac\xf0\x9f\x98\x80", NULL);

	/* the trailing hole may hold its own literal */
	{
		const char *const v[] = {"a#b"};

		check_build("USER#{id}", v, -1, "USER#a#b", NULL);
	}

	/* refused values */
	{
		const char *const empty[] = {""};
		const char *const null[] = {NULL};
		const char *const hash[] = {"a#b", "2"};
		const char *const lead[] = {"#", "2"};
		const char *const bad_y[] = {"1", "x#Cy"};
		const char *const overlap[] = {"x#B", "2"};
		const char *const overlap2[] = {"b", "x#B"};
		const char *const overlap3[] = {"a#", "b"};
		const char *const aa[] = {"ba", "c"};

		check_build("USER#{id}", empty, -1, "USER#", NULL);	/* trailing: allowed */
		check_build("{id}#X", empty, -1, NULL, "empty value for hole \"id\"");
		check_build("USER#{id}", null, -1, NULL, "no value for hole \"id\"");
		check_build("USER#{id}", NULL, -1, NULL, "no value for hole \"id\"");
		check_build("{x}#{y}", hash, -1, NULL,
					"value for hole \"x\" must not contain \"#\", the literal that follows the hole");
		check_build("{x}#{y}", lead, -1, NULL,
					"value for hole \"x\" must not contain \"#\", the literal that follows the hole");
		check_build("A#{x}#B#{y}#C", bad_y, -1, NULL,
					"value for hole \"y\" must not contain \"#C\", the literal that follows the hole");
		check_build("A#{x}#B#{y}", overlap, -1, NULL,
					"value for hole \"x\" must not end with \"#B\", which runs into the literal \"#B#\" that follows the hole");
		check_build("A#{x}#B#{y}#B#", overlap2, -1, NULL,
					"value for hole \"y\" must not end with \"#B\", which runs into the literal \"#B#\" that follows the hole");
		check_build("{x}##{y}", overlap3, -1, NULL,
					"value for hole \"x\" must not end with \"#\", which runs into the literal \"##\" that follows the hole");
		check_build("{x}aa{y}", aa, -1, NULL,
					"value for hole \"x\" must not end with \"a\", which runs into the literal \"aa\" that follows the hole");
		/* ... but a value that merely ends like the literal's end is fine */
		{
			const char *const ok[] = {"x#", "2"};

			check_build("A#{x}#B#{y}", ok, -1, "A#x##B#2", NULL);
			check_match("A#{x}#B#{y}", "A#x##B#2", "x#|2");
		}
	}

	/* prefix */
	check_build("ORDER#{date}-{id}", date, 0, "ORDER#", NULL);
	check_build("ORDER#{date}-{id}", date, 1, "ORDER#2024-", NULL);
	check_build("ORDER#{date}-{id}", date, 2, "ORDER#2024-01-15-7", NULL);
	check_build("ORDER#{date}-{id}", NULL, 0, "ORDER#", NULL);
	check_build("USER#{user_id}", NULL, 0, "USER#", NULL);
	check_build("USER#{user_id}", one, 1, "USER#123", NULL);
	check_build("{a}#{b}", NULL, 0, "", NULL);
	check_build("{a}#{b}", two, 1, "1#", NULL);
	check_build("{{x}}{a}", NULL, 0, "{x}", NULL);
	check_build("USER#{user_id}", one, 2, NULL, "2 bound holes out of range (template has 1)");
	{
		ddb_template *t = parse_ok("USER#{id}");

		CHECK(t && ddb_template_prefix(t, one, -1, errbuf, sizeof(errbuf)) == NULL);
		CHECK_STR(errbuf, "-1 bound holes out of range (template has 1)");
		CHECK(ddb_template_compose(NULL, one, errbuf, sizeof(errbuf)) == NULL);
		CHECK_STR(errbuf, "no template");
		CHECK(ddb_template_prefix(NULL, one, 0, NULL, 0) == NULL);
		/* prefix checks only the bound values */
		{
			const char *const bad[] = {"a#b", ""};
			char	   *s;

			ddb_template_free(t);
			t = parse_ok("{x}#{y}");
			s = ddb_template_prefix(t, bad, 0, errbuf, sizeof(errbuf));
			CHECK_STR(s, "");
			free(s);
			CHECK(ddb_template_prefix(t, bad, 1, errbuf, sizeof(errbuf)) == NULL);
		}
		ddb_template_free(t);
	}
}

/* xorshift: deterministic pseudo-random values */
static uint32_t rng_state = 2463534242u;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* a random value over an alphabet rich in template literal bytes */
static void
random_value(char *buf, size_t maxlen)
{
	static const char *const alphabet[] = {
		"#", "#", "a", "b", "B", "1", "-", "{", "}", "|", "aa", "#B#",
		"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "X", "_", " "
	};
	size_t		n = 0;
	int			pieces = 1 + (int) (rng() % 6);

	while (pieces-- > 0)
	{
		const char *p = alphabet[rng() % (sizeof(alphabet) / sizeof(alphabet[0]))];
		size_t		len = strlen(p);

		if (n + len >= maxlen)
			break;
		memcpy(buf + n, p, len);
		n += len;
	}
	buf[n] = '\0';
}

/* Whether slice equals the C string s. */
static bool
slice_eq(ddb_slice sl, const char *s)
{
	return sl.len == strlen(s) && memcmp(sl.ptr, s, sl.len) == 0;
}

/*
 * For each template: compose random values; when compose accepts them the
 * key must match back to exactly those values, and every prefix must begin
 * the key.  When compose refuses, the values must be ones that would not
 * read back (checked by matching the naive concatenation).  Then match
 * random keys and compose them back.
 */
static void
test_round_trips(void)
{
	static const char *const templates[] = {
		"USER#{user_id}", "ORDER#{order_id}", "STUDENT#{student_id}",
		"LECTURE#{lecture_id}", "POST#{post_id}", "COMMENT#{comment_id}",
		"TAG#{tag}", "#METADATA", "A#{x}#B#{y}", "{x}#{y}", "{x}#",
		"{x}aa{y}", "{x}#B#{y}#B#", "ORDER#{date}-{id}", "{{{id}}}",
		"P{a}|{b}|{c}|", "\xe2\x82\xac{a}\xc3\xa9{b}", "{a}#{b}#{c}#{d}",
		"{a}aba{b}", "{a}}}{b}{{", "X"
	};
	int			ti;
	int			accepted = 0;
	int			refused = 0;
	int			keys_matched = 0;
	int			bad = 0;

	for (ti = 0; ti < (int) (sizeof(templates) / sizeof(templates[0])); ti++)
	{
		ddb_template *t = parse_ok(templates[ti]);
		int			iter;

		if (t == NULL)
			continue;
		for (iter = 0; iter < 2000; iter++)
		{
			char		store[DDB_TEMPLATE_MAX_HOLES][64];
			const char *values[DDB_TEMPLATE_MAX_HOLES];
			ddb_slice	got[DDB_TEMPLATE_MAX_HOLES];
			char	   *key;
			int			h;
			int			nb;

			for (h = 0; h < t->nholes; h++)
			{
				random_value(store[h], sizeof(store[h]));
				values[h] = store[h];
			}
			key = ddb_template_compose(t, values, errbuf, sizeof(errbuf));
			if (key == NULL)
			{
				/* the plain concatenation must not read back as values */
				char		naive[1024];
				size_t		n = 0;
				int			i;
				bool		same = true;

				refused++;
				h = 0;
				for (i = 0; i < t->nparts; i++)
				{
					const char *s = t->parts[i].is_hole ? values[h++] : t->parts[i].text;

					memcpy(naive + n, s, strlen(s));
					n += strlen(s);
				}
				if (ddb_template_match(t, naive, n, got))
				{
					for (h = 0; h < t->nholes; h++)
						same = same && slice_eq(got[h], values[h]);
				}
				else
					same = false;
				if (same)
					bad++;
				continue;
			}
			accepted++;
			if (!ddb_template_match(t, key, strlen(key), got))
				bad++;
			else
			{
				for (h = 0; h < t->nholes; h++)
				{
					if (!slice_eq(got[h], values[h]))
						bad++;
				}
			}
			for (nb = 0; nb <= t->nholes; nb++)
			{
				char	   *p = ddb_template_prefix(t, values, nb, errbuf, sizeof(errbuf));

				if (p == NULL || strncmp(key, p, strlen(p)) != 0 ||
					(nb == t->nholes && strcmp(key, p) != 0))
					bad++;
				free(p);
			}
			free(key);
		}

		/* random keys: literal parts and random values glued together */
		for (iter = 0; iter < 2000; iter++)
		{
			char		keybuf[1024];
			char		piece[64];
			ddb_slice	got[DDB_TEMPLATE_MAX_HOLES];
			const char *values[DDB_TEMPLATE_MAX_HOLES];
			char		store[DDB_TEMPLATE_MAX_HOLES][1024];
			size_t		n = 0;
			int			i;
			int			h;
			char	   *back;

			for (i = 0; i < t->nparts; i++)
			{
				const char *s = piece;

				if (t->parts[i].is_hole || rng() % 8 == 0)
					random_value(piece, sizeof(piece));
				if (!t->parts[i].is_hole)
					s = (rng() % 8 == 0) ? piece : t->parts[i].text;
				memcpy(keybuf + n, s, strlen(s));
				n += strlen(s);
			}
			if (!ddb_template_match(t, keybuf, n, got))
				continue;
			keys_matched++;
			for (h = 0; h < t->nholes; h++)
			{
				memcpy(store[h], got[h].ptr, got[h].len);
				store[h][got[h].len] = '\0';
				values[h] = store[h];
			}
			back = ddb_template_compose(t, values, errbuf, sizeof(errbuf));
			if (back == NULL || strlen(back) != n || memcmp(back, keybuf, n) != 0)
				bad++;
			free(back);
		}
		ddb_template_free(t);
	}
	printf("round trips: %d composed, %d refused, %d random keys matched\n",
		   accepted, refused, keys_matched);
	CHECK(bad == 0);
	CHECK(accepted > 10000);
	CHECK(refused > 1000);
	CHECK(keys_matched > 10000);
}

/* Allocator that counts, and can be told to fail. */
static int	live_allocs;
static int	fail_after = -1;

static void *
counting_alloc(size_t n)
{
	if (fail_after == 0)
		return NULL;
	if (fail_after > 0)
		fail_after--;
	live_allocs++;
	return malloc(n);
}

static void
counting_free(void *p)
{
	if (p)
		live_allocs--;
	free(p);
}

static void
test_allocator(void)
{
	ddb_template *t;
	const char *const v[] = {"2024", "7"};
	char	   *s;

	ddb_template_set_allocator(counting_alloc, counting_free);

	t = ddb_template_parse("ORDER#{date}-{id}", errbuf, sizeof(errbuf));
	CHECK(t != NULL);
	CHECK(live_allocs == 1);	/* a template is one allocation */
	s = ddb_template_compose(t, v, errbuf, sizeof(errbuf));
	CHECK_STR(s, "ORDER#2024-7");
	CHECK(live_allocs == 2);
	counting_free(s);
	s = ddb_template_prefix(t, v, 1, errbuf, sizeof(errbuf));
	CHECK_STR(s, "ORDER#2024-");
	counting_free(s);
	ddb_template_free(t);
	CHECK(live_allocs == 0);

	/* failed parses leave nothing behind */
	CHECK(ddb_template_parse("{a}#{a}", errbuf, sizeof(errbuf)) == NULL);
	CHECK(ddb_template_parse("X{", errbuf, sizeof(errbuf)) == NULL);
	CHECK(live_allocs == 0);

	/* allocation failures are reported, not crashed on */
	fail_after = 0;
	CHECK(ddb_template_parse("USER#{id}", errbuf, sizeof(errbuf)) == NULL);
	CHECK_STR(errbuf, "out of memory");
	fail_after = -1;
	t = ddb_template_parse("USER#{id}", errbuf, sizeof(errbuf));
	fail_after = 0;
	CHECK(ddb_template_compose(t, v, errbuf, sizeof(errbuf)) == NULL);
	CHECK_STR(errbuf, "out of memory");
	fail_after = -1;
	ddb_template_free(t);
	CHECK(live_allocs == 0);

	ddb_template_set_allocator(NULL, NULL);
	t = parse_ok("USER#{id}");
	ddb_template_free(t);
	CHECK(live_allocs == 0);
}

/* Composes values (NULL-terminated list) with text; want NULL for refused. */
static void
check_compose(const char *text, const char *const *values, const char *want)
{
	ddb_template *t = parse_ok(text);
	char	   *got;

	if (t == NULL)
		return;
	got = ddb_template_compose(t, values, errbuf, sizeof(errbuf));
	if (want == NULL)
		CHECK(got == NULL);
	else
		CHECK_STR(got, want);
	free(got);
	ddb_template_free(t);
}

/*
 * Value transforms: ":lower" and ":upper" as JavaScript maps case, in
 * compose, prefix and match, and keys cut short for missing values.
 */
static void
test_transforms(void)
{
	ddb_template *t;
	ddb_slice	v[DDB_TEMPLATE_MAX_HOLES];
	char	   *s;

	/* parse */
	t = parse_ok("$taskapp#office_{office:lower}");
	if (t)
	{
		CHECK(t->nholes == 1);
		CHECK_STR(t->holes[0], "office");
		CHECK(t->transforms[0] == DDB_TRANSFORM_LOWER);
		CHECK(t->parts[1].transform == DDB_TRANSFORM_LOWER);
		CHECK(ddb_template_hole_index(t, "office") == 0);
		ddb_template_free(t);
	}
	t = parse_ok("{a:upper}#{b}");
	if (t)
	{
		CHECK(t->transforms[0] == DDB_TRANSFORM_UPPER);
		CHECK(t->transforms[1] == DDB_TRANSFORM_NONE);
		ddb_template_free(t);
	}
	check_parse_error("X#{a:title}", "unknown transform \"title\" in hole at position 2 (lower or upper)");
	check_parse_error("X#{a:}", "unknown transform \"\" in hole at position 2 (lower or upper)");
	check_parse_error("X#{:lower}", "empty hole name at position 2");
	check_parse_error("{a:lower}{b}", "adjacent holes \"a\" and \"b\" at position 9 (literal text must separate them)");
	check_parse_error("{a:lower}#{a:upper}", "duplicate hole name \"a\" at position 10");
	/* a final sigma needs a literal that decides it */
	check_parse_error("{a:lower}.{b}",
					  "the literal after hole \"a\" at position 0 has only case-ignorable characters (a \":lower\" hole needs one that is not)");
	t = parse_ok("{a:upper}.{b}");
	ddb_template_free(t);
	t = parse_ok("{a:lower}.#{b}");
	ddb_template_free(t);

	/* compose: JavaScript's mappings, including the ones that change length */
	{
		const char *const office[] = {"Portland HQ"};
		const char *const greek[] = {"ΟΔΥΣΣΕΥΣ"};
		const char *const turkish[] = {"İstanbul"};
		const char *const german[] = {"Straße"};
		const char *const two[] = {"ΑΣ", "ΑΣ"};
		const char *const empty[] = {""};

		check_compose("$taskapp#office_{office:lower}", office, "$taskapp#office_portland hq");
		check_compose("O#{office:upper}", office, "O#PORTLAND HQ");
		check_compose("G#{w:lower}", greek, "G#οδυσσευς");
		check_compose("T#{c:lower}", turkish, "T#i\xcc\x87stanbul");
		check_compose("S#{s:upper}", german, "S#STRASSE");
		check_compose("S#{s:lower}", german, "S#straße");
		/* the sigma before "#" ends a word; before "'x" it does not */
		check_compose("{a:lower}#{b:lower}", two, "ας#ας");
		check_compose("{a:lower}'x#{b}", two, "ασ'x#ΑΣ");
		/* the transformed value is what must not hold the next literal */
		{
			const char *const v2[] = {"A#B", "c"};

			check_compose("{a:lower}#b#{c}", v2, NULL);
		}
		check_compose("X#{a:lower}", empty, "X#");
	}

	/* match: only text the transform keeps */
	check_match("$app#office_{office:lower}", "$app#office_portland hq", "portland hq");
	check_match("$app#office_{office:lower}", "$app#office_Portland HQ", NULL);
	check_match("$app#office_{office:upper}", "$app#office_PORTLAND HQ", "PORTLAND HQ");
	check_match("$app#office_{office:upper}", "$app#office_portland", NULL);
	check_match("W#{w:lower}", "W#οδυσσευς", "οδυσσευς");
	/* a small sigma is lower case wherever it stands */
	check_match("W#{w:lower}", "W#οδυσσευσ", "οδυσσευσ");
	check_match("W#{w:lower}", "W#οδυσσευΣ", NULL);
	check_match("W#{w:lower}", "W#ς", "ς");	/* not after a letter: not final, but kept */
	check_match("{a:lower}#{b:lower}#", "straße#i\xcc\x87#", "straße|i\xcc\x87");
	check_match("{a:lower}#{b}", "İ#x", NULL);

	/* prefix: bound values transformed too */
	t = parse_ok("$taskapp#task_{task:lower}#project_{project:lower}");
	if (t)
	{
		const char *const vals[] = {"T1", "P"};

		s = ddb_template_prefix(t, vals, 1, errbuf, sizeof(errbuf));
		CHECK_STR(s, "$taskapp#task_t1#project_");
		free(s);
		s = ddb_template_prefix(t, vals, 2, errbuf, sizeof(errbuf));
		CHECK_STR(s, "$taskapp#task_t1#project_p");
		free(s);
		s = ddb_template_truncate(t, vals, 0, errbuf, sizeof(errbuf));
		CHECK_STR(s, "$taskapp#task_");
		free(s);
		s = ddb_template_prefix(t, NULL, 1, errbuf, sizeof(errbuf));
		CHECK(s == NULL);
		CHECK_STR(errbuf, "no value for hole \"task\"");
		ddb_template_free(t);
	}

	/* partial matches: keys cut short before a missing value */
	t = parse_ok("$app#manager_{manager:lower}#team_{team}");
	if (t)
	{
		const char *k1 = "$app#manager_";
		const char *k2 = "$app#manager_ann#team_";
		const char *k3 = "$app#manager_ann#team_dev";
		const char *k4 = "$app#manager";

		CHECK(ddb_template_match_partial(t, k1, strlen(k1), v) == 0);
		CHECK(ddb_template_match_partial(t, k2, strlen(k2), v) == 1);
		CHECK(v[0].len == 3 && memcmp(v[0].ptr, "ann", 3) == 0);
		CHECK(ddb_template_match_partial(t, k3, strlen(k3), v) == 2);
		CHECK(v[1].len == 3 && memcmp(v[1].ptr, "dev", 3) == 0);
		CHECK(ddb_template_match_partial(t, k4, strlen(k4), v) == -1);
		/* a complete match keeps the old rule: the trailing hole may be empty */
		CHECK(ddb_template_match(t, k2, strlen(k2), v));
		CHECK(!ddb_template_match(t, k1, strlen(k1), v));
		ddb_template_free(t);
	}
	t = parse_ok("{a}#x");
	if (t)
	{
		CHECK(ddb_template_match_partial(t, "", 0, v) == 0);
		CHECK(ddb_template_match_partial(t, "q#x", 3, v) == 1);
		CHECK(ddb_template_match_partial(t, "q#", 2, v) == -1);
		ddb_template_free(t);
	}

	/* casemap of a span, in the context of the whole string */
	s = ddb_template_casemap(DDB_TRANSFORM_LOWER, "ΑΣ x", strlen("ΑΣ x"), 0, strlen("ΑΣ"));
	CHECK_STR(s, "ας");
	free(s);
	s = ddb_template_casemap(DDB_TRANSFORM_LOWER, "ΑΣΑ", strlen("ΑΣΑ"), 2, 4);
	CHECK_STR(s, "σ");
	free(s);
	s = ddb_template_casemap(DDB_TRANSFORM_NONE, "ΑΣΑ", strlen("ΑΣΑ"), 2, 4);
	CHECK_STR(s, "Σ");
	free(s);
	/* bytes that are not UTF-8 pass through */
	s = ddb_template_casemap(DDB_TRANSFORM_UPPER, "a\xff\xc3" "b", 4, 0, 4);
	CHECK_STR(s, "A\xff\xc3" "B");
	free(s);
	CHECK_STR(ddb_transform_name(DDB_TRANSFORM_LOWER), "lower");
	CHECK_STR(ddb_transform_name(DDB_TRANSFORM_NONE), "");
}

int
main(void)
{
	test_parse_errors();
	test_parse_structure();
	test_match();
	test_compose_prefix();
	test_round_trips();
	test_allocator();
	test_transforms();
	UNIT_DONE("template");
}
