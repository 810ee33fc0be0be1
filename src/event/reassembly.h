/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * --capture-dir: a call's whole payload put back together from the chunks
 * (struct pvm_chunk, record.h) that reach the ring buffer before the call's
 * record. Chunks are held per call, named by (tid, start_boot_ns), until the
 * record takes them; a thread is in one process_vm_* call at a time, so a
 * chunk of a thread's next call means its previous call's record was lost.
 *
 * Bounded: at most max_calls calls and max_bytes payload bytes held. Room is
 * made by dropping the pending calls fed least recently (a record lost in the
 * ring buffer leaves its chunks behind; a stalled call stops being fed), and
 * a call is cut at max_bytes: its next chunks are dropped. Every chunk and
 * call that is let go is counted.
 */
#ifndef PVMTRACE_REASSEMBLY_H
#define PVMTRACE_REASSEMBLY_H

#include <stdbool.h>
#include <stddef.h>

#include "record.h"

#define PVM_REASSEMBLY_DEFAULT_CALLS 64
#define PVM_REASSEMBLY_DEFAULT_BYTES (64u << 20)

struct pvm_pending;

struct pvm_reassembly {
	struct pvm_pending *calls;	/* max_calls slots */
	size_t max_calls;
	size_t max_bytes;
	size_t held_calls;		/* pending now */
	size_t held_bytes;		/* payload bytes held now */
	size_t last;			/* slot of the last chunk's call */
	__u64 tick;			/* chunks seen, the age of a pending call */

	__u64 chunks;			/* chunks kept */
	__u64 bytes;			/* payload bytes in them */
	__u64 dropped_chunks;		/* chunks refused: malformed, or no room */
	__u64 incomplete;		/* takes that could not return the whole payload */
	__u64 orphans;			/* pending calls let go before their record came */
};

/* 0, or -1 with errno (EINVAL: max_calls is 0; ENOMEM). */
int pvm_reassembly_init(struct pvm_reassembly *r, size_t max_calls, size_t max_bytes);

/*
 * Checks one ring-buffer sample of `size` bytes as a chunk: its header, a
 * length of 1..PVM_CHUNK_DATA_MAX bytes all inside the sample, and an offset
 * that does not wrap. Returns 0, or -1 with *why set.
 */
int pvm_chunk_check(const void *data, size_t size, const char **why);

/*
 * Holds a chunk that passed pvm_chunk_check for its call. Returns 0 (kept),
 * 1 (dropped: its call already holds max_bytes) or -1 (dropped: EINVAL, not
 * a valid chunk; ENOMEM). Every drop is counted in dropped_chunks.
 */
int pvm_reassembly_add(struct pvm_reassembly *r, const struct pvm_chunk *c);

/*
 * Takes the chunks of the call (tid, start_boot_ns) whose record says the
 * payload is expected_len bytes. *complete: every byte 0..expected_len-1
 * arrived exactly once and none beyond, in any chunk order. *bytes (malloc'd,
 * the caller frees; NULL when *len is 0) holds the payload when complete,
 * else the bytes before the first gap, overlap or expected_len. Returns 0,
 * 1 when no chunk of the call was held (complete if expected_len is 0), or
 * -1 (ENOMEM; the chunks are let go).
 */
int pvm_reassembly_take(struct pvm_reassembly *r, __u32 tid, __u64 start_boot_ns,
			__u64 expected_len, unsigned char **bytes, size_t *len, bool *complete);

/* Lets go every pending call (counted as orphans). The counters stay. */
void pvm_reassembly_free(struct pvm_reassembly *r);

#endif /* PVMTRACE_REASSEMBLY_H */
