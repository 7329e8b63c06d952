/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The ordering core driven by hand: the ACK-state K rule (the race that
 * broke the original demo), bad input dropped and counted, duplicates, a
 * complete run to DONE, failure detection, and the liveness rules: the
 * window keyed on delivery, selective repair, the stall abort; a view
 * change without a silent member, and an owner's answer claiming less of
 * its stream than the coordinator holds, blamed on the owner; and
 * order_next_deadline(): nothing to do before it, work at it, and runs
 * driven by deadlines alone that finish.  The runs
 * abort on failure, except the view changes' (which the simulation drives
 * much further).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mpcomm/msg.h"
#include "mpcomm/order.h"
#include "mpcomm/rng.h"
#include "mpcomm/trace.h"
#include "check.h"

#define MAXD	64

struct log {
	unsigned	n;
	uint16_t	sender[MAXD];
	uint32_t	seq[MAXD];	/* 0: a view event, sender its view */
};

static void
on_deliver(void *arg, const struct order_delivery *d)
{
	struct log *l = arg;

	if (l->n < MAXD) {
		l->sender[l->n] = d->kind == ORDER_EV_VIEW ?
		    (uint16_t)d->view : d->sender;
		l->seq[l->n] = d->kind == ORDER_EV_VIEW ? 0 : d->seq;
	}
	l->n++;
}

static struct order *
make_w(unsigned self, unsigned n, uint32_t m, uint32_t window,
    struct log *l)
{
	struct order_config c;

	order_config_defaults(&c);
	c.run = 77;
	c.self = self;
	c.n = n;
	c.messages = m;
	c.payload_len = 4;
	c.window = window;
	c.peer_timeout_us = 500000;
	c.stall_timeout_us = 1000000;
	c.on_failure = ORDER_ABORT;
	return order_create(&c, on_deliver, l);
}

static struct order *
make(unsigned self, unsigned n, uint32_t m, struct log *l)
{
	return make_w(self, n, m, 4096, l);
}

/* A core of a two-peer run that authenticates its datagrams with key. */
static struct order *
make_keyed(unsigned self, uint64_t run, uint32_t m,
    const struct auth_key *key, struct log *l)
{
	struct order_config c;

	order_config_defaults(&c);
	c.run = run;
	c.self = self;
	c.n = 2;
	c.messages = m;
	c.payload_len = 4;
	c.key = key;
	c.on_failure = ORDER_ABORT;
	return order_create(&c, on_deliver, l);
}

/* An ACK state (S, C, K) without a delivery frontier. */
static void
put_ack(struct msg_builder *b, uint32_t k, uint64_t c, unsigned n,
    const uint32_t *s)
{
	struct msg_ack a = { .k = k, .c = c, .n = (uint8_t)n };

	CHECK(msg_put_ack(b, &a, s) == 0 || n != 2);
}

/* Delivers every datagram of box addressed to `to` (id) into core o. */
static void
feed(struct order *o, unsigned to, int from, struct order_outbox *box)
{
	size_t i;

	for (i = 0; i < box->n; i++)
		if (box->d[i].dests >> to & 1)
			order_input(o, 0, from, box->d[i].buf, box->d[i].len);
}

/* Two peers past the handshake; peer 0 is driven, peer 1 is forged. */
static struct order *
running_pair(uint32_t m, uint32_t window, struct log *l,
    struct order_outbox *box)
{
	struct order *p0 = make_w(0, 2, m, window, l), *p1;
	struct log l1 = { 0 };

	p1 = make_w(1, 2, m, window, &l1);
	order_start(p1, 0, box);
	feed(p0, 0, 1, box);		/* its READY: peer 0 is running */
	box->n = 0;
	order_destroy(p1);
	CHECK(order_phase(p0) == ORDER_RUNNING);
	return p0;
}

/* An ACK state from peer 1 with a delivery frontier (d_ts, d_id). */
static size_t
forged_ack(uint8_t *buf, uint32_t s0, uint64_t c, uint64_t d_ts)
{
	struct msg_builder b;
	struct msg_ack a = { .k = 0, .c = c, .d_ts = d_ts, .d_id = 0, .n = 2 };
	uint32_t s[2] = { s0, 0 };

	msg_begin(&b, buf, MSG_MAX_DGRAM, 1, 77);
	CHECK(msg_put_ack(&b, &a, s) == 0);
	return msg_finish(&b);
}

/*
 * The window opens on what every member has *delivered*, not processed: a
 * member that processes but cannot deliver must not be flooded further
 * (the deadlock of a capped hold queue).
 */
static void
test_window_on_delivery(void)
{
	struct order_outbox box;
	struct log l = { 0 };
	uint8_t buf[MSG_MAX_DGRAM];
	struct order *p0;
	size_t len;

	CHECK(order_outbox_init(&box, 64) == 0);
	p0 = running_pair(10, 4, &l, &box);
	CHECK(order_stamp(p0, 10, 10, &box) == 4);	/* ts 1..4 */
	len = forged_ack(buf, 4, 5, 0);	/* processed all 4, delivered none */
	order_input(p0, 20, 1, buf, len);
	CHECK(l.n == 4);		/* peer 0 itself could deliver them */
	CHECK(order_stampable(p0) == 0);
	len = forged_ack(buf, 4, 5, 2);	/* delivered up to (ts 2, id 0) */
	order_input(p0, 30, 1, buf, len);
	CHECK(order_stampable(p0) == 2);
	len = forged_ack(buf, 4, 5, 4);
	order_input(p0, 40, 1, buf, len);
	CHECK(order_stampable(p0) == 4);
	order_destroy(p0);
	order_outbox_free(&box);
}

/* The DATA seqs in every datagram of box. */
static unsigned
data_in_box(const struct order_outbox *box, uint32_t *seqs, unsigned max)
{
	static struct msg_dgram dg;
	unsigned k = 0;
	size_t i, r;

	for (i = 0; i < box->n; i++) {
		CHECK(msg_decode(box->d[i].buf, box->d[i].len, &dg) == 0);
		for (r = 0; r < dg.nrec; r++)
			if (dg.rec[r].type == MSG_DATA && k < max)
				seqs[k++] = dg.rec[r].u.data.seq;
	}
	return k;
}

/* A SACK makes the sender resend only what is missing. */
static void
test_sack_repairs_only_holes(void)
{
	struct order_outbox box;
	struct msg_builder b;
	struct msg_ack a = { .k = 0, .c = 7, .n = 2 };
	struct log l = { 0 };
	uint8_t buf[MSG_MAX_DGRAM], bits = 0xf0;	/* seqs 3..6 held */
	uint32_t s[2] = { 1, 0 }, seqs[16];
	struct order *p0;
	size_t len;

	CHECK(order_outbox_init(&box, 64) == 0);
	p0 = running_pair(8, 64, &l, &box);
	CHECK(order_stamp(p0, 0, 6, &box) == 6);
	box.n = 0;
	msg_begin(&b, buf, sizeof(buf), 1, 77);
	CHECK(msg_put_ack(&b, &a, s) == 0);
	CHECK(msg_put_sack(&b, 0, 2, &bits, 8) == 0);
	len = msg_finish(&b);
	order_input(p0, 1000, 1, buf, len);
	CHECK(order_stats(p0)->sacks_in == 1);
	order_tick(p0, 300000, &box);		/* past the 100 ms timeout */
	CHECK(data_in_box(&box, seqs, 16) == 1 && seqs[0] == 2);
	/* A SACK of what was never sent is refused and counted. */
	bits = 0xff;
	msg_begin(&b, buf, sizeof(buf), 1, 77);
	CHECK(msg_put_sack(&b, 0, 2, &bits, 8) == 0);
	len = msg_finish(&b);
	order_input(p0, 300001, 1, buf, len);
	CHECK(order_stats(p0)->drop_unsent == 1);
	order_destroy(p0);
	order_outbox_free(&box);
}

/* Members heard, nothing moving while work is pending: the run aborts. */
static void
test_stall_aborts(void)
{
	struct order_outbox box;
	struct log l = { 0 };
	uint8_t buf[MSG_MAX_DGRAM];
	struct order *p0;
	uint64_t now;
	size_t len;

	CHECK(order_outbox_init(&box, 256) == 0);
	p0 = running_pair(5, 64, &l, &box);
	CHECK(order_stamp(p0, 0, 1, &box) == 1);
	len = forged_ack(buf, 0, 0, 0);		/* alive, acknowledges nothing */
	for (now = 100000; now <= 3000000; now += 100000) {
		order_input(p0, now, 1, buf, len);
		box.n = 0;
		order_tick(p0, now, &box);
		if (now <= 1000000)
			CHECK(order_phase(p0) == ORDER_RUNNING);
	}
	CHECK(order_phase(p0) == ORDER_ABORTED);
	CHECK(strstr(order_abort_reason(p0), "no progress") != NULL);
	order_destroy(p0);
	order_outbox_free(&box);
}

/*
 * Authenticated datagrams are numbered: the same datagram replayed, or one
 * older than the replay window, is dropped and counted, and does not make
 * its sender look alive.
 */
static void
test_replay_dropped(void)
{
	struct auth_key key = { .k = "0123456789abcdef", .len = 16 };
	struct order_outbox box;
	struct log l0 = { 0 }, l1 = { 0 };
	struct order *a, *r;
	uint8_t first[MSG_MAX_DGRAM];
	size_t flen, i;

	CHECK(order_outbox_init(&box, 256) == 0);
	a = make_keyed(0, 77, 5, &key, &l0);
	r = make_keyed(1, 77, 5, &key, &l1);
	order_start(a, 0, &box);		/* READY, counter 1 */
	flen = box.d[0].len;
	memcpy(first, box.d[0].buf, flen);
	feed(r, 1, 0, &box);
	CHECK(order_stats(r)->drop_replay == 0);
	order_input(r, 1, 0, first, flen);		/* replayed */
	CHECK(order_stats(r)->drop_replay == 1);
	for (i = 0; i < 1100; i++) {			/* 1100 newer ones */
		box.n = 0;
		order_tick(a, 50000 * (i + 1), &box);
		feed(r, 1, 0, &box);
	}
	CHECK(order_stats(r)->drop_replay == 1);
	order_input(r, 60000000, 0, first, flen);	/* now older than all */
	CHECK(order_stats(r)->drop_replay == 2);
	/* Replays alone do not keep a silent member alive (the core ticks
	 * all along: a long gap between calls would be its own pause). */
	for (i = 0; i < 300; i++) {
		uint64_t t = 60000000 + i * 100000ULL;

		if (i % 10 == 0)
			order_input(r, t, 0, first, flen);
		box.n = 0;
		order_tick(r, t, &box);
	}
	CHECK(order_phase(r) == ORDER_ABORTED);
	order_destroy(a);
	order_destroy(r);
	order_outbox_free(&box);
}

/* Configurations are checked. */
static void
test_config_checked(void)
{
	struct order_config c;

	order_config_defaults(&c);
	c.n = 1;
	c.messages = 1;
	CHECK(order_config_check(&c) != NULL);
	c.n = 65;
	CHECK(order_config_check(&c) != NULL);
	c.n = 3;
	c.self = 3;
	CHECK(order_config_check(&c) != NULL);
	c.self = 0;
	CHECK(order_config_check(&c) == NULL);
	c.stall_timeout_us = c.peer_timeout_us;	/* an outage would stall */
	CHECK(order_config_check(&c) != NULL);
	c.stall_timeout_us = 0;		/* never */
	CHECK(order_config_check(&c) == NULL);
	c.messages = 0;
	CHECK(order_create(&c, on_deliver, NULL) == NULL);
}

/*
 * The K rule.  Peer 1 stamps m(1,1) ts=1; peer 0 stamps m(0,1) ts=1, which
 * precedes it (same ts, lower id).  Peer 0's ACK state, taken after it
 * processed m(1,1), reaches peer 1 before peer 0's DATA: counting it would
 * deliver m(1,1) first.
 */
static void
test_k_rule(void)
{
	struct order_outbox b0, b1;
	struct log l0 = { 0 }, l1 = { 0 };
	struct order *p0, *p1;
	uint8_t buf[MSG_MAX_DGRAM];
	struct msg_builder b;
	uint32_t s[2] = { 1, 1 };
	size_t len;

	order_outbox_init(&b0, 64);
	order_outbox_init(&b1, 64);
	p0 = make(0, 2, 1, &l0);
	p1 = make(1, 2, 1, &l1);
	order_start(p0, 0, &b0);
	order_start(p1, 0, &b1);
	feed(p1, 1, 0, &b0);	/* READYs: both confirmed */
	feed(p0, 0, 1, &b1);
	b0.n = b1.n = 0;
	CHECK(order_phase(p0) == ORDER_RUNNING &&
	    order_phase(p1) == ORDER_RUNNING);
	CHECK(order_stamp(p1, 10, 1, &b1) == 1);
	CHECK(order_stamp(p0, 10, 1, &b0) == 1);
	feed(p0, 0, 1, &b1);	/* peer 0 processes m(1,1) */
	msg_begin(&b, buf, sizeof(buf), 0, 77);
	put_ack(&b, 1, 3, 2, s);	/* K=1: m(0,1) stamped */
	len = msg_finish(&b);
	order_input(p1, 20, 0, buf, len);
	CHECK(l1.n == 0);	/* held: peer 0's stream is not at K yet */
	feed(p1, 1, 0, &b0);	/* now m(0,1) itself */
	CHECK(l1.n == 2 && l1.sender[0] == 0 && l1.sender[1] == 1);
	order_destroy(p0);
	order_destroy(p1);
	order_outbox_free(&b0);
	order_outbox_free(&b1);
}

/* A DATA from peer 1 of run 77 into o, with payload pl. */
static void
input_data(struct order *o, const uint8_t *pl, uint32_t seq, uint64_t ts)
{
	uint8_t buf[MSG_MAX_DGRAM];
	struct msg_builder b;
	struct msg_data d = { .seq = seq, .ts = ts, .plen = 4, .payload = pl };

	msg_begin(&b, buf, sizeof(buf), 1, 77);
	CHECK(msg_put_data(&b, &d) == 0);
	order_input(o, 1, 1, buf, msg_finish(&b));
}

/* A one-record datagram from sender to o, as if from member from. */
static void
input_ready(struct order *o, uint16_t sender, uint64_t run, int from)
{
	uint8_t buf[MSG_MAX_DGRAM];
	struct msg_builder b;

	msg_begin(&b, buf, sizeof(buf), sender, run);
	msg_put_ready(&b);
	order_input(o, 1, from, buf, msg_finish(&b));
}

/* Bad input is dropped and counted, never delivered; silence aborts. */
static void
test_bad_input(void)
{
	struct order_outbox box;
	struct log l0 = { 0 };
	uint8_t buf[MSG_MAX_DGRAM], pl[4];
	struct msg_builder b;
	const struct order_stats *st;
	uint32_t s[3] = { 4, 0, 0 };		/* acks unstamped DATA */
	struct order *p0;
	int i;

	order_outbox_init(&box, 64);
	p0 = make(0, 3, 5, &l0);
	order_start(p0, 0, &box);
	st = order_stats(p0);
	order_input(p0, 1, 1, (const uint8_t *)"garbage", 7);
	CHECK(st->drop_decode == 1);
	input_ready(p0, 1, 78, 1);		/* another run */
	CHECK(st->drop_run == 1);
	input_ready(p0, 2, 77, 1);		/* claims id 2, from 1's address */
	input_ready(p0, 2, 77, -1);		/* ... from a stranger */
	CHECK(st->drop_sender == 2);
	msg_payload_fill(pl, 4, 77, 1, 1);
	input_data(p0, pl, 1, UINT64_MAX - 1);	/* near the maximum */
	CHECK(st->drop_clock == 1);
	input_data(p0, pl, 1, 3 * 3 * 5 + 3 + 1);	/* above what 3 x 5 reach */
	CHECK(st->drop_clock == 2 && st->data_in == 0);
	input_data(p0, pl, 6, 5);		/* beyond M */
	CHECK(st->drop_field == 1);
	pl[0] ^= 1;				/* wrong payload */
	input_data(p0, pl, 1, 5);
	CHECK(st->drop_payload == 1);
	pl[0] ^= 1;
	for (i = 0; i < 1000; i++)		/* a valid one, 1000 times */
		input_data(p0, pl, 1, 5);
	CHECK(st->data_in == 1 && st->data_dup == 999);
	msg_begin(&b, buf, sizeof(buf), 1, 77);
	put_ack(&b, 0, 1, 3, s);
	order_input(p0, 1, 1, buf, msg_finish(&b));
	CHECK(st->drop_unsent == 1 && st->drop_clock == 2);
	msg_begin(&b, buf, sizeof(buf), 1, 77);	/* wrong n */
	put_ack(&b, 0, 1, 2, s);
	order_input(p0, 1, 1, buf, msg_finish(&b));
	CHECK(st->drop_field == 2);
	CHECK(l0.n == 0);	/* peer 2 never acknowledged anything */
	for (i = 1; i <= 20; i++) {
		box.n = 0;
		order_tick(p0, 100000ULL * i, &box);
	}
	CHECK(order_phase(p0) == ORDER_ABORTED);
	CHECK(strstr(order_abort_reason(p0), "silent for") != NULL);
	order_destroy(p0);
	order_outbox_free(&box);
}

/* Drives two peers of a lossless pair, from the start, until both are
 * done (200 rounds at most). */
static void
run_pair(struct order *p0, struct order *p1, struct order_outbox *b0,
    struct order_outbox *b1)
{
	int i;

	order_start(p0, 0, b0);
	order_start(p1, 0, b1);
	for (i = 0; i < 200 && !(order_phase(p0) == ORDER_DONE &&
	    order_phase(p1) == ORDER_DONE); i++) {
		uint64_t now = (uint64_t)i * 1000;

		feed(p1, 1, 0, b0);
		feed(p0, 0, 1, b1);
		b0->n = b1->n = 0;
		order_stamp(p0, now, 3, b0);
		order_stamp(p1, now, 2, b1);
		order_tick(p0, now, b0);
		order_tick(p1, now, b1);
	}
}

/* A whole run, lossless, to DONE at both peers; DONE is quiet. */
static void
test_whole_run(void)
{
	struct order_outbox b0, b1;
	struct log l0 = { 0 }, l1 = { 0 };
	struct order *p0, *p1;

	order_outbox_init(&b0, 64);
	order_outbox_init(&b1, 64);
	p0 = make(0, 2, 10, &l0);
	p1 = make(1, 2, 10, &l1);
	run_pair(p0, p1, &b0, &b1);
	CHECK(order_phase(p0) == ORDER_DONE && order_phase(p1) == ORDER_DONE);
	CHECK(l0.n == 20 && l1.n == 20);
	CHECK(memcmp(l0.sender, l1.sender, sizeof(l0.sender)) == 0 &&
	    memcmp(l0.seq, l1.seq, sizeof(l0.seq)) == 0);
	b0.n = 0;
	order_tick(p0, 10000000, &b0);
	CHECK(b0.n == 0);
	order_destroy(p0);
	order_destroy(p1);
	order_outbox_free(&b0);
	order_outbox_free(&b1);
}

/*
 * A traced run: each trace has every send (timestamps rising), a receipt
 * of every DATA of the other peer with the clock after it above its
 * timestamp, every delivery in the callback's order at positions 0, 1,
 * ..., each enabled by an earlier ACK state or receipt; a trace limited to
 * 4 messages leaves the rest out and says so.
 */
static void
test_traced_run(void)
{
	struct order_outbox b0, b1;
	struct log l0 = { 0 }, l1 = { 0 };
	struct trace *t0 = trace_create(10, 2), *t1 = trace_create(4, 2);
	struct order *p0 = make(0, 2, 10, &l0), *p1 = make(1, 2, 10, &l1);
	unsigned sends = 0, recvs = 0, dl = 0;
	uint64_t last_ts = 0;
	size_t j;

	order_outbox_init(&b0, 64);
	order_outbox_init(&b1, 64);
	order_set_trace(p0, t0);
	order_set_trace(p1, t1);
	run_pair(p0, p1, &b0, &b1);
	CHECK(l0.n == 20 && l1.n == 20);
	for (j = 0; j < t0->n; j++) {
		const struct trace_ev *e = &t0->ev[j];

		if (e->kind == TRACE_SEND) {
			CHECK(e->ts > last_ts && e->seq == ++sends);
			last_ts = e->ts;
		} else if (e->kind == TRACE_RECV) {
			CHECK(e->peer == 1 && e->seq == ++recvs &&
			    e->clock > e->ts);
		} else if (e->kind == TRACE_DELIVER) {
			CHECK(e->pos == dl && e->peer == l0.sender[dl] &&
			    e->seq == l0.seq[dl]);
			CHECK(e->via >= 0 && (size_t)e->via < j &&
			    (t0->ev[e->via].kind == TRACE_ACK ||
			    t0->ev[e->via].kind == TRACE_RECV));
			dl++;
		}
	}
	CHECK(sends == 10 && recvs == 10 && dl == 20 && !t0->cut);
	CHECK(t1->cut);
	for (j = 0; j < t1->n; j++)
		CHECK(t1->ev[j].seq <= 4);
	order_set_trace(p0, NULL);
	order_set_trace(p1, NULL);
	trace_destroy(t0);
	trace_destroy(t1);
	order_destroy(p0);
	order_destroy(p1);
	order_outbox_free(&b0);
	order_outbox_free(&b1);
}

/*
 * Authenticated datagrams: a peer of run 77 accepts what a keyed peer of
 * run 77 sends, and refuses the same bytes replayed into run 78, bytes
 * sealed with another key, and unsealed bytes.
 */
static void
test_authenticated(void)
{
	struct auth_key key = { .k = "0123456789abcdef", .len = 16 };
	struct auth_key other = { .k = "fedcba9876543210", .len = 16 };
	struct order_outbox b0;
	struct log l0 = { 0 }, l1 = { 0 };
	struct order *a, *r77, *r78, *stranger;

	order_outbox_init(&b0, 64);
	a = make_keyed(0, 77, 1, &key, &l0);
	r77 = make_keyed(1, 77, 1, &key, &l1);
	r78 = make_keyed(1, 78, 1, &key, &l1);
	stranger = make_keyed(1, 77, 1, &other, &l1);
	order_start(a, 0, &b0);
	CHECK(b0.n == 1);
	feed(r77, 1, 0, &b0);
	CHECK(order_phase(r77) == ORDER_RUNNING);
	CHECK(order_stats(r77)->drop_auth == 0);
	feed(r78, 1, 0, &b0);
	CHECK(order_stats(r78)->drop_auth == 1);
	feed(stranger, 1, 0, &b0);
	CHECK(order_stats(stranger)->drop_auth == 1);
	input_ready(r77, 0, 77, 0);		/* unsealed */
	CHECK(order_stats(r77)->drop_auth == 1);
	order_destroy(a);
	order_destroy(r77);
	order_destroy(r78);
	order_destroy(stranger);
	order_outbox_free(&b0);
}

/* Routes every datagram in box from peer `from` to the live peers. */
static void
route3(struct order **p, unsigned live, unsigned from, uint64_t now,
    struct order_outbox *box)
{
	size_t i;
	unsigned q;

	for (i = 0; i < box->n; i++)
		for (q = 0; q < 3; q++)
			if ((box->d[i].dests >> q & 1) && (live >> q & 1))
				order_input(p[q], now, (int)from, box->d[i].buf,
				    box->d[i].len);
	box->n = 0;
}

/* Three cores of run `run` (3 messages each, suspicion at 200 ms),
 * started and their READYs routed. */
static void
start3(struct order *p[3], struct log l[3], struct order_outbox *box,
    uint64_t run)
{
	struct order_config c;
	unsigned i;

	order_outbox_init(box, 256);
	for (i = 0; i < 3; i++) {
		order_config_defaults(&c);
		c.run = run;
		c.self = i;
		c.n = 3;
		c.messages = 3;
		c.payload_len = 4;
		c.suspect_us = 200000;
		p[i] = order_create(&c, on_deliver, &l[i]);
		CHECK(p[i] != NULL);
	}
	for (i = 0; i < 3; i++) {
		order_start(p[i], 0, box);
		route3(p, 7, i, 0, box);
	}
}

/*
 * Three peers; peer 2 dies after the handshake, before sending anything.
 * Peers 0 and 1 suspect it, install view 1 = {0, 1} and finish the run:
 * both deliver their 2 x 3 messages and the view event, at the same place.
 */
static void
test_view_change(void)
{
	struct order *p[3];
	struct log l[3] = { { 0 }, { 0 }, { 0 } };
	struct order_outbox box;
	unsigned i, q, live = 7, views;
	uint64_t t;

	start3(p, l, &box, 78);
	for (t = 10000; t < 5000000; t += 10000) {
		for (i = 0; i < 3; i++) {
			if (!(live >> i & 1))
				continue;
			if (order_phase(p[i]) == ORDER_RUNNING && i != 2)
				(void)order_stamp(p[i], t, 1, &box);
			order_tick(p[i], t, &box);
			route3(p, live, i, t, &box);
		}
		if (order_phase(p[0]) == ORDER_RUNNING)
			live = 3;	/* peer 2 dies, having sent nothing */
	}
	for (i = 0; i < 2; i++) {
		uint64_t members;

		CHECK(order_phase(p[i]) == ORDER_DONE);
		CHECK(order_view(p[i], &members) == 1 && members == 3);
		CHECK(l[i].n == 7);	/* 2 x 3 messages and the view */
		for (q = 0, views = 0; q < l[i].n && q < MAXD; q++) {
			CHECK(l[i].sender[q] == l[0].sender[q] &&
			    l[i].seq[q] == l[0].seq[q]);
			views += l[i].seq[q] == 0;
		}
		CHECK(views == 1);
	}
	for (i = 0; i < 3; i++)
		order_destroy(p[i]);
	order_outbox_free(&box);
}

/*
 * Datagram d of peer 1 with its VIEW answer (STATE) alone in it, and with
 * lie, claiming that peer 1 processed none of its own stream, all else as
 * answered: the lie of an owner under-reporting what it stamped.  Into
 * out; its length, or 0 when d holds no answer.  *honest: the level of its
 * own stream that peer 1 really answered.
 */
static size_t
owner_answer(const uint8_t *d, size_t len, bool lie, uint8_t *out,
    uint32_t *honest)
{
	static struct msg_dgram dg;
	struct msg_view_entry e[MSG_VIEW_MAX];
	uint32_t level[MSG_MAX_PEERS];
	struct msg_builder b;
	const struct msg_view *v;
	size_t r;
	unsigned i;

	if (msg_decode(d, len, &dg) < 0)
		return 0;
	for (r = 0; r < dg.nrec; r++) {
		if (dg.rec[r].type != MSG_VIEW ||
		    dg.rec[r].u.view.kind != MSG_VIEW_STATE)
			continue;
		v = &dg.rec[r].u.view;
		for (i = 0; i < v->nviews && i < MSG_VIEW_MAX; i++)
			msg_view_get(v, i, &e[i]);
		for (i = 0; i < v->n; i++)
			level[i] = msg_view_level(v, i);
		*honest = level[1];
		if (lie)
			level[1] = 0;
		msg_begin(&b, out, MSG_MAX_DGRAM, 1, dg.hdr.run);
		msg_set_counter(&b, dg.hdr.counter);
		msg_set_view(&b, dg.hdr.view);
		CHECK(msg_put_view(&b, v, e, level) == 0);
		return msg_finish(&b);
	}
	return 0;
}

/*
 * mpcomm(7), FAULT MODEL: the coordinator trusts its own answer, so it
 * blames the owner when only its own level of a stream exceeds the
 * owner's.  Three peers; peer 2 dies after the handshake; with lie, peer
 * 1's answer to peer 0's proposal says it processed none of its own stream,
 * which peer 0 holds some of: peer 0 counts a lie and names peer 1 (not
 * itself), and installs no view with that answer.  Without, the same
 * answer with its true level: no lie, view 1 installed.
 */
static void
test_owner_blamed(bool lie)
{
	static uint8_t forged[MSG_MAX_DGRAM];
	struct order *p[3];
	struct log l[3] = { { 0 }, { 0 }, { 0 } };
	struct order_outbox box;
	unsigned i, live = 7, answers = 0;
	uint32_t honest = 0;
	uint64_t t, members;
	size_t k, n;

	start3(p, l, &box, 79);
	for (t = 10000; t < 2000000; t += 10000) {
		for (i = 0; i < 3; i++) {
			if (!(live >> i & 1))
				continue;
			if (order_phase(p[i]) == ORDER_RUNNING && i != 2)
				(void)order_stamp(p[i], t, 1, &box);
			order_tick(p[i], t, &box);
			for (k = 0; i == 1 && k < box.n; k++) {
				n = owner_answer(box.d[k].buf, box.d[k].len, lie,
				    forged, &honest);
				if (!n)
					continue;
				memcpy(box.d[k].buf, forged, n);
				box.d[k].len = n;
				answers++;
			}
			route3(p, live, i, t, &box);
		}
		if (order_phase(p[0]) == ORDER_RUNNING)
			live = 3;	/* peer 2 dies, having sent nothing */
	}
	CHECK(answers >= 1);		/* peer 1 answered */
	CHECK(honest >= 1);		/* it had stamped some, truly */
	if (lie) {
		CHECK(order_stats(p[0])->lies >= 1);
		CHECK(order_stats(p[0])->liars == 2);	/* 1, not 0 */
		CHECK(order_view(p[0], &members) == 0);
	} else {
		CHECK(order_stats(p[0])->lies == 0);
		CHECK(order_view(p[0], &members) == 1 && members == 3);
	}
	for (i = 0; i < 3; i++)
		order_destroy(p[i]);
	order_outbox_free(&box);
}


/* ---------------------------------------------------------------------
 * order_next_deadline().
 */

/*
 * Ticks o at d - 1 (when that is not before last) and at d: the first
 * tick must do nothing (no datagram, the same phase), the second returns
 * whether it did something.
 */
static bool
tick_at_deadline(struct order *o, uint64_t d, uint64_t last,
    struct order_outbox *box)
{
	enum order_phase ph = order_phase(o);

	box->n = 0;
	if (d > last + 1) {
		order_tick(o, d - 1, box);
		CHECK(box->n == 0 && order_phase(o) == ph);
		if (box->n || order_phase(o) != ph)
			fprintf(stderr, "deadline %llu late: work at %llu\n",
			    (unsigned long long)d, (unsigned long long)d - 1);
	}
	order_tick(o, d, box);
	return box->n > 0 || order_phase(o) != ph;
}

/*
 * A core alone, never answered, driven by its deadlines only: READY
 * retries, then (once its partner confirmed and went silent) resends of
 * its DATA, SACK-free heartbeats, and the silence abort.  Every deadline
 * has work, nothing before it; once aborted, nothing is timed.
 */
static void
test_deadline_alone(enum order_on_failure f)
{
	struct order_outbox box;
	struct log l = { 0 };
	struct order *o;
	struct order_config c;
	uint64_t d, last = 0;
	unsigned ticks = 0;

	order_outbox_init(&box, 64);
	order_config_defaults(&c);
	c.run = 77;
	c.n = 2;
	c.messages = 3;
	c.payload_len = 4;
	c.peer_timeout_us = 2000000;
	c.on_failure = f;
	c.suspect_us = 1000000;
	o = order_create(&c, on_deliver, &l);
	CHECK(o != NULL);
	order_start(o, 0, &box);
	CHECK(box.n == 1);		/* READY */
	d = order_next_deadline(o);
	CHECK(d == c.hs_interval_us);	/* the first retry */
	CHECK(tick_at_deadline(o, d, last, &box));
	last = d;
	/* Its partner answers once, then dies: running, one DATA out. */
	box.n = 0;
	input_ready(o, 1, 77, 1);
	order_tick(o, last, &box);
	CHECK(order_phase(o) == ORDER_RUNNING);
	box.n = 0;
	CHECK(order_stamp(o, last, 1, &box) == 1 && box.n > 0);
	while (order_phase(o) == ORDER_RUNNING && ticks < 1000) {
		d = order_next_deadline(o);
		CHECK(d > last && d != UINT64_MAX);
		if (d <= last || d == UINT64_MAX)
			break;
		CHECK(tick_at_deadline(o, d, last, &box));
		last = d;
		ticks++;
	}
	/* Abort mode: silence; continue: a view of one is a minority. */
	CHECK(order_phase(o) == ORDER_ABORTED);
	CHECK(strstr(order_abort_reason(o), f == ORDER_ABORT ? "silent for" :
	    "minority") != NULL);
	CHECK(last > c.peer_timeout_us / 2);
	CHECK(ticks > 5);		/* resends and heartbeats came first */
	CHECK(order_next_deadline(o) == UINT64_MAX);
	order_destroy(o);
	order_outbox_free(&box);
}

/* Owed output is due at once: an ACK state after a DATA arrives. */
static void
test_deadline_owed(void)
{
	struct order_outbox box;
	struct log l = { 0 };
	struct order *p0;
	uint8_t pl[4];

	order_outbox_init(&box, 64);
	p0 = running_pair(5, 64, &l, &box);
	CHECK(order_next_deadline(p0) == 0);	/* its HS_ACK */
	order_flush(p0, 0, &box);
	CHECK(box.n > 0);
	CHECK(order_next_deadline(p0) > 0);
	msg_payload_fill(pl, 4, 77, 1, 1);
	input_data(p0, pl, 1, 1);
	CHECK(order_next_deadline(p0) == 0);
	box.n = 0;
	order_flush(p0, 0, &box);
	CHECK(box.n > 0);
	CHECK(order_next_deadline(p0) > 0);
	order_destroy(p0);
	order_outbox_free(&box);
}

#define DNET_PEERS	3
#define DNET_FLIGHT	8192

struct flight {
	uint64_t	 at;
	unsigned	 to, from;
	size_t		 len;
	uint8_t		 buf[MSG_MAX_DGRAM];
};

struct dnet {
	struct order	*p[DNET_PEERS];
	struct log	 l[DNET_PEERS];
	uint64_t	 last[DNET_PEERS];	/* the last call's now */
	uint64_t	 next_stamp[DNET_PEERS];
	bool		 dead[DNET_PEERS];
	struct flight	*f;
	size_t		 nf;
	struct rng	 rng;
	unsigned	 idle, timed;	/* deadline ticks without work, all */
};

/* Puts what peer i produced on the wire: 1-3 ms each way, 10 % lost. */
static void
dnet_send(struct dnet *n, unsigned i, uint64_t now, struct order_outbox *box)
{
	size_t k;
	unsigned q;

	for (k = 0; k < box->n; k++)
		for (q = 0; q < DNET_PEERS; q++) {
			struct flight *f;

			if (!(box->d[k].dests >> q & 1) ||
			    rng_below(&n->rng, 10) == 0 || n->nf == DNET_FLIGHT)
				continue;
			f = &n->f[n->nf++];
			f->at = now + rng_range(&n->rng, 1000, 3000);
			f->to = q;
			f->from = i;
			f->len = box->d[k].len;
			memcpy(f->buf, box->d[k].buf, f->len);
		}
	box->n = 0;
}

/*
 * Three peers over a lossy network, 30 messages each, every core called
 * only when a datagram arrives (then flushed once, as the peer's loop
 * does), when its pacing stamps, or at its order_next_deadline(); peer 2
 * crashes at 20 ms.  No deadline may be late (work before it), nearly
 * every one has work, and the survivors finish in a view without peer 2,
 * their logs the same.  A late deadline hangs the run instead.
 */
static void
test_deadline_network(void)
{
	struct dnet *n = calloc(1, sizeof(*n));
	struct order_outbox box;
	struct order_config c;
	uint64_t now = 0, t, d;
	unsigned i, k;

	CHECK(n != NULL && (n->f = calloc(DNET_FLIGHT, sizeof(*n->f))));
	order_outbox_init(&box, 256);
	rng_seed(&n->rng, 21);
	for (i = 0; i < DNET_PEERS; i++) {
		order_config_defaults(&c);
		c.run = 79;
		c.self = i;
		c.n = DNET_PEERS;
		c.messages = 30;
		c.payload_len = 4;
		c.window = 8;
		c.suspect_us = 300000;
		n->p[i] = order_create(&c, on_deliver, &n->l[i]);
		CHECK(n->p[i] != NULL);
		order_start(n->p[i], 0, &box);
		dnet_send(n, i, 0, &box);
		n->next_stamp[i] = 1000 + i * 300;
	}
	while (now < 30000000) {
		/* The next event: a datagram, a stamping, a deadline. */
		t = UINT64_MAX;
		for (k = 0; k < n->nf; k++)
			if (!n->dead[n->f[k].to] && n->f[k].at < t)
				t = n->f[k].at;
		for (i = 0; i < DNET_PEERS; i++) {
			if (n->dead[i])
				continue;
			d = order_next_deadline(n->p[i]);
			if (d < t)
				t = d < now ? now : d;
			if (order_stampable(n->p[i]) && n->next_stamp[i] < t)
				t = n->next_stamp[i] < now ? now :
				    n->next_stamp[i];
		}
		if (t == UINT64_MAX)
			break;		/* nothing will ever happen again */
		now = t;
		if (now >= 20000)
			n->dead[2] = true;
		for (k = 0; k < n->nf; k++) {
			struct flight *f = &n->f[k];

			if (f->at > now)
				continue;
			if (!n->dead[f->to]) {
				order_input(n->p[f->to], now, (int)f->from,
				    f->buf, f->len);
				n->last[f->to] = now;
				order_flush(n->p[f->to], now, &box);
				dnet_send(n, f->to, now, &box);
			}
			n->f[k--] = n->f[--n->nf];
		}
		for (i = 0; i < DNET_PEERS; i++) {
			if (n->dead[i])
				continue;
			if (order_stampable(n->p[i]) && n->next_stamp[i] <= now) {
				(void)order_stamp(n->p[i], now, 1, &box);
				n->next_stamp[i] = now + 1500;
				n->last[i] = now;
				dnet_send(n, i, now, &box);
			}
			d = order_next_deadline(n->p[i]);
			if (d > now)
				continue;
			if (d < n->last[i])
				d = n->last[i];
			n->timed++;
			if (!tick_at_deadline(n->p[i], d, n->last[i], &box))
				n->idle++;
			n->last[i] = d;
			dnet_send(n, i, d, &box);
		}
	}
	for (i = 0; i < 2; i++) {
		uint64_t members;

		CHECK(order_phase(n->p[i]) == ORDER_DONE);
		CHECK(order_view(n->p[i], &members) >= 1 && members == 3);
		CHECK(n->l[i].n == n->l[0].n && n->l[i].n >= 61);
		CHECK(memcmp(n->l[i].sender, n->l[0].sender,
		    sizeof(n->l[i].sender)) == 0);
	}
	/* Early wake-ups (a resend timer that an ACK made moot since) are
	 * the minority: nothing else wakes a core for nothing. */
	CHECK(n->timed > 50 && n->idle * 2 < n->timed);
	printf("deadline network: %u timed ticks, %u without work, "
	    "done at %llu us\n", n->timed, n->idle, (unsigned long long)now);
	for (i = 0; i < DNET_PEERS; i++)
		order_destroy(n->p[i]);
	free(n->f);
	free(n);
	order_outbox_free(&box);
}

int
main(void)
{
	test_config_checked();
	test_k_rule();
	test_bad_input();
	test_whole_run();
	test_traced_run();
	test_authenticated();
	test_window_on_delivery();
	test_sack_repairs_only_holes();
	test_stall_aborts();
	test_replay_dropped();
	test_view_change();
	test_owner_blamed(true);
	test_owner_blamed(false);
	test_deadline_alone(ORDER_ABORT);
	test_deadline_alone(ORDER_CONTINUE);
	test_deadline_owed();
	test_deadline_network();
	CHECK_DONE("test_order");
}
