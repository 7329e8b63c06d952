/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The line server from raw sockets: answers in order to lines that arrive
 * together or byte by byte, a line too long, a client that closes after
 * its answer, the idle timeout, authentication (a line without or with a
 * wrong MAC, a forged END of a body), and a slot reclaimed for a newcomer.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "mpcomm/ctl.h"
#include "mpcomm/ctlc.h"
#include "check.h"
#include "server.h"

#define TMO	2000

struct raw {
	int		 fd;
	struct net_reader rd;
};

static int
raw_open(struct raw *r, const struct test_server *ts)
{
	if ((r->fd = net_connect_tcp(&ts->addr, TMO)) < 0)
		return -1;
	net_reader_init(&r->rd, r->fd);
	return 0;
}

static int
raw_write(struct raw *r, const char *s)
{
	return net_write_all(r->fd, s, strlen(s), TMO);
}

/* The next line from the server, "" when it closed, "?" on a timeout. */
static const char *
raw_line(struct raw *r, int timeout_ms)
{
	static char line[2 * CTL_LINE_MAX];

	if (net_read_line(&r->rd, line, sizeof(line), timeout_ms) >= 0)
		return line;
	return errno == ECONNRESET ? "" : "?";
}

static void
pipelined(const struct test_server *ts)
{
	struct raw r;
	const char *p;

	CHECK(raw_open(&r, ts) == 0);
	CHECK(raw_write(&r, "ECHO a\nECHO b\nEC") == 0);
	CHECK(strcmp(raw_line(&r, TMO), "OK a") == 0);
	CHECK(strcmp(raw_line(&r, TMO), "OK b") == 0);
	for (p = "HO c\n"; *p; p++) {
		char ch[2] = { *p, '\0' };

		CHECK(raw_write(&r, ch) == 0);
	}
	CHECK(strcmp(raw_line(&r, TMO), "OK c") == 0);
	CHECK(raw_write(&r, "QUIT\nECHO never\n") == 0);
	CHECK(strcmp(raw_line(&r, TMO), "OK bye") == 0);
	CHECK(strcmp(raw_line(&r, TMO), "") == 0);	/* closed after it */
	close(r.fd);
}

static void
too_long(const struct test_server *ts)
{
	char line[CTL_LINE_MAX + 3];
	struct raw r;

	memset(line, 'x', sizeof(line) - 2);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = '\0';
	CHECK(raw_open(&r, ts) == 0);
	CHECK(raw_write(&r, line) == 0);
	CHECK(strcmp(raw_line(&r, TMO), "ERR 400 line longer than 1024 "
	    "bytes") == 0);
	CHECK(strcmp(raw_line(&r, TMO), "") == 0);
	close(r.fd);
}

/* Silent clients are dropped; one that asked in time is answered. */
static void
idle(const struct test_server *ts)
{
	struct raw r;

	CHECK(raw_open(&r, ts) == 0);
	CHECK(strcmp(raw_line(&r, 3000), "") == 0);
	close(r.fd);
}

/* Lines without a MAC, or with another connection's, are refused. */
static void
unauthenticated(const struct test_server *ts, const struct auth_key *key)
{
	char nonce[AUTH_NONCE_HEX + 1], mac[AUTH_MAC_HEX + 1], line[200];
	struct raw r;
	const char *hello;

	CHECK(raw_open(&r, ts) == 0);
	hello = raw_line(&r, TMO);
	CHECK(strncmp(hello, "HELLO nonce=", 12) == 0);
	CHECK(raw_write(&r, "ECHO a\n") == 0);
	CHECK(strcmp(raw_line(&r, TMO), "ERR 401 authentication failed") == 0);
	CHECK(strcmp(raw_line(&r, TMO), "") == 0);
	close(r.fd);

	/* A MAC made for a nonce of our own choosing. */
	memset(nonce, 'a', AUTH_NONCE_HEX);
	nonce[AUTH_NONCE_HEX] = '\0';
	auth_line_mac(key, nonce, "ECHO a", 6, mac);
	snprintf(line, sizeof(line), "ECHO a mac=%s\n", mac);
	CHECK(raw_open(&r, ts) == 0);
	(void)raw_line(&r, TMO);
	CHECK(raw_write(&r, line) == 0);
	CHECK(strncmp(raw_line(&r, TMO), "ERR 401", 7) == 0);
	close(r.fd);
}

/* A body whose END carries no MAC never completes. */
static void
forged_end(const struct test_server *ts, const struct auth_key *key)
{
	struct ctlc_conn c;
	char reply[CTL_LINE_MAX + 1];

	CHECK(ctlc_open(&c, &ts->addr, key, TMO) == 0);
	CHECK(ctlc_send(&c, "LOG") == 0);
	CHECK(ctlc_send_body(&c, "0 1 1\n", 6) == 0);
	CHECK(net_write_all(c.fd, "END\n", 4, TMO) == 0);
	CHECK(ctlc_recv(&c, reply, sizeof(reply)) > 0 &&
	    strcmp(reply, "ERR 401 authentication failed") == 0);
	ctlc_close(&c);
}

/* Two slots held by silent clients: a third takes the oldest one's. */
static void
reclaim(const struct test_server *ts)
{
	struct raw a, b, n;

	CHECK(raw_open(&a, ts) == 0);
	usleep(50000);
	CHECK(raw_open(&b, ts) == 0);
	usleep(50000);
	CHECK(raw_open(&n, ts) == 0);
	CHECK(strcmp(raw_line(&a, TMO), "ERR 503 slot reclaimed for a new "
	    "client") == 0);
	CHECK(raw_write(&n, "ECHO in\n") == 0);
	CHECK(strcmp(raw_line(&n, TMO), "OK in") == 0);
	close(a.fd);
	close(b.fd);
	close(n.fd);
}

/*
 * With a key: a client that CLAIMs its slot first keeps it while unproven
 * newcomers churn (they reclaim each other's); a forged CLAIM is refused,
 * and a server without a key says it has none.
 */
static void
claimed(const struct test_server *ts, const struct test_server *plain,
    const struct auth_key *key)
{
	char claim[AUTH_CLAIM_LEN + 2], other[AUTH_CLAIM_LEN + 2];
	struct auth_key wrong = *key;
	struct raw c, s[4];
	size_t i;

	CHECK(auth_claim_line(key, claim) == 0);
	CHECK(auth_claim_check(key, claim, strlen(claim)));
	claim[AUTH_CLAIM_LEN] = '\n';
	claim[AUTH_CLAIM_LEN + 1] = '\0';
	CHECK(raw_open(&c, ts) == 0);
	CHECK(raw_write(&c, claim) == 0);
	CHECK(strncmp(raw_line(&c, TMO), "HELLO nonce=", 12) == 0);
	for (i = 0; i < 4; i++) {		/* two slots, four strangers */
		CHECK(raw_open(&s[i], ts) == 0);
		CHECK(strncmp(raw_line(&s[i], TMO), "HELLO", 5) == 0);
	}
	for (i = 0; i < 3; i++)
		CHECK(strcmp(raw_line(&s[i], TMO), "ERR 503 slot reclaimed "
		    "for a new client") == 0);
	CHECK(raw_write(&c, "QUIT\n") == 0);	/* still there: no MAC */
	CHECK(strcmp(raw_line(&c, TMO), "ERR 401 authentication failed") ==
	    0);
	close(c.fd);
	for (i = 0; i < 4; i++)
		close(s[i].fd);

	wrong.k[0] ^= 1;
	CHECK(auth_claim_line(&wrong, other) == 0);
	CHECK(!auth_claim_check(key, other, strlen(other)));
	other[AUTH_CLAIM_LEN] = '\n';
	other[AUTH_CLAIM_LEN + 1] = '\0';
	CHECK(raw_open(&c, ts) == 0);
	(void)raw_line(&c, TMO);
	CHECK(raw_write(&c, other) == 0);
	CHECK(strcmp(raw_line(&c, TMO), "ERR 401 authentication failed") ==
	    0);
	close(c.fd);

	CHECK(raw_open(&c, plain) == 0);
	CHECK(raw_write(&c, claim) == 0);
	CHECK(strcmp(raw_line(&c, TMO), "ERR 401 this server has no key: "
	    "ask it without one") == 0);
	close(c.fd);

	/* Both slots claimed, each waiting for its request: a stranger is
	 * turned away, and neither loses its slot (the longest idle did). */
	CHECK(raw_open(&s[0], ts) == 0);
	CHECK(raw_write(&s[0], claim) == 0);
	CHECK(strncmp(raw_line(&s[0], TMO), "HELLO nonce=", 12) == 0);
	CHECK(raw_open(&s[1], ts) == 0);
	CHECK(raw_write(&s[1], claim) == 0);
	CHECK(strncmp(raw_line(&s[1], TMO), "HELLO nonce=", 12) == 0);
	CHECK(raw_open(&c, ts) == 0);
	CHECK(strcmp(raw_line(&c, TMO), "ERR 503 too many connections") == 0);
	close(c.fd);
	for (i = 0; i < 2; i++) {
		CHECK(raw_write(&s[i], "QUIT\n") == 0);
		CHECK(strcmp(raw_line(&s[i], TMO), "ERR 401 authentication "
		    "failed") == 0);
		close(s[i].fd);
	}
}

int
main(void)
{
	struct test_server plain, keyed, small, small_keyed;
	struct auth_key key = { .len = 16 };

	memset(key.k, 9, key.len);
	CHECK(test_server_start(&plain, NULL, 1000, 16) == 0);
	CHECK(test_server_start(&keyed, &key, 5000, 16) == 0);
	CHECK(test_server_start(&small, NULL, 5000, 2) == 0);
	CHECK(test_server_start(&small_keyed, &key, 5000, 2) == 0);
	pipelined(&plain);
	too_long(&plain);
	idle(&plain);
	unauthenticated(&keyed, &key);
	forged_end(&keyed, &key);
	reclaim(&small);
	claimed(&small_keyed, &plain, &key);
	test_server_stop(&plain);
	test_server_stop(&small_keyed);
	test_server_stop(&keyed);
	test_server_stop(&small);
	CHECK_DONE("test_lsrv");
}
