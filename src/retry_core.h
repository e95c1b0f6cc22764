/*-------------------------------------------------------------------------
 * retry_core.h
 *	  Pure C rules of the call layer: which failed attempts are tried again,
 *	  how long to back off, and the requests-per-second limiter.
 *
 * No PostgreSQL headers and no libcurl: http.c maps libcurl's outcome onto
 * ddb_attempt and keeps time as microseconds; the rules themselves are
 * unit-tested (test/unit/test_retry_core.c) and fuzzed
 * (test/fuzz/fuzz_retry_core.c) on their own.
 *-------------------------------------------------------------------------
 */
#ifndef DDB_RETRY_CORE_H
#define DDB_RETRY_CORE_H

#include <stdbool.h>
#include <stdint.h>

/* ----------------------------------------------------------------
 * Retry classifier
 * ----------------------------------------------------------------
 */

/* How one attempt ended, as the transport saw it. */
typedef enum ddb_attempt_end
{
	DDB_END_ANSWER,				/* an HTTP answer arrived */
	DDB_END_NOT_SENT,			/* no exchange: DNS, connect, TLS handshake */
	DDB_END_LOST,				/* the exchange broke off: reset, timeout,
								 * truncated answer, an answer that is not
								 * HTTP */
	DDB_END_FATAL				/* retrying cannot help: certificates, TLS
								 * set-up, out of memory, a resend refused */
} ddb_attempt_end;

typedef struct ddb_attempt
{
	ddb_attempt_end end;
	bool		body_sent;		/* DDB_END_LOST: the whole request had been
								 * handed to the network */
	long		status;			/* DDB_END_ANSWER: HTTP status */
	bool		body_is_json;	/* DDB_END_ANSWER: the body parsed as JSON */
	bool		throttling;		/* DDB_END_ANSWER: its __type asks the client to
								 * slow down (ddb_error_is_throttling) */
} ddb_attempt;

/* Whether an attempt that failed may be tried again. */
typedef enum ddb_retry_class
{
	DDB_RETRY_NEVER,			/* the answer is final */
	DDB_RETRY_ALWAYS,			/* DynamoDB did not act on it */
	DDB_RETRY_IF_IDEMPOTENT		/* DynamoDB may have acted on it */
} ddb_retry_class;

/*
 * The class of an attempt that did not end with a 200 answer in JSON:
 *
 *	- always: throttling answers (400 in JSON with a throttling __type),
 *	  and transport failures before the whole request was handed to the
 *	  network;
 *	- if idempotent: 5xx answers, 400 answers that are not JSON, 200
 *	  answers that are not JSON, and transport failures after the whole
 *	  request was sent;
 *	- never: other answers, and fatal transport failures.
 *
 * A 200 answer in JSON is a success: DDB_RETRY_NEVER.
 */
extern ddb_retry_class ddb_retry_classify(const ddb_attempt *a);

/*
 * Whether an attempt of class cls, the attempts-th of a call, is followed
 * by another: allowed by its class and the call's idempotence, and no more
 * than max_retries retries in all.  *not_repeated is set when the class
 * allowed a retry for an idempotent call only and this one is not: the
 * error then says that the request may have been applied.
 */
extern bool ddb_retry_allowed(ddb_retry_class cls, bool idempotent, int attempts,
							  int max_retries, bool *not_repeated);

/* ----------------------------------------------------------------
 * Backoff: exponential with full jitter
 * ----------------------------------------------------------------
 */
#define DDB_BACKOFF_BASE_MS 25
#define DDB_BACKOFF_CAP_MS 5000

/* min(DDB_BACKOFF_CAP_MS, DDB_BACKOFF_BASE_MS * 2^(n - 1)) for the n-th wait (n >= 1). */
extern long ddb_backoff_ceiling_ms(int n);

/* The n-th wait: uniform in [0, ddb_backoff_ceiling_ms(n)], drawn from random. */
extern long ddb_backoff_ms(int n, uint64_t random);

/* ----------------------------------------------------------------
 * Rate limiter: a bucket of one token, so requests never burst
 * ----------------------------------------------------------------
 *
 * Times are microseconds on any one clock.  A statement starts with the
 * server's rate; the first table that sets one in the statement replaces
 * it, later tables may only lower it (0 = unlimited).
 */
typedef struct ddb_rate
{
	int			per_second;		/* 0 = unlimited */
	bool		from_table;		/* a table set per_second in this statement */
	int64_t		statement;		/* the statement per_second was set for */
	int64_t		next;			/* when the next request may go */
} ddb_rate;

/* The server's rate, unless already set for this statement. */
extern void ddb_rate_statement(ddb_rate *r, int64_t statement, int server_rate);

/* A table's rate: replaces the server's, or lowers an earlier table's. */
extern void ddb_rate_table(ddb_rate *r, int64_t statement, int table_rate);

/* The earliest time at or after not_before when a request may go. */
extern int64_t ddb_rate_ready(const ddb_rate *r, int64_t not_before);

/* Takes the token for a request sent at now. */
extern void ddb_rate_take(ddb_rate *r, int64_t now);

#endif							/* DDB_RETRY_CORE_H */
