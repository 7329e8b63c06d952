/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Authentication with a shared secret (--key-file): SHA-256 and HMAC-SHA-256
 * (FIPS 180-4, RFC 2104, checked against RFC 4231's vectors), constant-time
 * comparison, and the two uses MPComm makes of them:
 *  - datagrams carry a 16-byte HMAC trailer under a key derived for their
 *    run, so a datagram recorded in one run is refused in any other;
 *  - control lines carry `mac=<hex>`, an HMAC over the connection's nonce
 *    (sent by the server in `HELLO nonce=...`) and the line;
 *  - a client's first line, `CLAIM r=<hex> mac=<hex>`, sent before it has
 *    the nonce, shows that it holds the key so that its connection keeps
 *    its slot (it grants nothing else: it can be replayed).
 */
#ifndef MPCOMM_AUTH_H
#define MPCOMM_AUTH_H

#include <stddef.h>
#include <stdint.h>

#define AUTH_HASH_LEN	32
#define AUTH_TAG_LEN	16		/* datagram trailer: HMAC truncated */
#define AUTH_KEY_MIN	16
#define AUTH_KEY_MAX	64
#define AUTH_NONCE_HEX	32		/* 16 random bytes, in hex */
#define AUTH_MAC_HEX	(2 * AUTH_HASH_LEN)
#define AUTH_CLAIM_HEX	16		/* CLAIM's r: 8 random bytes */
/* CLAIM r=<AUTH_CLAIM_HEX> mac=<AUTH_MAC_HEX>, without the newline. */
#define AUTH_CLAIM_LEN	(8 + AUTH_CLAIM_HEX + 5 + AUTH_MAC_HEX)

struct auth_sha256 {
	uint32_t	h[8];
	uint64_t	len;
	uint8_t		buf[64];
	size_t		nbuf;
};

struct auth_key {
	uint8_t		k[AUTH_KEY_MAX];
	size_t		len;
};

void	auth_sha256_init(struct auth_sha256 *s);
void	auth_sha256_update(struct auth_sha256 *s, const void *p, size_t n);
void	auth_sha256_final(struct auth_sha256 *s, uint8_t out[AUTH_HASH_LEN]);
/* HMAC-SHA-256 of the concatenation of up to three parts (NULL: absent). */
void	auth_hmac(const uint8_t *key, size_t klen, const void *a, size_t alen,
	    const void *b, size_t blen, const void *c, size_t clen,
	    uint8_t out[AUTH_HASH_LEN]);
/* Constant-time equality of n bytes: 1 when equal. */
int	auth_equal(const void *a, const void *b, size_t n);
void	auth_hex(const uint8_t *p, size_t n, char *out);

/*
 * Reads a secret of AUTH_KEY_MIN..AUTH_KEY_MAX bytes from the regular file
 * path (one trailing newline is not part of it); never blocks on a FIFO.
 * Returns 0, or -1 with errno (EINVAL: size; ENODEV: not a regular file).
 */
int	auth_load_key(const char *path, struct auth_key *key);
/*
 * The key of one run's datagrams: HMAC(key, "mpcomm-run" || run).  key is
 * the shared key (--key-file) or, without one, the run's secret from START.
 */
void	auth_run_key(const struct auth_key *key, uint64_t run,
	    struct auth_key *out);
/* n bytes from the kernel's random source (getrandom).  0, or -1. */
int	auth_random(void *p, size_t n);
/* A fresh nonce, as AUTH_NONCE_HEX hex digits and a NUL.  0 or -1. */
int	auth_nonce(char out[AUTH_NONCE_HEX + 1]);
/* The mac= of a control line: hex HMAC(key, nonce "\n" line), with NUL. */
void	auth_line_mac(const struct auth_key *key, const char *nonce,
	    const char *line, size_t len, char out[AUTH_MAC_HEX + 1]);
/*
 * Checks and strips the last field " mac=<hex>" of line (length *len).
 * Returns 1 when it is there and right (*len shortened), 0 otherwise.
 */
int	auth_line_check(const struct auth_key *key, const char *nonce,
	    char *line, size_t *len);
/*
 * The CLAIM line (AUTH_CLAIM_LEN characters and a NUL), MACed as a line
 * under the fixed nonce "claim", which no server's hex nonce can equal.
 * 0, or -1 when there is no randomness.
 */
int	auth_claim_line(const struct auth_key *key,
	    char out[AUTH_CLAIM_LEN + 1]);
/* True when line starts as a CLAIM does (to be checked, not a request). */
int	auth_is_claim(const char *line, size_t len);
/* 1 when line is exactly a CLAIM line whose MAC verifies, 0 otherwise. */
int	auth_claim_check(const struct auth_key *key, const char *line,
	    size_t len);

#endif
