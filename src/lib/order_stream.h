/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The streams (order_stream.c): one other member's stream of DATA as this
 * peer receives it, in struct stream (its member's rx), and the calls of
 * the front and membership into it.  Its invariant is at the top of
 * order_stream.c.  Not a public header.
 */
#ifndef MPCOMM_ORDER_STREAM_H
#define MPCOMM_ORDER_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "mpcomm/msg.h"

struct order;

/*
 * Datagram counters remembered per member, against replays (RFC 4303
 * section 3.4.3).  A sender numbers all its datagrams, to every member, so
 * a receiver sees gaps; the window must cover the reordering of a flood
 * under the emulation's delay jitter (1024 did not): 8 KiB per member.
 */
#define REPLAY_WINDOW	65536

/*
 * A DATA of another member, by seq % window: held back until its
 * predecessors from the same sender arrive, then kept after processing
 * (seq <= processed) so that it can be relayed in a view change.
 */
struct slot {
	uint64_t	 ts;
	uint64_t	 send_us;
	uint32_t	 seq;		/* 0: empty */
	bool		 early;		/* none mode: delivered on receipt */
};

/* One other member's stream of DATA, as received. */
struct stream {
	uint32_t	 processed;	/* contiguous seq processed */
	uint32_t	 held_hi;	/* highest seq held back (0: none) */
	struct slot	*ring;		/* window slots, index seq % window */
	bool		 has_end;
	/* The replay window, over all its datagrams (keyed runs only). */
	uint32_t	 replay_hi;	/* highest datagram counter seen */
	uint64_t	 replay_seen[REPLAY_WINDOW / 64];	/* bit c % window */
};

/* The streams, below the front and membership. */
/* Allocates q's ring (another member's stream); -1 with errno set. */
int	 stream_init(struct order *o, unsigned q);
/* Frees q's ring; again, or for a stream never set up, does nothing. */
void	 stream_free(struct order *o, unsigned q);
/* A new DATA of q; past_cut: membership says its sender departed first. */
void	 stream_on_data(struct order *o, unsigned q, const struct msg_data *d,
	    bool past_cut, uint64_t now);
/* Whether q's datagram numbered c is new (not a replay), and notes it
 * seen; only for a datagram whose MAC has verified (keyed runs). */
bool	 stream_fresh_counter(struct order *o, unsigned q, uint32_t c);
/* q's END, saying how many DATA its stream holds. */
void	 stream_on_end(struct order *o, unsigned q, uint32_t total);
/* q's stream ends at cut (its sender departed): drops what is held back
 * past it, never to be processed. */
void	 stream_cut(struct order *o, unsigned q, uint32_t cut);
/* Processes q's held-back DATA in seq order up to limit; true if any. */
bool	 stream_advance(struct order *o, unsigned q, uint32_t limit,
	    uint64_t now);
/* One DATA in its sender's order (mine as I stamp it) to the algorithm. */
void	 stream_process(struct order *o, unsigned q, const struct slot *sl,
	    uint64_t now);
/* Delivers what the algorithm says is deliverable, unless frozen. */
bool	 stream_deliver_ready(struct order *o, uint64_t now);
/* A view change: delivers every held message up to the frontier (f_ts,
 * f_id) the survivors agreed on, acknowledged or not. */
bool	 stream_deliver_upto(struct order *o, uint64_t f_ts, uint16_t f_id,
	    uint64_t now);
/* The view event of the view just installed, in the delivery sequence. */
void	 stream_deliver_view(struct order *o, uint64_t now);

#endif
