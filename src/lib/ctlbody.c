/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The body of a control request and its one authentication rule, used by
 * the control client (ctlc.c) to send a LOG and by the line server
 * (lsrv.c) to receive one, so that the two can never disagree.
 */
#include <stdio.h>
#include <string.h>

#include "mpcomm/ctlbody.h"

void
ctlbody_begin(struct ctlbody *b, const struct auth_key *key,
    const char *nonce)
{
	b->open = true;
	b->key = key;
	b->nonce = nonce;
	if (key)
		auth_sha256_init(&b->digest);
}

void
ctlbody_add(struct ctlbody *b, const void *data, size_t len)
{
	if (b->key)
		auth_sha256_update(&b->digest, data, len);
}

/* The MAC of a body's END: the line MAC of "END <hex digest>". */
static void
body_mac(struct ctlbody *b, char out[AUTH_MAC_HEX + 1])
{
	uint8_t d[AUTH_HASH_LEN];
	char what[4 + 2 * AUTH_HASH_LEN + 1];

	auth_sha256_final(&b->digest, d);
	memcpy(what, "END ", 4);
	auth_hex(d, sizeof(d), what + 4);
	auth_line_mac(b->key, b->nonce, what, sizeof(what) - 1, out);
}

size_t
ctlbody_end(struct ctlbody *b, char *out, size_t cap)
{
	char mac[AUTH_MAC_HEX + 1];
	int n;

	b->open = false;
	if (!b->key)
		n = snprintf(out, cap, "END\n");
	else {
		body_mac(b, mac);
		n = snprintf(out, cap, "END mac=%s\n", mac);
	}
	return n < 0 ? 0 : (size_t)n;
}

/* An END line: "END" alone or followed by fields. */
static bool
is_end(const char *line, size_t len)
{
	return len >= 3 && memcmp(line, "END", 3) == 0 &&
	    (len == 3 || line[3] == ' ');
}

enum ctlbody_line
ctlbody_take(struct ctlbody *b, char *line, size_t *len)
{
	static const char end[] = "END mac=";
	const size_t elen = sizeof(end) - 1;
	char want[AUTH_MAC_HEX + 1];

	if (!b->key) {
		/* Unkeyed, only a bare END ends it (as before keys existed). */
		if (*len != 3 || memcmp(line, "END", 3) != 0)
			return CTLBODY_LINE;
		b->open = false;
		return CTLBODY_END;
	}
	if (!is_end(line, *len)) {
		auth_sha256_update(&b->digest, line, *len);
		auth_sha256_update(&b->digest, "\n", 1);
		return CTLBODY_LINE;
	}
	b->open = false;
	body_mac(b, want);
	if (*len != elen + AUTH_MAC_HEX || memcmp(line, end, elen) != 0 ||
	    !auth_equal(want, line + elen, AUTH_MAC_HEX))
		return CTLBODY_FORGED;
	line[3] = '\0';
	*len = 3;
	return CTLBODY_END;
}
