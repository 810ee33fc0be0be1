/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Enrichment of the remote regions: the kernel side finds the mapping that
 * holds each remote base (bpf_find_vma) but not its path; /proc/PID/maps gives
 * the path, and the whole region where the kernel side could not look.
 * What comes from /proc is later than the call and marked so. The maps are
 * read only for an event that needs them, and paths are cached.
 */
#ifndef PVMTRACE_REGIONS_H
#define PVMTRACE_REGIONS_H

#include <limits.h>
#include <stdbool.h>

#include "record.h"

/* Regions resolved per event: the kernel side looks up as many. */
#define PVM_REGIONS_MAX 16

struct pvm_region_view {
	struct pvm_region r;	/* state PVM_REGION_UNRESOLVED: nobody could tell */
	bool from_proc;		/* r itself came from /proc */
	bool has_path;
	char path[PATH_MAX];
};

struct pvm_event;

/*
 * Fills views[i] for the first PVM_REGIONS_MAX remote entries of ev and
 * points ev at them. `target_pid` is the target's tgid (0: unknown, nothing
 * is read from /proc).
 */
void pvm_enrich_regions(struct pvm_event *ev, struct pvm_region_view *views, __u32 target_pid,
			const char *proc_root);

/* "rw-p" from PVM_VM_* flags, into buf[5]. */
void pvm_region_perms(__u32 vm_flags, char buf[5]);

const char *pvm_region_kind_name(enum pvm_region_kind kind);

#endif /* PVMTRACE_REGIONS_H */
