/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Control-protocol client: one connection per request, every step bounded by
 * the caller's timeout, every answer parsed by ctl_parse().
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mpcomm/ctl.h"
#include "mpcomm/gmc.h"

int
gmc_request(const struct net_addr *a, const char *line, char *reply,
    size_t cap, int timeout_ms, int *fdp)
{
	struct net_reader *r;
	int fd, e;
	long n;

	static _Thread_local struct net_reader reader;

	r = &reader;
	if ((fd = net_connect_tcp(a, timeout_ms)) < 0)
		return -1;
	if (net_write_all(fd, line, strlen(line), timeout_ms) < 0)
		goto fail;
	net_reader_init(r, fd);
	if ((n = net_read_line(r, reply, cap, timeout_ms)) < 0)
		goto fail;
	if (fdp) {
		/* Bytes already buffered stay with the caller's reads. */
		*fdp = fd;
	} else {
		close(fd);
	}
	if (strncmp(reply, "OK", 2) == 0 && (reply[2] == '\0' ||
	    reply[2] == ' '))
		return 0;
	return 1;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

int
gmc_register(const struct net_addr *gm, const char *host, uint16_t udp,
    uint16_t ctl, char *reply, size_t cap, int timeout_ms)
{
	char line[CTL_LINE_MAX];

	snprintf(line, sizeof(line), "REGISTER host=%s udp=%u ctl=%u\n", host,
	    udp, ctl);
	return gmc_request(gm, line, reply, cap, timeout_ms, NULL);
}

int
gmc_local_host(const struct net_addr *gm, char *host, size_t cap,
    int timeout_ms)
{
	char reply[CTL_LINE_MAX];
	int fd, rc, e;

	if ((rc = gmc_request(gm, "PING\n", reply, sizeof(reply), timeout_ms,
	    &fd)) < 0)
		return -1;
	rc = net_local_host(fd, host, cap);
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

int
gmc_unregister(const struct net_addr *gm, const char *host, uint16_t udp,
    uint16_t ctl, int timeout_ms)
{
	char line[CTL_LINE_MAX], reply[CTL_LINE_MAX];

	snprintf(line, sizeof(line), "UNREGISTER host=%s udp=%u ctl=%u\n", host,
	    udp, ctl);
	return gmc_request(gm, line, reply, sizeof(reply), timeout_ms, NULL);
}

long
gmc_list(const struct net_addr *gm, struct gmc_member *out, size_t max,
    char *reply, size_t cap, int timeout_ms)
{
	struct net_reader *r;
	struct ctl_msg m;
	uint64_t count, v;
	size_t i, got = 0;
	char line[CTL_LINE_MAX + 1];
	int fd, rc;

	static _Thread_local struct net_reader reader;

	r = &reader;
	if ((fd = net_connect_tcp(gm, timeout_ms)) < 0)
		return -1;
	if (net_write_all(fd, "LIST\n", 5, timeout_ms) < 0)
		goto neterr;
	net_reader_init(r, fd);
	if (net_read_line(r, reply, cap, timeout_ms) < 0)
		goto neterr;
	if (ctl_parse(reply, strlen(reply), &m) < 0 ||
	    strcmp(m.verb, "OK") != 0 ||
	    ctl_get_u64(&m, "members", 0, 100000, 1, &count) < 0)
		goto proto;
	for (i = 0; i < count; i++) {
		struct gmc_member x;

		if (net_read_line(r, line, sizeof(line), timeout_ms) < 0)
			goto neterr;
		if (ctl_parse(line, strlen(line), &m) < 0 ||
		    strcmp(m.verb, "MEMBER") != 0 ||
		    ctl_get_str(&m, "host", 1, x.host, sizeof(x.host)) < 0 ||
		    ctl_get_u64(&m, "udp", 1, 65535, 1, &v) < 0)
			goto proto;
		x.udp = (uint16_t)v;
		if (ctl_get_u64(&m, "ctl", 1, 65535, 1, &v) < 0 ||
		    ctl_check_unused(&m) < 0)
			goto proto;
		x.ctl = (uint16_t)v;
		if (got < max)
			out[got++] = x;
	}
	close(fd);
	return (long)got;
proto:
	close(fd);
	snprintf(reply, cap, "malformed LIST answer");
	errno = EPROTO;
	return -1;
neterr:
	rc = errno;
	close(fd);
	errno = rc;
	return -1;
}
