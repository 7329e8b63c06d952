/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The peer's control port: START (a header line, then one MEMBER line per
 * member), ABORT, STATUS and SHUTDOWN.  START builds the whole run outside
 * the lock and publishes it in one step; it is refused while a run is in
 * progress.  START takes numeric addresses only (the comparison server
 * resolves names), so no resolver ever stalls this loop.  ABORT ends the
 * current run at once and hands its log to a shipper before answering, so
 * that a START right after it is taken.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mpcomm/ctl.h"
#include "mpcomm/defaults.h"
#include "mpcomm/log.h"
#include "mpcomm/lsrv.h"
#include "mpcomm/mptime.h"
#include "mpcomm/region.h"
#include "peer.h"

/* A START being received on one connection. */
struct start_req {
	struct run	 tmpl;
	unsigned	 got;
	uint64_t	 seen;		/* member ids received */
};

static int
reply_err(struct lsrv_conn *c, int code, const char *what, const char *why)
{
	log_warnx("%s: %s refused: %s", lsrv_peer(c), what, why);
	lsrv_printf(c, "ERR %d %s\n", code, why);
	return 0;
}

/*
 * START's on_failure= (continue or abort; default continue) and suspect=
 * (ms; default --suspect).  A member must be suspected before the silence
 * that aborts the run, so in continue mode suspect= must be below this
 * peer's --peer-timeout: said here, so that the comparison server reports
 * why the peer refused.
 */
static int
parse_views(struct peer_ctx *ctx, struct ctl_msg *m, struct run *t)
{
	const char *str, *why;
	uint64_t v = ctx->suspect_ms;

	t->on_failure = ORDER_CONTINUE;
	if ((str = ctl_get(m, "on_failure")) &&
	    order_on_failure_parse(str, &t->on_failure) < 0) {
		snprintf(m->err, sizeof(m->err), "on_failure must be continue "
		    "or abort");
		return -1;
	}
	if ((str = ctl_get(m, "suspect")) &&
	    order_suspect_parse(str, &v, &why) < 0) {
		snprintf(m->err, sizeof(m->err), "suspect=%s: %s", str, why);
		return -1;
	}
	if (t->on_failure == ORDER_CONTINUE && v >= ctx->peer_timeout_ms) {
		snprintf(m->err, sizeof(m->err), "suspect=%" PRIu64 " ms is "
		    "not below this peer's peer timeout (%" PRIu64 " ms)", v,
		    ctx->peer_timeout_ms);
		return -1;
	}
	t->suspect_us = v * 1000;
	return 0;
}

static int
parse_start(struct peer_ctx *ctx, struct ctl_msg *m, struct start_req *s)
{
	struct run *t = &s->tmpl;
	uint64_t v, lo, hi;
	char buf[NET_HOST_MAX + NET_PORT_MAX + 4];
	const char *str;

	memset(s, 0, sizeof(*s));
	if (ctl_get_u64(m, "run", 1, UINT64_MAX, 1, &t->id) < 0 ||
	    ctl_get_u64(m, "id", 0, MSG_MAX_PEERS - 1, 1, &v) < 0)
		return -1;
	t->self = (unsigned)v;
	if (ctl_get_u64(m, "n", 2, MSG_MAX_PEERS, 1, &v) < 0)
		return -1;
	t->n = (unsigned)v;
	if (ctl_get_u64(m, "messages", 1, INT32_MAX, 1, &v) < 0)
		return -1;
	t->messages = (uint32_t)v;
	t->mode = ORDER_TOTAL;
	if ((str = ctl_get(m, "order")) && order_mode_parse(str, &t->mode) < 0) {
		snprintf(m->err, sizeof(m->err), "order must be none, fifo "
		    "or total");
		return -1;
	}
	lo = hi = 0;
	if (ctl_get_u64(m, "imin", 0, 3600000, 0, &lo) < 0 ||
	    ctl_get_u64(m, "imax", 0, 3600000, 0, &hi) < 0)
		return -1;
	t->imin_us = lo * 1000;
	t->imax_us = hi * 1000;
	lo = hi = 0;
	if (ctl_get_u64(m, "dmin", 0, 60000, 0, &lo) < 0 ||
	    ctl_get_u64(m, "dmax", 0, 60000, 0, &hi) < 0)
		return -1;
	t->emu_cfg.delay_min_us = lo * 1000;
	t->emu_cfg.delay_max_us = hi * 1000;
	if (ctl_get_double(m, "loss", 0, 0.95, 0, &t->emu_cfg.loss) < 0 ||
	    ctl_get_double(m, "dup", 0, 1, 0, &t->emu_cfg.dup) < 0 ||
	    ctl_get_u64(m, "seed", 0, UINT64_MAX, 0, &t->emu_cfg.seed) < 0)
		return -1;
	/* Every member of a run must use the same window: it bounds what each
	 * of them holds of the others' streams.  0: this peer's --window. */
	v = 0;
	if (ctl_get_u64(m, "window", 1, 1 << 20, 0, &v) < 0)
		return -1;
	t->window = (uint32_t)v;
	/* trace=N: record the run's events for the first N messages of
	 * each sender, shipped with the log.  Absent or 0: nothing. */
	v = 0;
	if (ctl_get_u64(m, "trace", 0, TRACE_MAX, 0, &v) < 0)
		return -1;
	t->trace_limit = (uint32_t)v;
	if (parse_views(ctx, m, t) < 0)
		return -1;
	if (t->imin_us > t->imax_us || t->emu_cfg.delay_min_us >
	    t->emu_cfg.delay_max_us) {
		snprintf(m->err, sizeof(m->err), "a minimum exceeds its "
		    "maximum");
		return -1;
	}
	t->emu_cfg.seed = t->emu_cfg.seed * 0x100000001b3ULL + t->self;
	if (t->self >= t->n) {
		snprintf(m->err, sizeof(m->err), "id %u is not below n=%u",
		    t->self, t->n);
		return -1;
	}
	if (ctl_get_str(m, "server", 0, buf, sizeof(buf)) < 0)
		return -1;
	if (ctx->have_server) {
		t->server = ctx->server;	/* the command line wins */
		t->have_server = true;
	} else if (ctl_get(m, "server")) {
		char host[NET_HOST_MAX], port[NET_PORT_MAX];

		/* Numeric only: a resolver would stall this loop. */
		if (net_split_hostport(buf, MPCOMM_PORT_LOG, host, sizeof(host), port,
		    sizeof(port)) < 0 || net_resolve_numeric(host, port,
		    SOCK_STREAM, &t->server) < 0) {
			snprintf(m->err, sizeof(m->err), "server %.64s is not "
			    "a numeric address and port", buf);
			return -1;
		}
		t->have_server = true;
	}
	return ctl_check_unused(m);
}

static int
parse_member(struct peer_ctx *ctx, struct ctl_msg *m, struct start_req *s)
{
	char host[NET_HOST_MAX], port[NET_PORT_MAX];
	struct net_addr a;
	uint64_t id, udp, delay = 0;

	if (strcmp(m->verb, "MEMBER") != 0) {
		snprintf(m->err, sizeof(m->err), "expected MEMBER line %u of "
		    "%u", s->got + 1, s->tmpl.n);
		return -1;
	}
	if (ctl_get_u64(m, "id", 0, s->tmpl.n - 1, 1, &id) < 0 ||
	    ctl_get_str(m, "host", 1, host, sizeof(host)) < 0 ||
	    ctl_get_u64(m, "udp", 1, 65535, 1, &udp) < 0 ||
	    ctl_get_u64(m, "delay_us", 0, REGION_DELAY_MAX_US, 0, &delay) < 0 ||
	    ctl_check_unused(m) < 0)
		return -1;
	if (s->seen >> id & 1) {
		snprintf(m->err, sizeof(m->err), "two members claim id %"
		    PRIu64, id);
		return -1;
	}
	snprintf(port, sizeof(port), "%" PRIu64, udp);
	if (net_resolve_numeric(host, port, SOCK_DGRAM, &a) < 0) {
		snprintf(m->err, sizeof(m->err), "member %" PRIu64 " host "
		    "%.64s is not a numeric address", id, host);
		return -1;
	}
	net_addr_map(&a, ctx->udp_family);
	if (a.ss.ss_family != ctx->udp_family) {
		snprintf(m->err, sizeof(m->err), "member %" PRIu64 " has an "
		    "address family this UDP socket cannot reach", id);
		return -1;
	}
	s->seen |= UINT64_C(1) << id;
	s->tmpl.addr[id] = a;
	/* Regions: datagrams from this member wait its one-way delay. */
	s->tmpl.emu_cfg.base_us[id] = (uint32_t)delay;
	s->got++;
	return 0;
}

/*
 * Why a START of run id cannot replace ctx->run now, into err; 0 when it
 * can.  A run in progress, or the same run again (its log is on disk), is
 * never touched.  mu held.
 */
static int
start_conflict(struct peer_ctx *ctx, uint64_t id, char *err, size_t cap)
{
	const struct run *old = ctx->run;

	if (!old)
		return 0;
	if (order_phase(old->core) < ORDER_FINISHED || !old->shipping)
		snprintf(err, cap, "run %" PRIu64 " in progress", old->id);
	else if (old->id == id)
		snprintf(err, cap, "run %" PRIu64 " already ran here", id);
	else
		return 0;
	return -1;
}

/*
 * Publishes a complete START as the current run.  Everything is checked
 * before the run is created, since creating it creates its log file.
 */
static void
start_run(struct peer_ctx *ctx, struct lsrv_conn *c, struct start_req *s)
{
	struct order_outbox box;
	struct run *r;
	char err[200];
	int busy;

	if (!s->tmpl.have_server)
		return (void)reply_err(c, 400, "START", "no comparison "
		    "server: give server= or start the peer with --server");
	pthread_mutex_lock(&ctx->mu);
	busy = start_conflict(ctx, s->tmpl.id, err, sizeof(err));
	pthread_mutex_unlock(&ctx->mu);
	if (busy)
		return (void)reply_err(c, 409, "START", err);
	if (order_outbox_init(&box, 8) < 0)
		return (void)reply_err(c, 500, "START", "out of memory");
	if (!(r = run_create(ctx, &s->tmpl, err, sizeof(err)))) {
		order_outbox_free(&box);
		return (void)reply_err(c, 400, "START", err);
	}
	/* Only this thread publishes runs: the check above still holds. */
	core_start(ctx, r, &box);
	order_outbox_free(&box);
	log_info("run %" PRIu64 ": peer %u of %u, %u messages each, order %s",
	    r->id, r->self, r->n, r->messages, order_mode_name(r->mode));
	lsrv_printf(c, "OK run=%" PRIu64 "\n", r->id);
}

static void
status(struct peer_ctx *ctx, struct lsrv_conn *c)
{
	const struct order_stats *st;
	struct run *r;
	char line[CTL_LINE_MAX], reason[160], raw[160];

	pthread_mutex_lock(&ctx->mu);
	if (!(r = ctx->run)) {
		pthread_mutex_unlock(&ctx->mu);
		lsrv_printf(c, "OK state=idle send_errors=%llu\n",
		    (unsigned long long)atomic_load(&ctx->send_errors));
		return;
	}
	st = order_stats(r->core);
	/* The reason becomes one field: spaces to underscores. */
	run_reason(r, raw, sizeof(raw));
	peer_field_text(reason, sizeof(reason), raw);
	snprintf(line, sizeof(line),
	    "OK state=%s run=%" PRIu64 " peer=%u n=%u order=%s messages=%u "
	    "stamped=%u delivered=%" PRIu64 " queue=%zu retrans=%" PRIu64
	    " dgrams_in=%" PRIu64 " dgrams_out=%" PRIu64 " dup_data=%" PRIu64
	    " drop_decode=%" PRIu64 " drop_run=%" PRIu64 " drop_sender=%"
	    PRIu64 " drop_field=%" PRIu64 " drop_window=%" PRIu64
	    " drop_payload=%" PRIu64 " drop_auth=%" PRIu64 " drop_replay=%"
	    PRIu64 " drop_bound=%" PRIu64 " queue_full=%" PRIu64 " emu_lost=%"
	    PRIu64 " emu_dup=%" PRIu64 " emu_overflow=%" PRIu64
	    " send_errors=%llu recv_errors=%llu drop_view=%" PRIu64
	    " view=%u%s%s",
	    order_phase_name(order_phase(r->core)), r->id, r->self, r->n,
	    order_mode_name(r->mode), r->messages, order_stamped(r->core),
	    st->delivered, order_queue_len(r->core), st->retransmits,
	    st->dgrams_in, st->dgrams_out, st->data_dup, st->drop_decode,
	    st->drop_run, st->drop_sender, st->drop_field, st->drop_window,
	    st->drop_payload, st->drop_auth, st->drop_replay, st->drop_bound,
	    st->pq_full,
	    r->emu ? emu_stats(r->emu)->lost : 0,
	    r->emu ? emu_stats(r->emu)->duplicated : 0,
	    r->emu ? emu_stats(r->emu)->overflow : 0,
	    (unsigned long long)atomic_load(&ctx->send_errors),
	    (unsigned long long)atomic_load(&ctx->recv_errors),
	    st->drop_view, order_view(r->core, NULL),
	    reason[0] ? " reason=" : "", reason);
	pthread_mutex_unlock(&ctx->mu);
	lsrv_printf(c, "%s\n", line);
}

/*
 * ABORT run=R: gives up on the current run R if it has not ended.  The log
 * is handed to a shipper here rather than at the resend thread's next tick.
 */
static void
abort_req(struct peer_ctx *ctx, struct lsrv_conn *c, struct ctl_msg *m)
{
	struct ship_job *job = NULL;
	enum order_phase ph;
	enum core_abort rc;
	uint64_t id;
	char why[80];

	if (ctl_get_u64(m, "run", 1, UINT64_MAX, 1, &id) < 0 ||
	    ctl_check_unused(m) < 0)
		return (void)reply_err(c, 400, "ABORT", m->err);
	rc = core_abort(ctx, id, "aborted by the comparison server", &ph, &job);
	if (rc == CORE_ABORT_NOT_CURRENT) {
		snprintf(why, sizeof(why), "run %" PRIu64 " is not the current "
		    "run", id);
		return (void)reply_err(c, 404, "ABORT", why);
	}
	if (rc == CORE_ABORT_ENDED) {
		lsrv_printf(c, "OK already finished run=%" PRIu64 " state=%s\n",
		    id, order_phase_name(ph));
		return;
	}
	log_info("run %" PRIu64 ": ABORT from %s", id, lsrv_peer(c));
	if (rc == CORE_ABORT_NOMEM)
		log_warnx("out of memory: a delivery log is not shipped");
	if (job)
		ship_launch(job);
	lsrv_printf(c, "OK aborted run=%" PRIu64 "\n", id);
}

static int
on_line(void *arg, struct lsrv_conn *c, char *line, size_t len)
{
	struct peer_ctx *ctx = arg;
	struct start_req *s = lsrv_get_data(c);
	struct ctl_msg m;

	if (ctl_parse(line, len, &m) < 0) {
		reply_err(c, 400, "request", m.err);
		return -1;
	}
	if (s) {			/* inside a START: MEMBER lines */
		if (parse_member(ctx, &m, s) < 0) {
			reply_err(c, 400, "START", m.err);
			free(s);
			lsrv_set_data(c, NULL);
			return -1;
		}
		if (s->got == s->tmpl.n) {
			lsrv_set_data(c, NULL);
			start_run(ctx, c, s);
			free(s);
		}
		return 0;
	}
	if (strcmp(m.verb, "START") == 0) {
		uint64_t msgs = 1;

		/* messages=0 is the original demo's "terminate". */
		if (ctl_get_u64(&m, "messages", 0, INT32_MAX, 1, &msgs) == 0 &&
		    msgs == 0) {
			log_info("START with 0 messages: exiting");
			lsrv_printf(c, "OK bye\n");
			peer_stop(ctx);
			return -1;
		}
		for (size_t i = 0; i < m.nfield; i++)
			m.f[i].used = 0;
		if (!(s = malloc(sizeof(*s))))
			return reply_err(c, 500, "START", "out of memory");
		if (parse_start(ctx, &m, s) < 0) {
			free(s);
			reply_err(c, 400, "START", m.err);
			return -1;
		}
		lsrv_set_data(c, s);
		return 0;
	}
	if (strcmp(m.verb, "ABORT") == 0) {
		abort_req(ctx, c, &m);
		return 0;
	}
	if (strcmp(m.verb, "STATUS") == 0) {
		if (ctl_check_unused(&m) < 0)
			return reply_err(c, 400, "STATUS", m.err);
		status(ctx, c);
		return 0;
	}
	if (strcmp(m.verb, "SHUTDOWN") == 0) {
		log_info("SHUTDOWN from %s", lsrv_peer(c));
		lsrv_printf(c, "OK bye\n");
		peer_stop(ctx);
		return -1;
	}
	if (strcmp(m.verb, "PING") == 0) {
		lsrv_printf(c, "OK pong\n");
		return 0;
	}
	reply_err(c, 400, "request", "unknown verb");
	return 0;
}

static void
on_closed(void *arg, struct lsrv_conn *c, const char *why)
{
	struct start_req *s = lsrv_get_data(c);

	(void)arg;
	if (s) {
		log_warnx("%s: connection closed in the middle of a START "
		    "(%u of %u members)", lsrv_peer(c), s->got, s->tmpl.n);
		free(s);
	} else if (why) {
		log_debug("%s: %s", lsrv_peer(c), why);
	}
}

const struct lsrv_ops *
control_ops(void)
{
	static const struct lsrv_ops ops = {
		.line = on_line,
		.closed = on_closed,
	};

	return &ops;
}

void *
control_main(void *arg)
{
	struct peer_ctx *ctx = arg;

	if (lsrv_run(ctx->ctl_srv) < 0)
		log_warn("control server failed");
	return NULL;
}
