/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Pictures.  A run: one lane per peer, one cell per delivery position
 * coloured by the sending peer, the mismatched positions marked in a red
 * strip above the lanes; beyond MAX_COLS positions each column summarises a
 * range of positions (its first position's sender, and the share of
 * mismatched positions as the strip's intensity).  A sweep: mean mismatched
 * rounds against messages per peer, one line per peer count.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cs.h"

#define MAX_COLS	600
#define PLOT_W		1200

static const char *const palette[] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
	"#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31",
	"#843c39", "#7b4173", "#3182bd", "#31a354",
};
#define NCOLORS	(sizeof(palette) / sizeof(palette[0]))

static const char *
color_of(unsigned sender)
{
	return palette[sender % NCOLORS];
}

int
report_svg(const char *path, const struct report *r)
{
	uint64_t len = r->total, cols, per, c, j;
	unsigned i, lane_h = 18, top = 70, left = 70;
	double cw;
	size_t k = 0;
	FILE *f;

	for (i = 0; i < r->p.n; i++)
		if (r->log[i].n > len)
			len = r->log[i].n;
	if (len == 0)
		len = 1;
	cols = len <= MAX_COLS ? len : MAX_COLS;
	per = (len + cols - 1) / cols;
	cols = (len + per - 1) / per;
	cw = (double)PLOT_W / (double)cols;
	if (!(f = fopen(path, "w")))
		return -1;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" "
	    "height=\"%u\" font-family=\"sans-serif\" font-size=\"12\">\n"
	    "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
	    left + PLOT_W + 30, top + (r->p.n + 1) * lane_h + 90);
	fprintf(f, "<text x=\"%u\" y=\"22\" font-size=\"16\" "
	    "font-weight=\"bold\">MPComm run %" PRIu64 ": order=%s, %u peers x "
	    "%u messages, status %s</text>\n", left, r->run,
	    order_mode_name(r->p.mode), r->p.n, r->p.m, r->status);
	fprintf(f, "<text x=\"%u\" y=\"42\">interval %" PRIu64 ":%" PRIu64
	    " ms, delay %" PRIu64 ":%" PRIu64 " ms, loss %g, dup %g, seed %"
	    PRIu64 " - mismatched rounds: %" PRIu64 " of %" PRIu64
	    " positions%s</text>\n", left, r->p.imin_ms, r->p.imax_ms,
	    r->p.dmin_ms, r->p.dmax_ms, r->p.loss, r->p.dup, r->p.seed,
	    r->mismatched, r->total, per > 1 ? " (each column summarises "
	    "several positions)" : "");

	/* The mismatch strip: red where peers disagree. */
	fprintf(f, "<text x=\"%u\" y=\"%u\" text-anchor=\"end\">mismatch"
	    "</text>\n", left - 6, top + 13);
	for (c = 0; c < cols; c++) {
		uint64_t bad = 0, lo = c * per, hi = lo + per;

		while (k < r->npositions && r->positions[k] < lo)
			k++;
		while (k < r->npositions && r->positions[k] < hi) {
			bad++;
			k++;
		}
		if (bad)
			fprintf(f, "<rect x=\"%.2f\" y=\"%u\" width=\"%.2f\" "
			    "height=\"%u\" fill=\"#d62728\" fill-opacity="
			    "\"%.2f\"><title>positions %" PRIu64 "-%" PRIu64
			    ": %" PRIu64 " mismatched</title></rect>\n",
			    left + (double)c * cw, top, cw, lane_h - 4,
			    0.25 + 0.75 * (double)bad / (double)per, lo,
			    hi - 1, bad);
	}
	/* One lane per peer. */
	for (i = 0; i < r->p.n; i++) {
		const struct peer_log *l = &r->log[i];
		unsigned y = top + (i + 1) * lane_h;

		fprintf(f, "<text x=\"%u\" y=\"%u\" text-anchor=\"end\">peer "
		    "%u</text>\n", left - 6, y + 13, i);
		if (!l->received) {
			fprintf(f, "<text x=\"%u\" y=\"%u\" fill=\"#d62728\">"
			    "no log</text>\n", left + 4, y + 13);
			continue;
		}
		for (c = 0; c < cols; c++) {
			j = c * per;
			if (j >= l->n)
				break;
			fprintf(f, "<rect x=\"%.2f\" y=\"%u\" width=\"%.2f\" "
			    "height=\"%u\" fill=\"%s\"><title>position %"
			    PRIu64 ": message %" PRIu64 "/%" PRIu64
			    "</title></rect>\n", left + (double)c * cw, y,
			    cw > 1.5 ? cw - 0.5 : cw, lane_h - 3,
			    color_of((unsigned)(l->keys[j] >> 32)), j,
			    l->keys[j] >> 32, l->keys[j] & 0xffffffff);
		}
	}
	/* Axis and legend. */
	{
		unsigned y = top + (r->p.n + 1) * lane_h + 16;

		fprintf(f, "<text x=\"%u\" y=\"%u\">delivery position 0</text>"
		    "\n<text x=\"%u\" y=\"%u\" text-anchor=\"end\">%" PRIu64
		    "</text>\n", left, y, left + PLOT_W, y, len - 1);
		fprintf(f, "<text x=\"%u\" y=\"%u\">colour = sending peer:"
		    "</text>\n", left, y + 24);
		for (i = 0; i < r->p.n && i < 32; i++)
			fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"12\" "
			    "height=\"12\" fill=\"%s\"/><text x=\"%u\" "
			    "y=\"%u\">%u</text>\n", left + 150 + i * 40,
			    y + 14, color_of(i), left + 150 + i * 40 + 16,
			    y + 24, i);
	}
	fprintf(f, "</svg>\n");
	return fclose(f) == 0 ? 0 : -1;
}

int
sweep_svg(const char *path, const struct sweep_stats *s)
{
	unsigned w = 800, h = 480, left = 80, right = 160, top = 50, bottom = 60;
	double ymax = 1, xmax = 1, px, py;
	unsigned peers[64], np = 0, a, b;
	size_t i;
	FILE *f;

	for (i = 0; i < s->n; i++) {
		const struct sweep_cell *c = &s->cell[i];
		double mean = c->runs ? (double)c->mis_sum / (double)c->runs : 0;
		bool seen = false;

		if (mean > ymax)
			ymax = mean;
		if (c->m > xmax)
			xmax = c->m;
		for (a = 0; a < np; a++)
			seen |= peers[a] == c->n;
		if (!seen && np < 64)
			peers[np++] = c->n;
	}
	if (!(f = fopen(path, "w")))
		return -1;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" "
	    "height=\"%u\" font-family=\"sans-serif\" font-size=\"12\">\n"
	    "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
	    "<text x=\"%u\" y=\"28\" font-size=\"16\" font-weight=\"bold\">"
	    "Mismatched rounds (mean over runs) against messages per peer"
	    "</text>\n", w, h, left);
	/* Axes with ticks at 0, 1/4, ... of the range. */
	fprintf(f, "<line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\" "
	    "stroke=\"black\"/>\n<line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\" "
	    "stroke=\"black\"/>\n", left, h - bottom, w - right, h - bottom,
	    left, top, left, h - bottom);
	for (a = 0; a <= 4; a++) {
		double fx = left + (double)(w - right - left) * a / 4.0;
		double fy = (double)(h - bottom) - (double)(h - bottom - top) *
		    a / 4.0;

		fprintf(f, "<text x=\"%.1f\" y=\"%u\" text-anchor=\"middle\">"
		    "%.0f</text>\n<text x=\"%u\" y=\"%.1f\" text-anchor=\"end\">"
		    "%.1f</text>\n<line x1=\"%u\" y1=\"%.1f\" x2=\"%u\" "
		    "y2=\"%.1f\" stroke=\"#dddddd\"/>\n", fx, h - bottom + 18,
		    xmax * a / 4.0, left - 6, fy + 4, ymax * a / 4.0, left, fy,
		    w - right, fy);
	}
	fprintf(f, "<text x=\"%u\" y=\"%u\" text-anchor=\"middle\">messages "
	    "per peer</text>\n<text x=\"20\" y=\"%u\" transform=\"rotate(-90 "
	    "20 %u)\" text-anchor=\"middle\">mismatched rounds</text>\n",
	    (left + w - right) / 2, h - 20, (top + h - bottom) / 2,
	    (top + h - bottom) / 2);
	for (a = 0; a < np; a++) {
		const char *col = palette[a % NCOLORS];
		bool first = true;

		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" "
		    "stroke-width=\"2\" points=\"", col);
		/* Cells of one peer count, by increasing messages. */
		for (b = 0; b < 2; b++) {
			uint32_t lastm = 0;

			for (;;) {
				const struct sweep_cell *best = NULL;

				for (i = 0; i < s->n; i++)
					if (s->cell[i].n == peers[a] &&
					    s->cell[i].m > lastm &&
					    (!best || s->cell[i].m < best->m))
						best = &s->cell[i];
				if (!best)
					break;
				lastm = best->m;
				px = left + (double)(w - right - left) *
				    best->m / xmax;
				py = (double)(h - bottom) - (double)(h - bottom -
				    top) * ((double)best->mis_sum /
				    (double)(best->runs ? best->runs : 1)) / ymax;
				if (b == 0)
					fprintf(f, "%s%.1f,%.1f", first ? "" :
					    " ", px, py);
				else
					fprintf(f, "<circle cx=\"%.1f\" "
					    "cy=\"%.1f\" r=\"4\" fill=\"%s\">"
					    "<title>%u peers, %u messages: "
					    "mean %.2f (min %" PRIu64 ", max %"
					    PRIu64 ")</title></circle>\n", px, py,
					    col, best->n, best->m,
					    (double)best->mis_sum /
					    (double)(best->runs ? best->runs : 1),
					    best->mis_min, best->mis_max);
				first = false;
			}
			if (b == 0)
				fprintf(f, "\"/>\n");
		}
		fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"12\" height=\"12\" "
		    "fill=\"%s\"/><text x=\"%u\" y=\"%u\">%u peers</text>\n",
		    w - right + 20, top + 20 * a, col, w - right + 38,
		    top + 20 * a + 11, peers[a]);
	}
	fprintf(f, "</svg>\n");
	return fclose(f) == 0 ? 0 : -1;
}
