/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The resend thread: every couple of milliseconds it runs the core's timers
 * (handshake retries, retransmissions, heartbeats, failure detection), sends
 * what they produce, and hands the delivery log of a run that has finished
 * or aborted to a shipping thread.
 */
#include "mpcomm/mptime.h"
#include "peer.h"

#define TICK_US		2000

void *
resend_main(void *arg)
{
	struct peer_ctx *ctx = arg;
	struct order_outbox box;
	struct run *r;

	if (order_outbox_init(&box, 256) < 0)
		return NULL;
	while (!atomic_load(&ctx->stop)) {
		mptime_sleep_us(TICK_US);
		pthread_mutex_lock(&ctx->mu);
		if (!(r = run_get(ctx))) {
			pthread_mutex_unlock(&ctx->mu);
			continue;
		}
		order_tick(r->core, mptime_now_us(), &box);
		if (order_phase(r->core) >= ORDER_FINISHED && !r->shipping)
			ship_start(ctx, r);
		pthread_mutex_unlock(&ctx->mu);

		run_send(ctx, r, &box);
		run_release(ctx, r);
	}
	order_outbox_free(&box);
	return NULL;
}
