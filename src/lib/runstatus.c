/* SPDX-License-Identifier: BSD-2-Clause */
/* The names of run statuses, both ways. */
#include <stddef.h>
#include <string.h>

#include "mpcomm/runstatus.h"

static const char *const names[] = {
	[RUN_STATUS_OK] = "ok",
	[RUN_STATUS_ABORTED] = "aborted",
	[RUN_STATUS_FAILED] = "failed",
	[RUN_STATUS_TIMEOUT] = "timeout",
	[RUN_STATUS_EXCLUDED] = "excluded",
};

const char *
run_status_name(enum run_status s)
{
	if ((size_t)s >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[s];
}

int
run_status_parse(const char *name, enum run_status *out)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0) {
			*out = (enum run_status)i;
			return 0;
		}
	return -1;
}
