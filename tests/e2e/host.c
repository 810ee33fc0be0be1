// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The host probes of host.h. Each one does what the cases would do, in a
 * child, and says what went wrong: a kernel booted with ia32 emulation off
 * answers an exec of an i386 ELF with ENOEXEC and `int $0x80` with SIGSEGV.
 */
#include "host.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "trigger.h"

#define NR_IA32_GETPID 20

static const char *const need_names[E2E_NEED_COUNT] = {"ia32", "int80", "cgroup2", "pidns",
						       "mntns"};

static unsigned int need_index(unsigned int need)
{
	return (unsigned int)__builtin_ctz(need);
}

static void set_missing(struct e2e_host *h, unsigned int need, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_missing(struct e2e_host *h, unsigned int need, const char *fmt, ...)
{
	va_list ap;

	h->missing |= need;
	va_start(ap, fmt);
	vsnprintf(h->why[need_index(need)], sizeof(h->why[0]), fmt, ap);
	va_end(ap);
}

/* How a probe's child ended, in words; "" when it exited 0. */
static void describe_status(int status, char *out, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(out, len, "killed by SIG%s", sigabbrev_np(WTERMSIG(status)));
	else if (WEXITSTATUS(status))
		snprintf(out, len, "%s", strerror(WEXITSTATUS(status)));
	else
		out[0] = 0;
}

/* Runs fn in a child, which exits with the errno fn returns; its wait status. */
static int in_child(int (*fn)(void))
{
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct rlimit no_core = {0, 0};

		setrlimit(RLIMIT_CORE, &no_core); /* a probe's SIGSEGV is an answer, not a crash */
		_exit(fn());
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

static int int80_getpid(void)
{
	long ret;

	/* r8-r11: kernels before v4.17 (8bb2610bc496) zeroed them on this path */
	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(NR_IA32_GETPID)
			 : "memory", "cc", "r8", "r9", "r10", "r11");
	return ret == getpid() ? 0 : EPROTO;
}

static int new_pid_namespace(void)
{
	return unshare(CLONE_NEWPID) ? errno : 0;
}

static int new_mount_namespace(void)
{
	return unshare(CLONE_NEWNS) ? errno : 0;
}

static void probe_in_child(struct e2e_host *h, unsigned int need, int (*fn)(void),
			   const char *what)
{
	int status = in_child(fn);
	char how[64];

	if (status < 0)
		return set_missing(h, need, "%s: fork failed", what);
	describe_status(status, how, sizeof(how));
	if (how[0])
		set_missing(h, need, "%s: %s", what, how);
}

/*
 * Execs `trigger32 --probe`, which exits 0 at once; the exec's errno comes
 * back through a close-on-exec pipe.
 */
static void probe_ia32_programs(struct e2e_host *h, const char *trigger32)
{
	int report[2], exec_errno = 0, status = 0;
	pid_t pid;

	if (pipe2(report, O_CLOEXEC))
		return set_missing(h, E2E_NEED_IA32, "pipe failed");
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execl(trigger32, "trigger32", "--probe", (char *)NULL);
		exec_errno = errno;
		if (write(report[1], &exec_errno, sizeof(exec_errno)) < 0)
			_exit(127);
		_exit(127);
	}
	close(report[1]);
	if (read(report[0], &exec_errno, sizeof(exec_errno)) != sizeof(exec_errno))
		exec_errno = 0;
	close(report[0]);
	waitpid(pid, &status, 0);
	if (exec_errno)
		set_missing(h, E2E_NEED_IA32, "exec of %s: %s", trigger32, strerror(exec_errno));
	else if (!WIFEXITED(status) || WEXITSTATUS(status))
		set_missing(h, E2E_NEED_IA32, "%s --probe ended with wait status %#x", trigger32,
			    status);
}

static void probe_cgroup2(struct e2e_host *h)
{
	char root[160], dir[200];

	if (e2e_cgroup2_mount(root, sizeof(root)))
		return set_missing(h, E2E_NEED_CGROUP2, "no cgroup2 mount in /proc/self/mountinfo");
	snprintf(dir, sizeof(dir), "%s/pvmtrace-e2e-probe-%d", root, getpid());
	if (mkdir(dir, 0755))
		return set_missing(h, E2E_NEED_CGROUP2, "mkdir %s: %s", dir, strerror(errno));
	rmdir(dir);
}

void e2e_host_probe(struct e2e_host *h, const char *trigger32)
{
	memset(h, 0, sizeof(*h));
	probe_ia32_programs(h, trigger32);
	probe_in_child(h, E2E_NEED_INT80, int80_getpid, "int $0x80 (getpid) from 64-bit code");
	probe_cgroup2(h);
	probe_in_child(h, E2E_NEED_PIDNS, new_pid_namespace, "unshare(CLONE_NEWPID) in a child");
	probe_in_child(h, E2E_NEED_MNTNS, new_mount_namespace, "unshare(CLONE_NEWNS) in a child");
}

void e2e_host_print(const struct e2e_host *h)
{
	for (unsigned int i = 0; i < E2E_NEED_COUNT; i++) {
		bool has = !(h->missing & (1u << i));

		printf("# host: %-7s %s%s%s%s\n", need_names[i], has ? "yes" : "no",
		       has ? "" : " (", has ? "" : h->why[i], has ? "" : ")");
	}
	fflush(stdout);
}

unsigned int e2e_host_lacks(const struct e2e_host *h, unsigned int needs)
{
	unsigned int lacking = h->missing & needs;

	return lacking & -lacking;
}

const char *e2e_host_why(const struct e2e_host *h, unsigned int need)
{
	return h->why[need_index(need)];
}

const char *e2e_need_name(unsigned int need)
{
	return need_names[need_index(need)];
}

bool e2e_host_skips(const struct e2e_host *h, unsigned int needs, const char *label,
		    struct e2e_tally *t)
{
	unsigned int lacking = e2e_host_lacks(h, needs);
	bool required = lacking & h->required;

	if (!lacking)
		return false;
	printf("%s - %s: needs %s: %s%s\n", required ? "not ok" : "skip", label,
	       e2e_need_name(lacking), e2e_host_why(h, lacking),
	       required ? " (but --require names it)" : "");
	fflush(stdout);
	*(required ? &t->failed : &t->skipped) += 1;
	return true;
}
