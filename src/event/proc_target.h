/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Enrichment: the target process from /proc, for the modes and kernels whose
 * kernel side could not resolve it (enum pvm_target_source UNRESOLVED). Later
 * than the call and racy: the result is marked "source":"proc".
 */
#ifndef PVMTRACE_PROC_TARGET_H
#define PVMTRACE_PROC_TARGET_H

#include <stdbool.h>

#include "record.h"

/* PROC_PID_INIT_INO, include/linux/proc_ns.h: the initial pid namespace. */
#define PVM_INIT_PIDNS_INUM 0xEFFFFFFCu

/* The directory root/<pid> (root: "/proc" but in tests), opened; -1 if none. */
int pvm_proc_open(const char *root, __u32 pid);

/*
 * The exe link of the /proc/<pid> directory open at `dir`: its text into path
 * (exe->path_len bytes, no NUL; the tail of a longer one) and the identity of
 * the file it opens. Missing for a kernel thread or a process past exit_mm():
 * exe->flags stays 0.
 */
void pvm_proc_read_exe(int dir, struct pvm_exe *exe, char path[PVM_EXE_PATH_MAX]);

/* A clock tick, the unit of /proc's start times (USER_HZ); 0 if unknown. */
__u64 pvm_proc_tick_ns(void);

/* From /proc/<pid>/stat: what says whether it still runs, and where it hangs. */
struct pvm_proc_stat {
	char state;		/* field 3: 'Z' zombie, 'X' dead */
	__u32 ppid;		/* field 4 */
	unsigned int flags;	/* field 9: PF_* */
	__u64 start_ns;		/* field 22, clock ticks since boot: to the tick */
};

/* The stat file of the /proc/<pid> directory open at `dir`. */
bool pvm_proc_read_stat(int dir, struct pvm_proc_stat *st);

/*
 * Reads /proc/<pid> (under proc_root) into *t: every field but cgroup_id;
 * the executable's path (the tail of a longer one, as the kernel side keeps
 * it: see struct pvm_exe) into exe, exe->path_len bytes, no NUL.
 * Returns PVM_TARGET_KERNEL when it read them all (the layout the kernel side
 * fills; the caller marks it as from /proc), PVM_TARGET_NONE when no such pid
 * exists now, PVM_TARGET_UNRESOLVED when it cannot tell: the caller is in
 * another pid namespace (its pid means nothing to /proc), or the process
 * ended (a zombie, or past letting go of its memory) or ended while it was
 * being read. t->source is left to the caller.
 */
enum pvm_target_source pvm_proc_target(const char *proc_root, __s32 pid, __u32 caller_pidns,
				       struct pvm_target *t, char exe[PVM_EXE_PATH_MAX]);

/*
 * The last target read from /proc, for the events that follow it: a flood
 * into one process names it call after call, and each read is a handful of
 * files. Kept while that very process runs (a pidfd of it polls readable
 * once it ends, so its pid cannot have been taken again) and for at most
 * PVM_PROC_TARGET_MEMO_NS, after which an exec or a setuid shows. Zeroed:
 * empty.
 */
struct pvm_proc_target_memo {
	__s32 pid;		/* 0: empty */
	__u32 caller_pidns;
	int pidfd;
	__u64 read_ns;		/* CLOCK_MONOTONIC */
	struct pvm_target t;
	char exe[PVM_EXE_PATH_MAX];
};

#define PVM_PROC_TARGET_MEMO_NS 10000000ULL /* 10 ms */

/*
 * pvm_proc_target, or what the memo holds of the same pid while that holds.
 * now_ns: CLOCK_MONOTONIC.
 */
enum pvm_target_source pvm_proc_target_memo(struct pvm_proc_target_memo *m,
					    const char *proc_root, __s32 pid, __u32 caller_pidns,
					    __u64 now_ns, struct pvm_target *t,
					    char exe[PVM_EXE_PATH_MAX]);

void pvm_proc_target_memo_clear(struct pvm_proc_target_memo *m);

/*
 * Whether a target /proc gave (its start to the clock tick, tick_ns long)
 * surely began before a call made at call_boot_ns: else its pid may have
 * been taken by this process after the one the call named ended, and it is
 * not the target. One that began in the call's last tick cannot be told
 * from such a successor: not surely.
 */
bool pvm_proc_target_predates(const struct pvm_target *t, __u64 call_boot_ns, __u64 tick_ns);

#endif /* PVMTRACE_PROC_TARGET_H */
