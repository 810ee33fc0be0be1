/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* -o FILE: where events go instead of standard output. */
#ifndef PVMTRACE_OUTPUT_FILE_H
#define PVMTRACE_OUTPUT_FILE_H

#include <stdio.h>

/*
 * Opens FILE to append: created 0600, never through a symlink, and only a
 * regular file of ours with one link, so that nobody else's file (or a FIFO
 * someone reads) gets the events. Returns NULL after writing
 * "pvmtrace: -o FILE: reason" to err.
 */
FILE *pvm_output_open(const char *path, FILE *err);

#endif /* PVMTRACE_OUTPUT_FILE_H */
