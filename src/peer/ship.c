/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shipping a delivery log: the final file is written (header first), then
 * sent to the comparison server as `LOG ...`, one line per delivery and one
 * per view installed, `END`.
 * An unreachable server is retried with exponential backoff for a bounded
 * time; the file stays on disk either way.  A log that could not be
 * written is not shipped half: the LOG then says status=failed, count=0 and
 * error=<why>, so that the report names the peer and the error.  One
 * thread per run (peer_spawn()), prepared under the core's lock and started
 * after it is released.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mpcomm/defaults.h"
#include "mpcomm/dlog.h"
#include "mpcomm/ctlc.h"
#include "mpcomm/ctlmsg.h"
#include "mpcomm/log.h"
#include "mpcomm/mptime.h"
#include "mpcomm/runstatus.h"
#include "peer.h"

struct ship_job {
	struct peer_ctx	*ctx;
	struct dlog	*log;
	struct trace	*trace;		/* NULL: the run was not traced */
	struct net_addr	 server;
	uint64_t	 run;
	uint64_t	 seq;		/* its number among the shipments */
	unsigned	 self;
	const char	*mode;
	enum run_status	 status;
	char		 reason[160];
	char		 error[128];	/* the log could not be written */
	uint64_t	 cpu_at_start;
	struct ctlmsg_log hdr;		/* but status, count, error, views
					 * and trace: ship_line() adds them */
};

/* The LOG line: the header with its status, count and error. */
static int
ship_line(const struct ship_job *j, char *line, size_t cap)
{
	struct ctlmsg_log h = j->hdr;

	snprintf(h.error, sizeof(h.error), "%s", j->error);
	h.status = j->error[0] ? RUN_STATUS_FAILED : j->status;
	if (!j->error[0]) {
		h.count = dlog_count(j->log);
		h.views = dlog_views(j->log);
		h.traced = j->trace != NULL;
		h.trace = j->trace ? j->trace->n : 0;
		h.trace_cut = j->trace && j->trace->cut;
	}
	return ctlmsg_log_format(&h, line, cap);
}

/* Sends the file at path as the body, after its header line; 0, 1 or -1. */
static int
ship_body(struct ctlc_conn *c, int in, const char *path, char *reply,
    size_t cap)
{
	char buf[65536];
	bool header_skipped = false;
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) != 0) {
		char *p = buf;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(reply, cap, "read %s: %s", path,
			    strerror(errno));
			return 1;
		}
		if (!header_skipped) {
			char *nl = memchr(buf, '\n', (size_t)n);

			if (!nl) {
				snprintf(reply, cap, "%s: header line too "
				    "long", path);
				return 1;
			}
			p = nl + 1;
			header_skipped = true;
		}
		if (ctlc_send_body(c, p, (size_t)(buf + n - p)) < 0) {
			snprintf(reply, cap, "%s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Sends the trace's lines after the body; 0, or -1 on a network error. */
static int
ship_trace(struct ctlc_conn *c, const struct trace *t)
{
	char buf[65536];
	size_t i, len = 0;

	for (i = 0; i < t->n; i++) {
		if (sizeof(buf) - len < TRACE_LINE_MAX + 1) {
			if (ctlc_send_body(c, buf, len) < 0)
				return -1;
			len = 0;
		}
		len += (size_t)trace_format(&t->ev[i], buf + len,
		    sizeof(buf) - len);
		buf[len++] = '\n';
	}
	return len ? ctlc_send_body(c, buf, len) : 0;
}

/* Sends the log once.  0: accepted; 1: refused (do not retry); -1: retry. */
static int
ship_once(struct ship_job *j, char *reply, size_t cap)
{
	const char *path = dlog_path(j->log);
	struct ctlc_conn c;
	char line[CTL_LINE_MAX];
	int in = -1, rc;

	/* Reopened for each try: only if it is still the file we wrote. */
	if (!j->error[0] && (in = dlog_open_final(j->log)) < 0) {
		snprintf(reply, cap, "cannot read %s: %s", path,
		    errno == ELOOP ? "it is a symlink now" : errno == ESTALE ?
		    "it is not the file written" : strerror(errno));
		return 1;
	}
	if (ctlc_open(&c, &j->server, j->ctx->key, MPCOMM_SHIP_TIMEOUT_MS) < 0) {
		snprintf(reply, cap, "connect: %s", strerror(errno));
		if (in >= 0)
			close(in);
		return -1;
	}
	if (ship_line(j, line, sizeof(line)) < 0) {
		snprintf(reply, cap, "the LOG line does not fit");
		rc = 1;
		goto out;
	}
	if (ctlc_send(&c, line) < 0)
		goto neterr;
	if (in >= 0 && (rc = ship_body(&c, in, path, reply, cap)) != 0)
		goto out;
	if (in >= 0 && j->trace && ship_trace(&c, j->trace) < 0)
		goto neterr;
	if (ctlc_send_end(&c) < 0)
		goto neterr;
	c.timeout_ms = MPCOMM_SHIP_TIMEOUT_MS * 6;	/* the server compares first */
	if (ctlc_recv(&c, reply, cap) < 0)
		goto neterr;
	/* ERR 503: busy (no slot, another upload of this log): retry. */
	rc = ctlmsg_is_ok(reply) ? 0 : ctlmsg_err_parse(reply) == 503 ? -1 : 1;
	goto out;
neterr:
	snprintf(reply, cap, "%s", strerror(errno));
	rc = -1;
out:
	ctlc_close(&c);
	if (in >= 0)
		close(in);
	return rc;
}

/* The final file could not be written: say so in the LOG and STATUS. */
static void
finish_failed(struct ship_job *j, int e)
{
	struct peer_ctx *ctx = j->ctx;

	snprintf(j->error, sizeof(j->error), "cannot write the delivery log: "
	    "%s", strerror(e));
	pthread_mutex_lock(&ctx->mu);
	if (ctx->run && ctx->run->id == j->run && !ctx->run->log_failed) {
		ctx->run->log_failed = true;
		ctx->run->log_errno = e;
	}
	pthread_mutex_unlock(&ctx->mu);
}

/*
 * Waits us before the next try; true if this shipment is to be given up
 * meanwhile: the peer stops, or newer logs took its place (ship_prepare()).
 */
static bool
ship_wait(struct ship_job *j, uint64_t us, bool *cut)
{
	struct peer_ctx *ctx = j->ctx;
	struct timespec ts;
	bool out;

	peer_deadline(&ts, us);
	pthread_mutex_lock(&ctx->mu);
	while (!(*cut = j->seq < ctx->ship_cut) && !atomic_load(&ctx->stop) &&
	    pthread_cond_timedwait(&ctx->cv, &ctx->mu, &ts) == 0)
		;
	out = *cut || atomic_load(&ctx->stop);
	pthread_mutex_unlock(&ctx->mu);
	return out;
}

/* Given up for newer logs: an empty one (a bogus run's) is not kept. */
static void
ship_drop(struct ship_job *j)
{
	const char *path = dlog_path(j->log);

	if (!j->error[0] && dlog_count(j->log) == 0 &&
	    dlog_views(j->log) == 0 && unlink(path) == 0)
		log_warnx("run %" PRIu64 ": giving up shipping the log for "
		    "newer ones (at most %d kept for retry); it was empty and "
		    "is removed", j->run, MPCOMM_SHIP_KEPT);
	else
		log_warnx("run %" PRIu64 ": giving up shipping the log for "
		    "newer ones (at most %d kept for retry); it stays in %s",
		    j->run, MPCOMM_SHIP_KEPT, path);
}

static void *
ship_main(void *arg)
{
	struct ship_job *j = arg;
	struct peer_ctx *ctx = j->ctx;
	uint64_t deadline, backoff = 100000;
	char reply[CTL_LINE_MAX];
	bool cut;
	int rc;

	if (!j->log) {
		log_warnx("run %" PRIu64 ": no delivery log to ship", j->run);
		goto done;
	}
	if (!j->error[0] && dlog_finish(j->log, j->mode,
	    run_status_name(j->status)) < 0)
		finish_failed(j, errno);
	if (j->error[0])
		log_warnx("run %" PRIu64 ": %s (%s); telling the comparison "
		    "server", j->run, j->error, dlog_path(j->log));
	else
		log_info("run %" PRIu64 " %s: %" PRIu64 " deliveries in %s",
		    j->run, run_status_name(j->status), dlog_count(j->log),
		    dlog_path(j->log));
	deadline = mptime_now_us() + ctx->ship_timeout_s * 1000000;
	for (;;) {
		rc = ship_once(j, reply, sizeof(reply));
		if (rc == 0) {
			log_info("run %" PRIu64 ": log shipped", j->run);
			break;
		}
		if (rc > 0) {
			log_warnx("run %" PRIu64 ": log not shipped: %s",
			    j->run, reply);
			break;
		}
		if (mptime_now_us() + backoff > deadline ||
		    atomic_load(&ctx->stop)) {
			log_warnx("run %" PRIu64 ": giving up shipping the log "
			    "(%s); it stays in %s", j->run, reply,
			    dlog_path(j->log));
			break;
		}
		log_warnx("run %" PRIu64 ": cannot ship the log (%s), retrying "
		    "in %" PRIu64 " ms", j->run, reply, backoff / 1000);
		if (ship_wait(j, backoff, &cut)) {
			if (cut)
				ship_drop(j);
			else
				log_warnx("run %" PRIu64 ": giving up shipping "
				    "the log (stopping); it stays in %s",
				    j->run, dlog_path(j->log));
			break;
		}
		if (backoff < 5000000)
			backoff *= 2;
	}
done:
	dlog_close(j->log);
	trace_destroy(j->trace);
	pthread_mutex_lock(&ctx->mu);
	ctx->shippers--;
	pthread_cond_broadcast(&ctx->cv);
	pthread_mutex_unlock(&ctx->mu);
	free(j);
	return NULL;
}

/* The header's and the LOG's status of a run that ended in phase ph. */
static enum run_status
ship_status(enum order_phase ph)
{
	switch (ph) {
	case ORDER_ABORTED:
		return RUN_STATUS_ABORTED;
	case ORDER_EXCLUDED:
		return RUN_STATUS_EXCLUDED;
	default:
		return RUN_STATUS_OK;
	}
}

/*
 * The LOG header, but for the CPU and RSS figures (ship_launch() adds
 * them, since reading them is a syscall) and what ship_line() adds.
 */
static void
ship_header(struct peer_ctx *ctx, const struct run *r, struct ship_job *j)
{
	const struct order_stats *st = order_stats(r->core);
	struct ctlmsg_log *h = &j->hdr;

	h->run = r->id;
	h->peer = r->self;
	snprintf(h->order, sizeof(h->order), "%s", j->mode);
	h->lat_p50 = hist_quantile(&r->lat, 0.5);
	h->lat_p99 = hist_quantile(&r->lat, 0.99);
	h->lat_max = r->lat.max;
	h->retrans = st->retransmits;
	h->dgrams_out = st->dgrams_out;
	h->dgrams_in = st->dgrams_in;
	h->drops = st->drop_decode + st->drop_run + st->drop_sender +
	    st->drop_field + st->drop_window + st->drop_payload +
	    st->drop_auth;
	h->dup = st->data_dup;
	h->t_first = r->first_stamp ? r->first_stamp + r->real_minus_mono : 0;
	h->t_last = r->last_delivery ? r->last_delivery + r->real_minus_mono :
	    0;
	h->sent_dgrams = atomic_load(&ctx->sent_dgrams) - r->sent_at_start;
	h->sent_bytes = atomic_load(&ctx->sent_bytes) - r->bytes_at_start;
	snprintf(h->reason, sizeof(h->reason), "%s", j->reason);
}

struct ship_job *
ship_prepare(struct peer_ctx *ctx, struct run *r)
{
	struct ship_job *j;

	r->shipping = true;
	if (!(j = calloc(1, sizeof(*j))))
		return NULL;
	j->ctx = ctx;
	j->log = r->log;	/* NULL if it could not be written */
	r->log = NULL;
	/* The core records no more: the trace is the shipper's now. */
	order_set_trace(r->core, NULL);
	j->trace = r->trace;
	r->trace = NULL;
	j->server = r->server;
	j->run = r->id;
	j->self = r->self;
	j->mode = order_mode_name(r->mode);
	j->status = ship_status(order_phase(r->core));
	snprintf(j->reason, sizeof(j->reason), "%s",
	    order_abort_reason(r->core));
	if (r->log_failed)
		run_reason(r, j->error, sizeof(j->error));
	j->cpu_at_start = r->cpu_at_start;
	ship_header(ctx, r, j);
	/* The oldest waiting to be reshipped make room for this one. */
	j->seq = ctx->ship_seq++;
	if (ctx->shippers >= MPCOMM_SHIP_KEPT) {
		ctx->ship_cut = j->seq + 1 - MPCOMM_SHIP_KEPT;
		pthread_cond_broadcast(&ctx->cv);
	}
	ctx->shippers++;
	return j;
}

int
ship_if_ended(struct peer_ctx *ctx, struct run *r, struct ship_job **job)
{
	*job = NULL;
	if (order_phase(r->core) < ORDER_FINISHED || r->shipping)
		return 0;
	return (*job = ship_prepare(ctx, r)) ? 0 : -1;
}

void
ship_launch(struct ship_job *j)
{
	uint64_t rss = 0;

	if (j->status != RUN_STATUS_OK)
		log_warnx("run %" PRIu64 " %s: %s", j->run,
		    run_status_name(j->status), j->reason[0] ? j->reason :
		    "the others went on without us");
	j->hdr.cpu_us = peer_cpu_us(&rss) - j->cpu_at_start;
	j->hdr.rss_kb = rss;
	if (peer_spawn(j->ctx, ship_main, j) < 0) {
		log_warn("run %" PRIu64 ": cannot start a shipping thread; "
		    "shipping from this one", j->run);
		(void)ship_main(j);
	}
}
