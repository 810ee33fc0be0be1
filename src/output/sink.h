/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Where the lines go, and how: -o FILE or standard output, written O_DIRECT
 * by a thread of its own (direct_out.h) where the file allows, else through
 * one FILE with its page cache trimmed behind it by another thread
 * (output_file.h). The reader formats each line into the sink's JSON writer,
 * or a table row into its FILE, and says so; the sink decides when and how
 * the bytes reach the file.
 */
#ifndef PVMTRACE_SINK_H
#define PVMTRACE_SINK_H

#include <stdbool.h>
#include <stdio.h>

#include "output/direct_out.h"
#include "output/json_writer.h"
#include "output/output_file.h"

struct pvm_sink {
	FILE *out;		/* the table's rows; JSON too, unless direct */
	struct json_writer jw;	/* where JSON lines are formatted */
	bool wrote;		/* lines since the last flush */
	/* the writing paths: one of them */
	bool direct;		/* -o FILE written by direct_out, not through out */
	struct pvm_direct_out direct_out;
	struct pvm_output_trimmer trim;
	unsigned int since_trim; /* lines since the last look at the file's end */
};

/*
 * Opens -o `path` (NULL: standard output) for JSON lines or table rows.
 * 0, or -1 after "pvmtrace: -o FILE: reason" on stderr.
 */
int pvm_sink_open(struct pvm_sink *s, const char *path, bool json);

/* A whole line was formatted into s->jw, or a row written to s->out. */
void pvm_sink_line(struct pvm_sink *s);

/*
 * Hands what was written to the file; with `wait`, returns once it is
 * written. Without, JSON to -o FILE stays in its buffer while the thread
 * writing the file is busy: it goes with the next flush or when the buffer
 * is full, and the thread writes large buffers when the events come fast.
 * false after saying why on stderr: the events not written are lost.
 */
bool pvm_sink_flush(struct pvm_sink *s, bool wait);

/* Hands what is left in the buffers, stops the threads, closes the file. */
void pvm_sink_close(struct pvm_sink *s);

#endif /* PVMTRACE_SINK_H */
