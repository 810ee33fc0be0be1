/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What a record takes in the BPF ring buffer, and when the kernel side wakes
 * the consumer. Compiled for the BPF target (state.bpf.h decides wakeups)
 * and for the host (sensor/ring.c walks records; the unit tests check the
 * decision on every threshold position).
 *
 * The consumer is woken when the ring's fill crosses 1/PVM_WAKEUP_FILL_DIV of
 * its size, once per crossing: a wakeup per event (irq_work, then a context
 * switch) costs more than the rest of the hook. The kernel's default would
 * not do: it wakes only a consumer that has caught up, and one sleeping with
 * records left in the ring would then sleep through a flood. User space also
 * drains the ring on every poll timeout, so a trickle waits at most that long.
 */
#ifndef PVMTRACE_RING_WAKEUP_H
#define PVMTRACE_RING_WAKEUP_H

#ifndef __bpf__
#include <linux/types.h>
#include <stdbool.h>
#endif

#define PVM_RINGBUF_HDR_SZ 8 /* BPF_RINGBUF_HDR_SZ, include/uapi/linux/bpf.h */
#define PVM_WAKEUP_FILL_DIV 8

/* A record of `size` bytes in the ring: its 8-byte header, padded to 8. */
static inline __u64 pvm_ring_span(__u64 size)
{
	return (size + PVM_RINGBUF_HDR_SZ + 7) & ~7ULL;
}

/*
 * Does the record about to be written, with `queued` bytes unconsumed,
 * carry the fill across the threshold? Its whole span counts: with its size
 * alone, a threshold falling in its header or padding was crossed with no
 * wakeup, and the consumer slept its whole poll timeout.
 */
static inline bool pvm_ring_wakes(__u64 queued, __u64 ring_size, __u64 record_size)
{
	__u64 threshold = ring_size / PVM_WAKEUP_FILL_DIV;

	return queued < threshold && queued + pvm_ring_span(record_size) >= threshold;
}

#endif /* PVMTRACE_RING_WAKEUP_H */
