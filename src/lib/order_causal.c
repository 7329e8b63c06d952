/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Causal order with vector clocks, after K. Birman, A. Schiper and P.
 * Stephenson, "Lightweight Causal and Atomic Group Multicast", ACM TOCS
 * 9(3), 1991 (CBCAST): each DATA carries what its sender had delivered of
 * every member when it stamped it (C1), and a peer delivers it once it has
 * delivered at least as much of every member (C2).  Not total: peers may
 * interleave concurrent messages differently.
 *
 * Invariant: every message delivered here comes after every message its
 * sender had delivered before stamping it, since the delivered vector
 * `dlv` covers its DEPS vector at that moment; the sender's own earlier
 * messages are among those (D[sender] = seq - 1), so FIFO order holds too.
 *
 * Where this departs from CBCAST (the tags are those of mpcomm(7)):
 *  - the vector counts deliveries, not sends, and travels in its own DEPS
 *    record just before the DATA (or the RELAY) it describes, in the same
 *    datagram; a DATA whose DEPS did not come with it is not taken, and
 *    comes again (C1);
 *  - the streams below give reliable FIFO channels, so a DATA reaches us
 *    once and in seq order, and only the next message of each sender can
 *    be deliverable (C2);
 *  - a view change needs no flush: once the install has every stream up
 *    to its cut, a departed member's message whose predecessors lie past
 *    some departed stream's cut, or that follows such a message, can never
 *    be delivered anywhere and is dropped, the same at every survivor
 *    (C3);
 *  - the send window (L2) opens on a delivery frontier: every message
 *    processed with a timestamp up to it has been delivered (C4).
 */
#include <stdlib.h>
#include <string.h>

#include "mpcomm/msg.h"
#include "mpcomm/pq.h"
#include "order_algo.h"
#include "order_impl.h"

/* One DATA of a stream, by seq % window (stream self: mine). */
struct causal_row {
	uint32_t	 dseq;		/* seq whose DEPS the row holds (0: none) */
	uint64_t	 ts;
	uint64_t	 send_us;
};

struct causal {
	uint32_t	*dlv;		/* n: messages of each member delivered */
	uint32_t	*proc;		/* n: processed, in each sender's order */
	uint32_t	*limit;		/* n: past it a departed stream's messages
					   are never delivered (C3) */
	struct causal_row *row;		/* n x window */
	uint32_t	*deps;		/* n x window x n */
	size_t		 queued;	/* processed, not delivered, deliverable
					   some day */
	unsigned	 rr;		/* where the next scan begins */
};

static struct causal *
C(const struct order *o)
{
	return o->alg_state;
}

static size_t
row_index(const struct order *o, unsigned q, uint32_t seq)
{
	return (size_t)q * o->cfg.window + seq % o->cfg.window;
}

static uint32_t *
row_deps(const struct order *o, size_t idx)
{
	return C(o)->deps + idx * o->cfg.n;
}

static int
causal_create(struct order *o)
{
	size_t n = o->cfg.n, w = o->cfg.window, i;
	struct causal *c;

	if (!(c = calloc(1, sizeof(*c))))
		return -1;
	o->alg_state = c;
	c->dlv = calloc(n, sizeof(*c->dlv));
	c->proc = calloc(n, sizeof(*c->proc));
	c->limit = calloc(n, sizeof(*c->limit));
	c->row = calloc(n * w, sizeof(*c->row));
	c->deps = calloc(n * w * n, sizeof(*c->deps));
	if (!c->dlv || !c->proc || !c->limit || !c->row || !c->deps)
		return -1;
	for (i = 0; i < n; i++)
		c->limit[i] = UINT32_MAX;
	return 0;
}

static void
causal_destroy(struct order *o)
{
	struct causal *c = C(o);

	if (!c)
		return;
	free(c->dlv);
	free(c->proc);
	free(c->limit);
	free(c->row);
	free(c->deps);
	free(c);
	o->alg_state = NULL;
}

static bool
causal_on_receipt(struct order *o, unsigned q, const struct slot *sl)
{
	(void)o, (void)q, (void)sl;
	return false;
}

/*
 * Mine as I stamp it: its DEPS is what I delivered (C1), and it is
 * delivered at once, since I delivered all of that.  Another's waits in
 * its row for next() (C2).
 */
static int
causal_on_processed(struct order *o, unsigned q, const struct slot *sl,
    uint64_t now)
{
	struct causal *c = C(o);
	size_t idx = row_index(o, q, sl->seq);

	(void)now;
	c->row[idx].ts = sl->ts;
	c->row[idx].send_us = sl->send_us;
	c->proc[q] = sl->seq;
	if (q == o->cfg.self) {
		c->row[idx].dseq = sl->seq;
		memcpy(row_deps(o, idx), c->dlv, o->cfg.n * sizeof(*c->dlv));
		c->dlv[q] = sl->seq;
		return 1;
	}
	c->queued++;
	return 0;
}

static void
causal_on_stream(struct order *o, unsigned q, uint64_t now)
{
	(void)o, (void)q, (void)now;
}

static void
causal_on_state(struct order *o, unsigned q, const struct msg_ack *a,
    const uint32_t *s, uint64_t now)
{
	(void)o, (void)q, (void)a, (void)s, (void)now;
}

/*
 * C4: q had delivered every message it had processed with a timestamp up
 * to its frontier d_ts, and mine carry increasing timestamps: so many of
 * those it had processed in that same state (its S[self], not the largest
 * ever seen, which may be newer than the frontier) it has delivered.
 */
static uint32_t
causal_delivered_by(struct order *o, unsigned q, const struct msg_ack *a,
    uint32_t acked)
{
	uint32_t dlvd = o->m[q].dlvd, k = msg_ack_s(a, o->cfg.self);

	(void)acked;
	while (dlvd < k && dlvd < o->sent_upto &&
	    o->store[(dlvd + 1) % o->cfg.window].ts <= a->d_ts)
		dlvd++;
	return dlvd;
}

/* Whether q's next message is processed and may ever be delivered. */
static bool
has_next(const struct order *o, unsigned q)
{
	const struct causal *c = C(o);
	uint32_t s = c->dlv[q] + 1;

	return q != o->cfg.self && s <= c->proc[q] && s <= c->limit[q];
}

/* C2: every member's entry of its DEPS is delivered here. */
static bool
deps_met(const struct order *o, unsigned q, size_t idx)
{
	const uint32_t *d = row_deps(o, idx);
	unsigned i;

	if (FLAW(o, CAUSAL_FIFO))
		return true;
	for (i = 0; i < o->cfg.n; i++)
		if (i != q && C(o)->dlv[i] < d[i])
			return false;
	return true;
}

static void
take(struct order *o, unsigned q, struct pq_item *it)
{
	struct causal *c = C(o);
	uint32_t s = c->dlv[q] + 1;
	const struct causal_row *r = &c->row[row_index(o, q, s)];

	it->ts = r->ts;
	it->send_us = r->send_us;
	it->seq = s;
	it->sender = (uint16_t)q;
	c->dlv[q] = s;
	c->queued--;
	c->rr = q + 1;
}

/* The next message of some sender whose DEPS is delivered (C2), the
 * senders taken in turn so that none waits behind another. */
static bool
causal_next(struct order *o, struct pq_item *it)
{
	unsigned i, q;

	for (i = 0; i < o->cfg.n; i++) {
		q = (C(o)->rr + i) % o->cfg.n;
		if (!has_next(o, q) ||
		    !deps_met(o, q, row_index(o, q, C(o)->dlv[q] + 1)))
			continue;
		take(o, q, it);
		return true;
	}
	return false;
}

/*
 * A view change delivers nothing for the frontier's sake (C3): what is
 * deliverable is delivered before the view line, the rest after it.
 * Broken on purpose (ORDER_FLAW_CAUSAL_FLUSH): everything held, as total
 * order does up to its frontier.
 */
static bool
causal_next_upto(struct order *o, uint64_t f_ts, uint16_t f_id,
    struct pq_item *it)
{
	unsigned q;

	(void)f_ts, (void)f_id;
	if (FLAW(o, CAUSAL_FLUSH))
		for (q = 0; q < o->cfg.n; q++)
			if (has_next(o, q)) {
				take(o, q, it);
				return true;
			}
	return causal_next(o, it);
}

/* C4: one below the lowest timestamp processed and not delivered, or my
 * clock (above every timestamp processed) when nothing waits. */
static void
causal_frontier(const struct order *o, uint64_t *ts, uint16_t *id)
{
	const struct causal *c = C(o);
	uint64_t f = o->clock, t;
	unsigned q;

	for (q = 0; q < o->cfg.n; q++) {
		if (!has_next(o, q))
			continue;
		t = c->row[row_index(o, q, c->dlv[q] + 1)].ts;
		if (t - 1 < f)
			f = t - 1;
	}
	*ts = f;
	*id = 0;
}

/*
 * C3: every survivor now holds each departed stream up to its cut.  A
 * departed member's message is never delivered when its DEPS reaches past
 * a departed stream's limit, and neither is what follows it in its
 * stream; the limits fall until nothing changes, the same at every
 * survivor, which hold the same messages and DEPS up to the same cuts.
 */
static void
causal_installed(struct order *o)
{
	struct causal *c = C(o);
	bool changed = true;
	unsigned q, i;
	uint32_t s;

	for (q = 0; q < o->cfg.n; q++)
		if (o->views.departed >> q & 1 && o->views.cut[q] < c->limit[q])
			c->limit[q] = o->views.cut[q];
	while (changed) {
		changed = false;
		for (q = 0; q < o->cfg.n; q++) {
			if (!(o->views.departed >> q & 1))
				continue;
			for (s = c->dlv[q] + 1; s <= c->limit[q] &&
			    s <= c->proc[q]; s++) {
				const uint32_t *d =
				    row_deps(o, row_index(o, q, s));

				for (i = 0; i < o->cfg.n && d[i] <= c->limit[i];
				    i++)
					;
				if (i < o->cfg.n) {
					c->limit[q] = s - 1;
					changed = true;
					break;
				}
			}
		}
	}
	c->queued = 0;
	for (q = 0; q < o->cfg.n; q++) {
		if (q == o->cfg.self)
			continue;
		s = c->proc[q] < c->limit[q] ? c->proc[q] : c->limit[q];
		if (s > c->dlv[q])
			c->queued += s - c->dlv[q];
	}
}

static size_t
causal_queued(const struct order *o)
{
	return C(o)->queued;
}

static size_t
causal_data_extra(const struct order *o)
{
	return msg_deps_size(o->cfg.n);
}

/* C1: the DEPS of stream's DATA seq, mine or one I relay. */
static int
causal_put_extra(struct order *o, struct msg_builder *b, unsigned stream,
    uint32_t seq)
{
	size_t idx = row_index(o, stream, seq);

	if (C(o)->row[idx].dseq != seq)
		return -1;	/* no longer kept: neither is its DATA */
	return msg_put_deps(b, (uint16_t)stream, seq, o->cfg.n,
	    row_deps(o, idx));
}

/*
 * A DEPS record (C1), checked: for another member's stream, a seq that its
 * stream may hold next (a DATA already processed keeps the DEPS it came
 * with, for relays), D[stream] = seq - 1, nothing above the run's counts,
 * nothing of mine I never sent.
 */
static void
causal_on_extra(struct order *o, unsigned from, const struct msg_deps *d)
{
	size_t idx;
	uint32_t *row, v, done;
	unsigned i;

	(void)from;
	if (d->n != o->cfg.n || d->stream >= o->cfg.n ||
	    d->stream == o->cfg.self || d->seq == 0 ||
	    d->seq > o->cfg.messages) {
		o->st.drop_field++;
		return;
	}
	done = o->m[d->stream].rx.processed;
	/* A copy, or beyond the window (a row still waiting for delivery is
	 * never overwritten): see causal_data_ready. */
	if (d->seq <= done || d->seq > done + o->cfg.window ||
	    d->seq > C(o)->dlv[d->stream] + o->cfg.window)
		return;
	for (i = 0; i < d->n; i++) {
		v = msg_deps_get(d, i);
		if (v > o->cfg.messages ||
		    (i == d->stream && v != d->seq - 1)) {
			o->st.drop_field++;
			return;
		}
		if (i == o->cfg.self && v > o->sent_upto) {
			o->st.drop_unsent++;
			return;
		}
	}
	idx = row_index(o, d->stream, d->seq);
	row = row_deps(o, idx);
	for (i = 0; i < d->n; i++)
		row[i] = msg_deps_get(d, i);
	C(o)->row[idx].dseq = d->seq;
}

/* C1: a DATA the stream will hold needs its DEPS here first. */
static bool
causal_data_ready(const struct order *o, unsigned q, uint32_t seq)
{
	uint32_t done = o->m[q].rx.processed;

	if (seq <= done || seq > done + o->cfg.window)
		return true;	/* a duplicate, or dropped as beyond */
	return C(o)->row[row_index(o, q, seq)].dseq == seq;
}

const struct order_algo order_algo_causal = {
	.create = causal_create,
	.destroy = causal_destroy,
	.on_receipt = causal_on_receipt,
	.on_processed = causal_on_processed,
	.on_stream = causal_on_stream,
	.on_state = causal_on_state,
	.delivered_by = causal_delivered_by,
	.next = causal_next,
	.next_upto = causal_next_upto,
	.frontier = causal_frontier,
	.installed = causal_installed,
	.queued = causal_queued,
	.data_extra = causal_data_extra,
	.put_extra = causal_put_extra,
	.on_extra = causal_on_extra,
	.data_ready = causal_data_ready,
};
