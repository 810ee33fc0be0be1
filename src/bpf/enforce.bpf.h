/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* --enforce: the facts enforce.h decides on, gathered at entry, and the kill. */
#ifndef PVMTRACE_ENFORCE_BPF_H
#define PVMTRACE_ENFORCE_BPF_H

#include "region.bpf.h"
#include "task.bpf.h"

_Static_assert(sizeof(struct pvm_enforce_input) <= PVM_SLOT_GAP, "the facts fit in the slot's gap");

#define SIGKILL 9
#define PF_KTHREAD 0x00200000 /* include/linux/sched.h */

static __always_inline void exe_id_of(struct task_struct *task, struct pvm_exe_id *id)
{
	struct inode *inode = BPF_CORE_READ(task, mm, exe_file, f_inode);

	id->ino = inode ? BPF_CORE_READ(inode, i_ino) : 0;
	id->dev = inode ? BPF_CORE_READ(inode, i_sb, s_dev) : 0;
}

/* The executables of the caller's parent and its ancestors, parent first. */
static __always_inline void read_ancestors(struct pvm_enforce_input *in, struct task_struct *task)
{
	struct task_struct *t = task;

	for (__u32 i = 0; i < PVM_ANCESTORS_MAX; i++) {
		struct task_struct *parent = BPF_CORE_READ(t, real_parent);

		if (!parent || parent == t)
			break;
		exe_id_of(parent, &in->ancestors[i]);
		in->n_ancestors = i + 1;
		if (BPF_CORE_READ(parent, tgid) == 1)
			break; /* init: nothing above */
		t = parent;
	}
}

/*
 * A remote entry (of the first REGIONS_IN_KERNEL) in a stack, an rwx
 * mapping, or a private writable file mapping: the data and GOT of an
 * executable or library are such mappings. One the kernel could not look up
 * (bpf_find_vma gives up while the target's mmap_lock is taken) cannot be
 * cleared: it counts, so that --enforce=critical fails closed.
 */
static __always_inline bool regions_critical(const struct pvm_record *rec)
{
	__u32 first = pvm_rec_regions_off(rec->local_n, rec->remote_n);

	for (__u32 i = 0; i < REGIONS_IN_KERNEL && i < rec->remote_n; i++) {
		__u32 off = first + i * sizeof(struct pvm_region);
		const struct pvm_region *r;

		if (off > PVM_SLOT_REGION_OFF_MAX(max_iov))
			break;
		r = (const void *)((const __u8 *)rec->iov + off);
		if (r->state == PVM_REGION_UNRESOLVED)
			return true;
		if (r->state != PVM_REGION_FOUND)
			continue;
		if (r->kind == PVM_REGION_STACK ||
		    (r->vm_flags & (PVM_VM_WRITE | PVM_VM_EXEC)) == (PVM_VM_WRITE | PVM_VM_EXEC) ||
		    (r->kind == PVM_REGION_FILE &&
		     (r->vm_flags & (PVM_VM_WRITE | PVM_VM_SHARED)) == PVM_VM_WRITE))
			return true;
	}
	return false;
}

static __always_inline bool protected_caller(struct task_struct *task)
{
	return task->tgid == 1 || (__u32)task->tgid == self_tgid || (task->flags & PF_KTHREAD);
}

/*
 * At entry, with the record filled: kill the caller if --enforce says so.
 * `target` is the task the kernel resolved (NULL when it could not).
 */
static __always_inline void enforce(struct pvm_record *rec, struct task_struct *task,
				    struct task_struct *target)
{
	/* too big for the stack; the slot's gap is free at entry (layout.h) */
	struct pvm_enforce_input *in =
		(void *)((__u8 *)rec->iov + PVM_SLOT_GAP_OFF(max_iov, capture_len));
	int allowed_by;

	if (enforce_level == PVM_ENFORCE_OFF || rec->syscall != PVM_SYS_WRITEV)
		return;
	__builtin_memset(in, 0, sizeof(*in));
	in->syscall = rec->syscall;
	in->foreign = target ? target->tgid != task->tgid : !targets_own_process(task, rec->pid);
	in->protected_caller = protected_caller(task);
	in->target_known = target != 0;
	in->target_unresolved = rec->target.source == PVM_TARGET_UNRESOLVED;
	in->crosses_uid = rec->target.uid != rec->caller_uid;
	in->crosses_pidns = rec->target.pidns != rec->pidns;
	in->critical_region = regions_critical(rec);
	in->caller_exe.ino = rec->caller_exe.ino;
	in->caller_exe.dev = rec->caller_exe.dev;
	in->target_exe.ino = rec->target.exe.ino;
	in->target_exe.dev = rec->target.exe.dev;
	__builtin_memcpy(in->comm, rec->comm, sizeof(in->comm));
	read_ancestors(in, task);
	if (pvm_enforce_kills(enforce_level, allow_rules, n_allow, in, &allowed_by)) {
		bpf_send_signal(SIGKILL);
		rec->action = PVM_ACTION_KILLED;
	} else if (allowed_by >= 0 && allowed_by < PVM_ALLOW_MAX) {
		rec->action = PVM_ACTION_ALLOWED;
		rec->allowed_line = allow_rules[allowed_by].line;
	}
}

/*
 * A write that cannot be checked (no in-flight slot to gather its facts in)
 * is stopped when it goes into another process: --enforce fails closed.
 */
static __always_inline void enforce_unchecked(struct task_struct *task, __u8 sys, __s32 pid)
{
	if (enforce_level == PVM_ENFORCE_FOREIGN && sys == PVM_SYS_WRITEV &&
	    !protected_caller(task) && !targets_own_process(task, pid))
		bpf_send_signal(SIGKILL);
}

#endif /* PVMTRACE_ENFORCE_BPF_H */
