/* SPDX-License-Identifier: BSD-2-Clause */
/* Event traces: bounded (messages beyond the limit and a full trace are
 * cut and said so), every event survives its line, malformed lines are
 * refused by the one decoder, and events no run could make by the one
 * bound check (trace_check). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mpcomm/trace.h"
#include "check.h"

static void
test_bounds(void)
{
	struct trace *t = trace_create(2, 3);
	unsigned i;

	CHECK(t != NULL && trace_create(0, 3) == NULL &&
	    trace_create(TRACE_MAX + 1, 3) == NULL);
	trace_send(t, 10, 1, 1);
	trace_send(t, 11, 2, 2);
	CHECK(!t->cut && t->n == 2);
	trace_send(t, 12, 3, 3);	/* beyond the limit */
	CHECK(t->cut && t->n == 2);
	trace_recv(t, 13, 1, 1, 1, 3);
	trace_deliver(t, 14, 1, 1, 1);
	CHECK(t->ev[3].kind == TRACE_DELIVER && t->ev[3].via == 2 &&
	    t->ev[3].pos == 0);
	trace_deliver(t, 15, 2, 9, 9);	/* not traced, but counted */
	trace_deliver(t, 16, 0, 1, 1);
	CHECK(t->ev[4].pos == 2);
	for (i = 0; i < 100; i++)	/* acks_left, then nothing */
		trace_ack(t, 20 + i, 1, i);
	CHECK(t->n <= t->cap);
	trace_destroy(t);

	/* A cover is capped at the limit, and traced only when it moves
	 * what the trace can tell. */
	t = trace_create(2, 3);
	trace_cover(t, 1, 1, 0, 0, 1);
	trace_cover(t, 2, 1, 0, 1, 9);	/* 9 beyond the limit: 2 */
	trace_cover(t, 3, 1, 0, 2, 12);	/* nothing new below the limit */
	trace_cover(t, 4, 2, 1, 5, 3);	/* not a rise */
	CHECK(t->n == 2 && t->ev[0].kind == TRACE_COVER &&
	    t->ev[0].seq == 1 && t->ev[1].seq == 2 && t->ev[1].peer == 1 &&
	    t->ev[1].pos == 0 && t->ev[1].via == -1 && !t->cut);
	trace_destroy(t);
}

static void
test_lines(void)
{
	struct trace *t = trace_create(5, 4);
	struct trace_ev e;
	char line[TRACE_LINE_MAX];
	size_t i;

	trace_send(t, 1000, 1, 7);
	trace_recv(t, 1001, 3, 2, 9, 10);
	trace_ack(t, 1002, 2, 11);
	trace_deliver(t, 1003, 3, 2, 9);
	trace_view(t, 1004, 1, 0xb);
	trace_deliver(t, 1005, 0, 1, 7);
	trace_cover(t, 1006, 2, 3, 0, 4);
	for (i = 0; i < t->n; i++) {
		CHECK(trace_format(&t->ev[i], line, sizeof(line)) > 0);
		CHECK(trace_parse(line, 4, &e) == 0);
		CHECK(e.kind == t->ev[i].kind && e.t == t->ev[i].t &&
		    e.ts == t->ev[i].ts && e.seq == t->ev[i].seq &&
		    e.peer == t->ev[i].peer && e.pos == t->ev[i].pos &&
		    e.via == t->ev[i].via && e.clock == t->ev[i].clock);
	}
	CHECK(t->ev[5].via == -1);	/* a view resets the cause */
	CHECK(t->n == 7 && trace_format(&t->ev[6], line, sizeof(line)) > 0 &&
	    strcmp(line, "@K 1006 2 3 4") == 0);
	trace_destroy(t);
	CHECK(trace_parse("@S 1 1 1", 4, &e) == 0);
	CHECK(trace_parse("@S 1 0 1", 4, &e) < 0);	/* seq 0 */
	CHECK(trace_parse("@S 1 1", 4, &e) < 0);
	CHECK(trace_parse("@S 1 1 1 ", 4, &e) < 0);
	CHECK(trace_parse("@S 1 1 1 5", 4, &e) < 0);
	CHECK(trace_parse("@R 1 4 1 1 1", 4, &e) < 0);	/* sender >= n */
	CHECK(trace_parse("@R 1 -3 1 1 1", 4, &e) < 0);
	CHECK(trace_parse("@D 1 0 1 1 1 -1", 4, &e) == 0 && e.via == -1);
	CHECK(trace_parse("@D 1 0 1 1 1 -2", 4, &e) < 0);
	CHECK(trace_parse("@V 1 1 1f", 4, &e) < 0);	/* member 4 */
	CHECK(trace_parse("@V 1 1 f", 4, &e) == 0 && e.clock == 0xf);
	CHECK(trace_parse("@X 1 1 1", 4, &e) < 0);
	CHECK(trace_parse("@A 1 1 99999999999999999999999", 4, &e) < 0);
	CHECK(trace_parse("@", 4, &e) < 0);
	CHECK(trace_parse("@K 1 1 2 3", 4, &e) == 0 && e.peer == 1 &&
	    e.pos == 2 && e.seq == 3);
	CHECK(trace_parse("@K 1 4 2 3", 4, &e) < 0);	/* from >= n */
	CHECK(trace_parse("@K 1 1 4 3", 4, &e) < 0);	/* sender >= n */
	CHECK(trace_parse("@K 1 1 2 0", 4, &e) < 0);	/* seq 0 */
	CHECK(trace_parse("@K 1 1 2", 4, &e) < 0);
	CHECK(trace_parse("@K 1 1 2 3 4", 4, &e) < 0);
}

/* Whether line, as event ix of a run of n peers and m messages, passes
 * trace_check (it must parse); why gets the reason. */
static int
in_run(const char *line, size_t ix, unsigned n, uint32_t m, char *why,
    size_t cap)
{
	struct trace_ev e;

	why[0] = '\0';
	if (trace_parse(line, n, &e) < 0)
		return -2;
	return trace_check(&e, ix, n, m, why, cap);
}

static void
test_run_bounds(void)
{
	char why[200];

	/* Two peers, two messages each: ts and clocks up to 2*2*2+2 = 10. */
	CHECK(trace_clock_bound(2, 2) == 10);
	CHECK(trace_clock_bound(64, INT32_MAX) ==
	    (uint64_t)64 * 64 * INT32_MAX + 64);
	CHECK(in_run("@S 1 2 10", 0, 2, 2, why, sizeof(why)) == 0);
	CHECK(in_run("@S 18446744073709551615 1 1", 0, 2, 2, why,
	    sizeof(why)) == 0);		/* a time is not bounded */
	/* The seq that made the ShiViz tables size 0. */
	CHECK(in_run("@S 1 4294967295 1", 0, 2, 2, why, sizeof(why)) == -1);
	CHECK(strstr(why, "seq 4294967295 beyond the run's 2 messages"));
	CHECK(in_run("@S 1 3 1", 0, 2, 2, why, sizeof(why)) == -1);
	CHECK(in_run("@D 1 0 1 4294967295 1 -1", 0, 2, 2, why,
	    sizeof(why)) == -1);
	CHECK(in_run("@R 1 1 3 1 2", 0, 2, 2, why, sizeof(why)) == -1);
	/* Beyond TRACE_MAX nothing is traced, whatever m. */
	CHECK(in_run("@S 1 5000 1", 0, 2, 100000, why, sizeof(why)) == 0);
	CHECK(in_run("@S 1 5001 1", 0, 2, 100000, why, sizeof(why)) == -1);
	CHECK(in_run("@S 1 1 11", 0, 2, 2, why, sizeof(why)) == -1);
	CHECK(strstr(why, "ts 11 beyond the Lamport bound 10"));
	CHECK(in_run("@R 1 1 1 1 10", 0, 2, 2, why, sizeof(why)) == 0);
	CHECK(in_run("@R 1 1 1 1 11", 0, 2, 2, why, sizeof(why)) == -1);
	CHECK(in_run("@R 1 1 1 11 1", 0, 2, 2, why, sizeof(why)) == -1);
	CHECK(in_run("@A 1 1 10", 0, 2, 2, why, sizeof(why)) == 0);
	CHECK(in_run("@A 1 1 11", 0, 2, 2, why, sizeof(why)) == -1);
	CHECK(in_run("@A 1 1 18446744073709551615", 0, 2, 2, why,
	    sizeof(why)) == -1);
	/* Positions below 2nm + 16 = 24. */
	CHECK(in_run("@D 1 23 1 1 1 -1", 0, 2, 2, why, sizeof(why)) == 0);
	CHECK(in_run("@D 1 24 1 1 1 -1", 0, 2, 2, why, sizeof(why)) == -1);
	/* A cause before the delivery. */
	CHECK(in_run("@D 1 0 1 1 1 4", 5, 2, 2, why, sizeof(why)) == 0);
	CHECK(in_run("@D 1 0 1 1 1 5", 5, 2, 2, why, sizeof(why)) == -1);
	CHECK(in_run("@D 1 0 1 1 1 9223372036854775807", 5, 2, 2, why,
	    sizeof(why)) == -1);
	CHECK(in_run("@V 1 4294967295 3", 0, 2, 2, why, sizeof(why)) == 0);
	CHECK(in_run("@K 1 1 0 2", 0, 2, 2, why, sizeof(why)) == 0);
	CHECK(in_run("@K 1 1 0 3", 0, 2, 2, why, sizeof(why)) == -1);
	CHECK(strstr(why, "seq 3 beyond the run's 2 messages"));
}

int
main(void)
{
	test_bounds();
	test_lines();
	test_run_bounds();
	CHECK_DONE("test_trace");
}
