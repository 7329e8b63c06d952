/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Judging a run: the logs collected, handed to the library's one judge
 * (judge.h, README "Judging a run"), and its verdict kept in the report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs.h"

/* The judge's view of n logs (borrowed), with where each peer ran
 * (member and addr NULL: not said). */
static void
judge_logs(const struct peer_log *log, const struct ctlc_member *member,
    unsigned n, struct judge_log *jl, char (*addr)[NET_HOST_MAX + 16])
{
	unsigned i;

	for (i = 0; i < n; i++) {
		const struct peer_log *l = &log[i];

		if (member)
			snprintf(addr[i], sizeof(addr[i]), "%s:%u",
			    member[i].host, member[i].ctl);
		jl[i] = (struct judge_log){
			.received = l->received,
			.status = l->status,
			.reason = l->reason,
			.error = l->error,
			.addr = member ? addr[i] : "",
			.keys = l->keys,
			.n = l->n,
			.views = l->views,
			.nviews = l->nviews,
		};
	}
}

void
compare_run(struct report *rp)
{
	char addr[MSG_MAX_PEERS][NET_HOST_MAX + 16];
	struct judge_log jl[MSG_MAX_PEERS];
	char begun[sizeof(rp->v.problem)];
	struct judge_run run = {
		.n = rp->p.n, .m = rp->p.m, .mode = rp->p.mode, .end = rp->end,
		.log = jl, .problem = begun
	};

	memcpy(begun, rp->v.problem, sizeof(begun));
	judge_free(&rp->v);
	judge_logs(rp->log, rp->member, rp->p.n, jl, addr);
	judge(&run, &rp->v);
}

uint64_t
compare_survivors(const struct peer_log *log, unsigned n)
{
	struct judge_log jl[MSG_MAX_PEERS];

	judge_logs(log, NULL, n, jl, NULL);
	return judge_survivors(jl, n);
}

void
report_free(struct report *r)
{
	unsigned i;

	if (!r)
		return;
	for (i = 0; i < MSG_MAX_PEERS; i++)
		peer_log_free(&r->log[i]);
	judge_free(&r->v);
	free(r);
}
