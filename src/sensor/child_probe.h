/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A probe of the kernel that only a process can make, and that may break the
 * process making it (a SIGSEGV, a mapping in the way of its heap): made in a
 * child that answers with its exit status and can leave no core.
 */
#ifndef PVMTRACE_CHILD_PROBE_H
#define PVMTRACE_CHILD_PROBE_H

#include <stdbool.h>

/*
 * Runs probe, which must end with _exit(answer) and use only what is safe
 * after fork in a threaded process, in a child. False if the child did not
 * run; else *status is its wait status.
 */
bool pvm_child_probe(void (*probe)(void), int *status);

#endif /* PVMTRACE_CHILD_PROBE_H */
