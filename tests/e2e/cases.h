/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The end-to-end cases: each one runs in every attach mode the kernel has. */
#ifndef PVMTRACE_E2E_CASES_H
#define PVMTRACE_E2E_CASES_H

#include <stdbool.h>

#include "host.h"
#include "trigger.h"

#define E2E_MAX_ARGS 8

/*
 * A uid no account has and no process runs as (the case checks): --enforce
 * with -u of it can stop only the case's own processes of that uid.
 */
#define E2E_SPARE_UID 54327
#define E2E_SPARE_UID_TEXT "54327"

struct e2e_env {
	const char *trigger32;	/* path of the static 32-bit trigger */
	const char *trigger64;	/* the same program built 64-bit */
	const char *out_path;	/* where pvmtrace writes its events (settle()) */
	bool sees_ia32;		/* the mode reports ia32 calls */
	bool targets_in_kernel;	/* targets and regions are looked up at the call, not in /proc later */
	bool ia32_programs;	/* this kernel runs trigger32 (host.h, E2E_NEED_IA32) */
};

/*
 * --enforce in `args` needs -p naming a process of the case's own, or -u
 * E2E_SPARE_UID_TEXT: the runner refuses to run it otherwise. With
 * --enforce=critical, in a mode that resolves targets from /proc, pvmtrace
 * must refuse to start (exit 5) and the case makes no call.
 *
 * A case runs in a fresh process (the "caller"), forked by the runner:
 * prepare() before pvmtrace starts (fork targets, record pids the pvmtrace
 * arguments need), run() once it traces. Both record what they expect in the
 * shared memory. pvmtrace gets `args`, where "{pid0}", "{pid1}" and
 * "{caller}" stand for sh->pids[0], sh->pids[1] and the caller's pid, and
 * "{path}" for sh->path.
 */
struct e2e_case {
	const char *name;
	/*
	 * --max-iov, --capture, --capture-dir and --capture-max here reach the
	 * checks too; --config and --min-severity, the replay of the recording
	 */
	const char *args[E2E_MAX_ARGS];
	void (*prepare)(struct e2e_shared *sh);
	void (*run)(struct e2e_shared *sh, const struct e2e_env *env);
	/*
	 * the case traces only its own processes (-p, -u): every kernel counter
	 * is exact (a --capture-dir case must, for its store counters)
	 */
	bool check_counters;
	/*
	 * in the runner, once pvmtrace has stopped (and, with --capture-dir, the
	 * runner has checked the directory): what must outlive its work;
	 * e2e_fail() there fails the case
	 */
	void (*cleanup)(struct e2e_shared *sh);
	/* what the host must offer (host.h): where it lacks one, the case is skipped */
	unsigned int needs;
	/*
	 * what part of the case needs: where the host lacks it the rest runs
	 * (the case looks at its e2e_env), and the result's label says so
	 */
	unsigned int partly_needs;
	/*
	 * the case exercises what differs between attach modes: how the hooks
	 * get the arguments, the ABI and the result; which kfuncs their programs
	 * may call (targets, regions); enforcement and payloads from each hook.
	 * With --all-cases-in, the modes not named there run only these cases
	 * (the rest are decoding and rules over the same fields).
	 */
	bool every_mode;
};

extern const struct e2e_case e2e_cases[];
extern const unsigned int e2e_case_count;

#endif /* PVMTRACE_E2E_CASES_H */
