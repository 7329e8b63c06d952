/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The datagram protocol: one header, then typed records, all big-endian.
 * msg_decode() is the single decoder for everything read from a UDP socket;
 * it checks the syntax of every record (lengths, counts, no trailing bytes).
 * The meaning of the fields (run id, sender, ranges) is checked by the core.
 */
#ifndef MPCOMM_MSG_H
#define MPCOMM_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "mpcomm/auth.h"

#define MSG_MAGIC		0x4d50434dU	/* "MPCM" */
#define MSG_VERSION		3
#define MSG_MAX_DGRAM		1392	/* stays under 1400 bytes */
#define MSG_MAX_PEERS		64	/* a member set fits a uint64_t mask */
#define MSG_MAX_PAYLOAD		512

/*
 * header: magic u32, version u8, flags u8, sender u16, run u64, tsval u32,
 * counter u32, view u32, nrec u16.  tsval is the sender's clock (µs, modulo
 * 2^32) when it built the datagram; receivers echo it (MSG_ECHO) for
 * round-trip samples, as TCP timestamps do (RFC 7323).  counter numbers the
 * sender's datagrams of a run from 1; under a MAC it makes a replay
 * recognisable.  view names the sender's installed view by the ballot that
 * installed it (0: the run's first view).
 */
#define MSG_HDR_LEN		30
#define MSG_OFF_MAGIC		0
#define MSG_OFF_VERSION		4
#define MSG_OFF_FLAGS		5
#define MSG_OFF_SENDER		6
#define MSG_OFF_RUN		8
#define MSG_OFF_TSVAL		16
#define MSG_OFF_COUNTER		20
#define MSG_OFF_VIEW		24
#define MSG_OFF_NREC		28
/* record header: type u8, body length u16 */
#define MSG_REC_HDR_LEN		3
/* DATA body: seq u32, ts u64, send_us u64, then the payload */
#define MSG_DATA_FIXED_LEN	20
/* ACK body: k u32, c u64, d_ts u64, d_id u16, n u8, then n x u32 */
#define MSG_ACK_FIXED_LEN	23
#define MSG_END_LEN		4	/* total u32 */
#define MSG_HEARTBEAT_LEN	1	/* flags u8 */
/* SACK body: stream u16, base u32, then a bitmap of 1.. bytes */
#define MSG_SACK_FIXED_LEN	6
#define MSG_SACK_MAX_BITS	4096
/* ECHO body: n u8, then n x (member u16, tsecr u32, held_us u32) */
#define MSG_ECHO_ENTRY_LEN	10
#define MSG_ECHO_MAX		8
/* PROPOSE body: ballot u32, members u64 */
#define MSG_PROPOSE_LEN		12
/*
 * VIEW body: kind u8, ballot u32, d_ts u64, d_id u16, nviews u8, n u8, then
 * nviews x (ballot u32, members u64, f_ts u64, f_id u16), then n x level u32
 */
#define MSG_VIEW_FIXED_LEN	17
#define MSG_VIEW_ENTRY_LEN	22
#define MSG_VIEW_MAX		32	/* views of a run: each keeps a majority */
#define MSG_SUSPECT_LEN		8	/* members u64 */
/* RELAY_REQ body: stream u16, from u32, to u32 */
#define MSG_RELAY_REQ_LEN	10
/* RELAY body: stream u16, then a DATA body */
#define MSG_RELAY_FIXED_LEN	(2 + MSG_DATA_FIXED_LEN)
/*
 * DEPS body: stream u16, seq u32, n u8, then n x u32: what the owner of
 * stream had delivered of each member when it stamped seq (causal order);
 * it rides just before that DATA, or its RELAY, in the same datagram.
 */
#define MSG_DEPS_FIXED_LEN	7
/*
 * ORDER body: view u32, have u32, first u32, count u16, then count x
 * (sender u16, seq u32): the sequencer's assignments of global sequence
 * numbers first .. first + count - 1 in view number view (fixed sequencer
 * order), and have, the highest global number its sender holds every
 * assignment up to; count 0: have alone, an acknowledgement.
 */
#define MSG_ORDER_FIXED_LEN	14
#define MSG_ORDER_ENTRY_LEN	6
#define MSG_ORDER_MAX	((MSG_MAX_DGRAM - MSG_HDR_LEN - MSG_REC_HDR_LEN - \
	MSG_ORDER_FIXED_LEN) / MSG_ORDER_ENTRY_LEN)
#define MSG_MAX_RECORDS	((MSG_MAX_DGRAM - MSG_HDR_LEN) / MSG_REC_HDR_LEN)

#define MSG_FLAG_MAC		0x01	/* header flag: a 16-byte MAC follows */

#define MSG_HB_FINISHED		0x01	/* the sender has finished the run */
#define MSG_HB_REPLY		0x02	/* an answer: never answered again */
#define MSG_HB_KNOWN		(MSG_HB_FINISHED | MSG_HB_REPLY)

enum msg_type {
	MSG_READY = 1,		/* handshake: I am in this run */
	MSG_HS_ACK = 2,		/* handshake: I saw your READY */
	MSG_DATA = 3,
	MSG_ACK = 4,		/* an ACK state (S, C, K) */
	MSG_END = 5,		/* no more DATA from me: I sent `total` */
	MSG_HEARTBEAT = 6,
	MSG_SACK = 7,		/* which DATA of one stream past a hole I hold */
	MSG_ECHO = 8,		/* tsvals received, echoed for RTT samples */
	MSG_PROPOSE = 9,	/* view change: a coordinator's proposal */
	MSG_VIEW = 10,		/* view change: state, refusal, install */
	MSG_RELAY_REQ = 11,	/* send me this range of a departed stream */
	MSG_RELAY = 12,		/* a DATA of another member's stream */
	MSG_SUSPECT = 13,	/* to the coordinator: members I suspect */
	MSG_DEPS = 14,		/* a DATA's causal predecessors (causal) */
	MSG_ORDER = 15		/* sequence number assignments (sequencer) */
};

/* What a VIEW record is. */
enum msg_view_kind {
	MSG_VIEW_STATE = 1,	/* answer to a proposal: what I hold */
	MSG_VIEW_REFUSE = 2,	/* I promised a higher ballot: ballot */
	MSG_VIEW_INSTALL = 3,	/* install these views, with these cuts */
	MSG_VIEW_NOTICE = 4,	/* my views (you sent from another view) */
	MSG_VIEW_DONE = 5	/* I finished the run: leave me out */
};

/* Why msg_decode() refused a datagram (negated in its return value). */
enum msg_err {
	MSG_OK = 0,
	MSG_ERR_SHORT,		/* shorter than a header or a record claims */
	MSG_ERR_MAGIC,
	MSG_ERR_VERSION,
	MSG_ERR_FLAGS,
	MSG_ERR_TYPE,		/* unknown record type */
	MSG_ERR_RECLEN,		/* record length wrong for its type */
	MSG_ERR_COUNT,		/* record count does not match the contents */
	MSG_ERR_TRAILING	/* bytes after the last record */
};

struct msg_hdr {
	uint8_t		 version;
	uint8_t		 flags;
	uint16_t	 sender;
	uint64_t	 run;
	uint32_t	 tsval;		/* sender's µs clock, modulo 2^32 */
	uint32_t	 counter;	/* sender's datagram number in the run */
	uint32_t	 view;		/* ballot of the sender's view */
	uint16_t	 nrec;
};

struct msg_data {
	uint32_t	 seq;
	uint64_t	 ts;		/* Lamport timestamp */
	uint64_t	 send_us;	/* sender's clock at stamping */
	uint16_t	 plen;
	const uint8_t	*payload;	/* points into the decoded buffer */
};

struct msg_ack {
	uint32_t	 k;		/* highest seq the acker had stamped */
	uint64_t	 c;		/* the acker's Lamport clock */
	/*
	 * The acker's delivery frontier: the (ts, sender) of the last message
	 * it delivered in total order (0, 0 before the first, and in fifo and
	 * none).  Every message ordered before it has been delivered there.
	 * In causal order d_ts says that every message the acker processed
	 * with a timestamp up to it is delivered there (mpcomm(7), C4).
	 */
	uint64_t	 d_ts;
	uint16_t	 d_id;
	uint8_t		 n;		/* number of entries in s */
	const uint8_t	*s_raw;		/* n big-endian u32: use msg_ack_s() */
};

/*
 * Selective acknowledgement of one stream (RFC 2018 in spirit): base is the
 * first seq missing at the acker (its S[stream] + 1); bit i of the bitmap
 * says whether seq base + 1 + i is held.  Use msg_sack_has().
 */
struct msg_sack {
	uint16_t	 stream;
	uint32_t	 base;
	uint16_t	 nbits;		/* a multiple of 8 */
	const uint8_t	*bits;
};

/* Timestamp echoes: entry i says "your tsval was tsecr, I held it held_us". */
struct msg_echo {
	uint8_t		 n;
	const uint8_t	*raw;		/* use msg_echo_get() */
};

struct msg_propose {
	uint32_t	 ballot;	/* round << 6 | coordinator id */
	uint64_t	 members;	/* proposed members, bit per id */
};

/* One installed view: the ballot that installed it, its members, and the
 * frontier F every survivor delivered up to before its view line. */
struct msg_view_entry {
	uint32_t	 ballot;
	uint64_t	 members;
	uint64_t	 f_ts;
	uint16_t	 f_id;
};

/*
 * A view-change record.  views: the sender's installed views after the
 * first (INSTALL: the views to install).  level[i]: for STATE the seq up to
 * which the sender processed stream i; for INSTALL and NOTICE the cut of
 * stream i (departed streams end there; the others must be held up to it).
 * d_ts, d_id: the sender's delivery frontier (STATE).
 */
struct msg_view {
	uint8_t		 kind;		/* enum msg_view_kind */
	uint32_t	 ballot;
	uint64_t	 d_ts;
	uint16_t	 d_id;
	uint8_t		 nviews;
	uint8_t		 n;
	const uint8_t	*raw;		/* use msg_view_get(), _level() */
};

struct msg_relay_req {
	uint16_t	 stream;
	uint32_t	 from;		/* first seq wanted */
	uint32_t	 to;		/* last seq wanted */
};

struct msg_relay {
	uint16_t	 stream;
	struct msg_data	 data;
};

/* The delivered vector of one DATA: entry i is a count of member i's. */
struct msg_deps {
	uint16_t	 stream;
	uint32_t	 seq;
	uint8_t		 n;		/* number of entries */
	const uint8_t	*raw;		/* n big-endian u32: use msg_deps_get() */
};

/* Assignments of global sequence numbers, or an acknowledgement of them. */
struct msg_order {
	uint32_t	 view;
	uint32_t	 have;
	uint32_t	 first;		/* 0 when count is 0 */
	uint16_t	 count;		/* up to MSG_ORDER_MAX */
	const uint8_t	*raw;		/* count entries: use msg_order_get() */
};

struct msg_rec {
	uint8_t		 type;
	union {
		struct msg_data	data;
		struct msg_ack	ack;
		uint32_t	end_total;
		uint8_t		hb_flags;
		struct msg_sack	sack;
		struct msg_echo	echo;
		struct msg_propose propose;
		struct msg_view	view;
		struct msg_relay_req relay_req;
		struct msg_relay relay;
		uint64_t	suspect;
		struct msg_deps	deps;
		struct msg_order order;
	} u;
};

struct msg_dgram {
	struct msg_hdr	hdr;
	size_t		nrec;
	struct msg_rec	rec[MSG_MAX_RECORDS];
};

/* Appends records to a datagram under construction. */
struct msg_builder {
	uint8_t		*buf;
	size_t		 cap;
	size_t		 len;
	uint16_t	 nrec;
};

/*
 * Decodes and checks the syntax of one datagram.  Returns 0, or -enum msg_err.
 * Pointers in *out refer into buf, which must outlive them.  Thread-safe.
 */
int		 msg_decode(const uint8_t *buf, size_t len, struct msg_dgram *out);
const char	*msg_strerror(int err);

/*
 * With a key: 0 when the datagram carries MSG_FLAG_MAC and its trailer is
 * the HMAC of the rest under key; without (key NULL): 0 when it carries no
 * MAC.  -1 otherwise.  Call before msg_decode(), which skips the trailer.
 */
int		 msg_check_mac(const uint8_t *buf, size_t len,
		    const struct auth_key *key);
/* Sets MSG_FLAG_MAC and appends the MAC; buf needs AUTH_TAG_LEN more
 * bytes.  Returns the new length. */
size_t		 msg_seal(uint8_t *buf, size_t len, const struct auth_key *key);

/* Entry i (< ack->n) of an ACK state's S vector. */
uint32_t	 msg_ack_s(const struct msg_ack *ack, unsigned i);
/* Entry i (< d->n) of a DEPS record's vector. */
uint32_t	 msg_deps_get(const struct msg_deps *d, unsigned i);
/* Entry i (< r->count) of an ORDER record. */
void		 msg_order_get(const struct msg_order *r, unsigned i,
		    uint16_t *sender, uint32_t *seq);
/* Whether a SACK says seq base + 1 + i (i < nbits) is held. */
int		 msg_sack_has(const struct msg_sack *sk, unsigned i);
/* Entry i (< e->n) of an ECHO record. */
void		 msg_echo_get(const struct msg_echo *e, unsigned i,
		    uint16_t *member, uint32_t *tsecr, uint32_t *held_us);
/* Entry i (< nviews) of a VIEW record; level i (< n). */
void		 msg_view_get(const struct msg_view *v, unsigned i,
		    struct msg_view_entry *e);
uint32_t	 msg_view_level(const struct msg_view *v, unsigned i);

/* Starts a datagram in buf (cap >= MSG_HDR_LEN), with tsval 0. */
void		 msg_begin(struct msg_builder *b, uint8_t *buf, size_t cap,
		    uint16_t sender, uint64_t run);
/* Sets the header's tsval; its counter; its view. */
void		 msg_set_tsval(struct msg_builder *b, uint32_t tsval);
void		 msg_set_counter(struct msg_builder *b, uint32_t counter);
void		 msg_set_view(struct msg_builder *b, uint32_t view);
/* Each msg_put_* returns 0, or -1 when the record does not fit. */
int		 msg_put_ready(struct msg_builder *b);
int		 msg_put_hs_ack(struct msg_builder *b);
int		 msg_put_data(struct msg_builder *b, const struct msg_data *d);
/* a->s_raw is ignored: the n entries come from s. */
int		 msg_put_ack(struct msg_builder *b, const struct msg_ack *a,
		    const uint32_t *s);
/* A SACK of nbits (a multiple of 8, 8..MSG_SACK_MAX_BITS) from bits. */
int		 msg_put_sack(struct msg_builder *b, uint16_t stream,
		    uint32_t base, const uint8_t *bits, unsigned nbits);
/* An ECHO of n (1..MSG_ECHO_MAX) entries. */
int		 msg_put_echo(struct msg_builder *b, unsigned n,
		    const uint16_t *member, const uint32_t *tsecr,
		    const uint32_t *held_us);
int		 msg_put_end(struct msg_builder *b, uint32_t total);
int		 msg_put_propose(struct msg_builder *b,
		    const struct msg_propose *p);
/* v->raw is ignored: the entries come from views, the levels from level. */
int		 msg_put_view(struct msg_builder *b, const struct msg_view *v,
		    const struct msg_view_entry *views, const uint32_t *level);
size_t		 msg_view_size(unsigned nviews, unsigned n);
int		 msg_put_suspect(struct msg_builder *b, uint64_t members);
int		 msg_put_relay_req(struct msg_builder *b,
		    const struct msg_relay_req *r);
int		 msg_put_relay(struct msg_builder *b, uint16_t stream,
		    const struct msg_data *d);
int		 msg_put_heartbeat(struct msg_builder *b, uint8_t flags);
/* A DEPS record of n (1..MSG_MAX_PEERS) entries from v. */
int		 msg_put_deps(struct msg_builder *b, uint16_t stream, uint32_t seq,
		    unsigned n, const uint32_t *v);
/* Bytes a DEPS record for n peers takes. */
size_t		 msg_deps_size(unsigned n);
/* An ORDER record of count (0..MSG_ORDER_MAX) entries, sender[i] and
 * seq[i] for global number first + i (first 0 when count is 0). */
int		 msg_put_order(struct msg_builder *b, uint32_t view, uint32_t have,
		    uint32_t first, unsigned count, const uint16_t *sender,
		    const uint32_t *seq);
/* Bytes an ORDER record of count entries takes. */
size_t		 msg_order_size(unsigned count);
/* Bytes a DATA record with plen payload bytes takes. */
size_t		 msg_data_size(size_t plen);
/* Bytes an ACK record for n peers takes. */
size_t		 msg_ack_size(unsigned n);
/* Bytes a SACK record of nbits takes; an ECHO record of n entries. */
size_t		 msg_sack_size(unsigned nbits);
size_t		 msg_echo_size(unsigned n);
/* Free bytes left in the datagram. */
size_t		 msg_room(const struct msg_builder *b);
/* Writes the record count into the header; returns the datagram length. */
size_t		 msg_finish(struct msg_builder *b);

/*
 * The payload of message (sender, seq) of a run is a pattern derived from
 * those three numbers, so a receiver can check it and a sender can resend it
 * without storing it.
 */
void		 msg_payload_fill(uint8_t *p, size_t len, uint64_t run,
		    unsigned sender, uint32_t seq);
int		 msg_payload_ok(const uint8_t *p, size_t len, uint64_t run,
		    unsigned sender, uint32_t seq);

#endif
