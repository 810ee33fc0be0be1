/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the rules and the allowlist know of one call: a flat description,
 * filled either from a live event (pvm_facts_from_event, facts_event.c) or
 * from a recorded JSON line (offline replay). Nothing here depends on the
 * ring-buffer record. The facts hold their paths' bytes, in their text: they
 * are inputs that are their own key (memo_key.h), and the live sensor's
 * judgement is kept for facts the same byte for byte (rules.h).
 */
#ifndef PVMTRACE_FACTS_H
#define PVMTRACE_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "call_kind.h"
#include "memo_key.h"

#define PVM_FACTS_COMM_LEN 16	   /* comm: at most 15 bytes and a NUL */
#define PVM_FACTS_PATH_MAX 512	   /* longer paths keep their last 511 bytes */
#define PVM_FACTS_CONTAINER_LEN 65 /* 64 hex digits and a NUL */
#define PVM_FACTS_ANCESTORS 8
#define PVM_FACTS_REGIONS 16

enum pvm_fact_target {
	PVM_FACT_TARGET_NONE = 0,	/* the pid named no process (ESRCH) */
	PVM_FACT_TARGET_UNRESOLVED = 1, /* nobody could tell which process it was */
	PVM_FACT_TARGET_KNOWN = 2,
};

enum pvm_fact_region_kind {
	PVM_FACT_REGION_UNKNOWN = 0, /* not resolved */
	PVM_FACT_REGION_NONE,	     /* the address is in no mapping */
	PVM_FACT_REGION_HEAP,
	PVM_FACT_REGION_STACK,
	PVM_FACT_REGION_ANON,
	PVM_FACT_REGION_FILE,
	PVM_FACT_REGION_VDSO,
};

/*
 * A path that may be unknown, or known only by its tail: a truncated path
 * never matches an allowlist pattern (it could be any prefix). Its bytes are
 * in the facts' text (pvm_fact_path_text): only those used, not a buffer of
 * PVM_FACTS_PATH_MAX for each of 26 paths, filled and zeroed for every event.
 */
struct pvm_fact_path {
	uint32_t at;	    /* where in the facts' text, when `known` */
	unsigned short len; /* its length, below PVM_FACTS_PATH_MAX */
	bool known;
	bool truncated;
	bool deleted; /* "... (deleted)": the file had no links left */
};
_Static_assert(PVM_FACTS_PATH_MAX <= 65536, "pvm_fact_path.len holds any path's length");

struct pvm_fact_region {
	uint64_t base, len;			/* the remote iovec */
	enum pvm_fact_region_kind kind;		/* of the mapping that holds base */
	bool read, write, exec, shared;		/* its permissions */
	struct pvm_fact_path path;		/* the mapped file */
	bool image; /* a file mapping of an executable or library (pvm_facts_classify) */
};

struct pvm_facts {
	enum pvm_syscall call;
	int64_t ret;		/* bytes moved, or -errno */
	enum pvm_abi abi;
	enum pvm_code_mode code;
	int32_t pid_arg;	/* the pid argument, as the caller passed it */
	uint64_t payload;	/* bytes moved; for a failed write, bytes it asked to move */
	struct {
		uint32_t pid, tid, uid, pidns;
		char comm[PVM_FACTS_COMM_LEN];
		struct pvm_fact_path exe;
		bool container_known;
		char container[PVM_FACTS_CONTAINER_LEN]; /* "" for the host */
		unsigned int n_ancestors;		  /* parent first */
		struct pvm_fact_path ancestors[PVM_FACTS_ANCESTORS];
	} caller;
	struct {
		enum pvm_fact_target state;
		/* the rest only with PVM_FACT_TARGET_KNOWN */
		uint32_t pid, uid, pidns;
		char comm[PVM_FACTS_COMM_LEN];
		struct pvm_fact_path exe;
		bool container_known;
		char container[PVM_FACTS_CONTAINER_LEN];
		bool same_process; /* the caller's own thread group */
		bool child;	   /* the caller is its parent */
		bool parent;	   /* it is the caller's parent */
		bool same_uid;
		bool same_pidns;
	} target;
	unsigned int n_regions; /* the first remote iovecs, in order */
	struct pvm_fact_region regions[PVM_FACTS_REGIONS];
	/* the paths' bytes, each with its NUL; last (memo_key.h) */
	PVM_MEMO_TEXT((2 + PVM_FACTS_ANCESTORS + PVM_FACTS_REGIONS) * PVM_FACTS_PATH_MAX) text;
};

/* Empty facts: every number zero, no path. Fill them after this. */
void pvm_facts_start(struct pvm_facts *f);

/* The bytes the facts' key is made of: pvm_memo_inputs_len. */
size_t pvm_facts_len(const struct pvm_facts *f);

/* Is the target another thread group than the caller's? */
enum pvm_foreign {
	PVM_FOREIGN_NO = 0,	 /* the caller's own process, from any thread */
	PVM_FOREIGN_YES = 1,	 /* another process, or a pid that named none */
	PVM_FOREIGN_UNKNOWN = 2, /* the target was not resolved */
};

enum pvm_foreign pvm_facts_foreign(const struct pvm_facts *f);

/*
 * Sets p, one of f's paths, to a copy of `path` (NULL or "" for unknown) in
 * f's text. A path of PVM_FACTS_PATH_MAX bytes or more is known by its tail
 * and marked truncated, as is one that starts with "..." (the display form of
 * a path the kernel side cut).
 */
void pvm_fact_path_set(struct pvm_facts *f, struct pvm_fact_path *p, const char *path);

/* The path p of f, "" when unknown. */
const char *pvm_fact_path_text(const struct pvm_facts *f, const struct pvm_fact_path *p);

/* Copies a comm of at most `cap` bytes, not necessarily NUL-terminated. */
void pvm_fact_comm_set(char comm[PVM_FACTS_COMM_LEN], const char *src, size_t cap);

/*
 * fnmatch(3) of `s` against `pattern` with `flags` (no FNM_PERIOD), after
 * comparing the pattern's literal head by hand: most patterns are absolute
 * paths that a subject leaves at its first bytes, and glibc's fnmatch costs
 * far more than that comparison on every event.
 */
bool pvm_glob_match(const char *pattern, const char *s, int flags);

/* Whether a pattern has no wildcard (nor backslash): it matches itself only. */
bool pvm_glob_is_literal(const char *pattern);

/* The last component of a known path of f ("" when unknown). */
const char *pvm_fact_basename(const struct pvm_facts *f, const struct pvm_fact_path *p);

/*
 * Sets regions[].image from the regions and the target's executable. Call it
 * once every region is filled (pvm_facts_from_event does). See docs/rules.md.
 */
void pvm_facts_classify(struct pvm_facts *f);

/* Bytes of the remote side that the call moved into (or out of) region i. */
bool pvm_facts_region_reached(const struct pvm_facts *f, unsigned int i);

struct pvm_event;

/* Fills f from a decoded, enriched live event. */
void pvm_facts_from_event(const struct pvm_event *ev, struct pvm_facts *f);

/* Only the caller's ancestors, once they were looked up for the event. */
void pvm_facts_ancestors_from_event(const struct pvm_event *ev, struct pvm_facts *f);

#endif /* PVMTRACE_FACTS_H */
