/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The streams: each other member's DATA as it arrives, checked, held back
 * in its ring slot until its predecessors are in, and processed in seq
 * order into the ordering algorithm (order_algo.h); and the hand-off of
 * what the algorithm says is deliverable to the program.
 *
 * Invariant: each sender's DATA is processed exactly once and in seq
 * order (S2), never beyond the limit membership sets (a departed stream's
 * cut, or what was answered while frozen), in bounded memory: a DATA is
 * taken only within window of what was processed, and the window keeps a
 * sender within window of what every member delivered (L2).
 *
 * This file alone writes a stream's state (struct stream, a member's rx:
 * its ring from stream_init to stream_free, END, the replay window of its
 * sender's datagrams, the cut of a departed stream) and o->held, the DATA
 * held back over all streams; the other files only read them.
 *
 * Calls go down only: the front (order.c) and membership (order_view.c)
 * call in here, and this file calls the algorithm and nothing above it;
 * what membership decides arrives as arguments (past_cut, limit, cut).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpcomm/lclock.h"
#include "mpcomm/msg.h"
#include "mpcomm/trace.h"
#include "order_algo.h"
#include "order_impl.h"
#include "order_stream.h"

int
stream_init(struct order *o, unsigned q)
{
	struct stream *s = &o->m[q].rx;

	if (!(s->ring = calloc(o->cfg.window, sizeof(*s->ring))))
		return -1;
	return 0;
}

void
stream_free(struct order *o, unsigned q)
{
	struct stream *s = &o->m[q].rx;

	free(s->ring);
	s->ring = NULL;
}

void
stream_on_end(struct order *o, unsigned q, uint32_t total)
{
	if (total != o->cfg.messages)
		o->st.drop_field++;
	else
		o->m[q].rx.has_end = true;
}

/*
 * Whether an authenticated datagram is new: its counter is above what was
 * seen, or within the window and not seen yet.  Only called once its MAC
 * has verified, so that forged counters cannot move the window.
 */
bool
stream_fresh_counter(struct order *o, unsigned q, uint32_t c)
{
	struct stream *s = &o->m[q].rx;
	uint64_t *w = s->replay_seen;
	uint32_t k;

	if (c == 0)
		return false;
	if (c > s->replay_hi) {
		if (c - s->replay_hi >= REPLAY_WINDOW)
			memset(s->replay_seen, 0, sizeof(s->replay_seen));
		else
			for (k = s->replay_hi + 1; k < c; k++)
				w[k % REPLAY_WINDOW / 64] &=
				    ~(UINT64_C(1) << (k % 64));
		s->replay_hi = c;
	} else if (s->replay_hi - c >= REPLAY_WINDOW ||
	    (w[c % REPLAY_WINDOW / 64] >> (c % 64) & 1)) {
		return false;
	}
	w[c % REPLAY_WINDOW / 64] |= UINT64_C(1) << (c % 64);
	return true;
}

void
stream_cut(struct order *o, unsigned q, uint32_t cut)
{
	struct stream *s = &o->m[q].rx;
	uint32_t seq;

	/* Held back past the cut: never to be processed. */
	for (seq = cut + 1; seq <= s->held_hi; seq++) {
		struct slot *sl = &s->ring[seq % o->cfg.window];

		if (seq > s->processed && sl->seq == seq) {
			sl->seq = 0;
			o->held--;
		}
	}
	if (s->held_hi > cut)
		s->held_hi = cut > s->processed ? cut : s->processed;
}

/* Hands one message up to the program. */
static void
deliver(struct order *o, uint16_t sender, uint32_t seq, uint64_t ts,
    uint64_t send_us, uint64_t now)
{
	struct order_delivery d;

	memset(&d, 0, sizeof(d));
	d.kind = ORDER_EV_MESSAGE;
	d.sender = sender;
	d.seq = seq;
	d.ts = ts;
	d.send_us = send_us;
	d.now = now;
	o->st.delivered++;
	if (sender == o->cfg.self)
		o->self_dlvd = seq;
	if (o->tr)
		trace_deliver(o->tr, now, sender, seq, ts);
	o->deliver(o->arg, &d);
}

/* A hold queue that refuses a message: only out of memory, or a bug (it is
 * sized for the window).  The run cannot go on either way. */
static void
queue_refused(struct order *o)
{
	o->st.pq_full++;
	order_stop(o, ORDER_ABORTED, errno == ENOMEM ?
	    "out of memory for the hold queue" :
	    "internal error: hold queue overflow");
}

void
stream_process(struct order *o, unsigned q, const struct slot *sl,
    uint64_t now)
{
	int rc = o->alg->on_processed(o, q, sl, now);

	if (rc > 0)
		deliver(o, (uint16_t)q, sl->seq, sl->ts, sl->send_us, now);
	else if (rc < 0)
		queue_refused(o);
}

bool
stream_advance(struct order *o, unsigned q, uint32_t limit, uint64_t now)
{
	struct member *mb = &o->m[q];
	bool moved = false;

	while (mb->rx.processed < limit) {
		struct slot *sl = &mb->rx.ring[(mb->rx.processed + 1) %
		    o->cfg.window];

		if (sl->seq != mb->rx.processed + 1)
			break;
		stream_process(o, q, sl, now);
		mb->rx.processed++;
		o->held--;	/* the slot keeps it, for relays */
		moved = true;
	}
	if (moved)
		o->alg->on_stream(o, q, now);
	return moved;
}

bool
stream_deliver_upto(struct order *o, uint64_t f_ts, uint16_t f_id,
    uint64_t now)
{
	struct pq_item it;
	bool any = false;

	while (o->alg->next_upto(o, f_ts, f_id, &it)) {
		deliver(o, it.sender, it.seq, it.ts, it.send_us, now);
		any = true;
	}
	return any;
}

void
stream_deliver_view(struct order *o, uint64_t now)
{
	struct order_delivery d;

	memset(&d, 0, sizeof(d));
	d.kind = ORDER_EV_VIEW;
	d.view = view_number(o);
	d.members = view_members(o);
	d.now = now;
	if (o->tr)
		trace_view(o->tr, now, view_number(o), view_members(o));
	o->deliver(o->arg, &d);
}

bool
stream_deliver_ready(struct order *o, uint64_t now)
{
	struct pq_item it;
	bool any = false;

	if (view_frozen(o))
		return false;
	while (o->alg->next(o, &it)) {
		deliver(o, it.sender, it.seq, it.ts, it.send_us, now);
		any = true;
	}
	/* The senders' windows open on our new delivery frontier: tell them. */
	if (any)
		order_mark_ack_due_all(o);
	return any;
}

/* Broken on purpose (ORDER_FLAW_NO_HOLDBACK): process now, skip the gap. */
static void
flaw_process_at_once(struct order *o, unsigned q, const struct msg_data *d,
    uint64_t now)
{
	struct member *mb = &o->m[q];
	struct slot sl = { .ts = d->ts, .send_us = d->send_us, .seq = d->seq };

	stream_process(o, q, &sl, now);
	if (d->seq > mb->rx.processed)
		mb->rx.processed = d->seq;
	o->alg->on_stream(o, q, now);
}

void
stream_on_data(struct order *o, unsigned q, const struct msg_data *d,
    bool past_cut, uint64_t now)
{
	struct member *mb = &o->m[q];
	struct slot *sl, in = { .ts = d->ts, .send_us = d->send_us,
	    .seq = d->seq };

	if (d->seq == 0 || d->seq > o->cfg.messages || d->ts == 0) {
		o->st.drop_field++;
		return;
	}
	if (d->ts > o->clock_bound) {
		o->st.drop_clock++;
		return;
	}
	if (d->plen != o->cfg.payload_len ||
	    !msg_payload_ok(d->payload, d->plen, o->cfg.run, q, d->seq)) {
		o->st.drop_payload++;
		return;
	}
	if (past_cut) {
		o->st.drop_view++;	/* its sender departed before it */
		return;
	}
	sl = &mb->rx.ring[d->seq % o->cfg.window];
	if (d->seq <= mb->rx.processed || sl->seq == d->seq) {
		/* The sender has not seen our state: tell it again. */
		o->st.data_dup++;
		due_set(mb, DUE_ACK);
		due_put(mb, DUE_SACK, mb->rx.held_hi > mb->rx.processed);
		return;
	}
	if (d->seq > mb->rx.processed + o->cfg.window) {
		/* Never for a member that keeps the window: see order_stampable. */
		o->st.drop_window++;
		return;
	}
	o->st.data_in++;
	if (!FLAW(o, LATE_CLOCK))
		lclock_merge(&o->clock, d->ts);	/* S2: on receipt */
	if (o->tr)
		trace_recv(o->tr, now, q, d->seq, d->ts, o->clock);
	order_mark_ack_due_all(o);
	/* In a view change, none mode too waits for the install. */
	in.early = !view_frozen(o) && o->alg->on_receipt(o, q, &in);
	if (in.early)
		deliver(o, (uint16_t)q, d->seq, d->ts, d->send_us, now);
	if (FLAW(o, NO_HOLDBACK) && o->cfg.mode != ORDER_NONE)
		return flaw_process_at_once(o, q, d, now);
	*sl = in;
	o->held++;
	if (d->seq > mb->rx.held_hi)
		mb->rx.held_hi = d->seq;
	if (d->seq > mb->rx.processed + 1)
		due_set(mb, DUE_SACK);	/* a hole before it */
}
