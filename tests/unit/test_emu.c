/* SPDX-License-Identifier: BSD-2-Clause */
/* The network emulation: loss and duplication at their rates, nothing
 * released early, everything released, and one seed, one fate. */
#include <stdint.h>
#include <string.h>

#include "mpcomm/emu.h"
#include "check.h"

static const struct emu_config ec = { .delay_min_us = 10,
    .delay_max_us = 1000, .loss = 0.2, .dup = 0.1, .seed = 3 };

static void
test_bad_config(void)
{
	CHECK(emu_create(&(struct emu_config){ .delay_min_us = 5,
	    .delay_max_us = 1 }, 10) == NULL);
}

static void
test_rates_and_release(void)
{
	struct emu *e = emu_create(&ec, 100000);
	uint8_t buf[64];
	int from, pushed = 0, popped = 0, i;
	size_t n;

	CHECK(e != NULL);
	if (!e)
		return;
	for (i = 0; i < 10000; i++) {
		memset(buf, i & 0xff, sizeof(buf));
		pushed += emu_push(e, 0, i % 7, buf, sizeof(buf));
	}
	CHECK(emu_stats(e)->lost > 1500 && emu_stats(e)->lost < 2500);
	CHECK(emu_stats(e)->duplicated > 500);
	CHECK(emu_next_due(e) >= 10);
	CHECK(emu_pop(e, 5, &from, buf, sizeof(buf)) == 0);	/* not due */
	while ((n = emu_pop(e, 2000, &from, buf, sizeof(buf))) > 0) {
		CHECK(n == sizeof(buf) && from >= 0 && from < 7);
		popped++;
	}
	CHECK(popped == pushed && emu_len(e) == 0);
	emu_destroy(e);
}

/* Same seed, same fate, released in time order. */
static void
test_same_seed(void)
{
	struct emu *a = emu_create(&ec, 1000), *b = emu_create(&ec, 1000);
	uint8_t buf[8] = { 0 };
	uint64_t last = 0;
	int from, i;

	for (i = 0; i < 500; i++)
		CHECK(emu_push(a, (uint64_t)i, 0, buf, 8) ==
		    emu_push(b, (uint64_t)i, 0, buf, 8));
	for (i = 0; i < 600; i++) {
		uint64_t da = emu_next_due(a), db = emu_next_due(b);

		CHECK(da == db);
		CHECK(da >= last || da == UINT64_MAX);
		last = da == UINT64_MAX ? last : da;
		emu_pop(a, da, &from, buf, 8);
		emu_pop(b, db, &from, buf, 8);
	}
	emu_destroy(a);
	emu_destroy(b);
}

/* Regions: a source's base delay with a jitter of at most a tenth of it,
 * plus the --delay draw; another source without a base is not delayed. */
static void
test_per_source(void)
{
	struct emu_config c = { .delay_min_us = 0, .delay_max_us = 100,
	    .seed = 9 };
	struct emu *e;
	uint8_t buf[4] = { 0 };
	uint64_t due;
	int from, i;

	c.base_us[2] = 50000;
	CHECK(emu_active(&c));
	CHECK((e = emu_create(&c, 100)) != NULL);
	for (i = 0; i < 50; i++) {
		CHECK(emu_push(e, 1000, 2, buf, 4) == 1);
		due = emu_next_due(e);
		CHECK(due >= 1000 + 50000 && due <= 1000 + 55000 + 100);
		CHECK(emu_pop(e, due - 1, &from, buf, 4) == 0);
		CHECK(emu_pop(e, due, &from, buf, 4) == 4 && from == 2);
		CHECK(emu_push(e, 1000, 3, buf, 4) == 1);
		CHECK(emu_next_due(e) <= 1000 + 100);
		CHECK(emu_pop(e, 1100, &from, buf, 4) == 4 && from == 3);
	}
	emu_destroy(e);
}

int
main(void)
{
	test_per_source();
	test_bad_config();
	test_rates_and_release();
	test_same_seed();
	CHECK_DONE("test_emu");
}
