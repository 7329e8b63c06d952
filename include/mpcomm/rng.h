/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A small seeded PRNG (xoshiro256**, seeded through splitmix64) so that the
 * network emulation and the simulation replay exactly from a seed.
 */
#ifndef MPCOMM_RNG_H
#define MPCOMM_RNG_H

#include <stdint.h>

struct rng {
	uint64_t	s[4];
};

void		rng_seed(struct rng *r, uint64_t seed);
uint64_t	rng_next(struct rng *r);
/* Uniform in [0, n); n > 0. */
uint64_t	rng_below(struct rng *r, uint64_t n);
/* Uniform in [lo, hi]. */
uint64_t	rng_range(struct rng *r, uint64_t lo, uint64_t hi);
/* Uniform in [0, 1). */
double		rng_unit(struct rng *r);

#endif
