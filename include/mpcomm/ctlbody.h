/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A body on the control protocol (the delivery lines of a LOG): how it
 * ends and how it is authenticated, for both sides, in one place.  Body
 * lines are not authenticated one by one (a MAC per delivery would cost
 * more than the delivery); with a shared secret the SHA-256 of the body
 * lines, newlines included, is covered by the MAC of the line that closes
 * it, `END mac=<hex>`: the line MAC (auth_line_mac()) of
 * "END <hex SHA-256 of the body>" under the connection's nonce.  Without
 * a secret the body ends at the line "END".  A receiver never takes a
 * body as complete unless its END verifies.
 */
#ifndef MPCOMM_CTLBODY_H
#define MPCOMM_CTLBODY_H

#include <stdbool.h>
#include <stddef.h>

#include "mpcomm/auth.h"

/* The longest END line, with its newline and NUL. */
#define CTLBODY_END_MAX	(sizeof("END mac=\n") + AUTH_MAC_HEX)

struct ctlbody {
	bool		 open;		/* between ctlbody_begin() and END */
	const struct auth_key *key;	/* NULL: not authenticated */
	const char	*nonce;		/* the connection's, when keyed */
	struct auth_sha256 digest;	/* of the body so far, when keyed */
};

/* What a line received inside a body is. */
enum ctlbody_line {
	CTLBODY_LINE,		/* a body line (hashed) */
	CTLBODY_END,		/* the END that closes it, verified */
	CTLBODY_FORGED		/* an END whose MAC is wrong: refuse */
};

/* A body starts; key NULL without authentication (nonce is then unused). */
void	ctlbody_begin(struct ctlbody *b, const struct auth_key *key,
	    const char *nonce);
/* Sender: body data as sent, whole lines with their newlines. */
void	ctlbody_add(struct ctlbody *b, const void *data, size_t len);
/*
 * Sender: the line that closes the body, newline included, into out (at
 * least CTLBODY_END_MAX bytes).  Returns its length.
 */
size_t	ctlbody_end(struct ctlbody *b, char *out, size_t cap);
/*
 * Receiver: one line (without its newline) received inside the body.  A
 * verified END is shortened to "END" (*len 3) and closes the body; so
 * does a forged one, which the caller must refuse.
 */
enum ctlbody_line ctlbody_take(struct ctlbody *b, char *line, size_t *len);

#endif
