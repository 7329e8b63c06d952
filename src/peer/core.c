/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The peer's core behind its mutex, in one place.  Every thread drives the
 * ordering core the same way: lock, take a reference to the current run,
 * call the core, unlock, send what the core produced, drop the reference.
 * The reference keeps the run's member table alive while its datagrams are
 * sent outside the lock, even if a START replaces the run meanwhile.
 * START (core_start()) and ABORT (core_abort()) change the current run
 * here too; STATUS only reads it.
 */
#include <inttypes.h>

#include "mpcomm/log.h"
#include "mpcomm/loop.h"
#include "mpcomm/mptime.h"
#include "peer.h"

/*
 * True once, the first time the core held datagrams back from members
 * that have not answered (mu held); unanswered_said() then logs it, after
 * the lock is released.
 */
static bool
unanswered_spent(struct run *r)
{
	if (r->said_unanswered || !order_stats(r->core)->unanswered_held)
		return false;
	r->said_unanswered = true;
	return true;
}

static void
unanswered_said(const struct run *r)
{
	log_warnx("run %" PRIu64 ": members that have not answered were sent "
	    "twice the %zu bytes of START: until they answer, more goes to them "
	    "only as the run's members talk (a sixteenth of their bytes)",
	    r->id, r->start_bytes);
}

int
core_run(struct peer_ctx *ctx, core_fn *fn, void *arg,
    struct order_outbox *box)
{
	struct run *r;
	bool spent;

	pthread_mutex_lock(&ctx->mu);
	if (!(r = run_get(ctx))) {
		pthread_mutex_unlock(&ctx->mu);
		return -1;
	}
	fn(ctx, r, arg, box);
	spent = unanswered_spent(r);
	pthread_mutex_unlock(&ctx->mu);
	if (spent)
		unanswered_said(r);
	run_send(ctx, r, box);
	run_release(ctx, r);
	return 0;
}

void
core_start(struct peer_ctx *ctx, struct run *r, struct order_outbox *box)
{
	struct run *old, *dead = NULL;
	bool spent;

	pthread_mutex_lock(&ctx->mu);
	old = ctx->run;
	ctx->run = r;
	if (old)
		dead = run_put(ctx, old);
	log_set_id((int)r->self);
	order_start(r->core, mptime_now_us(), box);
	spent = unanswered_spent(r);
	r->refs++;
	pthread_cond_broadcast(&ctx->cv);
	pthread_mutex_unlock(&ctx->mu);
	if (spent)
		unanswered_said(r);
	loop_wake(ctx->data_loop);	/* a new run: its timers, its pacing */

	run_send(ctx, r, box);
	run_release(ctx, r);
	run_destroy(dead);
}

enum core_abort
core_abort(struct peer_ctx *ctx, uint64_t run, const char *why,
    enum order_phase *ph, struct ship_job **job)
{
	enum core_abort rc = CORE_ABORT_ENDED;
	struct run *r;

	*job = NULL;
	pthread_mutex_lock(&ctx->mu);
	if (!(r = ctx->run) || r->id != run) {
		pthread_mutex_unlock(&ctx->mu);
		return CORE_ABORT_NOT_CURRENT;
	}
	if (order_abort(r->core, why) == 0)
		rc = ship_if_ended(ctx, r, job) < 0 ? CORE_ABORT_NOMEM :
		    CORE_ABORT_DONE;
	*ph = order_phase(r->core);
	pthread_cond_broadcast(&ctx->cv);
	pthread_mutex_unlock(&ctx->mu);
	loop_wake(ctx->data_loop);
	return rc;
}
