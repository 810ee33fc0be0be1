// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The hooks of every attach mode. Each one is thin: it finds the syscall, the
 * ABI and the arguments, and hands them to capture.bpf.h. User space turns on
 * (autoload) only the programs of the mode it chose.
 */
#include "capture.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* --- tp_btf: raw syscall tracepoints with BTF-typed arguments ---------- */

SEC("tp_btf/sys_enter")
int BPF_PROG(tp_btf_sys_enter, struct pt_regs *regs, long id)
{
	return pvm_on_raw_enter(regs, id);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tp_btf_sys_exit, struct pt_regs *regs, long ret)
{
	return pvm_on_raw_exit(regs, ret);
}

/* --- raw_tp: the same tracepoints for kernels that cannot do tp_btf ---- */

SEC("raw_tp/sys_enter")
int BPF_PROG(raw_tp_sys_enter, struct pt_regs *regs, long id)
{
	return pvm_on_raw_enter(regs, id);
}

SEC("raw_tp/sys_exit")
int BPF_PROG(raw_tp_sys_exit, struct pt_regs *regs, long ret)
{
	return pvm_on_raw_exit(regs, ret);
}

/*
 * --- tracepoint: syscalls:sys_{enter,exit}_process_vm_{readv,writev} ----
 * These fire for native calls only: the kernel skips compat syscalls there
 * (ARCH_TRACE_IGNORE_COMPAT_SYSCALLS), so ia32 calls are invisible here.
 */

static __always_inline void args_from_tracepoint(const struct trace_event_raw_sys_enter *ctx,
						 struct pvm_call_args *a)
{
	a->pid = (__s32)ctx->args[0];
	a->local_iov = ctx->args[1];
	a->liovcnt = ctx->args[2];
	a->remote_iov = ctx->args[3];
	a->riovcnt = ctx->args[4];
	a->flags = ctx->args[5];
}

static __always_inline __u8 current_code_mode(void)
{
	return code_mode_of((struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf()));
}

static __always_inline int tracepoint_enter(const struct trace_event_raw_sys_enter *ctx, __u8 sys)
{
	struct pvm_call_args a;

	args_from_tracepoint(ctx, &a);
	return pvm_on_enter(sys, PVM_ABI_X86_64, current_code_mode(), &a);
}

/* The exit tracepoint carries only the result; the arguments are in pt_regs. */
static __always_inline int tracepoint_exit(const struct trace_event_raw_sys_exit *ctx, __u8 sys)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	struct pvm_call_args a;

	args_from_regs(regs, PVM_ABI_X86_64, &a);
	return pvm_on_exit(sys, ctx->ret, &a);
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
