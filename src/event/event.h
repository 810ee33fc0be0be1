/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One call, decoded from its ring-buffer record and checked, plus what user
 * space adds (wall-clock time). Every later stage reads this, never the raw
 * bytes.
 */
#ifndef PVMTRACE_EVENT_H
#define PVMTRACE_EVENT_H

#include <stdbool.h>
#include <stddef.h>

#include "record.h"

struct pvm_iov_side {
	enum pvm_iov_state state;
	__u64 count;		  /* the raw liovcnt / riovcnt argument */
	__u32 n;		  /* entries in `iov` */
	const struct pvm_iov *iov; /* points into the record */
	__u64 bytes;		  /* meaningful when state == PVM_IOV_OK */
	bool truncated;		  /* the array had more entries than `n` */
};

struct pvm_event {
	const struct pvm_record *rec; /* header fields, as the kernel wrote them */
	__u64 wall_ns;		      /* CLOCK_REALTIME of syscall entry */
	struct pvm_iov_side local;
	struct pvm_iov_side remote;
};

/*
 * Checks and decodes one record of `size` bytes. `boot_to_wall_ns` turns the
 * kernel's CLOCK_BOOTTIME stamp into wall-clock time. The event points into
 * `data`, which must outlive it. Returns 0, or -1 with *why set.
 */
int pvm_event_decode(const void *data, size_t size, __u64 boot_to_wall_ns,
		     struct pvm_event *ev, const char **why);

const char *pvm_syscall_name(enum pvm_syscall sys);
const char *pvm_abi_name(enum pvm_abi abi);
/* "EPERM", ... for a negative return; NULL for success. */
const char *pvm_errno_name(__s64 ret);

#endif /* PVMTRACE_EVENT_H */
