/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The traces of a run as a ShiViz log (--shiviz): its first line is the
 * regular expression that parses the rest, then a blank line, then one
 * line per event, `peer<i> {"peer<i>": c, ...} <what happened>`, with the
 * vector clock computed here from the traces: each event ticks its peer's
 * entry, and a receipt first takes the maximum with the clock its DATA
 * was sent with.  ACK states ride in datagrams whose sending is not
 * traced, so they count as local events; happens-before is the one the
 * DATA of the trace make.  Events are written in an order that respects
 * it (a receipt after its send).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpcomm/log.h"
#include "cs.h"

#define SV_REGEX	"(?<host>\\S+) (?<clock>\\{[^}]*\\}) (?<event>.*)"
#define SV_MAX_CELLS	(1u << 24)	/* vector clocks of sends kept */

struct sv {
	const struct report *r;
	unsigned	 n;
	uint32_t	 maxseq;	/* the highest seq in any trace */
	uint64_t	 vc[MSG_MAX_PEERS][MSG_MAX_PEERS];
	uint64_t	*sent;		/* [sender][seq][n]: the send's clock */
	bool		*known;		/* [sender][seq]: its send written */
	bool		*present;	/* [sender][seq]: its send in a trace */
	size_t		 ptr[MSG_MAX_PEERS];
};

/* The cell of message (sender, seq): sender < n and seq <= maxseq, which
 * every trace event has (collect.c bounds them, shiviz_write finds maxseq). */
static size_t
sv_cell(const struct sv *s, unsigned sender, uint32_t seq)
{
	return (size_t)sender * ((size_t)s->maxseq + 1) + seq;
}

static uint64_t *
sv_sent(struct sv *s, unsigned sender, uint32_t seq)
{
	return s->sent + sv_cell(s, sender, seq) * s->n;
}

static void
sv_line(FILE *f, struct sv *s, unsigned i, const struct trace_ev *e)
{
	const char *sep = "";
	unsigned k;

	fprintf(f, "peer%u {", i);
	for (k = 0; k < s->n; k++)
		if (s->vc[i][k]) {
			fprintf(f, "%s\"peer%u\": %" PRIu64, sep, k,
			    s->vc[i][k]);
			sep = ", ";
		}
	fputs("} ", f);
	switch (e->kind) {
	case TRACE_SEND:
		fprintf(f, "send %u:%" PRIu32 " ts=%" PRIu64 "\n", i, e->seq,
		    e->ts);
		break;
	case TRACE_RECV:
		fprintf(f, "receive %u:%" PRIu32 " ts=%" PRIu64 " clock=%"
		    PRIu64 "\n", e->peer, e->seq, e->ts, e->clock);
		break;
	case TRACE_ACK:
		fprintf(f, "ack-state of peer%u counted C=%" PRIu64 "\n",
		    e->peer, e->ts);
		break;
	case TRACE_COVER:
		fprintf(f, "ack-state of peer%u covers %" PRIu64 ":%" PRIu32
		    "\n", e->peer, e->pos, e->seq);
		break;
	case TRACE_DELIVER:
		fprintf(f, "deliver %u:%" PRIu32 " ts=%" PRIu64 " position=%"
		    PRIu64 "\n", e->peer, e->seq, e->ts, e->pos);
		break;
	default:
		fprintf(f, "view %" PRIu64 " members=%" PRIx64 "\n", e->pos,
		    e->clock);
	}
}

/* Whether peer i's next event is a receipt whose send no trace holds
 * (its sender died, or cut its trace): only such a receipt is forced. */
static bool
sv_orphan(const struct sv *s, unsigned i)
{
	const struct trace_ev *e = &s->r->log[i].trace[s->ptr[i]];

	return e->kind == TRACE_RECV &&
	    (e->peer >= s->n || !s->present[sv_cell(s, e->peer, e->seq)]);
}

/*
 * Takes peer i's next event if it can be (a receipt waits for its send
 * unless force); writes it.  Returns true if it took one.
 */
static bool
sv_step(FILE *f, struct sv *s, unsigned i, bool force)
{
	const struct trace_ev *e = &s->r->log[i].trace[s->ptr[i]];
	size_t cell;
	unsigned k;

	if (e->kind == TRACE_RECV && e->peer < s->n) {
		cell = sv_cell(s, e->peer, e->seq);
		if (!s->known[cell] && !force)
			return false;
		if (s->known[cell])
			for (k = 0; k < s->n; k++)
				if (sv_sent(s, e->peer, e->seq)[k] > s->vc[i][k])
					s->vc[i][k] = sv_sent(s, e->peer,
					    e->seq)[k];
	}
	s->vc[i][i]++;
	if (e->kind == TRACE_SEND) {
		memcpy(sv_sent(s, i, e->seq), s->vc[i], s->n * sizeof(uint64_t));
		s->known[sv_cell(s, i, e->seq)] = true;
	}
	sv_line(f, s, i, e);
	s->ptr[i]++;
	return true;
}

static void
sv_walk(FILE *f, struct sv *s)
{
	bool moved, left;
	unsigned i;

	/* Each round takes at least one event.  When nothing can move, a
	 * receipt whose send no trace holds is forced; a receipt whose send
	 * is only waiting to be written never is (after a death mid-run,
	 * forcing the first blocked peer wrote 27 of 60 receipts before their
	 * sends).  Only traces that contradict themselves need the last
	 * resort, forcing any. */
	do {
		moved = left = false;
		for (i = 0; i < s->n; i++)
			while (s->ptr[i] < s->r->log[i].ntrace &&
			    sv_step(f, s, i, false))
				moved = true;
		for (i = 0; i < s->n && !moved; i++)
			if (s->ptr[i] < s->r->log[i].ntrace && sv_orphan(s, i))
				moved = sv_step(f, s, i, true);
		for (i = 0; i < s->n && !moved; i++)
			if (s->ptr[i] < s->r->log[i].ntrace)
				moved = sv_step(f, s, i, true);
		for (i = 0; i < s->n; i++)
			left = left || s->ptr[i] < s->r->log[i].ntrace;
	} while (left);
}

int
shiviz_write(const char *path, const struct report *r)
{
	struct sv *s;
	unsigned i;
	size_t j, cells;
	FILE *f;
	int rc;

	if (!(s = calloc(1, sizeof(*s))))
		return -1;
	s->r = r;
	s->n = r->p.n;
	for (i = 0; i < s->n; i++)
		for (j = 0; j < r->log[i].ntrace; j++)
			if (r->log[i].trace[j].seq > s->maxseq)
				s->maxseq = r->log[i].trace[j].seq;
	/* In 64 bits, where n x n x (maxseq + 1) <= 2^44 cannot overflow:
	 * in 32, a seq of 2^32 - 1 made maxseq + 1 zero, the tables empty,
	 * and every send wrote past them. */
	if ((uint64_t)s->n * s->n * ((uint64_t)s->maxseq + 1) >
	    SV_MAX_CELLS) {
		log_warnx("%s: traces too large for a ShiViz log: trace fewer "
		    "messages (--trace N)", path);
		free(s);
		return 0;
	}
	cells = (size_t)s->n * ((size_t)s->maxseq + 1);
	if (!(s->sent = calloc(cells * s->n, sizeof(uint64_t))) ||
	    !(s->known = calloc(cells, sizeof(bool))) ||
	    !(s->present = calloc(cells, sizeof(bool))) ||
	    !(f = fopen(path, "w"))) {
		free(s->sent);
		free(s->known);
		free(s->present);
		free(s);
		return -1;
	}
	for (i = 0; i < s->n; i++)
		for (j = 0; j < r->log[i].ntrace; j++)
			if (r->log[i].trace[j].kind == TRACE_SEND)
				s->present[sv_cell(s, i,
				    r->log[i].trace[j].seq)] = true;
	fprintf(f, "%s\n\n", SV_REGEX);
	sv_walk(f, s);
	rc = fclose(f) == 0 ? 0 : -1;
	free(s->sent);
	free(s->known);
	free(s->present);
	free(s);
	return rc;
}
