/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Receiving delivery logs: `LOG run=... peer=... count=C [views=V]
 * [trace=T trace_cut=0|1] ...`, C lines `<sender> <seq> <ts>` and V lines
 * `# view=<v> members=<ids>` in delivery order, then T trace lines
 * (trace.h), `END`.  A log is kept per connection while it arrives,
 * checked (known run, known peer, not sent twice, exactly C valid message
 * lines and V valid view lines), and only then handed to the run being
 * collected.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "mpcomm/ctlmsg.h"
#include "mpcomm/dlog.h"
#include "mpcomm/log.h"
#include "mpcomm/lsrv.h"
#include "mpcomm/proc.h"
#include "cs.h"

struct log_conn {
	struct peer_log	 l;
	uint64_t	 run;
	unsigned	 peer;
	uint64_t	 declared;
	uint64_t	 declared_views;
	uint64_t	 declared_trace;
	unsigned	 n;		/* members of the run */
	uint32_t	 m;		/* its messages per peer */
	size_t		 cap;
};

void
collect_init(struct collect *c)
{
	pthread_condattr_t ca;

	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cv, &ca);
	pthread_condattr_destroy(&ca);
}

void
peer_log_free(struct peer_log *l)
{
	free(l->keys);
	free(l->trace);
	memset(l, 0, sizeof(*l));
}

void
collect_begin(struct collect *c, uint64_t run, unsigned n, uint32_t m)
{
	unsigned i;

	pthread_mutex_lock(&c->mu);
	for (i = 0; i < MSG_MAX_PEERS; i++)
		peer_log_free(&c->log[i]);
	c->run = run;
	c->n = n;
	c->m = m;
	c->received = 0;
	c->uploading = 0;
	pthread_mutex_unlock(&c->mu);
}

void
collect_end(struct collect *c)
{
	pthread_mutex_lock(&c->mu);
	c->run = 0;
	pthread_mutex_unlock(&c->mu);
}

/* Sends one answer line, as formatted by ctlmsg (len -1: it did not fit). */
static void
answer(struct lsrv_conn *c, const char *line, int len)
{
	(void)lsrv_printf(c, "%s\n", ctlmsg_answer(line, len));
}

static int
refuse(struct lsrv_conn *c, int code, const char *why)
{
	char line[CTL_LINE_MAX + 1];

	log_warnx("%s: LOG refused: %s", lsrv_peer(c), why);
	answer(c, line, ctlmsg_err_format(code, why, line, sizeof(line)));
	return -1;
}

/* What the LOG header says of the log, into the log being received. */
static void
log_figures(struct peer_log *l, const struct ctlmsg_log *h)
{
	l->status = h->status;
	memcpy(l->reason, h->reason, sizeof(l->reason));
	memcpy(l->error, h->error, sizeof(l->error));
#define COPY(name)	l->name = h->name;
	CTLMSG_LOG_FIGURES(COPY)
	CTLMSG_LOG_USAGE(COPY)
#undef COPY
	l->trace_cut = h->trace_cut;
}

/*
 * Claims the upload the LOG header h announces: 0 (the peer's bit is set
 * in coll->uploading; *n and *m are the run's peers and messages), or the
 * ERR code with why: not this run, sent twice, arriving already, too long.
 */
static int
log_claim(struct collect *coll, const struct ctlmsg_log *h, unsigned *n,
    uint32_t *m, char *why, size_t cap)
{
	uint64_t limit;
	int known, dup, busy;

	pthread_mutex_lock(&coll->mu);
	known = coll->run == h->run && h->peer < coll->n;
	dup = known && coll->log[h->peer].received;
	busy = known && !dup && (coll->uploading >> h->peer & 1);
	*n = coll->n;
	*m = coll->m;
	limit = 2 * (uint64_t)coll->n * coll->m + 16;
	if (known && !dup && !busy && h->count <= limit)
		coll->uploading |= UINT64_C(1) << h->peer;
	pthread_mutex_unlock(&coll->mu);
	if (!known)
		snprintf(why, cap, "unknown run %" PRIu64 " or peer %u",
		    h->run, h->peer);
	else if (dup)
		snprintf(why, cap, "peer %u already sent its log of run %"
		    PRIu64, h->peer, h->run);
	else if (busy)
		snprintf(why, cap, "busy: a LOG of peer %u for run %" PRIu64
		    " is already arriving", h->peer, h->run);
	else if (h->count > limit)
		snprintf(why, cap, "count %" PRIu64 " is more than a run of %u "
		    "peers can deliver", h->count, *n);
	else
		return 0;
	return !known ? 404 : dup ? 409 : busy ? 503 : 413;
}

static void upload_end(struct collect *coll, struct log_conn *lc);

/* A LOG header: checked, claimed, and the body expected. */
static int
log_header(struct collect *coll, struct lsrv_conn *c, struct ctl_msg *m)
{
	struct ctlmsg_log h;
	struct log_conn *lc;
	char why[160];
	unsigned n;
	uint32_t msgs;
	int code;

	if (!(lc = calloc(1, sizeof(*lc))))
		return refuse(c, 500, "out of memory");
	if (ctlmsg_log_parse(m, &h) < 0) {
		free(lc);
		return refuse(c, 400, m->err);
	}
	if ((code = log_claim(coll, &h, &n, &msgs, why, sizeof(why))) != 0) {
		free(lc);
		return refuse(c, code, why);
	}
	lc->run = h.run;
	lc->peer = h.peer;
	lc->declared = h.count;
	lc->declared_views = h.views;
	lc->declared_trace = h.trace;
	lc->n = n;
	lc->m = msgs;
	if (h.trace > trace_capacity(msgs < TRACE_MAX ? msgs : TRACE_MAX, n)) {
		upload_end(coll, lc);
		snprintf(why, sizeof(why), "trace of %" PRIu64 " events is "
		    "more than a traced run of %u peers makes", h.trace, n);
		return refuse(c, 413, why);
	}
	log_figures(&lc->l, &h);
	lsrv_set_data(c, lc);
	lsrv_body_begin(c);
	return 0;
}

/* The upload on this connection ends (committed, refused or cut). */
static void
upload_end(struct collect *coll, struct log_conn *lc)
{
	pthread_mutex_lock(&coll->mu);
	if (coll->run == lc->run)
		coll->uploading &= ~(UINT64_C(1) << lc->peer);
	pthread_mutex_unlock(&coll->mu);
	peer_log_free(&lc->l);
	free(lc);
}

/* The LOG is complete: hand it to the run, if it is still wanted. */
static int
log_commit(struct collect *coll, struct lsrv_conn *c, struct log_conn *lc)
{
	struct ctlmsg_received got = { lc->declared };
	char why[160], line[64];
	int ok;

	if (lc->l.ntrace != lc->declared_trace) {
		snprintf(why, sizeof(why), "LOG has %zu of %" PRIu64 " trace "
		    "lines", lc->l.ntrace, lc->declared_trace);
		return refuse(c, 400, why);
	}
	if (lc->l.n != lc->declared || lc->l.nviews != lc->declared_views) {
		snprintf(why, sizeof(why), "LOG shorter than announced: %zu of "
		    "%" PRIu64 " lines and %zu of %" PRIu64 " view lines",
		    lc->l.n, lc->declared, lc->l.nviews, lc->declared_views);
		return refuse(c, 400, why);
	}
	pthread_mutex_lock(&coll->mu);
	ok = coll->run == lc->run && !coll->log[lc->peer].received;
	if (ok) {
		/*
		 * Said before the broadcast and under the lock: once it is
		 * published the main thread may report the run, and this line
		 * must come before the report and its RESULT line.
		 */
		if (lc->l.error[0])
			log_warnx("run %" PRIu64 ": peer %u could not keep its "
			    "log: %s", lc->run, lc->peer, lc->l.error);
		else
			log_info("run %" PRIu64 ": log of peer %u received (%"
			    PRIu64 " deliveries)", lc->run, lc->peer,
			    lc->declared);
		coll->log[lc->peer] = lc->l;
		coll->log[lc->peer].received = true;
		coll->received++;
		memset(&lc->l, 0, sizeof(lc->l));
		pthread_cond_broadcast(&coll->cv);
	}
	pthread_mutex_unlock(&coll->mu);
	if (!ok)
		return refuse(c, 409, "run over, or log already received");
	answer(c, line, ctlmsg_received_format(&got, line, sizeof(line)));
	return 0;
}

/*
 * A view line of a LOG body: announced, well formed, a view number above
 * the one before, members of this run only.
 */
static int
log_view(struct lsrv_conn *c, struct log_conn *lc, const char *line)
{
	struct judge_view *v;
	uint64_t members;
	uint32_t view;
	char why[160];

	if (lc->l.nviews == lc->declared_views) {
		snprintf(why, sizeof(why), "LOG has more view lines than "
		    "announced (%" PRIu64 ")", lc->declared_views);
		return refuse(c, 400, why);
	}
	if (dlog_parse_view(line, &view, &members) < 0) {
		snprintf(why, sizeof(why), "bad view line after %zu lines: "
		    "expected '# view=<v> members=<a,b,...>'", lc->l.n);
		return refuse(c, 400, why);
	}
	if (lc->l.nviews && view <= lc->l.views[lc->l.nviews - 1].view) {
		snprintf(why, sizeof(why), "view %" PRIu32 " after view %"
		    PRIu32, view, lc->l.views[lc->l.nviews - 1].view);
		return refuse(c, 400, why);
	}
	if (lc->n < 64 && members >> lc->n) {
		snprintf(why, sizeof(why), "view %" PRIu32 " names a member "
		    "beyond the run's %u", view, lc->n);
		return refuse(c, 400, why);
	}
	v = &lc->l.views[lc->l.nviews++];
	v->at = lc->l.n;
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
log_trace(struct lsrv_conn *c, struct log_conn *lc, const char *line)
{
	struct trace_ev *e;
	char why[256], bound[200];

	if (lc->l.ntrace == lc->declared_trace) {
		snprintf(why, sizeof(why), "LOG has more trace lines than "
		    "announced (%" PRIu64 ")", lc->declared_trace);
		return refuse(c, 400, why);
	}
	if (lc->l.n != lc->declared || lc->l.nviews != lc->declared_views)
		return refuse(c, 400, "a trace line before the end of the log");
	if (!lc->l.trace && !(lc->l.trace = calloc((size_t)lc->declared_trace,
	    sizeof(*lc->l.trace))))
		return refuse(c, 500, "out of memory");
	e = &lc->l.trace[lc->l.ntrace];
	if (trace_parse(line, lc->n, e) < 0) {
		snprintf(why, sizeof(why), "bad trace line %zu", lc->l.ntrace +
		    1);
		return refuse(c, 400, why);
	}
	/* Bounded here, once, so that every picture drawn from the traces
	 * can index by seq and peer (comparison_server(8), --trace). */
	if (trace_check(e, lc->l.ntrace, lc->n, lc->m, bound,
	    sizeof(bound)) < 0) {
		snprintf(why, sizeof(why), "trace line %zu: %s", lc->l.ntrace +
		    1, bound);
		return refuse(c, 400, why);
	}
	lc->l.ntrace++;
	return 0;
}

static int
log_body(struct collect *coll, struct lsrv_conn *c, struct log_conn *lc,
    const char *line)
{
	unsigned sender;
	uint32_t seq;
	uint64_t ts;
	char why[160];
	int rc;

	if (strcmp(line, "END") == 0) {
		rc = log_commit(coll, c, lc);
		upload_end(coll, lc);
		lsrv_set_data(c, NULL);
		return rc;
	}
	if (dlog_is_view(line))
		return log_view(c, lc, line);
	if (line[0] == '@')
		return log_trace(c, lc, line);
	if (lc->l.n == lc->declared) {
		snprintf(why, sizeof(why), "LOG longer than announced (%"
		    PRIu64 " lines)", lc->declared);
		return refuse(c, 400, why);
	}
	if (dlog_parse_entry(line, &sender, &seq, &ts) < 0) {
		snprintf(why, sizeof(why), "bad log line %zu: expected "
		    "'<sender> <seq> <ts>'", lc->l.n + 1);
		return refuse(c, 400, why);
	}
	if (lc->l.n == lc->cap) {
		size_t ncap = lc->cap ? lc->cap * 2 : 1024;
		uint64_t *nk;

		if (ncap > lc->declared)
			ncap = (size_t)lc->declared;
		if (!(nk = realloc(lc->l.keys, ncap * sizeof(*nk))))
			return refuse(c, 500, "out of memory");
		lc->l.keys = nk;
		lc->cap = ncap;
	}
	lc->l.keys[lc->l.n++] = (uint64_t)sender << 32 | seq;
	return 0;
}

static int
on_line(void *arg, struct lsrv_conn *c, char *line, size_t len)
{
	struct collect *coll = arg;
	struct log_conn *lc = lsrv_get_data(c);
	struct ctl_msg m;
	char pong[16];

	if (lc)
		return log_body(coll, c, lc, line);
	switch (ctlmsg_read(line, len, &m)) {
	case -1:
		return refuse(c, 400, m.err);
	case CTLMSG_LOG:
		return log_header(coll, c, &m);
	case CTLMSG_PING:
		answer(c, pong, ctlmsg_ok_format("pong", pong, sizeof(pong)));
		return 0;
	default:
		return refuse(c, 400, "unknown verb (expected LOG)");
	}
}

static void
on_closed(void *arg, struct lsrv_conn *c, const char *why)
{
	struct log_conn *lc = lsrv_get_data(c);

	if (lc) {
		log_warnx("%s: LOG of peer %u dropped: connection %s after %zu "
		    "of %" PRIu64 " lines", lsrv_peer(c), lc->peer,
		    why ? why : "closed", lc->l.n, lc->declared);
		upload_end(arg, lc);
	}
}

const struct lsrv_ops *
collect_ops(void)
{
	static const struct lsrv_ops ops = {
		.line = on_line,
		.closed = on_closed,
		.refused = proc_log_refused,
	};

	return &ops;
}
