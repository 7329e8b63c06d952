/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The progress line, redrawn on a terminal while a run goes on: logs in,
 * the slowest peer's deliveries, time elapsed, its delivery rate and the
 * time it will take at that rate.  Log lines clear it first (see
 * log_set_clear_line()), so they never land on it.
 */
#include <inttypes.h>
#include <stdio.h>

#include "mpcomm/mptime.h"
#include "cs.h"

void
progress_show(const struct report *rp, const struct progress *pg)
{
	uint64_t el = mptime_now_us() - pg->start_us;
	double rate = el ? (double)pg->dmin * 1e6 / (double)el : 0;
	char e[32], eta[32];

	/* A clock's units, "1.6s elapsed ... ETA 9.6s", not "1560.8ms". */
	report_fmt_clock(e, sizeof(e), el);
	if (rate > 0 && pg->dmin < rp->v.total)
		report_fmt_clock(eta, sizeof(eta), (uint64_t)((double)(rp->v.total -
		    pg->dmin) / rate * 1e6));
	else
		snprintf(eta, sizeof(eta), "-");
	printf("\r\033[Krun %" PRIu64 ": %u/%u logs, slowest peer delivered %"
	    PRIu64 "/%" PRIu64 ", %s elapsed, %.0f msgs/s, ETA %s", rp->run,
	    pg->received, rp->p.n, pg->dmin, rp->v.total, e, rate, eta);
	fflush(stdout);
}

void
progress_clear(void)
{
	printf("\r\033[K");
	fflush(stdout);
}
