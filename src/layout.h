/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Where each part of a call's variable data sits, counted in bytes from
 * rec->iov: in the record the ring buffer carries, and in the kernel side's
 * in-flight slot, where the same parts wait between entry and exit. The one
 * place that does this arithmetic: compiled for the BPF target and for the
 * host (the decoder, the unit tests' record builder).
 *
 * A record, as the ring buffer carries it:
 *
 *   struct pvm_record                         fixed header (record.h)
 *   struct pvm_iov    iov[local_n]            the caller's local iovecs
 *   struct pvm_iov    iov[remote_n]           the remote iovecs
 *   struct pvm_region region[remote_n]        the target mapping of each
 *   __u8              data[data_captured]     the first bytes of the payload
 *   char              caller_exe[caller_exe.path_len]   no NUL
 *   char              target_exe[target.exe.path_len]   no NUL
 *
 * A slot: a PVM_INFLIGHT_HEADER_SIZE header (in_call and the region memo),
 * the record, then room for each part at its largest:
 *
 *   PVM_SLOT_ENTRIES(max_iov)        2 * max_iov entries, max_iov regions
 *   PVM_SLOT_PAYLOAD(capture)        the captured payload
 *   PVM_SLOT_GAP                     a gap (below); at entry, --enforce's facts
 *   2 * PVM_EXE_SCRATCH              the executable paths walked at entry
 *   PVM_SLOT_CHUNK                   --capture-dir only: the chunk being sent
 *
 * The entries, regions and payload are written packed, as the record
 * carries them, from the start of the first area; at exit the paths are
 * copied after the payload and the record is sent from the slot as it is.
 * The gap keeps that copy from ever overlapping its source. The chunk is
 * built in the calling thread's own slot, which nothing else can touch,
 * unlike per-CPU memory a preempting program could share. User space sizes
 * the map before load: PVM_SLOT_VALUE_SIZE().
 *
 * The bounds the BPF side checks an offset against (PVM_SLOT_*_OFF_MAX) are
 * the largest offset each part can start at: the verifier needs them spelled
 * out at each access, and they are these.
 */
#ifndef PVMTRACE_LAYOUT_H
#define PVMTRACE_LAYOUT_H

#include "record.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* --- the record ------------------------------------------------------------ */

/* Byte offset of region 0: after the local and the remote entries. */
static __always_inline __u32 pvm_rec_regions_off(__u32 local_n, __u32 remote_n)
{
	return (local_n + remote_n) * sizeof(struct pvm_iov);
}

/* Byte offset of the payload's first bytes: after the regions. */
static __always_inline __u32 pvm_rec_data_off(__u32 local_n, __u32 remote_n)
{
	return pvm_rec_regions_off(local_n, remote_n) + remote_n * sizeof(struct pvm_region);
}

/* Byte offset of the caller's executable path: after the payload. */
static __always_inline __u32 pvm_rec_exes_off(const struct pvm_record *rec)
{
	return pvm_rec_data_off(rec->local_n, rec->remote_n) + rec->data_captured;
}

/* The whole record's size, header included. */
static __always_inline __u64 pvm_rec_size(const struct pvm_record *rec)
{
	return sizeof(*rec) + (__u64)pvm_rec_exes_off(rec) + rec->caller_exe.path_len +
	       rec->target.exe.path_len;
}

/* --- the slot -------------------------------------------------------------- */

#define PVM_EXE_SCRATCH (2 * PVM_EXE_PATH_MAX) /* per path: the verifier's bound */
#define PVM_INFLIGHT_MAX 16384	/* threads inside process_vm_* at once */
#define PVM_INFLIGHT_HEADER_SIZE 88 /* in_call, and the kernel side's region memo */
#define PVM_CHUNK_CURSOR_SIZE 32 /* where the kernel side is in the payload */

/* Room for the entries and regions of max_iov entries a side. */
#define PVM_SLOT_ENTRIES(max_iov)                                                        \
	(2 * (max_iov) * sizeof(struct pvm_iov) + (max_iov) * sizeof(struct pvm_region))
/*
 * Twice the capture length: the verifier cannot see that offset + length
 * stays within one capture length, only that each does. 8-byte aligned.
 */
#define PVM_SLOT_PAYLOAD(capture) ((2 * (capture) + 7) / 8 * 8)
#define PVM_SLOT_GAP (2 * PVM_EXE_PATH_MAX)
#define PVM_SLOT_EXES (PVM_SLOT_GAP + 2 * PVM_EXE_SCRATCH)
#define PVM_SLOT_CHUNK (PVM_CHUNK_CURSOR_SIZE + sizeof(struct pvm_chunk) + PVM_CHUNK_DATA_MAX)
#define PVM_SLOT_VALUE_SIZE(max_iov, capture, store)                                     \
	(PVM_INFLIGHT_HEADER_SIZE + sizeof(struct pvm_record) + PVM_SLOT_ENTRIES(max_iov) +  \
	 PVM_SLOT_PAYLOAD(capture) + PVM_SLOT_EXES + ((store) ? PVM_SLOT_CHUNK : 0))

/*
 * Offsets in the slot, and the largest offset each part can start at, which
 * the BPF side checks an access against. Macros, not functions: each is one
 * expression over max_iov and the capture length (rodata the verifier knows
 * as constants), exactly as the accesses were written before this header;
 * summing in parts through functions gave the verifier other bounds, and the
 * entry hook with --enforce grew past its million-instruction limit.
 */

/* The largest offset a region can start at: the last of max_iov. */
#define PVM_SLOT_REGION_OFF_MAX(max_iov)                                                 \
	(2 * (max_iov) * sizeof(struct pvm_iov) + ((max_iov) - 1) * sizeof(struct pvm_region))
/* The largest offset the payload can start at: after max_iov regions. */
#define PVM_SLOT_DATA_OFF_MAX(max_iov) PVM_SLOT_ENTRIES(max_iov)
/* The gap: free at entry, where --enforce gathers its facts. */
#define PVM_SLOT_GAP_OFF(max_iov, capture) (PVM_SLOT_ENTRIES(max_iov) + PVM_SLOT_PAYLOAD(capture))
/* The scratch area of one side's executable path (0: caller, 1: target). */
#define PVM_SLOT_EXE_OFF(max_iov, capture, side)                                         \
	(PVM_SLOT_ENTRIES(max_iov) + PVM_SLOT_PAYLOAD(capture) + PVM_SLOT_GAP +            \
	 (side) * PVM_EXE_SCRATCH)
/* The --capture-dir cursor, then the chunk being sent. */
#define PVM_SLOT_CHUNK_OFF(max_iov, capture)                                             \
	(PVM_SLOT_ENTRIES(max_iov) + PVM_SLOT_PAYLOAD(capture) + PVM_SLOT_EXES)

_Static_assert(PVM_SLOT_ENTRIES(1) == 2 * 16 + 40, "one entry a side and its region");
_Static_assert(PVM_SLOT_EXES == 3 * 512, "the gap and two path scratch areas");
_Static_assert(PVM_SLOT_CHUNK == 32 + 32 + 4096, "cursor, chunk header, chunk data");
_Static_assert(PVM_SLOT_VALUE_SIZE(PVM_IOV_DEFAULT, PVM_CAPTURE_DEFAULT, 0) == 6640,
	       "a slot with the default settings");

#endif /* PVMTRACE_LAYOUT_H */
