/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The ordering core's front: configuration, phases, record dispatch,
 * timers; ACK states checked and handed to the ordering algorithm
 * (order_algo.h: order_total.c is Lamport's, order_fifo.c the two without
 * agreement).  Each sender's DATA, END and datagram counters go to the
 * streams (order_stream.c), which hold DATA back, process it in seq order,
 * exactly once, and deliver what the algorithm says is deliverable.
 * Datagrams are built in order_send.c, views changed in order_view.c.
 *
 * Liveness (a run always ends):
 *  - the send window is keyed on what every member has *delivered* (its
 *    delivery frontier rides in each ACK state), so a member holds at most
 *    window DATA of each stream, and every structure is sized for n x window:
 *    nothing is ever refused for lack of room, so nothing the head of the
 *    queue needs can be refused;
 *  - values no run can reach (a clock above the run's event count, an
 *    acknowledgement of a seq never sent) are dropped and counted;
 *  - a run whose delivery has not moved for the stall timeout while work is
 *    pending is aborted, like a run with a silent member.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpcomm/lclock.h"
#include "mpcomm/msg.h"
#include "mpcomm/order.h"
#include "mpcomm/runparam.h"
#include "order_algo.h"
#include "order_impl.h"

void
order_config_defaults(struct order_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = ORDER_TOTAL;
	cfg->payload_len = 32;
	cfg->window = 4096;
	cfg->rto_init_us = 100000;
	cfg->rto_min_us = 3000;
	cfg->rto_max_us = 2000000;
	cfg->hb_interval_us = 50000;
	cfg->hs_interval_us = 50000;
	cfg->peer_timeout_us = 10000000;
	cfg->stall_timeout_us = 30000000;
	cfg->on_failure = ORDER_CONTINUE;
	cfg->suspect_us = 1000000;
}

const char *
order_config_check(const struct order_config *c)
{
	if (c->n < 2 || c->n > MSG_MAX_PEERS)
		return "member count out of range";
	if (c->self >= c->n)
		return "own id out of range";
	if (c->mode != ORDER_NONE && c->mode != ORDER_FIFO &&
	    c->mode != ORDER_TOTAL && c->mode != ORDER_CAUSAL &&
	    c->mode != ORDER_SEQUENCER)
		return "unknown ordering mode";
	if (c->messages == 0 || c->messages > INT32_MAX)
		return "message count out of range";
	if (c->payload_len > MSG_MAX_PAYLOAD ||
	    msg_data_size(c->payload_len) + msg_ack_size(c->n) +
	    (c->mode == ORDER_CAUSAL ? msg_deps_size(c->n) : 0) +
	    (c->mode == ORDER_SEQUENCER ? msg_order_size(0) : 0) +
	    MSG_REC_HDR_LEN + MSG_END_LEN + MSG_REC_HDR_LEN +
	    MSG_HEARTBEAT_LEN + msg_echo_size(MSG_ECHO_MAX) + MSG_HDR_LEN +
	    AUTH_TAG_LEN > MSG_MAX_DGRAM)
		return "payload too large";
	/* Causal order keeps a DEPS vector per DATA it may hold (C1): n x n x
	 * window entries, 64 MiB at most. */
	if (c->mode == ORDER_CAUSAL &&
	    (uint64_t)c->n * c->n * c->window > (UINT64_C(1) << 24))
		return "window too large for causal order with so many peers "
		    "(n x n x window at most 16777216)";
	/* The window's range, and all of the run's streams held within it. */
	if (c->window < run_param_min(RP_WINDOW) ||
	    c->window > run_param_max(RP_WINDOW) ||
	    (uint64_t)c->n * c->window > run_param_max(RP_WINDOW))
		return "window out of range (n x window at most 1048576)";
	if (c->rto_min_us == 0 || c->rto_init_us < c->rto_min_us ||
	    c->rto_max_us < c->rto_init_us)
		return "retransmission timeouts inconsistent";
	if (c->hb_interval_us == 0 || c->hs_interval_us == 0 ||
	    c->peer_timeout_us <= c->hb_interval_us)
		return "timer intervals inconsistent";
	/* An outage shorter than the peer timeout must not look stuck. */
	if (c->stall_timeout_us && c->stall_timeout_us <= c->peer_timeout_us)
		return "stall timeout not above the peer timeout";
	if (c->on_failure != ORDER_CONTINUE && c->on_failure != ORDER_ABORT)
		return "unknown on-failure mode";
	/* Suspicion must wait for several heartbeats, and come before the
	 * stall timeout gives up on the run. */
	if (c->on_failure == ORDER_CONTINUE &&
	    (c->suspect_us <= 2 * c->hb_interval_us ||
	    (c->stall_timeout_us && c->suspect_us >= c->stall_timeout_us)))
		return "suspicion timeout not between two heartbeats and the "
		    "stall timeout";
	return NULL;
}

int
order_outbox_init(struct order_outbox *box, size_t cap)
{
	box->n = 0;
	box->cap = cap;
	box->d = calloc(cap, sizeof(*box->d));
	return box->d ? 0 : -1;
}

void
order_outbox_free(struct order_outbox *box)
{
	free(box->d);
	box->d = NULL;
	box->n = box->cap = 0;
}

const char *
order_mode_name(enum order_mode m)
{
	switch (m) {
	case ORDER_NONE:
		return "none";
	case ORDER_FIFO:
		return "fifo";
	case ORDER_TOTAL:
		return "total";
	case ORDER_CAUSAL:
		return "causal";
	case ORDER_SEQUENCER:
		return "sequencer";
	}
	return "?";
}

int
order_mode_parse(const char *s, enum order_mode *m)
{
	if (strcmp(s, "none") == 0)
		*m = ORDER_NONE;
	else if (strcmp(s, "fifo") == 0)
		*m = ORDER_FIFO;
	else if (strcmp(s, "total") == 0)
		*m = ORDER_TOTAL;
	else if (strcmp(s, "causal") == 0)
		*m = ORDER_CAUSAL;
	else if (strcmp(s, "sequencer") == 0)
		*m = ORDER_SEQUENCER;
	else
		return -1;
	return 0;
}

const char *
order_phase_name(enum order_phase p)
{
	switch (p) {
	case ORDER_HANDSHAKE:
		return "handshake";
	case ORDER_RUNNING:
		return "running";
	case ORDER_FINISHED:
		return "finished";
	case ORDER_DONE:
		return "done";
	case ORDER_ABORTED:
		return "aborted";
	case ORDER_EXCLUDED:
		return "excluded";
	}
	return "?";
}

int
order_suspect_parse(const char *s, uint64_t *ms, const char **why)
{
	struct order_config c;
	char *end;
	unsigned long long v;

	order_config_defaults(&c);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s < '0' || *s > '9' ||
	    v > 3600000) {
		*why = "not a number of ms up to 3600000";
		return -1;
	}
	/* Suspicion must wait for several heartbeats (order_config_check). */
	if (v * 1000 <= 2 * c.hb_interval_us) {
		*why = "not above two heartbeat intervals (100 ms)";
		return -1;
	}
	*ms = v;
	return 0;
}

const char *
order_on_failure_name(enum order_on_failure f)
{
	return f == ORDER_ABORT ? "abort" : "continue";
}

int
order_on_failure_parse(const char *s, enum order_on_failure *f)
{
	if (strcmp(s, "continue") == 0)
		*f = ORDER_CONTINUE;
	else if (strcmp(s, "abort") == 0)
		*f = ORDER_ABORT;
	else
		return -1;
	return 0;
}

/*
 * The largest Lamport clock a run can reach: every event that ticks a clock
 * is a stamping (n x messages) or the first receipt of a DATA (n - 1 others
 * each), and a clock never exceeds the number of such events before it.
 */
static uint64_t
clock_bound(const struct order_config *c)
{
	return (uint64_t)c->n * c->n * c->messages + c->n;
}

/* The algorithm of a mode (checked by order_config_check). */
static const struct order_algo *
order_algo_for(enum order_mode m)
{
	switch (m) {
	case ORDER_NONE:
		return &order_algo_none;
	case ORDER_FIFO:
		return &order_algo_fifo;
	case ORDER_CAUSAL:
		return &order_algo_causal;
	case ORDER_SEQUENCER:
		return &order_algo_sequencer;
	case ORDER_TOTAL:
		break;
	}
	return &order_algo_total;
}

static int
alloc_members(struct order *o)
{
	size_t n = o->cfg.n, w = o->cfg.window, i;

	o->m = calloc(n, sizeof(*o->m));
	o->store = calloc(w, sizeof(*o->store));
	o->to = calloc(w * n, sizeof(*o->to));
	o->state_s = calloc(n, sizeof(*o->state_s));
	if (!o->m || !o->store || !o->to || !o->state_s ||
	    o->alg->create(o) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		struct member *mb = &o->m[i];

		rto_init(&mb->rto, o->cfg.rto_init_us, o->cfg.rto_min_us,
		    o->cfg.rto_max_us);
		mb->next_due = UINT64_MAX;	/* nothing sent: no resend */
		if (i == o->cfg.self)
			continue;
		if (stream_init(o, i) < 0)
			return -1;
	}
	return 0;
}

struct order *
order_create(const struct order_config *cfg, order_deliver_fn deliver,
    void *arg)
{
	struct order *o;

	if (order_config_check(cfg) || !deliver) {
		errno = EINVAL;
		return NULL;
	}
	if (!(o = calloc(1, sizeof(*o))))
		return NULL;
	o->cfg = *cfg;
	o->cfg.key = NULL;
	if (cfg->key) {
		o->keyed = true;
		auth_run_key(cfg->key, cfg->run, &o->key);
	}
	o->unanswered_left = cfg->unanswered_budget;
	o->deliver = deliver;
	o->arg = arg;
	o->alg = order_algo_for(cfg->mode);
	o->clock_bound = clock_bound(cfg);
	if (alloc_members(o) < 0) {
		order_destroy(o);
		errno = ENOMEM;
		return NULL;
	}
	o->phase = ORDER_HANDSHAKE;
	o->vc.report_to = -1;
	return o;
}

#ifdef MPCOMM_FLAWS
struct order *
order_create_flawed(const struct order_config *cfg, unsigned flaws,
    order_deliver_fn deliver, void *arg)
{
	struct order *o = order_create(cfg, deliver, arg);

	if (o)
		o->flaws = flaws;
	return o;
}
#endif

void
order_destroy(struct order *o)
{
	size_t i;

	if (!o)
		return;
	o->alg->destroy(o);
	if (o->m)
		for (i = 0; i < o->cfg.n; i++)
			stream_free(o, i);
	free(o->m);
	free(o->store);
	free(o->to);
	free(o->state_s);
	free(o);
}

static void
flush(struct order *o, uint64_t now, struct order_outbox *box)
{
	if (o->phase == ORDER_ABORTED || o->phase == ORDER_EXCLUDED)
		return;
	order_send_new_data(o, now, box);
	if (o->alg->send)
		o->alg->send(o, now, box);
	view_send(o, now, box);
	order_send_control(o, now, box);
}

/* ---------------------------------------------------------------------
 * ACK states, phases.
 */

static bool
all_acked(const struct order *o, uint32_t seq)
{
	unsigned q;

	for (q = 0; q < o->cfg.n; q++)
		if (order_in_view(o, q) && o->m[q].acked < seq)
			return false;
	return true;
}

static bool
all_in(const struct order *o)
{
	unsigned q;

	for (q = 0; q < o->cfg.n; q++) {
		const struct member *mb = &o->m[q];

		if (!order_in_view(o, q))
			continue;	/* a departed stream ends at its cut */
		if (!mb->rx.has_end || mb->rx.processed < o->cfg.messages)
			return false;
	}
	return o->alg->queued(o) == 0;
}

static void
set_hb_due_unfinished(struct order *o)
{
	unsigned q;

	for (q = 0; q < o->cfg.n; q++)
		if (order_in_view(o, q) && !o->m[q].finished)
			due_set(&o->m[q], DUE_HB);
}

static bool
all_finished(const struct order *o)
{
	unsigned q;

	for (q = 0; q < o->cfg.n; q++)
		if (order_in_view(o, q) && !o->m[q].finished)
			return false;
	return true;
}

/* From now on this peer only answers (S4). */
static void
enter_done(struct order *o)
{
	unsigned q;

	o->phase = ORDER_DONE;
	for (q = 0; q < o->cfg.n; q++)
		due_clear(&o->m[q], DUE_HB);
	/* Done is final: a view change after it leaves us out (and
	 * view_may_end has left the view change steady). */
	o->vc.c_ballot = 0;
}

/* Moves the phase on: handshake, END, finished, done (S4). */
static void
advance_phase(struct order *o, uint64_t now)
{
	unsigned q;
	bool all = true;

	if (o->phase == ORDER_HANDSHAKE) {
		for (q = 0; q < o->cfg.n; q++)
			if (order_in_view(o, q) && !o->m[q].confirmed)
				all = false;
		if (all)
			o->phase = ORDER_RUNNING;
	}
	if (!o->end_sent && o->stamped == o->cfg.messages &&
	    all_acked(o, o->cfg.messages)) {
		o->end_sent = true;
		for (q = 0; q < o->cfg.n; q++)
			due_put(&o->m[q], DUE_ACK, order_in_view(o, q));
	}
	if (o->phase == ORDER_RUNNING && o->end_sent && all_in(o)) {
		o->phase = ORDER_FINISHED;
		o->next_hb = now + o->cfg.hb_interval_us;
		set_hb_due_unfinished(o);
	}
	if (o->phase == ORDER_FINISHED && all_finished(o) &&
	    view_may_end(o, now))
		enter_done(o);
}

/* Processes, delivers (T2), and moves the phase on. */
static void
settle(struct order *o, uint64_t now)
{
	unsigned q;

	for (q = 0; q < o->cfg.n; q++)
		if (q != o->cfg.self)
			(void)stream_advance(o, q, view_limit(o, q), now);
	if (view_settle(o, now))
		for (q = 0; q < o->cfg.n; q++)	/* limits lifted */
			if (q != o->cfg.self)
				(void)stream_advance(o, q, view_limit(o, q),
				    now);
	(void)stream_deliver_ready(o, now);
	if (o->phase != ORDER_ABORTED && o->phase != ORDER_EXCLUDED)
		advance_phase(o, now);
}

/* Checks an ACK state against what the run can produce; 0 if plausible. */
static int
check_ack(struct order *o, unsigned q, const struct msg_ack *a, uint32_t *s)
{
	unsigned i;

	if (a->n != o->cfg.n || a->k > o->cfg.messages ||
	    a->d_id >= o->cfg.n) {
		o->st.drop_field++;
		return -1;
	}
	if (a->c > o->clock_bound || a->d_ts > o->clock_bound) {
		o->st.drop_clock++;
		return -1;
	}
	for (i = 0; i < a->n; i++) {
		s[i] = msg_ack_s(a, i);
		if (s[i] > o->cfg.messages) {
			o->st.drop_field++;
			return -1;
		}
	}
	if (s[q] != a->k) {
		o->st.drop_field++;
		return -1;
	}
	if (s[o->cfg.self] > o->sent_upto) {
		o->st.drop_unsent++;	/* acknowledges what I never sent */
		return -1;
	}
	return 0;
}

/* An ACK state; count is false when it comes from another view (V6). */
static void
on_ack(struct order *o, unsigned q, const struct msg_ack *a, bool count,
    uint64_t now)
{
	struct member *mb = &o->m[q];
	uint32_t s[MSG_MAX_PEERS];

	if (check_ack(o, q, a, s) < 0)
		return;
	if (s[o->cfg.self] > mb->acked)
		mb->acked = s[o->cfg.self];
	mb->dlvd = o->alg->delivered_by(o, q, a, mb->acked);
	if (mb->dlvd > mb->acked)	/* delivered implies processed */
		mb->acked = mb->dlvd;
	if (count)
		o->alg->on_state(o, q, a, s, now);
}

/* Checks the envelope of a datagram; the member it is from, or -1. */
static int
accept_dgram(struct order *o, int from, const uint8_t *buf, size_t len)
{
	o->st.dgrams_in++;
	if (msg_check_mac(buf, len, o->keyed ? &o->key : NULL) < 0) {
		o->st.drop_auth++;
		return -1;
	}
	if (msg_decode(buf, len, &o->dg) < 0) {
		o->st.drop_decode++;
		return -1;
	}
	if (o->dg.hdr.run != o->cfg.run) {
		o->st.drop_run++;
		return -1;
	}
	if (from < 0 || (unsigned)from >= o->cfg.n ||
	    (unsigned)from == o->cfg.self || o->dg.hdr.sender != from) {
		o->st.drop_sender++;
		return -1;
	}
	if (o->keyed &&
	    !stream_fresh_counter(o, (unsigned)from, o->dg.hdr.counter)) {
		o->st.drop_replay++;
		return -1;
	}
	return from;
}

static void
on_record(struct order *o, unsigned q, const struct msg_rec *r,
    enum view_admit admit, uint64_t now)
{
	struct member *mb = &o->m[q];
	bool count = admit == VIEW_SAME;

	switch (r->type) {
	case MSG_READY:
		due_set(mb, DUE_HS_ACK);
		break;
	case MSG_HS_ACK:
		break;
	case MSG_DATA:
		if (admit == VIEW_FOREIGN)
			o->st.drop_view++;	/* see known_ballot() */
		else if (!order_data_ready(o, q, r->u.data.seq))
			o->st.drop_field++;	/* C1: its DEPS did not come */
		else
			stream_on_data(o, q, &r->u.data,
			    view_past_cut(o, q, r->u.data.seq), now);
		break;
	case MSG_ACK:
		on_ack(o, q, &r->u.ack, count, now);
		break;
	case MSG_END:
		stream_on_end(o, q, r->u.end_total);
		break;
	case MSG_HEARTBEAT:
		if (r->u.hb_flags & MSG_HB_FINISHED)
			mb->finished = true;
		if (!(r->u.hb_flags & MSG_HB_REPLY) &&
		    o->phase >= ORDER_FINISHED)
			due_set(mb, DUE_REPLY);
		break;
	case MSG_SACK:
		o->st.sacks_in++;
		order_on_sack(o, q, &r->u.sack, now);
		break;
	case MSG_ECHO:
		order_on_echo(o, q, &r->u.echo, now);
		break;
	case MSG_PROPOSE:
		view_on_propose(o, q, &r->u.propose);
		break;
	case MSG_VIEW:
		view_on_view(o, q, &r->u.view, now);
		break;
	case MSG_RELAY_REQ:
		view_on_relay_req(o, q, &r->u.relay_req);
		break;
	case MSG_RELAY:
		view_on_relay(o, q, &r->u.relay, now);
		break;
	case MSG_ORDER:
		if (o->alg->on_order)
			o->alg->on_order(o, q, &r->u.order, count, now);
		else
			o->st.drop_field++;	/* not this mode's */
		break;
	case MSG_DEPS:
		if (o->alg->on_extra)
			o->alg->on_extra(o, q, &r->u.deps);
		else
			o->st.drop_field++;	/* not this mode's */
		break;
	case MSG_SUSPECT:
		if (count)	/* a report of this view */
			view_on_suspect(o, q, r->u.suspect, now);
		break;
	}
}

/*
 * The budget for members not heard from yet gains a sixteenth of what the
 * run's members send, up to its size at the start: a member whose START
 * came late, or whose every READY was lost (a link down from the start),
 * is still reached once the others talk, while a START naming only
 * strangers stays at its budget.  Without the refill, simulated runs of
 * 16 peers at 30 % loss, and of 8 with a link down for 2.7 s from the
 * start, never completed their handshakes.
 */
static void
refill_unanswered(struct order *o, size_t len)
{
	uint64_t cap = o->cfg.unanswered_budget;

	o->unanswered_left += len / 16;
	if (o->unanswered_left > cap)
		o->unanswered_left = cap;
}

void
order_input(struct order *o, uint64_t now, int from, const uint8_t *buf,
    size_t len)
{
	struct member *mb;
	enum view_admit admit;
	size_t i;
	int q;

	view_clock(o, now);
	if ((q = accept_dgram(o, from, buf, len)) < 0 ||
	    o->phase == ORDER_ABORTED || o->phase == ORDER_EXCLUDED)
		return;
	if ((admit = view_admit(o, (unsigned)q, o->dg.hdr.view, now)) ==
	    VIEW_DROP)
		return;
	mb = &o->m[q];
	mb->last_heard = now;
	mb->confirmed = true;
	refill_unanswered(o, len);
	/* Echo the newest tsval (RFC 7323): an older one, overtaken or
	 * duplicated on the way, would inflate the round trip. */
	if (!mb->echo_valid ||
	    (int32_t)(o->dg.hdr.tsval - mb->echo_tsval) >= 0) {
		mb->echo_tsval = o->dg.hdr.tsval;
		mb->echo_at = now;
		mb->echo_valid = true;
	}
	due_set(mb, DUE_ECHO);
	for (i = 0; i < o->dg.nrec; i++)
		on_record(o, (unsigned)q, &o->dg.rec[i], admit, now);
	if (o->phase != ORDER_ABORTED && o->phase != ORDER_EXCLUDED)
		settle(o, now);
}

/*
 * The send window (L2 in mpcomm(7)): at most window of my
 * DATA stamped beyond what the slowest member has delivered (in total order;
 * processed in the others, where processing is delivery), myself included.
 * So every member holds at most window DATA of my stream, whatever happens.
 */
uint32_t
order_stampable(const struct order *o)
{
	uint32_t slowest, used, room;
	unsigned q;

	if (o->phase != ORDER_RUNNING || o->stamped >= o->cfg.messages ||
	    view_frozen(o))
		return 0;
	slowest = o->self_dlvd;
	for (q = 0; q < o->cfg.n; q++)
		if (order_in_view(o, q) && o->m[q].dlvd < slowest)
			slowest = o->m[q].dlvd;
	used = o->stamped - slowest;
	room = used >= o->cfg.window ? 0 : o->cfg.window - used;
	if (room > o->cfg.messages - o->stamped)
		room = o->cfg.messages - o->stamped;
	return room;
}

uint32_t
order_stamp(struct order *o, uint64_t now, uint32_t max,
    struct order_outbox *box)
{
	uint32_t count = order_stampable(o), i;

	if (count > max)
		count = max;
	for (i = 0; i < count; i++) {
		uint32_t seq = o->stamped + 1;
		struct sent *s = &o->store[seq % o->cfg.window];

		s->ts = lclock_tick(&o->clock);
		s->send_us = now;
		o->stamped = seq;
		if (o->tr)
			trace_send(o->tr, now, seq, s->ts);
		stream_process(o, o->cfg.self, &(struct slot){ .ts = s->ts,
		    .send_us = now, .seq = seq }, now);
	}
	if (count)
		settle(o, now);
	/* Transmit at once: a stamped-but-unsent backlog delays everyone. */
	flush(o, now, box);
	return count;
}

void
order_flush(struct order *o, uint64_t now, struct order_outbox *box)
{
	flush(o, now, box);
}

/* ---------------------------------------------------------------------
 * Timers.
 */

/* Aborts the run when a member has been silent for the peer timeout. */
static bool
check_silence(struct order *o, uint64_t now)
{
	char why[sizeof(o->reason)];
	unsigned q;

	for (q = 0; q < o->cfg.n; q++) {
		const struct member *mb = &o->m[q];

		if (!order_in_view(o, q) || now < mb->last_heard ||
		    now - mb->last_heard <= o->cfg.peer_timeout_us)
			continue;
		snprintf(why, sizeof(why), "peer %u silent for %" PRIu64 " ms",
		    q, (now - mb->last_heard) / 1000);
		order_stop(o, ORDER_ABORTED, why);
		return true;
	}
	return false;
}

/* Whether anything waits on other members: undelivered or unacked DATA. */
static bool
work_pending(const struct order *o)
{
	unsigned q;

	if (o->alg->queued(o) || o->held)
		return true;
	for (q = 0; q < o->cfg.n; q++)
		if (order_in_view(o, q) && o->m[q].acked < o->sent_upto)
			return true;
	return view_frozen(o);
}

/*
 * Aborts a run that is stuck: members are heard (heartbeats) but nothing
 * moves while work is pending.  Progress is any change of what was
 * delivered, processed, acknowledged or stamped.
 */
static bool
check_stall(struct order *o, uint64_t now)
{
	char why[sizeof(o->reason)];
	uint64_t sig = o->st.delivered + o->stamped;
	unsigned q;

	for (q = 0; q < o->cfg.n; q++)
		sig += (uint64_t)o->m[q].rx.processed + o->m[q].acked;
	if (sig != o->progress_sig || !work_pending(o)) {
		o->progress_sig = sig;
		o->progress_at = now;
		return false;
	}
	if (!o->cfg.stall_timeout_us ||
	    now - o->progress_at <= o->cfg.stall_timeout_us)
		return false;
	snprintf(why, sizeof(why), "no progress for %" PRIu64 " ms",
	    (now - o->progress_at) / 1000);
	order_stop(o, ORDER_ABORTED, why);
	return true;
}

/* Resends what is due and keeps idle links carrying our state. */
static void
tick_running(struct order *o, uint64_t now, struct order_outbox *box)
{
	unsigned i, q;

	/* Start at another member each tick: a full outbox is shared. */
	o->tick_first = (o->tick_first + 1) % o->cfg.n;
	for (i = 0; i < o->cfg.n; i++) {
		struct member *mb;

		q = (o->tick_first + i) % o->cfg.n;
		mb = &o->m[q];
		if (!order_in_view(o, q))
			continue;
		if (mb->acked < o->sent_upto)
			order_resend_to(o, q, now, box);
		if (mb->rx.held_hi > mb->rx.processed)
			due_set(mb, DUE_SACK);	/* the last SACK may be lost */
		/* Until a member answers, READY is all it is sent. */
		if (mb->confirmed &&
		    now - mb->last_sent >= o->cfg.hb_interval_us)
			due_set(mb, DUE_HB);
	}
}

/* Waits for the finished flags; a member silent that long has gone. */
static void
tick_finished(struct order *o, uint64_t now)
{
	unsigned q;

	for (q = 0; q < o->cfg.n; q++)
		if (order_in_view(o, q) && !o->m[q].finished &&
		    now - o->m[q].last_heard > o->cfg.peer_timeout_us)
			o->m[q].finished = true;
	if (all_finished(o) && view_may_end(o, now)) {
		enter_done(o);
	} else if (now >= o->next_hb) {
		set_hb_due_unfinished(o);
		o->next_hb = now + o->cfg.hb_interval_us;
	}
}

void
order_tick(struct order *o, uint64_t now, struct order_outbox *box)
{
	view_clock(o, now);
	switch (o->phase) {
	case ORDER_HANDSHAKE:
		if ((o->cfg.on_failure == ORDER_ABORT && check_silence(o, now)) ||
		    view_tick(o, now))
			return;
		/* READY rounds back off to 16 intervals apart: a member that
		 * has not started yet costs a few datagrams a second. */
		if (now >= o->next_hs) {
			order_send_ready(o, now, box);
			o->next_hs = now + (o->cfg.hs_interval_us <<
			    (o->hs_rounds < 4 ? o->hs_rounds : 4));
			o->hs_rounds++;
		}
		tick_running(o, now, box);
		break;
	case ORDER_RUNNING:
		if (o->cfg.on_failure == ORDER_ABORT && check_silence(o, now))
			return;
		if (view_tick(o, now) || check_stall(o, now))
			return;
		tick_running(o, now, box);
		break;
	case ORDER_FINISHED:
		(void)view_tick(o, now);	/* retransmissions only */
		tick_finished(o, now);
		break;
	case ORDER_DONE:
		(void)view_tick(o, now);	/* retransmissions only */
		break;
	case ORDER_ABORTED:
	case ORDER_EXCLUDED:
		break;	/* quiet */
	}
	if (o->alg->tick && o->phase <= ORDER_FINISHED)
		o->alg->tick(o, now);
	flush(o, now, box);
}

/* ---------------------------------------------------------------------
 * The next deadline: order_tick() read backwards, changing nothing.
 */

static uint64_t
earliest(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Whether a datagram to q goes out at all: not held for the budget of
 * members never heard from. */
static bool
reachable(const struct order *o, unsigned q)
{
	return o->m[q].confirmed || !o->cfg.unanswered_budget ||
	    o->unanswered_left > 0;
}

/*
 * Whether the next flush sends something without waiting for a timer:
 * DATA stamped but not sent, or a record owed (left over when an outbox
 * filled up).  A SACK owed waits for its rate limit (a timer).
 */
static bool
output_owed(const struct order *o)
{
	const unsigned view_due = DUE_NOTICE | DUE_REFUSE | DUE_STATE |
	    DUE_DONE | DUE_PROPOSE | DUE_INSTALL;
	const unsigned own_due = DUE_ACK | DUE_HS_ACK | DUE_HB | DUE_REPLY |
	    DUE_RESEND;
	unsigned q;

	if (o->sent_upto < o->stamped)
		return true;
	if (o->cfg.on_failure == ORDER_CONTINUE && o->vc.report_to >= 0)
		return true;
	for (q = 0; q < o->cfg.n; q++) {
		const struct member *mb = &o->m[q];

		if (q == o->cfg.self)
			continue;
		if (o->cfg.on_failure == ORDER_CONTINUE &&
		    (due_has(mb, view_due) || mb->relay_want))
			return true;
		if (order_in_view(o, q) && reachable(o, q) &&
		    due_has(mb, own_due))
			return true;
	}
	return false;
}

/* What tick_running() and the flush after it do for q: resend, SACK,
 * heartbeat. */
static uint64_t
member_deadline(const struct order *o, unsigned q)
{
	const struct member *mb = &o->m[q];
	uint64_t d = UINT64_MAX;

	if (mb->acked < o->sent_upto)
		d = mb->next_due;
	if (mb->rx.held_hi > mb->rx.processed)
		d = earliest(d, order_sack_at(mb));
	if (mb->confirmed)
		d = earliest(d, mb->last_sent + o->cfg.hb_interval_us);
	return d;
}

/* check_silence(): a member silent for the peer timeout aborts the run. */
static uint64_t
silence_deadline(const struct order *o)
{
	uint64_t d = UINT64_MAX;
	unsigned q;

	if (o->cfg.on_failure != ORDER_ABORT)
		return d;
	for (q = 0; q < o->cfg.n; q++)
		if (order_in_view(o, q))
			d = earliest(d, o->m[q].last_heard +
			    o->cfg.peer_timeout_us + 1);
	return d;
}

/* tick_finished(): members whose finished flag is late, and the end. */
static uint64_t
finished_deadline(const struct order *o)
{
	uint64_t d = UINT64_MAX;
	unsigned q, c = o->vc.promise & 63;

	for (q = 0; q < o->cfg.n; q++)
		if (order_in_view(o, q) && !o->m[q].finished)
			d = earliest(d, o->m[q].last_heard +
			    o->cfg.peer_timeout_us + 1);
	if (!all_finished(o))
		return earliest(d, o->next_hb);
	/* view_may_end(): what keeps a finished peer from going quiet. */
	if (o->vc.c_ballot)
		return d;	/* view_next_deadline() has its timer */
	if (view_frozen(o) && c != o->cfg.self)
		return earliest(d, o->m[c].last_heard +
		    o->cfg.peer_timeout_us + 1);
	return 0;
}

uint64_t
order_next_deadline(const struct order *o)
{
	uint64_t d;
	unsigned q;

	if (o->phase == ORDER_ABORTED || o->phase == ORDER_EXCLUDED)
		return UINT64_MAX;	/* quiet */
	if (output_owed(o))
		return 0;
	d = view_next_deadline(o);
	if (o->alg->deadline && o->phase <= ORDER_FINISHED)
		d = earliest(d, o->alg->deadline(o));
	/*
	 * A call at least every half suspicion timeout while members are
	 * watched: view_clock() takes a longer gap for our own pause and
	 * forgives every silence, so a caller sleeping through READY rounds
	 * that back off beyond it would never time out a member that never
	 * answers.
	 */
	if (o->phase <= ORDER_FINISHED && o->vc.last_call)
		d = earliest(d, o->vc.last_call + o->cfg.suspect_us / 2);
	switch (o->phase) {
	case ORDER_HANDSHAKE:
	case ORDER_RUNNING:
		d = earliest(d, silence_deadline(o));
		if (o->phase == ORDER_HANDSHAKE)
			d = earliest(d, o->next_hs);
		else if (o->cfg.stall_timeout_us && work_pending(o))
			d = earliest(d, o->progress_at +
			    o->cfg.stall_timeout_us + 1);
		for (q = 0; q < o->cfg.n; q++)
			if (order_in_view(o, q))
				d = earliest(d, member_deadline(o, q));
		break;
	case ORDER_FINISHED:
		d = earliest(d, finished_deadline(o));
		break;
	default:
		break;	/* done: the view's retransmissions only */
	}
	return d;
}

void
order_start(struct order *o, uint64_t now, struct order_outbox *box)
{
	unsigned q;

	for (q = 0; q < o->cfg.n; q++)
		o->m[q].last_heard = now;
	o->next_hs = now;
	o->progress_at = now;
	order_tick(o, now, box);
}

int
order_abort(struct order *o, const char *why)
{
	if (o->phase >= ORDER_FINISHED)
		return -1;
	order_stop(o, ORDER_ABORTED, why);
	return 0;
}

enum order_phase
order_phase(const struct order *o)
{
	return o->phase;
}

const char *
order_abort_reason(const struct order *o)
{
	return o->reason;
}

const struct order_stats *
order_stats(const struct order *o)
{
	return &o->st;
}

size_t
order_queue_len(const struct order *o)
{
	return o->held + o->alg->queued(o);
}

uint32_t
order_stamped(const struct order *o)
{
	return o->stamped;
}

void
order_set_trace(struct order *o, struct trace *tr)
{
	o->tr = tr;
}

uint32_t
order_view(const struct order *o, uint64_t *members)
{
	if (members)
		*members = view_members(o);
	return view_number(o);
}

const struct order_config *
order_config(const struct order *o)
{
	return &o->cfg;
}
