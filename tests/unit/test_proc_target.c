// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The /proc fallback for the target, on a fake /proc tree. */
#include "event/proc_target.h"
#include "unit.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[64];

static void put(const char *leaf, const char *content)
{
	char path[256];
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

UNIT_TEST(proc_target_reads_a_thread_of_a_process)
{
	struct pvm_target t;
	struct stat st;
	char ns[128];

	make_fake_proc();
	snprintf(ns, sizeof(ns), "%s/4301/ns/pid", root);
	stat(ns, &st);
	CHECK_EQ(pvm_proc_target(root, 4301, PVM_INIT_PIDNS_INUM, &t), PVM_TARGET_KERNEL);
	CHECK_EQ(t.pid, 4300);
	CHECK_EQ(t.tid, 4301);
	CHECK_EQ(t.ppid, 4242);
	CHECK_EQ(t.uid, 1000);
	CHECK_STR(t.comm, "weird) name");
	CHECK_EQ(t.pidns, (__u32)st.st_ino);
	CHECK_EQ(t.start_boot_ns, 12345ULL * (1000000000ULL / sysconf(_SC_CLK_TCK)));
	remove_fake_proc();
}

UNIT_TEST(proc_target_absent_or_not_nameable)
{
	struct pvm_target t;

	make_fake_proc();
	CHECK_EQ(pvm_proc_target(root, 999, PVM_INIT_PIDNS_INUM, &t), PVM_TARGET_NONE);
	CHECK_EQ(pvm_proc_target(root, 0, PVM_INIT_PIDNS_INUM, &t), PVM_TARGET_NONE);
	/* a caller in another pid namespace passes pids /proc cannot name */
	CHECK_EQ(pvm_proc_target(root, 4301, 4026532000u, &t), PVM_TARGET_UNRESOLVED);
	/* half a process (it ended while being read): no comm file */
	put("4301/comm", "");
	CHECK_EQ(pvm_proc_target(root, 4301, PVM_INIT_PIDNS_INUM, &t), PVM_TARGET_UNRESOLVED);
	remove_fake_proc();
}
