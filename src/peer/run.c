/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A run's lifetime (created by START, shared by the threads through a
 * reference count so that none sends with a freed member table) and the two
 * bridges between the core and the world: sending the core's outbox, and
 * writing its deliveries to the delivery log.
 */
#define _GNU_SOURCE		/* sendmmsg */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "mpcomm/dlog.h"
#include "mpcomm/log.h"
#include "mpcomm/loop.h"
#include "mpcomm/mptime.h"
#include "peer.h"

#define SEND_BATCH	64

struct run *
run_create(struct peer_ctx *ctx, struct run *t, char *err, size_t errcap)
{
	struct order_config cfg;
	struct run *r;
	const struct auth_key *root;
	const char *why;

	order_config_defaults(&cfg);
	cfg.run = t->id;
	cfg.self = t->self;
	cfg.n = t->n;
	cfg.mode = t->mode;
	cfg.messages = t->messages;
	cfg.window = t->window ? t->window : ctx->window;
	cfg.peer_timeout_us = ctx->peer_timeout_ms * 1000;
	/* parse_args made it exceed the peer timeout (or 0: never). */
	cfg.stall_timeout_us = ctx->stall_timeout_ms * 1000;
	cfg.on_failure = t->on_failure;
	/* parse_views() filled it in (from START or --suspect). */
	cfg.suspect_us = t->suspect_us;
	/* No more than twice what START cost its sender goes to members
	 * that never answer: a stranger's START makes no reflector. */
	cfg.unanswered_budget = 2 * (uint64_t)t->start_bytes;
	/*
	 * The root of the run's datagram key: the shared key when there is
	 * one (a key holder may then forge, as it always could), else the
	 * run's secret from START, which only who read START knows.
	 */
	root = ctx->key ? ctx->key : t->has_secret ? &t->secret : NULL;
	cfg.key = root;
	if ((why = order_config_check(&cfg))) {
		snprintf(err, errcap, "%s", why);
		return NULL;
	}
	if (!(r = malloc(sizeof(*r)))) {
		snprintf(err, errcap, "out of memory");
		return NULL;
	}
	*r = *t;
	r->core = NULL;
	r->emu = NULL;
	r->log = NULL;
	r->trace = NULL;
	r->refs = 1;
	r->keyed = root != NULL;
	if (r->keyed)
		auth_run_key(root, t->id, &r->run_key);
	explicit_bzero(&r->secret, sizeof(r->secret));
	r->has_secret = false;
	r->first_stamp = r->last_delivery = 0;
	r->shipping = r->log_failed = false;
	r->view_told = 0;
	r->liars_told = 0;
	r->log_errno = 0;
	r->real_minus_mono = mptime_real_us() - mptime_now_us();
	r->cpu_at_start = peer_cpu_us(NULL);
	r->sent_at_start = atomic_load(&ctx->sent_dgrams);
	r->bytes_at_start = atomic_load(&ctx->sent_bytes);
	hist_init(&r->lat);
	rng_seed(&r->pace, t->emu_cfg.seed ^ (0x9e3779b97f4a7c15ULL * (t->self + 1)));
	if (!(r->core = order_create(&cfg, run_deliver, r))) {
		snprintf(err, errcap, "cannot create the ordering core: %s",
		    strerror(errno));
		goto fail;
	}
	if (t->trace_limit) {
		/* A run of M messages traces at most M of each sender. */
		if (!(r->trace = trace_create(t->trace_limit < t->messages ?
		    t->trace_limit : t->messages, t->n))) {
			snprintf(err, errcap, "cannot create the trace: %s",
			    strerror(errno));
			goto fail;
		}
		order_set_trace(r->core, r->trace);
	}
	if (emu_active(&t->emu_cfg) &&
	    !(r->emu = emu_create(&t->emu_cfg, 1 << 16))) {
		snprintf(err, errcap, "bad network emulation parameters");
		goto fail;
	}
	if (!(r->log = dlog_open(ctx->log_dir, t->id, t->self))) {
		snprintf(err, errcap, "cannot create the delivery log in %s: %s",
		    ctx->log_dir, strerror(errno));
		goto fail;
	}
	return r;
fail:
	run_destroy(r);
	return NULL;
}

void
run_destroy(struct run *r)
{
	if (!r)
		return;
	order_destroy(r->core);
	trace_destroy(r->trace);
	emu_destroy(r->emu);
	dlog_close(r->log);
	free(r);
}

struct run *
run_get(struct peer_ctx *ctx)
{
	if (ctx->run)
		ctx->run->refs++;
	return ctx->run;
}

struct run *
run_put(struct peer_ctx *ctx, struct run *r)
{
	(void)ctx;
	if (!r)
		return NULL;
	return --r->refs == 0 ? r : NULL;
}

void
run_release(struct peer_ctx *ctx, struct run *r)
{
	struct run *dead;

	pthread_mutex_lock(&ctx->mu);
	dead = run_put(ctx, r);
	pthread_mutex_unlock(&ctx->mu);
	run_destroy(dead);
}

void
peer_wake(struct peer_ctx *ctx)
{
	pthread_mutex_lock(&ctx->mu);
	pthread_cond_broadcast(&ctx->cv);
	pthread_mutex_unlock(&ctx->mu);
	if (ctx->data_loop)
		loop_wake(ctx->data_loop);
}

bool
peer_stop(struct peer_ctx *ctx)
{
	bool was = atomic_exchange(&ctx->stop, true);

	peer_wake(ctx);
	return was;
}

/* A helper thread; the list of them is guarded by ctx->mu. */
struct helper {
	pthread_t	 t;
	struct peer_ctx	*ctx;
	void		*(*fn)(void *);
	void		*arg;
	bool		 done;		/* (mu) fn returned */
	struct helper	*next;		/* (mu) */
};

static void *
helper_main(void *p)
{
	struct helper *h = p;
	struct peer_ctx *ctx = h->ctx;

	(void)h->fn(h->arg);
	pthread_mutex_lock(&ctx->mu);
	h->done = true;
	pthread_cond_broadcast(&ctx->cv);
	pthread_mutex_unlock(&ctx->mu);
	return NULL;
}

/* Joins the helpers that have ended; returns how many still run. */
static unsigned
reap_helpers(struct peer_ctx *ctx)
{
	struct helper *h, **pp, *ended = NULL;
	unsigned running = 0;

	pthread_mutex_lock(&ctx->mu);
	for (pp = &ctx->helpers; (h = *pp);) {
		if (h->done) {
			*pp = h->next;
			h->next = ended;
			ended = h;
		} else {
			running++;
			pp = &h->next;
		}
	}
	pthread_mutex_unlock(&ctx->mu);
	while ((h = ended)) {
		ended = h->next;
		pthread_join(h->t, NULL);
		free(h);
	}
	return running;
}

int
peer_spawn(struct peer_ctx *ctx, void *(*fn)(void *), void *arg)
{
	struct helper *h;
	int e;

	(void)reap_helpers(ctx);
	if (!(h = calloc(1, sizeof(*h))))
		return -1;
	h->ctx = ctx;
	h->fn = fn;
	h->arg = arg;
	/* Linked before it starts: it may end before pthread_create returns. */
	pthread_mutex_lock(&ctx->mu);
	h->next = ctx->helpers;
	ctx->helpers = h;
	if ((e = pthread_create(&h->t, NULL, helper_main, h)) != 0) {
		ctx->helpers = h->next;
		pthread_mutex_unlock(&ctx->mu);
		free(h);
		errno = e;
		return -1;
	}
	pthread_mutex_unlock(&ctx->mu);
	return 0;
}

unsigned
peer_join_helpers(struct peer_ctx *ctx, uint64_t us)
{
	uint64_t deadline = mptime_now_us() + us, now;
	struct timespec ts;
	const struct helper *h;
	bool running;

	pthread_mutex_lock(&ctx->mu);
	for (;;) {
		running = false;
		for (h = ctx->helpers; h; h = h->next)
			running |= !h->done;
		if (!running || (now = mptime_now_us()) >= deadline)
			break;
		peer_deadline(&ts, deadline - now);
		pthread_cond_timedwait(&ctx->cv, &ctx->mu, &ts);
	}
	pthread_mutex_unlock(&ctx->mu);
	return reap_helpers(ctx);
}

uint64_t
peer_cpu_us(uint64_t *maxrss_kb)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	if (maxrss_kb)
		*maxrss_kb = (uint64_t)ru.ru_maxrss;
	return (uint64_t)ru.ru_utime.tv_sec * 1000000 +
	    (uint64_t)ru.ru_utime.tv_usec +
	    (uint64_t)ru.ru_stime.tv_sec * 1000000 +
	    (uint64_t)ru.ru_stime.tv_usec;
}

void
peer_deadline(struct timespec *ts, uint64_t us)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += (time_t)(us / 1000000);
	ts->tv_nsec += (long)(us % 1000000) * 1000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

/* Sends vec[0..n): a failed datagram counts as a lost one. */
static void
send_batch(struct peer_ctx *ctx, struct mmsghdr *vec, unsigned n)
{
	unsigned done = 0, i;
	uint64_t bytes;
	int rc;

	while (done < n) {
		rc = sendmmsg(ctx->udp_fd, vec + done, n - done, 0);
		if (rc > 0) {
			for (bytes = 0, i = done; i < done + (unsigned)rc; i++)
				bytes += vec[i].msg_len;
			atomic_fetch_add(&ctx->sent_dgrams, (unsigned)rc);
			atomic_fetch_add(&ctx->sent_bytes, bytes);
			done += (unsigned)rc;
			continue;
		}
		if (rc < 0 && errno == EINTR)
			continue;
		/*
		 * EPERM (a firewall), ENOBUFS, ECONNREFUSED (ICMP from a gone
		 * peer): the datagram is lost; resends repair it.
		 */
		if (atomic_fetch_add(&ctx->send_errors, 1) % 1000 == 0)
			log_warn("sendmmsg (counted as a lost datagram)");
		done++;
	}
}

void
run_send(struct peer_ctx *ctx, const struct run *r, struct order_outbox *box)
{
	struct mmsghdr vec[SEND_BATCH];
	struct iovec iov[SEND_BATCH];
	unsigned n = 0, q;
	size_t i;

	for (i = 0; i < box->n; i++) {
		struct order_out *o = &box->d[i];

		for (q = 0; q < r->n; q++) {
			if (!(o->dests >> q & 1))
				continue;
			iov[n].iov_base = o->buf;
			iov[n].iov_len = o->len;
			memset(&vec[n], 0, sizeof(vec[n]));
			vec[n].msg_hdr.msg_iov = &iov[n];
			vec[n].msg_hdr.msg_iovlen = 1;
			vec[n].msg_hdr.msg_name = (void *)(uintptr_t)&r->addr[q].ss;
			vec[n].msg_hdr.msg_namelen = r->addr[q].len;
			if (++n == SEND_BATCH) {
				send_batch(ctx, vec, n);
				n = 0;
			}
		}
	}
	if (n)
		send_batch(ctx, vec, n);
	box->n = 0;
}

/* A view installed: its line goes into the log at this very point. */
static void
run_view(struct run *r, const struct order_delivery *d)
{
	if (r->log && dlog_append_view(r->log, d->view, d->members) < 0 &&
	    !r->log_failed) {
		r->log_failed = true;
		r->log_errno = errno;
		log_warn("cannot write the delivery log %s", dlog_path(r->log));
	}
}

void
run_deliver(void *arg, const struct order_delivery *d)
{
	struct run *r = arg;

	if (d->kind == ORDER_EV_VIEW)
		return run_view(r, d);
	if (d->sender == r->self && d->now >= d->send_us)
		hist_add(&r->lat, d->now - d->send_us);
	r->last_delivery = d->now;
	if (r->log && dlog_append(r->log, d->sender, d->seq, d->ts) < 0 &&
	    !r->log_failed) {
		r->log_failed = true;
		r->log_errno = errno;
		log_warn("cannot write the delivery log %s", dlog_path(r->log));
	}
}

void
run_reason(const struct run *r, char *buf, size_t cap)
{
	const char *why = order_abort_reason(r->core);

	if (why[0])
		snprintf(buf, cap, "%s", why);
	else if (r->log_failed)
		snprintf(buf, cap, "cannot write the delivery log: %s",
		    strerror(r->log_errno));
	else if (cap)
		buf[0] = '\0';
}
