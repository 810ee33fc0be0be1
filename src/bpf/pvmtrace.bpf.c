// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The hooks of every attach mode. Each one is thin: it finds the syscall, the
 * ABI and the arguments, and hands them to call.bpf.h. User space turns on
 * (autoload) only the programs of the mode it chose, by section prefix.
 */
#include "call.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * --- fentry/fexit and kprobe/kretprobe: on the syscall wrappers ---------
 * __x64_sys_* and __ia32_sys_* take the caller's pt_regs; they run only for
 * these syscalls, so no other syscall pays for the hook. Since v5.10
 * ("iov_iter: transparently handle compat iovecs in import_iovec") the ia32
 * table calls __ia32_sys_process_vm_*, not a compat_sys_ variant.
 */
#define FENTRY_HOOKS(fn, sys, abi)                                              \
	SEC("fentry/" #fn)                                                      \
	int BPF_PROG(fentry_##fn, struct pt_regs *regs)                         \
	{                                                                       \
		return pvm_on_regs_enter(bpf_get_current_task_btf(), regs,      \
					 REGS_TYPED, sys, abi);                 \
	}                                                                       \
	SEC("fexit/" #fn)                                                       \
	int BPF_PROG(fexit_##fn, struct pt_regs *regs, long ret)                \
	{                                                                       \
		return pvm_on_regs_exit(bpf_get_current_task_btf(), regs,       \
					REGS_TYPED, sys, abi, ret);             \
	}

/* A kretprobe sees only the result: the arguments come from the task. */
#define KPROBE_HOOKS(fn, sys, abi)                                              \
	SEC("kprobe/" #fn)                                                      \
	int BPF_KPROBE(kprobe_##fn, struct pt_regs *regs)                       \
	{                                                                       \
		return pvm_on_regs_enter(bpf_get_current_task_btf(), regs,      \
					 REGS_UNTYPED, sys, abi);               \
	}                                                                       \
	SEC("kretprobe/" #fn)                                                   \
	int BPF_KRETPROBE(kretprobe_##fn, long ret)                             \
	{                                                                       \
		struct task_struct *task = bpf_get_current_task_btf();          \
                                                                                \
		return pvm_on_regs_exit(task, current_user_regs(task),          \
					REGS_TYPED, sys, abi, ret);             \
	}

#define WRAPPER_HOOKS(HOOKS)                                                   \
	HOOKS(__x64_sys_process_vm_readv, PVM_SYS_READV, PVM_ABI_X86_64)      \
	HOOKS(__x64_sys_process_vm_writev, PVM_SYS_WRITEV, PVM_ABI_X86_64)    \
	HOOKS(__ia32_sys_process_vm_readv, PVM_SYS_READV, PVM_ABI_IA32)       \
	HOOKS(__ia32_sys_process_vm_writev, PVM_SYS_WRITEV, PVM_ABI_IA32)

WRAPPER_HOOKS(FENTRY_HOOKS)
WRAPPER_HOOKS(KPROBE_HOOKS)

/* --- tp_btf: raw syscall tracepoints with BTF-typed arguments ---------- */

SEC("tp_btf/sys_enter")
int BPF_PROG(tp_btf_sys_enter, struct pt_regs *regs, long id)
{
	return pvm_on_raw_enter(regs, REGS_TYPED, id);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tp_btf_sys_exit, struct pt_regs *regs, long ret)
{
	/* typed: every syscall's number is loaded here, not read by a helper */
	return pvm_on_raw_exit(regs, REGS_TYPED, regs->orig_ax, ret);
}

/* --- raw_tp: the same tracepoints for kernels that cannot do tp_btf ---- */

SEC("raw_tp/sys_enter")
int BPF_PROG(raw_tp_sys_enter, struct pt_regs *regs, long id)
{
	return pvm_on_raw_enter(regs, REGS_UNTYPED, id);
}

SEC("raw_tp/sys_exit")
int BPF_PROG(raw_tp_sys_exit, struct pt_regs *regs, long ret)
{
	return pvm_on_raw_exit(regs, REGS_UNTYPED, BPF_CORE_READ(regs, orig_ax), ret);
}

/*
 * --- thread exit: a thread's in-flight slot goes with it ------------------
 * raw_tp in every mode but tracepoint, whose kernels may lack raw_tp only in
 * theory but whose users asked for tracefs.
 */
SEC("raw_tp/sched_process_exit")
int BPF_PROG(raw_tp_thread_exit)
{
	return pvm_on_thread_exit();
}

SEC("tracepoint/sched/sched_process_exit")
int tp_thread_exit(void *ctx)
{
	return pvm_on_thread_exit();
}

/*
 * --- tracepoint: syscalls:sys_{enter,exit}_process_vm_{readv,writev} ----
 * These fire for native calls only: the kernel skips compat syscalls there
 * (ARCH_TRACE_IGNORE_COMPAT_SYSCALLS), so ia32 calls are invisible here.
 */

static __always_inline int tracepoint_enter(const struct trace_event_raw_sys_enter *ctx, __u8 sys)
{
	struct pvm_call_args a = {
		.pid = (__s32)ctx->args[0],
		.local_iov = ctx->args[1],
		.liovcnt = ctx->args[2],
		.remote_iov = ctx->args[3],
		.riovcnt = ctx->args[4],
		.flags = ctx->args[5],
	};
	struct task_struct *task = bpf_get_current_task_btf();

	/* the user registers for the code segment only */
	return pvm_on_enter(task, sys, PVM_ABI_X86_64, code_mode_of(current_user_regs(task)), &a);
}

/* The exit tracepoint carries only the result; the arguments are in pt_regs. */
static __always_inline int tracepoint_exit(const struct trace_event_raw_sys_exit *ctx, __u8 sys)
{
	struct task_struct *task = bpf_get_current_task_btf();

	return pvm_on_regs_exit(task, current_user_regs(task), REGS_TYPED, sys, PVM_ABI_X86_64,
				ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_process_vm_readv")
int tp_enter_readv(struct trace_event_raw_sys_enter *ctx)
{
	return tracepoint_enter(ctx, PVM_SYS_READV);
}

SEC("tracepoint/syscalls/sys_exit_process_vm_readv")
int tp_exit_readv(struct trace_event_raw_sys_exit *ctx)
{
	return tracepoint_exit(ctx, PVM_SYS_READV);
}

SEC("tracepoint/syscalls/sys_enter_process_vm_writev")
int tp_enter_writev(struct trace_event_raw_sys_enter *ctx)
{
	return tracepoint_enter(ctx, PVM_SYS_WRITEV);
}

SEC("tracepoint/syscalls/sys_exit_process_vm_writev")
int tp_exit_writev(struct trace_event_raw_sys_exit *ctx)
{
	return tracepoint_exit(ctx, PVM_SYS_WRITEV);
}
