/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The ordering core's state, shared by its two halves: order.c (receipt,
 * ACK states, the delivery rule, phases, timers) and order_send.c (building
 * datagrams: new DATA, ACK states, SACKs, timestamp echoes, resends).  Not a
 * public header: programs see only include/mpcomm/order.h.
 */
#ifndef MPCOMM_ORDER_IMPL_H
#define MPCOMM_ORDER_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "mpcomm/auth.h"
#include "mpcomm/msg.h"
#include "mpcomm/order.h"
#include "mpcomm/pq.h"
#include "mpcomm/rto.h"

#define PENDING_SLOTS	4	/* uncounted ACK states kept per member */
/*
 * Datagram counters remembered per member, against replays (RFC 4303
 * section 3.4.3).  A sender numbers all its datagrams, to every member, so
 * a receiver sees gaps; the window must cover the reordering of a flood
 * under the emulation's delay jitter (1024 did not): 8 KiB per member.
 */
#define REPLAY_WINDOW	65536

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
	uint32_t	 held_hi;	/* highest seq held back (0: none) */
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
	uint32_t	 acked;		/* my DATA it processed (its S[self]) */
	uint32_t	 dlvd;		/* my DATA it delivered */
	uint64_t	 d_ts;		/* its delivery frontier */
	uint16_t	 d_id;
	bool		 finished;	/* its finished flag seen */
	bool		 confirmed;	/* handshake */
	uint64_t	 last_heard;
	struct rto	 rto;		/* from its timestamp echoes */
	uint32_t	 replay_hi;	/* highest datagram counter seen */
	uint64_t	 replay_seen[REPLAY_WINDOW / 64];	/* bit c % window */

	/* What we owe it. */
	bool		 ack_due;
	bool		 hs_ack_due;
	bool		 hb_due;
	bool		 reply_due;
	bool		 sack_due;	/* its stream has a hole: say what we hold */
	bool		 resend_due;	/* its SACK showed a loss: repair now */
	bool		 echo_due;
	uint32_t	 echo_tsval;	/* its newest tsval, to echo */
	bool		 echo_valid;
	uint64_t	 echo_at;	/* when it arrived */
	uint64_t	 last_sent;
	uint64_t	 last_sack;
	uint64_t	 next_due;	/* no resend to it is due before */
};

/* One of my own DATA, kept until every member has delivered it. */
struct sent {
	uint64_t	 ts;
	uint64_t	 send_us;
};

/* Per (own DATA, member): index (seq % window) * n + member. */
struct sent_to {
	uint64_t	 deadline;	/* next resend; SACKED: held there */
	uint64_t	 txtime;	/* last transmission */
	uint8_t		 tries;
};
#define SACKED		UINT64_MAX

struct order {
	struct order_config cfg;
	order_deliver_fn deliver;
	void		*arg;

	enum order_phase phase;
	uint64_t	 clock;		/* Lamport clock */
	uint64_t	 clock_bound;	/* no legitimate ts or C exceeds it */
	uint32_t	 stamped;	/* K: my highest stamped seq */
	uint32_t	 sent_upto;	/* my highest seq transmitted once */
	uint32_t	 self_dlvd;	/* my DATA I delivered */
	uint64_t	 d_ts;		/* my delivery frontier (total order) */
	uint16_t	 d_id;
	bool		 end_sent;
	uint64_t	 next_hs;	/* next READY round */
	uint64_t	 next_hb;	/* next finished-flag heartbeat */
	uint64_t	 progress_sig;	/* sum of every progress counter */
	uint64_t	 progress_at;	/* when it last moved */
	unsigned	 echo_next;	/* round robin over echo entries */
	uint32_t	 counter;	/* my last datagram's number */
	unsigned	 tick_first;	/* where the last tick began */
	uint32_t	 view;		/* installed view: 0 is START's */
	uint64_t	 vmask;		/* its members */

	struct member	*m;
	struct sent	*store;		/* window entries */
	struct sent_to	*to;		/* window x n */
	struct pq	*pq;		/* total order hold queue */
	size_t		 held;		/* DATA in hold-back slots */

	struct order_stats st;
	bool		 keyed;
	struct auth_key	 key;		/* this run's datagram key */
	char		 reason[160];
	uint32_t	*state_s;	/* scratch: my S vector */
	uint8_t		 payload[MSG_MAX_PAYLOAD];
	uint8_t		 sack_bits[MSG_SACK_MAX_BITS / 8];
	struct msg_dgram dg;		/* decode scratch */
};

static inline struct sent_to *
order_sent_to(struct order *o, uint32_t seq, unsigned q)
{
	return &o->to[(size_t)(seq % o->cfg.window) * o->cfg.n + q];
}

static inline uint64_t
order_others(const struct order *o)
{
	uint64_t all = o->cfg.n == 64 ? ~UINT64_C(0) :
	    (UINT64_C(1) << o->cfg.n) - 1;

	return all & ~(UINT64_C(1) << o->cfg.self);
}

/* order_send.c */
void	 order_send_new_data(struct order *o, uint64_t now,
	    struct order_outbox *box);
void	 order_send_control(struct order *o, uint64_t now,
	    struct order_outbox *box);
void	 order_send_ready(struct order *o, uint64_t now,
	    struct order_outbox *box);
void	 order_resend_to(struct order *o, unsigned q, uint64_t now,
	    struct order_outbox *box);
/* Applies a SACK of my stream from q (rule 6, selective). */
void	 order_on_sack(struct order *o, unsigned q, const struct msg_sack *sk,
	    uint64_t now);
/* Takes the RTT samples that an ECHO from q holds for me. */
void	 order_on_echo(struct order *o, unsigned q, const struct msg_echo *e,
	    uint64_t now);

#endif
