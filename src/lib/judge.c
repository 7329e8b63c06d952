/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The judge of a run.  The survivors are the members of the last view the
 * finished peers installed; in a run without views that is every peer,
 * and nobody departed.  The run is ok when:
 *
 *  - every survivor's log came, none of them could not keep its log, and
 *    every survivor finished ok;
 *  - the survivors installed the same views and, in total order, their
 *    logs are identical, view lines included;
 *  - every survivor's message is delivered by every survivor exactly once,
 *    and each departed member's message by all survivors or by none;
 *  - every log keeps per-sender FIFO order (every mode but none);
 *  - in causal order, no log delivers a message before one of its causal
 *    predecessors (what its sender's own log delivered before it);
 *  - a departed member's log, when it comes, is consistent: without its
 *    view lines and without the messages of departed senders past what the
 *    survivors delivered of them (the cut), it is a prefix of the
 *    survivors' log (total) or delivers nothing they did not (other modes).
 *
 * A departed member whose log never came is noted, not held against the
 * survivors.  Mismatched rounds are the positions, over at least what the
 * survivors must deliver, where one survivor has no entry or another one
 * than the others.  An interrupted run is judged against the messages
 * sent as far as the logs show, not against N x M.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpcomm/judge.h"

/* Every member of a run of n. */
#define ALL(n)	((n) >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << (n)) - 1)

/* Deliveries of each (sender, seq) in one log, seq 1..m, saturating. */
struct tally {
	uint8_t		*c;		/* n x (m + 1); NULL: no log */
};

static bool
has(const struct judge_run *run, const struct tally *t, unsigned s,
    uint32_t q)
{
	return t->c && t->c[(size_t)s * (run->m + 1) + q] > 0;
}

/* The last view a log installed (0, all: none) and its members. */
static uint32_t
last_view(const struct judge_log *l, uint64_t all, uint64_t *members)
{
	if (l->nviews == 0) {
		*members = all;
		return 0;
	}
	*members = l->views[l->nviews - 1].members;
	return l->views[l->nviews - 1].view;
}

static bool
has_views(const struct judge_run *run)
{
	unsigned i;

	for (i = 0; i < run->n; i++)
		if (run->log[i].received && (run->log[i].nviews > 0 ||
		    run->log[i].status == RUN_STATUS_EXCLUDED))
			return true;
	return false;
}

/* The log with the highest last view, the lowest id first: among the ok
 * logs, or among all received ones; -1 when there is none. */
static int
pick_reference(const struct judge_log *log, unsigned n, bool ok_only)
{
	uint64_t mb;
	unsigned i;
	int best = -1;

	for (i = 0; i < n; i++) {
		const struct judge_log *l = &log[i];

		if (!l->received || (ok_only && l->status != RUN_STATUS_OK))
			continue;
		if (best < 0 || last_view(l, 0, &mb) >
		    last_view(&log[best], 0, &mb))
			best = (int)i;
	}
	return best;
}

uint64_t
judge_survivors(const struct judge_log *log, unsigned n)
{
	int ref = pick_reference(log, n, true);
	uint64_t members;

	if (ref < 0 || log[ref].nviews == 0)
		return 0;
	(void)last_view(&log[ref], ALL(n), &members);
	return members & ALL(n);
}

/*
 * Counts one log's deliveries into t (allocated) and its figures, but
 * missing, into r: entries that name no real message, repeats, and
 * per-sender FIFO violations.  -1 out of memory.
 */
static int
tally_log(const struct judge_run *run, const struct judge_log *l,
    struct tally *t, struct judge_peer *r)
{
	uint32_t last[MSG_MAX_PEERS] = { 0 };
	size_t i;

	memset(r, 0, sizeof(*r));
	if (!l->received)
		return 0;
	if (!(t->c = calloc((size_t)run->n * (run->m + 1), 1)))
		return -1;
	r->delivered = l->n;
	for (i = 0; i < l->n; i++) {
		unsigned s = (unsigned)(l->keys[i] >> 32);
		uint32_t q = (uint32_t)l->keys[i];
		uint8_t *c;

		if (s >= run->n || q == 0 || q > run->m) {
			r->unexpected++;
			continue;
		}
		if (q <= last[s])
			r->fifo_violations++;
		else
			last[s] = q;
		c = &t->c[(size_t)s * (run->m + 1) + q];
		if (*c)
			r->duplicates++;
		if (*c < UINT8_MAX)
			(*c)++;
	}
	return 0;
}

/* Survivors and departed: from the reference log's last view, or, in a
 * run without views, everybody and nobody. */
static void
set_sides(const struct judge_run *run, struct judge_verdict *v)
{
	const struct judge_log *ref;
	uint64_t all = ALL(run->n);
	unsigned i;
	size_t k;

	v->survivors = all;
	if (!v->views_run)
		return;
	if ((v->ref = pick_reference(run->log, run->n, true)) < 0)
		v->ref = pick_reference(run->log, run->n, false);
	ref = &run->log[v->ref];
	(void)last_view(ref, all, &v->survivors);
	v->survivors &= all;
	v->departed = all & ~v->survivors;
	v->views = (uint32_t)ref->nviews;
	for (i = 0; i < run->n; i++) {
		struct judge_peer *r = &v->r[i];

		if (!(v->departed >> i & 1))
			continue;
		r->departed = true;
		for (k = 0; k < ref->nviews && !r->departed_view; k++)
			if (!(ref->views[k].members >> i & 1))
				r->departed_view = ref->views[k].view;
	}
}

/*
 * For each sender, the messages the survivors must deliver: a survivor's
 * all M (an interrupted run: the highest seq any log delivered, what was
 * sent as far as the logs show); a departed member's up to its cut, the
 * highest seq a survivor delivered (none mode: that every survivor holds
 * without a gap, since a survivor delivers on receipt and may have
 * delivered past a gap that nobody could fill; mpcomm(7), Views).
 */
static void
set_limits(const struct judge_run *run, const struct judge_verdict *v,
    const struct tally *t, uint32_t *lim)
{
	unsigned s, i;
	uint32_t q;
	size_t k;

	for (s = 0; s < run->n; s++)
		lim[s] = run->end == JUDGE_INTERRUPTED ? 0 : run->m;
	for (i = 0; run->end == JUDGE_INTERRUPTED && i < run->n; i++) {
		const struct judge_log *l = &run->log[i];

		for (k = 0; l->received && k < l->n; k++) {
			s = (unsigned)(l->keys[k] >> 32);
			q = (uint32_t)l->keys[k];
			if (s < run->n && q <= run->m && q > lim[s])
				lim[s] = q;
		}
	}
	for (s = 0; s < run->n; s++) {
		if (!(v->departed >> s & 1))
			continue;
		if (run->mode == ORDER_NONE) {
			uint32_t best = lim[s];

			for (i = 0; i < run->n; i++) {
				if (!(v->survivors >> i & 1))
					continue;
				for (q = 1; q <= best && has(run, &t[i], s, q);
				    q++)
					;
				best = q - 1;
			}
			lim[s] = best;
			continue;
		}
		lim[s] = 0;
		for (i = 0; i < run->n; i++) {
			if (!(v->survivors >> i & 1))
				continue;
			for (q = run->m; q > lim[s]; q--)
				if (has(run, &t[i], s, q)) {
					lim[s] = q;
					break;
				}
		}
	}
}

/*
 * What each survivor lacks of what it must deliver (counted from its own
 * log: what it must, less the distinct messages within that it holds),
 * and the departed members' messages that only some survivors delivered.
 */
static void
judge_survivors_lack(const struct judge_run *run, struct judge_verdict *v,
    const struct tally *t, const uint32_t *lim)
{
	uint64_t must = 0;
	unsigned s, i, have, want;
	uint32_t q;

	for (s = 0; s < run->n; s++)
		must += lim[s];
	for (i = 0; i < run->n; i++) {
		uint64_t held = 0;

		if (!(v->survivors >> i & 1))
			continue;
		for (s = 0; s < run->n && t[i].c; s++)
			for (q = 1; q <= lim[s]; q++)
				held += has(run, &t[i], s, q);
		v->r[i].missing = must - held;
	}
	for (s = 0; s < run->n; s++) {
		if (!(v->departed >> s & 1))
			continue;
		for (q = 1; q <= lim[s]; q++) {
			have = want = 0;
			for (i = 0; i < run->n; i++) {
				if (!(v->survivors >> i & 1))
					continue;
				want++;
				have += has(run, &t[i], s, q);
			}
			if (have && have < want)
				v->partial++;
		}
	}
}

/* The survivors' views against the reference's: the same views, and in
 * total order at the same positions. */
static void
judge_views(const struct judge_run *run, struct judge_verdict *v)
{
	const struct judge_log *ref = &run->log[v->ref];
	bool same, moved;
	unsigned i;
	size_t k;

	for (i = 0; i < run->n; i++) {
		const struct judge_log *l = &run->log[i];

		if (!(v->survivors >> i & 1) || !l->received ||
		    (int)i == v->ref)
			continue;
		same = l->nviews == ref->nviews;
		moved = false;
		for (k = 0; same && k < l->nviews; k++) {
			same = l->views[k].view == ref->views[k].view &&
			    l->views[k].members == ref->views[k].members;
			moved |= l->views[k].at != ref->views[k].at;
		}
		if (!same)
			v->views_differ++;
		else if (moved && order_mode_total(run->mode))
			v->views_moved++;
	}
}

/* A view of a departed member's log is the survivors' view of that number. */
static bool
view_known(const struct judge_log *ref, const struct judge_view *w)
{
	size_t k;

	for (k = 0; k < ref->nviews; k++)
		if (ref->views[k].view == w->view)
			return ref->views[k].members == w->members;
	return false;
}

/* Whether departed member l's log is consistent with the survivors'. */
static bool
departed_consistent(const struct judge_run *run,
    const struct judge_verdict *v, const struct judge_log *l,
    const struct tally *tref, const uint32_t *cut)
{
	const struct judge_log *ref = &run->log[v->ref];
	size_t i, j = 0;

	for (i = 0; i < l->nviews; i++)
		if (!view_known(ref, &l->views[i]))
			return false;
	for (i = 0; i < l->n; i++) {
		unsigned s = (unsigned)(l->keys[i] >> 32);
		uint32_t q = (uint32_t)l->keys[i];

		if (s >= run->n || q == 0 || q > run->m)
			return false;
		/* Past the cut: what it delivered that the survivors could
		 * not have, since the sender departed before sending more. */
		if (v->departed >> s & 1 && q > cut[s])
			continue;
		if (order_mode_total(run->mode)) {
			if (j >= ref->n || ref->keys[j] != l->keys[i])
				return false;
			j++;
		} else if (!has(run, tref, s, q)) {
			return false;
		}
	}
	return true;
}

static void
judge_departed(const struct judge_run *run, struct judge_verdict *v,
    const struct tally *t, const uint32_t *cut)
{
	unsigned i;

	for (i = 0; i < run->n; i++) {
		if (!(v->departed >> i & 1) || !run->log[i].received)
			continue;
		if (!departed_consistent(run, v, &run->log[i], &t[v->ref],
		    cut)) {
			v->r[i].inconsistent = true;
			v->inconsistent++;
		}
	}
}

/*
 * Mismatched rounds over positions 0 .. len-1 among the peers in mask: a
 * position where one of them has no entry, or another entry than the first
 * of them, is mismatched.
 */
static void
mismatched(const struct judge_run *run, struct judge_verdict *v,
    uint64_t mask, uint64_t len)
{
	uint64_t j, k0 = 0;
	unsigned i;
	bool bad, first;

	for (j = 0; j < len; j++) {
		bad = false;
		first = true;
		for (i = 0; i < run->n && !bad; i++) {
			const struct judge_log *l = &run->log[i];

			if (!(mask >> i & 1))
				continue;
			if (!l->received || j >= l->n)
				bad = true;
			else if (first)
				k0 = l->keys[j];
			else if (l->keys[j] != k0)
				bad = true;
			first = false;
		}
		if (!bad)
			continue;
		if (v->positions && v->npositions < JUDGE_MAX_POSITIONS)
			v->positions[v->npositions++] = j;
		v->mismatched++;
	}
}

/*
 * The run's figures: duplicates, FIFO violations and unknown entries of
 * every log; delivered and missing of the survivors; mismatched rounds
 * among them, over at least what they all must deliver.
 */
static void
aggregate(const struct judge_run *run, struct judge_verdict *v,
    const uint32_t *lim)
{
	uint64_t len = 0, expected = 0;
	unsigned i;

	v->delivered_min = UINT64_MAX;
	for (i = 0; i < run->n; i++) {
		const struct judge_peer *r = &v->r[i];

		v->duplicates += r->duplicates;
		v->fifo_violations += r->fifo_violations;
		v->unexpected += r->unexpected;
		expected += lim[i];
		if (r->departed)
			continue;
		v->missing += r->missing;
		if (r->delivered < v->delivered_min)
			v->delivered_min = r->delivered;
		if (r->delivered > v->delivered_max)
			v->delivered_max = r->delivered;
		if (run->log[i].n > len)
			len = run->log[i].n;
	}
	v->total = v->judged_sent ? expected : (uint64_t)run->n * run->m;
	v->judged = len > expected ? len : expected;
	mismatched(run, v, v->survivors, v->judged);
}

/*
 * Causal order from the logs alone.  The causal predecessors of (p, s) are
 * what p's own log delivered before it (a peer delivers its own message
 * as it sends it).  With the position of every message in log q, p's log
 * is walked in order: (p, s) delivered at q must stand after every
 * message before it in p's log that q delivered too.  pos: n x (m + 1).
 */
static void
causal_at(const struct judge_run *run, struct judge_verdict *v,
    const struct judge_log *lq, uint32_t *pos)
{
	unsigned n = run->n, p;
	uint32_t m = run->m;
	size_t i;

	for (i = 0; i < (size_t)n * (m + 1); i++)
		pos[i] = UINT32_MAX;
	for (i = 0; i < lq->n && i < UINT32_MAX; i++) {
		unsigned s = (unsigned)(lq->keys[i] >> 32);
		uint32_t q = (uint32_t)lq->keys[i];

		if (s < n && q && q <= m && pos[(size_t)s * (m + 1) + q] ==
		    UINT32_MAX)
			pos[(size_t)s * (m + 1) + q] = (uint32_t)i;
	}
	for (p = 0; p < n; p++) {
		const struct judge_log *lp = &run->log[p];
		uint64_t after = 0;	/* 1 + the latest predecessor at q */

		if (!lp->received || lp == lq)
			continue;
		for (i = 0; i < lp->n; i++) {
			unsigned s = (unsigned)(lp->keys[i] >> 32);
			uint32_t q = (uint32_t)lp->keys[i], at;

			if (s >= n || q == 0 || q > m)
				continue;
			at = pos[(size_t)s * (m + 1) + q];
			if (s == p && at != UINT32_MAX && at < after)
				v->causal_violations++;
			if (at == UINT32_MAX)
				after = UINT64_MAX;	/* never delivered at q */
			else if ((uint64_t)at + 1 > after &&
			    after != UINT64_MAX)
				after = (uint64_t)at + 1;
		}
	}
}

/* Every log's deliveries before a causal predecessor; -1 out of memory. */
static int
judge_causal(const struct judge_run *run, struct judge_verdict *v)
{
	uint32_t *pos;
	unsigned q;

	if (!(pos = calloc((size_t)run->n * (run->m + 1), sizeof(*pos))))
		return -1;
	for (q = 0; q < run->n; q++)
		if (run->log[q].received)
			causal_at(run, v, &run->log[q], pos);
	free(pos);
	return 0;
}

/* Who departed, in which view, and what became of them: the note. */
static void
departed_note(const struct judge_run *run, struct judge_verdict *v)
{
	char *p = v->note;
	size_t cap = sizeof(v->note), len;
	unsigned i;

	for (i = 0; i < run->n; i++) {
		const struct judge_log *l = &run->log[i];

		if (!v->r[i].departed || (len = strlen(p)) + 1 >= cap)
			continue;
		snprintf(p + len, cap - len, "%speer %u departed in view %"
		    PRIu32 " (%s%s%s%s)", len ? "; " : "", i,
		    v->r[i].departed_view, l->received ?
		    run_status_name(l->status) : "no log",
		    l->received && l->reason[0] ? ": " : "", l->received ?
		    l->reason : "", v->r[i].inconsistent ? ", inconsistent" :
		    "");
	}
}

/* The first survivor that matches: without its log (without_log), or
 * with it, its log kept, and not finished ok; -1 when none does. */
static int
survivor_where(const struct judge_run *run, const struct judge_verdict *v,
    bool without_log)
{
	unsigned i;

	for (i = 0; i < run->n; i++) {
		const struct judge_log *l = &run->log[i];

		if (!(v->survivors >> i & 1))
			continue;
		if (without_log ? !l->received : l->received &&
		    !l->error[0] && l->status != RUN_STATUS_OK)
			return (int)i;
	}
	return -1;
}

/* The first peer that could not keep its log, or -1. */
static int
log_error(const struct judge_run *run)
{
	unsigned i;

	for (i = 0; i < run->n; i++)
		if (run->log[i].received && run->log[i].error[0])
			return (int)i;
	return -1;
}

/*
 * The one status ladder: the first rung that holds says the status and,
 * into v->problem (when the caller did not say it first), why.
 */
static void
status(const struct judge_run *run, struct judge_verdict *v)
{
	const char *who = v->views_run ? "survivor" : "peer";
	char why[sizeof(v->problem)];
	int i;

	v->status = RUN_STATUS_FAILED;
	if (run->end == JUDGE_INTERRUPTED) {
		v->status = RUN_STATUS_ABORTED;
		snprintf(why, sizeof(why), "interrupted");
	} else if (run->end == JUDGE_STALLED) {
		v->status = RUN_STATUS_TIMEOUT;
		snprintf(why, sizeof(why), "no progress");
	} else if (survivor_where(run, v, true) >= 0) {
		v->status = RUN_STATUS_TIMEOUT;
		snprintf(why, sizeof(why), "not every %s sent its log", who);
	} else if ((i = log_error(run)) >= 0) {
		snprintf(why, sizeof(why), "peer %d (%s) failed: %s", i,
		    run->log[i].addr, run->log[i].error);
	} else if ((i = survivor_where(run, v, false)) >= 0) {
		const struct judge_log *l = &run->log[i];
		bool aborted = l->status == RUN_STATUS_ABORTED;

		if (aborted)
			v->status = RUN_STATUS_ABORTED;
		snprintf(why, sizeof(why), "peer %d %s%s%s", i, aborted ?
		    "aborted the run" : "says it was excluded, but the "
		    "survivors' last view has it", l->reason[0] ? ": " : "",
		    l->reason);
	} else if (v->views_differ) {
		snprintf(why, sizeof(why), "the survivors installed different "
		    "views");
	} else if (v->partial) {
		snprintf(why, sizeof(why), "a departed member's message was "
		    "delivered by some survivors only");
	} else if (v->missing || v->duplicates || v->unexpected) {
		snprintf(why, sizeof(why), "messages missing, duplicated or "
		    "unknown");
	} else if (run->mode != ORDER_NONE && v->fifo_violations) {
		snprintf(why, sizeof(why), "per-sender FIFO order broken");
	} else if (order_mode_total(run->mode) && v->mismatched) {
		snprintf(why, sizeof(why), "%ss delivered in different orders",
		    who);
	} else if (run->mode == ORDER_CAUSAL && v->causal_violations) {
		snprintf(why, sizeof(why), "causal order broken");
	} else if (v->views_moved) {
		snprintf(why, sizeof(why), "the survivors installed a view at "
		    "different positions");
	} else if (v->inconsistent) {
		snprintf(why, sizeof(why), "a departed member's log "
		    "contradicts the survivors'");
	} else {
		v->status = RUN_STATUS_OK;
		return;
	}
	if (!v->problem[0])
		snprintf(v->problem, sizeof(v->problem), "%s", why);
}

void
judge(const struct judge_run *run, struct judge_verdict *v)
{
	struct tally t[MSG_MAX_PEERS];
	uint32_t lim[MSG_MAX_PEERS] = { 0 };
	bool oom = false;
	unsigned i;

	memset(v, 0, sizeof(*v));
	memset(t, 0, sizeof(t));
	if (run->problem)
		snprintf(v->problem, sizeof(v->problem), "%s", run->problem);
	v->ref = -1;
	v->judged_sent = run->end == JUDGE_INTERRUPTED;
	v->positions = calloc(JUDGE_MAX_POSITIONS, sizeof(*v->positions));
	for (i = 0; i < run->n; i++)
		if (tally_log(run, &run->log[i], &t[i], &v->r[i]) < 0)
			oom = true;
	v->views_run = has_views(run);
	set_sides(run, v);
	if (!oom) {
		set_limits(run, v, t, lim);
		judge_survivors_lack(run, v, t, lim);
		if (v->views_run) {
			judge_views(run, v);
			judge_departed(run, v, t, lim);
		}
	}
	aggregate(run, v, lim);
	if (judge_causal(run, v) < 0)
		oom = true;
	departed_note(run, v);
	if (oom) {
		v->status = RUN_STATUS_FAILED;
		if (!v->problem[0])
			snprintf(v->problem, sizeof(v->problem), "out of "
			    "memory: the logs could not be judged");
	} else {
		status(run, v);
	}
	for (i = 0; i < run->n; i++)
		free(t[i].c);
}

void
judge_free(struct judge_verdict *v)
{
	free(v->positions);
	v->positions = NULL;
	v->npositions = 0;
}
