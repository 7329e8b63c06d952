/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The control client against a scripted line server: one request and its
 * answer, OK and ERR told apart, LIST parsed and a malformed one refused,
 * a keyed client on a keyed server, a LOG body and its END, and the errors
 * of a client whose key does not match the server's.
 */
#include <errno.h>
#include <string.h>

#include "mpcomm/ctl.h"
#include "mpcomm/ctlc.h"
#include "check.h"
#include "server.h"

#define TMO	2000

static void
request(const struct test_server *ts, const struct auth_key *key)
{
	char reply[CTL_LINE_MAX + 1];

	CHECK(ctlc_request(&ts->addr, key, "ECHO hi", reply, sizeof(reply),
	    TMO) == 0 && strcmp(reply, "OK hi") == 0);
	CHECK(ctlc_request(&ts->addr, key, "NOPE", reply, sizeof(reply),
	    TMO) == 1 && strncmp(reply, "ERR 400", 7) == 0);
}

static void
list(const struct test_server *ts, const struct auth_key *key)
{
	struct ctlc_member m[4];
	char reply[CTL_LINE_MAX + 1];

	CHECK(ctlc_list(&ts->addr, key, m, 4, reply, sizeof(reply), TMO) == 2);
	CHECK(strcmp(m[0].host, "10.0.0.1") == 0 && m[0].udp == 6789 &&
	    m[0].ctl == 5679);
	CHECK(strcmp(m[1].host, "::1") == 0 && m[1].udp == 1 && m[1].ctl == 2);
	/* More members than room: counted only up to max. */
	CHECK(ctlc_list(&ts->addr, key, m, 1, reply, sizeof(reply), TMO) == 1);
}

/* A malformed LIST answer, or an ERR: EPROTO, and reply says which. */
static void
bad_list(struct test_server *ts)
{
	struct ctlc_member m[4];
	char reply[CTL_LINE_MAX + 1];

	atomic_store(&ts->list_answer, 1);
	errno = 0;
	CHECK(ctlc_list(&ts->addr, NULL, m, 4, reply, sizeof(reply), TMO) < 0 &&
	    errno == EPROTO && strcmp(reply, "malformed LIST answer") == 0);
	atomic_store(&ts->list_answer, 2);
	errno = 0;
	CHECK(ctlc_list(&ts->addr, NULL, m, 4, reply, sizeof(reply), TMO) < 0 &&
	    errno == EPROTO && strcmp(reply, "ERR 503 busy") == 0);
	atomic_store(&ts->list_answer, 0);
}

/* A LOG body of n lines and its END; the answer's line in reply. */
static int
send_log(const struct test_server *ts, const struct auth_key *key,
    unsigned n, char *reply, size_t cap)
{
	struct ctlc_conn c;
	unsigned i;
	int rc = 0;

	if (ctlc_open(&c, &ts->addr, key, TMO) < 0)
		return -1;
	rc |= ctlc_send(&c, "LOG");
	for (i = 0; i < n; i++)
		rc |= ctlc_send_body(&c, "0 1 1\n0 2 2\n", 12);
	rc |= ctlc_send_end(&c);
	if (rc == 0 && ctlc_recv(&c, reply, cap) < 0)
		rc = -1;
	ctlc_close(&c);
	return rc;
}

static void
log_body(const struct test_server *ts, const struct auth_key *key)
{
	char reply[CTL_LINE_MAX + 1];

	CHECK(send_log(ts, key, 3, reply, sizeof(reply)) == 0 &&
	    strcmp(reply, "OK received=6") == 0);
	CHECK(send_log(ts, key, 0, reply, sizeof(reply)) == 0 &&
	    strcmp(reply, "OK received=0") == 0);
}

/* A keyed server refuses an unkeyed or wrongly keyed client. */
static void
wrong_keys(const struct test_server *ts, const struct auth_key *other)
{
	char reply[CTL_LINE_MAX + 1];

	/* Unkeyed: the first line it reads is the server's greeting. */
	CHECK(ctlc_request(&ts->addr, NULL, "ECHO hi", reply, sizeof(reply),
	    TMO) == 1 && strncmp(reply, "HELLO nonce=", 12) == 0);
	CHECK(ctlc_request(&ts->addr, other, "ECHO hi", reply, sizeof(reply),
	    TMO) == 1 && strncmp(reply, "ERR 401", 7) == 0);
	CHECK(send_log(ts, other, 1, reply, sizeof(reply)) != 0 ||
	    strncmp(reply, "ERR 401", 7) == 0);
}

/* A keyed client on a server that does not greet: it gives up. */
static void
no_greeting(const struct test_server *plain, const struct auth_key *key)
{
	struct ctlc_conn c;

	CHECK(ctlc_open(&c, &plain->addr, key, 300) < 0);
}

int
main(void)
{
	struct test_server plain, keyed;
	struct auth_key key = { .len = 32 }, other = { .len = 32 };

	memset(key.k, 1, key.len);
	memset(other.k, 2, other.len);
	CHECK(test_server_start(&plain, NULL, 5000, 16) == 0);
	CHECK(test_server_start(&keyed, &key, 5000, 16) == 0);
	request(&plain, NULL);
	list(&plain, NULL);
	bad_list(&plain);
	log_body(&plain, NULL);
	request(&keyed, &key);
	list(&keyed, &key);
	log_body(&keyed, &key);
	wrong_keys(&keyed, &other);
	no_greeting(&plain, &key);
	test_server_stop(&plain);
	test_server_stop(&keyed);
	CHECK_DONE("test_ctlc");
}
