/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The bytes that move: the first ones into the record, and with
 * --capture-dir all of them, sent ahead as chunks.
 */
#ifndef PVMTRACE_PAYLOAD_BPF_H
#define PVMTRACE_PAYLOAD_BPF_H

#include "state.bpf.h"

/* Copies the first bytes the local iovecs point to into data[], in order. */
struct payload_walk {
	struct pvm_record *rec;
	__u32 data_off;		/* byte offset of data[] from rec->iov */
	__u32 copied;
	__u32 limit;		/* bytes wanted, at most capture_len */
	bool fault;
};

/* Payload pieces of at most this many bytes go through the stack too (IOV_BOUNCE). */
#define PAYLOAD_BOUNCE 64

/* n bytes from user memory to dst, a map value; 0 or the helper's error. */
static __always_inline long read_user_bytes(__u8 *dst, __u64 n, __u64 src)
{
	__u64 bounce[PAYLOAD_BOUNCE / 8] = {};
	const __u8 *bytes = (const __u8 *)bounce;
	__u32 words = n / 8;
	long err;

	if (n > PAYLOAD_BOUNCE)
		return bpf_probe_read_user(dst, n, (void *)src);
	err = bpf_probe_read_user(bounce, n, (void *)src);
	if (err)
		return err;
	/* unrolled: a loop clang would make a memcpy call, which BPF has not */
#pragma unroll
	for (__u32 k = 0; k < PAYLOAD_BOUNCE / 8; k++)
		if (k < words)
			((__u64 *)dst)[k] = bounce[k];
#pragma unroll
	for (__u32 j = 0; j < 7; j++) {
		__u32 at = (words * 8 + j) & (PAYLOAD_BOUNCE - 1); /* no-op mask, for the verifier */

		if (words * 8 + j < n)
			dst[at] = bytes[at];
	}
	return 0;
}

static long payload_step(__u64 i, void *data)
{
	struct payload_walk *w = data;
	struct pvm_iov entry;
	__u64 n;

	if (i >= max_iov || w->copied >= w->limit)
		return 1;
	entry = w->rec->iov[i];
	n = w->limit - w->copied;
	if (entry.len < n)
		n = entry.len;
	/* each bound on its own, for the verifier; the area has room for both */
	if (n > capture_len || w->copied > capture_len ||
	    w->data_off > PVM_SLOT_DATA_OFF_MAX(max_iov))
		return 1;
	if (read_user_bytes((__u8 *)w->rec->iov + w->data_off + w->copied, n, entry.base)) {
		w->fault = true;
		return 1;
	}
	w->copied += n;
	return 0;
}

static __always_inline void capture_payload(struct pvm_record *rec, __u64 wanted)
{
	struct payload_walk w = {
		.rec = rec,
		.data_off = pvm_rec_data_off(rec->local_n, rec->remote_n),
		.limit = wanted < capture_len ? wanted : capture_len,
	};

	rec->data_captured = 0;
	rec->data_state = PVM_DATA_OFF;
	if (capture_len == 0)
		return;
	if (rec->local_state == PVM_IOV_FAULT) {
		rec->data_state = PVM_DATA_FAULT; /* where the bytes are is unknown */
		return;
	}
	bpf_loop(rec->local_n, payload_step, &w, 0);
	rec->data_captured = w.copied;
	rec->data_state = w.fault ? PVM_DATA_FAULT : PVM_DATA_OK;
}

/*
 * --capture-dir: sends the first `limit` payload bytes as chunks. The walk's
 * position lives in the thread's in-flight slot, not on the stack: the
 * verifier compares stack state between iterations of a loop callback and
 * would walk every distinct position, but never map memory.
 */
struct chunk_cursor {
	__u64 sent;
	__u64 in_entry;		/* bytes of local entry `entry` already sent */
	__u32 entry;
	__u8 state;		/* enum pvm_store_state */
	__u8 reserved[11];
};

_Static_assert(sizeof(struct chunk_cursor) == PVM_CHUNK_CURSOR_SIZE, "chunk cursor size");

struct chunk_walk {
	struct pvm_record *rec;
	struct chunk_cursor *at;
	struct pvm_chunk *chunk;	/* after the cursor, in the slot */
	__u64 limit;			/* bytes to send */
};

static long chunk_step(__u64 i, void *data)
{
	struct chunk_walk *w = data;
	struct chunk_cursor *at = w->at;
	struct pvm_chunk *chunk = w->chunk;
	struct pvm_iov entry;
	__u32 index = at->entry;
	__u64 n, size;

	if (at->sent >= w->limit)
		return 1;
	if (index >= w->rec->local_n || index >= max_iov) {
		at->state = PVM_STORE_IOV_LIMIT; /* the rest is in entries not kept */
		return 1;
	}
	entry = w->rec->iov[index];
	if (at->in_entry >= entry.len) {
		at->entry = index + 1;
		at->in_entry = 0;
		return 0;
	}
	n = entry.len - at->in_entry;
	if (n > w->limit - at->sent)
		n = w->limit - at->sent;
	if (n > PVM_CHUNK_DATA_MAX)
		n = PVM_CHUNK_DATA_MAX;
	if (bpf_probe_read_user(chunk->data, n, (void *)(entry.base + at->in_entry))) {
		at->state = PVM_STORE_UNREADABLE;
		return 1;
	}
	chunk->offset = at->sent;
	chunk->len = n;
	size = sizeof(*chunk) + n;
	if (bpf_ringbuf_output(&events, chunk, size, ringbuf_wakeup_flag(size))) {
		count(PVM_CNT_CHUNKS_LOST);
		at->state = PVM_STORE_LOST;
		return 1;
	}
	at->sent += n;
	at->in_entry += n;
	if (at->in_entry >= entry.len) {
		at->entry = index + 1;
		at->in_entry = 0;
	}
	return 0;
}

/* --capture-dir: the first `total` bytes the local iovecs point to, whole. */
static __always_inline void send_payload_chunks(struct pvm_record *rec, __u64 total)
{
	struct chunk_walk w = {.rec = rec, .limit = total};
	__u8 *area = (__u8 *)rec->iov + PVM_SLOT_CHUNK_OFF(max_iov, capture_len);

	rec->store_bytes = 0;
	rec->store_state = PVM_STORE_OFF;
	if (!store_max)
		return;
	if (rec->local_state == PVM_IOV_FAULT) {
		rec->store_state = PVM_STORE_UNREADABLE;
		return;
	}
	if (total > store_max) {
		rec->store_state = PVM_STORE_TOO_LARGE;
		return;
	}
	w.at = (struct chunk_cursor *)area;
	w.chunk = (struct pvm_chunk *)(area + sizeof(struct chunk_cursor));
	__builtin_memset(w.at, 0, sizeof(*w.at));
	w.at->state = PVM_STORE_SENT;
	w.chunk->kind = PVM_REC_CHUNK;
	w.chunk->reserved0 = 0;
	w.chunk->reserved1 = 0;
	w.chunk->tid = rec->caller_tid;
	w.chunk->start_boot_ns = rec->start_boot_ns;
	/* a step sends a chunk or skips an empty entry; an entry ends at most one chunk early */
	bpf_loop(total / PVM_CHUNK_DATA_MAX + 2 * (__u32)rec->local_n + 1, chunk_step, &w, 0);
	if (w.at->state == PVM_STORE_SENT && w.at->sent < total)
		w.at->state = PVM_STORE_IOV_LIMIT;
	rec->store_bytes = w.at->sent;
	rec->store_state = w.at->state;
}

/* What a write asks to move: the local total, if the kernel would accept it. */
static __always_inline __u64 bytes_asked(const struct pvm_record *rec)
{
	return rec->local_state == PVM_IOV_OK ? rec->local_bytes : 0;
}

/*
 * At exit: a read captures what arrived (at most ret bytes); a write keeps
 * what it captured at entry, cut to what moved.
 */
static __always_inline void finish_payload(struct pvm_record *rec, long ret, bool reread)
{
	if (rec->syscall == PVM_SYS_READV) {
		rec->data_total = ret > 0 ? ret : 0;
		capture_payload(rec, rec->data_total);
		send_payload_chunks(rec, rec->data_total);
		return;
	}
	/*
	 * Arrays read only at exit are the caller's to rewrite meanwhile (another
	 * thread, for the whole call): bytes read through them now would say what
	 * the caller wants, not what moved. Say the payload is unknown instead.
	 */
	if (reread) {
		rec->data_captured = 0;
		rec->data_state = capture_len ? PVM_DATA_FAULT : PVM_DATA_OFF;
	}
	rec->data_total = ret >= 0 ? ret : bytes_asked(rec);
	if (rec->data_captured > rec->data_total)
		rec->data_captured = rec->data_total;
}

#endif /* PVMTRACE_PAYLOAD_BPF_H */
