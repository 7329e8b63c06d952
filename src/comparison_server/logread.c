/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reading a LOG body, line by line, for the comparison server (a LOG
 * arriving on a connection) and for mpreport (a saved run's peer-I.log):
 * C lines `<sender> <seq> <ts>` and V lines `# view=<v> members=<ids>` in
 * delivery order, then T trace lines (trace.h), then `END`, exactly as
 * many of each as the header announced, every line checked against the
 * run's bounds before it is kept.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpcomm/dlog.h"
#include "cs.h"

void
log_reader_begin(struct log_reader *r, const struct ctlmsg_log *h,
    unsigned n, uint32_t m)
{
	memset(r, 0, sizeof(*r));
	r->declared = h->count;
	r->declared_views = h->views;
	r->declared_trace = h->trace;
	r->n = n;
	r->m = m;
	r->l.status = h->status;
	memcpy(r->l.reason, h->reason, sizeof(r->l.reason));
	memcpy(r->l.error, h->error, sizeof(r->l.error));
#define COPY(name)	r->l.name = h->name;
	CTLMSG_LOG_FIGURES(COPY)
	CTLMSG_LOG_USAGE(COPY)
#undef COPY
	r->l.trace_cut = h->trace_cut;
}

int
log_reader_check(const struct log_reader *r, char *why, size_t cap)
{
	if (r->declared_trace > trace_capacity(r->m < TRACE_MAX ? r->m :
	    TRACE_MAX, r->n)) {
		snprintf(why, cap, "trace of %" PRIu64 " events is more than "
		    "a traced run of %u peers makes", r->declared_trace, r->n);
		return 413;
	}
	return 0;
}

/*
 * A view line: announced, well formed, a view number above the one
 * before, members of this run only.
 */
static int
read_view(struct log_reader *r, const char *line, char *why, size_t cap)
{
	struct judge_view *v;
	uint64_t members;
	uint32_t view;

	if (r->l.nviews == r->declared_views) {
		snprintf(why, cap, "LOG has more view lines than announced (%"
		    PRIu64 ")", r->declared_views);
		return 400;
	}
	if (dlog_parse_view(line, &view, &members) < 0) {
		snprintf(why, cap, "bad view line after %zu lines: expected "
		    "'# view=<v> members=<a,b,...>'", r->l.n);
		return 400;
	}
	if (r->l.nviews && view <= r->l.views[r->l.nviews - 1].view) {
		snprintf(why, cap, "view %" PRIu32 " after view %" PRIu32,
		    view, r->l.views[r->l.nviews - 1].view);
		return 400;
	}
	if (r->n < 64 && members >> r->n) {
		snprintf(why, cap, "view %" PRIu32 " names a member beyond the "
		    "run's %u", view, r->n);
		return 400;
	}
	v = &r->l.views[r->l.nviews++];
	v->at = r->l.n;
	v->view = view;
	v->members = members;
	return 0;
}

/*
 * A trace line (README "Event traces"): after every message and view line,
 * announced, well formed, and within what the run could make (trace_check:
 * a seq, clock, peer and position the run has, a cause before it).
 */
static int
read_trace(struct log_reader *r, const char *line, char *why, size_t cap)
{
	struct trace_ev *e;
	char bound[200];

	if (r->l.ntrace == r->declared_trace) {
		snprintf(why, cap, "LOG has more trace lines than announced (%"
		    PRIu64 ")", r->declared_trace);
		return 400;
	}
	if (r->l.n != r->declared || r->l.nviews != r->declared_views) {
		snprintf(why, cap, "a trace line before the end of the log");
		return 400;
	}
	if (!r->l.trace && !(r->l.trace = calloc((size_t)r->declared_trace,
	    sizeof(*r->l.trace)))) {
		snprintf(why, cap, "out of memory");
		return 500;
	}
	e = &r->l.trace[r->l.ntrace];
	if (trace_parse(line, r->n, e) < 0) {
		snprintf(why, cap, "bad trace line %zu", r->l.ntrace + 1);
		return 400;
	}
	/* Bounded here, once, so that every picture drawn from the traces
	 * can index by seq and peer (comparison_server(8), --trace). */
	if (trace_check(e, r->l.ntrace, r->n, r->m, bound,
	    sizeof(bound)) < 0) {
		snprintf(why, cap, "trace line %zu: %s", r->l.ntrace + 1,
		    bound);
		return 400;
	}
	r->l.ntrace++;
	return 0;
}

/* END: every announced line came. */
static int
read_end(const struct log_reader *r, char *why, size_t cap)
{
	if (r->l.ntrace != r->declared_trace) {
		snprintf(why, cap, "LOG has %zu of %" PRIu64 " trace lines",
		    r->l.ntrace, r->declared_trace);
		return 400;
	}
	if (r->l.n != r->declared || r->l.nviews != r->declared_views) {
		snprintf(why, cap, "LOG shorter than announced: %zu of %" PRIu64
		    " lines and %zu of %" PRIu64 " view lines", r->l.n,
		    r->declared, r->l.nviews, r->declared_views);
		return 400;
	}
	return LOG_READER_END;
}

int
log_reader_line(struct log_reader *r, const char *line, char *why,
    size_t cap)
{
	unsigned sender;
	uint32_t seq;
	uint64_t ts;

	if (strcmp(line, "END") == 0)
		return read_end(r, why, cap);
	if (dlog_is_view(line))
		return read_view(r, line, why, cap);
	if (line[0] == '@')
		return read_trace(r, line, why, cap);
	if (r->l.n == r->declared) {
		snprintf(why, cap, "LOG longer than announced (%" PRIu64
		    " lines)", r->declared);
		return 400;
	}
	if (dlog_parse_entry(line, &sender, &seq, &ts) < 0) {
		snprintf(why, cap, "bad log line %zu: expected '<sender> <seq> "
		    "<ts>'", r->l.n + 1);
		return 400;
	}
	if (r->l.n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 1024;
		uint64_t *nk, *nt;

		if (ncap > r->declared)
			ncap = (size_t)r->declared;
		if (!(nk = realloc(r->l.keys, ncap * sizeof(*nk)))) {
			snprintf(why, cap, "out of memory");
			return 500;
		}
		r->l.keys = nk;
		if (!(nt = realloc(r->l.ts, ncap * sizeof(*nt)))) {
			snprintf(why, cap, "out of memory");
			return 500;
		}
		r->l.ts = nt;
		r->cap = ncap;
	}
	r->l.keys[r->l.n] = (uint64_t)sender << 32 | seq;
	r->l.ts[r->l.n++] = ts;
	return 0;
}
