/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * --capture-dir DIR: every distinct payload stored once, as
 * DIR/<sha256 hex>.bin, mode 0600. Content-addressed, so a payload written a
 * thousand times costs one file, and an event names its payload by digest.
 *
 * A file appears under its final name only complete: the bytes go to a
 * temporary name created O_EXCL in DIR (".tmp-..."), which is then renamed
 * with RENAME_NOREPLACE (or linked, where the file system cannot) to the
 * final name. Nothing existing is ever overwritten or followed: a symlink or
 * anything but a regular file of the payload's length at the final name is a
 * failure, not a duplicate.
 *
 * Bytes a traced process controls never choose a path: the name is a digest
 * checked to be 64 lowercase hex digits, relative to DIR's descriptor.
 */
#ifndef PVMTRACE_CAPTURE_STORE_H
#define PVMTRACE_CAPTURE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <linux/types.h>

#define PVM_SHA256_HEX_LEN 64

struct pvm_capture_store {
	int dirfd;		/* DIR, O_DIRECTORY|O_NOFOLLOW */
	__u32 tmp_seq;		/* makes temporary names unique in this process */
	__u64 stored;		/* payloads written */
	__u64 duplicates;	/* payloads already in DIR */
	__u64 failures;		/* payloads not stored (errno said why) */
	FILE *warn;		/* where a failure's reason is said: stderr */
	int last_failure;	/* errno of the last reason said; 0: none yet */
};

/*
 * Opens DIR, which must exist and be a directory, not a symlink to one.
 * Returns 0, or -1 with a reason ("DIR: ...") in err.
 */
int pvm_capture_store_open(const char *dir, struct pvm_capture_store *s, char *err,
			   size_t errlen);

/*
 * Stores `len` bytes as DIR/<sha256_hex>.bin unless that file exists.
 * sha256_hex is the digest of the bytes, computed by the caller. Returns 0
 * with *already false (stored) or true (a regular file of `len` bytes was
 * there: a duplicate); -1 with errno on failure: EINVAL (not a digest),
 * EEXIST (something else holds the final name), or what the file system
 * said.
 */
int pvm_capture_store_put(struct pvm_capture_store *s, const unsigned char *bytes, size_t len,
			  const char sha256_hex[PVM_SHA256_HEX_LEN + 1], bool *already);

void pvm_capture_store_close(struct pvm_capture_store *s);

#endif /* PVMTRACE_CAPTURE_STORE_H */
