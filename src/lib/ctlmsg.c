/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The control messages' codec: every control line of every program is
 * spelled and checked here, each message by one format/parse pair (see
 * ctlmsg.h), over the tokeniser and typed getters of ctl.c.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "mpcomm/ctlmsg.h"
#include "mpcomm/region.h"
#include "mpcomm/runparam.h"
#include "mpcomm/trace.h"

static const char *const verb_names[] = {
	[CTLMSG_OTHER] = "",
	[CTLMSG_REGISTER] = "REGISTER",
	[CTLMSG_UNREGISTER] = "UNREGISTER",
	[CTLMSG_LIST] = "LIST",
	[CTLMSG_PING] = "PING",
	[CTLMSG_START] = "START",
	[CTLMSG_MEMBER] = "MEMBER",
	[CTLMSG_ABORT] = "ABORT",
	[CTLMSG_STATUS] = "STATUS",
	[CTLMSG_SHUTDOWN] = "SHUTDOWN",
	[CTLMSG_LOG] = "LOG",
	[CTLMSG_OK] = "OK",
	[CTLMSG_ERR] = "ERR",
	[CTLMSG_HELLO] = "HELLO",
};
#define NVERBS	(sizeof(verb_names) / sizeof(verb_names[0]))

/* A line being formatted: appends until it does not fit, then says so. */
struct out {
	char	*buf;
	size_t	 cap;
	size_t	 len;
	int	 over;
};

static void
out_init(struct out *o, char *buf, size_t cap)
{
	o->buf = buf;
	o->cap = cap;
	o->len = 0;
	o->over = cap == 0;
	if (cap)
		buf[0] = '\0';
}

static void __attribute__((format(printf, 2, 3)))
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->over)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len) {
		o->over = 1;
		o->buf[o->len] = '\0';
		return;
	}
	o->len += (size_t)n;
}

static int
out_end(const struct out *o)
{
	return o->over || o->len > CTL_LINE_MAX ? -1 : (int)o->len;
}

/*
 * Numeric and string fields described by a table, for the messages that
 * are long lists of figures (STATUS's answer, LOG).  Parsed as optional,
 * any value of a uint64_t; an empty string is not sent.
 */
struct field {
	const char	*key;
	size_t		 off;
	size_t		 size;		/* 0: a uint64_t; else a char array */
};
#define U64(s, k)	{ #k, offsetof(struct s, k), 0 }
#define STR(s, k)	{ #k, offsetof(struct s, k), sizeof(((struct s *)0)->k) }

static void
fields_format(struct out *o, const void *base, const struct field *f,
    size_t n)
{
	const char *b = base;
	size_t i;

	for (i = 0; i < n; i++)
		if (f[i].size && b[f[i].off])	/* "": left out */
			put(o, " %s=%s", f[i].key, b + f[i].off);
		else if (f[i].size)
			continue;
		else
			put(o, " %s=%" PRIu64, f[i].key,
			    *(const uint64_t *)(const void *)(b + f[i].off));
}

static int
fields_parse(struct ctl_msg *m, void *base, const struct field *f, size_t n)
{
	char *b = base;
	size_t i;

	for (i = 0; i < n; i++) {
		void *p = b + f[i].off;

		if (f[i].size ? ctl_get_str(m, f[i].key, 0, p, f[i].size) < 0 :
		    ctl_get_u64(m, f[i].key, 0, UINT64_MAX, 0, p) < 0)
			return -1;
	}
	return 0;
}

/* A text as one field value: spaces as '_', other unprintables as '?'. */
static void
field_text(char *dst, size_t cap, const char *text)
{
	size_t i;

	for (i = 0; text[i] && i + 1 < cap; i++) {
		unsigned char c = (unsigned char)text[i];

		dst[i] = c == ' ' ? '_' : c < 0x20 || c > 0x7e ? '?' : (char)c;
	}
	dst[i] = '\0';
}

/* ... and back: '_' stood for ' '. */
static void
field_untext(char *s)
{
	for (; *s; s++)
		if (*s == '_')
			*s = ' ';
}

/* A text as one plain field: anything but [A-Za-z0-9-.:/] as '_'. */
static void
field_plain(char *dst, size_t cap, const char *text)
{
	char *p;

	snprintf(dst, cap, "%s", text);
	for (p = dst; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-.:/", *p)))
			*p = '_';
}

int
ctlmsg_read(const char *line, size_t len, struct ctl_msg *m)
{
	size_t v;

	if (ctl_parse(line, len, m) < 0)
		return -1;
	for (v = 1; v < NVERBS; v++)
		if (strcmp(m->verb, verb_names[v]) == 0)
			return (int)v;
	return CTLMSG_OTHER;
}

const char *
ctlmsg_verb_name(enum ctlmsg_verb v)
{
	return (size_t)v < NVERBS ? verb_names[v] : "";
}

int
ctlmsg_bare_format(enum ctlmsg_verb v, char *buf, size_t cap)
{
	struct out o;

	if (v != CTLMSG_LIST && v != CTLMSG_PING && v != CTLMSG_STATUS &&
	    v != CTLMSG_SHUTDOWN)
		return -1;
	out_init(&o, buf, cap);
	put(&o, "%s", verb_names[v]);
	return out_end(&o);
}

int
ctlmsg_bare_parse(struct ctl_msg *m)
{
	if (strcmp(m->verb, "PING") == 0 || strcmp(m->verb, "SHUTDOWN") == 0)
		return 0;
	return ctl_check_unused(m);
}

/* Host names and numeric addresses only: letters, digits, '.', ':', '-'. */
static int
host_ok(const char *h)
{
	const char *p;

	for (p = h; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == ':' ||
		    *p == '-' || *p == '%'))
			return 0;
	return p != h;
}

int
ctlmsg_reg_format(enum ctlmsg_verb v, const struct ctlmsg_reg *r, char *buf,
    size_t cap)
{
	struct out o;

	if (v != CTLMSG_REGISTER && v != CTLMSG_UNREGISTER &&
	    v != CTLMSG_MEMBER)
		return -1;
	out_init(&o, buf, cap);
	put(&o, "%s host=%s udp=%u ctl=%u", verb_names[v], r->host, r->udp,
	    r->ctl);
	return out_end(&o);
}

int
ctlmsg_reg_parse(struct ctl_msg *m, struct ctlmsg_reg *r)
{
	uint64_t udp, ctl;

	memset(r, 0, sizeof(*r));
	if (ctl_get_str(m, "host", 1, r->host, sizeof(r->host)) < 0 ||
	    ctl_get_u64(m, "udp", 1, 65535, 1, &udp) < 0 ||
	    ctl_get_u64(m, "ctl", 1, 65535, 1, &ctl) < 0 ||
	    ctl_check_unused(m) < 0)
		return -1;
	if (!host_ok(r->host)) {
		snprintf(m->err, sizeof(m->err), "host contains characters "
		    "that are not in a host name or address");
		return -1;
	}
	r->udp = (uint16_t)udp;
	r->ctl = (uint16_t)ctl;
	return 0;
}

int
ctlmsg_members_format(const struct ctlmsg_members *r, char *buf, size_t cap)
{
	struct out o;

	out_init(&o, buf, cap);
	put(&o, "OK");
	if (r->has_index)
		put(&o, " index=%" PRIu64, r->index);
	put(&o, " members=%" PRIu64, r->members);
	return out_end(&o);
}

int
ctlmsg_members_parse(struct ctl_msg *m, struct ctlmsg_members *r)
{
	memset(r, 0, sizeof(*r));
	if (ctl_get_u64(m, "members", 0, CTLMSG_MEMBERS_MAX, 1,
	    &r->members) < 0 ||
	    ctl_get_u64(m, "index", 0, CTLMSG_MEMBERS_MAX, 0, &r->index) < 0)
		return -1;
	r->has_index = ctl_get(m, "index") != NULL;
	return 0;
}

int
ctlmsg_start_format(const struct ctlmsg_start *s, char *buf, size_t cap)
{
	struct out o;
	size_t i;

	out_init(&o, buf, cap);
	if (s->messages == 0) {		/* the demo's "terminate" */
		put(&o, "START messages=0");
		return out_end(&o);
	}
	put(&o, "START run=%" PRIu64 " id=%u n=%u messages=%" PRIu32, s->run,
	    s->id, s->n, s->messages);
	put(&o, " order=%s", order_mode_name(s->mode));
	put(&o, " %s=%" PRIu64 " %s=%" PRIu64, run_param[RP_IMIN].key,
	    s->imin_ms, run_param[RP_IMAX].key, s->imax_ms);
	put(&o, " %s=%" PRIu64 " %s=%" PRIu64, run_param[RP_DMIN].key,
	    s->dmin_ms, run_param[RP_DMAX].key, s->dmax_ms);
	put(&o, " %s=%g %s=%g", run_param[RP_LOSS].key, s->loss,
	    run_param[RP_DUP].key, s->dup);
	put(&o, " seed=%" PRIu64, s->seed);
	if (s->window)
		put(&o, " %s=%" PRIu32, run_param[RP_WINDOW].key, s->window);
	put(&o, " on_failure=%s", order_on_failure_name(s->on_failure));
	if (s->has_suspect)
		put(&o, " suspect=%" PRIu64, s->suspect_ms);
	if (s->server[0])
		put(&o, " server=%s", s->server);
	/* trace= only when asked for: an untraced START is as it was. */
	if (s->trace)
		put(&o, " %s=%" PRIu32, run_param[RP_TRACE].key, s->trace);
	if (s->secret_len) {
		put(&o, " secret=");
		for (i = 0; i < s->secret_len && i < sizeof(s->secret); i++)
			put(&o, "%02x", s->secret[i]);
	}
	return out_end(&o);
}

/* A hex digit's value, or -1. */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* secret=HEX: its bytes into s.  The error never repeats the value. */
static int
start_secret(struct ctl_msg *m, struct ctlmsg_start *s)
{
	const char *v;
	size_t len, i;
	int hi, lo;

	if (!(v = ctl_get(m, "secret")))
		return 0;
	len = strlen(v);
	if (len % 2 || len < 2 * CTLMSG_SECRET_MIN ||
	    len > 2 * CTLMSG_SECRET_MAX)
		goto bad;
	for (i = 0; i < len / 2; i++) {
		if ((hi = hexval(v[2 * i])) < 0 ||
		    (lo = hexval(v[2 * i + 1])) < 0)
			goto bad;
		s->secret[i] = (uint8_t)(hi << 4 | lo);
	}
	s->secret_len = len / 2;
	return 0;
bad:
	memset(s->secret, 0, sizeof(s->secret));
	snprintf(m->err, sizeof(m->err), "key 'secret': %d to %d hex digits, "
	    "an even number", 2 * CTLMSG_SECRET_MIN, 2 * CTLMSG_SECRET_MAX);
	return -1;
}

/*
 * `START messages=0`: true, with every other field ignored.  Otherwise
 * the fields are as they were for the real parse.
 */
static int
start_terminates(struct ctl_msg *m)
{
	uint64_t msgs = 1;
	size_t i;

	if (ctl_get_u64(m, "messages", 0, INT32_MAX, 1, &msgs) == 0 &&
	    msgs == 0)
		return 1;
	for (i = 0; i < m->nfield; i++)
		m->f[i].used = 0;
	m->err[0] = '\0';
	return 0;
}

/* An optional ranged number of START, in its range (runparam.h). */
static int
start_u64(struct ctl_msg *m, enum run_param_id p, uint64_t *v)
{
	return ctl_get_u64(m, run_param[p].key, run_param_min(p),
	    run_param_max(p), 0, v);
}

static int
start_double(struct ctl_msg *m, enum run_param_id p, double *v)
{
	return ctl_get_double(m, run_param[p].key, run_param[p].min,
	    run_param[p].max, 0, v);
}

/* START's required numbers, order=, the pacing and the emulation. */
static int
start_numbers(struct ctl_msg *m, struct ctlmsg_start *s)
{
	const char *str;
	uint64_t v;

	if (ctl_get_u64(m, "run", 1, UINT64_MAX, 1, &s->run) < 0 ||
	    ctl_get_u64(m, "id", 0, MSG_MAX_PEERS - 1, 1, &v) < 0)
		return -1;
	s->id = (unsigned)v;
	if (ctl_get_u64(m, "n", 2, MSG_MAX_PEERS, 1, &v) < 0)
		return -1;
	s->n = (unsigned)v;
	if (ctl_get_u64(m, "messages", 1, INT32_MAX, 1, &v) < 0)
		return -1;
	s->messages = (uint32_t)v;
	if ((str = ctl_get(m, "order")) && order_mode_parse(str, &s->mode) < 0) {
		snprintf(m->err, sizeof(m->err), "order must be none, fifo, "
		    "total, causal or sequencer");
		return -1;
	}
	if (start_u64(m, RP_IMIN, &s->imin_ms) < 0 ||
	    start_u64(m, RP_IMAX, &s->imax_ms) < 0 ||
	    start_u64(m, RP_DMIN, &s->dmin_ms) < 0 ||
	    start_u64(m, RP_DMAX, &s->dmax_ms) < 0 ||
	    start_double(m, RP_LOSS, &s->loss) < 0 ||
	    start_double(m, RP_DUP, &s->dup) < 0 ||
	    ctl_get_u64(m, "seed", 0, UINT64_MAX, 0, &s->seed) < 0)
		return -1;
	/* Every member of a run must use the same window: it bounds what each
	 * of them holds of the others' streams.  Absent: the peer's own. */
	v = 0;
	if (start_u64(m, RP_WINDOW, &v) < 0)
		return -1;
	s->window = (uint32_t)v;
	/* trace=N: record the run's events for the first N messages of
	 * each sender, shipped with the log.  Absent or 0: nothing. */
	v = 0;
	if (start_u64(m, RP_TRACE, &v) < 0)
		return -1;
	s->trace = (uint32_t)v;
	return 0;
}

/* START's views fields (on_failure=, suspect=), server= and the checks. */
static int
start_options(struct ctl_msg *m, struct ctlmsg_start *s)
{
	const char *str, *why;

	if ((str = ctl_get(m, "on_failure")) &&
	    order_on_failure_parse(str, &s->on_failure) < 0) {
		snprintf(m->err, sizeof(m->err), "on_failure must be continue "
		    "or abort");
		return -1;
	}
	if ((str = ctl_get(m, "suspect"))) {
		if (order_suspect_parse(str, &s->suspect_ms, &why) < 0) {
			snprintf(m->err, sizeof(m->err), "suspect=%s: %s", str,
			    why);
			return -1;
		}
		s->has_suspect = true;
	}
	if (s->imin_ms > s->imax_ms || s->dmin_ms > s->dmax_ms) {
		snprintf(m->err, sizeof(m->err), "a minimum exceeds its "
		    "maximum");
		return -1;
	}
	if (s->id >= s->n) {
		snprintf(m->err, sizeof(m->err), "id %u is not below n=%u",
		    s->id, s->n);
		return -1;
	}
	if (ctl_get_str(m, "server", 0, s->server, sizeof(s->server)) < 0 ||
	    start_secret(m, s) < 0)
		return -1;
	return ctl_check_unused(m);
}

int
ctlmsg_start_parse(struct ctl_msg *m, struct ctlmsg_start *s)
{
	memset(s, 0, sizeof(*s));
	s->mode = ORDER_TOTAL;
	s->on_failure = ORDER_CONTINUE;
	if (start_terminates(m))
		return 0;
	if (start_numbers(m, s) < 0 || start_options(m, s) < 0)
		return -1;
	return 0;
}

int
ctlmsg_member_format(const struct ctlmsg_member *x, char *buf, size_t cap)
{
	struct out o;

	out_init(&o, buf, cap);
	put(&o, "MEMBER id=%u host=%s udp=%u", x->id, x->host, x->udp);
	/* Regions: what comes from this member waits this long.  Left out
	 * without regions, so that the line is as it was. */
	if (x->has_delay)
		put(&o, " delay_us=%" PRIu32, x->delay_us);
	return out_end(&o);
}

int
ctlmsg_member_parse(struct ctl_msg *m, unsigned n, struct ctlmsg_member *x)
{
	uint64_t id, udp, delay = 0;

	memset(x, 0, sizeof(*x));
	if (n == 0) {
		snprintf(m->err, sizeof(m->err), "no MEMBER line expected");
		return -1;
	}
	if (ctl_get_u64(m, "id", 0, n - 1, 1, &id) < 0 ||
	    ctl_get_str(m, "host", 1, x->host, sizeof(x->host)) < 0 ||
	    ctl_get_u64(m, "udp", 1, 65535, 1, &udp) < 0 ||
	    ctl_get_u64(m, "delay_us", 0, REGION_DELAY_MAX_US, 0, &delay) < 0 ||
	    ctl_check_unused(m) < 0)
		return -1;
	x->id = (unsigned)id;
	x->udp = (uint16_t)udp;
	x->has_delay = ctl_get(m, "delay_us") != NULL;
	x->delay_us = (uint32_t)delay;
	return 0;
}

/* A message of one number, `LEAD=N`: ABORT run=, OK received=. */
static int
number_format(const char *lead, uint64_t v, char *buf, size_t cap)
{
	struct out o;

	out_init(&o, buf, cap);
	put(&o, "%s=%" PRIu64, lead, v);
	return out_end(&o);
}

/* ... and its one key, required, in [min, max], nothing else. */
static int
number_parse(struct ctl_msg *m, const char *key, uint64_t min, uint64_t max,
    uint64_t *v)
{
	*v = 0;
	if (ctl_get_u64(m, key, min, max, 1, v) < 0 || ctl_check_unused(m) < 0)
		return -1;
	return 0;
}

int
ctlmsg_abort_format(const struct ctlmsg_abort *a, char *buf, size_t cap)
{
	return number_format("ABORT run", a->run, buf, cap);
}

int
ctlmsg_abort_parse(struct ctl_msg *m, struct ctlmsg_abort *a)
{
	return number_parse(m, "run", 1, UINT64_MAX, &a->run);
}

int
ctlmsg_runok_format(const struct ctlmsg_runok *r, char *buf, size_t cap)
{
	struct out o;

	out_init(&o, buf, cap);
	switch (r->what) {
	case CTLMSG_RUN_STARTED:
		put(&o, "OK run=%" PRIu64, r->run);
		break;
	case CTLMSG_RUN_ABORTED:
		put(&o, "OK aborted run=%" PRIu64, r->run);
		break;
	case CTLMSG_RUN_FINISHED:
		put(&o, "OK already finished run=%" PRIu64 " state=%s", r->run,
		    r->state);
		break;
	default:
		return -1;
	}
	return out_end(&o);
}

int
ctlmsg_runok_parse(const char *line, struct ctlmsg_runok *r)
{
	static const char *const lead[] = {
		[CTLMSG_RUN_STARTED] = "OK ",
		[CTLMSG_RUN_ABORTED] = "OK aborted ",
		[CTLMSG_RUN_FINISHED] = "OK already finished ",
	};
	char tail[CTL_LINE_MAX + 1];
	struct ctl_msg m;
	int w, n;

	memset(r, 0, sizeof(*r));
	for (w = CTLMSG_RUN_FINISHED; w > 0; w--)	/* the longest first */
		if (strncmp(line, lead[w], strlen(lead[w])) == 0)
			break;
	if (strncmp(line, lead[w], strlen(lead[w])) != 0)
		return -1;
	r->what = (enum ctlmsg_run_answer)w;
	/* The fields after the words, as the fields of an "OK" line. */
	n = snprintf(tail, sizeof(tail), "OK %s", line + strlen(lead[w]));
	if (n < 0 || (size_t)n >= sizeof(tail) ||
	    ctl_parse(tail, (size_t)n, &m) < 0 ||
	    ctl_get_u64(&m, "run", 1, UINT64_MAX, 1, &r->run) < 0 ||
	    (w == CTLMSG_RUN_FINISHED && ctl_get_str(&m, "state", 1, r->state,
	    sizeof(r->state)) < 0) || ctl_check_unused(&m) < 0)
		return -1;
	return 0;
}

int
ctlmsg_received_format(const struct ctlmsg_received *r, char *buf, size_t cap)
{
	return number_format("OK received", r->count, buf, cap);
}

int
ctlmsg_received_parse(struct ctl_msg *m, struct ctlmsg_received *r)
{
	return number_parse(m, "received", 0, UINT32_MAX, &r->count);
}

/* STATUS's answer for a peer with a run, in the order it is sent. */
#define CTLMSG_U64_ROW(s, name)	U64(s, name),
#define STATUS_ROW(name)	CTLMSG_U64_ROW(ctlmsg_status, name)
#define LOG_ROW(name)		CTLMSG_U64_ROW(ctlmsg_log, name)
static const struct field status_fields[] = {
	STR(ctlmsg_status, state), U64(ctlmsg_status, run),
	U64(ctlmsg_status, peer), U64(ctlmsg_status, n),
	STR(ctlmsg_status, order),
	CTLMSG_STATUS_FIGURES(STATUS_ROW)
	STR(ctlmsg_status, reason),
};
#define NSTATUS	(sizeof(status_fields) / sizeof(status_fields[0]))

int
ctlmsg_status_format(const struct ctlmsg_status *s, char *buf, size_t cap)
{
	char reason[sizeof(s->reason)];
	struct out o;

	out_init(&o, buf, cap);
	if (strcmp(s->state, "idle") == 0) {
		put(&o, "OK state=idle send_errors=%" PRIu64, s->send_errors);
		if (s->drop_protected)
			put(&o, " drop_protected=%" PRIu64, s->drop_protected);
		return out_end(&o);
	}
	put(&o, "OK");
	fields_format(&o, s, status_fields, NSTATUS - 1);
	if (s->drop_protected)
		put(&o, " drop_protected=%" PRIu64, s->drop_protected);
	/* The reason becomes one field: spaces to underscores. */
	field_text(reason, sizeof(reason), s->reason);
	if (reason[0])
		put(&o, " reason=%s", reason);
	return out_end(&o);
}

int
ctlmsg_status_parse(struct ctl_msg *m, struct ctlmsg_status *s)
{
	memset(s, 0, sizeof(*s));
	if (fields_parse(m, s, status_fields, NSTATUS) < 0 ||
	    ctl_get_u64(m, "drop_protected", 0, UINT64_MAX, 0,
	    &s->drop_protected) < 0)
		return -1;
	field_untext(s->reason);
	return 0;
}

/* LOG's figures, in the order they are sent: before reason=, after it. */
static const struct field log_figures[] = {
	CTLMSG_LOG_FIGURES(LOG_ROW)
}, log_usage[] = {
	CTLMSG_LOG_USAGE(LOG_ROW)
	STR(ctlmsg_log, reason), STR(ctlmsg_log, error),
};
#define NFIGURES (sizeof(log_figures) / sizeof(log_figures[0]))
#define NUSAGE	(sizeof(log_usage) / sizeof(log_usage[0]))

int
ctlmsg_log_format(const struct ctlmsg_log *l, char *buf, size_t cap)
{
	char text[sizeof(l->reason)];
	struct out o;

	out_init(&o, buf, cap);
	put(&o, "LOG run=%" PRIu64 " peer=%u order=%s", l->run, l->peer,
	    l->order);
	fields_format(&o, l, log_figures, NFIGURES);
	field_text(text, sizeof(text), l->reason);
	if (text[0])
		put(&o, " reason=%s", text);
	fields_format(&o, l, log_usage, 2);
	put(&o, " status=%s count=%" PRIu64, run_status_name(l->status),
	    l->count);
	field_plain(text, sizeof(l->error), l->error);
	if (text[0])
		put(&o, " error=%s", text);
	/* View lines are counted apart, and said only when there are any:
	 * the LOG of a run without views is what it always was. */
	if (l->views)
		put(&o, " views=%" PRIu64, l->views);
	/* The trace follows the body, said only when the run was traced. */
	if (l->traced)
		put(&o, " trace=%" PRIu64 " trace_cut=%d", l->trace,
		    l->trace_cut ? 1 : 0);
	return out_end(&o);
}

/* LOG's fields and their ranges, in the order they were always checked. */
static int
log_fields(struct ctl_msg *m, struct ctlmsg_log *l, char *status, size_t cap)
{
	uint64_t peer, cut = 0;

	if (ctl_get_u64(m, "run", 1, UINT64_MAX, 1, &l->run) < 0 ||
	    ctl_get_u64(m, "peer", 0, MSG_MAX_PEERS - 1, 1, &peer) < 0 ||
	    ctl_get_str(m, "order", 1, l->order, sizeof(l->order)) < 0 ||
	    ctl_get_str(m, "status", 1, status, cap) < 0 ||
	    ctl_get_u64(m, "count", 0, UINT32_MAX, 1, &l->count) < 0 ||
	    ctl_get_u64(m, "views", 0, CTLMSG_LOG_VIEWS_MAX, 0,
	    &l->views) < 0 ||
	    fields_parse(m, l, log_figures, NFIGURES) < 0 ||
	    fields_parse(m, l, log_usage, NUSAGE) < 0 ||
	    ctl_get_u64(m, "trace", 0, trace_capacity(TRACE_MAX,
	    MSG_MAX_PEERS), 0, &l->trace) < 0 ||
	    ctl_get_u64(m, "trace_cut", 0, 1, 0, &cut) < 0 ||
	    ctl_check_unused(m) < 0)
		return -1;
	l->peer = (unsigned)peer;
	l->traced = ctl_get(m, "trace") != NULL;
	l->trace_cut = cut == 1;
	return 0;
}

int
ctlmsg_log_parse(struct ctl_msg *m, struct ctlmsg_log *l)
{
	char status[16];

	memset(l, 0, sizeof(*l));
	if (log_fields(m, l, status, sizeof(status)) < 0)
		return -1;
	if (run_status_parse(status, &l->status) < 0 ||
	    l->status == RUN_STATUS_TIMEOUT) {
		snprintf(m->err, sizeof(m->err), "status must be ok, aborted, "
		    "excluded or failed");
		return -1;
	}
	if ((l->status == RUN_STATUS_FAILED) != (l->error[0] != '\0')) {
		snprintf(m->err, sizeof(m->err), "error= goes with "
		    "status=failed, and only with it");
		return -1;
	}
	field_untext(l->reason);	/* one field: '_' stood for ' ' */
	return 0;
}

bool
ctlmsg_is_ok(const char *line)
{
	return strncmp(line, "OK", 2) == 0 && (line[2] == '\0' ||
	    line[2] == ' ');
}

bool
ctlmsg_is_hello(const char *line)
{
	return strncmp(line, "HELLO ", 6) == 0;
}

const char *
ctlmsg_answer(const char *line, int len)
{
	return len < 0 ? "ERR 500 answer too long" : line;
}

const char *
ctlmsg_ok_text(const char *line)
{
	if (!ctlmsg_is_ok(line))
		return "";
	return line[2] == ' ' ? line + 3 : line + 2;
}

int
ctlmsg_ok_format(const char *text, char *buf, size_t cap)
{
	struct out o;

	out_init(&o, buf, cap);
	put(&o, "OK%s%s", text[0] ? " " : "", text);
	return out_end(&o);
}

int
ctlmsg_err_format(int code, const char *why, char *buf, size_t cap)
{
	struct out o;

	if (code < 100 || code > 599)
		return -1;
	out_init(&o, buf, cap);
	put(&o, "ERR %d %s", code, why);
	return out_end(&o);
}

int
ctlmsg_err_parse(const char *line)
{
	int code = 0, i;

	if (strncmp(line, "ERR ", 4) != 0)
		return -1;
	for (i = 4; i < 7; i++) {
		if (line[i] < '0' || line[i] > '9')
			return -1;
		code = code * 10 + (line[i] - '0');
	}
	if (code < 100 || (line[7] != '\0' && line[7] != ' '))
		return -1;
	return code;
}
