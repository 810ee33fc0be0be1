/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Which syscall, which ABI, which six arguments: syscall numbers, the mark
 * the kernel sets during a 32-bit syscall, the caller's saved registers.
 * What each attach mode's hook works out before the capture starts.
 */
#ifndef PVMTRACE_SYSCALL_BPF_H
#define PVMTRACE_SYSCALL_BPF_H

#include "state.bpf.h"

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

struct pvm_call_args {
	__s32 pid;
	__u64 local_iov;
	__u64 liovcnt;
	__u64 remote_iov;
	__u64 riovcnt;
	__u64 flags;
};

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

#endif /* PVMTRACE_SYSCALL_BPF_H */
