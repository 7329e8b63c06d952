/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Lamport logical clocks (L. Lamport, "Time, Clocks, and the Ordering of
 * Events in a Distributed System", CACM 21(7), 1978) and the one total-order
 * comparison that the queue, the delivery rule and the tests all use.
 */
#ifndef MPCOMM_LCLOCK_H
#define MPCOMM_LCLOCK_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Timestamps above this are refused from the network: the clock must be able
 * to move past any timestamp it accepts without wrapping.
 */
#define LCLOCK_MAX	(UINT64_C(1) << 62)

/* The clock's next value for a local event (a stamping). */
static inline uint64_t
lclock_tick(uint64_t *clock)
{
	return ++*clock;
}

/* Receipt of a message stamped ts: clock = max(clock, ts) + 1. */
static inline void
lclock_merge(uint64_t *clock, uint64_t ts)
{
	if (ts > *clock)
		*clock = ts;
	++*clock;
}

/* The total order: (ts, sender) lexicographically.  True if a precedes b. */
static inline bool
lclock_before(uint64_t ts_a, unsigned id_a, uint64_t ts_b, unsigned id_b)
{
	return ts_a < ts_b || (ts_a == ts_b && id_a < id_b);
}

#endif
