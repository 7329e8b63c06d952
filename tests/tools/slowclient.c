/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A test tool: sends control lines to HOST:PORT and prints every answer line
 * until the server closes or goes quiet (2 s).  Exit 0 when connected.
 *   mpctl [--key-file F] HOST:PORT LINE...
 *   mpctl HOST:PORT --idle SECONDS   connects, sends nothing; prints
 *                                    "closed by server" if it was dropped
 *   mpctl HOST:PORT --trickle SECONDS  sends one byte every 200 ms, never
 *                                    a newline; the same verdict
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mpcomm/auth.h"
#include "mpcomm/gmc.h"
#include "mpcomm/mptime.h"
#include "mpcomm/net.h"

int
main(int argc, char **argv)
{
	struct auth_key key;
	struct gmc_conn c;
	struct net_addr a;
	char line[8192];
	int i = 1;

	if (argc > 3 && strcmp(argv[1], "--key-file") == 0) {
		if (auth_load_key(argv[2], &key) < 0) {
			fprintf(stderr, "mpctl: bad key file %s\n", argv[2]);
			return 2;
		}
		i = 3;
	}
	if (argc - i < 2) {
		fprintf(stderr, "usage: mpctl [--key-file F] HOST:PORT "
		    "LINE...|--idle S\n");
		return 2;
	}
	if (net_resolve_hostport(argv[i], "5680", SOCK_STREAM, &a) < 0 ||
	    gmc_open(&c, &a, i == 3 ? &key : NULL, 5000) < 0) {
		fprintf(stderr, "mpctl: cannot connect to %s: %s\n", argv[i],
		    strerror(errno));
		return 1;
	}
	i++;
	if (strcmp(argv[i], "--idle") == 0 && i + 1 < argc) {
		c.timeout_ms = atoi(argv[i + 1]) * 1000;
		if (gmc_recv(&c, line, sizeof(line)) < 0 && errno == ECONNRESET)
			printf("closed by server\n");
		else
			printf("still open\n");
		gmc_close(&c);
		return 0;
	}
	if (strcmp(argv[i], "--trickle") == 0 && i + 1 < argc) {
		uint64_t end = mptime_now_us() + (uint64_t)atoi(argv[i + 1]) *
		    1000000;
		int closed = 0;

		while (!closed && mptime_now_us() < end) {
			if (send(c.fd, "L", 1, MSG_NOSIGNAL) < 0)
				closed = 1;
			mptime_sleep_us(200000);
		}
		c.timeout_ms = 100;
		if (closed || (gmc_recv(&c, line, sizeof(line)) < 0 &&
		    errno == ECONNRESET))
			printf("closed by server\n");
		else
			printf("still open\n");
		gmc_close(&c);
		return 0;
	}
	for (; i < argc; i++)
		if (gmc_send(&c, argv[i]) < 0)
			break;
	shutdown(c.fd, SHUT_WR);
	c.timeout_ms = 2000;
	while (gmc_recv(&c, line, sizeof(line)) >= 0)
		printf("%s\n", line);
	gmc_close(&c);
	return 0;
}
