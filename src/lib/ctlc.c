/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Control-protocol client: one connection per request, every step bounded by
 * the caller's timeout, every message spelled and read by ctlmsg, and with a
 * key every line authenticated against the server's nonce, after a CLAIM
 * that keeps the connection's slot until the first request gets there.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mpcomm/ctl.h"
#include "mpcomm/ctlc.h"
#include "mpcomm/ctlmsg.h"

int
ctlc_open(struct ctlc_conn *c, const struct net_addr *a,
    const struct auth_key *key, int timeout_ms)
{
	char line[CTL_LINE_MAX + 1], claim[AUTH_CLAIM_LEN + 2];
	struct ctl_msg m;
	int e;

	c->key = key;
	c->timeout_ms = timeout_ms;
	c->body.open = false;
	c->nonce[0] = '\0';
	c->greeting[0] = '\0';
	if ((c->fd = net_connect_tcp(a, timeout_ms)) < 0)
		return -1;
	net_reader_init(&c->rd, c->fd);
	if (!key)
		return 0;
	/* Sent at once, before the nonce: a stranger from our address who
	 * churns connections cannot reclaim the slot in that round trip. */
	if (auth_claim_line(key, claim) < 0)
		goto fail;
	claim[AUTH_CLAIM_LEN] = '\n';
	if (net_write_all(c->fd, claim, AUTH_CLAIM_LEN + 1, timeout_ms) < 0 ||
	    net_read_line(&c->rd, line, sizeof(line), timeout_ms) < 0)
		goto fail;
	if (ctlmsg_read(line, strlen(line), &m) != CTLMSG_HELLO ||
	    ctl_get_str(&m, "nonce", 1, c->nonce, sizeof(c->nonce)) < 0) {
		snprintf(c->greeting, sizeof(c->greeting), "%s", line);
		errno = EPROTO;
		goto fail;
	}
	return 0;
fail:
	e = errno;
	close(c->fd);
	c->fd = -1;
	errno = e;
	return -1;
}

int
ctlc_send(struct ctlc_conn *c, const char *line)
{
	char buf[CTL_LINE_MAX + AUTH_MAC_HEX + 8];
	char mac[AUTH_MAC_HEX + 1];
	size_t len = strlen(line);
	int n;

	if (c->key) {
		auth_line_mac(c->key, c->nonce, line, len, mac);
		n = snprintf(buf, sizeof(buf), "%s mac=%s\n", line, mac);
	} else {
		n = snprintf(buf, sizeof(buf), "%s\n", line);
	}
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		errno = EMSGSIZE;
		return -1;
	}
	return net_write_all(c->fd, buf, (size_t)n, c->timeout_ms);
}

int
ctlc_send_body(struct ctlc_conn *c, const char *data, size_t len)
{
	if (!c->body.open)
		ctlbody_begin(&c->body, c->key, c->nonce);
	ctlbody_add(&c->body, data, len);
	return net_write_all(c->fd, data, len, c->timeout_ms);
}

int
ctlc_send_end(struct ctlc_conn *c)
{
	char out[CTLBODY_END_MAX];
	size_t n;

	if (!c->body.open)		/* an empty body */
		ctlbody_begin(&c->body, c->key, c->nonce);
	n = ctlbody_end(&c->body, out, sizeof(out));
	return net_write_all(c->fd, out, n, c->timeout_ms);
}

long
ctlc_recv(struct ctlc_conn *c, char *line, size_t cap)
{
	return net_read_line(&c->rd, line, cap, c->timeout_ms);
}

void
ctlc_close(struct ctlc_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

int
ctlc_request(const struct net_addr *a, const struct auth_key *key,
    const char *line, char *reply, size_t cap, int timeout_ms)
{
	struct ctlc_conn c;
	int e;

	if (ctlc_open(&c, a, key, timeout_ms) < 0)
		return -1;
	if (ctlc_send(&c, line) < 0 || ctlc_recv(&c, reply, cap) < 0) {
		e = errno;
		ctlc_close(&c);
		errno = e;
		return -1;
	}
	ctlc_close(&c);
	return ctlmsg_is_ok(reply) ? 0 : 1;
}

/* REGISTER or UNREGISTER host udp ctl. */
static int
reg_request(enum ctlmsg_verb v, const struct net_addr *gm,
    const struct auth_key *key, const char *host, uint16_t udp,
    uint16_t ctl, char *reply, size_t cap, int timeout_ms)
{
	struct ctlmsg_reg r;
	char line[CTL_LINE_MAX + 1];

	if (snprintf(r.host, sizeof(r.host), "%s", host) >=
	    (int)sizeof(r.host)) {
		errno = EMSGSIZE;
		return -1;
	}
	r.udp = udp;
	r.ctl = ctl;
	if (ctlmsg_reg_format(v, &r, line, sizeof(line)) < 0) {
		errno = EMSGSIZE;
		return -1;
	}
	return ctlc_request(gm, key, line, reply, cap, timeout_ms);
}

int
ctlc_register(const struct net_addr *gm, const struct auth_key *key,
    const char *host, uint16_t udp, uint16_t ctl, char *reply, size_t cap,
    int timeout_ms)
{
	return reg_request(CTLMSG_REGISTER, gm, key, host, udp, ctl, reply,
	    cap, timeout_ms);
}

int
ctlc_local_host(const struct net_addr *gm, const struct auth_key *key,
    char *host, size_t cap, int timeout_ms)
{
	struct ctlc_conn c;
	int rc, e;

	if (ctlc_open(&c, gm, key, timeout_ms) < 0)
		return -1;
	rc = net_local_host(c.fd, host, cap);
	e = errno;
	ctlc_close(&c);
	errno = e;
	return rc;
}

int
ctlc_unregister(const struct net_addr *gm, const struct auth_key *key,
    const char *host, uint16_t udp, uint16_t ctl, int timeout_ms)
{
	char reply[CTL_LINE_MAX];

	return reg_request(CTLMSG_UNREGISTER, gm, key, host, udp, ctl, reply,
	    sizeof(reply), timeout_ms);
}

long
ctlc_list(const struct net_addr *gm, const struct auth_key *key,
    struct ctlc_member *out, size_t max, char *reply, size_t cap,
    int timeout_ms)
{
	struct ctlc_conn c;
	struct ctlmsg_members count;
	struct ctl_msg m;
	size_t i, got = 0;
	char line[CTL_LINE_MAX + 1];
	int e;

	if (ctlc_open(&c, gm, key, timeout_ms) < 0)
		return -1;
	if (ctlmsg_bare_format(CTLMSG_LIST, line, sizeof(line)) < 0 ||
	    ctlc_send(&c, line) < 0 || ctlc_recv(&c, reply, cap) < 0)
		goto neterr;
	if (ctlmsg_read(reply, strlen(reply), &m) != CTLMSG_OK ||
	    ctlmsg_members_parse(&m, &count) < 0)
		goto proto;
	for (i = 0; i < count.members; i++) {
		struct ctlmsg_reg x;

		if (ctlc_recv(&c, line, sizeof(line)) < 0)
			goto neterr;
		if (ctlmsg_read(line, strlen(line), &m) != CTLMSG_MEMBER ||
		    ctlmsg_reg_parse(&m, &x) < 0)
			goto proto;
		if (got < max) {
			memcpy(out[got].host, x.host, sizeof(x.host));
			out[got].udp = x.udp;
			out[got++].ctl = x.ctl;
		}
	}
	ctlc_close(&c);
	return (long)got;
proto:
	ctlc_close(&c);
	if (ctlmsg_is_hello(reply))
		snprintf(reply, cap, "the group manager authenticates its "
		    "clients: give -k KEY-FILE");
	else if (strncmp(reply, "ERR", 3) != 0)
		snprintf(reply, cap, "malformed LIST answer");
	errno = EPROTO;
	return -1;
neterr:
	e = errno;
	ctlc_close(&c);
	errno = e;
	return -1;
}
