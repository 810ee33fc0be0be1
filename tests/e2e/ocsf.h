/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef PVMTRACE_E2E_OCSF_H
#define PVMTRACE_E2E_OCSF_H

#include <stdbool.h>

/*
 * pvmtrace at `pvmtrace` with --format ocsf, its -o file and stderr in
 * `scratch`, on this process's calls: one process_vm_writev into a child and
 * one process_vm_readv from it must come out as Memory Activity events
 * (docs/ocsf.md) naming both processes, the address and the bytes, and the
 * write's PVM-W001 alert as a Detection Finding tied to its event. false
 * after saying what went wrong on stderr.
 */
bool e2e_ocsf_output(const char *pvmtrace, const char *scratch);

#endif /* PVMTRACE_E2E_OCSF_H */
