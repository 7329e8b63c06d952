/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The ordering core of one peer for one run: Lamport clock, per-sender
 * streams with FIFO hold-back, ACK states, the total-order hold queue, the
 * retransmission store with selective acknowledgement, handshake, END,
 * heartbeats, failure and stall detection, and views: a member silent for
 * the suspicion timeout is left behind by the others, who agree on a new
 * view without it (order_view.c) and go on.
 *
 * It is plain C over one state struct: no sockets, threads or clock reads.
 * Every entry point takes `now` (microseconds, any monotonic origin) and
 * appends the datagrams to send to an outbox; deliveries are reported through
 * a callback, in delivery order.  Not thread-safe: the caller serialises all
 * calls on one core (the peer holds one mutex around it).
 */
#ifndef MPCOMM_ORDER_H
#define MPCOMM_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpcomm/msg.h"

enum order_mode {
	ORDER_NONE,		/* deliver on receipt */
	ORDER_FIFO,		/* per-sender order */
	ORDER_TOTAL,		/* Lamport total order, all-ACK delivery */
	ORDER_CAUSAL,		/* vector clocks: causal order, not total */
	ORDER_SEQUENCER		/* a fixed sequencer numbers every message */
};

/* Whether every member must deliver the same sequence in mode m. */
static inline int
order_mode_total(enum order_mode m)
{
	return m == ORDER_TOTAL || m == ORDER_SEQUENCER;
}

enum order_phase {
	ORDER_HANDSHAKE,	/* READY sent, not every member confirmed */
	ORDER_RUNNING,
	ORDER_FINISHED,		/* everything delivered; waiting for flags */
	ORDER_DONE,		/* every member finished: quiet */
	ORDER_ABORTED,		/* given up (silence, stall, minority) */
	ORDER_EXCLUDED		/* the others installed a view without us */
};

/* What the survivors do when a member fails (is silent too long). */
enum order_on_failure {
	ORDER_CONTINUE,		/* a new view without it (virtual synchrony) */
	ORDER_ABORT		/* abort the run after the peer timeout */
};

struct order_config {
	uint64_t	 run;
	unsigned	 self;		/* this peer's id, < n */
	unsigned	 n;		/* members, 2..MSG_MAX_PEERS */
	enum order_mode	 mode;
	uint32_t	 messages;	/* each member sends this many */
	uint16_t	 payload_len;	/* bytes of payload per DATA */
	uint32_t	 window;	/* stamped beyond the slowest ACK */
	uint64_t	 rto_init_us;	/* first retransmission timeout */
	uint64_t	 rto_min_us;
	uint64_t	 rto_max_us;
	uint64_t	 hb_interval_us;
	uint64_t	 hs_interval_us;	/* first READY retry interval */
	/*
	 * Bytes this peer may send, over the whole run, to members it has not
	 * heard from yet (0: no limit).  A peer gives twice the size of the
	 * START it took, so that a START naming a stranger's address makes
	 * it no traffic source.
	 */
	uint64_t	 unanswered_budget;
	uint64_t	 peer_timeout_us;	/* silence that aborts a run */
	uint64_t	 stall_timeout_us;	/* no progress: abort (0: never) */
	enum order_on_failure on_failure;
	uint64_t	 suspect_us;	/* ORDER_CONTINUE: silence that suspects */
	/* With a key (the shared key, or the run's secret from START),
	 * every datagram is authenticated (auth.h). */
	const struct auth_key *key;	/* NULL: none; copied at creation */
};

enum order_event {
	ORDER_EV_MESSAGE,	/* a message delivered */
	ORDER_EV_VIEW		/* a view installed: view, members */
};

/*
 * One event of the delivery sequence.  A view event stands where every
 * survivor installs that view: after the same messages at every survivor.
 */
struct order_delivery {
	enum order_event kind;
	uint32_t	 view;		/* ORDER_EV_VIEW: 1, 2, ... */
	uint64_t	 members;	/* ORDER_EV_VIEW: bit i = member i */
	uint64_t	 ts;
	uint64_t	 send_us;	/* sender's clock at stamping */
	uint64_t	 now;		/* the `now` of the call that delivered */
	uint32_t	 seq;
	uint16_t	 sender;
};

typedef void (*order_deliver_fn)(void *arg, const struct order_delivery *d);

/* Counters, all monotonic within a run. */
struct order_stats {
	uint64_t	 dgrams_in;	/* datagrams handed to the core */
	uint64_t	 dgrams_out;	/* datagrams put in outboxes */
	uint64_t	 data_in;	/* new DATA accepted */
	uint64_t	 data_dup;	/* duplicate DATA dropped */
	uint64_t	 data_out;	/* DATA records sent for the first time */
	uint64_t	 retransmits;	/* DATA records sent again */
	uint64_t	 delivered;
	uint64_t	 drop_decode;	/* malformed datagrams */
	uint64_t	 drop_run;	/* another run's datagrams */
	uint64_t	 drop_sender;	/* unknown address or wrong sender id */
	uint64_t	 drop_field;	/* absurd field values */
	uint64_t	 drop_window;	/* DATA beyond the hold-back window */
	/* Values no run can reach, by cause (STATUS's drop_bound is both): */
	uint64_t	 drop_clock;	/* a timestamp or clock above the run's
					   bound, an echo held past its trip */
	uint64_t	 drop_unsent;	/* an ACK or SACK of DATA never sent */
	uint64_t	 drop_payload;	/* payload not what the sender sends */
	uint64_t	 drop_auth;	/* MAC missing or wrong */
	uint64_t	 drop_replay;	/* authenticated, but seen before */
	uint64_t	 drop_view;	/* from a member no longer in the view */
	uint64_t	 lies;		/* view-change answers refused as lies */
	uint64_t	 liars;		/* bit i: member i was caught lying */
	uint64_t	 views;		/* views installed after the first */
	uint64_t	 pq_full;	/* hold queue refused a message (out of
					   memory or a bug): the run aborts */
	uint64_t	 sacks_out;	/* selective acknowledgements sent */
	uint64_t	 sacks_in;
	uint64_t	 outbox_full;	/* output deferred: outbox full */
	uint64_t	 unanswered_held;	/* datagrams not sent to members
					   never heard from: budget spent */
};

/* One datagram to send, to every member whose bit is set in dests. */
struct order_out {
	uint64_t	 dests;
	size_t		 len;
	uint8_t		 buf[MSG_MAX_DGRAM];
};

struct order_outbox {
	struct order_out *d;
	size_t		 n;
	size_t		 cap;
};

struct order;

/* Defaults suited to a LAN or localhost; the caller sets run, ids, mode. */
void		 order_config_defaults(struct order_config *cfg);
/* Checks a configuration; returns NULL or a description of the problem. */
const char	*order_config_check(const struct order_config *cfg);

/* An outbox of cap datagrams.  Returns 0, or -1 with errno. */
int		 order_outbox_init(struct order_outbox *box, size_t cap);
void		 order_outbox_free(struct order_outbox *box);

/*
 * Creates a core for one run; deliver(arg, d) is called for each delivered
 * message, in order.  NULL with errno on failure (EINVAL: bad config).
 */
struct order	*order_create(const struct order_config *cfg,
		    order_deliver_fn deliver, void *arg);
void		 order_destroy(struct order *o);

struct trace;
/*
 * Records this core's events into tr (trace.h), or stops with NULL.  The
 * caller owns tr and detaches it before it frees it.
 */
void		 order_set_trace(struct order *o, struct trace *tr);

/* Begins the run: READY to every other member. */
void		 order_start(struct order *o, uint64_t now,
		    struct order_outbox *box);

/*
 * Consumes one received datagram.  from is the member id the caller found
 * for the source address, or -1 when the address is not a member.  Invalid
 * input is dropped and counted, never trusted.  What the input makes due
 * (ACK states, answers) goes out at the next order_flush() or order_tick(),
 * so that a batch of datagrams is acknowledged once.
 */
void		 order_input(struct order *o, uint64_t now, int from,
		    const uint8_t *buf, size_t len);

/* How many DATA fit one datagram beside the records every datagram carries:
 * a flooding sender stamps that many at a time. */
uint32_t	 order_flood_batch(const struct order *o);

/* How many messages may be stamped now (handshake done, window open). */
uint32_t	 order_stampable(const struct order *o);

/*
 * Stamps up to max new messages and puts them in the outbox at once.
 * Returns how many were stamped.
 */
uint32_t	 order_stamp(struct order *o, uint64_t now, uint32_t max,
		    struct order_outbox *box);

/* Sends ACK states that are due (coalesced acknowledgements). */
void		 order_flush(struct order *o, uint64_t now,
		    struct order_outbox *box);

/* Timers: handshake retries, resends, heartbeats, failure detection. */
void		 order_tick(struct order *o, uint64_t now,
		    struct order_outbox *box);

/*
 * The earliest monotonic time (in the clock of the `now` passed in) at
 * which order_tick() has something to do: a handshake retry, a resend, a
 * SACK, a heartbeat, a suspicion, a view change's retransmission, the peer
 * or stall timeout, and a call at least every half suspicion timeout while
 * the run is watched (a longer gap is taken for the caller's own pause).  0 when output is owed now (DATA stamped but not sent,
 * records left over from a full outbox): call order_flush() or
 * order_tick().  UINT64_MAX when nothing is timed (the run is aborted or
 * excluded).  Computed from the state alone; it reads no clock.  It may be
 * early, never late: a timer whose cause went away meanwhile (an ACK that
 * covered a resend) makes one tick with nothing to do, after which the
 * deadline moves on.
 */
uint64_t	 order_next_deadline(const struct order *o);

/*
 * Gives up on a run that has not finished (ABORT from the comparison server,
 * or the program's own decision): the core goes quiet in ORDER_ABORTED with
 * why as its reason.  Returns 0, or -1 when the run had already finished or
 * was already aborted (nothing changes then).
 */
int		 order_abort(struct order *o, const char *why);

enum order_phase order_phase(const struct order *o);
const char	*order_phase_name(enum order_phase p);
/* Why the run was aborted ("" otherwise). */
const char	*order_abort_reason(const struct order *o);
const struct order_stats *order_stats(const struct order *o);
/* Messages held: hold-back buffers plus the total-order queue. */
size_t		 order_queue_len(const struct order *o);
uint32_t	 order_stamped(const struct order *o);
const struct order_config *order_config(const struct order *o);

/* The installed view: its number (0: START's members) and members. */
uint32_t	 order_view(const struct order *o, uint64_t *members);

/*
 * Parses a suspicion timeout in ms (a flag, or START's suspect=): 0, or -1
 * with why set (not a number up to an hour, or not above two heartbeat
 * intervals).
 */
int		 order_suspect_parse(const char *s, uint64_t *ms,
		    const char **why);
const char	*order_on_failure_name(enum order_on_failure f);
/* Parses "continue" or "abort"; returns 0 or -1. */
int		 order_on_failure_parse(const char *s, enum order_on_failure *f);

const char	*order_mode_name(enum order_mode m);
/* Parses "none", "fifo", "total", "causal" or "sequencer"; 0 or -1. */
int		 order_mode_parse(const char *s, enum order_mode *m);

#endif
