/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The control messages: one plain struct per message of the control
 * protocol and one format/parse pair each, for both sides, as msg.h is for
 * the datagrams.  ctl.h tokenises a line; this module knows what each verb
 * carries, spells it and validates it.  Formatters write a line without
 * its newline into a caller buffer and return its length, or -1 when it
 * does not fit.  Parsers take a line tokenised by ctlmsg_read() and return
 * 0, or -1 with m->err saying what was wrong.  No state, no locks.
 */
#ifndef MPCOMM_CTLMSG_H
#define MPCOMM_CTLMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpcomm/ctl.h"
#include "mpcomm/msg.h"
#include "mpcomm/net.h"
#include "mpcomm/order.h"
#include "mpcomm/runstatus.h"

/* The verbs.  CTLMSG_OTHER: a verb this module does not know. */
enum ctlmsg_verb {
	CTLMSG_OTHER = 0,
	CTLMSG_REGISTER,	/* client -> group manager */
	CTLMSG_UNREGISTER,
	CTLMSG_LIST,
	CTLMSG_PING,		/* to any server */
	CTLMSG_START,		/* comparison server -> peer */
	CTLMSG_MEMBER,		/* after START, and after LIST's answer */
	CTLMSG_ABORT,
	CTLMSG_STATUS,
	CTLMSG_SHUTDOWN,
	CTLMSG_LOG,		/* peer -> comparison server */
	CTLMSG_OK,		/* answers */
	CTLMSG_ERR,
	CTLMSG_HELLO		/* an authenticating server's greeting */
};

/*
 * Tokenises one line (ctl_parse()) into m.  Returns its verb (>= 0), or -1
 * with m->err set when the line is not a control line at all.
 */
int		 ctlmsg_read(const char *line, size_t len, struct ctl_msg *m);
/* The verb's spelling ("START"); "" for CTLMSG_OTHER. */
const char	*ctlmsg_verb_name(enum ctlmsg_verb v);
/*
 * A request without fields (LIST, PING, STATUS, SHUTDOWN) into buf.
 * Returns its length or -1.
 */
int		 ctlmsg_bare_format(enum ctlmsg_verb v, char *buf, size_t cap);
/* STATUS and LIST take no fields: -1 with m->err for any.  PING and
 * SHUTDOWN ignore theirs, as they always did. */
int		 ctlmsg_bare_parse(struct ctl_msg *m);

/*
 * REGISTER, UNREGISTER and the MEMBER lines of LIST's answer:
 * `VERB host=H udp=P ctl=P`.  The host is a name or numeric address
 * (letters, digits, '.', ':', '-', '%'); both ports 1 to 65535; no other key.
 */
struct ctlmsg_reg {
	char		 host[NET_HOST_MAX];
	uint16_t	 udp;
	uint16_t	 ctl;
};
int	ctlmsg_reg_format(enum ctlmsg_verb v, const struct ctlmsg_reg *r,
	    char *buf, size_t cap);
int	ctlmsg_reg_parse(struct ctl_msg *m, struct ctlmsg_reg *r);

/*
 * The group manager's answers: `OK index=I members=N` (REGISTER) and
 * `OK members=N` (UNREGISTER, and LIST's first line).  members at most
 * CTLMSG_MEMBERS_MAX; other keys are ignored.
 */
#define CTLMSG_MEMBERS_MAX	100000
struct ctlmsg_members {
	bool		 has_index;
	uint64_t	 index;
	uint64_t	 members;
};
int	ctlmsg_members_format(const struct ctlmsg_members *r, char *buf,
	    size_t cap);
int	ctlmsg_members_parse(struct ctl_msg *m, struct ctlmsg_members *r);

/*
 * START: the run's parameters.  Absent optional keys parse as: order
 * total, pacing, delays, loss, dup, seed, window and trace 0 (window 0:
 * the peer's own), on_failure continue, no suspect (the peer's own), no
 * server ("") and no secret.  The formatter leaves out window 0, trace 0,
 * has_suspect false, an empty server and secret_len 0.  `START
 * messages=0` is the original demo's "terminate": it parses with messages
 * 0 and nothing else checked.
 *
 * secret= is the run's secret, CTLMSG_SECRET_MIN to CTLMSG_SECRET_MAX
 * random bytes in hex, drawn by the comparison server for this run alone:
 * every datagram of the run is authenticated under a key derived from it
 * (auth.h).  A caller never logs it, nor shows it in STATUS.
 */
#define CTLMSG_SERVER_MAX	(NET_HOST_MAX + NET_PORT_MAX + 4)
#define CTLMSG_SECRET_MIN	16
#define CTLMSG_SECRET_MAX	32
struct ctlmsg_start {
	uint64_t	 run;
	unsigned	 id;
	unsigned	 n;
	uint32_t	 messages;
	enum order_mode	 mode;
	/* Each in its range of runparam.h. */
	uint64_t	 imin_ms, imax_ms;	/* imin <= imax */
	uint64_t	 dmin_ms, dmax_ms;	/* dmin <= dmax */
	double		 loss;
	double		 dup;
	uint64_t	 seed;
	uint32_t	 window;		/* 0: absent */
	uint32_t	 trace;
	enum order_on_failure on_failure;
	bool		 has_suspect;
	uint64_t	 suspect_ms;		/* order_suspect_parse()'s range */
	char		 server[CTLMSG_SERVER_MAX];	/* HOST:PORT or "" */
	size_t		 secret_len;		/* 0: no secret= */
	uint8_t		 secret[CTLMSG_SECRET_MAX];
};
int	ctlmsg_start_format(const struct ctlmsg_start *s, char *buf, size_t cap);
int	ctlmsg_start_parse(struct ctl_msg *m, struct ctlmsg_start *s);

/*
 * The MEMBER lines that follow START: `MEMBER id=K host=H udp=P
 * [delay_us=D]`, id below the run's n, delay_us (regions) at most
 * REGION_DELAY_MAX_US.
 */
struct ctlmsg_member {
	unsigned	 id;
	char		 host[NET_HOST_MAX];
	uint16_t	 udp;
	bool		 has_delay;
	uint32_t	 delay_us;
};
int	ctlmsg_member_format(const struct ctlmsg_member *x, char *buf,
	    size_t cap);
int	ctlmsg_member_parse(struct ctl_msg *m, unsigned n,
	    struct ctlmsg_member *x);

/* ABORT run=R, R at least 1. */
struct ctlmsg_abort {
	uint64_t	 run;
};
int	ctlmsg_abort_format(const struct ctlmsg_abort *a, char *buf, size_t cap);
int	ctlmsg_abort_parse(struct ctl_msg *m, struct ctlmsg_abort *a);

/*
 * The peer's answers about a run: to START `OK run=R`; to ABORT
 * `OK aborted run=R`, or `OK already finished run=R state=S` when the run
 * had ended (S an order_phase_name()).  Parsed from the whole line.
 */
enum ctlmsg_run_answer {
	CTLMSG_RUN_STARTED,
	CTLMSG_RUN_ABORTED,
	CTLMSG_RUN_FINISHED
};
struct ctlmsg_runok {
	enum ctlmsg_run_answer what;
	uint64_t	 run;
	char		 state[16];	/* CTLMSG_RUN_FINISHED only */
};
int	ctlmsg_runok_format(const struct ctlmsg_runok *r, char *buf, size_t cap);
int	ctlmsg_runok_parse(const char *line, struct ctlmsg_runok *r);

/* The comparison server's answer to a complete LOG: `OK received=C`. */
struct ctlmsg_received {
	uint64_t	 count;
};
int	ctlmsg_received_format(const struct ctlmsg_received *r, char *buf,
	    size_t cap);
int	ctlmsg_received_parse(struct ctl_msg *m, struct ctlmsg_received *r);

/*
 * STATUS's answer: `OK state=idle send_errors=E` for an idle peer, else
 * the run's figures, and reason= for a run that ended early (its spaces
 * sent as '_').  drop_protected= (datagrams from beyond loopback that
 * protected mode dropped, since the peer started) is sent only when it is
 * not 0, so that the answer of a peer in use is what it always was.  Every field is optional when parsed and unknown keys are
 * ignored, so that a newer peer's answer still reads.
 */
/* STATUS's figures of a run, each once, in the order they are sent (after
 * state=, run=, peer=, n= and order=). */
#define CTLMSG_STATUS_FIGURES(X)					\
	X(messages) X(stamped) X(delivered) X(queue) X(retrans)		\
	X(dgrams_in) X(dgrams_out) X(dup_data)				\
	X(drop_decode) X(drop_run) X(drop_sender) X(drop_field)		\
	X(drop_window) X(drop_payload) X(drop_auth) X(drop_replay)	\
	X(drop_bound) X(queue_full) X(emu_lost) X(emu_dup) X(emu_overflow) \
	X(send_errors) X(recv_errors) X(drop_view) X(view)
#define CTLMSG_U64_FIELD(name)	uint64_t name;
struct ctlmsg_status {
	char		 state[16];	/* order_phase_name(), or "idle" */
	uint64_t	 run, peer, n;
	char		 order[16];
	CTLMSG_STATUS_FIGURES(CTLMSG_U64_FIELD)
	uint64_t	 drop_protected;
	char		 reason[160];	/* "": none */
};
int	ctlmsg_status_format(const struct ctlmsg_status *s, char *buf,
	    size_t cap);
int	ctlmsg_status_parse(struct ctl_msg *m, struct ctlmsg_status *s);

/*
 * The LOG header that precedes a delivery log's body (ctlbody.h).  error
 * is set exactly when status is failed (the log could not be written:
 * count is then 0); views= is sent only when views > 0 and trace= with
 * trace_cut= only for a traced run, so that an old LOG is what it was.
 * reason travels with its spaces as '_', error with anything but letters,
 * digits and "-.:/" as '_'.
 */
#define CTLMSG_LOG_VIEWS_MAX	MSG_MAX_PEERS
/*
 * A peer's figures of a run, each once, in the order the LOG header sends
 * them (before reason=, and the usage after it); the comparison server
 * keeps them under the same names (struct peer_log).
 */
#define CTLMSG_LOG_FIGURES(X)						\
	X(lat_p50) X(lat_p99) X(lat_max)   /* own messages' latency, µs */ \
	X(retrans) X(dgrams_out) X(dgrams_in) X(drops) X(dup)		\
	X(t_first) X(t_last)	/* wall clock µs: first send, last delivery */ \
	X(sent_dgrams) X(sent_bytes)
#define CTLMSG_LOG_USAGE(X)	X(cpu_us) X(rss_kb)	/* CPU, peak RSS (KiB) */
struct ctlmsg_log {
	uint64_t	 run;
	unsigned	 peer;
	char		 order[16];
	enum run_status	 status;	/* not timeout */
	uint64_t	 count;		/* at most UINT32_MAX */
	uint64_t	 views;		/* at most CTLMSG_LOG_VIEWS_MAX */
	bool		 traced;
	uint64_t	 trace;		/* trace lines after the body */
	bool		 trace_cut;
	CTLMSG_LOG_FIGURES(CTLMSG_U64_FIELD)
	CTLMSG_LOG_USAGE(CTLMSG_U64_FIELD)
	char		 reason[160];
	char		 error[128];
};
int	ctlmsg_log_format(const struct ctlmsg_log *l, char *buf, size_t cap);
int	ctlmsg_log_parse(struct ctl_msg *m, struct ctlmsg_log *l);

/*
 * Answers: `OK[ TEXT]` and `ERR CODE WHY`.  ctlmsg_is_ok() says whether a
 * line is an OK ("OK" alone or followed by a space), ctlmsg_ok_text() what
 * follows "OK " ("" for none), ctlmsg_err_parse() the code of an ERR line
 * (100 to 599) or -1.  ctlmsg_ok_format() takes TEXT "" for a bare OK.
 */
bool		 ctlmsg_is_ok(const char *line);
/* True when line is a server's HELLO (it wants authenticated requests). */
bool		 ctlmsg_is_hello(const char *line);
/*
 * What a server sends for an answer a formatter returned len for: the
 * line, or for len -1 (it did not fit) `ERR 500 answer too long`.
 */
const char	*ctlmsg_answer(const char *line, int len);
const char	*ctlmsg_ok_text(const char *line);
int		 ctlmsg_ok_format(const char *text, char *buf, size_t cap);
int		 ctlmsg_err_format(int code, const char *why, char *buf,
		    size_t cap);
int		 ctlmsg_err_parse(const char *line);

#endif
