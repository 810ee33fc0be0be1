/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Enrichment for the allowlist: the executables of a caller's parent and its
 * ancestors, from /proc, parent first. Read only for an event that raised an
 * alert (the allowlist can only lower alerts), so a quiet flood costs no
 * /proc reads. Later than the call: an ancestor that exited since is missing.
 */
#ifndef PVMTRACE_ANCESTRY_H
#define PVMTRACE_ANCESTRY_H

#include "event/event.h"

#define PVM_ANCESTRY_MAX 8

struct pvm_ancestry {
	char exe[PVM_ANCESTRY_MAX][PVM_EXE_DISPLAY_MAX];
	unsigned int n;
};

/*
 * Walks real parents from `ppid` (the caller's, from the record) through
 * proc_root, at most PVM_ANCESTRY_MAX, up to and including pid 1. Stops at
 * the first that cannot be read.
 */
void pvm_ancestry_read(struct pvm_ancestry *a, const char *proc_root, __u32 ppid);

/* Points ev->caller_ancestors at a's paths. */
void pvm_ancestry_attach(const struct pvm_ancestry *a, struct pvm_event *ev);

#endif /* PVMTRACE_ANCESTRY_H */
