/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Both iovec arrays of the call, read as the kernel will read them. */
#ifndef PVMTRACE_IOV_BPF_H
#define PVMTRACE_IOV_BPF_H

#include "region.bpf.h"

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

#endif /* PVMTRACE_IOV_BPF_H */
