/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef PVMTRACE_E2E_FLOOD_H
#define PVMTRACE_E2E_FLOOD_H

#include <stdbool.h>

/*
 * pvmtrace at `pvmtrace`, its -o file in `scratch` renamed and SIGHUP sent
 * ten times under a flood of 100,000 writes a second (a "# rotation:" line
 * says the pace reached): every call is in one file, whole, once, or counted
 * lost. false after saying what went wrong on stderr.
 */
bool e2e_sighup_rotation(const char *pvmtrace, const char *scratch);

/*
 * Why e2e_logrotate_rotation cannot run here: no logrotate (the VM guests
 * have none), or no dist/pvmtrace.logrotate in the current directory. NULL
 * when it can.
 */
const char *e2e_logrotate_missing(const char *pvmtrace);

/*
 * The same flood, rotated by the real logrotate five times with the shipped
 * snippet (dist/pvmtrace.logrotate, only its path changed to a file in
 * `scratch`): every call in one of the files, compressed or not, whole, once,
 * or counted lost, and a file for each rotation. false after saying what
 * went wrong on stderr; also when e2e_logrotate_missing() says why not.
 */
bool e2e_logrotate_rotation(const char *pvmtrace, const char *scratch);

/*
 * pvmtrace --rotate-size 256K --rotate-keep 1000 under 2,000 writes a second
 * until it rotated three times: each rotated file is 256 KiB and less than a
 * line more, and every call is in one file, whole, once, or counted
 * lost. false after saying what went wrong on stderr.
 */
bool e2e_size_rotation(const char *pvmtrace, const char *scratch);

/*
 * pvmtrace -o on a 256 KiB tmpfs mounted in `scratch` (needs root), under a
 * flood until the disk is full: it stops by itself with exit 1, "writing
 * events failed: No space left on device; N lines not written" and the
 * counters; the file holds whole lines only, each call once, and with the N
 * not written every record received.
 */
bool e2e_disk_full(const char *pvmtrace, const char *scratch);

/*
 * pvmtrace --json into a pipe whose reader goes away after 100 bytes (as
 * `| head -c 100`): it stops by itself with exit 1, "Broken pipe; N lines
 * not written" and the counters on stderr.
 */
bool e2e_closed_pipe(const char *pvmtrace, const char *scratch);

/*
 * pvmtrace --json --stats-interval 1 under 2,000 writes a second until the file
 * holds three stats records with "final":false (30 s at most), then one
 * with true as the last line; every record's seq its line number; each counter of the
 * final record the sum of since_last over all records, and the events in
 * the file as many as it received.
 */
bool e2e_stats_interval(const char *pvmtrace, const char *scratch);

/*
 * Two threads flood as fast as they can for 12 s, the JSON to /dev/null:
 * pvmtrace warns once, at 10 s, when calls were lost by then, and not at all
 * when none were lost (a fast host loses none: the qemu guests do).
 */
bool e2e_loss_warning(const char *pvmtrace, const char *scratch);

/*
 * pvmtrace started three times while two threads flood as fast as they can:
 * each time, no call of the flood is counted in unmatched_enter (a call
 * that began before the hooks were all attached is at most an
 * unmatched_exit), and calls == events + losses + unfinished.
 */
bool e2e_start_under_load(const char *pvmtrace, const char *scratch);

#endif /* PVMTRACE_E2E_FLOOD_H */
