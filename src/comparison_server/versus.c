/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Ordering modes side by side (--compare): the same workload, seed and
 * emulation run once per mode, one row per run, as a table and a chart.
 * Each row keeps the figures of its report, so that the report itself can
 * be freed as soon as the run is over.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs.h"

struct versus *
versus_create(size_t rows)
{
	struct versus *vs = calloc(1, sizeof(*vs));

	if (!vs || !(vs->row = calloc(rows, sizeof(*vs->row)))) {
		free(vs);
		return NULL;
	}
	vs->cap = rows;
	return vs;
}

/*
 * The mean one-way delay a datagram meets, µs: the mean over ordered
 * pairs of the regions' delay (with its jitter of up to a tenth, emu.c),
 * plus the middle of --delay.  0 on a network without emulated delay.
 */
static double
mean_oneway_us(const struct run_params *p)
{
	double sum = 0, jitter = ((double)p->dmin_ms + (double)p->dmax_ms) *
	    1000.0 / 2;
	unsigned a, b;

	if (!p->regions || p->n < 2)
		return jitter;
	for (a = 0; a < p->n; a++)
		for (b = 0; b < p->n; b++)
			if (a != b)
				sum += (double)geo_delay_us(p, a, b) * 1.05;
	return sum / ((double)p->n * (p->n - 1)) + jitter;
}

void
versus_add(struct versus *vs, const struct report *r)
{
	struct versus_row *w;
	struct report_rates rt;

	if (vs->n == 0)
		vs->p = r->p;
	if (vs->n == vs->cap)
		return;
	w = &vs->row[vs->n++];
	report_rates(r, &rt);
	w->mode = r->p.mode;
	w->seed = r->p.seed;
	w->status = r->v.status;
	w->mismatched = r->v.mismatched;
	w->total = r->v.total;
	w->fifo = r->v.fifo_violations;
	w->causal = r->v.causal_violations;
	w->p50_us = report_median_latency(r);
	w->p99_us = report_p99_latency(r);
	w->oneway_us = mean_oneway_us(&r->p);
	w->dgrams = rt.dgrams_per_message;
	w->bytes = rt.bytes_per_message;
	w->throughput = rt.throughput;
}

void
versus_print(FILE *f, const struct versus *vs)
{
	char p50[16], p99[16], d[16];
	size_t i;

	fprintf(f, "\n%-9s %-7s %10s %6s %6s %10s %10s %5s %7s %7s %9s\n",
	    "order", "status", "mismatched", "fifo", "causal", "lat_p50",
	    "lat_p99", "p50/d", "dg/msg", "B/msg", "msgs/s");
	for (i = 0; i < vs->n; i++) {
		const struct versus_row *w = &vs->row[i];

		if (w->oneway_us > 0)
			snprintf(d, sizeof(d), "%.1f", (double)w->p50_us /
			    w->oneway_us);
		else
			snprintf(d, sizeof(d), "-");
		fprintf(f, "%-9s %-7s %10" PRIu64 " %6" PRIu64 " %6" PRIu64
		    " %10s %10s %5s %7.2f %7.1f %9.0f\n",
		    order_mode_name(w->mode), run_status_name(w->status),
		    w->mismatched, w->fifo, w->causal,
		    report_fmt_us(p50, sizeof(p50), w->p50_us),
		    report_fmt_us(p99, sizeof(p99), w->p99_us), d, w->dgrams,
		    w->bytes, w->throughput);
	}
	if (vs->n && vs->row[0].oneway_us > 0)
		fprintf(f, "(p50/d: the median own-message latency in mean "
		    "one-way delays, d = %.1f ms)\n", vs->row[0].oneway_us /
		    1000);
}

/* The chart: per run, its p50 and p99 own-message latency as bars, and
 * its mismatched rounds and datagrams per message as words. */
int
versus_svg(const char *path, const struct versus *vs)
{
	const unsigned left = 110, width = 520, bar = 14, top = 70;
	const unsigned rowh = 3 * bar + 8;
	unsigned h = top + (unsigned)vs->n * rowh + 50;
	uint64_t max = 1;
	char a[16], b[16];
	size_t i;
	FILE *f;

	for (i = 0; i < vs->n; i++)
		if (vs->row[i].p99_us > max)
			max = vs->row[i].p99_us;
	if (!(f = fopen(path, "w")))
		return -1;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" "
	    "height=\"%u\" font-family=\"sans-serif\" font-size=\"12\">\n"
	    "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
	    "<text x=\"10\" y=\"24\" font-size=\"16\" font-weight=\"bold\">"
	    "Own-message latency per ordering mode, same workload</text>\n",
	    left + width + 420, h);
	fprintf(f, "<text x=\"10\" y=\"44\">%u peers x %" PRIu32 " messages, "
	    "interval %" PRIu64 ":%" PRIu64 " ms, delay %" PRIu64 ":%" PRIu64
	    " ms%s%s, loss %g, dup %g, seed %" PRIu64 "</text>\n", vs->p.n,
	    vs->p.m, vs->p.imin_ms, vs->p.imax_ms, vs->p.dmin_ms,
	    vs->p.dmax_ms, vs->p.regions ? ", regions " : "", vs->p.regions ?
	    (vs->p.regions_src ? vs->p.regions_src : "") : "", vs->p.loss,
	    vs->p.dup, vs->p.seed);
	fprintf(f, "<rect x=\"%u\" y=\"52\" width=\"10\" height=\"10\" "
	    "fill=\"#4878a8\"/><text x=\"%u\" y=\"61\">p50</text>"
	    "<rect x=\"%u\" y=\"52\" width=\"10\" height=\"10\" "
	    "fill=\"#e0a040\"/><text x=\"%u\" y=\"61\">p99</text>\n", left,
	    left + 14, left + 60, left + 74);
	for (i = 0; i < vs->n; i++) {
		const struct versus_row *w = &vs->row[i];
		unsigned y = top + (unsigned)i * rowh;

		fprintf(f, "<text x=\"10\" y=\"%u\" font-weight=\"bold\">%s"
		    "</text><text x=\"10\" y=\"%u\">%s</text>\n", y + bar,
		    order_mode_name(w->mode), y + 2 * bar + 2,
		    run_status_name(w->status));
		fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"%.1f\" height=\"%u"
		    "\" fill=\"#4878a8\"/><rect x=\"%u\" y=\"%u\" width=\"%.1f\" "
		    "height=\"%u\" fill=\"#e0a040\"/>\n", left, y + 2,
		    (double)width * (double)w->p50_us / (double)max, bar, left,
		    y + bar + 4, (double)width * (double)w->p99_us /
		    (double)max, bar);
		fprintf(f, "<text x=\"%u\" y=\"%u\">p50 %s, p99 %s</text>"
		    "<text x=\"%u\" y=\"%u\">%" PRIu64 " of %" PRIu64
		    " rounds mismatched, %" PRIu64 " FIFO and %" PRIu64
		    " causal violations, %.2f datagrams per message</text>\n",
		    left + width + 10, y + bar, report_fmt_us(a, sizeof(a),
		    w->p50_us), report_fmt_us(b, sizeof(b), w->p99_us),
		    left + width + 10, y + 2 * bar + 2, w->mismatched, w->total,
		    w->fifo, w->causal, w->dgrams);
	}
	fprintf(f, "</svg>\n");
	return fclose(f) == 0 ? 0 : -1;
}

void
versus_free(struct versus *vs)
{
	if (!vs)
		return;
	free(vs->row);
	free(vs);
}
