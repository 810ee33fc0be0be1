/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Lines written with write(2), to standard output or to a file that cannot
 * be written direct (direct_out.h), counted and kept whole: after a failed
 * write (a full disk, a closed pipe) a file is cut after its last whole line
 * and nothing more is written, so that no cut line is left behind and the
 * lines that did not reach the output are known.
 */
#ifndef PVMTRACE_PLAIN_OUT_H
#define PVMTRACE_PLAIN_OUT_H

#include <stddef.h>

#define PVM_LINES_UNKNOWN (~0ULL)

struct pvm_plain_out {
	int fd;
	unsigned long long floor; /* the file's size before our first line */
	unsigned long long lines_written;
	int error; /* errno of the first failed write: what follows is dropped */
};

/* For appending to fd: a file opened by pvm_output_open, or standard output. */
void pvm_plain_out_init(struct pvm_plain_out *p, int fd);

/*
 * The n bytes of buf, which hold `lines` newlines (PVM_LINES_UNKNOWN: they
 * are counted). 0, or -errno of the first failed write (then and ever after).
 */
int pvm_plain_out_write(struct pvm_plain_out *p, const char *buf, size_t n,
			unsigned long long lines);

#endif /* PVMTRACE_PLAIN_OUT_H */
