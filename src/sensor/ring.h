/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The consumer side of the BPF ring buffer (kernel/bpf/ringbuf.c), in place
 * of libbpf's. libbpf publishes its consumer position after every record:
 * each store takes the position's cache line from the CPU that writes
 * records, whose next reserve (and our fill query, state.bpf.h) then
 * misses on it: a cost on every traced call. pvm_ring_drain() publishes
 * once per PVM_RING_PUBLISH_BYTES consumed and when it has caught up.
 *
 * The drain works on plain pointers, so it is unit-tested on memory laid
 * out like the kernel's mapping; pvm_ring_open() maps the real one.
 */
#ifndef PVMTRACE_RING_H
#define PVMTRACE_RING_H

#include <limits.h>
#include <stddef.h>

/*
 * Records one poll takes at most: a writer as fast as the reader must not
 * keep it in the ring, away from signals, flushes and a stop, for as long as
 * it writes (where each record costs a read of /proc, a batch takes a while).
 */
#define PVM_RING_BATCH 1024

/* 1/256 of the default 16 MiB ring: what the kernel side cannot reuse yet */
#define PVM_RING_PUBLISH_BYTES (64 * 1024)

/* Called for each record; `data` is valid only during the call. */
typedef void (*pvm_ring_fn)(void *ctx, const void *data, size_t size);

/*
 * The shared positions and data, as the kernel maps them. The data is
 * mapped once, not twice in a row as libbpf does: the pages of a mapping
 * count in the process's RSS each time they are mapped, and a record that
 * wraps the end (one per turn of the ring) is cheaper copied.
 */
struct pvm_ring_view {
	unsigned long *consumer_pos;	   /* ours: the kernel only reads it */
	const unsigned long *producer_pos; /* the kernel's */
	const unsigned char *data;	   /* size bytes */
	unsigned long mask;		   /* size - 1: size is a power of 2 */
	unsigned char *wrapped;		   /* size bytes: a wrapping record, made whole */
};

/*
 * Hands committed records to fn, skips discarded ones, stops at the first
 * still being written or once it has taken `most` (PVM_RING_ALL: no limit).
 * Returns the records handed over.
 */
#define PVM_RING_ALL ULONG_MAX
long pvm_ring_drain(const struct pvm_ring_view *v, pvm_ring_fn fn, void *ctx, unsigned long most);

struct pvm_ring;

/* Maps the ring of BPF_MAP_TYPE_RINGBUF map_fd (size: its max_entries). NULL: errno. */
struct pvm_ring *pvm_ring_open(int map_fd, unsigned long size, pvm_ring_fn fn, void *ctx);

/* Waits up to timeout_ms for a wakeup (or a signal), then drains. <0: -errno. */
long pvm_ring_poll(struct pvm_ring *r, int timeout_ms);

/* Bytes the kernel side wrote that the reader has not consumed yet. */
unsigned long pvm_ring_unread(const struct pvm_ring_view *v);

/* The view pvm_ring_open mapped. */
const struct pvm_ring_view *pvm_ring_view_of(const struct pvm_ring *r);

/* Drains without waiting. */
long pvm_ring_consume(struct pvm_ring *r);

void pvm_ring_close(struct pvm_ring *r);

#endif /* PVMTRACE_RING_H */
