/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The retransmission timeout of one path, after RFC 6298 (Paxson, Allman,
 * Chu, Sargent, 2011), fed with round-trip samples that are never
 * ambiguous: each comes from a timestamp echo, as with TCP timestamps
 * (RFC 7323), so a retransmission never muddles a sample and the estimator
 * keeps tracking the path at any loss rate (Karn's rule is not needed).
 * Plain arithmetic over one struct; no clock reads.  Not thread-safe.
 */
#ifndef MPCOMM_RTO_H
#define MPCOMM_RTO_H

#include <stdint.h>

#define RTO_BACKOFF_MAX	3	/* a resend waits up to 8x the timeout */

struct rto {
	uint64_t	 srtt;		/* smoothed round trip, µs; 0: none yet */
	uint64_t	 rttvar;
	uint64_t	 rto;		/* current timeout, µs */
	uint64_t	 min;
	uint64_t	 max;
	uint64_t	 samples;
};

/* Starts with timeout init_us, later kept within [min_us, max_us]. */
void		 rto_init(struct rto *r, uint64_t init_us, uint64_t min_us,
		    uint64_t max_us);
/* Takes one round-trip sample (RFC 6298 section 2). */
void		 rto_sample(struct rto *r, uint64_t rtt_us);
/* The timeout after tries resends: doubled per try up to 2^RTO_BACKOFF_MAX,
 * and never above max. */
uint64_t	 rto_timeout(const struct rto *r, unsigned tries);

/*
 * The round trip shown by an echo: our tsval came back as tsecr, after the
 * other side held it held_us, and now32 is our clock (µs modulo 2^32).
 * Returns 0 and sets *rtt_us; 1 for a trip longer than limit_us (a stale
 * echo, as after a long pause: no sample); -1 for an echo no real path can
 * produce (held longer than the whole trip).
 */
int		 rto_echo_rtt(uint32_t now32, uint32_t tsecr, uint32_t held_us,
		    uint64_t limit_us, uint64_t *rtt_us);

#endif
