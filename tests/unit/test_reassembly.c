// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Payload chunks put back together per call, within bounds, losses counted. */
#include "event/reassembly.h"
#include "unit.h"

#include <errno.h>
#include <stdlib.h>

#define CHUNK PVM_CHUNK_DATA_MAX
#define START 1000000000ULL /* start_boot_ns of the calls below */

static _Alignas(8) unsigned char chunk_buf[sizeof(struct pvm_chunk) + CHUNK];
static unsigned char payload[4 * CHUNK];

/* Byte i of the payload of thread `tid`: no two threads' payloads agree. */
static unsigned char byte_of(__u32 tid, size_t i)
{
	return (unsigned char)(i * 7 + i / 251 + tid);
}

static const unsigned char *payload_of(__u32 tid)
{
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = byte_of(tid, i);
	return payload;
}

static struct pvm_chunk *chunk(__u32 tid, __u64 start, __u64 offset, __u32 len)
{
	struct pvm_chunk *c = (struct pvm_chunk *)chunk_buf;

	memset(c, 0, sizeof(*c));
	c->kind = PVM_REC_CHUNK;
	c->tid = tid;
	c->start_boot_ns = start;
	c->offset = offset;
	c->len = len;
	for (__u32 i = 0; i < len && i < CHUNK; i++)
		c->data[i] = byte_of(tid, offset + i);
	return c;
}

/* Adds chunk k (of CHUNK bytes, the last one cut at total) for each k in order. */
static void feed(struct pvm_reassembly *r, __u32 tid, __u64 start, size_t total,
		 const int *order, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t off = (size_t)order[i] * CHUNK;
		__u32 len = (__u32)(total - off < CHUNK ? total - off : CHUNK);

		CHECK_EQ(pvm_reassembly_add(r, chunk(tid, start, off, len)), 0);
	}
}

struct taken {
	int ret;
	unsigned char *bytes;
	size_t len;
	bool complete;
};

static struct taken take(struct pvm_reassembly *r, __u32 tid, __u64 start, __u64 expected)
{
	struct taken t;

	t.ret = pvm_reassembly_take(r, tid, start, expected, &t.bytes, &t.len, &t.complete);
	return t;
}

/* The taken bytes are the first t->len bytes of the thread's payload. */
static bool bytes_right(const struct taken *t, __u32 tid)
{
	return t->len == 0 ? t->bytes == NULL
			   : t->bytes && !memcmp(t->bytes, payload_of(tid), t->len);
}

static void init(struct pvm_reassembly *r, size_t calls, size_t bytes)
{
	CHECK_EQ(pvm_reassembly_init(r, calls, bytes), 0);
}

UNIT_TEST(reassembly_order_table)
{
	static const struct {
		const char *name;
		size_t total;
		int order[5];
		size_t n;
		bool complete;
		size_t len; /* of the intact prefix */
	} cases[] = {
		{"one chunk", 100, {0}, 1, true, 100},
		{"in order", 10000, {0, 1, 2}, 3, true, 10000},
		{"exact multiple", 2 * CHUNK, {0, 1}, 2, true, 2 * CHUNK},
		{"out of order", 10000, {2, 0, 1}, 3, true, 10000},
		{"reversed", 4 * CHUNK, {3, 2, 1, 0}, 4, true, 4 * CHUNK},
		{"missing middle", 10000, {0, 2}, 2, false, CHUNK},
		{"missing first", 10000, {1, 2}, 2, false, 0},
		{"missing last", 10000, {0, 1}, 2, false, 2 * CHUNK},
		{"duplicate chunk", 10000, {0, 1, 1, 2}, 4, false, 2 * CHUNK},
		{"duplicate first", 10000, {0, 0, 1, 2}, 4, false, CHUNK},
		{"duplicate last", 10000, {0, 1, 2, 2}, 4, false, 10000},
		{"duplicate out of order", 10000, {2, 1, 0, 1}, 4, false, 2 * CHUNK},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pvm_reassembly r;
		struct taken t;

		init(&r, 4, 1 << 20);
		feed(&r, 7, START, cases[i].total, cases[i].order, cases[i].n);
		t = take(&r, 7, START, cases[i].total);
		if (t.ret != 0 || t.complete != cases[i].complete || t.len != cases[i].len ||
		    !bytes_right(&t, 7))
			unit_fail(__FILE__, __LINE__, "%s: ret %d complete %d len %zu", cases[i].name,
				  t.ret, t.complete, t.len);
		CHECK_EQ(r.chunks, cases[i].n);
		CHECK_EQ(r.incomplete, !cases[i].complete);
		CHECK_EQ(r.held_calls, 0);
		CHECK_EQ(r.held_bytes, 0);
		free(t.bytes);
		pvm_reassembly_free(&r);
		CHECK_EQ(r.orphans, 0);
	}
}

UNIT_TEST(reassembly_length_must_match_the_record)
{
	static const int all[] = {0, 1, 2};
	struct pvm_reassembly r;
	struct taken t;

	init(&r, 4, 1 << 20);
	feed(&r, 7, START, 10000, all, 3);
	t = take(&r, 7, START, 8000); /* the record says fewer bytes moved */
	CHECK(t.ret == 0 && !t.complete && t.len == 8000 && bytes_right(&t, 7));
	free(t.bytes);

	feed(&r, 7, START + 1, 10000, all, 3);
	t = take(&r, 7, START + 1, 12000); /* more */
	CHECK(t.ret == 0 && !t.complete && t.len == 10000 && bytes_right(&t, 7));
	free(t.bytes);
	CHECK_EQ(r.incomplete, 2);

	t = take(&r, 7, START + 2, 0); /* nothing moved, nothing sent */
	CHECK(t.ret == 1 && t.complete && t.len == 0 && !t.bytes);
	t = take(&r, 7, START + 3, 64); /* bytes moved, none arrived */
	CHECK(t.ret == 1 && !t.complete && t.len == 0 && !t.bytes);
	CHECK_EQ(r.incomplete, 3);
	pvm_reassembly_free(&r);
}

UNIT_TEST(reassembly_two_threads_interleaved)
{
	struct pvm_reassembly r;
	struct taken a, b;

	init(&r, 4, 1 << 20);
	for (int k = 0; k < 3; k++) {
		CHECK_EQ(pvm_reassembly_add(&r, chunk(100, START, (__u64)k * CHUNK, CHUNK)), 0);
		CHECK_EQ(pvm_reassembly_add(&r, chunk(200, START, (__u64)k * CHUNK, CHUNK)), 0);
	}
	CHECK_EQ(r.held_calls, 2);
	b = take(&r, 200, START, 3 * CHUNK); /* records in either order */
	a = take(&r, 100, START, 3 * CHUNK);
	CHECK(a.ret == 0 && a.complete && a.len == 3 * CHUNK && bytes_right(&a, 100));
	CHECK(b.ret == 0 && b.complete && b.len == 3 * CHUNK && bytes_right(&b, 200));
	CHECK_EQ(r.bytes, 6 * CHUNK);
	CHECK_EQ(r.incomplete, 0);
	free(a.bytes);
	free(b.bytes);
	pvm_reassembly_free(&r);
	CHECK_EQ(r.orphans, 0);
}

UNIT_TEST(reassembly_call_cut_at_max_bytes)
{
	struct pvm_reassembly r;
	struct taken t;

	init(&r, 4, 2 * CHUNK);
	CHECK_EQ(pvm_reassembly_add(&r, chunk(7, START, 0, CHUNK)), 0);
	CHECK_EQ(pvm_reassembly_add(&r, chunk(7, START, CHUNK, CHUNK)), 0);
	CHECK_EQ(pvm_reassembly_add(&r, chunk(7, START, 2 * CHUNK, CHUNK)), 1);
	CHECK_EQ(pvm_reassembly_add(&r, chunk(7, START, 3 * CHUNK, 10)), 1);
	CHECK_EQ(r.dropped_chunks, 2);
	CHECK_EQ(r.chunks, 2);
	CHECK_EQ(r.held_bytes, 2 * CHUNK);
	t = take(&r, 7, START, 3 * CHUNK + 10);
	CHECK(t.ret == 0 && !t.complete && t.len == 2 * CHUNK && bytes_right(&t, 7));
	CHECK_EQ(r.incomplete, 1);
	CHECK_EQ(r.orphans, 0);
	free(t.bytes);
	pvm_reassembly_free(&r);
}

UNIT_TEST(reassembly_chunk_larger_than_budget)
{
	struct pvm_reassembly r;
	struct taken t;

	init(&r, 4, 100);
	CHECK_EQ(pvm_reassembly_add(&r, chunk(7, START, 0, 60)), 0);
	CHECK_EQ(pvm_reassembly_add(&r, chunk(8, START, 0, 101)), 1);
	CHECK_EQ(r.dropped_chunks, 1);
	CHECK_EQ(r.held_calls, 1); /* the first call stays */
	t = take(&r, 7, START, 60);
	CHECK(t.complete && bytes_right(&t, 7));
	free(t.bytes);
	pvm_reassembly_free(&r);
}

UNIT_TEST(reassembly_full_table_lets_the_stalest_call_go)
{
	struct pvm_reassembly r;
	struct taken t;

	init(&r, 2, 1 << 20);
	CHECK_EQ(pvm_reassembly_add(&r, chunk(1, START, 0, 10)), 0); /* lost its record */
	CHECK_EQ(pvm_reassembly_add(&r, chunk(2, START, 0, 10)), 0);
	CHECK_EQ(pvm_reassembly_add(&r, chunk(2, START, 10, 10)), 0);
	CHECK_EQ(pvm_reassembly_add(&r, chunk(3, START, 0, 10)), 0); /* 1 goes */
	CHECK_EQ(r.orphans, 1);
	CHECK_EQ(r.held_calls, 2);
	CHECK_EQ(r.dropped_chunks, 0);
	t = take(&r, 1, START, 10);
	CHECK(t.ret == 1 && !t.complete);
	t = take(&r, 2, START, 20);
	CHECK(t.ret == 0 && t.complete && bytes_right(&t, 2));
	free(t.bytes);
	t = take(&r, 3, START, 10);
	CHECK(t.ret == 0 && t.complete && bytes_right(&t, 3));
	free(t.bytes);
	pvm_reassembly_free(&r);
	CHECK_EQ(r.orphans, 1);
}

UNIT_TEST(reassembly_full_budget_lets_the_stalest_call_go)
{
	struct pvm_reassembly r;
	struct taken t;

	init(&r, 8, 2 * CHUNK);
	CHECK_EQ(pvm_reassembly_add(&r, chunk(1, START, 0, CHUNK)), 0);
	CHECK_EQ(pvm_reassembly_add(&r, chunk(2, START, 0, CHUNK)), 0);
	CHECK_EQ(pvm_reassembly_add(&r, chunk(3, START, 0, CHUNK)), 0); /* 1 goes */
	CHECK_EQ(r.orphans, 1);
	CHECK_EQ(r.held_bytes, 2 * CHUNK);
	CHECK_EQ(pvm_reassembly_add(&r, chunk(2, START, CHUNK, 1)), 0); /* 3 goes */
	CHECK_EQ(r.orphans, 2);
	CHECK_EQ(r.dropped_chunks, 0);
	t = take(&r, 2, START, CHUNK + 1);
	CHECK(t.ret == 0 && t.complete && bytes_right(&t, 2));
	free(t.bytes);
	CHECK_EQ(take(&r, 1, START, CHUNK).ret, 1);
	CHECK_EQ(take(&r, 3, START, CHUNK).ret, 1);
	CHECK_EQ(r.incomplete, 2);
	pvm_reassembly_free(&r);
	CHECK_EQ(r.orphans, 2);
}

UNIT_TEST(reassembly_next_call_of_a_thread_orphans_the_previous)
{
	struct pvm_reassembly r;
	struct taken t;

	init(&r, 4, 1 << 20);
	CHECK_EQ(pvm_reassembly_add(&r, chunk(7, START, 0, 50)), 0);
	CHECK_EQ(pvm_reassembly_add(&r, chunk(8, START, 0, 50)), 0);
	CHECK_EQ(pvm_reassembly_add(&r, chunk(7, START + 500, 0, 50)), 0);
	CHECK_EQ(r.orphans, 1);
	CHECK_EQ(r.held_calls, 2);
	CHECK_EQ(take(&r, 7, START, 50).ret, 1);
	t = take(&r, 7, START + 500, 50);
	CHECK(t.ret == 0 && t.complete && bytes_right(&t, 7));
	free(t.bytes);
	pvm_reassembly_free(&r); /* 8's record never came */
	CHECK_EQ(r.orphans, 2);
	CHECK_EQ(r.held_calls, 0);
}

UNIT_TEST(reassembly_refuses_malformed_chunks)
{
	struct pvm_reassembly r;
	struct pvm_chunk *c;

	init(&r, 4, 1 << 20);
	c = chunk(7, START, 0, 0);
	CHECK_EQ(pvm_reassembly_add(&r, c), -1);
	CHECK_EQ(errno, EINVAL);
	c = chunk(7, START, 0, CHUNK + 1);
	CHECK_EQ(pvm_reassembly_add(&r, c), -1);
	c = chunk(7, START, UINT64_MAX - 5, 10);
	CHECK_EQ(pvm_reassembly_add(&r, c), -1);
	c = chunk(7, START, 0, 10);
	c->kind = PVM_REC_CALL;
	CHECK_EQ(pvm_reassembly_add(&r, c), -1);
	CHECK_EQ(r.dropped_chunks, 4);
	CHECK_EQ(r.chunks, 0);
	CHECK_EQ(r.held_calls, 0);
	pvm_reassembly_free(&r);

	CHECK_EQ(pvm_reassembly_init(&r, 0, 1 << 20), -1);
	CHECK_EQ(errno, EINVAL);
}

UNIT_TEST(chunk_check_table)
{
	static const struct {
		__u16 kind;
		__u32 len;
		__u64 offset;
		size_t size;
		const char *why;
	} cases[] = {
		{PVM_REC_CHUNK, 10, 0, sizeof(struct pvm_chunk) + 10, NULL},
		{PVM_REC_CHUNK, 10, 0, sizeof(struct pvm_chunk) + CHUNK, NULL}, /* fixed reserve */
		{PVM_REC_CHUNK, CHUNK, 0, sizeof(struct pvm_chunk) + CHUNK, NULL},
		{PVM_REC_CHUNK, 10, 0, sizeof(struct pvm_chunk) - 1, "chunk shorter than its header"},
		{PVM_REC_CHUNK, 10, 0, sizeof(struct pvm_chunk) + 9, "chunk shorter than its length"},
		{PVM_REC_CALL, 10, 0, sizeof(struct pvm_chunk) + 10, "not a chunk"},
		{PVM_REC_CHUNK, 0, 0, sizeof(struct pvm_chunk), "chunk length out of range"},
		{PVM_REC_CHUNK, CHUNK + 1, 0, sizeof(chunk_buf), "chunk length out of range"},
		{PVM_REC_CHUNK, 10, UINT64_MAX, sizeof(struct pvm_chunk) + 10,
		 "chunk offset out of range"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pvm_chunk *c = chunk(7, START, cases[i].offset, cases[i].len);
		const char *why = "unset";

		c->kind = cases[i].kind;
		CHECK_EQ(pvm_chunk_check(c, cases[i].size, &why), cases[i].why ? -1 : 0);
		CHECK_STR(why, cases[i].why);
	}
}
