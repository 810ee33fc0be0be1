// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "trigger.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KERNEL_UIO_MAXIOV 1024 /* include/uapi/linux/uio.h */

uint64_t e2e_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

struct e2e_shared *e2e_shared_create(void)
{
	struct e2e_shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (sh == MAP_FAILED) {
		perror("e2e: mmap");
		exit(1);
	}
	return sh;
}

void e2e_shared_reset(struct e2e_shared *sh, uint32_t max_iov, uint32_t capture)
{
	sh->max_iov = max_iov;
	sh->capture = capture;
	sh->n_data = 0;
	sh->n_events = 0;
	sh->n_iov = 0;
	sh->n_callers = 0;
	sh->n_hidden = 0;
	memset(sh->pids, 0, sizeof(sh->pids));
	sh->path[0] = 0;
	sh->failure[0] = 0;
	sh->capture_dir = false;
	sh->capture_max = 0;
	sh->n_stored = 0;
}

void e2e_exe_display(const char *link, char out[E2E_EXE_LEN])
{
	static const char deleted[] = " (deleted)";
	size_t len = strlen(link), suffix = strlen(deleted);
	bool gone = len > suffix && !strcmp(link + len - suffix, deleted);
	const char *path = link, *dots = "";

	if (gone)
		len -= suffix;
	if (len > E2E_EXE_PATH_MAX) {
		/* the longest tail that starts a component and fits */
		const char *tail = memchr(link + len - E2E_EXE_PATH_MAX, '/', E2E_EXE_PATH_MAX);

		if (!tail) {
			out[0] = 0; /* one component longer than that: nothing to show */
			return;
		}
		dots = "...";
		len -= tail - link;
		path = tail;
	}
	snprintf(out, E2E_EXE_LEN, "%s%.*s%s", dots, (int)len, path, gone ? deleted : "");
}

void e2e_exe_of(const char *proc_link, char out[E2E_EXE_LEN])
{
	char link[PATH_MAX + 16];
	ssize_t len = readlink(proc_link, link, sizeof(link) - 1);

	if (len <= 0) {
		out[0] = 0;
		return;
	}
	link[len] = 0;
	e2e_exe_display(link, out);
}

void e2e_fail(struct e2e_shared *sh, const char *fmt, ...)
{
	va_list ap;

	if (sh->failure[0])
		return;
	va_start(ap, fmt);
	vsnprintf(sh->failure, sizeof(sh->failure), fmt, ap);
	va_end(ap);
}

void e2e_add_caller(struct e2e_shared *sh, pid_t pid)
{
	if (sh->n_callers < E2E_MAX_PIDS)
		sh->callers[sh->n_callers++] = pid;
}

static uint64_t inode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_ino;
}

int e2e_cgroup2_mount(char *buf, size_t len)
{
	char line[512];
	FILE *f = fopen("/proc/self/mountinfo", "r");
	int found = -1;

	while (f && fgets(line, sizeof(line), f)) {
		/* id parent maj:min root mount-point options... - fstype source opts */
		const char *sep = strstr(line, " - ");
		char mnt[256];

		if (sep && !strncmp(sep + 3, "cgroup2 ", 8) &&
		    sscanf(line, "%*s %*s %*s %*s %255s", mnt) == 1 &&
		    (size_t)snprintf(buf, len, "%s", mnt) < len)
			found = 0;
	}
	if (f)
		fclose(f);
	return found;
}

/*
 * The cgroup v2 id of a process: the inode of its cgroup2 directory (kernfs
 * node id), found through /proc/PID/cgroup's "0::" line.
 */
static uint64_t cgroup_id_of(const char *pid)
{
	char line[512], mount_point[256], rel[256] = "", path[600];
	FILE *f;

	if (e2e_cgroup2_mount(mount_point, sizeof(mount_point)))
		return 1; /* no cgroup2: the kernel reports the root, id 1 */
	snprintf(path, sizeof(path), "/proc/%s/cgroup", pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3))
			sscanf(line + 3, "%255s", rel);
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "%s%s", mount_point, strcmp(rel, "/") ? rel : "");
	return inode_of(path);
}

/*
 * Our ids as the initial pid namespace numbers them, which is what pvmtrace
 * reports: /proc (mounted there) says so even inside a child pid namespace,
 * where getpid() would not.
 */
static void host_ids(struct e2e_identity *id)
{
	FILE *f = fopen("/proc/thread-self/status", "r");
	char line[256];

	while (f && fgets(line, sizeof(line), f)) {
		sscanf(line, "Tgid: %u", &id->pid);
		sscanf(line, "Pid: %u", &id->tid);
		sscanf(line, "PPid: %u", &id->ppid);
	}
	if (f)
		fclose(f);
}

/* Our parent's exe as e2e_pin_parent_exe() read it, for this process and parent. */
static struct {
	pid_t self, parent;
	char exe[E2E_EXE_LEN];
} pinned;

void e2e_pin_parent_exe(void)
{
	char link[64];

	pinned.self = getpid();
	pinned.parent = getppid();
	snprintf(link, sizeof(link), "/proc/%d/exe", pinned.parent);
	e2e_exe_of(link, pinned.exe);
}

static void parent_exe_of(struct e2e_identity *id)
{
	char link[64];

	snprintf(link, sizeof(link), "/proc/%u/exe", id->ppid);
	e2e_exe_of(link, id->parent_exe);
	if (!id->parent_exe[0] && pinned.self == getpid() && (uint32_t)pinned.parent == id->ppid)
		memcpy(id->parent_exe, pinned.exe, sizeof(id->parent_exe));
}

void e2e_identity_self(struct e2e_identity *id)
{
	memset(id, 0, sizeof(*id));
	host_ids(id);
	id->uid = getuid();
	id->gid = getgid();
	prctl(PR_GET_NAME, id->comm);
	id->cgroup_id = cgroup_id_of("self");
	id->pidns = inode_of("/proc/thread-self/ns/pid");
	id->mntns = inode_of("/proc/thread-self/ns/mnt");
	id->code = "x86_64";
	e2e_exe_of("/proc/self/exe", id->exe);
	parent_exe_of(id);
}

void e2e_expect_relations(struct e2e_expected *ev)
{
	ev->target.same_process = ev->target.pid == ev->caller.pid;
	ev->target.child = ev->target.ppid == ev->caller.pid;
	ev->target.parent = ev->target.pid == ev->caller.ppid;
	ev->target.same_uid = ev->target.uid == ev->caller.uid;
	ev->target.same_pidns = ev->target.pidns == ev->caller.pidns;
}

void e2e_expect_target(struct e2e_expected *ev, pid_t pid)
{
	char path[64], line[256], buf[1024], num[16];
	FILE *f;
	const char *after;

	memset(&ev->target, 0, sizeof(ev->target));
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = pid > 0 ? fopen(path, "r") : NULL;
	if (!f || ev->ret == -ESRCH) {
		ev->target.null = true;
		if (f)
			fclose(f);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "Tgid: %u", &ev->target.pid);
		sscanf(line, "PPid: %u", &ev->target.ppid);
		sscanf(line, "Uid: %u", &ev->target.uid);
	}
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "r");
	if (f && fgets(ev->target.comm, sizeof(ev->target.comm), f))
		ev->target.comm[strcspn(ev->target.comm, "\n")] = 0;
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	e2e_exe_of(path, ev->target.exe);
	ev->target.tid = pid;
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", pid);
	ev->target.pidns = inode_of(path);
	/* another uid's ns links are not ours to read; no case here makes a pid ns */
	if (!ev->target.pidns)
		ev->target.pidns = ev->caller.pidns;
	snprintf(num, sizeof(num), "%u", ev->target.pid);
	ev->target.cgroup_id = cgroup_id_of(num);
	snprintf(path, sizeof(path), "/proc/%u/stat", ev->target.pid);
	f = fopen(path, "r");
	if (f && fgets(buf, sizeof(buf), f) && (after = strrchr(buf, ')')))
		sscanf(after + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d "
				  "%*d %*d %*d %lu", &ev->target.start_ticks);
	if (f)
		fclose(f);
	e2e_expect_relations(ev);
}

bool e2e_library_file(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t len = strlen(base);

	return strstr(base, ".so.") || (len > 3 && !strcmp(base + len - 3, ".so"));
}

bool e2e_region_of_line(const char *maps_line, uint64_t addr, struct e2e_region *r)
{
	unsigned long start, end;
	char perms[5], path[256] = "";

	if (sscanf(maps_line, "%lx-%lx %4s %*s %*s %*s %255[^\n]", &start, &end, perms, path) < 3 ||
	    addr < start || addr >= end)
		return false;
	r->none = false;
	r->start = start;
	r->end = end;
	memcpy(r->perms, perms, sizeof(r->perms));
	snprintf(r->path, sizeof(r->path), "%s", path);
	snprintf(r->kind, sizeof(r->kind), "%s",
		 !strcmp(path, "[heap]")    ? "heap"
		 : !strcmp(path, "[stack]") ? "stack"
		 : !strcmp(path, "[vdso]")  ? "vdso"
		 : path[0] == '[' || !path[0] ? "anon"
					      : "file");
	return true;
}

/* What /proc/PID/maps says holds addr, the way pvmtrace must report it. */
static void expect_region(FILE *maps, uint64_t addr, struct e2e_region *r)
{
	char line[512];

	r->none = true;
	rewind(maps);
	while (fgets(line, sizeof(line), maps))
		if (e2e_region_of_line(line, addr, r))
			return;
}

void e2e_expect_regions(struct e2e_expected *ev, pid_t pid, const struct iovec *remote,
			unsigned long count)
{
	char path[64];
	FILE *maps;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	maps = ev->target.null ? NULL : fopen(path, "r");
	ev->regions_known = maps != NULL;
	for (unsigned long i = 0; maps && i < count && i < E2E_REGIONS; i++)
		expect_region(maps, (uintptr_t)remote[i].iov_base, &ev->regions[i]);
	if (maps)
		fclose(maps);
}

struct e2e_expected *e2e_expect(struct e2e_shared *sh)
{
	struct e2e_expected *ev;

	if (sh->n_events >= E2E_MAX_EVENTS) {
		e2e_fail(sh, "too many expected events");
		return &sh->events[E2E_MAX_EVENTS - 1];
	}
	ev = &sh->events[sh->n_events++];
	memset(ev, 0, sizeof(*ev));
	return ev;
}

void e2e_expect_side(struct e2e_shared *sh, struct e2e_side *side, const struct iovec *iov,
		     uint64_t count, bool readable)
{
	uint64_t keep = count < sh->max_iov ? count : sh->max_iov;

	memset(side, 0, sizeof(*side));
	if (!readable) {
		side->kind = E2E_IOV_NULL;
		side->bytes_null = true;
		return;
	}
	if (sh->n_iov + keep > E2E_MAX_IOV_TOTAL) {
		e2e_fail(sh, "iovec pool exhausted");
		return;
	}
	side->first = sh->n_iov;
	side->n = keep;
	for (uint64_t i = 0; i < keep; i++) {
		sh->iov[sh->n_iov + i].base = (uintptr_t)iov[i].iov_base;
		sh->iov[sh->n_iov + i].len = iov[i].iov_len;
	}
	sh->n_iov += keep;
	/* more than UIO_MAXIOV: the kernel refuses the array, no total */
	side->bytes_null = count > KERNEL_UIO_MAXIOV;
	for (uint64_t i = 0; !side->bytes_null && i < count; i++)
		side->bytes += iov[i].iov_len;
}

/*
 * Cases pass an unreadable array as NULL or an address in the first 64 KiB,
 * which nothing in these test processes maps.
 */
#define NEVER_MAPPED_BELOW 0x10000

static bool iov_readable(const struct iovec *iov, uint64_t count)
{
	return count == 0 || (uintptr_t)iov >= NEVER_MAPPED_BELOW;
}

/* The first `want` bytes the first max_iov local iovecs point to. */
static uint32_t gather(struct e2e_shared *sh, const struct iovec *local, uint64_t count,
		       uint64_t want)
{
	uint32_t got = 0;

	if (sh->n_data + want > E2E_DATA_POOL) {
		e2e_fail(sh, "data pool exhausted");
		return 0;
	}
	for (uint64_t i = 0; i < count && i < sh->max_iov && got < want; i++) {
		uint64_t n = local[i].iov_len < want - got ? local[i].iov_len : want - got;

		memcpy(sh->data_pool + sh->n_data + got, local[i].iov_base, n);
		got += n;
	}
	return got;
}

void e2e_stored_name(const unsigned char *sha256, char out[E2E_STORED_NAME_LEN])
{
	for (int i = 0; i < E2E_SHA256_LEN; i++)
		sprintf(out + 2 * i, "%02x", sha256[i]);
	strcpy(out + 2 * E2E_SHA256_LEN, ".bin");
}

/* Bytes the first max_iov local iovecs hold: all that pvmtrace reads through. */
static uint64_t kept_bytes(const struct e2e_shared *sh, const struct iovec *local, uint64_t count)
{
	uint64_t sum = 0;

	for (uint64_t i = 0; i < count && i < sh->max_iov; i++)
		sum += local[i].iov_len;
	return sum;
}

/* SHA-256 of the first len bytes the local iovecs point to (they hold them). */
static void digest_of(const struct iovec *local, uint64_t len, unsigned char out[E2E_SHA256_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (uint64_t i = 0; len; i++) {
		uint64_t n = local[i].iov_len < len ? local[i].iov_len : len;

		EVP_DigestUpdate(ctx, local[i].iov_base, n);
		len -= n;
	}
	EVP_DigestFinal_ex(ctx, out, NULL);
	EVP_MD_CTX_free(ctx);
}

/* "new" the first time the case's directory gets this content, then "existing". */
static const char *remember_stored(struct e2e_shared *sh, const unsigned char *sha256,
				   uint64_t bytes)
{
	for (uint32_t i = 0; i < sh->n_stored; i++)
		if (!memcmp(sh->stored[i].sha256, sha256, E2E_SHA256_LEN))
			return "existing";
	if (sh->n_stored == E2E_MAX_STORED) {
		e2e_fail(sh, "too many stored payloads");
		return "new";
	}
	memcpy(sh->stored[sh->n_stored].sha256, sha256, E2E_SHA256_LEN);
	sh->stored[sh->n_stored++].bytes = bytes;
	return "new";
}

/*
 * --capture-dir: the kernel side sends the `sent` bytes (what a write asks,
 * what a read got) unless they cannot be read or are too many; user space
 * stores the `moved` bytes of them.
 */
static void expect_store(struct e2e_shared *sh, struct e2e_expected *ev, const struct iovec *local,
			 uint64_t sent, uint64_t moved)
{
	const char *outcome;

	memset(&ev->store, 0, sizeof(ev->store));
	if (!sh->capture_dir)
		return;
	if (ev->local.kind != E2E_IOV_ARRAY)
		outcome = "unreadable";
	else if (sent > sh->capture_max)
		outcome = "too_large";
	else if (kept_bytes(sh, local, ev->liovcnt) < sent)
		outcome = "iov_limit";
	else if (moved == 0)
		outcome = "empty";
	else {
		digest_of(local, moved, ev->store.sha256);
		ev->store.bytes = moved;
		outcome = remember_stored(sh, ev->store.sha256, moved);
	}
	snprintf(ev->store.outcome, sizeof(ev->store.outcome), "%s", outcome);
}

void e2e_expect_payload(struct e2e_shared *sh, struct e2e_expected *ev, const struct iovec *local)
{
	bool readable = ev->local.kind == E2E_IOV_ARRAY;
	uint64_t asked = readable && !ev->local.bytes_null ? ev->local.bytes : 0;
	uint64_t total, want;

	if (ev->writev)
		total = ev->ret >= 0 ? (uint64_t)ev->ret : asked;
	else
		total = ev->ret > 0 ? (uint64_t)ev->ret : 0;
	want = total < sh->capture ? total : sh->capture;
	/* with --capture-dir, data is an object even with --capture 0 */
	ev->data.null = sh->capture == 0 && !sh->capture_dir;
	ev->data.total = total;
	ev->data.first = sh->n_data;
	ev->data.len = readable ? gather(sh, local, ev->liovcnt, want) : 0;
	ev->data.complete = readable && ev->data.len == want && sh->capture > 0;
	sh->n_data += ev->data.len;
	expect_store(sh, ev, local, ev->writev ? asked : total, total);
}

long e2e_call(struct e2e_shared *sh, bool expect_event, bool writev, pid_t pid,
	      const struct iovec *local, unsigned long liovcnt, const struct iovec *remote,
	      unsigned long riovcnt, unsigned long flags)
{
	return e2e_call_ns(sh, expect_event, writev, pid, pid, local, liovcnt, remote, riovcnt,
			   flags);
}

/* Everything a call's event must say, from its arguments and result (now). */
static void expect_call(struct e2e_shared *sh, struct e2e_expected *ev, bool writev, pid_t pid,
			pid_t host_pid, const struct iovec *local, unsigned long liovcnt,
			const struct iovec *remote, unsigned long riovcnt, unsigned long flags)
{
	ev->writev = writev;
	e2e_identity_self(&ev->caller);
	ev->pid_arg = pid;
	ev->local_iov = (uintptr_t)local;
	ev->liovcnt = liovcnt;
	ev->remote_iov = (uintptr_t)remote;
	ev->riovcnt = riovcnt;
	ev->flags = flags;
	e2e_expect_side(sh, &ev->local, local, liovcnt, iov_readable(local, liovcnt));
	e2e_expect_side(sh, &ev->remote, remote, riovcnt, iov_readable(remote, riovcnt));
	ev->truncated = (ev->local.kind == E2E_IOV_ARRAY && liovcnt > ev->local.n) ||
			(ev->remote.kind == E2E_IOV_ARRAY && riovcnt > ev->remote.n);
	e2e_expect_target(ev, host_pid);
	if (iov_readable(remote, riovcnt))
		e2e_expect_regions(ev, host_pid, remote, riovcnt);
	e2e_expect_payload(sh, ev, local);
}

long e2e_call_ns(struct e2e_shared *sh, bool expect_event, bool writev, pid_t pid,
		 pid_t host_pid, const struct iovec *local, unsigned long liovcnt,
		 const struct iovec *remote, unsigned long riovcnt, unsigned long flags)
{
	struct e2e_expected ev = {0};
	long ret;

	ev.wall_before_ns = e2e_wall_ns();
	ret = syscall(writev ? SYS_process_vm_writev : SYS_process_vm_readv, pid, local, liovcnt,
		      remote, riovcnt, flags);
	if (ret < 0)
		ret = -errno;
	ev.wall_after_ns = e2e_wall_ns();
	if (!expect_event)
		return ret;
	ev.ret = ret;
	expect_call(sh, &ev, writev, pid, host_pid, local, liovcnt, remote, riovcnt, flags);
	*e2e_expect(sh) = ev;
	return ret;
}

void e2e_call_killed(struct e2e_shared *sh, pid_t pid, const struct iovec *local,
		     unsigned long liovcnt, const struct iovec *remote, unsigned long riovcnt)
{
	struct e2e_expected *ev = e2e_expect(sh);
	long ret;

	/* the kernel pins no page with SIGKILL pending: EFAULT, which the caller never sees */
	ev->ret = -EFAULT;
	ev->action = E2E_ACTION_KILLED;
	expect_call(sh, ev, true, pid, pid, local, liovcnt, remote, riovcnt, 0);
	ev->wall_after_ns = 0; /* the parent's to set, once the caller is dead */
	ev->wall_before_ns = e2e_wall_ns();
	ret = syscall(SYS_process_vm_writev, pid, local, liovcnt, remote, riovcnt, 0);
	e2e_fail(sh, "--enforce did not stop the write into %d: it returned %ld", pid,
		 ret < 0 ? -errno : ret);
}

/* Whole lines of path that are events of the case's callers. */
static unsigned int caller_lines(const struct e2e_shared *sh, const char *path)
{
	static const char key[] = "\"caller\":{\"pid\":";
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned int n = 0;

	while (f && (len = getline(&line, &cap, f)) > 0) {
		const char *at = strstr(line, key);
		unsigned int pid;

		if (line[len - 1] != '\n' || !at || sscanf(at + strlen(key), "%u", &pid) != 1)
			continue;
		for (uint32_t i = 0; i < sh->n_callers; i++)
			n += (uint32_t)sh->callers[i] == pid;
	}
	free(line);
	if (f)
		fclose(f);
	return n;
}

bool e2e_events_written(const struct e2e_shared *sh, const char *out_path, bool sees_ia32,
			int timeout_ms)
{
	struct timespec pause_10ms = {0, 10 * 1000 * 1000};
	unsigned int want = 0;

	for (uint32_t i = 0; i < sh->n_events; i++)
		want += !sh->events[i].ia32 || sees_ia32;
	for (int waited = 0; waited < timeout_ms; waited += 10) {
		if (caller_lines(sh, out_path) >= want)
			return true;
		nanosleep(&pause_10ms, NULL);
	}
	return false;
}

pid_t e2e_spawn_sleeper(void)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a failed case */
		/* a parent killed before the line above (--enforce does) sends nothing */
		if (getppid() != parent)
			_exit(0);
		/* a pipe end of the test's kept here would keep that pipe open */
		close_range(3, ~0U, 0);
		for (;;)
			pause();
	}
	return pid;
}

void e2e_reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

struct holder_request {
	uintptr_t addr;
	size_t len;
};

void e2e_spawn_holder(struct e2e_holder *h)
{
	int ask[2], answer[2];

	if (pipe(ask) || pipe(answer)) {
		h->pid = -1;
		return;
	}
	h->pid = fork();
	if (h->pid == 0) {
		struct holder_request req;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(ask[1]);
		close(answer[0]);
		while (read(ask[0], &req, sizeof(req)) == sizeof(req))
			if (write(answer[1], (const void *)req.addr, req.len) != (ssize_t)req.len)
				break;
		_exit(0);
	}
	close(ask[0]);
	close(answer[1]);
	h->ask = ask[1];
	h->answer = answer[0];
}

bool e2e_holder_read(const struct e2e_holder *h, const void *addr, size_t len, void *out)
{
	struct holder_request req = {(uintptr_t)addr, len};
	size_t got = 0;

	if (write(h->ask, &req, sizeof(req)) != sizeof(req))
		return false;
	while (got < len) {
		ssize_t n = read(h->answer, (char *)out + got, len - got);

		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	return true;
}

void e2e_end_holder(struct e2e_holder *h)
{
	close(h->ask);
	close(h->answer);
	e2e_reap(h->pid);
}
