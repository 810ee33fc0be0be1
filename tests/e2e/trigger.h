/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The caller side of the end-to-end tests: processes that make known
 * process_vm_* calls and write down, in memory shared with the runner, the
 * exact event each call must produce.
 */
#ifndef PVMTRACE_E2E_TRIGGER_H
#define PVMTRACE_E2E_TRIGGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#define E2E_MAX_EVENTS 4096
#define E2E_MAX_IOV_TOTAL (64 * 1024) /* iovec entries over all expected events */
#define E2E_MAX_PIDS 32
#define E2E_COMM_LEN 16
#define E2E_DATA_POOL (1 << 20)
#define E2E_REGIONS 16 /* remote entries with a region: all the rules look at */
#define E2E_EXE_PATH_MAX 256 /* pvmtrace keeps the tail of a longer executable path */
#define E2E_EXE_LEN (3 + E2E_EXE_PATH_MAX + sizeof(" (deleted)")) /* "..." + tail + suffix */
#define E2E_MAX_STORED 16 /* distinct payloads a --capture-dir case stores */
#define E2E_SHA256_LEN 32

struct e2e_identity {
	uint32_t pid, tid, ppid, uid, gid;
	char comm[E2E_COMM_LEN];
	uint64_t cgroup_id;
	uint64_t pidns, mntns;
	const char *code; /* "x86_64" or "i386" */
	char container[65]; /* "" unless a case puts the caller in a container's cgroup */
	char exe[E2E_EXE_LEN]; /* readlink(/proc/self/exe) as pvmtrace shows it; "": null */
	/* readlink(/proc/<ppid>/exe): the first of the ancestors an alerting event lists */
	char parent_exe[E2E_EXE_LEN];
};

enum e2e_iov_expect {
	E2E_IOV_ARRAY = 0, /* a JSON array of the recorded entries */
	E2E_IOV_NULL = 1,  /* the array could not be read */
};

struct e2e_side {
	enum e2e_iov_expect kind;
	uint32_t first, n;	/* entries in the shared iov pool */
	bool bytes_null;
	uint64_t bytes;
};

/* A mapping of the target, as /proc/PID/maps showed it. */
struct e2e_region {
	bool none;		/* the address is in no mapping */
	uint64_t start, end;
	char perms[5];
	char kind[8];
	char path[128];
};

/* What pvmtrace's enforcement did to the call ("action"). */
enum e2e_action {
	E2E_ACTION_NONE = 0,	/* null: not enforced, or no decision to take */
	E2E_ACTION_KILLED,	/* the caller was killed at entry */
	E2E_ACTION_ALLOWED,	/* --enforce let an allowlisted caller write */
};

#define E2E_ALLOWED_BY_LEN 320 /* "FILE:LINE (LABEL)" */

struct e2e_expected {
	bool writev;
	bool ia32;
	struct e2e_identity caller;
	int32_t pid_arg;
	uint64_t local_iov, liovcnt, remote_iov, riovcnt, flags;
	struct e2e_side local, remote;
	bool truncated;
	bool read_at_exit;	/* the arrays were not resident at entry */
	bool regions_known;	/* the test read /proc for them */
	bool regions_in_kernel;	/* a lone call: bpf_find_vma cannot be busy */
	struct e2e_region regions[E2E_REGIONS];
	struct {
		bool null;		/* the call named no live process */
		uint32_t pid, tid, ppid, uid;
		uint64_t pidns, cgroup_id;
		uint64_t start_ticks;	/* /proc/PID/stat field 22; 0: unknown */
		char comm[E2E_COMM_LEN];
		char exe[E2E_EXE_LEN];	/* readlink(/proc/PID/exe) right after the call; "": null */
		char container[65];	/* "" unless a case puts the target in a container's cgroup */
		bool same_process, child, parent, same_uid, same_pidns;
	} target;
	struct {
		bool null;	/* --capture 0 */
		bool complete;
		uint64_t total;
		uint32_t first, len; /* the captured bytes in the shared data pool */
	} data;
	/* --capture-dir (checked only when the case runs with it): the whole payload */
	struct {
		char outcome[16];	/* data.store: "new", "existing", "too_large", ... */
		uint64_t bytes;		/* data.stored_bytes */
		unsigned char sha256[E2E_SHA256_LEN]; /* of the file: its name and data.sha256 */
	} store;
	int64_t ret;
	uint64_t wall_before_ns, wall_after_ns; /* the call happened in between */
	enum e2e_action action;
	/* the allowlist entry the case's config makes allow this call; "": none */
	char allowed_by[E2E_ALLOWED_BY_LEN];
	/*
	 * pvmtrace wrote the event while its caller and target still lived
	 * (settle() in cases.c): the target and every region must be resolved
	 */
	bool settled;
	/*
	 * "PVM-W001 PVM-W002": the rules the case means the call to fire, which
	 * the runner's model of the rules must also say; "": not stated
	 */
	char rules[64];
};

/* The memory a case's processes share with the runner. */
struct e2e_shared {
	uint32_t max_iov;		/* --max-iov the run uses */
	uint32_t capture;		/* --capture the run uses */
	bool capture_dir;		/* the run has --capture-dir */
	uint64_t capture_max;		/* and its --capture-max */
	uint32_t n_data;
	uint32_t n_events;
	uint32_t n_iov;
	uint32_t n_callers;
	uint32_t n_hidden;		/* calls traced but under --min-severity: no line */
	pid_t callers[E2E_MAX_PIDS];	/* whose events count for this case */
	pid_t pids[E2E_MAX_PIDS];	/* any pids the case wants to pass around */
	char path[256];			/* a path the case hands to pvmtrace */
	char failure[256];		/* set when the trigger itself failed */
	uint32_t n_stored;		/* --capture-dir: the files the directory must hold */
	struct {
		unsigned char sha256[E2E_SHA256_LEN];
		uint64_t bytes;
	} stored[E2E_MAX_STORED];
	struct e2e_expected events[E2E_MAX_EVENTS];
	struct {
		uint64_t base, len;
	} iov[E2E_MAX_IOV_TOTAL];
	unsigned char data_pool[E2E_DATA_POOL];
};

struct e2e_shared *e2e_shared_create(void);
void e2e_shared_reset(struct e2e_shared *sh, uint32_t max_iov, uint32_t capture);

/*
 * An executable path as pvmtrace shows it: readlink's text (" (deleted)"
 * kept), "..." + its tail from a component's start when longer than
 * E2E_EXE_PATH_MAX. e2e_exe_of() reads the link; "" when it cannot.
 */
void e2e_exe_display(const char *link, char out[E2E_EXE_LEN]);
void e2e_exe_of(const char *proc_link, char out[E2E_EXE_LEN]);

#define E2E_STORED_NAME_LEN (2 * E2E_SHA256_LEN + sizeof(".bin"))
/* "<sha256 hex>.bin": the file --capture-dir keeps a payload in */
void e2e_stored_name(const unsigned char *sha256, char out[E2E_STORED_NAME_LEN]);

/* The calling thread as pvmtrace must report it. */
void e2e_identity_self(struct e2e_identity *id);

/* Registers pid as a caller whose events the runner compares. */
void e2e_add_caller(struct e2e_shared *sh, pid_t pid);

/* Marks the case failed (first reason wins); the runner reports it. */
void e2e_fail(struct e2e_shared *sh, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Makes one native process_vm_writev (writev=true) or process_vm_readv call
 * with exactly these arguments and records the event it must produce.
 * `expect_event` false: the call must produce no event (filtered out).
 * Returns the syscall's return value (-errno on failure).
 */
long e2e_call(struct e2e_shared *sh, bool expect_event, bool writev, pid_t pid,
	      const struct iovec *local, unsigned long liovcnt, const struct iovec *remote,
	      unsigned long riovcnt, unsigned long flags);

/* The same from a child pid namespace: `pid` as passed, `host_pid` for /proc. */
long e2e_call_ns(struct e2e_shared *sh, bool expect_event, bool writev, pid_t pid,
		 pid_t host_pid, const struct iovec *local, unsigned long liovcnt,
		 const struct iovec *remote, unsigned long riovcnt, unsigned long flags);

/*
 * A process_vm_writev that --enforce must stop: records the event first (the
 * caller dies in the call: "action":"killed", -EFAULT), then makes the call.
 * The caller's parent sets wall_after_ns once it has reaped it. Returns only
 * when the call was not stopped (and fails the case).
 */
void e2e_call_killed(struct e2e_shared *sh, pid_t pid, const struct iovec *local,
		     unsigned long liovcnt, const struct iovec *remote, unsigned long riovcnt);

/* Records an event whose call someone else made (the ia32 trigger). */
struct e2e_expected *e2e_expect(struct e2e_shared *sh);
/* Appends an iovec array (or NULL when unreadable) to an expected side. */
void e2e_expect_side(struct e2e_shared *sh, struct e2e_side *side, const struct iovec *iov,
		     uint64_t count, bool readable);

/*
 * Sets ev->data: what --capture must show for this call, gathered from the
 * local iovecs now (after the call: for a read, what arrived); and, with
 * --capture-dir, ev->store for buffers that were readable.
 */
void e2e_expect_payload(struct e2e_shared *sh, struct e2e_expected *ev, const struct iovec *local);

/*
 * Sets ev->target from /proc/<pid> right after the call, while the target
 * still lives, and the relations from ev->caller.
 */
void e2e_expect_target(struct e2e_expected *ev, pid_t pid);

/* Sets ev->regions from /proc/<pid>/maps right after the call. */
void e2e_expect_regions(struct e2e_expected *ev, pid_t pid, const struct iovec *remote,
			unsigned long count);

/* A file named like a shared library: libc.so.6, ld-linux-x86-64.so.2, foo.so */
bool e2e_library_file(const char *path);

/* The mapping that holds addr, from one line of /proc/PID/maps; false if not this one. */
bool e2e_region_of_line(const char *maps_line, uint64_t addr, struct e2e_region *r);

/* The relations of ev->target to ev->caller. */
void e2e_expect_relations(struct e2e_expected *ev);

/*
 * Waits until out_path holds an event line of the case's callers for every
 * expected event so far (those of ia32 calls only when the mode sees them):
 * until then the callers' parents, and the targets, must live, for pvmtrace
 * to read them from /proc. False after timeout_ms.
 */
bool e2e_events_written(const struct e2e_shared *sh, const char *out_path, bool sees_ia32,
			int timeout_ms);

/* A child that sleeps until killed; returns its pid. */
pid_t e2e_spawn_sleeper(void);
void e2e_reap(pid_t pid);

/*
 * A child that sleeps like a sleeper and, asked through a pipe, sends back
 * bytes of its own memory: what a write did or did not change in it.
 */
struct e2e_holder {
	pid_t pid;
	int ask, answer; /* our ends of its two pipes */
};
void e2e_spawn_holder(struct e2e_holder *h);
/* len bytes at addr in the holder into out; false when it did not answer. */
bool e2e_holder_read(const struct e2e_holder *h, const void *addr, size_t len, void *out);
void e2e_end_holder(struct e2e_holder *h);

/*
 * Reads our parent's exe now, for the events of later calls, when a change
 * of uid will have made /proc/<ppid>/exe unreadable to us.
 */
void e2e_pin_parent_exe(void);

uint64_t e2e_wall_ns(void);

/* The cgroup2 mount point into buf; -1 when there is none. */
int e2e_cgroup2_mount(char *buf, size_t len);

#endif /* PVMTRACE_E2E_TRIGGER_H */
