/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Membership: REGISTER (idempotent: same host and ports are listed once, and
 * the registration is refreshed), UNREGISTER, LIST, PING.  Members that stop
 * refreshing for the TTL expire, so a restarted manager relearns the group
 * from the peers' periodic registrations.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>

#include "mpcomm/ctlmsg.h"
#include "mpcomm/log.h"
#include "mpcomm/lsrv.h"
#include "mpcomm/mptime.h"
#include "registry.h"

static long
find(const struct registry *r, const struct ctlmsg_reg *x)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->m[i].udp == x->udp && r->m[i].ctl == x->ctl &&
		    strcmp(r->m[i].host, x->host) == 0)
			return (long)i;
	return -1;
}

static void
remove_at(struct registry *r, size_t i)
{
	/* Keep registration order: the comparison server numbers by it. */
	memmove(&r->m[i], &r->m[i + 1], (r->n - i - 1) * sizeof(r->m[0]));
	r->n--;
}

/* Sends one answer line, as formatted by ctlmsg (len -1: it did not fit). */
static int
answer(struct lsrv_conn *c, const char *line, int len)
{
	return lsrv_printf(c, "%s\n", ctlmsg_answer(line, len));
}

static int
answer_err(struct lsrv_conn *c, int code, const char *why)
{
	char line[CTL_LINE_MAX + 1];

	return answer(c, line, ctlmsg_err_format(code, why, line,
	    sizeof(line)));
}

static int
answer_members(struct lsrv_conn *c, bool has_index, size_t index, size_t n)
{
	struct ctlmsg_members r = { has_index, index, n };
	char line[CTL_LINE_MAX + 1];

	return answer(c, line, ctlmsg_members_format(&r, line, sizeof(line)));
}

/* REGISTER (refreshes a known member) and UNREGISTER. */
static int
reg_line(struct registry *r, struct lsrv_conn *c, struct ctl_msg *m,
    bool reg)
{
	struct ctlmsg_reg x;
	char why[240];
	long i;

	if (ctlmsg_reg_parse(m, &x) < 0) {
		log_warnx("%s: bad %s: %s", lsrv_peer(c), m->verb, m->err);
		return answer_err(c, 400, m->err);
	}
	/* Protected mode: no member the comparison server would send to
	 * beyond this host. */
	if (reg && r->loopback_only && !net_host_is_loopback(x.host)) {
		log_warnx("%s: REGISTER of %.64s refused: protected mode (not "
		    "a loopback address)", lsrv_peer(c), x.host);
		snprintf(why, sizeof(why), "protected mode: %.64s is not a "
		    "loopback address; give every program the same key "
		    "(mpctl keygen FILE, then -k FILE) or start the group "
		    "manager with --insecure", x.host);
		return answer_err(c, 403, why);
	}
	i = find(r, &x);
	if (!reg) {
		if (i < 0)
			return answer_err(c, 404, "not registered");
		remove_at(r, (size_t)i);
		log_info("unregistered %s udp=%u ctl=%u (members: %zu)",
		    x.host, x.udp, x.ctl, r->n);
		return answer_members(c, false, 0, r->n);
	}
	if (i < 0) {
		if (r->n == GM_MAX_MEMBERS) {
			log_warnx("%s: registry full", lsrv_peer(c));
			snprintf(why, sizeof(why), "registry full (%d members)",
			    GM_MAX_MEMBERS);
			return answer_err(c, 503, why);
		}
		i = (long)r->n++;
		memset(&r->m[i], 0, sizeof(r->m[i]));
		memcpy(r->m[i].host, x.host, sizeof(x.host));
		r->m[i].udp = x.udp;
		r->m[i].ctl = x.ctl;
		log_info("registered %s udp=%u ctl=%u (members: %zu)",
		    x.host, x.udp, x.ctl, r->n);
	}
	r->m[i].last_seen = mptime_now_us();
	return answer_members(c, true, (size_t)i, r->n);
}

/* LIST: the count, then one MEMBER line per member. */
static int
list_line(struct registry *r, struct lsrv_conn *c, struct ctl_msg *m)
{
	struct ctlmsg_reg x;
	char line[CTL_LINE_MAX + 1];
	size_t k;

	if (ctlmsg_bare_parse(m) < 0)
		return answer_err(c, 400, m->err);
	answer_members(c, false, 0, r->n);
	for (k = 0; k < r->n; k++) {
		memcpy(x.host, r->m[k].host, sizeof(x.host));
		x.udp = r->m[k].udp;
		x.ctl = r->m[k].ctl;
		answer(c, line, ctlmsg_reg_format(CTLMSG_MEMBER, &x, line,
		    sizeof(line)));
	}
	return 0;
}

/* STATUS: what this server is, how many members, how long they last. */
static int
status_line(struct registry *r, struct lsrv_conn *c, struct ctl_msg *m)
{
	char text[96], line[128];

	if (ctlmsg_bare_parse(m) < 0)
		return answer_err(c, 400, m->err);
	snprintf(text, sizeof(text), "role=group_manager members=%zu "
	    "ttl=%" PRIu64, r->n, r->ttl_us / 1000000);
	return answer(c, line, ctlmsg_ok_format(text, line, sizeof(line)));
}

int
registry_line(void *arg, struct lsrv_conn *c, char *line, size_t len)
{
	struct registry *r = arg;
	struct ctl_msg m;
	char why[64];

	switch (ctlmsg_read(line, len, &m)) {
	case -1:
		log_warnx("%s: bad request: %s", lsrv_peer(c), m.err);
		answer_err(c, 400, m.err);
		return -1;
	case CTLMSG_REGISTER:
		return reg_line(r, c, &m, true);
	case CTLMSG_UNREGISTER:
		return reg_line(r, c, &m, false);
	case CTLMSG_LIST:
		return list_line(r, c, &m);
	case CTLMSG_PING:
		return answer(c, why, ctlmsg_ok_format("pong", why,
		    sizeof(why)));
	case CTLMSG_STATUS:
		return status_line(r, c, &m);
	default:
		log_warnx("%s: unknown verb '%.32s'", lsrv_peer(c), m.verb);
		snprintf(why, sizeof(why), "unknown verb '%.32s'", m.verb);
		return answer_err(c, 400, why);
	}
}

void
registry_closed(void *arg, struct lsrv_conn *c, const char *why)
{
	(void)arg;
	/* Routine under load or abuse: not worth a warning each. */
	if (why && (strcmp(why, "idle timeout") == 0 ||
	    strcmp(why, "slot reclaimed") == 0 ||
	    strncmp(why, "no ", 3) == 0))
		log_debug("%s: dropped: %s", lsrv_peer(c), why);
	else if (why)
		log_warnx("%s: dropped: %s", lsrv_peer(c), why);
}

void
registry_expire(void *arg)
{
	struct registry *r = arg;
	uint64_t now = mptime_now_us();
	size_t i;

	if (r->ttl_us == 0)
		return;
	for (i = r->n; i-- > 0;) {
		if (now - r->m[i].last_seen <= r->ttl_us)
			continue;
		log_info("expired %s udp=%u ctl=%u: no registration for %llu s",
		    r->m[i].host, r->m[i].udp, r->m[i].ctl,
		    (unsigned long long)(r->ttl_us / 1000000));
		remove_at(r, i);
	}
}
