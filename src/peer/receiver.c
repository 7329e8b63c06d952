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

void *
receiver_main(void *arg)
{
	static _Thread_local uint8_t bufs[RECV_BATCH][MSG_MAX_DGRAM + 1];
	struct peer_ctx *ctx = arg;
	struct mmsghdr vec[RECV_BATCH];
	struct iovec iov[RECV_BATCH];
	struct net_addr from[RECV_BATCH];
	uint8_t scratch[MSG_MAX_DGRAM + 1];
	struct order_outbox box;
	struct msg_dgram *dg;
	struct pollfd pfd = { .fd = ctx->udp_fd, .events = POLLIN };
	struct run *r;
	uint64_t now, due;
	int timeout, n, i;

	if (!(dg = malloc(sizeof(*dg))))
		return NULL;
	if (order_outbox_init(&box, 64) < 0) {
		free(dg);
		return NULL;
	}
	while (!atomic_load(&ctx->stop)) {
		timeout = 50;
		pthread_mutex_lock(&ctx->mu);
		if (ctx->run && ctx->run->emu &&
		    (due = emu_next_due(ctx->run->emu)) != UINT64_MAX) {
			now = mptime_now_us();
			due = due > now ? (due - now + 999) / 1000 : 0;
			if (due < (uint64_t)timeout)
				timeout = (int)due;
		}
		pthread_mutex_unlock(&ctx->mu);

		n = 0;
		if (poll(&pfd, 1, timeout) > 0) {
			for (i = 0; i < RECV_BATCH; i++) {
				iov[i].iov_base = bufs[i];
				iov[i].iov_len = sizeof(bufs[i]);
				memset(&vec[i], 0, sizeof(vec[i]));
				vec[i].msg_hdr.msg_iov = &iov[i];
				vec[i].msg_hdr.msg_iovlen = 1;
				vec[i].msg_hdr.msg_name = &from[i].ss;
				vec[i].msg_hdr.msg_namelen = sizeof(from[i].ss);
			}
			n = recvmmsg(ctx->udp_fd, vec, RECV_BATCH, MSG_DONTWAIT,
			    NULL);
			if (n < 0) {
				if (errno != EAGAIN && errno != EINTR &&
				    atomic_fetch_add(&ctx->recv_errors, 1) %
				    1000 == 0)
					log_warn("recvmmsg");
				n = 0;
			}
		}

		pthread_mutex_lock(&ctx->mu);
		if (!(r = run_get(ctx))) {
			pthread_mutex_unlock(&ctx->mu);
			continue;	/* nothing to feed yet: no run */
		}
		now = mptime_now_us();
		for (i = 0; i < n; i++) {
			int id;

			from[i].len = vec[i].msg_hdr.msg_namelen;
			id = member_of(r, &from[i]);
			if (r->emu && worth_delaying(r, id, bufs[i],
			    vec[i].msg_len, dg))
				(void)emu_push(r->emu, now, id, bufs[i],
				    vec[i].msg_len);
			else
				order_input(r->core, now, id, bufs[i],
				    vec[i].msg_len);
		}
		if (r->emu)
			release_due(r, now, scratch);
		/* A flooding sender carries our ACK state on its next DATA. */
		if (!r->sender_busy || order_stampable(r->core) == 0)
			order_flush(r->core, now, &box);
		/* Wake the sender only when it waits for what just came. */
		if (r->sender_waiting && order_stampable(r->core) > 0)
			pthread_cond_broadcast(&ctx->cv);
		pthread_mutex_unlock(&ctx->mu);

		run_send(ctx, r, &box);
		run_release(ctx, r);
	}
	order_outbox_free(&box);
	free(dg);
	return NULL;
}
