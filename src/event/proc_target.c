// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "event/proc_target.h"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define NS_PER_SEC 1000000000ULL

/* A file under an open /proc/<pid> directory, or NULL if it is gone. */
static FILE *open_at(int dir, const char *leaf)
{
	int fd = openat(dir, leaf, O_RDONLY | O_CLOEXEC);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;

	if (fd >= 0 && !f)
		close(fd);
	return f;
}

/* Tgid, PPid and the real Uid out of status. */
static bool read_status(int dir, struct pvm_target *t)
{
	FILE *f = open_at(dir, "status");
	char line[256];
	int found = 0;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		found += sscanf(line, "Tgid: %u", &t->pid) == 1;
		found += sscanf(line, "PPid: %u", &t->ppid) == 1;
		found += sscanf(line, "Uid: %u", &t->uid) == 1;
	}
	fclose(f);
	return found == 3;
}

static bool read_comm(int dir, struct pvm_target *t)
{
	FILE *f = open_at(dir, "comm");
	bool ok = f && fgets(t->comm, sizeof(t->comm), f);

	if (f)
		fclose(f);
	t->comm[strcspn(t->comm, "\n")] = 0;
	return ok;
}

/* The whole (short) file as one string, newlines and all. */
static bool fread_line(char *buf, size_t size, FILE *f)
{
	size_t len = fread(buf, 1, size - 1, f);

	buf[len] = 0;
	return len > 0;
}

#define PF_KTHREAD 0x00200000 /* include/linux/sched.h */

__u64 pvm_proc_tick_ns(void)
{
	long hz = sysconf(_SC_CLK_TCK);

	return hz > 0 ? NS_PER_SEC / (__u64)hz : 0;
}

bool pvm_proc_read_stat(int dir, struct pvm_proc_stat *st)
{
	FILE *f = open_at(dir, "stat");
	char buf[1024];
	unsigned long long ticks;
	const char *after_comm;
	__u64 tick_ns = pvm_proc_tick_ns();
	bool ok;

	/* comm may hold spaces, ')' and newlines: the fields start after the last ')' */
	ok = f && fread_line(buf, sizeof(buf), f) && (after_comm = strrchr(buf, ')')) &&
	     sscanf(after_comm + 1, " %c %u %*d %*d %*d %*d %u %*u %*u %*u %*u %*u %*u %*d %*d "
				    "%*d %*d %*d %*d %llu",
		    &st->state, &st->ppid, &st->flags, &ticks) == 4 &&
	     tick_ns;
	if (f)
		fclose(f);
	if (ok)
		st->start_ns = ticks * tick_ns;
	return ok;
}

int pvm_proc_open(const char *root, __u32 pid)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%u", root, pid);
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* stat of the thread-group leader: the process's start, not the thread's */
static bool read_leader_stat(const char *root, __u32 tgid, struct pvm_proc_stat *st)
{
	int dir = pvm_proc_open(root, tgid);
	bool ok;

	if (dir < 0)
		return false;
	ok = pvm_proc_read_stat(dir, st);
	close(dir);
	return ok;
}

/*
 * Ended, or on its way: a zombie, or a process (not a kernel thread) that
 * has already let go of its memory and so of its executable.
 */
static bool has_ended(const struct pvm_proc_stat *st, const struct pvm_exe *exe)
{
	return st->state == 'Z' || st->state == 'X' ||
	       (!(st->flags & PF_KTHREAD) && !(exe->flags & PVM_EXE_KNOWN));
}

static bool read_pidns(int dir, struct pvm_target *t)
{
	struct stat st;

	if (fstatat(dir, "ns/pid", &st, 0))
		return false;
	t->pidns = (__u32)st.st_ino;
	return true;
}


void pvm_proc_read_exe(int dir, struct pvm_exe *exe, char path[PVM_EXE_PATH_MAX])
{
	char link[4096 + sizeof(PVM_DELETED_SUFFIX)];
	size_t suffix = strlen(PVM_DELETED_SUFFIX);
	struct stat st;
	ssize_t len = readlinkat(dir, "exe", link, sizeof(link));

	if (len <= 0 || (size_t)len >= sizeof(link) || fstatat(dir, "exe", &st, 0))
		return;
	exe->flags = PVM_EXE_KNOWN;
	exe->ino = st.st_ino;
	exe->dev = major(st.st_dev) << 20 | minor(st.st_dev); /* the kernel's MKDEV() */
	if ((size_t)len > suffix && !memcmp(link + len - suffix, PVM_DELETED_SUFFIX, suffix)) {
		exe->flags |= PVM_EXE_DELETED;
		len -= suffix;
	}
	if (len > PVM_EXE_PATH_MAX) {
		/* the tail, from a component's start, as the kernel side keeps it */
		const char *tail = memchr(link + len - PVM_EXE_PATH_MAX, '/', PVM_EXE_PATH_MAX);

		exe->flags |= PVM_EXE_TRUNCATED;
		len = tail ? link + len - tail : 0;
		memmove(link, tail ? tail : link, len);
	}
	memcpy(path, link, len);
	exe->path_len = (__u16)len;
}

bool pvm_proc_target_predates(const struct pvm_target *t, __u64 call_boot_ns, __u64 tick_ns)
{
	return t->start_boot_ns + tick_ns <= call_boot_ns;
}

enum pvm_target_source pvm_proc_target(const char *proc_root, __s32 pid, __u32 caller_pidns,
				       struct pvm_target *t, char exe[PVM_EXE_PATH_MAX])
{
	struct pvm_proc_stat st;
	bool whole;
	int dir;

	if (caller_pidns != PVM_INIT_PIDNS_INUM)
		return PVM_TARGET_UNRESOLVED;
	memset(t, 0, sizeof(*t));
	dir = pid > 0 ? pvm_proc_open(proc_root, (__u32)pid) : -1;
	if (dir < 0)
		return PVM_TARGET_NONE;
	t->tid = (__u32)pid;
	whole = read_status(dir, t) && read_comm(dir, t) && read_pidns(dir, t) &&
		read_leader_stat(proc_root, t->pid, &st);
	pvm_proc_read_exe(dir, &t->exe, exe);
	close(dir);
	/* a process that ended while we read says nothing whole of itself */
	if (!whole || has_ended(&st, &t->exe))
		return PVM_TARGET_UNRESOLVED;
	t->start_boot_ns = st.start_ns;
	return PVM_TARGET_KERNEL;
}

void pvm_proc_target_memo_clear(struct pvm_proc_target_memo *m)
{
	if (m->pid)
		close(m->pidfd);
	m->pid = 0;
}

/* The memo's process has not ended: no event on its pidfd. */
static bool still_runs(const struct pvm_proc_target_memo *m)
{
	struct pollfd p = {.fd = m->pidfd, .events = POLLIN};

	return poll(&p, 1, 0) == 0;
}

static bool memo_holds(const struct pvm_proc_target_memo *m, __s32 pid, __u32 caller_pidns,
		       __u64 now_ns)
{
	return m->pid && m->pid == pid && m->caller_pidns == caller_pidns &&
	       now_ns - m->read_ns < PVM_PROC_TARGET_MEMO_NS && still_runs(m);
}

/*
 * The pidfd first, then /proc: what is read is that process, or one that
 * took its pid after it ended, which the pidfd then says.
 */
static enum pvm_target_source read_into_memo(struct pvm_proc_target_memo *m,
					     const char *proc_root, __s32 pid, __u32 caller_pidns,
					     __u64 now_ns)
{
	int pidfd = pid > 0 ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
	enum pvm_target_source source = pvm_proc_target(proc_root, pid, caller_pidns, &m->t, m->exe);

	pvm_proc_target_memo_clear(m);
	if (pidfd >= 0 && source == PVM_TARGET_KERNEL) {
		m->pid = pid;
		m->caller_pidns = caller_pidns;
		m->pidfd = pidfd;
		m->read_ns = now_ns;
	} else if (pidfd >= 0) {
		close(pidfd);
	}
	return source;
}

enum pvm_target_source pvm_proc_target_memo(struct pvm_proc_target_memo *m,
					    const char *proc_root, __s32 pid, __u32 caller_pidns,
					    __u64 now_ns, struct pvm_target *t,
					    char exe[PVM_EXE_PATH_MAX])
{
	enum pvm_target_source source = PVM_TARGET_KERNEL;

	if (!memo_holds(m, pid, caller_pidns, now_ns))
		source = read_into_memo(m, proc_root, pid, caller_pidns, now_ns);
	*t = m->t;
	memcpy(exe, m->exe, PVM_EXE_PATH_MAX);
	return source;
}
