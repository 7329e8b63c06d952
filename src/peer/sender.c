/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The sender thread: waits for a run whose handshake is done, then stamps
 * this peer's messages at the run's pacing (a random interval in [min, max];
 * 0 floods, batching a datagram's worth per stamping) and transmits them at
 * once, outside the lock (core_run()).
 */
#include <errno.h>
#include <time.h>

#include "mpcomm/mptime.h"
#include "peer.h"

/* What to stamp, decided by pace(). */
struct stamping {
	uint64_t	 run_id;	/* the run it was decided for */
	uint64_t	 next_due;	/* paced: the next stamping */
	uint64_t	 now;
	uint32_t	 batch;		/* 0: nothing now */
};

/*
 * (mu held) How many messages to stamp now, into s->batch; when none, waits
 * on ctx->cv until something may have changed, and s->batch is 0.
 */
static void
pace(struct peer_ctx *ctx, struct stamping *s)
{
	struct run *r = ctx->run;
	struct timespec ts;
	uint64_t now;

	s->batch = 0;
	if (r && r->id != s->run_id) {
		s->run_id = r->id;
		s->next_due = mptime_now_us() + (r->imax_us ?
		    rng_range(&r->pace, r->imin_us, r->imax_us) : 0);
	}
	if (!r || order_stampable(r->core) == 0) {
		if (r) {
			r->sender_busy = false;
			r->sender_waiting = true;
		}
		peer_deadline(&ts, 50000);
		pthread_cond_timedwait(&ctx->cv, &ctx->mu, &ts);
		return;
	}
	r->sender_waiting = false;
	now = mptime_now_us();
	if (r->imax_us && now < s->next_due) {
		peer_deadline(&ts, s->next_due - now);
		pthread_cond_timedwait(&ctx->cv, &ctx->mu, &ts);
		return;
	}
	if (r->imax_us) {
		s->batch = 1;
		s->next_due = now + rng_range(&r->pace, r->imin_us,
		    r->imax_us);
	} else {
		s->batch = order_flood_batch(r->core);
		r->sender_busy = true;	/* it carries the ACK state */
	}
	s->now = now;
}

/* (mu held) Stamps what pace() decided, if the run is still the same. */
static void
stamp(struct peer_ctx *ctx, struct run *r, void *arg,
    struct order_outbox *box)
{
	struct stamping *s = arg;

	(void)ctx;
	if (r->id != s->run_id)
		return;
	if (!r->first_stamp)
		r->first_stamp = s->now;
	(void)order_stamp(r->core, s->now, s->batch, box);
}

void *
sender_main(void *arg)
{
	struct peer_ctx *ctx = arg;
	struct order_outbox box;
	struct stamping s = { 0 };

	if (order_outbox_init(&box, 64) < 0)
		return NULL;
	while (!atomic_load(&ctx->stop)) {
		pthread_mutex_lock(&ctx->mu);
		pace(ctx, &s);
		pthread_mutex_unlock(&ctx->mu);
		if (s.batch)
			(void)core_run(ctx, stamp, &s, &box);
	}
	order_outbox_free(&box);
	return NULL;
}
