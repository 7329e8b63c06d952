/* SPDX-License-Identifier: BSD-2-Clause */
/* libFuzzer target: a trace line of a run of n peers and m messages (the
 * first two bytes choose them), decoded and bounded as the comparison
 * server takes it in (trace_parse, trace_check): whatever passes both is
 * within the run's bounds and survives its own encoding. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mpcomm/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[TRACE_LINE_MAX * 2], again[TRACE_LINE_MAX], why[200];
	struct trace_ev e, f;
	unsigned n;
	uint32_t m;
	size_t ix;

	if (size < 3 || size - 3 >= sizeof(line))
		return 0;
	n = 1 + data[0] % 64;
	m = data[1] & 0x80 ? (uint32_t)INT32_MAX >> (data[1] & 31) :
	    1 + data[1] % 16;
	ix = data[2];
	memcpy(line, data + 3, size - 3);
	line[size - 3] = '\0';
	if (trace_parse(line, n, &e) < 0)
		return 0;
	if (trace_format(&e, again, sizeof(again)) >= (int)sizeof(again) ||
	    trace_parse(again, n, &f) != 0 || memcmp(&e, &f, sizeof(e)) != 0)
		abort();
	if (trace_check(&e, ix, n, m, why, sizeof(why)) < 0) {
		if (!why[0])
			abort();	/* a refusal always says why */
		return 0;
	}
	if (e.kind != TRACE_VIEW && e.kind != TRACE_SEND && e.peer >= n)
		abort();
	if (e.kind != TRACE_VIEW && e.kind != TRACE_ACK &&
	    (e.seq > m || e.seq > TRACE_MAX))
		abort();
	if (e.kind != TRACE_VIEW && e.ts > trace_clock_bound(n, m))
		abort();
	if (e.kind == TRACE_DELIVER && e.via >= (int64_t)ix)
		abort();
	return 0;
}
