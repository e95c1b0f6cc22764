/*-------------------------------------------------------------------------
 * retry_core.c
 *	  Pure C rules of the call layer: the retry classifier, exponential
 *	  backoff with full jitter, and the one-token rate limiter.
 *
 * A request is tried again only when DynamoDB cannot have acted on it, or
 * when acting on it twice changes nothing (the call is idempotent).  The
 * rules are here, apart from libcurl and PostgreSQL, so that they are
 * unit-tested and fuzzed exactly as http.c uses them; see retry_core.h.
 *-------------------------------------------------------------------------
 */
#include "retry_core.h"

#include <stddef.h>

ddb_retry_class
ddb_retry_classify(const ddb_attempt *a)
{
	switch (a->end)
	{
		case DDB_END_NOT_SENT:
			return DDB_RETRY_ALWAYS;
		case DDB_END_LOST:
			/* a request that never went out whole cannot have been applied */
			return a->body_sent ? DDB_RETRY_IF_IDEMPOTENT : DDB_RETRY_ALWAYS;
		case DDB_END_FATAL:
			return DDB_RETRY_NEVER;
		case DDB_END_ANSWER:
			break;
	}
	if (a->status == 200)
		return a->body_is_json ? DDB_RETRY_NEVER : DDB_RETRY_IF_IDEMPOTENT;
	if (a->status >= 500)
		return DDB_RETRY_IF_IDEMPOTENT;
	if (a->status == 400)
	{
		/* an error answer we cannot read is no answer: like a lost one */
		if (!a->body_is_json)
			return DDB_RETRY_IF_IDEMPOTENT;
		if (a->throttling)
			return DDB_RETRY_ALWAYS;
	}
	return DDB_RETRY_NEVER;
}

bool
ddb_retry_allowed(ddb_retry_class cls, bool idempotent, int attempts, int max_retries,
				  bool *not_repeated)
{
	bool		allowed;

	allowed = (cls == DDB_RETRY_ALWAYS ||
			   (cls == DDB_RETRY_IF_IDEMPOTENT && idempotent));
	*not_repeated = (cls == DDB_RETRY_IF_IDEMPOTENT && !idempotent);
	return allowed && attempts <= max_retries;
}

long
ddb_backoff_ceiling_ms(int n)
{
	long		ceiling = DDB_BACKOFF_BASE_MS;
	int			i;

	for (i = 1; i < n && ceiling < DDB_BACKOFF_CAP_MS; i++)
		ceiling *= 2;
	return ceiling < DDB_BACKOFF_CAP_MS ? ceiling : DDB_BACKOFF_CAP_MS;
}

long
ddb_backoff_ms(int n, uint64_t random)
{
	return (long) (random % (uint64_t) (ddb_backoff_ceiling_ms(n) + 1));
}

void
ddb_rate_statement(ddb_rate *r, int64_t statement, int server_rate)
{
	if (r->statement != statement)
	{
		r->statement = statement;
		r->per_second = server_rate > 0 ? server_rate : 0;
		r->from_table = false;
	}
}

void
ddb_rate_table(ddb_rate *r, int64_t statement, int table_rate)
{
	if (table_rate < 0)
		table_rate = 0;
	if (r->statement != statement || !r->from_table)
	{
		r->statement = statement;
		r->per_second = table_rate;
		r->from_table = true;
	}
	else if (table_rate > 0 && (r->per_second == 0 || table_rate < r->per_second))
		r->per_second = table_rate;
}

int64_t
ddb_rate_ready(const ddb_rate *r, int64_t not_before)
{
	if (r->per_second > 0 && r->next > not_before)
		return r->next;
	return not_before;
}

void
ddb_rate_take(ddb_rate *r, int64_t now)
{
	/* the interval rounded up, so that a second never holds one too many */
	if (r->per_second > 0)
		r->next = now + (1000000 + r->per_second - 1) / r->per_second;
}
