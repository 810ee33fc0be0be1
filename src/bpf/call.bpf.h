/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The call's flow, which every attach mode shares. A hook only works out
 * which syscall, which ABI and which six arguments it is looking at
 * (syscall.bpf.h), then calls pvm_on_enter() / pvm_on_exit().
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
#ifndef PVMTRACE_CALL_BPF_H
#define PVMTRACE_CALL_BPF_H

#include "syscall.bpf.h"
#include "slot.bpf.h"
#include "filter.bpf.h"
#include "task.bpf.h"
#include "iov.bpf.h"
#include "region.bpf.h"
#include "payload.bpf.h"
#include "enforce.bpf.h"

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
	data_off = pvm_rec_data_off(slot->rec.local_n, slot->rec.remote_n);
	size = sizeof(slot->rec) + data_off + slot->rec.data_captured +
	       append_exe_paths(&slot->rec, data_off);
	if (size <= PVM_SLOT_VALUE_SIZE(max_iov, capture_len, false) - PVM_INFLIGHT_HEADER_SIZE) {
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

#endif /* PVMTRACE_CALL_BPF_H */
