/*-------------------------------------------------------------------------
 * credentials_fetch.c
 *	  The credential providers: the server's environment, AWS profiles and
 *	  credential_process, STS (AssumeRole, AssumeRoleWithWebIdentity), the
 *	  ECS / EKS Pod Identity container endpoint and EC2 instance metadata.
 *
 * Each provider fills a malloc'd ddb_cred (credentials_core.h) or raises
 * the error of ddb_cred_fail naming its source, with a DETAIL that is one
 * whole sentence per failure (values, such as URLs, libcurl's reason or
 * the reason credentials_core.c and profile_core.c give, as arguments).  Everything read along the
 * way that may hold a secret (files, process output, HTTP answers, request
 * bodies) is wiped before it is freed.  HTTP goes through
 * ddb_http_simple (http_simple.c): cancellable, no signals, no redirects.
 *
 * STS requests are signed by ddbrel's own SigV4 signer (sigv4.c, service
 * "sts", no X-Amz-Target) and their XML answers read by credentials_core.c.
 * Instance metadata is read with IMDSv2 only: a session token is PUT
 * first, and if that fails the provider fails; it never falls back to an
 * unauthenticated IMDSv1 GET.  Metadata and container endpoints are never
 * reached through a proxy.  A failed attempt is tried again twice (after
 * 100 and 400 ms) when it failed in transport, with a 5xx, or (STS) with a
 * throttling error.
 *-------------------------------------------------------------------------
 */
#include "credentials.h"

#include "miscadmin.h"
#include "storage/fd.h"
#include "storage/latch.h"
#include "utils/wait_event.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "endpoint.h"
#include "profile_core.h"
#include "sigv4.h"

#define STS_CONTENT_TYPE "application/x-www-form-urlencoded; charset=utf-8"
#define IMDS_TOKEN_TTL "21600"
#define MAX_FILE (1024 * 1024)
#define MAX_ATTEMPTS 3

static void
wipe_pfree(char *s, size_t len)
{
	if (s)
	{
		explicit_bzero(s, len);
		pfree(s);
	}
}

/* A session name for STS: option, else ddbrel-<backend pid>. */
static const char *
session_name_or_default(const char *name)
{
	return name ? name : psprintf("ddbrel-%d", MyProcPid);
}

/*
 * Reads a small file of the server process (a token, a config file):
 * palloc'd, NUL-terminated, or NULL with errno set.
 */
static char *
read_file(const char *path, size_t *len)
{
	FILE	   *f = AllocateFile(path, "rb");
	char	   *buf;
	size_t		n = 0;
	size_t		cap = 8192;

	*len = 0;
	if (f == NULL)
		return NULL;
	buf = palloc(cap);
	for (;;)
	{
		size_t		r;

		if (n + 1 >= cap)
		{
			char	   *bigger;

			if (cap >= MAX_FILE)
			{
				wipe_pfree(buf, cap);
				FreeFile(f);
				errno = EFBIG;
				return NULL;
			}
			bigger = palloc(cap * 2);
			memcpy(bigger, buf, n);
			wipe_pfree(buf, cap);
			buf = bigger;
			cap *= 2;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f))
	{
		int			save = errno;

		wipe_pfree(buf, cap);
		FreeFile(f);
		errno = save ? save : EIO;
		return NULL;
	}
	FreeFile(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Drops trailing white space (a token file ends with a newline). */
static void
chomp(char *s)
{
	size_t		n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
}

/* Whether a header value is safe to send: no control characters. */
static bool
header_value_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char) *s < 0x20 || (unsigned char) *s == 0x7f)
			return false;
	return true;
}

/* Waits ms, honouring interrupts. */
static void
backoff_wait(int attempt)
{
	long		ms = attempt == 1 ? 100 : 400;

	(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, ms,
					 PG_WAIT_EXTENSION);
	ResetLatch(MyLatch);
	CHECK_FOR_INTERRUPTS();
}

static void
http_request(const DdbCredConfig *cfg, const char *method, const char *url,
			 const char *const *headers, const char *body, bool no_proxy,
			 DdbHttpResult *res)
{
	DdbHttpRequest req;

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = url;
	req.headers = headers;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	req.connect_timeout_ms = cfg->sopts.connect_timeout_ms;
	req.timeout_ms = cfg->sopts.request_timeout_ms;
	req.ca_file = cfg->sopts.ca_file;
	req.verify_tls = cfg->sopts.verify_tls;
	req.no_proxy = no_proxy;
	req.max_response = DDB_CRED_MAX_ANSWER + 1;
	ddb_http_simple(&req, res);
}

/* Whether an answer deserves another attempt: no answer, or a 5xx. */
static bool
http_retryable(const DdbHttpResult *res)
{
	return res->status == 0 || res->status >= 500;
}

/* The HTTP requests of the providers, for their errors. */
typedef enum CredStep
{
	STEP_STS,					/* an STS query */
	STEP_CONTAINER,				/* the container credentials endpoint */
	STEP_IMDS_TOKEN,			/* the IMDSv2 session token PUT */
	STEP_IMDS_ROLE_LIST,		/* the instance profile's role */
	STEP_IMDS_ROLE				/* that role's credentials */
} CredStep;

/*
 * The DETAIL of a request that got no answer, or an answer other than 200:
 * one whole sentence per step, the URL, libcurl's reason or the status and
 * the attempts as values.
 */
static int
errdetail_http_failure(CredStep step, const char *url, const DdbHttpResult *res,
					   int attempts)
{
	bool		none = res->status == 0;

	switch (step)
	{
		case STEP_STS:
			return none ?
				errdetail_plural("STS at %s got no answer: %s (tried %d time).",
								 "STS at %s got no answer: %s (tried %d times).",
								 attempts, url, res->error, attempts) :
				errdetail_plural("STS at %s answered HTTP %ld (tried %d time).",
								 "STS at %s answered HTTP %ld (tried %d times).",
								 attempts, url, res->status, attempts);
		case STEP_CONTAINER:
			return none ?
				errdetail_plural("The endpoint %s got no answer: %s (tried %d time).",
								 "The endpoint %s got no answer: %s (tried %d times).",
								 attempts, url, res->error, attempts) :
				errdetail_plural("The endpoint %s answered HTTP %ld (tried %d time).",
								 "The endpoint %s answered HTTP %ld (tried %d times).",
								 attempts, url, res->status, attempts);
		case STEP_IMDS_TOKEN:
			return none ?
				errdetail_plural("The session token request PUT %s got no answer: %s (tried %d time). ddbrel uses IMDSv2 only and does not fall back to IMDSv1.",
								 "The session token request PUT %s got no answer: %s (tried %d times). ddbrel uses IMDSv2 only and does not fall back to IMDSv1.",
								 attempts, url, res->error, attempts) :
				errdetail_plural("The session token request PUT %s answered HTTP %ld (tried %d time). ddbrel uses IMDSv2 only and does not fall back to IMDSv1.",
								 "The session token request PUT %s answered HTTP %ld (tried %d times). ddbrel uses IMDSv2 only and does not fall back to IMDSv1.",
								 attempts, url, res->status, attempts);
		case STEP_IMDS_ROLE_LIST:
			return none ?
				errdetail_plural("The role list %s got no answer: %s (tried %d time).",
								 "The role list %s got no answer: %s (tried %d times).",
								 attempts, url, res->error, attempts) :
				errdetail_plural("The role list %s answered HTTP %ld (tried %d time).",
								 "The role list %s answered HTTP %ld (tried %d times).",
								 attempts, url, res->status, attempts);
		case STEP_IMDS_ROLE:
			return none ?
				errdetail_plural("The role's credentials at %s got no answer: %s (tried %d time).",
								 "The role's credentials at %s got no answer: %s (tried %d times).",
								 attempts, url, res->error, attempts) :
				errdetail_plural("The role's credentials at %s answered HTTP %ld (tried %d time).",
								 "The role's credentials at %s answered HTTP %ld (tried %d times).",
								 attempts, url, res->status, attempts);
	}
	return 0;					/* not reached */
}

/* ---- the environment -------------------------------------------------- */

void
ddb_fetch_environment(const DdbCredConfig *cfg, ddb_cred *out)
{
	const char *ak = getenv("AWS_ACCESS_KEY_ID");
	const char *sk = getenv("AWS_SECRET_ACCESS_KEY");
	const char *tok = getenv("AWS_SESSION_TOKEN");

	memset(out, 0, sizeof(*out));
	if (ak == NULL || sk == NULL || *ak == '\0' || *sk == '\0')
		ddb_cred_fail(cfg, _("the server's environment"),
					  errdetail("The server process has no AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."),
					  errhint("Set them in the environment the PostgreSQL server is started with."));
	out->access_key_id = strdup(ak);
	out->secret_access_key = strdup(sk);
	out->session_token = (tok && *tok) ? strdup(tok) : NULL;
	if (out->access_key_id == NULL || out->secret_access_key == NULL ||
		(tok && *tok && out->session_token == NULL))
	{
		ddb_cred_free(out);
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	}
	if (!ddb_cred_valid(out))
	{
		ddb_cred_free(out);
		ddb_cred_fail(cfg, _("the server's environment"),
					  errdetail("AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY or AWS_SESSION_TOKEN holds spaces or control characters."));
	}
}

/* ---- STS -------------------------------------------------------------- */

/* The Host header of a URL: its authority without a default port. */
static char *
url_host(const char *url, const char **path)
{
	const char *p = strstr(url, "://");
	size_t		n;
	char	   *host;
	bool		https = strncmp(url, "https", 5) == 0;

	p = p ? p + 3 : url;
	n = strcspn(p, "/?#");
	*path = (p[n] == '/') ? p + n : "/";
	host = pnstrdup(p, n);
	if (https && n > 4 && strcmp(host + n - 4, ":443") == 0)
		host[n - 4] = '\0';
	else if (!https && n > 3 && strcmp(host + n - 3, ":80") == 0)
		host[n - 3] = '\0';
	return host;
}

/*
 * Sends an STS query and reads its credentials.  signer NULL: unsigned
 * (AssumeRoleWithWebIdentity).  from names the step for errors.
 */
static void
sts_call(const DdbCredConfig *cfg, const char *from, char *body,
		 const ddb_cred *signer, ddb_cred *out)
{
	const char *path;
	char	   *host = url_host(cfg->sts_url, &path);
	DdbHttpResult res;
	int			attempt;
	char		code[128];
	char		message[512];
	int			rc;

	memset(out, 0, sizeof(*out));
	for (attempt = 1;; attempt++)
	{
		const char *headers[7];
		int			nh = 0;
		char	   *lines[5] = {NULL};
		char		amz_date[17];
		char		auth[1024];

		lines[0] = psprintf("Host: %s", host);
		lines[1] = psprintf("Content-Type: %s", STS_CONTENT_TYPE);
		headers[nh++] = lines[0];
		headers[nh++] = lines[1];
		headers[nh++] = "Accept: text/xml";
		if (signer)
		{
			ddb_sigv4_request sreq;

			ddb_sigv4_amz_date((long long) time(NULL), amz_date);
			memset(&sreq, 0, sizeof(sreq));
			sreq.host = host;
			sreq.path = path;
			sreq.region = cfg->sts_region;
			sreq.service = "sts";
			sreq.access_key_id = signer->access_key_id;
			sreq.secret_access_key = signer->secret_access_key;
			sreq.session_token = signer->session_token;
			sreq.amz_target = NULL;
			sreq.content_type = STS_CONTENT_TYPE;
			sreq.amz_date = amz_date;
			sreq.body = body;
			sreq.body_len = strlen(body);
			if (ddb_sigv4_authorization(&sreq, auth, sizeof(auth)) != 0)
				ddb_cred_fail(cfg, from, errdetail("The STS request could not be signed."));
			lines[2] = psprintf("X-Amz-Date: %s", amz_date);
			lines[3] = psprintf("Authorization: %s", auth);
			explicit_bzero(auth, sizeof(auth));
			headers[nh++] = lines[2];
			headers[nh++] = lines[3];
			if (signer->session_token)
			{
				lines[4] = psprintf("X-Amz-Security-Token: %s", signer->session_token);
				headers[nh++] = lines[4];
			}
		}
		headers[nh] = NULL;
		http_request(cfg, "POST", cfg->sts_url, headers, body, false, &res);
		for (nh = 0; nh < 5; nh++)
			if (lines[nh])
				wipe_pfree(lines[nh], strlen(lines[nh]));
		if (res.status == 200 || (attempt < MAX_ATTEMPTS && http_retryable(&res)))
		{
			if (res.status == 200)
				break;
			wipe_pfree(res.body, res.body_len);
			backoff_wait(attempt);
			continue;
		}
		if (res.status != 0 && attempt < MAX_ATTEMPTS)
		{
			/* an error answer: tried again only when it says "throttled" */
			ddb_cred	none;

			rc = ddb_sts_parse(res.body, res.body_len, &none, code, sizeof(code),
							   message, sizeof(message));
			ddb_cred_free(&none);
			if (rc == 1 && (strcmp(code, "Throttling") == 0 || strcmp(code, "RequestLimitExceeded") == 0))
			{
				wipe_pfree(res.body, res.body_len);
				backoff_wait(attempt);
				continue;
			}
		}
		break;
	}
	if (res.status == 0)
		ddb_cred_fail(cfg, from, errdetail_http_failure(STEP_STS, cfg->sts_url, &res, attempt),
					  errhint("Check sts_endpoint and the network path to STS."));
	rc = ddb_sts_parse(res.body, res.body_len, out, code, sizeof(code), message, sizeof(message));
	wipe_pfree(res.body, res.body_len);
	if (rc == 1)
		ddb_cred_fail(cfg, from,
					  errdetail("STS at %s answered HTTP %ld %s: %s", cfg->sts_url, res.status,
								code, message),
					  strcmp(code, "AccessDenied") == 0 ?
					  errhint("Check the role's trust policy (principal, sts:ExternalId condition) and the caller's sts:AssumeRole permission.") : 0);
	if (rc != 0)
		ddb_cred_fail(cfg, from,
					  errdetail("STS at %s answered HTTP %ld, and %s.", cfg->sts_url, res.status,
								message));
	if (res.status != 200)
	{
		ddb_cred_free(out);
		ddb_cred_fail(cfg, from,
					  errdetail("STS at %s answered HTTP %ld with credentials.", cfg->sts_url,
								res.status));
	}
}

void
ddb_assume_role(const DdbCredConfig *cfg, const ddb_cred *base, const char *role_arn,
				const char *external_id, const char *session_name, int duration,
				const char *from, ddb_cred *out)
{
	char		dur[16];
	const char *params[8];
	char	   *body;

	if (from == NULL)
		from = psprintf(_("STS AssumeRole of role \"%s\""), role_arn);
	snprintf(dur, sizeof(dur), "%d", duration);
	params[0] = "RoleArn";
	params[1] = role_arn;
	params[2] = "RoleSessionName";
	params[3] = session_name_or_default(session_name);
	params[4] = "ExternalId";
	params[5] = external_id;
	params[6] = "DurationSeconds";
	params[7] = duration > 0 ? dur : NULL;
	body = ddb_sts_body("AssumeRole", params, 4);
	if (body == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	PG_TRY();
	{
		sts_call(cfg, from, body, base, out);
	}
	PG_FINALLY();
	{
		explicit_bzero(body, strlen(body));
		free(body);
	}
	PG_END_TRY();
}

/* AssumeRoleWithWebIdentity with the token in token_file. */
static void
web_identity(const DdbCredConfig *cfg, const char *from, const char *token_file,
			 const char *role_arn, const char *session_name, ddb_cred *out)
{
	size_t		len;
	char	   *token = read_file(token_file, &len);
	const char *params[6];
	char	   *body;

	if (token == NULL)
		ddb_cred_fail(cfg, from,
					  errdetail("Could not read the web identity token file \"%s\": %m.", token_file));
	chomp(token);
	if (*token == '\0')
	{
		wipe_pfree(token, len);
		ddb_cred_fail(cfg, from,
					  errdetail("The web identity token file \"%s\" is empty.", token_file));
	}
	params[0] = "RoleArn";
	params[1] = role_arn;
	params[2] = "RoleSessionName";
	params[3] = session_name_or_default(session_name);
	params[4] = "WebIdentityToken";
	params[5] = token;
	body = ddb_sts_body("AssumeRoleWithWebIdentity", params, 3);
	wipe_pfree(token, len);
	if (body == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	PG_TRY();
	{
		sts_call(cfg, from, body, NULL, out);
	}
	PG_FINALLY();
	{
		explicit_bzero(body, strlen(body));
		free(body);
	}
	PG_END_TRY();
}

void
ddb_fetch_web_identity(const DdbCredConfig *cfg, ddb_cred *out)
{
	const char *from = _("web identity (AWS_WEB_IDENTITY_TOKEN_FILE)");
	const char *file = getenv("AWS_WEB_IDENTITY_TOKEN_FILE");
	const char *role = getenv("AWS_ROLE_ARN");
	const char *session = getenv("AWS_ROLE_SESSION_NAME");

	memset(out, 0, sizeof(*out));
	if (file == NULL || *file == '\0' || role == NULL || *role == '\0')
		ddb_cred_fail(cfg, from,
					  errdetail("The server process has no %s.",
								(file == NULL || *file == '\0') ?
								"AWS_WEB_IDENTITY_TOKEN_FILE" : "AWS_ROLE_ARN"),
					  errhint("On EKS, associate an IAM role with the pod's service account; the variables come with it."));
	web_identity(cfg, from, file, role, (session && *session) ? session : NULL, out);
}

/* ---- container (ECS, EKS Pod Identity) -------------------------------- */

/* GETs url and reads a JSON answer of the given shape. */
static void
get_json_credentials(const DdbCredConfig *cfg, const char *from, CredStep step,
					 const char *url, const char *const *headers, ddb_cred_json shape,
					 ddb_cred *out)
{
	DdbHttpResult res;
	int			attempt;
	char		err[256];

	for (attempt = 1;; attempt++)
	{
		http_request(cfg, "GET", url, headers, NULL, true, &res);
		if (res.status == 200 || attempt >= MAX_ATTEMPTS || !http_retryable(&res))
			break;
		wipe_pfree(res.body, res.body_len);
		backoff_wait(attempt);
	}
	if (res.status != 200)
	{
		wipe_pfree(res.body, res.body_len);
		ddb_cred_fail(cfg, from, errdetail_http_failure(step, url, &res, attempt));
	}
	if (ddb_cred_from_json(res.body, res.body_len, shape, out, err, sizeof(err)) != 0)
	{
		wipe_pfree(res.body, res.body_len);
		if (step == STEP_CONTAINER)
			ddb_cred_fail(cfg, from, errdetail("The endpoint %s answered, but %s.", url, err));
		ddb_cred_fail(cfg, from,
					  errdetail("The role's credentials at %s answered, but %s.", url, err));
	}
	wipe_pfree(res.body, res.body_len);
}

void
ddb_fetch_container(const DdbCredConfig *cfg, ddb_cred *out)
{
	const char *from = _("the container credentials endpoint");
	char		url[2048];
	char		err[256];
	const char *token_file = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *token_env = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	char	   *token = NULL;
	size_t		token_len = 0;
	char	   *auth_line = NULL;
	const char *headers[2] = {NULL, NULL};

	memset(out, 0, sizeof(*out));
	if (ddb_container_url(getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"),
						  getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
						  url, sizeof(url), err, sizeof(err)) != 0)
		ddb_cred_fail(cfg, from,
					  errdetail("In the server's environment, %s.", err),
					  errhint("ECS sets these variables in a task with a task role, EKS Pod Identity in a pod with an association; they must reach the PostgreSQL server's environment."));
	if (token_file && *token_file)
	{
		token = read_file(token_file, &token_len);
		if (token == NULL)
			ddb_cred_fail(cfg, from,
						  errdetail("Could not read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \"%s\": %m.",
									token_file));
		chomp(token);
	}
	else if (token_env && *token_env)
	{
		token = pstrdup(token_env);
		token_len = strlen(token);
	}
	if (token)
	{
		if (!header_value_ok(token))
		{
			wipe_pfree(token, token_len);
			ddb_cred_fail(cfg, from,
						  errdetail("The container authorization token holds control characters."));
		}
		auth_line = psprintf("Authorization: %s", token);
		headers[0] = auth_line;
		wipe_pfree(token, token_len);
	}
	PG_TRY();
	{
		get_json_credentials(cfg, from, STEP_CONTAINER, url, headers,
							 DDB_CRED_JSON_CONTAINER, out);
	}
	PG_FINALLY();
	{
		if (auth_line)
			wipe_pfree(auth_line, strlen(auth_line));
	}
	PG_END_TRY();
}

/* ---- EC2 instance metadata (IMDSv2) ----------------------------------- */

void
ddb_fetch_instance(const DdbCredConfig *cfg, ddb_cred *out)
{
	const char *from = _("the EC2 instance metadata service (IMDSv2)");
	const char *disabled = getenv("AWS_EC2_METADATA_DISABLED");
	char		base[1024];
	char		err[256];
	char	   *url;
	const char *put_headers[2];
	const char *get_headers[2];
	char	   *token_line;
	DdbHttpResult res;
	int			attempt;
	char	   *role;
	size_t		n;

	memset(out, 0, sizeof(*out));
	if (disabled && pg_strcasecmp(disabled, "true") == 0)
		ddb_cred_fail(cfg, from,
					  errdetail("AWS_EC2_METADATA_DISABLED is true in the server's environment."));
	if (ddb_imds_base(cfg->imds_endpoint, getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT"),
					  getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"),
					  base, sizeof(base), err, sizeof(err)) != 0)
		ddb_cred_fail(cfg, from, errdetail("%s.", err));

	/* a session token first; without one there is no IMDSv1 fallback */
	url = psprintf("%s/latest/api/token", base);
	put_headers[0] = "X-aws-ec2-metadata-token-ttl-seconds: " IMDS_TOKEN_TTL;
	put_headers[1] = NULL;
	for (attempt = 1;; attempt++)
	{
		http_request(cfg, "PUT", url, put_headers, NULL, true, &res);
		if (res.status == 200 || attempt >= MAX_ATTEMPTS || !http_retryable(&res))
			break;
		backoff_wait(attempt);
	}
	if (res.status != 200 || res.body_len == 0)
		ddb_cred_fail(cfg, from, errdetail_http_failure(STEP_IMDS_TOKEN, url, &res, attempt),
					  res.status == 403 || res.status == 405 ?
					  errhint("The PUT may have been refused by a proxy or the instance's hop limit: containers on the instance need an IMDS hop limit of 2.") : 0);
	chomp(res.body);
	if (!header_value_ok(res.body) || res.body[0] == '\0')
	{
		wipe_pfree(res.body, res.body_len);
		ddb_cred_fail(cfg, from,
					  errdetail("The session token it answered is not printable text."));
	}
	token_line = psprintf("X-aws-ec2-metadata-token: %s", res.body);
	wipe_pfree(res.body, res.body_len);
	get_headers[0] = token_line;
	get_headers[1] = NULL;

	PG_TRY();
	{
		/* the role of the instance profile */
		url = psprintf("%s/latest/meta-data/iam/security-credentials/", base);
		for (attempt = 1;; attempt++)
		{
			http_request(cfg, "GET", url, get_headers, NULL, true, &res);
			if (res.status == 200 || attempt >= MAX_ATTEMPTS || !http_retryable(&res))
				break;
			backoff_wait(attempt);
		}
		if (res.status == 404)
			ddb_cred_fail(cfg, from, errdetail("%s: the instance has no IAM role.", url),
						  errhint("Attach an instance profile with an IAM role to the instance."));
		if (res.status != 200)
			ddb_cred_fail(cfg, from,
						  errdetail_http_failure(STEP_IMDS_ROLE_LIST, url, &res, attempt));
		role = res.body;
		n = strcspn(role, "\r\n");
		role[n] = '\0';
		if (n == 0 || n > 128 || strspn(role, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+=,.@-_") != n)
			ddb_cred_fail(cfg, from,
						  errdetail("The role list at %s does not hold a role name.", url));

		url = psprintf("%s/latest/meta-data/iam/security-credentials/%s", base, role);
		get_json_credentials(cfg, from, STEP_IMDS_ROLE, url, get_headers,
							 DDB_CRED_JSON_IMDS, out);
	}
	PG_FINALLY();
	{
		wipe_pfree(token_line, strlen(token_line));
	}
	PG_END_TRY();
}

/* ---- credential_process ----------------------------------------------- */

/*
 * In the child, between fork and exec (signals blocked): only
 * async-signal-safe calls.
 */
static void
child_exec(char **argv, int out_fd, int err_fd)
{
	sigset_t	none;
	int			devnull = open("/dev/null", O_RDONLY);

	if (devnull >= 0)
		dup2(devnull, 0);
	dup2(out_fd, 1);
	dup2(err_fd, 2);
	/* nothing of the backend (client socket, data files) goes to the child */
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3U, ~0U, 0U) != 0)
#endif
	{
		int			fd;

		for (fd = 3; fd < 65536; fd++)
			close(fd);
	}
	signal(SIGPIPE, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvp(argv[0], argv);
	_exit(127);
}

typedef struct ProcRun
{
	pid_t		pid;
	int			out_fd;
	int			err_fd;
	StringInfoData out;
	StringInfoData err;
} ProcRun;

static void
proc_kill(ProcRun *p)
{
	int			status;

	if (p->pid > 0)
	{
		kill(p->pid, SIGKILL);
		while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
			;
		p->pid = 0;
	}
	if (p->out_fd >= 0)
		close(p->out_fd);
	if (p->err_fd >= 0)
		close(p->err_fd);
	p->out_fd = p->err_fd = -1;
}

/* The first line of what the process wrote to stderr, printable, short. */
static char *
stderr_excerpt(const StringInfo err)
{
	size_t		n = strcspn(err->data, "\r\n");
	char	   *s;
	size_t		i;

	n = Min(n, 200);
	s = pnstrdup(err->data, n);
	for (i = 0; i < n; i++)
		if ((unsigned char) s[i] < 0x20 || (unsigned char) s[i] == 0x7f)
			s[i] = ' ';
	return s;
}

/*
 * The error of a credential_process that did not exit with status 0: how
 * it ended, and the first line it wrote to stderr, if any.
 */
static void
process_failed(const DdbCredConfig *cfg, const char *from, const char *prog, int status,
			   const StringInfo err)
{
	char	   *excerpt = err->len > 0 ? stderr_excerpt(err) : NULL;

	if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && excerpt == NULL)
		ddb_cred_fail(cfg, from, errdetail("\"%s\" could not be run (status 127).", prog));
	if (WIFEXITED(status) && excerpt)
		ddb_cred_fail(cfg, from, errdetail("\"%s\" exited with status %d: %s.", prog,
										   WEXITSTATUS(status), excerpt));
	if (WIFEXITED(status))
		ddb_cred_fail(cfg, from, errdetail("\"%s\" exited with status %d.", prog,
										   WEXITSTATUS(status)));
	if (excerpt)
		ddb_cred_fail(cfg, from, errdetail("\"%s\" was terminated by signal %d: %s.", prog,
										   WTERMSIG(status), excerpt));
	ddb_cred_fail(cfg, from, errdetail("\"%s\" was terminated by signal %d.", prog,
									   WTERMSIG(status)));
}

static void
run_process(const DdbCredConfig *cfg, const char *from, const char *cmd, ddb_cred *out)
{
	char		err[256];
	int			argc;
	char	  **argv = ddb_shell_split(cmd, &argc, err, sizeof(err));
	int			out_pipe[2];
	int			err_pipe[2];
	ProcRun    *p;
	int			status = 0;
	long long	deadline;
	sigset_t	all_signals;
	sigset_t	saved_mask;

	memset(out, 0, sizeof(*out));
	if (argv == NULL)
		ddb_cred_fail(cfg, from,
					  errdetail("The credential_process command cannot be split into words: %s.", err));
	if (pipe(out_pipe) != 0)
	{
		ddb_shell_split_free(argv);
		ddb_cred_fail(cfg, from, errdetail("Could not create a pipe: %m."));
	}
	if (pipe(err_pipe) != 0)
	{
		close(out_pipe[0]);
		close(out_pipe[1]);
		ddb_shell_split_free(argv);
		ddb_cred_fail(cfg, from, errdetail("Could not create a pipe: %m."));
	}
	p = palloc0(sizeof(ProcRun));
	initStringInfo(&p->out);
	initStringInfo(&p->err);
	/*
	 * No signal handler of the backend may run in the child before exec:
	 * block everything around fork; the child resets the handlers before it
	 * unblocks.
	 */
	fflush(NULL);
	sigfillset(&all_signals);
	sigprocmask(SIG_SETMASK, &all_signals, &saved_mask);
	p->pid = fork();
	if (p->pid == 0)
		child_exec(argv, out_pipe[1], err_pipe[1]);
	sigprocmask(SIG_SETMASK, &saved_mask, NULL);
	close(out_pipe[1]);
	close(err_pipe[1]);
	p->out_fd = out_pipe[0];
	p->err_fd = err_pipe[0];
	if (p->pid < 0)
	{
		char	   *prog = pstrdup(argv[0]);
		int			save = errno;

		p->pid = 0;
		proc_kill(p);
		ddb_shell_split_free(argv);
		errno = save;
		ddb_cred_fail(cfg, from, errdetail("Could not start \"%s\": %m.", prog));
	}
	deadline = (long long) time(NULL) + Max(1, cfg->sopts.request_timeout_ms / 1000);

	PG_TRY();
	{
		while (p->out_fd >= 0 || p->err_fd >= 0)
		{
			struct pollfd fds[2];
			int			nfds = 0;
			int			i;

			CHECK_FOR_INTERRUPTS();
			if ((long long) time(NULL) > deadline)
				ddb_cred_fail(cfg, from,
							  errdetail("\"%s\" did not finish within request_timeout (%d ms) and was killed.",
										argv[0], cfg->sopts.request_timeout_ms));
			if (p->out_fd >= 0)
			{
				fds[nfds].fd = p->out_fd;
				fds[nfds++].events = POLLIN;
			}
			if (p->err_fd >= 0)
			{
				fds[nfds].fd = p->err_fd;
				fds[nfds++].events = POLLIN;
			}
			if (poll(fds, nfds, 100) < 0 && errno != EINTR)
				ddb_cred_fail(cfg, from, errdetail("Could not wait for \"%s\": %m.", argv[0]));
			for (i = 0; i < nfds; i++)
			{
				char		buf[4096];
				ssize_t		r;
				bool		is_out = fds[i].fd == p->out_fd;
				StringInfo	dst = is_out ? &p->out : &p->err;

				if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
					continue;
				r = read(fds[i].fd, buf, sizeof(buf));
				if (r < 0 && (errno == EINTR || errno == EAGAIN))
					continue;
				if (r <= 0)
				{
					close(fds[i].fd);
					if (is_out)
						p->out_fd = -1;
					else
						p->err_fd = -1;
					continue;
				}
				if (is_out && p->out.len + r > DDB_CRED_MAX_ANSWER)
					ddb_cred_fail(cfg, from,
								  errdetail("\"%s\" wrote more than %d bytes and was killed.",
											argv[0], DDB_CRED_MAX_ANSWER));
				if (is_out || p->err.len < 4096)
					appendBinaryStringInfo(dst, buf, r);
				explicit_bzero(buf, sizeof(buf));
			}
		}
		while (waitpid(p->pid, &status, 0) < 0)
		{
			if (errno != EINTR)
				ddb_cred_fail(cfg, from, errdetail("Could not wait for \"%s\": %m.", argv[0]));
			CHECK_FOR_INTERRUPTS();
		}
		p->pid = 0;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			process_failed(cfg, from, argv[0], status, &p->err);
		if (ddb_cred_from_json(p->out.data, p->out.len, DDB_CRED_JSON_PROCESS, out, err, sizeof(err)) != 0)
			ddb_cred_fail(cfg, from, errdetail("\"%s\" ran, but %s.", argv[0], err));
	}
	PG_FINALLY();
	{
		proc_kill(p);
		explicit_bzero(p->out.data, p->out.maxlen);
		ddb_shell_split_free(argv);
	}
	PG_END_TRY();
}

/* ---- profiles --------------------------------------------------------- */

/* A config file path: the variable, else ~/.aws/<name>; "~/" expanded. */
static char *
aws_file(const char *var, const char *name)
{
	const char *v = getenv(var);
	const char *home = getenv("HOME");

	if (home == NULL || *home == '\0')
	{
		struct passwd *pw = getpwuid(geteuid());

		home = pw ? pw->pw_dir : "";
	}
	if (v && *v)
	{
		if (strncmp(v, "~/", 2) == 0)
			return psprintf("%s%s", home, v + 1);
		return pstrdup(v);
	}
	return psprintf("%s/.aws/%s", home, name);
}

void
ddb_fetch_profile(const DdbCredConfig *cfg, ddb_cred *out)
{
	const char *name = cfg->profile;
	char	   *config_path = aws_file("AWS_CONFIG_FILE", "config");
	char	   *creds_path = aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
	size_t		config_len = 0;
	size_t		creds_len = 0;
	char	   *config;
	char	   *creds;
	int			config_errno;
	int			creds_errno;
	char		err[512];
	char	   *from;
	ddb_profile_plan *plan;
	ddb_cred   *cur;
	ddb_cred   *next;
	int			i;
	int			rc;

	memset(out, 0, sizeof(*out));
	if (name == NULL)
		name = getenv("AWS_PROFILE");
	if (name == NULL || *name == '\0')
		name = "default";
	from = psprintf(_("profile \"%s\""), name);

	config = read_file(config_path, &config_len);
	config_errno = config ? 0 : errno;
	creds = read_file(creds_path, &creds_len);
	creds_errno = creds ? 0 : errno;
	if ((config == NULL && config_errno != ENOENT) || (creds == NULL && creds_errno != ENOENT))
	{
		errno = config == NULL && config_errno != ENOENT ? config_errno : creds_errno;
		ddb_cred_fail(cfg, from,
					  errdetail("Could not read \"%s\": %m.",
								config == NULL && config_errno != ENOENT ? config_path : creds_path));
	}
	if (config == NULL && creds == NULL)
		ddb_cred_fail(cfg, from,
					  errdetail("Neither \"%s\" nor \"%s\" exists.", config_path, creds_path),
					  errhint("Set AWS_CONFIG_FILE or AWS_SHARED_CREDENTIALS_FILE in the server's environment, or give the server's operating system user its own ~/.aws files."));

	plan = palloc0(sizeof(ddb_profile_plan));
	rc = ddb_profile_resolve(config, config_len, creds, creds_len, name, plan, err, sizeof(err));
	if (config)
		wipe_pfree(config, config_len);
	if (creds)
		wipe_pfree(creds, creds_len);
	if (rc != 0)
	{
		ddb_profile_plan_free(plan);
		ddb_cred_fail(cfg, from,
					  errdetail("In \"%s\" and \"%s\": %s.", config_path, creds_path, err));
	}

	cur = palloc0(sizeof(ddb_cred));
	next = palloc0(sizeof(ddb_cred));
	PG_TRY();
	{
		char	   *base_from = psprintf(_("profile \"%s\""), plan->base_profile);

		switch (plan->base)
		{
			case DDB_PROFILE_STATIC:
				cur->access_key_id = strdup(plan->access_key_id);
				cur->secret_access_key = strdup(plan->secret_access_key);
				cur->session_token = plan->session_token ? strdup(plan->session_token) : NULL;
				if (cur->access_key_id == NULL || cur->secret_access_key == NULL ||
					(plan->session_token && cur->session_token == NULL))
					ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
				if (!ddb_cred_valid(cur))
					ddb_cred_fail(cfg, base_from,
								  errdetail("Its keys hold spaces or control characters."));
				break;
			case DDB_PROFILE_PROCESS:
				run_process(cfg, psprintf(_("the credential_process of profile \"%s\""), plan->base_profile),
							plan->process, cur);
				break;
			case DDB_PROFILE_WEB_IDENTITY:
				web_identity(cfg, psprintf(_("the web identity of profile \"%s\""), plan->base_profile),
							 plan->web_identity_token_file, plan->web_role_arn,
							 plan->web_session_name, cur);
				break;
			case DDB_PROFILE_ENVIRONMENT:
				ddb_fetch_environment(cfg, cur);
				break;
			case DDB_PROFILE_INSTANCE:
				ddb_fetch_instance(cfg, cur);
				break;
			case DDB_PROFILE_CONTAINER:
				ddb_fetch_container(cfg, cur);
				break;
		}
		for (i = 0; i < plan->nroles; i++)
		{
			ddb_profile_role *r = &plan->roles[i];

			ddb_assume_role(cfg, cur, r->role_arn, r->external_id, r->session_name,
							r->duration_seconds,
							psprintf(_("STS AssumeRole of role \"%s\" (profile \"%s\")"),
									 r->role_arn, r->profile),
							next);
			ddb_cred_free(cur);
			*cur = *next;
			memset(next, 0, sizeof(*next));
		}
	}
	PG_CATCH();
	{
		ddb_cred_free(cur);
		ddb_cred_free(next);
		ddb_profile_plan_free(plan);
		PG_RE_THROW();
	}
	PG_END_TRY();
	ddb_profile_plan_free(plan);
	*out = *cur;
}
