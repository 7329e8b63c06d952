/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Experiments: the runs of a sweep aggregated per (peers, messages)
 * combination, printed as a summary table.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cs.h"

struct sweep_stats *
sweep_create(size_t cells)
{
	struct sweep_stats *s = calloc(1, sizeof(*s));

	if (!s || !(s->cell = calloc(cells, sizeof(*s->cell)))) {
		free(s);
		return NULL;
	}
	s->cap = cells;
	return s;
}

/* A run that did not end (aborted, timeout) is worse than one that failed. */
static int
severity(enum run_status s)
{
	if (s == RUN_STATUS_OK)
		return 0;
	if (s == RUN_STATUS_FAILED)
		return 1;
	return 2;
}

void
sweep_add(struct sweep_stats *s, const struct report *r)
{
	struct sweep_cell *c = NULL;
	uint64_t *nl;
	size_t i;

	if (s->n == 0)
		s->p = r->p;	/* mode, delay, loss: the sweep's, in each run */
	for (i = 0; i < s->n; i++)
		if (s->cell[i].n == r->p.n && s->cell[i].m == r->p.m)
			c = &s->cell[i];
	if (!c) {
		if (s->n == s->cap)
			return;
		c = &s->cell[s->n++];
		c->n = r->p.n;
		c->m = r->p.m;
		c->mis_min = UINT64_MAX;
		c->worst = RUN_STATUS_OK;
	}
	if (!(nl = realloc(c->lat, (c->runs + 1) * sizeof(*nl))))
		return;
	c->lat = nl;
	c->lat[c->runs++] = report_median_latency(r);
	c->mis_sum += r->v.mismatched;
	if (r->v.mismatched < c->mis_min)
		c->mis_min = r->v.mismatched;
	if (r->v.mismatched > c->mis_max)
		c->mis_max = r->v.mismatched;
	c->missing += r->v.missing;
	c->duplicates += r->v.duplicates;
	if (severity(r->v.status) > severity(c->worst))
		c->worst = r->v.status;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void
sweep_print(FILE *f, const struct sweep_stats *s)
{
	char lat[16];
	size_t i;

	fprintf(f, "\nsweep summary\n%5s %9s %5s %10s %8s %8s %8s %10s %11s "
	    "%8s\n", "peers", "messages", "runs", "mis_mean", "mis_min",
	    "mis_max", "missing", "duplicates", "latency_p50", "worst");
	for (i = 0; i < s->n; i++) {
		struct sweep_cell *c = &s->cell[i];

		qsort(c->lat, c->runs, sizeof(*c->lat), cmp_u64);
		fprintf(f, "%5u %9u %5" PRIu64 " %10.2f %8" PRIu64 " %8" PRIu64
		    " %8" PRIu64 " %10" PRIu64 " %11s %8s\n", c->n,
		    c->m, c->runs, c->runs ? (double)c->mis_sum /
		    (double)c->runs : 0, c->runs ? c->mis_min : 0, c->mis_max,
		    c->missing, c->duplicates, report_fmt_us(lat, sizeof(lat),
		    c->runs ? c->lat[c->runs / 2] : 0), run_status_name(c->worst));
	}
}

void
sweep_free(struct sweep_stats *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		free(s->cell[i].lat);
	free(s->cell);
	free(s);
}
