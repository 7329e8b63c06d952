/* SPDX-License-Identifier: BSD-2-Clause */
/* Event traces: bounded (messages beyond the limit and a full trace are
 * cut and said so), every event survives its line, and malformed lines
 * are refused by the one decoder. */
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
	for (i = 0; i < t->n; i++) {
		CHECK(trace_format(&t->ev[i], line, sizeof(line)) > 0);
		CHECK(trace_parse(line, 4, &e) == 0);
		CHECK(e.kind == t->ev[i].kind && e.t == t->ev[i].t &&
		    e.ts == t->ev[i].ts && e.seq == t->ev[i].seq &&
		    e.peer == t->ev[i].peer && e.pos == t->ev[i].pos &&
		    e.via == t->ev[i].via && e.clock == t->ev[i].clock);
	}
	CHECK(t->ev[5].via == -1);	/* a view resets the cause */
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
}

int
main(void)
{
	test_bounds();
	test_lines();
	CHECK_DONE("test_trace");
}
