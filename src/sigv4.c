/*-------------------------------------------------------------------------
 * sigv4.c — AWS Signature Version 4 (AWS4-HMAC-SHA256) for DynamoDB POSTs.
 *
 * Builds the canonical request for one JSON POST, hashes it, derives the
 * signing key and formats the Authorization header value.  Pure C on
 * OpenSSL 3: no PostgreSQL headers, no global mutable state and no heap
 * allocation of our own.  The canonical request is never materialised for
 * signing; it is streamed straight into SHA-256, so header values (session
 * tokens can be kilobytes long) need no fixed-size buffer.
 *
 * The output is cross-checked byte for byte against botocore's SigV4Auth by
 * test/unit/sigv4_crosscheck.py; where the SigV4 text leaves room for
 * interpretation (path normalisation, whitespace in header values) we do
 * what botocore does.
 *-------------------------------------------------------------------------
 */
#include "sigv4.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#define SHA256_LEN		32
#define SHA256_HEXLEN	64
#define SHA256_BLOCK	64
#define AMZ_DATE_LEN	16

/*
 * Where canonical-request bytes go: into a running SHA-256 (for signing) or
 * into a caller's buffer (for ddb_sigv4_canonical_request, i.e. debugging).
 * Both paths share one writer so what we debug is exactly what we sign.
 */
typedef struct Sink
{
	EVP_MD_CTX *md;				/* non-NULL: bytes are hashed */
	char	   *buf;			/* non-NULL: bytes are copied here */
	size_t		cap;			/* size of buf, including the NUL */
	size_t		len;			/* bytes emitted so far (may exceed cap) */
	bool		failed;			/* a digest update failed */
} Sink;

static void
sink_put(Sink *s, const void *data, size_t n)
{
	if (n == 0)
		return;
	if (s->md != NULL && EVP_DigestUpdate(s->md, data, n) != 1)
		s->failed = true;
	if (s->buf != NULL && s->len < s->cap)
	{
		size_t		room = s->cap - s->len;

		memcpy(s->buf + s->len, data, n < room ? n : room);
	}
	s->len += n;
}

static void
sink_str(Sink *s, const char *str)
{
	sink_put(s, str, strlen(str));
}

/* The whitespace botocore's str.split() removes, restricted to ASCII. */
static bool
is_trim_space(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

/*
 * Emits a header value as SigV4's Trimall(): leading and trailing whitespace
 * dropped, every inner run of whitespace collapsed to one space.  Without
 * this, a value like "application/x-amz-json-1.0 " would sign differently
 * from what the service computes after HTTP parsing trims it.
 */
static void
sink_trimall(Sink *s, const char *v)
{
	bool		wrote = false;

	for (;;)
	{
		const char *start;

		while (*v != '\0' && is_trim_space(*v))
			v++;
		if (*v == '\0')
			break;
		start = v;
		while (*v != '\0' && !is_trim_space(*v))
			v++;
		if (wrote)
			sink_put(s, " ", 1);
		sink_put(s, start, (size_t) (v - start));
		wrote = true;
	}
}

static bool
is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		(c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
		c == '~';
}

/*
 * URI-encodes one path segment per SigV4: RFC 3986 unreserved characters
 * stay, every other byte (including '%', so an already-encoded path gets
 * encoded a second time, as SigV4 requires for non-S3 services) becomes
 * %XX with upper-case hex.
 */
static void
sink_uri_segment(Sink *s, const char *seg, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t		i = 0;

	while (i < n)
	{
		size_t		run = i;

		while (run < n && is_unreserved((unsigned char) seg[run]))
			run++;
		sink_put(s, seg + i, run - i);
		if (run < n)
		{
			unsigned char c = (unsigned char) seg[run];
			char		esc[3];

			esc[0] = '%';
			esc[1] = hex[c >> 4];
			esc[2] = hex[c & 0x0F];
			sink_put(s, esc, 3);
			run++;
		}
		i = run;
	}
}

/* Length of the '/'-delimited segment starting at p. */
static size_t
segment_len(const char *p)
{
	const char *q = strchr(p, '/');

	return q != NULL ? (size_t) (q - p) : strlen(p);
}

static bool
is_dot(const char *p, size_t n)
{
	return n == 1 && p[0] == '.';
}

static bool
is_dotdot(const char *p, size_t n)
{
	return n == 2 && p[0] == '.' && p[1] == '.';
}

/*
 * Does a later ".." remove the segment that precedes rest?  This is the
 * RFC 3986 remove_dot_segments stack, evaluated by bracket matching so that
 * no stack (and no arbitrary limit on path depth) is needed.  Paths are tiny,
 * so the quadratic scan does not matter.
 */
static bool
segment_is_removed(const char *rest)
{
	int			depth = 0;

	while (*rest != '\0')
	{
		size_t		n;

		if (*rest == '/')
		{
			rest++;
			continue;
		}
		n = segment_len(rest);
		if (is_dotdot(rest, n))
		{
			if (depth == 0)
				return true;
			depth--;
		}
		else if (!is_dot(rest, n))
			depth++;
		rest += n;
	}
	return false;
}

/*
 * Emits the canonical URI.  Like botocore (and the AWS SDKs), dot segments
 * are resolved and empty segments ("//") dropped before encoding; a trailing
 * slash survives only if some segment does.  "" and "/" both give "/".
 */
static void
sink_canonical_uri(Sink *s, const char *path)
{
	const char *p = path;
	bool		wrote = false;
	size_t		plen = strlen(path);

	sink_put(s, "/", 1);
	while (*p != '\0')
	{
		size_t		n;

		if (*p == '/')
		{
			p++;
			continue;
		}
		n = segment_len(p);
		if (!is_dot(p, n) && !is_dotdot(p, n) && !segment_is_removed(p + n))
		{
			if (wrote)
				sink_put(s, "/", 1);
			sink_uri_segment(s, p, n);
			wrote = true;
		}
		p += n;
	}
	if (wrote && plen > 0 && path[plen - 1] == '/')
		sink_put(s, "/", 1);
}

static void
hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t		i;

	for (i = 0; i < n; i++)
	{
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 0x0F];
	}
	out[2 * n] = '\0';
}

static bool
has_token(const ddb_sigv4_request *req)
{
	return req->session_token != NULL && req->session_token[0] != '\0';
}

/* STS and other query-protocol services take no X-Amz-Target. */
static bool
has_target(const ddb_sigv4_request *req)
{
	return req->amz_target != NULL;
}

static const char *
signed_headers(const ddb_sigv4_request *req)
{
	if (has_target(req))
		return has_token(req)
			? "content-type;host;x-amz-date;x-amz-security-token;x-amz-target"
			: "content-type;host;x-amz-date;x-amz-target";
	return has_token(req)
		? "content-type;host;x-amz-date;x-amz-security-token"
		: "content-type;host;x-amz-date";
}

static bool
nonempty_line(const char *s)
{
	return s != NULL && s[0] != '\0' && strpbrk(s, "\r\n") == NULL;
}

static bool
valid_amz_date(const char *d)
{
	int			i;

	if (d == NULL || strlen(d) != AMZ_DATE_LEN)
		return false;
	for (i = 0; i < AMZ_DATE_LEN; i++)
	{
		if (i == 8)
		{
			if (d[i] != 'T')
				return false;
		}
		else if (i == 15)
		{
			if (d[i] != 'Z')
				return false;
		}
		else if (d[i] < '0' || d[i] > '9')
			return false;
	}
	return true;
}

/*
 * Rejects requests we cannot sign meaningfully.  Every value that lands in a
 * header or in the credential scope must be present and free of CR/LF (a
 * newline would both corrupt the canonical request and let a value inject
 * extra HTTP headers); the path must be absolute.
 */
static bool
valid_request(const ddb_sigv4_request *req)
{
	if (req == NULL)
		return false;
	if (!nonempty_line(req->host) || !nonempty_line(req->region) ||
		!nonempty_line(req->service) || !nonempty_line(req->access_key_id) ||
		req->secret_access_key == NULL || req->secret_access_key[0] == '\0' ||
		(has_target(req) && !nonempty_line(req->amz_target)) ||
		!nonempty_line(req->content_type) ||
		!valid_amz_date(req->amz_date))
		return false;
	if (req->path == NULL || (req->path[0] != '\0' && req->path[0] != '/'))
		return false;
	if (has_token(req) && strpbrk(req->session_token, "\r\n") != NULL)
		return false;
	if (req->body == NULL && req->body_len > 0)
		return false;
	return true;
}

/*
 * Writes the canonical request (SigV4 task 1) into the sink.  payload_hex is
 * the lower-case hex SHA-256 of the body.  Headers appear in sorted order,
 * which the fixed set of names makes a constant.
 */
static void
write_canonical(Sink *s, const ddb_sigv4_request *req, const char *payload_hex)
{
	sink_str(s, "POST\n");
	sink_canonical_uri(s, req->path);
	sink_str(s, "\n\n");		/* end of URI, empty canonical query string */

	sink_str(s, "content-type:");
	sink_trimall(s, req->content_type);
	sink_str(s, "\nhost:");
	sink_trimall(s, req->host);
	sink_str(s, "\nx-amz-date:");
	sink_str(s, req->amz_date);
	if (has_token(req))
	{
		sink_str(s, "\nx-amz-security-token:");
		sink_trimall(s, req->session_token);
	}
	if (has_target(req))
	{
		sink_str(s, "\nx-amz-target:");
		sink_trimall(s, req->amz_target);
	}
	sink_str(s, "\n\n");		/* end of last header, blank line */

	sink_str(s, signed_headers(req));
	sink_put(s, "\n", 1);
	sink_put(s, payload_hex, SHA256_HEXLEN);
}

static bool
payload_hash(const ddb_sigv4_request *req, char hexout[SHA256_HEXLEN + 1])
{
	unsigned char md[SHA256_LEN];
	static const char empty[1] = {0};

	if (EVP_Digest(req->body_len > 0 ? req->body : empty, req->body_len,
				   md, NULL, EVP_sha256(), NULL) != 1)
		return false;
	hex_encode(md, SHA256_LEN, hexout);
	return true;
}

/* Hex SHA-256 of the canonical request, streamed (never held in memory). */
static bool
canonical_hash(const ddb_sigv4_request *req, const char *payload_hex,
			   char hexout[SHA256_HEXLEN + 1])
{
	unsigned char md[SHA256_LEN];
	unsigned int mdlen = 0;
	Sink		s;
	bool		ok;

	memset(&s, 0, sizeof(s));
	s.md = EVP_MD_CTX_new();
	if (s.md == NULL)
		return false;
	ok = EVP_DigestInit_ex(s.md, EVP_sha256(), NULL) == 1;
	if (ok)
	{
		write_canonical(&s, req, payload_hex);
		ok = !s.failed && EVP_DigestFinal_ex(s.md, md, &mdlen) == 1 &&
			mdlen == SHA256_LEN;
	}
	EVP_MD_CTX_free(s.md);
	if (ok)
		hex_encode(md, SHA256_LEN, hexout);
	return ok;
}

/* (Re)keys ctx for HMAC-SHA256; the digest was set when ctx was created. */
static bool
mac_init(EVP_MAC_CTX *ctx, const unsigned char *key, size_t keylen)
{
	return EVP_MAC_init(ctx, key, keylen, NULL) == 1;
}

static bool
mac_final(EVP_MAC_CTX *ctx, unsigned char out[SHA256_LEN])
{
	size_t		outlen = 0;

	return EVP_MAC_final(ctx, out, &outlen, SHA256_LEN) == 1 &&
		outlen == SHA256_LEN;
}

static bool
mac_str(EVP_MAC_CTX *ctx, const char *str, size_t n)
{
	return EVP_MAC_update(ctx, (const unsigned char *) str, n) == 1;
}

/* out = HMAC-SHA256(key, str); out may alias key (init copies the key). */
static bool
mac_once(EVP_MAC_CTX *ctx, const unsigned char *key, size_t keylen,
		 const char *str, size_t n, unsigned char out[SHA256_LEN])
{
	return mac_init(ctx, key, keylen) && mac_str(ctx, str, n) &&
		mac_final(ctx, out);
}

/*
 * The first HMAC key is "AWS4" + secret.  HMAC (RFC 2104) replaces a key
 * longer than the hash block by its hash, so when the concatenation does not
 * fit in one block we hash it ourselves, streamed: same result, and secrets
 * of any length work without a heap copy.
 */
static bool
first_key(const char *secret, unsigned char key[SHA256_BLOCK], size_t *keylen)
{
	size_t		slen = strlen(secret);
	EVP_MD_CTX *md;
	unsigned int mdlen = 0;
	bool		ok;

	if (4 + slen <= SHA256_BLOCK)
	{
		memcpy(key, "AWS4", 4);
		memcpy(key + 4, secret, slen);
		*keylen = 4 + slen;
		return true;
	}
	md = EVP_MD_CTX_new();
	if (md == NULL)
		return false;
	ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
		EVP_DigestUpdate(md, "AWS4", 4) == 1 &&
		EVP_DigestUpdate(md, secret, slen) == 1 &&
		EVP_DigestFinal_ex(md, key, &mdlen) == 1 && mdlen == SHA256_LEN;
	EVP_MD_CTX_free(md);
	*keylen = SHA256_LEN;
	return ok;
}

/*
 * SigV4 tasks 2-3: derive kSigning = HMAC chain over date, region, service,
 * "aws4_request", then sign the string to sign.  The string to sign is fed
 * to the MAC piecewise so region and service need no length limit.
 */
static bool
compute_signature(const ddb_sigv4_request *req, const char *creq_hex,
				  char sig_hex[SHA256_HEXLEN + 1])
{
	EVP_MAC	   *mac;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM	params[2];
	char		digest[] = "SHA256";
	unsigned char key0[SHA256_BLOCK];
	size_t		key0len = 0;
	unsigned char k[SHA256_LEN];
	unsigned char sig[SHA256_LEN];
	bool		ok;

	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (mac == NULL)
		return false;
	ctx = EVP_MAC_CTX_new(mac);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
												 digest, 0);
	params[1] = OSSL_PARAM_construct_end();

	ok = ctx != NULL && EVP_MAC_CTX_set_params(ctx, params) == 1 &&
		first_key(req->secret_access_key, key0, &key0len) &&
		mac_once(ctx, key0, key0len, req->amz_date, 8, k) &&
		mac_once(ctx, k, SHA256_LEN, req->region, strlen(req->region), k) &&
		mac_once(ctx, k, SHA256_LEN, req->service, strlen(req->service), k) &&
		mac_once(ctx, k, SHA256_LEN, "aws4_request", 12, k);

	/* StringToSign: algorithm, date, scope, hash of canonical request */
	ok = ok && mac_init(ctx, k, SHA256_LEN) &&
		mac_str(ctx, "AWS4-HMAC-SHA256\n", 17) &&
		mac_str(ctx, req->amz_date, AMZ_DATE_LEN) &&
		mac_str(ctx, "\n", 1) &&
		mac_str(ctx, req->amz_date, 8) &&
		mac_str(ctx, "/", 1) &&
		mac_str(ctx, req->region, strlen(req->region)) &&
		mac_str(ctx, "/", 1) &&
		mac_str(ctx, req->service, strlen(req->service)) &&
		mac_str(ctx, "/aws4_request\n", 14) &&
		mac_str(ctx, creq_hex, SHA256_HEXLEN) &&
		mac_final(ctx, sig);

	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	/* the derived keys are as sensitive as the secret itself */
	OPENSSL_cleanse(key0, sizeof(key0));
	OPENSSL_cleanse(k, sizeof(k));
	if (ok)
		hex_encode(sig, SHA256_LEN, sig_hex);
	return ok;
}

/*
 * ddb_sigv4_authorization
 *		The Authorization header value for req, or -1 (with out set to "")
 *		when an input is missing or malformed, out is too small, or OpenSSL
 *		fails.  Never writes past outlen.
 */
int
ddb_sigv4_authorization(const ddb_sigv4_request *req, char *out, size_t outlen)
{
	char		payload_hex[SHA256_HEXLEN + 1];
	char		creq_hex[SHA256_HEXLEN + 1];
	char		sig_hex[SHA256_HEXLEN + 1];
	int			n;

	if (out == NULL || outlen == 0)
		return -1;
	out[0] = '\0';
	if (!valid_request(req) ||
		!payload_hash(req, payload_hex) ||
		!canonical_hash(req, payload_hex, creq_hex) ||
		!compute_signature(req, creq_hex, sig_hex))
		return -1;

	n = snprintf(out, outlen,
				 "AWS4-HMAC-SHA256 Credential=%s/%.8s/%s/%s/aws4_request, "
				 "SignedHeaders=%s, Signature=%s",
				 req->access_key_id, req->amz_date, req->region, req->service,
				 signed_headers(req), sig_hex);
	if (n < 0 || (size_t) n >= outlen)
	{
		out[0] = '\0';
		return -1;
	}
	return 0;
}

/*
 * ddb_sigv4_canonical_request
 *		The canonical request that ddb_sigv4_authorization hashes, for
 *		debugging signature mismatches (the service's error message quotes
 *		its own canonical request).  Same inputs and failure rules.
 */
int
ddb_sigv4_canonical_request(const ddb_sigv4_request *req, char *out,
							size_t outlen)
{
	char		payload_hex[SHA256_HEXLEN + 1];
	Sink		s;

	if (out == NULL || outlen == 0)
		return -1;
	out[0] = '\0';
	if (!valid_request(req) || !payload_hash(req, payload_hex))
		return -1;

	memset(&s, 0, sizeof(s));
	s.buf = out;
	s.cap = outlen;
	write_canonical(&s, req, payload_hex);
	if (s.len >= outlen)
	{
		out[0] = '\0';
		return -1;
	}
	out[s.len] = '\0';
	return 0;
}

/*
 * ddb_sigv4_amz_date
 *		Formats t as the basic ISO 8601 timestamp SigV4 wants.  gmtime_r, not
 *		gmtime, because the latter returns a pointer to shared static storage.
 *		A time whose year is not four digits (or that gmtime_r rejects)
 *		yields "", which ddb_sigv4_authorization then refuses to sign with.
 */
void
ddb_sigv4_amz_date(long long t, char out[17])
{
	time_t		tt = (time_t) t;
	struct tm	tm;

	if ((long long) tt != t || gmtime_r(&tt, &tm) == NULL ||
		tm.tm_year < 1000 - 1900 || tm.tm_year > 9999 - 1900 ||
		strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm) != AMZ_DATE_LEN)
		out[0] = '\0';
}
