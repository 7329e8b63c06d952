/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Retransmission timeout estimator: RFC 6298 with timestamp-echo samples
 * (RFC 7323 section 4).  See rto.h.
 */
#include "mpcomm/rto.h"

/* RFC 6298's clock granularity G: the peer's timers tick every 2 ms, and a
 * timeout below a millisecond over srtt only causes spurious resends. */
#define RTO_GRANULARITY_US	1000

void
rto_init(struct rto *r, uint64_t init_us, uint64_t min_us, uint64_t max_us)
{
	r->srtt = r->rttvar = r->samples = 0;
	r->rto = init_us;
	r->min = min_us;
	r->max = max_us;
}

void
rto_sample(struct rto *r, uint64_t rtt)
{
	uint64_t diff, var4;

	if (r->samples++ == 0) {
		r->srtt = rtt ? rtt : 1;
		r->rttvar = rtt / 2;
	} else {
		diff = r->srtt > rtt ? r->srtt - rtt : rtt - r->srtt;
		r->rttvar = (3 * r->rttvar + diff) / 4;
		r->srtt = (7 * r->srtt + rtt) / 8;
	}
	var4 = 4 * r->rttvar;
	r->rto = r->srtt + (var4 > RTO_GRANULARITY_US ? var4 :
	    RTO_GRANULARITY_US);
	if (r->rto < r->min)
		r->rto = r->min;
	if (r->rto > r->max)
		r->rto = r->max;
}

uint64_t
rto_timeout(const struct rto *r, unsigned tries)
{
	unsigned shift = tries < RTO_BACKOFF_MAX ? tries : RTO_BACKOFF_MAX;
	uint64_t t = r->rto << shift;

	return t > r->max ? r->max : t;
}

int
rto_echo_rtt(uint32_t now32, uint32_t tsecr, uint32_t held_us,
    uint64_t limit_us, uint64_t *rtt_us)
{
	uint32_t trip = now32 - tsecr;	/* modulo 2^32: wraps correctly */

	if (held_us > trip)
		return -1;
	if (trip - held_us > limit_us)
		return 1;
	*rtt_us = trip - held_us;
	return 0;
}
