// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "sensor/ring.h"
#include "ring_wakeup.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/bpf.h>

struct pvm_ring {
	struct pvm_ring_view view;
	pvm_ring_fn fn;
	void *ctx;
	int epoll_fd;
	void *consumer_map;
	void *producer_map;
	size_t consumer_len, producer_len, wrapped_len;
};

_Static_assert(PVM_RINGBUF_HDR_SZ == BPF_RINGBUF_HDR_SZ, "the kernel's record header");

static unsigned long record_span(uint32_t len)
{
	return pvm_ring_span(len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT));
}

/* The record at pos, of len bytes: in place, or copied whole when it wraps the end. */
static const void *record_at(const struct pvm_ring_view *v, unsigned long pos, uint32_t len)
{
	unsigned long start = (pos + BPF_RINGBUF_HDR_SZ) & v->mask; /* a header never wraps */
	unsigned long to_end = v->mask + 1 - start;

	if (len <= to_end)
		return v->data + start;
	memcpy(v->wrapped, v->data + start, to_end);
	memcpy(v->wrapped + to_end, v->data, len - to_end);
	return v->wrapped;
}

long pvm_ring_drain(const struct pvm_ring_view *v, pvm_ring_fn fn, void *ctx, unsigned long most)
{
	unsigned long cons = *v->consumer_pos; /* only we store it */
	unsigned long published = cons;
	unsigned long prod, taken = 0;
	long handed = 0;

	while ((prod = __atomic_load_n(v->producer_pos, __ATOMIC_ACQUIRE)) != cons) {
		while (cons != prod) {
			const unsigned char *hdr = v->data + (cons & v->mask);
			uint32_t len = __atomic_load_n((const uint32_t *)hdr, __ATOMIC_ACQUIRE);

			if (len & BPF_RINGBUF_BUSY_BIT || taken++ == most)
				goto caught_up; /* reserved, not yet committed; or enough */
			if (!(len & BPF_RINGBUF_DISCARD_BIT)) { /* no flag left: len is the size */
				fn(ctx, record_at(v, cons, len), len);
				handed++;
			}
			cons += record_span(len);
			if (cons - published >= PVM_RING_PUBLISH_BYTES) {
				__atomic_store_n(v->consumer_pos, cons, __ATOMIC_RELEASE);
				published = cons;
			}
		}
	}
caught_up:
	if (cons != published)
		__atomic_store_n(v->consumer_pos, cons, __ATOMIC_RELEASE);
	return handed;
}

/*
 * The kernel's layout (ringbuf_map_mmap_kern): the consumer page, writable;
 * then the producer page and the data, read-only, which the kernel lets us
 * map twice in a row; once is enough here (struct pvm_ring_view). The room
 * for a wrapping record is reserved, not touched: only the pages a record
 * is copied into count in RSS.
 */
static int map_ring(struct pvm_ring *r, int map_fd, unsigned long size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	r->consumer_len = page;
	r->consumer_map = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (r->consumer_map == MAP_FAILED)
		return -errno;
	r->producer_len = page + size;
	r->producer_map = mmap(NULL, r->producer_len, PROT_READ, MAP_SHARED, map_fd, (off_t)page);
	if (r->producer_map == MAP_FAILED)
		return -errno;
	r->wrapped_len = size;
	r->view.wrapped = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->view.wrapped == MAP_FAILED)
		return -errno;
	r->view.consumer_pos = r->consumer_map;
	r->view.producer_pos = r->producer_map;
	r->view.data = (const unsigned char *)r->producer_map + page;
	r->view.mask = size - 1;
	return 0;
}

static int watch_ring(struct pvm_ring *r, int map_fd)
{
	struct epoll_event ev = {.events = EPOLLIN};

	r->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (r->epoll_fd < 0)
		return -errno;
	if (epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, map_fd, &ev))
		return -errno;
	return 0;
}

struct pvm_ring *pvm_ring_open(int map_fd, unsigned long size, pvm_ring_fn fn, void *ctx)
{
	struct pvm_ring *r = calloc(1, sizeof(*r));
	int err;

	if (!r)
		return NULL;
	r->fn = fn;
	r->ctx = ctx;
	r->consumer_map = r->producer_map = MAP_FAILED;
	r->view.wrapped = MAP_FAILED;
	r->epoll_fd = -1;
	err = size && !(size & (size - 1)) ? map_ring(r, map_fd, size) : -EINVAL;
	if (!err)
		err = watch_ring(r, map_fd);
	if (err) {
		pvm_ring_close(r);
		errno = -err;
		return NULL;
	}
	return r;
}

unsigned long pvm_ring_unread(const struct pvm_ring_view *v)
{
	return __atomic_load_n(v->producer_pos, __ATOMIC_ACQUIRE) -
	       __atomic_load_n(v->consumer_pos, __ATOMIC_RELAXED);
}

const struct pvm_ring_view *pvm_ring_view_of(const struct pvm_ring *r)
{
	return &r->view;
}

long pvm_ring_poll(struct pvm_ring *r, int timeout_ms)
{
	struct epoll_event ev;

	if (epoll_wait(r->epoll_fd, &ev, 1, timeout_ms) < 0 && errno != EINTR)
		return -errno;
	/* a timeout too: the kernel side wakes us only as the ring fills */
	return pvm_ring_drain(&r->view, r->fn, r->ctx, PVM_RING_BATCH);
}

long pvm_ring_consume(struct pvm_ring *r)
{
	return pvm_ring_drain(&r->view, r->fn, r->ctx, PVM_RING_ALL);
}

void pvm_ring_close(struct pvm_ring *r)
{
	if (!r)
		return;
	if (r->epoll_fd >= 0)
		close(r->epoll_fd);
	if (r->view.wrapped != MAP_FAILED)
		munmap(r->view.wrapped, r->wrapped_len);
	if (r->producer_map != MAP_FAILED)
		munmap(r->producer_map, r->producer_len);
	if (r->consumer_map != MAP_FAILED)
		munmap(r->consumer_map, r->consumer_len);
	free(r);
}
