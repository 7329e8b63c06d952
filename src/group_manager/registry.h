/* SPDX-License-Identifier: BSD-2-Clause */
/* The group manager's membership table and its control protocol. */
#ifndef GM_REGISTRY_H
#define GM_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "mpcomm/net.h"

#define GM_MAX_MEMBERS	1024

struct member {
	char		host[NET_HOST_MAX];
	uint16_t	udp;
	uint16_t	ctl;
	uint64_t	last_seen;	/* monotonic µs of the last REGISTER */
};

struct registry {
	struct member	m[GM_MAX_MEMBERS];
	size_t		n;
	uint64_t	ttl_us;		/* 0: members never expire */
	int		loopback_only;	/* protected mode: loopback hosts only */
};

/* Handles one control line; the lsrv line callback of the group manager. */
struct lsrv_conn;
int	registry_line(void *arg, struct lsrv_conn *c, char *line, size_t len);
/* Logs why a client went away (lsrv closed callback). */
void	registry_closed(void *arg, struct lsrv_conn *c, const char *why);
/* Drops members that stopped refreshing; the lsrv tick callback. */
void	registry_expire(void *arg);

#endif
