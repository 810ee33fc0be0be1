/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef PVMTRACE_E2E_ROTATION_H
#define PVMTRACE_E2E_ROTATION_H

#include <stdbool.h>

/*
 * pvmtrace at `pvmtrace`, its -o file in `scratch` renamed and SIGHUP sent
 * ten times under a flood of writes: every call is in one file, whole, once,
 * or counted lost. false after saying what went wrong on stderr.
 */
bool e2e_sighup_rotation(const char *pvmtrace, const char *scratch);

#endif /* PVMTRACE_E2E_ROTATION_H */
