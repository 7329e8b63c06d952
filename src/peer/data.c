/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The data thread: one event loop (loop.h) over the UDP socket that drains
 * it in batches (recvmmsg), maps each source address to a member id, passes
 * datagrams through the network emulation when the run has one and feeds
 * them to the core; then, once per pass, stamps this peer's messages at the
 * run's pacing (a random interval in [min, max]; 0 floods, a datagram's
 * worth per pass), runs the core's timers when order_next_deadline() has
 * come, flushes the ACK states the pass made due (so a flood carries them
 * on its DATA with no guessing), logs a view the core installed, and hands
 * the delivery log of a run that has ended to a shipping thread.  The loop
 * sleeps until the nearest of the core's deadline, the emulation's next
 * release and the next stamping.  Only datagrams the core would take (a
 * member's, of this run, with a good MAC, well formed) are delayed; the
 * rest go to the core at once to be dropped and counted, so nobody can fill
 * the delay queue from outside.
 */
#define _GNU_SOURCE		/* recvmmsg */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <inttypes.h>

#include "mpcomm/log.h"
#include "mpcomm/loop.h"
#include "mpcomm/mptime.h"
#include "peer.h"

#define RECV_BATCH	64

/* The member whose UDP address sent this, or -1. */
static int
member_of(const struct run *r, const struct net_addr *a)
{
	unsigned q;

	for (q = 0; q < r->n; q++)
		if (net_addr_equal(&r->addr[q], a))
			return (int)q;
	return -1;
}

/*
 * Whether a datagram from member from (-1: none) may wait in the delay
 * queue: the checks the core makes before it looks at the records.  dg is
 * scratch space for the decoder.
 */
static bool
worth_delaying(const struct run *r, int from, const uint8_t *buf, size_t len,
    struct msg_dgram *dg)
{
	if (from < 0 || (unsigned)from == r->self)
		return false;
	if (msg_check_mac(buf, len, r->keyed ? &r->run_key : NULL) < 0 ||
	    msg_decode(buf, len, dg) < 0)
		return false;
	return dg->hdr.run == r->id && dg->hdr.sender == (unsigned)from;
}

/* Feeds what the emulation releases by now. */
static void
release_due(struct run *r, uint64_t now, uint8_t *buf)
{
	size_t len;
	int from;

	while ((len = emu_pop(r->emu, now, &from, buf, MSG_MAX_DGRAM + 1)) > 0)
		order_input(r->core, now, from, buf, len);
}

/* One batch of datagrams from the socket. */
struct batch {
	struct mmsghdr	 vec[RECV_BATCH];
	struct iovec	 iov[RECV_BATCH];
	struct net_addr	 from[RECV_BATCH];
	uint8_t		 buf[RECV_BATCH][MSG_MAX_DGRAM + 1];
	uint8_t		 scratch[MSG_MAX_DGRAM + 1];
	struct msg_dgram dg;		/* the decoder's scratch */
	int		 n;
};

/*
 * Protected mode: a datagram from beyond this host is dropped before
 * anything looks at it, and counted (STATUS drop_protected=); the first
 * one is logged.  The rest of the batch moves down over it.
 */
static void
drop_strangers(struct peer_ctx *ctx, struct batch *b)
{
	char where[80];
	int i, kept = 0;

	for (i = 0; i < b->n; i++) {
		b->from[i].len = b->vec[i].msg_hdr.msg_namelen;
		if (net_is_loopback(&b->from[i])) {
			if (kept != i) {
				memcpy(b->buf[kept], b->buf[i],
				    b->vec[i].msg_len);
				b->vec[kept].msg_len = b->vec[i].msg_len;
				b->vec[kept].msg_hdr.msg_namelen =
				    b->vec[i].msg_hdr.msg_namelen;
				b->from[kept] = b->from[i];
			}
			kept++;
		} else if (atomic_fetch_add(&ctx->drop_protected, 1) == 0) {
			log_warnx("datagram from %s dropped: protected mode "
			    "(not a loopback address, and no --key-file); "
			    "the next are counted as drop_protected in STATUS",
			    net_addr_str(&b->from[i], where, sizeof(where)));
		}
	}
	b->n = kept;
}

/* Reads what the socket holds into b (b->n datagrams, maybe 0). */
static void
receive(struct peer_ctx *ctx, struct batch *b)
{
	int i;

	for (i = 0; i < RECV_BATCH; i++) {
		b->iov[i].iov_base = b->buf[i];
		b->iov[i].iov_len = sizeof(b->buf[i]);
		memset(&b->vec[i], 0, sizeof(b->vec[i]));
		b->vec[i].msg_hdr.msg_iov = &b->iov[i];
		b->vec[i].msg_hdr.msg_iovlen = 1;
		b->vec[i].msg_hdr.msg_name = &b->from[i].ss;
		b->vec[i].msg_hdr.msg_namelen = sizeof(b->from[i].ss);
	}
	b->n = recvmmsg(ctx->udp_fd, b->vec, RECV_BATCH, MSG_DONTWAIT, NULL);
	if (b->n < 0) {
		if (errno != EAGAIN && errno != EINTR &&
		    atomic_fetch_add(&ctx->recv_errors, 1) % 1000 == 0)
			log_warn("recvmmsg");
		b->n = 0;
	}
	if (ctx->opt.loopback_only)
		drop_strangers(ctx, b);
}

/* (mu held) Feeds a batch to the core, or to the emulation's delay queue.
 * What it makes due goes out at the end of the pass. */
static void
feed(struct peer_ctx *ctx, struct run *r, void *arg,
    struct order_outbox *box)
{
	struct batch *b = arg;
	uint64_t now = mptime_now_us();
	size_t len;
	int i, id;

	(void)ctx;
	(void)box;
	for (i = 0; i < b->n; i++) {
		b->from[i].len = b->vec[i].msg_hdr.msg_namelen;
		id = member_of(r, &b->from[i]);
		len = b->vec[i].msg_len;
		if (r->emu && worth_delaying(r, id, b->buf[i], len, &b->dg))
			(void)emu_push(r->emu, now, id, b->buf[i], len);
		else
			order_input(r->core, now, id, b->buf[i], len);
	}
}

/* The data thread's state, its own. */
struct data {
	struct peer_ctx	*ctx;
	struct batch	*b;
	struct order_outbox box;
	uint64_t	 run_id;	/* the run the pacing is for */
	uint64_t	 next_stamp;	/* paced: the next stamping */
	uint64_t	 due;		/* the pass's answer to the loop */
	/* What the pass found, logged or launched after the lock: */
	struct ship_job	*job;		/* a log to ship, prepared */
	bool		 oom;		/* a log could not be prepared */
	uint64_t	 liars;		/* members newly caught lying */
	bool		 new_view;	/* a view to log: */
	uint64_t	 run;
	uint32_t	 view;
	unsigned	 members, n;
};

static uint64_t
earliest(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* (mu held) Stamps what the pacing allows now; returns when to come back. */
static uint64_t
stamp(struct data *d, struct run *r, uint64_t now, struct order_outbox *box)
{
	if (r->id != d->run_id) {
		d->run_id = r->id;
		d->next_stamp = now + (r->imax_us ?
		    rng_range(&r->pace, r->imin_us, r->imax_us) : 0);
	}
	if (order_stampable(r->core) == 0)
		return LOOP_NEVER;	/* an ACK state opens the window */
	if (r->imax_us && now < d->next_stamp)
		return d->next_stamp;
	if (!r->first_stamp)
		r->first_stamp = now;
	if (r->imax_us) {
		(void)order_stamp(r->core, now, 1, box);
		d->next_stamp = now + rng_range(&r->pace, r->imin_us,
		    r->imax_us);
	} else {
		(void)order_stamp(r->core, now, order_flood_batch(r->core),
		    box);
	}
	if (order_stampable(r->core) == 0)
		return LOOP_NEVER;
	return r->imax_us ? d->next_stamp : now;
}

/*
 * (mu held) The pass: what the emulation releases, stamping, the core's
 * timers or its flush, and the log of a run that has ended.
 */
static void
pass(struct peer_ctx *ctx, struct run *r, void *arg,
    struct order_outbox *box)
{
	struct data *d = arg;
	uint64_t now = mptime_now_us(), due, members;
	uint32_t view;

	if (r->emu)
		release_due(r, now, d->b->scratch);
	due = stamp(d, r, now, box);
	if (order_next_deadline(r->core) <= now)
		order_tick(r->core, now, box);
	else
		order_flush(r->core, now, box);
	due = earliest(due, order_next_deadline(r->core));
	if (r->emu)
		due = earliest(due, emu_next_due(r->emu));
	d->due = due;
	if (ship_if_ended(ctx, r, &d->job) < 0)
		d->oom = true;
	view = order_view(r->core, &members);
	d->liars = order_stats(r->core)->liars & ~r->liars_told;
	r->liars_told |= d->liars;
	d->new_view = view != r->view_told;
	r->view_told = view;
	d->run = r->id;
	d->view = view;
	d->members = (unsigned)__builtin_popcountll(members);
	d->n = r->n;
}

/* Logged here, not where it happens: never under the lock. */
static void
after_pass(struct data *d)
{
	unsigned i;

	if (d->new_view)
		log_info("run %" PRIu64 ": view %" PRIu32 " installed: "
		    "%u of %u members", d->run, d->view, d->members, d->n);
	for (i = 0; d->liars >> i; i++)
		if (d->liars >> i & 1)
			log_warnx("run %" PRIu64 ": lie from member %u: "
			    "its answer to a view change claims more "
			    "of a stream than the stream's owner "
			    "stamped; left out of the view", d->run, i);
	d->liars = 0;
	d->new_view = false;
	if (d->oom) {
		log_warnx("out of memory: a delivery log is not shipped");
		d->oom = false;
	}
	if (d->job)
		ship_launch(d->job);
	d->job = NULL;
}

/* The UDP socket is readable: one batch into the core. */
static void
on_udp(struct loop *l, int fd, unsigned events, void *arg)
{
	struct data *d = arg;

	(void)l;
	(void)fd;
	(void)events;
	d->b->n = 0;
	receive(d->ctx, d->b);
	/* Nothing to feed without a run: the datagrams are dropped. */
	if (d->b->n)
		(void)core_run(d->ctx, feed, d->b, &d->box);
}

/* The loop's pass hook: the pass under the lock, then what it found. */
static uint64_t
on_pass(struct loop *l, uint64_t now, void *arg)
{
	struct data *d = arg;

	(void)now;
	if (atomic_load(&d->ctx->stop)) {
		loop_stop(l);
		return LOOP_NEVER;
	}
	d->job = NULL;
	if (core_run(d->ctx, pass, d, &d->box) < 0)
		return LOOP_NEVER;	/* core_start() wakes the loop */
	after_pass(d);
	return d->due;
}

void *
data_main(void *arg)
{
	struct peer_ctx *ctx = arg;
	struct data d = { .ctx = ctx };

	/* Large (about 90 KiB): off the thread's stack. */
	if (!(d.b = malloc(sizeof(*d.b))))
		return NULL;
	if (order_outbox_init(&d.box, 256) < 0) {
		free(d.b);
		return NULL;
	}
	if (loop_fd_add(ctx->data_loop, ctx->udp_fd, LOOP_READ, on_udp,
	    &d) == 0) {
		loop_set_pass(ctx->data_loop, on_pass, &d);
		if (loop_run(ctx->data_loop) < 0)
			log_warn("the data loop");
		loop_set_pass(ctx->data_loop, NULL, NULL);
		(void)loop_fd_del(ctx->data_loop, ctx->udp_fd);
	}
	order_outbox_free(&d.box);
	free(d.b);
	return NULL;
}
