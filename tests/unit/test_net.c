/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The socket helpers: host:port splitting, numeric resolution (never a
 * name), address formatting and comparison across IPv4 and IPv4-mapped
 * IPv6, and the line reader over socket pairs: lines, a line too long, a
 * timeout, a line cut by the peer.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mpcomm/net.h"
#include "check.h"

static void
test_split(void)
{
	char h[NET_HOST_MAX], p[NET_PORT_MAX];

	CHECK(net_split_hostport("example.org:80", "1", h, sizeof(h), p,
	    sizeof(p)) == 0 && !strcmp(h, "example.org") && !strcmp(p, "80"));
	CHECK(net_split_hostport("10.1.2.3", "5680", h, sizeof(h), p,
	    sizeof(p)) == 0 && !strcmp(h, "10.1.2.3") && !strcmp(p, "5680"));
	CHECK(net_split_hostport("[::1]:5679", "1", h, sizeof(h), p,
	    sizeof(p)) == 0 && !strcmp(h, "::1") && !strcmp(p, "5679"));
	CHECK(net_split_hostport("::1", "7", h, sizeof(h), p, sizeof(p)) == 0 &&
	    !strcmp(h, "::1") && !strcmp(p, "7"));
	CHECK(net_split_hostport("[::1", "7", h, sizeof(h), p, sizeof(p)) < 0);
	CHECK(net_split_hostport("h:65535", "7", h, sizeof(h), p,
	    sizeof(p)) == 0 && !strcmp(p, "65535"));
	CHECK(net_split_hostport("[::1]:1", "7", h, sizeof(h), p,
	    sizeof(p)) == 0 && !strcmp(p, "1"));
}

/* Ports that getaddrinfo() would wrap or look up as a service. */
static void
test_split_bad_port(void)
{
	static const struct {
		const char	*s;
		int		 err;
	} bad[] = {
		{ "10.0.0.1:99999", ERANGE }, { "10.0.0.1:71216", ERANGE },
		{ "10.0.0.1:65536", ERANGE }, { "[::1]:70000", ERANGE },
		{ "h:0", ERANGE }, { "h:00000000000000", ERANGE },
		{ "h:", EINVAL }, { "[::1]:", EINVAL }, { "h:abc", EINVAL },
		{ "h:80x", EINVAL }, { "h:-1", EINVAL }, { "h:+80", EINVAL },
		{ "h: 80", EINVAL }, { ":80", EINVAL },
	};
	char h[NET_HOST_MAX], p[NET_PORT_MAX];
	struct net_addr a;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		CHECK(net_split_hostport(bad[i].s, "7", h, sizeof(h), p,
		    sizeof(p)) < 0 && errno == bad[i].err);
		errno = 0;
		CHECK(net_resolve_hostport(bad[i].s, "7", SOCK_STREAM,
		    &a) < 0 && errno == bad[i].err);
	}
	/* A default port is checked as well. */
	CHECK(net_split_hostport("h", "http", h, sizeof(h), p,
	    sizeof(p)) < 0 && errno == EINVAL);
	CHECK(strstr(net_hostport_strerror(ERANGE), "65535") != NULL);
}

static void
test_numeric(void)
{
	struct net_addr a, b;
	char buf[64];

	CHECK(net_resolve_numeric("127.0.0.1", "6789", SOCK_DGRAM, &a) == 0);
	CHECK(net_addr_port(&a) == 6789);
	CHECK(strcmp(net_addr_str(&a, buf, sizeof(buf)), "127.0.0.1:6789") == 0);
	errno = 0;
	CHECK(net_resolve_numeric("localhost", "6789", SOCK_DGRAM, &b) < 0 &&
	    errno == EINVAL);		/* a name is never looked up */
	CHECK(net_resolve_numeric("127.0.0.1", "http", SOCK_DGRAM, &b) < 0);
	/* The same address as IPv4 and as IPv4-mapped IPv6 is equal. */
	b = a;
	net_addr_map(&b, AF_INET6);
	CHECK(b.ss.ss_family == AF_INET6 && net_addr_equal(&a, &b));
	CHECK(net_addr_host(&b, buf, sizeof(buf)) == 0 &&
	    strcmp(buf, "127.0.0.1") == 0);
	CHECK(net_resolve_numeric("127.0.0.1", "6790", SOCK_DGRAM, &b) == 0 &&
	    !net_addr_equal(&a, &b));
	CHECK(net_resolve_numeric("::1", "1", SOCK_STREAM, &b) == 0 &&
	    strcmp(net_addr_str(&b, buf, sizeof(buf)), "[::1]:1") == 0);
}

/* addr as a numeric address (any port), for net_is_loopback(). */
static int
loop(const char *addr)
{
	struct net_addr a;

	CHECK(net_resolve_numeric(addr, "1", SOCK_DGRAM, &a) == 0);
	return net_is_loopback(&a);
}

/* Protected mode's test: 127.0.0.0/8, ::1 and their mapped forms only. */
static void
test_loopback(void)
{
	struct net_addr a;

	CHECK(loop("127.0.0.1") && loop("127.255.255.254") && loop("127.1.2.3"));
	CHECK(loop("::1") && loop("::ffff:127.0.0.1") &&
	    loop("::ffff:127.200.0.9"));
	CHECK(!loop("128.0.0.1") && !loop("126.255.255.255") &&
	    !loop("10.77.0.2") && !loop("0.0.0.0") && !loop("::") &&
	    !loop("::2") && !loop("::ffff:10.0.0.1") && !loop("fe80::1") &&
	    !loop("::127.0.0.1") && !loop("2001:db8::1"));
	/* An IPv4 address mapped by the program is judged the same. */
	CHECK(net_resolve_numeric("127.0.0.7", "9", SOCK_DGRAM, &a) == 0);
	net_addr_map(&a, AF_INET6);
	CHECK(a.ss.ss_family == AF_INET6 && net_is_loopback(&a));
	CHECK(net_resolve_numeric("192.0.2.1", "9", SOCK_DGRAM, &a) == 0);
	net_addr_map(&a, AF_INET6);
	CHECK(!net_is_loopback(&a));
	a.ss.ss_family = AF_UNIX;
	CHECK(!net_is_loopback(&a));
	/* Hosts as a REGISTER names them: never looked up. */
	CHECK(net_host_is_loopback("127.0.0.1") && net_host_is_loopback("::1") &&
	    net_host_is_loopback("localhost") &&
	    net_host_is_loopback("LocalHost"));
	CHECK(!net_host_is_loopback("10.0.0.1") &&
	    !net_host_is_loopback("example.org") &&
	    !net_host_is_loopback("localhost.example.org") &&
	    !net_host_is_loopback("") && !net_host_is_loopback("127.0.0.1:5"));
}

/* A line reader over sv[0] of a fresh socket pair; in is already sent. */
static void
reader_pair(struct net_reader *r, int sv[2], const char *in)
{
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(net_set_nonblock(sv[0]) == 0);	/* as the library's sockets */
	CHECK(net_write_all(sv[1], in, strlen(in), 1000) == 0);
	net_reader_init(r, sv[0]);
}

static void
test_reader(void)
{
	struct net_reader r;
	char line[16];
	int sv[2];

	reader_pair(&r, sv, "one\ntwo\n0123456789abcdefXYZ\n");
	CHECK(net_read_line(&r, line, sizeof(line), 1000) == 3 &&
	    !strcmp(line, "one"));
	CHECK(net_read_line(&r, line, sizeof(line), 1000) == 3 &&
	    !strcmp(line, "two"));
	errno = 0;			/* too long: the caller drops the client */
	CHECK(net_read_line(&r, line, sizeof(line), 1000) < 0 &&
	    errno == EMSGSIZE);
	close(sv[0]);
	close(sv[1]);

	reader_pair(&r, sv, "cut");
	errno = 0;			/* no newline comes: a timeout */
	CHECK(net_read_line(&r, line, sizeof(line), 50) < 0 &&
	    errno == ETIMEDOUT);
	close(sv[1]);			/* closed half-way through "cut" */
	errno = 0;
	CHECK(net_read_line(&r, line, sizeof(line), 1000) < 0 &&
	    errno == ECONNRESET);
	close(sv[0]);
}

int
main(void)
{
	test_split();
	test_split_bad_port();
	test_numeric();
	test_loopback();
	test_reader();
	CHECK_DONE("test_net");
}
