/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The receiver thread: drains the UDP socket in batches (recvmmsg), maps each
 * source address to a member id, passes datagrams through the network
 * emulation when the run has one, feeds them to the core, and sends the ACK
 * states they made due, once per batch.  Only datagrams the core would take
 * (a member's, of this run, with a good MAC, well formed) are delayed; the
 * rest go to the core at once to be dropped and counted, so nobody can fill
 * the delay queue from outside.
 */
#define _GNU_SOURCE		/* recvmmsg */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "mpcomm/log.h"
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

/* (mu held) How long to poll: until the emulation releases a datagram. */
static int
poll_timeout(struct peer_ctx *ctx)
{
	uint64_t due, now;

	if (!ctx->run || !ctx->run->emu ||
	    (due = emu_next_due(ctx->run->emu)) == UINT64_MAX)
		return 50;
	now = mptime_now_us();
	due = due > now ? (due - now + 999) / 1000 : 0;
	return due < 50 ? (int)due : 50;
}

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

/*
 * (mu held) Feeds a batch to the core, or to the emulation's delay queue,
 * releases what the emulation holds, and queues the ACK states due.
 */
static void
feed(struct peer_ctx *ctx, struct run *r, void *arg,
    struct order_outbox *box)
{
	struct batch *b = arg;
	uint64_t now = mptime_now_us();
	size_t len;
	int i, id;

	for (i = 0; i < b->n; i++) {
		b->from[i].len = b->vec[i].msg_hdr.msg_namelen;
		id = member_of(r, &b->from[i]);
		len = b->vec[i].msg_len;
		if (r->emu && worth_delaying(r, id, b->buf[i], len, &b->dg))
			(void)emu_push(r->emu, now, id, b->buf[i], len);
		else
			order_input(r->core, now, id, b->buf[i], len);
	}
	if (r->emu)
		release_due(r, now, b->scratch);
	/* A flooding sender carries our ACK state on its next DATA. */
	if (!r->sender_busy || order_stampable(r->core) == 0)
		order_flush(r->core, now, box);
	/* Wake the sender only when it waits for what just came. */
	if (r->sender_waiting && order_stampable(r->core) > 0)
		pthread_cond_broadcast(&ctx->cv);
}

void *
receiver_main(void *arg)
{
	struct peer_ctx *ctx = arg;
	struct pollfd pfd = { .fd = ctx->udp_fd, .events = POLLIN };
	struct order_outbox box;
	struct batch *b;
	int timeout;

	/* Large (about 90 KiB): off the thread's stack. */
	if (!(b = malloc(sizeof(*b))))
		return NULL;
	if (order_outbox_init(&box, 64) < 0) {
		free(b);
		return NULL;
	}
	while (!atomic_load(&ctx->stop)) {
		pthread_mutex_lock(&ctx->mu);
		timeout = poll_timeout(ctx);
		pthread_mutex_unlock(&ctx->mu);
		b->n = 0;
		if (poll(&pfd, 1, timeout) > 0)
			receive(ctx, b);
		/* Nothing to feed without a run: the datagrams are dropped. */
		(void)core_run(ctx, feed, b, &box);
	}
	order_outbox_free(&box);
	free(b);
	return NULL;
}
