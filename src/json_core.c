/*-------------------------------------------------------------------------
 * json_core.c
 *	  A JSON parser that builds the trees cJSON_ParseWithLength builds, with
 *	  far fewer instructions, for the answers of DynamoDB.
 *
 * A Scan page of 1 MB holds thousands of items, and parsing it with cJSON
 * was about 60 % of a backend's instructions per item scanned.  cJSON's
 * parser calls strncmp with "null", "false" and "true" before every value
 * and reads every byte through bounds-checking macros; this one dispatches
 * on a value's first byte, finds a string's end sixteen bytes at a time,
 * copies a string without escapes whole, and reads the commonest value of
 * an answer, an AttributeValue of one string ({"S":"..."}), in one go.
 *
 * What comes out must be what cJSON makes of the same bytes, since the rest
 * of the extension reads the tree with cJSON's functions: the same node
 * types, valuestring and string bytes, valuedouble and valueint, prev and
 * next links (the first node's prev pointing at the last), and failure for
 * the same inputs.  So cJSON 1.7's rules are kept, leniencies included:
 *
 *	- white space is any byte up to 32, NUL included;
 *	- a UTF-8 byte order mark at the start is skipped when the text has five
 *	  bytes or more;
 *	- whatever follows the first value is ignored;
 *	- a number is the longest run of 0-9 + - e E and '.' (as the locale's
 *	  decimal point), read by strtod, which must take at least one byte of
 *	  it; valueint is valuedouble saturated to int (Debian's cJSON 1.7.15
 *	  carries the fix that lifted the old limit of 63 bytes);
 *	- strings may hold any raw byte; escapes are cJSON's, including a \u
 *	  escape with a bad hex digit reading as code 0;
 *	- at most 1000 arrays and objects nested.
 *
 * One difference, invisible through cJSON's functions: a name that is the
 * type tag of an AttributeValue ("S", "N", "BOOL", ...) is a shared
 * constant flagged cJSON_StringIsConst, as cJSON_AddItemToObjectCS makes
 * them, which saves an allocation per attribute.  cJSON_Delete does not
 * free it and cJSON_Duplicate keeps the pointer, which stays valid.
 *
 * test/fuzz/fuzz_json.c compares the two parsers on arbitrary input.
 *-------------------------------------------------------------------------
 */
#include "json_core.h"

#include <limits.h>
#include <locale.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* for the small functions of the hot path, which gcc stops inlining */
#if defined(__GNUC__)
#define JSON_INLINE inline __attribute__((always_inline))
#else
#define JSON_INLINE inline
#endif

/* cJSON's CJSON_NESTING_LIMIT */
#define DDB_JSON_NESTING_LIMIT 1000

static void *(*json_alloc) (size_t) = malloc;
static void (*json_free) (void *) = free;

void
ddb_json_set_allocator(void *(*alloc_fn) (size_t), void (*free_fn) (void *))
{
	json_alloc = alloc_fn ? alloc_fn : malloc;
	json_free = free_fn ? free_fn : free;
}

typedef struct json_parser
{
	const unsigned char *p;		/* next byte */
	const unsigned char *end;	/* one past the last byte */
	int			depth;			/* arrays and objects open */
} json_parser;

static bool parse_value(json_parser *ps, cJSON *item);

/* Frees a list of nodes of a tree given up (allocation or parse failure). */
static void
free_nodes(cJSON *node)
{
	while (node != NULL)
	{
		cJSON	   *next = node->next;

		free_nodes(node->child);
		if (node->valuestring != NULL)
			json_free(node->valuestring);
		if (node->string != NULL && !(node->type & cJSON_StringIsConst))
			json_free(node->string);
		json_free(node);
		node = next;
	}
}

static JSON_INLINE cJSON *
new_node(void)
{
	cJSON	   *node = json_alloc(sizeof(cJSON));

	if (node != NULL)
		memset(node, 0, sizeof(cJSON));
	return node;
}

/*
 * cJSON, when white space runs to the end of the text, stays on its last
 * byte rather than at the end; either way nothing that follows can parse,
 * so stopping at the end gives the same answers.
 */
static inline void
skip_ws(json_parser *ps)
{
	while (ps->p < ps->end && *ps->p <= 32)
		ps->p++;
}

/* Four hex digits, or 0 when one is not (cJSON's reading). */
static unsigned
hex4(const unsigned char *s)
{
	unsigned	h = 0;
	int			i;

	for (i = 0; i < 4; i++)
	{
		unsigned char c = s[i];

		if (c >= '0' && c <= '9')
			h = (h << 4) | (unsigned) (c - '0');
		else if (c >= 'A' && c <= 'F')
			h = (h << 4) | (unsigned) (c - 'A' + 10);
		else if (c >= 'a' && c <= 'f')
			h = (h << 4) | (unsigned) (c - 'a' + 10);
		else
			return 0;
	}
	return h;
}

/*
 * One \uXXXX escape, or a surrogate pair of two, at in (before the closing
 * quote at end), written to *out as UTF-8.  Returns the bytes of input
 * used, or 0 when the escape is invalid.
 */
static int
utf16_escape(const unsigned char *in, const unsigned char *end, unsigned char **out)
{
	unsigned long cp;
	unsigned	first;
	int			used;
	int			len;
	unsigned char mark;
	int			i;

	if (end - in < 6)
		return 0;
	first = hex4(in + 2);
	if (first >= 0xDC00 && first <= 0xDFFF)
		return 0;
	if (first >= 0xD800 && first <= 0xDBFF)
	{
		const unsigned char *second = in + 6;
		unsigned	low;

		if (end - second < 6 || second[0] != '\\' || second[1] != 'u')
			return 0;
		low = hex4(second + 2);
		if (low < 0xDC00 || low > 0xDFFF)
			return 0;
		cp = 0x10000 + (((first & 0x3FF) << 10) | (low & 0x3FF));
		used = 12;
	}
	else
	{
		cp = first;
		used = 6;
	}
	if (cp < 0x80)
	{
		len = 1;
		mark = 0;
	}
	else if (cp < 0x800)
	{
		len = 2;
		mark = 0xC0;
	}
	else if (cp < 0x10000)
	{
		len = 3;
		mark = 0xE0;
	}
	else
	{
		len = 4;
		mark = 0xF0;
	}
	for (i = len - 1; i > 0; i--)
	{
		(*out)[i] = (unsigned char) ((cp | 0x80) & 0xBF);
		cp >>= 6;
	}
	(*out)[0] = (unsigned char) (len > 1 ? (cp | mark) & 0xFF : cp & 0x7F);
	*out += len;
	return used;
}

/*
 * The type tags of DynamoDB's AttributeValues, the commonest names of
 * objects in its answers.  A name that is one of them points here instead
 * of at an allocation of its own, flagged cJSON_StringIsConst, which cJSON
 * reads as "do not free, keep the pointer when duplicating".
 */
static JSON_INLINE const char *
av_tag(const unsigned char *s, size_t n)
{
	switch (n)
	{
		case 1:
			switch (s[0])
			{
				case 'S':
					return "S";
				case 'N':
					return "N";
				case 'B':
					return "B";
				case 'M':
					return "M";
				case 'L':
					return "L";
			}
			return NULL;
		case 2:
			if (s[1] != 'S')
				return NULL;
			switch (s[0])
			{
				case 'S':
					return "SS";
				case 'N':
					return "NS";
				case 'B':
					return "BS";
			}
			return NULL;
		case 4:
			if (memcmp(s, "BOOL", 4) == 0)
				return "BOOL";
			if (memcmp(s, "NULL", 4) == 0)
				return "NULL";
			return NULL;
	}
	return NULL;
}

/*
 * The first '"' or backslash from q on, or end.  Eight bytes at a time:
 * a byte equal to c makes a zero byte of w ^ c, which (x - 0x01..) & ~x
 * & 0x80.. finds, its lowest set bit marking the first such byte.
 */
static JSON_INLINE const unsigned char *
find_quote_or_escape(const unsigned char *q, const unsigned char *end)
{
#ifdef __SSE2__
	/* sixteen at a time where the machine has SSE2 (every x86-64) */
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i backslash = _mm_set1_epi8('\\');

	while (end - q >= 16)
	{
		__m128i		v = _mm_loadu_si128((const __m128i *) q);
		int			hit = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
														 _mm_cmpeq_epi8(v, backslash)));

		if (hit != 0)
			return q + __builtin_ctz((unsigned) hit);
		q += 16;
	}
#endif
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (end - q >= 8)
	{
		uint64_t	w;
		uint64_t	x;
		uint64_t	y;
		uint64_t	hit;

		memcpy(&w, q, 8);
		x = w ^ UINT64_C(0x2222222222222222);
		y = w ^ UINT64_C(0x5C5C5C5C5C5C5C5C);
		hit = (((x - UINT64_C(0x0101010101010101)) & ~x) |
			   ((y - UINT64_C(0x0101010101010101)) & ~y)) & UINT64_C(0x8080808080808080);
		if (hit != 0)
			return q + (__builtin_ctzll(hit) >> 3);
		q += 8;
	}
#endif
	while (q < end && *q != '"' && *q != '\\')
		q++;
	return q;
}

/*
 * The string whose opening quote is at ps->p, into a new allocation at
 * *out.  The closing quote is the first one not right after a backslash;
 * the escapes between are then read from the start, as cJSON reads them.
 * For an object's name (tag not NULL), an AttributeValue type tag comes
 * back as a shared constant, with *tag set.
 */
static JSON_INLINE bool
parse_string(json_parser *ps, char **out, bool *tag)
{
	const unsigned char *start = ps->p;
	const unsigned char *q;
	const unsigned char *end = ps->end;
	size_t		skipped = 0;
	unsigned char *o;

	q = find_quote_or_escape(start + 1, end);
	if (q >= end)
		return false;
	if (*q == '\\')
	{
		for (q = start + 1; q < end && *q != '"'; q++)
		{
			if (*q == '\\')
			{
				if (q + 1 >= end)
					return false;
				skipped++;
				q++;
			}
		}
		if (q >= end)
			return false;
	}
	if (tag != NULL && skipped == 0)
	{
		const char *t = av_tag(start + 1, (size_t) (q - start - 1));

		if (t != NULL)
		{
			*out = (char *) t;
			*tag = true;
			ps->p = q + 1;
			return true;
		}
	}
	if (skipped == 0)
	{
		/*
		 * A string of up to 15 bytes (names, short values, most
		 * numbers) is copied as one or two whole words, past its end when
		 * the text goes on that far (it does but at its very end): the
		 * allocation is rounded up to a word, as palloc rounds it anyway,
		 * and no call to memcpy is made.
		 */
		size_t		n = (size_t) (q - start - 1);
		size_t		words = n / 8 + 1;

		o = json_alloc(words * 8);
		if (o == NULL)
			return false;
		if (words <= 2 && (size_t) (end - (start + 1)) >= 16)
		{
			memcpy(o, start + 1, 8);
			if (words == 2)
				memcpy(o + 8, start + 9, 8);
		}
		else
			memcpy(o, start + 1, n);
		o[n] = '\0';
	}
	else
	{
		const unsigned char *in = start + 1;
		unsigned char *op;

		o = json_alloc((size_t) (q - start) - skipped + 1);
		if (o == NULL)
			return false;
		op = o;

		while (in < q)
		{
			int			used = 2;

			if (*in != '\\')
			{
				*op++ = *in++;
				continue;
			}
			switch (in[1])
			{
				case 'b':
					*op++ = '\b';
					break;
				case 'f':
					*op++ = '\f';
					break;
				case 'n':
					*op++ = '\n';
					break;
				case 'r':
					*op++ = '\r';
					break;
				case 't':
					*op++ = '\t';
					break;
				case '"':
				case '\\':
				case '/':
					*op++ = in[1];
					break;
				case 'u':
					used = utf16_escape(in, q, &op);
					if (used == 0)
					{
						json_free(o);
						return false;
					}
					break;
				default:
					json_free(o);
					return false;
			}
			in += used;
		}
		*op = '\0';
	}
	*out = (char *) o;
	ps->p = q + 1;
	return true;
}

/*
 * A number at ps->p (a '-' or a digit), read the way cJSON reads it: the
 * run of number bytes copied (so that strtod stops at the end of the text,
 * and sees the locale's decimal point), then strtod.
 */
static bool
parse_number(json_parser *ps, cJSON *item)
{
	char		small[64];
	char	   *buf = small;
	char		point = localeconv()->decimal_point[0];
	size_t		n = 0;
	size_t		i;
	char	   *after;
	size_t		used;
	double		d;

	while (ps->p + n < ps->end)
	{
		unsigned char c = ps->p[n];

		if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == 'e' || c == 'E' || c == '.')
			n++;
		else
			break;
	}
	if (n >= sizeof(small) && (buf = json_alloc(n + 1)) == NULL)
		return false;
	for (i = 0; i < n; i++)
		buf[i] = ps->p[i] == '.' ? point : (char) ps->p[i];
	buf[n] = '\0';
	d = strtod(buf, &after);
	used = (size_t) (after - buf);
	if (buf != small)
		json_free(buf);
	if (used == 0)
		return false;
	item->valuedouble = d;
	if (d >= INT_MAX)
		item->valueint = INT_MAX;
	else if (d <= (double) INT_MIN)
		item->valueint = INT_MIN;
	else
		item->valueint = (int) d;
	item->type = cJSON_Number;
	ps->p += used;
	return true;
}

/* Links node after *tail (or makes it the head). */
static inline void
append(cJSON **head, cJSON **tail, cJSON *node)
{
	if (*head == NULL)
		*head = node;
	else
	{
		(*tail)->next = node;
		node->prev = *tail;
	}
	*tail = node;
}

/*
 * The commonest value of DynamoDB's answers, an AttributeValue holding one
 * string ({"S":"..."} or {"N":"..."}, without white space), at ps->p
 * ('{'), read in one go: the node and tree are those the general way
 * makes (the type tag a shared constant, the string's node its own prev).
 * False, with ps->p where it was, for any other value, which the general
 * way then reads, failing where it fails.
 */
static JSON_INLINE bool
parse_av_string(json_parser *ps, cJSON *item)
{
	const unsigned char *start = ps->p;
	const unsigned char *t = start + 2;
	const unsigned char *q = t;
	const char *tag;
	char	   *value;
	cJSON	   *child;

	if (ps->depth >= DDB_JSON_NESTING_LIMIT || ps->end - start < 8 || start[1] != '"')
		return false;
	while (q < ps->end && q - t < 5 && *q != '"')
		q++;
	if (q >= ps->end || *q != '"' || (tag = av_tag(t, (size_t) (q - t))) == NULL ||
		ps->end - q < 3 || q[1] != ':' || q[2] != '"')
		return false;
	ps->p = q + 2;
	if (!parse_string(ps, &value, NULL))
	{
		ps->p = start;
		return false;
	}
	if (ps->p >= ps->end || *ps->p != '}' || (child = new_node()) == NULL)
	{
		json_free(value);
		ps->p = start;
		return false;
	}
	ps->p++;
	child->type = cJSON_String | cJSON_StringIsConst;
	child->string = (char *) tag;
	child->valuestring = value;
	child->prev = child;
	item->type = cJSON_Object;
	item->child = child;
	return true;
}

/*
 * The array ('[') or object ('{') at ps->p: its elements, or its members,
 * each a name, a colon and a value.  A member's name that is a type tag
 * is flagged constant only once its value is read, since reading the
 * value sets the node's type; until then a failure forgets the name
 * rather than free it.
 */
static JSON_INLINE bool
parse_container(json_parser *ps, cJSON *item, bool object)
{
	const unsigned char close = object ? '}' : ']';
	cJSON	   *head = NULL;
	cJSON	   *tail = NULL;

	if (ps->depth >= DDB_JSON_NESTING_LIMIT)
		return false;
	ps->depth++;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close)
		goto done;
	for (;;)
	{
		cJSON	   *node = new_node();
		bool		tag = false;

		if (node == NULL)
			goto fail;
		append(&head, &tail, node);
		if (object)
		{
			if (ps->p >= ps->end || *ps->p != '"' || !parse_string(ps, &node->string, &tag))
				goto fail;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':')
				goto fail_member;
			ps->p++;
			skip_ws(ps);
		}
		if (!(ps->p < ps->end && *ps->p == '{' && parse_av_string(ps, node)) &&
			!parse_value(ps, node))
			goto fail_member;
		if (tag)
			node->type |= cJSON_StringIsConst;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',')
		{
			ps->p++;
			skip_ws(ps);
			continue;
		}
		break;
fail_member:
		if (tag)
			node->string = NULL;	/* not ours to free */
		goto fail;
	}
	if (ps->p >= ps->end || *ps->p != close)
		goto fail;
done:
	ps->depth--;
	if (head != NULL)
		head->prev = tail;
	item->type = object ? cJSON_Object : cJSON_Array;
	item->child = head;
	ps->p++;
	return true;
fail:
	free_nodes(head);
	return false;
}

/* The value at ps->p (white space already skipped) into item. */
static bool
parse_value(json_parser *ps, cJSON *item)
{
	const unsigned char *p = ps->p;
	size_t		left = (size_t) (ps->end - p);

	if (left == 0)
		return false;
	switch (*p)
	{
		case 'n':
			if (left >= 4 && memcmp(p, "null", 4) == 0)
			{
				item->type = cJSON_NULL;
				ps->p += 4;
				return true;
			}
			return false;
		case 'f':
			if (left >= 5 && memcmp(p, "false", 5) == 0)
			{
				item->type = cJSON_False;
				ps->p += 5;
				return true;
			}
			return false;
		case 't':
			if (left >= 4 && memcmp(p, "true", 4) == 0)
			{
				item->type = cJSON_True;
				item->valueint = 1;
				ps->p += 4;
				return true;
			}
			return false;
		case '"':
			{
				char	   *s;

				if (!parse_string(ps, &s, NULL))
					return false;
				item->type = cJSON_String;
				item->valuestring = s;
				return true;
			}
		case '-':
		case '0':
		case '1':
		case '2':
		case '3':
		case '4':
		case '5':
		case '6':
		case '7':
		case '8':
		case '9':
			return parse_number(ps, item);
		case '[':
			return parse_container(ps, item, false);
		case '{':
			return parse_container(ps, item, true);
		default:
			return false;
	}
}

cJSON *
ddb_json_parse(const char *text, size_t len)
{
	json_parser ps;
	cJSON	   *root;

	if (text == NULL || len == 0)
		return NULL;
	ps.p = (const unsigned char *) text;
	ps.end = ps.p + len;
	ps.depth = 0;
	root = new_node();
	if (root == NULL)
		return NULL;
	if (len >= 5 && memcmp(ps.p, "\xEF\xBB\xBF", 3) == 0)
		ps.p += 3;
	skip_ws(&ps);
	if (!parse_value(&ps, root))
	{
		free_nodes(root);
		return NULL;
	}
	return root;
}
