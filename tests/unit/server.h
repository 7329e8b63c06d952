/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A line server (lsrv) on 127.0.0.1 in a thread of its own, for the unit
 * tests of the server and of the control client: it answers scripted
 * requests (see test_line()), so each test can look at one side.
 */
#ifndef TEST_SERVER_H
#define TEST_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mpcomm/lsrv.h"
#include "mpcomm/net.h"

struct test_server {
	int		 fd;
	struct net_addr	 addr;
	struct lsrv	*srv;
	pthread_t	 t;
	unsigned	 body_lines;	/* LOG body lines seen (server thread) */
	atomic_int	 list_answer;	/* 0 good, 1 malformed, 2 ERR */
};

/*
 * The server's protocol: "ECHO x" -> "OK x"; "LOG" starts a body and
 * counts its lines, its END -> "OK received=N"; "LIST" -> two members (or
 * as list_answer says, a malformed answer or an ERR); "QUIT" -> "OK bye"
 * and close; anything else -> "ERR 400 unknown".
 */
static int
test_line(void *arg, struct lsrv_conn *c, char *line, size_t len)
{
	struct test_server *ts = arg;

	(void)len;
	if (lsrv_get_data(c)) {			/* inside a LOG body */
		if (strcmp(line, "END") != 0) {
			ts->body_lines++;
			return 0;
		}
		lsrv_set_data(c, NULL);
		return lsrv_printf(c, "OK received=%u\n", ts->body_lines);
	}
	if (strncmp(line, "ECHO ", 5) == 0)
		return lsrv_printf(c, "OK %s\n", line + 5);
	if (strcmp(line, "LOG") == 0) {
		ts->body_lines = 0;
		lsrv_set_data(c, ts);
		lsrv_body_begin(c);
		return 0;
	}
	if (strcmp(line, "LIST") == 0 && atomic_load(&ts->list_answer) == 1)
		return lsrv_printf(c, "OK members=1\nMEMBER host=x udp=0\n");
	if (strcmp(line, "LIST") == 0 && atomic_load(&ts->list_answer) == 2)
		return lsrv_printf(c, "ERR 503 busy\n");
	if (strcmp(line, "LIST") == 0)
		return lsrv_printf(c, "OK members=2\n"
		    "MEMBER host=10.0.0.1 udp=6789 ctl=5679\n"
		    "MEMBER host=::1 udp=1 ctl=2\n");
	if (strcmp(line, "QUIT") == 0) {
		(void)lsrv_printf(c, "OK bye\n");
		return -1;
	}
	return lsrv_printf(c, "ERR 400 unknown\n");
}

static void *
test_server_main(void *arg)
{
	struct test_server *ts = arg;

	(void)lsrv_run(ts->srv);
	return NULL;
}

/* Starts a server of at most maxc clients, keyed when key is not NULL. */
static int
test_server_start(struct test_server *ts, const struct auth_key *key,
    int idle_ms, size_t maxc)
{
	static const struct lsrv_ops ops = { .line = test_line };

	memset(ts, 0, sizeof(*ts));
	if ((ts->fd = net_listen_tcp("127.0.0.1", "0", 16, &ts->addr)) < 0 ||
	    !(ts->srv = lsrv_create(&ts->fd, 1, &ops, ts, idle_ms, maxc)))
		return -1;
	lsrv_set_key(ts->srv, key);
	return pthread_create(&ts->t, NULL, test_server_main, ts) ? -1 : 0;
}

static void
test_server_stop(struct test_server *ts)
{
	lsrv_stop(ts->srv);
	pthread_join(ts->t, NULL);
	lsrv_destroy(ts->srv);
	close(ts->fd);
}

#endif
