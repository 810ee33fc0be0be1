/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one record that crosses the kernel -> user boundary, and the knobs user
 * space hands the kernel side before load. Compiled for the BPF target (with
 * vmlinux.h) and for the host (with <linux/types.h>): fixed-width types only,
 * every offset pinned by the _Static_asserts at the bottom.
 *
 * One ring-buffer sample per call, written when the call returns: this
 * fixed header, then the iovecs, regions, payload and executable paths that
 * layout.h places (the one owner of that arithmetic).
 *
 * local_n/remote_n are the entries decoded (at most the configured per-side
 * limit); liovcnt/riovcnt are the raw counts the caller passed. ia32 callers
 * pass 8-byte compat_iovecs; the kernel side widens them, so user space sees
 * one layout whatever the ABI.
 */
#ifndef PVMTRACE_RECORD_H
#define PVMTRACE_RECORD_H

#ifndef __bpf__
#include <linux/types.h>
#endif

#include "call_kind.h"

#define PVM_COMM_LEN 16
#define PVM_IOV_DEFAULT 64
#define PVM_IOV_MAX 1024 /* UIO_MAXIOV: the kernel refuses more with EINVAL */
#define PVM_CAPTURE_DEFAULT 64
#define PVM_CAPTURE_MAX 4096

enum pvm_record_kind {
	PVM_REC_CALL = 1,	/* struct pvm_record */
	PVM_REC_CHUNK = 2,	/* struct pvm_chunk */
};

/* What the kernel side could make of one iovec array. */
enum pvm_iov_state {
	PVM_IOV_OK = 0,	       /* entries decoded, byte total exact */
	PVM_IOV_FAULT = 1,     /* the array could not be read: no entries */
	PVM_IOV_OVERSIZE = 2,  /* count > PVM_IOV_MAX: first entries only, no total */
};

/* The payload bytes in a record. */
enum pvm_data_state {
	PVM_DATA_OFF = 0,	/* --capture 0 */
	PVM_DATA_OK = 1,	/* data[] holds the first min(capture, total) bytes */
	PVM_DATA_FAULT = 2,	/* a read of the caller's buffers failed: data[] is short */
};

/*
 * Where a payload went with --capture-dir: whole, as chunks (struct
 * pvm_chunk) ahead of the call's record, or why not.
 */
enum pvm_store_state {
	PVM_STORE_OFF = 0,	  /* no --capture-dir */
	PVM_STORE_SENT = 1,	  /* store_bytes of payload sent as chunks: all of it */
	PVM_STORE_TOO_LARGE = 2,  /* over --capture-max: nothing sent */
	PVM_STORE_UNREADABLE = 3, /* the caller's buffers or array could not be read */
	PVM_STORE_LOST = 4,	  /* a chunk found no room in the ring buffer */
	PVM_STORE_IOV_LIMIT = 5,  /* more local iovecs than --max-iov keeps */
};

/*
 * A process's executable (mm->exe_file) at syscall entry. The path is walked
 * up the dentries and mounts in the kernel, as d_path() would from the root of
 * the process's mount namespace; a longer one keeps its last PVM_EXE_PATH_MAX-1
 * bytes, whole components only.
 */
#define PVM_EXE_PATH_MAX 256
#define PVM_EXE_KNOWN 0x1	/* the process has an executable (not a kernel thread) */
#define PVM_EXE_TRUNCATED 0x2	/* leading components left out */
#define PVM_EXE_DELETED 0x4	/* the file has no links left */
/* What d_path() (/proc's exe and maps, and our display form) adds then. */
#define PVM_DELETED_SUFFIX " (deleted)"
#define PVM_DELETED_LEN (sizeof(PVM_DELETED_SUFFIX) - 1)

struct pvm_exe {
	__u64 ino;
	__u32 dev;		/* its superblock's s_dev (kernel encoding) */
	__u16 path_len;		/* bytes of the path in the sample, < PVM_EXE_PATH_MAX */
	__u8 flags;		/* PVM_EXE_* */
	__u8 reserved;
};

/* What --enforce did to the call (enforce.h). */
enum pvm_action {
	PVM_ACTION_NONE = 0,	/* not enforcing, or nothing to stop */
	PVM_ACTION_KILLED = 1,	/* the caller was sent SIGKILL at entry */
	PVM_ACTION_ALLOWED = 2,	/* it would have been, but an allow rule spared it */
};

/* Who resolved the target process named by the `pid` argument. */
enum pvm_target_source {
	PVM_TARGET_UNRESOLVED = 0, /* this kernel/mode cannot: user space tries /proc */
	PVM_TARGET_KERNEL = 1,	   /* resolved in the kernel at syscall entry */
	PVM_TARGET_NONE = 2,	   /* no such process at syscall entry (ESRCH) */
};

/* The process the call names, as the kernel saw it at syscall entry. */
struct pvm_target {
	__u64 start_boot_ns;	/* start_boottime: names it even after pid reuse */
	__u64 cgroup_id;
	__u32 pid;		/* tgid, init pid namespace */
	__u32 tid;
	__u32 ppid;		/* real_parent's tgid */
	__u32 uid;		/* real uid */
	__u32 pidns;		/* inode of its pid namespace */
	__u8 source;		/* enum pvm_target_source */
	__u8 reserved[3];
	char comm[PVM_COMM_LEN];
	struct pvm_exe exe;
};

/* The target's mapping that holds a remote iovec's base, at syscall entry. */
enum pvm_region_state {
	PVM_REGION_UNRESOLVED = 0, /* not looked up in the kernel: user space tries /proc */
	PVM_REGION_FOUND = 1,
	PVM_REGION_NONE = 2,	   /* the address is in no mapping */
};

enum pvm_region_kind {
	PVM_REGION_ANON = 0,
	PVM_REGION_FILE = 1,
	PVM_REGION_HEAP = 2,
	PVM_REGION_STACK = 3,
	PVM_REGION_VDSO = 4,
};

/* vm_flags bits (include/linux/mm.h): the permissions as /proc/PID/maps shows them */
#define PVM_VM_READ 0x1
#define PVM_VM_WRITE 0x2
#define PVM_VM_EXEC 0x4
#define PVM_VM_SHARED 0x8

struct pvm_region {
	__u64 start;
	__u64 end;
	__u64 inode;		/* of the mapped file; 0 for anonymous memory */
	__u32 dev;		/* its superblock's s_dev (kernel encoding) */
	__u32 vm_flags;		/* PVM_VM_* */
	__u8 state;		/* enum pvm_region_state */
	__u8 kind;		/* enum pvm_region_kind */
	__u8 reserved[6];
};

struct pvm_iov {
	__u64 base;
	__u64 len;
};

struct pvm_record {
	__u16 kind;		/* enum pvm_record_kind */
	__u8 syscall;		/* enum pvm_syscall */
	__u8 abi;		/* enum pvm_abi: how the call entered the kernel */
	__u8 code_mode;		/* enum pvm_code_mode of the caller's code segment */
	__u8 local_state;	/* enum pvm_iov_state */
	__u8 remote_state;	/* enum pvm_iov_state */
	__u8 iov_late;		/* arrays read at exit: the entry read faulted */
	__u16 local_n;		/* entries of iov[] that are local iovecs */
	__u16 remote_n;		/* entries after them that are remote iovecs */
	__s32 pid;		/* the `pid` argument, as the kernel reads it */

	__u64 start_boot_ns;	/* CLOCK_BOOTTIME at syscall entry */
	__u64 duration_ns;	/* exit - entry */
	__s64 ret;		/* return value: bytes moved or -errno */

	/* the other five arguments, raw (ia32: zero-extended 32-bit values) */
	__u64 local_iov;
	__u64 liovcnt;
	__u64 remote_iov;
	__u64 riovcnt;
	__u64 flags;

	__u64 local_bytes;	/* sum of local lengths (state OK only) */
	__u64 remote_bytes;	/* sum of remote lengths (state OK only) */

	/* the payload: writev, what the caller asked to write, read at entry;
	 * readv, what arrived, read at exit */
	__u64 data_total;	/* bytes moved (or asked to, by a failed write) */
	__u32 data_captured;	/* bytes of data[] after the iovecs */
	__u8 data_state;	/* enum pvm_data_state */
	__u8 store_state;	/* enum pvm_store_state */
	__u8 action;		/* enum pvm_action */
	__u8 reserved2;
	__u64 store_bytes;	/* payload bytes sent as chunks */
	__u32 allowed_line;	/* PVM_ACTION_ALLOWED: the config line of the rule */
	__u32 reserved3;

	/* the caller */
	__u64 cgroup_id;
	__u32 caller_pid;	/* tgid, init pid namespace */
	__u32 caller_tid;
	__u32 caller_ppid;	/* real_parent's tgid */
	__u32 caller_uid;
	__u32 caller_gid;
	__u32 pidns;		/* inode of the caller's pid namespace */
	__u32 mntns;		/* inode of the caller's mount namespace */
	__u32 reserved1;
	char comm[PVM_COMM_LEN];
	__u64 caller_start_boot_ns; /* the caller's process start (start_boottime) */
	struct pvm_exe caller_exe;

	struct pvm_target target;

	struct pvm_iov iov[];
};

/*
 * --capture-dir: a whole payload crosses the ring buffer as chunks written
 * before the call's record (writev: at entry; readv: at exit). A chunk names
 * its call by the caller's tid and the call's start_boot_ns, which together
 * are unique; user space reassembles them when the call's record arrives.
 */
#define PVM_CHUNK_DATA_MAX 4096

struct pvm_chunk {
	__u16 kind;		/* PVM_REC_CHUNK */
	__u16 reserved0;
	__u32 len;		/* bytes in data[] */
	__u32 tid;		/* the call's caller_tid */
	__u32 reserved1;
	__u64 start_boot_ns;	/* the call's start_boot_ns */
	__u64 offset;		/* of data[0] in the payload */
	__u8 data[];
};

/*
 * In-kernel filters, a const volatile global of the BPF object set before
 * load. A criterion applies only when its PVM_FILTER_* bit is in `fields`, so
 * no value needs a sentinel.
 */
#define PVM_FILTER_CALLER_PID (1u << 0)
#define PVM_FILTER_TARGET_PID (1u << 1)
#define PVM_FILTER_UID (1u << 2)
#define PVM_FILTER_COMM (1u << 3)
#define PVM_FILTER_CGROUP (1u << 4)
#define PVM_FILTER_CROSS_ONLY (1u << 5)

struct pvm_filter {
	__u32 fields;		/* PVM_FILTER_* that apply */
	__u32 syscalls;		/* PVM_SYS_BIT()s to trace; always applies */
	__u32 caller_pid;	/* tgid, init pid namespace */
	__s32 target_pid;	/* compared with the `pid` argument as passed */
	__u32 uid;
	__u32 reserved;
	char comm[PVM_COMM_LEN];
	/* the cgroup (or one below it) travels in the cgroup-array map */
};

/* Per-CPU counters the kernel side keeps; user space sums them. */
enum pvm_counter {
	PVM_CNT_CALLS,		 /* calls that passed the filters at entry */
	PVM_CNT_EVENTS,		 /* events written to the ring buffer */
	PVM_CNT_RINGBUF_FULL,	 /* events lost: no room in the ring buffer */
	PVM_CNT_INFLIGHT_FULL,	 /* calls lost at entry: no in-flight slot */
	PVM_CNT_UNMATCHED_ENTER, /* saved entries replaced before their exit */
	PVM_CNT_UNMATCHED_EXIT,	 /* exits of traced calls with no saved entry */
	PVM_CNT_CHUNKS_LOST,	 /* --capture-dir chunks with no room in the ring buffer */
	PVM_CNT__MAX,
};

_Static_assert(sizeof(struct pvm_iov) == 16, "pvm_iov layout");
_Static_assert(sizeof(struct pvm_exe) == 16, "pvm_exe layout");
_Static_assert(sizeof(struct pvm_target) == 72, "pvm_target layout");
_Static_assert(sizeof(struct pvm_region) == 40, "pvm_region layout");
_Static_assert(sizeof(struct pvm_record) == 280, "pvm_record layout");
_Static_assert(__builtin_offsetof(struct pvm_record, pid) == 12, "pid offset");
_Static_assert(__builtin_offsetof(struct pvm_record, start_boot_ns) == 16, "time offset");
_Static_assert(__builtin_offsetof(struct pvm_record, local_iov) == 40, "args offset");
_Static_assert(__builtin_offsetof(struct pvm_record, local_bytes) == 80, "bytes offset");
_Static_assert(__builtin_offsetof(struct pvm_record, data_total) == 96, "data offset");
_Static_assert(__builtin_offsetof(struct pvm_record, store_bytes) == 112, "store offset");
_Static_assert(__builtin_offsetof(struct pvm_record, allowed_line) == 120, "action offset");
_Static_assert(__builtin_offsetof(struct pvm_record, cgroup_id) == 128, "caller offset");
_Static_assert(__builtin_offsetof(struct pvm_record, comm) == 168, "comm offset");
_Static_assert(__builtin_offsetof(struct pvm_record, caller_exe) == 192, "caller exe offset");
_Static_assert(__builtin_offsetof(struct pvm_record, target) == 208, "target offset");
_Static_assert(__builtin_offsetof(struct pvm_record, iov) == 280, "iov offset");
_Static_assert(sizeof(struct pvm_filter) == 40, "pvm_filter layout");
_Static_assert(sizeof(struct pvm_chunk) == 32, "pvm_chunk layout");

#endif /* PVMTRACE_RECORD_H */
