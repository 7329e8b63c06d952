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

#include "mpcomm/ctl.h"
#include "mpcomm/defaults.h"
#include "mpcomm/dlog.h"
#include "mpcomm/ctlc.h"
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
	unsigned	 self;
	const char	*mode;
	enum run_status	 status;
	char		 reason[160];
	char		 error[128];	/* the log could not be written */
	uint64_t	 cpu_at_start;
	char		 header[CTL_LINE_MAX - 256];	/* but status, count,
						 * error: they fit after */
};

/* The LOG line: the header with its status, count and error. */
static void
ship_line(const struct ship_job *j, char *line, size_t cap)
{
	char err[sizeof(j->error)], *p;

	/* One field: anything but a plain character becomes '_'. */
	snprintf(err, sizeof(err), "%s", j->error);
	for (p = err; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-.:/", *p)))
			*p = '_';
	snprintf(line, cap, "%s status=%s count=%" PRIu64 "%s%s", j->header,
	    run_status_name(err[0] ? RUN_STATUS_FAILED :
	    j->status), err[0] ? 0 : dlog_count(j->log),
	    err[0] ? " error=" : "", err);
	/* View lines are counted apart, and said only when there are any:
	 * the LOG of a run without views is what it always was. */
	if (!err[0] && dlog_views(j->log) > 0) {
		size_t len = strlen(line);

		snprintf(line + len, cap - len, " views=%" PRIu64,
		    dlog_views(j->log));
	}
	/* The trace follows the body, said only when the run was traced. */
	if (!err[0] && j->trace) {
		size_t len = strlen(line);

		snprintf(line + len, cap - len, " trace=%zu trace_cut=%d",
		    j->trace->n, j->trace->cut ? 1 : 0);
	}
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

	if (!j->error[0] && (in = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(reply, cap, "cannot read %s: %s", path,
		    strerror(errno));
		return 1;
	}
	if (ctlc_open(&c, &j->server, j->ctx->key, MPCOMM_SHIP_TIMEOUT_MS) < 0) {
		snprintf(reply, cap, "connect: %s", strerror(errno));
		if (in >= 0)
			close(in);
		return -1;
	}
	ship_line(j, line, sizeof(line));
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
	rc = strncmp(reply, "OK", 2) == 0 ? 0 :
	    strncmp(reply, "ERR 503", 7) == 0 ? -1 : 1;
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

static void *
ship_main(void *arg)
{
	struct ship_job *j = arg;
	struct peer_ctx *ctx = j->ctx;
	uint64_t deadline, backoff = 100000;
	char reply[CTL_LINE_MAX];
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
			log_warnx("run %" PRIu64 ": comparison server refused "
			    "the log: %s", j->run, reply);
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
		mptime_sleep_us(backoff);
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

struct ship_job *
ship_prepare(struct peer_ctx *ctx, struct run *r)
{
	const struct order_stats *st = order_stats(r->core);
	struct ship_job *j;
	char field[sizeof(j->reason)];

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
	peer_field_text(field, sizeof(field), j->reason);
	if (r->log_failed)
		run_reason(r, j->error, sizeof(j->error));
	j->cpu_at_start = r->cpu_at_start;
	/* The header, but for the CPU and RSS figures: ship_launch() adds
	 * them, since reading them is a syscall. */
	snprintf(j->header, sizeof(j->header),
	    "LOG run=%" PRIu64 " peer=%u order=%s"
	    " lat_p50=%" PRIu64 " lat_p99=%" PRIu64 " lat_max=%" PRIu64
	    " retrans=%" PRIu64 " dgrams_out=%" PRIu64 " dgrams_in=%" PRIu64
	    " drops=%" PRIu64 " dup=%" PRIu64 " t_first=%" PRIu64
	    " t_last=%" PRIu64 " sent_dgrams=%llu sent_bytes=%llu%s%s",
	    r->id, r->self, j->mode,
	    hist_quantile(&r->lat, 0.5), hist_quantile(&r->lat, 0.99),
	    r->lat.max, st->retransmits, st->dgrams_out, st->dgrams_in,
	    st->drop_decode + st->drop_run + st->drop_sender + st->drop_field +
	    st->drop_window + st->drop_payload + st->drop_auth, st->data_dup,
	    r->first_stamp ? r->first_stamp + r->real_minus_mono : 0,
	    r->last_delivery ? r->last_delivery + r->real_minus_mono : 0,
	    (unsigned long long)(atomic_load(&ctx->sent_dgrams) -
	    r->sent_at_start),
	    (unsigned long long)(atomic_load(&ctx->sent_bytes) -
	    r->bytes_at_start), field[0] ? " reason=" : "", field);
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
	uint64_t cpu, rss = 0;
	size_t len = strlen(j->header);

	if (j->status != RUN_STATUS_OK)
		log_warnx("run %" PRIu64 " %s: %s", j->run,
		    run_status_name(j->status), j->reason[0] ? j->reason :
		    "the others went on without us");
	cpu = peer_cpu_us(&rss) - j->cpu_at_start;
	snprintf(j->header + len, sizeof(j->header) - len,
	    " cpu_us=%" PRIu64 " rss_kb=%" PRIu64, cpu, rss);
	if (peer_spawn(j->ctx, ship_main, j) < 0) {
		log_warn("run %" PRIu64 ": cannot start a shipping thread; "
		    "shipping from this one", j->run);
		(void)ship_main(j);
	}
}
