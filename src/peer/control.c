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

#include "mpcomm/ctlmsg.h"
#include "mpcomm/defaults.h"
#include "mpcomm/log.h"
#include "mpcomm/lsrv.h"
#include "mpcomm/mptime.h"
#include "mpcomm/proc.h"
#include "mpcomm/region.h"
#include "peer.h"

/* A START being received on one connection. */
struct start_req {
	struct run	 tmpl;
	unsigned	 got;
	uint64_t	 seen;		/* member ids received */
};

/* Sends one answer line, as formatted by ctlmsg (len -1: it did not fit). */
static void
answer(struct lsrv_conn *c, const char *line, int len)
{
	(void)lsrv_printf(c, "%s\n", ctlmsg_answer(line, len));
}

static int
reply_err(struct lsrv_conn *c, int code, const char *what, const char *why)
{
	char line[CTL_LINE_MAX + 1];

	log_warnx("%s: %s refused: %s", lsrv_peer(c), what, why);
	answer(c, line, ctlmsg_err_format(code, why, line, sizeof(line)));
	return 0;
}

/* An answer "OK text". */
static void
reply_ok(struct lsrv_conn *c, const char *text)
{
	char line[CTL_LINE_MAX + 1];

	answer(c, line, ctlmsg_ok_format(text, line, sizeof(line)));
}

/* An answer about run id (ctlmsg_runok). */
static void
reply_run(struct lsrv_conn *c, enum ctlmsg_run_answer what, uint64_t id,
    const char *state)
{
	struct ctlmsg_runok r = { .what = what, .run = id };
	char line[CTL_LINE_MAX + 1];

	if (state)
		snprintf(r.state, sizeof(r.state), "%s", state);
	answer(c, line, ctlmsg_runok_format(&r, line, sizeof(line)));
}

/*
 * START's views fields: without suspect= this peer's --suspect.  A member
 * must be suspected before the silence that aborts the run, so in continue
 * mode suspect= must be below this peer's --peer-timeout: said here, so
 * that the comparison server reports why the peer refused.
 */
static int
start_views(struct peer_ctx *ctx, const struct ctlmsg_start *st,
    struct run *t, char *err, size_t cap)
{
	uint64_t v = st->has_suspect ? st->suspect_ms : ctx->suspect_ms;

	t->on_failure = st->on_failure;
	if (t->on_failure == ORDER_CONTINUE && v >= ctx->peer_timeout_ms) {
		snprintf(err, cap, "suspect=%" PRIu64 " ms is not below this "
		    "peer's peer timeout (%" PRIu64 " ms)", v,
		    ctx->peer_timeout_ms);
		return -1;
	}
	t->suspect_us = v * 1000;
	return 0;
}

/* Where the log goes: the command line wins; server= is numeric only. */
static int
start_server(struct peer_ctx *ctx, const char *spec, struct run *t,
    char *err, size_t cap)
{
	char host[NET_HOST_MAX], port[NET_PORT_MAX];

	if (ctx->have_server) {
		t->server = ctx->server;
		t->have_server = true;
		return 0;
	}
	if (!spec[0])
		return 0;
	/* Numeric only: a resolver would stall this loop. */
	if (net_split_hostport(spec, MPCOMM_PORT_LOG, host, sizeof(host), port,
	    sizeof(port)) < 0 || net_resolve_numeric(host, port, SOCK_STREAM,
	    &t->server) < 0) {
		snprintf(err, cap, "server %.64s is not a numeric address and "
		    "port", spec);
		return -1;
	}
	t->have_server = true;
	return 0;
}

/* A parsed START as this peer's run template; 1 for "terminate". */
static int
parse_start(struct peer_ctx *ctx, struct ctl_msg *m, struct start_req *s)
{
	struct run *t = &s->tmpl;
	struct ctlmsg_start st;

	memset(s, 0, sizeof(*s));
	if (ctlmsg_start_parse(m, &st) < 0)
		return -1;
	if (st.messages == 0)
		return 1;
	t->id = st.run;
	t->self = st.id;
	t->n = st.n;
	t->messages = st.messages;
	t->mode = st.mode;
	t->imin_us = st.imin_ms * 1000;
	t->imax_us = st.imax_ms * 1000;
	t->emu_cfg.delay_min_us = st.dmin_ms * 1000;
	t->emu_cfg.delay_max_us = st.dmax_ms * 1000;
	t->emu_cfg.loss = st.loss;
	t->emu_cfg.dup = st.dup;
	t->emu_cfg.seed = st.seed * 0x100000001b3ULL + t->self;
	t->window = st.window;
	t->trace_limit = st.trace;
	t->has_secret = st.secret_len > 0;
	if (t->has_secret) {
		memcpy(t->secret.k, st.secret, st.secret_len);
		t->secret.len = st.secret_len;
		explicit_bzero(st.secret, sizeof(st.secret));
	}
	if (start_views(ctx, &st, t, m->err, sizeof(m->err)) < 0)
		return -1;
	return start_server(ctx, st.server, t, m->err, sizeof(m->err));
}

static int
parse_member(struct peer_ctx *ctx, struct ctl_msg *m, enum ctlmsg_verb v,
    struct start_req *s)
{
	struct ctlmsg_member x;
	char port[NET_PORT_MAX];
	struct net_addr a;

	if (v != CTLMSG_MEMBER) {
		snprintf(m->err, sizeof(m->err), "expected MEMBER line %u of "
		    "%u", s->got + 1, s->tmpl.n);
		return -1;
	}
	if (ctlmsg_member_parse(m, s->tmpl.n, &x) < 0)
		return -1;
	if (s->seen >> x.id & 1) {
		snprintf(m->err, sizeof(m->err), "two members claim id %u",
		    x.id);
		return -1;
	}
	snprintf(port, sizeof(port), "%u", x.udp);
	if (net_resolve_numeric(x.host, port, SOCK_DGRAM, &a) < 0) {
		snprintf(m->err, sizeof(m->err), "member %u host %.64s is not "
		    "a numeric address", x.id, x.host);
		return -1;
	}
	net_addr_map(&a, ctx->udp_family);
	if (a.ss.ss_family != ctx->udp_family) {
		snprintf(m->err, sizeof(m->err), "member %u has an address "
		    "family this UDP socket cannot reach", x.id);
		return -1;
	}
	s->seen |= UINT64_C(1) << x.id;
	s->tmpl.addr[x.id] = a;
	/* Regions: datagrams from this member wait its one-way delay. */
	s->tmpl.emu_cfg.base_us[x.id] = x.delay_us;
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
 * Protected mode: a START whose members, or whose server=, are beyond this
 * host is refused, so that no stranger can point this peer's datagrams or
 * its log anywhere.  0, or -1 with err filled in.
 */
static int
start_protected(const struct peer_ctx *ctx, const struct run *t, char *err,
    size_t cap)
{
	char host[NET_HOST_MAX];
	unsigned q;

	if (!ctx->opt.loopback_only)
		return 0;
	for (q = 0; q < t->n; q++)
		if (!net_is_loopback(&t->addr[q]))
			break;
	if (q < t->n)
		(void)net_addr_host(&t->addr[q], host, sizeof(host));
	else if (t->have_server && !ctx->have_server &&
	    !net_is_loopback(&t->server))
		(void)net_addr_host(&t->server, host, sizeof(host));
	else
		return 0;
	snprintf(err, cap, "protected mode: %s%.64s is not a loopback "
	    "address; give every program the same key (mpctl keygen FILE, "
	    "then -k FILE) or start this peer with --insecure",
	    q < t->n ? "member " : "server ", host);
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
	char err[300];
	unsigned shippers;
	int busy;

	if (!s->tmpl.have_server)
		return (void)reply_err(c, 400, "START", "no comparison "
		    "server: give server= or start the peer with --server");
	if (start_protected(ctx, &s->tmpl, err, sizeof(err)) < 0)
		return (void)reply_err(c, 403, "START", err);
	pthread_mutex_lock(&ctx->mu);
	busy = start_conflict(ctx, s->tmpl.id, err, sizeof(err));
	shippers = ctx->shippers;
	pthread_mutex_unlock(&ctx->mu);
	if (busy)
		return (void)reply_err(c, 409, "START", err);
	/* Each run ends in a shipper: a bound on runs bounds the threads. */
	if (shippers >= 2 * MPCOMM_SHIP_KEPT) {
		snprintf(err, sizeof(err), "%u logs are still being shipped",
		    shippers);
		return (void)reply_err(c, 503, "START", err);
	}
	if (order_outbox_init(&box, 8) < 0)
		return (void)reply_err(c, 500, "START", "out of memory");
	r = run_create(ctx, &s->tmpl, err, sizeof(err));
	explicit_bzero(&s->tmpl.secret, sizeof(s->tmpl.secret));
	if (!r) {
		order_outbox_free(&box);
		return (void)reply_err(c, 400, "START", err);
	}
	/* Only this thread publishes runs: the check above still holds. */
	core_start(ctx, r, &box);
	order_outbox_free(&box);
	log_info("run %" PRIu64 ": peer %u of %u, %u messages each, order %s",
	    r->id, r->self, r->n, r->messages, order_mode_name(r->mode));
	if (!r->keyed)
		log_warnx("run %" PRIu64 ": START carries no secret= and this "
		    "peer has no key: the run's datagrams are not "
		    "authenticated", r->id);
	reply_run(c, CTLMSG_RUN_STARTED, r->id, NULL);
}

/* STATUS's answer for the run r (mu held). */
static void
status_of_run(struct peer_ctx *ctx, struct run *r, struct ctlmsg_status *a)
{
	const struct order_stats *st = order_stats(r->core);
	const struct emu_stats *es = r->emu ? emu_stats(r->emu) : NULL;

	snprintf(a->state, sizeof(a->state), "%s",
	    order_phase_name(order_phase(r->core)));
	snprintf(a->order, sizeof(a->order), "%s", order_mode_name(r->mode));
	a->run = r->id;
	a->peer = r->self;
	a->n = r->n;
	a->messages = r->messages;
	a->stamped = order_stamped(r->core);
	a->delivered = st->delivered;
	a->queue = order_queue_len(r->core);
	a->retrans = st->retransmits;
	a->dgrams_in = st->dgrams_in;
	a->dgrams_out = st->dgrams_out;
	a->dup_data = st->data_dup;
	a->drop_decode = st->drop_decode;
	a->drop_run = st->drop_run;
	a->drop_sender = st->drop_sender;
	a->drop_field = st->drop_field;
	a->drop_window = st->drop_window;
	a->drop_payload = st->drop_payload;
	a->drop_auth = st->drop_auth;
	a->drop_replay = st->drop_replay;
	/* One figure on the wire: STATUS is at the field limit of older
	 * readers (CTL_MAX_FIELDS), and both causes mean a forgery. */
	a->drop_bound = st->drop_clock + st->drop_unsent;
	a->queue_full = st->pq_full;
	a->emu_lost = es ? es->lost : 0;
	a->emu_dup = es ? es->duplicated : 0;
	a->emu_overflow = es ? es->overflow : 0;
	a->recv_errors = atomic_load(&ctx->recv_errors);
	a->drop_view = st->drop_view;
	a->view = order_view(r->core, NULL);
	run_reason(r, a->reason, sizeof(a->reason));
}

static void
status(struct peer_ctx *ctx, struct lsrv_conn *c)
{
	struct ctlmsg_status a;
	char line[CTL_LINE_MAX + 1];

	memset(&a, 0, sizeof(a));
	pthread_mutex_lock(&ctx->mu);
	if (ctx->run)
		status_of_run(ctx, ctx->run, &a);
	else
		snprintf(a.state, sizeof(a.state), "idle");
	a.send_errors = atomic_load(&ctx->send_errors);
	a.drop_protected = atomic_load(&ctx->drop_protected);
	pthread_mutex_unlock(&ctx->mu);
	answer(c, line, ctlmsg_status_format(&a, line, sizeof(line)));
}

/*
 * ABORT run=R: gives up on the current run R if it has not ended.  The log
 * is handed to a shipper here rather than at the data thread's next pass.
 */
static void
abort_req(struct peer_ctx *ctx, struct lsrv_conn *c, struct ctl_msg *m)
{
	struct ship_job *job = NULL;
	enum order_phase ph;
	enum core_abort rc;
	struct ctlmsg_abort a;
	char why[80];

	if (ctlmsg_abort_parse(m, &a) < 0)
		return (void)reply_err(c, 400, "ABORT", m->err);
	/*
	 * Who asked, not who we think asked: without a key anyone on the
	 * network can send ABORT, and the report must not blame the run.
	 */
	snprintf(why, sizeof(why), "aborted by ABORT from %s", lsrv_peer(c));
	rc = core_abort(ctx, a.run, why, &ph, &job);
	if (rc == CORE_ABORT_NOT_CURRENT) {
		snprintf(why, sizeof(why), "run %" PRIu64 " is not the current "
		    "run", a.run);
		return (void)reply_err(c, 404, "ABORT", why);
	}
	if (rc == CORE_ABORT_ENDED)
		return reply_run(c, CTLMSG_RUN_FINISHED, a.run,
		    order_phase_name(ph));
	log_info("run %" PRIu64 ": ABORT from %s", a.run, lsrv_peer(c));
	if (rc == CORE_ABORT_NOMEM)
		log_warnx("out of memory: a delivery log is not shipped");
	if (job)
		ship_launch(job);
	reply_run(c, CTLMSG_RUN_ABORTED, a.run, NULL);
}

/* A MEMBER line of the START being received on this connection. */
static int
start_member(struct peer_ctx *ctx, struct lsrv_conn *c, struct ctl_msg *m,
    enum ctlmsg_verb v, struct start_req *s)
{
	if (parse_member(ctx, m, v, s) < 0) {
		reply_err(c, 400, "START", m->err);
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

/* A START line: its MEMBER lines follow on this connection. */
static int
start_begin(struct peer_ctx *ctx, struct lsrv_conn *c, struct ctl_msg *m)
{
	struct start_req *s;
	int rc;

	if (!(s = malloc(sizeof(*s))))
		return reply_err(c, 500, "START", "out of memory");
	if ((rc = parse_start(ctx, m, s)) < 0) {
		free(s);
		reply_err(c, 400, "START", m->err);
		return -1;
	}
	if (rc > 0) {		/* messages=0: the original demo's "terminate" */
		free(s);
		log_info("START with 0 messages: exiting");
		reply_ok(c, "bye");
		peer_stop(ctx);
		return -1;
	}
	lsrv_set_data(c, s);
	return 0;
}

static int
on_line(void *arg, struct lsrv_conn *c, char *line, size_t len)
{
	struct peer_ctx *ctx = arg;
	struct start_req *s = lsrv_get_data(c);
	struct ctl_msg m;
	int v;

	if ((v = ctlmsg_read(line, len, &m)) < 0) {
		reply_err(c, 400, "request", m.err);
		return -1;
	}
	if (s) {			/* inside a START: MEMBER lines */
		s->tmpl.start_bytes += len + 1;
		return start_member(ctx, c, &m, (enum ctlmsg_verb)v, s);
	}
	switch (v) {
	case CTLMSG_START:
		if (start_begin(ctx, c, &m) < 0)
			return -1;
		if ((s = lsrv_get_data(c)))
			s->tmpl.start_bytes = len + 1;
		return 0;
	case CTLMSG_ABORT:
		abort_req(ctx, c, &m);
		return 0;
	case CTLMSG_STATUS:
		if (ctlmsg_bare_parse(&m) < 0)
			return reply_err(c, 400, "STATUS", m.err);
		status(ctx, c);
		return 0;
	case CTLMSG_SHUTDOWN:
		log_info("SHUTDOWN from %s", lsrv_peer(c));
		reply_ok(c, "bye");
		peer_stop(ctx);
		return -1;
	case CTLMSG_PING:
		reply_ok(c, "pong");
		return 0;
	default:
		reply_err(c, 400, "request", "unknown verb");
		return 0;
	}
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
		.refused = proc_log_refused,
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
