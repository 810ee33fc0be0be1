// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "event/reassembly.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct piece {
	__u64 offset;
	__u32 len;
	unsigned char data[];
};

/* One call's chunks, as they came; a slot of r->calls, free unless used. */
struct pvm_pending {
	bool used;
	bool lossy;		/* a chunk of it was dropped */
	bool sorted;		/* pieces in offset order (the usual case) */
	__u32 tid;
	__u64 start_boot_ns;
	__u64 fed;		/* r->tick of its last chunk */
	size_t bytes;
	struct piece **pieces;
	size_t n, cap;
};

int pvm_reassembly_init(struct pvm_reassembly *r, size_t max_calls, size_t max_bytes)
{
	memset(r, 0, sizeof(*r));
	if (!max_calls) {
		errno = EINVAL;
		return -1;
	}
	r->calls = calloc(max_calls, sizeof(*r->calls));
	if (!r->calls)
		return -1;
	r->max_calls = max_calls;
	r->max_bytes = max_bytes;
	return 0;
}

static const char *chunk_problem(const struct pvm_chunk *c)
{
	if (c->kind != PVM_REC_CHUNK)
		return "not a chunk";
	if (!c->len || c->len > PVM_CHUNK_DATA_MAX)
		return "chunk length out of range";
	if (c->offset > UINT64_MAX - c->len)
		return "chunk offset out of range";
	return NULL;
}

int pvm_chunk_check(const void *data, size_t size, const char **why)
{
	const struct pvm_chunk *c = data;

	if (size < sizeof(*c)) {
		*why = "chunk shorter than its header";
		return -1;
	}
	*why = chunk_problem(c);
	if (!*why && size - sizeof(*c) < c->len)
		*why = "chunk shorter than its length";
	return *why ? -1 : 0;
}

static void release(struct pvm_reassembly *r, struct pvm_pending *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->pieces[i]);
	free(p->pieces);
	r->held_bytes -= p->bytes;
	r->held_calls--;
	memset(p, 0, sizeof(*p));
}

static void let_go(struct pvm_reassembly *r, struct pvm_pending *p)
{
	r->orphans++;
	release(r, p);
}

static struct pvm_pending *find(struct pvm_reassembly *r, __u32 tid, __u64 start_boot_ns)
{
	struct pvm_pending *p = &r->calls[r->last];

	if (p->used && p->tid == tid && p->start_boot_ns == start_boot_ns)
		return p;
	for (size_t i = 0; i < r->max_calls; i++) {
		p = &r->calls[i];
		if (p->used && p->tid == tid && p->start_boot_ns == start_boot_ns) {
			r->last = i;
			return p;
		}
	}
	return NULL;
}

/* The pending call fed least recently, other than `keep`; NULL if none. */
static struct pvm_pending *stalest(struct pvm_reassembly *r, const struct pvm_pending *keep)
{
	struct pvm_pending *oldest = NULL;

	for (size_t i = 0; i < r->max_calls; i++) {
		struct pvm_pending *p = &r->calls[i];

		if (p->used && p != keep && (!oldest || p->fed < oldest->fed))
			oldest = p;
	}
	return oldest;
}

/* The thread has moved on to another call: its previous one lost its record. */
static void let_go_previous_call(struct pvm_reassembly *r, __u32 tid)
{
	for (size_t i = 0; i < r->max_calls; i++)
		if (r->calls[i].used && r->calls[i].tid == tid)
			let_go(r, &r->calls[i]);
}

static struct pvm_pending *new_call(struct pvm_reassembly *r, const struct pvm_chunk *c)
{
	struct pvm_pending *p = NULL;

	let_go_previous_call(r, c->tid);
	if (r->held_calls == r->max_calls)
		let_go(r, stalest(r, NULL));
	for (size_t i = 0; !p; i++)
		if (!r->calls[i].used) {
			p = &r->calls[i];
			r->last = i;
		}
	p->used = true;
	p->sorted = true;
	p->tid = c->tid;
	p->start_boot_ns = c->start_boot_ns;
	r->held_calls++;
	return p;
}

/* Room for `len` more bytes of p, made by letting the stalest calls go. */
static bool make_room(struct pvm_reassembly *r, struct pvm_pending *p, size_t len)
{
	if (len > r->max_bytes || p->bytes > r->max_bytes - len)
		return false;
	while (r->held_bytes > r->max_bytes - len)
		let_go(r, stalest(r, p)); /* others hold the excess: p fits alone */
	return true;
}

static int append(struct pvm_pending *p, const struct pvm_chunk *c)
{
	struct piece *piece;

	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 16;
		struct piece **pieces = realloc(p->pieces, cap * sizeof(*pieces));

		if (!pieces)
			return -1;
		p->pieces = pieces;
		p->cap = cap;
	}
	piece = malloc(sizeof(*piece) + c->len);
	if (!piece)
		return -1;
	piece->offset = c->offset;
	piece->len = c->len;
	memcpy(piece->data, c->data, c->len);
	if (p->n && c->offset < p->pieces[p->n - 1]->offset)
		p->sorted = false;
	p->pieces[p->n++] = piece;
	return 0;
}

/* A chunk not kept: its call, if held, can no longer be complete. */
static void drop(struct pvm_reassembly *r, struct pvm_pending *p)
{
	if (p)
		p->lossy = true;
	r->dropped_chunks++;
}

int pvm_reassembly_add(struct pvm_reassembly *r, const struct pvm_chunk *c)
{
	struct pvm_pending *p;

	if (chunk_problem(c)) {
		drop(r, NULL);
		errno = EINVAL;
		return -1;
	}
	p = find(r, c->tid, c->start_boot_ns);
	if (!p && c->len > r->max_bytes) {
		drop(r, NULL);
		return 1;
	}
	if (!p)
		p = new_call(r, c);
	if (!make_room(r, p, c->len)) {
		drop(r, p);
		return 1;
	}
	if (append(p, c) < 0) {
		drop(r, p);
		errno = ENOMEM;
		return -1;
	}
	p->bytes += c->len;
	p->fed = ++r->tick;
	r->held_bytes += c->len;
	r->chunks++;
	r->bytes += c->len;
	return 0;
}

static int by_offset(const void *a, const void *b)
{
	const struct piece *x = *(struct piece *const *)a, *y = *(struct piece *const *)b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/*
 * The bytes from 0 that arrived exactly once, in order, up to expected_len;
 * *whole when that is the entire payload with nothing left over.
 */
static __u64 intact_prefix(struct pvm_pending *p, __u64 expected_len, bool *whole)
{
	__u64 end = 0;
	size_t i;

	if (!p->sorted)
		qsort(p->pieces, p->n, sizeof(*p->pieces), by_offset);
	for (i = 0; i < p->n && p->pieces[i]->offset == end; i++)
		end += p->pieces[i]->len;
	*whole = i == p->n && end == expected_len && !p->lossy;
	return end < expected_len ? end : expected_len;
}

static void copy_prefix(const struct pvm_pending *p, unsigned char *out, size_t len)
{
	for (size_t i = 0, at = 0; at < len; i++) {
		size_t n = p->pieces[i]->len < len - at ? p->pieces[i]->len : len - at;

		memcpy(out + at, p->pieces[i]->data, n);
		at += n;
	}
}

int pvm_reassembly_take(struct pvm_reassembly *r, __u32 tid, __u64 start_boot_ns,
			__u64 expected_len, unsigned char **bytes, size_t *len, bool *complete)
{
	struct pvm_pending *p = find(r, tid, start_boot_ns);
	__u64 prefix;
	bool whole;

	*bytes = NULL;
	*len = 0;
	*complete = false;
	if (!p) {
		*complete = expected_len == 0;
		r->incomplete += !*complete;
		return 1;
	}
	prefix = intact_prefix(p, expected_len, &whole);
	if (prefix) {
		*bytes = malloc(prefix);
		if (!*bytes) {
			r->incomplete++;
			release(r, p);
			errno = ENOMEM;
			return -1;
		}
		copy_prefix(p, *bytes, prefix);
	}
	*len = prefix;
	*complete = whole;
	r->incomplete += !whole;
	release(r, p);
	return 0;
}

void pvm_reassembly_free(struct pvm_reassembly *r)
{
	for (size_t i = 0; r->calls && i < r->max_calls; i++)
		if (r->calls[i].used)
			let_go(r, &r->calls[i]);
	free(r->calls);
	r->calls = NULL;
	r->held_calls = 0;
}
