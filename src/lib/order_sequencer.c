/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Total order by a fixed sequencer, as classified by X. Défago, A.
 * Schiper and P. Urbán, "Total Order Broadcast and Multicast Algorithms:
 * Taxonomy and Survey", ACM Computing Surveys 36(4), 2004 (section 4.1,
 * "fixed sequencer"; Amoeba's and JGroups' SEQUENCER are of this kind):
 * every DATA goes to every member, the lowest id of the view gives each
 * one it processes the next global sequence number, and everyone delivers
 * in that number's order.
 *
 * Invariant: every member delivers global number g only once it holds the
 * assignment of every number up to g, and so does every member of the
 * view (the *stable* prefix, Q3): so whatever any member delivered, every
 * survivor of a view change holds its assignment, and the survivors go on
 * with the same sequence.
 *
 * Where this departs from the textbook sequencer (the tags are those of
 * mpcomm(7)):
 *  - the streams below give reliable FIFO channels, so the sequencer sees
 *    each DATA once and in its sender's order, and assigns a sender's
 *    messages in seq order (Q1);
 *  - the assignments are the view's *order stream*, carried in ORDER
 *    records (a run of (sender, seq) per record) and resent, go-back-N,
 *    from what each member acknowledged; every datagram of every member
 *    carries an ORDER record of no entries, saying how far it holds the
 *    order stream (Q2);
 *  - delivery waits until every member of the view holds the assignment
 *    (uniform agreement on the order, one more message delay than the
 *    textbook's), so that a view change needs no relay of assignments
 *    (Q3);
 *  - a view change delivers up to the survivors' furthest frontier F (the
 *    global number delivered), which every survivor holds; the new view's
 *    sequencer keeps the old assignments past F, in their order, without
 *    those a departed stream's cut leaves out, numbers them on from F + 1,
 *    and goes on numbering: so a departed member's log, the sequencer's
 *    too, is a prefix of the survivors' (Q4).
 */
#include <stdlib.h>
#include <string.h>

#include "mpcomm/msg.h"
#include "mpcomm/pq.h"
#include "mpcomm/rto.h"
#include "order_algo.h"
#include "order_impl.h"

#define ORDER_BURST	8	/* ORDER datagrams per flush */

/* One DATA processed, by seq % window, per stream. */
struct seq_row {
	uint64_t	 ts;
	uint64_t	 send_us;
};

struct seqr {
	uint32_t	 ring;		/* assignments kept: n x window */
	uint16_t	*a_sender;	/* global number g at g % ring */
	uint32_t	*a_seq;
	uint32_t	 view;		/* the order stream's view number */
	uint32_t	 have;		/* assignments held up to (mine) */
	uint32_t	 dlv_g;		/* global numbers delivered up to */
	uint32_t	*asg;		/* n: each sender's seq assigned up to */
	uint32_t	*proc;		/* n: processed, mine as stamped */
	uint32_t	*dlv;		/* n: delivered */
	struct seq_row	*row;		/* n x window */
	uint32_t	*mine_g;	/* window: my seq's global number, 0 */
	uint32_t	*peer_have;	/* n: what each member holds (Q2) */
	uint32_t	*sent_hi;	/* n: sequencer: sent to each up to */
	uint64_t	*resend_at;	/* n: sequencer: go back then */
	uint8_t		*tries;		/* n */
	size_t		 queued;	/* processed, not delivered */
	unsigned	 rr;		/* next sender to assign first */
};

static struct seqr *
Q(const struct order *o)
{
	return o->alg_state;
}

/* The lowest id of the installed view: its sequencer. */
static unsigned
sequencer_of(const struct order *o)
{
	uint64_t m = view_members(o);
	unsigned q;

	for (q = 0; q < o->cfg.n; q++)
		if (m >> q & 1)
			return q;
	return 0;
}

static bool
is_sequencer(const struct order *o)
{
	return sequencer_of(o) == o->cfg.self;
}

static size_t
row_index(const struct order *o, unsigned q, uint32_t seq)
{
	return (size_t)q * o->cfg.window + seq % o->cfg.window;
}

static int
seq_create(struct order *o)
{
	size_t n = o->cfg.n, w = o->cfg.window, i;
	struct seqr *s;

	if (!(s = calloc(1, sizeof(*s))))
		return -1;
	o->alg_state = s;
	s->ring = (uint32_t)(n * w);
	s->a_sender = calloc(s->ring, sizeof(*s->a_sender));
	s->a_seq = calloc(s->ring, sizeof(*s->a_seq));
	s->asg = calloc(n, sizeof(*s->asg));
	s->proc = calloc(n, sizeof(*s->proc));
	s->dlv = calloc(n, sizeof(*s->dlv));
	s->row = calloc(n * w, sizeof(*s->row));
	s->mine_g = calloc(w, sizeof(*s->mine_g));
	s->peer_have = calloc(n, sizeof(*s->peer_have));
	s->sent_hi = calloc(n, sizeof(*s->sent_hi));
	s->resend_at = calloc(n, sizeof(*s->resend_at));
	s->tries = calloc(n, sizeof(*s->tries));
	if (!s->a_sender || !s->a_seq || !s->asg || !s->proc || !s->dlv ||
	    !s->row || !s->mine_g || !s->peer_have || !s->sent_hi ||
	    !s->resend_at || !s->tries)
		return -1;
	for (i = 0; i < n; i++)
		s->resend_at[i] = UINT64_MAX;
	return 0;
}

static void
seq_destroy(struct order *o)
{
	struct seqr *s = Q(o);

	if (!s)
		return;
	free(s->a_sender);
	free(s->a_seq);
	free(s->asg);
	free(s->proc);
	free(s->dlv);
	free(s->row);
	free(s->mine_g);
	free(s->peer_have);
	free(s->sent_hi);
	free(s->resend_at);
	free(s->tries);
	free(s);
	o->alg_state = NULL;
}

/* Records that global number g is (sender, seq), held here. */
static void
hold(struct order *o, uint32_t g, unsigned sender, uint32_t seq)
{
	struct seqr *s = Q(o);

	s->a_sender[g % s->ring] = (uint16_t)sender;
	s->a_seq[g % s->ring] = seq;
	s->asg[sender] = seq;
	s->have = g;
	if (sender == o->cfg.self)
		s->mine_g[seq % o->cfg.window] = g;
}

/* The lowest number some member may still need from the ring. */
static uint32_t
ring_low(const struct order *o)
{
	const struct seqr *s = Q(o);
	uint32_t low = s->dlv_g;
	unsigned q;

	for (q = 0; q < o->cfg.n; q++)
		if (order_in_view(o, q) && s->peer_have[q] < low)
			low = s->peer_have[q];
	return low;
}

/*
 * Q1: the sequencer numbers what it processed and has not numbered, the
 * senders taken in turn, as far as the ring keeps what every member may
 * still need; the rest waits for acknowledgements.
 */
static void
assign_pending(struct order *o)
{
	struct seqr *s = Q(o);
	uint32_t low;
	unsigned i, q;
	bool any = true;

	if (!is_sequencer(o))
		return;
	low = ring_low(o);
	while (any) {
		any = false;
		for (i = 0; i < o->cfg.n; i++) {
			q = (s->rr + i) % o->cfg.n;
			if (s->asg[q] >= s->proc[q])
				continue;
			if (s->have + 1 - low > s->ring)
				return;
			hold(o, s->have + 1, q, s->asg[q] + 1);
			any = true;
		}
		s->rr = (s->rr + 1) % o->cfg.n;
	}
}

static bool
seq_on_receipt(struct order *o, unsigned q, const struct slot *sl)
{
	(void)o, (void)q, (void)sl;
	return false;
}

/* Held until its number is stable (Q3); numbered here by the sequencer.
 * Broken on purpose (ORDER_FLAW_SEQ_NO_ORDER): delivered at once. */
static int
seq_on_processed(struct order *o, unsigned q, const struct slot *sl,
    uint64_t now)
{
	struct seqr *s = Q(o);
	struct seq_row *r = &s->row[row_index(o, q, sl->seq)];

	(void)now;
	if (FLAW(o, SEQ_NO_ORDER))
		return 1;
	r->ts = sl->ts;
	r->send_us = sl->send_us;
	s->proc[q] = sl->seq;
	if (q == o->cfg.self)
		s->mine_g[sl->seq % o->cfg.window] = 0;
	s->queued++;
	assign_pending(o);
	return 0;
}

static void
seq_on_stream(struct order *o, unsigned q, uint64_t now)
{
	(void)o, (void)q, (void)now;
}

static void
seq_on_state(struct order *o, unsigned q, const struct msg_ack *a,
    const uint32_t *s, uint64_t now)
{
	(void)o, (void)q, (void)a, (void)s, (void)now;
}

/* q delivered every global number up to its frontier d_ts: so many of
 * mine, as far as I hold their numbers. */
static uint32_t
seq_delivered_by(struct order *o, unsigned q, const struct msg_ack *a,
    uint32_t acked)
{
	const struct seqr *s = Q(o);
	uint32_t dlvd = o->m[q].dlvd, g;

	(void)acked;
	while (dlvd < o->sent_upto) {
		g = s->mine_g[(dlvd + 1) % o->cfg.window];
		if (g == 0 || g > a->d_ts)
			break;
		dlvd++;
	}
	return dlvd;
}

/* Q3: global number g is held by every member of the view. */
static bool
stable(const struct order *o, uint32_t g)
{
	const struct seqr *s = Q(o);
	unsigned q;

	if (FLAW(o, SEQ_NO_STABLE))
		return true;
	for (q = 0; q < o->cfg.n; q++)
		if (order_in_view(o, q) && s->peer_have[q] < g)
			return false;
	return true;
}

/* Takes global number dlv_g + 1 if held and its DATA processed. */
static bool
take(struct order *o, struct pq_item *it)
{
	struct seqr *s = Q(o);
	uint32_t g = s->dlv_g + 1, seq;
	unsigned p;
	const struct seq_row *r;

	if (g > s->have)
		return false;
	p = s->a_sender[g % s->ring];
	seq = s->a_seq[g % s->ring];
	if (seq > s->proc[p] || seq != s->dlv[p] + 1)
		return false;
	r = &s->row[row_index(o, p, seq)];
	it->ts = r->ts;
	it->send_us = r->send_us;
	it->seq = seq;
	it->sender = (uint16_t)p;
	s->dlv[p] = seq;
	s->dlv_g = g;
	s->queued--;
	return true;
}

/* Q3: the next global number, once stable. */
static bool
seq_next(struct order *o, struct pq_item *it)
{
	if (FLAW(o, SEQ_NO_ORDER) || !stable(o, Q(o)->dlv_g + 1))
		return false;
	return take(o, it);
}

/* Q4: a view change delivers up to the frontier, stable or not here (some
 * survivor delivered it, so every survivor holds it). */
static bool
seq_next_upto(struct order *o, uint64_t f_ts, uint16_t f_id,
    struct pq_item *it)
{
	(void)f_id;
	if (FLAW(o, SEQ_NO_ORDER) || Q(o)->dlv_g >= f_ts)
		return false;
	return take(o, it);
}

/* The global number delivered up to. */
static void
seq_frontier(const struct order *o, uint64_t *ts, uint16_t *id)
{
	*ts = Q(o)->dlv_g;
	*id = 0;
}

/*
 * Q4: a new view, a new order stream, numbered on from the frontier F
 * every survivor has delivered up to.  Its sequencer keeps the old
 * assignments past F in their order (every number any member delivered
 * is among them, Q3), but those a departed stream's cut leaves out;
 * everyone else forgets them and waits for its ORDER records.  Broken on
 * purpose (ORDER_FLAW_SEQ_RENUMBER): the new sequencer numbers afresh.
 */
static void
seq_installed(struct order *o)
{
	struct seqr *s = Q(o);
	uint32_t f = s->dlv_g, g, k = f, seq;
	unsigned p, q;

	for (p = 0; p < o->cfg.n; p++)
		s->asg[p] = s->dlv[p];
	for (seq = s->dlv[o->cfg.self] + 1; seq <= s->proc[o->cfg.self]; seq++)
		s->mine_g[seq % o->cfg.window] = 0;
	if (is_sequencer(o) && !FLAW(o, SEQ_RENUMBER)) {
		for (g = f + 1; g <= s->have; g++) {
			p = s->a_sender[g % s->ring];
			seq = s->a_seq[g % s->ring];
			if (view_past_cut(o, p, seq))
				continue;
			k++;
			s->a_sender[k % s->ring] = (uint16_t)p;
			s->a_seq[k % s->ring] = seq;
			s->asg[p] = seq;
			if (p == o->cfg.self)
				s->mine_g[seq % o->cfg.window] = k;
		}
	}
	s->have = k;
	s->view = view_number(o);
	for (q = 0; q < o->cfg.n; q++) {
		s->peer_have[q] = f;
		s->sent_hi[q] = f;
		s->resend_at[q] = UINT64_MAX;
		s->tries[q] = 0;
	}
	assign_pending(o);
}

static size_t
seq_queued(const struct order *o)
{
	return Q(o)->queued;
}

/* Q2: what I hold of the order stream, on every datagram. */
static int
seq_put_state(struct order *o, struct msg_builder *b)
{
	return msg_put_order(b, Q(o)->view, Q(o)->have, 0, 0, NULL, NULL);
}

/* Takes entries of a run of the sequencer's, from have + 1 on. */
static void
take_run(struct order *o, const struct msg_order *r)
{
	struct seqr *s = Q(o);
	uint32_t g;
	uint16_t p;
	uint32_t seq;
	unsigned i;

	for (i = 0; i < r->count; i++) {
		g = r->first + i;
		if (g <= s->have)
			continue;	/* held */
		if (g > s->have + 1 || g - s->dlv_g > s->ring)
			return;		/* a gap, or no room: resent */
		msg_order_get(r, i, &p, &seq);
		if (p >= o->cfg.n || seq != s->asg[p] + 1 ||
		    seq > o->cfg.messages || view_past_cut(o, p, seq) ||
		    (p == o->cfg.self && seq > o->sent_upto)) {
			o->st.drop_field++;
			return;
		}
		hold(o, g, p, seq);
	}
}

/*
 * An ORDER record of q's, checked: of this view's order stream; a have
 * no run can reach is refused, and so is a sequencer's that claims more
 * than it numbered; entries only from the sequencer, each the next of its
 * sender.
 */
static void
seq_on_order(struct order *o, unsigned q, const struct msg_order *r,
    bool same_view, uint64_t now)
{
	struct seqr *s = Q(o);
	uint32_t before = s->have;

	if (!same_view || r->view != s->view) {
		o->st.drop_view++;
		return;
	}
	if ((uint64_t)r->have > (uint64_t)o->cfg.n * o->cfg.messages ||
	    (r->count && (q != sequencer_of(o) || is_sequencer(o)))) {
		o->st.drop_field++;
		return;
	}
	if (is_sequencer(o) && r->have > s->have) {
		o->st.drop_unsent++;	/* holds what I never numbered */
		return;
	}
	if (r->count)
		take_run(o, r);
	if (r->have > s->peer_have[q]) {
		s->peer_have[q] = r->have;
		s->tries[q] = 0;
		if (s->sent_hi[q] < r->have)
			s->sent_hi[q] = r->have;
		s->resend_at[q] = s->sent_hi[q] > r->have ?
		    now + rto_timeout(&o->m[q].rto, 0) : UINT64_MAX;
		assign_pending(o);	/* the ring may have room now */
	}
	if (s->have > before)
		order_mark_ack_due_all(o);
}

/* Q2: the sequencer sends each member what it has not sent it, members
 * at the same point in one datagram. */
static void
seq_send(struct order *o, uint64_t now, struct order_outbox *box)
{
	struct seqr *s = Q(o);
	uint16_t snd[MSG_ORDER_MAX];
	uint32_t sq[MSG_ORDER_MAX], v, k, g;
	struct msg_builder b;
	struct order_out *out;
	uint64_t mask;
	unsigned q, burst;
	size_t room;

	if (!is_sequencer(o) || view_frozen(o))
		return;
	for (burst = 0; burst < ORDER_BURST; burst++) {
		mask = 0;
		v = UINT32_MAX;
		for (q = 0; q < o->cfg.n; q++)
			if (order_in_view(o, q) && s->sent_hi[q] < s->have &&
			    s->sent_hi[q] < v)
				v = s->sent_hi[q];
		if (v == UINT32_MAX || !(out = order_out_slot(o, box)))
			return;
		for (q = 0; q < o->cfg.n; q++)
			if (order_in_view(o, q) && s->sent_hi[q] == v)
				mask |= UINT64_C(1) << q;
		order_begin_dgram(o, &b, out->buf, mask, now);
		room = msg_room(&b);
		if (room < msg_order_size(1))
			return;	/* cannot happen: the config leaves room */
		k = (uint32_t)((room - msg_order_size(0)) /
		    MSG_ORDER_ENTRY_LEN);
		if (k > MSG_ORDER_MAX)
			k = MSG_ORDER_MAX;
		if (k > s->have - v)
			k = s->have - v;
		for (g = 0; g < k; g++) {
			snd[g] = s->a_sender[(v + 1 + g) % s->ring];
			sq[g] = s->a_seq[(v + 1 + g) % s->ring];
		}
		(void)msg_put_order(&b, s->view, s->have, v + 1, k, snd, sq);
		order_out_commit(o, box, &b, mask, now);
		for (q = 0; q < o->cfg.n; q++) {
			if (!(mask >> q & 1))
				continue;
			s->sent_hi[q] = v + k;
			if (s->resend_at[q] == UINT64_MAX)
				s->resend_at[q] = now + rto_timeout(
				    &o->m[q].rto, s->tries[q]);
		}
	}
}

/* Q2: a member that has not acknowledged what it was sent by its timeout
 * is sent it again, from what it acknowledged. */
static void
seq_tick(struct order *o, uint64_t now)
{
	struct seqr *s = Q(o);
	unsigned q;

	if (!is_sequencer(o))
		return;
	for (q = 0; q < o->cfg.n; q++) {
		if (!order_in_view(o, q) || s->peer_have[q] >= s->sent_hi[q] ||
		    now < s->resend_at[q])
			continue;
		s->sent_hi[q] = s->peer_have[q];
		s->resend_at[q] = UINT64_MAX;
		if (s->tries[q] < 8)
			s->tries[q]++;
	}
}

/* When seq_tick() or seq_send() has work: 0 now, UINT64_MAX none. */
static uint64_t
seq_deadline(const struct order *o)
{
	const struct seqr *s = Q(o);
	uint64_t d = UINT64_MAX;
	unsigned q;

	if (!is_sequencer(o))
		return d;
	for (q = 0; q < o->cfg.n; q++) {
		if (!order_in_view(o, q))
			continue;
		if (s->sent_hi[q] < s->have && !view_frozen(o))
			return 0;
		if (s->peer_have[q] < s->sent_hi[q] && s->resend_at[q] < d)
			d = s->resend_at[q];
	}
	return d;
}

const struct order_algo order_algo_sequencer = {
	.create = seq_create,
	.destroy = seq_destroy,
	.on_receipt = seq_on_receipt,
	.on_processed = seq_on_processed,
	.on_stream = seq_on_stream,
	.on_state = seq_on_state,
	.delivered_by = seq_delivered_by,
	.next = seq_next,
	.next_upto = seq_next_upto,
	.frontier = seq_frontier,
	.installed = seq_installed,
	.queued = seq_queued,
	.put_state = seq_put_state,
	.on_order = seq_on_order,
	.send = seq_send,
	.tick = seq_tick,
	.deadline = seq_deadline,
};
