/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The judge of a run: from every peer's delivery log, whether the run is
 * ok, and its figures (README "Reading the RESULT line", mpcomm(7)
 * "Views").  One judge for every run: the survivors are the members of
 * the last view the finished peers installed, and a run without views is
 * the case where that view is everybody and nobody departed.  One tally of
 * each log, one status ladder.  Pure: no I/O, no clock; the caller owns
 * every log and frees the verdict with judge_free().
 */
#ifndef MPCOMM_JUDGE_H
#define MPCOMM_JUDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpcomm/msg.h"
#include "mpcomm/order.h"
#include "mpcomm/runstatus.h"

/* A view line of a log: view `view`, installed after its first `at`
 * messages. */
struct judge_view {
	uint64_t	 at;
	uint64_t	 members;	/* bit i: member i */
	uint32_t	 view;
};

/* One peer's delivery log, as the judge reads it (borrowed). */
struct judge_log {
	bool		 received;	/* false: it never came */
	enum run_status	 status;	/* ok | aborted | excluded | failed */
	const char	*reason;	/* aborted: why; "" */
	const char	*error;		/* could not keep its log: why; "" */
	const char	*addr;		/* where it ran, for the problem */
	const uint64_t	*keys;		/* sender << 32 | seq, delivery order */
	size_t		 n;
	const struct judge_view *views;	/* in log order */
	size_t		 nviews;
};

/* How the wait for a run's logs ended. */
enum judge_end {
	JUDGE_COMPLETE,		/* every log came */
	JUDGE_STALLED,		/* no progress for --timeout: aborted */
	JUDGE_INTERRUPTED	/* SIGINT or SIGTERM: aborted */
};

/* What is judged: n logs of a run of n peers sending m messages each. */
struct judge_run {
	unsigned		 n;
	uint32_t		 m;
	enum order_mode		 mode;
	enum judge_end		 end;
	const struct judge_log	*log;
	/* How the caller saw the run end, which comes first in the
	 * problem; NULL or "": nothing to say. */
	const char		*problem;
};

struct judge_peer {
	uint64_t	 delivered;
	uint64_t	 missing;	/* of what it had to deliver */
	uint64_t	 duplicates;
	uint64_t	 fifo_violations;
	uint64_t	 unexpected;	/* entries that name no real message */
	bool		 departed;	/* not in the survivors' last view */
	uint32_t	 departed_view;	/* the view that left it out */
	bool		 inconsistent;	/* departed: its log contradicts the
					   survivors' */
};

#define JUDGE_MAX_POSITIONS	100000	/* mismatched positions listed */

struct judge_verdict {
	enum run_status	 status;	/* ok | failed | aborted | timeout */
	char		 problem[512];	/* the first reason it is not ok */
	char		 note[512];	/* what departed, how */
	uint64_t	 total;		/* N x M; interrupted: the messages sent */
	bool		 judged_sent;	/* interrupted: judged against total */
	uint64_t	 delivered_min, delivered_max;	/* of the survivors */
	uint64_t	 mismatched;	/* positions the survivors differ on */
	uint64_t	 missing, duplicates, fifo_violations, unexpected;
	/* Deliveries, in every log that came, before one of their causal
	 * predecessors: the messages the sender's own log delivered before
	 * it (counted in every mode; only causal mode fails on it). */
	uint64_t	 causal_violations;
	uint64_t	*positions;	/* the first mismatched positions */
	size_t		 npositions;
	struct judge_peer r[MSG_MAX_PEERS];
	/* A run with views: a log has a view line or says excluded. */
	bool		 views_run;
	int		 ref;		/* the survivors' reference log, or -1 */
	uint32_t	 views;		/* view changes the survivors installed */
	uint64_t	 survivors;	/* bit i: peer i; everybody without views */
	uint64_t	 departed;
	uint64_t	 partial;	/* departed members' messages delivered
					   by some survivors only */
	uint64_t	 views_differ;	/* survivors whose views are not the
					   reference's */
	uint64_t	 views_moved;	/* total: same views, elsewhere */
	uint64_t	 inconsistent;	/* departed logs that contradict */
	uint64_t	 judged;	/* positions compared among survivors */
};

/* Judges the run into v (which it clears first; free with judge_free). */
void		 judge(const struct judge_run *run, struct judge_verdict *v);
void		 judge_free(struct judge_verdict *v);
/*
 * The survivors as far as the logs received tell: the members of the
 * highest view among the ok logs.  0 when no ok log has a view line (no
 * views seen yet).
 */
uint64_t	 judge_survivors(const struct judge_log *log, unsigned n);

#endif
