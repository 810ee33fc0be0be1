// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The caller's ancestors from /proc, on a fake /proc tree. */
#include "event/ancestry.h"
#include "unit.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[64];

/* root/<name>, created; its path in out */
static void make_file(const char *name, char *out, size_t len)
{
	FILE *f;

	snprintf(out, len, "%s/%s", root, name);
	f = fopen(out, "w");
	if (f)
		fclose(f);
}

/* /proc/<pid>: stat naming `ppid`, exe -> root/`exe` (none when NULL). */
static void fake_process(unsigned int pid, unsigned int ppid, const char *exe)
{
	char path[160], target[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u", root, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%u/stat", root, pid);
	f = fopen(path, "w");
	if (f) {
		/* a comm with ") S 9 " in it must not be read as the fields */
		fprintf(f, "%u (a) S 9 ) S %u %u %u 0 -1 4194560 0 0 0 0 1 2 0 0 20 0 1 0 123 "
			"1000000 100 18446744073709551615\n", pid, ppid, pid, pid);
		fclose(f);
	}
	if (exe) {
		make_file(exe, target, sizeof(target));
		snprintf(path, sizeof(path), "%s/%u/exe", root, pid);
		if (symlink(target, path))
			unit_fail(__FILE__, __LINE__, "symlink %s", path);
	}
}

UNIT_TEST(ancestry_walks_parents_up_to_init)
{
	struct pvm_ancestry a;
	struct pvm_event ev = {0};
	char cmd[96], want[160];

	strcpy(root, "/tmp/pvmtrace-unit-anc-XXXXXX");
	if (!mkdtemp(root))
		unit_fail(__FILE__, __LINE__, "mkdtemp");
	fake_process(300, 200, "launcher");
	fake_process(200, 2, NULL); /* no exe: shown as "" */
	fake_process(2, 1, "bash (deleted)");
	fake_process(1, 0, "init");
	pvm_ancestry_read(&a, root, 300);
	CHECK_EQ(a.n, 4);
	snprintf(want, sizeof(want), "%s/launcher", root);
	CHECK_STR(a.exe[0], want);
	CHECK_STR(a.exe[1], "");
	snprintf(want, sizeof(want), "%s/bash (deleted)", root);
	CHECK_STR(a.exe[2], want);
	snprintf(want, sizeof(want), "%s/init", root);
	CHECK_STR(a.exe[3], want);
	pvm_ancestry_attach(&a, &ev);
	CHECK(ev.looked_up_ancestors);
	CHECK_EQ(ev.n_ancestors, 4);
	CHECK(ev.caller_ancestors[3] == a.exe[3]);

	/* a parent gone by now ends the walk */
	pvm_ancestry_read(&a, root, 400);
	CHECK_EQ(a.n, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd))
		unit_fail(__FILE__, __LINE__, "rm");
}

UNIT_TEST(ancestry_stops_after_eight)
{
	struct pvm_ancestry a;
	char cmd[96];

	strcpy(root, "/tmp/pvmtrace-unit-anc-XXXXXX");
	if (!mkdtemp(root))
		unit_fail(__FILE__, __LINE__, "mkdtemp");
	for (unsigned int pid = 10; pid < 20; pid++)
		fake_process(pid, pid + 1, "sh");
	pvm_ancestry_read(&a, root, 10);
	CHECK_EQ(a.n, PVM_ANCESTRY_MAX);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd))
		unit_fail(__FILE__, __LINE__, "rm");
}

UNIT_TEST(ancestry_cache_reads_once_per_caller_and_second)
{
	static struct pvm_ancestry_cache cache;
	struct pvm_record rec = {.caller_pid = 300, .caller_ppid = 200, .caller_start_boot_ns = 7};
	struct pvm_event ev = {.rec = &rec};
	char cmd[96], want[160];

	strcpy(root, "/tmp/pvmtrace-unit-anc-XXXXXX");
	if (!mkdtemp(root))
		unit_fail(__FILE__, __LINE__, "mkdtemp");
	cache.proc_root = root;
	fake_process(200, 0, "first");
	pvm_ancestry_lookup(&cache, &ev, 1000);
	snprintf(want, sizeof(want), "%s/first", root);
	CHECK_EQ(ev.n_ancestors, 1);
	CHECK_STR(ev.caller_ancestors[0], want);

	/* the parent changes: not seen within the second, seen after it */
	snprintf(cmd, sizeof(cmd), "rm -rf %s/200", root);
	if (system(cmd))
		unit_fail(__FILE__, __LINE__, "rm");
	fake_process(200, 0, "second");
	pvm_ancestry_lookup(&cache, &ev, 1000 + PVM_ANCESTRY_TTL_NS - 1);
	CHECK_STR(ev.caller_ancestors[0], want);
	pvm_ancestry_lookup(&cache, &ev, 1000 + PVM_ANCESTRY_TTL_NS);
	snprintf(want, sizeof(want), "%s/second", root);
	CHECK_STR(ev.caller_ancestors[0], want);

	/* a new process under a reused pid is read at once */
	snprintf(cmd, sizeof(cmd), "rm -rf %s/200", root);
	if (system(cmd))
		unit_fail(__FILE__, __LINE__, "rm");
	rec.caller_start_boot_ns = 8;
	pvm_ancestry_lookup(&cache, &ev, 1000 + PVM_ANCESTRY_TTL_NS + 1);
	CHECK_EQ(ev.n_ancestors, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd))
		unit_fail(__FILE__, __LINE__, "rm");
}
