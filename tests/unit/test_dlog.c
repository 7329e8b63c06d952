/* SPDX-License-Identifier: BSD-2-Clause */
/* The delivery-log writer: header first, then the lines, the part file
 * gone; an existing log of the same run and peer is never touched. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mpcomm/dlog.h"
#include "check.h"

static void
test_write_and_finish(const char *dir)
{
	char path[256], line[128];
	struct dlog *d = dlog_open(dir, 12, 3);
	FILE *f;
	int i;

	CHECK(d != NULL);
	if (!d)
		return;
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
		    strcmp(line, "# run=12 peer=3 order=total status=ok\n") == 0);
		CHECK(fgets(line, sizeof(line), f) &&
		    strcmp(line, "0 1 0\n") == 0);
		for (i = 1; fgets(line, sizeof(line), f); i++)
			;
		CHECK(i == 100000);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/run12-peer3.log.part", dir);
	CHECK(access(path, F_OK) != 0);
}

/* A second log of the same run and peer touches nothing. */
static void
test_never_replaced(const char *dir)
{
	char path[256];
	struct dlog *d;

	errno = 0;
	CHECK(dlog_open(dir, 12, 3) == NULL && errno == EEXIST);
	snprintf(path, sizeof(path), "%s/run12-peer3.log.part", dir);
	CHECK(access(path, F_OK) != 0);
	d = dlog_open(dir, 12, 4);
	CHECK(d != NULL && dlog_append(d, 0, 1, 1) == 0);
	dlog_close(d);		/* its part file stays */
	errno = 0;
	CHECK(dlog_open(dir, 12, 4) == NULL && errno == EEXIST);
	CHECK(dlog_open("/nonexistent/dir", 1, 1) == NULL);
}

/* View lines: written where they fall, not counted as messages, read back
 * by the one parser; malformed ones refused. */
static void
test_views(const char *dir)
{
	char path[256], line[300];
	struct dlog *d = dlog_open(dir, 13, 0);
	uint64_t mask;
	uint32_t v;
	FILE *f;

	CHECK(d != NULL);
	if (!d)
		return;
	CHECK(dlog_append(d, 1, 1, 1) == 0);
	CHECK(dlog_append_view(d, 1, 0x0b) == 0);
	CHECK(dlog_append(d, 0, 1, 2) == 0);
	CHECK(dlog_append_view(d, 2, UINT64_MAX) == 0);
	CHECK(dlog_append_view(d, 0, 1) < 0 && errno == EINVAL);
	CHECK(dlog_append_view(d, 3, 0) < 0 && errno == EINVAL);
	CHECK(dlog_count(d) == 2 && dlog_views(d) == 2);
	CHECK(dlog_finish(d, "total", "excluded") == 0);
	dlog_close(d);
	snprintf(path, sizeof(path), "%s/run13-peer0.log", dir);
	if (!(f = fopen(path, "r"))) {
		CHECK(f != NULL);
		return;
	}
	CHECK(fgets(line, sizeof(line), f) && strcmp(line,
	    "# run=13 peer=0 order=total status=excluded\n") == 0);
	CHECK(fgets(line, sizeof(line), f) && strcmp(line, "1 1 1\n") == 0);
	CHECK(fgets(line, sizeof(line), f) &&
	    strcmp(line, "# view=1 members=0,1,3\n") == 0);
	line[strcspn(line, "\n")] = '\0';
	CHECK(dlog_parse_view(line, &v, &mask) == 0 && v == 1 &&
	    mask == 0x0b);
	CHECK(fgets(line, sizeof(line), f) && strcmp(line, "0 1 2\n") == 0);
	CHECK(fgets(line, sizeof(line), f) != NULL);
	line[strcspn(line, "\n")] = '\0';
	CHECK(dlog_parse_view(line, &v, &mask) == 0 && v == 2 &&
	    mask == UINT64_MAX);
	fclose(f);
	CHECK(dlog_is_view("# view=1 members=0") && !dlog_is_view("0 1 1") &&
	    !dlog_is_view("# run=1 peer=0 order=total status=ok"));
	CHECK(dlog_parse_view("# view=0 members=0", &v, &mask) < 0);
	CHECK(dlog_parse_view("# view=1 members=", &v, &mask) < 0);
	CHECK(dlog_parse_view("# view=1 members=1,0", &v, &mask) < 0);
	CHECK(dlog_parse_view("# view=1 members=1,1", &v, &mask) < 0);
	CHECK(dlog_parse_view("# view=1 members=0,64", &v, &mask) < 0);
	CHECK(dlog_parse_view("# view=1 members=0,", &v, &mask) < 0);
	CHECK(dlog_parse_view("# view=1 members=0 ", &v, &mask) < 0);
	CHECK(dlog_parse_view("# view=1  members=0", &v, &mask) < 0);
	CHECK(dlog_parse_view("# view=4294967296 members=0", &v, &mask) < 0);
	CHECK(dlog_parse_view("# view=4294967295 members=63", &v, &mask) == 0 &&
	    v == UINT32_MAX && mask == UINT64_C(1) << 63);
	CHECK(dlog_parse_view("#view=1 members=0", &v, &mask) < 0);
}

int
main(void)
{
	char dir[] = "/tmp/mpcomm-test-XXXXXX", cmd[64];

	CHECK(mkdtemp(dir) != NULL);
	test_write_and_finish(dir);
	test_never_replaced(dir);
	test_views(dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
	CHECK_DONE("test_dlog");
}
