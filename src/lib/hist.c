/* SPDX-License-Identifier: BSD-2-Clause */
/* Log-linear latency histogram: exact below 64, 32 buckets per octave above. */
#include <string.h>

#include "mpcomm/hist.h"

static unsigned
bucket_of(uint64_t v)
{
	unsigned e;

	if (v < 64)
		return (unsigned)v;
	e = 63 - (unsigned)__builtin_clzll(v);	/* 6..63 */
	return 64 + (e - 6) * HIST_SUB + (unsigned)((v >> (e - 5)) & (HIST_SUB - 1));
}

static uint64_t
bucket_top(unsigned i)
{
	unsigned e, sub;

	if (i < 64)
		return i;
	e = (i - 64) / HIST_SUB + 6;
	sub = (i - 64) % HIST_SUB;
	return ((uint64_t)(HIST_SUB + sub + 1) << (e - 5)) - 1;
}

void
hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
}

void
hist_add(struct hist *h, uint64_t v)
{
	h->b[bucket_of(v)]++;
	h->count++;
	if (v > h->max)
		h->max = v;
}

uint64_t
hist_quantile(const struct hist *h, double q)
{
	uint64_t rank, seen = 0, top;
	unsigned i;

	if (h->count == 0)
		return 0;
	if (q <= 0)
		q = 0;
	rank = (uint64_t)(q * (double)h->count + 0.999999);
	if (rank == 0)
		rank = 1;
	if (rank > h->count)
		rank = h->count;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank) {
			top = bucket_top(i);
			return top < h->max ? top : h->max;
		}
	}
	return h->max;
}
