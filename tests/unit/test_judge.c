/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The library's one judge on logs made by hand: a run without views is
 * judged as the case where nobody departed (survivors: everybody), each
 * rung of the one status ladder is reached, an interrupted run is judged
 * against what was sent, a run with views among its survivors, and causal
 * order from the logs alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpcomm/judge.h"
#include "check.h"

#define NMAX	8

/* Logs of a run: spec per peer, "S.Q ..." and "vV=MASK"; NULL: no log. */
struct hand {
	struct judge_log	 log[NMAX];
	uint64_t		 keys[NMAX][64];
	struct judge_view	 views[NMAX][4];
	struct judge_run	 run;
	struct judge_verdict	 v;
};

static void
set_log(struct hand *h, unsigned i, const char *status, const char *spec)
{
	struct judge_log *l = &h->log[i];
	struct judge_view *vw = h->views[i];
	char buf[512], *tok, *save;
	unsigned s, q, view;
	unsigned long long mask;

	l->received = true;
	if (run_status_parse(status, &l->status) < 0)
		abort();
	l->keys = h->keys[i];
	l->views = vw;
	snprintf(buf, sizeof(buf), "%s", spec);
	for (tok = strtok_r(buf, " ", &save); tok;
	    tok = strtok_r(NULL, " ", &save)) {
		if (sscanf(tok, "v%u=%llx", &view, &mask) == 2)
			vw[l->nviews++] = (struct judge_view){ .at = l->n,
			    .members = mask, .view = view };
		else if (sscanf(tok, "%u.%u", &s, &q) == 2)
			h->keys[i][l->n++] = (uint64_t)s << 32 | q;
		else
			abort();
	}
}

/* A hand-made run of n peers and m messages each; logs[i] NULL: none. */
static struct hand *
run(unsigned n, uint32_t m, enum order_mode mode, enum judge_end end,
    const char *const *logs)
{
	static const char addr[] = "127.0.0.1:2000";
	struct hand *h = calloc(1, sizeof(*h));
	unsigned i;

	if (!h)
		abort();
	for (i = 0; i < n; i++) {
		h->log[i].reason = h->log[i].error = "";
		h->log[i].addr = addr;
		if (logs[i])
			set_log(h, i, "ok", logs[i]);
	}
	h->run = (struct judge_run){ .n = n, .m = m, .mode = mode,
	    .end = end, .log = h->log };
	judge(&h->run, &h->v);
	return h;
}

static void
rejudge(struct hand *h)
{
	judge_free(&h->v);
	judge(&h->run, &h->v);
}

static void
done(struct hand *h)
{
	judge_free(&h->v);
	free(h);
}

/* Without views: everybody survives, nobody departed. */
static void
test_no_views(void)
{
	const char *same[] = { "0.1 1.1 0.2 1.2", "0.1 1.1 0.2 1.2" };
	const char *swap[] = { "0.1 1.1 0.2 1.2", "1.1 0.1 0.2 1.2" };
	struct hand *h = run(2, 2, ORDER_TOTAL, JUDGE_COMPLETE, same);

	CHECK(h->v.status == RUN_STATUS_OK && !h->v.views_run);
	CHECK(h->v.survivors == 3 && h->v.departed == 0);
	CHECK(h->v.total == 4 && h->v.judged == 4 && h->v.mismatched == 0);
	CHECK(h->v.delivered_min == 4 && h->v.delivered_max == 4);
	CHECK(h->v.problem[0] == '\0' && h->v.note[0] == '\0');
	done(h);

	h = run(2, 2, ORDER_TOTAL, JUDGE_COMPLETE, swap);
	CHECK(h->v.status == RUN_STATUS_FAILED && h->v.mismatched == 2);
	CHECK(h->v.npositions == 2 && h->v.positions[0] == 0 &&
	    h->v.positions[1] == 1);
	CHECK(strcmp(h->v.problem, "peers delivered in different orders") ==
	    0);
	done(h);

	/* The same logs in fifo order: they may differ, and do. */
	h = run(2, 2, ORDER_FIFO, JUDGE_COMPLETE, swap);
	CHECK(h->v.status == RUN_STATUS_OK && h->v.mismatched == 2);
	done(h);
}

/* Each rung of the ladder, in its order. */
static void
test_ladder(void)
{
	const char *one_missing[] = { "0.1 1.1 0.2 1.2", NULL };
	const char *dup[] = { "0.1 1.1 0.2 1.2 1.2", "0.1 1.1 0.2 1.2" };
	const char *fifo[] = { "0.2 0.1 1.1 1.2", "0.2 0.1 1.1 1.2" };
	const char *lost[] = { "0.1 1.1 0.2", "0.1 1.1 0.2 1.2" };
	const char *bad[] = { "0.1 1.1 0.2 1.2 7.1", "0.1 1.1 0.2 1.2" };
	const char *three[] = { "0.1", NULL, "0.1" };
	struct hand *h = run(2, 2, ORDER_TOTAL, JUDGE_COMPLETE, one_missing);

	CHECK(h->v.status == RUN_STATUS_TIMEOUT);
	CHECK(strcmp(h->v.problem, "not every peer sent its log") == 0);
	CHECK(h->v.r[1].missing == 4 && h->v.missing == 4);
	CHECK(h->v.delivered_min == 0 && h->v.delivered_max == 4);
	done(h);

	/* A log error comes before an abort; a missing log before both. */
	h = run(3, 1, ORDER_TOTAL, JUDGE_COMPLETE, three);
	h->log[0].status = RUN_STATUS_ABORTED;
	h->log[0].reason = "no progress";
	rejudge(h);
	CHECK(h->v.status == RUN_STATUS_TIMEOUT);
	set_log(h, 1, "ok", "0.1");
	h->log[2].error = "disk full";
	rejudge(h);
	CHECK(h->v.status == RUN_STATUS_FAILED);
	CHECK(strcmp(h->v.problem, "peer 2 (127.0.0.1:2000) failed: disk "
	    "full") == 0);
	h->log[2].error = "";
	rejudge(h);
	CHECK(h->v.status == RUN_STATUS_ABORTED);
	CHECK(strcmp(h->v.problem, "peer 0 aborted the run: no progress") ==
	    0);
	done(h);

	h = run(2, 2, ORDER_TOTAL, JUDGE_COMPLETE, dup);
	CHECK(h->v.status == RUN_STATUS_FAILED && h->v.duplicates == 1);
	CHECK(h->v.r[0].duplicates == 1 && h->v.r[0].fifo_violations == 1);
	done(h);
	h = run(2, 2, ORDER_TOTAL, JUDGE_COMPLETE, lost);
	CHECK(h->v.status == RUN_STATUS_FAILED && h->v.missing == 1);
	CHECK(h->v.r[0].missing == 1 && h->v.r[1].missing == 0);
	CHECK(strcmp(h->v.problem, "messages missing, duplicated or "
	    "unknown") == 0);
	done(h);
	h = run(2, 2, ORDER_TOTAL, JUDGE_COMPLETE, bad);
	CHECK(h->v.status == RUN_STATUS_FAILED && h->v.unexpected == 1);
	done(h);
	h = run(2, 2, ORDER_FIFO, JUDGE_COMPLETE, fifo);
	CHECK(h->v.status == RUN_STATUS_FAILED && h->v.fifo_violations == 2);
	CHECK(strcmp(h->v.problem, "per-sender FIFO order broken") == 0);
	done(h);
	/* In none mode FIFO is not promised. */
	h = run(2, 2, ORDER_NONE, JUDGE_COMPLETE, fifo);
	CHECK(h->v.status == RUN_STATUS_OK && h->v.fifo_violations == 2);
	done(h);
}

/* An interrupted run: judged against what was sent, the caller's
 * account of the end first. */
static void
test_interrupted(void)
{
	const char *logs[] = { "0.1 1.1 0.2", "0.1 1.1" };
	struct hand *h = run(2, 100, ORDER_TOTAL, JUDGE_INTERRUPTED, logs);

	CHECK(h->v.status == RUN_STATUS_ABORTED && h->v.judged_sent);
	CHECK(h->v.total == 3 && h->v.r[1].missing == 1 &&
	    h->v.r[0].missing == 0);
	CHECK(strcmp(h->v.problem, "interrupted") == 0);
	h->run.problem = "interrupted; no log from peer 3";
	rejudge(h);
	CHECK(strcmp(h->v.problem, "interrupted; no log from peer 3") == 0);
	done(h);
}

/* With views: among the survivors. */
static void
test_views(void)
{
	const char *survived[] = { "0.1 1.1 2.1 v1=3 0.2 1.2",
	    "0.1 1.1 2.1 v1=3 0.2 1.2", NULL };
	const char *partial[] = { "0.1 1.1 2.1 v1=3 0.2 1.2",
	    "0.1 1.1 v1=3 0.2 1.2", NULL };
	struct hand *h = run(3, 2, ORDER_TOTAL, JUDGE_COMPLETE, survived);
	uint64_t s;

	CHECK(h->v.status == RUN_STATUS_OK && h->v.views_run);
	CHECK(h->v.survivors == 3 && h->v.departed == 4 && h->v.views == 1);
	CHECK(h->v.r[2].departed && h->v.r[2].departed_view == 1);
	/* What they must deliver: the survivors' 2 + 2 and the departed
	 * member's 1 (its cut), all the survivors delivered. */
	CHECK(h->v.judged == 5 && h->v.total == 6 && h->v.missing == 0);
	CHECK(strstr(h->v.note, "peer 2 departed in view 1 (no log)"));
	s = judge_survivors(h->log, 3);
	CHECK(s == 3);
	done(h);

	h = run(3, 2, ORDER_FIFO, JUDGE_COMPLETE, partial);
	CHECK(h->v.status == RUN_STATUS_FAILED && h->v.partial == 1);
	CHECK(strstr(h->v.problem, "some survivors only") != NULL);
	done(h);

	/* No ok log has a view line: no views seen yet. */
	{
		const char *plain[] = { "0.1", "0.1" };

		h = run(2, 1, ORDER_TOTAL, JUDGE_COMPLETE, plain);
		CHECK(judge_survivors(h->log, 2) == 0);
		done(h);
	}
}

/*
 * Causal order: peer 1 delivered 0.1 before it sent 1.1, so 0.1 is a causal
 * predecessor of 1.1 and peer 2 must not deliver 1.1 first.  Rounds may
 * mismatch in causal order; a delivery before a predecessor fails it.
 */
static void
test_causal(void)
{
	const char *kept[] = { "0.1 1.1 2.1", "0.1 1.1 2.1", "0.1 1.1 2.1" };
	const char *concurrent[] = { "0.1 1.1 2.1", "1.1 0.1 2.1", "0.1 1.1 2.1" };
	const char *broken[] = { "0.1 1.1 2.1", "0.1 1.1 2.1", "1.1 0.1 2.1" };
	struct hand *h = run(3, 1, ORDER_CAUSAL, JUDGE_COMPLETE, kept);

	CHECK(h->v.status == RUN_STATUS_OK && h->v.causal_violations == 0);
	done(h);

	/* Peer 1 sent 1.1 before 0.1 reached it: concurrent, any order. */
	h = run(3, 1, ORDER_CAUSAL, JUDGE_COMPLETE, concurrent);
	CHECK(h->v.status == RUN_STATUS_OK && h->v.causal_violations == 0);
	CHECK(h->v.mismatched == 2);
	done(h);

	h = run(3, 1, ORDER_CAUSAL, JUDGE_COMPLETE, broken);
	CHECK(h->v.status == RUN_STATUS_FAILED && h->v.causal_violations == 1);
	CHECK(strcmp(h->v.problem, "causal order broken") == 0);
	done(h);

	/* Counted in every mode, failed on only in causal mode. */
	h = run(3, 1, ORDER_FIFO, JUDGE_COMPLETE, broken);
	CHECK(h->v.status == RUN_STATUS_OK && h->v.causal_violations == 1);
	done(h);
}

int
main(void)
{
	test_no_views();
	test_ladder();
	test_interrupted();
	test_views();
	test_causal();
	CHECK_DONE("test_judge");
}
