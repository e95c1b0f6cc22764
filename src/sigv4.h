/*-------------------------------------------------------------------------
 * sigv4.h
 *	  AWS Signature Version 4 for DynamoDB JSON requests (pure C, OpenSSL).
 *
 * No PostgreSQL headers: this file is unit-tested and cross-checked against
 * botocore's SigV4Auth without a server.
 *-------------------------------------------------------------------------
 */
#ifndef DDB_SIGV4_H
#define DDB_SIGV4_H

#include <stddef.h>

/*
 * One POST request to be signed.  The signed headers are exactly:
 *   content-type, host, x-amz-date, x-amz-security-token (only when
 *   session_token is non-NULL and non-empty), x-amz-target (only when
 *   amz_target is non-NULL: JSON services such as DynamoDB have one, query
 *   services such as STS none)
 * in that (sorted) order.  The caller sends the same header values.
 */
typedef struct ddb_sigv4_request
{
	const char *host;			/* Host header value, e.g. "127.0.0.1:8000" */
	const char *path;			/* URI path, normally "/" (will be URI-encoded per SigV4) */
	const char *region;			/* "us-east-1" */
	const char *service;		/* "dynamodb" */
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token;	/* NULL or "" when absent */
	const char *amz_target;		/* "DynamoDB_20120810.Query"; NULL for STS */
	const char *content_type;	/* "application/x-amz-json-1.0" */
	const char *amz_date;		/* "YYYYMMDDTHHMMSSZ" */
	const char *body;
	size_t		body_len;
} ddb_sigv4_request;

/*
 * Writes the full Authorization header value ("AWS4-HMAC-SHA256
 * Credential=..., SignedHeaders=..., Signature=...") into out.
 * Returns 0 on success, -1 if out is too small or an input is missing.
 */
extern int	ddb_sigv4_authorization(const ddb_sigv4_request *req,
									char *out, size_t outlen);

/*
 * Writes the canonical request that ddb_sigv4_authorization signs into out
 * (NUL-terminated), for debugging signature mismatches.  Same return
 * convention.  Added for the botocore cross-check; purely additive.
 */
extern int	ddb_sigv4_canonical_request(const ddb_sigv4_request *req,
										char *out, size_t outlen);

/* Formats t (seconds since epoch, UTC) as "YYYYMMDDTHHMMSSZ" into out[17]. */
extern void ddb_sigv4_amz_date(long long t, char out[17]);

#endif
