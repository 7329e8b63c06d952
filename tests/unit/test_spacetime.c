/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The space-time diagram's layout on traces built in memory: peers on two
 * hosts, whose clocks disagree by seconds, are laid out by Lamport clock,
 * where every arrow runs forwards; on one host, by time, where the same
 * skewed clocks would run arrows backwards.  And the first disagreement of
 * a none run is said in words from the traces: which message overtook
 * which at which peer, by how long.  Every picture
 * survives any trace that parses, out of the run's bounds or not (the
 * server refuses those as they come in, collect.c, but a picture must
 * not rely on it for its memory).  The ShiViz log of a run with a dead
 * member writes a receipt after its send whenever a trace holds the send.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/comparison_server/cs.h"
#include "check.h"

/*
 * A report of two peers whose traces (NULL-ended, at most 8 lines each) parse
 * and whose logs hold keys[i][0..1], judged as the server would.
 */
static struct report *
two_peers(uint64_t run, unsigned m, enum order_mode mode, const char *host1,
    const char *const tr[2][8], const uint64_t keys[2][2])
{
	struct report *rp = calloc(1, sizeof(*rp));
	unsigned i, k;

	if (!rp)
		abort();
	rp->run = run;
	rp->p.n = 2;
	rp->p.m = m;
	rp->p.mode = mode;
	for (i = 0; i < 2; i++) {
		struct peer_log *l = &rp->log[i];

		snprintf(rp->member[i].host, sizeof(rp->member[i].host), "%s",
		    i ? host1 : "10.0.0.1");
		l->received = true;
		l->status = RUN_STATUS_OK;
		l->keys = calloc(2, sizeof(*l->keys));
		l->trace = calloc(8, sizeof(*l->trace));
		if (!l->keys || !l->trace)
			abort();
		l->keys[0] = keys[i][0];
		l->keys[1] = keys[i][1];
		l->n = 2;
		for (k = 0; tr[i][k]; k++)
			CHECK(trace_parse(tr[i][k], 2, &l->trace[k]) == 0);
		l->ntrace = k;
	}
	compare_run(rp);
	return rp;
}

/* Two peers, one message each, delivered in opposite orders (none). */
static struct report *
skewed(const char *host1)
{
	static const char *const tr[2][8] = {
		{ "@S 5000000 1 1", "@D 5000000 0 0 1 1 -1",
		  "@R 5000900 1 1 1 2", "@D 5000900 1 1 1 1 2", NULL },
		/* Peer 1's clock is 4 s behind peer 0's. */
		{ "@S 1000100 1 1", "@D 1000100 0 1 1 1 -1",
		  "@R 1000500 0 1 1 2", "@D 1000500 1 0 1 1 2", NULL },
	};
	static const uint64_t keys[2][2] = {
		{ (uint64_t)0 << 32 | 1, (uint64_t)1 << 32 | 1 },
		{ (uint64_t)1 << 32 | 1, (uint64_t)0 << 32 | 1 },
	};

	return two_peers(9, 1, ORDER_NONE, host1, tr, keys);
}

/*
 * Two peers on two hosts (none): peer 0 sends 0:1 and 0:2, 1 ms apart;
 * 0:2 overtakes 0:1 on the way to peer 1, which receives it 70 ms first.
 */
static struct report *
overtaken(void)
{
	static const char *const tr[2][8] = {
		{ "@S 1000 1 1", "@D 1000 0 0 1 1 -1",
		  "@S 2000 2 2", "@D 2000 1 0 2 2 -1", NULL },
		{ "@R 2100 0 2 2 3", "@D 2100 0 0 2 2 0",
		  "@R 72100 0 1 1 4", "@D 72100 1 0 1 1 2", NULL },
	};
	static const uint64_t keys[2][2] = {
		{ (uint64_t)0 << 32 | 1, (uint64_t)0 << 32 | 2 },
		{ (uint64_t)0 << 32 | 2, (uint64_t)0 << 32 | 1 },
	};

	return two_peers(12, 2, ORDER_NONE, "10.0.0.2", tr, keys);
}

/* Two peers, two messages each, whose traces parse but are extreme. */
static struct report *
extreme(void)
{
	static const char *const tr[2][8] = {
		{ "@S 0 4294967295 18446744073709551615",
		  "@S 18446744073709551615 1 0",
		  "@R 9 1 4294967295 1 18446744073709551615",
		  "@A 18446744073709551615 1 18446744073709551615",
		  "@D 1 18446744073709551615 1 4294967295 1 3",
		  "@D 2 0 0 1 18446744073709551615 -1",
		  "@V 0 4294967295 3", NULL },
		{ "@R 0 0 4294967295 1 1", "@R 0 0 4294967295 1 1",
		  "@D 18446744073709551615 0 0 4294967295 1 1",
		  "@S 1 4294967295 1", "@V 5 1 1", NULL },
	};
	static const uint64_t keys[2][2] = {
		{ (uint64_t)63 << 32 | 4294967295u, (uint64_t)0 << 32 | 1 },
		{ (uint64_t)63 << 32 | 4294967295u, (uint64_t)1 << 32 | 1 },
	};

	return two_peers(10, 2, ORDER_TOTAL, "10.0.0.1", tr, keys);
}

/*
 * Three peers, the third dead (no log): peer 1 first receives the dead
 * one's DATA, then sends; peer 0 first receives peer 1's DATA.  Peer 0 is
 * blocked on a send that is only waiting to be written, peer 1 on one no
 * trace holds: the ShiViz log must force peer 1's receipt, never peer 0's.
 */
static struct report *
dead_sender(void)
{
	static const char *const tr[2][3] = {
		{ "@R 10 1 1 3 4", "@S 20 1 5", NULL },
		{ "@R 5 2 1 1 2", "@S 15 1 3", NULL },
	};
	struct report *rp = calloc(1, sizeof(*rp));
	unsigned i, k;

	if (!rp)
		abort();
	rp->run = 11;
	rp->p.n = 3;
	rp->p.m = 1;
	rp->p.mode = ORDER_TOTAL;
	for (i = 0; i < 2; i++) {
		struct peer_log *l = &rp->log[i];

		l->received = true;
		l->status = RUN_STATUS_OK;
		if (!(l->trace = calloc(3, sizeof(*l->trace))))
			abort();
		for (k = 0; tr[i][k]; k++)
			CHECK(trace_parse(tr[i][k], 3, &l->trace[k]) == 0);
		l->ntrace = k;
	}
	return rp;
}

/*
 * Two peers on one host, ST_WINDOW messages from peer 0 a millisecond
 * apart, received 0.3 ms later by peer 1, but the last one two seconds
 * late (resent after a loss): dense labels, one outlier.
 */
static struct report *
crowded(unsigned m)
{
	struct report *rp = calloc(1, sizeof(*rp));
	char line[128];
	unsigned i, k;

	if (!rp)
		abort();
	rp->run = 13;
	rp->p.n = 2;
	rp->p.m = m;
	rp->p.mode = ORDER_NONE;
	for (i = 0; i < 2; i++) {
		struct peer_log *l = &rp->log[i];

		snprintf(rp->member[i].host, sizeof(rp->member[i].host),
		    "10.0.0.1");
		l->received = true;
		l->status = RUN_STATUS_OK;
		l->keys = calloc(m, sizeof(*l->keys));
		l->trace = calloc(2 * m, sizeof(*l->trace));
		if (!l->keys || !l->trace)
			abort();
		for (k = 0; k < m; k++) {
			uint64_t t = 1000 * (k + 1) + (i ? 300 : 0);

			if (i && k == m - 1)
				t = 2000000;
			l->keys[k] = k + 1;
			if (i == 0)
				snprintf(line, sizeof(line), "@S %llu %u %u",
				    (unsigned long long)t, k + 1, k + 1);
			else
				snprintf(line, sizeof(line), "@R %llu 0 %u %u "
				    "%u", (unsigned long long)t, k + 1, k + 1,
				    k + 2);
			CHECK(trace_parse(line, 2, &l->trace[2 * k]) == 0);
			snprintf(line, sizeof(line), "@D %llu %u 0 %u %u %d",
			    (unsigned long long)t, k, k + 1, k + 1,
			    i ? (int)(2 * k) : -1);
			CHECK(trace_parse(line, 2, &l->trace[2 * k + 1]) == 0);
		}
		l->n = m;
		l->ntrace = 2 * m;
	}
	compare_run(rp);
	return rp;
}

/*
 * The position labels of an SVG file: whether any two overlap (each label
 * 4.5 px a digit, 8 high, at its x and baseline; each square 8 x 8), how
 * many are drawn, and the numbers of "N labels of M left out".  A digit
 * is 4.5 px at font size 8, as the picture counts it.
 */
static void
labels(const char *path, int *drawn, int *overlap, int *left, int *of)
{
	static double lx[4096], ly[4096], lw[4096], sx[4096], sy[4096];
	char line[2048], *p;
	int nl = 0, ns = 0, a, b;
	double x, y;
	FILE *f = fopen(path, "r");

	*drawn = *overlap = 0;
	*left = *of = -1;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "<text class=\"pos\" x=\"%lf\" y=\"%lf\"",
		    &x, &y) == 2 && nl < 4096 && (p = strchr(line, '>'))) {
			lx[nl] = x;
			ly[nl] = y - 7;
			lw[nl++] = 4.5 * (double)strcspn(p + 1, "<");
		}
		if ((p = strstr(line, "<rect class=\"dlv")) && (p =
		    strstr(p, "x=")) && sscanf(p, "x=\"%lf\" y=\"%lf\"", &x,
		    &y) == 2 && ns < 4096) {
			sx[ns] = x;
			sy[ns++] = y;
		}
		if ((p = strstr(line, " labels of ")))
			while (p > line && p[-1] != '>' && p[-1] != ' ')
				p--;
		if (p && sscanf(p, "%d labels of %d left out", left, of) != 2)
			*left = *of = -1;
	}
	fclose(f);
	*drawn = nl;
	for (a = 0; a < nl; a++) {
		for (b = a + 1; b < nl; b++)
			if (lx[a] < lx[b] + lw[b] && lx[b] < lx[a] + lw[a] &&
			    ly[a] < ly[b] + 8 && ly[b] < ly[a] + 8)
				(*overlap)++;
		for (b = 0; b < ns; b++)
			if (lx[a] < sx[b] + 8 && sx[b] < lx[a] + lw[a] &&
			    ly[a] < sy[b] + 8 && sy[b] < ly[a] + 8)
				(*overlap)++;
	}
}

/* The largest x1 or x2 of the arrows that are not late. */
static double
rightmost_arrow(const char *path)
{
	char line[1024];
	double x1, x2, best = 0;
	const char *p;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if ((p = strstr(line, "<line class=\"msg")) &&
		    !strstr(line, " late\"") && (p = strstr(p, "x1=")) &&
		    sscanf(p, "x1=\"%lf\" y1=\"%*f\" x2=\"%lf\"", &x1,
		    &x2) == 2) {
			if (x1 > best)
				best = x1;
			if (x2 > best)
				best = x2;
		}
	fclose(f);
	return best;
}

/* Whether a file holds a string. */
static bool
holds(const char *path, const char *what)
{
	char line[4096];
	bool found = false;
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, what) != NULL;
	fclose(f);
	return found;
}

/* The line numbers of "peer0 ... receive 1:1" and "peer1 ... send 1:1". */
static void
recv_send_lines(const char *path, int *recv, int *send)
{
	char line[1024];
	int at = 0;
	FILE *f = fopen(path, "r");

	*recv = *send = -1;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		at++;
		if (strncmp(line, "peer0 ", 6) == 0 &&
		    strstr(line, "} receive 1:1 "))
			*recv = at;
		if (strncmp(line, "peer1 ", 6) == 0 &&
		    strstr(line, "} send 1:1 "))
			*send = at;
	}
	fclose(f);
}

/* Every picture of rp into path: each returns 0 (drawn or declined). */
static void
draw_all(struct report *rp, const char *path)
{
	CHECK(st_svg(path, rp) == 0);
	CHECK(shiviz_write(path, rp) == 0);
	CHECK(report_json(path, rp) == 0);
	CHECK(report_svg(path, rp) == 0);
	rp->p.mode = ORDER_NONE;
	CHECK(st_svg(path, rp) == 0);
	snprintf(rp->member[1].host, sizeof(rp->member[1].host), "h2");
	CHECK(st_svg(path, rp) == 0);
	CHECK(shiviz_write(path, rp) == 0);
}

/* The arrows of an SVG file: how many, and how many run backwards. */
static void
arrows(const char *path, int *n, int *back)
{
	char line[1024];
	double x1, y1, x2, y2;
	FILE *f = fopen(path, "r");

	*n = *back = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, "<line class=\"msg");

		if (p && (p = strstr(p, "x1=")) && sscanf(p,
		    "x1=\"%lf\" y1=\"%lf\" x2=\"%lf\" y2=\"%lf\"", &x1, &y1,
		    &x2, &y2) == 4) {
			(*n)++;
			if (x2 <= x1)
				(*back)++;
		}
	}
	fclose(f);
}

int
main(void)
{
	char path[] = "/tmp/test_spacetime.XXXXXX", words[2048];
	struct report *rp;
	int fd, n, back, left, of, recv_at, send_at;

	CHECK((fd = mkstemp(path)) >= 0);
	close(fd);
	rp = dead_sender();
	CHECK(shiviz_write(path, rp) == 0);
	recv_send_lines(path, &recv_at, &send_at);
	CHECK(send_at > 0 && recv_at > send_at);	/* the send first */
	report_free(rp);
	rp = skewed("10.0.0.2");		/* two hosts: logical */
	CHECK(rp->v.mismatched == 2 && rp->v.npositions == 2);
	CHECK(st_svg(path, rp) == 0);
	arrows(path, &n, &back);
	CHECK(n == 2 && back == 0);
	CHECK(st_explain(rp, words, sizeof(words)) == 1);
	CHECK(strstr(words, "peer 0 delivered 0:1 (its own)") != NULL);
	CHECK(strstr(words, "peer 1 delivered 1:1 (its own)") != NULL);
	/* Each gap is measured on one peer's clock: across hosts too. */
	CHECK(strstr(words, "0:1 reached it 400us later") != NULL);
	report_free(rp);
	rp = skewed("10.0.0.1");		/* one host: by time */
	CHECK(st_svg(path, rp) == 0);
	arrows(path, &n, &back);
	CHECK(n == 2 && back == 1);	/* the skew shows, as it should */
	CHECK(st_explain(rp, words, sizeof(words)) == 1);
	CHECK(strstr(words, "1:1 reached it 900us later") != NULL);
	report_free(rp);
	/*
	 * The cause said from what happened, not a canned sentence: which
	 * message overtook which, where and by how long (one peer's clock,
	 * so across hosts too).
	 */
	rp = overtaken();
	CHECK(rp->v.npositions >= 1 && rp->v.positions[0] == 0);
	CHECK(st_explain(rp, words, sizeof(words)) == 1);
	CHECK(strstr(words, "0:2 overtook 0:1 at peer 1, arriving 70.0ms "
	    "before it") != NULL);
	CHECK(strstr(words, "a peer delivers its own message at once") ==
	    NULL);
	report_free(rp);
	/*
	 * Fifty deliveries a lane, 20 px apart: labels that would overlap are
	 * left out and counted, none drawn overlaps; the one late receipt no
	 * longer squeezes the rest into a corner, and is said in words.
	 */
	rp = crowded(50);
	CHECK(st_svg(path, rp) == 0);
	labels(path, &n, &back, &left, &of);
	CHECK(back == 0);
	CHECK(left > 0 && of == 100 && n + left == of);
	CHECK(rightmost_arrow(path) > 900);
	CHECK(holds(path, "class=\"msg late\""));
	CHECK(holds(path, "2 of 200 events are later, up to 1999.0 ms"));
	report_free(rp);
	/* Seq 2^32 - 1 once sized the ShiViz tables 0 and wrote past them. */
	rp = extreme();
	draw_all(rp, path);
	report_free(rp);
	remove(path);
	CHECK_DONE("test_spacetime");
}
