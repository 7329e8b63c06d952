/* SPDX-License-Identifier: BSD-2-Clause */
/* SHA-256 and HMAC-SHA-256 against published vectors; the line MAC. */
#include <string.h>

#include "mpcomm/auth.h"
#include "check.h"

static void
sha_hex(const void *p, size_t n, char *out)
{
	struct auth_sha256 s;
	uint8_t d[AUTH_HASH_LEN];

	auth_sha256_init(&s);
	auth_sha256_update(&s, p, n);
	auth_sha256_final(&s, d);
	auth_hex(d, sizeof(d), out);
}

static int
hmac_is(const void *key, size_t klen, const void *data, size_t dlen,
    const char *want)
{
	uint8_t d[AUTH_HASH_LEN];
	char hex[AUTH_MAC_HEX + 1];

	auth_hmac(key, klen, data, dlen, NULL, 0, NULL, 0, d);
	auth_hex(d, sizeof(d), hex);
	return strncmp(hex, want, strlen(want)) == 0;
}

int
main(void)
{
	char hex[AUTH_MAC_HEX + 1], line[200];
	uint8_t key20[20], key131[131], data50[50];
	struct auth_key k = { .len = 16 };
	size_t len;
	int i;

	/* FIPS 180-2 examples. */
	sha_hex("abc", 3, hex);
	CHECK(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad") == 0);
	sha_hex("", 0, hex);
	CHECK(strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855") == 0);
	sha_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	    hex);
	CHECK(strcmp(hex, "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1") == 0);
	{	/* one million 'a', fed in uneven pieces */
		struct auth_sha256 s;
		uint8_t d[AUTH_HASH_LEN], a[1001];

		memset(a, 'a', sizeof(a));
		auth_sha256_init(&s);
		for (i = 0; i < 1000; i++)
			auth_sha256_update(&s, a, i % 2 ? 999 : 1001);
		auth_sha256_final(&s, d);
		auth_hex(d, sizeof(d), hex);
		CHECK(strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67"
		    "f1809a48a497200e046d39ccc7112cd0") == 0);
	}

	/* RFC 4231 test cases 1, 2, 3, 4, 5 (truncated), 6, 7. */
	memset(key20, 0x0b, sizeof(key20));
	CHECK(hmac_is(key20, 20, "Hi There", 8, "b0344c61d8db38535ca8afceaf0bf12b"
	    "881dc200c9833da726e9376c2e32cff7"));
	CHECK(hmac_is("Jefe", 4, "what do ya want for nothing?", 28,
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
	memset(key20, 0xaa, sizeof(key20));
	memset(data50, 0xdd, sizeof(data50));
	CHECK(hmac_is(key20, 20, data50, 50, "773ea91e36800e46854db8ebd09181a7"
	    "2959098b3ef8c122d9635514ced565fe"));
	{
		uint8_t key25[25];

		for (i = 0; i < 25; i++)
			key25[i] = (uint8_t)(i + 1);
		memset(data50, 0xcd, sizeof(data50));
		CHECK(hmac_is(key25, 25, data50, 50, "82558a389a443c0ea4cc819899"
		    "f2083a85f0faa3e578f8077a2e3ff46729665b"));
	}
	memset(key20, 0x0c, sizeof(key20));
	CHECK(hmac_is(key20, 20, "Test With Truncation", 20,
	    "a3b6167473100ee06e0c796c2955552b"));
	memset(key131, 0xaa, sizeof(key131));
	CHECK(hmac_is(key131, 131, "Test Using Larger Than Block-Size Key - "
	    "Hash Key First", 54, "60e431591ee0b67f0d8a26aacbf5b77f"
	    "8e0bc6213728c5140546040f0ee37f54"));
	CHECK(hmac_is(key131, 131, "This is a test using a larger than "
	    "block-size key and a larger than block-size data. The key needs "
	    "to be hashed before being used by the HMAC algorithm.", 152,
	    "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"));

	CHECK(auth_equal("abcd", "abcd", 4) && !auth_equal("abcd", "abce", 4));

	/* Control lines: right MAC accepted and stripped; anything else not. */
	memset(k.k, 7, 16);
	snprintf(line, sizeof(line), "LIST");
	auth_line_mac(&k, "n1", line, 4, hex);
	snprintf(line, sizeof(line), "LIST mac=%s", hex);
	len = strlen(line);
	CHECK(auth_line_check(&k, "n1", line, &len) == 1 && len == 4 &&
	    strcmp(line, "LIST") == 0);
	snprintf(line, sizeof(line), "LIST mac=%s", hex);
	len = strlen(line);
	CHECK(auth_line_check(&k, "n2", line, &len) == 0);	/* other nonce */
	snprintf(line, sizeof(line), "PING mac=%s", hex);
	len = strlen(line);
	CHECK(auth_line_check(&k, "n1", line, &len) == 0);	/* other line */
	snprintf(line, sizeof(line), "LIST");
	len = 4;
	CHECK(auth_line_check(&k, "n1", line, &len) == 0);	/* no MAC */
	{
		char n1[AUTH_NONCE_HEX + 1], n2[AUTH_NONCE_HEX + 1];

		CHECK(auth_nonce(n1) == 0 && auth_nonce(n2) == 0 &&
		    strlen(n1) == AUTH_NONCE_HEX && strcmp(n1, n2) != 0);
	}
	{
		struct auth_key r1, r2;

		auth_run_key(&k, 1, &r1);
		auth_run_key(&k, 2, &r2);
		CHECK(r1.len == AUTH_HASH_LEN && memcmp(r1.k, r2.k, 32) != 0);
	}
	CHECK_DONE("test_auth");
}
