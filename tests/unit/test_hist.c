/* SPDX-License-Identifier: BSD-2-Clause */
/* The latency histogram: quantiles within their bucket, the maximum exact. */
#include <stdint.h>

#include "mpcomm/hist.h"
#include "check.h"

static void
test_quantiles(void)
{
	struct hist h;
	uint64_t v;

	hist_init(&h);
	for (v = 1; v <= 1000; v++)
		hist_add(&h, v);
	CHECK(hist_quantile(&h, 0.5) >= 490 && hist_quantile(&h, 0.5) <= 520);
	CHECK(hist_quantile(&h, 0.99) >= 980 && hist_quantile(&h, 0.99) <= 1000);
	CHECK(hist_quantile(&h, 1) == 1000 && h.max == 1000);
}

static void
test_huge_value(void)
{
	struct hist h;

	hist_init(&h);
	hist_add(&h, 1);
	hist_add(&h, 1ULL << 50);
	CHECK(hist_quantile(&h, 1) == 1ULL << 50);
}

int
main(void)
{
	test_quantiles();
	test_huge_value();
	CHECK_DONE("test_hist");
}
