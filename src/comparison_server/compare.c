/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Judging a run from its delivery logs: mismatched rounds
 * over all N x M positions and all N peers (a position where a peer has no
 * entry counts as mismatched; an interrupted run: over the messages sent), and per peer: missing and duplicated
 * messages, entries naming no real message, per-sender FIFO violations,
 * and deliveries that come before a causal predecessor.
 * A run with views (a log has a view line, or a peer says it was excluded)
 * is judged among the survivors instead (compare_views(), README "Views").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs.h"

/*
 * Counts one log's deliveries into counts (n x (m + 1), saturating; NULL:
 * no duplicate count) and its figures, but missing, into r.
 */
void
compare_count(const struct report *rp, const struct peer_log *l,
    uint8_t *counts, struct peer_result *r)
{
	unsigned n = rp->p.n;
	uint32_t m = rp->p.m;
	uint32_t last[MSG_MAX_PEERS] = { 0 };
	size_t i;

	memset(r, 0, sizeof(*r));
	r->delivered = l->n;
	for (i = 0; i < l->n; i++) {
		unsigned s = (unsigned)(l->keys[i] >> 32);
		uint32_t q = (uint32_t)l->keys[i];
		uint8_t *c;

		if (s >= n || q == 0 || q > m) {
			r->unexpected++;
			continue;
		}
		if (q <= last[s])
			r->fifo_violations++;
		else
			last[s] = q;
		if (!counts)
			continue;	/* out of memory: no duplicate count */
		c = &counts[(size_t)s * (m + 1) + q];
		if (*c)
			r->duplicates++;
		if (*c < UINT8_MAX)
			(*c)++;
	}
}

/*
 * Causal order from the logs alone: the causal predecessors of (p, s) are
 * what p's own log delivered before it (a peer delivers its own message
 * as it sends it).  For each log q, with the position of every message in
 * it, p's log is walked in order: (p, s) delivered at q must stand after
 * every message before it in p's log, delivered at q too.
 */
static void
causal_at(struct report *rp, const struct peer_log *lq, uint32_t *pos)
{
	unsigned n = rp->p.n, p;
	uint32_t m = rp->p.m;
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
		const struct peer_log *lp = &rp->log[p];
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
				rp->causal_violations++;
			if (at == UINT32_MAX)
				after = UINT64_MAX;	/* never delivered at q */
			else if ((uint64_t)at + 1 > after &&
			    after != UINT64_MAX)
				after = (uint64_t)at + 1;
		}
	}
}

void
compare_causal(struct report *rp)
{
	uint32_t *pos;
	unsigned q;

	rp->causal_violations = 0;
	if (!(pos = calloc((size_t)rp->p.n * (rp->p.m + 1), sizeof(*pos)))) {
		rp->causal_violations = -1;
		return;
	}
	for (q = 0; q < rp->p.n; q++)
		if (rp->log[q].received)
			causal_at(rp, &rp->log[q], pos);
	free(pos);
}

static void
judge_peer(const struct report *rp, const struct peer_log *l,
    struct peer_result *r)
{
	uint8_t *seen = calloc((size_t)rp->p.n * (rp->p.m + 1), 1);

	compare_count(rp, l, seen, r);
	r->missing = rp->total - (l->n - r->unexpected - r->duplicates);
	free(seen);
}

/*
 * A peer that could not keep its delivery log says why (error=): the first
 * such peer and its error become the problem.  True when there is one.
 */
bool
compare_log_error(struct report *rp, const char **why)
{
	unsigned i;

	for (i = 0; i < rp->p.n; i++) {
		const struct peer_log *l = &rp->log[i];

		if (!l->received || !l->error[0])
			continue;
		if (!rp->problem[0])
			snprintf(rp->problem, sizeof(rp->problem), "peer %u "
			    "(%s:%u) failed: %s", i, rp->member[i].host,
			    rp->member[i].ctl, l->error);
		*why = NULL;
		return true;
	}
	return false;
}

/*
 * Mismatched rounds over positions 0 .. len-1 among the peers in mask: a
 * position where one of them has no entry, or another entry than the first
 * of them, is mismatched.
 */
void
compare_mismatched(struct report *rp, uint64_t mask, uint64_t len)
{
	uint64_t j, k0 = 0;
	unsigned i;
	bool bad, first;

	for (j = 0; j < len; j++) {
		bad = false;
		first = true;
		for (i = 0; i < rp->p.n && !bad; i++) {
			const struct peer_log *l = &rp->log[i];

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
		if (rp->positions && rp->npositions < REPORT_MAX_POSITIONS)
			rp->positions[rp->npositions++] = j;
		rp->mismatched++;
	}
}

/*
 * The messages sent, as far as the logs show: for each sender the highest
 * seq any log delivered.  An interrupted run is judged against these, not
 * against N x M messages most of which were never sent.
 */
static uint64_t
sent_total(const struct report *rp)
{
	uint32_t hi[MSG_MAX_PEERS] = { 0 };
	uint64_t sum = 0;
	unsigned i, s;
	size_t k;

	for (i = 0; i < rp->p.n; i++) {
		const struct peer_log *l = &rp->log[i];

		for (k = 0; l->received && k < l->n; k++) {
			uint32_t q = (uint32_t)l->keys[k];

			s = (unsigned)(l->keys[k] >> 32);
			if (s < rp->p.n && q <= rp->p.m && q > hi[s])
				hi[s] = q;
		}
	}
	for (s = 0; s < rp->p.n; s++)
		sum += hi[s];
	return sum;
}

void
compare_run(struct report *rp)
{
	unsigned n = rp->p.n, i;
	uint64_t len_max = 0;
	bool any_missing_log = false;
	const struct peer_log *aborted = NULL;
	const char *why = NULL;

	rp->total = (uint64_t)n * rp->p.m;
	rp->delivered_min = UINT64_MAX;
	rp->delivered_max = 0;
	rp->positions = calloc(REPORT_MAX_POSITIONS, sizeof(*rp->positions));
	rp->ref = -1;
	if ((rp->views_run = compare_has_views(rp))) {
		compare_views(rp);
		return;
	}
	if (rp->end == RUN_INTERRUPTED) {
		rp->total = sent_total(rp);
		rp->judged_sent = true;
	}
	for (i = 0; i < n; i++) {
		const struct peer_log *l = &rp->log[i];
		struct peer_result *r = &rp->r[i];

		if (!l->received) {
			any_missing_log = true;
			memset(r, 0, sizeof(*r));
			r->missing = rp->total;
		} else {
			judge_peer(rp, l, r);
			if (l->status != RUN_STATUS_OK && !aborted)
				aborted = l;
		}
		if (r->delivered < rp->delivered_min)
			rp->delivered_min = r->delivered;
		if (r->delivered > rp->delivered_max)
			rp->delivered_max = r->delivered;
		if (l->n > len_max)
			len_max = l->n;
		rp->missing += r->missing;
		rp->duplicates += r->duplicates;
		rp->fifo_violations += r->fifo_violations;
		rp->unexpected += r->unexpected;
	}
	/* Every position of the longest log, and at least N x M of them. */
	compare_mismatched(rp, ~UINT64_C(0), len_max > rp->total ? len_max :
	    rp->total);
	compare_causal(rp);

	if (rp->end == RUN_INTERRUPTED) {
		rp->status = RUN_STATUS_ABORTED;
		why = "interrupted";
	} else if (rp->end == RUN_STALLED) {
		rp->status = RUN_STATUS_TIMEOUT;
		why = "no progress";
	} else if (any_missing_log) {
		rp->status = RUN_STATUS_TIMEOUT;
		why = "not every peer sent its log";
	} else if (compare_log_error(rp, &why)) {
		rp->status = RUN_STATUS_FAILED;
	} else if (aborted) {
		rp->status = RUN_STATUS_ABORTED;
		why = "a peer aborted the run";
	} else if (rp->missing || rp->duplicates || rp->unexpected) {
		rp->status = RUN_STATUS_FAILED;
		why = "messages missing, duplicated or unknown";
	} else if (rp->p.mode != ORDER_NONE && rp->fifo_violations) {
		rp->status = RUN_STATUS_FAILED;
		why = "per-sender FIFO order broken";
	} else if (rp->p.mode == ORDER_TOTAL && rp->mismatched) {
		rp->status = RUN_STATUS_FAILED;
		why = "peers delivered in different orders";
	} else if (rp->p.mode == ORDER_CAUSAL && rp->causal_violations) {
		rp->status = RUN_STATUS_FAILED;
		why = rp->causal_violations < 0 ? "out of memory judging "
		    "causal order" : "causal order broken";
	} else {
		rp->status = RUN_STATUS_OK;
	}
	if (why && !rp->problem[0] && aborted && aborted->reason[0])
		snprintf(rp->problem, sizeof(rp->problem), "peer %u aborted "
		    "the run: %s", (unsigned)(aborted - rp->log),
		    aborted->reason);
	else if (why && !rp->problem[0])
		snprintf(rp->problem, sizeof(rp->problem), "%s", why);
}

void
report_free(struct report *r)
{
	unsigned i;

	if (!r)
		return;
	for (i = 0; i < MSG_MAX_PEERS; i++)
		peer_log_free(&r->log[i]);
	free(r->positions);
	free(r);
}
