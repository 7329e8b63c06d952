/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The resend thread: every couple of milliseconds it runs the core's timers
 * (handshake retries, retransmissions, heartbeats, failure detection), sends
 * what they produce, logs a view the core installed, and hands the delivery
 * log of a run that has finished or aborted to a shipping thread (prepared
 * under the lock, started after).
 */
#include <inttypes.h>

#include "mpcomm/log.h"
#include "mpcomm/mptime.h"
#include "peer.h"

#define TICK_US		2000
#define IDLE_US		50000

struct tick {
	uint64_t	 pause;		/* until the next tick */
	struct ship_job	*job;		/* a log to ship, prepared */
	bool		 oom;		/* a log could not be prepared */
	uint64_t	 liars;		/* members newly caught lying */
	bool		 new_view;	/* a view to log: */
	uint64_t	 run;
	uint32_t	 view;
	unsigned	 members, n;
};

/* (mu held) The core's timers, and the log of a run that has ended. */
static void
tick(struct peer_ctx *ctx, struct run *r, void *arg,
    struct order_outbox *box)
{
	struct tick *t = arg;
	uint64_t members;
	uint32_t view;

	/*
	 * Between runs nothing is timed: answers owed to late datagrams go
	 * out from the receiver.  An idle peer then wakes rarely instead of
	 * disturbing the busy ones on the same machine.
	 */
	t->pause = order_phase(r->core) >= ORDER_DONE ? IDLE_US : TICK_US;
	order_tick(r->core, mptime_now_us(), box);
	if (ship_if_ended(ctx, r, &t->job) < 0)
		t->oom = true;
	view = order_view(r->core, &members);
	t->liars = order_stats(r->core)->liars & ~r->liars_told;
	r->liars_told |= t->liars;
	t->new_view = view != r->view_told;
	r->view_told = view;
	t->run = r->id;
	t->view = view;
	t->members = (unsigned)__builtin_popcountll(members);
	t->n = r->n;
}

void *
resend_main(void *arg)
{
	struct peer_ctx *ctx = arg;
	struct order_outbox box;
	struct tick t = { .pause = TICK_US };
	unsigned i;

	if (order_outbox_init(&box, 256) < 0)
		return NULL;
	while (!atomic_load(&ctx->stop)) {
		mptime_sleep_us(t.pause);
		t.job = NULL;
		if (core_run(ctx, tick, &t, &box) < 0) {
			t.pause = IDLE_US;
			continue;
		}
		/* Logged here, not where it happens: never under the lock. */
		if (t.new_view)
			log_info("run %" PRIu64 ": view %" PRIu32 " installed: "
			    "%u of %u members", t.run, t.view, t.members, t.n);
		for (i = 0; t.liars >> i; i++)
			if (t.liars >> i & 1)
				log_warnx("run %" PRIu64 ": lie from member %u: "
				    "its answer to a view change claims more "
				    "of a stream than the stream's owner "
				    "stamped; left out of the view", t.run, i);
		t.liars = 0;
		if (t.oom) {
			log_warnx("out of memory: a delivery log is not shipped");
			t.oom = false;
		}
		if (t.job)
			ship_launch(t.job);
	}
	order_outbox_free(&box);
	return NULL;
}
