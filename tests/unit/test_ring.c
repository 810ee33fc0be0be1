// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The ring consumer on memory laid out as the kernel maps a BPF ring buffer:
 * the test plays the producer, writing records as kernel/bpf/ringbuf.c does.
 */
#include <linux/bpf.h>

#include "ring_wakeup.h"
#include "sensor/ring.h"
#include "unit.h"

#define RING_SIZE (256 * 1024UL)
#define SEEN_MAX 512

static unsigned long consumer_pos, producer_pos;
static unsigned char ring_data[RING_SIZE], wrapped[RING_SIZE];

struct seen {
	size_t n;
	size_t size[SEEN_MAX];
	unsigned char first[SEEN_MAX], last[SEEN_MAX];
	bool whole[SEEN_MAX]; /* every byte as produce() wrote it */
	unsigned long consumer_at[SEEN_MAX]; /* the published position during the call */
};

static struct seen seen;

static void remember(void *ctx, const void *data, size_t size)
{
	struct seen *s = ctx;
	const unsigned char *bytes = data;

	if (s->n == SEEN_MAX)
		return;
	s->size[s->n] = size;
	s->first[s->n] = size ? bytes[0] : 0;
	s->last[s->n] = size ? bytes[size - 1] : 0;
	s->whole[s->n] = true;
	for (size_t i = 1; i < size; i++)
		s->whole[s->n] &= bytes[i] == (unsigned char)(bytes[0] + i);
	s->consumer_at[s->n] = __atomic_load_n(&consumer_pos, __ATOMIC_RELAXED);
	s->n++;
}

static struct pvm_ring_view fresh_ring(unsigned long start)
{
	consumer_pos = producer_pos = start;
	memset(&seen, 0, sizeof(seen));
	return (struct pvm_ring_view){.consumer_pos = &consumer_pos,
				      .producer_pos = &producer_pos,
				      .data = ring_data,
				      .mask = RING_SIZE - 1,
				      .wrapped = wrapped};
}

/*
 * A record of `size` bytes, byte i being fill + i, its header's flags
 * `bits`; returns its header. The data goes on at the start of the area
 * past its end, as the kernel's pages do.
 */
static uint32_t *produce(uint32_t size, unsigned char fill, uint32_t bits)
{
	unsigned char *hdr = ring_data + (producer_pos & (RING_SIZE - 1));

	for (uint32_t i = 0; i < size; i++)
		ring_data[(producer_pos + BPF_RINGBUF_HDR_SZ + i) & (RING_SIZE - 1)] =
			(unsigned char)(fill + i);
	*(uint32_t *)hdr = size | bits;
	producer_pos += pvm_ring_span(size);
	return (uint32_t *)hdr;
}

UNIT_TEST(ring_hands_over_committed_records_and_skips_discarded)
{
	struct pvm_ring_view v = fresh_ring(0);

	produce(10, 'a', 0);
	produce(20, 'b', BPF_RINGBUF_DISCARD_BIT);
	produce(33, 'c', 0);
	CHECK_EQ(pvm_ring_drain(&v, remember, &seen, PVM_RING_ALL), 2);
	CHECK_EQ(seen.n, 2);
	CHECK_EQ(seen.size[0], 10);
	CHECK_EQ(seen.first[0], 'a');
	CHECK_EQ(seen.size[1], 33);
	CHECK_EQ(seen.last[1], 'c' + 32);
	CHECK_EQ(consumer_pos, producer_pos); /* the discarded record is consumed too */
	CHECK_EQ(pvm_ring_drain(&v, remember, &seen, PVM_RING_ALL), 0);
}

/* A record reserved but not committed holds back everything after it. */
UNIT_TEST(ring_stops_at_a_record_being_written)
{
	struct pvm_ring_view v = fresh_ring(0);
	uint32_t *busy;
	unsigned long after_first;

	produce(16, 'a', 0);
	after_first = producer_pos;
	busy = produce(16, 'b', BPF_RINGBUF_BUSY_BIT);
	produce(16, 'c', 0);
	CHECK_EQ(pvm_ring_drain(&v, remember, &seen, PVM_RING_ALL), 1);
	CHECK_EQ(consumer_pos, after_first);
	*busy &= ~BPF_RINGBUF_BUSY_BIT; /* committed */
	CHECK_EQ(pvm_ring_drain(&v, remember, &seen, PVM_RING_ALL), 2);
	CHECK_EQ(seen.first[1], 'b');
	CHECK_EQ(seen.first[2], 'c');
	CHECK_EQ(consumer_pos, producer_pos);
}

/* Each record handed over makes the producer write one more, up to three in all. */
static void remember_and_produce(void *ctx, const void *data, size_t size)
{
	static const unsigned char next[] = {'b', 'c'};

	remember(ctx, data, size);
	if (seen.n <= sizeof(next))
		produce(24, next[seen.n - 1], 0);
}

/* Records committed while the drain runs are handed over by the same drain. */
UNIT_TEST(ring_drain_takes_records_written_meanwhile)
{
	struct pvm_ring_view v = fresh_ring(0);

	produce(24, 'a', 0);
	CHECK_EQ(pvm_ring_drain(&v, remember_and_produce, &seen, PVM_RING_ALL), 3);
	CHECK_EQ(seen.first[1], 'b');
	CHECK_EQ(seen.first[2], 'c');
	CHECK_EQ(consumer_pos, producer_pos);
}

static void remember_and_produce_forever(void *ctx, const void *data, size_t size)
{
	remember(ctx, data, size);
	produce(4000, 'z', 0);
}

/*
 * A producer that writes a record for each one consumed: the drain returns
 * once it has taken as many as it may, and takes the rest the next time.
 */
UNIT_TEST(ring_drain_returns_after_taking_its_most)
{
	struct pvm_ring_view v = fresh_ring(0);

	produce(4000, 'a', 0);
	CHECK_EQ(pvm_ring_drain(&v, remember_and_produce_forever, &seen, 10), 10);
	CHECK_EQ(consumer_pos, 10 * pvm_ring_span(4000));
	CHECK_EQ(producer_pos - consumer_pos, pvm_ring_span(4000));
	CHECK_EQ(pvm_ring_drain(&v, remember, &seen, 10), 1);
	/* discarded records count towards it too */
	produce(8, 'x', BPF_RINGBUF_DISCARD_BIT);
	produce(8, 'y', BPF_RINGBUF_DISCARD_BIT);
	produce(8, 'z', 0);
	CHECK_EQ(pvm_ring_drain(&v, remember, &seen, 2), 0);
	CHECK_EQ(pvm_ring_drain(&v, remember, &seen, 2), 1);
}

/*
 * Records at the end of the data area (mapped once) arrive whole: one that
 * wraps it, one whose header is its last 8 bytes, one that ends with it.
 */
UNIT_TEST(ring_record_wrapping_the_end_arrives_whole)
{
	struct pvm_ring_view v = fresh_ring(3 * RING_SIZE - 24); /* positions only grow */

	produce(100, 'w', 0);
	CHECK_EQ(pvm_ring_drain(&v, remember, &seen, PVM_RING_ALL), 1);
	CHECK_EQ(seen.size[0], 100);
	CHECK_EQ(seen.first[0], 'w');
	CHECK(seen.whole[0]);
	CHECK_EQ(consumer_pos, 3 * RING_SIZE + 88);

	v = fresh_ring(RING_SIZE - 8);
	produce(40, 'h', 0);
	v.wrapped = NULL; /* it needs no copy */
	CHECK_EQ(pvm_ring_drain(&v, remember, &seen, PVM_RING_ALL), 1);
	CHECK_EQ(seen.first[0], 'h');
	CHECK(seen.whole[0]);

	v = fresh_ring(RING_SIZE - 48);
	produce(40, 'e', 0);
	v.wrapped = NULL;
	CHECK_EQ(pvm_ring_drain(&v, remember, &seen, PVM_RING_ALL), 1);
	CHECK_EQ(seen.last[0], 'e' + 39);
	CHECK(seen.whole[0]);
	CHECK_EQ(consumer_pos, RING_SIZE);
}

/*
 * The position is published once per PVM_RING_PUBLISH_BYTES and at the end,
 * not per record: what each record's call saw tells how often.
 */
UNIT_TEST(ring_publishes_its_position_in_steps)
{
	enum { RECORDS = 200, SIZE = 1016 }; /* 1 KiB apart with the header */
	struct pvm_ring_view v = fresh_ring(0);
	size_t publications = 0;

	for (int i = 0; i < RECORDS; i++)
		produce(SIZE, (unsigned char)i, 0);
	CHECK_EQ(pvm_ring_drain(&v, remember, &seen, PVM_RING_ALL), RECORDS);
	for (size_t i = 1; i < seen.n; i++) {
		unsigned long start = i * (SIZE + BPF_RINGBUF_HDR_SZ);

		CHECK(seen.consumer_at[i] <= start);
		CHECK(start - seen.consumer_at[i] < PVM_RING_PUBLISH_BYTES);
		publications += seen.consumer_at[i] != seen.consumer_at[i - 1];
	}
	CHECK_EQ(publications, RECORDS * 1024 / PVM_RING_PUBLISH_BYTES);
	CHECK_EQ(consumer_pos, producer_pos);
}

/*
 * Records written one after another into a ring that empties only when the
 * consumer wakes: wherever the threshold falls among their headers, payloads
 * and padding, exactly one of them wakes it.
 */
UNIT_TEST(ring_fill_crossing_wakes_exactly_once)
{
	const __u64 ring = 8u << 20, threshold = ring / PVM_WAKEUP_FILL_DIV;

	for (__u64 size = 1; size <= 300; size++) {
		__u64 span = pvm_ring_span(size);

		for (__u64 start = threshold - 3 * span; start < threshold; start += 8) {
			int wakes = 0;

			for (__u64 queued = start; queued < threshold + 2 * span; queued += span)
				wakes += pvm_ring_wakes(queued, ring, size);
			if (wakes != 1) {
				CHECK_EQ(wakes, 1);
				return;
			}
		}
	}
	CHECK_EQ(pvm_ring_span(1), 16);
	CHECK_EQ(pvm_ring_span(8), 16);
	CHECK_EQ(pvm_ring_span(9), 24);
}
