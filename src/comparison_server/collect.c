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

#include "mpcomm/ctl.h"
#include "mpcomm/dlog.h"
#include "mpcomm/log.h"
#include "mpcomm/lsrv.h"
#include "cs.h"

struct log_conn {
	struct peer_log	 l;
	uint64_t	 run;
	unsigned	 peer;
	uint64_t	 declared;
	uint64_t	 declared_views;
	uint64_t	 declared_trace;
	unsigned	 n;		/* members of the run */
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

static int
refuse(struct lsrv_conn *c, int code, const char *why)
{
	log_warnx("%s: LOG refused: %s", lsrv_peer(c), why);
	lsrv_printf(c, "ERR %d %s\n", code, why);
	return -1;
}

/* The optional fields of a LOG header: the peer's figures, why it ended. */
static int
log_figures(struct ctl_msg *m, struct peer_log *l)
{
	if (ctl_get_u64(m, "lat_p50", 0, UINT64_MAX, 0, &l->lat_p50) < 0 ||
	    ctl_get_u64(m, "lat_p99", 0, UINT64_MAX, 0, &l->lat_p99) < 0 ||
	    ctl_get_u64(m, "lat_max", 0, UINT64_MAX, 0, &l->lat_max) < 0 ||
	    ctl_get_u64(m, "retrans", 0, UINT64_MAX, 0, &l->retrans) < 0 ||
	    ctl_get_u64(m, "dgrams_out", 0, UINT64_MAX, 0,
	    &l->dgrams_out) < 0 ||
	    ctl_get_u64(m, "dgrams_in", 0, UINT64_MAX, 0, &l->dgrams_in) < 0 ||
	    ctl_get_u64(m, "drops", 0, UINT64_MAX, 0, &l->drops) < 0 ||
	    ctl_get_u64(m, "dup", 0, UINT64_MAX, 0, &l->dup) < 0 ||
	    ctl_get_u64(m, "t_first", 0, UINT64_MAX, 0, &l->t_first) < 0 ||
	    ctl_get_u64(m, "t_last", 0, UINT64_MAX, 0, &l->t_last) < 0 ||
	    ctl_get_u64(m, "cpu_us", 0, UINT64_MAX, 0, &l->cpu_us) < 0 ||
	    ctl_get_u64(m, "rss_kb", 0, UINT64_MAX, 0, &l->rss_kb) < 0 ||
	    ctl_get_u64(m, "sent_dgrams", 0, UINT64_MAX, 0,
	    &l->sent_dgrams) < 0 ||
	    ctl_get_u64(m, "sent_bytes", 0, UINT64_MAX, 0,
	    &l->sent_bytes) < 0 ||
	    ctl_get_str(m, "reason", 0, l->reason, sizeof(l->reason)) < 0 ||
	    ctl_get_str(m, "error", 0, l->error, sizeof(l->error)) < 0)
		return -1;
	return 0;
}

static void upload_end(struct collect *coll, struct log_conn *lc);

static int
log_header(struct collect *coll, struct lsrv_conn *c, struct ctl_msg *m)
{
	struct log_conn *lc;
	uint64_t run, peer, count, limit, cut = 0;
	char order[8], status[16], why[160], *p;
	enum run_status st;
	int known, dup, busy;
	unsigned n;

	if (!(lc = calloc(1, sizeof(*lc))))
		return refuse(c, 500, "out of memory");
	if (ctl_get_u64(m, "run", 1, UINT64_MAX, 1, &run) < 0 ||
	    ctl_get_u64(m, "peer", 0, MSG_MAX_PEERS - 1, 1, &peer) < 0 ||
	    ctl_get_str(m, "order", 1, order, sizeof(order)) < 0 ||
	    ctl_get_str(m, "status", 1, status, sizeof(status)) < 0 ||
	    ctl_get_u64(m, "count", 0, UINT32_MAX, 1, &count) < 0 ||
	    ctl_get_u64(m, "views", 0, LOG_VIEWS_MAX, 0,
	    &lc->declared_views) < 0 || log_figures(m, &lc->l) < 0 ||
	    ctl_get_u64(m, "trace", 0, trace_capacity(TRACE_MAX,
	    MSG_MAX_PEERS), 0, &lc->declared_trace) < 0 ||
	    ctl_get_u64(m, "trace_cut", 0, 1, 0, &cut) < 0 ||
	    ctl_check_unused(m) < 0) {
		free(lc);
		return refuse(c, 400, m->err);
	}
	if (run_status_parse(status, &st) < 0 || st == RUN_STATUS_TIMEOUT) {
		free(lc);
		return refuse(c, 400, "status must be ok, aborted, excluded or "
		    "failed");
	}
	if ((st == RUN_STATUS_FAILED) != (lc->l.error[0] != '\0')) {
		free(lc);
		return refuse(c, 400, "error= goes with status=failed, and "
		    "only with it");
	}
	pthread_mutex_lock(&coll->mu);
	known = coll->run == run && peer < coll->n;
	dup = known && coll->log[peer].received;
	busy = known && !dup && (coll->uploading >> peer & 1);
	n = coll->n;
	limit = 2 * (uint64_t)coll->n * coll->m + 16;
	if (known && !dup && !busy && count <= limit)
		coll->uploading |= UINT64_C(1) << peer;
	pthread_mutex_unlock(&coll->mu);
	if (!known) {
		free(lc);
		snprintf(why, sizeof(why), "unknown run %" PRIu64 " or peer %"
		    PRIu64, run, peer);
		return refuse(c, 404, why);
	}
	if (dup) {
		free(lc);
		snprintf(why, sizeof(why), "peer %" PRIu64 " already sent its "
		    "log of run %" PRIu64, peer, run);
		return refuse(c, 409, why);
	}
	if (busy) {
		free(lc);
		snprintf(why, sizeof(why), "busy: a LOG of peer %" PRIu64
		    " for run %" PRIu64 " is already arriving", peer, run);
		return refuse(c, 503, why);
	}
	if (count <= limit && lc->declared_trace > trace_capacity(coll->m <
	    TRACE_MAX ? coll->m : TRACE_MAX, n)) {
		upload_end(coll, lc);
		snprintf(why, sizeof(why), "trace of %" PRIu64 " events is "
		    "more than a traced run of %u peers makes",
		    lc->declared_trace, n);
		return refuse(c, 413, why);
	}
	if (count > limit) {
		free(lc);
		snprintf(why, sizeof(why), "count %" PRIu64 " is more than a "
		    "run of %u peers can deliver", count, n);
		return refuse(c, 413, why);
	}
	lc->l.status = st;
	for (p = lc->l.reason; *p; p++)	/* one field: '_' stood for ' ' */
		if (*p == '_')
			*p = ' ';
	lc->run = run;
	lc->peer = (unsigned)peer;
	lc->declared = count;
	lc->l.trace_cut = cut == 1;
	lc->n = n;
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
	char why[160];
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
		coll->log[lc->peer] = lc->l;
		coll->log[lc->peer].received = true;
		coll->received++;
		memset(&lc->l, 0, sizeof(lc->l));
		pthread_cond_broadcast(&coll->cv);
	}
	pthread_mutex_unlock(&coll->mu);
	if (!ok)
		return refuse(c, 409, "run over, or log already received");
	if (lc->l.error[0])
		log_warnx("run %" PRIu64 ": peer %u could not keep its log: %s",
		    lc->run, lc->peer, lc->l.error);
	else
		log_info("run %" PRIu64 ": log of peer %u received (%" PRIu64
		    " deliveries)", lc->run, lc->peer, lc->declared);
	lsrv_printf(c, "OK received=%" PRIu64 "\n", lc->declared);
	return 0;
}

/*
 * A view line of a LOG body: announced, well formed, a view number above
 * the one before, members of this run only.
 */
static int
log_view(struct lsrv_conn *c, struct log_conn *lc, const char *line)
{
	struct log_view *v;
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
 * announced, well formed, pointing back only at events before it.
 */
static int
log_trace(struct lsrv_conn *c, struct log_conn *lc, const char *line)
{
	struct trace_ev *e;
	char why[160];

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
	if (trace_parse(line, lc->n, e) < 0 || e->via >= (int64_t)lc->l.ntrace) {
		snprintf(why, sizeof(why), "bad trace line %zu", lc->l.ntrace +
		    1);
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

	if (lc)
		return log_body(coll, c, lc, line);
	if (ctl_parse(line, len, &m) < 0)
		return refuse(c, 400, m.err);
	if (strcmp(m.verb, "LOG") == 0)
		return log_header(coll, c, &m);
	if (strcmp(m.verb, "PING") == 0) {
		lsrv_printf(c, "OK pong\n");
		return 0;
	}
	return refuse(c, 400, "unknown verb (expected LOG)");
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
	};

	return &ops;
}
