/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Pictures.  A run: one lane per peer, one cell per delivery position
 * coloured by the sending peer, the mismatched positions marked in a red
 * strip above the lanes.  Beyond DETAIL_MAX positions, where sampled lanes
 * would look like noise whatever the order, the whole run is drawn as
 * mismatch density per block of positions with the first disagreement
 * marked, and the lanes show DETAIL_MAX positions from just before it.
 * View changes are marked in both, and the window starts before the first
 * view when the peers agree everywhere.  The positions counted are the
 * report's: in a views run, those judged among the survivors.
 * A sweep: mean mismatched rounds against messages per peer, one line per
 * peer count, titled with what was run.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cs.h"

#define MAX_COLS	600
#define PLOT_W		1200
#define LEFT		70
#define TOP		70
#define LANE_H		18
#define DETAIL_MAX	300	/* positions drawn one by one */
#define DENSITY_H	60

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

/* Mismatched positions in [lo, hi), counting from *k on (sorted). */
static uint64_t
bad_in(const struct report *r, size_t *k, uint64_t lo, uint64_t hi)
{
	uint64_t bad = 0;

	while (*k < r->v.npositions && r->v.positions[*k] < lo)
		(*k)++;
	while (*k < r->v.npositions && r->v.positions[*k] < hi) {
		bad++;
		(*k)++;
	}
	return bad;
}

/* The positions the report counts: in a views run those judged among
 * the survivors, else every message sent. */
static uint64_t
svg_counted(const struct report *r)
{
	return r->v.views_run ? r->v.judged : r->v.total;
}

/* Columns of `per` positions each over [lo, hi), PLOT_W wide. */
struct span {
	uint64_t	 lo, hi, per, cols;
	double		 cw;
};

static void
span_init(struct span *sp, uint64_t lo, uint64_t hi)
{
	uint64_t len = hi > lo ? hi - lo : 1;

	sp->lo = lo;
	sp->hi = lo + len;
	sp->cols = len <= MAX_COLS ? len : MAX_COLS;
	sp->per = (len + sp->cols - 1) / sp->cols;
	sp->cols = (len + sp->per - 1) / sp->per;
	sp->cw = (double)PLOT_W / (double)sp->cols;
}

/* The red strip at y: where the peers disagree, by column. */
static void
svg_strip(FILE *f, const struct report *r, const struct span *sp, unsigned y,
    unsigned h)
{
	uint64_t c, bad, lo;
	size_t k = 0;

	fprintf(f, "<text x=\"%u\" y=\"%u\" text-anchor=\"end\">mismatch"
	    "</text>\n", LEFT - 6, y + 13);
	for (c = 0; c < sp->cols; c++) {
		lo = sp->lo + c * sp->per;
		if ((bad = bad_in(r, &k, lo, lo + sp->per)) == 0)
			continue;
		fprintf(f, "<rect x=\"%.2f\" y=\"%u\" width=\"%.2f\" height="
		    "\"%u\" fill=\"#d62728\" fill-opacity=\"%.2f\"><title>"
		    "positions %" PRIu64 "-%" PRIu64 ": %" PRIu64 " mismatched"
		    "</title></rect>\n", LEFT + (double)c * sp->cw, y, sp->cw,
		    h, 0.25 + 0.75 * (double)bad / (double)sp->per, lo,
		    lo + sp->per - 1, bad);
	}
}

/* One lane per peer from y on, one cell per position of the span. */
static void
svg_lanes(FILE *f, const struct report *r, const struct span *sp, unsigned y)
{
	uint64_t c, j;
	unsigned i;

	for (i = 0; i < r->p.n; i++, y += LANE_H) {
		const struct peer_log *l = &r->log[i];

		fprintf(f, "<text x=\"%u\" y=\"%u\" text-anchor=\"end\">peer "
		    "%u</text>\n", LEFT - 6, y + 13, i);
		if (!l->received) {
			fprintf(f, "<text x=\"%u\" y=\"%u\" fill=\"#d62728\">"
			    "no log</text>\n", LEFT + 4, y + 13);
			continue;
		}
		for (c = 0; c < sp->cols; c++) {
			if ((j = sp->lo + c * sp->per) >= l->n)
				break;
			fprintf(f, "<rect x=\"%.2f\" y=\"%u\" width=\"%.2f\" "
			    "height=\"%u\" fill=\"%s\"><title>position %"
			    PRIu64 ": message %" PRIu64 "/%" PRIu64
			    "</title></rect>\n", LEFT + (double)c * sp->cw, y,
			    sp->cw > 1.5 ? sp->cw - 0.5 : sp->cw, LANE_H - 3,
			    color_of((unsigned)(l->keys[j] >> 32)), j,
			    l->keys[j] >> 32, l->keys[j] & 0xffffffff);
		}
	}
}

/* The positions under a span at y: its first and last. */
static void
svg_axis(FILE *f, const struct span *sp, unsigned y, const char *what)
{
	fprintf(f, "<text x=\"%u\" y=\"%u\">%s %" PRIu64 "</text>\n<text x="
	    "\"%u\" y=\"%u\" text-anchor=\"end\">%" PRIu64 "</text>\n", LEFT,
	    y, what, sp->lo, LEFT + PLOT_W, y, sp->hi - 1);
}

/*
 * Where the survivors installed each view, a dashed line across the lanes
 * from y (h high) at its position in the span, labelled (if label) with
 * the view and who left in it, in the row above y; a label that would run
 * past the right edge ends at its line instead.
 */
static void
svg_views(FILE *f, const struct report *r, const struct span *sp, unsigned y,
    unsigned h, bool label)
{
	char text[128];
	const struct peer_log *ref;
	uint64_t prev;
	size_t k;
	unsigned i;
	double x;

	if (!r->v.views_run || r->v.ref < 0)
		return;
	ref = &r->log[r->v.ref];
	prev = ~UINT64_C(0) >> (64 - (r->p.n < 64 ? r->p.n : 64));
	for (k = 0; k < ref->nviews; prev = ref->views[k].members, k++) {
		if (ref->views[k].at < sp->lo || ref->views[k].at > sp->hi)
			continue;
		x = LEFT + (double)(ref->views[k].at - sp->lo) /
		    (double)sp->per * sp->cw;
		fprintf(f, "<line class=\"view\" x1=\"%.2f\" y1=\"%u\" "
		    "x2=\"%.2f\" y2=\"%u\" stroke=\"black\" stroke-width="
		    "\"2\" stroke-dasharray=\"6 3\"><title>view %" PRIu32
		    " installed after %" PRIu64 " messages</title></line>\n", x,
		    y, x, y + h, ref->views[k].view, ref->views[k].at);
		if (!label)
			continue;
		snprintf(text, sizeof(text), "view %" PRIu32 " (after %" PRIu64
		    " messages):", ref->views[k].view, ref->views[k].at);
		for (i = 0; i < r->p.n; i++)
			if (prev >> i & 1 && !(ref->views[k].members >> i & 1) &&
			    strlen(text) + 5 < sizeof(text))
				snprintf(text + strlen(text), sizeof(text) -
				    strlen(text), " -%u", i);
		/* About 6 px a character at font size 11. */
		if (x + 3 + 6.0 * (double)strlen(text) > LEFT + PLOT_W + 30)
			fprintf(f, "<text x=\"%.2f\" y=\"%u\" font-size="
			    "\"11\" text-anchor=\"end\">%s</text>\n", x - 3,
			    y - 3, text);
		else
			fprintf(f, "<text x=\"%.2f\" y=\"%u\" font-size="
			    "\"11\">%s</text>\n", x + 3, y - 3, text);
	}
}

/*
 * The whole run as mismatch density: per block of positions, a bar as
 * high as the share of mismatched positions in it (full height: the peers
 * disagree everywhere), and a marker at the first disagreement.
 */
static unsigned
svg_density(FILE *f, const struct report *r, uint64_t len, unsigned y)
{
	struct span sp;
	uint64_t c, bad, lo;
	size_t k = 0;
	double x;

	span_init(&sp, 0, len);
	fprintf(f, "<text x=\"%u\" y=\"%u\" font-weight=\"bold\">All %" PRIu64
	    " positions in blocks of %" PRIu64 ": share of positions where the "
	    "peers disagree</text>\n<rect x=\"%u\" y=\"%u\" width=\"%u\" height="
	    "\"%u\" fill=\"#2ca02c\" fill-opacity=\"0.15\"/>\n", LEFT, y,
	    svg_counted(r) ? svg_counted(r) : len, sp.per, LEFT, y + 8, PLOT_W,
	    DENSITY_H);
	fprintf(f, "<text x=\"%u\" y=\"%u\" text-anchor=\"end\">100%%</text>\n"
	    "<text x=\"%u\" y=\"%u\" text-anchor=\"end\">0%%</text>\n",
	    LEFT - 6, y + 20, LEFT - 6, y + 8 + DENSITY_H);
	for (c = 0; c < sp.cols; c++) {
		lo = c * sp.per;
		if ((bad = bad_in(r, &k, lo, lo + sp.per)) == 0)
			continue;
		fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height="
		    "\"%.2f\" fill=\"#d62728\"><title>positions %" PRIu64 "-%"
		    PRIu64 ": %" PRIu64 " mismatched</title></rect>\n", LEFT +
		    (double)c * sp.cw, y + 8 + DENSITY_H * (1 - (double)bad /
		    (double)sp.per), sp.cw, DENSITY_H * (double)bad /
		    (double)sp.per, lo, lo + sp.per - 1, bad);
	}
	if (r->v.npositions) {
		x = LEFT + (double)PLOT_W * (double)r->v.positions[0] /
		    (double)len;
		fprintf(f, "<line x1=\"%.2f\" y1=\"%u\" x2=\"%.2f\" y2=\"%u\" "
		    "stroke=\"black\" stroke-dasharray=\"4 2\"/>\n<text x="
		    "\"%.2f\" y=\"%u\">first disagreement: position %" PRIu64
		    "</text>\n", x, y + 4, x, y + 12 + DENSITY_H, x + 4,
		    y + 26 + DENSITY_H, r->v.positions[0]);
	} else {
		fprintf(f, "<text x=\"%u\" y=\"%u\">the peers agree at every "
		    "position</text>\n", LEFT + 4, y + 26 + DENSITY_H);
	}
	svg_views(f, r, &sp, y + 8, DENSITY_H, false);
	svg_axis(f, &sp, y + 44 + DENSITY_H, "position");
	return y + 60 + DENSITY_H;
}

static void
svg_legend(FILE *f, const struct report *r, unsigned y)
{
	unsigned i;

	fprintf(f, "<text x=\"%u\" y=\"%u\">colour = sending peer:</text>\n",
	    LEFT, y);
	for (i = 0; i < r->p.n && i < 32; i++)
		fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"12\" height=\"12\" "
		    "fill=\"%s\"/><text x=\"%u\" y=\"%u\">%u</text>\n",
		    LEFT + 150 + i * 40, y - 10, color_of(i),
		    LEFT + 150 + i * 40 + 16, y, i);
}

static void
svg_title(FILE *f, const struct report *r, unsigned h)
{
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" "
	    "height=\"%u\" font-family=\"sans-serif\" font-size=\"12\">\n"
	    "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
	    LEFT + PLOT_W + 30, h);
	fprintf(f, "<text x=\"%u\" y=\"22\" font-size=\"16\" "
	    "font-weight=\"bold\">MPComm run %" PRIu64 ": order=%s, %u peers x "
	    "%u messages, status %s</text>\n", LEFT, r->run,
	    order_mode_name(r->p.mode), r->p.n, r->p.m,
	    run_status_name(r->v.status));
	fprintf(f, "<text x=\"%u\" y=\"42\">interval %" PRIu64 ":%" PRIu64
	    " ms, delay %" PRIu64 ":%" PRIu64 " ms, loss %g, dup %g, seed %"
	    PRIu64 " - mismatched rounds: %" PRIu64 " of %" PRIu64
	    " positions%s</text>\n", LEFT, r->p.imin_ms, r->p.imax_ms,
	    r->p.dmin_ms, r->p.dmax_ms, r->p.loss, r->p.dup, r->p.seed,
	    r->v.mismatched, svg_counted(r), r->v.views_run ? " among the survivors" :
	    "");
	if (r->v.views_run)
		fprintf(f, "<text x=\"%u\" y=\"58\">%" PRIu32 " view "
		    "change(s) installed; dashed lines: where</text>\n", LEFT,
		    r->v.views);
}

int
report_svg(const char *path, const struct report *r)
{
	uint64_t len = svg_counted(r), w0 = 0, at;
	unsigned i, y = TOP, lanes = (r->p.n + 1) * LANE_H;
	unsigned vrow = r->v.views_run ? 14 : 0;	/* the views' labels */
	struct span sp;
	FILE *f;

	for (i = 0; i < r->p.n; i++)
		if (r->log[i].n > len)
			len = r->log[i].n;
	if (len == 0)
		len = 1;
	if (!(f = fopen(path, "w")))
		return -1;
	svg_title(f, r, TOP + vrow + lanes + 110 + (len > DETAIL_MAX ?
	    DENSITY_H + 80 + vrow : 0));
	y += vrow / 2;
	if (len > DETAIL_MAX) {
		/* Detail: a window from a little before the first mismatch. */
		y = svg_density(f, r, len, y);
		at = r->v.npositions ? r->v.positions[0] : r->v.views_run &&
		    r->v.ref >= 0 && r->log[r->v.ref].nviews ?
		    r->log[r->v.ref].views[0].at : 0;
		w0 = at > DETAIL_MAX / 10 ? at - DETAIL_MAX / 10 : 0;
		if (w0 + DETAIL_MAX > len)
			w0 = len - DETAIL_MAX;
		fprintf(f, "<text x=\"%u\" y=\"%u\" font-weight=\"bold\">"
		    "Positions %" PRIu64 "-%" PRIu64 " in detail</text>\n",
		    LEFT, y, w0, w0 + DETAIL_MAX - 1);
		y += 10 + vrow;
	} else {
		y += vrow;
	}
	span_init(&sp, w0, len > DETAIL_MAX ? w0 + DETAIL_MAX : len);
	svg_strip(f, r, &sp, y, LANE_H - 4);
	svg_lanes(f, r, &sp, y + LANE_H);
	svg_views(f, r, &sp, y, lanes, true);
	svg_axis(f, &sp, y + lanes + 16, "delivery position");
	svg_legend(f, r, y + lanes + 40);
	fprintf(f, "</svg>\n");
	return fclose(f) == 0 ? 0 : -1;
}

/* A round step (1, 2 or 5 times a power of ten) for about 4 ticks to max. */
static double
nice_step(double max)
{
	double p = 1, m;

	while (max / p > 10)
		p *= 10;
	while (max / p < 1 && p > 1e-9)
		p /= 10;
	m = max / p;	/* in [1, 10] */
	return p * (m <= 2 ? 0.5 : m <= 4 ? 1 : m <= 8 ? 2 : 2.5);
}

/* v rounded up to a multiple of step. */
static double
round_up(double v, double step)
{
	double k = (double)(uint64_t)(v / step);

	return (k * step < v ? k + 1 : k) * step;
}

/* The chart's frame: axes and a tick at every multiple of the step. */
struct chart {
	unsigned	 w, h, left, right, top, bottom;
	double		 xmax, ymax, xstep, ystep;
};

static double
chart_x(const struct chart *ch, double v)
{
	return ch->left + (double)(ch->w - ch->right - ch->left) * v / ch->xmax;
}

static double
chart_y(const struct chart *ch, double v)
{
	return (double)(ch->h - ch->bottom) - (double)(ch->h - ch->bottom -
	    ch->top) * v / ch->ymax;
}

static void
chart_axes(FILE *f, const struct chart *ch)
{
	double v;

	fprintf(f, "<line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\" "
	    "stroke=\"black\"/>\n<line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\" "
	    "stroke=\"black\"/>\n", ch->left, ch->h - ch->bottom,
	    ch->w - ch->right, ch->h - ch->bottom, ch->left, ch->top, ch->left,
	    ch->h - ch->bottom);
	for (v = 0; v <= ch->xmax * 1.0001; v += ch->xstep)
		fprintf(f, "<line x1=\"%.1f\" y1=\"%u\" x2=\"%.1f\" y2=\"%u\" "
		    "stroke=\"black\"/><text x=\"%.1f\" y=\"%u\" text-anchor="
		    "\"middle\">%g</text>\n", chart_x(ch, v), ch->h - ch->bottom,
		    chart_x(ch, v), ch->h - ch->bottom + 5, chart_x(ch, v),
		    ch->h - ch->bottom + 18, v);
	for (v = 0; v <= ch->ymax * 1.0001; v += ch->ystep)
		fprintf(f, "<line x1=\"%u\" y1=\"%.1f\" x2=\"%u\" y2=\"%.1f\" "
		    "stroke=\"#dddddd\"/><text x=\"%u\" y=\"%.1f\" text-anchor="
		    "\"end\">%g</text>\n", ch->left, chart_y(ch, v),
		    ch->w - ch->right, chart_y(ch, v), ch->left - 6,
		    chart_y(ch, v) + 4, v);
	fprintf(f, "<text x=\"%u\" y=\"%u\" text-anchor=\"middle\">messages "
	    "per peer</text>\n<text x=\"20\" y=\"%u\" transform=\"rotate(-90 "
	    "20 %u)\" text-anchor=\"middle\">mismatched rounds</text>\n",
	    (ch->left + ch->w - ch->right) / 2, ch->h - 20,
	    (ch->top + ch->h - ch->bottom) / 2,
	    (ch->top + ch->h - ch->bottom) / 2);
}

/* Line a's dash pattern and marker, so that lines on top of each other
 * (all at zero in total order) stay told apart. */
static const char *const dashes[] = { "", "8 4", "2 4", "10 4 2 4" };

static void
marker(FILE *f, unsigned a, double x, double y, const char *col)
{
	double r = 4 + (double)(a % 4);

	switch (a % 3) {
	case 0:
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" "
		    "fill=\"%s\"", x, y, r, col);
		break;
	case 1:
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		    "height=\"%.1f\" fill=\"none\" stroke=\"%s\" "
		    "stroke-width=\"2\"", x - r, y - r, 2 * r, 2 * r, col);
		break;
	default:
		fprintf(f, "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fZ\" "
		    "fill=\"%s\"", x, y - r, x + r, y + r, x - r, y + r, col);
	}
}

static double
cell_mean(const struct sweep_cell *c)
{
	return c->runs ? (double)c->mis_sum / (double)c->runs : 0;
}

/* The cell of peer count n with the fewest messages above lastm. */
static const struct sweep_cell *
next_cell(const struct sweep_stats *s, unsigned n, uint32_t lastm)
{
	const struct sweep_cell *best = NULL;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->cell[i].n == n && s->cell[i].m > lastm &&
		    (!best || s->cell[i].m < best->m))
			best = &s->cell[i];
	return best;
}

/* One peer count's line, its markers and its legend entry. */
static void
chart_line(FILE *f, const struct chart *ch, const struct sweep_stats *s,
    unsigned n, unsigned a)
{
	const char *col = palette[a % NCOLORS];
	const struct sweep_cell *c;
	bool zero = true;
	uint32_t m = 0;

	fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
	    "stroke-dasharray=\"%s\" points=\"", col, dashes[a % 4]);
	for (c = next_cell(s, n, 0); c; m = c->m, c = next_cell(s, n, c->m))
		fprintf(f, "%s%.1f,%.1f", m ? " " : "", chart_x(ch, c->m),
		    chart_y(ch, cell_mean(c)));
	fprintf(f, "\"/>\n");
	for (c = next_cell(s, n, 0); c; c = next_cell(s, n, c->m)) {
		zero &= c->mis_sum == 0;
		marker(f, a, chart_x(ch, c->m), chart_y(ch, cell_mean(c)), col);
		fprintf(f, "><title>%u peers, %u messages: mean %.2f (min %"
		    PRIu64 ", max %" PRIu64 ")</title></%s>\n", c->n, c->m,
		    cell_mean(c), c->mis_min, c->mis_max,
		    a % 3 == 0 ? "circle" : a % 3 == 1 ? "rect" : "path");
	}
	fprintf(f, "<line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\" stroke=\"%s\" "
	    "stroke-width=\"2\" stroke-dasharray=\"%s\"/>", ch->w - ch->right +
	    12, ch->top + 20 * a + 6, ch->w - ch->right + 36, ch->top + 20 * a
	    + 6, col, dashes[a % 4]);
	marker(f, a, ch->w - ch->right + 24, ch->top + 20 * a + 6, col);
	fprintf(f, "/>\n<text x=\"%u\" y=\"%u\">%u peers%s</text>\n",
	    ch->w - ch->right + 42, ch->top + 20 * a + 10, n,
	    zero ? ": 0 in every run" : "");
}

int
sweep_svg(const char *path, const struct sweep_stats *s)
{
	struct chart ch = { 800, 480, 80, 200, 50, 60, 0, 0, 0, 0 };
	unsigned peers[64], np = 0, a;
	uint64_t rmin = UINT64_MAX, rmax = 0;
	double ymax = 0, xmax = 1;
	bool seen;
	size_t i;
	FILE *f;

	for (i = 0; i < s->n; i++) {
		if (cell_mean(&s->cell[i]) > ymax)
			ymax = cell_mean(&s->cell[i]);
		if (s->cell[i].m > xmax)
			xmax = s->cell[i].m;
		for (a = 0, seen = false; a < np; a++)
			seen |= peers[a] == s->cell[i].n;
		if (!seen && np < 64)
			peers[np++] = s->cell[i].n;
	}
	ch.xstep = nice_step(xmax);
	ch.xmax = round_up(xmax, ch.xstep);
	ch.ystep = nice_step(ymax > 0 ? ymax : 4);
	ch.ymax = round_up(ymax > 0 ? ymax : 4, ch.ystep);
	if (!(f = fopen(path, "w")))
		return -1;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" "
	    "height=\"%u\" font-family=\"sans-serif\" font-size=\"12\">\n"
	    "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
	    "<text x=\"%u\" y=\"28\" font-size=\"16\" font-weight=\"bold\">"
	    "Mismatched rounds (mean over runs) against messages per peer"
	    "</text>\n", ch.w, ch.h, ch.left);
	for (i = 0; i < s->n; i++) {
		if (s->cell[i].runs < rmin)
			rmin = s->cell[i].runs;
		if (s->cell[i].runs > rmax)
			rmax = s->cell[i].runs;
	}
	if (rmin > rmax)
		rmin = rmax = 0;
	fprintf(f, "<text class=\"what\" x=\"%u\" y=\"44\">order=%s, delay %"
	    PRIu64 ":%" PRIu64 " ms, interval %" PRIu64 ":%" PRIu64 " ms, loss "
	    "%g, dup %g; ", ch.left, order_mode_name(s->p.mode), s->p.dmin_ms,
	    s->p.dmax_ms, s->p.imin_ms, s->p.imax_ms, s->p.loss, s->p.dup);
	if (rmin == rmax)
		fprintf(f, "%" PRIu64 " run%s per point</text>\n", rmin,
		    rmin == 1 ? "" : "s");
	else
		fprintf(f, "%" PRIu64 " to %" PRIu64 " runs per point</text>\n",
		    rmin, rmax);
	chart_axes(f, &ch);
	if (ymax == 0)
		fprintf(f, "<text x=\"%u\" y=\"%.1f\">no run had a mismatched "
		    "round: every line lies on zero</text>\n", ch.left + 10,
		    chart_y(&ch, 0) - 10);
	for (a = 0; a < np; a++)
		chart_line(f, &ch, s, peers[a], a);
	fprintf(f, "</svg>\n");
	return fclose(f) == 0 ? 0 : -1;
}
