/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The ordering algorithm, behind one small interface.  The streams
 * (order_stream.c) hand it every DATA exactly once and in each sender's
 * seq order, and every checked ACK state, and take from it each message
 * it says is deliverable, for the program; membership (order_view.c)
 * freezes it during a view change, has it give up everything held up to
 * the view's frontier, and tells it when a view is installed.  An
 * algorithm decides and keeps its own state (o->alg_state); it delivers
 * nothing itself and calls nothing of the core above it, so calls go one
 * way.  Not a public header.
 *
 * To add an algorithm: one file with a const struct order_algo, a value of
 * enum order_mode (mpcomm/order.h) and its name, and a line in
 * order_algo_for() (order.c).  One that sends more than DATA carries
 * (causal's DEPS) puts its record through put_extra, before each DATA and
 * RELAY, and gets it back through on_extra: a record type in msg.h.  One
 * with a stream of records of its own (the sequencer's ORDER) puts its
 * state in every datagram, sends and resends through send, tick and
 * deadline, and gets its records through on_order.
 */
#ifndef MPCOMM_ORDER_ALGO_H
#define MPCOMM_ORDER_ALGO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpcomm/msg.h"
#include "mpcomm/pq.h"

struct order;
struct order_outbox;
struct slot;

struct order_algo {
	/* Its own state in o->alg_state: 0, or -1 out of memory. */
	int	 (*create)(struct order *o);
	void	 (*destroy)(struct order *o);
	/* A new DATA of q, on receipt and before hold-back: true to deliver
	 * it at once (and not when it is processed). */
	bool	 (*on_receipt)(struct order *o, unsigned q, const struct slot *sl);
	/* A DATA in its sender's seq order: q's as its stream reaches it, or
	 * mine as I stamp it (q == self).  1: deliver it now; 0: held or
	 * delivered on receipt; -1: it cannot be held (the run aborts). */
	int	 (*on_processed)(struct order *o, unsigned q,
		    const struct slot *sl, uint64_t now);
	/* q's stream has moved on to o->m[q].rx.processed. */
	void	 (*on_stream)(struct order *o, unsigned q, uint64_t now);
	/* An ACK state of q of this view, checked; s is its S vector. */
	void	 (*on_state)(struct order *o, unsigned q, const struct msg_ack *a,
		    const uint32_t *s, uint64_t now);
	/* How many of my DATA q has delivered, given its ACK state a of any
	 * view and acked, how many it has processed. */
	uint32_t (*delivered_by)(struct order *o, unsigned q,
		    const struct msg_ack *a, uint32_t acked);
	/* Takes out the next deliverable message: true, or false when none
	 * is.  Never called while a view change has the core frozen. */
	bool	 (*next)(struct order *o, struct pq_item *it);
	/* A view change: takes out the next held message at or before the
	 * frontier (f_ts, f_id), deliverable or not. */
	bool	 (*next_upto)(struct order *o, uint64_t f_ts, uint16_t f_id,
		    struct pq_item *it);
	/* My delivery frontier, for ACK states and view changes. */
	void	 (*frontier)(const struct order *o, uint64_t *ts, uint16_t *id);
	/* A view has been installed: its ACK states start afresh. */
	void	 (*installed)(struct order *o);
	/* Messages processed and not delivered yet. */
	size_t	 (*queued)(const struct order *o);
	/*
	 * For an algorithm whose DATA needs a record of its own beside it
	 * (causal: DEPS), all four, else all NULL.  The bytes it adds to each
	 * DATA; puts it for stream's DATA seq (mine, or one I relay) just
	 * before that DATA, 0 or -1 when it does not fit; takes one received,
	 * from member from, checking it (drops are counted); and says
	 * whether q's DATA seq may be taken now (its record has come).
	 */
	size_t	 (*data_extra)(const struct order *o);
	int	 (*put_extra)(struct order *o, struct msg_builder *b,
		    unsigned stream, uint32_t seq);
	void	 (*on_extra)(struct order *o, unsigned from,
		    const struct msg_deps *d);
	bool	 (*data_ready)(const struct order *o, unsigned q, uint32_t seq);
	/*
	 * For an algorithm with a record stream of its own (the sequencer's
	 * ORDER), all five, else all NULL: puts what it says in every
	 * datagram, after the ACK state (0, or -1 when it does not fit);
	 * takes one received from member from (same_view: of my view),
	 * checking it; sends its own datagrams at each flush; its timers, from
	 * order_tick(); and when they next have work (0: now, UINT64_MAX:
	 * none), for order_next_deadline().
	 */
	int	 (*put_state)(struct order *o, struct msg_builder *b);
	void	 (*on_order)(struct order *o, unsigned from,
		    const struct msg_order *r, bool same_view, uint64_t now);
	void	 (*send)(struct order *o, uint64_t now, struct order_outbox *box);
	void	 (*tick)(struct order *o, uint64_t now);
	uint64_t (*deadline)(const struct order *o);
};

extern const struct order_algo order_algo_none;	/* order_fifo.c */
extern const struct order_algo order_algo_fifo;	/* order_fifo.c */
extern const struct order_algo order_algo_total;	/* order_total.c */
extern const struct order_algo order_algo_causal;	/* order_causal.c */
extern const struct order_algo order_algo_sequencer;	/* order_sequencer.c */

#endif
