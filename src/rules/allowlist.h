/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The allowlist: legitimate callers of process_vm_readv/writev, named by
 * executable path globs of the caller, its parent or an ancestor, optionally
 * narrowed. A call it matches still becomes an event; its alerts drop to info
 * and name the entry. The file format is in docs/rules.md.
 */
#ifndef PVMTRACE_ALLOWLIST_H
#define PVMTRACE_ALLOWLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "enforce.h"
#include "rules/facts.h"

struct pvm_allow_entry {
	unsigned int line;
	char *label;	     /* label=, or the exe pattern */
	char *where;	     /* "FILE:LINE (LABEL)": what an allowed alert names */
	char *exe;	     /* glob, fnmatch(3) with FNM_PATHNAME */
	size_t exe_len;	     /* strlen(exe) */
	bool exe_literal;    /* exe has no wildcard: it names one path */
	enum pvm_allow_via via; /* whose executable `exe=` names, as the kernel's rules do */
	char *comm;	     /* the caller's comm, glob; NULL: any */
	char *target_exe;    /* glob; NULL: any */
	bool same_exe;	     /* caller and target run the same executable */
	bool same_uid;	     /* caller and target have the same uid */
	bool any_call;	     /* no syscall= */
	enum pvm_syscall call;
};

struct pvm_allowlist {
	char *name; /* the file name errors and entries are reported with */
	struct pvm_allow_entry *entries;
	size_t n;
};

/* The name under which the built-in copy of config/allowlist.conf is reported. */
#define PVM_DEFAULT_ALLOWLIST_NAME "config/allowlist.conf"

/* config/allowlist.conf, embedded at build time ($(BUILD)/allowlist_default.c). */
extern const char pvm_default_allowlist[];

/*
 * Parses `text` (NUL-terminated), reporting errors as "NAME:LINE: reason".
 * Returns 0, or -1 with the first error in err (the list is then empty).
 */
int pvm_allowlist_parse(struct pvm_allowlist *list, const char *name, const char *text,
			char *err, size_t err_len);

/* Reads and parses a file. Returns 0, or -1 with "PATH: reason" or "PATH:LINE: reason". */
int pvm_allowlist_load(struct pvm_allowlist *list, const char *path, char *err, size_t err_len);

/* Parses the built-in default (PVM_DEFAULT_ALLOWLIST_NAME). */
int pvm_allowlist_load_default(struct pvm_allowlist *list, char *err, size_t err_len);

void pvm_allowlist_free(struct pvm_allowlist *list);

/* The first entry, in file order, that allows this call; NULL if none. */
const struct pvm_allow_entry *pvm_allowlist_match(const struct pvm_allowlist *list,
						  const struct pvm_facts *f);

/*
 * For in-kernel matching: every existing file each entry's exe pattern names,
 * expanded with glob(3) now. fn is called once per path and entry (with the
 * entry, for its `via` and narrowing keys); a non-zero return stops the walk
 * and is returned. Patterns that name no file are skipped. Returns 0, or -1
 * when glob(3) fails for another reason than no match.
 */
int pvm_allowlist_exe_paths(const struct pvm_allowlist *list,
			    int (*fn)(const char *path, const struct pvm_allow_entry *e, void *arg),
			    void *arg);

/* The same for the entries' target_exe patterns (entries without one are skipped). */
int pvm_allowlist_target_exe_paths(const struct pvm_allowlist *list,
				   int (*fn)(const char *path, const struct pvm_allow_entry *e,
					     void *arg),
				   void *arg);

#endif /* PVMTRACE_ALLOWLIST_H */
