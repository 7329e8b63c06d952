/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A space-time (Lamport) diagram of a traced run: one horizontal line per
 * peer, time to the right, each DATA an arrow from its send to its receipt
 * at every other peer, deliveries marked with their position, every event
 * titled (shown on hover) with its Lamport timestamp.  In total order each
 * delivery is tied to the event that made it deliverable; in none and fifo
 * the first disagreement is marked, with the arrows of the messages
 * involved.  Peers on one host share a monotonic clock, so the layout is
 * by time; across hosts it is by Lamport clock, which no message can run
 * backwards on.  Beyond ST_WINDOW messages per sender, the first ones.
 * Position labels are laid out in per-row occupancy bitmaps: a label that
 * would overlap a square or another label is left out, and the picture
 * says how many.  A few late events (a datagram resent under loss) do not
 * squeeze the rest: the axis ends just past the ST_CUT_Q quantile and what
 * is later is drawn past a dotted line, its arrows dashed, said in words.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpcomm/log.h"
#include "cs.h"

#define ST_WINDOW	50	/* messages per sender drawn */
#define ST_LEFT		150
#define ST_WIDTH	1000
#define ST_TOP		100
#define ST_LANE		110
#define ST_LATE		(ST_LEFT + ST_WIDTH + 24)	/* past the cut */
#define ST_CUT_Q	0.98	/* the time axis ends near this quantile */
#define ST_ROWS		6	/* deliveries stacked under a lane */
#define ST_ROW_W	(ST_LEFT + ST_WIDTH + 200)	/* occupancy, px */

static const char *const st_palette[] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
	"#7f7f7f", "#bcbd22"
};
#define ST_COLOR(s)	st_palette[(s) % 8]

struct st {
	const struct report *r;
	unsigned	 n;
	bool		 physical;	/* one host: laid out by its clock */
	uint32_t	 window;
	double		 lo, hi;	/* the drawn range, in layout units */
	double		 cut;		/* later than this: past the line */
	size_t		 nlate, nevents;	/* drawn events past it, all */
	size_t		 nlabels, nleft;	/* position labels, left out */
	double		*dx[MSG_MAX_PEERS], *dy[MSG_MAX_PEERS];	/* squares */
	unsigned char	 row[ST_ROWS][ST_ROW_W];	/* one lane's labels */
	double		*x[MSG_MAX_PEERS];	/* per event: layout units */
	bool		*drawn[MSG_MAX_PEERS];
	int64_t		*sendix[MSG_MAX_PEERS];	/* seq -> its @S index */
	int64_t		 first;		/* first mismatched position, or -1 */
	double		 last_x;	/* the lane's last delivery drawn */
	unsigned	 stack;		/* deliveries drawn there */
	uint64_t	 keyat[MSG_MAX_PEERS];	/* delivered there: s<<32|q */
};

static bool
same_host(const struct report *r)
{
	unsigned i;

	for (i = 1; i < r->p.n; i++)
		if (strcmp(r->member[i].host, r->member[0].host) != 0)
			return false;
	return true;
}

/* Whether event e of a peer is drawn: messages of the window, the events
 * that made a drawn delivery possible, and views. */
static bool
in_window(const struct st *s, const struct trace_ev *e)
{
	if (e->kind == TRACE_VIEW)
		return true;
	if (e->kind == TRACE_ACK || e->kind == TRACE_COVER)
		return false;	/* only as the cause of a delivery */
	return e->seq <= s->window;
}

/* Layout units of each event: time, or the Lamport clock. */
static void
st_place(struct st *s, unsigned i)
{
	const struct peer_log *l = &s->r->log[i];
	uint64_t lc = 0, k = 0;
	size_t j;

	for (j = 0; j < l->ntrace; j++) {
		const struct trace_ev *e = &l->trace[j];

		if (e->kind == TRACE_SEND || e->kind == TRACE_RECV) {
			lc = e->kind == TRACE_SEND ? e->ts : e->clock;
			k = 0;
		} else {
			k++;
		}
		/* Later events at one clock value stay in order, within
		 * half a tick: a receipt's clock is above its send's. */
		s->x[i][j] = s->physical ? (double)e->t :
		    (double)lc + 0.5 * (1.0 - 1.0 / (double)(k + 1));
		s->drawn[i][j] = in_window(s, e);
		/* A cause is an event before it (trace_check). */
		if (e->kind == TRACE_DELIVER && s->drawn[i][j] && e->via >= 0 &&
		    (size_t)e->via < j && s->r->p.mode == ORDER_TOTAL)
			s->drawn[i][e->via] = true;
		if (e->kind == TRACE_SEND && e->seq <= s->window)
			s->sendix[i][e->seq] = (int64_t)j;
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Where the time axis ends: at the drawn range's end, unless the last few
 * events lie more than twice as far out as the ST_CUT_Q quantile; then a
 * tenth past that quantile, so that one late datagram no longer squeezes
 * the run into a corner.
 */
static int
st_cut(struct st *s)
{
	double *v, q;
	size_t n = 0, k;
	unsigned i;
	size_t j;

	for (i = 0; i < s->n; i++)
		n += s->r->log[i].ntrace;
	if (!(v = malloc((n + 1) * sizeof(*v))))
		return -1;
	for (n = 0, i = 0; i < s->n; i++)
		for (j = 0; j < s->r->log[i].ntrace; j++)
			if (s->drawn[i][j] &&
			    s->r->log[i].trace[j].kind != TRACE_VIEW)
				v[n++] = s->x[i][j];
	s->cut = s->hi;
	s->nevents = n;
	if (n >= 10) {
		qsort(v, n, sizeof(*v), cmp_double);
		q = v[(size_t)(ST_CUT_Q * (double)(n - 1))];
		if (q > s->lo && s->hi - s->lo > 2 * (q - s->lo))
			s->cut = s->lo + 1.1 * (q - s->lo);
		for (k = 0; k < n; k++)
			s->nlate += v[k] > s->cut;
	}
	free(v);
	return 0;
}

static int
st_init(struct st *s, const struct report *r)
{
	unsigned i;
	size_t j;

	memset(s, 0, sizeof(*s));
	s->r = r;
	s->n = r->p.n;
	s->physical = same_host(r);
	s->window = r->p.m < ST_WINDOW ? r->p.m : ST_WINDOW;
	s->lo = 1e300;
	s->hi = -1e300;
	for (i = 0; i < s->n; i++) {
		size_t nt = r->log[i].ntrace + 1;

		if (!(s->x[i] = calloc(nt, sizeof(double))) ||
		    !(s->dx[i] = calloc(nt, sizeof(double))) ||
		    !(s->dy[i] = calloc(nt, sizeof(double))) ||
		    !(s->drawn[i] = calloc(nt, sizeof(bool))) ||
		    !(s->sendix[i] = malloc((s->window + 1) *
		    sizeof(int64_t))))
			return -1;
		for (j = 0; j <= s->window; j++)
			s->sendix[i][j] = -1;
		st_place(s, i);
		for (j = 0; j < r->log[i].ntrace; j++)
			if (s->drawn[i][j] && r->log[i].trace[j].kind !=
			    TRACE_VIEW) {
				if (s->x[i][j] < s->lo)
					s->lo = s->x[i][j];
				if (s->x[i][j] > s->hi)
					s->hi = s->x[i][j];
			}
	}
	if (s->lo > s->hi)
		s->lo = s->hi = 0;	/* nothing drawn */
	if (!(s->hi > s->lo))
		s->hi = s->lo + 1;
	if (st_cut(s) < 0)
		return -1;
	s->first = r->p.mode != ORDER_TOTAL && r->v.npositions ?
	    (int64_t)r->v.positions[0] : -1;
	for (i = 0; i < s->n && s->first >= 0; i++)
		s->keyat[i] = (uint64_t)s->first < r->log[i].n ?
		    r->log[i].keys[s->first] : UINT64_MAX;
	return 0;
}

static void
st_free(struct st *s)
{
	unsigned i;

	for (i = 0; i < MSG_MAX_PEERS; i++) {
		free(s->x[i]);
		free(s->dx[i]);
		free(s->dy[i]);
		free(s->drawn[i]);
		free(s->sendix[i]);
	}
}

/* Whether event j of peer i lies past the cut. */
static bool
st_late(const struct st *s, unsigned i, size_t j)
{
	return s->x[i][j] > s->cut;
}

static double
st_px(const struct st *s, unsigned i, size_t j)
{
	if (st_late(s, i, j))
		return ST_LATE;
	return ST_LEFT + (s->x[i][j] - s->lo) * ST_WIDTH / (s->cut - s->lo);
}

static double
st_py(unsigned i)
{
	return ST_TOP + i * ST_LANE;
}

/* Whether message (sender, seq) is one delivered at the first
 * disagreement by some peer. */
static bool
st_involved(const struct st *s, unsigned sender, uint32_t seq)
{
	uint64_t key = (uint64_t)sender << 32 | seq;
	unsigned i;

	for (i = 0; i < s->n && s->first >= 0; i++)
		if (s->keyat[i] == key)
			return true;
	return false;
}

/* Local time of event j of peer i, for titles: ms since the first. */
static double
st_ms(const struct st *s, unsigned i, size_t j)
{
	return s->physical ? (s->x[i][j] - s->lo) / 1000.0 : 0;
}

/* The lanes: one line per peer, with its name, host or region. */
static void
st_lanes(FILE *f, const struct st *s)
{
	const struct run_params *p = &s->r->p;
	unsigned i;

	for (i = 0; i < s->n; i++) {
		fprintf(f, "<text x=\"10\" y=\"%.1f\" font-size=\"14\" "
		    "fill=\"%s\">peer %u</text>\n", st_py(i) + 5,
		    ST_COLOR(i), i);
		if (p->regions)
			fprintf(f, "<text x=\"10\" y=\"%.1f\" font-size=\"10\">"
			    "%s</text>\n", st_py(i) + 19,
			    p->regions->name[p->place[i]]);
		fprintf(f, "<line class=\"lane\" x1=\"%d\" y1=\"%.1f\" "
		    "x2=\"%d\" y2=\"%.1f\" stroke=\"#333\" stroke-width=\"2\">"
		    "<title>peer %u: its events, time to the right</title>"
		    "</line>\n", ST_LEFT - 10, st_py(i), ST_LEFT + ST_WIDTH +
		    10, st_py(i), i);
	}
}

/* One arrow per DATA and receiver: from the send to the receipt. */
static void
st_arrows(FILE *f, const struct st *s)
{
	unsigned i;
	size_t j;

	for (i = 0; i < s->n; i++) {
		const struct peer_log *l = &s->r->log[i];

		for (j = 0; j < l->ntrace; j++) {
			const struct trace_ev *e = &l->trace[j];
			int64_t sj;
			bool hot, late;

			if (e->kind != TRACE_RECV || !s->drawn[i][j] ||
			    e->peer >= s->n || e->seq > s->window ||
			    (sj = s->sendix[e->peer][e->seq]) < 0)
				continue;
			hot = st_involved(s, e->peer, e->seq);
			late = st_late(s, i, j);
			fprintf(f, "<line class=\"msg%s%s\" x1=\"%.1f\" "
			    "y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
			    "stroke-width=\"%s\"%s marker-end=\"url(#%s)\">"
			    "<title>DATA %u:%" PRIu32 " ts=%" PRIu64 ", sent by "
			    "peer %u, received by peer %u (its clock after: %"
			    PRIu64 ")%s</title></line>\n", hot ? " crossed" : "",
			    late ? " late" : "",
			    st_px(s, e->peer, (size_t)sj), st_py(e->peer),
			    st_px(s, i, j), st_py(i), hot ? "#d62728" :
			    ST_COLOR(e->peer), hot ? "2.5" : "1", late ?
			    " stroke-dasharray=\"4,3\"" : "", late ? "late" :
			    "arrow", e->peer, e->seq, e->ts, e->peer, i,
			    e->clock, late ? ", late: past the cut of the "
			    "time axis" : "");
		}
	}
}

/* A send or a receipt: a dot on the lane. */
static void
st_dot(FILE *f, const struct st *s, unsigned i, size_t j)
{
	const struct trace_ev *e = &s->r->log[i].trace[j];

	if (e->kind == TRACE_SEND)
		fprintf(f, "<circle class=\"send\" cx=\"%.1f\" cy=\"%.1f\" "
		    "r=\"4\" fill=\"%s\"><title>peer %u sends %u:%" PRIu32
		    ", Lamport ts %" PRIu64 " (at %.1f ms)</title></circle>\n",
		    st_px(s, i, j), st_py(i), ST_COLOR(i), i, i, e->seq,
		    e->ts, st_ms(s, i, j));
	else
		fprintf(f, "<circle class=\"recv\" cx=\"%.1f\" cy=\"%.1f\" "
		    "r=\"3\" fill=\"white\" stroke=\"%s\"><title>peer %u "
		    "receives %u:%" PRIu32 " (ts %" PRIu64 "), clock after %"
		    PRIu64 " (at %.1f ms)</title></circle>\n", st_px(s, i, j),
		    st_py(i), ST_COLOR(e->peer), i, e->peer, e->seq, e->ts,
		    e->clock, st_ms(s, i, j));
}

/* What made a total-order delivery possible: a dashed tie to it. */
static void
st_cause(FILE *f, const struct st *s, unsigned i, size_t j, double x,
    double y)
{
	const struct trace_ev *e = &s->r->log[i].trace[j];
	const struct trace_ev *c;

	if (s->r->p.mode != ORDER_TOTAL || e->via < 0 || (size_t)e->via >= j)
		return;
	c = &s->r->log[i].trace[e->via];
	fprintf(f, "<line class=\"via\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
	    "y2=\"%.1f\" stroke=\"#555\" stroke-dasharray=\"2,2\"><title>%u:%"
	    PRIu32 " became deliverable at peer %u with %s of peer %u (%s %"
	    PRIu64 ")</title></line>\n", st_px(s, i, (size_t)e->via),
	    st_py(i), x, y + 4, e->peer, e->seq, i,
	    c->kind == TRACE_ACK ? "the ACK state" : "the DATA",
	    c->peer, c->kind == TRACE_ACK ? "C =" : "ts", c->ts);
}

/*
 * Where a delivery's square goes, under the lane.  Deliveries close
 * together (a burst, in total order) are stacked downwards, ST_ROWS to a
 * column, so that each stays readable.
 */
static void
st_stack(struct st *s, unsigned i, size_t j)
{
	double x = st_px(s, i, j);

	if (s->stack > 0 && x < s->last_x + 16) {
		x = s->last_x;
	} else {
		s->last_x = x;
		s->stack = 0;
	}
	s->dy[i][j] = st_py(i) + 10 + (s->stack % ST_ROWS) * 11;
	s->dx[i][j] = x + (s->stack / ST_ROWS) * 22;
	s->stack++;
}

static bool
st_first(const struct st *s, const struct trace_ev *e)
{
	return s->first >= 0 && e->pos == (uint64_t)s->first;
}

/* A delivery: a square in the sender's colour, red-edged at the first
 * disagreement. */
static void
st_delivery(FILE *f, struct st *s, unsigned i, size_t j)
{
	const struct trace_ev *e = &s->r->log[i].trace[j];
	bool first = st_first(s, e);
	double x = s->dx[i][j], y = s->dy[i][j];

	st_cause(f, s, i, j, x, y);
	fprintf(f, "<rect class=\"dlv%s\" x=\"%.1f\" y=\"%.1f\" width=\"8\" "
	    "height=\"8\" fill=\"%s\" stroke=\"%s\" stroke-width=\"%s\">"
	    "<title>peer %u delivers %u:%" PRIu32 " (ts %" PRIu64 ") at "
	    "position %" PRIu64 "%s</title></rect>\n", first ? " first" : "",
	    x - 4, y, ST_COLOR(e->peer), first ? "#d62728" : "none",
	    first ? "3" : "0", i, e->peer, e->seq, e->ts, e->pos,
	    first ? ": the first disagreement" : "");
}

/* Pixels [x0, x1) of a row: whether any is taken, then take them. */
static bool
st_row_free(const struct st *s, unsigned row, double x0, double x1)
{
	long k;

	if (x0 < 0 || x1 >= ST_ROW_W)
		return false;
	for (k = (long)x0; k < (long)x1 + (x1 > (long)x1); k++)
		if (s->row[row][k])
			return false;
	return true;
}

static void
st_row_take(struct st *s, unsigned row, double x0, double x1)
{
	long k;

	for (k = x0 < 0 ? 0 : (long)x0; k < (long)x1 + (x1 > (long)x1) &&
	    k < ST_ROW_W; k++)
		s->row[row][k] = 1;
}

/* The pixels the digits of v take at font size 8: 4.5 a digit, the
 * width of a sans-serif digit (0.556 em) rounded up. */
static double
st_label_w(uint64_t v)
{
	double w = 4.5;

	while (v >= 10) {
		v /= 10;
		w += 4.5;
	}
	return w;
}

/*
 * The position labels of lane i, beside their squares: every square's
 * pixels taken first, then the labels of the first disagreement, then the
 * rest in order; a label whose pixels are taken is left out (its square's
 * title still says it) and counted.
 */
static void
st_labels(FILE *f, struct st *s, unsigned i)
{
	const struct peer_log *l = &s->r->log[i];
	unsigned pass, row;
	size_t j;

	memset(s->row, 0, sizeof(s->row));
	for (j = 0; j < l->ntrace; j++)
		if (s->drawn[i][j] && l->trace[j].kind == TRACE_DELIVER) {
			row = (unsigned)((s->dy[i][j] - st_py(i) - 10) / 11);
			st_row_take(s, row, s->dx[i][j] - 4, s->dx[i][j] + 4);
			s->nlabels++;
		}
	for (pass = 0; pass < 2; pass++)
		for (j = 0; j < l->ntrace; j++) {
			const struct trace_ev *e = &l->trace[j];
			double x, w;
			bool first;

			if (!s->drawn[i][j] || e->kind != TRACE_DELIVER ||
			    (first = st_first(s, e)) != (pass == 0))
				continue;
			x = s->dx[i][j] + 6;
			w = st_label_w(e->pos);
			row = (unsigned)((s->dy[i][j] - st_py(i) - 10) / 11);
			if (!st_row_free(s, row, x, x + w)) {
				s->nleft++;
				continue;
			}
			st_row_take(s, row, x - 1, x + w + 1.5);
			fprintf(f, "<text class=\"pos\" x=\"%.1f\" y=\"%.1f\" "
			    "font-size=\"8\"%s>%" PRIu64 "</text>\n", x,
			    s->dy[i][j] + 7, first ? " fill=\"#d62728\" "
			    "font-weight=\"bold\"" : "", e->pos);
		}
}

static void
st_view(FILE *f, const struct st *s, unsigned i, size_t j)
{
	const struct trace_ev *e = &s->r->log[i].trace[j];
	double x = st_px(s, i, j);

	if (x < ST_LEFT - 10 || x > ST_LEFT + ST_WIDTH + 10)
		return;
	fprintf(f, "<line class=\"view\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
	    "y2=\"%.1f\" stroke=\"#000\" stroke-dasharray=\"6,3\"><title>"
	    "peer %u installs view %" PRIu64 " (members %" PRIx64 ")</title>"
	    "</line>\n", x, st_py(i) - 20, x, st_py(i) + 20, i, e->pos,
	    e->clock);
}

static void
st_events(FILE *f, struct st *s)
{
	unsigned i;
	size_t j;

	for (i = 0; i < s->n; i++) {
		for (s->stack = 0, j = 0; j < s->r->log[i].ntrace; j++)
			if (s->drawn[i][j] &&
			    s->r->log[i].trace[j].kind == TRACE_DELIVER)
				st_stack(s, i, j);
		for (j = 0; j < s->r->log[i].ntrace; j++) {
			const struct trace_ev *e = &s->r->log[i].trace[j];

			if (!s->drawn[i][j])
				continue;
			if (e->kind == TRACE_SEND || e->kind == TRACE_RECV)
				st_dot(f, s, i, j);
			else if (e->kind == TRACE_DELIVER)
				st_delivery(f, s, i, j);
			else if (e->kind == TRACE_VIEW)
				st_view(f, s, i, j);
			else
				fprintf(f, "<line class=\"ack\" x1=\"%.1f\" "
				    "y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
				    "stroke=\"%s\" stroke-width=\"2\"><title>"
				    "peer %u counts an ACK state of peer %u: "
				    "C = %" PRIu64 "</title></line>\n",
				    st_px(s, i, j), st_py(i) - 8,
				    st_px(s, i, j), st_py(i) + 8,
				    ST_COLOR(e->peer), i, e->peer, e->ts);
		}
		st_labels(f, s, i);
	}
}

/* Event kind of peer l's trace for message (sender, seq), or NULL. */
static const struct trace_ev *
find_ev(const struct peer_log *l, char kind, unsigned sender, uint32_t seq)
{
	size_t j;

	for (j = 0; j < l->ntrace; j++)
		if (l->trace[j].kind == kind && l->trace[j].seq == seq &&
		    (kind == TRACE_SEND || l->trace[j].peer == sender))
			return &l->trace[j];
	return NULL;
}

static void __attribute__((format(printf, 3, 4)))
put(char *buf, size_t cap, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= cap)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, cap - len, fmt, ap);
	va_end(ap);
}

/* What let peer i deliver message key without ordering: its send, for the
 * peer's own message, else its receipt; NULL if not traced. */
static const struct trace_ev *
arrival(const struct report *r, unsigned i, uint64_t key)
{
	unsigned s = (unsigned)(key >> 32);

	return find_ev(&r->log[i], s == i ? TRACE_SEND : TRACE_RECV, s,
	    (uint32_t)key);
}

/*
 * Whether message a was sent before message b: by sequence number from one
 * sender, by the shared clock on one host; across hosts there is no such
 * order between senders to speak of.
 */
static bool
sent_before(const struct report *r, bool host, uint64_t a, uint64_t b)
{
	unsigned sa = (unsigned)(a >> 32), sb = (unsigned)(b >> 32);
	const struct trace_ev *ea, *eb;

	if (sa == sb)
		return (uint32_t)a < (uint32_t)b;
	if (!host || sa >= r->p.n || sb >= r->p.n ||
	    !(ea = find_ev(&r->log[sa], TRACE_SEND, sa, (uint32_t)a)) ||
	    !(eb = find_ev(&r->log[sb], TRACE_SEND, sb, (uint32_t)b)))
		return false;
	return ea->t < eb->t;
}

/*
 * Why peer i delivered x where another peer delivered y, from peer i's
 * trace alone: both times are on its clock, so the gap holds across hosts
 * too.  Its own message it delivered when it sent it, another's when it
 * arrived; one that arrived first although sent after the other overtook
 * it.
 */
static void
explain_peer(const struct report *r, bool host, unsigned i, uint64_t x,
    uint64_t y, char *buf, size_t cap)
{
	const struct trace_ev *ax = arrival(r, i, x), *ay = arrival(r, i, y);
	unsigned xs = (unsigned)(x >> 32), ys = (unsigned)(y >> 32);
	uint32_t xq = (uint32_t)x, yq = (uint32_t)y;
	bool later = ay && ax && ay->t >= ax->t;
	char d[16] = "";

	if (!ax)
		return;
	if (later)
		report_fmt_us(d, sizeof(d), ay->t - ax->t);
	else if (ay)
		report_fmt_us(d, sizeof(d), ax->t - ay->t);
	if (xs == i)
		put(buf, cap, " peer %u delivered its own %u:%" PRIu32 " at "
		    "once, when it sent it", i, xs, xq);
	else if (ys == i && later)
		put(buf, cap, " peer %u received %u:%" PRIu32 " %s before it "
		    "sent its own %u:%" PRIu32 ";", i, xs, xq, d, ys, yq);
	else if (later && sent_before(r, host, y, x))
		put(buf, cap, " %u:%" PRIu32 " overtook %u:%" PRIu32 " at "
		    "peer %u, arriving %s before it;", xs, xq, ys, yq, i, d);
	else
		put(buf, cap, " %u:%" PRIu32 " reached peer %u", xs, xq, i);
	if (buf[strlen(buf) - 1] == ';')
		return;
	if (!ay)
		put(buf, cap, ", before %u:%" PRIu32 " reached it;", ys, yq);
	else if (later)
		put(buf, cap, ", %u:%" PRIu32 " %s %s later;", ys, yq,
		    ys == i ? "was sent" : "reached it", d);
	else
		put(buf, cap, ", %u:%" PRIu32 " %s %s before it and waited%s;",
		    ys, yq, ys == i ? "was sent" : "had reached it", d,
		    r->p.mode == ORDER_FIFO ? " for its sender's earlier "
		    "ones" : "");
}

int
st_explain(const struct report *r, char *buf, size_t cap)
{
	uint64_t key[MSG_MAX_PEERS], j;
	unsigned i;
	bool traced = true, host = same_host(r);

	buf[0] = '\0';
	if (r->p.mode == ORDER_TOTAL || r->v.npositions == 0)
		return 0;
	j = r->v.positions[0];
	put(buf, cap, "at position %" PRIu64 ",", j);
	for (i = 0; i < r->p.n; i++) {
		const struct peer_log *l = &r->log[i];

		key[i] = j < l->n ? l->keys[j] : UINT64_MAX;
		traced = traced && l->trace;
		if (key[i] == UINT64_MAX) {
			put(buf, cap, " peer %u delivered nothing;", i);
			continue;
		}
		put(buf, cap, " peer %u delivered %u:%u%s;", i,
		    (unsigned)(key[i] >> 32), (unsigned)key[i],
		    key[i] >> 32 == i ? " (its own)" : "");
	}
	if (!traced) {
		put(buf, cap, " without ordering a peer delivers its own "
		    "message at once, when it sends it, and another's when it "
		    "arrives%s (--trace tells when each peer received them)",
		    r->p.mode == ORDER_FIFO ? " (after that sender's earlier "
		    "ones)" : "");
	} else {
		put(buf, cap, " why:");
		for (i = 0; i < r->p.n; i++) {
			unsigned k;

			for (k = 0; k < r->p.n; k++)
				if (k != i && key[k] != key[i] &&
				    key[k] != UINT64_MAX)
					break;
			if (k < r->p.n && key[i] != UINT64_MAX)
				explain_peer(r, host, i, key[i], key[k], buf,
				    cap);
		}
	}
	if (buf[strlen(buf) - 1] == ';' || buf[strlen(buf) - 1] == ':')
		buf[strlen(buf) - 1] = '\0';
	put(buf, cap, ".");
	return 1;
}

/* Text escaped for SVG (our own text only has these to fear). */
static void
st_text(FILE *f, const char *t, size_t len)
{
	size_t k;

	for (k = 0; k < len; k++)
		if (t[k] == '<')
			fputs("&lt;", f);
		else if (t[k] == '>')
			fputs("&gt;", f);
		else if (t[k] == '&')
			fputs("&amp;", f);
		else
			fputc(t[k], f);
}

/* Words under the picture, wrapped at about 160 characters a line. */
static double
st_words(FILE *f, const char *words, double y, const char *color)
{
	const char *p = words;

	while (*p) {
		size_t len = strlen(p), cut = len;

		if (len > 160)
			for (cut = 160; cut > 0 && p[cut] != ' '; cut--)
				;
		if (cut == 0)
			cut = len > 160 ? 160 : len;
		fprintf(f, "<text x=\"10\" y=\"%.1f\" font-size=\"12\" "
		    "fill=\"%s\">", y, color);
		st_text(f, p, cut);
		fputs("</text>\n", f);
		y += 16;
		p += cut;
		while (*p == ' ')
			p++;
	}
	return y;
}

static void
st_head(FILE *f, const struct st *s, double h)
{
	const struct report *r = s->r;
	bool cut = false;
	unsigned i;

	for (i = 0; i < s->n; i++)
		cut = cut || r->log[i].trace_cut;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%.0f\" font-family=\"sans-serif\">\n<defs><marker "
	    "id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
	    "markerWidth=\"6\" markerHeight=\"6\" orient=\"auto-start-reverse\">"
	    "<path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#444\"/></marker>"
	    "<marker id=\"late\" viewBox=\"0 0 10 10\" refX=\"10\" "
	    "refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" "
	    "orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10\" "
	    "fill=\"none\" stroke=\"#444\" stroke-width=\"2\"/></marker>"
	    "</defs>\n"
	    "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
	    ST_LEFT + ST_WIDTH + 70, h);
	fprintf(f, "<text x=\"10\" y=\"24\" font-size=\"16\">space-time "
	    "diagram: run %" PRIu64 ", order=%s, %u peers, %" PRIu32
	    " messages each%s</text>\n", r->run, order_mode_name(r->p.mode),
	    s->n, r->p.m, r->p.m > s->window ? " (the first ones drawn)" :
	    "");
	fprintf(f, "<text x=\"10\" y=\"44\" font-size=\"12\">%s%s; hover "
	    "over anything for its Lamport timestamps</text>\n",
	    s->physical ? "time to the right (the peers share a host and its "
	    "clock)" : "laid out by Lamport clock (the peers are on several "
	    "hosts): no arrow runs backwards", cut ? "; the traces were cut" :
	    "");
	fprintf(f, "<text x=\"10\" y=\"60\" font-size=\"12\">dot: a send, "
	    "ring: a receipt, arrow: a DATA, square under the line: a "
	    "delivery, with its position%s</text>\n", r->p.mode ==
	    ORDER_TOTAL ? "; dashed: what made it deliverable (tick: an ACK "
	    "state counted)" : "; red: the first disagreement and the "
	    "messages delivered there");
}

/*
 * What the picture left out or moved, in numbers: the labels that would
 * have overlapped, and the events past the cut of the time axis (with the
 * dotted line they are drawn beyond).  Returns the next free line.
 */
static double
st_notes(FILE *f, const struct st *s, double y)
{
	char words[512] = "";

	if (s->cut < s->hi) {
		fprintf(f, "<line class=\"cut\" x1=\"%d\" y1=\"%d\" "
		    "x2=\"%d\" y2=\"%.1f\" stroke=\"#888\" "
		    "stroke-dasharray=\"1,3\"/>\n<text x=\"%d\" y=\"%d\" "
		    "font-size=\"9\">later</text>\n", ST_LEFT + ST_WIDTH + 14,
		    ST_TOP - 30, ST_LEFT + ST_WIDTH + 14, y, ST_LEFT + ST_WIDTH +
		    10, ST_TOP - 34);
		if (s->physical)
			snprintf(words, sizeof(words), "time axis cut at %.1f ms "
			    "(just past the %.0fth percentile): %zu of %zu "
			    "events are later, up to %.1f ms, drawn past the "
			    "dotted line, their arrows dashed",
			    (s->cut - s->lo) / 1000, ST_CUT_Q * 100, s->nlate,
			    s->nevents, (s->hi - s->lo) / 1000);
		else
			snprintf(words, sizeof(words), "Lamport axis cut at %.0f "
			    "(just past the %.0fth percentile): %zu of %zu "
			    "events are later, up to %.0f, drawn past the "
			    "dotted line, their arrows dashed", s->cut,
			    ST_CUT_Q * 100, s->nlate, s->nevents, s->hi);
	}
	y += 20;
	if (words[0])
		y = st_words(f, words, y, "#555");
	if (s->nleft) {
		snprintf(words, sizeof(words), "%zu labels of %zu left out "
		    "where they would overlap (hover over a square for its "
		    "position)", s->nleft, s->nlabels);
		y = st_words(f, words, y, "#555");
	}
	return y == ST_TOP + s->n * ST_LANE ? y : y + 4;
}

int
st_svg(const char *path, const struct report *r)
{
	char words[2048];
	struct st s;
	FILE *f;
	double h, y;
	unsigned i;
	int rc = -1;

	for (i = 0; i < r->p.n; i++)
		if (!r->log[i].received || !r->log[i].trace) {
			log_warnx("%s: peer %u sent no trace: no space-time "
			    "diagram", path, i);
			return 0;
		}
	if (st_init(&s, r) < 0 || !(f = fopen(path, "w"))) {
		st_free(&s);
		return -1;
	}
	h = ST_TOP + s.n * ST_LANE + 40 + 16 * 8;
	st_head(f, &s, h);
	st_lanes(f, &s);
	st_arrows(f, &s);
	st_events(f, &s);
	y = st_notes(f, &s, ST_TOP + s.n * ST_LANE - 20);
	if (st_explain(r, words, sizeof(words))) {
		fprintf(f, "<text x=\"10\" y=\"%.1f\" font-size=\"13\" "
		    "fill=\"#d62728\">first disagreement</text>\n", y);
		st_words(f, words, y + 18, "#000");
	} else if (r->p.mode == ORDER_TOTAL) {
		st_words(f, "total order: every peer delivers the same "
		    "message at each position, once every member's ACK state "
		    "covers it", y, "#000");
	}
	fputs("</svg>\n", f);
	rc = fclose(f) == 0 ? 0 : -1;
	st_free(&s);
	return rc;
}
