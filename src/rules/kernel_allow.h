/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * --enforce: the allowlist as the kernel side matches it (enforce.h): each
 * entry's exe pattern, and target_exe pattern if any, expanded now with
 * glob(3) to the files that exist, named by device and inode. An entry whose
 * pattern names no file allows nothing in the kernel. The kernel matches
 * exactly what it can: a comm glob cannot be, and is refused.
 */
#ifndef PVMTRACE_KERNEL_ALLOW_H
#define PVMTRACE_KERNEL_ALLOW_H

#include <stddef.h>

#include "enforce.h"
#include "rules/allowlist.h"

/*
 * Fills rules[0..*n) (at most PVM_ALLOW_MAX). Returns 0, or -1 with a
 * reason, "FILE:LINE: ..." for an entry the kernel cannot enforce, in err.
 */
int pvm_kernel_allowlist(const struct pvm_allowlist *list, struct pvm_allow_rule *rules,
			 unsigned int *n, char *err, size_t err_len);

#endif /* PVMTRACE_KERNEL_ALLOW_H */
