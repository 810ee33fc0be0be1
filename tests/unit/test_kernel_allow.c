// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* --enforce: allowlist entries become device+inode rules for the kernel. */
#include "rules/kernel_allow.h"
#include "unit.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static char dir[64];

static void touch(const char *name, struct pvm_exe_id *id)
{
	char path[128];
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f)
		fclose(f);
	stat(path, &st);
	*id = (struct pvm_exe_id){.ino = st.st_ino, .dev = major(st.st_dev) << 20 | minor(st.st_dev)};
}

static int parse(struct pvm_allowlist *l, const char *text)
{
	char err[256];
	int ret = pvm_allowlist_parse(l, "t.conf", text, err, sizeof(err));

	if (ret)
		unit_fail(__FILE__, __LINE__, "parse: %s", err);
	return ret;
}

UNIT_TEST(kernel_allowlist_expands_globs_to_inodes)
{
	struct pvm_allow_rule rules[PVM_ALLOW_MAX];
	struct pvm_exe_id tool_a, tool_b, victim;
	struct pvm_allowlist l;
	char text[512], err[256];
	unsigned int n = 99;

	strcpy(dir, "/tmp/pvmtrace-unit-kallow-XXXXXX");
	if (!mkdtemp(dir))
		unit_fail(__FILE__, __LINE__, "mkdtemp");
	touch("tool-a", &tool_a);
	touch("tool-b", &tool_b);
	touch("victim", &victim);
	snprintf(text, sizeof(text),
		 "allow exe=%s/tool-* via=ancestor same_uid same_exe syscall=writev\n"
		 "allow exe=%s/nothing-here\n"
		 "allow exe=%s/tool-a comm=updater target_exe=%s/vic*\n",
		 dir, dir, dir, dir);
	if (parse(&l, text))
		return;
	CHECK_EQ(pvm_kernel_allowlist(&l, rules, &n, err, sizeof(err)), 0);
	CHECK_EQ(n, 3);
	CHECK_EQ(rules[0].exe.ino, tool_a.ino);
	CHECK_EQ(rules[0].exe.dev, tool_a.dev);
	CHECK_EQ(rules[0].via, PVM_ALLOW_ANCESTOR);
	CHECK_EQ(rules[0].syscalls, PVM_SYS_BIT(PVM_SYS_WRITEV));
	CHECK_EQ(rules[0].conditions, PVM_ALLOW_SAME_UID | PVM_ALLOW_SAME_EXE);
	CHECK_EQ(rules[0].line, 1);
	CHECK_EQ(rules[1].exe.ino, tool_b.ino);
	CHECK_EQ(rules[2].exe.ino, tool_a.ino);
	CHECK_EQ(rules[2].via, PVM_ALLOW_CALLER);
	CHECK_EQ(rules[2].syscalls, PVM_SYS_ALL);
	CHECK_EQ(rules[2].conditions, PVM_ALLOW_COMM | PVM_ALLOW_TARGET_EXE);
	CHECK_STR(rules[2].comm, "updater");
	CHECK_EQ(rules[2].target_exe.ino, victim.ino);
	CHECK_EQ(rules[2].line, 3);
	pvm_allowlist_free(&l);

	/* what the kernel cannot match is refused with the entry's line */
	snprintf(text, sizeof(text), "# x\nallow exe=%s/no-such-tool comm=up*\n", dir);
	if (!parse(&l, text)) {
		CHECK_EQ(pvm_kernel_allowlist(&l, rules, &n, err, sizeof(err)), -1);
		CHECK_STR(err, "t.conf:2: comm= must be an exact name of at most 15 bytes for --enforce");
		pvm_allowlist_free(&l);
	}
	snprintf(text, sizeof(text), "rm -rf %s", dir);
	if (system(text))
		unit_fail(__FILE__, __LINE__, "rm %s", dir);
}

UNIT_TEST(kernel_allowlist_default_config_converts)
{
	struct pvm_allow_rule rules[PVM_ALLOW_MAX];
	struct pvm_allowlist l;
	char err[256];
	unsigned int n;

	CHECK_EQ(pvm_allowlist_load_default(&l, err, sizeof(err)), 0);
	CHECK_EQ(pvm_kernel_allowlist(&l, rules, &n, err, sizeof(err)), 0);
	CHECK(n <= PVM_ALLOW_MAX);
	pvm_allowlist_free(&l);
}
