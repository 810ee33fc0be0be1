// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The /proc fallback for the target, on a fake /proc tree. */
#include "event/proc_target.h"
#include "unit.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static char root[64];

static void put(const char *leaf, const char *content)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, leaf);
	f = fopen(path, "w");
	fputs(content, f);
	fclose(f);
}

/* Thread 4301 of process 4300, child of 4242; comm with a space, ')' and '\n'. */
static void make_fake_proc(void)
{
	char dir[128];

	snprintf(root, sizeof(root), "/tmp/pvmtrace-unit-proc-XXXXXX");
	if (!mkdtemp(root))
		return;
	snprintf(dir, sizeof(dir), "%s/4301", root);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/4301/ns", root);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/4300", root);
	mkdir(dir, 0755);
	put("4301/status", "Name:\tweird) name\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4300\n"
			   "Ngid:\t0\nPid:\t4301\nPPid:\t4242\nTracerPid:\t0\n"
			   "Uid:\t1000\t1000\t1000\t1000\nGid:\t100\t100\t100\t100\n");
	put("4301/comm", "weird) name\n");
	put("4301/ns/pid", "");
	/* field 22, starttime, is 12345 ticks */
	put("4300/stat", "4300 (weird)\n name) S 4242 4300 4300 0 -1 4194560 100 0 0 0 1 2 0 0 "
			 "20 0 2 0 12345 1000000 100 18446744073709551615\n");
}

static void remove_fake_proc(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd))
		unit_fail(__FILE__, __LINE__, "cannot remove %s", root);
}

static void link_exe(const char *target, struct stat *st);

UNIT_TEST(proc_target_reads_a_thread_of_a_process)
{
	char exe[PVM_EXE_PATH_MAX];
	struct pvm_target t;
	struct stat st;
	char ns[128];

	make_fake_proc();
	link_exe("usr/bin/tool", &st);
	snprintf(ns, sizeof(ns), "%s/4301/ns/pid", root);
	stat(ns, &st);
	CHECK_EQ(pvm_proc_target(root, 4301, PVM_INIT_PIDNS_INUM, &t, exe), PVM_TARGET_KERNEL);
	CHECK_EQ(t.pid, 4300);
	CHECK_EQ(t.tid, 4301);
	CHECK_EQ(t.ppid, 4242);
	CHECK_EQ(t.uid, 1000);
	CHECK_STR(t.comm, "weird) name");
	CHECK_EQ(t.pidns, (__u32)st.st_ino);
	CHECK_EQ(t.start_boot_ns, 12345ULL * (1000000000ULL / sysconf(_SC_CLK_TCK)));
	CHECK_EQ(t.exe.flags, PVM_EXE_KNOWN);
	remove_fake_proc();
}

/* stat with `state` and `flags` (field 9) for process 4300 */
static void put_stat(char state, unsigned int flags)
{
	char line[256];

	snprintf(line, sizeof(line), "4300 (weird)\n name) %c 4242 4300 4300 0 -1 %u 100 0 0 0 1 2 "
		 "0 0 20 0 2 0 12345 1000000 100 18446744073709551615\n", state, flags);
	put("4300/stat", line);
}

/* 4301/exe -> `target`, a file created under root. */
static void link_exe(const char *target, struct stat *st)
{
	char path[512], link[128];

	snprintf(path, sizeof(path), "%s/%s", root, target);
	for (char *slash = strchr(path + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	put(target, "");
	stat(path, st);
	snprintf(link, sizeof(link), "%s/4301/exe", root);
	unlink(link);
	if (symlink(path, link))
		unit_fail(__FILE__, __LINE__, "symlink %s", link);
}

UNIT_TEST(proc_target_exe_path_and_identity)
{
	char exe[PVM_EXE_PATH_MAX], want[512], deep[400] = "d";
	struct pvm_target t;
	struct stat st;

	make_fake_proc();
	link_exe("usr/bin/tool", &st);
	CHECK_EQ(pvm_proc_target(root, 4301, PVM_INIT_PIDNS_INUM, &t, exe), PVM_TARGET_KERNEL);
	snprintf(want, sizeof(want), "%s/usr/bin/tool", root);
	CHECK_EQ(t.exe.flags, PVM_EXE_KNOWN);
	CHECK_EQ(t.exe.path_len, strlen(want));
	CHECK(!memcmp(exe, want, t.exe.path_len));
	CHECK_EQ(t.exe.ino, st.st_ino);
	CHECK_EQ(t.exe.dev, major(st.st_dev) << 20 | minor(st.st_dev));

	/* what /proc shows for an unlinked executable */
	link_exe("usr/bin/tool (deleted)", &st);
	CHECK_EQ(pvm_proc_target(root, 4301, PVM_INIT_PIDNS_INUM, &t, exe), PVM_TARGET_KERNEL);
	CHECK_EQ(t.exe.flags, PVM_EXE_KNOWN | PVM_EXE_DELETED);
	CHECK_EQ(t.exe.path_len, strlen(want));
	CHECK(!memcmp(exe, want, t.exe.path_len));

	/* longer than PVM_EXE_PATH_MAX: the tail, from a '/' */
	for (int i = 0; i < 30; i++)
		strcat(deep, "/0123456789");
	strcat(deep, "/tool");
	link_exe(deep, &st);
	CHECK_EQ(pvm_proc_target(root, 4301, PVM_INIT_PIDNS_INUM, &t, exe), PVM_TARGET_KERNEL);
	CHECK_EQ(t.exe.flags, PVM_EXE_KNOWN | PVM_EXE_TRUNCATED);
	CHECK_EQ(t.exe.path_len, 11 * 22 + 5); /* 22 whole "/0123456789" and "/tool" */
	CHECK(!memcmp(exe, deep + strlen(deep) - t.exe.path_len, t.exe.path_len));
	remove_fake_proc();
}

UNIT_TEST(proc_target_absent_or_not_nameable)
{
	char exe[PVM_EXE_PATH_MAX];
	struct pvm_target t;

	make_fake_proc();
	CHECK_EQ(pvm_proc_target(root, 999, PVM_INIT_PIDNS_INUM, &t, exe), PVM_TARGET_NONE);
	CHECK_EQ(pvm_proc_target(root, 0, PVM_INIT_PIDNS_INUM, &t, exe), PVM_TARGET_NONE);
	/* a caller in another pid namespace passes pids /proc cannot name */
	CHECK_EQ(pvm_proc_target(root, 4301, 4026532000u, &t, exe), PVM_TARGET_UNRESOLVED);
	/* a zombie, or past exit_mm() (no exe, not a kernel thread): ended */
	put_stat('Z', 0x400100);
	CHECK_EQ(pvm_proc_target(root, 4301, PVM_INIT_PIDNS_INUM, &t, exe), PVM_TARGET_UNRESOLVED);
	put_stat('S', 0x400100);
	CHECK_EQ(pvm_proc_target(root, 4301, PVM_INIT_PIDNS_INUM, &t, exe), PVM_TARGET_UNRESOLVED);
	/* a kernel thread has no exe and is alive */
	put_stat('S', 0x00208040);
	CHECK_EQ(pvm_proc_target(root, 4301, PVM_INIT_PIDNS_INUM, &t, exe), PVM_TARGET_KERNEL);
	CHECK_EQ(t.exe.flags, 0);
	/* half a process (it ended while being read): no comm file */
	put("4301/comm", "");
	CHECK_EQ(pvm_proc_target(root, 4301, PVM_INIT_PIDNS_INUM, &t, exe), PVM_TARGET_UNRESOLVED);
	remove_fake_proc();
}

/* A pid taken again after the target ended: that process began after the call. */
UNIT_TEST(proc_target_that_began_after_the_call_is_not_its_target)
{
	const __u64 tick = 10000000, call = 5000000000ULL; /* 10 ms; 5 s after boot */
	struct pvm_target t = {0};

	t.start_boot_ns = call - 3 * tick;
	CHECK(pvm_proc_target_predates(&t, call, tick));
	t.start_boot_ns = call - tick; /* its tick ended when the call began */
	CHECK(pvm_proc_target_predates(&t, call, tick));
	t.start_boot_ns = call - tick + 1; /* began in the call's last tick: maybe after it */
	CHECK(!pvm_proc_target_predates(&t, call, tick));
	t.start_boot_ns = call + 2 * tick;
	CHECK(!pvm_proc_target_predates(&t, call, tick));
	CHECK(pvm_proc_tick_ns() > 0);
}

/* A fake /proc entry of this very process (a pidfd needs a real one), comm `comm`. */
static void make_fake_self(const char *comm)
{
	char dir[128], leaf[160], text[512];
	int pid = getpid();

	snprintf(dir, sizeof(dir), "%s/%d/ns", root, pid);
	mkdir(dir, 0755);
	snprintf(leaf, sizeof(leaf), "%d/status", pid);
	snprintf(text, sizeof(text), "Name:\t%s\nTgid:\t%d\nPid:\t%d\nPPid:\t1\n"
				     "Uid:\t0\t0\t0\t0\n", comm, pid, pid);
	put(leaf, text);
	snprintf(leaf, sizeof(leaf), "%d/comm", pid);
	snprintf(text, sizeof(text), "%s\n", comm);
	put(leaf, text);
	snprintf(leaf, sizeof(leaf), "%d/ns/pid", pid);
	put(leaf, "");
	snprintf(leaf, sizeof(leaf), "%s/%d/exe", root, pid);
	unlink(leaf);
	if (symlink("/proc/self/exe", leaf))
		unit_fail(__FILE__, __LINE__, "symlink %s", leaf);
	snprintf(leaf, sizeof(leaf), "%d/stat", pid);
	snprintf(text, sizeof(text), "%d (%s) S 1 %d %d 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
				     "12345 1000000 100 18446744073709551615\n", pid, comm, pid, pid);
	put(leaf, text);
}

/* The same running process named again within 10 ms: recalled, not read. */
UNIT_TEST(proc_target_memo_recalls_a_running_process_for_10_ms)
{
	struct pvm_proc_target_memo memo = {0};
	const __u64 t0 = 1000000000ULL;
	char exe[PVM_EXE_PATH_MAX], dir[128];
	struct pvm_target t;
	struct stat st;

	make_fake_proc();
	link_exe("usr/bin/tool", &st);
	snprintf(dir, sizeof(dir), "%s/%d", root, getpid());
	mkdir(dir, 0755);
	make_fake_self("first");
	CHECK_EQ(pvm_proc_target_memo(&memo, root, getpid(), PVM_INIT_PIDNS_INUM, t0, &t, exe),
		 PVM_TARGET_KERNEL);
	CHECK_STR(t.comm, "first");
	make_fake_self("second");
	pvm_proc_target_memo(&memo, root, getpid(), PVM_INIT_PIDNS_INUM, t0 + 9000000, &t, exe);
	CHECK_STR(t.comm, "first"); /* recalled */
	pvm_proc_target_memo(&memo, root, getpid(), PVM_INIT_PIDNS_INUM, t0 + 10000000, &t, exe);
	CHECK_STR(t.comm, "second"); /* aged out: read again */
	make_fake_self("third");
	CHECK_EQ(pvm_proc_target_memo(&memo, root, 4301, PVM_INIT_PIDNS_INUM, t0 + 10000001, &t,
				      exe),
		 PVM_TARGET_KERNEL); /* another pid: read afresh */
	CHECK_STR(t.comm, "weird) name");
	pvm_proc_target_memo(&memo, root, getpid(), PVM_INIT_PIDNS_INUM, t0 + 10000002, &t, exe);
	CHECK_STR(t.comm, "third");
	pvm_proc_target_memo_clear(&memo);
	remove_fake_proc();
}
