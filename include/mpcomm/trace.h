/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Event traces of one peer in one run, for space-time diagrams: each send,
 * each DATA received (with the Lamport clock after it), each ACK state
 * counted that moved something, each delivery (with its position) and each
 * view installed.  Bounded: only the first `limit` messages of each sender
 * are traced, ACK states at most twice per traced message and member (the
 * entries of S they raise each once per seq, up to the limit), and
 * the trace says when it left something out (cut).  The core records into
 * it with the `now` it is given; nothing here reads a clock, and a core
 * without a trace pays one test of a NULL pointer per event.
 *
 * A trace travels as lines (README "Event traces"), one encoder and one
 * decoder here:
 *   @S <t> <seq> <ts>                      a send (the clock is ts after it)
 *   @R <t> <from> <seq> <ts> <clock>       a DATA received, the clock after
 *   @A <t> <from> <c>                      an ACK state of from counted: C
 *   @K <t> <from> <sender> <seq>           ... and its S[sender] raised to
 *                                          seq (at most the limit); after
 *                                          the @A of that state
 *   @D <t> <pos> <sender> <seq> <ts> <via> a delivery at position pos; via:
 *                                          the index of this trace's latest
 *                                          @A or @R before it, or -1
 *   @V <t> <view> <members>                a view installed (members: hex)
 * t: the peer's monotonic clock, µs.
 */
#ifndef MPCOMM_TRACE_H
#define MPCOMM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_DEFAULT	500	/* messages per sender */
#define TRACE_MAX	5000
#define TRACE_LINE_MAX	128

enum trace_kind {
	TRACE_SEND = 'S',
	TRACE_RECV = 'R',
	TRACE_ACK = 'A',
	TRACE_COVER = 'K',
	TRACE_DELIVER = 'D',
	TRACE_VIEW = 'V'
};

struct trace_ev {
	uint64_t	 t;
	uint64_t	 ts;		/* S R D: the message's; A: C */
	uint64_t	 clock;		/* R: after it; V: members */
	uint64_t	 pos;		/* D: position; V: view number;
					   K: sender */
	int64_t		 via;		/* D: enabling event index, or -1 */
	uint32_t	 seq;
	uint16_t	 peer;		/* R A K: from; D: sender */
	char		 kind;		/* enum trace_kind */
};

struct trace {
	struct trace_ev	*ev;
	size_t		 n;
	size_t		 cap;
	uint32_t	 limit;		/* messages per sender */
	uint64_t	 acks_left;	/* ACK events still allowed */
	uint64_t	 pos;		/* deliveries so far, traced or not */
	int64_t		 cause;		/* latest @A or @R, or -1 */
	bool		 cut;		/* something was left out */
};

/* The largest trace a run of n peers with a limit can make. */
size_t		 trace_capacity(uint32_t limit, unsigned n);
/* A trace of the first limit messages of each of n senders; NULL, errno. */
struct trace	*trace_create(uint32_t limit, unsigned n);
void		 trace_destroy(struct trace *t);

void		 trace_send(struct trace *t, uint64_t now, uint32_t seq,
		    uint64_t ts);
void		 trace_recv(struct trace *t, uint64_t now, unsigned from,
		    uint32_t seq, uint64_t ts, uint64_t clock);
void		 trace_ack(struct trace *t, uint64_t now, unsigned from,
		    uint64_t c);
/*
 * The counted S[sender] of member from rose from old to seq: traced when
 * that raises what the trace can tell (seq capped at the limit).
 */
void		 trace_cover(struct trace *t, uint64_t now, unsigned from,
		    unsigned sender, uint32_t old, uint32_t seq);
void		 trace_deliver(struct trace *t, uint64_t now, unsigned sender,
		    uint32_t seq, uint64_t ts);
void		 trace_view(struct trace *t, uint64_t now, uint32_t view,
		    uint64_t members);

/* One event as a line, without a newline; returns its length. */
int		 trace_format(const struct trace_ev *e, char *buf, size_t cap);
/*
 * Decodes a line into e; 0, or -1 when it is not a well-formed event of a
 * run of n peers (numbers in range, a sender below n, no trailing text).
 */
int		 trace_parse(const char *line, unsigned n, struct trace_ev *e);
/*
 * Whether e, the event at index ix of a trace, is one a run of n peers
 * sending m messages each could make: 0, or -1 with why (a sentence
 * without a full stop) in buf.  Bounds: a sender below n, a seq at most
 * m (and TRACE_MAX, beyond which nothing is traced), a Lamport ts, clock
 * or ACK state C at most trace_clock_bound(n, m), a position below the
 * most a log can hold, a cause before ix.  Whoever takes a trace in
 * checks every event with it, so that what draws a trace can index by
 * seq and peer.  Thread-safe.
 */
int		 trace_check(const struct trace_ev *e, size_t ix, unsigned n,
		    uint32_t m, char *why, size_t cap);
/* The largest Lamport clock a run of n peers and m messages reaches. */
uint64_t	 trace_clock_bound(unsigned n, uint32_t m);
/* One more than the largest delivery position of such a run. */
uint64_t	 trace_pos_bound(unsigned n, uint32_t m);

#endif
