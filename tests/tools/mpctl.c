/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A test tool: sends control lines to HOST:PORT and prints every answer line
 * until the server closes or goes quiet (2 s).  Exit 0 when connected.
 *   mpctl HOST:PORT LINE...
 *   mpctl HOST:PORT --idle SECONDS   connects, sends nothing; prints
 *                                    "closed by server" if it was dropped
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mpcomm/net.h"

int
main(int argc, char **argv)
{
	struct net_addr a;
	struct net_reader r;
	char line[8192];
	int fd, i;

	if (argc < 3) {
		fprintf(stderr, "usage: mpctl HOST:PORT LINE...\n");
		return 2;
	}
	if (net_resolve_hostport(argv[1], "5680", SOCK_STREAM, &a) < 0 ||
	    (fd = net_connect_tcp(&a, 5000)) < 0) {
		fprintf(stderr, "mpctl: cannot connect to %s: %s\n", argv[1],
		    strerror(errno));
		return 1;
	}
	if (strcmp(argv[2], "--idle") == 0 && argc == 4) {
		net_reader_init(&r, fd);
		if (net_read_line(&r, line, sizeof(line),
		    atoi(argv[3]) * 1000) < 0 && errno == ECONNRESET)
			printf("closed by server\n");
		else
			printf("still open\n");
		close(fd);
		return 0;
	}
	for (i = 2; i < argc; i++) {
		if (net_write_all(fd, argv[i], strlen(argv[i]), 5000) < 0 ||
		    net_write_all(fd, "\n", 1, 5000) < 0)
			break;
	}
	shutdown(fd, SHUT_WR);
	net_reader_init(&r, fd);
	while (net_read_line(&r, line, sizeof(line), 2000) >= 0)
		printf("%s\n", line);
	close(fd);
	return 0;
}
