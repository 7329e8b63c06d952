/* SPDX-License-Identifier: BSD-2-Clause */
/* The histogram, the emulation queue and the delivery-log writer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mpcomm/dlog.h"
#include "mpcomm/emu.h"
#include "mpcomm/hist.h"
#include "check.h"

int
main(void)
{
	struct hist h;
	struct emu_config ec = { .delay_min_us = 10, .delay_max_us = 1000,
	    .loss = 0.2, .dup = 0.1, .seed = 3 };
	struct emu *e;
	uint8_t buf[64];
	uint64_t v, last = 0;
	int from, pushed = 0, popped = 0, i, rc;
	size_t n;

	hist_init(&h);
	for (v = 1; v <= 1000; v++)
		hist_add(&h, v);
	CHECK(hist_quantile(&h, 0.5) >= 490 && hist_quantile(&h, 0.5) <= 520);
	CHECK(hist_quantile(&h, 0.99) >= 980 && hist_quantile(&h, 0.99) <= 1000);
	CHECK(hist_quantile(&h, 1) == 1000 && h.max == 1000);
	hist_add(&h, 1ULL << 50);
	CHECK(hist_quantile(&h, 1) == 1ULL << 50);

	CHECK(emu_create(&(struct emu_config){ .delay_min_us = 5,
	    .delay_max_us = 1 }, 10) == NULL);
	e = emu_create(&ec, 100000);
	CHECK(e != NULL);
	for (i = 0; i < 10000; i++) {
		memset(buf, i & 0xff, sizeof(buf));
		rc = emu_push(e, 0, i % 7, buf, sizeof(buf));
		pushed += rc;
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
	/* Same seed, same fate. */
	{
		struct emu *a = emu_create(&ec, 1000), *b = emu_create(&ec, 1000);

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

	/* The delivery log: header first, then the lines, part file gone. */
	{
		char dir[] = "/tmp/mpcomm-test-XXXXXX", path[256], line[128];
		struct dlog *d;
		FILE *f;

		CHECK(mkdtemp(dir) != NULL);
		d = dlog_open(dir, 12, 3);
		CHECK(d != NULL);
		for (i = 0; i < 100000; i++)
			CHECK(dlog_append(d, (unsigned)(i % 4), (uint32_t)i + 1,
			    (uint64_t)i * 3) == 0);
		CHECK(dlog_finish(d, "total", "ok") == 0);
		snprintf(path, sizeof(path), "%s/run12-peer3.log", dir);
		CHECK(strcmp(dlog_path(d), path) == 0);
		dlog_close(d);
		f = fopen(path, "r");
		CHECK(f != NULL);
		if (f) {
			CHECK(fgets(line, sizeof(line), f) &&
			    strcmp(line, "# run=12 peer=3 order=total "
			    "status=ok\n") == 0);
			CHECK(fgets(line, sizeof(line), f) &&
			    strcmp(line, "0 1 0\n") == 0);
			for (i = 1; fgets(line, sizeof(line), f); i++)
				;
			CHECK(i == 100000);
			fclose(f);
		}
		snprintf(path, sizeof(path), "%s/run12-peer3.log.part", dir);
		CHECK(access(path, F_OK) != 0);
		/* A second log of the same run and peer touches nothing. */
		errno = 0;
		CHECK(dlog_open(dir, 12, 3) == NULL && errno == EEXIST);
		CHECK(access(path, F_OK) != 0);
		d = dlog_open(dir, 12, 4);
		CHECK(d != NULL && dlog_append(d, 0, 1, 1) == 0);
		dlog_close(d);		/* its part file stays */
		errno = 0;
		CHECK(dlog_open(dir, 12, 4) == NULL && errno == EEXIST);
		snprintf(path, sizeof(path), "rm -rf %s", dir);
		CHECK(system(path) == 0);
		CHECK(dlog_open("/nonexistent/dir", 1, 1) == NULL);
	}
	CHECK_DONE("test_misc");
}
