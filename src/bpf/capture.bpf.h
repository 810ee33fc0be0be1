/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The capture code every attach mode shares. A hook only works out which
 * syscall, which ABI and which six arguments it is looking at, then calls
 * pvm_on_enter() / pvm_on_exit().
 *
 * Entry: filter, then save the arguments, the caller (and its executable's
 * path), both iovec arrays, the target and the mappings the remote entries
 * land in, in the calling thread's in-flight slot. The kernel copies the
 * iovec arrays at entry too (import_iovec), so that is when we read them. A
 * write's payload is read here (its first bytes, and with --capture-dir all
 * of it, sent ahead as chunks); --enforce decides here, before a byte moves.
 * Exit: add the return value (and a read's payload) and emit the saved record
 * to the ring buffer.
 */
#ifndef PVMTRACE_CAPTURE_BPF_H
#define PVMTRACE_CAPTURE_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "record.h"
#include "filter.h"
#include "enforce.h"
#include "ring_wakeup.h"

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
#define SIGKILL 9
#define PF_KTHREAD 0x00200000 /* include/linux/sched.h */
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
const volatile __u64 store_max;	/* --capture-dir: whole payloads up to this; 0 off */
/* --enforce (enforce.h) */
const volatile __u32 enforce_level;	/* enum pvm_enforce_level */
const volatile __u32 self_tgid;		/* pvmtrace itself: never killed */
const volatile __u32 n_allow;
const volatile struct pvm_allow_rule allow_rules[PVM_ALLOW_MAX];

struct pvm_call_args {
	__s32 pid;
	__u64 local_iov;
	__u64 liovcnt;
	__u64 remote_iov;
	__u64 riovcnt;
	__u64 flags;
};

/*
 * The region a thread's last call found for its first remote entry, and what
 * tells whether it still holds (see region_memo_valid). Each thread has its
 * own, in its slot: no other program reads or writes it.
 */
struct pvm_region_memo {
	__u64 mm;		/* 0: none */
	__u64 exec_id;		/* the target's, with tgid and start: this very process image */
	__u64 start_boot_ns;
	__u64 found_ns;
	__u32 tgid;
	__u32 mm_seq;		/* mm->mm_lock_seq when it was found */
	struct pvm_region region;
};

/*
 * A thread's slot: the call saved between its sys_enter and sys_exit. A slot
 * outlives the call and serves the thread's next one (see inflight_slot).
 */
struct pvm_inflight {
	__u32 in_call; /* 1 from entry to exit */
	__u32 reserved;
	struct pvm_region_memo memo;
	struct pvm_record rec;	/* followed by 2 * max_iov struct pvm_iov */
};

_Static_assert(sizeof(struct pvm_inflight) == PVM_INFLIGHT_HEADER_SIZE + sizeof(struct pvm_record),
	       "pvm_inflight layout");

/*
 * Slots by thread id, allocated on a thread's first call (no preallocation:
 * memory only for threads that call). The value has no BTF type because user
 * space sizes it before load: PVM_INFLIGHT_VALUE_SIZE().
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, PVM_INFLIGHT_MAX);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, PVM_INFLIGHT_VALUE_SIZE(PVM_IOV_DEFAULT, PVM_CAPTURE_DEFAULT, false));
} inflight SEC(".maps");

/* What a new slot is created from; every field used is overwritten. */
static const char blank_inflight[PVM_INFLIGHT_VALUE_SIZE(PVM_IOV_MAX, PVM_CAPTURE_MAX, true)];

/*
 * Slots kept between calls, and how many may be (set by user space: half the
 * map). Past that, a slot is let go at the end of its call as if per call, so
 * threads that call once cannot take the room of calls in flight.
 */
__u64 slots_kept;
const volatile __u64 slots_keep_max = PVM_INFLIGHT_MAX / 2;

/* sized by user space before load (sensor.c, ringbuf_size) */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
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

/* The size user space gave `events` before load: not asked at every record. */
const volatile __u64 events_size = 8 << 20;

/* Wake the consumer as the ring fills (ring_wakeup.h), not per event. */
static __always_inline __u64 ringbuf_wakeup_flag(__u64 record_size)
{
	__u64 queued = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);

	return pvm_ring_wakes(queued, events_size, record_size) ? BPF_RB_FORCE_WAKEUP
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

/*
 * The executable paths wait between entry and exit after the payload area,
 * one PVM_EXE_SCRATCH area per side (PVM_INFLIGHT_VALUE_SIZE); a path ends
 * at PVM_EXE_PATH_MAX in its area and is walked backwards from there.
 */
enum exe_side {
	EXE_CALLER = 0,
	EXE_TARGET = 1,
};

static __always_inline __u8 *exe_scratch(struct pvm_record *rec, enum exe_side side)
{
	__u32 off = PVM_INFLIGHT_ENTRIES(max_iov) + PVM_INFLIGHT_PAYLOAD(capture_len) +
		    2 * PVM_EXE_PATH_MAX + side * PVM_EXE_SCRATCH;

	return (__u8 *)rec->iov + off;
}

#define EXE_PATH_DEPTH_MAX 64 /* components and mount crossings */

struct path_walk {
	__u8 *buf;		/* PVM_EXE_SCRATCH bytes */
	struct dentry *dentry;
	struct mount *mnt;
	__u32 pos;		/* the path so far is buf[pos, PVM_EXE_PATH_MAX) */
	bool done;		/* reached the root */
};

/* One step of d_path()'s walk: a component, or up out of a mount. */
static long path_walk_step(__u64 i, void *data)
{
	struct path_walk *w = data;
	struct dentry *dentry = w->dentry; /* our struct: no CO-RE on these reads */
	struct mount *mnt = w->mnt;
	struct dentry *parent;
	__u32 len;

	if (dentry == BPF_CORE_READ(mnt, mnt.mnt_root)) {
		struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

		if (up == mnt) { /* the root of its mount namespace */
			w->done = true;
			return 1;
		}
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = up;
		return 0;
	}
	parent = BPF_CORE_READ(dentry, d_parent);
	if (!parent || parent == dentry) { /* a detached tree's root */
		w->done = true;
		return 1;
	}
	len = BPF_CORE_READ(dentry, d_name.len);
	if (len == 0 || len + 1 > w->pos)
		return 1; /* does not fit: the path keeps its tail */
	w->pos -= len + 1;
	w->buf[w->pos & (PVM_EXE_PATH_MAX - 1)] = '/';
	bpf_probe_read_kernel(w->buf + ((w->pos + 1) & (PVM_EXE_PATH_MAX - 1)),
			      len & (PVM_EXE_PATH_MAX - 1), BPF_CORE_READ(dentry, d_name.name));
	w->dentry = parent;
	return 0;
}

/*
 * Walked paths, by the open executable file (struct file, one per execve)
 * and its inode: a path is walked once per exec'd file, not once per call.
 * The value is the walk's scratch itself, the path ending at
 * PVM_EXE_PATH_MAX, then its length and flags. A file renamed while a
 * process still runs it keeps its old path here (the kernel's d_path()
 * would show the new one); its link count is read afresh on every call.
 */
struct exe_cache_key {
	__u64 file;
	__u64 ino;
};

struct exe_cache_value {
	__u8 path[PVM_EXE_PATH_MAX];	/* the path is the last `len` bytes */
	__u16 len;
	__u8 truncated;
	__u8 reserved[5];
};

/*
 * A side's scratch area, laid out as a cache value, and whose path it holds.
 * The slot, and so the scratch, outlives the call: a thread whose next call
 * has the same executable on that side (the same open file and inode) finds
 * the path in place, with no cache lookup and no copy. It is as current as
 * the cache's own entry for that key (see above).
 */
struct exe_scratch {
	struct exe_cache_value path;
	struct exe_cache_key holds;	/* zero in a new slot: no file */
};

_Static_assert(sizeof(struct exe_scratch) <= PVM_EXE_SCRATCH, "exe scratch in its area");

#define EXE_CACHE_ENTRIES 4096

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, EXE_CACHE_ENTRIES);
	__type(key, struct exe_cache_key);
	__type(value, struct exe_cache_value);
} exe_cache SEC(".maps");

/* The walk, into the scratch laid out as a cache value, and its result cached. */
static __always_inline void walk_exe_path(struct file *file, struct exe_cache_key *key,
					  struct exe_cache_value *scratch)
{
	struct path_walk w = {.buf = scratch->path, .pos = PVM_EXE_PATH_MAX};
	struct vfsmount *vfsmnt = BPF_CORE_READ(file, f_path.mnt);

	w.dentry = BPF_CORE_READ(file, f_path.dentry);
	w.mnt = (void *)vfsmnt - bpf_core_field_offset(struct mount, mnt);
	bpf_loop(EXE_PATH_DEPTH_MAX, path_walk_step, &w, 0);
	scratch->truncated = !w.done;
	scratch->len = PVM_EXE_PATH_MAX - w.pos;
	bpf_map_update_elem(&exe_cache, key, scratch, BPF_ANY);
}

/*
 * A cached walk into the scratch: only the path's own bytes, at the end of
 * the area, with one helper call, instead of the whole 264-byte value,
 * which clang copies in 132 two-byte moves (the struct is 2-aligned).
 */
static __always_inline void copy_cached_path(struct exe_cache_value *scratch,
					     const struct exe_cache_value *cached)
{
	__u32 len = cached->len;
	__u32 start;

	if (len > PVM_EXE_PATH_MAX)
		len = PVM_EXE_PATH_MAX; /* never: a walk keeps at most this much */
	/*
	 * The verifier takes a pointer plus a bounded offset, not minus a
	 * length; the mask only maps an empty path (start 256) to 0.
	 */
	start = PVM_EXE_PATH_MAX - len;
	asm volatile("" : "+r"(start), "+r"(len));
	start &= PVM_EXE_PATH_MAX - 1;
	len &= 2 * PVM_EXE_PATH_MAX - 1;
	bpf_probe_read_kernel(scratch->path + start, len, cached->path + start);
	scratch->len = len;
	scratch->truncated = cached->truncated;
}

/* mm->exe_file: identity, and its path into `buf` (see exe_scratch()). */
static __always_inline void read_exe(struct pvm_exe *exe, struct mm_struct *mm, __u8 *buf)
{
	struct exe_scratch *scratch = (void *)buf;
	struct exe_cache_value *cached;
	struct exe_cache_key key;
	struct inode *inode;
	struct file *file;

	__builtin_memset(exe, 0, sizeof(*exe));
	/* loaded, not read: typed pointers; a helper call per field cost ~5 ns each */
	file = mm ? mm->exe_file : 0;
	if (!file)
		return; /* a kernel thread, or an exiting process */
	inode = file->f_inode;
	exe->ino = inode->i_ino;
	exe->dev = inode->i_sb->s_dev;
	exe->flags = PVM_EXE_KNOWN;
	if (inode->i_nlink == 0)
		exe->flags |= PVM_EXE_DELETED;
	key.file = (__u64)file;
	key.ino = exe->ino;
	if (scratch->holds.file != key.file || scratch->holds.ino != key.ino) {
		cached = bpf_map_lookup_elem(&exe_cache, &key);
		if (cached)
			copy_cached_path(&scratch->path, cached);
		else
			walk_exe_path(file, &key, &scratch->path);
		scratch->holds = key;
	}
	if (scratch->path.truncated)
		exe->flags |= PVM_EXE_TRUNCATED;
	exe->path_len = scratch->path.len;
}

/*
 * At exit: the two paths go right after the payload, where the sample ends.
 * Returns the bytes appended.
 */
static __always_inline __u32 append_exe_paths(struct pvm_record *rec, __u32 data_off)
{
	__u32 caller_len = rec->caller_exe.path_len;
	__u32 target_len = rec->target.exe.path_len;
	__u32 captured = rec->data_captured;
	__u8 *at;

	/* each bound on its own, for the verifier; the layout has room for all */
	if (data_off > PVM_INFLIGHT_ENTRIES(max_iov) || captured > capture_len || caller_len > PVM_EXE_PATH_MAX ||
	    target_len > PVM_EXE_PATH_MAX)
		return 0;
	/*
	 * The masks change no value, but the v6.1 verifier loses the bounds
	 * checked above on the copies clang makes; the empty asm keeps clang
	 * from dropping a mask it can prove is a no-op.
	 */
	asm volatile("" : "+r"(caller_len), "+r"(target_len));
	caller_len &= 2 * PVM_EXE_PATH_MAX - 1;
	target_len &= 2 * PVM_EXE_PATH_MAX - 1;
	at = (__u8 *)rec->iov + data_off;
	at += captured;
	bpf_probe_read_kernel(at, caller_len,
			      exe_scratch(rec, EXE_CALLER) + PVM_EXE_PATH_MAX - caller_len);
	at += caller_len;
	bpf_probe_read_kernel(at, target_len,
			      exe_scratch(rec, EXE_TARGET) + PVM_EXE_PATH_MAX - target_len);
	return caller_len + target_len;
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

/* What /proc/PID/maps calls an anonymous mapping from start to end of mm. */
static __always_inline __u8 anon_region_kind(struct mm_struct *mm, __u64 start, __u64 end)
{
	if (start <= mm->brk && end >= mm->start_brk)
		return PVM_REGION_HEAP; /* fs/proc/task_mmu.c: the [heap] test */
	if (start <= mm->start_stack && end >= mm->start_stack)
		return PVM_REGION_STACK;
	if (start == (unsigned long)mm->context.vdso)
		return PVM_REGION_VDSO;
	return PVM_REGION_ANON;
}

/* What /proc/PID/maps would say of the mapping, from the vma itself. */
static long region_of_vma(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct pvm_region *r = data;
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
	} else {
		r->kind = anon_region_kind(vma->vm_mm, r->start, r->end);
	}
	return 0;
}

/*
 * --- the region memo: bpf_find_vma once per target and change of its maps --
 * bpf_find_vma (the target's mmap_lock, a maple tree walk, a callback) cost
 * the entry hook about 220 of its 2050 ns on a 64-byte write (bpf_stats, AMD
 * EPYC, 6.18). A thread writing into the same mapping call after call reuses
 * what it found, for as long as that provably holds. Every change of a mapping's
 * bounds, permissions or file (mmap, munmap, mprotect, mremap, brk) is made
 * under mmap_write_lock, and since v6.14 ("mm: convert mm_lock_seq to a
 * proper seqcount", eb449bd96954) mm->mm_lock_seq is odd while that lock is
 * held and two further on after it: a count that is even and unchanged means
 * no change began since (the kernel's mmap_lock_speculate_try_begin() reads it
 * so). Before v6.14 the count moved only at unlock and cannot show a change
 * in progress: no memo there. What prctl(PR_SET_MM) moves under the read lock
 * (brk, start_stack) only names an anonymous mapping's kind: that is worked
 * out afresh on every call. A memo also ages out after REGION_MEMO_NS, far
 * sooner than the minutes 2^31 lock cycles take to bring the count round.
 */
struct mm_struct___seqcount {
	seqcount_t mm_lock_seq;
} __attribute__((preserve_access_index));

#define REGION_MEMO_NS 100000000ULL /* 100 ms */

/* mm's lock count, when it is a seqcount and no change is under way. */
static __always_inline bool stable_mm_seq(struct mm_struct *mm, __u32 *seq)
{
	struct mm_struct___seqcount *m = (void *)mm;

	if (!bpf_core_field_exists(m->mm_lock_seq.sequence))
		return false;
	*seq = m->mm_lock_seq.sequence;
	return !(*seq & 1);
}

/* The memo the target would have now, without its region. */
static __always_inline bool region_memo_key(struct pvm_region_memo *key, struct task_struct *target,
					    __u64 now_ns)
{
	struct task_struct *leader = target->group_leader;
	struct mm_struct *mm = target->mm;

	if (!mm || !stable_mm_seq(mm, &key->mm_seq))
		return false;
	key->mm = (__u64)mm;
	key->exec_id = leader->self_exec_id;
	key->start_boot_ns = leader->start_boottime;
	key->tgid = target->tgid;
	key->found_ns = now_ns;
	return true;
}

static __always_inline bool region_memo_valid(const struct pvm_region_memo *memo,
					      const struct pvm_region_memo *key)
{
	return memo->mm == key->mm && memo->mm_seq == key->mm_seq && /* key->mm is never 0 */
	       memo->tgid == key->tgid && memo->exec_id == key->exec_id &&
	       memo->start_boot_ns == key->start_boot_ns &&
	       key->found_ns - memo->found_ns < REGION_MEMO_NS;
}

/*
 * Found under the read lock; kept only if no change began meanwhile.
 * Returns whether the memo holds, now for this region.
 */
static __always_inline bool remember_region(struct pvm_region_memo *memo,
					    const struct pvm_region_memo *key,
					    struct task_struct *target, const struct pvm_region *r)
{
	__u32 seq_now;

	memo->mm = 0;
	if (r->state != PVM_REGION_FOUND || !stable_mm_seq(target->mm, &seq_now) ||
	    seq_now != key->mm_seq)
		return false;
	*memo = *key;
	memo->region = *r;
	return true;
}

/* The memo's region, if it holds base: its kind from the mm as it is now. */
static __always_inline bool recall_region(const struct pvm_region_memo *memo, bool valid,
					  struct task_struct *target, __u64 base, struct pvm_region *r)
{
	if (!valid || base < memo->region.start || base >= memo->region.end)
		return false;
	*r = memo->region;
	if (r->kind != PVM_REGION_FILE)
		r->kind = anon_region_kind(target->mm, r->start, r->end);
	return true;
}

/* The kernel looks up the regions of this many remote entries; /proc the rest. */
#define REGIONS_IN_KERNEL 16

static __always_inline void find_region(struct task_struct *target, __u64 base, struct pvm_region *r)
{
	long err = bpf_find_vma(target, base, region_of_vma, r, 0);

	if (err == -ENOENT)
		r->state = PVM_REGION_NONE;
	else if (err)
		r->state = PVM_REGION_UNRESOLVED; /* mmap_lock busy: /proc later */
}

/*
 * For each remote iovec, the target's mapping that holds its base: from the
 * thread's memo while it holds, else looked up (and the first one kept).
 * Without a target task (no kfunc here, or no such process) they stay
 * unresolved.
 */
static __always_inline void resolve_regions(struct pvm_record *rec, struct pvm_region_memo *memo,
					    struct task_struct *target)
{
	__u32 first = ((__u32)rec->local_n + rec->remote_n) * sizeof(struct pvm_iov);
	struct pvm_region_memo key = {};
	bool keyed, valid;

	keyed = region_memo_key(&key, target, rec->start_boot_ns);
	valid = keyed && region_memo_valid(memo, &key);
	for (__u32 i = 0; i < REGIONS_IN_KERNEL && i < rec->remote_n; i++) {
		struct pvm_region r = {};
		__u32 entry = (__u32)rec->local_n + i;
		__u32 off = first + i * sizeof(struct pvm_region);

		if (entry >= 2 * max_iov ||
		    off > 2 * max_iov * sizeof(struct pvm_iov) +
				  (max_iov - 1) * sizeof(struct pvm_region))
			break;
		if (!recall_region(memo, valid, target, rec->iov[entry].base, &r)) {
			find_region(target, rec->iov[entry].base, &r);
			/* a change under way: the later entries are looked up too */
			if (i == 0 && keyed)
				valid = remember_region(memo, &key, target, &r);
		}
		__builtin_memcpy((__u8 *)rec->iov + off, &r, sizeof(r));
	}
}

/* The remote entries past REGIONS_IN_KERNEL, or all when there is no task. */
struct region_clear {
	struct pvm_record *rec;
	__u32 first;		/* byte offset of region 0 from rec->iov */
};

static long clear_region_step(__u64 i, void *data)
{
	struct region_clear *c = data;
	struct pvm_region blank = {};
	__u64 off = c->first + i * sizeof(struct pvm_region);

	if (off > 2 * max_iov * sizeof(struct pvm_iov) + (max_iov - 1) * sizeof(struct pvm_region))
		return 1;
	__builtin_memcpy((__u8 *)c->rec->iov + off, &blank, sizeof(blank));
	return 0;
}

static __always_inline void clear_regions(struct pvm_record *rec)
{
	struct region_clear c = {
		.rec = rec,
		.first = ((__u32)rec->local_n + rec->remote_n) * sizeof(struct pvm_iov),
	};

	bpf_loop(rec->remote_n, clear_region_step, &c, 0);
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
 * Native arrays of at most IOV_BOUNCE entries (most calls) are read into the
 * stack and stored from there: the kernel's usercopy hardening passes a
 * destination on the stack at once, where it looks one in a map value up as
 * a heap object (__check_object_size, __check_heap_object).
 */
#define IOV_BOUNCE 4

/* Reads `count` entries, keeps the first `keep`, sums them all; false on a fault. */
static __always_inline bool read_small_array(struct pvm_record *rec, __u32 first, __u64 uaddr,
					     __u32 count, __u32 keep, __u64 *bytes)
{
	struct pvm_iov bounce[IOV_BOUNCE] = {};
	__u64 sum = 0;

	if (count > IOV_BOUNCE ||
	    bpf_probe_read_user(bounce, count * sizeof(bounce[0]), (void *)uaddr))
		return false;
	for (__u32 i = 0; i < IOV_BOUNCE && i < count; i++) {
		if (i < keep && first + i < 2 * max_iov)
			rec->iov[first + i] = bounce[i];
		sum = add_saturated(sum, bounce[i].len);
	}
	*bytes = sum;
	return true;
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
	if (!compat && count <= IOV_BOUNCE) {
		if (!read_small_array(rec, first, uaddr, count, keep, bytes))
			*state = PVM_IOV_FAULT;
		return *state == PVM_IOV_FAULT ? 0 : keep;
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

/* Payload pieces of at most this many bytes go through the stack too (IOV_BOUNCE). */
#define PAYLOAD_BOUNCE 64

/* n bytes from user memory to dst, a map value; 0 or the helper's error. */
static __always_inline long read_user_bytes(__u8 *dst, __u64 n, __u64 src)
{
	__u64 bounce[PAYLOAD_BOUNCE / 8] = {};
	const __u8 *bytes = (const __u8 *)bounce;
	__u32 words = n / 8;
	long err;

	if (n > PAYLOAD_BOUNCE)
		return bpf_probe_read_user(dst, n, (void *)src);
	err = bpf_probe_read_user(bounce, n, (void *)src);
	if (err)
		return err;
	/* unrolled: a loop clang would make a memcpy call, which BPF has not */
#pragma unroll
	for (__u32 k = 0; k < PAYLOAD_BOUNCE / 8; k++)
		if (k < words)
			((__u64 *)dst)[k] = bounce[k];
#pragma unroll
	for (__u32 j = 0; j < 7; j++) {
		__u32 at = (words * 8 + j) & (PAYLOAD_BOUNCE - 1); /* no-op mask, for the verifier */

		if (words * 8 + j < n)
			dst[at] = bytes[at];
	}
	return 0;
}

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
	if (read_user_bytes((__u8 *)w->rec->iov + w->data_off + w->copied, n, entry.base)) {
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

/*
 * --capture-dir: sends the first `limit` payload bytes as chunks. The walk's
 * position lives in the thread's in-flight slot, not on the stack: the
 * verifier compares stack state between iterations of a loop callback and
 * would walk every distinct position, but never map memory.
 */
struct chunk_cursor {
	__u64 sent;
	__u64 in_entry;		/* bytes of local entry `entry` already sent */
	__u32 entry;
	__u8 state;		/* enum pvm_store_state */
	__u8 reserved[11];
};

_Static_assert(sizeof(struct chunk_cursor) == PVM_CHUNK_CURSOR_SIZE, "chunk cursor size");

struct chunk_walk {
	struct pvm_record *rec;
	struct chunk_cursor *at;
	struct pvm_chunk *chunk;	/* after the cursor, in the slot */
	__u64 limit;			/* bytes to send */
};

static long chunk_step(__u64 i, void *data)
{
	struct chunk_walk *w = data;
	struct chunk_cursor *at = w->at;
	struct pvm_chunk *chunk = w->chunk;
	struct pvm_iov entry;
	__u32 index = at->entry;
	__u64 n, size;

	if (at->sent >= w->limit)
		return 1;
	if (index >= w->rec->local_n || index >= max_iov) {
		at->state = PVM_STORE_IOV_LIMIT; /* the rest is in entries not kept */
		return 1;
	}
	entry = w->rec->iov[index];
	if (at->in_entry >= entry.len) {
		at->entry = index + 1;
		at->in_entry = 0;
		return 0;
	}
	n = entry.len - at->in_entry;
	if (n > w->limit - at->sent)
		n = w->limit - at->sent;
	if (n > PVM_CHUNK_DATA_MAX)
		n = PVM_CHUNK_DATA_MAX;
	if (bpf_probe_read_user(chunk->data, n, (void *)(entry.base + at->in_entry))) {
		at->state = PVM_STORE_UNREADABLE;
		return 1;
	}
	chunk->offset = at->sent;
	chunk->len = n;
	size = sizeof(*chunk) + n;
	if (bpf_ringbuf_output(&events, chunk, size, ringbuf_wakeup_flag(size))) {
		count(PVM_CNT_CHUNKS_LOST);
		at->state = PVM_STORE_LOST;
		return 1;
	}
	at->sent += n;
	at->in_entry += n;
	if (at->in_entry >= entry.len) {
		at->entry = index + 1;
		at->in_entry = 0;
	}
	return 0;
}

/* --capture-dir: the first `total` bytes the local iovecs point to, whole. */
static __always_inline void send_payload_chunks(struct pvm_record *rec, __u64 total)
{
	struct chunk_walk w = {.rec = rec, .limit = total};
	__u8 *area = (__u8 *)rec->iov + PVM_INFLIGHT_ENTRIES(max_iov) +
		     PVM_INFLIGHT_PAYLOAD(capture_len) + PVM_INFLIGHT_EXES;

	rec->store_bytes = 0;
	rec->store_state = PVM_STORE_OFF;
	if (!store_max)
		return;
	if (rec->local_state == PVM_IOV_FAULT) {
		rec->store_state = PVM_STORE_UNREADABLE;
		return;
	}
	if (total > store_max) {
		rec->store_state = PVM_STORE_TOO_LARGE;
		return;
	}
	w.at = (struct chunk_cursor *)area;
	w.chunk = (struct pvm_chunk *)(area + sizeof(struct chunk_cursor));
	__builtin_memset(w.at, 0, sizeof(*w.at));
	w.at->state = PVM_STORE_SENT;
	w.chunk->kind = PVM_REC_CHUNK;
	w.chunk->reserved0 = 0;
	w.chunk->reserved1 = 0;
	w.chunk->tid = rec->caller_tid;
	w.chunk->start_boot_ns = rec->start_boot_ns;
	/* a step sends a chunk or skips an empty entry; an entry ends at most one chunk early */
	bpf_loop(total / PVM_CHUNK_DATA_MAX + 2 * (__u32)rec->local_n + 1, chunk_step, &w, 0);
	if (w.at->state == PVM_STORE_SENT && w.at->sent < total)
		w.at->state = PVM_STORE_IOV_LIMIT;
	rec->store_bytes = w.at->sent;
	rec->store_state = w.at->state;
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
		send_payload_chunks(rec, rec->data_total);
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

/* --- --enforce ---------------------------------------------------------- */

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
	__u32 first = ((__u32)rec->local_n + rec->remote_n) * sizeof(struct pvm_iov);

	for (__u32 i = 0; i < REGIONS_IN_KERNEL && i < rec->remote_n; i++) {
		__u32 off = first + i * sizeof(struct pvm_region);
		const struct pvm_region *r;

		if (off > PVM_INFLIGHT_ENTRIES(max_iov) - sizeof(struct pvm_region))
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
	/* too big for the stack; the gap is free at entry (PVM_INFLIGHT_VALUE_SIZE) */
	struct pvm_enforce_input *in = (void *)((__u8 *)rec->iov + PVM_INFLIGHT_ENTRIES(max_iov) +
						PVM_INFLIGHT_PAYLOAD(capture_len));
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

/*
 * The calling thread's slot, marked in a call. Creating one copies the whole
 * blank value and deleting it frees it: per call, those were a fifth of the
 * hook's time, so a thread keeps its slot until it exits (pvm_on_thread_exit).
 */
static __always_inline struct pvm_inflight *inflight_slot(__u32 tid)
{
	struct pvm_inflight *slot = bpf_map_lookup_elem(&inflight, &tid);

	if (!slot) {
		if (bpf_map_update_elem(&inflight, &tid, blank_inflight, BPF_NOEXIST) == 0)
			__sync_fetch_and_add(&slots_kept, 1);
		slot = bpf_map_lookup_elem(&inflight, &tid);
		if (!slot) {
			count(PVM_CNT_INFLIGHT_FULL);
			return 0;
		}
	}
	if (slot->in_call)
		count(PVM_CNT_UNMATCHED_ENTER); /* its exit was never seen */
	slot->in_call = 1;
	return slot;
}

static __always_inline void free_slot(__u32 tid)
{
	if (bpf_map_delete_elem(&inflight, &tid) == 0)
		__sync_fetch_and_sub(&slots_kept, 1);
}

/* The end of a call: the slot stays for the thread's next call, if there is room. */
static __always_inline void release_slot(struct pvm_inflight *slot, __u32 tid)
{
	slot->in_call = 0;
	if (slots_kept > slots_keep_max)
		free_slot(tid);
}

/* A call whose exit was not seen cannot be finished any more: count it. */
static __always_inline void abandon_call(__u32 tid)
{
	struct pvm_inflight *slot = bpf_map_lookup_elem(&inflight, &tid);

	if (slot && slot->in_call) {
		count(PVM_CNT_UNMATCHED_ENTER);
		release_slot(slot, tid);
	}
}

static __always_inline int pvm_on_enter(struct task_struct *task, __u8 sys, __u8 abi,
					__u8 code_mode, const struct pvm_call_args *a)
{
	struct task_struct *target;
	struct pvm_inflight *slot;
	struct pvm_record *rec;
	__u64 start_ns;

	if (!should_trace(task, sys, a)) {
		/* a stale call of this thread must not meet this call's exit */
		abandon_call(task->pid);
		return 0;
	}
	start_ns = bpf_ktime_get_boot_ns();
	count(PVM_CNT_CALLS);
	slot = inflight_slot(task->pid);
	if (!slot) {
		enforce_unchecked(task, sys, a->pid);
		return 0;
	}
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
	rec->action = PVM_ACTION_NONE;
	rec->allowed_line = 0;
	target = acquire_target(rec, task, a->pid);
	if (target)
		resolve_regions(rec, &slot->memo, target);
	enforce(rec, task, target);
	if (target)
		bpf_task_release(target);
	rec->store_state = PVM_STORE_OFF;
	rec->store_bytes = 0;
	if (sys == PVM_SYS_WRITEV) {
		capture_payload(rec, bytes_asked(rec));
		send_payload_chunks(rec, bytes_asked(rec));
	}
	return 0;
}

static __always_inline int pvm_on_exit(struct task_struct *task, __u8 sys, long ret,
				       const struct pvm_call_args *a)
{
	__u32 tid = task->pid;
	struct pvm_inflight *slot;
	__u32 data_off;
	__u64 size;

	slot = bpf_map_lookup_elem(&inflight, &tid);
	if (slot && slot->in_call && slot->rec.syscall != sys) {
		/* a call whose exit was missed: never pair it with this one */
		abandon_call(tid);
		slot = 0;
	}
	if (!slot || !slot->in_call) {
		if (should_trace(task, sys, a))
			count(PVM_CNT_UNMATCHED_EXIT);
		return 0;
	}
	slot->rec.ret = ret;
	slot->rec.duration_ns = bpf_ktime_get_boot_ns() - slot->rec.start_boot_ns;
	finish_payload(&slot->rec, ret, reread_faulted_arrays(&slot->rec));
	data_off = ((__u32)slot->rec.local_n + slot->rec.remote_n) * sizeof(struct pvm_iov) +
		   (__u32)slot->rec.remote_n * sizeof(struct pvm_region);
	size = sizeof(slot->rec) + data_off + slot->rec.data_captured +
	       append_exe_paths(&slot->rec, data_off);
	if (size <= PVM_INFLIGHT_VALUE_SIZE(max_iov, capture_len, false) - PVM_INFLIGHT_HEADER_SIZE) {
		if (bpf_ringbuf_output(&events, &slot->rec, size, ringbuf_wakeup_flag(size)))
			count(PVM_CNT_RINGBUF_FULL);
		else
			count(PVM_CNT_EVENTS);
	}
	release_slot(slot, tid);
	return 0;
}

/*
 * A thread's slot goes with the thread. A call still marked in it never
 * returned to be seen (kprobe mode's missed returns): count it now, not when
 * the thread id comes back.
 */
static __always_inline int pvm_on_thread_exit(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pvm_inflight *slot = bpf_map_lookup_elem(&inflight, &tid);

	if (!slot)
		return 0;
	if (slot->in_call)
		count(PVM_CNT_UNMATCHED_ENTER);
	free_slot(tid);
	return 0;
}

/* The user registers the current syscall was entered with (a typed pointer). */
static __always_inline struct pt_regs *current_user_regs(struct task_struct *task)
{
	return (struct pt_regs *)bpf_task_pt_regs(task);
}

/*
 * How a hook may read the pt_regs it is handed: a typed pointer (tp_btf,
 * fentry, bpf_task_pt_regs()) is loaded from; an untyped one (raw_tp and
 * kprobe arguments) is copied first, in one helper call.
 */
enum regs_ptr {
	REGS_UNTYPED,
	REGS_TYPED,
};

/* What to load the registers from: regs itself, or its copy in *copy; NULL if unreadable. */
static __always_inline const struct pt_regs *readable_regs(struct pt_regs *regs,
							    enum regs_ptr kind,
							    struct pt_regs *copy)
{
	if (kind == REGS_TYPED)
		return regs;
	return copy_user_regs(copy, regs) ? 0 : copy;
}

/* For hooks that know the syscall and ABI: the arguments are in `regs`. */
static __always_inline int pvm_on_regs_enter(struct task_struct *task, struct pt_regs *regs,
					     enum regs_ptr kind, __u8 sys, __u8 abi)
{
	struct pvm_call_args a;
	struct pt_regs copy;
	const struct pt_regs *r = readable_regs(regs, kind, &copy);

	if (!r)
		return 0;
	args_from_regs(r, abi, &a);
	return pvm_on_enter(task, sys, abi, code_mode_of(r), &a);
}

static __always_inline int pvm_on_regs_exit(struct task_struct *task, struct pt_regs *regs,
					    enum regs_ptr kind, __u8 sys, __u8 abi, long ret)
{
	struct pvm_call_args a;
	struct pt_regs copy;
	const struct pt_regs *r = readable_regs(regs, kind, &copy);

	if (!r)
		return 0;
	args_from_regs(r, abi, &a);
	return pvm_on_exit(task, sys, ret, &a);
}

/*
 * Raw sys_enter/sys_exit hooks (tp_btf, raw_tp) run for every syscall on the
 * machine: they tell ours apart by number and ABI first.
 */
static __always_inline int pvm_on_raw_enter(struct pt_regs *regs, enum regs_ptr kind, long nr)
{
	struct task_struct *task;
	__u8 sys, abi;

	if (classify_syscall(nr, &sys, &abi))
		return 0;
	task = bpf_get_current_task_btf();
	if (!entered_by_abi(task, abi))
		return 0;
	return pvm_on_regs_enter(task, regs, kind, sys, abi);
}

static __always_inline int pvm_on_raw_exit(struct pt_regs *regs, enum regs_ptr kind, long nr,
					   long ret)
{
	struct task_struct *task;
	__u8 sys, abi;

	if (classify_syscall(nr, &sys, &abi))
		return 0;
	task = bpf_get_current_task_btf();
	if (!entered_by_abi(task, abi))
		return 0;
	return pvm_on_regs_exit(task, regs, kind, sys, abi, ret);
}

#endif /* PVMTRACE_CAPTURE_BPF_H */
