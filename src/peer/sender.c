/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The sender thread: waits for a run whose handshake is done, then stamps
 * this peer's messages at the run's pacing (a random interval in [min, max];
 * 0 floods, batching a datagram's worth per stamping) and transmits them at
 * once, outside the lock.
 */
#include <errno.h>
#include <time.h>

#include "mpcomm/mptime.h"
#include "peer.h"

void *
sender_main(void *arg)
{
	struct peer_ctx *ctx = arg;
	struct order_outbox box;
	struct timespec ts;
	struct run *r, *dead;
	uint64_t run_id = 0, next_due = 0, now;
	uint32_t batch;

	if (order_outbox_init(&box, 64) < 0)
		return NULL;
	pthread_mutex_lock(&ctx->mu);
	while (!atomic_load(&ctx->stop)) {
		r = ctx->run;
		if (r && r->id != run_id) {
			run_id = r->id;
			next_due = mptime_now_us() + (r->imax_us ?
			    rng_range(&r->pace, r->imin_us, r->imax_us) : 0);
		}
		if (!r || order_stampable(r->core) == 0) {
			if (r) {
				r->sender_busy = false;
				r->sender_waiting = true;
			}
			peer_deadline(&ts, 50000);
			pthread_cond_timedwait(&ctx->cv, &ctx->mu, &ts);
			continue;
		}
		r->sender_waiting = false;
		now = mptime_now_us();
		if (r->imax_us) {
			if (now < next_due) {
				peer_deadline(&ts, next_due - now);
				pthread_cond_timedwait(&ctx->cv, &ctx->mu, &ts);
				continue;
			}
			batch = 1;
			next_due = now + rng_range(&r->pace, r->imin_us,
			    r->imax_us);
		} else {
			batch = order_flood_batch(r->core);
			r->sender_busy = true;
		}
		if (!r->first_stamp)
			r->first_stamp = now;
		(void)order_stamp(r->core, now, batch, &box);
		r = run_get(ctx);
		pthread_mutex_unlock(&ctx->mu);
		run_send(ctx, r, &box);
		pthread_mutex_lock(&ctx->mu);
		if ((dead = run_put(ctx, r))) {
			pthread_mutex_unlock(&ctx->mu);
			run_destroy(dead);
			pthread_mutex_lock(&ctx->mu);
		}
	}
	pthread_mutex_unlock(&ctx->mu);
	order_outbox_free(&box);
	return NULL;
}
