/*-------------------------------------------------------------------------
 * codec_core.c
 *	  Pure C parts of the attribute codec: DynamoDB AttributeValues (as
 *	  parsed by cJSON) to plain JSON text, DynamoDB number validation and
 *	  comparison, and base64.
 *
 * Nothing here includes PostgreSQL headers, so the code can be unit-tested
 * and fuzzed on its own; codec.c is the PostgreSQL side.  Memory comes from
 * the allocator set with ddb_codec_set_allocator (malloc by default; palloc
 * once the extension is loaded).
 *
 * DynamoDB numbers are decimal text of up to 38 significant digits; they are
 * never converted to double here, only checked and copied.
 *-------------------------------------------------------------------------
 */
#include "codec_core.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* AttributeValues nest at most 32 levels in DynamoDB; cJSON parses 1000. */
#define DDB_AV_MAX_DEPTH 1000

/* DynamoDB number limits: 38 digits, 1E-130 <= |x| < 1E+126. */
#define DDB_NUM_MAX_DIGITS 38
#define DDB_NUM_MIN_EXP (-130)
#define DDB_NUM_MAX_EXP 125

static void *(*codec_alloc) (size_t) = malloc;
static void *(*codec_realloc) (void *, size_t) = realloc;
static void (*codec_free) (void *) = free;

/*
 * Lets the PostgreSQL side route all memory through palloc, so buffers die
 * with their memory context on error.  NULL arguments restore the default.
 */
void
ddb_codec_set_allocator(void *(*alloc_fn) (size_t),
						void *(*realloc_fn) (void *, size_t),
						void (*free_fn) (void *))
{
	codec_alloc = alloc_fn ? alloc_fn : malloc;
	codec_realloc = realloc_fn ? realloc_fn : realloc;
	codec_free = free_fn ? free_fn : free;
}

/* ----------------------------------------------------------------
 * Growable buffer
 * ----------------------------------------------------------------
 */

void
ddb_buf_init(ddb_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

/* Makes room for n more bytes plus the NUL; aborts if memory runs out. */
static void
buf_reserve(ddb_buf *b, size_t n)
{
	size_t		need;
	size_t		cap;
	char	   *p;

	if (n > SIZE_MAX - b->len - 1)
		abort();
	need = b->len + n + 1;
	if (b->data != NULL && need <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = (cap > SIZE_MAX / 2) ? need : cap * 2;
	if (b->data == NULL)
		p = codec_alloc(cap);
	else
		p = codec_realloc(b->data, cap);
	if (p == NULL)
		abort();				/* palloc never gets here; malloc only in tests */
	b->data = p;
	b->cap = cap;
}

/* Appends n bytes; afterwards data is non-NULL and NUL-terminated. */
void
ddb_buf_append(ddb_buf *b, const char *s, size_t n)
{
	buf_reserve(b, n);
	if (n > 0)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void
buf_putc(ddb_buf *b, char c)
{
	ddb_buf_append(b, &c, 1);
}

static void
buf_puts(ddb_buf *b, const char *s)
{
	ddb_buf_append(b, s, strlen(s));
}

/* Cuts the buffer back to len (used to undo partial output on error). */
static void
buf_truncate(ddb_buf *b, size_t len)
{
	b->len = len;
	if (b->data != NULL)
		b->data[len] = '\0';
}

void
ddb_buf_free(ddb_buf *b)
{
	if (b->data != NULL)
		codec_free(b->data);
	ddb_buf_init(b);
}

/* ----------------------------------------------------------------
 * Numbers
 * ----------------------------------------------------------------
 */

/* What parse_number learns about a number's text. */
typedef struct ddb_num
{
	bool		negative;
	const char *ip;				/* integer digits */
	size_t		ilen;
	const char *fp;				/* fraction digits (after '.') */
	size_t		flen;
	bool		has_point;
	const char *ep;				/* exponent text from the 'e' or 'E' on */
	size_t		elen;
	long long	exp;			/* exponent value, clamped */
	bool		zero;			/* all mantissa digits are 0 */
	size_t		first;			/* index of first non-zero mantissa digit */
	size_t		ndigits;		/* significant digits, first to last non-zero */
	long long	adj;			/* value = d.ddd x 10^adj (when !zero) */
} ddb_num;

/* Mantissa digit i, counting integer digits then fraction digits. */
static char
num_digit(const ddb_num *n, size_t i)
{
	return i < n->ilen ? n->ip[i] : n->fp[i - n->ilen];
}

/*
 * Parses "-?D*(.D*)?([eE][+-]?D+)?" with at least one mantissa digit, and
 * works out the significant digits and the decimal exponent.  Does not
 * check DynamoDB's limits.
 */
static bool
parse_number(const char *s, ddb_num *n)
{
	const char *p = s;
	size_t		total;
	size_t		i;
	size_t		last = 0;

	memset(n, 0, sizeof(*n));
	if (*p == '-')
	{
		n->negative = true;
		p++;
	}
	n->ip = p;
	while (*p >= '0' && *p <= '9')
		p++;
	n->ilen = p - n->ip;
	n->fp = p;
	if (*p == '.')
	{
		n->has_point = true;
		p++;
		n->fp = p;
		while (*p >= '0' && *p <= '9')
			p++;
		n->flen = p - n->fp;
	}
	if (n->ilen + n->flen == 0)
		return false;
	if (*p == 'e' || *p == 'E')
	{
		bool		eneg = false;
		const char *d;

		n->ep = p;
		p++;
		if (*p == '+' || *p == '-')
		{
			eneg = (*p == '-');
			p++;
		}
		d = p;
		while (*p >= '0' && *p <= '9')
		{
			if (n->exp < 1000000000000000LL)
				n->exp = n->exp * 10 + (*p - '0');
			p++;
		}
		if (p == d)
			return false;
		if (eneg)
			n->exp = -n->exp;
		n->elen = p - n->ep;
	}
	if (*p != '\0')
		return false;

	total = n->ilen + n->flen;
	n->zero = true;
	for (i = 0; i < total; i++)
	{
		if (num_digit(n, i) != '0')
		{
			if (n->zero)
				n->first = i;
			n->zero = false;
			last = i;
		}
	}
	if (!n->zero)
	{
		n->ndigits = last - n->first + 1;
		n->adj = (long long) n->ilen - 1 - (long long) n->first + n->exp;
	}
	return true;
}

/* The parse plus DynamoDB's limits of precision and magnitude. */
static bool
parse_ddb_number(const char *s, ddb_num *n)
{
	if (s == NULL || !parse_number(s, n))
		return false;
	if (n->zero)
		return true;
	return n->ndigits <= DDB_NUM_MAX_DIGITS &&
		n->adj >= DDB_NUM_MIN_EXP && n->adj <= DDB_NUM_MAX_EXP;
}

bool
ddb_number_valid(const char *s)
{
	ddb_num		n;

	return parse_ddb_number(s, &n);
}

/*
 * DynamoDB keeps numbers without trailing fractional zeros; DynamoDB Local
 * does so for N and NS attributes but keeps the text of a number nested in
 * M or L as sent, so ddbrel sends the trimmed form itself.
 */
void
ddb_number_trim(char *s)
{
	const char *p = s;
	char	   *point = NULL;
	char	   *end;

	if (*p == '-')
		p++;
	if (!isdigit((unsigned char) *p))
		return;
	for (; *p; p++)
	{
		if (*p == '.' && point == NULL)
			point = (char *) p;
		else if (!isdigit((unsigned char) *p))
			return;				/* exponent or junk: not ours to change */
	}
	if (point == NULL || point[1] == '\0' || !isdigit((unsigned char) point[-1]))
		return;
	end = s + strlen(s);
	while (end > point + 1 && end[-1] == '0')
		end--;
	if (end == point + 1)
		end = point;			/* "2." -> "2" */
	*end = '\0';
	if (strcmp(s, "-0") == 0)
		strcpy(s, "0");
}

/*
 * Numeric comparison of two valid numbers, exact (no double): sets must
 * treat "1" and "1.0" as the same element, as DynamoDB does.
 */
int
ddb_number_compare(const char *a, const char *b)
{
	ddb_num		x;
	ddb_num		y;
	int			sx;
	int			sy;
	int			c = 0;
	size_t		i;

	if (!parse_number(a, &x) || !parse_number(b, &y))
		return 0;
	sx = x.zero ? 0 : (x.negative ? -1 : 1);
	sy = y.zero ? 0 : (y.negative ? -1 : 1);
	if (sx != sy)
		return sx < sy ? -1 : 1;
	if (sx == 0)
		return 0;
	if (x.adj != y.adj)
		c = x.adj < y.adj ? -1 : 1;
	else
	{
		for (i = 0; c == 0 && (i < x.ndigits || i < y.ndigits); i++)
		{
			char		dx = i < x.ndigits ? num_digit(&x, x.first + i) : '0';
			char		dy = i < y.ndigits ? num_digit(&y, y.first + i) : '0';

			if (dx != dy)
				c = dx < dy ? -1 : 1;
		}
	}
	return sx < 0 ? -c : c;
}

/*
 * Appends a valid number as a JSON number.  DynamoDB sends numbers that are
 * JSON already (copied byte for byte); other accepted spellings (".5",
 * "5.", "007") are fixed up textually: a leading 0, no bare point, no
 * leading zeros.
 */
static void
append_json_number(ddb_buf *out, const ddb_num *n)
{
	const char *ip = n->ip;
	size_t		ilen = n->ilen;

	if (n->negative)
		buf_putc(out, '-');
	while (ilen > 1 && ip[0] == '0')
	{
		ip++;
		ilen--;
	}
	if (ilen == 0)
		buf_putc(out, '0');
	else
		ddb_buf_append(out, ip, ilen);
	if (n->flen > 0)
	{
		buf_putc(out, '.');
		ddb_buf_append(out, n->fp, n->flen);
	}
	if (n->ep != NULL)
		ddb_buf_append(out, n->ep, n->elen);
}

/* ----------------------------------------------------------------
 * Base64
 * ----------------------------------------------------------------
 */

static const char b64_chars[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Length of the encoding of n bytes, not counting the terminating NUL. */
size_t
ddb_base64_encoded_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

void
ddb_base64_encode(const unsigned char *in, size_t n, char *out)
{
	size_t		i;
	char	   *o = out;

	for (i = 0; i + 2 < n; i += 3)
	{
		unsigned long v = ((unsigned long) in[i] << 16) | (in[i + 1] << 8) | in[i + 2];

		*o++ = b64_chars[(v >> 18) & 63];
		*o++ = b64_chars[(v >> 12) & 63];
		*o++ = b64_chars[(v >> 6) & 63];
		*o++ = b64_chars[v & 63];
	}
	if (i < n)
	{
		unsigned long v = (unsigned long) in[i] << 16;

		if (i + 1 < n)
			v |= in[i + 1] << 8;
		*o++ = b64_chars[(v >> 18) & 63];
		*o++ = b64_chars[(v >> 12) & 63];
		*o++ = (i + 1 < n) ? b64_chars[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
}

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Strict decoding, as DynamoDB itself encodes: length a multiple of 4,
 * padding only at the end, unused bits zero.  Then encode(decode(s)) == s
 * for every accepted s.  out may be NULL to only validate.
 */
long
ddb_base64_decode(const char *in, size_t n, unsigned char *out)
{
	size_t		i;
	long		len = 0;

	if (n % 4 != 0)
		return -1;
	for (i = 0; i < n; i += 4)
	{
		int			a = b64_value(in[i]);
		int			b = b64_value(in[i + 1]);
		int			c = b64_value(in[i + 2]);
		int			d = b64_value(in[i + 3]);
		bool		last = (i + 4 == n);

		if (a < 0 || b < 0)
			return -1;
		if (c < 0 || d < 0)
		{
			/* "xx==" or "xxx=" in the last group only */
			if (!last || in[i + 3] != '=')
				return -1;
			if (c < 0)
			{
				if (in[i + 2] != '=' || (b & 15) != 0)
					return -1;
				if (out)
					out[len] = (unsigned char) ((a << 2) | (b >> 4));
				len += 1;
			}
			else
			{
				if ((c & 3) != 0)
					return -1;
				if (out)
				{
					out[len] = (unsigned char) ((a << 2) | (b >> 4));
					out[len + 1] = (unsigned char) (((b & 15) << 4) | (c >> 2));
				}
				len += 2;
			}
			break;
		}
		if (out)
		{
			out[len] = (unsigned char) ((a << 2) | (b >> 4));
			out[len + 1] = (unsigned char) (((b & 15) << 4) | (c >> 2));
			out[len + 2] = (unsigned char) (((c & 3) << 6) | d);
		}
		len += 3;
	}
	return len;
}

/* ----------------------------------------------------------------
 * JSON output
 * ----------------------------------------------------------------
 */

/*
 * Escapes what JSON requires (quote, backslash, control characters) and
 * nothing else: UTF-8 bytes pass through as they are.
 */
void
ddb_json_quote(ddb_buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t		i;
	size_t		start = 0;

	buf_putc(out, '"');
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];
		const char *esc = NULL;
		char		ubuf[7];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		ddb_buf_append(out, s + start, i - start);
		start = i + 1;
		switch (c)
		{
			case '"':
				esc = "\\\"";
				break;
			case '\\':
				esc = "\\\\";
				break;
			case '\b':
				esc = "\\b";
				break;
			case '\f':
				esc = "\\f";
				break;
			case '\n':
				esc = "\\n";
				break;
			case '\r':
				esc = "\\r";
				break;
			case '\t':
				esc = "\\t";
				break;
			default:
				ubuf[0] = '\\';
				ubuf[1] = 'u';
				ubuf[2] = '0';
				ubuf[3] = '0';
				ubuf[4] = hex[c >> 4];
				ubuf[5] = hex[c & 15];
				ubuf[6] = '\0';
				esc = ubuf;
				break;
		}
		buf_puts(out, esc);
	}
	ddb_buf_append(out, s + start, len - start);
	buf_putc(out, '"');
}

static void set_err(char *err, size_t errlen, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

/* Writes a message into the caller's err buffer, if there is one. */
static void
set_err(char *err, size_t errlen, const char *fmt,...)
{
	va_list		ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * The tag of a well-formed AttributeValue: an object with exactly one
 * member.  The tag itself may still be unknown; callers check it.
 */
const char *
ddb_av_type(const cJSON *av)
{
	if (!cJSON_IsObject(av) || av->child == NULL || av->child->next != NULL)
		return NULL;
	return av->child->string;
}

static int	av_to_json(const cJSON *av, ddb_buf *out, char *err, size_t errlen,
					   int depth);

/* The elements of an SS, NS or BS payload: strings of the right kind. */
static int
set_to_json(const char *tag, const cJSON *v, ddb_buf *out, char *err, size_t errlen)
{
	const cJSON *e;
	bool		first = true;

	if (!cJSON_IsArray(v))
	{
		set_err(err, errlen, "attribute value of type \"%s\" is not an array", tag);
		return -1;
	}
	buf_putc(out, '[');
	for (e = v->child; e != NULL; e = e->next)
	{
		ddb_num		n;

		if (!cJSON_IsString(e) || e->valuestring == NULL)
		{
			set_err(err, errlen, "attribute value of type \"%s\" has an element that is not a string", tag);
			return -1;
		}
		if (!first)
			buf_putc(out, ',');
		first = false;
		if (tag[0] == 'N')
		{
			if (!parse_ddb_number(e->valuestring, &n))
			{
				set_err(err, errlen, "invalid number \"%s\"", e->valuestring);
				return -1;
			}
			append_json_number(out, &n);
		}
		else
		{
			size_t		len = strlen(e->valuestring);

			if (tag[0] == 'B' && ddb_base64_decode(e->valuestring, len, NULL) < 0)
			{
				set_err(err, errlen, "invalid base64 in attribute value of type \"%s\"", tag);
				return -1;
			}
			ddb_json_quote(out, e->valuestring, len);
		}
	}
	buf_putc(out, ']');
	return 0;
}

static int
av_to_json(const cJSON *av, ddb_buf *out, char *err, size_t errlen, int depth)
{
	const char *tag = ddb_av_type(av);
	const cJSON *v;
	const cJSON *e;
	bool		first = true;

	if (tag == NULL)
	{
		set_err(err, errlen, "attribute value is not an object with a single type");
		return -1;
	}
	if (depth > DDB_AV_MAX_DEPTH)
	{
		set_err(err, errlen, "attribute value nested too deeply");
		return -1;
	}
	v = av->child;

	if (strcmp(tag, "S") == 0 || strcmp(tag, "B") == 0)
	{
		size_t		len;

		if (!cJSON_IsString(v) || v->valuestring == NULL)
		{
			set_err(err, errlen, "attribute value of type \"%s\" is not a string", tag);
			return -1;
		}
		len = strlen(v->valuestring);
		if (tag[0] == 'B' && ddb_base64_decode(v->valuestring, len, NULL) < 0)
		{
			set_err(err, errlen, "invalid base64 in attribute value of type \"%s\"", tag);
			return -1;
		}
		ddb_json_quote(out, v->valuestring, len);
	}
	else if (strcmp(tag, "N") == 0)
	{
		ddb_num		n;

		if (!cJSON_IsString(v) || v->valuestring == NULL)
		{
			set_err(err, errlen, "attribute value of type \"%s\" is not a string", tag);
			return -1;
		}
		if (!parse_ddb_number(v->valuestring, &n))
		{
			set_err(err, errlen, "invalid number \"%s\"", v->valuestring);
			return -1;
		}
		append_json_number(out, &n);
	}
	else if (strcmp(tag, "BOOL") == 0)
	{
		if (!cJSON_IsBool(v))
		{
			set_err(err, errlen, "attribute value of type \"%s\" is not a boolean", tag);
			return -1;
		}
		buf_puts(out, cJSON_IsTrue(v) ? "true" : "false");
	}
	else if (strcmp(tag, "NULL") == 0)
	{
		if (!cJSON_IsTrue(v))
		{
			set_err(err, errlen, "attribute value of type \"%s\" is not true", tag);
			return -1;
		}
		buf_puts(out, "null");
	}
	else if (strcmp(tag, "M") == 0)
	{
		if (!cJSON_IsObject(v))
		{
			set_err(err, errlen, "attribute value of type \"%s\" is not an object", tag);
			return -1;
		}
		buf_putc(out, '{');
		for (e = v->child; e != NULL; e = e->next)
		{
			if (e->string == NULL)
			{
				set_err(err, errlen, "map entry has no name");
				return -1;
			}
			if (!first)
				buf_putc(out, ',');
			first = false;
			ddb_json_quote(out, e->string, strlen(e->string));
			buf_putc(out, ':');
			if (av_to_json(e, out, err, errlen, depth + 1) < 0)
				return -1;
		}
		buf_putc(out, '}');
	}
	else if (strcmp(tag, "L") == 0)
	{
		if (!cJSON_IsArray(v))
		{
			set_err(err, errlen, "attribute value of type \"%s\" is not an array", tag);
			return -1;
		}
		buf_putc(out, '[');
		for (e = v->child; e != NULL; e = e->next)
		{
			if (!first)
				buf_putc(out, ',');
			first = false;
			if (av_to_json(e, out, err, errlen, depth + 1) < 0)
				return -1;
		}
		buf_putc(out, ']');
	}
	else if (strcmp(tag, "SS") == 0 || strcmp(tag, "NS") == 0 ||
			 strcmp(tag, "BS") == 0)
	{
		if (set_to_json(tag, v, out, err, errlen) < 0)
			return -1;
	}
	else
	{
		set_err(err, errlen, "attribute value has unknown type \"%s\"", tag);
		return -1;
	}
	return 0;
}

/* On error, out is restored to what it held before the call. */
int
ddb_av_to_json(const cJSON *av, ddb_buf *out, char *err, size_t errlen)
{
	size_t		start = out->len;

	if (av_to_json(av, out, err, errlen, 0) < 0)
	{
		buf_truncate(out, start);
		return -1;
	}
	return 0;
}

int
ddb_item_to_json(const cJSON *item, ddb_buf *out, char *err, size_t errlen)
{
	size_t		start = out->len;
	const cJSON *e;
	bool		first = true;
	char		inner[256];

	if (!cJSON_IsObject(item))
	{
		set_err(err, errlen, "item is not an object");
		return -1;
	}
	buf_putc(out, '{');
	for (e = item->child; e != NULL; e = e->next)
	{
		if (e->string == NULL)
		{
			set_err(err, errlen, "item attribute has no name");
			buf_truncate(out, start);
			return -1;
		}
		if (!first)
			buf_putc(out, ',');
		first = false;
		ddb_json_quote(out, e->string, strlen(e->string));
		buf_putc(out, ':');
		inner[0] = '\0';
		if (av_to_json(e, out, inner, sizeof(inner), 0) < 0)
		{
			if (err != NULL && errlen > 0)
				snprintf(err, errlen, "attribute \"%s\": %s", e->string, inner);
			buf_truncate(out, start);
			return -1;
		}
	}
	buf_putc(out, '}');
	return 0;
}
