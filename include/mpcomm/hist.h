/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A fixed-size log-linear histogram of latencies in microseconds: constant
 * memory whatever the number of messages, about 3 % resolution.  Not
 * thread-safe.
 */
#ifndef MPCOMM_HIST_H
#define MPCOMM_HIST_H

#include <stdint.h>

#define HIST_SUB	32			/* buckets per power of two */
#define HIST_BUCKETS	(64 + 58 * HIST_SUB)

struct hist {
	uint64_t	count;
	uint64_t	max;
	uint64_t	b[HIST_BUCKETS];
};

void		hist_init(struct hist *h);
void		hist_add(struct hist *h, uint64_t v);
/* The value at quantile q in [0, 1] (an upper bound of its bucket). */
uint64_t	hist_quantile(const struct hist *h, double q);

#endif
