/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * --enforce: the decision, at syscall entry and in the kernel, to kill the
 * caller of a process_vm_writev before a single byte moves. A pure predicate,
 * like filter.h: the BPF side calls it, the unit tests call the same code.
 *
 * How the kill stops the write: bpf_send_signal(SIGKILL) from the entry hook
 * makes a fatal signal pending on the caller before the syscall body runs;
 * the kernel then pins no target page (__get_user_pages() gives up with
 * -EINTR when fatal_signal_pending()), so nothing is copied, and the caller
 * dies on its way back to user space.
 *
 * The allowlist reaches the kernel as executables by device and inode,
 * resolved by user space at start from the config's paths and globs.
 */
#ifndef PVMTRACE_ENFORCE_H
#define PVMTRACE_ENFORCE_H

#include "filter.h"
#include "record.h"

enum pvm_enforce_level {
	PVM_ENFORCE_OFF = 0,
	PVM_ENFORCE_FOREIGN = 1,  /* --enforce: every write into another thread group */
	PVM_ENFORCE_CRITICAL = 2, /* --enforce=critical: only those critical at entry */
};

/* Whose executable an allow rule names. */
enum pvm_allow_via {
	PVM_ALLOW_CALLER = 0,
	PVM_ALLOW_PARENT = 1,
	PVM_ALLOW_ANCESTOR = 2,	/* the parent or any ancestor, up to PVM_ANCESTORS_MAX */
};

#define PVM_ANCESTORS_MAX 8
#define PVM_ALLOW_MAX 64	/* executables the kernel side can allow */

/* Narrowing conditions of an allow rule (all must hold). */
#define PVM_ALLOW_SAME_UID (1u << 0)	/* target's uid is the caller's */
#define PVM_ALLOW_SAME_EXE (1u << 1)	/* target runs the caller's executable */
#define PVM_ALLOW_TARGET_EXE (1u << 2)	/* target runs target_ino/target_dev */
#define PVM_ALLOW_COMM (1u << 3)	/* the caller thread's comm is `comm` */

struct pvm_exe_id {
	__u64 ino;
	__u32 dev;		/* kernel encoding: major << 20 | minor */
	__u32 reserved;
};

struct pvm_allow_rule {
	struct pvm_exe_id exe;
	struct pvm_exe_id target_exe;
	__u32 line;		/* of the config file: the event names it */
	__u8 via;		/* enum pvm_allow_via */
	__u8 syscalls;		/* PVM_SYS_BIT()s it allows */
	__u8 conditions;	/* PVM_ALLOW_* */
	__u8 reserved;
	char comm[PVM_COMM_LEN];
};

/* What the decision looks at, gathered by the entry hook. */
struct pvm_enforce_input {
	__u32 syscall;			/* enum pvm_syscall */
	bool foreign;			/* the target is another thread group */
	bool protected_caller;		/* pid 1, a kernel thread, or pvmtrace itself */
	bool target_known;		/* the target fields below are valid */
	bool target_unresolved;		/* the kernel could not look the target up */
	bool crosses_uid;
	bool crosses_pidns;
	bool critical_region;		/* a remote entry in a stack, rwx or private writable file mapping */
	struct pvm_exe_id caller_exe;
	struct pvm_exe_id ancestors[PVM_ANCESTORS_MAX]; /* parent first */
	__u32 n_ancestors;
	struct pvm_exe_id target_exe;
	char comm[PVM_COMM_LEN];
};

static inline bool pvm_exe_id_equal(const struct pvm_exe_id *a, const volatile struct pvm_exe_id *b)
{
	return a->ino == b->ino && a->dev == b->dev && a->ino != 0;
}

static inline bool pvm_allow_exe_matches(const volatile struct pvm_allow_rule *r,
					 const struct pvm_enforce_input *in)
{
	__u32 n = r->via == PVM_ALLOW_PARENT ? 1 : PVM_ANCESTORS_MAX;

	if (r->via == PVM_ALLOW_CALLER)
		return pvm_exe_id_equal(&in->caller_exe, &r->exe);
	for (__u32 i = 0; i < PVM_ANCESTORS_MAX; i++) {
		if (i >= n || i >= in->n_ancestors)
			break;
		if (pvm_exe_id_equal(&in->ancestors[i], &r->exe))
			return true;
	}
	return false;
}

static inline bool pvm_allow_rule_matches(const volatile struct pvm_allow_rule *r,
					  const struct pvm_enforce_input *in)
{
	if (!(r->syscalls & PVM_SYS_BIT(in->syscall)))
		return false;
	if ((r->conditions & PVM_ALLOW_COMM) && !pvm_comm_equal(r->comm, in->comm))
		return false;
	if ((r->conditions & (PVM_ALLOW_SAME_UID | PVM_ALLOW_SAME_EXE | PVM_ALLOW_TARGET_EXE)) &&
	    !in->target_known)
		return false;
	if ((r->conditions & PVM_ALLOW_SAME_UID) && in->crosses_uid)
		return false;
	if ((r->conditions & PVM_ALLOW_SAME_EXE) &&
	    !pvm_exe_id_equal(&in->target_exe, (const volatile struct pvm_exe_id *)&in->caller_exe))
		return false;
	if ((r->conditions & PVM_ALLOW_TARGET_EXE) &&
	    !pvm_exe_id_equal(&in->target_exe, &r->target_exe))
		return false;
	return pvm_allow_exe_matches(r, in);
}

/*
 * Critical at entry: the boundaries and target regions of the critical
 * rules. A target the kernel could not look up (a caller in another pid
 * namespace, on a kernel without bpf_task_from_vpid) cannot be cleared:
 * counted as critical, so that --enforce=critical fails closed.
 */
static inline bool pvm_enforce_critical(const struct pvm_enforce_input *in)
{
	if (in->target_unresolved)
		return true;
	return in->target_known && (in->crosses_uid || in->crosses_pidns || in->critical_region);
}

/*
 * Kill the caller? Returns the index of the allow rule that spares it in
 * *allowed_by (-1 when none applies), so the event can say so.
 */
static inline bool pvm_enforce_kills(enum pvm_enforce_level level,
				     const volatile struct pvm_allow_rule *rules, __u32 n_rules,
				     const struct pvm_enforce_input *in, int *allowed_by)
{
	*allowed_by = -1;
	if (level == PVM_ENFORCE_OFF || in->syscall != PVM_SYS_WRITEV || !in->foreign ||
	    in->protected_caller)
		return false;
	if (level == PVM_ENFORCE_CRITICAL && !pvm_enforce_critical(in))
		return false;
	for (__u32 i = 0; i < PVM_ALLOW_MAX; i++) {
		if (i >= n_rules)
			break;
		if (pvm_allow_rule_matches(&rules[i], in)) {
			*allowed_by = (int)i;
			return false;
		}
	}
	return true;
}

_Static_assert(sizeof(struct pvm_exe_id) == 16, "pvm_exe_id layout");
_Static_assert(sizeof(struct pvm_allow_rule) == 56, "pvm_allow_rule layout");
/* the kernel side gathers it in the in-flight slot's gap (record.h) */
_Static_assert(sizeof(struct pvm_enforce_input) <= 2 * PVM_EXE_PATH_MAX, "enforce input size");

#endif /* PVMTRACE_ENFORCE_H */
