/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The calling thread's in-flight slot: the call saved between its entry and
 * its exit, created on the thread's first call and kept until it exits.
 */
#ifndef PVMTRACE_SLOT_BPF_H
#define PVMTRACE_SLOT_BPF_H

#include "state.bpf.h"

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
 * space sizes it before load: PVM_SLOT_VALUE_SIZE() (layout.h).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, PVM_INFLIGHT_MAX);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, PVM_SLOT_VALUE_SIZE(PVM_IOV_DEFAULT, PVM_CAPTURE_DEFAULT, false));
} inflight SEC(".maps");

/* What a new slot is created from; every field used is overwritten. */
static const char blank_inflight[PVM_SLOT_VALUE_SIZE(PVM_IOV_MAX, PVM_CAPTURE_MAX, true)];

/*
 * Slots kept between calls, and how many may be (set by user space: half the
 * map). Past that, a slot is let go at the end of its call as if per call, so
 * threads that call once cannot take the room of calls in flight.
 */
__u64 slots_kept;
const volatile __u64 slots_keep_max = PVM_INFLIGHT_MAX / 2;

/*
 * The calling thread's slot, marked in a call. Creating one copies the whole
 * blank value and deleting it frees it: too costly per call, so a thread
 * keeps its slot until it exits (pvm_on_thread_exit).
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

#endif /* PVMTRACE_SLOT_BPF_H */
