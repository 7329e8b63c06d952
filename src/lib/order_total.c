/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Totally ordered multicast after L. Lamport, "Time, Clocks, and the
 * Ordering of Events in a Distributed System", CACM 21(7), 1978, section
 * 4 (the mutual exclusion algorithm's request queue, used for every
 * message): each message enters a queue ordered by (timestamp, sender id),
 * and the head is delivered once every other member is known to have
 * moved past it.  The clock itself (rules IR1 and IR2 of the paper: tick
 * on each stamping, merge on each receipt) is kept by the front, order.c,
 * since every mode stamps its DATA with it.
 *
 * Invariant: a message is delivered only when no message that precedes it
 * in (ts, id) order can still arrive, because for every other member q we
 * hold a *counted* ACK state of q that covers it: either q had processed
 * it (S[sender] >= seq) or q's clock had passed it (C >= ts), and what q
 * stamps later carries larger timestamps while what it stamped before is
 * already in our queue (the state counts only then, below).
 *
 * Where this departs from the paper (the tags are those of
 * mpcomm(7)), which assumes reliable FIFO channels and an acknowledgement
 * per message:
 *  - the stream below makes UDP a reliable FIFO channel per sender (held
 *    back, duplicates dropped, resent), so a DATA reaches us exactly once
 *    and in seq order;
 *  - an acknowledgement is a state (S, C, K) riding on every datagram, not
 *    a message per message; it counts (T1) only once the acker's stream
 *    is processed up to K, the highest seq it had stamped when it took the
 *    state, and is held until then in a few pending slots;
 *  - a DATA is its sender's stamp-time state (_, ts, seq): it raises the
 *    sender's counted C at once;
 *  - counted states merge by maximum per entry (T1);
 *  - a view change delivers everything up to the survivors' agreed
 *    frontier (next_upto), acknowledged or not, and its install empties
 *    the table of counted states, so that only what is counted in the new
 *    view delivers after it: mpcomm(7), Views.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mpcomm/lclock.h"
#include "mpcomm/pq.h"
#include "mpcomm/trace.h"
#include "order_algo.h"
#include "order_impl.h"

#define PENDING_SLOTS	4	/* uncounted ACK states kept per member */

/* What this member knows of another's acknowledgements. */
struct total_member {
	/* Its ACK states that count (T1), merged by maximum. */
	uint32_t	*cs;		/* S vector, n entries */
	uint64_t	 cc;		/* C */
	/* Its ACK states waiting for its stream to reach their K. */
	unsigned	 npend;
	uint32_t	 pk[PENDING_SLOTS];
	uint64_t	 pc[PENDING_SLOTS];
	uint32_t	*ps;		/* PENDING_SLOTS x n */
	/* Its delivery frontier, as its states tell. */
	uint64_t	 d_ts;
	uint16_t	 d_id;
};

struct total {
	struct pq	*pq;		/* processed, not delivered */
	uint64_t	 d_ts;		/* my delivery frontier */
	uint16_t	 d_id;
	struct total_member *m;
};

static struct total *
T(const struct order *o)
{
	return o->alg_state;
}

static int
total_create(struct order *o)
{
	size_t n = o->cfg.n, i;
	struct total *t;

	if (!(t = calloc(1, sizeof(*t))))
		return -1;
	o->alg_state = t;
	/* At most window undelivered DATA of each stream: see the window. */
	if (!(t->pq = pq_create(n * o->cfg.window)) ||
	    !(t->m = calloc(n, sizeof(*t->m))))
		return -1;
	for (i = 0; i < n; i++) {
		if (i == o->cfg.self)
			continue;
		t->m[i].cs = calloc(n, sizeof(*t->m[i].cs));
		t->m[i].ps = calloc(PENDING_SLOTS * n, sizeof(*t->m[i].ps));
		if (!t->m[i].cs || !t->m[i].ps)
			return -1;
	}
	return 0;
}

static void
total_destroy(struct order *o)
{
	struct total *t = T(o);
	size_t i;

	if (!t)
		return;
	for (i = 0; t->m && i < o->cfg.n; i++) {
		free(t->m[i].cs);
		free(t->m[i].ps);
	}
	free(t->m);
	pq_destroy(t->pq);
	free(t);
	o->alg_state = NULL;
}

static bool
total_on_receipt(struct order *o, unsigned q, const struct slot *sl)
{
	(void)o, (void)q, (void)sl;
	return false;
}

/*
 * Traces a state about to be counted if it moves something: only such a
 * state can make a head deliverable.  Apart from count_state's loop, so
 * that an untraced core's stays as it was (a flood counts one per ACK).
 */
static void
trace_state(struct order *o, unsigned q, uint64_t c, const uint32_t *s,
    uint64_t now)
{
	const struct total_member *tm = &T(o)->m[q];
	unsigned i;
	bool moved = c > tm->cc;

	for (i = 0; i < o->cfg.n && !moved; i++)
		moved = s[i] > tm->cs[i];
	if (!moved)
		return;
	trace_ack(o->tr, now, q, c > tm->cc ? c : tm->cc);
	/* The entries that can cover a head: q's own stream never needs q. */
	for (i = 0; i < o->cfg.n; i++)
		if (i != q && s[i] > tm->cs[i])
			trace_cover(o->tr, now, q, i, tm->cs[i], s[i]);
}

/* Merges a counted ACK state of member q (T1: max per entry). */
static void
count_state(struct order *o, unsigned q, uint64_t c, const uint32_t *s,
    uint64_t now)
{
	struct total_member *tm = &T(o)->m[q];
	unsigned i;

	if (o->tr)
		trace_state(o, q, c, s, now);
	if (c > tm->cc)
		tm->cc = c;
	for (i = 0; i < o->cfg.n; i++)
		if (s[i] > tm->cs[i])
			tm->cs[i] = s[i];
}

/*
 * Holds a state until q's stream reaches its K.  The slots keep the states
 * with the smallest K: they are the first to become countable, and a newer
 * state that is further away will be sent again anyway.
 */
static void
hold_state(struct order *o, unsigned q, uint32_t k, uint64_t c,
    const uint32_t *s)
{
	struct total_member *tm = &T(o)->m[q];
	unsigned i, j, slot = PENDING_SLOTS;
	uint32_t maxk = 0;

	for (i = 0; i < tm->npend; i++) {
		if (tm->pk[i] == k) {	/* same K, later snapshot: merge */
			uint32_t *ps = tm->ps + (size_t)i * o->cfg.n;

			if (c > tm->pc[i])
				tm->pc[i] = c;
			for (j = 0; j < o->cfg.n; j++)
				if (s[j] > ps[j])
					ps[j] = s[j];
			return;
		}
	}
	if (tm->npend < PENDING_SLOTS) {
		slot = tm->npend++;
	} else {
		for (i = 0; i < tm->npend; i++)
			if (tm->pk[i] > maxk) {
				maxk = tm->pk[i];
				slot = i;
			}
		if (k >= maxk)
			return;
	}
	tm->pk[slot] = k;
	tm->pc[slot] = c;
	memcpy(tm->ps + (size_t)slot * o->cfg.n, s, o->cfg.n * sizeof(*s));
}

/* Counts the pending states of q whose K its stream has now reached. */
static void
total_on_stream(struct order *o, unsigned q, uint64_t now)
{
	struct total_member *tm = &T(o)->m[q];
	size_t row = o->cfg.n * sizeof(*tm->ps);
	unsigned i, j;

	for (i = 0; i < tm->npend;) {
		if (tm->pk[i] > o->m[q].rx.processed) {
			i++;
			continue;
		}
		count_state(o, q, tm->pc[i], tm->ps + (size_t)i * o->cfg.n,
		    now);
		for (j = i + 1; j < tm->npend; j++) {
			tm->pk[j - 1] = tm->pk[j];
			tm->pc[j - 1] = tm->pc[j];
			memcpy(tm->ps + (size_t)(j - 1) * o->cfg.n,
			    tm->ps + (size_t)j * o->cfg.n, row);
		}
		tm->npend--;
	}
}

/* Into the queue; a DATA of another is its stamp-time state (_, ts, seq). */
static int
total_on_processed(struct order *o, unsigned q, const struct slot *sl,
    uint64_t now)
{
	struct pq_item it = { .ts = sl->ts, .send_us = sl->send_us,
	    .seq = sl->seq, .sender = (uint16_t)q };

	(void)now;
	if (q != o->cfg.self && sl->ts > T(o)->m[q].cc)
		T(o)->m[q].cc = sl->ts;
	/* Sized for the window: only out of memory, or a bug. */
	return pq_push(T(o)->pq, &it) < 0 ? -1 : 0;
}

static void
total_on_state(struct order *o, unsigned q, const struct msg_ack *a,
    const uint32_t *s, uint64_t now)
{
	if (a->k <= o->m[q].rx.processed || FLAW(o, EARLY_COUNT))
		count_state(o, q, a->c, s, now);
	else
		hold_state(o, q, a->k, a->c, s);
}

/*
 * q delivered every message ordered before its frontier (d_ts, d_id), and
 * mine carry increasing timestamps: so many of mine it has delivered.
 */
static uint32_t
total_delivered_by(struct order *o, unsigned q, const struct msg_ack *a,
    uint32_t acked)
{
	struct total_member *tm = &T(o)->m[q];
	uint32_t dlvd = o->m[q].dlvd;

	if (lclock_before(tm->d_ts, tm->d_id, a->d_ts, a->d_id)) {
		tm->d_ts = a->d_ts;
		tm->d_id = a->d_id;
	}
	while (dlvd < o->sent_upto) {
		const struct sent *s = &o->store[(dlvd + 1) % o->cfg.window];

		if (lclock_before(tm->d_ts, tm->d_id, s->ts, o->cfg.self))
			break;
		dlvd++;
	}
	(void)acked;	/* processed, not delivered: the frontier tells */
	return dlvd;
}

/* True when every member's counted state covers the head (T2). */
static bool
head_acknowledged(const struct order *o, const struct pq_item *h)
{
	const struct total_member *tm;
	unsigned q;

	if (FLAW(o, NO_ACK_WAIT))
		return true;
	for (q = 0; q < o->cfg.n; q++) {
		if (!order_in_view(o, q) || q == h->sender)
			continue;
		tm = &T(o)->m[q];
		if (tm->cs[h->sender] < h->seq && tm->cc < h->ts)
			return false;
	}
	return true;
}

/* Takes the head out; it becomes my delivery frontier. */
static void
take_head(struct order *o, struct pq_item *it)
{
	struct total *t = T(o);

	*it = *pq_top(t->pq);
	pq_pop(t->pq);
	if (FLAW(o, LATE_CLOCK) && it->sender != o->cfg.self)
		lclock_merge(&o->clock, it->ts);
	t->d_ts = it->ts;
	t->d_id = it->sender;
}

/* The head, once acknowledged by every member (T2). */
static bool
total_next(struct order *o, struct pq_item *it)
{
	const struct pq_item *h = pq_top(T(o)->pq);

	if (!h || !head_acknowledged(o, h))
		return false;
	take_head(o, it);
	return true;
}

static bool
total_next_upto(struct order *o, uint64_t f_ts, uint16_t f_id,
    struct pq_item *it)
{
	const struct pq_item *h = pq_top(T(o)->pq);

	if (!h || lclock_before(f_ts, f_id, h->ts, h->sender) ||
	    FLAW(o, NO_FLUSH))
		return false;
	take_head(o, it);
	return true;
}

static void
total_frontier(const struct order *o, uint64_t *ts, uint16_t *id)
{
	*ts = T(o)->d_ts;
	*id = T(o)->d_id;
}

/*
 * A new view: the counted states are forgotten (and the pending ones, taken
 * in the old view), so that a member of a rival view that lost, which never
 * hears a state of the winner's, delivers nothing past the frontier.
 */
static void
total_installed(struct order *o)
{
	unsigned q;

	for (q = 0; q < o->cfg.n; q++) {
		struct total_member *tm = &T(o)->m[q];

		if (q == o->cfg.self)
			continue;
		memset(tm->cs, 0, o->cfg.n * sizeof(*tm->cs));
		tm->cc = 0;
		tm->npend = 0;
	}
}

static size_t
total_queued(const struct order *o)
{
	return pq_len(T(o)->pq);
}

const struct order_algo order_algo_total = {
	.create = total_create,
	.destroy = total_destroy,
	.on_receipt = total_on_receipt,
	.on_processed = total_on_processed,
	.on_stream = total_on_stream,
	.on_state = total_on_state,
	.delivered_by = total_delivered_by,
	.next = total_next,
	.next_upto = total_next_upto,
	.frontier = total_frontier,
	.installed = total_installed,
	.queued = total_queued,
};
