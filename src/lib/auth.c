/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104), written plainly from the
 * standards, and MPComm's two authenticated encodings built on them.
 */
#define _GNU_SOURCE		/* getrandom */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mpcomm/auth.h"
#include "mpcomm/wire.h"

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t
ror(uint32_t x, int n)
{
	return x >> n | x << (32 - n);
}

static void
block(struct auth_sha256 *s, const uint8_t *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = wire_get_u32(p + 4 * i);
	for (i = 16; i < 64; i++)
		w[i] = (ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ w[i - 2] >> 10) +
		    w[i - 7] + (ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^
		    w[i - 15] >> 3) + w[i - 16];
	a = s->h[0]; b = s->h[1]; c = s->h[2]; d = s->h[3];
	e = s->h[4]; f = s->h[5]; g = s->h[6]; h = s->h[7];
	for (i = 0; i < 64; i++) {
		t1 = h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) +
		    ((e & f) ^ (~e & g)) + K[i] + w[i];
		t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) +
		    ((a & b) ^ (a & c) ^ (b & c));
		h = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	s->h[0] += a; s->h[1] += b; s->h[2] += c; s->h[3] += d;
	s->h[4] += e; s->h[5] += f; s->h[6] += g; s->h[7] += h;
}

void
auth_sha256_init(struct auth_sha256 *s)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(s->h, iv, sizeof(iv));
	s->len = 0;
	s->nbuf = 0;
}

void
auth_sha256_update(struct auth_sha256 *s, const void *data, size_t n)
{
	const uint8_t *p = data;
	size_t take;

	s->len += n;
	if (s->nbuf) {
		take = 64 - s->nbuf < n ? 64 - s->nbuf : n;
		memcpy(s->buf + s->nbuf, p, take);
		s->nbuf += take;
		p += take;
		n -= take;
		if (s->nbuf < 64)
			return;
		block(s, s->buf);
		s->nbuf = 0;
	}
	for (; n >= 64; p += 64, n -= 64)
		block(s, p);
	memcpy(s->buf, p, n);
	s->nbuf = n;
}

void
auth_sha256_final(struct auth_sha256 *s, uint8_t out[AUTH_HASH_LEN])
{
	uint64_t bits = s->len * 8;
	uint8_t pad[72] = { 0x80 };
	size_t padlen = s->nbuf < 56 ? 56 - s->nbuf : 120 - s->nbuf;
	int i;

	wire_put_u64(pad + padlen, bits);
	auth_sha256_update(s, pad, padlen + 8);
	for (i = 0; i < 8; i++)
		wire_put_u32(out + 4 * i, s->h[i]);
}

void
auth_hmac(const uint8_t *key, size_t klen, const void *a, size_t alen,
    const void *b, size_t blen, const void *c, size_t clen,
    uint8_t out[AUTH_HASH_LEN])
{
	struct auth_sha256 s;
	uint8_t k[64] = { 0 }, pad[64], inner[AUTH_HASH_LEN];
	int i;

	if (klen > 64) {
		auth_sha256_init(&s);
		auth_sha256_update(&s, key, klen);
		auth_sha256_final(&s, k);
	} else {
		memcpy(k, key, klen);
	}
	for (i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x36;
	auth_sha256_init(&s);
	auth_sha256_update(&s, pad, 64);
	if (a)
		auth_sha256_update(&s, a, alen);
	if (b)
		auth_sha256_update(&s, b, blen);
	if (c)
		auth_sha256_update(&s, c, clen);
	auth_sha256_final(&s, inner);
	for (i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x5c;
	auth_sha256_init(&s);
	auth_sha256_update(&s, pad, 64);
	auth_sha256_update(&s, inner, sizeof(inner));
	auth_sha256_final(&s, out);
}

int
auth_equal(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t diff = 0;
	size_t i;

	for (i = 0; i < n; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}

void
auth_hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

int
auth_load_key(const char *path, struct auth_key *key)
{
	uint8_t buf[AUTH_KEY_MAX + 2];
	struct stat st;
	ssize_t n;
	size_t len = 0;
	int fd, e;

	/* Non-blocking: a FIFO planted at path must not hang us. */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = ENODEV;
		return -1;
	}
	while (len < sizeof(buf) &&
	    (n = read(fd, buf + len, sizeof(buf) - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		len += (size_t)n;
	}
	close(fd);
	if (len && buf[len - 1] == '\n')
		len--;
	if (len < AUTH_KEY_MIN || len > AUTH_KEY_MAX) {
		errno = EINVAL;
		return -1;
	}
	memcpy(key->k, buf, len);
	key->len = len;
	return 0;
}

void
auth_run_key(const struct auth_key *key, uint64_t run, struct auth_key *out)
{
	uint8_t r[8];

	wire_put_u64(r, run);
	auth_hmac(key->k, key->len, "mpcomm-run", 10, r, 8, NULL, 0, out->k);
	out->len = AUTH_HASH_LEN;
}

int
auth_random(void *p, size_t len)
{
	uint8_t *r = p;
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = getrandom(r + got, len - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

int
auth_nonce(char out[AUTH_NONCE_HEX + 1])
{
	uint8_t r[AUTH_NONCE_HEX / 2];

	if (auth_random(r, sizeof(r)) < 0)
		return -1;
	auth_hex(r, sizeof(r), out);
	return 0;
}

void
auth_line_mac(const struct auth_key *key, const char *nonce, const char *line,
    size_t len, char out[AUTH_MAC_HEX + 1])
{
	uint8_t mac[AUTH_HASH_LEN];

	auth_hmac(key->k, key->len, nonce, strlen(nonce), "\n", 1, line, len,
	    mac);
	auth_hex(mac, sizeof(mac), out);
}

int
auth_line_check(const struct auth_key *key, const char *nonce, char *line,
    size_t *len)
{
	static const char field[] = " mac=";
	char want[AUTH_MAC_HEX + 1];
	size_t flen = sizeof(field) - 1, body;

	if (*len < flen + AUTH_MAC_HEX)
		return 0;
	body = *len - flen - AUTH_MAC_HEX;
	if (memcmp(line + body, field, flen) != 0)
		return 0;
	auth_line_mac(key, nonce, line, body, want);
	if (!auth_equal(want, line + body + flen, AUTH_MAC_HEX))
		return 0;
	line[body] = '\0';
	*len = body;
	return 1;
}

#define CLAIM_NONCE	"claim"		/* not hex: never a server's nonce */
#define CLAIM_PREFIX	"CLAIM r="

int
auth_claim_line(const struct auth_key *key, char out[AUTH_CLAIM_LEN + 1])
{
	uint8_t r[AUTH_CLAIM_HEX / 2];
	char mac[AUTH_MAC_HEX + 1];
	size_t n = sizeof(CLAIM_PREFIX) - 1;

	if (auth_random(r, sizeof(r)) < 0)
		return -1;
	memcpy(out, CLAIM_PREFIX, n);
	auth_hex(r, sizeof(r), out + n);
	n += AUTH_CLAIM_HEX;
	auth_line_mac(key, CLAIM_NONCE, out, n, mac);
	memcpy(out + n, " mac=", 5);
	memcpy(out + n + 5, mac, AUTH_MAC_HEX + 1);
	return 0;
}

int
auth_is_claim(const char *line, size_t len)
{
	return len >= 6 && memcmp(line, "CLAIM ", 6) == 0;
}

int
auth_claim_check(const struct auth_key *key, const char *line, size_t len)
{
	char copy[AUTH_CLAIM_LEN + 1];

	/* r needs no check of its own: the MAC covers it. */
	if (len != AUTH_CLAIM_LEN ||
	    memcmp(line, CLAIM_PREFIX, sizeof(CLAIM_PREFIX) - 1) != 0)
		return 0;
	memcpy(copy, line, len);
	copy[len] = '\0';
	return auth_line_check(key, CLAIM_NONCE, copy, &len);
}
