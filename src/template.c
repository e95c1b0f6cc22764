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
 * A hole may transform its value: "{office:lower}" keeps the value
 * lower-cased in the key, exactly as JavaScript's toLowerCase() would
 * (modeling libraries such as ElectroDB write their keys that way).  Such a
 * hole matches only text the transform leaves unchanged, so the promise
 * holds with the transform in between: compose(v) matches back to
 * transform(v), and a matched key composes back to itself.  The case
 * tables are generated from node (casemap.h).
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
#include "casemap.h"

#include <stdarg.h>
#include <stdint.h>
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
	size_t		pos;			/* holes: position of "{" in the text */
	ddb_transform transform;
} tmpl_scratch;

static bool literal_has_cased_context_stop(const char *text, size_t len);
static bool casemap_fixed(ddb_transform tr, const char *key, size_t keylen,
						  size_t start, size_t end);

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
			const char *colon;
			size_t		namelen;
			size_t		j;
			char		cbuf[16];
			ddb_transform transform = DDB_TRANSFORM_NONE;

			if (close == NULL)
			{
				set_error(err, errlen, "unterminated \"{\" at position %zu", open);
				goto fail;
			}
			colon = memchr(text + open + 1, ':', (size_t) (close - (text + open + 1)));
			if (colon != NULL)
			{
				size_t		tlen = (size_t) (close - colon - 1);

				if (tlen == 5 && memcmp(colon + 1, "lower", 5) == 0)
					transform = DDB_TRANSFORM_LOWER;
				else if (tlen == 5 && memcmp(colon + 1, "upper", 5) == 0)
					transform = DDB_TRANSFORM_UPPER;
				else
				{
					set_error(err, errlen,
							  "unknown transform \"%.*s\" in hole at position %zu (lower or upper)",
							  (int) tlen, colon + 1, open);
					goto fail;
				}
			}
			namelen = (size_t) ((colon ? colon : close) - (text + open + 1));
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
			scratch[nparts].pos = open;
			scratch[nparts].transform = transform;
			nparts++;
			nholes++;
			memcpy(area + used, text + open + 1, namelen);
			used += namelen;
			area[used++] = '\0';
			i = (size_t) (close - text) + 1;
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
			scratch[nparts].transform = DDB_TRANSFORM_NONE;
			nparts++;
			in_literal = true;
		}
		area[used++] = (char) c;
		scratch[nparts - 1].len++;
	}
	if (in_literal)
		area[used++] = '\0';

	/*
	 * Lower-casing a final sigma looks at the text after it: for a prefix
	 * that ends at the next (unbound) hole, the literal in between must
	 * decide it.
	 */
	for (p = 0; p + 1 < nparts; p++)
	{
		if (scratch[p].is_hole && scratch[p].transform == DDB_TRANSFORM_LOWER &&
			!literal_has_cased_context_stop(area + scratch[p + 1].off, scratch[p + 1].len))
		{
			set_error(err, errlen,
					  "the literal after hole \"%s\" at position %zu has only case-ignorable characters (a \":lower\" hole needs one that is not)",
					  area + scratch[p].off, scratch[p].pos);
			goto fail;
		}
	}

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
		t->parts[p].transform = scratch[p].transform;
		if (scratch[p].is_hole)
		{
			t->transforms[t->nholes] = scratch[p].transform;
			t->holes[t->nholes++] = t->parts[p].text;
		}
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

/*
 * Matches key against t: the number of holes matched (t->nholes for a
 * complete match), or -1.  With partial, a key that ends right before a
 * hole (after its literal) matches up to that hole, and a trailing hole
 * never matches empty text.
 */
static int
match_key(const ddb_template *t, const char *key, size_t keylen, ddb_slice *values,
		  bool partial)
{
	size_t		pos = 0;
	int			h = 0;
	int			i;

	if (t == NULL)
		return -1;
	if (key == NULL)
	{
		if (keylen != 0)
			return -1;
		key = "";
	}
	for (i = 0; i < t->nparts; i++)
	{
		const ddb_template_part *part = &t->parts[i];

		if (!part->is_hole)
		{
			if (keylen - pos < part->len ||
				memcmp(key + pos, part->text, part->len) != 0)
				return -1;
			pos += part->len;
			continue;
		}
		if (partial && pos == keylen)
			return h;			/* cut short before this hole */
		if (i + 1 == t->nparts)
		{
			/*
			 * A trailing hole takes the rest of the key, possibly nothing:
			 * then "begins_with(key, literal prefix)" is exactly "matches".
			 */
			values[h].ptr = key + pos;
			values[h].len = keylen - pos;
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
				return -1;
			values[h].ptr = key + pos;
			values[h].len = end - pos;
			pos = end;
		}
		/* a transformed hole holds only text its transform keeps */
		if (!casemap_fixed(part->transform, key, keylen,
						   (size_t) (values[h].ptr - key),
						   (size_t) (values[h].ptr - key) + values[h].len))
			return -1;
		h++;
	}
	return pos == keylen ? h : -1;
}

bool
ddb_template_match(const ddb_template *t, const char *key, size_t keylen,
				   ddb_slice *values)
{
	return match_key(t, key, keylen, values, false) >= 0;
}

int
ddb_template_match_partial(const ddb_template *t, const char *key, size_t keylen,
						   ddb_slice *values)
{
	return match_key(t, key, keylen, values, true);
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

/*
 * The values of holes 0..nbound-1 with their transforms applied: each is
 * case-mapped inside the key as it would read with the values as given,
 * so that the text around a final sigma is the key's.  Sets mapped[h]
 * (allocated, or values[h] itself without a transform); returns false when
 * out of memory.
 */
static bool
transform_values(const ddb_template *t, const char *const *values, int nbound,
				 const char **mapped, char *err, size_t errlen)
{
	size_t		total = 0;
	size_t		spans[DDB_TEMPLATE_MAX_HOLES][2];
	char	   *raw;
	char	   *w;
	bool		any = false;
	int			h = 0;
	int			i;

	for (h = 0; h < nbound; h++)
	{
		mapped[h] = values[h];
		if (t->transforms[h] != DDB_TRANSFORM_NONE)
			any = true;
	}
	if (!any)
		return true;
	for (i = 0, h = 0; i < t->nparts && h <= nbound; i++)
	{
		if (!t->parts[i].is_hole)
			total += t->parts[i].len;
		else if (h < nbound)
			total += strlen(values[h++]);
		else
			break;
	}
	raw = tmpl_alloc(total + 1);
	if (raw == NULL)
	{
		set_error(err, errlen, "out of memory");
		return false;
	}
	w = raw;
	for (i = 0, h = 0; i < t->nparts; i++)
	{
		if (!t->parts[i].is_hole)
		{
			memcpy(w, t->parts[i].text, t->parts[i].len);
			w += t->parts[i].len;
			continue;
		}
		if (h == nbound)
			break;
		spans[h][0] = (size_t) (w - raw);
		memcpy(w, values[h], strlen(values[h]));
		w += strlen(values[h]);
		spans[h][1] = (size_t) (w - raw);
		h++;
	}
	*w = '\0';
	for (h = 0; h < nbound; h++)
	{
		if (t->transforms[h] == DDB_TRANSFORM_NONE)
			continue;
		mapped[h] = ddb_template_casemap(t->transforms[h], raw, (size_t) (w - raw),
										 spans[h][0], spans[h][1]);
		if (mapped[h] == NULL)
		{
			int			k;

			for (k = 0; k < h; k++)
				if (t->transforms[k] != DDB_TRANSFORM_NONE)
					tmpl_free((void *) mapped[k]);
			tmpl_free(raw);
			set_error(err, errlen, "out of memory");
			return false;
		}
	}
	tmpl_free(raw);
	return true;
}

static void
free_transformed(const ddb_template *t, const char **mapped, int nbound)
{
	int			h;

	for (h = 0; h < nbound; h++)
		if (t->transforms[h] != DDB_TRANSFORM_NONE)
			tmpl_free((void *) mapped[h]);
}

char *
ddb_template_prefix(const ddb_template *t, const char *const *values_in,
					int nbound, char *err, size_t errlen)
{
	const char *values[DDB_TEMPLATE_MAX_HOLES];
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
	for (h = 0; h < nbound; h++)
	{
		if (values_in == NULL || values_in[h] == NULL)
		{
			set_error(err, errlen, "no value for hole \"%s\"", t->holes[h]);
			return NULL;
		}
	}
	if (nbound > 0 && !transform_values(t, values_in, nbound, values, err, errlen))
		return NULL;

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
		if (!check_value(t, i, values[h], err, errlen))
		{
			free_transformed(t, values, nbound);
			return NULL;
		}
		total += strlen(values[h]);
		h++;
	}

	out = tmpl_alloc(total + 1);
	if (out == NULL)
	{
		free_transformed(t, values, nbound);
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
	free_transformed(t, values, nbound);
	return out;
}

char *
ddb_template_truncate(const ddb_template *t, const char *const *values,
					  int nbound, char *err, size_t errlen)
{
	return ddb_template_prefix(t, values, nbound, err, errlen);
}

/* ----------------------------------------------------------------
 * Case mapping, as JavaScript does it
 * ----------------------------------------------------------------
 */

#define NRUNS(a) ((int) (sizeof(a) / sizeof((a)[0])))
#define CP_NONE 0xFFFFFFFFu		/* a byte that is not UTF-8 */

/*
 * Decodes the UTF-8 character at s[pos] (pos < len); returns its length,
 * and its code point in *cp, or 1 and CP_NONE for a byte that does not
 * start a well-formed character.
 */
static size_t
utf8_at(const unsigned char *s, size_t len, size_t pos, uint32_t *cp)
{
	unsigned char c = s[pos];
	size_t		n;
	uint32_t	v;
	size_t		k;

	if (c < 0x80)
	{
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
		n = 2, v = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3, v = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4, v = c & 0x07;
	else
	{
		*cp = CP_NONE;
		return 1;
	}
	if (pos + n > len)
	{
		*cp = CP_NONE;
		return 1;
	}
	for (k = 1; k < n; k++)
	{
		if ((s[pos + k] & 0xC0) != 0x80)
		{
			*cp = CP_NONE;
			return 1;
		}
		v = (v << 6) | (s[pos + k] & 0x3F);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
		(v >= 0xD800 && v <= 0xDFFF))
	{
		*cp = CP_NONE;
		return 1;
	}
	*cp = v;
	return n;
}

/* The character that ends right before s[pos] (pos > 0): its start. */
static size_t
utf8_before(const unsigned char *s, size_t len, size_t pos, uint32_t *cp)
{
	size_t		k;

	for (k = 1; k <= 4 && k <= pos; k++)
	{
		uint32_t	c;

		if ((s[pos - k] & 0xC0) == 0x80 && k < 4)
			continue;
		if (utf8_at(s, len, pos - k, &c) == k)
		{
			*cp = c;
			return pos - k;
		}
		break;
	}
	*cp = CP_NONE;
	return pos - 1;
}

static bool
in_ranges(const casemap_range *r, int n, uint32_t cp)
{
	int			lo = 0;
	int			hi = n - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;

		if (cp < r[mid].lo)
			hi = mid - 1;
		else if (cp > r[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

static bool
is_cased(uint32_t cp)
{
	return cp != CP_NONE && in_ranges(casemap_cased, NRUNS(casemap_cased), cp);
}

static bool
is_case_ignorable(uint32_t cp)
{
	return cp != CP_NONE &&
		in_ranges(casemap_case_ignorable, NRUNS(casemap_case_ignorable), cp);
}

/*
 * Maps one code point through a table: writes 1 to 3 code points to out,
 * returns how many.
 */
static int
map_cp(const casemap_run *runs, int nruns, const casemap_multi *multi, int nmulti,
	   uint32_t cp, uint32_t *out)
{
	int			lo = 0;
	int			hi = nmulti - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;

		if (cp < multi[mid].cp)
			hi = mid - 1;
		else if (cp > multi[mid].cp)
			lo = mid + 1;
		else
		{
			memcpy(out, multi[mid].out, sizeof(uint32_t) * multi[mid].n);
			return multi[mid].n;
		}
	}
	lo = 0;
	hi = nruns - 1;
	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;

		if (cp < runs[mid].first)
			hi = mid - 1;
		else if (cp > runs[mid].last)
			lo = mid + 1;
		else
		{
			if ((cp - runs[mid].first) % runs[mid].stride == 0)
				cp = (uint32_t) ((int32_t) cp + runs[mid].delta);
			break;
		}
	}
	out[0] = cp;
	return 1;
}

/*
 * Unicode's Final_Sigma, as ICU (and so node) tests it: the sigma at
 * s[pos..pos+n) is preceded by a cased letter, skipping case-ignorable
 * characters, and not followed by one.  A character both cased and
 * case-ignorable is skipped as case-ignorable.
 */
static bool
final_sigma(const unsigned char *s, size_t len, size_t pos, size_t n)
{
	size_t		k = pos;
	uint32_t	cp;
	bool		before = false;

	while (k > 0)
	{
		k = utf8_before(s, len, k, &cp);
		if (is_case_ignorable(cp))
			continue;
		before = is_cased(cp);
		break;
	}
	if (!before)
		return false;
	for (k = pos + n; k < len;)
	{
		k += utf8_at(s, len, k, &cp);
		if (is_case_ignorable(cp))
			continue;
		return !is_cased(cp);
	}
	return true;
}

/*
 * The mapping of the character cp at s[pos..pos+n) under tr, in its
 * context; returns the number of code points written to out.
 */
static int
map_in_context(ddb_transform tr, const unsigned char *s, size_t len, size_t pos,
			   size_t n, uint32_t cp, uint32_t *out)
{
	if (cp == CP_NONE || tr == DDB_TRANSFORM_NONE)
	{
		out[0] = cp;
		return 1;
	}
	if (tr == DDB_TRANSFORM_LOWER)
	{
		if (cp == 0x03A3)
		{
			out[0] = final_sigma(s, len, pos, n) ? 0x03C2 : 0x03C3;
			return 1;
		}
		return map_cp(casemap_lower_runs, NRUNS(casemap_lower_runs),
					  casemap_lower_multi, NRUNS(casemap_lower_multi), cp, out);
	}
	return map_cp(casemap_upper_runs, NRUNS(casemap_upper_runs),
				  casemap_upper_multi, NRUNS(casemap_upper_multi), cp, out);
}

static size_t
utf8_put(uint32_t cp, char *w)
{
	if (cp < 0x80)
	{
		w[0] = (char) cp;
		return 1;
	}
	if (cp < 0x800)
	{
		w[0] = (char) (0xC0 | (cp >> 6));
		w[1] = (char) (0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000)
	{
		w[0] = (char) (0xE0 | (cp >> 12));
		w[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
		w[2] = (char) (0x80 | (cp & 0x3F));
		return 3;
	}
	w[0] = (char) (0xF0 | (cp >> 18));
	w[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
	w[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
	w[3] = (char) (0x80 | (cp & 0x3F));
	return 4;
}

/*
 * No mapping makes a character longer than three times its UTF-8 length
 * (U+0390, two bytes, upper-cases to three two-byte characters).
 */
#define CASEMAP_MAX_GROWTH 3

char *
ddb_template_casemap(ddb_transform tr, const char *text, size_t len,
					 size_t start, size_t end)
{
	const unsigned char *s = (const unsigned char *) text;
	char	   *out;
	char	   *w;
	size_t		pos;

	if (end > len)
		end = len;
	if (start > end)
		start = end;
	out = tmpl_alloc(CASEMAP_MAX_GROWTH * (end - start) + 1);
	if (out == NULL)
		return NULL;
	w = out;
	for (pos = start; pos < end;)
	{
		uint32_t	cp;
		uint32_t	mapped[3];
		size_t		n = utf8_at(s, end, pos, &cp);	/* never across the span's end */
		int			m;
		int			k;

		if (cp == CP_NONE || tr == DDB_TRANSFORM_NONE)
		{
			memcpy(w, s + pos, n);
			w += n;
			pos += n;
			continue;
		}
		m = map_in_context(tr, s, len, pos, n, cp, mapped);
		for (k = 0; k < m; k++)
			w += utf8_put(mapped[k], w);
		pos += n;
	}
	*w = '\0';
	return out;
}

/*
 * Whether tr leaves key[start..end) as it is, in the context of the whole
 * key.  No character maps to text that starts with itself, so that is
 * whether every character maps to itself.
 */
static bool
casemap_fixed(ddb_transform tr, const char *key, size_t keylen, size_t start, size_t end)
{
	const unsigned char *s = (const unsigned char *) key;
	size_t		pos;

	if (tr == DDB_TRANSFORM_NONE)
		return true;
	for (pos = start; pos < end;)
	{
		uint32_t	cp;
		uint32_t	mapped[3];
		size_t		n = utf8_at(s, end, pos, &cp);

		if (cp != CP_NONE &&
			(map_in_context(tr, s, keylen, pos, n, cp, mapped) != 1 || mapped[0] != cp))
			return false;
		pos += n;
	}
	return true;
}

/*
 * Whether a literal that follows a ":lower" hole decides a final sigma at
 * the end of the hole's value: it has a character that is not
 * case-ignorable.
 */
static bool
literal_has_cased_context_stop(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *) text;
	size_t		pos;

	for (pos = 0; pos < len;)
	{
		uint32_t	cp;

		pos += utf8_at(s, len, pos, &cp);
		if (!is_case_ignorable(cp))
			return true;
	}
	return false;
}

const char *
ddb_transform_name(ddb_transform tr)
{
	switch (tr)
	{
		case DDB_TRANSFORM_LOWER:
			return "lower";
		case DDB_TRANSFORM_UPPER:
			return "upper";
		default:
			return "";
	}
}
