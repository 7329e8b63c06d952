/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A test tool that fires bad input at MPComm's ports for a bounded time:
 * random datagrams, datagrams with a valid header and absurd records, other
 * runs' and versions' datagrams at UDP ports; garbage, binary, over-long,
 * unknown and half-sent lines, and idle connections at TCP ports.
 *   noise [--udp H:P]... [--tcp H:P]... [--seconds S] [--seed N] [--run R]
 * It prints how much it sent.  Only the addresses given are ever used.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mpcomm/msg.h"
#include "mpcomm/mptime.h"
#include "mpcomm/net.h"
#include "mpcomm/rng.h"
#include "mpcomm/wire.h"

#define MAXT	32

static size_t
bad_datagram(struct rng *r, uint8_t *b, uint64_t run)
{
	struct msg_builder mb;
	size_t len, i;
	uint32_t s[64];
	unsigned kind = (unsigned)rng_below(r, 6), n;

	switch (kind) {
	case 0:		/* random bytes, random length */
		len = (size_t)rng_below(r, MSG_MAX_DGRAM + 200);
		for (i = 0; i < len; i++)
			b[i] = (uint8_t)rng_next(r);
		return len;
	case 1:		/* valid header, random records */
		msg_begin(&mb, b, MSG_MAX_DGRAM, (uint16_t)rng_below(r, 8),
		    run);
		len = MSG_HDR_LEN + (size_t)rng_below(r, 200);
		for (i = MSG_HDR_LEN; i < len; i++)
			b[i] = (uint8_t)rng_next(r);
		wire_put_u16(b + MSG_OFF_NREC, (uint16_t)rng_below(r, 20));
		return len;
	case 2:		/* another run */
		msg_begin(&mb, b, MSG_MAX_DGRAM, 0, run + 1 + rng_below(r, 9));
		msg_put_ready(&mb);
		return msg_finish(&mb);
	case 3:		/* absurd ACK state: counts, clock near its maximum */
		n = (unsigned)rng_range(r, 1, 64);
		for (i = 0; i < n; i++)
			s[i] = (uint32_t)rng_next(r);
		msg_begin(&mb, b, MSG_MAX_DGRAM, (uint16_t)rng_below(r, 8),
		    run);
		{
			struct msg_ack a = { .k = (uint32_t)rng_next(r),
			    .c = UINT64_MAX - 1, .d_ts = rng_next(r),
			    .d_id = (uint16_t)rng_next(r), .n = (uint8_t)n };

			msg_put_ack(&mb, &a, s);
		}
		return msg_finish(&mb);
	case 4: {	/* DATA far ahead, huge timestamp */
		struct msg_data d = { .seq = (uint32_t)rng_next(r),
		    .ts = rng_next(r), .send_us = 0, .plen = 0 };

		msg_begin(&mb, b, MSG_MAX_DGRAM, (uint16_t)rng_below(r, 8),
		    run);
		msg_put_data(&mb, &d);
		return msg_finish(&mb);
	}
	default:	/* a flood of READY/END/heartbeats */
		msg_begin(&mb, b, MSG_MAX_DGRAM, (uint16_t)rng_below(r, 8),
		    run);
		while (msg_put_end(&mb, (uint32_t)rng_next(r)) == 0 &&
		    msg_put_heartbeat(&mb, (uint8_t)rng_below(r, 4)) == 0)
			;
		return msg_finish(&mb);
	}
}

static void
tcp_noise(struct rng *r, const struct net_addr *a, unsigned long *sent)
{
	static const char *const lines[] = {
		"HELLO\n", "REGISTER host=1.2.3.4\n", "LIST extra=1\n",
		"START run=abc\n", "START run=1 id=99 n=2 messages=5\n",
		"LOG run=1 peer=0 order=total status=ok count=5\n0 1 1\nEND\n",
		"REGISTER host=$(reboot) udp=1 ctl=1\n", "STATUS x=y\n",
		"REGISTER host=h udp=99999 ctl=1\n", "=\n", "\n", "\r\n",
	};
	char buf[4096];
	size_t len, i;
	int fd;

	if ((fd = net_connect_tcp(a, 2000)) < 0)
		return;
	switch (rng_below(r, 5)) {
	case 0:
		len = (size_t)rng_below(r, sizeof(buf));
		for (i = 0; i < len; i++)
			buf[i] = (char)rng_next(r);
		(void)net_write_all(fd, buf, len, 1000);
		break;
	case 1:		/* over-long line */
		memset(buf, 'A', sizeof(buf));
		(void)net_write_all(fd, buf, sizeof(buf), 1000);
		break;
	case 2:
		for (i = 0; i < 4; i++) {
			const char *l = lines[rng_below(r, sizeof(lines) /
			    sizeof(lines[0]))];

			(void)net_write_all(fd, l, strlen(l), 1000);
		}
		break;
	case 3:		/* half a line, then gone */
		(void)net_write_all(fd, "LIST", 4, 1000);
		break;
	default:	/* says nothing at all */
		break;
	}
	(*sent)++;
	close(fd);
}

int
main(int argc, char **argv)
{
	struct net_addr udp[MAXT], tcp[MAXT];
	size_t nu = 0, nt = 0, i;
	uint64_t seconds = 3, seed = 1, run = 1, deadline;
	unsigned long dgrams = 0, conns = 0;
	uint8_t b[MSG_MAX_DGRAM + 256];
	struct rng r;
	int a, fd4, fd6;

	for (a = 1; a < argc; a++) {
		if (a + 1 >= argc)
			goto usage;
		if (!strcmp(argv[a], "--udp") && nu < MAXT) {
			if (net_resolve_hostport(argv[++a], "6789", SOCK_DGRAM,
			    &udp[nu++]) < 0)
				goto usage;
		} else if (!strcmp(argv[a], "--tcp") && nt < MAXT) {
			if (net_resolve_hostport(argv[++a], "5680",
			    SOCK_STREAM, &tcp[nt++]) < 0)
				goto usage;
		} else if (!strcmp(argv[a], "--seconds"))
			seconds = strtoull(argv[++a], NULL, 10);
		else if (!strcmp(argv[a], "--seed"))
			seed = strtoull(argv[++a], NULL, 10);
		else if (!strcmp(argv[a], "--run"))
			run = strtoull(argv[++a], NULL, 10);
		else
			goto usage;
	}
	if (seconds > 60)
		seconds = 60;
	rng_seed(&r, seed);
	fd4 = socket(AF_INET, SOCK_DGRAM, 0);
	fd6 = socket(AF_INET6, SOCK_DGRAM, 0);
	deadline = mptime_now_us() + seconds * 1000000;
	while (mptime_now_us() < deadline) {
		for (i = 0; i < nu; i++) {
			int k;

			for (k = 0; k < 20; k++) {
				size_t len = bad_datagram(&r, b, run);

				(void)sendto(udp[i].ss.ss_family == AF_INET ?
				    fd4 : fd6, b, len, 0,
				    (struct sockaddr *)&udp[i].ss, udp[i].len);
				dgrams++;
			}
		}
		for (i = 0; i < nt; i++)
			tcp_noise(&r, &tcp[i], &conns);
		mptime_sleep_us(2000);
	}
	printf("noise: %lu datagrams, %lu connections\n", dgrams, conns);
	return 0;
usage:
	fprintf(stderr, "usage: noise [--udp H:P]... [--tcp H:P]... "
	    "[--seconds S] [--seed N] [--run R]\n");
	return 2;
}
