/* SPDX-License-Identifier: BSD-2-Clause */
/* libFuzzer target: delivery-log header, entry and view lines. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mpcomm/dlog.h"

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

	if (size >= sizeof(line))
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	(void)dlog_parse_header(line, &h);
	(void)dlog_parse_entry(line, &sender, &seq, &ts);
	(void)dlog_parse_view(line, &view, &members);
	return 0;
}
