/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The end-to-end cases: each one runs in every attach mode the kernel has. */
#ifndef PVMTRACE_E2E_CASES_H
#define PVMTRACE_E2E_CASES_H

#include <stdbool.h>

#include "trigger.h"

#define E2E_MAX_ARGS 8

struct e2e_env {
	const char *trigger32;	/* path of the static 32-bit trigger */
};

/*
 * A case runs in a fresh process (the "caller"), forked by the runner:
 * prepare() before pvmtrace starts (fork targets, record pids the pvmtrace
 * arguments need), run() once it traces. Both record what they expect in the
 * shared memory. pvmtrace gets `args`, where "{pid0}", "{pid1}" and
 * "{caller}" stand for sh->pids[0], sh->pids[1] and the caller's pid, and
 * "{path}" for sh->path.
 */
struct e2e_case {
	const char *name;
	const char *args[E2E_MAX_ARGS]; /* --max-iov and --capture here reach the checks too */
	void (*prepare)(struct e2e_shared *sh);
	void (*run)(struct e2e_shared *sh, const struct e2e_env *env);
	/* the case traces only its caller (-p): every kernel counter is exact */
	bool check_counters;
	/* in the runner, once pvmtrace has stopped: what must outlive its work */
	void (*cleanup)(struct e2e_shared *sh);
};

extern const struct e2e_case e2e_cases[];
extern const unsigned int e2e_case_count;

#endif /* PVMTRACE_E2E_CASES_H */
