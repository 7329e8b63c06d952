/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The comparison server's judgement of a run with views, on logs built in
 * memory: a run that survived a dead peer is ok, and each way survivors
 * can go wrong is caught (they differ, a view line stands elsewhere, a
 * departed member's message reaches some survivors only, a departed
 * member's log is not a prefix, a survivor's message is missing); a run
 * without views is judged and printed as before.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/comparison_server/cs.h"
#include "check.h"

/*
 * A report of n peers, m messages each, in mode.  Logs are set with
 * set_log(); no log is received until then.
 */
static struct report *
new_report(unsigned n, uint32_t m, enum order_mode mode)
{
	struct report *rp = calloc(1, sizeof(*rp));
	unsigned i;

	if (!rp)
		abort();
	rp->run = 7;
	rp->p.n = n;
	rp->p.m = m;
	rp->p.mode = mode;
	rp->end = JUDGE_COMPLETE;
	for (i = 0; i < n; i++) {
		snprintf(rp->member[i].host, sizeof(rp->member[i].host),
		    "127.0.0.1");
		rp->member[i].udp = (uint16_t)(1000 + i);
		rp->member[i].ctl = (uint16_t)(2000 + i);
	}
	return rp;
}

/*
 * Peer i's log: spec is space-separated "S.Q" (message Q of sender S) and
 * "vV=MASK" (view V with the members of the hexadecimal MASK).
 */
static void
set_log(struct report *rp, unsigned i, const char *status, const char *reason,
    const char *spec)
{
	struct peer_log *l = &rp->log[i];
	char buf[512], *tok, *save;
	unsigned s, q, v;
	unsigned long long mask;

	l->received = true;
	if (run_status_parse(status, &l->status) < 0)
		abort();
	snprintf(l->reason, sizeof(l->reason), "%s", reason);
	if (!(l->keys = calloc(64, sizeof(*l->keys))))
		abort();
	snprintf(buf, sizeof(buf), "%s", spec);
	for (tok = strtok_r(buf, " ", &save); tok;
	    tok = strtok_r(NULL, " ", &save)) {
		if (sscanf(tok, "v%u=%llx", &v, &mask) == 2) {
			l->views[l->nviews].at = l->n;
			l->views[l->nviews].view = v;
			l->views[l->nviews++].members = mask;
		} else if (sscanf(tok, "%u.%u", &s, &q) == 2) {
			l->keys[l->n++] = (uint64_t)s << 32 | q;
		} else {
			abort();
		}
	}
}

/* The RESULT line of rp, without its newline, into buf. */
static const char *
result(const struct report *rp, char *buf, size_t cap)
{
	FILE *f = fmemopen(buf, cap, "w");

	if (!f)
		abort();
	report_result_line(f, rp);
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static bool
ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && strcmp(s + a - b, tail) == 0;
}

/* The survivors' log of the three-peer scenario: peer 2 sent one message,
 * then died; 0 and 1 installed view 1 = {0, 1} after delivering it. */
#define SURVIVED	"0.1 1.1 2.1 v1=3 0.2 1.2"

static struct report *
judged(const char *log0, const char *log1, const char *st2, const char *log2)
{
	struct report *rp = new_report(3, 2, ORDER_TOTAL);

	set_log(rp, 0, "ok", "", log0);
	set_log(rp, 1, "ok", "", log1);
	if (st2)
		set_log(rp, 2, st2, "", log2);
	compare_run(rp);
	return rp;
}

static void
test_survived(void)
{
	struct report *rp = judged(SURVIVED, SURVIVED, NULL, NULL);
	char line[512];

	CHECK(rp->v.views_run && rp->v.status == RUN_STATUS_OK);
	CHECK(rp->v.views == 1 && rp->v.survivors == 3 && rp->v.departed == 4);
	CHECK(rp->v.r[2].departed && rp->v.r[2].departed_view == 1);
	CHECK(rp->v.mismatched == 0 && rp->v.missing == 0 && rp->v.partial == 0);
	CHECK(rp->v.delivered_min == 5 && rp->v.delivered_max == 5);
	CHECK(strstr(rp->v.note, "peer 2 departed in view 1 (no log)") != NULL);
	CHECK(rp->v.problem[0] == '\0');
	result(rp, line, sizeof(line));
	CHECK(ends_with(line, " status=ok views=1 departed=2"));
	report_free(rp);

	/* Its log came: excluded, consistent once 2.2 (past the cut) goes. */
	rp = judged(SURVIVED, SURVIVED, "excluded", "0.1 1.1 2.1 2.2");
	CHECK(rp->v.status == RUN_STATUS_OK && rp->v.inconsistent == 0);
	CHECK(strstr(rp->v.note, "(excluded)") != NULL);
	report_free(rp);

	/* Nothing of the departed member reached anyone: all-or-none holds. */
	rp = judged("0.1 1.1 v1=3 0.2 1.2", "0.1 1.1 v1=3 0.2 1.2", "excluded",
	    "0.1 2.1 1.1");
	CHECK(rp->v.status == RUN_STATUS_OK && rp->v.inconsistent == 0);
	report_free(rp);
}

static void
test_violations(void)
{
	struct report *rp;

	/* Survivors in different orders. */
	rp = judged(SURVIVED, "1.1 0.1 2.1 v1=3 0.2 1.2", NULL, NULL);
	CHECK(rp->v.status == RUN_STATUS_FAILED && rp->v.mismatched == 2);
	report_free(rp);
	/* The same messages, a view line elsewhere. */
	rp = judged(SURVIVED, "0.1 1.1 2.1 0.2 v1=3 1.2", NULL, NULL);
	CHECK(rp->v.status == RUN_STATUS_FAILED && rp->v.views_moved == 1);
	CHECK(strstr(rp->v.problem, "different positions") != NULL);
	report_free(rp);
	/* Different views. */
	rp = judged(SURVIVED, "0.1 1.1 2.1 v2=3 0.2 1.2", NULL, NULL);
	CHECK(rp->v.status == RUN_STATUS_FAILED && rp->v.views_differ == 1);
	report_free(rp);
	/* A departed member's message delivered by one survivor only. */
	rp = judged(SURVIVED, "0.1 1.1 v1=3 0.2 1.2", NULL, NULL);
	CHECK(rp->v.status == RUN_STATUS_FAILED && rp->v.partial == 1);
	CHECK(strstr(rp->v.problem, "some survivors only") != NULL);
	report_free(rp);
	/* A departed member's log that is not a prefix of the survivors'. */
	rp = judged(SURVIVED, SURVIVED, "excluded", "0.1 2.1 1.1 2.2");
	CHECK(rp->v.status == RUN_STATUS_FAILED && rp->v.inconsistent == 1);
	CHECK(rp->v.r[2].inconsistent);
	report_free(rp);
	/* ... or one that delivered a survivor's message they did not. */
	rp = judged("0.1 1.1 2.1 v1=3 1.2 0.2", "0.1 1.1 2.1 v1=3 1.2 0.2",
	    "excluded", "0.1 1.1 2.1 0.2");
	CHECK(rp->v.status == RUN_STATUS_FAILED && rp->v.inconsistent == 1);
	report_free(rp);
	/* ... or one with a view the survivors never installed. */
	rp = judged(SURVIVED, SURVIVED, "aborted", "0.1 1.1 v1=6");
	CHECK(rp->v.status == RUN_STATUS_FAILED && rp->v.inconsistent == 1);
	report_free(rp);
	/* A survivor's message missing at one survivor. */
	rp = judged(SURVIVED, "0.1 1.1 2.1 v1=3 0.2", NULL, NULL);
	CHECK(rp->v.status == RUN_STATUS_FAILED && rp->v.missing == 1);
	CHECK(rp->v.r[1].missing == 1 && rp->v.partial == 0);
	report_free(rp);
	/* A survivor's message twice. */
	rp = judged(SURVIVED, SURVIVED " 1.2", NULL, NULL);
	CHECK(rp->v.status == RUN_STATUS_FAILED && rp->v.duplicates == 1);
	report_free(rp);
	/* A departed member's log out of FIFO order. */
	rp = judged(SURVIVED, SURVIVED, "excluded", "2.2 2.1");
	CHECK(rp->v.status == RUN_STATUS_FAILED && rp->v.fifo_violations == 1);
	report_free(rp);
}

/* Survivors that did not finish, and a peer excluded from nothing. */
static void
test_unfinished(void)
{
	struct report *rp = new_report(3, 2, ORDER_TOTAL);

	set_log(rp, 0, "ok", "", SURVIVED);
	set_log(rp, 1, "aborted", "no progress for 1000 ms", "0.1 1.1 2.1");
	compare_run(rp);
	CHECK(rp->v.status == RUN_STATUS_ABORTED);
	CHECK(strstr(rp->v.problem, "peer 1 aborted the run: no progress") !=
	    NULL);
	report_free(rp);

	rp = new_report(3, 2, ORDER_TOTAL);
	set_log(rp, 0, "ok", "", SURVIVED);
	compare_run(rp);
	CHECK(rp->v.status == RUN_STATUS_TIMEOUT);
	report_free(rp);

	rp = new_report(2, 1, ORDER_TOTAL);
	set_log(rp, 0, "ok", "", "0.1 1.1");
	set_log(rp, 1, "excluded", "", "0.1 1.1");
	compare_run(rp);
	CHECK(rp->v.views_run && rp->v.departed == 0);
	CHECK(rp->v.status == RUN_STATUS_FAILED);
	CHECK(strstr(rp->v.problem, "says it was excluded") != NULL);
	report_free(rp);
}

/* A 3|2 partition: the majority goes on, the minority aborts. */
static void
test_minority(void)
{
	struct report *rp = new_report(5, 1, ORDER_TOTAL);
	const char *maj = "0.1 1.1 3.1 v1=7 2.1";
	char line[512];

	set_log(rp, 0, "ok", "", maj);
	set_log(rp, 1, "ok", "", maj);
	set_log(rp, 2, "ok", "", maj);
	set_log(rp, 3, "aborted", "minority", "0.1 1.1 3.1 4.1");
	set_log(rp, 4, "aborted", "minority", "0.1");
	compare_run(rp);
	CHECK(rp->v.status == RUN_STATUS_OK && rp->v.departed == 0x18);
	CHECK(strstr(rp->v.note, "peer 3 departed in view 1 (aborted: "
	    "minority)") != NULL);
	result(rp, line, sizeof(line));
	CHECK(ends_with(line, " status=ok views=1 departed=3,4"));
	report_free(rp);
}

/* Two view changes: 3 leaves in view 1, then 2 in view 2. */
static void
test_two_views(void)
{
	struct report *rp = new_report(4, 1, ORDER_TOTAL);
	const char *s = "0.1 3.1 v1=7 1.1 v2=3 2.1";
	char line[512];

	set_log(rp, 0, "ok", "", s);
	set_log(rp, 1, "ok", "", s);
	set_log(rp, 2, "excluded", "", "0.1 3.1 v1=7 1.1 2.1");
	compare_run(rp);
	CHECK(rp->v.status == RUN_STATUS_OK && rp->v.views == 2);
	CHECK(rp->v.r[3].departed_view == 1 && rp->v.r[2].departed_view == 2);
	result(rp, line, sizeof(line));
	CHECK(ends_with(line, " views=2 departed=2,3"));
	report_free(rp);
}

/* fifo mode: survivors may differ in order, a departed log is a subset. */
static void
test_fifo(void)
{
	struct report *rp = new_report(3, 2, ORDER_FIFO);

	set_log(rp, 0, "ok", "", SURVIVED);
	set_log(rp, 1, "ok", "", "1.1 0.1 2.1 0.2 v1=3 1.2");
	set_log(rp, 2, "excluded", "", "2.1 2.2 1.1");
	compare_run(rp);
	CHECK(rp->v.status == RUN_STATUS_OK && rp->v.mismatched > 0);
	report_free(rp);

	rp = new_report(3, 2, ORDER_FIFO);
	set_log(rp, 0, "ok", "", "0.1 1.1 v1=3 0.2 1.2");
	set_log(rp, 1, "ok", "", "0.1 1.1 v1=3 0.2 1.2");
	set_log(rp, 2, "excluded", "", "2.1 1.2");
	compare_run(rp);
	CHECK(rp->v.status == RUN_STATUS_OK);	/* 2.1 is past the cut */
	report_free(rp);
}

/* Without views nothing changes: the RESULT line ends with status=. */
static void
test_no_views(void)
{
	struct report *rp = new_report(2, 1, ORDER_TOTAL);
	char line[512];

	set_log(rp, 0, "ok", "", "0.1 1.1");
	set_log(rp, 1, "ok", "", "0.1 1.1");
	compare_run(rp);
	CHECK(!rp->v.views_run && rp->v.status == RUN_STATUS_OK);
	result(rp, line, sizeof(line));
	CHECK(strcmp(line, "RESULT run=7 order=total peers=2 messages=2 "
	    "delivered_min=2 delivered_max=2 mismatched_rounds=0 missing=0 "
	    "duplicates=0 fifo_violations=0 status=ok") == 0);
	report_free(rp);

	rp = new_report(2, 1, ORDER_TOTAL);
	set_log(rp, 0, "aborted", "peer 1 silent for 1000 ms", "0.1");
	compare_run(rp);
	CHECK(!rp->v.views_run && rp->v.status == RUN_STATUS_TIMEOUT);
	report_free(rp);
}

/* The progress line's durations: a clock's units, never "1560.8ms". */
static void
test_fmt_clock(void)
{
	static const struct {
		uint64_t	 us;
		const char	*want;
	} c[] = {
		{ 0, "0.0s" }, { 1560800, "1.6s" }, { 9617700, "9.6s" },
		{ 59949999, "59.9s" }, { 59950000, "1m00s" },
		{ 125000000, "2m05s" }, { 3599400000ULL, "59m59s" }, { 3599999999ULL, "1h00m" },
		{ 3720000000ULL, "1h02m" },
	};
	char buf[32];
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		CHECK(strcmp(report_fmt_clock(buf, sizeof(buf), c[i].us),
		    c[i].want) == 0);
}

int
main(void)
{
	test_fmt_clock();
	test_survived();
	test_violations();
	test_unfinished();
	test_minority();
	test_two_views();
	test_fifo();
	test_no_views();
	CHECK_DONE("test_compare");
}
