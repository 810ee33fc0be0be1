/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The in-kernel filter (filter.h) fed with the call's facts. */
#ifndef PVMTRACE_FILTER_BPF_H
#define PVMTRACE_FILTER_BPF_H

#include "filter.h"
#include "task.bpf.h"

const volatile struct pvm_filter filter = {.syscalls = PVM_SYS_ALL};

/* Index 0 holds the --cgroup directory when that filter is on. */
struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} filter_cgroup SEC(".maps");

static __always_inline bool should_trace(struct task_struct *task, __u8 sys,
					 const struct pvm_call_args *a)
{
	struct pvm_filter_input in = {
		.syscall = sys,
		.caller_pid = task->tgid,
		.target_pid = a->pid,
		.uid = task_uid(task),
	};

	if (pvm_filter_has(&filter, PVM_FILTER_COMM))
		load_comm(in.comm, task);
	if (pvm_filter_has(&filter, PVM_FILTER_CGROUP))
		in.in_cgroup = bpf_current_task_under_cgroup(&filter_cgroup, 0) == 1;
	if (pvm_filter_has(&filter, PVM_FILTER_CROSS_ONLY))
		in.same_process = targets_own_process(task, a->pid);
	return pvm_filter_keeps(&filter, &in);
}

#endif /* PVMTRACE_FILTER_BPF_H */
