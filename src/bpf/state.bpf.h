/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What every part of the capture shares: the settings user space fixes
 * before load (rodata), the kfuncs it may call, the ring buffer and the
 * counters.
 */
#ifndef PVMTRACE_STATE_BPF_H
#define PVMTRACE_STATE_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "record.h"
#include "layout.h"
#include "enforce.h"
#include "ring_wakeup.h"

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

#endif /* PVMTRACE_STATE_BPF_H */
