/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Event traces: a bounded array of events, filled by the ordering core,
 * and the line format they travel in.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpcomm/trace.h"

size_t
trace_capacity(uint32_t limit, unsigned n)
{
	/* Sends, receipts, deliveries: limit per sender each; ACK states
	 * twice that per member; the S entries they raise, once per seq of
	 * each sender and member; a view per member at most. */
	return (size_t)limit * n * 2 + (size_t)limit * n * 2 +
	    (size_t)limit * n * n + n + 1;
}

struct trace *
trace_create(uint32_t limit, unsigned n)
{
	struct trace *t;

	if (limit == 0 || limit > TRACE_MAX || n == 0) {
		errno = EINVAL;
		return NULL;
	}
	if (!(t = calloc(1, sizeof(*t))))
		return NULL;
	t->cap = trace_capacity(limit, n);
	if (!(t->ev = calloc(t->cap, sizeof(*t->ev)))) {
		free(t);
		return NULL;
	}
	t->limit = limit;
	t->acks_left = (uint64_t)limit * n * 2;
	t->cause = -1;
	return t;
}

void
trace_destroy(struct trace *t)
{
	if (!t)
		return;
	free(t->ev);
	free(t);
}

/* The next free event, or NULL (cut) when seq is beyond the limit or the
 * trace is full. */
static struct trace_ev *
slot(struct trace *t, uint32_t seq, char kind, uint64_t now)
{
	struct trace_ev *e;

	if (seq > t->limit || t->n == t->cap) {
		t->cut = true;
		return NULL;
	}
	e = &t->ev[t->n++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->t = now;
	e->via = -1;
	return e;
}

void
trace_send(struct trace *t, uint64_t now, uint32_t seq, uint64_t ts)
{
	struct trace_ev *e = slot(t, seq, TRACE_SEND, now);

	if (e) {
		e->seq = seq;
		e->ts = ts;
	}
}

void
trace_recv(struct trace *t, uint64_t now, unsigned from, uint32_t seq,
    uint64_t ts, uint64_t clock)
{
	struct trace_ev *e = slot(t, seq, TRACE_RECV, now);

	if (e) {
		e->peer = (uint16_t)from;
		e->seq = seq;
		e->ts = ts;
		e->clock = clock;
		t->cause = (int64_t)(t->n - 1);
	}
}

void
trace_ack(struct trace *t, uint64_t now, unsigned from, uint64_t c)
{
	struct trace_ev *e;

	if (t->acks_left == 0) {
		t->cut = true;
		return;
	}
	if (!(e = slot(t, 0, TRACE_ACK, now)))
		return;
	t->acks_left--;
	e->peer = (uint16_t)from;
	e->ts = c;
	t->cause = (int64_t)(t->n - 1);
}

void
trace_cover(struct trace *t, uint64_t now, unsigned from, unsigned sender,
    uint32_t old, uint32_t seq)
{
	struct trace_ev *e;

	if (seq > t->limit)
		seq = t->limit;
	if (seq <= old || !(e = slot(t, seq, TRACE_COVER, now)))
		return;
	e->peer = (uint16_t)from;
	e->pos = sender;
	e->seq = seq;
}

void
trace_deliver(struct trace *t, uint64_t now, unsigned sender, uint32_t seq,
    uint64_t ts)
{
	struct trace_ev *e = slot(t, seq, TRACE_DELIVER, now);

	if (e) {
		e->pos = t->pos;
		e->peer = (uint16_t)sender;
		e->seq = seq;
		e->ts = ts;
		e->via = t->cause;
	}
	t->pos++;
}

void
trace_view(struct trace *t, uint64_t now, uint32_t view, uint64_t members)
{
	struct trace_ev *e = slot(t, 0, TRACE_VIEW, now);

	if (e) {
		e->pos = view;
		e->clock = members;
	}
	t->cause = -1;
}

int
trace_format(const struct trace_ev *e, char *buf, size_t cap)
{
	switch (e->kind) {
	case TRACE_SEND:
		return snprintf(buf, cap, "@S %" PRIu64 " %" PRIu32 " %"
		    PRIu64, e->t, e->seq, e->ts);
	case TRACE_RECV:
		return snprintf(buf, cap, "@R %" PRIu64 " %u %" PRIu32 " %"
		    PRIu64 " %" PRIu64, e->t, e->peer, e->seq, e->ts,
		    e->clock);
	case TRACE_ACK:
		return snprintf(buf, cap, "@A %" PRIu64 " %u %" PRIu64, e->t,
		    e->peer, e->ts);
	case TRACE_COVER:
		return snprintf(buf, cap, "@K %" PRIu64 " %u %" PRIu64 " %"
		    PRIu32, e->t, e->peer, e->pos, e->seq);
	case TRACE_DELIVER:
		return snprintf(buf, cap, "@D %" PRIu64 " %" PRIu64 " %u %"
		    PRIu32 " %" PRIu64 " %" PRId64, e->t, e->pos, e->peer,
		    e->seq, e->ts, e->via);
	default:
		return snprintf(buf, cap, "@V %" PRIu64 " %" PRIu64 " %"
		    PRIx64, e->t, e->pos, e->clock);
	}
}

/* Reads one unsigned decimal (hex with base 16) field; -1 if none. */
static int
field(const char **p, int base, uint64_t max, uint64_t *v)
{
	char *end;

	if (**p != ' ')
		return -1;
	(*p)++;
	if (!((**p >= '0' && **p <= '9') || (base == 16 &&
	    ((**p >= 'a' && **p <= 'f')))))
		return -1;
	errno = 0;
	*v = strtoull(*p, &end, base);
	if (errno || *v > max || (*end != ' ' && *end != '\0'))
		return -1;
	*p = end;
	return 0;
}

/* The fields of an event line after its kind, into v; -1 if malformed. */
static int
read_fields(const char *p, char kind, uint64_t *v)
{
	int nf, i;

	switch (kind) {
	case TRACE_SEND:	nf = 3; break;
	case TRACE_RECV:	nf = 5; break;
	case TRACE_ACK:		nf = 3; break;
	case TRACE_COVER:	nf = 4; break;
	case TRACE_DELIVER:	nf = 6; break;
	case TRACE_VIEW:	nf = 3; break;
	default:		return -1;
	}
	for (i = 0; i < nf; i++) {
		/* A delivery's cause may be -1: none. */
		if (kind == TRACE_DELIVER && i == 5 && strcmp(p, " -1") == 0) {
			p += 3;
			v[i] = UINT64_MAX;
			continue;
		}
		if (field(&p, kind == TRACE_VIEW && i == 2 ? 16 : 10,
		    UINT64_MAX, &v[i]) < 0)
			return -1;
	}
	return *p ? -1 : 0;
}

int
trace_parse(const char *line, unsigned n, struct trace_ev *e)
{
	uint64_t v[6] = { 0 };

	memset(e, 0, sizeof(*e));
	if (line[0] != '@' || !line[1] || read_fields(line + 2, line[1], v) < 0)
		return -1;
	e->kind = line[1];
	e->via = -1;
	e->t = v[0];
	switch (e->kind) {
	case TRACE_SEND:
		if (v[1] == 0 || v[1] > UINT32_MAX)
			return -1;
		e->seq = (uint32_t)v[1];
		e->ts = v[2];
		return 0;
	case TRACE_ACK:
		if (v[1] >= n)
			return -1;
		e->peer = (uint16_t)v[1];
		e->ts = v[2];
		return 0;
	case TRACE_COVER:
		if (v[1] >= n || v[2] >= n || v[3] == 0 || v[3] > UINT32_MAX)
			return -1;
		e->peer = (uint16_t)v[1];
		e->pos = v[2];
		e->seq = (uint32_t)v[3];
		return 0;
	case TRACE_VIEW:
		if (v[1] == 0 || v[1] > UINT32_MAX || (n < 64 && v[2] >> n))
			return -1;
		e->pos = v[1];
		e->clock = v[2];
		return 0;
	case TRACE_DELIVER:
		e->pos = v[1];
		e->via = v[5] > INT64_MAX ? -1 : (int64_t)v[5];
		memmove(v + 1, v + 2, 3 * sizeof(v[0]));
		break;
	default:
		e->clock = v[4];
	}
	/* A receipt or a delivery: sender, seq, ts in v[1..3]. */
	if (v[1] >= n || v[2] == 0 || v[2] > UINT32_MAX)
		return -1;
	e->peer = (uint16_t)v[1];
	e->seq = (uint32_t)v[2];
	e->ts = v[3];
	return 0;
}

uint64_t
trace_clock_bound(unsigned n, uint32_t m)
{
	/* As the ordering core's bound (order.c clock_bound): a clock ticks
	 * at each stamping (n x m) and each first receipt of another's DATA
	 * (n - 1 per message), and no clock exceeds the ticks before it. */
	return (uint64_t)n * n * m + n;
}

uint64_t
trace_pos_bound(unsigned n, uint32_t m)
{
	/* As many as the comparison server takes in a log (collect.c). */
	return 2 * (uint64_t)n * m + 16;
}

int
trace_check(const struct trace_ev *e, size_t ix, unsigned n, uint32_t m,
    char *why, size_t cap)
{
	uint64_t cb = trace_clock_bound(n, m);
	uint32_t smax = m < TRACE_MAX ? m : TRACE_MAX;
	bool msg = e->kind == TRACE_SEND || e->kind == TRACE_RECV ||
	    e->kind == TRACE_DELIVER || e->kind == TRACE_COVER;

	if ((msg || e->kind == TRACE_ACK) && e->kind != TRACE_SEND &&
	    e->peer >= n)
		snprintf(why, cap, "peer %u beyond the run's %u", e->peer, n);
	else if (e->kind == TRACE_COVER && e->pos >= n)
		snprintf(why, cap, "sender %" PRIu64 " beyond the run's %u",
		    e->pos, n);
	else if (msg && e->seq > smax)
		snprintf(why, cap, "seq %" PRIu32 " beyond the run's %" PRIu32
		    " messages (and the trace limit %u)", e->seq, m,
		    TRACE_MAX);
	else if ((msg || e->kind == TRACE_ACK) && e->ts > cb)
		snprintf(why, cap, "%s %" PRIu64 " beyond the Lamport bound %"
		    PRIu64 " of a run of %u peers and %" PRIu32 " messages",
		    e->kind == TRACE_ACK ? "ACK state C" : "ts", e->ts, cb, n,
		    m);
	else if (e->kind == TRACE_RECV && e->clock > cb)
		snprintf(why, cap, "clock %" PRIu64 " beyond the Lamport bound "
		    "%" PRIu64, e->clock, cb);
	else if (e->kind == TRACE_DELIVER && e->pos >= trace_pos_bound(n, m))
		snprintf(why, cap, "position %" PRIu64 " beyond what a run of "
		    "%u peers and %" PRIu32 " messages delivers", e->pos, n,
		    m);
	else if (e->kind == TRACE_DELIVER && e->via >= 0 &&
	    (uint64_t)e->via >= ix)
		snprintf(why, cap, "cause %" PRId64 " not before it (beyond "
		    "%zu)", e->via, ix);
	else if (e->kind == TRACE_VIEW && n < 64 && e->clock >> n)
		snprintf(why, cap, "view members beyond the run's %u", n);
	else
		return 0;
	return -1;
}
