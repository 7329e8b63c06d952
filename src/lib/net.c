/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Socket helpers in the manner of Redis's anet.c: small functions that return
 * errors to the caller, every blocking step bounded by poll() timeouts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "mpcomm/mptime.h"
#include "mpcomm/net.h"

/*
 * A port of a HOST:PORT is decimal digits of 1 to 65535: getaddrinfo()
 * would take 99999 as 34463 (it keeps the low 16 bits), and a service
 * name as "Invalid argument" only once the resolver is asked.
 */
static int
check_port(const char *p)
{
	unsigned long v = 0;
	const char *c;

	if (*p == '\0') {
		errno = EINVAL;
		return -1;
	}
	for (c = p; *c; c++) {
		if (*c < '0' || *c > '9') {
			errno = EINVAL;
			return -1;
		}
		if (v <= 65535)
			v = v * 10 + (unsigned long)(*c - '0');
	}
	if (v < 1 || v > 65535) {
		errno = ERANGE;
		return -1;
	}
	return 0;
}

int
net_split_hostport(const char *s, const char *defport, char *host,
    size_t hostcap, char *port, size_t portcap)
{
	const char *h = s, *p = NULL, *colon;
	size_t hlen;

	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close)
			goto inval;
		h = s + 1;
		hlen = (size_t)(close - h);
		if (close[1] == ':')
			p = close + 2;
		else if (close[1] != '\0')
			goto inval;
	} else if ((colon = strchr(s, ':')) && !strchr(colon + 1, ':')) {
		hlen = (size_t)(colon - s);
		p = colon + 1;
	} else {
		hlen = strlen(s);	/* a name, IPv4, or bare IPv6 */
	}
	if (!p)
		p = defport;
	if (hlen == 0 || hlen >= hostcap || !p)
		goto inval;
	if (check_port(p) < 0)
		return -1;
	if (strlen(p) >= portcap)
		goto inval;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	memcpy(port, p, strlen(p) + 1);
	return 0;
inval:
	errno = EINVAL;
	return -1;
}

const char *
net_hostport_strerror(int err)
{
	if (err == ERANGE)
		return "port out of range (1 to 65535)";
	return "not HOST[:PORT] with a numeric port";
}

/* The errno that stands for a getaddrinfo() error (see net.h). */
static int
resolve_errno(int rc)
{
	switch (rc) {
	case EAI_SYSTEM:
		return errno;
	case EAI_AGAIN:
		return EAGAIN;
	case EAI_SERVICE:
	case EAI_BADFLAGS:
		return EINVAL;
	default:	/* EAI_NONAME, EAI_NODATA, EAI_FAIL, ... */
		return ENOENT;
	}
}

const char *
net_resolve_strerror(int err)
{
	if (err == ENOENT)
		return "no such host (the name does not resolve)";
	if (err == EAGAIN)
		return "temporary failure in name resolution";
	return strerror(err);
}

/* The first address getaddrinfo() found, into out; frees the list. */
static int
take_first(struct addrinfo *res, struct net_addr *out)
{
	memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
	out->len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

int
net_resolve(const char *host, const char *port, int socktype,
    struct net_addr *out)
{
	struct addrinfo hints, *res;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_ADDRCONFIG;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc == EAI_NONAME) {
		/* AI_ADDRCONFIG hides ::1 where only loopback is up. */
		hints.ai_flags = 0;
		rc = getaddrinfo(host, port, &hints, &res);
	}
	if (rc != 0) {
		errno = resolve_errno(rc);
		return -1;
	}
	return take_first(res, out);
}

int
net_resolve_numeric(const char *host, const char *port, int socktype,
    struct net_addr *out)
{
	struct addrinfo hints, *res;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(host, port, &hints, &res) != 0) {
		errno = EINVAL;
		return -1;
	}
	return take_first(res, out);
}

int
net_resolve_hostport(const char *s, const char *defport, int socktype,
    struct net_addr *out)
{
	char host[NET_HOST_MAX], port[NET_PORT_MAX];

	if (net_split_hostport(s, defport, host, sizeof(host), port,
	    sizeof(port)) < 0)
		return -1;
	return net_resolve(host, port, socktype, out);
}

/* Closes fd on an error path, keeping the errno of the error: -1. */
static int
fail_close(int fd)
{
	int e = errno;

	close(fd);
	errno = e;
	return -1;
}

static int
bound_socket(const char *host, const char *port, int socktype,
    struct net_addr *bound)
{
	struct net_addr a;
	int fd, on = 1, off = 0, family;

	if (host) {
		if (net_resolve(host, port, socktype, &a) < 0)
			return -1;
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a.ss;
		uint64_t p;
		char *end;

		errno = 0;
		p = strtoul(port, &end, 10);
		if (errno || *end || p > 65535) {
			errno = EINVAL;
			return -1;
		}
		memset(&a, 0, sizeof(a));
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_any;
		s6->sin6_port = htons((uint16_t)p);
		a.len = sizeof(*s6);
	}
	family = a.ss.ss_family;
	fd = socket(family, socktype | SOCK_CLOEXEC, 0);
	if (fd < 0 && !host && (errno == EAFNOSUPPORT || errno == EINVAL)) {
		/* No IPv6 in this kernel: every IPv4 address instead. */
		struct sockaddr_in *s4 = (struct sockaddr_in *)&a.ss;
		uint16_t p = ((struct sockaddr_in6 *)&a.ss)->sin6_port;

		memset(&a, 0, sizeof(a));
		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_ANY);
		s4->sin_port = p;
		a.len = sizeof(*s4);
		family = AF_INET;
		fd = socket(family, socktype | SOCK_CLOEXEC, 0);
	}
	if (fd < 0)
		return -1;
	if (family == AF_INET6 && !host)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
		    sizeof(off));
	if (socktype == SOCK_STREAM)
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&a.ss, a.len) < 0)
		return fail_close(fd);
	if (bound) {
		bound->len = sizeof(bound->ss);
		if (getsockname(fd, (struct sockaddr *)&bound->ss,
		    &bound->len) < 0)
			return fail_close(fd);
	}
	return fd;
}

int
net_listen_tcp(const char *host, const char *port, int backlog,
    struct net_addr *bound)
{
	int fd = bound_socket(host, port, SOCK_STREAM, bound);

	if (fd < 0)
		return -1;
	if (listen(fd, backlog) < 0 || net_set_nonblock(fd) < 0)
		return fail_close(fd);
	return fd;
}

int
net_bind_udp(const char *host, const char *port, struct net_addr *bound)
{
	return bound_socket(host, port, SOCK_DGRAM, bound);
}

int
net_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	return 0;
}

/* Waits for events on fd until deadline (monotonic µs). */
static int
wait_fd(int fd, short events, uint64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	uint64_t now;
	int rc;

	for (;;) {
		now = mptime_now_us();
		if (now >= deadline) {
			errno = ETIMEDOUT;
			return -1;
		}
		rc = poll(&pfd, 1, (int)((deadline - now + 999) / 1000));
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR)
			return -1;
	}
}

int
net_connect_tcp(const struct net_addr *a, int timeout_ms)
{
	uint64_t deadline = mptime_now_us() + (uint64_t)timeout_ms * 1000;
	int fd, err = 0, on = 1;
	socklen_t elen = sizeof(err);

	fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0);
	if (fd < 0)
		return -1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	if (connect(fd, (const struct sockaddr *)&a->ss, a->len) < 0) {
		if (errno != EINPROGRESS && errno != EINTR)
			goto fail;
		if (wait_fd(fd, POLLOUT, deadline) < 0)
			goto fail;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
			goto fail;
		if (err) {
			errno = err;
			goto fail;
		}
	}
	return fd;
fail:
	return fail_close(fd);
}

int
net_write_all(int fd, const void *buf, size_t len, int timeout_ms)
{
	uint64_t deadline = mptime_now_us() + (uint64_t)timeout_ms * 1000;
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_fd(fd, POLLOUT, deadline) < 0)
				return -1;
			continue;
		}
		return -1;
	}
	return 0;
}

void
net_reader_init(struct net_reader *r, int fd)
{
	r->fd = fd;
	r->off = r->len = 0;
}

long
net_read_line(struct net_reader *r, char *line, size_t cap, int timeout_ms)
{
	uint64_t deadline = mptime_now_us() + (uint64_t)timeout_ms * 1000;
	ssize_t n;

	for (;;) {
		char *nl = memchr(r->buf + r->off, '\n', r->len - r->off);

		if (nl) {
			size_t l = (size_t)(nl - (r->buf + r->off));

			if (l >= cap) {
				errno = EMSGSIZE;
				return -1;
			}
			memcpy(line, r->buf + r->off, l);
			line[l] = '\0';
			r->off += l + 1;
			return (long)l;
		}
		if (r->len - r->off >= cap) {
			errno = EMSGSIZE;
			return -1;
		}
		if (r->off > 0) {
			memmove(r->buf, r->buf + r->off, r->len - r->off);
			r->len -= r->off;
			r->off = 0;
		}
		if (r->len == sizeof(r->buf)) {
			errno = EMSGSIZE;
			return -1;
		}
		n = recv(r->fd, r->buf + r->len, sizeof(r->buf) - r->len, 0);
		if (n > 0) {
			r->len += (size_t)n;
			continue;
		}
		if (n == 0) {
			errno = ECONNRESET;
			return -1;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (wait_fd(r->fd, POLLIN, deadline) < 0)
			return -1;
	}
}

static int
is_v4mapped(const struct net_addr *a)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a->ss;

	return a->ss.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr);
}

int
net_addr_host(const struct net_addr *a, char *host, size_t cap)
{
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)&a->ss;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a->ss;
	const void *src;
	int af;

	if (a->ss.ss_family == AF_INET) {
		af = AF_INET;
		src = &s4->sin_addr;
	} else if (is_v4mapped(a)) {
		af = AF_INET;
		src = &s6->sin6_addr.s6_addr[12];
	} else if (a->ss.ss_family == AF_INET6) {
		af = AF_INET6;
		src = &s6->sin6_addr;
	} else {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if (!inet_ntop(af, src, host, (socklen_t)cap))
		return -1;
	return 0;
}

uint16_t
net_addr_port(const struct net_addr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
	if (a->ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
	return 0;
}

const char *
net_addr_str(const struct net_addr *a, char *buf, size_t cap)
{
	char host[INET6_ADDRSTRLEN];

	if (net_addr_host(a, host, sizeof(host)) < 0)
		snprintf(buf, cap, "?");
	else if (strchr(host, ':'))
		snprintf(buf, cap, "[%s]:%u", host, net_addr_port(a));
	else
		snprintf(buf, cap, "%s:%u", host, net_addr_port(a));
	return buf;
}

/* The IPv4 address of a, if it has one (plain or mapped). */
static int
v4_of(const struct net_addr *a, struct in_addr *out)
{
	if (a->ss.ss_family == AF_INET) {
		*out = ((const struct sockaddr_in *)&a->ss)->sin_addr;
		return 1;
	}
	if (is_v4mapped(a)) {
		memcpy(out, &((const struct sockaddr_in6 *)&a->ss)->
		    sin6_addr.s6_addr[12], 4);
		return 1;
	}
	return 0;
}

int
net_addr_equal(const struct net_addr *a, const struct net_addr *b)
{
	struct in_addr x, y;

	if (net_addr_port(a) != net_addr_port(b))
		return 0;
	if (v4_of(a, &x) || v4_of(b, &y)) {
		return v4_of(a, &x) && v4_of(b, &y) &&
		    x.s_addr == y.s_addr;
	}
	if (a->ss.ss_family != AF_INET6 || b->ss.ss_family != AF_INET6)
		return 0;
	return memcmp(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr,
	    &((const struct sockaddr_in6 *)&b->ss)->sin6_addr,
	    sizeof(struct in6_addr)) == 0;
}

void
net_addr_map(struct net_addr *a, int family)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 *s6;

	if (family != AF_INET6 || a->ss.ss_family != AF_INET)
		return;
	memcpy(&s4, &a->ss, sizeof(s4));
	s6 = (struct sockaddr_in6 *)&a->ss;
	memset(s6, 0, sizeof(*s6));
	s6->sin6_family = AF_INET6;
	s6->sin6_port = s4.sin_port;
	s6->sin6_addr.s6_addr[10] = 0xff;
	s6->sin6_addr.s6_addr[11] = 0xff;
	memcpy(&s6->sin6_addr.s6_addr[12], &s4.sin_addr, 4);
	a->len = sizeof(*s6);
}

int
net_local_host(int fd, char *host, size_t cap)
{
	struct net_addr a;

	a.len = sizeof(a.ss);
	if (getsockname(fd, (struct sockaddr *)&a.ss, &a.len) < 0)
		return -1;
	return net_addr_host(&a, host, cap);
}

int
net_is_loopback(const struct net_addr *a)
{
	struct in_addr v4;

	if (v4_of(a, &v4))
		return (ntohl(v4.s_addr) >> 24) == 127;
	return a->ss.ss_family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(
	    &((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
}

int
net_host_is_loopback(const char *host)
{
	struct net_addr a;

	if (strcasecmp(host, "localhost") == 0)
		return 1;
	return net_resolve_numeric(host, "0", SOCK_DGRAM, &a) == 0 &&
	    net_is_loopback(&a);
}
