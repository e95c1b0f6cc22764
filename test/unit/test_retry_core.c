/*
 * test_retry_core.c
 *	  Unit tests of src/retry_core.c: which failed attempts are retried,
 *	  the retry budget, the backoff's bounds and spread, and the rate
 *	  limiter's spacing and per-statement rules.
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

int
main(void)
{
	test_classify();
	test_allowed();
	test_backoff();
	test_rate();
	UNIT_DONE("retry_core");
}
