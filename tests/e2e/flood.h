/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef PVMTRACE_E2E_FLOOD_H
#define PVMTRACE_E2E_FLOOD_H

#include <stdbool.h>

/*
 * pvmtrace at `pvmtrace`, its -o file in `scratch` renamed and SIGHUP sent
 * ten times under a flood of writes: every call is in one file, whole, once,
 * or counted lost. false after saying what went wrong on stderr.
 */
bool e2e_sighup_rotation(const char *pvmtrace, const char *scratch);

/*
 * Two threads flood for 12 s, the JSON to /dev/null: pvmtrace warns once, at
 * 10 s, when calls were lost by then, and not at all when none were lost
 * (a fast host loses none: the qemu guests do).
 */
bool e2e_loss_warning(const char *pvmtrace, const char *scratch);

#endif /* PVMTRACE_E2E_FLOOD_H */
