/*-------------------------------------------------------------------------
 * limits_core.c
 *	  The limits DynamoDB documents for a request, checked before it is
 *	  sent: expression sizes, key value lengths, sort key condition order.
 *
 * DynamoDB refuses a request whose expressions are over 4 KB, whose key
 * values are empty or longer than a key can be, or whose BETWEEN has its
 * bounds the wrong way round.  dynalite checks few of these, so a request
 * that passes every local test could still fail on AWS.  Every request
 * ddbrel builds goes through ddb_limits_check just before it is sent, and
 * what the check finds is turned into the answer PostgreSQL would give:
 * a key no item can have matches nothing (the request is not sent), a
 * condition true of every key is dropped, and a sort key bound no key can
 * reach is handed back for the caller to check on each item.
 *
 * Only KeyConditionExpression is parsed, and only its grammar (at most two
 * terms joined by AND: "k = :v", "k < :v" and the like, "k BETWEEN :a AND
 * :b", "begins_with(k, :v)"); a key condition that does not parse is sent
 * as it is, for DynamoDB to judge.
 *
 * Pure C (cJSON, codec_core): unit-tested in test/unit/test_limits_core.c.
 *
 * IDENTIFICATION
 *	  src/limits_core.c
 *-------------------------------------------------------------------------
 */
#include "limits_core.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "codec_core.h"

#if defined(__GNUC__) || defined(__clang__)
#define LIM_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define LIM_PRINTF(f, a)
#endif

static void set_why(char *why, size_t whylen, const char *fmt,...) LIM_PRINTF(3, 4);

static void
set_why(char *why, size_t whylen, const char *fmt,...)
{
	va_list		ap;

	if (why == NULL || whylen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* The expressions a request (or a BatchGetItem table entry) may carry. */
static const char *const expression_fields[] = {
	"KeyConditionExpression", "FilterExpression", "ProjectionExpression",
	"ConditionExpression", "UpdateExpression", NULL
};

/* ----------------------------------------------------------------
 * Key values
 * ----------------------------------------------------------------
 */

/* Bytes of a B value (base64 text), or -1 when the text is not base64. */
static long
binary_length(const char *b64)
{
	return ddb_base64_decode(b64, strlen(b64), NULL);
}

bool
ddb_limits_key_value_ok(const cJSON *av, bool is_sort, char *why, size_t whylen)
{
	const char *tag = av ? ddb_av_type(av) : NULL;
	const cJSON *v = av ? av->child : NULL;
	size_t		limit = is_sort ? DDB_LIMIT_SORT_KEY_BYTES : DDB_LIMIT_PARTITION_KEY_BYTES;
	const char *role = is_sort ? "sort key" : "partition key";
	long		len;

	if (tag == NULL || !cJSON_IsString(v) || v->valuestring == NULL)
	{
		set_why(why, whylen, "A %s value must be of type S, N or B.", role);
		return false;
	}
	if (strcmp(tag, "N") == 0)
	{
		if (!ddb_number_valid(v->valuestring))
		{
			set_why(why, whylen, "The %s value \"%s\" is not a DynamoDB number.", role,
					v->valuestring);
			return false;
		}
		return true;
	}
	if (strcmp(tag, "S") == 0)
		len = (long) strlen(v->valuestring);
	else if (strcmp(tag, "B") == 0)
		len = binary_length(v->valuestring);
	else
	{
		set_why(why, whylen, "A %s value must be of type S, N or B, not %s.", role, tag);
		return false;
	}
	if (len < 0)
	{
		set_why(why, whylen, "The %s value is not base64 text.", role);
		return false;
	}
	if (len == 0)
	{
		set_why(why, whylen, "A %s value cannot be empty.", role);
		return false;
	}
	if ((size_t) len > limit)
	{
		set_why(why, whylen, "A %s value is at most %zu bytes; this one has %ld.", role,
				limit, len);
		return false;
	}
	return true;
}

/* Byte comparison of two byte strings, as DynamoDB orders S and B keys. */
static int
bytes_compare(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
	int			c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c < 0 ? -1 : 1;
	return alen == blen ? 0 : (alen < blen ? -1 : 1);
}

int
ddb_limits_key_compare(const cJSON *a, const cJSON *b)
{
	const char *ta = a ? ddb_av_type(a) : NULL;
	const char *tb = b ? ddb_av_type(b) : NULL;
	const char *sa;
	const char *sb;

	if (ta == NULL || tb == NULL || strcmp(ta, tb) != 0 ||
		!cJSON_IsString(a->child) || !cJSON_IsString(b->child))
		return -2;
	sa = a->child->valuestring;
	sb = b->child->valuestring;
	if (strcmp(ta, "S") == 0)
		return bytes_compare((const unsigned char *) sa, strlen(sa),
							 (const unsigned char *) sb, strlen(sb));
	if (strcmp(ta, "N") == 0)
	{
		if (!ddb_number_valid(sa) || !ddb_number_valid(sb))
			return -2;
		return ddb_number_compare(sa, sb);
	}
	if (strcmp(ta, "B") == 0)
	{
		size_t		la = strlen(sa);
		size_t		lb = strlen(sb);
		unsigned char *da = malloc(la / 4 * 3 + 3);
		unsigned char *db = malloc(lb / 4 * 3 + 3);
		long		na = da ? ddb_base64_decode(sa, la, da) : -1;
		long		nb = db ? ddb_base64_decode(sb, lb, db) : -1;
		int			r = (na < 0 || nb < 0) ? -2 : bytes_compare(da, na, db, nb);

		free(da);
		free(db);
		return r;
	}
	return -2;
}

/* The length of a key value in bytes (N: 1), or -1 if it is not S, N or B. */
static long
key_value_length(const cJSON *av)
{
	const char *tag = av ? ddb_av_type(av) : NULL;

	if (tag == NULL || !cJSON_IsString(av->child))
		return -1;
	if (strcmp(tag, "S") == 0)
		return (long) strlen(av->child->valuestring);
	if (strcmp(tag, "B") == 0)
		return binary_length(av->child->valuestring);
	if (strcmp(tag, "N") == 0)
		return 1;
	return -1;
}

/* Whether a key value is empty (S or B of no bytes). */
static bool
key_value_empty(const cJSON *av)
{
	return key_value_length(av) == 0;
}

/* Whether a key value is longer than the longest key of its role. */
static bool
key_value_oversized(const cJSON *av, bool is_sort)
{
	return key_value_length(av) >
		(long) (is_sort ? DDB_LIMIT_SORT_KEY_BYTES : DDB_LIMIT_PARTITION_KEY_BYTES);
}

bool
ddb_limits_residual_admits(const ddb_key_residual *r, const cJSON *av)
{
	int			c;

	if (r == NULL || !r->active)
		return true;
	if (av == NULL)
		return false;
	if (r->lo)
	{
		c = ddb_limits_key_compare(av, r->lo);
		if (c == -2 || c < 0 || (c == 0 && !r->lo_inclusive))
			return false;
	}
	if (r->hi)
	{
		c = ddb_limits_key_compare(av, r->hi);
		if (c == -2 || c > 0 || (c == 0 && !r->hi_inclusive))
			return false;
	}
	return true;
}

/* ----------------------------------------------------------------
 * Expression sizes and placeholders
 * ----------------------------------------------------------------
 */

/* ExpressionAttributeNames or -Values of obj, if it is an object (else NULL). */
static cJSON *
placeholder_map(const cJSON *obj, const char *name)
{
	cJSON	   *map = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsObject(map) ? map : NULL;
}

/* Checks the expressions and substitutions of one object (a request or a table entry). */
static bool
expressions_fit(const cJSON *obj, char *why, size_t whylen)
{
	const cJSON *e;
	size_t		subst = 0;
	int			i;

	for (i = 0; expression_fields[i]; i++)
	{
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(obj, expression_fields[i]);
		size_t		len;

		if (!cJSON_IsString(x) || x->valuestring == NULL)
			continue;
		len = strlen(x->valuestring);
		if (len > DDB_LIMIT_EXPRESSION_BYTES)
		{
			set_why(why, whylen, "The %s has %zu bytes; DynamoDB allows %d.",
					expression_fields[i], len, DDB_LIMIT_EXPRESSION_BYTES);
			return false;
		}
	}
	cJSON_ArrayForEach(e, placeholder_map(obj, "ExpressionAttributeNames"))
		subst += strlen(e->string) + (cJSON_IsString(e) ? strlen(e->valuestring) : 0);
	cJSON_ArrayForEach(e, placeholder_map(obj, "ExpressionAttributeValues"))
	{
		char	   *text = cJSON_PrintUnformatted(e);

		subst += strlen(e->string) + (text ? strlen(text) : 0);
		cJSON_free(text);
	}
	if (subst > DDB_LIMIT_SUBSTITUTION_BYTES)
	{
		set_why(why, whylen,
				"The expression attribute names and values have %zu bytes; DynamoDB allows %d.",
				subst, DDB_LIMIT_SUBSTITUTION_BYTES);
		return false;
	}
	return true;
}

static bool
is_word_char(char c)
{
	return isalnum((unsigned char) c) || c == '_';
}

/* Whether placeholder ph ("#n1", ":k0") occurs as a whole token in s. */
static bool
uses_placeholder(const char *s, const char *ph)
{
	size_t		n = strlen(ph);
	const char *p = s;

	if (n == 0)
		return false;
	while ((p = strstr(p, ph)) != NULL)
	{
		if (!is_word_char(p[n]))
			return true;
		p += n;
	}
	return false;
}

static bool
placeholder_used(const cJSON *obj, const char *ph)
{
	int			i;

	for (i = 0; expression_fields[i]; i++)
	{
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(obj, expression_fields[i]);

		if (cJSON_IsString(x) && x->valuestring && uses_placeholder(x->valuestring, ph))
			return true;
	}
	return false;
}

/* Removes names and values no expression uses (DynamoDB refuses unused ones). */
static void
drop_unused_placeholders(cJSON *obj)
{
	const char *maps[2] = {"ExpressionAttributeNames", "ExpressionAttributeValues"};
	int			m;

	for (m = 0; m < 2; m++)
	{
		cJSON	   *map = placeholder_map(obj, maps[m]);
		cJSON	   *e;

		if (map == NULL)
			continue;
		e = map->child;
		while (e)
		{
			cJSON	   *next = e->next;

			if (!placeholder_used(obj, e->string))
				cJSON_Delete(cJSON_DetachItemViaPointer(map, e));
			e = next;
		}
		if (map->child == NULL)
			cJSON_DeleteItemFromObjectCaseSensitive(obj, maps[m]);
	}
}

/* ----------------------------------------------------------------
 * Key condition of a Query
 * ----------------------------------------------------------------
 */

typedef enum lim_tok_kind
{
	TK_END,
	TK_NAME,					/* #placeholder or a bare attribute name */
	TK_VALUE,					/* :placeholder */
	TK_OP,						/* = < <= > >= */
	TK_AND,
	TK_BETWEEN,
	TK_BEGINS,					/* begins_with */
	TK_LPAREN,
	TK_RPAREN,
	TK_COMMA,
	TK_BAD
} lim_tok_kind;

#define LIM_MAX_TOKENS 32
#define LIM_TOKEN_LEN 256

typedef struct lim_token
{
	lim_tok_kind kind;
	char		text[LIM_TOKEN_LEN];
} lim_token;

typedef enum lim_term_kind
{
	KT_EQ,
	KT_LT,
	KT_LE,
	KT_GT,
	KT_GE,
	KT_BETWEEN,
	KT_BEGINS
} lim_term_kind;

typedef struct lim_term
{
	lim_term_kind kind;
	char		name[LIM_TOKEN_LEN];	/* as written: "#n1" or a bare name */
	char		val[2][LIM_TOKEN_LEN];	/* value placeholders */
	bool		keep;
} lim_term;

/* Splits a key condition into tokens; false when it holds anything else. */
static bool
tokenize(const char *s, lim_token *toks, int *ntoks)
{
	int			n = 0;

	while (*s)
	{
		lim_token  *t;
		size_t		len;

		if (isspace((unsigned char) *s))
		{
			s++;
			continue;
		}
		if (n >= LIM_MAX_TOKENS - 1)
			return false;
		t = &toks[n++];
		if (*s == '#' || *s == ':' || isalpha((unsigned char) *s) || *s == '_')
		{
			const char *start = s;

			s++;
			while (is_word_char(*s))
				s++;
			len = (size_t) (s - start);
			if (len >= LIM_TOKEN_LEN || (len == 1 && (*start == '#' || *start == ':')))
				return false;
			memcpy(t->text, start, len);
			t->text[len] = '\0';
			if (*start == ':')
				t->kind = TK_VALUE;
			else if (*start == '#')
				t->kind = TK_NAME;
			else if (strcasecmp(t->text, "AND") == 0)
				t->kind = TK_AND;
			else if (strcasecmp(t->text, "BETWEEN") == 0)
				t->kind = TK_BETWEEN;
			else if (strcmp(t->text, "begins_with") == 0)
				t->kind = TK_BEGINS;
			else
				t->kind = TK_NAME;
			continue;
		}
		t->text[0] = *s;
		t->text[1] = '\0';
		switch (*s)
		{
			case '(':
				t->kind = TK_LPAREN;
				break;
			case ')':
				t->kind = TK_RPAREN;
				break;
			case ',':
				t->kind = TK_COMMA;
				break;
			case '=':
				t->kind = TK_OP;
				break;
			case '<':
			case '>':
				t->kind = TK_OP;
				if (s[1] == '=')
				{
					t->text[1] = '=';
					t->text[2] = '\0';
					s++;
				}
				else if (s[0] == '<' && s[1] == '>')
					return false;	/* <> is no key condition */
				break;
			default:
				return false;
		}
		s++;
	}
	toks[n].kind = TK_END;
	*ntoks = n;
	return true;
}

typedef struct lim_parser
{
	lim_token  *toks;
	int			pos;
	lim_term   *terms;
	int			nterms;
} lim_parser;

static bool
accept(lim_parser *p, lim_tok_kind k)
{
	if (p->toks[p->pos].kind != k)
		return false;
	p->pos++;
	return true;
}

static bool parse_condition(lim_parser *p);

/* term: ( condition ) | name op value | name BETWEEN value AND value | begins_with(name, value) */
static bool
parse_term(lim_parser *p)
{
	lim_term   *t;
	lim_token  *name;

	if (accept(p, TK_LPAREN))
		return parse_condition(p) && accept(p, TK_RPAREN);
	if (p->nterms >= 2)
		return false;			/* a key condition has two terms at most */
	t = &p->terms[p->nterms];
	memset(t, 0, sizeof(*t));
	t->keep = true;
	if (accept(p, TK_BEGINS))
	{
		if (!accept(p, TK_LPAREN) || p->toks[p->pos].kind != TK_NAME)
			return false;
		strcpy(t->name, p->toks[p->pos++].text);
		if (!accept(p, TK_COMMA) || p->toks[p->pos].kind != TK_VALUE)
			return false;
		strcpy(t->val[0], p->toks[p->pos++].text);
		if (!accept(p, TK_RPAREN))
			return false;
		t->kind = KT_BEGINS;
		p->nterms++;
		return true;
	}
	if (p->toks[p->pos].kind != TK_NAME)
		return false;
	name = &p->toks[p->pos++];
	strcpy(t->name, name->text);
	if (accept(p, TK_BETWEEN))
	{
		if (p->toks[p->pos].kind != TK_VALUE)
			return false;
		strcpy(t->val[0], p->toks[p->pos++].text);
		if (!accept(p, TK_AND) || p->toks[p->pos].kind != TK_VALUE)
			return false;
		strcpy(t->val[1], p->toks[p->pos++].text);
		t->kind = KT_BETWEEN;
		p->nterms++;
		return true;
	}
	if (p->toks[p->pos].kind != TK_OP)
		return false;
	{
		const char *op = p->toks[p->pos++].text;

		if (strcmp(op, "=") == 0)
			t->kind = KT_EQ;
		else if (strcmp(op, "<") == 0)
			t->kind = KT_LT;
		else if (strcmp(op, "<=") == 0)
			t->kind = KT_LE;
		else if (strcmp(op, ">") == 0)
			t->kind = KT_GT;
		else
			t->kind = KT_GE;
	}
	if (p->toks[p->pos].kind != TK_VALUE)
		return false;
	strcpy(t->val[0], p->toks[p->pos++].text);
	p->nterms++;
	return true;
}

static bool
parse_condition(lim_parser *p)
{
	if (!parse_term(p))
		return false;
	while (accept(p, TK_AND))
		if (!parse_term(p))
			return false;
	return true;
}

/* The attribute a name token stands for. */
static const char *
resolve_name(const cJSON *req, const char *tok)
{
	const cJSON *n;

	if (tok[0] != '#')
		return tok;
	n = cJSON_GetObjectItemCaseSensitive(placeholder_map(req, "ExpressionAttributeNames"), tok);
	return cJSON_IsString(n) ? n->valuestring : NULL;
}

static cJSON *
resolve_value(const cJSON *req, const char *tok)
{
	return cJSON_GetObjectItemCaseSensitive(placeholder_map(req, "ExpressionAttributeValues"), tok);
}

static void
append(char *buf, size_t size, const char *fmt,...) LIM_PRINTF(3, 4);

static void
append(char *buf, size_t size, const char *fmt,...)
{
	size_t		len = strlen(buf);
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

/*
 * The sort key term: decides EMPTY, drops what every key satisfies, and
 * takes bounds no key can reach out into the residual.  Returns false for
 * EMPTY.
 */
static bool
check_sort_term(lim_term *t, cJSON *req, ddb_key_residual *residual, char *why, size_t whylen)
{
	cJSON	   *v0 = resolve_value(req, t->val[0]);
	cJSON	   *v1 = t->kind == KT_BETWEEN ? resolve_value(req, t->val[1]) : NULL;
	bool		big0 = v0 && key_value_oversized(v0, true);
	bool		big1 = v1 && key_value_oversized(v1, true);

	if (v0 == NULL || (t->kind == KT_BETWEEN && v1 == NULL))
		return true;			/* let DynamoDB say what is missing */
	switch (t->kind)
	{
		case KT_EQ:
			if (key_value_empty(v0) || big0)
			{
				set_why(why, whylen, "No sort key can equal an %s value.", big0 ? "oversized" : "empty");
				return false;
			}
			return true;
		case KT_LT:
		case KT_LE:
			if (key_value_empty(v0))
			{
				set_why(why, whylen, "No sort key is below an empty value.");
				return false;
			}
			break;
		case KT_GT:
		case KT_GE:
			if (key_value_empty(v0))
			{
				t->keep = false;	/* every key is */
				return true;
			}
			break;
		case KT_BEGINS:
			if (key_value_empty(v0))
				t->keep = false;
			else if (big0)
			{
				set_why(why, whylen, "No sort key begins with a value longer than a sort key can be.");
				return false;
			}
			return true;
		case KT_BETWEEN:
			{
				int			c = ddb_limits_key_compare(v0, v1);

				if (c == 1)
				{
					set_why(why, whylen, "The lower bound of BETWEEN is above the upper bound.");
					return false;
				}
				if (key_value_empty(v1))
				{
					set_why(why, whylen, "No sort key is below an empty value.");
					return false;
				}
				if (key_value_empty(v0))
				{
					/* BETWEEN '' AND hi is "<= hi" */
					t->kind = KT_LE;
					strcpy(t->val[0], t->val[1]);
					t->val[1][0] = '\0';
					v0 = v1;
					big0 = big1;
					v1 = NULL;
					big1 = false;
				}
			}
			break;
	}
	if (!big0 && !big1)
		return true;
	/* a bound longer than any key: the caller checks it on each item */
	if (residual == NULL)
	{
		set_why(why, whylen, "A sort key bound is longer than a sort key can be.");
		return false;
	}
	residual->active = true;
	switch (t->kind)
	{
		case KT_LT:
		case KT_LE:
			residual->hi = cJSON_Duplicate(v0, true);
			residual->hi_inclusive = (t->kind == KT_LE);
			break;
		case KT_GT:
		case KT_GE:
			residual->lo = cJSON_Duplicate(v0, true);
			residual->lo_inclusive = (t->kind == KT_GE);
			break;
		default:
			residual->lo = cJSON_Duplicate(v0, true);
			residual->lo_inclusive = true;
			residual->hi = cJSON_Duplicate(v1, true);
			residual->hi_inclusive = true;
			break;
	}
	t->keep = false;
	return true;
}

/* Rewrites the request so that it returns the items a residual must see. */
static void
expose_items(cJSON *req, const char *sk_name)
{
	cJSON	   *sel = cJSON_GetObjectItemCaseSensitive(req, "Select");

	cJSON_DeleteItemFromObjectCaseSensitive(req, "Limit");
	if (cJSON_IsString(sel) && strcmp(sel->valuestring, "COUNT") == 0)
	{
		cJSON_DeleteItemFromObjectCaseSensitive(req, "Select");
		if (!cJSON_HasObjectItem(req, "ProjectionExpression"))
			cJSON_AddStringToObject(req, "ProjectionExpression", sk_name);
	}
}

static ddb_limits_verdict
check_query(cJSON *req, const ddb_key_schema *keys, ddb_key_residual *residual,
			char *why, size_t whylen)
{
	cJSON	   *kc = cJSON_GetObjectItemCaseSensitive(req, "KeyConditionExpression");
	lim_token	toks[LIM_MAX_TOKENS];
	lim_term	terms[2];
	lim_parser	p;
	int			ntoks;
	int			i;
	bool		changed = false;
	const char *sk_name = NULL;
	char		rebuilt[DDB_LIMIT_EXPRESSION_BYTES + 1];

	if (!cJSON_IsString(kc) || kc->valuestring == NULL ||
		!tokenize(kc->valuestring, toks, &ntoks))
		return DDB_LIMITS_SEND;
	p.toks = toks;
	p.pos = 0;
	p.terms = terms;
	p.nterms = 0;
	if (!parse_condition(&p) || toks[p.pos].kind != TK_END)
		return DDB_LIMITS_SEND;

	for (i = 0; i < p.nterms; i++)
	{
		lim_term   *t = &terms[i];
		const char *attr = resolve_name(req, t->name);

		if (attr == NULL)
			continue;
		if (keys->pk && strcmp(attr, keys->pk) == 0 && t->kind == KT_EQ)
		{
			cJSON	   *v = resolve_value(req, t->val[0]);
			bool		short_key = keys->table_sk && strcmp(attr, keys->table_sk) == 0;

			if (v && (key_value_empty(v) || key_value_oversized(v, short_key)))
			{
				(void) ddb_limits_key_value_ok(v, short_key, why, whylen);
				return DDB_LIMITS_EMPTY;
			}
		}
		else if (keys->sk && strcmp(attr, keys->sk) == 0)
		{
			lim_term_kind before = t->kind;

			if (!check_sort_term(t, req, residual, why, whylen))
				return DDB_LIMITS_EMPTY;
			if (!t->keep || t->kind != before)
				changed = true;
			if (residual && residual->active)
				sk_name = t->name;
		}
	}
	if (!changed)
		return DDB_LIMITS_SEND;

	rebuilt[0] = '\0';
	for (i = 0; i < p.nterms; i++)
	{
		lim_term   *t = &terms[i];
		static const char *const ops[] = {"=", "<", "<=", ">", ">="};

		if (!t->keep)
			continue;
		if (rebuilt[0])
			append(rebuilt, sizeof(rebuilt), " AND ");
		if (t->kind == KT_BETWEEN)
			append(rebuilt, sizeof(rebuilt), "%s BETWEEN %s AND %s", t->name, t->val[0], t->val[1]);
		else if (t->kind == KT_BEGINS)
			append(rebuilt, sizeof(rebuilt), "begins_with(%s, %s)", t->name, t->val[0]);
		else
			append(rebuilt, sizeof(rebuilt), "%s %s %s", t->name, ops[t->kind], t->val[0]);
	}
	cJSON_ReplaceItemInObjectCaseSensitive(req, "KeyConditionExpression", cJSON_CreateString(rebuilt));
	if (sk_name)
		expose_items(req, sk_name);
	drop_unused_placeholders(req);
	return DDB_LIMITS_SEND;
}

/* ----------------------------------------------------------------
 * Keys of GetItem, BatchGetItem and writes
 * ----------------------------------------------------------------
 */

/* Whether every key attribute of a Key (or an Item) can exist. */
static bool
key_ok(const cJSON *key, const ddb_key_schema *keys, char *why, size_t whylen)
{
	if (keys->pk &&
		!ddb_limits_key_value_ok(cJSON_GetObjectItemCaseSensitive(key, keys->pk), false, why, whylen))
		return false;
	if (keys->sk &&
		!ddb_limits_key_value_ok(cJSON_GetObjectItemCaseSensitive(key, keys->sk), true, why, whylen))
		return false;
	return true;
}

static ddb_limits_verdict
check_batch_get(cJSON *req, const ddb_key_schema *keys, char *why, size_t whylen)
{
	cJSON	   *items = cJSON_GetObjectItemCaseSensitive(req, "RequestItems");
	cJSON	   *tbl;
	cJSON	   *next_tbl;

	for (tbl = items ? items->child : NULL; tbl; tbl = next_tbl)
	{
		cJSON	   *ks = cJSON_GetObjectItemCaseSensitive(tbl, "Keys");
		cJSON	   *k;
		cJSON	   *next;

		next_tbl = tbl->next;
		if (!expressions_fit(tbl, why, whylen))
			return DDB_LIMITS_INVALID;
		for (k = ks ? ks->child : NULL; k; k = next)
		{
			next = k->next;
			if (!key_ok(k, keys, NULL, 0))
				cJSON_Delete(cJSON_DetachItemViaPointer(ks, k));
		}
		if (ks == NULL || ks->child == NULL)
			cJSON_Delete(cJSON_DetachItemViaPointer(items, tbl));
	}
	if (items == NULL || items->child == NULL)
	{
		set_why(why, whylen, "No key of the BatchGetItem can exist.");
		return DDB_LIMITS_EMPTY;
	}
	return DDB_LIMITS_SEND;
}

static ddb_limits_verdict
check_batch_write(cJSON *req, const ddb_key_schema *keys, char *why, size_t whylen)
{
	cJSON	   *tbl;

	cJSON_ArrayForEach(tbl, cJSON_GetObjectItemCaseSensitive(req, "RequestItems"))
	{
		cJSON	   *w;

		cJSON_ArrayForEach(w, tbl)
		{
			const cJSON *put = cJSON_GetObjectItemCaseSensitive(w, "PutRequest");
			const cJSON *del = cJSON_GetObjectItemCaseSensitive(w, "DeleteRequest");
			const cJSON *key = put ? cJSON_GetObjectItemCaseSensitive(put, "Item") :
			del ? cJSON_GetObjectItemCaseSensitive(del, "Key") : NULL;

			if (key && !key_ok(key, keys, why, whylen))
				return DDB_LIMITS_INVALID;
		}
	}
	return DDB_LIMITS_SEND;
}

ddb_limits_verdict
ddb_limits_check(const char *op, cJSON *req, const ddb_key_schema *keys,
				 ddb_key_residual *residual, char *why, size_t whylen)
{
	static const ddb_key_schema none = {NULL, NULL, NULL};

	if (why && whylen > 0)
		why[0] = '\0';
	if (residual)
		memset(residual, 0, sizeof(*residual));
	if (keys == NULL)
		keys = &none;
	if (!expressions_fit(req, why, whylen))
		return DDB_LIMITS_INVALID;

	if (strcmp(op, "Query") == 0)
		return check_query(req, keys, residual, why, whylen);
	if (strcmp(op, "GetItem") == 0)
		return key_ok(cJSON_GetObjectItemCaseSensitive(req, "Key"), keys, why, whylen) ?
			DDB_LIMITS_SEND : DDB_LIMITS_EMPTY;
	if (strcmp(op, "BatchGetItem") == 0)
		return check_batch_get(req, keys, why, whylen);
	if (strcmp(op, "PutItem") == 0)
		return key_ok(cJSON_GetObjectItemCaseSensitive(req, "Item"), keys, why, whylen) ?
			DDB_LIMITS_SEND : DDB_LIMITS_INVALID;
	if (strcmp(op, "UpdateItem") == 0 || strcmp(op, "DeleteItem") == 0)
		return key_ok(cJSON_GetObjectItemCaseSensitive(req, "Key"), keys, why, whylen) ?
			DDB_LIMITS_SEND : DDB_LIMITS_INVALID;
	if (strcmp(op, "BatchWriteItem") == 0)
		return check_batch_write(req, keys, why, whylen);
	return DDB_LIMITS_SEND;
}
