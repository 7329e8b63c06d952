/* SPDX-License-Identifier: BSD-2-Clause */
/* Run statuses: every name parses back to its status; nothing else does. */
#include <string.h>

#include "mpcomm/runstatus.h"
#include "check.h"

static void
round_trip(void)
{
	enum run_status s, got;

	for (s = RUN_STATUS_OK; s <= RUN_STATUS_EXCLUDED; s++)
		CHECK(run_status_parse(run_status_name(s), &got) == 0 &&
		    got == s);
}

static void
wire_names(void)
{
	CHECK(strcmp(run_status_name(RUN_STATUS_OK), "ok") == 0);
	CHECK(strcmp(run_status_name(RUN_STATUS_ABORTED), "aborted") == 0);
	CHECK(strcmp(run_status_name(RUN_STATUS_FAILED), "failed") == 0);
	CHECK(strcmp(run_status_name(RUN_STATUS_TIMEOUT), "timeout") == 0);
	CHECK(strcmp(run_status_name(RUN_STATUS_EXCLUDED), "excluded") == 0);
	CHECK(strcmp(run_status_name((enum run_status)99), "?") == 0);
}

static void
refused(void)
{
	enum run_status got = RUN_STATUS_FAILED;

	CHECK(run_status_parse("", &got) < 0);
	CHECK(run_status_parse("OK", &got) < 0);
	CHECK(run_status_parse("ok ", &got) < 0);
	CHECK(run_status_parse("no-log", &got) < 0);
	CHECK(got == RUN_STATUS_FAILED);
}

int
main(void)
{
	round_trip();
	wire_names();
	refused();
	CHECK_DONE("test_runstatus");
}
