// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "event/digest.h"

/*
 * libcrypto's own SHA-256 functions, which OpenSSL 3.0 deprecates for EVP.
 * EVP costs too much per event there: EVP_DigestInit_ex frees and allocates
 * its provider context on every call even with the context and algorithm
 * kept, nearly doubling a small digest's time, and EVP_Digest() or SHA256()
 * fetch the algorithm every time. These pick the same assembly (SHA-NI,
 * AVX2) for the CPU.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

void pvm_sha256(const void *bytes, size_t len, unsigned char out[PVM_SHA256_LEN])
{
	SHA256_CTX ctx;

	SHA256_Init(&ctx);
	SHA256_Update(&ctx, bytes, len);
	SHA256_Final(out, &ctx);
}
