// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "cases.h"

#include <errno.h>
#include <fcntl.h>
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

extern char **environ; /* in libc's writable data: a library's mapping */
static char *heap_buf, *anon_buf, *rwx_buf;
static uintptr_t stack_addr;

/* Is addr in a file mapping of ours? (/proc/self/maps: a path, not "[...]") */
static bool file_backed(const void *addr)
{
	unsigned long start, end, a = (unsigned long)addr;
	char line[512], path[256];
	bool found = false;
	FILE *maps = fopen("/proc/self/maps", "r");

	while (maps && !found && fgets(line, sizeof(line), maps)) {
		path[0] = 0;
		found = sscanf(line, "%lx-%lx %*s %*s %*s %*s %255s", &start, &end, path) >= 2 &&
			a >= start && a < end && path[0] == '/';
	}
	if (maps)
		fclose(maps);
	return found;
}

/*
 * A library's writable data: libc's, where there is a libc.so (the host);
 * a static build (the qemu guests) has none, so its own initialized data,
 * the same kind of file-backed rw-p mapping.
 */
static void *library_data(void)
{
	return file_backed(&environ) ? (void *)&environ : (void *)source_a;
}

/* Everything exists before the fork, so the child has it at the same place. */
static void prepare_regions(struct e2e_shared *sh)
{
	char on_stack[64] = "on the stack of the caller, and so of its child";

	heap_buf = malloc(256);
	snprintf(heap_buf, 256, "on the heap");
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

/* --- the ia32 entry: a static 32-bit program, int 0x80 ------------------ */

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

/* trigger32 prints the bytes its local iovecs hold after the call. */
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

/* One "CALL ..." line of trigger32 into an expected event. */
static void expect_trigger32_line(struct e2e_shared *sh, char *line)
{
	char *cursor, *name, *data_hex;
	struct e2e_expected *ev;
	unsigned long tid, local_iov, liovcnt, remote_iov, riovcnt, flags;
	int pid, ppid, pid_arg;
	long ret;
	struct iovec local[4], remote[4];
	int nl, nr;

	strtok_r(line, " ", &cursor);
	name = strtok_r(NULL, " ", &cursor);
	if (!name || sscanf(cursor, "%d %lu %d %d %lx %lu %lx %lu %lu %ld", &pid, &tid, &ppid,
			    &pid_arg, &local_iov, &liovcnt, &remote_iov, &riovcnt, &flags,
			    &ret) != 10) {
		e2e_fail(sh, "bad trigger32 line");
		return;
	}
	for (int i = 0; i < 10; i++)
		strtok_r(NULL, " ", &cursor);
	nl = parse_iov_list(&cursor, local, 4);
	nr = parse_iov_list(&cursor, remote, 4); /* ends on its "DATA" word */
	data_hex = strtok_r(NULL, " \n", &cursor);

	ev = e2e_expect(sh);
	ev->writev = !strcmp(name, "writev");
	ev->ia32 = true;
	e2e_identity_self(&ev->caller); /* namespaces and cgroup are inherited */
	ev->caller.pid = pid;
	ev->caller.tid = tid;
	ev->caller.ppid = ppid;
	snprintf(ev->caller.comm, sizeof(ev->caller.comm), "trigger32");
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
	expect_hex_payload(sh, ev, data_hex);
	/* its child, gone by now: what /proc would have said */
	ev->target.pid = ev->target.tid = pid_arg;
	ev->target.ppid = pid;
	ev->target.uid = ev->caller.uid;
	ev->target.pidns = ev->caller.pidns;
	ev->target.cgroup_id = ev->caller.cgroup_id;
	snprintf(ev->target.comm, sizeof(ev->target.comm), "trigger32");
	e2e_expect_relations(ev);
	if (ret != 64)
		e2e_fail(sh, "trigger32 %s returned %ld", name, ret);
}

static void run_ia32(struct e2e_shared *sh, const struct e2e_env *env)
{
	uint64_t started = e2e_wall_ns();
	char line[512];
	int out[2];
	pid_t child;
	FILE *f;

	if (pipe(out))
		return e2e_fail(sh, "pipe failed");
	child = fork();
	if (child == 0) {
		dup2(out[1], STDOUT_FILENO);
		execl(env->trigger32, "trigger32", (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	e2e_add_caller(sh, child);
	f = fdopen(out[0], "r");
	while (fgets(line, sizeof(line), f)) {
		unsigned int first = sh->n_events;

		expect_trigger32_line(sh, line);
		if (sh->n_events > first)
			sh->events[first].wall_before_ns = started;
	}
	fclose(f);
	waitpid(child, NULL, 0);
	if (sh->n_events != 2)
		e2e_fail(sh, "trigger32 reported %u calls, wants 2", sh->n_events);
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
		pid_t own_child;

		if (setgid(NOBODY) || setuid(NOBODY))
			e2e_fail(sh, "cannot become uid %d", NOBODY);
		/* a uid change makes the process undumpable, which ptrace checks refuse */
		prctl(PR_SET_DUMPABLE, 1);
		own_child = e2e_spawn_sleeper();
		expect_ret(sh, "write as nobody", write_three_into_two(sh, KEEP, own_child), 72);
		expect_ret(sh, "write as nobody into root's process",
			   write_three_into_two(sh, KEEP, sleeper), -EPERM);
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

/* --- the counters are exact -------------------------------------------- */

#define COUNTED_CALLS 2000

static void run_counters(struct e2e_shared *sh, const struct e2e_env *env)
{
	(void)env;
	for (int i = 0; i < COUNTED_CALLS; i++)
		write_three_into_two(sh, KEEP, sleeper);
	e2e_reap(sleeper);
}

const struct e2e_case e2e_cases[] = {
	{"cross_write", {0}, prepare_sleeper, run_cross_write, false, NULL},
	{"cross_read", {0}, prepare_sleeper, run_cross_read, false, NULL},
	{"esrch", {0}, NULL, run_esrch, false, NULL},
	{"einval_flags", {0}, prepare_sleeper, run_einval_flags, false, NULL},
	{"einval_1025_iovecs", {0}, prepare_sleeper, run_einval_too_many, false, NULL},
	{"efault_remote", {0}, prepare_sleeper, run_efault_remote, false, NULL},
	{"unreadable_local_array", {0}, prepare_sleeper, run_unreadable_local_array, false, NULL},
	{"array_not_resident_at_entry", {0}, prepare_sleeper, run_array_not_resident, false, NULL},
	{"1024_one_byte_iovecs", {0}, prepare_sleeper, run_1024_one_byte, false, NULL},
	{"1024_one_byte_iovecs_all_kept", {"--max-iov", "1024"}, prepare_sleeper,
	 run_1024_one_byte, false, NULL},
	{"thread_self_write", {0}, NULL, run_thread_self_write, false, NULL},
	{"ia32_int80", {0}, NULL, run_ia32, false, NULL},
	{"int80_from_64bit_code", {0}, prepare_low_memory, run_int80_from_64bit, false, NULL},
	{"hostile_comm", {0}, prepare_sleeper, run_hostile_comm, false, NULL},
	{"filter_caller_pid", {"-p", "{caller}"}, prepare_sleeper, run_filter_caller_pid, true, NULL},
	{"filter_target", {"-t", "{pid0}"}, prepare_two_sleepers, run_filter_target, false, NULL},
	{"filter_uid", {"-u", "65534"}, prepare_sleeper, run_filter_uid, false, NULL},
	{"filter_comm", {"-c", "pvm-e2e-keep"}, prepare_sleeper, run_filter_comm, false, NULL},
	{"filter_cgroup", {"--cgroup", "{path}"}, prepare_cgroup, run_filter_cgroup, false, NULL},
	{"filter_writev_only", {"-e", "writev"}, prepare_sleeper, run_filter_writev_only,
	 false, NULL},
	{"filter_readv_only", {"-e", "readv"}, prepare_sleeper, run_filter_readv_only, false, NULL},
	{"filter_cross_only", {"-x"}, prepare_sleeper, run_filter_cross_only, false, NULL},
	{"counters_exact", {"-p", "{caller}"}, prepare_sleeper, run_counters, true, NULL},
	{"target_parent", {0}, prepare_sleeper, run_target_parent, false, NULL},
	{"caller_in_container_cgroup", {0}, prepare_container_cgroup, run_caller_in_container,
	 false, remove_cgroup},
	{"target_in_child_pid_namespace", {0}, prepare_sleeper, run_target_in_child_pidns, false, NULL},
	{"regions_heap_stack_anon_rwx_library", {0}, prepare_regions, run_regions, false, NULL},
	{"capture_off", {"--capture", "0"}, prepare_sleeper, run_cross_write, false, NULL},
	{"capture_cut_at_10", {"--capture", "10"}, prepare_sleeper, run_cross_write, false, NULL},
	{"capture_4096_multi_iovec", {"--capture", "4096"}, prepare_sleeper, run_big_write_and_read,
	 false, NULL},
};

const unsigned int e2e_case_count = sizeof(e2e_cases) / sizeof(e2e_cases[0]);
