/* SPDX-License-Identifier: BSD-2-Clause */
/* The hold queue pops in (ts, sender) order, and honours its limit. */
#include <errno.h>
#include <stdlib.h>

#include "mpcomm/lclock.h"
#include "mpcomm/pq.h"
#include "mpcomm/rng.h"
#include "check.h"

int
main(void)
{
	struct pq *q = pq_create(5000);
	struct pq_item it, prev = { 0 };
	struct rng r;
	int i;

	CHECK(q != NULL);
	CHECK(pq_top(q) == NULL);
	rng_seed(&r, 7);
	for (i = 0; i < 5000; i++) {
		it.ts = rng_below(&r, 300);	/* many equal timestamps */
		it.sender = (uint16_t)rng_below(&r, 16);
		it.seq = (uint32_t)i;
		it.send_us = 0;
		CHECK(pq_push(q, &it) == 0);
	}
	CHECK(pq_push(q, &it) < 0 && errno == ENOBUFS);
	CHECK(pq_len(q) == 5000);
	for (i = 0; i < 5000; i++) {
		const struct pq_item *t = pq_top(q);

		CHECK(t != NULL);
		if (i)
			CHECK(!lclock_before(t->ts, t->sender, prev.ts,
			    prev.sender));
		prev = *t;
		pq_pop(q);
	}
	CHECK(pq_len(q) == 0);
	pq_destroy(q);
	CHECK(lclock_before(1, 5, 2, 0) && lclock_before(3, 1, 3, 2) &&
	    !lclock_before(3, 2, 3, 2));
	{
		uint64_t c = 5;

		lclock_merge(&c, 9);
		CHECK(c == 10);
		lclock_merge(&c, 3);
		CHECK(c == 11);
		CHECK(lclock_tick(&c) == 12);
	}
	CHECK_DONE("test_pq");
}
