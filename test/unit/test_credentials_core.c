/*
 * test_credentials_core.c
 *	  Unit tests of src/credentials_core.c: ISO 8601 times, the JSON answers
 *	  of credential_process, container and instance metadata endpoints,
 *	  STS's XML answers (including documents that try entities), STS
 *	  request bodies, container and metadata URLs, and the refresh rule.
 *	  Every error text is checked not to hold the secret of the answer.
 */
#include <stdlib.h>

#include "credentials_core.h"
#include "unit.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
#define TOKEN "IQoJb3JpZ2luX2VjEXAMPLETOKEN+/="

static void
test_time(void)
{
	long long	t = -1;
	static const char *const bad[] = {
		"", "2024-05-01", "2024-05-01T12:00:00", "2024-05-01T12:00:00ZZ",
		"2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z",
		"2024-05-01T24:00:00Z", "2024-05-01T12:60:00Z", "1969-12-31T23:59:59Z",
		"2024-05-01T12:00:00.Z", "2024-05-01T12:00:00+0100", "2024/05/01T12:00:00Z",
		"2024-05-01T12:00:00+01:00x", "+2024-05-01T12:00:00Z",
	};
	size_t		i;

	CHECK(ddb_parse_iso8601("1970-01-01T00:00:00Z", &t) == 0 && t == 0);
	CHECK(ddb_parse_iso8601("2015-08-30T12:36:00Z", &t) == 0 && t == 1440938160LL);
	CHECK(ddb_parse_iso8601("2024-02-29T23:59:59Z", &t) == 0 && t == 1709251199LL);
	CHECK(ddb_parse_iso8601("2000-02-29T00:00:00Z", &t) == 0 && t == 951782400LL);
	CHECK(ddb_parse_iso8601("2038-01-19T03:14:08Z", &t) == 0 && t == 2147483648LL);
	CHECK(ddb_parse_iso8601("2011-07-15T23:28:33.359Z", &t) == 0 && t == 1310772513LL);
	CHECK(ddb_parse_iso8601("2011-07-15t23:28:33z", &t) == 0 && t == 1310772513LL);
	CHECK(ddb_parse_iso8601("2011-07-16T01:28:33+02:00", &t) == 0 && t == 1310772513LL);
	CHECK(ddb_parse_iso8601("2011-07-15T20:58:33.123456-02:30", &t) == 0 && t == 1310772513LL);
	CHECK(ddb_parse_iso8601("9999-12-31T23:59:59Z", &t) == 0 && t == 253402300799LL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		CHECK(ddb_parse_iso8601(bad[i], &t) == -1);
	}
	CHECK(ddb_parse_iso8601(NULL, &t) == -1);
}

static int
json(const char *text, ddb_cred_json shape, ddb_cred *c, char *err)
{
	int			rc = ddb_cred_from_json(text, strlen(text), shape, c, err, 256);

	if (rc != 0)
		CHECK(strstr(err, SECRET) == NULL && strstr(err, TOKEN) == NULL);
	return rc;
}

static void
test_json(void)
{
	ddb_cred	c;
	char		err[256];

	/* credential_process */
	CHECK(json("{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", \"SecretAccessKey\": \"" SECRET "\","
			   " \"SessionToken\": \"" TOKEN "\", \"Expiration\": \"2030-01-01T00:00:00Z\"}",
			   DDB_CRED_JSON_PROCESS, &c, err) == 0);
	CHECK_STR(c.access_key_id, "AKIDPROC");
	CHECK_STR(c.secret_access_key, SECRET);
	CHECK_STR(c.session_token, TOKEN);
	CHECK(c.expiration == 1893456000LL);
	ddb_cred_free(&c);
	CHECK(c.access_key_id == NULL);
	/* without a token or an expiration: long-term keys */
	CHECK(json("{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", \"SecretAccessKey\": \"" SECRET "\"}",
			   DDB_CRED_JSON_PROCESS, &c, err) == 0);
	CHECK(c.session_token == NULL && c.expiration == 0);
	ddb_cred_free(&c);
	CHECK(json("{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"" SECRET "\"}",
			   DDB_CRED_JSON_PROCESS, &c, err) == -1);
	CHECK(strstr(err, "Version") != NULL);
	CHECK(json("{\"AccessKeyId\": \"A\", \"SecretAccessKey\": \"" SECRET "\"}",
			   DDB_CRED_JSON_PROCESS, &c, err) == -1);
	CHECK(json("{\"Version\": 1, \"SecretAccessKey\": \"" SECRET "\"}",
			   DDB_CRED_JSON_PROCESS, &c, err) == -1);
	CHECK(strstr(err, "AccessKeyId") != NULL);
	CHECK(json("{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"" SECRET "\","
			   " \"Expiration\": \"tomorrow\"}", DDB_CRED_JSON_PROCESS, &c, err) == -1);
	CHECK(strstr(err, "Expiration") != NULL);
	CHECK(json("{\"Version\": 1, \"AccessKeyId\": \"A\\r\\nX-Evil: 1\", \"SecretAccessKey\": \"" SECRET "\"}",
			   DDB_CRED_JSON_PROCESS, &c, err) == -1);
	CHECK(strstr(err, "header") != NULL);
	CHECK(json("not json " SECRET, DDB_CRED_JSON_PROCESS, &c, err) == -1);
	CHECK(json("[1]", DDB_CRED_JSON_PROCESS, &c, err) == -1);
	CHECK(ddb_cred_from_json(NULL, 0, DDB_CRED_JSON_PROCESS, &c, err, sizeof(err)) == -1);

	/* container (ECS, EKS Pod Identity) */
	CHECK(json("{\"RoleArn\": \"arn:aws:iam::1:role/task\", \"AccessKeyId\": \"ASIACONT\","
			   " \"SecretAccessKey\": \"" SECRET "\", \"Token\": \"" TOKEN "\","
			   " \"Expiration\": \"2030-01-01T00:00:00Z\"}", DDB_CRED_JSON_CONTAINER, &c, err) == 0);
	CHECK_STR(c.session_token, TOKEN);
	ddb_cred_free(&c);
	CHECK(json("{\"AccessKeyId\": \"ASIACONT\", \"SecretAccessKey\": \"" SECRET "\","
			   " \"Expiration\": \"2030-01-01T00:00:00Z\"}", DDB_CRED_JSON_CONTAINER, &c, err) == -1);
	CHECK(strstr(err, "Token") != NULL);
	CHECK(json("{\"AccessKeyId\": \"ASIACONT\", \"SecretAccessKey\": \"" SECRET "\", \"Token\": \"" TOKEN "\"}",
			   DDB_CRED_JSON_CONTAINER, &c, err) == -1);
	CHECK(strstr(err, "Expiration") != NULL);
	CHECK(json("{\"code\": \"AccessDeniedException\", \"message\": \"Pod Identity association not found\"}",
			   DDB_CRED_JSON_CONTAINER, &c, err) == -1);
	CHECK(strstr(err, "AccessDeniedException Pod Identity association not found") != NULL);

	/* instance metadata */
	CHECK(json("{\"Code\": \"Success\", \"LastUpdated\": \"2024-05-01T11:00:00Z\", \"Type\": \"AWS-HMAC\","
			   " \"AccessKeyId\": \"ASIAIMDS\", \"SecretAccessKey\": \"" SECRET "\", \"Token\": \"" TOKEN "\","
			   " \"Expiration\": \"2024-05-01T17:00:00Z\"}", DDB_CRED_JSON_IMDS, &c, err) == 0);
	CHECK_STR(c.access_key_id, "ASIAIMDS");
	ddb_cred_free(&c);
	CHECK(json("{\"Code\": \"AssumeRoleUnauthorizedAccess\", \"AccessKeyId\": \"A\","
			   " \"SecretAccessKey\": \"" SECRET "\", \"Token\": \"T\", \"Expiration\": \"2024-05-01T17:00:00Z\"}",
			   DDB_CRED_JSON_IMDS, &c, err) == -1);
	CHECK(strstr(err, "AssumeRoleUnauthorizedAccess") != NULL);
}

static int
sts(const char *xml, ddb_cred *c, char *code, char *msg)
{
	int			rc = ddb_sts_parse(xml, strlen(xml), c, code, 64, msg, 256);

	CHECK(strstr(msg, SECRET) == NULL);
	return rc;
}

static void
test_sts(void)
{
	ddb_cred	c;
	char		code[64];
	char		msg[256];

	CHECK(sts("<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
			  "  <AssumeRoleResult>\n"
			  "    <SourceIdentity>x</SourceIdentity>\n"
			  "    <AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/r/s</Arn>"
			  "<AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>\n"
			  "    <Credentials>\n"
			  "      <AccessKeyId>ASIASTS</AccessKeyId>\n"
			  "      <SecretAccessKey>\n        " SECRET "\n      </SecretAccessKey>\n"
			  "      <SessionToken>" TOKEN "</SessionToken>\n"
			  "      <Expiration>2011-07-15T23:28:33.359Z</Expiration>\n"
			  "    </Credentials>\n"
			  "  </AssumeRoleResult>\n"
			  "  <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>\n"
			  "</AssumeRoleResponse>\n", &c, code, msg) == 0);
	CHECK_STR(c.access_key_id, "ASIASTS");
	CHECK_STR(c.secret_access_key, SECRET);
	CHECK_STR(c.session_token, TOKEN);
	CHECK(c.expiration == 1310772513LL);
	ddb_cred_free(&c);

	/* web identity, no namespace, a CDATA section and a character reference */
	CHECK(sts("<?xml version=\"1.0\" encoding=\"UTF-8\"?><AssumeRoleWithWebIdentityResponse>"
			  "<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIAWEB</AccessKeyId>"
			  "<SecretAccessKey><![CDATA[" SECRET "]]></SecretAccessKey>"
			  "<SessionToken>tok&#43;en</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration>"
			  "</Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>",
			  &c, code, msg) == 0);
	CHECK_STR(c.secret_access_key, SECRET);
	CHECK_STR(c.session_token, "tok+en");
	ddb_cred_free(&c);

	/* an error answer */
	CHECK(sts("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
			  "<Error><Type>Sender</Type><Code>AccessDenied</Code>"
			  "<Message>User: arn:aws:iam::1:user/u is not authorized to perform: sts:AssumeRole</Message>"
			  "</Error><RequestId>r</RequestId></ErrorResponse>", &c, code, msg) == 1);
	CHECK_STR(code, "AccessDenied");
	CHECK_STR(msg, "User: arn:aws:iam::1:user/u is not authorized to perform: sts:AssumeRole");
	CHECK(c.access_key_id == NULL);

	/* malformed and incomplete answers */
	CHECK(sts("", &c, code, msg) == -1);
	CHECK(sts("<AssumeRoleResponse><AssumeRoleResult>", &c, code, msg) == -1);
	CHECK(strstr(msg, "well-formed") != NULL);
	CHECK(sts("<Other/>", &c, code, msg) == -1);
	CHECK(sts("<AssumeRoleResponse><AssumeRoleResult/></AssumeRoleResponse>", &c, code, msg) == -1);
	CHECK(strstr(msg, "no Credentials") != NULL);
	CHECK(sts("<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId>"
			  "<SecretAccessKey>" SECRET "</SecretAccessKey><SessionToken>T</SessionToken>"
			  "<Expiration>soon</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>",
			  &c, code, msg) == -1);
	CHECK(strstr(msg, "Expiration") != NULL);
	CHECK(sts("<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId>"
			  "<SessionToken>T</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration>"
			  "</Credentials></AssumeRoleResult></AssumeRoleResponse>", &c, code, msg) == -1);
	CHECK(strstr(msg, "SecretAccessKey") != NULL);
	CHECK(sts("<ErrorResponse><Error><Message>m</Message></Error></ErrorResponse>", &c, code, msg) == -1);

	/* entities: an external one (XXE) and a recursive expansion are refused unread */
	CHECK(sts("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
			  "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>&x;</AccessKeyId>"
			  "</Credentials></AssumeRoleResult></AssumeRoleResponse>", &c, code, msg) == -1);
	CHECK(strstr(msg, "document type") != NULL);
	CHECK(sts("<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>"
			  "<ErrorResponse><Error><Code>&lol2;</Code></Error></ErrorResponse>", &c, code, msg) == -1);
	/* an undeclared entity is not well-formed */
	CHECK(sts("<ErrorResponse><Error><Code>&x;</Code></Error></ErrorResponse>", &c, code, msg) == -1);
}

static void
test_bodies_and_urls(void)
{
	const char *params[] = {"RoleArn", "arn:aws:iam::123456789012:role/demo",
		"RoleSessionName", "ddbrel-42", "ExternalId", NULL, "DurationSeconds", "3600",
	"WebIdentityToken", "a b+c/d=e~f"};
	char	   *b = ddb_sts_body("AssumeRole", params, 5);
	char		url[256];
	char		err[256];

	CHECK_STR(b, "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012"
			  "%3Arole%2Fdemo&RoleSessionName=ddbrel-42&DurationSeconds=3600"
			  "&WebIdentityToken=a%20b%2Bc%2Fd%3De~f");
	free(b);

	CHECK(ddb_container_url("/v2/credentials/abc", "http://ignored", url, sizeof(url), err, sizeof(err)) == 0);
	CHECK_STR(url, "http://169.254.170.2/v2/credentials/abc");
	CHECK(ddb_container_url(NULL, "http://169.254.170.23/v1/credentials", url, sizeof(url), err, sizeof(err)) == 0);
	CHECK_STR(url, "http://169.254.170.23/v1/credentials");
	CHECK(ddb_container_url("", "http://127.0.0.1:8080/creds", url, sizeof(url), err, sizeof(err)) == 0);
	CHECK(ddb_container_url(NULL, "http://[::1]:80/c", url, sizeof(url), err, sizeof(err)) == 0);
	CHECK(ddb_container_url(NULL, "http://localhost/c", url, sizeof(url), err, sizeof(err)) == 0);
	CHECK(ddb_container_url(NULL, "http://[fd00:ec2::23]/v1/credentials", url, sizeof(url), err, sizeof(err)) == 0);
	CHECK(ddb_container_url(NULL, "https://creds.example.com/c", url, sizeof(url), err, sizeof(err)) == 0);
	CHECK(ddb_container_url(NULL, "http://creds.example.com/c", url, sizeof(url), err, sizeof(err)) == -1);
	CHECK(strstr(err, "loopback") != NULL);
	CHECK(ddb_container_url(NULL, "http://127.0.0.1.evil.com/c", url, sizeof(url), err, sizeof(err)) == -1);
	CHECK(ddb_container_url(NULL, "http://user@127.0.0.1/c", url, sizeof(url), err, sizeof(err)) == -1);
	CHECK(ddb_container_url(NULL, "file:///etc/passwd", url, sizeof(url), err, sizeof(err)) == -1);
	CHECK(ddb_container_url("relative", NULL, url, sizeof(url), err, sizeof(err)) == -1);
	CHECK(ddb_container_url("/a b", NULL, url, sizeof(url), err, sizeof(err)) == -1);
	CHECK(ddb_container_url(NULL, NULL, url, sizeof(url), err, sizeof(err)) == -1);
	CHECK(strstr(err, "neither") != NULL);
	CHECK(ddb_container_url("/x", NULL, url, 10, err, sizeof(err)) == -1);

	CHECK(ddb_imds_base(NULL, NULL, NULL, url, sizeof(url), err, sizeof(err)) == 0);
	CHECK_STR(url, "http://169.254.169.254");
	CHECK(ddb_imds_base(NULL, NULL, "IPv6", url, sizeof(url), err, sizeof(err)) == 0);
	CHECK_STR(url, "http://[fd00:ec2::254]");
	CHECK(ddb_imds_base(NULL, "http://127.0.0.1:1234/", "IPv6", url, sizeof(url), err, sizeof(err)) == 0);
	CHECK_STR(url, "http://127.0.0.1:1234");
	CHECK(ddb_imds_base("http://10.0.0.1//", "http://127.0.0.1:1234/", NULL, url, sizeof(url), err, sizeof(err)) == 0);
	CHECK_STR(url, "http://10.0.0.1");
	CHECK(ddb_imds_base(NULL, NULL, "IPv5", url, sizeof(url), err, sizeof(err)) == -1);
	CHECK(ddb_imds_base(NULL, "ftp://x", NULL, url, sizeof(url), err, sizeof(err)) == -1);
	CHECK(ddb_imds_base(NULL, "http://", NULL, url, sizeof(url), err, sizeof(err)) == -1);
	CHECK(ddb_imds_base("https:///x", NULL, NULL, url, sizeof(url), err, sizeof(err)) == -1);
	CHECK(strstr(err, "no host") != NULL);
}

static void
test_refresh(void)
{
	long long	exp = 1000000;

	CHECK(!ddb_cred_refresh_due(999999999, 0, false));	/* no expiry: never */
	CHECK(!ddb_cred_refresh_due(exp - 301, exp, false));
	CHECK(ddb_cred_refresh_due(exp - 300, exp, false));
	CHECK(!ddb_cred_refresh_due(exp - 300, exp, true));
	CHECK(!ddb_cred_refresh_due(exp - 61, exp, true));
	CHECK(ddb_cred_refresh_due(exp - 60, exp, true));
	CHECK(ddb_cred_refresh_due(exp + 1, exp, true));
	/* within a statement: a minute before, or half the lifetime before */
	CHECK(!ddb_cred_renew_due(999999999, 5, 0));	/* no expiry: never */
	CHECK(!ddb_cred_renew_due(exp - 61, exp - 3600, exp));
	CHECK(ddb_cred_renew_due(exp - 60, exp - 3600, exp));
	CHECK(!ddb_cred_renew_due(exp - 7, exp - 12, exp));	/* 12 s: renewed 6 s before */
	CHECK(ddb_cred_renew_due(exp - 6, exp - 12, exp));
	CHECK(ddb_cred_renew_due(exp + 1, exp - 12, exp));
	/* fetched after they expire (a clock gone wrong): the full minute */
	CHECK(ddb_cred_renew_due(exp - 60, exp + 5, exp));
	CHECK(!ddb_cred_renew_due(exp - 61, exp + 5, exp));
}

int
main(void)
{
	test_time();
	test_json();
	test_sts();
	test_bodies_and_urls();
	test_refresh();
	UNIT_DONE("credentials_core");
}
