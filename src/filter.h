/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The in-kernel filter as a pure predicate. The BPF side calls it at syscall
 * entry (and again at exit to tell a lost entry from a filtered one); the unit
 * tests call the very same code on the host.
 */
#ifndef PVMTRACE_FILTER_H
#define PVMTRACE_FILTER_H

#include "record.h"

#ifndef __bpf__
#include <stdbool.h>
#endif

/*
 * What the predicate looks at. `in_cgroup` and `same_process` cost a helper
 * call or a thread walk, so the caller computes them only when the filter has
 * the matching PVM_FILTER_* bit.
 */
struct pvm_filter_input {
	__u32 syscall;		/* enum pvm_syscall */
	__u32 caller_pid;	/* tgid */
	__s32 target_pid;	/* the `pid` argument */
	__u32 uid;
	char comm[PVM_COMM_LEN];
	bool in_cgroup;
	bool same_process;	/* target is the caller's own thread group */
};

static inline bool pvm_comm_equal(const volatile char *want, const char *have)
{
	for (int i = 0; i < PVM_COMM_LEN; i++) {
		if (want[i] != have[i])
			return false;
		if (!want[i])
			return true;
	}
	return true;
}

static inline bool pvm_filter_has(const volatile struct pvm_filter *f, __u32 field)
{
	return (f->fields & field) != 0;
}

/* Cheapest tests first: this runs on every matching syscall entry. */
static inline bool pvm_filter_keeps(const volatile struct pvm_filter *f,
				    const struct pvm_filter_input *in)
{
	if (!(f->syscalls & PVM_SYS_BIT(in->syscall)))
		return false;
	if (pvm_filter_has(f, PVM_FILTER_CALLER_PID) && in->caller_pid != f->caller_pid)
		return false;
	if (pvm_filter_has(f, PVM_FILTER_TARGET_PID) && in->target_pid != f->target_pid)
		return false;
	if (pvm_filter_has(f, PVM_FILTER_UID) && in->uid != f->uid)
		return false;
	if (pvm_filter_has(f, PVM_FILTER_COMM) && !pvm_comm_equal(f->comm, in->comm))
		return false;
	if (pvm_filter_has(f, PVM_FILTER_CGROUP) && !in->in_cgroup)
		return false;
	if (pvm_filter_has(f, PVM_FILTER_CROSS_ONLY) && in->same_process)
		return false;
	return true;
}

#endif /* PVMTRACE_FILTER_H */
