/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The ordering core's state, shared by order.c (receipt, phases, timers),
 * order_stream.c (the streams), order_send.c (building datagrams: new
 * DATA, ACK states, SACKs, timestamp echoes, resends) and order_view.c
 * (membership).  A sender's stream as received is struct stream, in
 * order_stream.h, written by order_stream.c alone (as is held, the count
 * of DATA held back); the ordering algorithm keeps its own state behind
 * order_algo.h.  Not a public header: programs see only
 * include/mpcomm/order.h.
 */
#ifndef MPCOMM_ORDER_IMPL_H
#define MPCOMM_ORDER_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mpcomm/auth.h"
#include "mpcomm/msg.h"
#include "mpcomm/order.h"
#include "mpcomm/rto.h"
#include "mpcomm/trace.h"
#include "order_algo.h"
#include "order_flaw.h"
#include "order_stream.h"

/* What this peer knows about, and owes to, one other member. */
struct member {
	struct stream	 rx;		/* its DATA, as received */

	/* What it has of my stream, for resends, END and the window (S3, L2). */
	uint32_t	 acked;		/* my DATA it processed (its S[self]) */
	uint32_t	 dlvd;		/* my DATA it delivered */

	/* What we heard from it, and its round trip. */
	bool		 finished;	/* its finished flag seen */
	bool		 confirmed;	/* handshake */
	uint64_t	 last_heard;
	uint32_t	 view_seen;	/* the view its last datagram named */
	struct rto	 rto;		/* from its timestamp echoes */

	/* What we owe it. */
	unsigned	 due;		/* DUE_* bits */
	uint64_t	 notice_at;
	uint32_t	 done_ballot;
	uint64_t	 relay_want;	/* streams it asked us to relay */
	uint32_t	 relay_from[MSG_MAX_PEERS];
	uint32_t	 relay_to[MSG_MAX_PEERS];
	uint32_t	 echo_tsval;	/* its newest tsval, to echo */
	bool		 echo_valid;
	uint64_t	 echo_at;	/* when it arrived */
	uint64_t	 last_sent;
	uint64_t	 last_sack;
	uint64_t	 next_due;	/* no resend to it is due before */
};

/* What a member is owed, in member.due: each sent at the next flush. */
enum {
	DUE_ACK		= 1 << 0,	/* our ACK state moved */
	DUE_HS_ACK	= 1 << 1,	/* it sent READY */
	DUE_HB		= 1 << 2,	/* a heartbeat with our finished flag */
	DUE_REPLY	= 1 << 3,	/* an answer to its heartbeat */
	DUE_SACK	= 1 << 4,	/* its stream has a hole: say what we hold */
	DUE_RESEND	= 1 << 5,	/* its SACK showed a loss: repair now */
	DUE_ECHO	= 1 << 6,	/* its newest tsval, for its round trip */
	DUE_NOTICE	= 1 << 7,	/* our views: it is behind */
	DUE_STATE	= 1 << 8,	/* our answer to its proposal */
	DUE_REFUSE	= 1 << 9,	/* its proposal is below our promise */
	DUE_DONE	= 1 << 10,	/* its proposal: we are done, go on */
	DUE_INSTALL	= 1 << 11,	/* coordinator: the install */
	DUE_PROPOSE	= 1 << 12	/* coordinator: the proposal */
};

static inline bool
due_has(const struct member *mb, unsigned bits)
{
	return (mb->due & bits) != 0;
}

static inline void
due_set(struct member *mb, unsigned bits)
{
	mb->due |= bits;
}

static inline void
due_clear(struct member *mb, unsigned bits)
{
	mb->due &= ~bits;
}

static inline void
due_put(struct member *mb, unsigned bits, bool on)
{
	if (on)
		due_set(mb, bits);
	else
		due_clear(mb, bits);
}

/*
 * Views (order_view.c).  A view is named by the ballot that installed it;
 * views[] are the installed views after the run's first (START's members).
 * A view change: the coordinator proposes a ballot, every proposed member
 * freezes (no stamping, processing or delivery) and answers with its state,
 * the coordinator computes the cuts and the frontier and sends INSTALL; a
 * member installs once it holds every stream up to its cut.
 */
struct views {
	unsigned	 n;		/* installed views after the first */
	struct msg_view_entry v[MSG_VIEW_MAX];
	uint64_t	 departed;	/* members of no view since */
	uint32_t	 cut[MSG_MAX_PEERS];	/* a departed stream ends here */
};

/*
 * Where a member stands in a view change, each state entered by one
 * function of order_view.c (enter_steady, enter_frozen, enter_installing).
 */
enum vc_state {
	VC_STEADY,		/* in its installed view: stamps, delivers */
	VC_FROZEN,		/* answered a proposal: no stamping,
				   processing or delivery until an install */
	VC_INSTALLING		/* accepted an install, still frozen: done
				   once every stream reaches its cut */
};

struct vchange {
	enum vc_state	 state;
	uint32_t	 promise;	/* highest ballot answered */
	uint32_t	 seen;		/* highest ballot seen */
	/* The accepted install (VC_INSTALLING). */
	struct views	 inst;		/* the views to have then */
	uint32_t	 inst_cut[MSG_MAX_PEERS];
	uint16_t	 inst_src[MSG_MAX_PEERS];	/* who relays stream i */
	uint64_t	 next_relay_req;
	uint32_t	 relay_mark[MSG_MAX_PEERS];	/* ask again from here */
	unsigned	 relay_alt;	/* last stand-in asked (source silent) */
	/* Suspicion. */
	uint64_t	 suspected;
	uint64_t	 next_report;	/* of suspicions, to the coordinator */
	int		 report_to;	/* -1: none due */
	uint64_t	 last_call;	/* to tell our own pause from silence */
	/* Coordinating a ballot. */
	uint32_t	 c_ballot;	/* 0: not coordinating */
	uint64_t	 c_members;	/* proposed */
	uint64_t	 c_answered;
	uint64_t	 c_conflict;	/* answered with conflicting views */
	uint64_t	 c_done;	/* answered that they are done */
	bool		 c_sent;	/* install computed and sent */
	uint64_t	 c_installed;	/* members whose datagrams carry it */
	struct views	 c_views;	/* longest views among the answers */
	uint32_t	 c_level[MSG_MAX_PEERS][MSG_MAX_PEERS];
	uint64_t	 c_f_ts[MSG_MAX_PEERS];
	uint16_t	 c_f_id[MSG_MAX_PEERS];
	uint64_t	 next_tx;	/* proposal and install retransmission */
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
	const struct order_algo *alg;	/* cfg.mode's */
	void		*alg_state;	/* the algorithm's own */
	unsigned	 flaws;		/* ORDER_FLAW_*: see order_flaw.h */

	enum order_phase phase;
	uint64_t	 clock;		/* Lamport clock */
	uint64_t	 clock_bound;	/* no legitimate ts or C exceeds it */
	uint32_t	 stamped;	/* K: my highest stamped seq */
	uint32_t	 sent_upto;	/* my highest seq transmitted once */
	uint32_t	 self_dlvd;	/* my DATA I delivered */
	bool		 end_sent;
	uint64_t	 next_hs;	/* next READY round */
	unsigned	 hs_rounds;	/* READY rounds so far: they back off */
	uint64_t	 unanswered_left;	/* of cfg.unanswered_budget */
	uint64_t	 next_hb;	/* next finished-flag heartbeat */
	uint64_t	 progress_sig;	/* sum of every progress counter */
	uint64_t	 progress_at;	/* when it last moved */
	unsigned	 echo_next;	/* round robin over echo entries */
	uint32_t	 counter;	/* my last datagram's number */
	unsigned	 tick_first;	/* where the last tick began */
	struct views	 views;		/* the installed view is the last */
	struct vchange	 vc;

	struct member	*m;
	struct sent	*store;		/* window entries */
	struct sent_to	*to;		/* window x n */
	size_t		 held;		/* DATA in hold-back slots, all
					   streams: order_stream.c's */

	struct order_stats st;
	bool		 keyed;
	struct auth_key	 key;		/* this run's datagram key */
	char		 reason[160];
	uint32_t	*state_s;	/* scratch: my S vector */
	uint8_t		 payload[MSG_MAX_PAYLOAD];
	uint8_t		 sack_bits[MSG_SACK_MAX_BITS / 8];
	struct msg_dgram dg;		/* decode scratch */
	/* Last, so that an untraced core lays out as it did before traces. */
	struct trace	*tr;		/* NULL: not traced (the usual case) */
};

/* My delivery frontier: every message before it is delivered here. */
static inline void
order_frontier(const struct order *o, uint64_t *ts, uint16_t *id)
{
	o->alg->frontier(o, ts, id);
}

static inline struct sent_to *
order_sent_to(struct order *o, uint32_t seq, unsigned q)
{
	return &o->to[(size_t)(seq % o->cfg.window) * o->cfg.n + q];
}

/* The installed view, from views: its number (0: START's members) ... */
static inline uint32_t
view_number(const struct order *o)
{
	return o->views.n;
}

/* ... the ballot that installed it (0: START's) ... */
static inline uint32_t
view_ballot(const struct order *o)
{
	return o->views.n ? o->views.v[o->views.n - 1].ballot : 0;
}

/* ... and its members (START's: all n). */
static inline uint64_t
view_members(const struct order *o)
{
	if (o->views.n)
		return o->views.v[o->views.n - 1].members;
	return o->cfg.n == 64 ? ~UINT64_C(0) : (UINT64_C(1) << o->cfg.n) - 1;
}

/* The other members of the installed view. */
static inline uint64_t
order_others(const struct order *o)
{
	return view_members(o) & ~(UINT64_C(1) << o->cfg.self);
}

static inline bool
order_in_view(const struct order *o, unsigned q)
{
	return q != o->cfg.self && (view_members(o) >> q & 1);
}

/* A view change has the core frozen (VC_FROZEN or VC_INSTALLING). */
static inline bool
view_frozen(const struct order *o)
{
	return o->vc.state != VC_STEADY;
}

static inline bool
view_installing(const struct order *o)
{
	return o->vc.state == VC_INSTALLING;
}

/* Our ACK state is owed to every member of the view. */
static inline void
order_mark_ack_due_all(struct order *o)
{
	unsigned q;

	for (q = 0; q < o->cfg.n; q++)
		if (order_in_view(o, q))
			due_set(&o->m[q], DUE_ACK);
}

/* The run ends here (aborted, excluded): why, for the program. */
static inline void
order_stop(struct order *o, enum order_phase p, const char *why)
{
	snprintf(o->reason, sizeof(o->reason), "%s", why);
	o->phase = p;
}

/* Bytes the algorithm adds to each DATA (0 for most). */
static inline size_t
order_data_extra(const struct order *o)
{
	return o->alg->data_extra ? o->alg->data_extra(o) : 0;
}

/* The algorithm's record for stream's DATA seq, before it; 0 or -1. */
static inline int
order_put_extra(struct order *o, struct msg_builder *b, unsigned stream,
    uint32_t seq)
{
	return o->alg->put_extra ? o->alg->put_extra(o, b, stream, seq) : 0;
}

/* Whether q's DATA seq may be taken: its algorithm's record has come. */
static inline bool
order_data_ready(const struct order *o, unsigned q, uint32_t seq)
{
	return !o->alg->data_ready || o->alg->data_ready(o, q, seq);
}

/* order_view.c */
/* A datagram's view: not ours to take (sender left out), a view we do not
 * know (its DATA is not taken), one we know, ours. */
enum view_admit { VIEW_DROP, VIEW_FOREIGN, VIEW_OTHER, VIEW_SAME };
enum view_admit view_admit(struct order *o, unsigned q, uint32_t hview,
	    uint64_t now);
void	 view_on_propose(struct order *o, unsigned q,
	    const struct msg_propose *p);
void	 view_on_view(struct order *o, unsigned q, const struct msg_view *v,
	    uint64_t now);
void	 view_on_suspect(struct order *o, unsigned q, uint64_t members,
	    uint64_t now);
void	 view_on_relay_req(struct order *o, unsigned q,
	    const struct msg_relay_req *r);
void	 view_on_relay(struct order *o, unsigned q, const struct msg_relay *r,
	    uint64_t now);
/* Whether seq of q's stream lies past the cut of a departed stream. */
bool	 view_past_cut(const struct order *o, unsigned q, uint32_t seq);
/* Highest seq of q's stream that may be processed now. */
uint32_t view_limit(const struct order *o, unsigned q);
/* Finishes an install whose streams are complete; true if it did. */
bool	 view_settle(struct order *o, uint64_t now);
/* Whether a finished member may go quiet (done): no install of ours
 * unconfirmed, none that we wait for. */
bool	 view_may_end(struct order *o, uint64_t now);
/* Suspicion, coordination, retransmissions: from order_tick. */
bool	 view_tick(struct order *o, uint64_t now);
/* Notes a call into the core: a long gap means we were paused. */
void	 view_clock(struct order *o, uint64_t now);
void	 view_send(struct order *o, uint64_t now, struct order_outbox *box);
/* The earliest time view_tick() or view_send() has work (for
 * order_next_deadline()); 0: now, UINT64_MAX: none. */
uint64_t view_next_deadline(const struct order *o);

/* order_send.c, for order_view.c */
/* When the SACK owed to mb may go out (rate-limited: sack_now()). */
uint64_t order_sack_at(const struct member *mb);
struct order_out *order_out_slot(struct order *o, struct order_outbox *box);
void	 order_begin_dgram(struct order *o, struct msg_builder *b,
	    uint8_t *buf, uint64_t dests, uint64_t now);
void	 order_out_commit(struct order *o, struct order_outbox *box,
	    struct msg_builder *b, uint64_t dests, uint64_t now);

/* order_send.c */
void	 order_send_new_data(struct order *o, uint64_t now,
	    struct order_outbox *box);
void	 order_send_control(struct order *o, uint64_t now,
	    struct order_outbox *box);
void	 order_send_ready(struct order *o, uint64_t now,
	    struct order_outbox *box);
void	 order_resend_to(struct order *o, unsigned q, uint64_t now,
	    struct order_outbox *box);
/* Applies a SACK of my stream from q (S3, selective). */
void	 order_on_sack(struct order *o, unsigned q, const struct msg_sack *sk,
	    uint64_t now);
/* Takes the RTT samples that an ECHO from q holds for me. */
void	 order_on_echo(struct order *o, unsigned q, const struct msg_echo *e,
	    uint64_t now);

#endif
