/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Regions of the world on one machine: --regions FILE (or `world`, the
 * built-in table) and --place LIST put each peer of a run in a region; the
 * pair's one-way delay rides in START's MEMBER lines, and each peer's
 * emulation delays what comes from that member by it.  The report shows
 * each peer's region and its farthest member, since a total-order message
 * waits for the ACK state of every member, the farthest one last.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cs.h"

int
geo_setup(struct cs_ctx *ctx, const char *table, const char *place,
    char *err, size_t cap)
{
	char why[200];

	if (!table && !place)
		return 0;
	if (!table || strcmp(table, "world") == 0) {
		region_builtin(&ctx->regions);
		ctx->p.regions_src = "world";
	} else {
		if (region_load(table, &ctx->regions, why, sizeof(why)) < 0) {
			snprintf(err, cap, "--regions: %s", why);
			return -1;
		}
		ctx->p.regions_src = table;
	}
	/* Every id a run can have, so that any peer count is placed. */
	if (region_place(&ctx->regions, place, MSG_MAX_PEERS, ctx->p.place,
	    why, sizeof(why)) < 0) {
		snprintf(err, cap, "%s", why);
		return -1;
	}
	ctx->p.regions = &ctx->regions;
	return 0;
}

uint32_t
geo_delay_us(const struct run_params *p, unsigned a, unsigned b)
{
	if (!p->regions || a == b)
		return 0;
	return region_delay_us(p->regions, p->place[a], p->place[b]);
}

/* Peer i's farthest member (one-way, from it to i): its id, or -1. */
static int
farthest(const struct run_params *p, unsigned i)
{
	unsigned q;
	int best = -1;

	for (q = 0; q < p->n; q++)
		if (q != i && (best < 0 || geo_delay_us(p, q, i) >
		    geo_delay_us(p, (unsigned)best, i)))
			best = (int)q;
	return best;
}

void
geo_print(FILE *f, const struct report *r)
{
	const struct run_params *p = &r->p;
	char a[16], b[16], c[16];
	unsigned i;
	int far;

	if (!p->regions)
		return;
	fprintf(f, "regions (%s): a total-order message waits for the ACK "
	    "state of every member, the farthest last\n", p->regions_src);
	fprintf(f, "%4s  %-16s %-24s %8s %8s\n", "peer", "region",
	    "farthest member", "lat_p50", "lat_p99");
	for (i = 0; i < p->n; i++) {
		const struct peer_log *l = &r->log[i];
		char who[64];

		far = farthest(p, i);
		snprintf(who, sizeof(who), "%s (%s)", far < 0 ? "-" :
		    report_fmt_us(c, sizeof(c), geo_delay_us(p,
		    (unsigned)far, i)), far < 0 ? "-" :
		    p->regions->name[p->place[far]]);
		fprintf(f, "%4u  %-16s %-24s %8s %8s\n", i,
		    p->regions->name[p->place[i]], who,
		    l->received ? report_fmt_us(a, sizeof(a), l->lat_p50) : "-",
		    l->received ? report_fmt_us(b, sizeof(b), l->lat_p99) :
		    "-");
	}
}

void
geo_json_peer(FILE *f, const struct report *r, unsigned i)
{
	const struct run_params *p = &r->p;
	int far;

	if (!p->regions) {
		fprintf(f, ", \"region\": null, \"farthest_ms\": null");
		return;
	}
	far = farthest(p, i);
	fprintf(f, ", \"region\": \"%s\", \"farthest_ms\": %.3f",
	    p->regions->name[p->place[i]], far < 0 ? 0.0 :
	    geo_delay_us(p, (unsigned)far, i) / 1000.0);
}
