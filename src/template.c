/*-------------------------------------------------------------------------
 * template.c
 *	  Key templates such as "USER#{user_id}": parse, match, compose, prefix.
 *
 * An entity foreign table maps columns onto the partition and sort keys of
 * a single-table DynamoDB design through templates: literal text with
 * "{column}" holes.  Reading splits a key ("USER#123") into column values,
 * writing composes a key from column values, and the planner turns the
 * literal text before the first unbound hole into a begins_with condition.
 *
 * The central promise is that matching and composing are inverses: every
 * key that matches composes back to itself from the matched values, and
 * every key that compose accepts matches back to the values it was built
 * from.  Matching is therefore kept deliberately simple (a hole ends at the
 * first occurrence of the literal that follows it, no backtracking) and
 * compose refuses exactly the values that this rule would read back
 * differently.  test/fuzz/fuzz_template.c checks the promise.
 *
 * This file is pure C (no PostgreSQL headers) so that it can be unit
 * tested and fuzzed on its own; memory comes from a pluggable allocator
 * (palloc/pfree inside the backend).
 *
 * IDENTIFICATION
 *	  src/template.c
 *-------------------------------------------------------------------------
 */
#include "template.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define TMPL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define TMPL_PRINTF(f, a)
#endif

/* At most this many parts: every hole needs a literal between it and the next. */
#define TMPL_MAX_PARTS (2 * DDB_TEMPLATE_MAX_HOLES + 1)

static void *(*tmpl_alloc) (size_t) = malloc;
static void (*tmpl_free) (void *) = free;

void
ddb_template_set_allocator(void *(*alloc_fn) (size_t), void (*free_fn) (void *))
{
	tmpl_alloc = alloc_fn ? alloc_fn : malloc;
	tmpl_free = free_fn ? free_fn : free;
}

static void set_error(char *err, size_t errlen, const char *fmt,...) TMPL_PRINTF(3, 4);

/* Writes a message into err, if the caller gave room for one. */
static void
set_error(char *err, size_t errlen, const char *fmt,...)
{
	va_list		ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static bool
is_name_start(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool
is_name_char(unsigned char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

/*
 * Describes byte c for an error message: the character itself in quotes
 * when printable ASCII, else its hex value (it may be part of a multibyte
 * UTF-8 sequence, which must not be cut in half in a message).
 */
static const char *
describe_char(unsigned char c, char *buf, size_t buflen)
{
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, buflen, "\"%c\"", c);
	else
		snprintf(buf, buflen, "byte 0x%02x", c);
	return buf;
}

/* A part under construction: offsets into the text area of the result. */
typedef struct tmpl_scratch
{
	bool		is_hole;
	size_t		off;
	size_t		len;
} tmpl_scratch;

/*
 * Parses text into a template.
 *
 * The result is one allocation: the ddb_template, then its parts array,
 * then the NUL-terminated texts of all parts.  Unescaping only shrinks
 * literal text and hole names are copied verbatim, so strlen(text) plus one
 * NUL per part bounds the text area; that lets us size the block before
 * parsing and release everything with a single free.
 */
ddb_template *
ddb_template_parse(const char *text, char *err, size_t errlen)
{
	size_t		textlen;
	size_t		header;
	size_t		total;
	char	   *block;
	char	   *area;
	size_t		used = 0;
	tmpl_scratch scratch[TMPL_MAX_PARTS];
	int			nparts = 0;
	int			nholes = 0;
	bool		in_literal = false;
	size_t		i;
	ddb_template *t;
	int			p;

	if (err && errlen > 0)
		err[0] = '\0';
	if (text == NULL || text[0] == '\0')
	{
		set_error(err, errlen, "empty template");
		return NULL;
	}
	textlen = strlen(text);

	header = sizeof(ddb_template) + TMPL_MAX_PARTS * sizeof(ddb_template_part);
	total = header + textlen + TMPL_MAX_PARTS;
	block = tmpl_alloc(total);
	if (block == NULL)
	{
		set_error(err, errlen, "out of memory");
		return NULL;
	}
	area = block + header;

	i = 0;
	while (i < textlen)
	{
		unsigned char c = (unsigned char) text[i];

		if ((c == '{' && text[i + 1] == '{') || (c == '}' && text[i + 1] == '}'))
		{
			/* escaped brace: one literal brace */
			i += 2;
		}
		else if (c == '}')
		{
			set_error(err, errlen, "unmatched \"}\" at position %zu", i);
			goto fail;
		}
		else if (c == '{')
		{
			size_t		open = i;
			const char *close = strchr(text + i + 1, '}');
			size_t		namelen;
			size_t		j;
			char		cbuf[16];

			if (close == NULL)
			{
				set_error(err, errlen, "unterminated \"{\" at position %zu", open);
				goto fail;
			}
			namelen = (size_t) (close - (text + open + 1));
			if (namelen == 0)
			{
				set_error(err, errlen, "empty hole name at position %zu", open);
				goto fail;
			}
			for (j = open + 1; j < open + 1 + namelen; j++)
			{
				unsigned char nc = (unsigned char) text[j];

				if (j == open + 1 && !is_name_start(nc) && is_name_char(nc))
				{
					set_error(err, errlen,
							  "hole name at position %zu must start with a letter or underscore",
							  open);
					goto fail;
				}
				if (!is_name_char(nc))
				{
					set_error(err, errlen,
							  "invalid character %s in hole name at position %zu",
							  describe_char(nc, cbuf, sizeof(cbuf)), j);
					goto fail;
				}
			}
			if (nparts > 0 && scratch[nparts - 1].is_hole && !in_literal)
			{
				set_error(err, errlen,
						  "adjacent holes \"%s\" and \"%.*s\" at position %zu (literal text must separate them)",
						  area + scratch[nparts - 1].off,
						  (int) namelen, text + open + 1, open);
				goto fail;
			}
			for (p = 0; p < nparts; p++)
			{
				if (scratch[p].is_hole && scratch[p].len == namelen &&
					memcmp(area + scratch[p].off, text + open + 1, namelen) == 0)
				{
					set_error(err, errlen,
							  "duplicate hole name \"%.*s\" at position %zu",
							  (int) namelen, text + open + 1, open);
					goto fail;
				}
			}
			if (nholes == DDB_TEMPLATE_MAX_HOLES)
			{
				set_error(err, errlen,
						  "too many holes at position %zu (at most %d)",
						  open, DDB_TEMPLATE_MAX_HOLES);
				goto fail;
			}

			/* close the literal before the hole, then add the hole */
			if (in_literal)
			{
				area[used++] = '\0';
				in_literal = false;
			}
			scratch[nparts].is_hole = true;
			scratch[nparts].off = used;
			scratch[nparts].len = namelen;
			nparts++;
			nholes++;
			memcpy(area + used, text + open + 1, namelen);
			used += namelen;
			area[used++] = '\0';
			i = open + namelen + 2;
			continue;
		}
		else
			i++;

		/* c is one byte of literal text */
		if (!in_literal)
		{
			scratch[nparts].is_hole = false;
			scratch[nparts].off = used;
			scratch[nparts].len = 0;
			nparts++;
			in_literal = true;
		}
		area[used++] = (char) c;
		scratch[nparts - 1].len++;
	}
	if (in_literal)
		area[used++] = '\0';

	/* fill in the result */
	t = (ddb_template *) block;
	memset(t, 0, sizeof(ddb_template));
	t->parts = (ddb_template_part *) (block + sizeof(ddb_template));
	t->nparts = nparts;
	t->nholes = 0;
	for (p = 0; p < nparts; p++)
	{
		t->parts[p].is_hole = scratch[p].is_hole;
		t->parts[p].text = area + scratch[p].off;
		t->parts[p].len = scratch[p].len;
		if (scratch[p].is_hole)
			t->holes[t->nholes++] = t->parts[p].text;
	}
	return t;

fail:
	tmpl_free(block);
	return NULL;
}

void
ddb_template_free(ddb_template *t)
{
	if (t != NULL)
		tmpl_free(t);
}

int
ddb_template_hole_index(const ddb_template *t, const char *name)
{
	int			h;

	if (t == NULL || name == NULL)
		return -1;
	for (h = 0; h < t->nholes; h++)
	{
		if (strcmp(t->holes[h], name) == 0)
			return h;
	}
	return -1;
}

/*
 * Offset of the first occurrence of needle (nlen > 0) in hay[from..haylen),
 * or (size_t) -1.  Keys are short; a naive search is fine.
 */
static size_t
find_bytes(const char *hay, size_t haylen, size_t from,
		   const char *needle, size_t nlen)
{
	size_t		k;

	if (nlen > haylen)
		return (size_t) -1;
	for (k = from; k <= haylen - nlen; k++)
	{
		if (hay[k] == needle[0] && memcmp(hay + k, needle, nlen) == 0)
			return k;
	}
	return (size_t) -1;
}

bool
ddb_template_match(const ddb_template *t, const char *key, size_t keylen,
				   ddb_slice *values)
{
	size_t		pos = 0;
	int			h = 0;
	int			i;

	if (t == NULL)
		return false;
	if (key == NULL)
	{
		if (keylen != 0)
			return false;
		key = "";
	}
	for (i = 0; i < t->nparts; i++)
	{
		const ddb_template_part *part = &t->parts[i];

		if (!part->is_hole)
		{
			if (keylen - pos < part->len ||
				memcmp(key + pos, part->text, part->len) != 0)
				return false;
			pos += part->len;
		}
		else if (i + 1 == t->nparts)
		{
			/*
			 * A trailing hole takes the rest of the key, possibly nothing:
			 * then "begins_with(key, literal prefix)" is exactly "matches".
			 */
			values[h].ptr = key + pos;
			values[h].len = keylen - pos;
			h++;
			pos = keylen;
		}
		else
		{
			/*
			 * The hole ends at the first occurrence of the literal after it
			 * (parse guarantees part i + 1 is a literal).  Found right here
			 * means an empty value: no match, and no retrying further on.
			 */
			const ddb_template_part *next = &t->parts[i + 1];
			size_t		end = find_bytes(key, keylen, pos, next->text, next->len);

			if (end == (size_t) -1 || end == pos)
				return false;
			values[h].ptr = key + pos;
			values[h].len = end - pos;
			h++;
			pos = end;
		}
	}
	return pos == keylen;
}

/*
 * Checks that value (for the hole at part index i) reads back as itself:
 * non-empty, and when a literal L follows the hole, L must not occur in
 * value + L before the end of value.  That covers a value containing L and
 * a value ending with the start of L ("x#B" before "#B#": "x#B#B#" would
 * read back as "x").  Returns false with a message in err otherwise.
 */
static bool
check_value(const ddb_template *t, int i, const char *value,
			char *err, size_t errlen)
{
	const char *name = t->parts[i].text;
	const ddb_template_part *next;
	size_t		vlen;
	size_t		k;

	if (value == NULL)
	{
		set_error(err, errlen, "no value for hole \"%s\"", name);
		return false;
	}
	vlen = strlen(value);
	if (i + 1 >= t->nparts)
		return true;			/* a trailing hole takes any text, even none */
	if (vlen == 0)
	{
		set_error(err, errlen, "empty value for hole \"%s\"", name);
		return false;
	}

	next = &t->parts[i + 1];
	for (k = 0; k < vlen; k++)
	{
		size_t		in_value = vlen - k;	/* bytes of the window inside value */

		if (in_value >= next->len)
		{
			if (memcmp(value + k, next->text, next->len) == 0)
			{
				set_error(err, errlen,
						  "value for hole \"%s\" must not contain \"%s\", the literal that follows the hole",
						  name, next->text);
				return false;
			}
		}
		else if (memcmp(value + k, next->text, in_value) == 0 &&
				 memcmp(next->text + in_value, next->text, next->len - in_value) == 0)
		{
			set_error(err, errlen,
					  "value for hole \"%s\" must not end with \"%s\", which runs into the literal \"%s\" that follows the hole",
					  name, value + k, next->text);
			return false;
		}
	}
	return true;
}

char *
ddb_template_compose(const ddb_template *t, const char *const *values,
					 char *err, size_t errlen)
{
	if (t == NULL)
	{
		set_error(err, errlen, "no template");
		return NULL;
	}
	return ddb_template_prefix(t, values, t->nholes, err, errlen);
}

char *
ddb_template_prefix(const ddb_template *t, const char *const *values,
					int nbound, char *err, size_t errlen)
{
	size_t		total = 0;
	int			stop;
	int			h;
	int			i;
	char	   *out;
	char	   *w;

	if (err && errlen > 0)
		err[0] = '\0';
	if (t == NULL)
	{
		set_error(err, errlen, "no template");
		return NULL;
	}
	if (nbound < 0 || nbound > t->nholes)
	{
		set_error(err, errlen, "%d bound holes out of range (template has %d)",
				  nbound, t->nholes);
		return NULL;
	}

	/* validate, measure, and find the part where the prefix stops */
	stop = t->nparts;
	h = 0;
	for (i = 0; i < t->nparts; i++)
	{
		if (!t->parts[i].is_hole)
		{
			total += t->parts[i].len;
			continue;
		}
		if (h == nbound)
		{
			stop = i;
			break;
		}
		if (!check_value(t, i, values ? values[h] : NULL, err, errlen))
			return NULL;
		total += strlen(values[h]);
		h++;
	}

	out = tmpl_alloc(total + 1);
	if (out == NULL)
	{
		set_error(err, errlen, "out of memory");
		return NULL;
	}
	w = out;
	h = 0;
	for (i = 0; i < stop; i++)
	{
		const char *src;
		size_t		len;

		if (t->parts[i].is_hole)
		{
			src = values[h++];
			len = strlen(src);
		}
		else
		{
			src = t->parts[i].text;
			len = t->parts[i].len;
		}
		memcpy(w, src, len);
		w += len;
	}
	*w = '\0';
	return out;
}
