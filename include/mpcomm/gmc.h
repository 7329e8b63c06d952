/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Client side of the control protocol: one request line, its answer, with
 * timeouts; and the group manager's REGISTER, UNREGISTER and LIST on top.
 */
#ifndef MPCOMM_GMC_H
#define MPCOMM_GMC_H

#include <stddef.h>
#include <stdint.h>

#include "mpcomm/net.h"

struct gmc_member {
	char		host[NET_HOST_MAX];
	uint16_t	udp;
	uint16_t	ctl;
};

/*
 * Connects to a, sends line (with its newline) and reads one answer line into
 * reply.  Returns 0 when the answer starts with "OK", 1 when it is an "ERR"
 * (reply holds it), -1 with errno on a network error.  If fdp is not NULL
 * the connection stays open there (for multi-line answers).
 */
int	gmc_request(const struct net_addr *a, const char *line, char *reply,
	    size_t cap, int timeout_ms, int *fdp);
/*
 * Registers (or refreshes) a member.  local_host, if not NULL, receives the
 * local address of the connection: the address the manager sees us from.
 */
int	gmc_register(const struct net_addr *gm, const char *host, uint16_t udp,
	    uint16_t ctl, char *reply, size_t cap, int timeout_ms);
int	gmc_local_host(const struct net_addr *gm, char *host, size_t cap,
	    int timeout_ms);
int	gmc_unregister(const struct net_addr *gm, const char *host,
	    uint16_t udp, uint16_t ctl, int timeout_ms);
/*
 * Lists up to max members into out.  Returns how many, or -1 (errno; EPROTO:
 * the answer was malformed, and reply holds what was wrong).
 */
long	gmc_list(const struct net_addr *gm, struct gmc_member *out, size_t max,
	    char *reply, size_t cap, int timeout_ms);

#endif
