/*
 * test_retry_core.c
 *	  Unit tests of src/retry_core.c: which failed attempts are retried,
 *	  the retry budget, the backoff's bounds and spread, the rate
 *	  limiter's spacing and per-statement rules, and the capacity budget
 *	  against a fake clock: the bucket, AIMD, page limits, cost estimates,
 *	  and a simulated long scan that stays within 10% of its budget over
 *	  every 5-second window.
 */
#include "retry_core.h"

#include <stdlib.h>

#include "unit.h"

static ddb_attempt
answer(long status, bool json, bool throttling)
{
	ddb_attempt a = {DDB_END_ANSWER, true, status, json, throttling};

	return a;
}

static ddb_attempt
transport(ddb_attempt_end end, bool sent)
{
	ddb_attempt a = {end, sent, 0, false, false};

	return a;
}

static void
test_classify(void)
{
	ddb_attempt a;

	/* success is final */
	a = answer(200, true, false);
	CHECK(ddb_retry_classify(&a) == DDB_RETRY_NEVER);
	/* a 200 that does not parse: like a lost answer */
	a = answer(200, false, false);
	CHECK(ddb_retry_classify(&a) == DDB_RETRY_IF_IDEMPOTENT);
	/* throttling: DynamoDB did nothing */
	a = answer(400, true, true);
	CHECK(ddb_retry_classify(&a) == DDB_RETRY_ALWAYS);
	/* validation, missing table, condition failed: final */
	a = answer(400, true, false);
	CHECK(ddb_retry_classify(&a) == DDB_RETRY_NEVER);
	/* a 400 we cannot read */
	a = answer(400, false, false);
	CHECK(ddb_retry_classify(&a) == DDB_RETRY_IF_IDEMPOTENT);
	/* 5xx: may have been applied, whatever the body */
	a = answer(500, true, false);
	CHECK(ddb_retry_classify(&a) == DDB_RETRY_IF_IDEMPOTENT);
	a = answer(503, false, false);
	CHECK(ddb_retry_classify(&a) == DDB_RETRY_IF_IDEMPOTENT);
	a = answer(599, true, true);
	CHECK(ddb_retry_classify(&a) == DDB_RETRY_IF_IDEMPOTENT);
	/* other statuses are final, even unreadable or "throttling" ones */
	a = answer(403, false, false);
	CHECK(ddb_retry_classify(&a) == DDB_RETRY_NEVER);
	a = answer(413, true, true);
	CHECK(ddb_retry_classify(&a) == DDB_RETRY_NEVER);
	a = answer(302, false, false);
	CHECK(ddb_retry_classify(&a) == DDB_RETRY_NEVER);
	/* transport */
	a = transport(DDB_END_NOT_SENT, false);
	CHECK(ddb_retry_classify(&a) == DDB_RETRY_ALWAYS);
	a = transport(DDB_END_NOT_SENT, true);
	CHECK(ddb_retry_classify(&a) == DDB_RETRY_ALWAYS);
	a = transport(DDB_END_LOST, false);
	CHECK(ddb_retry_classify(&a) == DDB_RETRY_ALWAYS);
	a = transport(DDB_END_LOST, true);
	CHECK(ddb_retry_classify(&a) == DDB_RETRY_IF_IDEMPOTENT);
	a = transport(DDB_END_FATAL, false);
	CHECK(ddb_retry_classify(&a) == DDB_RETRY_NEVER);
	a = transport(DDB_END_FATAL, true);
	CHECK(ddb_retry_classify(&a) == DDB_RETRY_NEVER);
}

static void
test_allowed(void)
{
	bool		nr;

	/* the budget: max_retries retries, so max_retries + 1 attempts */
	CHECK(ddb_retry_allowed(DDB_RETRY_ALWAYS, false, 1, 3, &nr) && !nr);
	CHECK(ddb_retry_allowed(DDB_RETRY_ALWAYS, false, 3, 3, &nr));
	CHECK(!ddb_retry_allowed(DDB_RETRY_ALWAYS, false, 4, 3, &nr) && !nr);
	CHECK(!ddb_retry_allowed(DDB_RETRY_ALWAYS, true, 1, 0, &nr));
	/* idempotent calls only */
	CHECK(ddb_retry_allowed(DDB_RETRY_IF_IDEMPOTENT, true, 2, 3, &nr) && !nr);
	CHECK(!ddb_retry_allowed(DDB_RETRY_IF_IDEMPOTENT, false, 1, 10, &nr) && nr);
	/* not repeated is said also when the budget is spent anyway */
	CHECK(!ddb_retry_allowed(DDB_RETRY_IF_IDEMPOTENT, false, 11, 10, &nr) && nr);
	CHECK(!ddb_retry_allowed(DDB_RETRY_IF_IDEMPOTENT, true, 11, 10, &nr) && !nr);
	/* never */
	CHECK(!ddb_retry_allowed(DDB_RETRY_NEVER, true, 1, 10, &nr) && !nr);
	CHECK(!ddb_retry_allowed(DDB_RETRY_NEVER, false, 1, 10, &nr) && !nr);
}

static void
test_backoff(void)
{
	int			n;
	long		seen_max = 0;
	long		seen_min = DDB_BACKOFF_CAP_MS;
	uint64_t	r;

	CHECK(ddb_backoff_ceiling_ms(1) == 25);
	CHECK(ddb_backoff_ceiling_ms(2) == 50);
	CHECK(ddb_backoff_ceiling_ms(3) == 100);
	CHECK(ddb_backoff_ceiling_ms(8) == 3200);
	CHECK(ddb_backoff_ceiling_ms(9) == 5000);
	CHECK(ddb_backoff_ceiling_ms(100) == 5000);
	CHECK(ddb_backoff_ceiling_ms(1000000) == 5000);
	/* n below 1 is the first wait */
	CHECK(ddb_backoff_ceiling_ms(0) == 25);
	CHECK(ddb_backoff_ceiling_ms(-5) == 25);

	/* full jitter: both ends of [0, ceiling] are reachable, nothing beyond */
	CHECK(ddb_backoff_ms(3, 0) == 0);
	CHECK(ddb_backoff_ms(3, 100) == 100);
	CHECK(ddb_backoff_ms(3, 101) == 0);
	CHECK(ddb_backoff_ms(20, UINT64_MAX) <= DDB_BACKOFF_CAP_MS);
	srandom(42);
	for (n = 0; n < 20000; n++)
	{
		long		ms;

		r = ((uint64_t) random() << 31) ^ (uint64_t) random();
		ms = ddb_backoff_ms(4, r);
		if (ms < seen_min)
			seen_min = ms;
		if (ms > seen_max)
			seen_max = ms;
	}
	CHECK(seen_min == 0);
	CHECK(seen_max == 200);
}

static void
test_rate(void)
{
	ddb_rate	r = {0};
	int64_t		t;
	int64_t		last;
	int			i;

	/* unlimited: every request may go at once */
	ddb_rate_statement(&r, 1, 0);
	ddb_rate_take(&r, 1000);
	CHECK(ddb_rate_ready(&r, 1000) == 1000);

	/* 4 per second: 250 ms apart, never earlier */
	ddb_rate_statement(&r, 2, 4);
	CHECK(r.per_second == 4 && !r.from_table);
	t = 5000000;
	CHECK(ddb_rate_ready(&r, t) == t);
	ddb_rate_take(&r, t);
	CHECK(ddb_rate_ready(&r, t) == t + 250000);
	CHECK(ddb_rate_ready(&r, t + 300000) == t + 300000);
	last = t;
	for (i = 0; i < 10; i++)
	{
		int64_t		go = ddb_rate_ready(&r, last);

		CHECK(go - last >= 250000);
		ddb_rate_take(&r, go);
		last = go;
	}
	/* the interval rounds up: 3 per second is 333334 us */
	ddb_rate_statement(&r, 3, 3);
	ddb_rate_take(&r, 0);
	CHECK(ddb_rate_ready(&r, 0) == 333334);

	/* the same statement keeps what it has */
	ddb_rate_statement(&r, 4, 10);
	ddb_rate_statement(&r, 4, 99);
	CHECK(r.per_second == 10);
	/* a table replaces the server's rate, also with a higher one or 0 */
	ddb_rate_table(&r, 4, 50);
	CHECK(r.per_second == 50 && r.from_table);
	/* later tables only lower it; 0 does not lift it */
	ddb_rate_table(&r, 4, 80);
	CHECK(r.per_second == 50);
	ddb_rate_table(&r, 4, 0);
	CHECK(r.per_second == 50);
	ddb_rate_table(&r, 4, 20);
	CHECK(r.per_second == 20);
	/* the server's rate does not undo a table's in the same statement */
	ddb_rate_statement(&r, 4, 100);
	CHECK(r.per_second == 20);
	/* a new statement starts over */
	ddb_rate_statement(&r, 5, 100);
	CHECK(r.per_second == 100 && !r.from_table);
	ddb_rate_table(&r, 6, 0);
	CHECK(r.per_second == 0 && r.from_table);
	ddb_rate_table(&r, 6, 7);
	CHECK(r.per_second == 7);
	/* negative rates are unlimited */
	ddb_rate_statement(&r, 7, -3);
	CHECK(r.per_second == 0);
	ddb_rate_table(&r, 7, -3);
	CHECK(r.per_second == 0);
}

#define SEC 1000000LL

static bool
near(double a, double b)
{
	double		d = a - b;

	return d < 1e-9 && d > -1e-9;
}

static void
test_budget_limits(void)
{
	ddb_budget	b;

	memset(&b, 0, sizeof(b));
	/* the same rules as the request rate: server, then tables */
	ddb_budget_statement(&b, 1, 40);
	CHECK(near(b.limit, 40) && !b.from_table);
	ddb_budget_statement(&b, 1, 99);
	CHECK(near(b.limit, 40));
	ddb_budget_table(&b, 1, 100);
	CHECK(near(b.limit, 100) && b.from_table);
	ddb_budget_table(&b, 1, 150);
	CHECK(near(b.limit, 100));
	ddb_budget_table(&b, 1, 0);
	CHECK(near(b.limit, 100));
	ddb_budget_table(&b, 1, 12.5);
	CHECK(near(b.limit, 12.5));
	ddb_budget_statement(&b, 1, 1000);
	CHECK(near(b.limit, 12.5));
	ddb_budget_statement(&b, 2, 1000);
	CHECK(near(b.limit, 1000) && !b.from_table);
	ddb_budget_table(&b, 3, 0);
	CHECK(b.limit == 0 && b.from_table);
	/* nonsense is no budget; huge is capped */
	ddb_budget_statement(&b, 4, -5);
	CHECK(b.limit == 0);
	ddb_budget_statement(&b, 5, 0.0 / 0.0);
	CHECK(b.limit == 0);
	ddb_budget_statement(&b, 6, 1e300);
	CHECK(near(b.limit, DDB_BUDGET_MAX_UNITS));

	/* without a budget, nothing waits and nothing is counted */
	memset(&b, 0, sizeof(b));
	CHECK(ddb_budget_ready(&b, 5 * SEC, 1000) == 5 * SEC);
	ddb_budget_take(&b, 5 * SEC, 1000);
	CHECK(b.tokens == 0);
	CHECK(!ddb_budget_throttled(&b, 5 * SEC));
	CHECK(ddb_budget_page_limit(&b, 5 * SEC, 0.5) == 0);
	CHECK(ddb_budget_rate(&b, 5 * SEC) == 0);
}

static void
test_budget_bucket(void)
{
	ddb_budget	b;
	int64_t		t = 10 * SEC;

	memset(&b, 0, sizeof(b));
	ddb_budget_statement(&b, 1, 40);
	/* a new budget starts full: 0.1 s of 40 units/s is 4 units */
	CHECK(near(ddb_budget_tokens(&b, t), 4));
	CHECK(ddb_budget_ready(&b, t, 3) == t);
	CHECK(ddb_budget_ready(&b, t, 4) == t);
	/* a request bigger than the bucket waits for a full bucket only */
	CHECK(ddb_budget_ready(&b, t, 50) == t);
	ddb_budget_take(&b, t, 3);
	CHECK(near(b.tokens, 1));
	/* 3 units more: 2 missing at 40/s is 50 ms */
	CHECK(ddb_budget_ready(&b, t, 3) == t + 50000 + 1);
	CHECK(near(ddb_budget_tokens(&b, t + 50000), 3));
	/* the bucket never holds more than 0.1 s of the rate */
	CHECK(near(ddb_budget_tokens(&b, t + 60 * SEC), 4));
	/* an answer that cost more than estimated puts the bucket in debt ... */
	ddb_budget_take(&b, t + 60 * SEC, 4);
	ddb_budget_settle(&b, t + 60 * SEC, 4, 24);
	CHECK(near(b.tokens, -20));
	/* ... paid before the next request: 20 + 2 units at 40/s */
	CHECK(ddb_budget_ready(&b, t + 60 * SEC, 2) == t + 60 * SEC + 550000 + 1);
	/* one that cost less gives back, up to a full bucket */
	ddb_budget_settle(&b, t + 60 * SEC, 30, 0);
	CHECK(near(b.tokens, 4));
	/* settling nonsense changes nothing */
	ddb_budget_settle(&b, t + 60 * SEC, -1, 0.0 / 0.0);
	CHECK(near(b.tokens, 4));
	/* a clock that went back neither adds nor loses tokens */
	ddb_budget_take(&b, t + 30 * SEC, 1);
	CHECK(near(b.tokens, 3));
}

static void
test_budget_aimd(void)
{
	ddb_budget	b;
	int64_t		t = 100 * SEC;

	memset(&b, 0, sizeof(b));
	ddb_budget_statement(&b, 1, 100);
	CHECK(near(ddb_budget_rate(&b, t), 100));
	/* a throttle halves the rate, and pauses: a quarter second of it owed */
	CHECK(ddb_budget_throttled(&b, t));
	CHECK(near(ddb_budget_rate(&b, t), 50));
	CHECK(near(ddb_budget_tokens(&b, t), -12.5));
	CHECK(ddb_budget_ready(&b, t, 0) > t + 250000 - 1000);
	/* throttles of requests already in flight within a second: one cut, more pause */
	CHECK(!ddb_budget_throttled(&b, t + 500000));
	CHECK(ddb_budget_tokens(&b, t + 500000) < -12.5 + 50 * 0.5 - 12.5 + 0.1);
	CHECK(!ddb_budget_throttled(&b, t + SEC - 1));
	/* the rate grows back by 5 units/s (5% of 100) per second */
	CHECK(near(ddb_budget_rate(&b, t + 2 * SEC), 60));
	CHECK(ddb_budget_throttled(&b, t + 2 * SEC));
	CHECK(near(ddb_budget_rate(&b, t + 2 * SEC), 30));
	CHECK(near(ddb_budget_rate(&b, t + 4 * SEC), 40));
	/* the bucket fills as the rate grows: (30 + 30.5) / 2 units/s for 0.1 s, after the pause's 7.5 */
	CHECK(near(ddb_budget_tokens(&b, t + 2 * SEC + 100000), -7.5 + 3.025));
	/* and a wait ends when it holds what was asked, not earlier */
	{
		int64_t		go = ddb_budget_ready(&b, t + 2 * SEC, 2.5);

		CHECK(ddb_budget_tokens(&b, go) >= 2.5 - 1e-9);
		/* (a little late while the rate grows: it waits at the rate of now) */
		CHECK(ddb_budget_tokens(&b, go - 20000) < 2.5);
	}
	/* back to the budget after (100 - 30) / 5 = 14 s, and no further */
	CHECK(near(ddb_budget_rate(&b, t + 16 * SEC), 100));
	CHECK(near(ddb_budget_rate(&b, t + 60 * SEC), 100));
	ddb_budget_take(&b, t + 60 * SEC, 0);
	CHECK(b.cut_rate == 0);
	/* a throttle every second: halving against 5 units/s of growth meets at 5 */
	t += 100 * SEC;
	{
		int			i;

		for (i = 0; i < 40; i++)
			CHECK(ddb_budget_throttled(&b, t + i * SEC));
		CHECK(ddb_budget_rate(&b, t + 39 * SEC) < 5.0 + 1e-6);
		CHECK(ddb_budget_rate(&b, t + 39 * SEC) > 5.0 - 1e-6);
	}
	/* never below 1/32 of the budget: 1 + 5 grown, halved, is 3 < 3.125 */
	b.cut_rate = 1;
	b.cut_at = t + 39 * SEC;
	CHECK(ddb_budget_throttled(&b, t + 40 * SEC));
	CHECK(near(ddb_budget_rate(&b, t + 40 * SEC), 100.0 / 32));
	/* a budget lowered below the cut rate is the rate */
	ddb_budget_table(&b, 9, 2);
	CHECK(near(ddb_budget_rate(&b, t + 40 * SEC), 2));
	/* a raised budget has its own floor */
	ddb_budget_table(&b, 10, 1000);
	CHECK(ddb_budget_rate(&b, t + 40 * SEC) >= 1000.0 / 32 - 1e-9);
}

static void
test_budget_pages(void)
{
	ddb_budget	b;

	memset(&b, 0, sizeof(b));
	ddb_budget_statement(&b, 1, 40);
	/* no item cost known yet: one item */
	CHECK(ddb_budget_page_limit(&b, SEC, 0) == 1);
	/* 0.1 s of 40 units/s at 0.1875 units an item: 21 items */
	CHECK(ddb_budget_page_limit(&b, SEC, 0.1875) == 21);
	/* items dearer than the page: still one */
	CHECK(ddb_budget_page_limit(&b, SEC, 50) == 1);
	/* very cheap items: capped */
	CHECK(ddb_budget_page_limit(&b, SEC, 1e-12) == DDB_BUDGET_MAX_LIMIT);
	/* pages shrink with the rate after a throttle */
	ddb_budget_throttled(&b, SEC);
	CHECK(ddb_budget_page_limit(&b, SEC, 0.1875) == 10);
}

static void
test_cost(void)
{
	ddb_cost	c = {0};

	/* before any answer: the guess, per item */
	CHECK(near(ddb_cost_estimate(&c, 0, false, 1.0), 1.0));
	CHECK(near(ddb_cost_estimate(&c, 25, false, 1.0), 25.0));
	CHECK(near(ddb_cost_estimate(&c, 8, true, 0.5), 4.0));
	/* a BatchWriteItem of 25 items that cost 50 units: 2 an item */
	ddb_cost_observe(&c, 50, 25);
	CHECK(near(ddb_cost_estimate(&c, 10, false, 1.0), 20.0));
	CHECK(near(ddb_cost_estimate(&c, 0, false, 1.0), 50.0));
	/* a page: Limit is an upper bound, the last page caps it */
	ddb_cost_observe(&c, 4, 21);
	CHECK(near(ddb_cost_estimate(&c, 21, true, 0.5), 4.0));
	CHECK(near(ddb_cost_estimate(&c, 100, true, 0.5), 4.0));
	CHECK(near(ddb_cost_estimate(&c, 10, true, 0.5), 40.0 / 21));
	/* an answer without items keeps the cost per item */
	ddb_cost_observe(&c, 0.5, 0);
	CHECK(near(c.per_item, 4.0 / 21) && near(c.last, 0.5));
	/* nonsense is ignored */
	ddb_cost_observe(&c, -1, 3);
	ddb_cost_observe(&c, 0.0 / 0.0, 3);
	CHECK(near(c.last, 0.5));
}

/*
 * A long scan against a fake clock and a fake server: pages of Limit items
 * at a cost per item that DynamoDB rounds to 4 KB blocks, each answer
 * arriving lat us after it was sent, the next page sent when the answer is
 * in and the budget allows.  Over every 5-second window, what was sent
 * costs at most 10% more than the budget; over the whole scan it uses most
 * of it.
 */
static void
simulate_scan(double limit, double item_kb, int64_t lat, int64_t *end, double *worst)
{
	ddb_budget	b;
	ddb_cost	c = {0};
	int64_t		sent[4000];
	double		cost[4000];
	int			n = 0;
	int64_t		now = SEC;
	long		items_left = 20000;
	int			i;
	int			j;

	memset(&b, 0, sizeof(b));
	ddb_budget_statement(&b, 1, limit);
	while (items_left > 0 && n < 4000)
	{
		long		lim = ddb_budget_page_limit(&b, now, c.per_item);
		long		items = lim < items_left ? lim : items_left;
		double		est = ddb_cost_estimate(&c, lim, true, DDB_COST_READ_GUESS);
		double		blocks;
		double		actual;

		now = ddb_budget_ready(&b, now, est);
		ddb_budget_take(&b, now, est);
		blocks = (double) (long) ((items * item_kb + 3.999) / 4);
		actual = blocks * 0.5;
		sent[n] = now;
		cost[n++] = actual;
		now += lat;
		ddb_budget_settle(&b, now, est, actual);
		ddb_cost_observe(&c, actual, items);
		items_left -= items;
	}
	*worst = 0;
	for (i = 0; i < n; i++)
	{
		double		sum = 0;

		for (j = i; j < n && sent[j] < sent[i] + 5 * SEC; j++)
			sum += cost[j];
		if (sum > *worst)
			*worst = sum;
	}
	*end = now;
}

static void
test_budget_scan(void)
{
	int64_t		end;
	double		worst;
	double		total;

	/* 20000 items of 1.5 KB: 3750 units; at 40 units/s about 94 s */
	simulate_scan(40, 1.5, 2000, &end, &worst);
	total = 20000 * 1.5 / 4 * 0.5;
	CHECK(worst <= 1.1 * 5 * 40);
	CHECK(worst >= 0.9 * 5 * 40);
	CHECK((double) (end - SEC) / SEC >= total / 40 * 0.95);
	CHECK((double) (end - SEC) / SEC <= total / 40 * 1.1);
	/* a slow server (200 ms an answer) is never pushed over the budget */
	simulate_scan(40, 1.5, 200000, &end, &worst);
	CHECK(worst <= 1.1 * 5 * 40);
	/* big items (100 KB: 12.5 units each) against a small budget */
	simulate_scan(200, 100, 5000, &end, &worst);
	CHECK(worst <= 1.1 * 5 * 200);
	/* tiny items, a large budget */
	simulate_scan(2000, 0.1, 1000, &end, &worst);
	CHECK(worst <= 1.1 * 5 * 2000);
}

int
main(void)
{
	test_classify();
	test_allowed();
	test_backoff();
	test_rate();
	test_budget_limits();
	test_budget_bucket();
	test_budget_aimd();
	test_budget_pages();
	test_cost();
	test_budget_scan();
	UNIT_DONE("retry_core");
}
