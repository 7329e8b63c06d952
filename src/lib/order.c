/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Totally ordered multicast after L. Lamport, "Time, Clocks, and the Ordering
 * of Events in a Distributed System", CACM 21(7), 1978: every message goes
 * into a queue ordered by (timestamp, sender id), and the head is delivered
 * once every member has acknowledged it.
 *
 * Delivery invariant: a message is delivered only when no message that
 * precedes it in (ts, id) order can still arrive, because for every member q
 * we hold a *counted* ACK state of q that covers it (q's later messages carry
 * larger timestamps, q's earlier ones are already in our queue).
 *
 * Where this departs from the paper, which assumes reliable FIFO channels
 * (DESIGN.md section 4): UDP loses, duplicates and reorders, so
 *  - each sender's DATA is a numbered stream, held back and processed in
 *    seq order, duplicates dropped, and resent until acknowledged;
 *  - an ACK state (S, C, K) counts only once the acker's stream is processed
 *    up to K, the highest seq it had *stamped* when it took the state;
 *  - ACK states ride on every datagram and on periodic heartbeats, so a lost
 *    ACK is repaired; END is repeated the same way;
 *  - the stamp-time state of a DATA is taken per batch: a datagram carries
 *    the state taken in the critical section that stamped its DATA (or a
 *    later one), and the DATA's own ts stands for the stamp-time clock.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpcomm/lclock.h"
#include "mpcomm/msg.h"
#include "mpcomm/order.h"
#include "mpcomm/pq.h"

#define PENDING_SLOTS	4	/* uncounted ACK states kept per member */
#define RESEND_SCAN	256	/* oldest unacked DATA examined per tick */
#define RESEND_BURST	4	/* resend datagrams per member per tick */
#define BACKOFF_MAX	3	/* the timeout doubles up to 8x */

/* A DATA held back until its predecessors from the same sender arrive. */
struct slot {
	uint64_t	 ts;
	uint64_t	 send_us;
	uint32_t	 seq;		/* 0: empty */
};

/* What this peer knows about, and owes to, one other member. */
struct member {
	/* The member's stream of DATA, as received. */
	uint32_t	 processed;	/* contiguous seq processed */
	struct slot	*ring;		/* window slots, index seq % window */
	bool		 has_end;

	/* Its ACK states that count (rule 3), merged by maximum. */
	uint32_t	*cs;		/* S vector, n entries */
	uint64_t	 cc;		/* C */
	/* Its ACK states waiting for the stream to reach their K. */
	unsigned	 npend;
	uint32_t	 pk[PENDING_SLOTS];
	uint64_t	 pc[PENDING_SLOTS];
	uint32_t	*ps;		/* PENDING_SLOTS x n */

	/* As received, for resends, END and the window (rule 6). */
	uint32_t	 acked;		/* its S[self]: my DATA it processed */
	bool		 finished;	/* its finished flag seen */
	bool		 confirmed;	/* handshake */
	uint64_t	 last_heard;

	/* What we owe it. */
	bool		 ack_due;
	bool		 hs_ack_due;
	bool		 hb_due;
	bool		 reply_due;
	uint64_t	 last_sent;

	/* Retransmission timeout, from measured round trips (RFC 6298). */
	uint64_t	 srtt;
	uint64_t	 rttvar;
	uint64_t	 rto;
};

/* One of my own DATA, kept until every member has acknowledged it. */
struct sent {
	uint64_t	 ts;
	uint64_t	 send_us;
	uint64_t	 first_tx;
};

struct order {
	struct order_config cfg;
	order_deliver_fn deliver;
	void		*arg;

	enum order_phase phase;
	uint64_t	 clock;		/* Lamport clock */
	uint32_t	 stamped;	/* K: my highest stamped seq */
	uint32_t	 sent_upto;	/* my highest seq transmitted once */
	bool		 end_sent;
	uint64_t	 next_hs;	/* next READY round */
	uint64_t	 next_hb;	/* next finished-flag heartbeat */

	struct member	*m;
	struct sent	*store;		/* window entries */
	uint64_t	*deadline;	/* window x n: next resend of (seq, q) */
	uint8_t		*tries;		/* window x n */
	struct pq	*pq;		/* total order hold queue */
	size_t		 held;		/* DATA in hold-back slots */

	struct order_stats st;
	bool		 keyed;
	struct auth_key	 key;		/* this run's datagram key */
	char		 reason[160];
	uint32_t	*state_s;	/* scratch: my S vector */
	uint8_t		 payload[MSG_MAX_PAYLOAD];
	struct msg_dgram dg;		/* decode scratch */
};

void
order_config_defaults(struct order_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = ORDER_TOTAL;
	cfg->payload_len = 32;
	cfg->window = 4096;
	cfg->rto_init_us = 100000;
	cfg->rto_min_us = 5000;
	cfg->rto_max_us = 2000000;
	cfg->hb_interval_us = 50000;
	cfg->hs_interval_us = 50000;
	cfg->peer_timeout_us = 10000000;
}

const char *
order_config_check(const struct order_config *c)
{
	if (c->n < 2 || c->n > MSG_MAX_PEERS)
		return "member count out of range";
	if (c->self >= c->n)
		return "own id out of range";
	if (c->mode != ORDER_NONE && c->mode != ORDER_FIFO &&
	    c->mode != ORDER_TOTAL)
		return "unknown ordering mode";
	if (c->messages == 0 || c->messages > INT32_MAX)
		return "message count out of range";
	if (c->payload_len > MSG_MAX_PAYLOAD ||
	    msg_data_size(c->payload_len) + msg_ack_size(c->n) +
	    MSG_REC_HDR_LEN + MSG_END_LEN + MSG_REC_HDR_LEN +
	    MSG_HEARTBEAT_LEN + MSG_HDR_LEN > MSG_MAX_DGRAM)
		return "payload too large";
	if (c->window < 1 || c->window > (1U << 20))
		return "window out of range";
	if (c->rto_min_us == 0 || c->rto_init_us < c->rto_min_us ||
	    c->rto_max_us < c->rto_init_us)
		return "retransmission timeouts inconsistent";
	if (c->hb_interval_us == 0 || c->hs_interval_us == 0 ||
	    c->peer_timeout_us <= c->hb_interval_us)
		return "timer intervals inconsistent";
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
	}
	return "?";
}

struct order *
order_create(const struct order_config *cfg, order_deliver_fn deliver,
    void *arg)
{
	struct order *o;
	size_t n, w, i, pq_limit;

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
	o->deliver = deliver;
	o->arg = arg;
	n = cfg->n;
	w = cfg->window;
	/*
	 * The hold queue is bounded; past the bound, processing pauses and the
	 * unprocessed DATA waits (and is resent) like a lost datagram.
	 */
	pq_limit = 4 * n * w;
	if (pq_limit < 65536)
		pq_limit = 65536;
	o->m = calloc(n, sizeof(*o->m));
	o->store = calloc(w, sizeof(*o->store));
	o->deadline = calloc(w * n, sizeof(*o->deadline));
	o->tries = calloc(w * n, sizeof(*o->tries));
	o->state_s = calloc(n, sizeof(*o->state_s));
	o->pq = pq_create(pq_limit);
	if (!o->m || !o->store || !o->deadline || !o->tries || !o->state_s ||
	    !o->pq)
		goto fail;
	for (i = 0; i < n; i++) {
		struct member *mb = &o->m[i];

		if (i == cfg->self)
			continue;
		mb->ring = calloc(w, sizeof(*mb->ring));
		mb->cs = calloc(n, sizeof(*mb->cs));
		mb->ps = calloc(PENDING_SLOTS * n, sizeof(*mb->ps));
		if (!mb->ring || !mb->cs || !mb->ps)
			goto fail;
		mb->rto = cfg->rto_init_us;
	}
	o->phase = ORDER_HANDSHAKE;
	return o;
fail:
	order_destroy(o);
	errno = ENOMEM;
	return NULL;
}

void
order_destroy(struct order *o)
{
	size_t i;

	if (!o)
		return;
	if (o->m) {
		for (i = 0; i < o->cfg.n; i++) {
			free(o->m[i].ring);
			free(o->m[i].cs);
			free(o->m[i].ps);
		}
	}
	free(o->m);
	free(o->store);
	free(o->deadline);
	free(o->tries);
	free(o->state_s);
	pq_destroy(o->pq);
	free(o);
}

static uint64_t
others_mask(const struct order *o)
{
	uint64_t all = o->cfg.n == 64 ? ~UINT64_C(0) :
	    (UINT64_C(1) << o->cfg.n) - 1;

	return all & ~(UINT64_C(1) << o->cfg.self);
}

static void
abort_run(struct order *o, const char *why)
{
	snprintf(o->reason, sizeof(o->reason), "%s", why);
	o->phase = ORDER_ABORTED;
}

/* ---------------------------------------------------------------------
 * Output: every datagram starts with this peer's current ACK state, taken
 * in the same critical section as everything else in it (rule 3).
 */

static void
begin_dgram(struct order *o, struct msg_builder *b, uint8_t *buf)
{
	unsigned i;

	for (i = 0; i < o->cfg.n; i++)
		o->state_s[i] = i == o->cfg.self ? o->stamped : o->m[i].processed;
	msg_begin(b, buf, MSG_MAX_DGRAM - (o->keyed ? AUTH_TAG_LEN : 0),
	    (uint16_t)o->cfg.self, o->cfg.run);
	(void)msg_put_ack(b, o->stamped, o->clock, o->cfg.n, o->state_s);
	if (o->end_sent)
		(void)msg_put_end(b, o->cfg.messages);
}

/* Reserves the next outbox slot, or NULL (counted) when the box is full. */
static struct order_out *
out_slot(struct order *o, struct order_outbox *box)
{
	if (box->n == box->cap) {
		o->st.outbox_full++;
		return NULL;
	}
	return &box->d[box->n];
}

static void
out_commit(struct order *o, struct order_outbox *box, struct msg_builder *b,
    uint64_t dests, uint64_t now)
{
	struct order_out *out = &box->d[box->n++];
	unsigned i;

	out->len = msg_finish(b);
	if (o->keyed)
		out->len = msg_seal(out->buf, out->len, &o->key);
	out->dests = dests;
	o->st.dgrams_out++;
	for (i = 0; i < o->cfg.n; i++) {
		if (!(dests >> i & 1))
			continue;
		o->m[i].last_sent = now;
		o->m[i].ack_due = false;
	}
}

static void
put_own_data(struct order *o, struct msg_builder *b, uint32_t seq, int *fit)
{
	const struct sent *s = &o->store[seq % o->cfg.window];
	struct msg_data d;

	msg_payload_fill(o->payload, o->cfg.payload_len, o->cfg.run,
	    o->cfg.self, seq);
	d.seq = seq;
	d.ts = s->ts;
	d.send_us = s->send_us;
	d.plen = o->cfg.payload_len;
	d.payload = o->payload;
	*fit = msg_put_data(b, &d) == 0;
}

/* Transmits, once, every stamped DATA that has not gone out yet (rule 1). */
static void
send_new_data(struct order *o, uint64_t now, struct order_outbox *box)
{
	uint64_t dests = others_mask(o);
	struct msg_builder b;
	struct order_out *out;
	unsigned q;
	int fit;

	while (o->sent_upto < o->stamped) {
		if (!(out = out_slot(o, box)))
			return;
		begin_dgram(o, &b, out->buf);
		for (;;) {
			uint32_t seq = o->sent_upto + 1;
			size_t w = seq % o->cfg.window;

			if (seq > o->stamped)
				break;
			put_own_data(o, &b, seq, &fit);
			if (!fit)
				break;
			o->store[w].first_tx = now;
			for (q = 0; q < o->cfg.n; q++) {
				o->deadline[w * o->cfg.n + q] =
				    now + o->m[q].rto;
				o->tries[w * o->cfg.n + q] = 0;
			}
			o->sent_upto = seq;
			o->st.data_out++;
		}
		out_commit(o, box, &b, dests, now);
	}
}

/*
 * Sends what is owed to each member: HS_ACK, ACK state, heartbeat, reply.
 * Members owed the same kinds of records share one datagram.
 */
static void
send_control(struct order *o, uint64_t now, struct order_outbox *box)
{
	enum { K_HSACK = 1, K_ACK = 2, K_HB = 4, K_REPLY = 8 };
	uint64_t mask[16] = { 0 };
	struct msg_builder b;
	struct order_out *out;
	unsigned q, kind;
	uint8_t flags;

	for (q = 0; q < o->cfg.n; q++) {
		struct member *mb = &o->m[q];

		if (q == o->cfg.self)
			continue;
		kind = (mb->hs_ack_due ? K_HSACK : 0) |
		    (mb->ack_due ? K_ACK : 0) | (mb->hb_due ? K_HB : 0) |
		    (mb->reply_due ? K_REPLY : 0);
		mask[kind] |= UINT64_C(1) << q;
	}
	for (kind = 1; kind < 16; kind++) {
		if (!mask[kind])
			continue;
		if (!(out = out_slot(o, box)))
			return;
		begin_dgram(o, &b, out->buf);
		if (kind & K_HSACK)
			(void)msg_put_hs_ack(&b);
		if (kind & (K_HB | K_REPLY)) {
			flags = o->phase >= ORDER_FINISHED &&
			    o->phase != ORDER_ABORTED ? MSG_HB_FINISHED : 0;
			if (!(kind & K_HB))
				flags |= MSG_HB_REPLY;
			(void)msg_put_heartbeat(&b, flags);
		}
		out_commit(o, box, &b, mask[kind], now);
		for (q = 0; q < o->cfg.n; q++) {
			if (!(mask[kind] >> q & 1))
				continue;
			o->m[q].hs_ack_due = false;
			o->m[q].hb_due = false;
			o->m[q].reply_due = false;
		}
	}
}

static void
flush(struct order *o, uint64_t now, struct order_outbox *box)
{
	if (o->phase == ORDER_ABORTED)
		return;
	send_new_data(o, now, box);
	send_control(o, now, box);
}

/* ---------------------------------------------------------------------
 * Input.
 */

static void
deliver(struct order *o, uint16_t sender, uint32_t seq, uint64_t ts,
    uint64_t send_us, uint64_t now)
{
	struct order_delivery d;

	d.sender = sender;
	d.seq = seq;
	d.ts = ts;
	d.send_us = send_us;
	d.now = now;
	o->st.delivered++;
	o->deliver(o->arg, &d);
}

/* Merges a counted ACK state of member q (rule 4: max per entry). */
static void
count_state(struct order *o, struct member *mb, uint64_t c, const uint32_t *s)
{
	unsigned i;

	if (c > mb->cc)
		mb->cc = c;
	for (i = 0; i < o->cfg.n; i++)
		if (s[i] > mb->cs[i])
			mb->cs[i] = s[i];
}

/* Counts the pending states of mb whose K its stream has now reached. */
static void
count_pending(struct order *o, struct member *mb)
{
	unsigned i, j;

	for (i = 0; i < mb->npend;) {
		if (mb->pk[i] > mb->processed) {
			i++;
			continue;
		}
		count_state(o, mb, mb->pc[i], mb->ps + (size_t)i * o->cfg.n);
		for (j = i + 1; j < mb->npend; j++) {
			mb->pk[j - 1] = mb->pk[j];
			mb->pc[j - 1] = mb->pc[j];
			memcpy(mb->ps + (size_t)(j - 1) * o->cfg.n,
			    mb->ps + (size_t)j * o->cfg.n,
			    o->cfg.n * sizeof(*mb->ps));
		}
		mb->npend--;
	}
}

/*
 * Holds a state until q's stream reaches its K.  The slots keep the states
 * with the smallest K: they are the first to become countable, and a newer
 * state that is further away will be sent again anyway.
 */
static void
hold_state(struct order *o, struct member *mb, uint32_t k, uint64_t c,
    const uint32_t *s)
{
	unsigned i, slot = PENDING_SLOTS;

	for (i = 0; i < mb->npend; i++) {
		if (mb->pk[i] == k) {	/* same K, later snapshot: merge */
			uint32_t *ps = mb->ps + (size_t)i * o->cfg.n;
			unsigned j;

			if (c > mb->pc[i])
				mb->pc[i] = c;
			for (j = 0; j < o->cfg.n; j++)
				if (s[j] > ps[j])
					ps[j] = s[j];
			return;
		}
	}
	if (mb->npend < PENDING_SLOTS) {
		slot = mb->npend++;
	} else {
		uint32_t maxk = 0;

		for (i = 0; i < mb->npend; i++)
			if (mb->pk[i] > maxk) {
				maxk = mb->pk[i];
				slot = i;
			}
		if (k >= maxk)
			return;
	}
	mb->pk[slot] = k;
	mb->pc[slot] = c;
	memcpy(mb->ps + (size_t)slot * o->cfg.n, s, o->cfg.n * sizeof(*s));
}

/* Moves DATA from q's hold-back slots into processing, in seq order. */
static bool
advance_stream(struct order *o, unsigned q, uint64_t now)
{
	struct member *mb = &o->m[q];
	bool moved = false;

	for (;;) {
		struct slot *sl = &mb->ring[(mb->processed + 1) %
		    o->cfg.window];

		if (sl->seq != mb->processed + 1)
			break;
		if (o->cfg.mode == ORDER_TOTAL) {
			struct pq_item it = { .ts = sl->ts,
			    .send_us = sl->send_us, .seq = sl->seq,
			    .sender = (uint16_t)q };

			if (pq_push(o->pq, &it) < 0) {
				o->st.pq_full++;
				break;
			}
		} else if (o->cfg.mode == ORDER_FIFO) {
			deliver(o, (uint16_t)q, sl->seq, sl->ts, sl->send_us,
			    now);
		}
		/* The DATA is its sender's stamp-time state: (_, ts, seq). */
		if (sl->ts > mb->cc)
			mb->cc = sl->ts;
		mb->processed++;
		sl->seq = 0;
		o->held--;
		moved = true;
	}
	if (moved)
		count_pending(o, mb);
	return moved;
}

/* True when every member's counted state covers the head (rule 4). */
static bool
head_acknowledged(const struct order *o, const struct pq_item *h)
{
	unsigned q;

	if (o->cfg.flaws & ORDER_FLAW_NO_ACK_WAIT)
		return true;
	for (q = 0; q < o->cfg.n; q++) {
		const struct member *mb = &o->m[q];

		if (q == o->cfg.self || q == h->sender)
			continue;
		if (mb->cs[h->sender] < h->seq && mb->cc < h->ts)
			return false;
	}
	return true;
}

/* Delivers heads while they are acknowledged by every member (rule 5). */
static bool
deliver_heads(struct order *o, uint64_t now)
{
	const struct pq_item *h;
	bool any = false;

	if (o->cfg.mode != ORDER_TOTAL)
		return false;
	while ((h = pq_top(o->pq)) && head_acknowledged(o, h)) {
		struct pq_item it = *h;

		pq_pop(o->pq);
		if (o->cfg.flaws & ORDER_FLAW_LATE_CLOCK &&
		    it.sender != o->cfg.self)
			lclock_merge(&o->clock, it.ts);
		deliver(o, it.sender, it.seq, it.ts, it.send_us, now);
		any = true;
	}
	return any;
}

static bool
all_acked(const struct order *o, uint32_t seq)
{
	unsigned q;

	for (q = 0; q < o->cfg.n; q++)
		if (q != o->cfg.self && o->m[q].acked < seq)
			return false;
	return true;
}

static bool
all_in(const struct order *o)
{
	unsigned q;

	for (q = 0; q < o->cfg.n; q++) {
		const struct member *mb = &o->m[q];

		if (q == o->cfg.self)
			continue;
		if (!mb->has_end || mb->processed < o->cfg.messages)
			return false;
	}
	return pq_len(o->pq) == 0;
}

static void
set_hb_due_unfinished(struct order *o)
{
	unsigned q;

	for (q = 0; q < o->cfg.n; q++)
		if (q != o->cfg.self && !o->m[q].finished)
			o->m[q].hb_due = true;
}

static bool
all_finished(const struct order *o)
{
	unsigned q;

	for (q = 0; q < o->cfg.n; q++)
		if (q != o->cfg.self && !o->m[q].finished)
			return false;
	return true;
}

/* From now on this peer only answers (rule 8). */
static void
enter_done(struct order *o)
{
	unsigned q;

	o->phase = ORDER_DONE;
	for (q = 0; q < o->cfg.n; q++)
		o->m[q].hb_due = false;
}

/* Processes, delivers, and moves END and the phase on (rules 5, 7, 8). */
static void
settle(struct order *o, uint64_t now)
{
	unsigned q;
	bool progress;

	do {
		progress = false;
		for (q = 0; q < o->cfg.n; q++)
			if (q != o->cfg.self && advance_stream(o, q, now))
				progress = true;
		if (deliver_heads(o, now))
			progress = true;
	} while (progress && o->cfg.mode == ORDER_TOTAL && o->st.pq_full);

	if (o->phase == ORDER_HANDSHAKE) {
		bool all = true;

		for (q = 0; q < o->cfg.n; q++)
			if (q != o->cfg.self && !o->m[q].confirmed)
				all = false;
		if (all)
			o->phase = ORDER_RUNNING;
	}
	if (!o->end_sent && o->stamped == o->cfg.messages &&
	    all_acked(o, o->cfg.messages)) {
		o->end_sent = true;
		for (q = 0; q < o->cfg.n; q++)
			o->m[q].ack_due = q != o->cfg.self;
	}
	if (o->phase == ORDER_RUNNING && o->end_sent && all_in(o)) {
		o->phase = ORDER_FINISHED;
		o->next_hb = now + o->cfg.hb_interval_us;
		set_hb_due_unfinished(o);
	}
	if (o->phase == ORDER_FINISHED && all_finished(o))
		enter_done(o);
}

static void
mark_ack_due_all(struct order *o)
{
	unsigned q;

	for (q = 0; q < o->cfg.n; q++)
		if (q != o->cfg.self)
			o->m[q].ack_due = true;
}

static void
on_data(struct order *o, unsigned q, const struct msg_data *d, uint64_t now)
{
	struct member *mb = &o->m[q];
	struct slot *sl;

	if (d->seq == 0 || d->seq > o->cfg.messages || d->ts == 0 ||
	    d->ts >= LCLOCK_MAX) {
		o->st.drop_field++;
		return;
	}
	if (d->plen != o->cfg.payload_len ||
	    !msg_payload_ok(d->payload, d->plen, o->cfg.run, q, d->seq)) {
		o->st.drop_payload++;
		return;
	}
	sl = &mb->ring[d->seq % o->cfg.window];
	if (d->seq <= mb->processed || sl->seq == d->seq) {
		/* The sender has not seen our state: tell it again. */
		o->st.data_dup++;
		mb->ack_due = true;
		return;
	}
	if (d->seq > mb->processed + o->cfg.window) {
		o->st.drop_window++;
		return;
	}
	o->st.data_in++;
	if (!(o->cfg.flaws & ORDER_FLAW_LATE_CLOCK))
		lclock_merge(&o->clock, d->ts);	/* rule 2: on receipt */
	mark_ack_due_all(o);
	if (o->cfg.mode == ORDER_NONE)
		deliver(o, (uint16_t)q, d->seq, d->ts, d->send_us, now);
	if (o->cfg.flaws & ORDER_FLAW_NO_HOLDBACK && o->cfg.mode != ORDER_NONE) {
		/* Broken on purpose: process now, skip the gap. */
		struct pq_item it = { .ts = d->ts, .send_us = d->send_us,
		    .seq = d->seq, .sender = (uint16_t)q };

		if (o->cfg.mode == ORDER_TOTAL)
			(void)pq_push(o->pq, &it);
		else
			deliver(o, (uint16_t)q, d->seq, d->ts, d->send_us,
			    now);
		if (d->ts > mb->cc)
			mb->cc = d->ts;
		if (d->seq > mb->processed)
			mb->processed = d->seq;
		count_pending(o, mb);
		return;
	}
	sl->seq = d->seq;
	sl->ts = d->ts;
	sl->send_us = d->send_us;
	o->held++;
}

/* RFC 6298 estimator, fed with samples from DATA sent only once. */
static void
rtt_sample(struct order *o, struct member *mb, uint64_t r)
{
	uint64_t diff;

	if (mb->srtt == 0) {
		mb->srtt = r ? r : 1;
		mb->rttvar = r / 2;
	} else {
		diff = mb->srtt > r ? mb->srtt - r : r - mb->srtt;
		mb->rttvar = (3 * mb->rttvar + diff) / 4;
		mb->srtt = (7 * mb->srtt + r) / 8;
	}
	mb->rto = mb->srtt + (4 * mb->rttvar > 1000 ? 4 * mb->rttvar : 1000);
	if (mb->rto < o->cfg.rto_min_us)
		mb->rto = o->cfg.rto_min_us;
	if (mb->rto > o->cfg.rto_max_us)
		mb->rto = o->cfg.rto_max_us;
}

static void
on_ack(struct order *o, unsigned q, const struct msg_ack *a, uint64_t now)
{
	struct member *mb = &o->m[q];
	uint32_t s[MSG_MAX_PEERS];
	uint32_t mine;
	unsigned i;

	if (a->n != o->cfg.n || a->c >= LCLOCK_MAX ||
	    a->k > o->cfg.messages) {
		o->st.drop_field++;
		return;
	}
	for (i = 0; i < a->n; i++) {
		s[i] = msg_ack_s(a, i);
		if (s[i] > o->cfg.messages) {
			o->st.drop_field++;
			return;
		}
	}
	mine = s[o->cfg.self];
	if (mine > o->stamped || s[q] != a->k) {
		/* Acknowledges what I never stamped, or is inconsistent. */
		o->st.drop_field++;
		return;
	}
	if (mine > mb->acked) {
		size_t w = mine % o->cfg.window;
		bool clean = mine <= o->sent_upto && o->store[w].first_tx &&
		    now >= o->store[w].first_tx;
		uint32_t k;

		/*
		 * Karn: no sample across a resend.  DATA behind a resent hole
		 * waited in the member's hold-back, so its ACK measures the
		 * repair, not the round trip.
		 */
		for (k = mb->acked + 1; clean && k <= mine; k++)
			if (o->tries[(k % o->cfg.window) * o->cfg.n + q])
				clean = false;
		if (clean)
			rtt_sample(o, mb, now - o->store[w].first_tx);
		mb->acked = mine;
	}
	if (a->k <= mb->processed || o->cfg.flaws & ORDER_FLAW_EARLY_COUNT)
		count_state(o, mb, a->c, s);
	else
		hold_state(o, mb, a->k, a->c, s);
}

void
order_input(struct order *o, uint64_t now, int from, const uint8_t *buf,
    size_t len)
{
	struct member *mb;
	size_t i;
	int rc;

	o->st.dgrams_in++;
	if (msg_check_mac(buf, len, o->keyed ? &o->key : NULL) < 0) {
		o->st.drop_auth++;
		return;
	}
	if ((rc = msg_decode(buf, len, &o->dg)) < 0) {
		o->st.drop_decode++;
		return;
	}
	if (o->dg.hdr.run != o->cfg.run) {
		o->st.drop_run++;
		return;
	}
	if (from < 0 || (unsigned)from >= o->cfg.n ||
	    (unsigned)from == o->cfg.self || o->dg.hdr.sender != from) {
		o->st.drop_sender++;
		return;
	}
	if (o->phase == ORDER_ABORTED)
		return;
	mb = &o->m[from];
	mb->last_heard = now;
	mb->confirmed = true;
	for (i = 0; i < o->dg.nrec; i++) {
		const struct msg_rec *r = &o->dg.rec[i];

		switch (r->type) {
		case MSG_READY:
			mb->hs_ack_due = true;
			break;
		case MSG_HS_ACK:
			break;
		case MSG_DATA:
			on_data(o, (unsigned)from, &r->u.data, now);
			break;
		case MSG_ACK:
			on_ack(o, (unsigned)from, &r->u.ack, now);
			break;
		case MSG_END:
			if (r->u.end_total != o->cfg.messages)
				o->st.drop_field++;
			else
				mb->has_end = true;
			break;
		case MSG_HEARTBEAT:
			if (r->u.hb_flags & MSG_HB_FINISHED)
				mb->finished = true;
			if (!(r->u.hb_flags & MSG_HB_REPLY) &&
			    o->phase >= ORDER_FINISHED)
				mb->reply_due = true;
			break;
		}
	}
	settle(o, now);
}

uint32_t
order_stampable(const struct order *o)
{
	uint32_t slowest = UINT32_MAX, used, room;
	unsigned q;

	if (o->phase != ORDER_RUNNING || o->stamped >= o->cfg.messages)
		return 0;
	for (q = 0; q < o->cfg.n; q++)
		if (q != o->cfg.self && o->m[q].acked < slowest)
			slowest = o->m[q].acked;
	used = o->stamped - slowest;
	room = used >= o->cfg.window ? 0 : o->cfg.window - used;
	if (room > o->cfg.messages - o->stamped)
		room = o->cfg.messages - o->stamped;
	/* A full hold queue must not be filled further by my own DATA. */
	if (o->cfg.mode == ORDER_TOTAL &&
	    pq_limit(o->pq) - pq_len(o->pq) < room)
		room = (uint32_t)(pq_limit(o->pq) - pq_len(o->pq));
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
		s->first_tx = 0;
		o->stamped = seq;
		if (o->cfg.mode == ORDER_TOTAL) {
			struct pq_item it = { .ts = s->ts, .send_us = now,
			    .seq = seq, .sender = (uint16_t)o->cfg.self };

			(void)pq_push(o->pq, &it);	/* room checked above */
		} else {
			deliver(o, (uint16_t)o->cfg.self, seq, s->ts, now, now);
		}
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

/* Resends the oldest DATA member q has not acknowledged, when due. */
static void
resend_to(struct order *o, unsigned q, uint64_t now, struct order_outbox *box)
{
	struct member *mb = &o->m[q];
	uint32_t seq = mb->acked + 1, last = o->sent_upto;
	unsigned burst = 0;
	struct msg_builder b;
	struct order_out *out;
	int fit;

	if (last > mb->acked + RESEND_SCAN)
		last = mb->acked + RESEND_SCAN;
	while (seq <= last && burst < RESEND_BURST) {
		bool any = false;

		if (!(out = out_slot(o, box)))
			return;
		begin_dgram(o, &b, out->buf);
		for (; seq <= last; seq++) {
			size_t idx = (seq % o->cfg.window) * o->cfg.n + q;
			unsigned shift;

			if (o->deadline[idx] > now)
				continue;
			put_own_data(o, &b, seq, &fit);
			if (!fit)
				break;
			if (o->tries[idx] < UINT8_MAX)
				o->tries[idx]++;
			shift = o->tries[idx] < BACKOFF_MAX ? o->tries[idx] :
			    BACKOFF_MAX;
			o->deadline[idx] = now + (mb->rto << shift);
			o->st.retransmits++;
			any = true;
		}
		if (!any)
			return;
		out_commit(o, box, &b, UINT64_C(1) << q, now);
		burst++;
	}
	/*
	 * The member acknowledges cumulatively, so DATA after a hole looks
	 * unacknowledged although it is most likely held back there.  Give
	 * what we did not resend now one more timeout: the resends above
	 * should fill the hole and move its ACK state past all of it.
	 */
	for (; seq <= last; seq++) {
		size_t idx = (seq % o->cfg.window) * o->cfg.n + q;

		if (o->deadline[idx] <= now)
			o->deadline[idx] = now + mb->rto;
	}
}

void
order_tick(struct order *o, uint64_t now, struct order_outbox *box)
{
	unsigned q;

	if (o->phase == ORDER_ABORTED || o->phase == ORDER_DONE) {
		flush(o, now, box);	/* answers owed from input */
		return;
	}
	if (o->phase == ORDER_HANDSHAKE || o->phase == ORDER_RUNNING) {
		for (q = 0; q < o->cfg.n; q++) {
			struct member *mb = &o->m[q];
			char why[sizeof(o->reason)];

			if (q == o->cfg.self ||
			    now - mb->last_heard <= o->cfg.peer_timeout_us ||
			    now < mb->last_heard)
				continue;
			snprintf(why, sizeof(why),
			    "peer %u silent for %" PRIu64 " ms", q,
			    (now - mb->last_heard) / 1000);
			abort_run(o, why);
			return;
		}
	}
	if (o->phase == ORDER_HANDSHAKE && now >= o->next_hs) {
		struct msg_builder b;
		struct order_out *out;
		uint64_t dests = 0;

		for (q = 0; q < o->cfg.n; q++)
			if (q != o->cfg.self && !o->m[q].confirmed)
				dests |= UINT64_C(1) << q;
		if (dests && (out = out_slot(o, box))) {
			begin_dgram(o, &b, out->buf);
			(void)msg_put_ready(&b);
			out_commit(o, box, &b, dests, now);
		}
		o->next_hs = now + o->cfg.hs_interval_us;
	}
	if (o->phase == ORDER_RUNNING || o->phase == ORDER_HANDSHAKE) {
		for (q = 0; q < o->cfg.n; q++) {
			if (q == o->cfg.self)
				continue;
			if (o->m[q].acked < o->sent_upto)
				resend_to(o, q, now, box);
			/* Idle links carry a heartbeat with our state. */
			if (now - o->m[q].last_sent >= o->cfg.hb_interval_us)
				o->m[q].hb_due = true;
		}
	}
	if (o->phase == ORDER_FINISHED) {
		/* A member silent that long has died or finished without us. */
		for (q = 0; q < o->cfg.n; q++)
			if (q != o->cfg.self && !o->m[q].finished &&
			    now - o->m[q].last_heard > o->cfg.peer_timeout_us)
				o->m[q].finished = true;
		if (all_finished(o)) {
			enter_done(o);
		} else if (now >= o->next_hb) {
			set_hb_due_unfinished(o);
			o->next_hb = now + o->cfg.hb_interval_us;
		}
	}
	flush(o, now, box);
}

void
order_start(struct order *o, uint64_t now, struct order_outbox *box)
{
	unsigned q;

	for (q = 0; q < o->cfg.n; q++)
		o->m[q].last_heard = now;
	o->next_hs = now;
	order_tick(o, now, box);
}

int
order_abort(struct order *o, const char *why)
{
	if (o->phase >= ORDER_FINISHED)
		return -1;
	abort_run(o, why);
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
	return o->held + pq_len(o->pq);
}

uint32_t
order_stamped(const struct order *o)
{
	return o->stamped;
}

const struct order_config *
order_config(const struct order *o)
{
	return &o->cfg;
}
