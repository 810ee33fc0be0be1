/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The target's mapping each remote iovec lands in, as /proc/PID/maps would
 * name it, looked up with bpf_find_vma or recalled from the thread's memo.
 */
#ifndef PVMTRACE_REGION_BPF_H
#define PVMTRACE_REGION_BPF_H

#include "slot.bpf.h"

#define ENOENT 2 /* include/uapi/asm-generic/errno-base.h */

/*
 * Whether /proc/PID/maps calls a mapping that only touches the brk area
 * [heap], as it did before v6.6 (heap_bounds.h): user space asks the kernel.
 */
const volatile bool heap_bounds_inclusive;

/* The bounds of an mm that name its anonymous mappings. */
struct anon_bounds {
	__u64 brk, start_brk, start_stack, vdso;
};

/*
 * What /proc/PID/maps calls an anonymous mapping from start to end. A
 * global function, verified once on its own: inlined into each region
 * lookup, each kind it can return was a state of its own for the verifier
 * to walk the rest of the entry hook with, which took --enforce's past the
 * limit of processed instructions.
 */
__noinline __u8 pvm_anon_region_kind(__u64 start, __u64 end, const struct anon_bounds *b)
{
	__u64 touching = heap_bounds_inclusive; /* 1: start == brk or end == start_brk counts */

	if (!b)
		return PVM_REGION_ANON;
	if (start < b->brk + touching && end + touching > b->start_brk)
		return PVM_REGION_HEAP;
	if (start <= b->start_stack && end >= b->start_stack)
		return PVM_REGION_STACK;
	if (start == b->vdso)
		return PVM_REGION_VDSO;
	return PVM_REGION_ANON;
}

static __always_inline __u8 anon_region_kind(struct mm_struct *mm, __u64 start, __u64 end)
{
	struct anon_bounds b = {
		.brk = mm->brk,
		.start_brk = mm->start_brk,
		.start_stack = mm->start_stack,
		.vdso = (unsigned long)mm->context.vdso,
	};

	return pvm_anon_region_kind(start, end, &b);
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
 * bpf_find_vma (the target's mmap_lock, a maple tree walk, a callback) is a
 * tenth of the entry hook on a small write. A thread writing into the same
 * mapping call after call reuses what it found, for as long as that provably
 * holds. Every change of a mapping's bounds, permissions or file (mmap,
 * munmap, mprotect, mremap, brk) is made
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
	__u32 first = pvm_rec_regions_off(rec->local_n, rec->remote_n);
	struct pvm_region_memo key = {};
	bool keyed, valid;

	keyed = region_memo_key(&key, target, rec->start_boot_ns);
	valid = keyed && region_memo_valid(memo, &key);
	for (__u32 i = 0; i < REGIONS_IN_KERNEL && i < rec->remote_n; i++) {
		struct pvm_region r = {};
		__u32 entry = (__u32)rec->local_n + i;
		__u32 off = first + i * sizeof(struct pvm_region);

		if (entry >= 2 * max_iov || off > PVM_SLOT_REGION_OFF_MAX(max_iov))
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

	if (off > PVM_SLOT_REGION_OFF_MAX(max_iov))
		return 1;
	__builtin_memcpy((__u8 *)c->rec->iov + off, &blank, sizeof(blank));
	return 0;
}

static __always_inline void clear_regions(struct pvm_record *rec)
{
	struct region_clear c = {
		.rec = rec,
		.first = pvm_rec_regions_off(rec->local_n, rec->remote_n),
	};

	bpf_loop(rec->remote_n, clear_region_step, &c, 0);
}

#endif /* PVMTRACE_REGION_BPF_H */
