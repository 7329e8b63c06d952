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

int
main(void)
{
	char dir[] = "/tmp/mpcomm-test-XXXXXX", cmd[64];

	CHECK(mkdtemp(dir) != NULL);
	test_write_and_finish(dir);
	test_never_replaced(dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
	CHECK_DONE("test_dlog");
}
