/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The two orders without agreement, for comparison with total order.
 *  - fifo: each sender's DATA in its seq order, delivered as the stream
 *    below processes it; peers may interleave senders differently.
 *  - none: each DATA delivered on receipt, in whatever order the network
 *    brought it (the problem this suite demonstrates).  During a view
 *    change a DATA waits for the install, and is then delivered as it is
 *    processed, as in fifo.
 * Neither holds anything back or needs an acknowledgement: every message is
 * delivered by the time its stream has processed it, so the window opens on
 * what a member has processed.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "order_algo.h"
#include "order_impl.h"

static int
plain_create(struct order *o)
{
	o->alg_state = NULL;
	return 0;
}

static void
plain_destroy(struct order *o)
{
	(void)o;
}

static bool
none_on_receipt(struct order *o, unsigned q, const struct slot *sl)
{
	(void)o, (void)q, (void)sl;
	return true;
}

static bool
fifo_on_receipt(struct order *o, unsigned q, const struct slot *sl)
{
	(void)o, (void)q, (void)sl;
	return false;
}

/* Delivered now, unless it was on receipt. */
static int
plain_on_processed(struct order *o, unsigned q, const struct slot *sl,
    uint64_t now)
{
	(void)o, (void)q, (void)now;
	return !sl->early;
}

static void
plain_on_stream(struct order *o, unsigned q, uint64_t now)
{
	(void)o, (void)q, (void)now;
}

static void
plain_on_state(struct order *o, unsigned q, const struct msg_ack *a,
    const uint32_t *s, uint64_t now)
{
	(void)o, (void)q, (void)a, (void)s, (void)now;
}

/* Processing is delivery here. */
static uint32_t
plain_delivered_by(struct order *o, unsigned q, const struct msg_ack *a,
    uint32_t acked)
{
	(void)o, (void)q, (void)a;
	return acked;
}

static bool
plain_next(struct order *o, struct pq_item *it)
{
	(void)o, (void)it;
	return false;
}

static bool
plain_next_upto(struct order *o, uint64_t f_ts, uint16_t f_id,
    struct pq_item *it)
{
	(void)o, (void)f_ts, (void)f_id, (void)it;
	return false;
}

static void
plain_frontier(const struct order *o, uint64_t *ts, uint16_t *id)
{
	(void)o;
	*ts = 0;
	*id = 0;
}

static void
plain_installed(struct order *o)
{
	(void)o;
}

static size_t
plain_queued(const struct order *o)
{
	(void)o;
	return 0;
}

const struct order_algo order_algo_none = {
	.create = plain_create,
	.destroy = plain_destroy,
	.on_receipt = none_on_receipt,
	.on_processed = plain_on_processed,
	.on_stream = plain_on_stream,
	.on_state = plain_on_state,
	.delivered_by = plain_delivered_by,
	.next = plain_next,
	.next_upto = plain_next_upto,
	.frontier = plain_frontier,
	.installed = plain_installed,
	.queued = plain_queued,
};

const struct order_algo order_algo_fifo = {
	.create = plain_create,
	.destroy = plain_destroy,
	.on_receipt = fifo_on_receipt,
	.on_processed = plain_on_processed,
	.on_stream = plain_on_stream,
	.on_state = plain_on_state,
	.delivered_by = plain_delivered_by,
	.next = plain_next,
	.next_upto = plain_next_upto,
	.frontier = plain_frontier,
	.installed = plain_installed,
	.queued = plain_queued,
};
