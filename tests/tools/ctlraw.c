/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A test tool: sends control lines to HOST:PORT as given and prints every
 * answer line until the server closes or goes quiet (2 s).  Exit 0 when
 * connected.  Unlike mpctl(8) it can misbehave on purpose:
 *   ctlraw [--key-file F] HOST:PORT LINE...
 *       a LINE "raw:TEXT" sends TEXT as it is, without a MAC (forged LOG
 *       bodies); "hold:S" prints "holding" and keeps the connection open
 *       S seconds.  Clients that are too slow are tests/tools/slowclient.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mpcomm/auth.h"
#include "mpcomm/ctlc.h"
#include "mpcomm/mptime.h"
#include "mpcomm/net.h"

/* Sends one LINE as ctlraw understands it; -1 when the connection broke. */
static int
send_one(struct ctlc_conn *c, const char *arg)
{
	char line[8192];

	if (strncmp(arg, "hold:", 5) == 0) {
		printf("holding\n");
		fflush(stdout);
		mptime_sleep_us((uint64_t)atoi(arg + 5) * 1000000);
		return 0;
	}
	if (strncmp(arg, "raw:", 4) == 0) {
		snprintf(line, sizeof(line), "%s\n", arg + 4);
		return net_write_all(c->fd, line, strlen(line), 5000);
	}
	return ctlc_send(c, arg);
}

int
main(int argc, char **argv)
{
	struct auth_key key;
	struct ctlc_conn c;
	struct net_addr a;
	char line[8192];
	int i = 1;

	if (argc > 3 && strcmp(argv[1], "--key-file") == 0) {
		if (auth_load_key(argv[2], &key) < 0) {
			fprintf(stderr, "ctlraw: bad key file %s\n", argv[2]);
			return 2;
		}
		i = 3;
	}
	if (argc - i < 2) {
		fprintf(stderr, "usage: ctlraw [--key-file F] HOST:PORT "
		    "LINE...\n");
		return 2;
	}
	if (net_resolve_hostport(argv[i], "5680", SOCK_STREAM, &a) < 0 ||
	    ctlc_open(&c, &a, i == 3 ? &key : NULL, 5000) < 0) {
		fprintf(stderr, "ctlraw: cannot connect to %s: %s\n", argv[i],
		    strerror(errno));
		return 1;
	}
	for (i++; i < argc; i++)
		if (send_one(&c, argv[i]) < 0)
			break;
	shutdown(c.fd, SHUT_WR);
	c.timeout_ms = 2000;
	while (ctlc_recv(&c, line, sizeof(line)) >= 0)
		printf("%s\n", line);
	ctlc_close(&c);
	return 0;
}
