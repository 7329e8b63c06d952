/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Encoder and the one decoder of MPComm datagrams.  See msg.h for the layout
 * and mpcomm(7) for the rules: fixed-width big-endian fields, a length check
 * before every read, trailing bytes rejected.
 */
#include <string.h>

#include "mpcomm/msg.h"
#include "mpcomm/wire.h"

static const char *const msg_errstr[] = {
	[MSG_OK] = "no error",
	[MSG_ERR_SHORT] = "truncated datagram",
	[MSG_ERR_MAGIC] = "bad magic",
	[MSG_ERR_VERSION] = "unsupported version",
	[MSG_ERR_FLAGS] = "unknown header flags",
	[MSG_ERR_TYPE] = "unknown record type",
	[MSG_ERR_RECLEN] = "bad record length",
	[MSG_ERR_COUNT] = "record count mismatch",
	[MSG_ERR_TRAILING] = "trailing bytes",
};

const char *
msg_strerror(int err)
{
	if (err < 0)
		err = -err;
	if ((size_t)err >= sizeof(msg_errstr) / sizeof(msg_errstr[0]))
		return "unknown error";
	return msg_errstr[err];
}

/* A DATA body whose length was checked. */
static void
decode_data(const uint8_t *body, size_t blen, struct msg_data *d)
{
	d->seq = wire_get_u32(body);
	d->ts = wire_get_u64(body + 4);
	d->send_us = wire_get_u64(body + 12);
	d->plen = (uint16_t)(blen - MSG_DATA_FIXED_LEN);
	d->payload = body + MSG_DATA_FIXED_LEN;
}

static int
decode_view(const uint8_t *body, size_t blen, struct msg_view *v)
{
	if (blen < MSG_VIEW_FIXED_LEN)
		return -MSG_ERR_RECLEN;
	v->kind = wire_get_u8(body);
	v->ballot = wire_get_u32(body + 1);
	v->d_ts = wire_get_u64(body + 5);
	v->d_id = wire_get_u16(body + 13);
	v->nviews = wire_get_u8(body + 15);
	v->n = wire_get_u8(body + 16);
	if (v->kind < MSG_VIEW_STATE || v->kind > MSG_VIEW_DONE ||
	    v->nviews > MSG_VIEW_MAX || v->n == 0 || v->n > MSG_MAX_PEERS ||
	    blen != msg_view_size(v->nviews, v->n) - MSG_REC_HDR_LEN)
		return -MSG_ERR_RECLEN;
	v->raw = body + MSG_VIEW_FIXED_LEN;
	return 0;
}

/* An ORDER record: its count says its length; numbers start at 1 and do
 * not wrap; an acknowledgement (count 0) names no first. */
static int
decode_order(const uint8_t *body, size_t blen, struct msg_order *r)
{
	if (blen < MSG_ORDER_FIXED_LEN)
		return -MSG_ERR_RECLEN;
	r->view = wire_get_u32(body);
	r->have = wire_get_u32(body + 4);
	r->first = wire_get_u32(body + 8);
	r->count = wire_get_u16(body + 12);
	if (r->count > MSG_ORDER_MAX ||
	    blen != msg_order_size(r->count) - MSG_REC_HDR_LEN)
		return -MSG_ERR_RECLEN;
	if (r->count == 0 ? r->first != 0 :
	    r->first == 0 || r->first > UINT32_MAX - (r->count - 1))
		return -MSG_ERR_RECLEN;
	r->raw = body + MSG_ORDER_FIXED_LEN;
	return 0;
}

/* The records of a view change (mpcomm(7), Views). */
static int
decode_view_change(uint8_t type, const uint8_t *body, size_t blen,
    struct msg_rec *r)
{
	switch (type) {
	case MSG_PROPOSE:
		if (blen != MSG_PROPOSE_LEN)
			return -MSG_ERR_RECLEN;
		r->u.propose.ballot = wire_get_u32(body);
		r->u.propose.members = wire_get_u64(body + 4);
		return 0;
	case MSG_VIEW:
		return decode_view(body, blen, &r->u.view);
	case MSG_SUSPECT:
		if (blen != MSG_SUSPECT_LEN)
			return -MSG_ERR_RECLEN;
		r->u.suspect = wire_get_u64(body);
		return 0;
	case MSG_RELAY_REQ:
		if (blen != MSG_RELAY_REQ_LEN)
			return -MSG_ERR_RECLEN;
		r->u.relay_req.stream = wire_get_u16(body);
		r->u.relay_req.from = wire_get_u32(body + 2);
		r->u.relay_req.to = wire_get_u32(body + 6);
		return 0;
	case MSG_DEPS:
		if (blen < MSG_DEPS_FIXED_LEN)
			return -MSG_ERR_RECLEN;
		r->u.deps.stream = wire_get_u16(body);
		r->u.deps.seq = wire_get_u32(body + 2);
		r->u.deps.n = wire_get_u8(body + 6);
		if (r->u.deps.n == 0 || r->u.deps.n > MSG_MAX_PEERS ||
		    blen != msg_deps_size(r->u.deps.n) - MSG_REC_HDR_LEN)
			return -MSG_ERR_RECLEN;
		r->u.deps.raw = body + MSG_DEPS_FIXED_LEN;
		return 0;
	case MSG_ORDER:
		return decode_order(body, blen, &r->u.order);
	case MSG_RELAY:
		if (blen < MSG_RELAY_FIXED_LEN ||
		    blen - MSG_RELAY_FIXED_LEN > MSG_MAX_PAYLOAD)
			return -MSG_ERR_RECLEN;
		r->u.relay.stream = wire_get_u16(body);
		decode_data(body + 2, blen - 2, &r->u.relay.data);
		return 0;
	default:
		return -MSG_ERR_TYPE;
	}
}

static int
decode_record(uint8_t type, const uint8_t *body, size_t blen,
    struct msg_rec *r)
{
	r->type = type;
	switch (type) {
	case MSG_READY:
	case MSG_HS_ACK:
		return blen == 0 ? 0 : -MSG_ERR_RECLEN;
	case MSG_DATA:
		if (blen < MSG_DATA_FIXED_LEN ||
		    blen - MSG_DATA_FIXED_LEN > MSG_MAX_PAYLOAD)
			return -MSG_ERR_RECLEN;
		decode_data(body, blen, &r->u.data);
		return 0;
	case MSG_ACK:
		if (blen < MSG_ACK_FIXED_LEN)
			return -MSG_ERR_RECLEN;
		r->u.ack.k = wire_get_u32(body);
		r->u.ack.c = wire_get_u64(body + 4);
		r->u.ack.d_ts = wire_get_u64(body + 12);
		r->u.ack.d_id = wire_get_u16(body + 20);
		r->u.ack.n = wire_get_u8(body + 22);
		if (r->u.ack.n == 0 || r->u.ack.n > MSG_MAX_PEERS ||
		    blen != msg_ack_size(r->u.ack.n) - MSG_REC_HDR_LEN)
			return -MSG_ERR_RECLEN;
		r->u.ack.s_raw = body + MSG_ACK_FIXED_LEN;
		return 0;
	case MSG_END:
		if (blen != MSG_END_LEN)
			return -MSG_ERR_RECLEN;
		r->u.end_total = wire_get_u32(body);
		return 0;
	case MSG_HEARTBEAT:
		if (blen != MSG_HEARTBEAT_LEN)
			return -MSG_ERR_RECLEN;
		r->u.hb_flags = wire_get_u8(body);
		return (r->u.hb_flags & ~MSG_HB_KNOWN) ? -MSG_ERR_RECLEN : 0;
	case MSG_SACK:
		if (blen <= MSG_SACK_FIXED_LEN ||
		    (blen - MSG_SACK_FIXED_LEN) * 8 > MSG_SACK_MAX_BITS)
			return -MSG_ERR_RECLEN;
		r->u.sack.stream = wire_get_u16(body);
		r->u.sack.base = wire_get_u32(body + 2);
		r->u.sack.nbits = (uint16_t)((blen - MSG_SACK_FIXED_LEN) * 8);
		r->u.sack.bits = body + MSG_SACK_FIXED_LEN;
		return 0;
	case MSG_ECHO:
		if (blen < 1)
			return -MSG_ERR_RECLEN;
		r->u.echo.n = wire_get_u8(body);
		if (r->u.echo.n == 0 || r->u.echo.n > MSG_ECHO_MAX ||
		    blen != msg_echo_size(r->u.echo.n) - MSG_REC_HDR_LEN)
			return -MSG_ERR_RECLEN;
		r->u.echo.raw = body + 1;
		return 0;
	default:
		return decode_view_change(type, body, blen, r);
	}
}

int
msg_decode(const uint8_t *buf, size_t len, struct msg_dgram *out)
{
	size_t off, i;
	int rc;

	if (len < MSG_HDR_LEN)
		return -MSG_ERR_SHORT;
	if (len > MSG_MAX_DGRAM)
		return -MSG_ERR_TRAILING;
	if (wire_get_u32(buf + MSG_OFF_MAGIC) != MSG_MAGIC)
		return -MSG_ERR_MAGIC;
	out->hdr.version = wire_get_u8(buf + MSG_OFF_VERSION);
	out->hdr.flags = wire_get_u8(buf + MSG_OFF_FLAGS);
	out->hdr.sender = wire_get_u16(buf + MSG_OFF_SENDER);
	out->hdr.run = wire_get_u64(buf + MSG_OFF_RUN);
	out->hdr.tsval = wire_get_u32(buf + MSG_OFF_TSVAL);
	out->hdr.counter = wire_get_u32(buf + MSG_OFF_COUNTER);
	out->hdr.view = wire_get_u32(buf + MSG_OFF_VIEW);
	out->hdr.nrec = wire_get_u16(buf + MSG_OFF_NREC);
	if (out->hdr.version != MSG_VERSION)
		return -MSG_ERR_VERSION;
	if (out->hdr.flags & ~MSG_FLAG_MAC)
		return -MSG_ERR_FLAGS;
	if (out->hdr.flags & MSG_FLAG_MAC) {
		/* The trailer is checked by msg_check_mac(), not a record. */
		if (len < MSG_HDR_LEN + AUTH_TAG_LEN)
			return -MSG_ERR_SHORT;
		len -= AUTH_TAG_LEN;
	}
	if (out->hdr.nrec == 0 || out->hdr.nrec > MSG_MAX_RECORDS)
		return -MSG_ERR_COUNT;

	off = MSG_HDR_LEN;
	for (i = 0; i < out->hdr.nrec; i++) {
		uint8_t type;
		size_t blen;

		if (len - off < MSG_REC_HDR_LEN)
			return -MSG_ERR_SHORT;
		type = wire_get_u8(buf + off);
		blen = wire_get_u16(buf + off + 1);
		off += MSG_REC_HDR_LEN;
		if (len - off < blen)
			return -MSG_ERR_SHORT;
		if ((rc = decode_record(type, buf + off, blen, &out->rec[i])))
			return rc;
		off += blen;
	}
	if (off != len)
		return -MSG_ERR_TRAILING;
	out->nrec = i;
	return 0;
}

int
msg_check_mac(const uint8_t *buf, size_t len, const struct auth_key *key)
{
	uint8_t mac[AUTH_HASH_LEN];
	int flagged = len >= MSG_HDR_LEN + AUTH_TAG_LEN &&
	    (wire_get_u8(buf + MSG_OFF_FLAGS) & MSG_FLAG_MAC);

	if (!key)
		return len >= MSG_HDR_LEN && (wire_get_u8(buf + MSG_OFF_FLAGS) &
		    MSG_FLAG_MAC) ? -1 : 0;
	if (!flagged)
		return -1;
	auth_hmac(key->k, key->len, buf, len - AUTH_TAG_LEN, NULL, 0, NULL, 0,
	    mac);
	return auth_equal(mac, buf + len - AUTH_TAG_LEN, AUTH_TAG_LEN) ? 0 : -1;
}

size_t
msg_seal(uint8_t *buf, size_t len, const struct auth_key *key)
{
	uint8_t mac[AUTH_HASH_LEN];

	wire_put_u8(buf + MSG_OFF_FLAGS, wire_get_u8(buf + MSG_OFF_FLAGS) |
	    MSG_FLAG_MAC);
	auth_hmac(key->k, key->len, buf, len, NULL, 0, NULL, 0, mac);
	memcpy(buf + len, mac, AUTH_TAG_LEN);
	return len + AUTH_TAG_LEN;
}

uint32_t
msg_ack_s(const struct msg_ack *ack, unsigned i)
{
	return wire_get_u32(ack->s_raw + 4 * (size_t)i);
}

int
msg_sack_has(const struct msg_sack *sk, unsigned i)
{
	return i < sk->nbits && (sk->bits[i / 8] >> (7 - i % 8) & 1);
}

void
msg_echo_get(const struct msg_echo *e, unsigned i, uint16_t *member,
    uint32_t *tsecr, uint32_t *held_us)
{
	const uint8_t *p = e->raw + (size_t)i * MSG_ECHO_ENTRY_LEN;

	*member = wire_get_u16(p);
	*tsecr = wire_get_u32(p + 2);
	*held_us = wire_get_u32(p + 6);
}

void
msg_begin(struct msg_builder *b, uint8_t *buf, size_t cap, uint16_t sender,
    uint64_t run)
{
	b->buf = buf;
	b->cap = cap > MSG_MAX_DGRAM ? MSG_MAX_DGRAM : cap;
	b->nrec = 0;
	wire_put_u32(buf + MSG_OFF_MAGIC, MSG_MAGIC);
	wire_put_u8(buf + MSG_OFF_VERSION, MSG_VERSION);
	wire_put_u8(buf + MSG_OFF_FLAGS, 0);
	wire_put_u16(buf + MSG_OFF_SENDER, sender);
	wire_put_u64(buf + MSG_OFF_RUN, run);
	wire_put_u32(buf + MSG_OFF_TSVAL, 0);
	wire_put_u32(buf + MSG_OFF_COUNTER, 0);
	wire_put_u32(buf + MSG_OFF_VIEW, 0);
	wire_put_u16(buf + MSG_OFF_NREC, 0);
	b->len = MSG_HDR_LEN;
}

void
msg_set_tsval(struct msg_builder *b, uint32_t tsval)
{
	wire_put_u32(b->buf + MSG_OFF_TSVAL, tsval);
}

void
msg_set_counter(struct msg_builder *b, uint32_t counter)
{
	wire_put_u32(b->buf + MSG_OFF_COUNTER, counter);
}

void
msg_set_view(struct msg_builder *b, uint32_t view)
{
	wire_put_u32(b->buf + MSG_OFF_VIEW, view);
}

size_t
msg_room(const struct msg_builder *b)
{
	return b->cap - b->len;
}

/* Reserves a record of blen body bytes; returns its body or NULL. */
static uint8_t *
put_record(struct msg_builder *b, uint8_t type, size_t blen)
{
	uint8_t *p;

	if (msg_room(b) < MSG_REC_HDR_LEN + blen || b->nrec >= MSG_MAX_RECORDS)
		return NULL;
	p = b->buf + b->len;
	wire_put_u8(p, type);
	wire_put_u16(p + 1, (uint16_t)blen);
	b->len += MSG_REC_HDR_LEN + blen;
	b->nrec++;
	return p + MSG_REC_HDR_LEN;
}

int
msg_put_ready(struct msg_builder *b)
{
	return put_record(b, MSG_READY, 0) ? 0 : -1;
}

int
msg_put_hs_ack(struct msg_builder *b)
{
	return put_record(b, MSG_HS_ACK, 0) ? 0 : -1;
}

size_t
msg_data_size(size_t plen)
{
	return MSG_REC_HDR_LEN + MSG_DATA_FIXED_LEN + plen;
}

/* A DATA body, in a DATA record or after a RELAY's stream. */
static void
put_data_body(uint8_t *p, const struct msg_data *d)
{
	wire_put_u32(p, d->seq);
	wire_put_u64(p + 4, d->ts);
	wire_put_u64(p + 12, d->send_us);
	if (d->plen)
		memcpy(p + MSG_DATA_FIXED_LEN, d->payload, d->plen);
}

int
msg_put_data(struct msg_builder *b, const struct msg_data *d)
{
	uint8_t *p;

	if (d->plen > MSG_MAX_PAYLOAD)
		return -1;
	if (!(p = put_record(b, MSG_DATA, MSG_DATA_FIXED_LEN + d->plen)))
		return -1;
	put_data_body(p, d);
	return 0;
}

size_t
msg_ack_size(unsigned n)
{
	return MSG_REC_HDR_LEN + MSG_ACK_FIXED_LEN + 4 * (size_t)n;
}

int
msg_put_ack(struct msg_builder *b, const struct msg_ack *a, const uint32_t *s)
{
	uint8_t *p;
	unsigned i;

	if (a->n == 0 || a->n > MSG_MAX_PEERS)
		return -1;
	if (!(p = put_record(b, MSG_ACK, msg_ack_size(a->n) -
	    MSG_REC_HDR_LEN)))
		return -1;
	wire_put_u32(p, a->k);
	wire_put_u64(p + 4, a->c);
	wire_put_u64(p + 12, a->d_ts);
	wire_put_u16(p + 20, a->d_id);
	wire_put_u8(p + 22, a->n);
	for (i = 0; i < a->n; i++)
		wire_put_u32(p + MSG_ACK_FIXED_LEN + 4 * i, s[i]);
	return 0;
}

size_t
msg_sack_size(unsigned nbits)
{
	return MSG_REC_HDR_LEN + MSG_SACK_FIXED_LEN + nbits / 8;
}

int
msg_put_sack(struct msg_builder *b, uint16_t stream, uint32_t base,
    const uint8_t *bits, unsigned nbits)
{
	uint8_t *p;

	if (nbits == 0 || nbits % 8 || nbits > MSG_SACK_MAX_BITS)
		return -1;
	if (!(p = put_record(b, MSG_SACK, msg_sack_size(nbits) -
	    MSG_REC_HDR_LEN)))
		return -1;
	wire_put_u16(p, stream);
	wire_put_u32(p + 2, base);
	memcpy(p + MSG_SACK_FIXED_LEN, bits, nbits / 8);
	return 0;
}

size_t
msg_echo_size(unsigned n)
{
	return MSG_REC_HDR_LEN + 1 + (size_t)n * MSG_ECHO_ENTRY_LEN;
}

int
msg_put_echo(struct msg_builder *b, unsigned n, const uint16_t *member,
    const uint32_t *tsecr, const uint32_t *held_us)
{
	uint8_t *p;
	unsigned i;

	if (n == 0 || n > MSG_ECHO_MAX)
		return -1;
	if (!(p = put_record(b, MSG_ECHO, msg_echo_size(n) - MSG_REC_HDR_LEN)))
		return -1;
	wire_put_u8(p, (uint8_t)n);
	for (i = 0; i < n; i++) {
		uint8_t *e = p + 1 + (size_t)i * MSG_ECHO_ENTRY_LEN;

		wire_put_u16(e, member[i]);
		wire_put_u32(e + 2, tsecr[i]);
		wire_put_u32(e + 6, held_us[i]);
	}
	return 0;
}

int
msg_put_end(struct msg_builder *b, uint32_t total)
{
	uint8_t *p;

	if (!(p = put_record(b, MSG_END, MSG_END_LEN)))
		return -1;
	wire_put_u32(p, total);
	return 0;
}

int
msg_put_heartbeat(struct msg_builder *b, uint8_t flags)
{
	uint8_t *p;

	if (!(p = put_record(b, MSG_HEARTBEAT, MSG_HEARTBEAT_LEN)))
		return -1;
	wire_put_u8(p, flags);
	return 0;
}

int
msg_put_propose(struct msg_builder *b, const struct msg_propose *pr)
{
	uint8_t *p;

	if (!(p = put_record(b, MSG_PROPOSE, MSG_PROPOSE_LEN)))
		return -1;
	wire_put_u32(p, pr->ballot);
	wire_put_u64(p + 4, pr->members);
	return 0;
}

size_t
msg_view_size(unsigned nviews, unsigned n)
{
	return MSG_REC_HDR_LEN + MSG_VIEW_FIXED_LEN +
	    (size_t)nviews * MSG_VIEW_ENTRY_LEN + 4 * (size_t)n;
}

int
msg_put_view(struct msg_builder *b, const struct msg_view *v,
    const struct msg_view_entry *views, const uint32_t *level)
{
	uint8_t *p, *e;
	unsigned i;

	if (v->nviews > MSG_VIEW_MAX || v->n == 0 || v->n > MSG_MAX_PEERS)
		return -1;
	if (!(p = put_record(b, MSG_VIEW, msg_view_size(v->nviews, v->n) -
	    MSG_REC_HDR_LEN)))
		return -1;
	wire_put_u8(p, v->kind);
	wire_put_u32(p + 1, v->ballot);
	wire_put_u64(p + 5, v->d_ts);
	wire_put_u16(p + 13, v->d_id);
	wire_put_u8(p + 15, v->nviews);
	wire_put_u8(p + 16, v->n);
	e = p + MSG_VIEW_FIXED_LEN;
	for (i = 0; i < v->nviews; i++, e += MSG_VIEW_ENTRY_LEN) {
		wire_put_u32(e, views[i].ballot);
		wire_put_u64(e + 4, views[i].members);
		wire_put_u64(e + 12, views[i].f_ts);
		wire_put_u16(e + 20, views[i].f_id);
	}
	for (i = 0; i < v->n; i++, e += 4)
		wire_put_u32(e, level[i]);
	return 0;
}

void
msg_view_get(const struct msg_view *v, unsigned i, struct msg_view_entry *e)
{
	const uint8_t *p = v->raw + (size_t)i * MSG_VIEW_ENTRY_LEN;

	e->ballot = wire_get_u32(p);
	e->members = wire_get_u64(p + 4);
	e->f_ts = wire_get_u64(p + 12);
	e->f_id = wire_get_u16(p + 20);
}

uint32_t
msg_view_level(const struct msg_view *v, unsigned i)
{
	return wire_get_u32(v->raw + (size_t)v->nviews * MSG_VIEW_ENTRY_LEN +
	    4 * (size_t)i);
}

size_t
msg_deps_size(unsigned n)
{
	return MSG_REC_HDR_LEN + MSG_DEPS_FIXED_LEN + 4 * (size_t)n;
}

int
msg_put_deps(struct msg_builder *b, uint16_t stream, uint32_t seq,
    unsigned n, const uint32_t *v)
{
	uint8_t *p;
	unsigned i;

	if (n == 0 || n > MSG_MAX_PEERS)
		return -1;
	if (!(p = put_record(b, MSG_DEPS, msg_deps_size(n) - MSG_REC_HDR_LEN)))
		return -1;
	wire_put_u16(p, stream);
	wire_put_u32(p + 2, seq);
	wire_put_u8(p + 6, (uint8_t)n);
	for (i = 0; i < n; i++)
		wire_put_u32(p + MSG_DEPS_FIXED_LEN + 4 * i, v[i]);
	return 0;
}

size_t
msg_order_size(unsigned count)
{
	return MSG_REC_HDR_LEN + MSG_ORDER_FIXED_LEN +
	    MSG_ORDER_ENTRY_LEN * (size_t)count;
}

int
msg_put_order(struct msg_builder *b, uint32_t view, uint32_t have,
    uint32_t first, unsigned count, const uint16_t *sender,
    const uint32_t *seq)
{
	uint8_t *p;
	unsigned i;

	if (count > MSG_ORDER_MAX || (count == 0) != (first == 0) ||
	    (count && first > UINT32_MAX - (count - 1)))
		return -1;
	if (!(p = put_record(b, MSG_ORDER,
	    msg_order_size(count) - MSG_REC_HDR_LEN)))
		return -1;
	wire_put_u32(p, view);
	wire_put_u32(p + 4, have);
	wire_put_u32(p + 8, first);
	wire_put_u16(p + 12, (uint16_t)count);
	for (i = 0; i < count; i++) {
		uint8_t *e = p + MSG_ORDER_FIXED_LEN + MSG_ORDER_ENTRY_LEN * i;

		wire_put_u16(e, sender[i]);
		wire_put_u32(e + 2, seq[i]);
	}
	return 0;
}

void
msg_order_get(const struct msg_order *r, unsigned i, uint16_t *sender,
    uint32_t *seq)
{
	const uint8_t *e = r->raw + MSG_ORDER_ENTRY_LEN * (size_t)i;

	*sender = wire_get_u16(e);
	*seq = wire_get_u32(e + 2);
}

uint32_t
msg_deps_get(const struct msg_deps *d, unsigned i)
{
	return wire_get_u32(d->raw + 4 * (size_t)i);
}

int
msg_put_suspect(struct msg_builder *b, uint64_t members)
{
	uint8_t *p;

	if (!(p = put_record(b, MSG_SUSPECT, MSG_SUSPECT_LEN)))
		return -1;
	wire_put_u64(p, members);
	return 0;
}

int
msg_put_relay_req(struct msg_builder *b, const struct msg_relay_req *r)
{
	uint8_t *p;

	if (!(p = put_record(b, MSG_RELAY_REQ, MSG_RELAY_REQ_LEN)))
		return -1;
	wire_put_u16(p, r->stream);
	wire_put_u32(p + 2, r->from);
	wire_put_u32(p + 6, r->to);
	return 0;
}

int
msg_put_relay(struct msg_builder *b, uint16_t stream, const struct msg_data *d)
{
	uint8_t *p;

	if (d->plen > MSG_MAX_PAYLOAD)
		return -1;
	if (!(p = put_record(b, MSG_RELAY, MSG_RELAY_FIXED_LEN + d->plen)))
		return -1;
	wire_put_u16(p, stream);
	put_data_body(p + 2, d);
	return 0;
}

size_t
msg_finish(struct msg_builder *b)
{
	wire_put_u16(b->buf + MSG_OFF_NREC, b->nrec);
	return b->len;
}

static uint8_t
payload_byte(uint64_t run, unsigned sender, uint32_t seq, size_t i)
{
	uint64_t x = run * 0x9e3779b97f4a7c15ULL ^ (uint64_t)sender << 40 ^
	    seq ^ (uint64_t)i * 0xff51afd7ed558ccdULL;

	return (uint8_t)(x >> 29 ^ x);
}

void
msg_payload_fill(uint8_t *p, size_t len, uint64_t run, unsigned sender,
    uint32_t seq)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = payload_byte(run, sender, seq, i);
}

int
msg_payload_ok(const uint8_t *p, size_t len, uint64_t run, unsigned sender,
    uint32_t seq)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != payload_byte(run, sender, seq, i))
			return 0;
	return 1;
}
