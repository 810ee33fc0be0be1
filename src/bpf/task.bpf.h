/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The caller and the target: ids, credentials, namespaces, cgroup, name and
 * executable of each, and the target looked up the way the syscall will.
 */
#ifndef PVMTRACE_TASK_BPF_H
#define PVMTRACE_TASK_BPF_H

#include "state.bpf.h"
#include "exe.bpf.h"

/*
 * Task fields are read by plain dereference: the task comes from
 * bpf_get_current_task_btf() or a kfunc, a BTF pointer the verifier turns into
 * fault-tolerant loads, each far cheaper than a helper call. The current
 * thread's ids, credentials, cgroup and name are loaded so too, not asked of
 * bpf_get_current_*(): where the kernel returns through a mitigation thunk
 * (AMD's SRSO "safe RET") a helper's call and returns cost more than the
 * loads it makes. pt_regs are loaded where the hook's pointer is typed
 * (tp_btf, fentry, bpf_task_pt_regs()) and copied where it is not (raw_tp,
 * kprobe).
 */

#define THREAD_WALK_MAX 8192

/* What bpf_get_current_uid_gid() gives: the ids in the initial user namespace. */
static __always_inline __u32 task_uid(struct task_struct *task)
{
	return task->cred->uid.val;
}

/* bpf_get_current_cgroup_id(): the cgroup v2 id of the task. */
static __always_inline __u64 task_cgroup_id(struct task_struct *task)
{
	return task->cgroups->dfl_cgrp->kn->id;
}

/*
 * task->comm as bpf_get_current_comm() gives it, in two 8-byte loads. A
 * rename under way may be seen half done, as through the helper; the kernel
 * keeps the last byte NUL, and so does this.
 */
static __always_inline void load_comm(char dst[PVM_COMM_LEN], struct task_struct *task)
{
	const __u64 *src = (const void *)task->comm;
	__u64 *out = (void *)dst;

	_Static_assert(PVM_COMM_LEN == 16, "comm is two words");
	out[0] = src[0];
	out[1] = src[1];
	dst[PVM_COMM_LEN - 1] = 0;
}

/* The task's pid number as seen from the pid namespace at `level`. */
static __always_inline __s32 task_pid_nr_at(struct task_struct *task, __u32 level)
{
	/* read, not loaded: the thread walk hands in untyped task pointers */
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	struct upid upid = {};

	if (!pid || BPF_CORE_READ(pid, level) < level)
		return 0;
	bpf_core_read(&upid, sizeof(upid), &pid->numbers[level & 31]);
	return upid.nr;
}

struct thread_walk {
	struct list_head *head;
	struct list_head *pos;
	__u32 level;
	__s32 pid;
	bool found;
};

static long thread_walk_step(__u64 index, void *data)
{
	struct thread_walk *w = data;
	struct list_head *pos = w->pos; /* our struct: no CO-RE on this read */
	struct list_head *next = BPF_CORE_READ(pos, next);
	struct task_struct *thread;

	if (!next || next == w->head)
		return 1;
	thread = (void *)next - bpf_core_field_offset(struct task_struct, thread_node);
	if (task_pid_nr_at(thread, w->level) == w->pid) {
		w->found = true;
		return 1;
	}
	w->pos = next;
	return 0;
}

/*
 * Does `pid`, looked up in the caller's pid namespace the way the syscall
 * will, name a thread of the caller's own thread group? The common cases
 * (the caller's own tgid or tid) need no walk. A group larger than
 * THREAD_WALK_MAX answers false: the call is then kept, never hidden.
 */
static __always_inline bool targets_own_process(struct task_struct *task, __s32 pid)
{
	struct thread_walk w = {.pid = pid};
	struct task_struct *leader;

	if (pid <= 0)
		return false;
	w.level = task->thread_pid->level;
	if (task_pid_nr_at(task, w.level) == pid)
		return true;
	leader = task->group_leader;
	if (task_pid_nr_at(leader, w.level) == pid)
		return true;
	w.head = &task->signal->thread_head;
	w.pos = w.head;
	bpf_loop(THREAD_WALK_MAX, thread_walk_step, &w, 0);
	return w.found;
}

/*
 * The inode of the task's own pid namespace (the one its pids live in). The
 * verifier takes a typed load at a constant offset only: the initial
 * namespace's entry is loaded, a nested one's read.
 */
static __always_inline __u32 task_pidns_inum(struct task_struct *task)
{
	struct pid *pid = task->thread_pid;
	__u32 level = pid->level;
	struct upid upid = {};

	if (level == 0)
		return pid->numbers[0].ns->ns.inum;
	bpf_core_read(&upid, sizeof(upid), &pid->numbers[level & 31]);
	return BPF_CORE_READ(upid.ns, ns.inum); /* read, not loaded: a scalar */
}

static __always_inline void fill_caller(struct pvm_record *rec, struct task_struct *task)
{
	const struct cred *cred = task->cred;

	rec->caller_pid = task->tgid;
	rec->caller_tid = task->pid;
	rec->caller_uid = cred->uid.val;
	rec->caller_gid = cred->gid.val;
	rec->caller_ppid = task->real_parent->tgid;
	rec->cgroup_id = task_cgroup_id(task);
	rec->pidns = task_pidns_inum(task);
	rec->mntns = task->nsproxy->mnt_ns->ns.inum;
	rec->caller_start_boot_ns = task->group_leader->start_boottime;
	load_comm(rec->comm, task);
	read_exe(&rec->caller_exe, task->mm, exe_scratch(rec, EXE_CALLER));
}

static __always_inline void fill_target(struct pvm_record *rec, struct task_struct *task)
{
	struct pvm_target *t = &rec->target;

	t->source = PVM_TARGET_KERNEL;
	t->pid = task->tgid;
	t->tid = task->pid;
	t->ppid = task->real_parent->tgid;
	t->uid = task->real_cred->uid.val;
	t->pidns = task_pidns_inum(task);
	t->cgroup_id = task_cgroup_id(task);
	t->start_boot_ns = task->group_leader->start_boottime;
	load_comm(t->comm, task);
	read_exe(&t->exe, task->mm, exe_scratch(rec, EXE_TARGET));
}

/*
 * The process the `pid` argument names, looked up the way the syscall will:
 * in the caller's pid namespace. Returns it acquired (the caller releases
 * it), or NULL. Unresolved when this kernel or program type has no kfunc for
 * it; user space then falls back to /proc.
 */
static __always_inline struct task_struct *acquire_target(struct pvm_record *rec,
							  struct task_struct *caller, __s32 pid)
{
	struct pvm_target *t = &rec->target;
	struct task_struct *target;

	__builtin_memset(&t->exe, 0, sizeof(t->exe));
	t->source = PVM_TARGET_UNRESOLVED;
	if (have_task_from_pid && caller->thread_pid->level == 0)
		target = bpf_task_from_pid(pid);
	else if (have_task_from_vpid)
		target = bpf_task_from_vpid(pid);
	else
		return 0;
	if (!target) {
		t->source = PVM_TARGET_NONE;
		return 0;
	}
	fill_target(rec, target);
	return target;
}

#endif /* PVMTRACE_TASK_BPF_H */
