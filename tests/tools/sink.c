/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A test tool: a listener on 127.0.0.1 that counts what it is sent, for the
 * tests that a peer is no reflector and sends no file it should not.
 *   sink udp|tcp SECONDS [--out FILE] [--say TEXT] [--slow MS]
 * Prints "port P" once it listens, then after SECONDS "bytes N".  TCP takes
 * one connection at a time, appends what it reads to FILE (as it comes,
 * for a test to read meanwhile), and with --say answers each connection
 * with TEXT, one byte every MS ms (a slow server).
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mpcomm/ctl.h"
#include "mpcomm/mptime.h"

static int
listen_on(int type, unsigned *port)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd;

	if ((fd = socket(AF_INET, type, 0)) < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 16) < 0) ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

int
main(int argc, char **argv)
{
	const char *out = NULL, *say = NULL;
	uint64_t secs, slow = 0, end, bytes = 0, next = 0;
	size_t said = 0;
	unsigned port;
	char buf[65536];
	int fd, c = -1, i, tcp, eof = 0;
	FILE *f = NULL;

	if (argc < 3 || ctl_parse_u64(argv[2], 1, 3600, &secs) < 0 ||
	    (strcmp(argv[1], "udp") != 0 && strcmp(argv[1], "tcp") != 0))
		goto usage;
	for (i = 3; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--out") == 0)
			out = argv[i + 1];
		else if (strcmp(argv[i], "--say") == 0)
			say = argv[i + 1];
		else if (strcmp(argv[i], "--slow") != 0 ||
		    ctl_parse_u64(argv[i + 1], 0, 60000, &slow) < 0)
			goto usage;
	}
	if (i != argc)
		goto usage;
	tcp = argv[1][0] == 't';
	if ((fd = listen_on(tcp ? SOCK_STREAM : SOCK_DGRAM, &port)) < 0) {
		perror("sink: listen");
		return 1;
	}
	if (out && !(f = fopen(out, "a"))) {
		perror(out);
		return 1;
	}
	printf("port %u\n", port);
	fflush(stdout);
	end = mptime_now_us() + secs * 1000000;
	while (mptime_now_us() < end) {
		struct pollfd p = { .fd = c >= 0 ? c : fd, .events = POLLIN };
		ssize_t n;

		if (c >= 0 && say && say[said] && mptime_now_us() >= next) {
			size_t k = slow ? 1 : strlen(say + said);
			ssize_t w = send(c, say + said, k, MSG_NOSIGNAL);

			said += w > 0 ? (size_t)w : 0;
			next = mptime_now_us() + slow * 1000;
		}
		/* A client that is done sending may still be listening. */
		if (c >= 0 && eof) {
			if (!say || !say[said]) {
				close(c);
				c = -1;
			}
			mptime_sleep_us(slow ? 1000 : 20000);
			continue;
		}
		if (poll(&p, 1, 20) <= 0)
			continue;
		if (tcp && c < 0) {
			c = accept(fd, NULL, NULL);
			said = next = 0;
			eof = 0;
			continue;
		}
		n = recv(c >= 0 ? c : fd, buf, sizeof(buf), 0);
		if (n > 0) {
			bytes += (uint64_t)n;
			/* At once: a test reads it while we run. */
			if (f) {
				fwrite(buf, 1, (size_t)n, f);
				fflush(f);
			}
		} else if (c >= 0 && (n == 0 || errno != EINTR)) {
			eof = 1;
		}
	}
	if (f)
		fclose(f);
	printf("bytes %llu\n", (unsigned long long)bytes);
	return 0;
usage:
	fprintf(stderr, "usage: sink udp|tcp SECONDS [--out FILE] "
	    "[--say TEXT] [--slow MS]\n");
	return 2;
}
