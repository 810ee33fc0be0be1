/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* -o FILE: where events go instead of standard output. */
#ifndef PVMTRACE_OUTPUT_FILE_H
#define PVMTRACE_OUTPUT_FILE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

/*
 * Opens FILE to append: created 0600, never through a symlink, and only a
 * regular file of ours with one link, so that nobody else's file (or a FIFO
 * someone reads) gets the events. A file that ends in a cut line (a full
 * disk, a crash) gets a newline first: the first new line starts a line of
 * its own. Returns NULL after writing "pvmtrace: -o FILE: reason" to err.
 */
FILE *pvm_output_open(const char *path, FILE *err);

/* The lines in p[0, n): its newlines. */
unsigned long long pvm_output_count_lines(const char *p, size_t n);

/*
 * After a failed write: the regular file fd is cut after its last newline,
 * never below `floor` (where our lines began), so that it ends in a whole
 * line. Returns the file's size after, or -errno; nothing to do (0) on
 * what is not a regular file.
 */
long long pvm_output_cut_partial_line(int fd, unsigned long long floor);

/*
 * --rotate-keep: FILE.N-1 becomes FILE.N (FILE.N, the oldest, removed), ...,
 * FILE becomes FILE.1; with keep 0 FILE is removed. 0, or -1 after writing
 * "pvmtrace: -o FILE: reason" to err.
 */
int pvm_output_shift(const char *path, unsigned int keep, FILE *err);

/*
 * -o FILE removed, renamed or replaced under us since it was opened as fd:
 * NULL when the path still names the file fd is open on, else what
 * happened and where the events go.
 */
const char *pvm_output_moved(const char *path, int fd);

/*
 * The output file's pages, written to disk as each window of it fills and
 * dropped from the page cache a window later. A flood of events is gigabytes
 * a minute: left in the page cache it crowds out the machine's own, and each
 * page it takes is a fresh one, which on a VM whose free memory goes back to
 * the host costs the reader several times the system time of a reused page.
 */
struct pvm_output_trim {
	int fd;			    /* -1: not a regular file, nothing to do */
	unsigned long long window;  /* bytes */
	unsigned long long synced;  /* offset up to which writeback was started */
	unsigned long long dropped; /* offset up to which pages were dropped */
};

#define PVM_OUTPUT_TRIM_WINDOW (16ULL << 20)

/* For what is written to fd from now on; nothing when fd is not a regular file. */
void pvm_output_trim_init(struct pvm_output_trim *t, int fd, unsigned long long window);

/*
 * The file now reaches `end`: each whole window before it gets its writeback
 * started, and the window before that, written by now, leaves the page cache.
 */
void pvm_output_trim(struct pvm_output_trim *t, unsigned long long end);

/*
 * The trim in a thread of its own, behind the writer: starting writeback
 * waits for the disk when it cannot keep up, for tens of milliseconds in a
 * flood, and a reader waiting there let the ring buffer overflow. The
 * writer only says how far the file reaches.
 */
struct pvm_output_trimmer {
	struct pvm_output_trim trim; /* the thread's, once started */
	bool running;		     /* a regular file, and the thread started */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t more;
	unsigned long long end, trimmed; /* reached, and trimmed to */
	bool stopping;
};

/* For what is written to fd from now on: no thread when fd is not a regular file. */
void pvm_output_trimmer_start(struct pvm_output_trimmer *t, int fd, unsigned long long window);

/* The file reaches `end`: the thread trims up to there when it can. */
void pvm_output_trimmer_reach(struct pvm_output_trimmer *t, unsigned long long end);

/* Trims to the last end reached, and ends the thread. */
void pvm_output_trimmer_stop(struct pvm_output_trimmer *t);

#endif /* PVMTRACE_OUTPUT_FILE_H */
