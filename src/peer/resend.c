/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The resend thread: every couple of milliseconds it runs the core's timers
 * (handshake retries, retransmissions, heartbeats, failure detection), sends
 * what they produce, logs a view the core installed, and hands the delivery log of a run that has finished
 * or aborted to a shipping thread (prepared under the lock, started after).
 */
#include <inttypes.h>

#include "mpcomm/log.h"
#include "mpcomm/mptime.h"
#include "peer.h"

#define TICK_US		2000
#define IDLE_US		50000

void *
resend_main(void *arg)
{
	struct peer_ctx *ctx = arg;
	struct order_outbox box;
	struct ship_job *job;
	struct run *r;
	uint64_t members;
	uint32_t view;
	bool oom = false, told;

	if (order_outbox_init(&box, 256) < 0)
		return NULL;
	uint64_t pause = TICK_US;

	while (!atomic_load(&ctx->stop)) {
		mptime_sleep_us(pause);
		pthread_mutex_lock(&ctx->mu);
		/*
		 * Between runs nothing is timed: answers owed to late datagrams
		 * go out from the receiver.  An idle peer then wakes rarely
		 * instead of disturbing the busy ones on the same machine.
		 */
		pause = !ctx->run || order_phase(ctx->run->core) >= ORDER_DONE ?
		    IDLE_US : TICK_US;
		if (!(r = run_get(ctx))) {
			pthread_mutex_unlock(&ctx->mu);
			continue;
		}
		order_tick(r->core, mptime_now_us(), &box);
		if (ship_if_ended(ctx, r, &job) < 0)
			oom = true;
		view = order_view(r->core, &members);
		told = view == r->view_told;
		r->view_told = view;
		pthread_mutex_unlock(&ctx->mu);

		/* Logged here, not where it happens: never under the lock. */
		if (!told)
			log_info("run %" PRIu64 ": view %" PRIu32 " installed: "
			    "%d of %u members", r->id, view,
			    __builtin_popcountll(members), r->n);

		if (oom) {
			log_warnx("out of memory: a delivery log is not shipped");
			oom = false;
		}
		if (job)
			ship_launch(job);
		run_send(ctx, r, &box);
		run_release(ctx, r);
	}
	order_outbox_free(&box);
	return NULL;
}
