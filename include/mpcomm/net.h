/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Sockets: address parsing and resolution through getaddrinfo (names, IPv4,
 * IPv6), listening and connecting with timeouts, whole writes and line reads
 * that retry EINTR and handle short transfers.  Functions return -1 with
 * errno set on failure; nothing here logs or exits.
 */
#ifndef MPCOMM_NET_H
#define MPCOMM_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define NET_HOST_MAX	256
#define NET_PORT_MAX	8

struct net_addr {
	struct sockaddr_storage ss;
	socklen_t	len;
};

/*
 * Splits "host:port", "[v6]:port", "host" or a bare IPv6 address; a missing
 * port becomes defport.  The port must be decimal, 1 to 65535 (no service
 * names).  Returns 0, or -1 with errno EINVAL (no host, an empty or
 * non-numeric port, too long) or ERANGE (a number out of 1..65535).  This is
 * the one parser of HOST:PORT: every program's addresses go through it.
 */
int	net_split_hostport(const char *s, const char *defport, char *host,
	    size_t hostcap, char *port, size_t portcap);
/* Words a net_split_hostport() errno for a usage error. */
const char *net_hostport_strerror(int err);
/*
 * Resolves to the first address of socktype (SOCK_STREAM or SOCK_DGRAM).
 * On failure errno is ENOENT when the name does not resolve, EAGAIN when
 * the resolver failed for now, EINVAL for a bad port or address.
 */
int	net_resolve(const char *host, const char *port, int socktype,
	    struct net_addr *out);
/*
 * The same for a numeric host and port only (never a name, so never a
 * resolver's wait).  -1 with errno EINVAL for anything else.
 */
int	net_resolve_numeric(const char *host, const char *port, int socktype,
	    struct net_addr *out);
/* Words a net_resolve() errno for people ("no such host", ...). */
const char *net_resolve_strerror(int err);
/*
 * "host:port" string in one go: net_split_hostport()'s errors (EINVAL,
 * ERANGE), then net_resolve()'s.
 */
int	net_resolve_hostport(const char *s, const char *defport, int socktype,
	    struct net_addr *out);
/*
 * A listening TCP socket (or a bound UDP socket) on host:port; host NULL
 * means every address (IPv6 with IPv4 mapped when the kernel has IPv6).
 * Port "0" picks a free port; *bound (may be NULL) tells which.
 */
int	net_listen_tcp(const char *host, const char *port, int backlog,
	    struct net_addr *bound);
int	net_bind_udp(const char *host, const char *port, struct net_addr *bound);
/* Connects within timeout_ms; the socket is left non-blocking. */
int	net_connect_tcp(const struct net_addr *a, int timeout_ms);
int	net_set_nonblock(int fd);
/* Writes all of buf within timeout_ms overall (ETIMEDOUT). */
int	net_write_all(int fd, const void *buf, size_t len, int timeout_ms);

/* Buffered line reader over a socket. */
struct net_reader {
	int	fd;
	size_t	off;
	size_t	len;
	char	buf[8192];
};

void	net_reader_init(struct net_reader *r, int fd);
/*
 * Reads one line (without "\n") into line (cap bytes, NUL-terminated).
 * Returns its length, or -1: ETIMEDOUT, EMSGSIZE (longer than cap-1),
 * ECONNRESET (the peer closed, also half-way through a line).
 */
long	net_read_line(struct net_reader *r, char *line, size_t cap,
	    int timeout_ms);

/* Numeric host and port of an address (IPv4-mapped shown as IPv4). */
int	net_addr_host(const struct net_addr *a, char *host, size_t cap);
uint16_t net_addr_port(const struct net_addr *a);
/* "host:port" or "[v6]:port", for logs. */
const char *net_addr_str(const struct net_addr *a, char *buf, size_t cap);
/* Same address and port, with IPv4 and IPv4-mapped IPv6 equal. */
int	net_addr_equal(const struct net_addr *a, const struct net_addr *b);
/* Rewrites an IPv4 address as IPv4-mapped IPv6 when family is AF_INET6. */
void	net_addr_map(struct net_addr *a, int family);
/* The local address of a connected socket, numeric. */
int	net_local_host(int fd, char *host, size_t cap);
/*
 * Whether a is a loopback address: 127.0.0.0/8, ::1, or 127.0.0.0/8 as
 * IPv4-mapped IPv6 (::ffff:127.0.0.0/104).  Protected mode (no key, no
 * --insecure) talks to these only.  1 or 0.
 */
int	net_is_loopback(const struct net_addr *a);
/*
 * The same for a host as a registration names it: a numeric loopback
 * address, or the name "localhost" (RFC 6761: always loopback).  Never
 * asks a resolver: any other name is 0.
 */
int	net_host_is_loopback(const char *host);

#endif
