/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A test tool that tries to hold every connection slot of control ports:
 * it keeps N connections open to each HOST:PORT for S seconds, opening a
 * new one whenever one is closed, and with --ping MS sends PING on each
 * that often (authenticated with --key-file, so it counts as useful).
 * With --sources K (IPv4 targets) the connections come from K addresses,
 * 127.0.0.2 onwards, as from K machines.  With more connections than a
 * server gives one source, every newcomer reclaims a slot and the server
 * reclaims all the time.
 *   hold [--key-file F] [--ping MS] [--sources K] --conns N --seconds S
 *        HOST:PORT...
 * It prints how many connections it opened and how many were closed on it,
 * at the end or when it is sent SIGTERM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mpcomm/auth.h"
#include "mpcomm/ctl.h"
#include "mpcomm/ctlc.h"
#include "mpcomm/mptime.h"
#include "mpcomm/net.h"

#define MAXC	2048

static volatile sig_atomic_t stop;	/* SIGTERM: report, then end */

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

struct holder {
	struct ctlc_conn	 c[MAXC];
	struct net_addr	 to[MAXC];
	uint64_t	 opened, closed;
	uint64_t	 sources;
	const struct auth_key *key;
};

/* A connection from source address 127.0.0.(2 + i % sources). */
static int
hold_connect(const struct holder *h, size_t i)
{
	struct sockaddr_in src = { .sin_family = AF_INET };
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	src.sin_addr.s_addr = htonl(0x7f000002U + (uint32_t)(i % h->sources));
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0 ||
	    connect(fd, (const struct sockaddr *)&h->to[i].ss,
	    h->to[i].len) < 0 || net_set_nonblock(fd) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ctlc_open() from our own socket: reads HELLO when keyed. */
static int
hold_greet(struct holder *h, size_t i, int fd)
{
	struct ctlc_conn *c = &h->c[i];
	char line[CTL_LINE_MAX + 1];
	const char *p;

	c->fd = fd;
	c->key = h->key;
	c->timeout_ms = 500;
	c->body.open = false;
	net_reader_init(&c->rd, fd);
	if (!h->key)
		return 0;
	if (net_read_line(&c->rd, line, sizeof(line), 500) < 0 ||
	    strncmp(line, "HELLO nonce=", 12) != 0 ||
	    strlen(p = line + 12) != AUTH_NONCE_HEX) {
		ctlc_close(c);
		return -1;
	}
	memcpy(c->nonce, p, AUTH_NONCE_HEX + 1);
	return 0;
}

/* Opens connection i (fd -1 when the server would not have it now). */
static void
hold_open(struct holder *h, size_t i)
{
	int fd, rc;

	if (h->sources)
		rc = (fd = hold_connect(h, i)) < 0 ? -1 : hold_greet(h, i, fd);
	else
		rc = ctlc_open(&h->c[i], &h->to[i], h->key, 500);
	if (rc == 0)
		h->opened++;
	else
		h->c[i].fd = -1;
}

/* Drains what the server said; a closed connection is opened again. */
static void
hold_poll(struct holder *h, size_t n)
{
	static struct pollfd p[MAXC];
	char buf[4096];
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (struct pollfd){ .fd = h->c[i].fd, .events = POLLIN };
	if (poll(p, n, 50) < 0)
		return;
	for (i = 0; i < n; i++) {
		ssize_t got;

		if (!p[i].revents && h->c[i].fd >= 0)
			continue;
		if (h->c[i].fd >= 0) {
			got = recv(h->c[i].fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (got > 0 || (got < 0 && errno == EAGAIN))
				continue;
		}
		if (h->c[i].fd >= 0) {
			ctlc_close(&h->c[i]);
			h->closed++;
		}
		hold_open(h, i);
	}
}

int
main(int argc, char **argv)
{
	static struct holder h;
	struct auth_key key;
	uint64_t conns = 0, secs = 0, ping_ms = 0, end, next_ping;
	size_t n = 0, i, t, ntargets;
	int a = 1;

	for (; a + 1 < argc && argv[a][0] == '-'; a += 2) {
		if (strcmp(argv[a], "--key-file") == 0) {
			if (auth_load_key(argv[a + 1], &key) < 0)
				return 2;
			h.key = &key;
		} else if (strcmp(argv[a], "--ping") == 0) {
			if (ctl_parse_u64(argv[a + 1], 1, 60000, &ping_ms) < 0)
				return 2;
		} else if (strcmp(argv[a], "--sources") == 0) {
			if (ctl_parse_u64(argv[a + 1], 1, 250, &h.sources) < 0)
				return 2;
		} else if (strcmp(argv[a], "--conns") == 0) {
			if (ctl_parse_u64(argv[a + 1], 1, MAXC, &conns) < 0)
				return 2;
		} else if (strcmp(argv[a], "--seconds") == 0) {
			if (ctl_parse_u64(argv[a + 1], 1, 3600, &secs) < 0)
				return 2;
		} else {
			break;
		}
	}
	ntargets = (size_t)(argc - a);
	if (!conns || !secs || ntargets == 0 || conns * ntargets > MAXC) {
		fprintf(stderr, "usage: hold [--key-file F] [--ping MS] "
		    "[--sources K] --conns N --seconds S HOST:PORT...\n");
		return 2;
	}
	for (t = 0; t < ntargets; t++) {
		struct net_addr to;

		if (net_resolve_hostport(argv[a + t], "5680", SOCK_STREAM,
		    &to) < 0 || (h.sources && to.ss.ss_family != AF_INET))
			return 2;
		for (i = 0; i < conns; i++, n++) {
			h.to[n] = to;
			hold_open(&h, n);
		}
	}
	signal(SIGTERM, on_term);
	printf("holding\n");
	fflush(stdout);
	end = mptime_now_us() + secs * 1000000;
	next_ping = mptime_now_us() + ping_ms * 1000;
	while (!stop && mptime_now_us() < end) {
		hold_poll(&h, n);
		if (!ping_ms || mptime_now_us() < next_ping)
			continue;
		for (i = 0; i < n; i++)
			if (h.c[i].fd >= 0)
				(void)ctlc_send(&h.c[i], "PING");
		next_ping = mptime_now_us() + ping_ms * 1000;
	}
	for (i = 0; i < n; i++)
		ctlc_close(&h.c[i]);
	printf("opened %llu, closed on us %llu\n",
	    (unsigned long long)h.opened, (unsigned long long)h.closed);
	return 0;
}
