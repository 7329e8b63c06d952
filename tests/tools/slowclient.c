/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A test tool: a client that is too slow for a control server.
 *   slowclient HOST:PORT idle SECONDS     connects, sends nothing
 *   slowclient HOST:PORT trickle SECONDS  sends one byte every 200 ms,
 *                                         never a newline
 * Prints "closed by server" if the server dropped it, else "still open".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mpcomm/ctl.h"
#include "mpcomm/ctlc.h"
#include "mpcomm/mptime.h"
#include "mpcomm/net.h"

/* Sends a byte every 200 ms for secs; 1 if the server closed meanwhile. */
static int
trickle(struct ctlc_conn *c, uint64_t secs)
{
	uint64_t end = mptime_now_us() + secs * 1000000;

	while (mptime_now_us() < end) {
		if (send(c->fd, "L", 1, MSG_NOSIGNAL) < 0)
			return 1;
		mptime_sleep_us(200000);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct ctlc_conn c;
	struct net_addr a;
	char line[8192];
	uint64_t secs;
	int closed = 0;

	if (argc != 4 || ctl_parse_u64(argv[3], 0, 3600, &secs) < 0 ||
	    (strcmp(argv[2], "idle") != 0 && strcmp(argv[2], "trickle") != 0)) {
		fprintf(stderr, "usage: slowclient HOST:PORT idle|trickle "
		    "SECONDS\n");
		return 2;
	}
	if (net_resolve_hostport(argv[1], "5680", SOCK_STREAM, &a) < 0 ||
	    ctlc_open(&c, &a, NULL, 5000) < 0) {
		fprintf(stderr, "slowclient: cannot connect to %s: %s\n",
		    argv[1], strerror(errno));
		return 3;
	}
	if (strcmp(argv[2], "idle") == 0) {
		c.timeout_ms = (int)secs * 1000;
	} else {
		closed = trickle(&c, secs);
		c.timeout_ms = 100;
	}
	if (closed || (ctlc_recv(&c, line, sizeof(line)) < 0 &&
	    errno == ECONNRESET))
		printf("closed by server\n");
	else
		printf("still open\n");
	ctlc_close(&c);
	return 0;
}
