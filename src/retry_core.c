/*-------------------------------------------------------------------------
 * retry_core.c
 *	  Pure C rules of the call layer: the retry classifier, exponential
 *	  backoff with full jitter, the one-token rate limiter, and the
 *	  capacity budget with its cost estimates.
 *
 * A request is tried again only when DynamoDB cannot have acted on it, or
 * when acting on it twice changes nothing (the call is idempotent).  The
 * rules are here, apart from libcurl and PostgreSQL, so that they are
 * unit-tested and fuzzed exactly as http.c uses them; see retry_core.h.
 * The budget's arithmetic is here for the same reason: with a fake clock
 * it is tested deterministically, which the regress tests (real time, a
 * shared machine) cannot do.
 *-------------------------------------------------------------------------
 */
#include "retry_core.h"

#include <stddef.h>
#include <stdint.h>

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

/* ----------------------------------------------------------------
 * Capacity budget
 * ----------------------------------------------------------------
 */

/* A limit as an option gives it: not negative, not absurd, 0 = none. */
static double
budget_limit(double limit)
{
	if (!(limit > 0))			/* also NaN */
		return 0;
	return limit < DDB_BUDGET_MAX_UNITS ? limit : DDB_BUDGET_MAX_UNITS;
}

void
ddb_budget_statement(ddb_budget *b, int64_t statement, double server_limit)
{
	if (b->statement != statement)
	{
		b->statement = statement;
		b->limit = budget_limit(server_limit);
		b->from_table = false;
	}
}

void
ddb_budget_table(ddb_budget *b, int64_t statement, double table_limit)
{
	table_limit = budget_limit(table_limit);
	if (b->statement != statement || !b->from_table)
	{
		b->statement = statement;
		b->limit = table_limit;
		b->from_table = true;
	}
	else if (table_limit > 0 && (b->limit == 0 || table_limit < b->limit))
		b->limit = table_limit;
}

/* How fast the rate grows back after a cut, in units per second per microsecond. */
static double
budget_growth(const ddb_budget *b)
{
	return b->limit * DDB_AIMD_GROWTH_PER_S / 1e6;
}

double
ddb_budget_rate(const ddb_budget *b, int64_t now)
{
	double		rate;
	double		floor = b->limit * DDB_AIMD_FLOOR;

	if (b->limit <= 0)
		return 0;
	if (b->cut_rate <= 0)
		return b->limit;
	/* additive increase since the cut */
	rate = b->cut_rate;
	if (now > b->cut_at)
		rate += budget_growth(b) * (double) (now - b->cut_at);
	if (rate < floor)
		rate = floor;			/* a budget raised since the cut */
	return rate < b->limit ? rate : b->limit;
}

/*
 * The times after which the rate is a new straight line: where the growth
 * line crosses the floor and the budget.  Before, between and after them
 * the rate is constant or grows linearly, so a trapezoid integrates each
 * piece exactly.
 */
static void
budget_bends(const ddb_budget *b, int64_t bends[2])
{
	double		k = budget_growth(b);
	double		floor = b->limit * DDB_AIMD_FLOOR;

	bends[0] = bends[1] = INT64_MAX;
	if (b->cut_rate <= 0 || k <= 0)
		return;
	if (b->cut_rate < floor)
		bends[0] = b->cut_at + (int64_t) ((floor - b->cut_rate) / k);
	if (b->cut_rate < b->limit)
	{
		double		us = (b->limit - b->cut_rate) / k;

		bends[1] = us < 1e15 ? b->cut_at + (int64_t) us : INT64_MAX;
	}
}

/* The units the rate lets in between from and to. */
static double
budget_inflow(const ddb_budget *b, int64_t from, int64_t to)
{
	int64_t		bends[2];
	int64_t		a = from;
	double		units = 0;
	int			i;

	if (to <= from)
		return 0;
	budget_bends(b, bends);
	for (i = 0; i <= 2; i++)
	{
		int64_t		z = i < 2 && bends[i] > a && bends[i] < to ? bends[i] : (i == 2 ? to : a);

		if (z <= a)
			continue;
		units += (ddb_budget_rate(b, a) + ddb_budget_rate(b, z)) / 2 * (double) (z - a) / 1e6;
		a = z;
	}
	return units;
}

/* What the bucket holds at most at rate. */
static double
bucket_size(double rate)
{
	return rate * DDB_BUDGET_BUCKET_S;
}

double
ddb_budget_tokens(const ddb_budget *b, int64_t now)
{
	double		tokens = b->tokens;
	double		cap;

	if (b->limit <= 0)
		return 0;
	cap = bucket_size(ddb_budget_rate(b, now));
	if (b->refilled == 0)
		return cap;				/* a budget starts with a full bucket */
	if (now > b->refilled)
		tokens += budget_inflow(b, b->refilled, now);
	return tokens < cap ? tokens : cap;
}

/* Brings the bucket up to now. */
static void
budget_refill(ddb_budget *b, int64_t now)
{
	if (b->limit <= 0)
		return;
	if (now < b->refilled)
		return;					/* a clock that went back changes nothing */
	b->tokens = ddb_budget_tokens(b, now);
	b->refilled = now;
	/* grown back to the budget: no cut any more */
	if (b->cut_rate > 0 && ddb_budget_rate(b, now) >= b->limit)
		b->cut_rate = 0;
}

int64_t
ddb_budget_ready(const ddb_budget *b, int64_t now, double estimate)
{
	double		rate = ddb_budget_rate(b, now);
	double		tokens;
	double		need;
	int64_t		t;
	int			i;

	if (rate <= 0)
		return now;
	tokens = ddb_budget_tokens(b, now);
	need = bucket_size(rate);
	if (estimate >= 0 && estimate < need)
		need = estimate;
	if (tokens >= need)
		return now;

	/*
	 * At the rate of now, which only grows meanwhile: never too early.  A
	 * few steps make up for what the bucket's refill (from its last refill
	 * time, at the rate then) lets in more slowly; the wait is at most an
	 * hour, whatever the debt.
	 */
	t = now;
	for (i = 0; i < 8; i++)
	{
		double		missing = need - ddb_budget_tokens(b, t);
		double		wait_us;

		if (missing <= 0)
			break;
		wait_us = missing / ddb_budget_rate(b, t) * 1e6;
		if (wait_us > 3600e6 || t - now > (int64_t) 3600e6)
			return now + (int64_t) 3600e6;
		t += (int64_t) wait_us + 1;
	}
	return t;
}

void
ddb_budget_take(ddb_budget *b, int64_t now, double estimate)
{
	if (b->limit <= 0)
		return;
	budget_refill(b, now);
	if (estimate > 0)
		b->tokens -= estimate;
}

void
ddb_budget_settle(ddb_budget *b, int64_t now, double estimate, double actual)
{
	double		cap;

	if (b->limit <= 0)
		return;
	budget_refill(b, now);
	if (!(estimate >= 0))
		estimate = 0;
	if (!(actual >= 0))
		actual = 0;
	b->tokens += estimate - actual;
	cap = bucket_size(ddb_budget_rate(b, now));
	if (b->tokens > cap)
		b->tokens = cap;
}

bool
ddb_budget_throttled(ddb_budget *b, int64_t now)
{
	double		rate;
	double		floor;

	bool		cut = false;

	if (b->limit <= 0)
		return false;
	budget_refill(b, now);
	if (b->cut_at == 0 || now < b->cut_at || now - b->cut_at >= DDB_AIMD_HOLD_US)
	{
		rate = ddb_budget_rate(b, now) * DDB_AIMD_CUT;
		floor = b->limit * DDB_AIMD_FLOOR;
		b->cut_rate = rate > floor ? rate : floor;
		b->cut_at = now;
		cut = true;
	}
	/* the table has nothing left now: a pause before the next request */
	if (b->tokens > 0)
		b->tokens = 0;
	b->tokens -= ddb_budget_rate(b, now) * DDB_AIMD_PAUSE_S;
	return cut;
}

long
ddb_budget_page_limit(const ddb_budget *b, int64_t now, double per_item)
{
	double		n;

	if (b->limit <= 0)
		return 0;
	if (!(per_item > 0))
		return 1;
	n = ddb_budget_rate(b, now) * DDB_BUDGET_PAGE_S / per_item;
	if (!(n >= 1))
		return 1;
	if (n > DDB_BUDGET_MAX_LIMIT)
		return DDB_BUDGET_MAX_LIMIT;
	return (long) n;
}

/* ----------------------------------------------------------------
 * Cost estimates
 * ----------------------------------------------------------------
 */
void
ddb_cost_observe(ddb_cost *c, double units, long long items)
{
	if (!(units >= 0) || units > DDB_BUDGET_MAX_UNITS)
		return;					/* nothing a server could have meant */
	c->seen = true;
	c->last = units;
	if (items > 0)
		c->per_item = units / (double) items;
}

double
ddb_cost_estimate(const ddb_cost *c, long long items, bool page, double guess)
{
	double		per_item = c->per_item > 0 ? c->per_item : guess;
	double		e;

	if (items <= 0)
		return c->seen ? c->last : guess;
	e = per_item * (double) items;
	/* a page evaluates at most Limit items: the last page is the better guess when smaller */
	if (page && c->seen && c->last < e)
		e = c->last;
	return e;
}
