/*-------------------------------------------------------------------------
 * expr_core.c
 *	  DynamoDB condition expressions evaluated on items, and attribute
 *	  values compared as DynamoDB compares them (see expr_core.h).
 *
 * A recursive descent parser that evaluates as it parses: every operand
 * and sub-condition is parsed in full (no short circuit), so an expression
 * that would not parse is an error whatever the item holds.  Semantics
 * follow DynamoDB's documentation and what DynamoDB answers:
 *
 *	- a path that names no attribute makes every comparison false except
 *	  "<>", which is true (DynamoDB's "a <> :v" holds for a missing a);
 *	- "=" and "<>" compare values of any type, values of two types are
 *	  never equal; "<", "<=", ">", ">=" and BETWEEN order numbers, strings
 *	  and binaries only, and only with a value of the same type;
 *	- begins_with works on strings and binaries; contains on strings
 *	  (substring), sets (member) and lists (element).
 *-------------------------------------------------------------------------
 */
#include "expr_core.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "codec_core.h"

#define DDB_EXPR_MAX_DEPTH 64

/* ----------------------------------------------------------------
 * Comparing attribute values
 * ----------------------------------------------------------------
 */

/* The decoded bytes of a B value; NULL (and *len 0) when it is not base64. */
static unsigned char *
decode_b(const char *s, long *len)
{
	size_t		n = strlen(s);
	unsigned char *out = malloc(n / 4 * 3 + 4);

	*len = 0;
	if (out == NULL)
		return NULL;
	*len = ddb_base64_decode(s, n, out);
	if (*len < 0)
	{
		free(out);
		*len = 0;
		return NULL;
	}
	return out;
}

/* memcmp of two byte strings of any lengths: -1, 0, 1. */
static int
bytes_order(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
	int			c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c < 0 ? -1 : 1;
	return alen == blen ? 0 : (alen < blen ? -1 : 1);
}

/* Order of two B texts by their decoded bytes; 2 when either is not base64. */
static int
binary_order(const char *a, const char *b)
{
	long		alen;
	long		blen;
	unsigned char *x = decode_b(a, &alen);
	unsigned char *y = decode_b(b, &blen);
	int			r = 2;

	if (x && y)
		r = bytes_order(x, (size_t) alen, y, (size_t) blen);
	free(x);
	free(y);
	return r;
}

/* Whether a string is a member of a set payload of tag (SS, NS, BS). */
static bool
set_has(const char *tag, const cJSON *set, const char *s)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, set)
	{
		if (!cJSON_IsString(e))
			continue;
		if (strcmp(tag, "NS") == 0 ? ddb_number_valid(e->valuestring) && ddb_number_valid(s) &&
			ddb_number_compare(e->valuestring, s) == 0
			: strcmp(tag, "BS") == 0 ? binary_order(e->valuestring, s) == 0
			: strcmp(e->valuestring, s) == 0)
			return true;
	}
	return false;
}

bool
ddb_av_equal(const cJSON *a, const cJSON *b)
{
	const char *ta = ddb_av_type(a);
	const char *tb = ddb_av_type(b);
	const cJSON *va;
	const cJSON *vb;
	const cJSON *e;

	if (ta == NULL || tb == NULL || strcmp(ta, tb) != 0)
		return false;
	va = a->child;
	vb = b->child;
	if (strcmp(ta, "N") == 0)
		return cJSON_IsString(va) && cJSON_IsString(vb) &&
			ddb_number_valid(va->valuestring) && ddb_number_valid(vb->valuestring) &&
			ddb_number_compare(va->valuestring, vb->valuestring) == 0;
	if (strcmp(ta, "S") == 0)
		return cJSON_IsString(va) && cJSON_IsString(vb) &&
			strcmp(va->valuestring, vb->valuestring) == 0;
	if (strcmp(ta, "B") == 0)
		return cJSON_IsString(va) && cJSON_IsString(vb) &&
			binary_order(va->valuestring, vb->valuestring) == 0;
	if (strcmp(ta, "M") == 0)
	{
		if (!cJSON_IsObject(va) || !cJSON_IsObject(vb) ||
			cJSON_GetArraySize(va) != cJSON_GetArraySize(vb))
			return false;
		cJSON_ArrayForEach(e, va)
		{
			const cJSON *o = cJSON_GetObjectItemCaseSensitive(vb, e->string);

			if (o == NULL || !ddb_av_equal(e, o))
				return false;
		}
		return true;
	}
	if (strcmp(ta, "L") == 0)
	{
		const cJSON *f;

		if (!cJSON_IsArray(va) || !cJSON_IsArray(vb) ||
			cJSON_GetArraySize(va) != cJSON_GetArraySize(vb))
			return false;
		f = vb->child;
		cJSON_ArrayForEach(e, va)
		{
			if (f == NULL || !ddb_av_equal(e, f))
				return false;
			f = f->next;
		}
		return true;
	}
	if (strcmp(ta, "SS") == 0 || strcmp(ta, "NS") == 0 || strcmp(ta, "BS") == 0)
	{
		if (!cJSON_IsArray(va) || !cJSON_IsArray(vb) ||
			cJSON_GetArraySize(va) != cJSON_GetArraySize(vb))
			return false;
		cJSON_ArrayForEach(e, va)
			if (!cJSON_IsString(e) || !set_has(ta, vb, e->valuestring))
			return false;
		return true;
	}
	/* BOOL, NULL */
	return cJSON_Compare(va, vb, true);
}

int
ddb_av_order(const cJSON *a, const cJSON *b)
{
	const char *ta = ddb_av_type(a);
	const char *tb = ddb_av_type(b);
	const cJSON *va;
	const cJSON *vb;

	if (ta == NULL || tb == NULL || strcmp(ta, tb) != 0)
		return 2;
	va = a->child;
	vb = b->child;
	if (!cJSON_IsString(va) || !cJSON_IsString(vb))
		return 2;
	if (strcmp(ta, "N") == 0)
	{
		if (!ddb_number_valid(va->valuestring) || !ddb_number_valid(vb->valuestring))
			return 2;
		return ddb_number_compare(va->valuestring, vb->valuestring);
	}
	if (strcmp(ta, "S") == 0)
		return bytes_order((const unsigned char *) va->valuestring, strlen(va->valuestring),
						   (const unsigned char *) vb->valuestring, strlen(vb->valuestring));
	if (strcmp(ta, "B") == 0)
		return binary_order(va->valuestring, vb->valuestring);
	return 2;
}

/* ----------------------------------------------------------------
 * The evaluator
 * ----------------------------------------------------------------
 */
typedef enum TokKind
{
	T_END,
	T_IDENT,					/* a bare name or a keyword */
	T_NAME,						/* #placeholder */
	T_VALUE,					/* :placeholder */
	T_NUMBER,					/* digits, in [ ] */
	T_LPAREN,
	T_RPAREN,
	T_COMMA,
	T_DOT,
	T_LBRACKET,
	T_RBRACKET,
	T_EQ,
	T_NE,
	T_LT,
	T_LE,
	T_GT,
	T_GE,
	T_BAD
} TokKind;

typedef struct Parser
{
	const char *s;				/* the expression */
	size_t		pos;			/* where the next token starts */
	TokKind		tok;			/* current token */
	size_t		tstart;			/* its text */
	size_t		tlen;
	const cJSON *names;
	const cJSON *values;
	const cJSON *item;
	int			depth;
	bool		failed;
	char	   *err;
	size_t		errlen;
} Parser;

static void fail(Parser *p, const char *fmt,...) __attribute__((format(printf, 2, 3)));

static void
fail(Parser *p, const char *fmt,...)
{
	va_list		ap;

	if (p->failed)
		return;
	p->failed = true;
	if (p->err && p->errlen > 0)
	{
		va_start(ap, fmt);
		vsnprintf(p->err, p->errlen, fmt, ap);
		va_end(ap);
	}
}

static bool
ident_char(char c, bool first)
{
	return isalpha((unsigned char) c) || c == '_' || (!first && isdigit((unsigned char) c));
}

/* Reads the next token into p->tok. */
static void
next(Parser *p)
{
	const char *s = p->s;
	size_t		i = p->pos;

	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
		i++;
	p->tstart = i;
	p->tlen = 1;
	switch (s[i])
	{
		case '\0':
			p->tok = T_END;
			p->tlen = 0;
			break;
		case '(':
			p->tok = T_LPAREN;
			break;
		case ')':
			p->tok = T_RPAREN;
			break;
		case ',':
			p->tok = T_COMMA;
			break;
		case '.':
			p->tok = T_DOT;
			break;
		case '[':
			p->tok = T_LBRACKET;
			break;
		case ']':
			p->tok = T_RBRACKET;
			break;
		case '=':
			p->tok = T_EQ;
			break;
		case '<':
			if (s[i + 1] == '>')
				p->tok = T_NE, p->tlen = 2;
			else if (s[i + 1] == '=')
				p->tok = T_LE, p->tlen = 2;
			else
				p->tok = T_LT;
			break;
		case '>':
			if (s[i + 1] == '=')
				p->tok = T_GE, p->tlen = 2;
			else
				p->tok = T_GT;
			break;
		case '#':
		case ':':
			{
				size_t		j = i + 1;

				while (ident_char(s[j], false))
					j++;
				p->tok = (s[i] == '#') ? T_NAME : T_VALUE;
				p->tlen = j - i;
				if (p->tlen == 1)
					p->tok = T_BAD;
			}
			break;
		default:
			if (isdigit((unsigned char) s[i]))
			{
				size_t		j = i;

				while (isdigit((unsigned char) s[j]))
					j++;
				p->tok = T_NUMBER;
				p->tlen = j - i;
			}
			else if (ident_char(s[i], true))
			{
				size_t		j = i;

				while (ident_char(s[j], false))
					j++;
				p->tok = T_IDENT;
				p->tlen = j - i;
			}
			else
				p->tok = T_BAD;
			break;
	}
	p->pos = p->tstart + p->tlen;
	if (p->tok == T_BAD)
		fail(p, "unexpected character at offset %zu", p->tstart);
}

/* Whether the current token is the keyword kw (any case). */
static bool
is_kw(Parser *p, const char *kw)
{
	return p->tok == T_IDENT && strlen(kw) == p->tlen &&
		strncasecmp(p->s + p->tstart, kw, p->tlen) == 0;
}

static bool
expect(Parser *p, TokKind k, const char *what)
{
	if (p->tok != k)
	{
		fail(p, "expected %s at offset %zu", what, p->tstart);
		return false;
	}
	next(p);
	return true;
}

/* The member of map (names or values) the current placeholder token names. */
static const cJSON *
placeholder(Parser *p, const cJSON *map)
{
	char		buf[256];
	const cJSON *v;

	if (p->tlen >= sizeof(buf))
	{
		fail(p, "placeholder too long at offset %zu", p->tstart);
		return NULL;
	}
	memcpy(buf, p->s + p->tstart, p->tlen);
	buf[p->tlen] = '\0';
	v = map ? cJSON_GetObjectItemCaseSensitive(map, buf) : NULL;
	if (v == NULL)
		fail(p, "unknown placeholder \"%s\"", buf);
	return v;
}

/*
 * A document path (#a.#b[1], or bare names): the AttributeValue it names
 * in the item, or NULL when there is none.
 */
static const cJSON *
parse_path(Parser *p)
{
	const cJSON *cur = NULL;
	bool		first = true;
	bool		missing = false;

	for (;;)
	{
		char		name[1024];
		const char *attr;

		if (p->tok == T_NAME)
		{
			const cJSON *n = placeholder(p, p->names);

			if (n == NULL)
				return NULL;
			if (!cJSON_IsString(n))
			{
				fail(p, "attribute name placeholder is not a string");
				return NULL;
			}
			attr = n->valuestring;
		}
		else if (p->tok == T_IDENT)
		{
			if (p->tlen >= sizeof(name))
			{
				fail(p, "attribute name too long");
				return NULL;
			}
			memcpy(name, p->s + p->tstart, p->tlen);
			name[p->tlen] = '\0';
			attr = name;
		}
		else
		{
			fail(p, "expected an attribute name at offset %zu", p->tstart);
			return NULL;
		}
		if (first)
			cur = p->item ? cJSON_GetObjectItemCaseSensitive(p->item, attr) : NULL;
		else if (!missing)
		{
			const char *t = ddb_av_type(cur);

			cur = (t && strcmp(t, "M") == 0) ?
				cJSON_GetObjectItemCaseSensitive(cur->child, attr) : NULL;
		}
		if (cur == NULL)
			missing = true;
		first = false;
		next(p);
		/* list indexes */
		while (p->tok == T_LBRACKET)
		{
			long		idx;

			next(p);
			if (p->tok != T_NUMBER)
			{
				fail(p, "expected a list index at offset %zu", p->tstart);
				return NULL;
			}
			idx = strtol(p->s + p->tstart, NULL, 10);
			next(p);
			if (!expect(p, T_RBRACKET, "\"]\""))
				return NULL;
			if (!missing)
			{
				const char *t = ddb_av_type(cur);

				cur = (t && strcmp(t, "L") == 0 && idx >= 0 && idx < cJSON_GetArraySize(cur->child)) ?
					cJSON_GetArrayItem(cur->child, (int) idx) : NULL;
				if (cur == NULL)
					missing = true;
			}
		}
		if (p->tok != T_DOT)
			break;
		next(p);
	}
	return missing ? NULL : cur;
}

/* An operand: a path or a :value.  *present is false for a missing path. */
static const cJSON *
parse_operand(Parser *p)
{
	if (p->tok == T_VALUE)
	{
		const cJSON *v = placeholder(p, p->values);

		next(p);
		return v;
	}
	if (is_kw(p, "size"))
	{
		fail(p, "size() is not supported");
		return NULL;
	}
	return parse_path(p);
}

static bool
cmp_true(TokKind op, int order)
{
	switch (op)
	{
		case T_LT:
			return order == -1;
		case T_LE:
			return order == -1 || order == 0;
		case T_GT:
			return order == 1;
		case T_GE:
			return order == 1 || order == 0;
		default:
			return false;
	}
}

static bool
str_begins(const cJSON *a, const cJSON *b)
{
	const char *ta = ddb_av_type(a);
	const char *tb = ddb_av_type(b);

	if (ta == NULL || tb == NULL || strcmp(ta, tb) != 0 ||
		!cJSON_IsString(a->child) || !cJSON_IsString(b->child))
		return false;
	if (strcmp(ta, "S") == 0)
		return strncmp(a->child->valuestring, b->child->valuestring,
					   strlen(b->child->valuestring)) == 0;
	if (strcmp(ta, "B") == 0)
	{
		long		alen;
		long		blen;
		unsigned char *x = decode_b(a->child->valuestring, &alen);
		unsigned char *y = decode_b(b->child->valuestring, &blen);
		bool		r = x && y && blen <= alen && memcmp(x, y, (size_t) blen) == 0;

		free(x);
		free(y);
		return r;
	}
	return false;
}

static bool
contains(const cJSON *a, const cJSON *b)
{
	const char *ta = ddb_av_type(a);
	const char *tb = ddb_av_type(b);
	const cJSON *e;

	if (ta == NULL || tb == NULL)
		return false;
	if (strcmp(ta, "S") == 0 && strcmp(tb, "S") == 0)
		return cJSON_IsString(a->child) && cJSON_IsString(b->child) &&
			strstr(a->child->valuestring, b->child->valuestring) != NULL;
	if ((strcmp(ta, "SS") == 0 && strcmp(tb, "S") == 0) ||
		(strcmp(ta, "NS") == 0 && strcmp(tb, "N") == 0) ||
		(strcmp(ta, "BS") == 0 && strcmp(tb, "B") == 0))
		return cJSON_IsString(b->child) && set_has(ta, a->child, b->child->valuestring);
	if (strcmp(ta, "L") == 0)
		cJSON_ArrayForEach(e, a->child)
			if (ddb_av_equal(e, b))
			return true;
	return false;
}

static int	parse_or(Parser *p);

/* A function condition; the name token is current. */
static int
parse_function(Parser *p)
{
	char		fn[32];
	const cJSON *a;
	const cJSON *b = NULL;
	int			r = 0;

	snprintf(fn, sizeof(fn), "%.*s", (int) p->tlen, p->s + p->tstart);
	next(p);
	if (!expect(p, T_LPAREN, "\"(\""))
		return 0;
	a = parse_path(p);
	if (strcasecmp(fn, "attribute_exists") == 0)
		r = (a != NULL);
	else if (strcasecmp(fn, "attribute_not_exists") == 0)
		r = (a == NULL);
	else
	{
		if (!expect(p, T_COMMA, "\",\""))
			return 0;
		b = parse_operand(p);
		if (strcasecmp(fn, "attribute_type") == 0)
		{
			const char *t = ddb_av_type(a);

			r = (t && b && ddb_av_type(b) && strcmp(ddb_av_type(b), "S") == 0 &&
				 cJSON_IsString(b->child) && strcmp(t, b->child->valuestring) == 0);
		}
		else if (strcasecmp(fn, "begins_with") == 0)
			r = (a && b && str_begins(a, b));
		else
			r = (a && b && contains(a, b));
	}
	expect(p, T_RPAREN, "\")\"");
	return r;
}

static bool
is_function(Parser *p)
{
	return is_kw(p, "attribute_exists") || is_kw(p, "attribute_not_exists") ||
		is_kw(p, "attribute_type") || is_kw(p, "begins_with") || is_kw(p, "contains");
}

/* A parenthesized condition, a function, or a comparison. */
static int
parse_atom(Parser *p)
{
	const cJSON *a;
	int			r = 0;

	if (p->failed)
		return 0;
	if (p->tok == T_LPAREN)
	{
		next(p);
		r = parse_or(p);
		expect(p, T_RPAREN, "\")\"");
		return r;
	}
	if (is_function(p))
		return parse_function(p);
	a = parse_operand(p);
	if (p->failed)
		return 0;
	switch (p->tok)
	{
		case T_EQ:
		case T_NE:
		case T_LT:
		case T_LE:
		case T_GT:
		case T_GE:
			{
				TokKind		op = p->tok;
				const cJSON *b;

				next(p);
				b = parse_operand(p);
				if (op == T_EQ)
					r = (a && b && ddb_av_equal(a, b));
				else if (op == T_NE)
					r = !(a && b && ddb_av_equal(a, b));
				else
					r = (a && b && cmp_true(op, ddb_av_order(a, b)));
				return r;
			}
		default:
			break;
	}
	if (is_kw(p, "BETWEEN"))
	{
		const cJSON *lo;
		const cJSON *hi;

		next(p);
		lo = parse_operand(p);
		if (!is_kw(p, "AND"))
		{
			fail(p, "expected AND of BETWEEN at offset %zu", p->tstart);
			return 0;
		}
		next(p);
		hi = parse_operand(p);
		return a && lo && hi && cmp_true(T_GE, ddb_av_order(a, lo)) &&
			cmp_true(T_LE, ddb_av_order(a, hi));
	}
	if (is_kw(p, "IN"))
	{
		next(p);
		if (!expect(p, T_LPAREN, "\"(\""))
			return 0;
		for (;;)
		{
			const cJSON *b = parse_operand(p);

			if (p->failed)
				return 0;
			if (a && b && ddb_av_equal(a, b))
				r = 1;
			if (p->tok != T_COMMA)
				break;
			next(p);
		}
		expect(p, T_RPAREN, "\")\"");
		return r;
	}
	fail(p, "expected a comparison at offset %zu", p->tstart);
	return 0;
}

static int
parse_not(Parser *p)
{
	int			r;

	if (++p->depth > DDB_EXPR_MAX_DEPTH)
	{
		fail(p, "expression nested too deeply");
		return 0;
	}
	if (is_kw(p, "NOT"))
	{
		next(p);
		r = !parse_not(p);
	}
	else
		r = parse_atom(p);
	p->depth--;
	return r;
}

static int
parse_and(Parser *p)
{
	int			r = parse_not(p);

	while (!p->failed && is_kw(p, "AND"))
	{
		int			s;

		next(p);
		s = parse_not(p);
		r = r && s;
	}
	return r;
}

static int
parse_or(Parser *p)
{
	int			r;

	if (++p->depth > DDB_EXPR_MAX_DEPTH)
	{
		fail(p, "expression nested too deeply");
		return 0;
	}
	r = parse_and(p);
	while (!p->failed && is_kw(p, "OR"))
	{
		int			s;

		next(p);
		s = parse_and(p);
		r = r || s;
	}
	p->depth--;
	return r;
}

int
ddb_cond_eval(const char *expr, const cJSON *names, const cJSON *values, const cJSON *item,
			  char *err, size_t errlen)
{
	Parser		p;
	int			r;

	memset(&p, 0, sizeof(p));
	p.s = expr ? expr : "";
	p.names = names;
	p.values = values;
	p.item = item;
	p.err = err;
	p.errlen = errlen;
	if (err && errlen > 0)
		err[0] = '\0';
	next(&p);
	if (p.tok == T_END)
	{
		fail(&p, "empty expression");
		return -1;
	}
	r = parse_or(&p);
	if (!p.failed && p.tok != T_END)
		fail(&p, "unexpected text at offset %zu", p.tstart);
	return p.failed ? -1 : (r ? 1 : 0);
}
