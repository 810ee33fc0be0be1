/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One call, decoded from its ring-buffer record and checked, plus what user
 * space adds (wall-clock time). Every later stage reads this, never the raw
 * bytes.
 */
#ifndef PVMTRACE_EVENT_H
#define PVMTRACE_EVENT_H

#include <stdbool.h>
#include <stddef.h>

#include "record.h"

struct pvm_iov_side {
	enum pvm_iov_state state;
	__u64 count;		  /* the raw liovcnt / riovcnt argument */
	__u32 n;		  /* entries in `iov` */
	const struct pvm_iov *iov; /* points into the record */
	const struct pvm_region *regions; /* remote side: one per entry, in the record */
	__u64 bytes;		  /* meaningful when state == PVM_IOV_OK */
	bool truncated;		  /* the array had more entries than `n` */
};

/* The payload bytes a record carries (see enum pvm_data_state). */
struct pvm_payload {
	enum pvm_data_state state;
	const __u8 *bytes;	/* points into the record */
	__u32 captured;
	__u64 total;		/* bytes moved, or asked to move by a failed write */
	bool complete;		/* captured all of min(capture limit, total) */
	unsigned char sha256[32]; /* of the captured bytes (PVM_SHA256_LEN) */
};

/*
 * --capture-dir: the whole payload, stored by the output stage. Decoding
 * fills state and bytes from the record; the store fills the rest.
 */
enum pvm_store_result {
	PVM_STORED_NONE = 0,	/* no --capture-dir, or not stored (state says why) */
	PVM_STORED_NEW,		/* written now */
	PVM_STORED_EXISTING,	/* the same content was already in the directory */
	PVM_STORED_INCOMPLETE,	/* chunks missing: never stored cut */
	PVM_STORED_FAILED,	/* the file system refused it (err) */
};

struct pvm_stored_payload {
	enum pvm_store_state state;	/* what the kernel side sent */
	__u64 bytes;			/* payload bytes it sent as chunks */
	enum pvm_store_result result;
	int err;			/* errno with PVM_STORED_FAILED */
	__u64 len;			/* bytes in the file */
	unsigned char sha256[32];	/* of the file's bytes */
};

/* The display form of an executable path: "..." + tail when truncated. */
#define PVM_EXE_DISPLAY_MAX (3 + PVM_EXE_PATH_MAX + sizeof(PVM_DELETED_SUFFIX))

/* The target process and how it relates to the caller. */
struct pvm_target_view {
	const struct pvm_target *t;	/* source says what it holds */
	bool from_proc;			/* read from /proc later, not in the kernel */
	bool same_process;		/* the caller's own thread group */
	bool child;			/* the caller is its parent */
	bool parent;			/* it is the caller's parent */
	bool same_uid;
	bool same_pidns;
};

struct pvm_event {
	const struct pvm_record *rec; /* header fields, as the kernel wrote them */
	__u64 wall_ns;		      /* CLOCK_REALTIME of syscall entry */
	struct pvm_iov_side local;
	struct pvm_iov_side remote;
	bool iov_read_at_exit;	      /* the arrays were read when the call returned */
	struct pvm_payload data;
	struct pvm_stored_payload stored;
	struct pvm_target_view target;
	/*
	 * set by enrichment: the caller's ancestors' executables, parent first,
	 * looked up when the event raised an alert (looked_up_ancestors)
	 */
	const char *caller_ancestors[8];
	unsigned int n_ancestors;
	bool looked_up_ancestors;
	/* set by the rules stage; NULL: not evaluated */
	const struct pvm_alerts *alerts;
	/* set by pvm_enrich_regions(): the first n_regions remote entries */
	const struct pvm_region_view *regions;
	__u32 n_regions;
	/*
	 * The text, last: decoding zeroes what comes before it and makes each
	 * of these empty (not the kilobytes of text, for every call of a
	 * flood). Executables, display paths ("" when
	 * unknown): as /proc/PID/exe shows them (" (deleted)" suffix), "..."
	 * before a tail (pvm_exe_display()).
	 */
	char caller_exe[PVM_EXE_DISPLAY_MAX];
	char target_exe[PVM_EXE_DISPLAY_MAX];
	/* set by enrichment: the caller's and the target's containers ("": none) */
	char caller_container[65];
	char target_container[65];
};

_Static_assert(__builtin_offsetof(struct pvm_event, target_exe) ==
			       __builtin_offsetof(struct pvm_event, caller_exe) + PVM_EXE_DISPLAY_MAX &&
		       __builtin_offsetof(struct pvm_event, caller_container) ==
			       __builtin_offsetof(struct pvm_event, target_exe) + PVM_EXE_DISPLAY_MAX &&
		       __builtin_offsetof(struct pvm_event, target_container) ==
			       __builtin_offsetof(struct pvm_event, caller_container) + 65 &&
		       sizeof(struct pvm_event) - __builtin_offsetof(struct pvm_event, target_container) <
			       65 + _Alignof(struct pvm_event),
	       "the text is the end of struct pvm_event: pvm_event_decode zeroes what precedes it");

struct pvm_region_view;
struct pvm_alerts;

/* What decoding needs to know of the running configuration. */
struct pvm_decode_config {
	__u64 boot_to_wall_ns;	/* CLOCK_REALTIME - CLOCK_BOOTTIME */
	__u32 capture;		/* --capture: the payload limit the kernel used */
};

/*
 * Checks and decodes one record of `size` bytes. The event points into
 * `data`, which must outlive it. Returns 0, or -1 with *why set.
 */
int pvm_event_decode(const void *data, size_t size, const struct pvm_decode_config *cfg,
		     struct pvm_event *ev, const char **why);

/*
 * Writes the display form of a path of `len` bytes with PVM_EXE_* flags into
 * buf (PVM_EXE_DISPLAY_MAX bytes); "" when not known.
 */
void pvm_exe_display(char *buf, const char *path, size_t len, __u8 flags);

/* Points the event's target at t (the record's, or one read from /proc). */
void pvm_event_set_target(struct pvm_event *ev, const struct pvm_target *t, bool from_proc);

const char *pvm_syscall_name(enum pvm_syscall sys);
/*
 * Where a target or region came from: "unresolved", "proc" (read later, so
 * possibly of another process by then) or "kernel" (at the call).
 */
const char *pvm_source_name(bool unresolved, bool from_proc);

/* "killed", "allowed"; NULL for PVM_ACTION_NONE */
const char *pvm_action_name(enum pvm_action action);
const char *pvm_abi_name(enum pvm_abi abi);
/* "EPERM", ... for a negative return; NULL for success. */
const char *pvm_errno_name(__s64 ret);

#endif /* PVMTRACE_EVENT_H */
