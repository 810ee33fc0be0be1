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

#include "event/maps.h"
#include "record.h"

/* Regions resolved per event: the kernel side looks up as many. */
#define PVM_REGIONS_MAX 16

struct pvm_region_view {
	struct pvm_region r;	/* state PVM_REGION_UNRESOLVED: nobody could tell */
	bool from_proc;		/* r itself came from /proc */
	bool has_path;
	char path[PATH_MAX];
};

/*
 * /proc/PID/maps is read only up to PVM_MAPS_BUDGET bytes (about 2,500
 * mappings): a target with a huge map must not turn each of its events into
 * seconds of work and stall every other event.
 */
#define PVM_MAPS_BUDGET (256 * 1024)
#define PVM_REGION_PATHS_KEPT 32

/*
 * What enrichment keeps from event to event. The paths of file mappings seen
 * lately: a target written again and again maps the same file at the same
 * place, and its path should not cost a read of /proc/PID/maps per event;
 * keyed by everything the kernel side reported. Large: not for a stack.
 * Zeroed, with proc_root set ("/proc", or a test's tree), it is ready.
 */
struct pvm_region_enricher {
	const char *proc_root;
	struct {
		__u32 pid; /* 0: empty */
		__u64 start, end, inode;
		__u32 dev;
		char path[PATH_MAX];
	} paths[PVM_REGION_PATHS_KEPT];
	unsigned int next_path;	      /* the one replaced next */
	/*
	 * A flood into one target needs its maps at every event where the
	 * kernel side could not look: the text read is used again for the same
	 * pid for maps_memo_ns (0: never). Later than the call as it is, and
	 * marked so, a few ms more do not change what it is.
	 */
	__u64 maps_memo_ns;
	__u32 maps_pid;		      /* of maps_text; 0: none */
	__u64 maps_reads;	      /* of maps_text: each read a new one */
	__u64 found_in;		      /* the read `found` is from; 0: none */
	struct pvm_maps_entry found;  /* the last entry found in it: the next call's, likely */
	__u64 maps_read_ns;	      /* CLOCK_MONOTONIC */
	size_t maps_len;
	char maps_text[PVM_MAPS_BUDGET]; /* the last read of the maps */
	struct pvm_maps_entry entry;
};

struct pvm_event;

/*
 * Fills views[i] for the first PVM_REGIONS_MAX remote entries of ev and
 * points ev at them. `target_pid` is the target's tgid (0: unknown, nothing
 * is read from /proc).
 */
void pvm_enrich_regions(struct pvm_region_enricher *en, struct pvm_event *ev,
			struct pvm_region_view *views, __u32 target_pid);

/* "rw-p" from PVM_VM_* flags, into buf[5]. */
void pvm_region_perms(__u32 vm_flags, char buf[5]);

const char *pvm_region_kind_name(enum pvm_region_kind kind);

#endif /* PVMTRACE_REGIONS_H */
