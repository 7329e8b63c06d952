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
	struct log_reader rd;		/* the log as it arrives */
	uint64_t	 run;
	unsigned	 peer;
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
	free(l->ts);
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
	log_reader_begin(&lc->rd, &h, n, msgs);
	if ((code = log_reader_check(&lc->rd, why, sizeof(why))) != 0) {
		upload_end(coll, lc);
		return refuse(c, code, why);
	}
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
	peer_log_free(&lc->rd.l);
	free(lc);
}

/* The LOG is complete: hand it to the run, if it is still wanted. */
static int
log_commit(struct collect *coll, struct lsrv_conn *c, struct log_conn *lc)
{
	struct ctlmsg_received got = { lc->rd.declared };
	char line[64];
	int ok;

	pthread_mutex_lock(&coll->mu);
	ok = coll->run == lc->run && !coll->log[lc->peer].received;
	if (ok) {
		/*
		 * Said before the broadcast and under the lock: once it is
		 * published the main thread may report the run, and this line
		 * must come before the report and its RESULT line.
		 */
		if (lc->rd.l.error[0])
			log_warnx("run %" PRIu64 ": peer %u could not keep its "
			    "log: %s", lc->run, lc->peer, lc->rd.l.error);
		else
			log_info("run %" PRIu64 ": log of peer %u received (%"
			    PRIu64 " deliveries)", lc->run, lc->peer,
			    lc->rd.declared);
		coll->log[lc->peer] = lc->rd.l;
		coll->log[lc->peer].received = true;
		coll->received++;
		memset(&lc->rd.l, 0, sizeof(lc->rd.l));
		pthread_cond_broadcast(&coll->cv);
	}
	pthread_mutex_unlock(&coll->mu);
	if (!ok)
		return refuse(c, 409, "run over, or log already received");
	answer(c, line, ctlmsg_received_format(&got, line, sizeof(line)));
	return 0;
}

static int
log_body(struct collect *coll, struct lsrv_conn *c, struct log_conn *lc,
    const char *line)
{
	char why[256];
	int rc;

	rc = log_reader_line(&lc->rd, line, why, sizeof(why));
	if (strcmp(line, "END") == 0) {
		/* Complete or not, this upload is over. */
		rc = rc == LOG_READER_END ? log_commit(coll, c, lc) :
		    refuse(c, rc, why);
		upload_end(coll, lc);
		lsrv_set_data(c, NULL);
		return rc;
	}
	return rc ? refuse(c, rc, why) : 0;
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
		    why ? why : "closed", lc->rd.l.n, lc->rd.declared);
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
