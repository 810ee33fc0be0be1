/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef PVMTRACE_DIGEST_H
#define PVMTRACE_DIGEST_H

#include <stddef.h>

#define PVM_SHA256_LEN 32

/* SHA-256 by libcrypto. */
void pvm_sha256(const void *bytes, size_t len, unsigned char out[PVM_SHA256_LEN]);

#endif /* PVMTRACE_DIGEST_H */
