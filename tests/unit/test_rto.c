/* SPDX-License-Identifier: BSD-2-Clause */
/* The retransmission timeout estimator: RFC 6298 arithmetic, backoff, and
 * the plausibility of timestamp echoes. */
#include <stdint.h>

#include "mpcomm/rto.h"
#include "check.h"

static void
test_first_sample(void)
{
	struct rto r;

	rto_init(&r, 100000, 5000, 2000000);
	CHECK(r.rto == 100000 && r.samples == 0);
	rto_sample(&r, 40000);		/* srtt = R, rttvar = R/2 */
	CHECK(r.srtt == 40000 && r.rttvar == 20000);
	CHECK(r.rto == 40000 + 4 * 20000);
}

static void
test_converges_and_clamps(void)
{
	struct rto r;
	int i;

	rto_init(&r, 100000, 5000, 2000000);
	for (i = 0; i < 200; i++)
		rto_sample(&r, 300);	/* a fast path: clamped to the min */
	CHECK(r.srtt >= 300 && r.srtt < 400);
	CHECK(r.rto == 5000);
	for (i = 0; i < 200; i++)
		rto_sample(&r, 10000000);	/* a slow one: to the max */
	CHECK(r.rto == 2000000);
}

static void
test_backoff(void)
{
	struct rto r;

	rto_init(&r, 10000, 5000, 50000);
	CHECK(rto_timeout(&r, 0) == 10000);
	CHECK(rto_timeout(&r, 1) == 20000);
	CHECK(rto_timeout(&r, 2) == 40000);
	CHECK(rto_timeout(&r, 3) == 50000);	/* 80000, capped */
	rto_init(&r, 1000, 1000, 1000000);
	CHECK(rto_timeout(&r, 3) == 8000 && rto_timeout(&r, 200) == 8000);
}

static void
test_echo(void)
{
	uint64_t rtt = 0;

	CHECK(rto_echo_rtt(5000, 1000, 500, 1000000, &rtt) == 0 &&
	    rtt == 3500);
	/* Across the 2^32 wrap of the µs clock. */
	CHECK(rto_echo_rtt(100, UINT32_MAX - 99, 0, 1000000, &rtt) == 0 &&
	    rtt == 200);
	/* Held longer than the whole trip: forged or broken. */
	CHECK(rto_echo_rtt(5000, 1000, 4001, 1000000, &rtt) < 0);
	/* An echo from the future (a trip of nearly 2^32 µs): stale. */
	CHECK(rto_echo_rtt(1000, 5000, 0, 1000000, &rtt) == 1);
	/* Older than the limit, as after a long pause: stale, no sample. */
	CHECK(rto_echo_rtt(3000000, 1000, 0, 1000000, &rtt) == 1);
}

int
main(void)
{
	test_first_sample();
	test_converges_and_clamps();
	test_backoff();
	test_echo();
	CHECK_DONE("test_rto");
}
