/* SPDX-License-Identifier: BSD-2-Clause */
/* libFuzzer target: delivery-log header, entry and view lines, trace lines
 * (a line read back from its own encoding is the same event), and lines
 * of a region table. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mpcomm/dlog.h"
#include "mpcomm/region.h"
#include "mpcomm/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dlog_header h;
	char line[1100];
	unsigned sender;
	uint32_t seq;
	uint64_t ts, members;
	uint32_t view;
	static struct region_table t;	/* fills up; full tables refuse */
	struct trace_ev e, f;
	char err[128];

	if (size >= sizeof(line))
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	(void)dlog_parse_header(line, &h);
	(void)dlog_parse_entry(line, &sender, &seq, &ts);
	(void)dlog_parse_view(line, &view, &members);
	if (trace_parse(line, 64, &e) == 0) {
		char again[TRACE_LINE_MAX];

		trace_format(&e, again, sizeof(again));
		if (trace_parse(again, 64, &f) != 0 || memcmp(&e, &f,
		    sizeof(e)) != 0)
			abort();
	}
	(void)region_parse_line(&t, line, err, sizeof(err));
	return 0;
}
