/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Judging a run with views (README "Views: surviving a dead peer").  The
 * survivors are the members of the last view the finished peers installed;
 * the departed are the others.  The run is ok when:
 *
 *  - the survivors installed the same views and, in total order, their
 *    logs are identical, view lines included;
 *  - every survivor's message is delivered by every survivor exactly once,
 *    and each departed member's message by all survivors or by none;
 *  - every log keeps per-sender FIFO order (fifo and total);
 *  - a departed member's log, when it comes, is consistent: without its
 *    view lines and without the messages of departed senders past what the
 *    survivors delivered of them (the cut), it is a prefix of the
 *    survivors' log (total) or delivers nothing they did not (fifo, none).
 *
 * A departed member whose log never came is noted, not held against the
 * survivors.  Mismatched rounds are counted among the survivors.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs.h"

/* Every member of a run of n. */
#define ALL(n)	((n) >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << (n)) - 1)

/* Deliveries of each (sender, seq) in one log, seq 1..m, saturating. */
struct tally {
	uint8_t		*c;		/* n x (m + 1); NULL: no log */
};

static bool
has(const struct report *rp, const struct tally *t, unsigned s, uint32_t q)
{
	return t->c && t->c[(size_t)s * (rp->p.m + 1) + q] > 0;
}

/* The last view a log installed (0, all: none) and its members. */
static uint32_t
last_view(const struct peer_log *l, uint64_t all, uint64_t *members)
{
	if (l->nviews == 0) {
		*members = all;
		return 0;
	}
	*members = l->views[l->nviews - 1].members;
	return l->views[l->nviews - 1].view;
}

bool
compare_has_views(const struct report *rp)
{
	unsigned i;

	for (i = 0; i < rp->p.n; i++)
		if (rp->log[i].received && (rp->log[i].nviews > 0 ||
		    rp->log[i].status == RUN_STATUS_EXCLUDED))
			return true;
	return false;
}

/* The log with the highest last view, the lowest id first: among the ok
 * logs, or among all received ones; -1 when there is none. */
static int
pick_reference(const struct peer_log *log, unsigned n, bool ok_only)
{
	uint64_t mb;
	unsigned i;
	int best = -1;

	for (i = 0; i < n; i++) {
		const struct peer_log *l = &log[i];

		if (!l->received || (ok_only && l->status != RUN_STATUS_OK))
			continue;
		if (best < 0 || last_view(l, 0, &mb) >
		    last_view(&log[best], 0, &mb))
			best = (int)i;
	}
	return best;
}

uint64_t
compare_survivors(const struct peer_log *log, unsigned n)
{
	int ref = pick_reference(log, n, true);
	uint64_t members;

	if (ref < 0 || log[ref].nviews == 0)
		return 0;
	(void)last_view(&log[ref], ALL(n), &members);
	return members & ALL(n);
}

/* Counts one log's deliveries into t (allocated) and its figures into r. */
static int
tally_log(const struct report *rp, const struct peer_log *l, struct tally *t,
    struct peer_result *r)
{
	memset(r, 0, sizeof(*r));
	if (!l->received)
		return 0;
	if (!(t->c = calloc((size_t)rp->p.n * (rp->p.m + 1), 1)))
		return -1;
	compare_count(rp, l, t->c, r);
	return 0;
}

/* Survivors and departed, from the reference log's last view. */
static void
set_sides(struct report *rp)
{
	const struct peer_log *ref;
	uint64_t all = ALL(rp->p.n);
	unsigned i;
	size_t k;

	if ((rp->ref = pick_reference(rp->log, rp->p.n, true)) < 0)
		rp->ref = pick_reference(rp->log, rp->p.n, false);
	ref = &rp->log[rp->ref];
	(void)last_view(ref, all, &rp->survivors);
	rp->survivors &= all;
	rp->departed = all & ~rp->survivors;
	rp->views = (uint32_t)ref->nviews;
	for (i = 0; i < rp->p.n; i++) {
		struct peer_result *r = &rp->r[i];

		if (!(rp->departed >> i & 1))
			continue;
		r->departed = true;
		for (k = 0; k < ref->nviews && !r->departed_view; k++)
			if (!(ref->views[k].members >> i & 1))
				r->departed_view = ref->views[k].view;
	}
}

/*
 * The part of a departed stream that every survivor holds contiguously: in
 * none mode a survivor delivers on receipt, so it may have delivered a
 * departed member's message past a gap that nobody could fill, and the
 * survivors agree on the stream only up to its cut (mpcomm(7), Views).
 */
static uint32_t
common_prefix(const struct report *rp, const struct tally *t, unsigned d)
{
	uint32_t q, best = rp->p.m;
	unsigned i;

	for (i = 0; i < rp->p.n; i++) {
		if (!(rp->survivors >> i & 1))
			continue;
		for (q = 1; q <= best && has(rp, &t[i], d, q); q++)
			;
		best = q - 1;
	}
	return best;
}

/* cut[d]: the highest seq of departed member d that a survivor delivered
 * (none mode: that every survivor delivered without a gap). */
static void
departed_cuts(const struct report *rp, const struct tally *t, uint32_t *cut)
{
	unsigned d, i;
	uint32_t q;

	for (d = 0; d < rp->p.n; d++) {
		if (!(rp->departed >> d & 1))
			continue;
		if (rp->p.mode == ORDER_NONE) {
			cut[d] = common_prefix(rp, t, d);
			continue;
		}
		for (i = 0; i < rp->p.n; i++) {
			if (!(rp->survivors >> i & 1))
				continue;
			for (q = rp->p.m; q > cut[d]; q--)
				if (has(rp, &t[i], d, q)) {
					cut[d] = q;
					break;
				}
		}
	}
}

/*
 * What each survivor lacks of what every survivor must deliver (all the
 * survivors' messages, the departed members' up to their cut), and the
 * departed members' messages that only some survivors delivered.
 */
static void
judge_survivors(struct report *rp, const struct tally *t, const uint32_t *cut)
{
	unsigned s, i, have, want;
	uint32_t q, lim;

	for (s = 0; s < rp->p.n; s++) {
		lim = rp->survivors >> s & 1 ? rp->p.m : cut[s];
		for (q = 1; q <= lim; q++) {
			have = want = 0;
			for (i = 0; i < rp->p.n; i++) {
				if (!(rp->survivors >> i & 1))
					continue;
				want++;
				if (has(rp, &t[i], s, q))
					have++;
				else
					rp->r[i].missing++;
			}
			if (rp->departed >> s & 1 && have && have < want)
				rp->partial++;
		}
	}
}

/* The survivors' views against the reference's: the same views, and in
 * total order at the same positions. */
static void
judge_views(struct report *rp)
{
	const struct peer_log *ref = &rp->log[rp->ref];
	bool same, moved;
	unsigned i;
	size_t k;

	for (i = 0; i < rp->p.n; i++) {
		const struct peer_log *l = &rp->log[i];

		if (!(rp->survivors >> i & 1) || !l->received ||
		    (int)i == rp->ref)
			continue;
		same = l->nviews == ref->nviews;
		moved = false;
		for (k = 0; same && k < l->nviews; k++) {
			same = l->views[k].view == ref->views[k].view &&
			    l->views[k].members == ref->views[k].members;
			moved |= l->views[k].at != ref->views[k].at;
		}
		if (!same)
			rp->views_differ++;
		else if (moved && rp->p.mode == ORDER_TOTAL)
			rp->views_moved++;
	}
}

/* A view of a departed member's log is the survivors' view of that number. */
static bool
view_known(const struct peer_log *ref, const struct log_view *v)
{
	size_t k;

	for (k = 0; k < ref->nviews; k++)
		if (ref->views[k].view == v->view)
			return ref->views[k].members == v->members;
	return false;
}

/* Whether departed member l's log is consistent with the survivors'. */
static bool
departed_consistent(const struct report *rp, const struct peer_log *l,
    const struct tally *tref, const uint32_t *cut)
{
	const struct peer_log *ref = &rp->log[rp->ref];
	size_t i, j = 0;

	for (i = 0; i < l->nviews; i++)
		if (!view_known(ref, &l->views[i]))
			return false;
	for (i = 0; i < l->n; i++) {
		unsigned s = (unsigned)(l->keys[i] >> 32);
		uint32_t q = (uint32_t)l->keys[i];

		if (s >= rp->p.n || q == 0 || q > rp->p.m)
			return false;
		/* Past the cut: what it delivered that the survivors could
		 * not have, since the sender departed before sending more. */
		if (rp->departed >> s & 1 && q > cut[s])
			continue;
		if (rp->p.mode == ORDER_TOTAL) {
			if (j >= ref->n || ref->keys[j] != l->keys[i])
				return false;
			j++;
		} else if (!has(rp, tref, s, q)) {
			return false;
		}
	}
	return true;
}

static void
judge_departed(struct report *rp, const struct tally *t, const uint32_t *cut)
{
	unsigned i;

	for (i = 0; i < rp->p.n; i++) {
		if (!(rp->departed >> i & 1) || !rp->log[i].received)
			continue;
		if (!departed_consistent(rp, &rp->log[i], &t[rp->ref], cut)) {
			rp->r[i].inconsistent = true;
			rp->inconsistent++;
		}
	}
}

/*
 * The run's figures: duplicates, FIFO violations and unknown entries of
 * every log; delivered and missing of the survivors; mismatched rounds
 * among them, over at least what they all must deliver.
 */
static void
aggregate(struct report *rp, const uint32_t *cut)
{
	uint64_t len = 0, expected = 0;
	unsigned i;

	for (i = 0; i < rp->p.n; i++) {
		const struct peer_result *r = &rp->r[i];

		rp->duplicates += r->duplicates;
		rp->fifo_violations += r->fifo_violations;
		rp->unexpected += r->unexpected;
		if (r->departed) {
			expected += cut[i];
			continue;
		}
		expected += rp->p.m;
		rp->missing += r->missing;
		if (r->delivered < rp->delivered_min)
			rp->delivered_min = r->delivered;
		if (r->delivered > rp->delivered_max)
			rp->delivered_max = r->delivered;
		if (rp->log[i].n > len)
			len = rp->log[i].n;
	}
	rp->judged = len > expected ? len : expected;
	compare_mismatched(rp, rp->survivors, rp->judged);
	compare_causal(rp);
}

/* Who departed, in which view, and what became of them: the note. */
static void
departed_note(struct report *rp)
{
	char *p = rp->note;
	size_t cap = sizeof(rp->note), len;
	unsigned i;

	for (i = 0; i < rp->p.n; i++) {
		const struct peer_log *l = &rp->log[i];

		if (!rp->r[i].departed || (len = strlen(p)) + 1 >= cap)
			continue;
		snprintf(p + len, cap - len, "%speer %u departed in view %"
		    PRIu32 " (%s%s%s%s)", len ? "; " : "", i,
		    rp->r[i].departed_view, l->received ?
		    run_status_name(l->status) : "no log",
		    l->received && l->reason[0] ? ": " : "", l->received ?
		    l->reason : "", rp->r[i].inconsistent ? ", inconsistent" :
		    "");
	}
}

/* A survivor that did not finish ok: why, into rp (status, problem). */
static const char *
survivor_trouble(struct report *rp)
{
	unsigned i;

	for (i = 0; i < rp->p.n; i++) {
		const struct peer_log *l = &rp->log[i];

		if (!(rp->survivors >> i & 1))
			continue;
		if (!l->received) {
			rp->status = RUN_STATUS_TIMEOUT;
			return "not every survivor sent its log";
		}
		if (l->status == RUN_STATUS_OK || l->error[0])
			continue;
		rp->status = l->status == RUN_STATUS_ABORTED ?
		    RUN_STATUS_ABORTED : RUN_STATUS_FAILED;
		if (!rp->problem[0])
			snprintf(rp->problem, sizeof(rp->problem), "peer %u "
			    "%s%s%s", i, l->status == RUN_STATUS_ABORTED ?
			    "aborted the run" : "says it was excluded, but the "
			    "survivors' last view has it", l->reason[0] ?
			    ": " : "", l->reason);
		return "a survivor did not finish";
	}
	return NULL;
}

/* The run's status; returns why it is not ok (NULL when it is). */
static const char *
views_status(struct report *rp)
{
	const char *why = NULL;

	rp->status = RUN_STATUS_FAILED;
	if (rp->end == RUN_INTERRUPTED) {
		rp->status = RUN_STATUS_ABORTED;
		return "interrupted";
	}
	if (rp->end == RUN_STALLED) {
		rp->status = RUN_STATUS_TIMEOUT;
		return "no progress";
	}
	if ((why = survivor_trouble(rp)) || compare_log_error(rp, &why))
		return why;
	if (rp->views_differ)
		return "the survivors installed different views";
	if (rp->partial)
		return "a departed member's message was delivered by some "
		    "survivors only";
	if (rp->missing || rp->duplicates || rp->unexpected)
		return "messages missing, duplicated or unknown";
	if (rp->p.mode != ORDER_NONE && rp->fifo_violations)
		return "per-sender FIFO order broken";
	if (rp->p.mode == ORDER_TOTAL && rp->mismatched)
		return "survivors delivered in different orders";
	if (rp->p.mode == ORDER_CAUSAL && rp->causal_violations)
		return rp->causal_violations < 0 ? "out of memory judging "
		    "causal order" : "causal order broken";
	if (rp->views_moved)
		return "the survivors installed a view at different positions";
	if (rp->inconsistent)
		return "a departed member's log contradicts the survivors'";
	rp->status = RUN_STATUS_OK;
	return NULL;
}

void
compare_views(struct report *rp)
{
	struct tally t[MSG_MAX_PEERS];
	uint32_t cut[MSG_MAX_PEERS] = { 0 };
	const char *why;
	bool oom = false;
	unsigned i;

	memset(t, 0, sizeof(t));
	for (i = 0; i < rp->p.n; i++)
		if (tally_log(rp, &rp->log[i], &t[i], &rp->r[i]) < 0)
			oom = true;
	set_sides(rp);
	if (!oom) {
		departed_cuts(rp, t, cut);
		judge_survivors(rp, t, cut);
		judge_views(rp);
		judge_departed(rp, t, cut);
	}
	aggregate(rp, cut);
	departed_note(rp);
	if (oom) {
		rp->status = RUN_STATUS_FAILED;
		why = "out of memory: the logs could not be judged";
	} else {
		why = views_status(rp);
	}
	if (why && !rp->problem[0])
		snprintf(rp->problem, sizeof(rp->problem), "%s", why);
	for (i = 0; i < rp->p.n; i++)
		free(t[i].c);
}
