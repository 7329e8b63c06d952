/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The ordering core's output: every datagram it builds, and the repair of
 * loss.  Each datagram opens with this peer's current ACK state, taken in
 * the same critical section as everything else in it (S1 in mpcomm(7)),
 * then its timestamp echoes; then DATA, SACKs or control records.
 *
 * Repair (S3): a DATA is resent to a member when its per-(DATA, member)
 * timeout expires, unless that member's SACK says it holds it; a SACK that
 * shows a DATA missing while one sent after it arrived makes it due at once
 * (loss detection by time order, as RACK does for TCP, RFC 8985).  Timeouts
 * come from rto.c, fed by timestamp echoes.
 */
#include <string.h>

#include "mpcomm/msg.h"
#include "order_impl.h"

#define RESEND_BURST	8	/* resend datagrams per member per call */

static void
put_echoes(struct order *o, struct msg_builder *b, uint64_t dests,
    uint64_t now)
{
	uint16_t id[MSG_ECHO_MAX];
	uint32_t tsecr[MSG_ECHO_MAX], held[MSG_ECHO_MAX];
	unsigned i, q, k = 0;

	for (i = 0; i < o->cfg.n && k < MSG_ECHO_MAX; i++) {
		q = (o->echo_next + i) % o->cfg.n;
		if (!(dests >> q & 1) || !due_has(&o->m[q], DUE_ECHO))
			continue;
		id[k] = (uint16_t)q;
		tsecr[k] = o->m[q].echo_tsval;
		/* The program's threads read the clock apart: a now older
		 * than the receipt is no hold, not 2^32 - 1 us of one. */
		held[k] = now > o->m[q].echo_at ?
		    (uint32_t)(now - o->m[q].echo_at) : 0;
		due_clear(&o->m[q], DUE_ECHO);
		k++;
		o->echo_next = q + 1;
	}
	if (k)
		(void)msg_put_echo(b, k, id, tsecr, held);
}

void
order_begin_dgram(struct order *o, struct msg_builder *b, uint8_t *buf,
    uint64_t dests, uint64_t now)
{
	struct msg_ack a;
	unsigned i;

	for (i = 0; i < o->cfg.n; i++)
		o->state_s[i] = i == o->cfg.self ? o->stamped :
		    o->m[i].rx.processed;
	msg_begin(b, buf, MSG_MAX_DGRAM - (o->keyed ? AUTH_TAG_LEN : 0),
	    (uint16_t)o->cfg.self, o->cfg.run);
	msg_set_tsval(b, (uint32_t)now);
	msg_set_view(b, view_ballot(o));
	a.k = o->stamped;
	a.c = o->clock;
	order_frontier(o, &a.d_ts, &a.d_id);
	a.n = (uint8_t)o->cfg.n;
	(void)msg_put_ack(b, &a, o->state_s);
	if (o->alg->put_state)
		(void)o->alg->put_state(o, b);
	if (o->end_sent)
		(void)msg_put_end(b, o->cfg.messages);
	put_echoes(o, b, dests, now);
}

/* Reserves the next outbox slot, or NULL (counted) when the box is full. */
struct order_out *
order_out_slot(struct order *o, struct order_outbox *box)
{
	if (box->n == box->cap) {
		o->st.outbox_full++;
		return NULL;
	}
	return &box->d[box->n];
}

/*
 * Charges a datagram of len bytes to each member of dests not heard from
 * yet, while the budget lasts (from the member after this one, so that no
 * member is always last); returns dests without those it could not pay for.
 */
static uint64_t
charge_unanswered(struct order *o, uint64_t dests, size_t len)
{
	unsigned i, q;

	if (!o->cfg.unanswered_budget)
		return dests;
	for (i = 1; i < o->cfg.n; i++) {
		q = (o->cfg.self + i) % o->cfg.n;
		if (!(dests >> q & 1) || o->m[q].confirmed)
			continue;
		if (o->unanswered_left >= len) {
			o->unanswered_left -= len;
		} else {
			dests &= ~(UINT64_C(1) << q);
			o->st.unanswered_held++;
		}
	}
	return dests;
}

/* Seals the datagram in the next slot; with_ack: it carries an ACK state. */
static void
commit(struct order *o, struct order_outbox *box, struct msg_builder *b,
    uint64_t dests, uint64_t now, bool with_ack)
{
	struct order_out *out = &box->d[box->n];
	unsigned i;

	msg_set_counter(b, ++o->counter);
	out->len = msg_finish(b);
	if (o->keyed)
		out->len = msg_seal(out->buf, out->len, &o->key);
	if (!(dests = charge_unanswered(o, dests, out->len)))
		return;
	out->dests = dests;
	box->n++;
	o->st.dgrams_out++;
	for (i = 0; i < o->cfg.n; i++) {
		if (!(dests >> i & 1))
			continue;
		o->m[i].last_sent = now;
		if (with_ack)
			due_clear(&o->m[i], DUE_ACK);
	}
}

void
order_out_commit(struct order *o, struct order_outbox *box,
    struct msg_builder *b, uint64_t dests, uint64_t now)
{
	commit(o, box, b, dests, now, true);
}

static int
put_own_data(struct order *o, struct msg_builder *b, uint32_t seq)
{
	const struct sent *s = &o->store[seq % o->cfg.window];
	struct msg_data d;

	/* The algorithm's record (C1) and the DATA go together, or neither. */
	if (msg_room(b) < order_data_extra(o) +
	    msg_data_size(o->cfg.payload_len) ||
	    order_put_extra(o, b, o->cfg.self, seq) < 0)
		return -1;
	msg_payload_fill(o->payload, o->cfg.payload_len, o->cfg.run,
	    o->cfg.self, seq);
	d.seq = seq;
	d.ts = s->ts;
	d.send_us = s->send_us;
	d.plen = o->cfg.payload_len;
	d.payload = o->payload;
	return msg_put_data(b, &d);
}

uint32_t
order_flood_batch(const struct order *o)
{
	unsigned echoes = o->cfg.n - 1 < MSG_ECHO_MAX ? o->cfg.n - 1 :
	    MSG_ECHO_MAX;
	size_t room = MSG_MAX_DGRAM - MSG_HDR_LEN - msg_ack_size(o->cfg.n) -
	    (MSG_REC_HDR_LEN + MSG_END_LEN) - msg_echo_size(echoes) -
	    (o->keyed ? AUTH_TAG_LEN : 0);
	size_t each = msg_data_size(o->cfg.payload_len) + order_data_extra(o);

	return room / each ? (uint32_t)(room / each) : 1;
}

/* Transmits, once, every stamped DATA that has not gone out yet (S1). */
void
order_send_new_data(struct order *o, uint64_t now, struct order_outbox *box)
{
	uint64_t dests = order_others(o);
	struct msg_builder b;
	struct order_out *out;
	unsigned q;

	while (o->sent_upto < o->stamped) {
		if (!(out = order_out_slot(o, box)))
			return;
		order_begin_dgram(o, &b, out->buf, dests, now);
		while (o->sent_upto < o->stamped) {
			uint32_t seq = o->sent_upto + 1;

			if (put_own_data(o, &b, seq) < 0)
				break;
			for (q = 0; q < o->cfg.n; q++) {
				struct sent_to *t = order_sent_to(o, seq, q);

				t->deadline = now + rto_timeout(&o->m[q].rto, 0);
				t->txtime = now;
				t->tries = 0;
				if (t->deadline < o->m[q].next_due)
					o->m[q].next_due = t->deadline;
			}
			o->sent_upto = seq;
			o->st.data_out++;
		}
		order_out_commit(o, box, &b, dests, now);
	}
}

/*
 * Resends the DATA member q has neither acknowledged nor SACKed, when due.
 * The whole unacknowledged range is scanned, but only when something in it
 * is due (next_due), so an idle link costs nothing.
 */
void
order_resend_to(struct order *o, unsigned q, uint64_t now,
    struct order_outbox *box)
{
	struct member *mb = &o->m[q];
	uint32_t seq = mb->acked + 1;
	uint64_t next = UINT64_MAX;
	unsigned burst = 0;
	struct msg_builder b;
	struct order_out *out = NULL;
	bool open = false;

	if (now < mb->next_due)
		return;
	for (; seq <= o->sent_upto; seq++) {
		struct sent_to *t = order_sent_to(o, seq, q);

		if (t->deadline > now) {	/* not due, or SACKED */
			if (t->deadline < next)
				next = t->deadline;
			continue;
		}
		if (open && put_own_data(o, &b, seq) < 0) {
			order_out_commit(o, box, &b, UINT64_C(1) << q, now);
			open = false;
		}
		if (!open) {
			if (burst == RESEND_BURST ||
			    !(out = order_out_slot(o, box))) {
				next = now;	/* more is due: next call */
				break;
			}
			order_begin_dgram(o, &b, out->buf, UINT64_C(1) << q, now);
			open = true;
			burst++;
			if (put_own_data(o, &b, seq) < 0)
				break;		/* cannot happen: checked config */
		}
		if (t->tries < UINT8_MAX)
			t->tries++;
		t->deadline = now + rto_timeout(&mb->rto, t->tries);
		t->txtime = now;
		if (t->deadline < next)
			next = t->deadline;
		o->st.retransmits++;
	}
	if (open)
		order_out_commit(o, box, &b, UINT64_C(1) << q, now);
	mb->next_due = next;
}

/*
 * Says which DATA of q's stream past its hole this peer holds, so that q
 * resends only what is missing: all holes repaired in one round trip.
 */
static void
send_sack(struct order *o, unsigned q, uint64_t now, struct order_outbox *box)
{
	struct member *mb = &o->m[q];
	uint32_t base = mb->rx.processed + 1, seq;
	struct msg_builder b;
	struct order_out *out;
	unsigned nbits, i, room;

	if (!(out = order_out_slot(o, box)))
		return;
	order_begin_dgram(o, &b, out->buf, UINT64_C(1) << q, now);
	nbits = (mb->rx.held_hi - base + 7) / 8 * 8;
	room = msg_room(&b) > msg_sack_size(8) ?
	    (unsigned)(msg_room(&b) - msg_sack_size(0)) * 8 : 0;
	if (nbits > room)
		nbits = room;
	if (nbits > MSG_SACK_MAX_BITS)
		nbits = MSG_SACK_MAX_BITS;
	if (nbits) {
		memset(o->sack_bits, 0, nbits / 8);
		for (i = 0; i < nbits; i++) {
			seq = base + 1 + i;
			if (o->m[q].rx.ring[seq % o->cfg.window].seq == seq)
				o->sack_bits[i / 8] |= (uint8_t)(0x80 >> i % 8);
		}
		(void)msg_put_sack(&b, (uint16_t)q, base, o->sack_bits, nbits);
	}
	order_out_commit(o, box, &b, UINT64_C(1) << q, now);
	due_clear(mb, DUE_SACK);
	mb->last_sack = now;
	o->st.sacks_out++;
}

/*
 * Marks what q holds and finds what it lost.  A DATA is lost when it was
 * last sent a while (a quarter of a round trip, for reordering) before a
 * DATA that has since arrived (RACK, RFC 8985 section 6.2): so a lost
 * retransmission is found as soon as a later one arrives, without waiting
 * for its backed-off timeout.
 */
void
order_on_sack(struct order *o, unsigned q, const struct msg_sack *sk,
    uint64_t now)
{
	struct member *mb = &o->m[q];
	uint32_t hi = 0, seq, reo;
	uint64_t t_arrived = 0;
	unsigned i;

	if (sk->stream != o->cfg.self || sk->base == 0) {
		o->st.drop_field++;
		return;
	}
	if (sk->base - 1 > o->sent_upto ||
	    (uint64_t)sk->base + sk->nbits > (uint64_t)o->sent_upto + 8) {
		o->st.drop_unsent++;	/* holds what I never sent */
		return;
	}
	for (i = 0; i < sk->nbits; i++) {
		seq = sk->base + 1 + i;
		if (!msg_sack_has(sk, i))
			continue;
		if (seq > o->sent_upto) {
			o->st.drop_unsent++;
			return;
		}
		if (seq > mb->acked)
			hi = seq;
	}
	/* What arrived since the last word from q: its latest send time. */
	for (seq = mb->acked + 1; seq <= hi || seq < sk->base; seq++) {
		struct sent_to *t = order_sent_to(o, seq, q);
		bool held = seq < sk->base ||
		    msg_sack_has(sk, seq - sk->base - 1);

		if (!held || t->deadline == SACKED)
			continue;
		if (t->txtime > t_arrived)
			t_arrived = t->txtime;
		t->deadline = SACKED;
	}
	if (sk->base - 1 > mb->acked)
		mb->acked = sk->base - 1;
	reo = (uint32_t)(mb->rto.srtt / 4);
	for (seq = mb->acked + 1; seq < hi; seq++) {
		struct sent_to *t = order_sent_to(o, seq, q);

		if (t->deadline != SACKED && t->deadline > now &&
		    t->txtime + reo < t_arrived) {
			t->deadline = now;
			mb->next_due = now;
			due_set(mb, DUE_RESEND);
		}
	}
}

void
order_on_echo(struct order *o, unsigned q, const struct msg_echo *e,
    uint64_t now)
{
	uint32_t tsecr, held;
	uint64_t rtt;
	uint16_t who;
	unsigned i;

	for (i = 0; i < e->n; i++) {
		msg_echo_get(e, i, &who, &tsecr, &held);
		if (who != o->cfg.self)
			continue;
		switch (rto_echo_rtt((uint32_t)now, tsecr, held,
		    o->cfg.peer_timeout_us, &rtt)) {
		case 0:
			rto_sample(&o->m[q].rto, rtt);
			break;
		case -1:
			o->st.drop_clock++;	/* held longer than the trip */
			break;
		default:
			break;			/* stale: no sample */
		}
	}
}

void
order_send_ready(struct order *o, uint64_t now, struct order_outbox *box)
{
	struct msg_builder b;
	struct order_out *out;
	uint64_t dests = 0;
	unsigned q;

	for (q = 0; q < o->cfg.n; q++)
		if (order_in_view(o, q) && !o->m[q].confirmed)
			dests |= UINT64_C(1) << q;
	/* READY alone, without an ACK state: the datagram a START makes us
	 * send to addresses not yet heard from is about as small as the
	 * MEMBER line that named each one. */
	if (dests && (out = order_out_slot(o, box))) {
		msg_begin(&b, out->buf, MSG_MAX_DGRAM -
		    (o->keyed ? AUTH_TAG_LEN : 0), (uint16_t)o->cfg.self,
		    o->cfg.run);
		msg_set_tsval(&b, (uint32_t)now);
		msg_set_view(&b, view_ballot(o));
		(void)msg_put_ready(&b);
		commit(o, box, &b, dests, now, false);
	}
}

/* SACKs are rate-limited to about four a round trip per member, and to one
 * a quarter of the minimum timeout before the first round trip is known. */
uint64_t
order_sack_at(const struct member *mb)
{
	uint64_t gap = mb->rto.srtt > mb->rto.min ? mb->rto.srtt : mb->rto.min;

	return mb->last_sack + gap / 4;
}

static bool
sack_now(const struct member *mb, uint64_t now)
{
	return due_has(mb, DUE_SACK) && mb->rx.held_hi > mb->rx.processed &&
	    now - mb->last_sack >= order_sack_at(mb) - mb->last_sack;
}

/*
 * Sends what is owed to each member: SACK and repairs (each on its own),
 * then HS_ACK, ACK state, heartbeat, reply: members owed the same kinds of
 * these share one datagram.
 */
void
order_send_control(struct order *o, uint64_t now, struct order_outbox *box)
{
	enum { K_HSACK = 1, K_ACK = 2, K_HB = 4, K_REPLY = 8 };
	uint64_t mask[16] = { 0 };
	struct msg_builder b;
	struct order_out *out;
	unsigned q, kind;
	uint8_t flags;

	for (q = 0; q < o->cfg.n; q++) {
		struct member *mb = &o->m[q];

		if (!order_in_view(o, q))
			continue;
		if (sack_now(mb, now))
			send_sack(o, q, now, box);
		if (due_has(mb, DUE_RESEND)) {
			due_clear(mb, DUE_RESEND);
			order_resend_to(o, q, now, box);
		}
		kind = (due_has(mb, DUE_HS_ACK) ? K_HSACK : 0) |
		    (due_has(mb, DUE_ACK) ? K_ACK : 0) |
		    (due_has(mb, DUE_HB) ? K_HB : 0) |
		    (due_has(mb, DUE_REPLY) ? K_REPLY : 0);
		mask[kind] |= UINT64_C(1) << q;
	}
	for (kind = 1; kind < 16; kind++) {
		if (!mask[kind])
			continue;
		if (!(out = order_out_slot(o, box)))
			return;
		order_begin_dgram(o, &b, out->buf, mask[kind], now);
		if (kind & K_HSACK)
			(void)msg_put_hs_ack(&b);
		if (kind & (K_HB | K_REPLY)) {
			flags = o->phase >= ORDER_FINISHED &&
			    o->phase != ORDER_ABORTED ? MSG_HB_FINISHED : 0;
			if (!(kind & K_HB))
				flags |= MSG_HB_REPLY;
			(void)msg_put_heartbeat(&b, flags);
		}
		order_out_commit(o, box, &b, mask[kind], now);
		for (q = 0; q < o->cfg.n; q++) {
			if (!(mask[kind] >> q & 1))
				continue;
			due_clear(&o->m[q], DUE_HS_ACK);
			due_clear(&o->m[q], DUE_HB);
			due_clear(&o->m[q], DUE_REPLY);
		}
	}
}
