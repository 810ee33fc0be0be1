/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef PVMTRACE_E2E_CLI_H
#define PVMTRACE_E2E_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "host.h"

/* A file's first len - 1 bytes into buf, NUL-terminated ("" if unreadable). */
void e2e_slurp(const char *path, char *buf, size_t len);

/* The file at path holds text (in its first 16 KiB) within 30 s. */
bool e2e_wait_for_text(const char *path, const char *text);

/* The command-line behaviour checks, those the host allows; counted in tally. */
void e2e_cli_checks(const char *pvmtrace, const struct e2e_host *host, struct e2e_tally *tally);

#endif /* PVMTRACE_E2E_CLI_H */
