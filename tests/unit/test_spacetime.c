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
	int fd, n, back, recv_at, send_at;

	CHECK((fd = mkstemp(path)) >= 0);
	close(fd);
	rp = dead_sender();
	CHECK(shiviz_write(path, rp) == 0);
	recv_send_lines(path, &recv_at, &send_at);
	CHECK(send_at > 0 && recv_at > send_at);	/* the send first */
	report_free(rp);
	rp = skewed("10.0.0.2");		/* two hosts: logical */
	CHECK(rp->mismatched == 2 && rp->npositions == 2);
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
	CHECK(rp->npositions >= 1 && rp->positions[0] == 0);
	CHECK(st_explain(rp, words, sizeof(words)) == 1);
	CHECK(strstr(words, "0:2 overtook 0:1 at peer 1, arriving 70.0ms "
	    "before it") != NULL);
	CHECK(strstr(words, "a peer delivers its own message at once") ==
	    NULL);
	report_free(rp);
	/* Seq 2^32 - 1 once sized the ShiViz tables 0 and wrote past them. */
	rp = extreme();
	draw_all(rp, path);
	report_free(rp);
	remove(path);
	CHECK_DONE("test_spacetime");
}
