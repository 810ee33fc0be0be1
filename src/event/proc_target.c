// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "event/proc_target.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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

/*
 * Field 22 of the process's stat, in clock ticks since boot: its start to the
 * tick, where the kernel side gives nanoseconds.
 */
static bool read_start_ns(const char *root, __u32 tgid, __u64 *start_ns)
{
	char path[256], buf[1024];
	unsigned long long ticks;
	const char *after_comm;
	long hz = sysconf(_SC_CLK_TCK);
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s/%u/stat", root, tgid);
	f = fopen(path, "re");
	/* comm may hold spaces, ')' and newlines: the fields start after the last ')' */
	ok = f && fread_line(buf, sizeof(buf), f) && (after_comm = strrchr(buf, ')')) &&
	     sscanf(after_comm + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
				    "%*d %*d %*d %*d %llu",
		    &ticks) == 1 &&
	     hz > 0;
	if (f)
		fclose(f);
	if (ok)
		*start_ns = ticks * (NS_PER_SEC / (__u64)hz);
	return ok;
}

static bool read_pidns(int dir, struct pvm_target *t)
{
	struct stat st;

	if (fstatat(dir, "ns/pid", &st, 0))
		return false;
	t->pidns = (__u32)st.st_ino;
	return true;
}

enum pvm_target_source pvm_proc_target(const char *proc_root, __s32 pid, __u32 caller_pidns,
				       struct pvm_target *t)
{
	char path[256];
	bool whole;
	int dir;

	if (caller_pidns != PVM_INIT_PIDNS_INUM)
		return PVM_TARGET_UNRESOLVED;
	memset(t, 0, sizeof(*t));
	snprintf(path, sizeof(path), "%s/%d", proc_root, pid);
	dir = pid > 0 ? open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (dir < 0)
		return PVM_TARGET_NONE;
	t->tid = (__u32)pid;
	whole = read_status(dir, t) && read_comm(dir, t) && read_pidns(dir, t) &&
		read_start_ns(proc_root, t->pid, &t->start_boot_ns);
	close(dir);
	/* a process that ended while we read says nothing whole of itself */
	return whole ? PVM_TARGET_KERNEL : PVM_TARGET_UNRESOLVED;
}
