/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the logs and traces of a small run, taken in as the
 * comparison server takes a LOG body (collect.c: entry, view and trace
 * lines, each checked), then judged and drawn by every renderer into
 * /dev/null (text report, RESULT, CSV, JSON, lanes SVG, space-time SVG,
 * ShiViz).  The first bytes choose the run: n = 2 + b0 % 3, m = 1 + b1 % 6,
 * b2: the mode (% 3), 4: traces only parsed, not bounded (every picture
 * must survive any trace that parses), 8: peers on several hosts, 16:
 * every peer's log arrived.  Then lines: "P<k>" starts peer k's log,
 * "X" marks it excluded, others are its log lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpcomm/dlog.h"
#include "mpcomm/log.h"
#include "mpcomm/trace.h"
#include "../../src/comparison_server/cs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One line into log l of a run of n peers and m messages, as collect.c
 * would take it (a line it refuses is left out). */
static void
take(struct peer_log *l, const char *line, unsigned n, uint32_t m, bool raw)
{
	uint64_t members;
	uint32_t view, seq;
	unsigned sender;
	uint64_t ts;
	char why[200];

	if (strcmp(line, "X") == 0) {
		l->status = RUN_STATUS_EXCLUDED;
	} else if (dlog_is_view(line)) {
		if (l->nviews == LOG_VIEWS_MAX ||
		    dlog_parse_view(line, &view, &members) < 0 ||
		    (l->nviews && view <= l->views[l->nviews - 1].view) ||
		    (n < 64 && members >> n))
			return;
		l->views[l->nviews].at = l->n;
		l->views[l->nviews].view = view;
		l->views[l->nviews++].members = members;
	} else if (line[0] == '@') {
		struct trace_ev *e = &l->trace[l->ntrace];

		if (l->ntrace == trace_capacity(m, n) ||
		    trace_parse(line, n, e) < 0 ||
		    e->via >= (int64_t)l->ntrace)
			return;
		if (!raw && trace_check(e, l->ntrace, n, m, why,
		    sizeof(why)) < 0)
			return;
		l->ntrace++;
	} else if (l->n < 2 * (size_t)n * m + 16 &&
	    dlog_parse_entry(line, &sender, &seq, &ts) == 0) {
		l->keys[l->n++] = (uint64_t)sender << 32 | seq;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[4096], words[2048], *line, *next;
	struct report *rp;
	struct peer_log *l = NULL;
	unsigned i, n;
	uint32_t m;
	FILE *f;
	static bool quiet;

	/* The renderers' warnings (no trace, too large) are expected. */
	if (!quiet)
		quiet = log_set_file("/dev/null") == 0;
	if (size < 3 || size - 3 >= sizeof(text))
		return 0;
	n = 2 + data[0] % 3;
	m = 1 + data[1] % 6;
	memcpy(text, data + 3, size - 3);
	text[size - 3] = '\0';
	if (!(rp = calloc(1, sizeof(*rp))))
		return 0;
	rp->run = 1;
	rp->p.n = n;
	rp->p.m = m;
	rp->p.mode = (enum order_mode)(data[2] % 3);
	for (i = 0; i < n; i++) {
		snprintf(rp->member[i].host, sizeof(rp->member[i].host),
		    "10.0.0.%u", data[2] & 8 ? i + 1 : 1);
		rp->log[i].received = data[2] & 16;
		rp->log[i].keys = calloc(2 * (size_t)n * m + 16,
		    sizeof(uint64_t));
		rp->log[i].trace = calloc(trace_capacity(m, n),
		    sizeof(struct trace_ev));
		if (!rp->log[i].keys || !rp->log[i].trace)
			goto out;
	}
	for (line = text; line; line = next) {
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		if (line[0] == 'P' && line[1] >= '0' && line[1] <= '9') {
			l = &rp->log[(unsigned)(line[1] - '0') % n];
			l->received = true;
		} else if (l) {
			take(l, line, n, m, data[2] & 4);
		}
	}
	compare_run(rp);
	if ((f = fopen("/dev/null", "w"))) {
		report_print(f, rp);
		report_result_line(f, rp);
		(void)report_csv_row(f, rp, true);
		fclose(f);
	}
	(void)st_explain(rp, words, sizeof(words));
	(void)report_json("/dev/null", rp);
	(void)report_svg("/dev/null", rp);
	(void)st_svg("/dev/null", rp);
	(void)shiviz_write("/dev/null", rp);
out:
	report_free(rp);
	return 0;
}
