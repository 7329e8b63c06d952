/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Membership: REGISTER (idempotent: same host and ports are listed once, and
 * the registration is refreshed), UNREGISTER, LIST, PING.  Members that stop
 * refreshing for the TTL expire, so a restarted manager relearns the group
 * from the peers' periodic registrations.
 */
#include <stdio.h>
#include <string.h>

#include "mpcomm/ctl.h"
#include "mpcomm/log.h"
#include "mpcomm/lsrv.h"
#include "mpcomm/mptime.h"
#include "registry.h"

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

static int
parse_member(struct ctl_msg *m, struct member *out)
{
	uint64_t udp, ctl;

	if (ctl_get_str(m, "host", 1, out->host, sizeof(out->host)) < 0 ||
	    ctl_get_u64(m, "udp", 1, 65535, 1, &udp) < 0 ||
	    ctl_get_u64(m, "ctl", 1, 65535, 1, &ctl) < 0 ||
	    ctl_check_unused(m) < 0)
		return -1;
	if (!host_ok(out->host)) {
		snprintf(m->err, sizeof(m->err), "host contains characters "
		    "that are not in a host name or address");
		return -1;
	}
	out->udp = (uint16_t)udp;
	out->ctl = (uint16_t)ctl;
	return 0;
}

static long
find(const struct registry *r, const struct member *x)
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

int
registry_line(void *arg, struct lsrv_conn *c, char *line, size_t len)
{
	struct registry *r = arg;
	struct member x;
	struct ctl_msg m;
	long i;
	size_t k;

	if (ctl_parse(line, len, &m) < 0) {
		log_warnx("%s: bad request: %s", lsrv_peer(c), m.err);
		lsrv_printf(c, "ERR 400 %s\n", m.err);
		return -1;
	}
	if (strcmp(m.verb, "REGISTER") == 0 ||
	    strcmp(m.verb, "UNREGISTER") == 0) {
		int reg = m.verb[0] == 'R';

		memset(&x, 0, sizeof(x));
		if (parse_member(&m, &x) < 0) {
			log_warnx("%s: bad %s: %s", lsrv_peer(c), m.verb, m.err);
			return lsrv_printf(c, "ERR 400 %s\n", m.err);
		}
		i = find(r, &x);
		if (!reg) {
			if (i < 0)
				return lsrv_printf(c, "ERR 404 not registered\n");
			remove_at(r, (size_t)i);
			log_info("unregistered %s udp=%u ctl=%u (members: %zu)",
			    x.host, x.udp, x.ctl, r->n);
			return lsrv_printf(c, "OK members=%zu\n", r->n);
		}
		if (i < 0) {
			if (r->n == GM_MAX_MEMBERS) {
				log_warnx("%s: registry full", lsrv_peer(c));
				return lsrv_printf(c, "ERR 503 registry full "
				    "(%d members)\n", GM_MAX_MEMBERS);
			}
			i = (long)r->n++;
			r->m[i] = x;
			log_info("registered %s udp=%u ctl=%u (members: %zu)",
			    x.host, x.udp, x.ctl, r->n);
		}
		r->m[i].last_seen = mptime_now_us();
		return lsrv_printf(c, "OK index=%ld members=%zu\n", i, r->n);
	}
	if (strcmp(m.verb, "LIST") == 0) {
		if (ctl_check_unused(&m) < 0)
			return lsrv_printf(c, "ERR 400 %s\n", m.err);
		lsrv_printf(c, "OK members=%zu\n", r->n);
		for (k = 0; k < r->n; k++)
			lsrv_printf(c, "MEMBER host=%s udp=%u ctl=%u\n",
			    r->m[k].host, r->m[k].udp, r->m[k].ctl);
		return 0;
	}
	if (strcmp(m.verb, "PING") == 0)
		return lsrv_printf(c, "OK pong\n");
	log_warnx("%s: unknown verb '%.32s'", lsrv_peer(c), m.verb);
	return lsrv_printf(c, "ERR 400 unknown verb '%.32s'\n", m.verb);
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
