/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A decoded event as one line of JSON or one row of the terminal table. */
#ifndef PVMTRACE_FORMAT_H
#define PVMTRACE_FORMAT_H

#include <stdio.h>

#include "event/event.h"
#include "output/envelope.h"
#include "output/json_writer.h"

#define PVM_TIME_LEN 40

/* "2026-11-27T15:45:08.123456789Z" */
void pvm_format_time_utc(char buf[PVM_TIME_LEN], __u64 wall_ns);

/*
 * The texts of the caller, the target, a remote region and the alerts of
 * recent events, written again while what they are written from stays the
 * same (struct jw_memo). Zeroed: empty.
 */
struct pvm_json_memos {
	struct jw_memo caller, target, region, alerts;
};

/*
 * One JSON object and its newline (the contract in docs/events.md), opened
 * by env's envelope (NULL: none, the event's own keys alone). `memos` may be
 * NULL: everything is written afresh.
 */
void pvm_format_json(struct json_writer *w, const struct pvm_event *ev,
		     struct pvm_json_memos *memos, struct pvm_envelope *env);

/*
 * The operator's table: date and time, the caller (pid, uid, comm), the
 * target (the pid argument, its comm), both sides, the result, with
 * --enforce what was done to the caller, the most severe alert, the first
 * bytes. Names a traced process chose are escaped for the terminal.
 */
void pvm_format_table_header(FILE *out, bool with_action);
void pvm_format_table_row(FILE *out, const struct pvm_event *ev, bool with_action);

#endif /* PVMTRACE_FORMAT_H */
