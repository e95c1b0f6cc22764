/*-------------------------------------------------------------------------
 * credentials_core.c
 *	  Reading credential answers (JSON, STS XML, ISO 8601 times), composing
 *	  the URLs and bodies of credential requests, and the refresh rule.
 *
 * Everything here reads text that comes from outside the database: a
 * process the administrator configured, a metadata endpoint, STS.  It is
 * pure C so it can be fuzzed; it never reports a credential value, only
 * which field was missing or malformed.
 *
 * STS answers are XML.  They are parsed with libxml2 in its safest mode: a
 * document with a DOCTYPE (the only way to declare entities, external or
 * recursive) is refused before the parser sees it, the parser is told not
 * to touch the network and not to substitute entities, and answers are
 * bounded in size.  Elements are matched by local name, so the namespace
 * (https://sts.amazonaws.com/doc/2011-06-15/) may be present or not.
 *-------------------------------------------------------------------------
 */
#include "credentials_core.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#if defined(__GNUC__)
static void set_err(char *err, size_t errlen, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));
#endif

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

static void
wipe_free(char *s)
{
	if (s)
	{
		memset(s, 0, strlen(s));
		free(s);
	}
}

void
ddb_cred_free(ddb_cred *c)
{
	wipe_free(c->access_key_id);
	wipe_free(c->secret_access_key);
	wipe_free(c->session_token);
	memset(c, 0, sizeof(*c));
}

/* Printable ASCII without spaces (keys and tokens are base64 or similar). */
static bool
header_safe(const char *s, bool allow_empty)
{
	if (s == NULL)
		return false;
	if (*s == '\0')
		return allow_empty;
	for (; *s; s++)
		if ((unsigned char) *s <= 0x20 || (unsigned char) *s >= 0x7f)
			return false;
	return true;
}

bool
ddb_cred_valid(const ddb_cred *c)
{
	return header_safe(c->access_key_id, false) && header_safe(c->secret_access_key, false) &&
		(c->session_token == NULL || header_safe(c->session_token, false));
}

/* ---- times ------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's rule). */
static long long
days_from_civil(long long y, int m, int d)
{
	long long	era;
	long long	yoe;
	long long	doy;
	long long	doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool
digits(const char *s, int n, int *out)
{
	int			v = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

int
ddb_parse_iso8601(const char *s, long long *out)
{
	int			y, mo, d, h, mi, sec;
	int			oh = 0, om = 0;
	int			sign = 0;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	const char *p;

	if (s == NULL || strlen(s) < 19)
		return -1;
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
		!digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
		!digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) ||
		s[16] != ':' || !digits(s + 17, 2, &sec))
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
		(mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) ||
		h > 23 || mi > 59 || sec > 60)
		return -1;
	p = s + 19;
	if (*p == '.')
	{
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-')
	{
		sign = (*p == '+') ? 1 : -1;
		if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) ||
			oh > 23 || om > 59)
			return -1;
		p += 6;
	}
	else
		return -1;
	if (*p != '\0')
		return -1;
	*out = days_from_civil(y, mo, d) * 86400LL + h * 3600LL + mi * 60LL + sec -
		sign * (oh * 3600LL + om * 60LL);
	return 0;
}

/* ---- JSON answers ----------------------------------------------------- */

static const char *
json_string(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A short, printable excerpt of a value an answer carries (an error code). */
static void
quote_safe(char *dst, size_t dstlen, const char *src)
{
	size_t		i = 0;

	if (dstlen == 0)
		return;
	for (; src && *src && i + 1 < dstlen && i < 200; src++)
		dst[i++] = ((unsigned char) *src < 0x20 || (unsigned char) *src == 0x7f) ? ' ' : *src;
	dst[i] = '\0';
}

int
ddb_cred_from_json(const char *text, size_t len, ddb_cred_json shape,
				   ddb_cred *out, char *err, size_t errlen)
{
	cJSON	   *j;
	const char *ak;
	const char *sk;
	const char *tok;
	const char *exp;
	const cJSON *ver;
	int			rc = -1;

	memset(out, 0, sizeof(*out));
	if (text == NULL || len > DDB_CRED_MAX_ANSWER)
	{
		set_err(err, errlen, "the answer is empty or too long");
		return -1;
	}
	j = cJSON_ParseWithLength(text, len);
	if (j == NULL || !cJSON_IsObject(j))
	{
		set_err(err, errlen, "the answer is not a JSON object");
		goto done;
	}
	if (shape == DDB_CRED_JSON_PROCESS)
	{
		ver = cJSON_GetObjectItemCaseSensitive(j, "Version");
		if (!cJSON_IsNumber(ver) || ver->valuedouble != 1)
		{
			set_err(err, errlen, "the output does not have \"Version\": 1");
			goto done;
		}
	}
	if (shape == DDB_CRED_JSON_IMDS)
	{
		const char *code = json_string(j, "Code");

		if (code != NULL && strcmp(code, "Success") != 0)
		{
			char		q[208];

			quote_safe(q, sizeof(q), code);
			set_err(err, errlen, "the answer has Code \"%s\"", q);
			goto done;
		}
	}
	if (shape == DDB_CRED_JSON_CONTAINER && json_string(j, "AccessKeyId") == NULL &&
		(json_string(j, "code") || json_string(j, "message")))
	{
		char		c[208];
		char		m[208];

		quote_safe(c, sizeof(c), json_string(j, "code"));
		quote_safe(m, sizeof(m), json_string(j, "message"));
		set_err(err, errlen, "the answer is an error: %s %s", c, m);
		goto done;
	}
	ak = json_string(j, "AccessKeyId");
	sk = json_string(j, "SecretAccessKey");
	tok = json_string(j, shape == DDB_CRED_JSON_PROCESS ? "SessionToken" : "Token");
	exp = json_string(j, "Expiration");
	if (ak == NULL || *ak == '\0')
	{
		set_err(err, errlen, "the answer has no \"AccessKeyId\"");
		goto done;
	}
	if (sk == NULL || *sk == '\0')
	{
		set_err(err, errlen, "the answer has no \"SecretAccessKey\"");
		goto done;
	}
	if (shape != DDB_CRED_JSON_PROCESS && (tok == NULL || *tok == '\0'))
	{
		set_err(err, errlen, "the answer has no \"Token\"");
		goto done;
	}
	if (exp != NULL)
	{
		if (ddb_parse_iso8601(exp, &out->expiration) != 0)
		{
			set_err(err, errlen, "the answer's \"Expiration\" is not an ISO 8601 time");
			goto done;
		}
	}
	else if (shape != DDB_CRED_JSON_PROCESS)
	{
		set_err(err, errlen, "the answer has no \"Expiration\"");
		goto done;
	}
	out->access_key_id = strdup(ak);
	out->secret_access_key = strdup(sk);
	out->session_token = (tok && *tok) ? strdup(tok) : NULL;
	if (out->access_key_id == NULL || out->secret_access_key == NULL ||
		(tok && *tok && out->session_token == NULL))
	{
		set_err(err, errlen, "out of memory");
		goto done;
	}
	if (!ddb_cred_valid(out))
	{
		set_err(err, errlen, "the answer's credentials hold characters that cannot be sent in a header");
		goto done;
	}
	rc = 0;
done:
	if (rc != 0)
		ddb_cred_free(out);
	if (j)
	{
		/* the tree holds the secret too */
		cJSON	   *f;

		cJSON_ArrayForEach(f, j)
			if (cJSON_IsString(f) && f->valuestring)
			memset(f->valuestring, 0, strlen(f->valuestring));
		cJSON_Delete(j);
	}
	return rc;
}

/* ---- STS XML ---------------------------------------------------------- */

static bool
name_is(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && strcmp((const char *) n->name, name) == 0;
}

static xmlNode *
child(const xmlNode *parent, const char *name)
{
	xmlNode    *c;

	if (parent == NULL)
		return NULL;
	for (c = parent->children; c; c = c->next)
		if (name_is(c, name))
			return c;
	return NULL;
}

/* The first child element whose name ends with suffix ("...Result"). */
static xmlNode *
child_suffix(const xmlNode *parent, const char *suffix)
{
	xmlNode    *c;
	size_t		sl = strlen(suffix);

	for (c = parent->children; c; c = c->next)
	{
		size_t		nl;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		nl = strlen((const char *) c->name);
		if (nl >= sl && strcmp((const char *) c->name + nl - sl, suffix) == 0)
			return c;
	}
	return NULL;
}

/* The text of an element's own text children, malloc'd; NULL if none. */
static char *
text_of(const xmlNode *n)
{
	const xmlNode *c;
	size_t		len = 0;
	char	   *r;

	if (n == NULL)
		return NULL;
	for (c = n->children; c; c = c->next)
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
			len += strlen((const char *) c->content);
	r = malloc(len + 1);
	if (r == NULL)
		return NULL;
	len = 0;
	for (c = n->children; c; c = c->next)
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
		{
			size_t		l = strlen((const char *) c->content);

			memcpy(r + len, c->content, l);
			len += l;
		}
	r[len] = '\0';
	return r;
}

/* Trims surrounding whitespace in place (pretty-printed answers). */
static void
trim(char *s)
{
	size_t		n;
	size_t		start = 0;

	if (s == NULL)
		return;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == '\t'))
		s[--n] = '\0';
	while (s[start] == ' ' || s[start] == '\n' || s[start] == '\r' || s[start] == '\t')
		start++;
	if (start > 0)
		memmove(s, s + start, n - start + 1);
}

/* Wipes the text of every node: the tree held a secret. */
static void
wipe_tree(xmlNode *n)
{
	for (; n; n = n->next)
	{
		if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content)
			memset(n->content, 0, strlen((char *) n->content));
		wipe_tree(n->children);
	}
}

static bool
contains(const char *hay, size_t len, const char *needle)
{
	size_t		nl = strlen(needle);
	size_t		i;

	for (i = 0; i + nl <= len; i++)
		if (memcmp(hay + i, needle, nl) == 0)
			return true;
	return false;
}

int
ddb_sts_parse(const char *xml, size_t len, ddb_cred *out,
			  char *code, size_t codelen, char *message, size_t msglen)
{
	xmlDoc	   *doc;
	xmlNode    *root;
	int			rc = -1;

	memset(out, 0, sizeof(*out));
	if (codelen > 0)
		code[0] = '\0';
	if (msglen > 0)
		message[0] = '\0';
	if (xml == NULL || len == 0 || len > DDB_CRED_MAX_ANSWER)
	{
		set_err(message, msglen, "the answer is empty or too long");
		return -1;
	}
	if (contains(xml, len, "<!DOCTYPE") || contains(xml, len, "<!ENTITY"))
	{
		set_err(message, msglen, "the answer declares a document type, which STS answers never do");
		return -1;
	}
	doc = xmlReadMemory(xml, (int) len, NULL, NULL,
						XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL)
	{
		set_err(message, msglen, "the answer is not well-formed XML");
		return -1;
	}
	root = xmlDocGetRootElement(doc);
	if (name_is(root, "ErrorResponse"))
	{
		xmlNode    *e = child(root, "Error");
		char	   *c = text_of(child(e, "Code"));
		char	   *m = text_of(child(e, "Message"));

		trim(c);
		trim(m);
		if (c == NULL || *c == '\0')
			set_err(message, msglen, "the error answer has no Code");
		else
		{
			quote_safe(code, codelen, c);
			quote_safe(message, msglen, m ? m : "");
			rc = 1;
		}
		free(c);
		free(m);
	}
	else if (root && (name_is(root, "AssumeRoleResponse") ||
					  name_is(root, "AssumeRoleWithWebIdentityResponse")))
	{
		xmlNode    *result = child_suffix(root, "Result");
		xmlNode    *cr = result ? child(result, "Credentials") : NULL;
		char	   *exp = NULL;

		if (cr == NULL)
			set_err(message, msglen, "the answer has no Credentials");
		else
		{
			out->access_key_id = text_of(child(cr, "AccessKeyId"));
			out->secret_access_key = text_of(child(cr, "SecretAccessKey"));
			out->session_token = text_of(child(cr, "SessionToken"));
			exp = text_of(child(cr, "Expiration"));
			trim(out->access_key_id);
			trim(out->secret_access_key);
			trim(out->session_token);
			trim(exp);
			if (out->access_key_id == NULL || *out->access_key_id == '\0')
				set_err(message, msglen, "the answer has no AccessKeyId");
			else if (out->secret_access_key == NULL || *out->secret_access_key == '\0')
				set_err(message, msglen, "the answer has no SecretAccessKey");
			else if (out->session_token == NULL || *out->session_token == '\0')
				set_err(message, msglen, "the answer has no SessionToken");
			else if (exp == NULL || ddb_parse_iso8601(exp, &out->expiration) != 0)
				set_err(message, msglen, "the answer's Expiration is missing or not an ISO 8601 time");
			else if (!ddb_cred_valid(out))
				set_err(message, msglen, "the answer's credentials hold characters that cannot be sent in a header");
			else
				rc = 0;
			free(exp);
		}
		if (rc != 0)
			ddb_cred_free(out);
	}
	else
		set_err(message, msglen, "the answer is not an STS answer");
	wipe_tree(root);
	xmlFreeDoc(doc);
	return rc;
}

/* ---- requests --------------------------------------------------------- */

typedef struct sbuf
{
	char	   *s;
	size_t		n;
	size_t		cap;
	bool		oom;
} sbuf;

static void
sb_put(sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap)
	{
		size_t		cap = b->cap ? b->cap : 256;
		char	   *p;

		while (cap < b->n + n + 1)
			cap *= 2;
		p = realloc(b->s, cap);
		if (p == NULL)
		{
			b->oom = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

/* application/x-www-form-urlencoded as AWS expects it: RFC 3986 unreserved kept. */
static void
sb_form(sbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			c == '-' || c == '_' || c == '.' || c == '~')
			sb_put(b, (const char *) &c, 1);
		else
		{
			char		e[3] = {'%', hex[c >> 4], hex[c & 15]};

			sb_put(b, e, 3);
		}
	}
}

char *
ddb_sts_body(const char *action, const char *const *params, int n)
{
	sbuf		b = {NULL, 0, 0, false};
	int			i;

	sb_put(&b, "Action=", 7);
	sb_form(&b, action);
	sb_put(&b, "&Version=2011-06-15", 19);
	for (i = 0; i + 1 < 2 * n; i += 2)
	{
		if (params[i + 1] == NULL)
			continue;
		sb_put(&b, "&", 1);
		sb_form(&b, params[i]);
		sb_put(&b, "=", 1);
		sb_form(&b, params[i + 1]);
	}
	if (b.oom)
	{
		wipe_free(b.s);
		return NULL;
	}
	return b.s;
}

/* Whether s holds a character that has no place in a URL we compose. */
static bool
url_unsafe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char) *s <= 0x20 || (unsigned char) *s >= 0x7f)
			return true;
	return false;
}

/* Hosts an http:// container URL may name: loopback and the agents' addresses. */
static bool
container_host_allowed(const char *host, size_t n)
{
	static const char *const allowed[] = {
		"localhost", "169.254.170.2", "169.254.170.23", "[fd00:ec2::23]", "[::1]", NULL
	};
	int			i;

	for (i = 0; allowed[i]; i++)
		if (strlen(allowed[i]) == n && strncmp(host, allowed[i], n) == 0)
			return true;
	/* 127.0.0.0/8, written as a dotted quad */
	if (n >= 7 && n <= 15 && strncmp(host, "127.", 4) == 0)
	{
		size_t		i2;
		int			dots = 0;

		for (i2 = 0; i2 < n; i2++)
		{
			if (host[i2] == '.')
				dots++;
			else if (host[i2] < '0' || host[i2] > '9')
				return false;
		}
		return dots == 3;
	}
	return false;
}

int
ddb_container_url(const char *relative, const char *full,
				  char *out, size_t outlen, char *err, size_t errlen)
{
	int			n;

	if (relative && *relative)
	{
		if (relative[0] != '/' || url_unsafe(relative))
		{
			set_err(err, errlen, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is not a path");
			return -1;
		}
		n = snprintf(out, outlen, "http://169.254.170.2%s", relative);
	}
	else if (full && *full)
	{
		const char *host;
		size_t		hostlen;

		if (url_unsafe(full))
		{
			set_err(err, errlen, "AWS_CONTAINER_CREDENTIALS_FULL_URI holds spaces or control characters");
			return -1;
		}
		if (strncmp(full, "https://", 8) == 0)
			host = full + 8;
		else if (strncmp(full, "http://", 7) == 0)
			host = full + 7;
		else
		{
			set_err(err, errlen, "AWS_CONTAINER_CREDENTIALS_FULL_URI is not an http:// or https:// URL");
			return -1;
		}
		hostlen = strcspn(host, "/?#");
		if (memchr(host, '@', hostlen))
		{
			set_err(err, errlen, "AWS_CONTAINER_CREDENTIALS_FULL_URI must not hold user information");
			return -1;
		}
		if (*host == '[')
		{
			const char *close = memchr(host, ']', hostlen);

			hostlen = close ? (size_t) (close - host + 1) : hostlen;
		}
		else
			hostlen = strcspn(host, ":/?#");
		if (hostlen == 0)
		{
			set_err(err, errlen, "AWS_CONTAINER_CREDENTIALS_FULL_URI names no host");
			return -1;
		}
		if (full[4] == ':' && !container_host_allowed(host, hostlen))
		{
			set_err(err, errlen,
					"AWS_CONTAINER_CREDENTIALS_FULL_URI over plain http must name a loopback address or 169.254.170.2, 169.254.170.23 or fd00:ec2::23");
			return -1;
		}
		n = snprintf(out, outlen, "%s", full);
	}
	else
	{
		set_err(err, errlen,
				"neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set");
		return -1;
	}
	if (n < 0 || (size_t) n >= outlen)
	{
		set_err(err, errlen, "the container credentials URL is too long");
		return -1;
	}
	return 0;
}

int
ddb_imds_base(const char *option, const char *env_endpoint, const char *env_mode,
			  char *out, size_t outlen, char *err, size_t errlen)
{
	const char *base;
	size_t		n;

	if (option && *option)
		base = option;
	else if (env_endpoint && *env_endpoint)
		base = env_endpoint;
	else if (env_mode == NULL || *env_mode == '\0' || strcmp(env_mode, "IPv4") == 0)
		base = "http://169.254.169.254";
	else if (strcmp(env_mode, "IPv6") == 0)
		base = "http://[fd00:ec2::254]";
	else
	{
		set_err(err, errlen, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE must be IPv4 or IPv6");
		return -1;
	}
	if ((strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0) || url_unsafe(base))
	{
		set_err(err, errlen, "the instance metadata endpoint is not an http:// or https:// URL");
		return -1;
	}
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	if (n <= strlen(base[4] == ':' ? "http://" : "https://") ||
		strchr("/:?#", base[base[4] == ':' ? 7 : 8]) != NULL)
	{
		set_err(err, errlen, "the instance metadata endpoint names no host");
		return -1;
	}
	if (n + 1 > outlen)
	{
		set_err(err, errlen, "the instance metadata endpoint is too long");
		return -1;
	}
	memcpy(out, base, n);
	out[n] = '\0';
	return 0;
}

bool
ddb_cred_refresh_due(long long now, long long expiration, bool same_transaction)
{
	if (expiration == 0)
		return false;
	return now >= expiration - (same_transaction ? DDB_CRED_MIN_MARGIN_S : DDB_CRED_REFRESH_MARGIN_S);
}

bool
ddb_cred_renew_due(long long now, long long fetched, long long expiration)
{
	long long	margin = DDB_CRED_MIN_MARGIN_S;

	if (expiration == 0)
		return false;
	if (expiration > fetched && (expiration - fetched) / 2 < margin)
		margin = (expiration - fetched) / 2;
	return now >= expiration - margin;
}
