// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "cases.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define WRITEV true
#define READV false
#define KEEP true
#define DROP false

/* Buffers in the caller; forked children have them at the same addresses. */
static char target_buf[4096];
static char source_a[16] = "0123456789abcdef";
static char source_b[48] = "the second local iovec of a cross-process write";
static char source_c[8] = "third..";
static pid_t sleeper; /* a child of the caller, the usual target */

static void prepare_sleeper(struct e2e_shared *sh)
{
	sleeper = e2e_spawn_sleeper();
	sh->pids[0] = sleeper;
}

static void prepare_two_sleepers(struct e2e_shared *sh)
{
	prepare_sleeper(sh);
	sh->pids[1] = e2e_spawn_sleeper();
}

/* Local a|b|c (72 bytes) into two remote pieces of the sleeper's buffer. */
static long write_three_into_two(struct e2e_shared *sh, bool keep, pid_t pid)
{
	struct iovec local[3] = {{source_a, 16}, {source_b, 48}, {source_c, 8}};
	struct iovec remote[2] = {{target_buf, 40}, {target_buf + 100, 32}};

	return e2e_call(sh, keep, WRITEV, pid, local, 3, remote, 2, 0);
}

static long read_two_into_three(struct e2e_shared *sh, bool keep, pid_t pid)
{
	char a[10], b[20], c[34];
	struct iovec local[3] = {{a, 10}, {b, 20}, {c, 34}};
	struct iovec remote[2] = {{target_buf, 32}, {target_buf + 512, 32}};

	return e2e_call(sh, keep, READV, pid, local, 3, remote, 2, 0);
}

static void expect_ret(struct e2e_shared *sh, const char *what, long got, long want)
{
	if (got != want)
		e2e_fail(sh, "%s returned %ld, the test needs %ld", what, got, want);
}

/* The last call must fire these rules ("PVM-W001 PVM-W002"); the runner's model must agree. */
static void mean_rules(struct e2e_shared *sh, const char *rules)
{
	snprintf(sh->events[sh->n_events - 1].rules, sizeof(sh->events[0].rules), "%s", rules);
}

#define SETTLE_TIMEOUT_MS 10000

/*
 * Waits until pvmtrace has written the event of every call so far, while
 * their callers, their parents and their targets live: from then on none may
 * read as unresolved.
 */
static void settle(struct e2e_shared *sh, const struct e2e_env *env)
{
	if (!e2e_events_written(sh, env->out_path, env->sees_ia32, SETTLE_TIMEOUT_MS))
		return e2e_fail(sh, "pvmtrace did not write the case's events within %d ms",
				SETTLE_TIMEOUT_MS);
	for (uint32_t i = 0; i < sh->n_events; i++)
		sh->events[i].settled = true;
}

/* --- the calls every attach mode must report exactly ------------------ */

static void run_cross_write(struct e2e_shared *sh, const struct e2e_env *env)
{
	(void)env;
	expect_ret(sh, "cross write", write_three_into_two(sh, KEEP, sleeper), 72);
	e2e_reap(sleeper);
}

/* 4000 bytes over 5 iovecs, written then read back: all of it captured. */
static void run_big_write_and_read(struct e2e_shared *sh, const struct e2e_env *env)
{
	static char big[4000], back[4000];
	struct iovec local[5] = {{big, 1000}, {big + 1000, 1}, {big + 1001, 999},
				 {big + 2000, 1500}, {big + 3500, 500}};
	struct iovec remote[1] = {{target_buf, 4000}};
	struct iovec read_into[2] = {{back, 3000}, {back + 3000, 1000}};

	(void)env;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 + 3);
	expect_ret(sh, "4000-byte write", e2e_call(sh, KEEP, WRITEV, sleeper, local, 5, remote, 1, 0),
		   4000);
	expect_ret(sh, "4000-byte read", e2e_call(sh, KEEP, READV, sleeper, read_into, 2, remote, 1, 0),
		   4000);
	e2e_reap(sleeper);
}

static void run_cross_read(struct e2e_shared *sh, const struct e2e_env *env)
{
	(void)env;
	expect_ret(sh, "cross read", read_two_into_three(sh, KEEP, sleeper), 64);
	e2e_reap(sleeper);
}

static void run_esrch(struct e2e_shared *sh, const struct e2e_env *env)
{
	pid_t gone = e2e_spawn_sleeper();

	(void)env;
	e2e_reap(gone);
	expect_ret(sh, "write to a reaped pid", write_three_into_two(sh, KEEP, gone), -ESRCH);
}

static void run_einval_flags(struct e2e_shared *sh, const struct e2e_env *env)
{
	struct iovec local[1] = {{source_a, 16}};
	struct iovec remote[1] = {{target_buf, 16}};

	(void)env;
	expect_ret(sh, "flags=1", e2e_call(sh, KEEP, WRITEV, sleeper, local, 1, remote, 1, 1),
		   -EINVAL);
	e2e_reap(sleeper);
}

static struct iovec *one_byte_iovecs(size_t n)
{
	struct iovec *iov = calloc(n, sizeof(*iov));

	for (size_t i = 0; i < n; i++)
		iov[i] = (struct iovec){target_buf + i % sizeof(target_buf), 1};
	return iov;
}

static void run_einval_too_many(struct e2e_shared *sh, const struct e2e_env *env)
{
	struct iovec *local = one_byte_iovecs(1025);
	struct iovec remote[1] = {{target_buf, 1025}};

	(void)env;
	expect_ret(sh, "1025 iovecs", e2e_call(sh, KEEP, WRITEV, sleeper, local, 1025, remote, 1, 0),
		   -EINVAL);
	free(local);
	e2e_reap(sleeper);
}

static void run_efault_remote(struct e2e_shared *sh, const struct e2e_env *env)
{
	char *hole = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct iovec local[1] = {{source_a, 16}};
	struct iovec remote[1];
	pid_t child;

	(void)env;
	munmap(hole, 4096);
	child = e2e_spawn_sleeper(); /* forked after the unmap: the hole is unmapped there too */
	remote[0] = (struct iovec){hole, 16};
	expect_ret(sh, "write to an unmapped address",
		   e2e_call(sh, KEEP, WRITEV, child, local, 1, remote, 1, 0), -EFAULT);
	e2e_reap(child);
	e2e_reap(sleeper);
}

static void run_unreadable_local_array(struct e2e_shared *sh, const struct e2e_env *env)
{
	struct iovec remote[1] = {{target_buf, 16}};

	(void)env;
	expect_ret(sh, "local_iov NULL",
		   e2e_call(sh, KEEP, WRITEV, sleeper, NULL, 2, remote, 1, 0), -EFAULT);
	sh->events[sh->n_events - 1].read_at_exit = true; /* tried again, in vain */
	e2e_reap(sleeper);
}

static void run_1024_one_byte(struct e2e_shared *sh, const struct e2e_env *env)
{
	struct iovec *local = one_byte_iovecs(1024);
	struct iovec remote[1] = {{target_buf, 1024}};

	(void)env;
	expect_ret(sh, "1024 one-byte iovecs",
		   e2e_call(sh, KEEP, WRITEV, sleeper, local, 1024, remote, 1, 0), 1024);
	free(local);
	e2e_reap(sleeper);
}

/*
 * The local array in a page the caller never touched (a memfd mapping): our
 * entry read cannot fault it in, the kernel's copy does, so pvmtrace reads the
 * arrays again at exit and must report them, not null.
 */
static void run_array_not_resident(struct e2e_shared *sh, const struct e2e_env *env)
{
	struct iovec local[2] = {{source_a, 16}, {source_b, 48}};
	struct iovec remote[1] = {{target_buf, 64}};
	int fd = memfd_create("pvmtrace-e2e-iov", 0);
	struct iovec *mapped;

	(void)env;
	if (fd < 0 || write(fd, local, sizeof(local)) != sizeof(local))
		return e2e_fail(sh, "memfd failed");
	mapped = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (mapped == MAP_FAILED)
		return e2e_fail(sh, "mmap failed");
	expect_ret(sh, "write from an untouched array",
		   e2e_call(sh, KEEP, WRITEV, sleeper, mapped, 2, remote, 1, 0), 64);
	sh->events[sh->n_events - 1].read_at_exit = true;
	/* arrays known only at exit: the payload is not read through them */
	sh->events[sh->n_events - 1].data.len = 0;
	sh->events[sh->n_events - 1].data.complete = false;
	munmap(mapped, 4096);
	close(fd);
	e2e_reap(sleeper);
}

struct thread_call {
	struct e2e_shared *sh;
	pid_t main_tid;
	pid_t *sibling_tid;
	bool keep;
};

/* A second thread writes into its own process: by tgid and by the main tid. */
static void *write_own_process(void *arg)
{
	struct thread_call *t = arg;
	struct iovec local[1] = {{source_a, 16}};
	struct iovec remote[1] = {{target_buf, 16}};

	expect_ret(t->sh, "thread write by tgid",
		   e2e_call(t->sh, t->keep, WRITEV, getpid(), local, 1, remote, 1, 0), 16);
	expect_ret(t->sh, "thread write by main tid",
		   e2e_call(t->sh, t->keep, WRITEV, t->main_tid, local, 1, remote, 1, 0), 16);
	if (t->sibling_tid)
		expect_ret(t->sh, "thread write by sibling tid",
			   e2e_call(t->sh, t->keep, WRITEV, *t->sibling_tid, local, 1, remote, 1,
				    0),
			   16);
	return NULL;
}

static pthread_t start_thread(struct thread_call *t)
{
	pthread_t thread;

	if (pthread_create(&thread, NULL, write_own_process, t))
		e2e_fail(t->sh, "pthread_create failed");
	return thread;
}

static void run_thread_self_write(struct e2e_shared *sh, const struct e2e_env *env)
{
	struct thread_call t = {.sh = sh, .main_tid = syscall(SYS_gettid), .keep = KEEP};

	(void)env;
	pthread_join(start_thread(&t), NULL);
}

/* A sibling thread that only waits, so that another thread can name it. */
static pid_t parked_tid;
static int parked_ready[2], parked_release[2];

static void *park(void *arg)
{
	char c;

	(void)arg;
	parked_tid = syscall(SYS_gettid);
	if (write(parked_ready[1], "r", 1) == 1)
		(void)!read(parked_release[0], &c, 1);
	return NULL;
}

/* --- where in the target: one read from each kind of region -------------- */

static char *heap_buf, *anon_buf, *rwx_buf;
static uintptr_t stack_addr;

/* heap_buf, before the fork: the child has it at the same place. */
static void alloc_heap_buf(const char *text)
{
	heap_buf = malloc(256);
	snprintf(heap_buf, 256, "%s", text);
}

/*
 * A library's writable data: the first private writable mapping of a shared
 * library of ours (libc's .data on the host; not `environ`, which a PIE
 * copies into its own .bss). A static build (the qemu guests) has none: its
 * own initialized data, the same kind of file-backed rw-p mapping.
 */
static void *library_data(void)
{
	char line[512], perms[5], path[256];
	FILE *maps = fopen("/proc/self/maps", "r");
	unsigned long start;
	void *found = NULL;

	while (maps && !found && fgets(line, sizeof(line), maps))
		if (sscanf(line, "%lx-%*x %4s %*s %*s %*s %255s", &start, perms, path) == 3 &&
		    !strcmp(perms, "rw-p") && e2e_library_file(path))
			found = (void *)start;
	if (maps)
		fclose(maps);
	return found ? found : (void *)source_a;
}

/* Everything exists before the fork, so the child has it at the same place. */
static void prepare_regions(struct e2e_shared *sh)
{
	char on_stack[64] = "on the stack of the caller, and so of its child";

	alloc_heap_buf("on the heap");
	anon_buf = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	rwx_buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (anon_buf == MAP_FAILED || rwx_buf == MAP_FAILED)
		return e2e_fail(sh, "mmap failed");
	anon_buf[0] = rwx_buf[0] = 1;
	stack_addr = (uintptr_t)on_stack;
	prepare_sleeper(sh);
}

static void expect_kind(struct e2e_shared *sh, int i, const char *kind, const char *perms)
{
	const struct e2e_expected *ev = &sh->events[sh->n_events - 1];

	if (strcmp(ev->regions[i].kind, kind) || strncmp(ev->regions[i].perms, perms, 3))
		e2e_fail(sh, "setup: remote %d is %s %s, the case wants %s %s", i,
			 ev->regions[i].kind, ev->regions[i].perms, kind, perms);
}

static void run_regions(struct e2e_shared *sh, const struct e2e_env *env)
{
	char into[80];
	struct iovec local[1] = {{into, sizeof(into)}};
	struct iovec remote[5] = {{heap_buf, 16}, {(void *)stack_addr, 16}, {anon_buf, 16},
				  {rwx_buf, 16}, {library_data(), 16}};

	(void)env;
	expect_ret(sh, "read from five regions",
		   e2e_call(sh, KEEP, READV, sleeper, local, 1, remote, 5, 0), 80);
	sh->events[sh->n_events - 1].regions_in_kernel = true;
	expect_kind(sh, 0, "heap", "rw-");
	expect_kind(sh, 1, "stack", "rw-");
	expect_kind(sh, 2, "anon", "rw-");
	expect_kind(sh, 3, "anon", "rwx");
	expect_kind(sh, 4, "file", "rw-");
	e2e_reap(sleeper);
}

/*
 * A page that starts exactly at the break, past the heap: [heap] in
 * /proc/PID/maps of kernels before v6.6, an anonymous mapping since (see
 * src/sensor/heap_bounds.h). Whichever this kernel says, the event must say
 * it too. Read-only, so it stays a mapping of its own.
 */
static char *page_at_break;

static void prepare_page_at_break(struct e2e_shared *sh)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t at = ((uintptr_t)sbrk(0) + page - 1) & ~(page - 1);

	if (brk((void *)at))
		return e2e_fail(sh, "brk failed: %s", strerror(errno));
	page_at_break = mmap((void *)at, page, PROT_READ,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (page_at_break != (void *)at)
		return e2e_fail(sh, "no page at the break: %s", strerror(errno));
	prepare_sleeper(sh);
}

static void run_region_at_break(struct e2e_shared *sh, const struct e2e_env *env)
{
	char into[16];
	struct iovec local[1] = {{into, sizeof(into)}}, remote[1] = {{page_at_break, 16}};

	(void)env;
	expect_ret(sh, "read from the page at the break",
		   e2e_call(sh, KEEP, READV, sleeper, local, 1, remote, 1, 0), 16);
	sh->events[sh->n_events - 1].regions_in_kernel = true;
	e2e_reap(sleeper);
}

/* --- a mapping the target changes between calls ------------------------- */

static pid_t protector;
static int protect_ask = -1, protect_done = -1; /* our ends of its pipes */

/*
 * anon_buf, two pages, in a child that, when asked, makes the first page rwx:
 * the mapping splits in two, as an injector's target would have it change
 * under a writer that writes again and again.
 */
static void prepare_protector(struct e2e_shared *sh)
{
	int ask[2], done[2];

	anon_buf = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (anon_buf == MAP_FAILED || pipe(ask) || pipe(done))
		return e2e_fail(sh, "mmap or pipe failed");
	anon_buf[0] = anon_buf[4096] = 1;
	protector = fork();
	if (protector == 0) {
		char c;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		while (read(ask[0], &c, 1) == 1) {
			c = mprotect(anon_buf, 4096, PROT_READ | PROT_WRITE | PROT_EXEC) ? 'e' : 'k';
			if (write(done[1], &c, 1) != 1)
				break;
		}
		_exit(0);
	}
	close(ask[0]);
	close(done[1]);
	protect_ask = ask[1];
	protect_done = done[0];
	sh->pids[0] = protector;
}

/* 8 bytes at addr into the same place of the protector. */
static void write_protector(struct e2e_shared *sh, char *addr, const char *perms)
{
	struct iovec iov[1] = {{addr, 8}};

	expect_ret(sh, "write into the protector",
		   e2e_call(sh, KEEP, WRITEV, protector, iov, 1, iov, 1, 0), 8);
	expect_kind(sh, 0, "anon", perms);
}

/*
 * Two writes into one mapping (the kernel side remembers its region for the
 * second), then, once the target has split it, one into each part, all
 * within the memo's 100 ms: each region must be the mapping as it is after
 * the change, not as remembered. Back to back, only the first must have been
 * found in the kernel (see check_region).
 */
static void run_regions_follow_mprotect(struct e2e_shared *sh, const struct e2e_env *env)
{
	char c = 'x';

	write_protector(sh, anon_buf, "rw-");
	sh->events[sh->n_events - 1].regions_in_kernel = true;
	write_protector(sh, anon_buf + 4096, "rw-");
	/* from /proc, regions are read as the events are written: before the change */
	if (!env->targets_in_kernel)
		settle(sh, env);
	if (write(protect_ask, &c, 1) != 1 || read(protect_done, &c, 1) != 1 || c != 'k')
		e2e_fail(sh, "the protector did not mprotect its first page");
	write_protector(sh, anon_buf, "rwx");
	write_protector(sh, anon_buf + 4096, "rw-");
	settle(sh, env);
	close(protect_ask);
	close(protect_done);
	e2e_reap(protector);
}

/*
 * --- the ia32 entry: a static 32-bit program, int 0x80 ------------------
 * abi_trigger.c, built as trigger32; as trigger64 it makes the same calls
 * through the 64-bit entry.
 */

static int parse_iov_list(char **cursor, struct iovec *iov, int max)
{
	int n = 0;
	char *tok;

	while (n < max && (tok = strtok_r(NULL, " \n", cursor)) && strcmp(tok, "|")) {
		unsigned long base, len;

		if (sscanf(tok, "%lx:%lu", &base, &len) != 2)
			break;
		iov[n++] = (struct iovec){(void *)base, len};
	}
	return n;
}

/* The trigger prints the bytes its local iovecs hold after the call. */
static void expect_hex_payload(struct e2e_shared *sh, struct e2e_expected *ev, const char *hex)
{
	uint32_t want = ev->ret < (long)sh->capture ? ev->ret : sh->capture;

	ev->data.null = sh->capture == 0;
	ev->data.total = ev->ret;
	ev->data.first = sh->n_data;
	for (uint32_t i = 0; hex && i < want && sscanf(hex + 2 * i, "%2hhx",
							  &sh->data_pool[sh->n_data + i]) == 1;
	     i++)
		ev->data.len = i + 1;
	ev->data.complete = ev->data.len == want;
	sh->n_data += ev->data.len;
}

/* The trigger's "MAP ..." line: the mapping its calls' remote buffer is in */
static char trigger_map[512];

/* One "CALL ..." line of the trigger named `comm` into an expected event. */
static void expect_trigger_line(struct e2e_shared *sh, char *line, const char *comm, bool ia32)
{
	char *cursor, *name, *data_hex, *exe_word, parent_link[64];
	struct e2e_expected *ev;
	unsigned long tid, local_iov, liovcnt, remote_iov, riovcnt, flags;
	int pid, ppid, pid_arg;
	long ret;
	struct iovec local[4], remote[4];
	int nl, nr;

	if (!strncmp(line, "MAP ", 4)) {
		snprintf(trigger_map, sizeof(trigger_map), "%s", line + 4);
		return;
	}
	strtok_r(line, " ", &cursor);
	name = strtok_r(NULL, " ", &cursor);
	if (!name || sscanf(cursor, "%d %lu %d %d %lx %lu %lx %lu %lu %ld", &pid, &tid, &ppid,
			    &pid_arg, &local_iov, &liovcnt, &remote_iov, &riovcnt, &flags,
			    &ret) != 10) {
		e2e_fail(sh, "bad %s line", comm);
		return;
	}
	for (int i = 0; i < 10; i++)
		strtok_r(NULL, " ", &cursor);
	nl = parse_iov_list(&cursor, local, 4);
	nr = parse_iov_list(&cursor, remote, 4); /* ends on its "DATA" word */
	data_hex = strtok_r(NULL, " \n", &cursor);
	exe_word = strtok_r(NULL, " ", &cursor); /* "EXE", then the path to the line's end */
	if (!exe_word || strcmp(exe_word, "EXE") || !cursor) {
		e2e_fail(sh, "%s line without EXE", comm);
		return;
	}
	cursor[strcspn(cursor, "\n")] = 0;

	ev = e2e_expect(sh);
	ev->writev = !strcmp(name, "writev");
	ev->ia32 = ia32;
	e2e_identity_self(&ev->caller); /* namespaces and cgroup are inherited */
	ev->caller.pid = pid;
	ev->caller.tid = tid;
	ev->caller.ppid = ppid;
	snprintf(parent_link, sizeof(parent_link), "/proc/%d/exe", ppid);
	e2e_exe_of(parent_link, ev->caller.parent_exe);
	snprintf(ev->caller.comm, sizeof(ev->caller.comm), "%s", comm);
	e2e_exe_display(cursor, ev->caller.exe);
	if (ia32)
		ev->caller.code = "i386";
	ev->pid_arg = pid_arg;
	ev->local_iov = local_iov;
	ev->liovcnt = liovcnt;
	ev->remote_iov = remote_iov;
	ev->riovcnt = riovcnt;
	ev->flags = flags;
	e2e_expect_side(sh, &ev->local, local, nl, true);
	e2e_expect_side(sh, &ev->remote, remote, nr, true);
	ev->ret = ret;
	ev->wall_after_ns = e2e_wall_ns();
	ev->regions_known = nr == 1 && e2e_region_of_line(trigger_map, (uintptr_t)remote[0].iov_base,
							   &ev->regions[0]);
	if (!ev->regions_known)
		e2e_fail(sh, "%s's MAP line does not hold its remote buffer", comm);
	expect_hex_payload(sh, ev, data_hex);
	/* its child, gone by now: what /proc would have said */
	ev->target.pid = ev->target.tid = pid_arg;
	ev->target.ppid = pid;
	ev->target.uid = ev->caller.uid;
	ev->target.pidns = ev->caller.pidns;
	ev->target.cgroup_id = ev->caller.cgroup_id;
	snprintf(ev->target.comm, sizeof(ev->target.comm), "%s", comm);
	memcpy(ev->target.exe, ev->caller.exe, sizeof(ev->target.exe)); /* a fork of it */
	e2e_expect_relations(ev);
	if (ret != 64)
		e2e_fail(sh, "%s %s returned %ld", comm, name, ret);
}

/*
 * The trigger at `path` (trigger32 when `ia32`) in a child, which first
 * makes the calls of `before_exec` (if any) with the thread that then execs
 * it: its two calls must be seen.
 */
static void run_trigger(struct e2e_shared *sh, const char *path, bool ia32,
			void (*before_exec)(struct e2e_shared *sh))
{
	const char *comm = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	uint64_t started = e2e_wall_ns();
	unsigned int reported = 0;
	char line[512];
	int out[2];
	pid_t child;
	FILE *f;

	if (pipe(out))
		return e2e_fail(sh, "pipe failed");
	child = fork();
	if (child == 0) {
		if (before_exec)
			before_exec(sh);
		dup2(out[1], STDOUT_FILENO);
		execl(path, comm, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	e2e_add_caller(sh, child);
	f = fdopen(out[0], "r");
	while (fgets(line, sizeof(line), f)) {
		unsigned int first = sh->n_events;

		expect_trigger_line(sh, line, comm, ia32);
		if (sh->n_events > first)
			sh->events[first].wall_before_ns = started;
		reported += sh->n_events - first;
	}
	fclose(f);
	waitpid(child, NULL, 0);
	if (reported != 2)
		e2e_fail(sh, "%s reported %u calls, wants 2", comm, reported);
}

static void run_ia32(struct e2e_shared *sh, const struct e2e_env *env)
{
	run_trigger(sh, env->trigger32, true, NULL);
}

/* --- int 0x80 from 64-bit code: abi ia32, code x86_64 --------------------- */

#define NR_IA32_PROCESS_VM_WRITEV 348
#define UPPER_JUNK 0xdead000000000000UL /* the ia32 entry must ignore it */

struct compat_iovec {
	uint32_t base, len;
};

/* Below 4 GiB, where 32-bit arguments can point; the child inherits them. */
static char *low;

static void prepare_low_memory(struct e2e_shared *sh)
{
	low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
		   -1, 0);
	if (low == MAP_FAILED)
		return e2e_fail(sh, "mmap MAP_32BIT failed");
	memcpy(low + 1024, "written through the 32-bit entry from 64-bit code", 50);
	prepare_sleeper(sh);
}

/* ebp through memory at a fixed (rip-relative) place; the red zone kept clear */
static unsigned long int80_sixth;

static long int80_from_64bit_code(long nr, unsigned long a1, unsigned long a2, unsigned long a3,
				  unsigned long a4, unsigned long a5, unsigned long a6)
{
	long ret;

	int80_sixth = a6;
	__asm__ volatile("sub $128, %%rsp\n\t"
			 "push %%rbp\n\t"
			 "mov %7, %%rbp\n\t"
			 "int $0x80\n\t"
			 "pop %%rbp\n\t"
			 "add $128, %%rsp"
			 : "=a"(ret)
			 : "a"(nr), "b"(a1), "c"(a2), "d"(a3), "S"(a4), "D"(a5), "m"(int80_sixth)
			 : "memory", "cc");
	return ret;
}

static void run_int80_from_64bit(struct e2e_shared *sh, const struct e2e_env *env)
{
	struct compat_iovec *local = (struct compat_iovec *)low;
	struct compat_iovec *remote = local + 2;
	uintptr_t data = (uintptr_t)low + 1024, dest = (uintptr_t)low + 2048;
	struct iovec local_native[2] = {{(void *)data, 20}, {(void *)(data + 20), 30}};
	struct iovec remote_native[1] = {{(void *)dest, 50}};
	struct e2e_expected *ev;
	uint64_t before;
	long ret;

	(void)env;
	local[0] = (struct compat_iovec){(uint32_t)data, 20};
	local[1] = (struct compat_iovec){(uint32_t)(data + 20), 30};
	remote[0] = (struct compat_iovec){(uint32_t)dest, 50};
	before = e2e_wall_ns();
	ret = int80_from_64bit_code(NR_IA32_PROCESS_VM_WRITEV, UPPER_JUNK | (uint32_t)sleeper,
				    UPPER_JUNK | (uintptr_t)local, UPPER_JUNK | 2,
				    UPPER_JUNK | (uintptr_t)remote, UPPER_JUNK | 1, UPPER_JUNK);
	expect_ret(sh, "int 0x80 write from 64-bit code", ret, 50);

	ev = e2e_expect(sh);
	ev->writev = true;
	ev->ia32 = true;
	ev->wall_before_ns = before;
	ev->wall_after_ns = e2e_wall_ns();
	e2e_identity_self(&ev->caller); /* code x86_64: a 64-bit code segment */
	ev->pid_arg = sleeper;
	ev->local_iov = (uintptr_t)local;
	ev->liovcnt = 2;
	ev->remote_iov = (uintptr_t)remote;
	ev->riovcnt = 1;
	ev->flags = 0;
	e2e_expect_side(sh, &ev->local, local_native, 2, true);
	e2e_expect_side(sh, &ev->remote, remote_native, 1, true);
	ev->ret = ret;
	e2e_expect_target(ev, sleeper);
	e2e_expect_regions(ev, sleeper, remote_native, 1);
	e2e_expect_payload(sh, ev, local_native);
	mean_rules(sh, "PVM-W001 PVM-A001");
	settle(sh, env);
	e2e_reap(sleeper);
}

/* --- what a traced process controls cannot break the output ------------- */

static void run_hostile_comm(struct e2e_shared *sh, const struct e2e_env *env)
{
	(void)env;
	prctl(PR_SET_NAME, "x\"\\\n\033[2J\x7f\xff");
	expect_ret(sh, "write with a hostile comm", write_three_into_two(sh, KEEP, sleeper), 72);
	e2e_reap(sleeper);
}

/* --- filters: calls they keep appear, calls they drop do not ------------ */

static void run_filter_caller_pid(struct e2e_shared *sh, const struct e2e_env *env)
{
	pid_t other = fork();

	(void)env;
	if (other == 0) {
		write_three_into_two(sh, DROP, sleeper);
		_exit(0);
	}
	e2e_add_caller(sh, other);
	waitpid(other, NULL, 0);
	write_three_into_two(sh, KEEP, sleeper);
	e2e_reap(sleeper);
}

static void run_filter_target(struct e2e_shared *sh, const struct e2e_env *env)
{
	(void)env;
	write_three_into_two(sh, KEEP, sh->pids[0]);
	write_three_into_two(sh, DROP, sh->pids[1]);
	read_two_into_three(sh, KEEP, sh->pids[0]);
	e2e_reap(sh->pids[0]);
	e2e_reap(sh->pids[1]);
}

#define NOBODY 65534

static void run_filter_uid(struct e2e_shared *sh, const struct e2e_env *env)
{
	pid_t other = fork();

	(void)env;
	if (other == 0) {
		char roots_exe[E2E_EXE_LEN], link[64];
		pid_t own_child;

		/* root's process: its exe link is not nobody's to read, so read it now */
		snprintf(link, sizeof(link), "/proc/%d/exe", sleeper);
		e2e_exe_of(link, roots_exe);
		e2e_pin_parent_exe(); /* the same for our parent, root's too */
		if (setgid(NOBODY) || setuid(NOBODY))
			e2e_fail(sh, "cannot become uid %d", NOBODY);
		/* a uid change makes the process undumpable, which ptrace checks refuse */
		prctl(PR_SET_DUMPABLE, 1);
		own_child = e2e_spawn_sleeper();
		expect_ret(sh, "write as nobody", write_three_into_two(sh, KEEP, own_child), 72);
		expect_ret(sh, "write as nobody into root's process",
			   write_three_into_two(sh, KEEP, sleeper), -EPERM);
		memcpy(sh->events[sh->n_events - 1].target.exe, roots_exe, sizeof(roots_exe));
		e2e_reap(own_child);
		_exit(0);
	}
	e2e_add_caller(sh, other);
	waitpid(other, NULL, 0);
	write_three_into_two(sh, DROP, sleeper);
	e2e_reap(sleeper);
}

static void run_filter_comm(struct e2e_shared *sh, const struct e2e_env *env)
{
	(void)env;
	prctl(PR_SET_NAME, "pvm-e2e-keep");
	write_three_into_two(sh, KEEP, sleeper);
	prctl(PR_SET_NAME, "pvm-e2e-drop");
	write_three_into_two(sh, DROP, sleeper);
	prctl(PR_SET_NAME, "pvm-e2e-keep");
	read_two_into_three(sh, KEEP, sleeper);
	e2e_reap(sleeper);
}

/* A sleeper, and a new cgroup `name` under the cgroup2 mount, in sh->path. */
static void prepare_named_cgroup(struct e2e_shared *sh, const char *name)
{
	char root[160];

	prepare_sleeper(sh);
	if (e2e_cgroup2_mount(root, sizeof(root)))
		return e2e_fail(sh, "no cgroup2 mount");
	snprintf(sh->path, sizeof(sh->path), "%s/%.90s", root, name);
	if (mkdir(sh->path, 0755))
		e2e_fail(sh, "mkdir %s: %s", sh->path, strerror(errno));
}

static void prepare_cgroup(struct e2e_shared *sh)
{
	char name[64];

	snprintf(name, sizeof(name), "pvmtrace-e2e-%d", getpid());
	prepare_named_cgroup(sh, name);
}

static void join_cgroup(struct e2e_shared *sh, const char *dir)
{
	char procs[300];
	int fd;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	fd = open(procs, O_WRONLY);
	if (fd < 0 || write(fd, "0", 1) != 1)
		e2e_fail(sh, "cannot join %s", dir);
	if (fd >= 0)
		close(fd);
}

/* A child in the cgroup sh->path writes; `container` is the id it must show. */
static void write_from_the_cgroup(struct e2e_shared *sh, const char *container)
{
	pid_t inside = fork();

	if (inside == 0) {
		join_cgroup(sh, sh->path);
		write_three_into_two(sh, KEEP, sleeper);
		snprintf(sh->events[sh->n_events - 1].caller.container, 65, "%s", container);
		_exit(0);
	}
	e2e_add_caller(sh, inside);
	waitpid(inside, NULL, 0);
}

static void run_filter_cgroup(struct e2e_shared *sh, const struct e2e_env *env)
{
	(void)env;
	write_from_the_cgroup(sh, "");
	write_three_into_two(sh, DROP, sleeper);
	e2e_reap(sleeper);
	rmdir(sh->path);
}

#define CONTAINER_ID "e2e0c0ffee0123456789abcdef0123456789abcdef0123456789abcdef012345"

/* A cgroup named the way docker's systemd driver names a container's scope. */
static void prepare_container_cgroup(struct e2e_shared *sh)
{
	prepare_named_cgroup(sh, "docker-" CONTAINER_ID ".scope");
}

static void run_caller_in_container(struct e2e_shared *sh, const struct e2e_env *env)
{
	(void)env;
	write_from_the_cgroup(sh, CONTAINER_ID);
	e2e_reap(sleeper);
}

/* The sleeper moved into the container's cgroup, and written into from the host. */
static void run_target_in_container(struct e2e_shared *sh, const struct e2e_env *env)
{
	char procs[300], pid[16];
	int fd;

	(void)env;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", sh->path);
	snprintf(pid, sizeof(pid), "%d", (int)sleeper);
	fd = open(procs, O_WRONLY);
	if (fd < 0 || write(fd, pid, strlen(pid)) != (ssize_t)strlen(pid))
		e2e_fail(sh, "cannot move the sleeper into %s", sh->path);
	if (fd >= 0)
		close(fd);
	write_three_into_two(sh, KEEP, sleeper);
	snprintf(sh->events[sh->n_events - 1].target.container, 65, "%s", CONTAINER_ID);
	e2e_reap(sleeper);
}

/* pvmtrace looks the cgroup up when it handles the event: remove it after. */
static void remove_cgroup(struct e2e_shared *sh)
{
	rmdir(sh->path);
}

static void run_filter_writev_only(struct e2e_shared *sh, const struct e2e_env *env)
{
	(void)env;
	write_three_into_two(sh, KEEP, sleeper);
	read_two_into_three(sh, DROP, sleeper);
	e2e_reap(sleeper);
}

static void run_filter_readv_only(struct e2e_shared *sh, const struct e2e_env *env)
{
	(void)env;
	write_three_into_two(sh, DROP, sleeper);
	read_two_into_three(sh, KEEP, sleeper);
	e2e_reap(sleeper);
}

static void run_filter_cross_only(struct e2e_shared *sh, const struct e2e_env *env)
{
	pthread_t parked;
	struct thread_call t = {
		.sh = sh, .main_tid = syscall(SYS_gettid), .sibling_tid = &parked_tid, .keep = DROP};
	char c;

	(void)env;
	if (pipe(parked_ready) || pipe(parked_release) ||
	    pthread_create(&parked, NULL, park, NULL))
		return e2e_fail(sh, "cannot start the parked thread");
	if (read(parked_ready[0], &c, 1) != 1)
		return e2e_fail(sh, "parked thread did not start");
	pthread_join(start_thread(&t), NULL);
	if (write(parked_release[1], "g", 1) != 1)
		e2e_fail(sh, "cannot release the parked thread");
	pthread_join(parked, NULL);
	write_three_into_two(sh, KEEP, sleeper);
	e2e_reap(sleeper);
}

/* --- targets: a parent, and a process in another pid namespace ---------- */

static void run_target_parent(struct e2e_shared *sh, const struct e2e_env *env)
{
	pid_t child = fork();

	(void)env;
	if (child == 0) {
		/* the child reads its parent: target.parent */
		read_two_into_three(sh, KEEP, getppid());
		_exit(0);
	}
	e2e_add_caller(sh, child);
	waitpid(child, NULL, 0);
	e2e_reap(sleeper);
}

/* The host pid of a process, from inside its own pid namespace. */
static pid_t host_pid_of_self(void)
{
	struct e2e_identity id;

	e2e_identity_self(&id);
	return id.pid;
}

/*
 * A caller in a new pid namespace (pid 1 there) names its own child as pid
 * 2: the kernel looks that up in the caller's namespace, and so must we.
 */
static void run_target_in_child_pidns(struct e2e_shared *sh, const struct e2e_env *env)
{
	int hostpid_pipe[2];
	pid_t ns_init;

	(void)env;
	if (unshare(CLONE_NEWPID) || pipe(hostpid_pipe))
		return e2e_fail(sh, "unshare(CLONE_NEWPID) failed: %s", strerror(errno));
	ns_init = fork();
	if (ns_init == 0) {
		pid_t grandchild, grandchild_host;
		int ready[2];

		if (pipe(ready))
			_exit(1);
		grandchild = fork();
		if (grandchild == 0) {
			pid_t me = host_pid_of_self();

			if (write(ready[1], &me, sizeof(me)) != sizeof(me))
				_exit(1);
			for (;;)
				pause();
		}
		if (read(ready[0], &grandchild_host, sizeof(grandchild_host)) !=
		    sizeof(grandchild_host))
			_exit(1);
		{
			struct iovec local[1] = {{source_a, 16}};
			struct iovec remote[1] = {{target_buf, 16}};
			pid_t me = host_pid_of_self();

			if (write(hostpid_pipe[1], &me, sizeof(me)) != sizeof(me))
				_exit(1);
			expect_ret(sh, "write by ns pid",
				   e2e_call_ns(sh, KEEP, WRITEV, grandchild, grandchild_host, local, 1,
					       remote, 1, 0),
				   16);
		}
		kill(grandchild, SIGKILL);
		waitpid(grandchild, NULL, 0);
		_exit(0);
	}
	{
		pid_t host;

		if (read(hostpid_pipe[0], &host, sizeof(host)) == sizeof(host))
			e2e_add_caller(sh, host);
	}
	waitpid(ns_init, NULL, 0);
	e2e_reap(sleeper);
}

/* --- a target that is neither the caller's child nor its parent ---------- */

/* No parent death signal reaches it: it ends itself, long after the case. */
#define ORPHAN_LIFETIME_S 300

/*
 * A grandchild whose parent has exited: the kernel gave it another parent (a
 * subreaper, or init) before that parent could be reaped. It lives until the
 * case's cleanup, so that pvmtrace finds it whole in /proc (not ours to reap:
 * killed, it would be a zombie there for a while, without an exe).
 */
static void prepare_unrelated(struct e2e_shared *sh)
{
	pid_t middle, orphan = 0;
	int ready[2];

	if (pipe(ready))
		return e2e_fail(sh, "pipe failed");
	middle = fork();
	if (middle == 0) {
		orphan = fork();
		if (orphan == 0) {
			alarm(ORPHAN_LIFETIME_S);
			for (;;)
				pause();
		}
		_exit(write(ready[1], &orphan, sizeof(orphan)) == sizeof(orphan) ? 0 : 1);
	}
	close(ready[1]);
	if (read(ready[0], &orphan, sizeof(orphan)) != sizeof(orphan) || orphan <= 0)
		e2e_fail(sh, "no orphan");
	close(ready[0]);
	waitpid(middle, NULL, 0);
	sh->pids[0] = orphan;
}

/* The last call's target, as /proc showed it, must really be unrelated. */
static void expect_unrelated(struct e2e_shared *sh, const char *what)
{
	const struct e2e_expected *ev = &sh->events[sh->n_events - 1];

	if (ev->target.null || !ev->target.ppid || ev->target.same_process || ev->target.child ||
	    ev->target.parent)
		e2e_fail(sh, "setup: %s: target %u (parent %u) is not unrelated to caller %u "
			     "(parent %u)",
			 what, ev->target.pid, ev->target.ppid, ev->caller.pid, ev->caller.ppid);
}

static void run_target_unrelated(struct e2e_shared *sh, const struct e2e_env *env)
{
	pid_t orphan = sh->pids[0];

	(void)env;
	if (orphan <= 0)
		return;
	expect_ret(sh, "write into an unrelated process", write_three_into_two(sh, KEEP, orphan),
		   72);
	expect_unrelated(sh, "write");
	expect_ret(sh, "read from an unrelated process", read_two_into_three(sh, KEEP, orphan), 64);
	expect_unrelated(sh, "read");
}

/* pvmtrace has stopped: the orphan, alive until now (its alarm), can go. */
static void end_orphan(struct e2e_shared *sh)
{
	if (sh->pids[0] > 0)
		kill(sh->pids[0], SIGKILL);
}

/* --- a kernel thread: a live target without an executable ---------------- */

#define KTHREADD 2

static void run_target_kernel_thread(struct e2e_shared *sh, const struct e2e_env *env)
{
	char comm[E2E_COMM_LEN] = "";
	struct e2e_expected *ev;
	FILE *f = fopen("/proc/2/comm", "r");

	(void)env;
	if (!f || !fgets(comm, sizeof(comm), f) || strcmp(comm, "kthreadd\n")) {
		if (f)
			fclose(f);
		return e2e_fail(sh, "setup: pid 2 is not kthreadd");
	}
	fclose(f);
	/* it has no memory to read: ESRCH, though the pid names a live process */
	expect_ret(sh, "read from a kernel thread", read_two_into_three(sh, KEEP, KTHREADD),
		   -ESRCH);
	ev = &sh->events[sh->n_events - 1];
	ev->ret = 0; /* e2e_expect_target() takes ESRCH for "no such process" */
	e2e_expect_target(ev, KTHREADD);
	ev->ret = -ESRCH;
	if (ev->target.null || ev->target.exe[0])
		e2e_fail(sh, "setup: kthreadd seen as %s, exe \"%s\"",
			 ev->target.null ? "gone" : "alive", ev->target.exe);
}

/* --- --capture-dir: whole payloads, each stored once ---------------------- */

#define MIB (1 << 20)
static unsigned char big_source[MIB], big_target[MIB];

/* Bytes no run of zeros or repeated block could pass for: xorshift32. */
static void fill_pattern(unsigned char *buf, size_t len)
{
	uint32_t x = 0x9e3779b9;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (unsigned char)x;
	}
}

/* A sleeper, and a fresh directory (0700) for pvmtrace in sh->path. */
static void prepare_capture_dir(struct e2e_shared *sh)
{
	prepare_sleeper(sh);
	snprintf(sh->path, sizeof(sh->path), "/tmp/pvmtrace-e2e-capture-XXXXXX");
	if (!mkdtemp(sh->path) || chmod(sh->path, 0700)) {
		e2e_fail(sh, "mkdtemp: %s", strerror(errno));
		sh->path[0] = 0;
	}
}

/* The runner has checked the directory's files: remove them and it. */
static void remove_capture_dir(struct e2e_shared *sh)
{
	DIR *d = sh->path[0] ? opendir(sh->path) : NULL;
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	if (rmdir(sh->path))
		e2e_fail(sh, "cannot remove %s: %s", sh->path, strerror(errno));
}

/* What the case means the last call's payload to become (the model must agree). */
static void expect_stored(struct e2e_shared *sh, const char *outcome, uint64_t bytes)
{
	const struct e2e_expected *ev = &sh->events[sh->n_events - 1];

	if (strcmp(ev->store.outcome, outcome) || ev->store.bytes != bytes)
		e2e_fail(sh, "setup: payload expected %s with %lu bytes, the case wants %s with %lu",
			 ev->store.outcome, (unsigned long)ev->store.bytes, outcome,
			 (unsigned long)bytes);
}

/* 1 MiB from three uneven local pieces into one remote buffer. */
static void run_capture_1mib(struct e2e_shared *sh, const struct e2e_env *env)
{
	struct iovec local[3] = {{big_source, 300000},
				 {big_source + 300000, 1},
				 {big_source + 300001, MIB - 300001}};
	struct iovec remote[1] = {{big_target, MIB}};

	(void)env;
	fill_pattern(big_source, MIB);
	expect_ret(sh, "1 MiB write", e2e_call(sh, KEEP, WRITEV, sleeper, local, 3, remote, 1, 0),
		   MIB);
	expect_stored(sh, "new", MIB);
	e2e_reap(sleeper);
}

/* The file the 1 MiB case stored is byte for byte the pattern it wrote. */
static void check_1mib_file(struct e2e_shared *sh)
{
	static unsigned char want[MIB], got[MIB + 1];
	char name[E2E_STORED_NAME_LEN], path[sizeof(sh->path) + sizeof(name)];
	size_t n = 0;
	FILE *f;

	fill_pattern(want, MIB);
	e2e_stored_name(sh->stored[0].sha256, name);
	snprintf(path, sizeof(path), "%s/%s", sh->path, name);
	f = sh->n_stored == 1 ? fopen(path, "r") : NULL;
	if (f) {
		n = fread(got, 1, sizeof(got), f);
		fclose(f);
	}
	if (n != MIB || memcmp(got, want, MIB))
		e2e_fail(sh, "%s is not the 1 MiB written (%zu bytes read)", path, n);
	remove_capture_dir(sh);
}

/* 4000 bytes written twice and read back once: one file. */
static void run_capture_same_payload(struct e2e_shared *sh, const struct e2e_env *env)
{
	static unsigned char payload[4000], back[4000];
	struct iovec local[2] = {{payload, 1500}, {payload + 1500, 2500}};
	struct iovec remote[1] = {{target_buf, 4000}};
	struct iovec read_into[1] = {{back, 4000}};

	(void)env;
	fill_pattern(payload, sizeof(payload));
	expect_ret(sh, "first write", e2e_call(sh, KEEP, WRITEV, sleeper, local, 2, remote, 1, 0),
		   4000);
	expect_stored(sh, "new", 4000);
	expect_ret(sh, "same write", e2e_call(sh, KEEP, WRITEV, sleeper, local, 2, remote, 1, 0),
		   4000);
	expect_stored(sh, "existing", 4000);
	expect_ret(sh, "read back", e2e_call(sh, KEEP, READV, sleeper, read_into, 1, remote, 1, 0),
		   4000);
	expect_stored(sh, "existing", 4000);
	e2e_reap(sleeper);
}

/* --capture-max 4K: 5000 bytes are not stored, 4096 are. */
static void run_capture_too_large(struct e2e_shared *sh, const struct e2e_env *env)
{
	struct iovec over[1] = {{big_source, 5000}}, fits[1] = {{big_source + 5000, 4096}};
	struct iovec remote_over[1] = {{big_target, 5000}}, remote_fits[1] = {{big_target, 4096}};

	(void)env;
	fill_pattern(big_source, 5000 + 4096);
	expect_ret(sh, "5000-byte write",
		   e2e_call(sh, KEEP, WRITEV, sleeper, over, 1, remote_over, 1, 0), 5000);
	expect_stored(sh, "too_large", 0);
	expect_ret(sh, "4096-byte write",
		   e2e_call(sh, KEEP, WRITEV, sleeper, fits, 1, remote_fits, 1, 0), 4096);
	expect_stored(sh, "new", 4096);
	e2e_reap(sleeper);
}

/* --- alerts: each rule on the real kernel, in every mode ----------------- */

/*
 * A config file anyone may read (replay runs as nobody too), named in
 * sh->path: a comment line, then for each of `entries` (NULL-terminated) the
 * line `allow exe="OUR EXE" ENTRY` (so entry i is on line i + 2). Our exe as
 * the kernel names it: readlink(/proc/self/exe).
 */
static void write_self_config(struct e2e_shared *sh, const char *comment,
			      const char *const *entries)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	FILE *f;
	int fd;

	exe[n > 0 ? n : 0] = 0;
	if (n <= 0 || strchr(exe, '"'))
		return e2e_fail(sh, "setup: our exe cannot go into a config");
	snprintf(sh->path, sizeof(sh->path), "/tmp/pvmtrace-e2e-config-XXXXXX");
	fd = mkstemp(sh->path);
	f = fd >= 0 && !fchmod(fd, 0644) ? fdopen(fd, "w") : NULL;
	if (!f || fprintf(f, "# %s\n", comment) < 0) {
		if (fd >= 0)
			close(fd);
		return e2e_fail(sh, "setup: cannot write the config %s", sh->path);
	}
	for (const char *const *e = entries; *e; e++)
		fprintf(f, "allow exe=\"%s\" %s\n", exe, *e);
	if (ferror(f) | fclose(f))
		e2e_fail(sh, "setup: cannot write the config %s", sh->path);
}

static void remove_config(struct e2e_shared *sh)
{
	if (sh->path[0] && unlink(sh->path))
		e2e_fail(sh, "cannot remove %s: %s", sh->path, strerror(errno));
}

/* The last call is allowed by line `line` of the case's config, labelled `label`. */
static void expect_allowed(struct e2e_shared *sh, int line, const char *label)
{
	snprintf(sh->events[sh->n_events - 1].allowed_by, E2E_ALLOWED_BY_LEN, "%s:%d (%s)",
		 sh->path, line, label);
}

static void prepare_heap(struct e2e_shared *sh)
{
	alloc_heap_buf("on the heap");
	prepare_sleeper(sh);
}

/*
 * One write, the first call of its pvmtrace run (its region found in the
 * kernel), of the 8 bytes at `addr` into the same place of the sleeper: the
 * caller's copy of them, so nothing the sleeper uses changes.
 */
static void write_one_region(struct e2e_shared *sh, const struct e2e_env *env, void *addr,
			     const char *kind, const char *perms, const char *rules)
{
	struct iovec iov[1] = {{addr, 8}};

	expect_ret(sh, "write into one region",
		   e2e_call(sh, KEEP, WRITEV, sleeper, iov, 1, iov, 1, 0), 8);
	sh->events[sh->n_events - 1].regions_in_kernel = true;
	expect_kind(sh, 0, kind, perms);
	mean_rules(sh, rules);
	settle(sh, env);
	e2e_reap(sleeper);
}

static void run_write_heap(struct e2e_shared *sh, const struct e2e_env *env)
{
	write_one_region(sh, env, heap_buf, "heap", "rw-", "PVM-W001");
}

static void run_write_anon(struct e2e_shared *sh, const struct e2e_env *env)
{
	write_one_region(sh, env, anon_buf, "anon", "rw-", "PVM-W001");
}

static void run_write_stack(struct e2e_shared *sh, const struct e2e_env *env)
{
	write_one_region(sh, env, (void *)stack_addr, "stack", "rw-", "PVM-W001 PVM-W002");
}

static void run_write_rwx(struct e2e_shared *sh, const struct e2e_env *env)
{
	write_one_region(sh, env, rwx_buf, "anon", "rwx", "PVM-W001 PVM-W002");
}

static void run_write_library_data(struct e2e_shared *sh, const struct e2e_env *env)
{
	write_one_region(sh, env, library_data(), "file", "rw-", "PVM-W001 PVM-W002");
}

/* The initialized data of the target's own executable (a fork of ours). */
static void run_write_executable_data(struct e2e_shared *sh, const struct e2e_env *env)
{
	write_one_region(sh, env, source_a, "file", "rw-", "PVM-W001 PVM-W002");
}

/* 16 bytes of our heap_buf into the target's, which must fire `rules`. */
static void write_heap(struct e2e_shared *sh, pid_t pid, const char *what, const char *rules)
{
	struct iovec heap[1] = {{heap_buf, 16}};

	expect_ret(sh, what, e2e_call(sh, KEEP, WRITEV, pid, heap, 1, heap, 1, 0), 16);
	expect_kind(sh, 0, "heap", "rw-");
	mean_rules(sh, rules);
}

/* 16 bytes of the target's heap_buf, which must fire `rules`. */
static void read_heap(struct e2e_shared *sh, pid_t pid, const char *what, const char *rules)
{
	char back[16];
	struct iovec into[1] = {{back, 16}}, heap[1] = {{heap_buf, 16}};

	expect_ret(sh, what, e2e_call(sh, KEEP, READV, pid, into, 1, heap, 1, 0), 16);
	expect_kind(sh, 0, "heap", "rw-");
	mean_rules(sh, rules);
}

/*
 * A sleeping child that first changes (its uid, its name); returned once it
 * has. Its parent death signal comes after: a change of uid clears it.
 */
static pid_t spawn_changed_sleeper(struct e2e_shared *sh, bool (*change)(void))
{
	int ready[2];
	pid_t pid;
	char c;

	if (pipe(ready)) {
		e2e_fail(sh, "pipe failed");
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		if (!change())
			_exit(1);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		e2e_fail(sh, "setup: the changed sleeper did not start");
	close(ready[0]);
	return pid;
}

static bool become_nobody(void)
{
	return !setgid(NOBODY) && !setuid(NOBODY);
}

static bool become_ssh_agent(void)
{
	return !prctl(PR_SET_NAME, "ssh-agent");
}

static void prepare_nobody_target(struct e2e_shared *sh)
{
	alloc_heap_buf("on the heap of nobody");
	sleeper = spawn_changed_sleeper(sh, become_nobody);
	sh->pids[0] = sleeper;
}

/* Across a boundary (a uid, a pid namespace): the critical write, the high read. */
static void run_across_boundary(struct e2e_shared *sh, const struct e2e_env *env)
{
	write_heap(sh, sleeper, "heap write", "PVM-W001 PVM-W003");
	read_heap(sh, sleeper, "heap read", "PVM-R001 PVM-R002");
	settle(sh, env);
	e2e_reap(sleeper);
}

/* A child that is pid 1 of a new pid namespace. */
static void prepare_target_in_new_pidns(struct e2e_shared *sh)
{
	alloc_heap_buf("on the heap, in another pid namespace");
	sleeper = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL, NULL);
	if (sleeper == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	if (sleeper < 0)
		e2e_fail(sh, "clone(CLONE_NEWPID): %s", strerror(errno));
	sh->pids[0] = sleeper;
}

static void prepare_credential_holder(struct e2e_shared *sh)
{
	alloc_heap_buf("a key, say");
	sleeper = spawn_changed_sleeper(sh, become_ssh_agent);
	sh->pids[0] = sleeper;
}

static void run_read_credential_holder(struct e2e_shared *sh, const struct e2e_env *env)
{
	read_heap(sh, sleeper, "read from ssh-agent", "PVM-R001 PVM-R003");
	settle(sh, env);
	e2e_reap(sleeper);
}

/* Below mmap_min_addr: mapped in no process. */
#define NEVER_MAPPED ((void *)0x1000)

/* Failed writes into other processes: ESRCH, EFAULT, and EPERM as nobody. */
static void run_failed_writes(struct e2e_shared *sh, const struct e2e_env *env)
{
	struct iovec local[1] = {{source_a, 16}}, hole[1] = {{NEVER_MAPPED, 16}};
	pid_t gone = e2e_spawn_sleeper(), nobody;

	e2e_reap(gone);
	expect_ret(sh, "write to a reaped pid", write_three_into_two(sh, KEEP, gone), -ESRCH);
	mean_rules(sh, "PVM-W004");
	expect_ret(sh, "write to an unmapped address",
		   e2e_call(sh, KEEP, WRITEV, sleeper, local, 1, hole, 1, 0), -EFAULT);
	mean_rules(sh, "PVM-W004");
	nobody = fork();
	if (nobody == 0) {
		char roots_exe[E2E_EXE_LEN], link[64];

		snprintf(link, sizeof(link), "/proc/%d/exe", sleeper);
		e2e_exe_of(link, roots_exe);
		e2e_pin_parent_exe();
		if (!become_nobody())
			e2e_fail(sh, "cannot become uid %d", NOBODY);
		expect_ret(sh, "write as nobody into root's process",
			   write_three_into_two(sh, KEEP, sleeper), -EPERM);
		memcpy(sh->events[sh->n_events - 1].target.exe, roots_exe, sizeof(roots_exe));
		mean_rules(sh, "PVM-W004");
		_exit(0);
	}
	e2e_add_caller(sh, nobody);
	waitpid(nobody, NULL, 0);
	settle(sh, env);
	e2e_reap(sleeper);
}

/* --min-severity high: a write into another process is kept, medium and none are not. */
static void run_min_severity_high(struct e2e_shared *sh, const struct e2e_env *env)
{
	struct iovec heap[1] = {{heap_buf, 16}};
	pid_t gone = e2e_spawn_sleeper();

	e2e_reap(gone);
	expect_ret(sh, "failed write (medium)", write_three_into_two(sh, DROP, gone), -ESRCH);
	expect_ret(sh, "read (medium)", read_two_into_three(sh, DROP, sleeper), 64);
	expect_ret(sh, "write of our own (no alert)",
		   e2e_call(sh, DROP, WRITEV, getpid(), heap, 1, heap, 1, 0), 16);
	sh->n_hidden += 3;
	write_heap(sh, sleeper, "write into another process (high)", "PVM-W001");
	settle(sh, env);
	e2e_reap(sleeper);
}

/* --- the allowlist, from a --config file ---------------------------------- */

/*
 * Line 2 allows our reads, line 3 everything else we do: a write into a
 * stack (two alerts, both info) by line 3, a read by line 2, the first entry
 * that matches.
 */
static void prepare_allow_caller(struct e2e_shared *sh)
{
	static const char *const entries[] = {"syscall=readv label=e2e-reads   # a comment",
					       "via=caller label=e2e-self", NULL};

	prepare_regions(sh);
	write_self_config(sh, "e2e: what the test binary itself does", entries);
}

static void run_allow_caller(struct e2e_shared *sh, const struct e2e_env *env)
{
	struct iovec stack[1] = {{(void *)stack_addr, 8}};

	expect_ret(sh, "allowed write into a stack",
		   e2e_call(sh, KEEP, WRITEV, sleeper, stack, 1, stack, 1, 0), 8);
	sh->events[sh->n_events - 1].regions_in_kernel = true;
	mean_rules(sh, "PVM-W001 PVM-W002");
	expect_allowed(sh, 3, "e2e-self");
	read_heap(sh, sleeper, "allowed read", "PVM-R001");
	expect_allowed(sh, 2, "e2e-reads");
	settle(sh, env);
	e2e_reap(sleeper);
}

/* Writes (only) by whatever the test binary starts: we are, the runner is our parent. */
static void prepare_allow_parent(struct e2e_shared *sh)
{
	static const char *const entries[] = {"via=parent syscall=writev label=e2e-parent", NULL};

	prepare_heap(sh);
	write_self_config(sh, "e2e: writes by the children of the test binary", entries);
}

static void orphan_writes(struct e2e_shared *sh)
{
	write_heap(sh, sleeper, "write by an orphan", "PVM-W001");
}

/*
 * Runs fn in a grandchild whose parent has exited, once the kernel has given
 * it another (init, or a subreaper): the same executable as ours, another
 * parent. Returns when fn has.
 */
static void run_as_orphan(struct e2e_shared *sh, void (*fn)(struct e2e_shared *sh))
{
	struct timespec ms = {0, 1000000};
	int done[2];
	pid_t middle;
	char c;

	if (pipe(done))
		return e2e_fail(sh, "pipe failed");
	middle = fork();
	if (middle == 0) {
		pid_t me = getpid();

		if (fork() == 0) {
			close(done[0]);
			while (getppid() == me)
				nanosleep(&ms, NULL);
			e2e_add_caller(sh, getpid());
			fn(sh);
			_exit(write(done[1], "d", 1) == 1 ? 0 : 1);
		}
		_exit(0);
	}
	close(done[1]);
	waitpid(middle, NULL, 0);
	if (read(done[0], &c, 1) != 1)
		e2e_fail(sh, "the orphan did not finish");
	close(done[0]);
}

static void run_allow_parent(struct e2e_shared *sh, const struct e2e_env *env)
{
	write_heap(sh, sleeper, "write by a child of the test binary", "PVM-W001");
	expect_allowed(sh, 2, "e2e-parent");
	read_heap(sh, sleeper, "read (the entry allows writes only)", "PVM-R001");
	run_as_orphan(sh, orphan_writes);
	settle(sh, env);
	e2e_reap(sleeper);
}

/* --- --enforce: writes stopped in the kernel before a byte moves --------- */

static struct e2e_holder holder; /* a target that shows what was written into it */
static pid_t writer;		 /* a child that writes when told: -p names it */
static int writer_go = -1;

/* The writer, a child of the caller: it runs fn when told to, then exits. */
static void prepare_writer(struct e2e_shared *sh, void (*fn)(struct e2e_shared *sh))
{
	int go[2];
	char c;

	if (pipe(go))
		return e2e_fail(sh, "pipe failed");
	writer = fork();
	if (writer == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(go[1]);
		if (read(go[0], &c, 1) == 1)
			fn(sh);
		_exit(0);
	}
	close(go[0]);
	writer_go = go[1];
	sh->pids[1] = writer;
}

/*
 * A writer of ours must die of SIGKILL in its last call, whose event it
 * recorded before making it (e2e_call_killed): that call's window closes now.
 */
static void expect_killed(struct e2e_shared *sh, pid_t pid)
{
	int status = 0;

	waitpid(pid, &status, 0);
	if (sh->n_events)
		sh->events[sh->n_events - 1].wall_after_ns = e2e_wall_ns();
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		e2e_fail(sh, "writer %d was not killed by SIGKILL (wait status %#x)", pid, status);
	else
		mean_rules(sh, "PVM-W004"); /* the killed call failed */
}

/* Lets the writer go; it must be killed. */
static void writer_must_be_killed(struct e2e_shared *sh)
{
	e2e_add_caller(sh, writer);
	if (write(writer_go, "g", 1) != 1)
		return e2e_fail(sh, "cannot start the writer");
	expect_killed(sh, writer);
}

/* What the holder has at `addr` must be `want` (our copy, or what was written). */
static void expect_in_holder(struct e2e_shared *sh, void *addr, const void *want, size_t len,
			     const char *what)
{
	char got[128];

	if (len > sizeof(got) || !e2e_holder_read(&holder, addr, len, got))
		e2e_fail(sh, "the target did not show its memory");
	else if (memcmp(got, want, len))
		e2e_fail(sh, "%s", what);
}

static void write_into_holder_killed(struct e2e_shared *sh)
{
	struct iovec local[3] = {{source_a, 16}, {source_b, 48}, {source_c, 8}};
	struct iovec remote[2] = {{target_buf, 40}, {target_buf + 100, 32}};

	e2e_call_killed(sh, holder.pid, local, 3, remote, 2);
}

/* A holder whose buffer is not what a write would put there; the writer. */
static void prepare_enforce_kill(struct e2e_shared *sh)
{
	memset(target_buf, 0x5a, sizeof(target_buf));
	e2e_spawn_holder(&holder);
	sh->pids[0] = holder.pid;
	prepare_writer(sh, write_into_holder_killed);
}

static void run_enforce_kill(struct e2e_shared *sh, const struct e2e_env *env)
{
	writer_must_be_killed(sh);
	/* our target_buf is what the holder's was, untouched */
	expect_in_holder(sh, target_buf, target_buf, 40, "the stopped write changed the target");
	expect_in_holder(sh, target_buf + 100, target_buf + 100, 32,
			 "the stopped write changed the target");
	settle(sh, env);
	e2e_end_holder(&holder);
}

static void prepare_enforce_allowed(struct e2e_shared *sh)
{
	static const char *const entries[] = {"label=e2e-self", NULL};

	memset(target_buf, 0x5a, sizeof(target_buf));
	e2e_spawn_holder(&holder);
	sh->pids[0] = holder.pid;
	write_self_config(sh, "e2e: the test binary may write", entries);
}

static void run_enforce_allowed(struct e2e_shared *sh, const struct e2e_env *env)
{
	char written[72];

	memcpy(written, source_a, 16);
	memcpy(written + 16, source_b, 48);
	memcpy(written + 64, source_c, 8);
	expect_ret(sh, "allowlisted write under --enforce",
		   write_three_into_two(sh, KEEP, holder.pid), 72);
	sh->events[sh->n_events - 1].action = E2E_ACTION_ALLOWED;
	expect_allowed(sh, 2, "e2e-self");
	expect_in_holder(sh, target_buf, written, 40, "the allowed write did not reach the target");
	expect_in_holder(sh, target_buf + 100, written + 40, 32,
			 "the allowed write did not reach the target");
	settle(sh, env);
	e2e_end_holder(&holder);
}

/* Our own process from another thread, and a read of another: neither is stopped. */
static void run_enforce_spares(struct e2e_shared *sh, const struct e2e_env *env)
{
	run_thread_self_write(sh, env);
	expect_ret(sh, "read under --enforce", read_two_into_three(sh, KEEP, sleeper), 64);
	mean_rules(sh, "PVM-R001");
	settle(sh, env);
	e2e_reap(sleeper);
}

/* Into its own child: the heap is not critical, the stack is. */
static void write_heap_then_stack(struct e2e_shared *sh)
{
	pid_t child = e2e_spawn_sleeper();
	struct iovec local[1] = {{source_a, 16}};
	struct iovec heap[1] = {{heap_buf, 16}}, stack[1] = {{(void *)stack_addr, 16}};

	expect_ret(sh, "heap write under --enforce=critical",
		   e2e_call(sh, KEEP, WRITEV, child, local, 1, heap, 1, 0), 16);
	expect_kind(sh, 0, "heap", "rw-");
	mean_rules(sh, "PVM-W001");
	e2e_call_killed(sh, child, local, 1, stack, 1);
}

/*
 * The writer is forked while `on_stack` lives, and its child below that: in
 * the child, that place of its stack is a frame no call of its uses.
 */
static void prepare_enforce_critical(struct e2e_shared *sh)
{
	char on_stack[64] = "on the stack of the writer, and so of its child";

	alloc_heap_buf("on the heap");
	stack_addr = (uintptr_t)on_stack;
	prepare_writer(sh, write_heap_then_stack);
}

static void run_enforce_critical(struct e2e_shared *sh, const struct e2e_env *env)
{
	(void)env;
	writer_must_be_killed(sh);
	if (sh->n_events != 2)
		e2e_fail(sh, "the writer made %u calls, wants 2", sh->n_events);
}

/* --- --enforce=critical when the target's memory map is busy ------------ */

/* Threads that keep taking their process's mmap_lock for writing. */
static void *churn_mappings(void *arg)
{
	(void)arg;
	for (;;) {
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			       0);

		if (p != MAP_FAILED)
			munmap(p, 4096);
	}
	return NULL;
}

/* The spare uid, dumpable: processes of one uid that may write into each other. */
static bool become_spare_uid(void)
{
	return !setgid(E2E_SPARE_UID) && !setuid(E2E_SPARE_UID) && !prctl(PR_SET_DUMPABLE, 1);
}

static bool become_busy_target(void)
{
	pthread_t t;

	return become_spare_uid() && !pthread_create(&t, NULL, churn_mappings, NULL) &&
	       !pthread_create(&t, NULL, churn_mappings, NULL);
}

/* Does an account, or a process, have uid? */
static bool uid_in_use(uid_t uid)
{
	char line[512], path[300];
	DIR *proc = opendir("/proc");
	FILE *f = fopen("/etc/passwd", "r");
	struct dirent *e;
	bool used = false;
	unsigned int a, b;

	while (f && !used && fgets(line, sizeof(line), f))
		used = sscanf(line, "%*[^:]:%*[^:]:%u:", &a) == 1 && a == uid;
	if (f)
		fclose(f);
	while (proc && !used && (e = readdir(proc))) {
		snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
		f = e->d_name[0] >= '1' && e->d_name[0] <= '9' ? fopen(path, "r") : NULL;
		while (f && fgets(line, sizeof(line), f))
			used |= sscanf(line, "Uid: %u %u", &a, &b) == 2 && (a == uid || b == uid);
		if (f)
			fclose(f);
	}
	if (proc)
		closedir(proc);
	return used;
}

#define BUSY_WRITERS 12

/*
 * The target (the spare uid, like the writers) churns its mappings: the
 * kernel side's bpf_find_vma cannot take its mmap_lock at once. A stack
 * write is critical all the same: --enforce=critical must stop every one.
 */
static void prepare_busy_target(struct e2e_shared *sh)
{
	char on_stack[64] = "on the stack of the caller, and so of the target";

	if (uid_in_use(E2E_SPARE_UID))
		return e2e_fail(sh, "setup: uid %d is in use here", E2E_SPARE_UID);
	stack_addr = (uintptr_t)on_stack;
	sleeper = spawn_changed_sleeper(sh, become_busy_target);
	sh->pids[0] = sleeper;
}

static void run_critical_busy_target(struct e2e_shared *sh, const struct e2e_env *env)
{
	struct iovec local[1] = {{source_a, 16}}, stack[1] = {{(void *)stack_addr, 16}};

	for (int i = 0; i < BUSY_WRITERS && !sh->failure[0]; i++) {
		pid_t w = fork();

		if (w == 0) {
			e2e_pin_parent_exe();
			if (!become_spare_uid())
				e2e_fail(sh, "cannot become uid %d", E2E_SPARE_UID);
			else
				e2e_call_killed(sh, sleeper, local, 1, stack, 1);
			_exit(0);
		}
		e2e_add_caller(sh, w);
		expect_killed(sh, w);
	}
	settle(sh, env);
	e2e_reap(sleeper);
}

/* --- the counters are exact -------------------------------------------- */

#define COUNTED_CALLS 2000

static void run_counters(struct e2e_shared *sh, const struct e2e_env *env)
{
	(void)env;
	for (int i = 0; i < COUNTED_CALLS; i++)
		write_three_into_two(sh, KEEP, sleeper);
	e2e_reap(sleeper);
}

/*
 * --- executable paths follow the thread's targets and its own exec -------
 * The kernel side keeps each side's path in the thread's slot between calls
 * (the same file and inode: no lookup). One thread writes into a sleeper (our
 * executable), into sleep(1) (another), into the sleeper again; then a child
 * writes and execs trigger32, whose calls keep the child's thread id (or
 * trigger64 where the kernel runs no 32-bit program).
 */

/* A child running sleep(1), once the exec is done (its exe is no longer ours). */
static void prepare_other_executable(struct e2e_shared *sh)
{
	char ours[E2E_EXE_LEN], theirs[E2E_EXE_LEN], link[64];
	pid_t other;

	prepare_sleeper(sh);
	e2e_exe_of("/proc/self/exe", ours);
	other = fork();
	if (other == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execlp("sleep", "sleep", "1000", (char *)NULL);
		_exit(127);
	}
	sh->pids[1] = other;
	snprintf(link, sizeof(link), "/proc/%d/exe", other);
	for (int i = 0; i < 500; i++) {
		e2e_exe_of(link, theirs);
		if (theirs[0] && strcmp(theirs, ours))
			return;
		usleep(10000);
	}
	e2e_fail(sh, "setup: sleep(1) did not start");
}

static void write_into_sleeper(struct e2e_shared *sh)
{
	expect_ret(sh, "write before exec", write_three_into_two(sh, KEEP, sleeper), 72);
}

static void run_exe_paths_follow(struct e2e_shared *sh, const struct e2e_env *env)
{
	struct iovec local[1] = {{source_a, 16}}, hole[1] = {{NEVER_MAPPED, 16}};
	pid_t other = sh->pids[1];

	expect_ret(sh, "write into the sleeper", write_three_into_two(sh, KEEP, sleeper), 72);
	expect_ret(sh, "write into sleep(1)", e2e_call(sh, KEEP, WRITEV, other, local, 1, hole, 1, 0),
		   -EFAULT);
	expect_ret(sh, "write into the sleeper again", write_three_into_two(sh, KEEP, sleeper), 72);
	if (!strcmp(sh->events[0].target.exe, sh->events[1].target.exe))
		e2e_fail(sh, "setup: sleep(1) runs our executable");
	e2e_reap(other);
	if (env->ia32_programs)
		run_trigger(sh, env->trigger32, true, write_into_sleeper);
	else
		run_trigger(sh, env->trigger64, false, write_into_sleeper);
	e2e_reap(sleeper);
}

const struct e2e_case e2e_cases[] = {
	{"cross_write", .prepare = prepare_sleeper, .run = run_cross_write, .every_mode = true},
	{"cross_read", .prepare = prepare_sleeper, .run = run_cross_read, .every_mode = true},
	/* and a host name of the operator's in each record */
	{"esrch", .args = {"--hostname", "e2e-host.example"}, .run = run_esrch,
	 .every_mode = true},
	{"einval_flags", .prepare = prepare_sleeper, .run = run_einval_flags, .every_mode = true},
	{"einval_1025_iovecs", .prepare = prepare_sleeper, .run = run_einval_too_many},
	{"efault_remote", .prepare = prepare_sleeper, .run = run_efault_remote},
	{"unreadable_local_array", .prepare = prepare_sleeper, .run = run_unreadable_local_array},
	{"array_not_resident_at_entry", .prepare = prepare_sleeper, .run = run_array_not_resident,
	 .every_mode = true},
	{"1024_one_byte_iovecs", .prepare = prepare_sleeper, .run = run_1024_one_byte},
	{"1024_one_byte_iovecs_all_kept", .args = {"--max-iov", "1024"}, .prepare = prepare_sleeper,
	 .run = run_1024_one_byte},
	{"thread_self_write", .run = run_thread_self_write, .every_mode = true},
	{"ia32_int80", .run = run_ia32, .needs = E2E_NEED_IA32, .every_mode = true},
	{"int80_from_64bit_code", .prepare = prepare_low_memory, .run = run_int80_from_64bit,
	 .needs = E2E_NEED_INT80, .every_mode = true},
	{"hostile_comm", .prepare = prepare_sleeper, .run = run_hostile_comm},
	{"filter_caller_pid", .args = {"-p", "{caller}"}, .prepare = prepare_sleeper,
	 .run = run_filter_caller_pid, .check_counters = true},
	{"filter_target", .args = {"-t", "{pid0}"}, .prepare = prepare_two_sleepers,
	 .run = run_filter_target},
	{"filter_uid", .args = {"-u", "65534"}, .prepare = prepare_sleeper, .run = run_filter_uid},
	{"filter_comm", .args = {"-c", "pvm-e2e-keep"}, .prepare = prepare_sleeper,
	 .run = run_filter_comm},
	{"filter_cgroup", .args = {"--cgroup", "{path}"}, .prepare = prepare_cgroup,
	 .run = run_filter_cgroup, .needs = E2E_NEED_CGROUP2},
	{"filter_writev_only", .args = {"-e", "writev"}, .prepare = prepare_sleeper,
	 .run = run_filter_writev_only},
	{"filter_readv_only", .args = {"-e", "readv"}, .prepare = prepare_sleeper,
	 .run = run_filter_readv_only},
	{"filter_cross_only", .args = {"-x"}, .prepare = prepare_sleeper,
	 .run = run_filter_cross_only},
	{"counters_exact", .args = {"-p", "{caller}"}, .prepare = prepare_sleeper,
	 .run = run_counters, .check_counters = true, .every_mode = true},
	{"target_parent", .prepare = prepare_sleeper, .run = run_target_parent},
	{"caller_in_container_cgroup", .prepare = prepare_container_cgroup,
	 .run = run_caller_in_container, .cleanup = remove_cgroup, .needs = E2E_NEED_CGROUP2},
	{"target_in_container_cgroup", .prepare = prepare_container_cgroup,
	 .run = run_target_in_container, .cleanup = remove_cgroup, .needs = E2E_NEED_CGROUP2},
	{"target_in_child_pid_namespace", .prepare = prepare_sleeper,
	 .run = run_target_in_child_pidns, .needs = E2E_NEED_PIDNS, .every_mode = true},
	{"region_at_the_break", .prepare = prepare_page_at_break, .run = run_region_at_break},
	{"regions_heap_stack_anon_rwx_library", .prepare = prepare_regions, .run = run_regions,
	 .every_mode = true},
	{"regions_follow_mprotect", .prepare = prepare_protector, .run = run_regions_follow_mprotect,
	 .every_mode = true},
	{"capture_off", .args = {"--capture", "0"}, .prepare = prepare_sleeper,
	 .run = run_cross_write},
	{"capture_cut_at_10", .args = {"--capture", "10"}, .prepare = prepare_sleeper,
	 .run = run_cross_write},
	{"capture_4096_multi_iovec", .args = {"--capture", "4096"}, .prepare = prepare_sleeper,
	 .run = run_big_write_and_read, .every_mode = true},
	{"target_unrelated", .prepare = prepare_unrelated, .run = run_target_unrelated,
	 .cleanup = end_orphan},
	{"target_kernel_thread", .run = run_target_kernel_thread},
	{"exe_paths_follow_targets_and_exec", .prepare = prepare_other_executable,
	 .run = run_exe_paths_follow, .partly_needs = E2E_NEED_IA32, .every_mode = true},
	/* --capture-dir cases trace only their caller: the store counters are exact */
	{"capture_dir_1mib_write", .args = {"--capture-dir", "{path}", "-p", "{caller}"},
	 .prepare = prepare_capture_dir, .run = run_capture_1mib, .check_counters = true,
	 .cleanup = check_1mib_file, .every_mode = true},
	{"capture_dir_same_payload_twice", .args = {"--capture-dir", "{path}", "-p", "{caller}"},
	 .prepare = prepare_capture_dir, .run = run_capture_same_payload, .check_counters = true,
	 .cleanup = remove_capture_dir},
	{"capture_dir_too_large",
	 .args = {"--capture-dir", "{path}", "--capture-max", "4K", "-p", "{caller}"},
	 .prepare = prepare_capture_dir, .run = run_capture_too_large, .check_counters = true,
	 .cleanup = remove_capture_dir},
	{"capture_dir_capture_off",
	 .args = {"--capture", "0", "--capture-dir", "{path}", "-p", "{caller}"},
	 .prepare = prepare_capture_dir, .run = run_cross_write, .check_counters = true,
	 .cleanup = remove_capture_dir},
	/* alerts: each case says which rules its calls must fire */
	{"alerts_write_heap", .prepare = prepare_regions, .run = run_write_heap},
	{"alerts_write_anon", .prepare = prepare_regions, .run = run_write_anon},
	{"alerts_write_stack", .prepare = prepare_regions, .run = run_write_stack},
	{"alerts_write_rwx", .prepare = prepare_regions, .run = run_write_rwx},
	{"alerts_write_library_data", .prepare = prepare_regions, .run = run_write_library_data},
	{"alerts_write_executable_data", .prepare = prepare_regions,
	 .run = run_write_executable_data},
	{"alerts_across_uids", .prepare = prepare_nobody_target, .run = run_across_boundary},
	{"alerts_across_pid_namespaces", .prepare = prepare_target_in_new_pidns,
	 .run = run_across_boundary, .needs = E2E_NEED_PIDNS},
	{"alerts_read_credential_holder", .prepare = prepare_credential_holder,
	 .run = run_read_credential_holder},
	{"alerts_failed_writes", .prepare = prepare_sleeper, .run = run_failed_writes},
	{"min_severity_high", .args = {"--min-severity", "high", "-p", "{caller}"},
	 .prepare = prepare_heap, .run = run_min_severity_high, .check_counters = true},
	{"allowlist_via_caller", .args = {"--config", "{path}", "-p", "{caller}"},
	 .prepare = prepare_allow_caller, .run = run_allow_caller, .check_counters = true,
	 .cleanup = remove_config},
	{"allowlist_via_parent", .args = {"--config", "{path}"}, .prepare = prepare_allow_parent,
	 .run = run_allow_parent, .cleanup = remove_config},
	/* --enforce: -p names the only process it may kill, a helper of the case's */
	{"enforce_kills_foreign_write", .args = {"--enforce", "-p", "{pid1}"},
	 .prepare = prepare_enforce_kill, .run = run_enforce_kill, .check_counters = true,
	 .every_mode = true},
	{"enforce_spares_allowlisted_caller",
	 .args = {"--enforce", "--config", "{path}", "-p", "{caller}"},
	 .prepare = prepare_enforce_allowed, .run = run_enforce_allowed, .check_counters = true,
	 .cleanup = remove_config, .every_mode = true},
	{"enforce_spares_self_writes_and_reads", .args = {"--enforce", "-p", "{caller}"},
	 .prepare = prepare_sleeper, .run = run_enforce_spares, .check_counters = true},
	{"enforce_critical_spares_heap_kills_stack", .args = {"--enforce=critical", "-p", "{pid1}"},
	 .prepare = prepare_enforce_critical, .run = run_enforce_critical, .check_counters = true,
	 .every_mode = true},
	/* -u: the writers are processes of a spare uid, one after another */
	{"enforce_critical_kills_stack_writes_into_busy_target",
	 .args = {"--enforce=critical", "-u", E2E_SPARE_UID_TEXT}, .prepare = prepare_busy_target,
	 .run = run_critical_busy_target, .check_counters = true, .every_mode = true},
};

const unsigned int e2e_case_count = sizeof(e2e_cases) / sizeof(e2e_cases[0]);
