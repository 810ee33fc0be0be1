/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Where the lines go, and how: -o FILE or standard output, written O_DIRECT
 * by a thread of its own (direct_out.h) where the file allows, else with
 * write(2) (plain_out.h) and the file's page cache trimmed behind it by
 * another thread (output_file.h). The reader formats each line into the
 * sink's JSON writer, or a table row into its FILE, and says so; the sink
 * decides when and how the bytes reach the file, keeps the lines whole when
 * a write fails, and knows how many did not reach it.
 */
#ifndef PVMTRACE_SINK_H
#define PVMTRACE_SINK_H

#include <stdbool.h>
#include <stdio.h>

#include "output/direct_out.h"
#include "output/json_writer.h"
#include "output/output_file.h"
#include "output/plain_out.h"

struct pvm_sink {
	bool open;
	bool json;
	FILE *file;		/* -o FILE as opened; NULL: standard output */
	int fd;			/* the file's, or standard output's */
	FILE *out;		/* the table's rows (stdio over `plain`) */
	struct json_writer jw;	/* where JSON lines are formatted */
	bool wrote;		/* lines since the last flush */
	unsigned long long rows;	  /* table lines made, header included */
	unsigned long long lines_handed;  /* jw.lines at the last hand */
	unsigned long long size_at_open;  /* of -o FILE */
	unsigned long long bytes;	  /* handed to the writers since */
	/* the writing paths: one of them */
	bool direct;		/* -o FILE written by direct_out */
	struct pvm_direct_out direct_out;
	struct pvm_plain_out plain;
	struct pvm_output_trimmer trim;
	unsigned int since_trim; /* lines since the last look at the file's end */
};

/*
 * Opens -o `path` (NULL: standard output) for JSON lines or table rows.
 * 0, or -1 after "pvmtrace: -o FILE: reason" on stderr.
 */
int pvm_sink_open(struct pvm_sink *s, const char *path, bool json);

/* A whole line was formatted into s->jw, or a row (or the header) written to s->out. */
void pvm_sink_line(struct pvm_sink *s);

/*
 * Hands what was written to the file; with `wait`, returns once it is
 * written. Without, JSON to -o FILE stays in its buffer while the thread
 * writing the file is busy: it goes with the next flush or when the buffer
 * is full, and the thread writes large buffers when the events come fast.
 * false after saying why on stderr, and how many lines did not reach the
 * output: none will from then on, and a file ends with its last whole line.
 */
bool pvm_sink_flush(struct pvm_sink *s, bool wait);

/* The bytes -o FILE holds once all that was made is written. */
unsigned long long pvm_sink_size(const struct pvm_sink *s);

/* The lines made that did not reach the output (after a failed write). */
unsigned long long pvm_sink_lines_lost(struct pvm_sink *s);

/* -o `path` no longer names the file open: what happened, else NULL. */
const char *pvm_sink_moved(const struct pvm_sink *s, const char *path);

/* Hands what is left in the buffers, stops the threads, closes the file. */
void pvm_sink_close(struct pvm_sink *s);

#endif /* PVMTRACE_SINK_H */
