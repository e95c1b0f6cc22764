/*-------------------------------------------------------------------------
 * credentials_core.h
 *	  The parts of ddbrel's credential providers that read untrusted text or
 *	  decide by rule: the JSON of credential_process, container and
 *	  instance metadata answers, STS's XML answers, ISO 8601 times, the
 *	  container and instance metadata URLs, STS request bodies, and when
 *	  cached credentials must be fetched again.
 *
 * Pure C (cJSON, libxml2), no PostgreSQL headers: unit-tested
 * (test/unit/test_credentials_core.c) and fuzzed
 * (test/fuzz/fuzz_credentials_core.c).  Strings are malloc'd; secrets are wiped
 * before they are freed.  Error texts never hold a secret.
 *-------------------------------------------------------------------------
 */
#ifndef DDB_CREDENTIALS_CORE_H
#define DDB_CREDENTIALS_CORE_H

#include <stdbool.h>
#include <stddef.h>

/* Temporary credentials are fetched again this long before they expire ... */
#define DDB_CRED_REFRESH_MARGIN_S 300
/* ... or, inside the transaction that last used them, only this long before. */
#define DDB_CRED_MIN_MARGIN_S 60

/* Bigger answers from a credential endpoint or process are refused. */
#define DDB_CRED_MAX_ANSWER (256 * 1024)

typedef struct ddb_cred
{
	char	   *access_key_id;
	char	   *secret_access_key;
	char	   *session_token;	/* NULL when absent */
	long long	expiration;		/* seconds since the epoch; 0: does not expire */
} ddb_cred;

/* Wipes and frees what the struct holds and zeroes it. */
extern void ddb_cred_free(ddb_cred *c);

/* Whether every value can go into an HTTP header: printable, no CR/LF. */
extern bool ddb_cred_valid(const ddb_cred *c);

/*
 * Parses an ISO 8601 UTC time as AWS writes them ("2024-05-01T12:00:00Z",
 * with optional fractions and a "+hh:mm"/"-hh:mm" offset) into seconds
 * since the epoch.  Returns 0, or -1 when it is not such a time.
 */
extern int	ddb_parse_iso8601(const char *s, long long *out);

/* The JSON shapes credential answers come in. */
typedef enum ddb_cred_json
{
	DDB_CRED_JSON_PROCESS,		/* credential_process: Version 1, SessionToken */
	DDB_CRED_JSON_CONTAINER,	/* ECS / EKS Pod Identity: Token */
	DDB_CRED_JSON_IMDS			/* EC2 instance metadata: Code, Token */
} ddb_cred_json;

/*
 * Reads credentials from a JSON answer.  Returns 0 and fills *out, or -1
 * with the reason in err (an error code and message the answer itself
 * carries are quoted; values of credential fields never are).
 */
extern int	ddb_cred_from_json(const char *text, size_t len, ddb_cred_json shape,
							   ddb_cred *out, char *err, size_t errlen);

/*
 * Reads an STS answer (AssumeRole, AssumeRoleWithWebIdentity).  Returns 0
 * with *out filled; 1 for an ErrorResponse, with its Code and Message in
 * code and message; -1 when the text is not an STS answer (reason in
 * message).  Documents with a DOCTYPE are refused before parsing, and the
 * parser neither loads nor substitutes entities, nor uses the network.
 */
extern int	ddb_sts_parse(const char *xml, size_t len, ddb_cred *out,
						  char *code, size_t codelen, char *message, size_t msglen);

/*
 * An STS query body: "Action=<action>&Version=2011-06-15" followed by the
 * (name, value) pairs of params (n names and values, NULL values skipped),
 * form-encoded.  malloc'd; NULL when out of memory.
 */
extern char *ddb_sts_body(const char *action, const char *const *params, int n);

/*
 * The container credentials URL: http://169.254.170.2 + relative when
 * relative (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) is set, else full
 * (AWS_CONTAINER_CREDENTIALS_FULL_URI), which over plain http must name a
 * loopback address or the ECS/EKS agent's link-local address.  Returns 0,
 * or -1 with the reason in err.
 */
extern int	ddb_container_url(const char *relative, const char *full,
							  char *out, size_t outlen, char *err, size_t errlen);

/*
 * The instance metadata base URL without a trailing slash: option, else
 * env_endpoint (AWS_EC2_METADATA_SERVICE_ENDPOINT), else by env_mode
 * (AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE, "IPv4" or "IPv6") the
 * well-known address.  Returns 0, or -1 with the reason in err.
 */
extern int	ddb_imds_base(const char *option, const char *env_endpoint,
						  const char *env_mode, char *out, size_t outlen,
						  char *err, size_t errlen);

/*
 * Whether credentials expiring at expiration must be fetched again at now
 * by a new statement: DDB_CRED_REFRESH_MARGIN_S before they expire, or only
 * DDB_CRED_MIN_MARGIN_S before when same_transaction (the statements of a
 * transaction keep one set of credentials while it has more than a minute
 * left, rather than each fetching anew in its last five minutes).
 */
extern bool ddb_cred_refresh_due(long long now, long long expiration,
								 bool same_transaction);

/*
 * Whether credentials fetched at fetched and expiring at expiration must be
 * fetched again at now within a statement (a request about to be signed):
 * DDB_CRED_MIN_MARGIN_S before they expire, or half their lifetime before
 * when that is shorter, so that short-lived credentials still serve half
 * of their life and a request signed with them has time to arrive.
 */
extern bool ddb_cred_renew_due(long long now, long long fetched, long long expiration);

#endif
