/*
 * fuzz_retry_core.c
 *	  libFuzzer target for src/retry_core.c.
 *
 * The input drives a sequence of steps, each taking a few bytes: an
 * attempt to classify (its end, status, body and throttling flags), a
 * retry decision on a budget, a backoff draw, or a rate limiter event
 * (statement start, table rate, a request sent).  Checks: the classifier
 * and the budget keep their rules (a 200 in JSON is never retried, a
 * request that was not sent whole is always retryable, a fatal end never
 * is, no attempt beyond max_retries + 1), backoff stays within
 * [0, min(cap, base * 2^(n-1))], and requests the limiter lets go are at
 * least 1/rate apart while the rate is unchanged.
 *
 * A second state machine drives a capacity budget with the same kind of
 * steps: budgets set by statements and tables, time passing, requests sent
 * when the budget allows and settled with what they cost, throttles, page
 * limits and cost estimates.  Checks: the rate stays within [budget/32,
 * budget] (budget when not cut), the bucket never holds more than 0.1 s of
 * the rate, a request is never let go before the bucket holds its estimate
 * (or is full), waits end, page limits are at least 1 under a budget, and
 * estimates are finite and not negative.
 */
#include "retry_core.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t
take(const uint8_t **p, size_t *n, int bytes)
{
	uint64_t	v = 0;

	while (bytes-- > 0 && *n > 0)
	{
		v = (v << 8) | **p;
		(*p)++;
		(*n)--;
	}
	return v;
}

static void
check_attempt(const uint8_t **p, size_t *n)
{
	ddb_attempt a;
	ddb_retry_class cls;
	bool		idempotent;
	bool		nr;
	int			attempts;
	int			max_retries;
	uint64_t	flags = take(p, n, 1);

	memset(&a, 0, sizeof(a));
	a.end = (ddb_attempt_end) (flags % 4);
	a.body_sent = (flags & 4) != 0;
	a.body_is_json = (flags & 8) != 0;
	a.throttling = (flags & 16) != 0;
	idempotent = (flags & 32) != 0;
	a.status = (long) take(p, n, 2) % 700;
	attempts = (int) (take(p, n, 1) % 120);
	max_retries = (int) (take(p, n, 1) % 101);

	cls = ddb_retry_classify(&a);
	if (a.end == DDB_END_ANSWER && a.status == 200 && a.body_is_json && cls != DDB_RETRY_NEVER)
		abort();
	if (a.end == DDB_END_NOT_SENT && cls != DDB_RETRY_ALWAYS)
		abort();
	if (a.end == DDB_END_LOST && !a.body_sent && cls != DDB_RETRY_ALWAYS)
		abort();
	if (a.end == DDB_END_FATAL && cls != DDB_RETRY_NEVER)
		abort();
	if (a.end == DDB_END_ANSWER && a.status >= 500 && cls != DDB_RETRY_IF_IDEMPOTENT)
		abort();
	if (ddb_retry_allowed(cls, idempotent, attempts, max_retries, &nr))
	{
		if (attempts > max_retries || cls == DDB_RETRY_NEVER || nr)
			abort();
		if (cls == DDB_RETRY_IF_IDEMPOTENT && !idempotent)
			abort();
	}
	else if (cls == DDB_RETRY_ALWAYS && attempts <= max_retries)
		abort();
	if (nr != (cls == DDB_RETRY_IF_IDEMPOTENT && !idempotent))
		abort();
}

static void
check_backoff(const uint8_t **p, size_t *n)
{
	int			k = (int) (int8_t) take(p, n, 1);
	uint64_t	r = take(p, n, 8);
	long		ceiling = ddb_backoff_ceiling_ms(k);
	long		ms = ddb_backoff_ms(k, r);

	if (ceiling < DDB_BACKOFF_BASE_MS || ceiling > DDB_BACKOFF_CAP_MS)
		abort();
	if (k > 1 && ceiling < ddb_backoff_ceiling_ms(k - 1))
		abort();
	if (ms < 0 || ms > ceiling)
		abort();
}

static bool
finite_nonneg(double v)
{
	return v >= 0 && v < 1e300;
}

static void
check_budget_state(const ddb_budget *b, int64_t now)
{
	double		rate = ddb_budget_rate(b, now);

	if (b->limit < 0 || b->limit > DDB_BUDGET_MAX_UNITS)
		abort();
	if (b->limit == 0 && rate != 0)
		abort();
	if (b->limit > 0)
	{
		if (rate > b->limit * (1 + 1e-12) || rate < b->limit * DDB_AIMD_FLOOR * (1 - 1e-12))
			abort();
		if (b->cut_rate <= 0 && rate != b->limit)
			abort();
		if (ddb_budget_tokens(b, now) > rate * DDB_BUDGET_BUCKET_S * (1 + 1e-9) + 1e-9)
			abort();
	}
}

/* One step of the budget machine. */
static void
budget_step(ddb_budget *b, ddb_cost *cost, int64_t *now, int64_t *statement,
			const uint8_t **p, size_t *n)
{
	uint64_t	op = take(p, n, 1);
	/* limits from 0 to about 42 million units, with fractions */
	double		amount = (double) take(p, n, 3) / 4.0 - 16.0;

	switch (op % 7)
	{
		case 0:
			*statement += (int64_t) (op >> 3) % 2;
			ddb_budget_statement(b, *statement, amount);
			break;
		case 1:
			{
				double		before = b->limit;
				bool		same = b->statement == *statement && b->from_table;

				ddb_budget_table(b, *statement, amount);
				if (!b->from_table)
					abort();
				if (same && before > 0 && (b->limit == 0 || b->limit > before))
					abort();
			}
			break;
		case 2:
			/* time passes: up to 16 s */
			*now += (int64_t) take(p, n, 3);
			break;
		case 3:
			{
				/* a request: sent when allowed, settled with what it cost */
				double		est = ddb_cost_estimate(cost, (long long) (op >> 3), (op & 8) != 0,
													DDB_COST_READ_GUESS);
				double		actual = (double) take(p, n, 2) / 8.0;
				int64_t		go;
				double		need;

				if (!finite_nonneg(est))
					abort();
				go = ddb_budget_ready(b, *now, est);
				if (go < *now || go - *now > (int64_t) 3600e6 + 1)
					abort();
				need = ddb_budget_rate(b, *now) * DDB_BUDGET_BUCKET_S;
				if (est < need)
					need = est;
				if (b->limit > 0 && ddb_budget_tokens(b, go) < need - 1e-6 * (1 + need) &&
					go - *now < (int64_t) 3600e6)
					abort();
				*now = go;
				ddb_budget_take(b, *now, est);
				ddb_budget_settle(b, *now, est, actual);
				ddb_cost_observe(cost, actual, (long long) (op >> 4));
			}
			break;
		case 4:
			{
				double		before = ddb_budget_rate(b, *now);

				if (ddb_budget_throttled(b, *now) &&
					ddb_budget_rate(b, *now) > before * DDB_AIMD_CUT * (1 + 1e-9) &&
					ddb_budget_rate(b, *now) > b->limit * DDB_AIMD_FLOOR * (1 + 1e-9))
					abort();
			}
			break;
		case 5:
			{
				long		lim = ddb_budget_page_limit(b, *now, amount / 64.0);

				if (b->limit > 0 && (lim < 1 || lim > DDB_BUDGET_MAX_LIMIT))
					abort();
				if (b->limit == 0 && lim != 0)
					abort();
			}
			break;
		default:
			ddb_budget_settle(b, *now, amount, (double) (op >> 3));
			break;
	}
	check_budget_state(b, *now);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data;
	size_t		n = size;
	ddb_rate	rate;
	int64_t		now = 0;
	int64_t		last_sent = -1;
	int			last_rate = 0;
	int64_t		statement = 0;
	ddb_budget	budget;
	ddb_cost	cost;
	int64_t		bnow = 1;
	int64_t		bstatement = 0;

	memset(&rate, 0, sizeof(rate));
	memset(&budget, 0, sizeof(budget));
	memset(&cost, 0, sizeof(cost));
	while (n > 0)
	{
		uint64_t	op = take(&p, &n, 1);

		if (op >= 200)
		{
			budget_step(&budget, &cost, &bnow, &bstatement, &p, &n);
			continue;
		}
		switch (op % 6)
		{
			case 0:
				check_attempt(&p, &n);
				break;
			case 1:
				check_backoff(&p, &n);
				break;
			case 2:
				statement += (int64_t) (take(&p, &n, 1) % 2);
				ddb_rate_statement(&rate, statement, (int) take(&p, &n, 3) - 1000);
				if (rate.per_second < 0)
					abort();
				break;
			case 3:
				{
					int			before = rate.per_second;
					bool		same = rate.statement == statement && rate.from_table;
					int			t = (int) take(&p, &n, 3) - 1000;

					ddb_rate_table(&rate, statement, t);
					if (rate.per_second < 0 || !rate.from_table)
						abort();
					/* within a statement, a later table never raises the rate */
					if (same && before > 0 && (rate.per_second == 0 || rate.per_second > before))
						abort();
				}
				break;
			default:
				{
					/* time moves on by up to ~16 s, then a request goes when allowed */
					int64_t		go;

					now += (int64_t) take(&p, &n, 3);
					go = ddb_rate_ready(&rate, now);
					if (go < now)
						abort();
					if (rate.per_second > 0 && last_sent >= 0 && rate.per_second == last_rate &&
						go - last_sent < 1000000 / rate.per_second)
						abort();
					ddb_rate_take(&rate, go);
					last_sent = go;
					last_rate = rate.per_second;
					now = go;
				}
				break;
		}
	}
	return 0;
}
