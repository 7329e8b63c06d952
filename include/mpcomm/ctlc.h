/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The control client: the client side of the control protocol, for every
 * server that speaks it (the group manager, a peer's control port, the
 * comparison server's LOG port).  A connection sends lines and reads
 * answers with timeouts and, with a shared secret, authenticates each line
 * (it reads the server's `HELLO nonce=...` first and appends `mac=...`); a
 * LOG body is covered by a MAC on its END line (ctlbody.h).  The group
 * manager's REGISTER, UNREGISTER and LIST are built on it.
 */
#ifndef MPCOMM_CTLC_H
#define MPCOMM_CTLC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpcomm/auth.h"
#include "mpcomm/ctlbody.h"
#include "mpcomm/net.h"

struct ctlc_member {
	char		host[NET_HOST_MAX];
	uint16_t	udp;
	uint16_t	ctl;
};

struct ctlc_conn {
	int		 fd;
	int		 timeout_ms;
	const struct auth_key *key;	/* NULL: no authentication */
	char		 nonce[AUTH_NONCE_HEX + 1];
	struct ctlbody	 body;		/* a LOG body being sent */
	struct net_reader rd;
	char		 greeting[128];	/* EPROTO: what came instead of HELLO */
};

/*
 * Connects; with a key, reads the server's HELLO.  Returns 0, or -1 with
 * errno (EPROTO: the server did not greet as an authenticating one, and
 * c->greeting holds what it said instead).
 */
int	ctlc_open(struct ctlc_conn *c, const struct net_addr *a,
	    const struct auth_key *key, int timeout_ms);
/* Sends one line (without its newline), with its MAC when keyed. */
int	ctlc_send(struct ctlc_conn *c, const char *line);
/* Body lines of a LOG (whole lines, with newlines): no MAC per line. */
int	ctlc_send_body(struct ctlc_conn *c, const char *data, size_t len);
/* Ends a LOG body: "END", with the MAC of the whole body when keyed. */
int	ctlc_send_end(struct ctlc_conn *c);
/* Reads one answer line.  Its length, or -1 with errno. */
long	ctlc_recv(struct ctlc_conn *c, char *line, size_t cap);
void	ctlc_close(struct ctlc_conn *c);

/*
 * One request, one answer line in reply.  Returns 0 when the answer is
 * "OK ...", 1 when it is something else (an ERR: reply holds it), -1 with
 * errno on a network error.
 */
int	ctlc_request(const struct net_addr *a, const struct auth_key *key,
	    const char *line, char *reply, size_t cap, int timeout_ms);
int	ctlc_register(const struct net_addr *gm, const struct auth_key *key,
	    const char *host, uint16_t udp, uint16_t ctl, char *reply,
	    size_t cap, int timeout_ms);
/* Our address as the group manager sees the connection to it. */
int	ctlc_local_host(const struct net_addr *gm, const struct auth_key *key,
	    char *host, size_t cap, int timeout_ms);
int	ctlc_unregister(const struct net_addr *gm, const struct auth_key *key,
	    const char *host, uint16_t udp, uint16_t ctl, int timeout_ms);
/*
 * Lists up to max members into out.  Returns how many, or -1 (errno; EPROTO:
 * the answer was malformed or an ERR, and reply holds what was wrong).
 */
long	ctlc_list(const struct net_addr *gm, const struct auth_key *key,
	    struct ctlc_member *out, size_t max, char *reply, size_t cap,
	    int timeout_ms);

#endif
