/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef PVMTRACE_E2E_RELOAD_H
#define PVMTRACE_E2E_RELOAD_H

#include <stdbool.h>

/*
 * pvmtrace at `pvmtrace`, its --config and -o file in `scratch`, sent SIGHUP
 * after the config is rewritten: a good file allows the next write, a bad one
 * is reported as FILE:LINE and the list before it stays; at exit the counter
 * line counts the one refused. false after saying what went wrong on stderr.
 */
bool e2e_config_reload(const char *pvmtrace, const char *scratch);

#endif /* PVMTRACE_E2E_RELOAD_H */
