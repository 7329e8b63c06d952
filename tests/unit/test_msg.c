/* SPDX-License-Identifier: BSD-2-Clause */
/* The datagram codec: round trips, and rejection of every malformation. */
#include <stdint.h>
#include <string.h>

#include "mpcomm/msg.h"
#include "mpcomm/wire.h"
#include "check.h"

static size_t
sample(uint8_t *buf)
{
	struct msg_builder b;
	struct msg_data d;
	struct msg_ack a = { .k = 9, .c = 1234, .d_ts = 1200, .d_id = 2,
	    .n = 3 };
	uint32_t s[3] = { 7, 9, 11 };
	uint16_t who[2] = { 0, 2 };
	uint32_t tsecr[2] = { 4000000000U, 17 }, held[2] = { 250, 0 };
	uint8_t pl[16], bits[2] = { 0xa0, 0x01 };

	msg_payload_fill(pl, sizeof(pl), 42, 1, 5);
	msg_begin(&b, buf, MSG_MAX_DGRAM, 1, 42);
	msg_set_tsval(&b, 0xdeadbeef);
	msg_set_counter(&b, 0xc0ffee);
	CHECK(msg_put_ack(&b, &a, s) == 0);
	CHECK(msg_put_end(&b, 100) == 0);
	d.seq = 5;
	d.ts = 77;
	d.send_us = 123456789;
	d.plen = sizeof(pl);
	d.payload = pl;
	CHECK(msg_put_data(&b, &d) == 0);
	CHECK(msg_put_ready(&b) == 0);
	CHECK(msg_put_hs_ack(&b) == 0);
	CHECK(msg_put_sack(&b, 0, 31, bits, 12) < 0);	/* not whole bytes */
	CHECK(msg_put_sack(&b, 0, 31, bits, 16) == 0);
	CHECK(msg_put_echo(&b, 0, who, tsecr, held) < 0);
	CHECK(msg_put_echo(&b, 2, who, tsecr, held) == 0);
	CHECK(msg_put_heartbeat(&b, MSG_HB_FINISHED) == 0);
	return msg_finish(&b);
}

/* The view-change records: round trips, and malformed ones refused. */
static void
test_view_records(void)
{
	static struct msg_dgram dg;
	uint8_t buf[MSG_MAX_DGRAM], pl[8];
	struct msg_builder b;
	struct msg_propose p = { 0x41, 0x1e };
	struct msg_view v = { .kind = MSG_VIEW_INSTALL, .ballot = 0x41,
	    .d_ts = 99, .d_id = 2, .nviews = 2, .n = 5 };
	struct msg_view_entry e[2] = { { 0x41, 0x1e, 90, 1 },
	    { 0x82, 0x1c, 95, 3 } }, got;
	struct msg_relay_req rq = { 4, 10, 20 };
	struct msg_data d = { 11, 70, 5, sizeof(pl), pl };
	uint32_t level[5] = { 1, 2, 3, 4, 5 };
	size_t len;

	msg_payload_fill(pl, sizeof(pl), 42, 4, 11);
	msg_begin(&b, buf, MSG_MAX_DGRAM, 1, 42);
	msg_set_view(&b, 0x82);
	CHECK(msg_put_propose(&b, &p) == 0);
	CHECK(msg_put_view(&b, &v, e, level) == 0);
	CHECK(msg_put_relay_req(&b, &rq) == 0);
	CHECK(msg_put_relay(&b, 4, &d) == 0);
	CHECK(msg_put_suspect(&b, 0x10) == 0);
	len = msg_finish(&b);
	CHECK(msg_decode(buf, len, &dg) == 0 && dg.nrec == 5);
	CHECK(dg.hdr.view == 0x82);
	CHECK(dg.rec[0].type == MSG_PROPOSE &&
	    dg.rec[0].u.propose.ballot == 0x41 &&
	    dg.rec[0].u.propose.members == 0x1e);
	CHECK(dg.rec[1].type == MSG_VIEW && dg.rec[1].u.view.kind ==
	    MSG_VIEW_INSTALL && dg.rec[1].u.view.nviews == 2 &&
	    dg.rec[1].u.view.n == 5 && dg.rec[1].u.view.d_ts == 99);
	msg_view_get(&dg.rec[1].u.view, 1, &got);
	CHECK(got.ballot == 0x82 && got.members == 0x1c && got.f_ts == 95 &&
	    got.f_id == 3);
	CHECK(msg_view_level(&dg.rec[1].u.view, 4) == 5);
	CHECK(dg.rec[2].type == MSG_RELAY_REQ &&
	    dg.rec[2].u.relay_req.stream == 4 &&
	    dg.rec[2].u.relay_req.from == 10 && dg.rec[2].u.relay_req.to == 20);
	CHECK(dg.rec[3].type == MSG_RELAY && dg.rec[3].u.relay.stream == 4 &&
	    dg.rec[3].u.relay.data.seq == 11 &&
	    dg.rec[3].u.relay.data.ts == 70 &&
	    msg_payload_ok(dg.rec[3].u.relay.data.payload, sizeof(pl), 42, 4,
	    11));
	CHECK(dg.rec[4].type == MSG_SUSPECT && dg.rec[4].u.suspect == 0x10);
	/* A VIEW of an unknown kind, or whose counts are not its length. */
	buf[MSG_HDR_LEN + MSG_REC_HDR_LEN + MSG_PROPOSE_LEN +
	    MSG_REC_HDR_LEN] = 9;
	CHECK(msg_decode(buf, len, &dg) == -MSG_ERR_RECLEN);
	buf[MSG_HDR_LEN + MSG_REC_HDR_LEN + MSG_PROPOSE_LEN +
	    MSG_REC_HDR_LEN] = MSG_VIEW_NOTICE;
	buf[MSG_HDR_LEN + MSG_REC_HDR_LEN + MSG_PROPOSE_LEN +
	    MSG_REC_HDR_LEN + 15] = 3;	/* nviews */
	CHECK(msg_decode(buf, len, &dg) == -MSG_ERR_RECLEN);
	/* Too many views to build. */
	v.nviews = MSG_VIEW_MAX + 1;
	msg_begin(&b, buf, MSG_MAX_DGRAM, 1, 42);
	CHECK(msg_put_view(&b, &v, e, level) < 0);
}

/* DEPS (causal order): a round trip; a vector not its length refused. */
static void
test_deps_record(void)
{
	static struct msg_dgram dg;
	uint8_t buf[MSG_MAX_DGRAM];
	struct msg_builder b;
	uint32_t v[5] = { 7, 0, 3, 0xfffffffe, 9 }, big[MSG_MAX_PEERS + 1];
	size_t len, body = MSG_HDR_LEN + MSG_REC_HDR_LEN;
	unsigned i;

	msg_begin(&b, buf, MSG_MAX_DGRAM, 2, 42);
	CHECK(msg_put_deps(&b, 2, 8, 5, v) == 0);
	len = msg_finish(&b);
	CHECK(len == MSG_HDR_LEN + msg_deps_size(5));
	CHECK(msg_decode(buf, len, &dg) == 0 && dg.nrec == 1);
	CHECK(dg.rec[0].type == MSG_DEPS && dg.rec[0].u.deps.stream == 2 &&
	    dg.rec[0].u.deps.seq == 8 && dg.rec[0].u.deps.n == 5);
	for (i = 0; i < 5; i++)
		CHECK(msg_deps_get(&dg.rec[0].u.deps, i) == v[i]);
	/* n says 4 (or 6, or 0) where 5 entries follow. */
	buf[body + 6] = 4;
	CHECK(msg_decode(buf, len, &dg) == -MSG_ERR_RECLEN);
	buf[body + 6] = 6;
	CHECK(msg_decode(buf, len, &dg) == -MSG_ERR_RECLEN);
	buf[body + 6] = 0;
	CHECK(msg_decode(buf, len, &dg) == -MSG_ERR_RECLEN);
	buf[body + 6] = 5;
	/* Every truncation is refused. */
	for (i = MSG_HDR_LEN; i < len; i++)
		CHECK(msg_decode(buf, i, &dg) < 0);
	/* Shorter than its fixed part: record length 6. */
	msg_begin(&b, buf, MSG_MAX_DGRAM, 2, 42);
	CHECK(msg_put_deps(&b, 2, 8, 1, v) == 0);
	len = msg_finish(&b);
	buf[MSG_HDR_LEN + 1] = 0;
	buf[MSG_HDR_LEN + 2] = 6;
	CHECK(msg_decode(buf, MSG_HDR_LEN + MSG_REC_HDR_LEN + 6, &dg) ==
	    -MSG_ERR_RECLEN);
	/* Too many entries to build, or none. */
	memset(big, 0, sizeof(big));
	msg_begin(&b, buf, MSG_MAX_DGRAM, 2, 42);
	CHECK(msg_put_deps(&b, 2, 8, MSG_MAX_PEERS + 1, big) < 0);
	CHECK(msg_put_deps(&b, 2, 8, 0, big) < 0);
	CHECK(msg_put_deps(&b, 2, 8, MSG_MAX_PEERS, big) == 0);
}

/* ORDER (sequencer): a round trip, an acknowledgement; a count not its
 * length, numbers that wrap or start at 0, and a first without entries
 * refused; every truncation refused. */
static void
test_order_record(void)
{
	static struct msg_dgram dg;
	uint8_t buf[MSG_MAX_DGRAM];
	struct msg_builder b;
	uint16_t snd[3] = { 4, 0, 63 }, s, big_s[MSG_ORDER_MAX + 1];
	uint32_t sq[3] = { 1, 0xfffffff0, 7 }, q, big_q[MSG_ORDER_MAX + 1];
	size_t len, body = MSG_HDR_LEN + MSG_REC_HDR_LEN;
	unsigned i;

	msg_begin(&b, buf, MSG_MAX_DGRAM, 0, 42);
	CHECK(msg_put_order(&b, 2, 11, 9, 3, snd, sq) == 0);
	len = msg_finish(&b);
	CHECK(len == MSG_HDR_LEN + msg_order_size(3));
	CHECK(msg_decode(buf, len, &dg) == 0 && dg.nrec == 1);
	CHECK(dg.rec[0].type == MSG_ORDER && dg.rec[0].u.order.view == 2 &&
	    dg.rec[0].u.order.have == 11 && dg.rec[0].u.order.first == 9 &&
	    dg.rec[0].u.order.count == 3);
	for (i = 0; i < 3; i++) {
		msg_order_get(&dg.rec[0].u.order, i, &s, &q);
		CHECK(s == snd[i] && q == sq[i]);
	}
	/* count says 2 (or 4, or 0) where 3 entries follow. */
	buf[body + 13] = 2;
	CHECK(msg_decode(buf, len, &dg) == -MSG_ERR_RECLEN);
	buf[body + 13] = 4;
	CHECK(msg_decode(buf, len, &dg) == -MSG_ERR_RECLEN);
	buf[body + 13] = 0;
	CHECK(msg_decode(buf, len, &dg) == -MSG_ERR_RECLEN);
	buf[body + 13] = 3;
	/* first 0, or numbers past 2^32 - 1. */
	memset(buf + body + 8, 0, 4);
	CHECK(msg_decode(buf, len, &dg) == -MSG_ERR_RECLEN);
	memset(buf + body + 8, 0xff, 4);
	CHECK(msg_decode(buf, len, &dg) == -MSG_ERR_RECLEN);
	buf[body + 11] = 0xfd;	/* 2^32 - 3 + 2: the last one there */
	CHECK(msg_decode(buf, len, &dg) == 0);
	/* Every truncation is refused. */
	for (i = MSG_HDR_LEN; i < len; i++)
		CHECK(msg_decode(buf, i, &dg) < 0);
	/* An acknowledgement: no entries, no first. */
	msg_begin(&b, buf, MSG_MAX_DGRAM, 3, 42);
	CHECK(msg_put_order(&b, 0, 5, 0, 0, NULL, NULL) == 0);
	len = msg_finish(&b);
	CHECK(len == MSG_HDR_LEN + msg_order_size(0));
	CHECK(msg_decode(buf, len, &dg) == 0 && dg.rec[0].u.order.count == 0 &&
	    dg.rec[0].u.order.have == 5);
	buf[body + 11] = 1;	/* a first without entries */
	CHECK(msg_decode(buf, len, &dg) == -MSG_ERR_RECLEN);
	/* Shorter than its fixed part: record length 13. */
	buf[MSG_HDR_LEN + 1] = 0;
	buf[MSG_HDR_LEN + 2] = 13;
	CHECK(msg_decode(buf, MSG_HDR_LEN + MSG_REC_HDR_LEN + 13, &dg) ==
	    -MSG_ERR_RECLEN);
	/* The most that fit in a datagram, and not one more; nor a first
	 * without entries, or entries without a first. */
	memset(big_s, 0, sizeof(big_s));
	memset(big_q, 0, sizeof(big_q));
	msg_begin(&b, buf, MSG_MAX_DGRAM, 0, 42);
	CHECK(msg_put_order(&b, 0, 0, 1, MSG_ORDER_MAX + 1, big_s, big_q) < 0);
	CHECK(msg_put_order(&b, 0, 0, 1, 0, big_s, big_q) < 0);
	CHECK(msg_put_order(&b, 0, 0, 0, 1, big_s, big_q) < 0);
	CHECK(msg_put_order(&b, 0, 0, 1, MSG_ORDER_MAX, big_s, big_q) == 0);
	len = msg_finish(&b);
	CHECK(len <= MSG_MAX_DGRAM && msg_decode(buf, len, &dg) == 0 &&
	    dg.rec[0].u.order.count == MSG_ORDER_MAX);
}

int
main(void)
{
	static struct msg_dgram dg;
	uint8_t buf[MSG_MAX_DGRAM + 8], bad[MSG_MAX_DGRAM + 8];
	struct msg_builder b;
	struct msg_data d;
	size_t len, i, n;

	test_view_records();
	test_deps_record();
	test_order_record();
	/* Round trip. */
	len = sample(buf);
	CHECK(msg_decode(buf, len, &dg) == 0);
	CHECK(dg.hdr.sender == 1 && dg.hdr.run == 42 && dg.nrec == 8 &&
	    dg.hdr.tsval == 0xdeadbeef && dg.hdr.counter == 0xc0ffee);
	CHECK(dg.rec[0].type == MSG_ACK && dg.rec[0].u.ack.k == 9 &&
	    dg.rec[0].u.ack.c == 1234 && dg.rec[0].u.ack.n == 3 &&
	    dg.rec[0].u.ack.d_ts == 1200 && dg.rec[0].u.ack.d_id == 2 &&
	    msg_ack_s(&dg.rec[0].u.ack, 2) == 11);
	CHECK(dg.rec[1].type == MSG_END && dg.rec[1].u.end_total == 100);
	CHECK(dg.rec[2].type == MSG_DATA && dg.rec[2].u.data.seq == 5 &&
	    dg.rec[2].u.data.ts == 77 &&
	    dg.rec[2].u.data.send_us == 123456789 &&
	    dg.rec[2].u.data.plen == 16 &&
	    msg_payload_ok(dg.rec[2].u.data.payload, 16, 42, 1, 5));
	CHECK(!msg_payload_ok(dg.rec[2].u.data.payload, 16, 42, 1, 6));
	CHECK(dg.rec[3].type == MSG_READY && dg.rec[4].type == MSG_HS_ACK);
	{
		const struct msg_sack *sk = &dg.rec[5].u.sack;
		const struct msg_echo *e = &dg.rec[6].u.echo;
		uint32_t ts, h;
		uint16_t who;

		CHECK(dg.rec[5].type == MSG_SACK && sk->stream == 0 &&
		    sk->base == 31 && sk->nbits == 16);
		CHECK(msg_sack_has(sk, 0) && !msg_sack_has(sk, 1) &&
		    msg_sack_has(sk, 2) && msg_sack_has(sk, 15) &&
		    !msg_sack_has(sk, 14) && !msg_sack_has(sk, 16));
		CHECK(dg.rec[6].type == MSG_ECHO && e->n == 2);
		msg_echo_get(e, 0, &who, &ts, &h);
		CHECK(who == 0 && ts == 4000000000U && h == 250);
		msg_echo_get(e, 1, &who, &ts, &h);
		CHECK(who == 2 && ts == 17 && h == 0);
	}
	CHECK(dg.rec[7].type == MSG_HEARTBEAT &&
	    dg.rec[7].u.hb_flags == MSG_HB_FINISHED);

	/* Every truncation is refused. */
	for (i = 0; i < len; i++)
		CHECK(msg_decode(buf, i, &dg) < 0);
	/* Trailing bytes. */
	memcpy(bad, buf, len);
	bad[len] = 0;
	CHECK(msg_decode(bad, len + 1, &dg) == -MSG_ERR_TRAILING);
	/* Over-long datagram. */
	CHECK(msg_decode(bad, MSG_MAX_DGRAM + 1, &dg) < 0);
	/* Bad magic, version, flags. */
	memcpy(bad, buf, len);
	bad[0] ^= 1;
	CHECK(msg_decode(bad, len, &dg) == -MSG_ERR_MAGIC);
	memcpy(bad, buf, len);
	bad[MSG_OFF_VERSION] = 1;	/* the format before the SACK */
	CHECK(msg_decode(bad, len, &dg) == -MSG_ERR_VERSION);
	memcpy(bad, buf, len);
	bad[MSG_OFF_FLAGS] = 2;
	CHECK(msg_decode(bad, len, &dg) == -MSG_ERR_FLAGS);

	/* The MAC trailer: sealed, checked, and anything else refused. */
	{
		struct auth_key k = { .len = 16 }, k2 = { .len = 16 };
		size_t slen;

		memset(k.k, 1, 16);
		memset(k2.k, 2, 16);
		memcpy(bad, buf, len);
		CHECK(msg_check_mac(bad, len, NULL) == 0);
		CHECK(msg_check_mac(bad, len, &k) < 0);	/* unsealed */
		slen = msg_seal(bad, len, &k);
		CHECK(slen == len + AUTH_TAG_LEN);
		CHECK(msg_check_mac(bad, slen, &k) == 0);
		CHECK(msg_check_mac(bad, slen, &k2) < 0);
		CHECK(msg_check_mac(bad, slen, NULL) < 0);
		CHECK(msg_decode(bad, slen, &dg) == 0 && dg.nrec == 8);
		for (i = 0; i < slen; i++) {
			bad[i] ^= 0x10;
			CHECK(msg_check_mac(bad, slen, &k) < 0);
			bad[i] ^= 0x10;
		}
		CHECK(msg_check_mac(bad, slen - 1, &k) < 0);
	}
	/* Record count larger or smaller than the contents. */
	memcpy(bad, buf, len);
	wire_put_u16(bad + MSG_OFF_NREC, 9);
	CHECK(msg_decode(bad, len, &dg) < 0);
	wire_put_u16(bad + MSG_OFF_NREC, 7);
	CHECK(msg_decode(bad, len, &dg) == -MSG_ERR_TRAILING);
	wire_put_u16(bad + MSG_OFF_NREC, 0);
	CHECK(msg_decode(bad, len, &dg) == -MSG_ERR_COUNT);
	wire_put_u16(bad + MSG_OFF_NREC, 0xffff);
	CHECK(msg_decode(bad, len, &dg) == -MSG_ERR_COUNT);
	/* Unknown record type. */
	memcpy(bad, buf, len);
	bad[MSG_HDR_LEN] = 99;
	CHECK(msg_decode(bad, len, &dg) == -MSG_ERR_TYPE);
	/* ACK whose n does not match its length, or is 0 / too big. */
	memcpy(bad, buf, len);
	bad[MSG_HDR_LEN + MSG_REC_HDR_LEN + 22] = 4;
	CHECK(msg_decode(bad, len, &dg) == -MSG_ERR_RECLEN);
	bad[MSG_HDR_LEN + MSG_REC_HDR_LEN + 22] = 0;
	CHECK(msg_decode(bad, len, &dg) == -MSG_ERR_RECLEN);
	/* A SACK without a bitmap; an ECHO whose count is not its length. */
	{
		uint8_t one[MSG_MAX_DGRAM];
		uint16_t who = 1;
		uint32_t ts = 1, h = 0;
		uint8_t bits = 0xff;
		size_t l1;

		msg_begin(&b, one, sizeof(one), 0, 1);
		CHECK(msg_put_sack(&b, 1, 2, &bits, 8) == 0);
		l1 = msg_finish(&b);
		CHECK(msg_decode(one, l1, &dg) == 0);
		wire_put_u16(one + MSG_HDR_LEN + 1, MSG_SACK_FIXED_LEN);
		CHECK(msg_decode(one, l1 - 1, &dg) == -MSG_ERR_RECLEN);
		msg_begin(&b, one, sizeof(one), 0, 1);
		CHECK(msg_put_echo(&b, 1, &who, &ts, &h) == 0);
		l1 = msg_finish(&b);
		CHECK(msg_decode(one, l1, &dg) == 0);
		one[MSG_HDR_LEN + MSG_REC_HDR_LEN] = 2;
		CHECK(msg_decode(one, l1, &dg) == -MSG_ERR_RECLEN);
		one[MSG_HDR_LEN + MSG_REC_HDR_LEN] = 0;
		CHECK(msg_decode(one, l1, &dg) == -MSG_ERR_RECLEN);
	}
	/* A record length that runs past the end. */
	memcpy(bad, buf, len);
	wire_put_u16(bad + MSG_HDR_LEN + 1, 2000);
	CHECK(msg_decode(bad, len, &dg) == -MSG_ERR_SHORT);
	/* Unknown heartbeat flags. */
	memcpy(bad, buf, len);
	bad[len - 1] = 0x80;
	CHECK(msg_decode(bad, len, &dg) == -MSG_ERR_RECLEN);

	/* The builder refuses what does not fit, and a full datagram decodes. */
	{
		uint8_t pl[MSG_MAX_PAYLOAD + 1] = { 0 };

		msg_begin(&b, buf, MSG_MAX_DGRAM, 0, 1);
		d.seq = 1;
		d.ts = 1;
		d.send_us = 0;
		d.payload = pl;
		d.plen = MSG_MAX_PAYLOAD + 1;
		CHECK(msg_put_data(&b, &d) < 0);
		d.plen = 100;
		for (n = 0; msg_put_data(&b, &d) == 0; n++)
			;
		CHECK(n == (MSG_MAX_DGRAM - MSG_HDR_LEN) / msg_data_size(100));
		len = msg_finish(&b);
		CHECK(len <= MSG_MAX_DGRAM);
		CHECK(msg_decode(buf, len, &dg) == 0 && dg.nrec == n);
	}
	/* Random bytes never crash the decoder (and are nearly always bad). */
	{
		uint64_t x = 88172645463325252ULL;
		int k;

		for (k = 0; k < 20000; k++) {
			n = (size_t)(x % (MSG_MAX_DGRAM + 1));
			for (i = 0; i < n; i++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				bad[i] = (uint8_t)x;
			}
			if (k % 2)	/* a valid header, random records */
				memcpy(bad, buf, n < MSG_HDR_LEN ? n :
				    MSG_HDR_LEN);
			(void)msg_decode(bad, n, &dg);
		}
	}
	CHECK(strcmp(msg_strerror(-MSG_ERR_MAGIC), "bad magic") == 0);
	CHECK_DONE("test_msg");
}
