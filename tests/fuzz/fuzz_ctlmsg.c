/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the control messages' codec.  Any line is read as its
 * verb says; what parses is formatted, parsed and formatted again, and the
 * two formattings must be the same text (the codec is a fixed point after
 * one round: what it writes, it reads back to the same message).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mpcomm/ctlmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The union of every message, for one generic round trip. */
union any {
	struct ctlmsg_reg	 reg;
	struct ctlmsg_members	 members;
	struct ctlmsg_start	 start;
	struct ctlmsg_member	 member;
	struct ctlmsg_abort	 abort;
	struct ctlmsg_status	 status;
	struct ctlmsg_log	 log;
	struct ctlmsg_received	 received;
};

/*
 * Which of the messages sharing verb v the line m is: 1 for LIST's MEMBER
 * (it has ctl=) and for LOG's answer (received=), 2 for the group
 * manager's answers (members=), else 0.
 */
static int
kind_of(int v, const struct ctl_msg *m)
{
	int ctl = 0, received = 0, members = 0;
	size_t i;

	for (i = 0; i < m->nfield; i++) {
		ctl |= strcmp(m->f[i].key, "ctl") == 0;
		received |= strcmp(m->f[i].key, "received") == 0;
		members |= strcmp(m->f[i].key, "members") == 0;
	}
	if (v == CTLMSG_MEMBER)
		return ctl;
	if (v == CTLMSG_OK)
		return received ? 1 : members ? 2 : 0;
	return 0;
}

/* Parses m, a line of verb v and kind, into x; 0, or -1. */
static int
parse(int v, int kind, struct ctl_msg *m, union any *x)
{
	switch (v) {
	case CTLMSG_REGISTER:
	case CTLMSG_UNREGISTER:
		return ctlmsg_reg_parse(m, &x->reg);
	case CTLMSG_MEMBER:
		return kind ? ctlmsg_reg_parse(m, &x->reg) :
		    ctlmsg_member_parse(m, MSG_MAX_PEERS, &x->member);
	case CTLMSG_START:
		return ctlmsg_start_parse(m, &x->start);
	case CTLMSG_ABORT:
		return ctlmsg_abort_parse(m, &x->abort);
	case CTLMSG_LOG:
		return ctlmsg_log_parse(m, &x->log);
	case CTLMSG_OK:
		return kind == 1 ? ctlmsg_received_parse(m, &x->received) :
		    kind == 2 ? ctlmsg_members_parse(m, &x->members) :
		    ctlmsg_status_parse(m, &x->status);
	default:
		return -1;
	}
}

/* Formats x, a message of verb v and kind, into buf. */
static int
format(int v, int kind, const union any *x, char *buf, size_t cap)
{
	switch (v) {
	case CTLMSG_REGISTER:
	case CTLMSG_UNREGISTER:
		return ctlmsg_reg_format((enum ctlmsg_verb)v, &x->reg, buf, cap);
	case CTLMSG_MEMBER:
		return kind ? ctlmsg_reg_format(CTLMSG_MEMBER, &x->reg, buf,
		    cap) : ctlmsg_member_format(&x->member, buf, cap);
	case CTLMSG_START:
		return ctlmsg_start_format(&x->start, buf, cap);
	case CTLMSG_ABORT:
		return ctlmsg_abort_format(&x->abort, buf, cap);
	case CTLMSG_LOG:
		return ctlmsg_log_format(&x->log, buf, cap);
	case CTLMSG_OK:
		return kind == 1 ? ctlmsg_received_format(&x->received, buf,
		    cap) : kind == 2 ? ctlmsg_members_format(&x->members, buf,
		    cap) : ctlmsg_status_format(&x->status, buf, cap);
	default:
		return -1;
	}
}

/* Formats x, reads it back, formats again: the same text, or abort(). */
static void
round_trip(int v, int kind, const union any *x)
{
	static char a[CTL_LINE_MAX + 1], b[CTL_LINE_MAX + 1];
	struct ctl_msg m;
	union any y;
	int n;

	if ((n = format(v, kind, x, a, sizeof(a))) < 0)
		return;			/* too long once defaults are said */
	if (ctlmsg_read(a, (size_t)n, &m) != v || kind_of(v, &m) != kind ||
	    parse(v, kind, &m, &y) < 0)
		abort();
	if (format(v, kind, &y, b, sizeof(b)) != n || memcmp(a, b, (size_t)n))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctlmsg_runok r;
	struct ctl_msg m;
	union any x;
	int v, kind;
	char *s;

	/* The text-level answers read a NUL-terminated line. */
	if (!(s = malloc(size + 1)))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)ctlmsg_is_ok(s);
	(void)ctlmsg_ok_text(s);
	(void)ctlmsg_err_parse(s);
	if (ctlmsg_runok_parse(s, &r) == 0) {
		char a[CTL_LINE_MAX + 1];

		if (ctlmsg_runok_format(&r, a, sizeof(a)) < 0)
			abort();
	}
	free(s);

	if ((v = ctlmsg_read((const char *)data, size, &m)) < 0)
		return 0;
	kind = kind_of(v, &m);
	if (v == CTLMSG_STATUS || v == CTLMSG_LIST || v == CTLMSG_PING ||
	    v == CTLMSG_SHUTDOWN) {
		(void)ctlmsg_bare_parse(&m);
		return 0;
	}
	if (parse(v, kind, &m, &x) == 0)
		round_trip(v, kind, &x);
	return 0;
}
