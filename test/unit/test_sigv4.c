/*
 * test_sigv4.c — unit tests of src/sigv4.c (SigV4 signing, no server).
 *
 * Expected signatures below were computed once with botocore 1.29.27
 * (Debian 12 python3-botocore, botocore.auth.SigV4Auth with the clock fixed
 * as in sigv4_crosscheck.py) and hard-coded.  AWS publishes no SigV4 vector
 * whose signed headers include x-amz-target, so the inputs reuse the AWS
 * documentation's example credentials (AKIDEXAMPLE / wJalrXUtnFEMI/...,
 * 20150830T123600Z, the STS example session token) instead.
 */
#include <stdint.h>
#include <stdlib.h>

#include "sigv4.h"
#include "unit.h"

#define DOC_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define DOC_TOKEN \
	"AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsK" \
	"WHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdee" \
	"hM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8T" \
	"x6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FD" \
	"rypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
#define EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* The AWS-documentation-style DynamoDB ListTables request. */
static ddb_sigv4_request
doc_request(void)
{
	ddb_sigv4_request r;

	memset(&r, 0, sizeof(r));
	r.host = "dynamodb.us-east-1.amazonaws.com";
	r.path = "/";
	r.region = "us-east-1";
	r.service = "dynamodb";
	r.access_key_id = "AKIDEXAMPLE";
	r.secret_access_key = DOC_SECRET;
	r.session_token = NULL;
	r.amz_target = "DynamoDB_20120810.ListTables";
	r.content_type = "application/x-amz-json-1.0";
	r.amz_date = "20150830T123600Z";
	r.body = "{}";
	r.body_len = 2;
	return r;
}

static const char *
auth(const ddb_sigv4_request *r)
{
	static char buf[1024];

	if (ddb_sigv4_authorization(r, buf, sizeof(buf)) != 0)
		return "(failed)";
	return buf;
}

/* Known vectors (botocore-derived, see the banner). */
static void
test_vectors(void)
{
	ddb_sigv4_request r = doc_request();
	char		buf[4096];
	char		long_secret[101];
	static const char quoted_body[] =
		"{\"TableName\":\"tb #1: \\\"\xc3\xbc\\\"\",\"Limit\":10}";

	CHECK_STR(auth(&r),
			  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
			  "dynamodb/aws4_request, SignedHeaders=content-type;host;"
			  "x-amz-date;x-amz-target, Signature="
			  "75214f17608dbd636679e18f6f89744844ae96fcd228b8147167152488d817de");

	CHECK(ddb_sigv4_canonical_request(&r, buf, sizeof(buf)) == 0);
	CHECK_STR(buf,
			  "POST\n/\n\n"
			  "content-type:application/x-amz-json-1.0\n"
			  "host:dynamodb.us-east-1.amazonaws.com\n"
			  "x-amz-date:20150830T123600Z\n"
			  "x-amz-target:DynamoDB_20120810.ListTables\n\n"
			  "content-type;host;x-amz-date;x-amz-target\n"
			  "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");

	/* with the STS documentation example session token */
	r.session_token = DOC_TOKEN;
	CHECK_STR(auth(&r),
			  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
			  "dynamodb/aws4_request, SignedHeaders=content-type;host;"
			  "x-amz-date;x-amz-security-token;x-amz-target, Signature="
			  "441a3646d5a806ea5c46ea4fcd6c9aecc9bad7df9b60a33bfe810c504ffb586d");

	/*
	 * Local endpoint with a port, another region, a UTF-8 JSON body with
	 * quotes, '#' and ':', a leap day, and a 100-byte secret ("AWS4" +
	 * secret exceeds the HMAC block, so the key is hashed first).
	 */
	r = doc_request();
	memset(long_secret, 'x', 100);
	long_secret[100] = '\0';
	r.host = "127.0.0.1:8000";
	r.region = "eu-west-1";
	r.secret_access_key = long_secret;
	r.amz_target = "DynamoDB_20120810.Query";
	r.amz_date = "20240229T235959Z";
	r.body = quoted_body;
	r.body_len = sizeof(quoted_body) - 1;
	CHECK_STR(auth(&r),
			  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240229/eu-west-1/"
			  "dynamodb/aws4_request, SignedHeaders=content-type;host;"
			  "x-amz-date;x-amz-target, Signature="
			  "bedb17bd5dfe952da77c98a08e2e479e58e0ff3a3f7ee88bff0e44131ae96f69");

	/* path normalisation and double encoding, empty body */
	r = doc_request();
	r.path = "/a/./b/../c/%41 b/";
	r.body = "";
	r.body_len = 0;
	CHECK_STR(auth(&r),
			  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
			  "dynamodb/aws4_request, SignedHeaders=content-type;host;"
			  "x-amz-date;x-amz-target, Signature="
			  "dda16c6dc7012100fb728475bba6124c98d71bff0b334435cdb26cf4b2aa5569");
	CHECK(ddb_sigv4_canonical_request(&r, buf, sizeof(buf)) == 0);
	CHECK(strncmp(buf, "POST\n/a/c/%2541%20b/\n\n", 22) == 0);
	CHECK(strlen(buf) > 64 &&
		  strcmp(buf + strlen(buf) - 64, EMPTY_SHA256) == 0);
}

/* Canonical URI corner cases (botocore's remove_dot_segments rules). */
static void
test_paths(void)
{
	static const char *const cases[][2] = {
		{"", "/"}, {"/", "/"}, {"//", "/"}, {"/.", "/"}, {"/..", "/"},
		{"/x/..", "/"}, {"/x/../", "/"}, {"/a//b///", "/a/b/"},
		{"/a/b/../../..", "/"}, {"/../x", "/x"}, {"/~u/a+b", "/~u/a%2Bb"},
		{"/\xc3\xbc", "/%C3%BC"},
	};
	ddb_sigv4_request r = doc_request();
	char		buf[4096];
	char		want[64];
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		r.path = cases[i][0];
		snprintf(want, sizeof(want), "POST\n%s\n\n", cases[i][1]);
		CHECK(ddb_sigv4_canonical_request(&r, buf, sizeof(buf)) == 0);
		buf[strlen(want)] = '\0';
		CHECK_STR(buf, want);
	}
}

/* Header values are trimmed and inner whitespace runs collapsed. */
static void
test_trimall(void)
{
	ddb_sigv4_request r = doc_request();
	char		want[1024];
	char		buf[4096];

	r.content_type = "application/x-amz-json-1.0; charset=utf-8";
	strcpy(want, auth(&r));
	r.content_type = " \tapplication/x-amz-json-1.0;  \t charset=utf-8  ";
	CHECK_STR(auth(&r), want);
	CHECK(ddb_sigv4_canonical_request(&r, buf, sizeof(buf)) == 0);
	CHECK(strstr(buf, "\ncontent-type:application/x-amz-json-1.0; "
				 "charset=utf-8\nhost:") != NULL);
}

/* A session token adds x-amz-security-token; "" means no token. */
static void
test_token(void)
{
	ddb_sigv4_request r = doc_request();
	char		none[1024];
	char		buf[4096];

	strcpy(none, auth(&r));
	CHECK(strstr(none, "SignedHeaders=content-type;host;x-amz-date;x-amz-target,") != NULL);

	r.session_token = "";
	CHECK_STR(auth(&r), none);

	r.session_token = "tok";
	CHECK(strstr(auth(&r), "SignedHeaders=content-type;host;x-amz-date;"
				 "x-amz-security-token;x-amz-target,") != NULL);
	CHECK(strcmp(auth(&r), none) != 0);
	CHECK(ddb_sigv4_canonical_request(&r, buf, sizeof(buf)) == 0);
	CHECK(strstr(buf, "\nx-amz-security-token:tok\nx-amz-target:") != NULL);
}

/* NULL body with zero length equals an empty body (hash of ""). */
static void
test_empty_body(void)
{
	ddb_sigv4_request r = doc_request();
	char		want[1024];

	r.body = "";
	r.body_len = 0;
	strcpy(want, auth(&r));
	r.body = NULL;
	CHECK_STR(auth(&r), want);
}

/* Output buffers: exact fit works, one byte less fails and leaves "". */
static void
test_buffer_sizes(void)
{
	ddb_sigv4_request r = doc_request();
	char		full[1024];
	char		buf[1024];
	size_t		len;

	CHECK(ddb_sigv4_authorization(&r, full, sizeof(full)) == 0);
	len = strlen(full);
	CHECK(ddb_sigv4_authorization(&r, buf, len + 1) == 0);
	CHECK_STR(buf, full);
	memset(buf, 'Z', sizeof(buf));
	CHECK(ddb_sigv4_authorization(&r, buf, len) == -1);
	CHECK(buf[0] == '\0');
	CHECK(buf[len] == 'Z');		/* nothing written past outlen */
	CHECK(ddb_sigv4_authorization(&r, buf, 1) == -1);
	CHECK(ddb_sigv4_authorization(&r, buf, 0) == -1);
	CHECK(ddb_sigv4_authorization(&r, NULL, 100) == -1);

	CHECK(ddb_sigv4_canonical_request(&r, full, sizeof(full)) == 0);
	len = strlen(full);
	CHECK(ddb_sigv4_canonical_request(&r, buf, len + 1) == 0);
	CHECK_STR(buf, full);
	memset(buf, 'Z', sizeof(buf));
	CHECK(ddb_sigv4_canonical_request(&r, buf, len) == -1);
	CHECK(buf[0] == '\0');
	CHECK(buf[len] == 'Z');
}

/*
 * An STS request: form-encoded body and no X-Amz-Target, so the target is
 * neither signed nor required (vectors from botocore, as in the banner).
 */
static void
test_sts(void)
{
	ddb_sigv4_request r = doc_request();
	static const char body[] =
		"Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A"
		"123456789012%3Arole%2Fdemo&RoleSessionName=ddbrel&DurationSeconds=3600";

	r.host = "sts.us-east-1.amazonaws.com";
	r.service = "sts";
	r.amz_target = NULL;
	r.content_type = "application/x-www-form-urlencoded; charset=utf-8";
	r.body = body;
	r.body_len = sizeof(body) - 1;
	CHECK_STR(auth(&r),
			  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
			  "sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, "
			  "Signature=b7a62d98fb13a3dc39e3afce78d95727153dcf3fb1aa381e5c81ede1fd5160b4");
	r.session_token = DOC_TOKEN;
	CHECK_STR(auth(&r),
			  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
			  "sts/aws4_request, SignedHeaders=content-type;host;x-amz-date;"
			  "x-amz-security-token, "
			  "Signature=fb23be9ce6e36c76c3c2451b7fe8f05279ff7473ef17f535e6ee4dc5a1e7f7cf");
}

/* Every missing or malformed input is refused with -1. */
static void
test_bad_inputs(void)
{
	ddb_sigv4_request r;
	char		buf[1024];
	size_t		i;
	static const char *const bad_dates[] = {
		"", "20150830T123600", "20150830T123600ZZ", "2015-08-30T12:36:00Z",
		"20150830X123600Z", "20150830T123600z", "2015083OT123600Z",
	};

	CHECK(ddb_sigv4_authorization(NULL, buf, sizeof(buf)) == -1);
	CHECK(ddb_sigv4_canonical_request(NULL, buf, sizeof(buf)) == -1);

	/* each required string, NULL and then empty */
	for (i = 0; i < 2 * 9; i++)
	{
		const char *v = (i % 2 == 0) ? NULL : "";

		if (i / 2 == 5 && v == NULL)
			continue;			/* no target: an STS request (test_sts) */
		r = doc_request();
		switch (i / 2)
		{
			case 0: r.host = v; break;
			case 1: r.region = v; break;
			case 2: r.service = v; break;
			case 3: r.access_key_id = v; break;
			case 4: r.secret_access_key = v; break;
			case 5: r.amz_target = v; break;
			case 6: r.content_type = v; break;
			case 7: r.amz_date = v; break;
			case 8: r.path = (v == NULL) ? NULL : "relative"; break;
		}
		strcpy(buf, "junk");
		CHECK(ddb_sigv4_authorization(&r, buf, sizeof(buf)) == -1);
		CHECK(buf[0] == '\0');
		CHECK(ddb_sigv4_canonical_request(&r, buf, sizeof(buf)) == -1);
	}

	for (i = 0; i < sizeof(bad_dates) / sizeof(bad_dates[0]); i++)
	{
		r = doc_request();
		r.amz_date = bad_dates[i];
		CHECK(ddb_sigv4_authorization(&r, buf, sizeof(buf)) == -1);
	}

	r = doc_request();
	r.body = NULL;
	r.body_len = 5;
	CHECK(ddb_sigv4_authorization(&r, buf, sizeof(buf)) == -1);

	/* CR/LF would inject headers: refused */
	r = doc_request();
	r.host = "example.com\r\nX-Evil: 1";
	CHECK(ddb_sigv4_authorization(&r, buf, sizeof(buf)) == -1);
	r = doc_request();
	r.session_token = "tok\nen";
	CHECK(ddb_sigv4_authorization(&r, buf, sizeof(buf)) == -1);
	r = doc_request();
	r.region = "us-east-1\n";
	CHECK(ddb_sigv4_authorization(&r, buf, sizeof(buf)) == -1);
}

static void
test_amz_date(void)
{
	char		d[17];

	ddb_sigv4_amz_date(0, d);
	CHECK_STR(d, "19700101T000000Z");
	ddb_sigv4_amz_date(1440938160LL, d);
	CHECK_STR(d, "20150830T123600Z");
	ddb_sigv4_amz_date(951782400LL, d);		/* leap day of a century year */
	CHECK_STR(d, "20000229T000000Z");
	ddb_sigv4_amz_date(1709251199LL, d);
	CHECK_STR(d, "20240229T235959Z");
	ddb_sigv4_amz_date(2147483648LL, d);	/* past 32-bit time_t */
	CHECK_STR(d, "20380119T031408Z");
	ddb_sigv4_amz_date(-1, d);
	CHECK_STR(d, "19691231T235959Z");
	ddb_sigv4_amz_date(253402300799LL, d);
	CHECK_STR(d, "99991231T235959Z");
	ddb_sigv4_amz_date(253402300800LL, d);	/* year 10000: not 16 chars */
	CHECK_STR(d, "");
	ddb_sigv4_amz_date(-62135596800LL, d);	/* year 1 */
	CHECK_STR(d, "");
	ddb_sigv4_amz_date(INT64_MAX, d);
	CHECK_STR(d, "");
}

int
main(void)
{
	test_vectors();
	test_paths();
	test_trimall();
	test_token();
	test_empty_body();
	test_buffer_sizes();
	test_sts();
	test_bad_inputs();
	test_amz_date();
	UNIT_DONE("sigv4");
}
