/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef PVMTRACE_E2E_CLI_H
#define PVMTRACE_E2E_CLI_H

/* The command-line behaviour checks; adds to the pass/fail counts. */
void e2e_cli_checks(const char *pvmtrace, unsigned int *passed, unsigned int *failed);

#endif /* PVMTRACE_E2E_CLI_H */
