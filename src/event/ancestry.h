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

/*
 * The ancestors of recent callers, so that a caller making call after call
 * costs one walk of /proc a second, not one per event. A caller is named by
 * its pid and start time (pid reuse starts a new entry); an entry is read
 * again after PVM_ANCESTRY_TTL_NS, since a process is re-parented when its
 * parent exits.
 */
#define PVM_ANCESTRY_CACHE 64
#define PVM_ANCESTRY_TTL_NS 1000000000ULL

struct pvm_ancestry_cache {
	struct {
		__u32 pid;
		__u64 start_boot_ns;
		__u64 read_ns;		/* monotonic time of the read; 0: empty */
		struct pvm_ancestry ancestry;
	} slot[PVM_ANCESTRY_CACHE];
	const char *proc_root;
};

/* The ancestors of the event's caller, read or cached, attached to ev. */
void pvm_ancestry_lookup(struct pvm_ancestry_cache *c, struct pvm_event *ev, __u64 now_ns);

#endif /* PVMTRACE_ANCESTRY_H */
