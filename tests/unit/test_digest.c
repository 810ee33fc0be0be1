// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* SHA-256 of payloads: FIPS 180-4's examples, and libcrypto's EVP on every length. */
#include "event/digest.h"
#include "output/json_writer.h"
#include "unit.h"

#include <openssl/evp.h>
#include <stdlib.h>

static const char *hex_of(const void *bytes, size_t len)
{
	static char hex[2 * PVM_SHA256_LEN + 1];
	unsigned char digest[PVM_SHA256_LEN];

	pvm_sha256(bytes, len, digest);
	jw_hex_encode(hex, digest, sizeof(digest));
	hex[sizeof(hex) - 1] = '\0';
	return hex;
}

UNIT_TEST(digest_known_answers)
{
	static char million[1000000];

	CHECK_STR(hex_of("", 0), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK_STR(hex_of("abc", 3), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_STR(hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56),
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(million, 'a', sizeof(million));
	CHECK_STR(hex_of(million, sizeof(million)),
		  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Every length across the padding's edges and a few blocks, against EVP. */
UNIT_TEST(digest_every_length_as_libcrypto)
{
	static unsigned char bytes[4 * 64 + 1];
	unsigned char want[PVM_SHA256_LEN], got[PVM_SHA256_LEN];

	for (size_t i = 0; i < sizeof(bytes); i++)
		bytes[i] = (unsigned char)(i * 131 + 7);
	for (size_t len = 0; len <= sizeof(bytes) - 1; len++) {
		/* from an odd address too: the blocks are loaded unaligned */
		for (size_t at = 0; at <= 1; at++) {
			if (len + at > sizeof(bytes))
				continue;
			EVP_Digest(bytes + at, len, want, NULL, EVP_sha256(), NULL);
			pvm_sha256(bytes + at, len, got);
			if (memcmp(want, got, sizeof(got)))
				unit_fail(__FILE__, __LINE__, "length %zu at %zu differs", len, at);
		}
	}
}
