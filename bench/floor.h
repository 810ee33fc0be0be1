/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The record of the "minimal record" floor (bench/README.md): what
 * floor.bpf.c writes to the ring for each process_vm_writev/readv and
 * pvmfloor (floor.c) counts. Fixed-width types: it compiles for the BPF
 * target and for the host.
 */
#ifndef PVM_BENCH_FLOOR_H
#define PVM_BENCH_FLOOR_H

/* x86_64 syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl) */
#define FLOOR_NR_READV 310
#define FLOOR_NR_WRITEV 311

struct floor_record {
	__u64 ktime_ns;		/* bpf_ktime_get_ns at sys_exit */
	__u32 pid;		/* tgid */
	__u32 tid;
	__u64 args[6];		/* di, si, dx, r10, r8, r9 of the caller's pt_regs */
	__s64 ret;
	__u32 nr;		/* FLOOR_NR_READV or FLOOR_NR_WRITEV */
	__u32 pad;
};

_Static_assert(sizeof(struct floor_record) == 80, "struct floor_record: no hidden padding");

/* The same, with what a recorder of what moved must read from the caller's memory. */
struct floor_record_reads {
	struct floor_record call;
	__u64 local_iov0[2];	/* the first local iovec: base, len */
	__u64 remote_iov0[2];	/* the first remote iovec */
	__u8 data[64];		/* the first bytes the first local iovec points to */
};

_Static_assert(sizeof(struct floor_record_reads) == 176, "struct floor_record_reads: no padding");

#endif
