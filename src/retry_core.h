/*-------------------------------------------------------------------------
 * retry_core.h
 *	  Pure C rules of the call layer: which failed attempts are tried again,
 *	  how long to back off, the requests-per-second limiter, and the
 *	  capacity budget (a token bucket in capacity units, with AIMD).
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

/* ----------------------------------------------------------------
 * Capacity budget: a token bucket in capacity units, with AIMD
 * ----------------------------------------------------------------
 *
 * A budget caps the capacity units per second that the reads (or the
 * writes) of one table consume.  Tokens are capacity units.  They flow in
 * at the budget's current rate, up to a bucket of DDB_BUDGET_BUCKET_S
 * seconds of it.  A request is sent once the bucket holds its estimated
 * cost (or is full, when the estimate is bigger), and the estimate is taken
 * out; when the answer says what the request consumed, the difference is
 * settled.  The bucket may go into debt (a request that cost more than
 * estimated); later requests then wait until it is paid.  Over any t
 * seconds, what is sent therefore costs at most rate * t plus one bucket,
 * plus what the estimates of the requests still in flight missed.
 *
 * The rate is the budget until DynamoDB throttles a request.  Then it is
 * cut by half (at most once per DDB_AIMD_HOLD_US: the requests already in
 * flight do not cut it again) and never below DDB_AIMD_FLOOR of the
 * budget; from then on the rate grows back by DDB_AIMD_GROWTH_PER_S of
 * the budget per second.  Every throttle also empties the bucket and puts
 * it in debt by DDB_AIMD_PAUSE_S of the rate: DynamoDB has nothing left for
 * the table right now, and retrying at once would only be throttled again.  Times are microseconds
 * on one clock, as for ddb_rate.  A statement starts with the server's
 * budget; the first table that sets one replaces it, later tables may only
 * lower it (0 = none), as for ddb_rate.  The throttling state outlives the
 * statement: DynamoDB's table is no less busy because a statement ended.
 */
#define DDB_BUDGET_BUCKET_S 0.1		/* the bucket holds 0.1 s of the rate */
#define DDB_BUDGET_PAGE_S 0.1		/* a Query or Scan page aims at 0.1 s of it */
#define DDB_AIMD_CUT 0.5
#define DDB_AIMD_FLOOR (1.0 / 32)
#define DDB_AIMD_GROWTH_PER_S 0.05
#define DDB_AIMD_HOLD_US 1000000
#define DDB_AIMD_PAUSE_S 0.25		/* a throttle's pause, in seconds of the rate */
#define DDB_BUDGET_MAX_UNITS 1e9	/* the largest budget an option may give */
#define DDB_BUDGET_MAX_LIMIT 100000 /* the largest page Limit it asks for */

typedef struct ddb_budget
{
	double		limit;			/* units per second; 0 = no budget */
	bool		from_table;		/* a table set limit in this statement */
	int64_t		statement;		/* the statement limit was set for */
	double		tokens;			/* units that may be spent; < 0: a debt */
	int64_t		refilled;		/* when tokens were brought up to date; 0:
								 * never (the bucket starts full) */
	double		cut_rate;		/* the rate right after the last cut; 0: the
								 * rate is the budget */
	int64_t		cut_at;			/* when the last cut was; 0: never */
} ddb_budget;

/* The server's budget, unless already set for this statement. */
extern void ddb_budget_statement(ddb_budget *b, int64_t statement, double server_limit);

/* A table's budget: replaces the server's, or lowers an earlier table's. */
extern void ddb_budget_table(ddb_budget *b, int64_t statement, double table_limit);

/* The rate the budget allows at now, in units per second (0: no budget). */
extern double ddb_budget_rate(const ddb_budget *b, int64_t now);

/* The tokens the bucket holds at now (what has flowed in since refilled). */
extern double ddb_budget_tokens(const ddb_budget *b, int64_t now);

/*
 * The earliest time at or after now when a request estimated to cost
 * estimate units may go.
 */
extern int64_t ddb_budget_ready(const ddb_budget *b, int64_t now, double estimate);

/* Takes a request's estimate out of the bucket when it is sent at now. */
extern void ddb_budget_take(ddb_budget *b, int64_t now, double estimate);

/*
 * Settles a request that was estimated at estimate units and consumed
 * actual units (a throttled request consumed none).
 */
extern void ddb_budget_settle(ddb_budget *b, int64_t now, double estimate, double actual);

/*
 * DynamoDB throttled a request at now: the multiplicative decrease, and a
 * pause.  Returns whether the rate was cut (not within DDB_AIMD_HOLD_US of
 * the last cut, and only under a budget).
 */
extern bool ddb_budget_throttled(ddb_budget *b, int64_t now);

/*
 * The Limit a Query or Scan page is given under the budget, so that it
 * costs about DDB_BUDGET_PAGE_S seconds of the rate: 0 without a budget,
 * else at least 1.  per_item is what an item evaluated costs (units).
 */
extern long ddb_budget_page_limit(const ddb_budget *b, int64_t now, double per_item);

/* ----------------------------------------------------------------
 * Cost estimates: what the next request of a kind will consume
 * ----------------------------------------------------------------
 *
 * Kept per table and operation from the answers' ConsumedCapacity: the
 * last cost, and the cost per item (items evaluated by a Query or Scan,
 * keys or items of a batch, 1 for a single-item operation).  Before the
 * first answer, an item is guessed at DDB_COST_READ_GUESS or
 * DDB_COST_WRITE_GUESS units.
 */
#define DDB_COST_READ_GUESS 0.5		/* one 4 KB strongly consistent read */
#define DDB_COST_WRITE_GUESS 1.0	/* one 1 KB write */

typedef struct ddb_cost
{
	bool		seen;			/* an answer said what a request cost */
	double		last;			/* what the last request consumed */
	double		per_item;		/* units per item of the last request that
								 * had items; 0: not known */
} ddb_cost;

/* Records what a request of items items consumed (items may be 0). */
extern void ddb_cost_observe(ddb_cost *c, double units, long long items);

/*
 * The estimate for a request of items items (0: not known), guess the cost
 * of an item before any answer.  page: the items are a Query's or Scan's
 * Limit, an upper bound, so the last page's cost caps the estimate.
 */
extern double ddb_cost_estimate(const ddb_cost *c, long long items, bool page, double guess);

#endif							/* DDB_RETRY_CORE_H */
