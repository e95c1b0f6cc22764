/*-------------------------------------------------------------------------
 * fuzz_template.c
 *	  libFuzzer target for src/template.c.
 *
 * Input: template text, a newline, then the key (any bytes).  Properties,
 * each abort()ing when violated:
 *	- parse either fails with a non-empty message or yields a well-formed
 *	  template (holes within limits, never adjacent, valid unique names),
 *	  and re-escaping its parts parses back to the same parts;
 *	- when the key matches, composing the matched values gives the key back
 *	  byte for byte, and the prefix for every nbound begins the key;
 *	- values cut from the key and accepted by compose match back to
 *	  themselves (the other direction of the round trip), or with a
 *	  ":lower"/":upper" hole to their case-mapped text, which composes
 *	  back to the same key;
 *	- a key that matches also matches partially, with every hole; a key
 *	  truncated before hole k partially matches with k holes.
 *
 * IDENTIFICATION
 *	  test/fuzz/fuzz_template.c
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"

#define REQUIRE(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_template: property violated at line %d: %s\n", __LINE__, #cond); \
		abort(); \
	} \
} while (0)

static bool
valid_name(const char *s, size_t len)
{
	size_t		i;

	if (len == 0 || strlen(s) != len)
		return false;
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];
		bool		letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';

		if (!letter && !(i > 0 && c >= '0' && c <= '9'))
			return false;
	}
	return true;
}

/* Checks the structure of t, then that re-escaping it parses back the same. */
static void
check_structure(const ddb_template *t)
{
	char	   *text;
	size_t		cap = 1;
	size_t		n = 0;
	int			i;
	int			h = 0;
	ddb_template *u;
	char		err[256];

	REQUIRE(t->nparts >= 1);
	REQUIRE(t->nholes >= 0 && t->nholes <= DDB_TEMPLATE_MAX_HOLES);
	for (i = 0; i < t->nparts; i++)
	{
		const ddb_template_part *p = &t->parts[i];

		if (p->is_hole)
		{
			REQUIRE(valid_name(p->text, p->len));
			REQUIRE(h < t->nholes && t->holes[h] == p->text);
			REQUIRE(ddb_template_hole_index(t, p->text) == h);
			REQUIRE(i == 0 || !t->parts[i - 1].is_hole);
			h++;
		}
		else
		{
			REQUIRE(p->len > 0 && strlen(p->text) == p->len);
			REQUIRE(i == 0 || t->parts[i - 1].is_hole);
		}
		cap += 2 * p->len + 2 + 7;
	}
	REQUIRE(h == t->nholes);

	text = malloc(cap);
	REQUIRE(text != NULL);
	for (i = 0; i < t->nparts; i++)
	{
		const ddb_template_part *p = &t->parts[i];
		size_t		k;

		if (p->is_hole)
		{
			const char *tr = ddb_transform_name(p->transform);

			text[n++] = '{';
			memcpy(text + n, p->text, p->len);
			n += p->len;
			if (*tr)
			{
				text[n++] = ':';
				memcpy(text + n, tr, strlen(tr));
				n += strlen(tr);
			}
			text[n++] = '}';
			continue;
		}
		for (k = 0; k < p->len; k++)
		{
			text[n++] = p->text[k];
			if (p->text[k] == '{' || p->text[k] == '}')
				text[n++] = p->text[k];
		}
	}
	text[n] = '\0';
	u = ddb_template_parse(text, err, sizeof(err));
	REQUIRE(u != NULL);
	REQUIRE(u->nparts == t->nparts && u->nholes == t->nholes);
	for (i = 0; i < t->nparts; i++)
	{
		REQUIRE(u->parts[i].is_hole == t->parts[i].is_hole);
		REQUIRE(u->parts[i].transform == t->parts[i].transform);
		REQUIRE(u->parts[i].len == t->parts[i].len);
		REQUIRE(memcmp(u->parts[i].text, t->parts[i].text, t->parts[i].len) == 0);
	}
	ddb_template_free(u);
	free(text);
}

/* Prefix for every nbound must begin key; with all bound it must be key. */
static void
check_prefixes(const ddb_template *t, const char *const *values,
			   const char *key, size_t keylen)
{
	char		err[256];
	size_t		last = 0;
	int			nb;

	for (nb = 0; nb <= t->nholes; nb++)
	{
		char	   *p = ddb_template_prefix(t, values, nb, err, sizeof(err));
		size_t		plen;

		REQUIRE(p != NULL);
		plen = strlen(p);
		REQUIRE(plen <= keylen && memcmp(p, key, plen) == 0);
		REQUIRE(plen >= last);
		if (nb == t->nholes)
			REQUIRE(plen == keylen);
		last = plen;
		free(p);
	}
}

/* The key matches: compose the values back and compare. */
static void
check_match_round_trip(const ddb_template *t, const ddb_slice *got,
					   const char *key, size_t keylen)
{
	char	   *store[DDB_TEMPLATE_MAX_HOLES];
	const char *values[DDB_TEMPLATE_MAX_HOLES];
	char		err[256];
	char	   *back;
	int			h;
	bool		has_nul = false;

	for (h = 0; h < t->nholes; h++)
	{
		/* only a hole that ends the template may be empty */
		REQUIRE(got[h].len > 0 ||
				(h == t->nholes - 1 && t->parts[t->nparts - 1].is_hole));
		REQUIRE(got[h].ptr >= key && got[h].ptr + got[h].len <= key + keylen);
		if (memchr(got[h].ptr, '\0', got[h].len))
			has_nul = true;
		store[h] = malloc(got[h].len + 1);
		REQUIRE(store[h] != NULL);
		memcpy(store[h], got[h].ptr, got[h].len);
		store[h][got[h].len] = '\0';
		values[h] = store[h];
	}
	/* a value with a NUL byte cannot be passed as a C string */
	if (!has_nul && memchr(key, '\0', keylen) == NULL)
	{
		back = ddb_template_compose(t, values, err, sizeof(err));
		if (back == NULL)
			fprintf(stderr, "compose refused a matched key: %s\n", err);
		REQUIRE(back != NULL);
		REQUIRE(strlen(back) == keylen && memcmp(back, key, keylen) == 0);
		free(back);
		check_prefixes(t, values, key, keylen);
	}
	for (h = 0; h < t->nholes; h++)
		free(store[h]);
}

/*
 * Cuts values out of the key (split at '|', NUL bytes dropped), composes
 * them, and when compose accepts, the result must match back to them.
 */
static void
check_compose_round_trip(const ddb_template *t, const char *key, size_t keylen)
{
	char	   *buf = malloc(keylen + 1);
	const char *values[DDB_TEMPLATE_MAX_HOLES];
	ddb_slice	got[DDB_TEMPLATE_MAX_HOLES];
	char		err[256];
	char	   *composed;
	size_t		n = 0;
	size_t		i;
	int			h = 0;

	REQUIRE(buf != NULL);
	for (i = 0; i < keylen; i++)
	{
		if (key[i] != '\0')
			buf[n++] = key[i];
	}
	buf[n] = '\0';
	values[0] = buf;
	for (i = 0; i < n && t->nholes > 0; i++)
	{
		if (buf[i] == '|' && h + 1 < t->nholes)
		{
			buf[i] = '\0';
			values[++h] = buf + i + 1;
		}
	}
	for (h++; h < t->nholes; h++)
		values[h] = "v";

	err[0] = '\0';
	composed = ddb_template_compose(t, values, err, sizeof(err));
	if (composed == NULL)
		REQUIRE(err[0] != '\0');
	else
	{
		size_t		clen = strlen(composed);

		REQUIRE(ddb_template_match(t, composed, clen, got));
		for (h = 0; h < t->nholes; h++)
			REQUIRE(t->transforms[h] != DDB_TRANSFORM_NONE ||
					(got[h].len == strlen(values[h]) &&
					 memcmp(got[h].ptr, values[h], got[h].len) == 0));
		check_prefixes(t, values, composed, clen);
		/* transformed values: what matched composes the same key again */
		check_match_round_trip(t, got, composed, clen);
		free(composed);
	}
	free(buf);
}

/*
 * A partial match of k holes: the key is exactly the prefix of its k
 * values (cut before hole k), or the whole key with every hole.
 */
static void
check_partial(const ddb_template *t, const char *key, size_t keylen)
{
	ddb_slice	got[DDB_TEMPLATE_MAX_HOLES];
	char	   *store[DDB_TEMPLATE_MAX_HOLES];
	const char *values[DDB_TEMPLATE_MAX_HOLES];
	char		err[256];
	int			k = ddb_template_match_partial(t, key, keylen, got);
	int			h;
	char	   *back;

	if (k < 0 || memchr(key, '\0', keylen) != NULL)
		return;
	REQUIRE(k <= t->nholes);
	for (h = 0; h < k; h++)
	{
		store[h] = malloc(got[h].len + 1);
		REQUIRE(store[h] != NULL);
		memcpy(store[h], got[h].ptr, got[h].len);
		store[h][got[h].len] = '\0';
		values[h] = store[h];
	}
	back = ddb_template_truncate(t, values, k, err, sizeof(err));
	if (back == NULL)
		fprintf(stderr, "truncate refused a partially matched key: %s\n", err);
	REQUIRE(back != NULL);
	REQUIRE(strlen(back) == keylen && memcmp(back, key, keylen) == 0);
	free(back);
	for (h = 0; h < k; h++)
		free(store[h]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t		tlen = nl ? (size_t) (nl - data) : size;
	const char *key = nl ? (const char *) nl + 1 : "";
	size_t		keylen = nl ? size - tlen - 1 : 0;
	char	   *text = malloc(tlen + 1);
	char		err[256];
	ddb_template *t;
	ddb_slice	got[DDB_TEMPLATE_MAX_HOLES];

	REQUIRE(text != NULL);
	memcpy(text, data, tlen);
	text[tlen] = '\0';

	err[0] = '\0';
	t = ddb_template_parse(text, err, sizeof(err));
	if (t == NULL)
	{
		size_t		elen = strlen(err);

		REQUIRE(elen > 0 && err[elen - 1] != '.');
		REQUIRE(!(err[0] >= 'A' && err[0] <= 'Z'));
		free(text);
		return 0;
	}
	check_structure(t);

	if (ddb_template_match(t, key, keylen, got))
	{
		check_match_round_trip(t, got, key, keylen);
		/* a complete match is a partial one too, unless a trailing hole is empty */
		if (!(t->nholes > 0 && t->parts[t->nparts - 1].is_hole &&
			  got[t->nholes - 1].len == 0))
			REQUIRE(ddb_template_match_partial(t, key, keylen, got) == t->nholes);
	}
	check_partial(t, key, keylen);
	check_compose_round_trip(t, key, keylen);

	ddb_template_free(t);
	free(text);
	return 0;
}
