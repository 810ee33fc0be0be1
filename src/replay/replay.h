/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * pvmtrace replay FILE: events recorded with `pvmtrace --json` evaluated
 * again with the current rules and allowlist, without root and without the
 * kernel. Each line is parsed by json-c into the same facts the live sensor
 * built (rules/facts_json.h); a line that is not an event, or not one
 * pvmtrace could have written, is reported with its number and skipped.
 */
#ifndef PVMTRACE_REPLAY_H
#define PVMTRACE_REPLAY_H

#include <stdio.h>

#include "cli/options.h"

/*
 * The longest line read: longer ones are reported and skipped, never held
 * whole. pvmtrace writes none of 600 KiB or more (docs/rules.md,
 * Offline replay).
 */
#define PVM_REPLAY_LINE_MAX 1048576

/*
 * Reads opts->replay_path ("-": standard input) and writes the events kept
 * by opts->min_severity to opts->output_path (appended, as -o does), or to
 * `out` without -o (a stream on a file descriptor: the lines are written to
 * it with write(2), in batches): in JSON each event as its input object with
 * "alerts" replaced by the new ones, one per line; else a table. Malformed
 * lines ("pvmtrace: FILE:LINE: reason"), the counts and the alert summary go
 * to `err`. The first failed write ends the replay, with "pvmtrace: replay:
 * writing events failed: REASON; N lines not written". Returns an enum
 * pvm_exit: OK when the file was read to its end (malformed lines included),
 * FAILURE when it (or -o) could not be opened, read or written, USAGE for a
 * bad --config.
 */
int pvm_replay_run(const struct pvm_options *opts, FILE *out, FILE *err);

/* pvm_replay_run() on standard output and standard error. */
int pvm_replay(const struct pvm_options *opts);

#endif /* PVMTRACE_REPLAY_H */
