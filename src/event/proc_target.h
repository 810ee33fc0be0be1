/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Enrichment: the target process from /proc, for the modes and kernels whose
 * kernel side could not resolve it (enum pvm_target_source UNRESOLVED). Later
 * than the call and racy: the result is marked "source":"proc".
 */
#ifndef PVMTRACE_PROC_TARGET_H
#define PVMTRACE_PROC_TARGET_H

#include <stdbool.h>

#include "record.h"

/* PROC_PID_INIT_INO, include/linux/proc_ns.h: the initial pid namespace. */
#define PVM_INIT_PIDNS_INUM 0xEFFFFFFCu

/*
 * Reads /proc/<pid> (under proc_root) into *t: every field but cgroup_id.
 * Returns PVM_TARGET_KERNEL when it read them all (the layout the kernel side
 * fills; the caller marks it as from /proc), PVM_TARGET_NONE when no such pid
 * exists now, PVM_TARGET_UNRESOLVED when it cannot tell: the caller is in
 * another pid namespace (its pid means nothing to /proc), or the process
 * ended while it was being read. t->source is left to the caller.
 */
enum pvm_target_source pvm_proc_target(const char *proc_root, __s32 pid, __u32 caller_pidns,
				       struct pvm_target *t);

#endif /* PVMTRACE_PROC_TARGET_H */
