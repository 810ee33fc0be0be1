/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * -o FILE written around the page cache (O_DIRECT), by a thread of its own,
 * while the reader fills the other of two buffers. Through the page cache a
 * flood's JSON cost the reader about as much system time per event as its
 * formatting (a fresh page, a copy, writeback and the trim behind it);
 * written direct, the same bytes cost a fraction of that, and the disk's
 * waits fall on the thread, not on the reader draining the ring.
 *
 * Direct writes start at offsets and have lengths that are multiples of the
 * file's alignment. Each buffer starts at such an offset: the part of a
 * buffer past its last whole block goes through the page cache, so that a
 * flush makes every line visible at once, and is carried to the start of the
 * next buffer, to be written again, direct, with what follows it.
 *
 * The file is ours alone (pvm_output_open): when its size is not the one we
 * left (logrotate's copytruncate, another writer), or it was cut while we
 * wrote, what follows is appended through the -o descriptor, as without
 * O_DIRECT.
 */
#ifndef PVMTRACE_DIRECT_OUT_H
#define PVMTRACE_DIRECT_OUT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#define PVM_DIRECT_BUFFER_SIZE (4UL << 20) /* direct writes of 1 MiB went 1.3 GB/s here, of 4 MiB 1.7 */

struct pvm_direct_out {
	int direct_fd; /* O_DIRECT, no O_APPEND: written at offsets */
	int cached_fd; /* the same file through the page cache: a buffer's last partial block */
	int append_fd; /* the -o descriptor (O_APPEND), not ours to close */
	size_t align;  /* of direct writes' offsets, lengths and memory */
	size_t cap;    /* of each buffer */
	char *buffers[2];
	size_t carried; /* bytes at the start of the reader's buffer already in the file */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	/* under lock */
	char *pending; /* handed, not yet taken by the thread */
	size_t pending_len, pending_carried;
	unsigned long long pending_lines; /* newlines in the pending buffer past what was carried */
	unsigned long long lines_written;
	bool writing;	   /* the thread has a buffer */
	bool appending;	   /* the file changed under us: appends from then on */
	bool stopping;
	int error;	   /* the first write's errno that failed: what follows is dropped */
	/* the thread's */
	unsigned long long offset; /* of the next buffer's first byte: aligned */
	unsigned long long size;   /* the file's, after our last write */
	unsigned long long first_hole; /* of the file at open, ~0: none (mend_cut) */
	unsigned long long floor;      /* the file's size at open: our lines follow */
	unsigned long long base;       /* where the buffer's byte base_in_buf goes, ~0: unknown */
	size_t base_in_buf;
};

/*
 * For appending to fd, a regular file opened by pvm_output_open, with buffers
 * of cap bytes (a multiple of the page size). Returns 0, or -errno with
 * nothing held: the file system cannot write this file direct (tmpfs before
 * v6.6, many FUSE file systems), or /proc is not there to reopen it.
 */
int pvm_direct_out_open(struct pvm_direct_out *d, int fd, size_t cap);

/* The buffer to write in first: it starts with *len bytes of the file's last partial block. */
char *pvm_direct_out_first(struct pvm_direct_out *d, size_t *len);

/*
 * Hands the *len bytes of buf (the buffer given last) to the thread, once it
 * is done with the other buffer, and returns that one, holding *len bytes
 * already. `lines`: the newlines among the bytes new in buf. A hand with
 * nothing new returns buf as it is.
 */
char *pvm_direct_out_hand(struct pvm_direct_out *d, char *buf, size_t *len,
			  unsigned long long lines);

/* The thread is writing or has a buffer waiting: a hand now would wait for it. */
bool pvm_direct_out_busy(struct pvm_direct_out *d);

/* Waits until all that was handed is written. Returns 0 or -errno of the first failed write. */
int pvm_direct_out_wait(struct pvm_direct_out *d);

/*
 * Waits until all that was handed is written, and returns the lines that
 * reached the file. After a failed write the file is cut after its last
 * whole line: the lines before it.
 */
unsigned long long pvm_direct_out_lines_written(struct pvm_direct_out *d);

/* Waits, ends the thread, frees the buffers; fd stays open. */
void pvm_direct_out_close(struct pvm_direct_out *d);

#endif /* PVMTRACE_DIRECT_OUT_H */
