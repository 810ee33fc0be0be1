/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The capture code every attach mode shares. A hook only works out which
 * syscall, which ABI and which six arguments it is looking at, then calls
 * pvm_on_enter() / pvm_on_exit().
 *
 * Entry: filter, then save the arguments, the caller and both iovec arrays in
 * the calling task's local storage. The kernel copies the iovec arrays at
 * entry too (import_iovec), so that is when we read them.
 * Exit: add the return value and emit the saved record to the ring buffer.
 */
#ifndef PVMTRACE_CAPTURE_BPF_H
#define PVMTRACE_CAPTURE_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "record.h"
#include "filter.h"

/*
 * Task fields are read by plain dereference: the task comes from
 * bpf_get_current_task_btf() or a kfunc, a BTF pointer the verifier turns into
 * fault-tolerant loads, each far cheaper than a bpf_probe_read_kernel() call.
 * pt_regs stay behind BPF_CORE_READ: in raw_tp they are an untyped pointer.
 */

/* Syscall numbers, arch/x86/entry/syscalls/syscall_{64,32}.tbl */
#define NR_X86_64_PROCESS_VM_READV 310
#define NR_X86_64_PROCESS_VM_WRITEV 311
#define NR_IA32_PROCESS_VM_READV 347
#define NR_IA32_PROCESS_VM_WRITEV 348

/*
 * arch/x86/include/asm/thread_info.h: set in thread_info.status while a
 * 32-bit syscall (int 0x80, sysenter, syscall from compat mode) runs, cleared
 * on the way back to user mode, so it is valid at sys_enter and sys_exit.
 * It is what in_ia32_syscall() tests; the syscall number alone is not enough
 * (i386 311 is set_robust_list).
 */
#define TS_COMPAT 0x0002

/* arch/x86/include/asm/segment.h */
#define USER_CS_64 0x33
#define USER_CS_32 0x23

#define THREAD_WALK_MAX 8192

#define ENOENT 2 /* include/uapi/asm-generic/errno-base.h */
#define EEXIST 17

const volatile struct pvm_filter filter = {.syscalls = PVM_SYS_ALL};

/*
 * Kfuncs that resolve the `pid` argument to a task: bpf_task_from_pid (v6.2,
 * "bpf: Add bpf_task_from_pid() kfunc") in the init pid namespace,
 * bpf_task_from_vpid (v6.13, "bpf: Add bpf_task_from_vpid() kfunc") in the
 * caller's. Weak, so the object loads where they are missing; user space sets
 * the have_* flags from the kernel's BTF and from whether this program type
 * may call kfuncs at all, so a call the kernel lacks is dead code.
 */
extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym __weak;
extern struct task_struct *bpf_task_from_vpid(s32 vpid) __ksym __weak;
extern void bpf_task_release(struct task_struct *p) __ksym __weak;
const volatile bool have_task_from_pid;
const volatile bool have_task_from_vpid;
const volatile __u32 max_iov = PVM_IOV_DEFAULT;	   /* entries kept per side */
const volatile __u32 capture_len = PVM_CAPTURE_DEFAULT; /* payload bytes kept */

struct pvm_call_args {
	__s32 pid;
	__u64 local_iov;
	__u64 liovcnt;
	__u64 remote_iov;
	__u64 riovcnt;
	__u64 flags;
};

/* The entry saved between sys_enter and sys_exit of one call. */
struct pvm_inflight {
	__u64 reserved;
	struct pvm_record rec;	/* followed by 2 * max_iov struct pvm_iov */
};

_Static_assert(sizeof(struct pvm_inflight) == PVM_INFLIGHT_HEADER_SIZE + sizeof(struct pvm_record),
	       "pvm_inflight layout");

/*
 * Calls between entry and exit, by thread id. Allocated per call (no
 * preallocation: memory only for calls in flight). The value has no BTF type
 * because user space sizes it before load: PVM_INFLIGHT_VALUE_SIZE().
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, PVM_INFLIGHT_MAX);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, PVM_INFLIGHT_VALUE_SIZE(PVM_IOV_DEFAULT, PVM_CAPTURE_DEFAULT));
} inflight SEC(".maps");

/* What a new in-flight entry is created from; every field used is overwritten. */
static const char blank_inflight[PVM_INFLIGHT_VALUE_SIZE(PVM_IOV_MAX, PVM_CAPTURE_MAX)];

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PVM_CNT__MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* Index 0 holds the --cgroup directory when that filter is on. */
struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} filter_cgroup SEC(".maps");

/*
 * Wake the consumer when the ring crosses 1/WAKEUP_FILL_DIV of its size, once
 * per crossing: a wakeup per event (irq_work, then a context switch) costs
 * more than the rest of the hook. The kernel's default (0) would not do: it
 * wakes only a consumer that has caught up, and one sleeping with records
 * left in the ring would then sleep through a flood. User space also drains
 * the ring on every poll timeout, so a trickle waits at most that long.
 */
#define WAKEUP_FILL_DIV 8

static __always_inline __u64 ringbuf_wakeup_flag(__u64 record_size)
{
	__u64 queued = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 threshold = bpf_ringbuf_query(&events, BPF_RB_RING_SIZE) / WAKEUP_FILL_DIV;

	return queued < threshold && queued + record_size >= threshold ? BPF_RB_FORCE_WAKEUP
								       : BPF_RB_NO_WAKEUP;
}

static __always_inline void count(enum pvm_counter which)
{
	__u32 key = which;
	__u64 *slot = bpf_map_lookup_elem(&counters, &key);

	/* atomic: a preemptible program (fentry) can meet itself on this CPU */
	if (slot)
		__sync_fetch_and_add(slot, 1);
}

static __always_inline bool task_in_compat_syscall(struct task_struct *task)
{
	return task->thread_info.status & TS_COMPAT;
}

/*
 * Returns 0 and fills sys/abi when `nr` is a process_vm_* number of some ABI.
 * This runs on every syscall on the machine in the raw modes: numbers only.
 */
static __always_inline int classify_syscall(long nr, __u8 *sys, __u8 *abi)
{
	switch (nr) {
	case NR_X86_64_PROCESS_VM_READV:
		*sys = PVM_SYS_READV;
		*abi = PVM_ABI_X86_64;
		return 0;
	case NR_X86_64_PROCESS_VM_WRITEV:
		*sys = PVM_SYS_WRITEV;
		*abi = PVM_ABI_X86_64;
		return 0;
	case NR_IA32_PROCESS_VM_READV:
		*sys = PVM_SYS_READV;
		*abi = PVM_ABI_IA32;
		return 0;
	case NR_IA32_PROCESS_VM_WRITEV:
		*sys = PVM_SYS_WRITEV;
		*abi = PVM_ABI_IA32;
		return 0;
	default:
		return -1;
	}
}

/* The number means process_vm_* only in the ABI the call really entered by. */
static __always_inline bool entered_by_abi(struct task_struct *task, __u8 abi)
{
	return task_in_compat_syscall(task) == (abi == PVM_ABI_IA32);
}

/*
 * The caller's saved user registers, copied in one read: one helper call
 * instead of one per field (x86 pt_regs is a fixed layout). In raw_tp and
 * kprobe the pointer is untyped, so it cannot be loaded from directly.
 */
static __always_inline int copy_user_regs(struct pt_regs *copy, const struct pt_regs *regs)
{
	return bpf_probe_read_kernel(copy, sizeof(*copy), regs);
}

/* The arguments as the syscall wrapper reads them out of pt_regs. */
static __always_inline void args_from_regs(const struct pt_regs *r, __u8 abi,
					   struct pvm_call_args *a)
{
	if (abi == PVM_ABI_IA32) {
		/* __ia32_sys_*: ebx, ecx, edx, esi, edi, ebp, 32 bits each */
		a->pid = (__s32)r->bx;
		a->local_iov = (__u32)r->cx;
		a->liovcnt = (__u32)r->dx;
		a->remote_iov = (__u32)r->si;
		a->riovcnt = (__u32)r->di;
		a->flags = (__u32)r->bp;
	} else {
		a->pid = (__s32)r->di;
		a->local_iov = r->si;
		a->liovcnt = r->dx;
		a->remote_iov = r->r10;
		a->riovcnt = r->r8;
		a->flags = r->r9;
	}
}

static __always_inline __u8 code_mode_of(const struct pt_regs *r)
{
	switch (r->cs & 0xffff) {
	case USER_CS_64:
		return PVM_CODE_64;
	case USER_CS_32:
		return PVM_CODE_32;
	default:
		return PVM_CODE_UNKNOWN;
	}
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

static __always_inline bool should_trace(struct task_struct *task, __u8 sys,
					 const struct pvm_call_args *a)
{
	struct pvm_filter_input in = {
		.syscall = sys,
		.caller_pid = bpf_get_current_pid_tgid() >> 32,
		.target_pid = a->pid,
		.uid = (__u32)bpf_get_current_uid_gid(),
	};

	if (pvm_filter_has(&filter, PVM_FILTER_COMM))
		bpf_get_current_comm(in.comm, sizeof(in.comm));
	if (pvm_filter_has(&filter, PVM_FILTER_CGROUP))
		in.in_cgroup = bpf_current_task_under_cgroup(&filter_cgroup, 0) == 1;
	if (pvm_filter_has(&filter, PVM_FILTER_CROSS_ONLY))
		in.same_process = targets_own_process(task, a->pid);
	return pvm_filter_keeps(&filter, &in);
}

/* The inode of the task's own pid namespace (the one its pids live in). */
static __always_inline __u32 task_pidns_inum(struct task_struct *task)
{
	struct pid *pid = task->thread_pid;
	__u32 level = pid->level;
	struct upid upid = {};

	bpf_core_read(&upid, sizeof(upid), &pid->numbers[level & 31]);
	return BPF_CORE_READ(upid.ns, ns.inum); /* read, not loaded: a scalar */
}

static __always_inline void fill_caller(struct pvm_record *rec, struct task_struct *task)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 uid_gid = bpf_get_current_uid_gid();

	rec->caller_pid = pid_tgid >> 32;
	rec->caller_tid = (__u32)pid_tgid;
	rec->caller_uid = (__u32)uid_gid;
	rec->caller_gid = uid_gid >> 32;
	rec->caller_ppid = task->real_parent->tgid;
	rec->cgroup_id = bpf_get_current_cgroup_id();
	rec->pidns = task_pidns_inum(task);
	rec->mntns = task->nsproxy->mnt_ns->ns.inum;
	rec->caller_start_boot_ns = task->group_leader->start_boottime;
	bpf_get_current_comm(rec->comm, sizeof(rec->comm));
}

static __always_inline void fill_target(struct pvm_target *t, struct task_struct *task)
{
	t->source = PVM_TARGET_KERNEL;
	t->pid = task->tgid;
	t->tid = task->pid;
	t->ppid = task->real_parent->tgid;
	t->uid = task->real_cred->uid.val;
	t->pidns = task_pidns_inum(task);
	t->cgroup_id = task->cgroups->dfl_cgrp->kn->id;
	t->start_boot_ns = task->group_leader->start_boottime;
	bpf_probe_read_kernel_str(t->comm, sizeof(t->comm), &task->comm);
}

/*
 * The process the `pid` argument names, looked up the way the syscall will:
 * in the caller's pid namespace. Returns it acquired (the caller releases
 * it), or NULL. Unresolved when this kernel or program type has no kfunc for
 * it; user space then falls back to /proc.
 */
static __always_inline struct task_struct *acquire_target(struct pvm_target *t,
							  struct task_struct *caller, __s32 pid)
{
	struct task_struct *target;

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
	fill_target(t, target);
	return target;
}

/* What /proc/PID/maps would say of the mapping, from the vma itself. */
static long region_of_vma(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct pvm_region *r = data;
	struct mm_struct *mm = vma->vm_mm;
	struct file *file = vma->vm_file;

	r->state = PVM_REGION_FOUND;
	r->start = vma->vm_start;
	r->end = vma->vm_end;
	r->vm_flags = BPF_CORE_READ(vma, vm_flags) & (PVM_VM_READ | PVM_VM_WRITE | PVM_VM_EXEC |
						     PVM_VM_SHARED);
	if (file) {
		r->kind = PVM_REGION_FILE;
		r->inode = file->f_inode->i_ino;
		r->dev = file->f_inode->i_sb->s_dev;
	} else if (vma->vm_start <= mm->brk && vma->vm_end >= mm->start_brk) {
		r->kind = PVM_REGION_HEAP; /* fs/proc/task_mmu.c: the [heap] test */
	} else if (vma->vm_start <= mm->start_stack && vma->vm_end >= mm->start_stack) {
		r->kind = PVM_REGION_STACK;
	} else if (vma->vm_start == (unsigned long)mm->context.vdso) {
		r->kind = PVM_REGION_VDSO;
	} else {
		r->kind = PVM_REGION_ANON;
	}
	return 0;
}

/* The kernel looks up the regions of this many remote entries; /proc the rest. */
#define REGIONS_IN_KERNEL 16

/*
 * For each remote iovec, the target's mapping that holds its base. Without a
 * target task (no kfunc here, or no such process) they stay unresolved.
 */
static __always_inline void resolve_regions(struct pvm_record *rec, struct task_struct *target)
{
	__u32 first = ((__u32)rec->local_n + rec->remote_n) * sizeof(struct pvm_iov);

	for (__u32 i = 0; i < REGIONS_IN_KERNEL && i < rec->remote_n; i++) {
		struct pvm_region r = {};
		__u32 entry = (__u32)rec->local_n + i;
		__u32 off = first + i * sizeof(struct pvm_region);
		long err;

		if (!target || entry >= 2 * max_iov ||
		    off > 2 * max_iov * sizeof(struct pvm_iov) +
				  (max_iov - 1) * sizeof(struct pvm_region))
			break;
		err = bpf_find_vma(target, rec->iov[entry].base, region_of_vma, &r, 0);
		if (err == -ENOENT)
			r.state = PVM_REGION_NONE;
		else if (err)
			r.state = PVM_REGION_UNRESOLVED; /* mmap_lock busy: /proc later */
		__builtin_memcpy((__u8 *)rec->iov + off, &r, sizeof(r));
	}
}

/* The remote entries past REGIONS_IN_KERNEL, or all when there is no task. */
static __always_inline void clear_regions(struct pvm_record *rec)
{
	__u32 first = ((__u32)rec->local_n + rec->remote_n) * sizeof(struct pvm_iov);
	struct pvm_region blank = {};

	for (__u32 i = 0; i < PVM_IOV_MAX && i < rec->remote_n; i++) {
		__u32 off = first + i * sizeof(struct pvm_region);

		if (off > 2 * max_iov * sizeof(struct pvm_iov) +
				  (max_iov - 1) * sizeof(struct pvm_region))
			break;
		__builtin_memcpy((__u8 *)rec->iov + off, &blank, sizeof(blank));
	}
}

/* Walks one iovec array: widens ia32 entries, keeps the first max_iov, sums. */
struct iov_walk {
	struct pvm_record *rec;
	__u64 uaddr;		/* the user array */
	__u64 count;		/* entries to visit */
	__u64 bytes;
	__u32 first;		/* index in rec->iov of this side's entry 0 */
	__u32 kept;		/* entries already in rec->iov (bulk read) */
	bool compat;
	bool fault;
};

static __always_inline __u64 add_saturated(__u64 sum, __u64 len)
{
	return sum + len < sum ? ~0ULL : sum + len;
}

/* Reads entry i of the user array, as the kernel will (compat or native). */
static __always_inline int read_user_iov(const struct iov_walk *w, __u64 i, struct pvm_iov *entry)
{
	__u32 compat_entry[2];

	if (!w->compat)
		return bpf_probe_read_user(entry, sizeof(*entry),
					   (void *)(w->uaddr + i * sizeof(*entry)));
	if (bpf_probe_read_user(compat_entry, sizeof(compat_entry),
				(void *)(w->uaddr + i * sizeof(compat_entry))))
		return -1;
	entry->base = compat_entry[0];
	entry->len = compat_entry[1];
	return 0;
}

static long iov_walk_step(__u64 i, void *data)
{
	struct iov_walk *w = data;
	__u64 slot = (__u64)w->first + i; /* bounded below for the verifier */
	struct pvm_iov entry = {};

	if (i < w->kept) {
		if (slot >= 2 * max_iov)
			return 1;
		entry = w->rec->iov[slot];
	} else if (read_user_iov(w, i, &entry)) {
		w->fault = true;
		return 1;
	} else if (i < max_iov) {
		if (slot >= 2 * max_iov)
			return 1;
		w->rec->iov[slot] = entry;
	}
	w->bytes = add_saturated(w->bytes, entry.len);
	return 0;
}

/*
 * Reads one side into rec->iov[first...], room for max_iov entries. Returns
 * the number of entries kept and sets *state and *bytes.
 */
static __always_inline __u32 read_iov_array(struct pvm_record *rec, __u32 first, __u64 uaddr,
					    __u64 count, bool compat, __u8 *state, __u64 *bytes)
{
	struct iov_walk w = {.rec = rec, .uaddr = uaddr, .first = first, .compat = compat};
	__u32 keep = count < max_iov ? count : max_iov;

	*state = count > PVM_IOV_MAX ? PVM_IOV_OVERSIZE : PVM_IOV_OK;
	*bytes = 0;
	if (first > max_iov || keep > max_iov) {
		*state = PVM_IOV_FAULT;
		return 0;
	}
	/* Native entries are stored as they are: one read for all we keep. */
	if (!compat && keep > 0) {
		if (bpf_probe_read_user(&rec->iov[first], keep * sizeof(struct pvm_iov),
					(void *)uaddr)) {
			*state = PVM_IOV_FAULT;
			return 0;
		}
		w.kept = keep;
	}
	/* An oversize array is refused whole by the kernel: no total to sum. */
	w.count = *state == PVM_IOV_OVERSIZE ? keep : count;
	bpf_loop(w.count, iov_walk_step, &w, 0);
	if (w.fault) {
		*state = PVM_IOV_FAULT;
		return 0;
	}
	if (*state == PVM_IOV_OK)
		*bytes = w.bytes;
	return keep;
}

/* Both arrays of the call saved in rec, the remote entries after the local. */
static __always_inline void read_both_arrays(struct pvm_record *rec)
{
	bool compat = rec->abi == PVM_ABI_IA32;
	__u32 local_n;

	local_n = read_iov_array(rec, 0, rec->local_iov, rec->liovcnt, compat, &rec->local_state,
				 &rec->local_bytes);
	rec->local_n = local_n;
	rec->remote_n = read_iov_array(rec, local_n, rec->remote_iov, rec->riovcnt, compat,
				       &rec->remote_state, &rec->remote_bytes);
}

/*
 * Our entry read cannot fault pages in; the kernel's copy can. An array in a
 * page that was not resident at entry (swapped out, file page not cached)
 * reads as a fault there but is resident by exit if the kernel read it: read
 * both again, and say so, rather than report a readable array as null.
 */
static __always_inline bool reread_faulted_arrays(struct pvm_record *rec)
{
	if (rec->local_state != PVM_IOV_FAULT && rec->remote_state != PVM_IOV_FAULT)
		return false;
	read_both_arrays(rec);
	clear_regions(rec); /* the target is not at hand here: /proc fills them */
	rec->iov_late = 1;
	return true;
}

/* Copies the first bytes the local iovecs point to into data[], in order. */
struct payload_walk {
	struct pvm_record *rec;
	__u32 data_off;		/* byte offset of data[] from rec->iov */
	__u32 copied;
	__u32 limit;		/* bytes wanted, at most capture_len */
	bool fault;
};

static long payload_step(__u64 i, void *data)
{
	struct payload_walk *w = data;
	struct pvm_iov entry;
	__u64 n;

	if (i >= max_iov || w->copied >= w->limit)
		return 1;
	entry = w->rec->iov[i];
	n = w->limit - w->copied;
	if (entry.len < n)
		n = entry.len;
	/* each bound on its own, for the verifier; the area has room for both */
	if (n > capture_len || w->copied > capture_len ||
	    w->data_off > 2 * max_iov * sizeof(struct pvm_iov) + max_iov * sizeof(struct pvm_region))
		return 1;
	if (bpf_probe_read_user((__u8 *)w->rec->iov + w->data_off + w->copied, n,
				(void *)entry.base)) {
		w->fault = true;
		return 1;
	}
	w->copied += n;
	return 0;
}

static __always_inline void capture_payload(struct pvm_record *rec, __u64 wanted)
{
	struct payload_walk w = {
		.rec = rec,
		.data_off = ((__u32)rec->local_n + rec->remote_n) * sizeof(struct pvm_iov) +
			    (__u32)rec->remote_n * sizeof(struct pvm_region),
		.limit = wanted < capture_len ? wanted : capture_len,
	};

	rec->data_captured = 0;
	rec->data_state = PVM_DATA_OFF;
	if (capture_len == 0)
		return;
	if (rec->local_state == PVM_IOV_FAULT) {
		rec->data_state = PVM_DATA_FAULT; /* where the bytes are is unknown */
		return;
	}
	bpf_loop(rec->local_n, payload_step, &w, 0);
	rec->data_captured = w.copied;
	rec->data_state = w.fault ? PVM_DATA_FAULT : PVM_DATA_OK;
}

/* What a write asks to move: the local total, if the kernel would accept it. */
static __always_inline __u64 bytes_asked(const struct pvm_record *rec)
{
	return rec->local_state == PVM_IOV_OK ? rec->local_bytes : 0;
}

/*
 * At exit: a read captures what arrived (at most ret bytes); a write keeps
 * what it captured at entry, cut to what moved.
 */
static __always_inline void finish_payload(struct pvm_record *rec, long ret, bool reread)
{
	if (rec->syscall == PVM_SYS_READV) {
		rec->data_total = ret > 0 ? ret : 0;
		capture_payload(rec, rec->data_total);
		return;
	}
	/*
	 * Arrays read only at exit are the caller's to rewrite meanwhile (another
	 * thread, for the whole call): bytes read through them now would say what
	 * the caller wants, not what moved. Say the payload is unknown instead.
	 */
	if (reread) {
		rec->data_captured = 0;
		rec->data_state = capture_len ? PVM_DATA_FAULT : PVM_DATA_OFF;
	}
	rec->data_total = ret >= 0 ? ret : bytes_asked(rec);
	if (rec->data_captured > rec->data_total)
		rec->data_captured = rec->data_total;
}

/* The calling thread's in-flight entry, created if it has none. */
static __always_inline struct pvm_inflight *inflight_slot(__u32 tid)
{
	struct pvm_inflight *slot;
	long err;

	err = bpf_map_update_elem(&inflight, &tid, blank_inflight, BPF_NOEXIST);
	if (err == -EEXIST)
		count(PVM_CNT_UNMATCHED_ENTER); /* its exit was never seen */
	else if (err) {
		count(PVM_CNT_INFLIGHT_FULL);
		return 0;
	}
	slot = bpf_map_lookup_elem(&inflight, &tid);
	if (!slot)
		count(PVM_CNT_INFLIGHT_FULL);
	return slot;
}

static __always_inline int pvm_on_enter(__u8 sys, __u8 abi, __u8 code_mode,
					const struct pvm_call_args *a)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct task_struct *target;
	struct pvm_inflight *slot;
	struct pvm_record *rec;
	__u64 start_ns;

	if (!should_trace(task, sys, a)) {
		/* a stale entry of this thread must not meet this call's exit */
		__u32 tid = (__u32)bpf_get_current_pid_tgid();

		if (bpf_map_delete_elem(&inflight, &tid) == 0)
			count(PVM_CNT_UNMATCHED_ENTER);
		return 0;
	}
	start_ns = bpf_ktime_get_boot_ns();
	count(PVM_CNT_CALLS);
	slot = inflight_slot((__u32)bpf_get_current_pid_tgid());
	if (!slot)
		return 0;
	rec = &slot->rec;
	rec->start_boot_ns = start_ns;
	rec->kind = PVM_REC_CALL;
	rec->syscall = sys;
	rec->abi = abi;
	rec->code_mode = code_mode;
	rec->pid = a->pid;
	rec->local_iov = a->local_iov;
	rec->liovcnt = a->liovcnt;
	rec->remote_iov = a->remote_iov;
	rec->riovcnt = a->riovcnt;
	rec->flags = a->flags;
	fill_caller(rec, task);
	rec->iov_late = 0;
	read_both_arrays(rec);
	clear_regions(rec);
	target = acquire_target(&rec->target, task, a->pid);
	if (target) {
		resolve_regions(rec, target);
		bpf_task_release(target);
	}
	if (sys == PVM_SYS_WRITEV)
		capture_payload(rec, bytes_asked(rec));
	return 0;
}

static __always_inline int pvm_on_exit(__u8 sys, long ret, const struct pvm_call_args *a)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pvm_inflight *slot;
	__u64 size;

	slot = bpf_map_lookup_elem(&inflight, &tid);
	if (slot && slot->rec.syscall != sys) {
		/* an entry whose exit was missed: never pair it with this call */
		bpf_map_delete_elem(&inflight, &tid);
		count(PVM_CNT_UNMATCHED_ENTER);
		slot = 0;
	}
	if (!slot) {
		if (should_trace(bpf_get_current_task_btf(), sys, a))
			count(PVM_CNT_UNMATCHED_EXIT);
		return 0;
	}
	slot->rec.ret = ret;
	slot->rec.duration_ns = bpf_ktime_get_boot_ns() - slot->rec.start_boot_ns;
	finish_payload(&slot->rec, ret, reread_faulted_arrays(&slot->rec));
	size = sizeof(slot->rec) +
	       ((__u64)slot->rec.local_n + slot->rec.remote_n) * sizeof(struct pvm_iov) +
	       (__u64)slot->rec.remote_n * sizeof(struct pvm_region) + slot->rec.data_captured;
	if (size <= PVM_INFLIGHT_VALUE_SIZE(max_iov, capture_len) - PVM_INFLIGHT_HEADER_SIZE) {
		if (bpf_ringbuf_output(&events, &slot->rec, size, ringbuf_wakeup_flag(size)))
			count(PVM_CNT_RINGBUF_FULL);
		else
			count(PVM_CNT_EVENTS);
	}
	bpf_map_delete_elem(&inflight, &tid);
	return 0;
}

/* The user registers the current syscall was entered with. */
static __always_inline struct pt_regs *current_user_regs(void)
{
	return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
}

/* For hooks that know the syscall and ABI: the arguments are in `regs`. */
static __always_inline int pvm_on_regs_enter(struct pt_regs *regs, __u8 sys, __u8 abi)
{
	struct pvm_call_args a;
	struct pt_regs r;

	if (copy_user_regs(&r, regs))
		return 0;
	args_from_regs(&r, abi, &a);
	return pvm_on_enter(sys, abi, code_mode_of(&r), &a);
}

static __always_inline int pvm_on_regs_exit(struct pt_regs *regs, __u8 sys, __u8 abi, long ret)
{
	struct pvm_call_args a;
	struct pt_regs r;

	if (copy_user_regs(&r, regs))
		return 0;
	args_from_regs(&r, abi, &a);
	return pvm_on_exit(sys, ret, &a);
}

/*
 * Raw sys_enter/sys_exit hooks (tp_btf, raw_tp) run for every syscall on the
 * machine: they tell ours apart by number and ABI first.
 */
static __always_inline int pvm_on_raw_enter(struct pt_regs *regs, long nr)
{
	__u8 sys, abi;

	if (classify_syscall(nr, &sys, &abi))
		return 0;
	if (!entered_by_abi(bpf_get_current_task_btf(), abi))
		return 0;
	return pvm_on_regs_enter(regs, sys, abi);
}

static __always_inline int pvm_on_raw_exit(struct pt_regs *regs, long ret)
{
	__u8 sys, abi;

	if (classify_syscall(BPF_CORE_READ(regs, orig_ax), &sys, &abi))
		return 0;
	if (!entered_by_abi(bpf_get_current_task_btf(), abi))
		return 0;
	return pvm_on_regs_exit(regs, sys, abi, ret);
}

#endif /* PVMTRACE_CAPTURE_BPF_H */
