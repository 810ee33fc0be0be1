// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The floors of bench/README.md: the least a BPF sensor hooked on the raw
 * syscall tracepoints costs. pvmfloor (floor.c) turns on (autoload) only the
 * programs of the floor it measures:
 *   enter        empty_enter
 *   enter-exit   empty_enter + empty_exit
 *   record       empty_enter + record_exit
 *   record-reads empty_enter + record_reads_exit
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "floor.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * 64 MiB: the consumer drains every 100 ms, and 100 ms of back-to-back 64 B
 * calls (~2M/s here, 88 bytes a record with its header) is ~18 MB; a failed
 * reserve is cheaper than a record, so a full ring would lower the floor.
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 << 20);
} records SEC(".maps");

/* failed reserves: every record the ring had no room for is counted */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

SEC("tp_btf/sys_enter")
int BPF_PROG(empty_enter, struct pt_regs *regs, long id)
{
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(empty_exit, struct pt_regs *regs, long ret)
{
	return 0;
}

static __always_inline void count_drop(void)
{
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&drops, &key);

	if (n)
		(*n)++;
}

/*
 * The whole record is made at exit: the argument registers of the saved
 * pt_regs still hold the caller's values there, so no state crosses from
 * enter to exit and nothing is read from user memory. The record floor's
 * enter is empty_enter: its only work would be the syscall-number test, which
 * ends in the same "return 0" either way. orig_ax is taken as an x86_64
 * number (ia32 callers' 310/311 are other syscalls): a floor, not a sensor.
 */
static __always_inline void fill_record(struct floor_record *r, struct pt_regs *regs, long nr,
					long ret)
{
	__u64 id = bpf_get_current_pid_tgid();

	r->ktime_ns = bpf_ktime_get_ns();
	r->pid = id >> 32;
	r->tid = (__u32)id;
	r->args[0] = regs->di;
	r->args[1] = regs->si;
	r->args[2] = regs->dx;
	r->args[3] = regs->r10;
	r->args[4] = regs->r8;
	r->args[5] = regs->r9;
	r->ret = ret;
	r->nr = nr;
	r->pad = 0;
}

static __always_inline bool floor_syscall(long nr)
{
	return nr == FLOOR_NR_READV || nr == FLOOR_NR_WRITEV;
}

/* Room for a record of `size` bytes in the ring, or NULL and the drop counted. */
static __always_inline void *reserve_or_count(__u64 size)
{
	void *r = bpf_ringbuf_reserve(&records, size, 0);

	if (!r)
		count_drop();
	return r;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(record_exit, struct pt_regs *regs, long ret)
{
	long nr = regs->orig_ax;
	struct floor_record *r;

	if (!floor_syscall(nr) || !(r = reserve_or_count(sizeof(*r))))
		return 0;
	fill_record(r, regs, nr, ret);
	/* the consumer polls on a timer: a wakeup per record is a design choice, not the floor */
	bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
	return 0;
}

/*
 * The minimal record and the least of what moved: both arrays' first
 * iovec and the first 64 bytes of the payload, three reads of the caller's
 * memory straight into the ring (what any sensor that shows the bytes must
 * read; pvmtrace reads them at entry, before the kernel copies).
 */
SEC("tp_btf/sys_exit")
int BPF_PROG(record_reads_exit, struct pt_regs *regs, long ret)
{
	long nr = regs->orig_ax;
	struct floor_record_reads *r;
	__u64 len;

	if (!floor_syscall(nr) || !(r = reserve_or_count(sizeof(*r))))
		return 0;
	fill_record(&r->call, regs, nr, ret);
	bpf_probe_read_user(r->local_iov0, sizeof(r->local_iov0), (void *)regs->si);
	bpf_probe_read_user(r->remote_iov0, sizeof(r->remote_iov0), (void *)regs->r10);
	len = r->local_iov0[1] < sizeof(r->data) ? r->local_iov0[1] : sizeof(r->data);
	bpf_probe_read_user(r->data, len, (void *)r->local_iov0[0]);
	bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
	return 0;
}
