// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The allowlist: its format, its errors (file:line: reason), its matching. */
#include "facts_builder.h"
#include "rules/allowlist.h"
#include "rules/rules.h"
#include "unit.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static struct pvm_allowlist list;
static char err[512];

static int parse(const char *text)
{
	err[0] = '\0';
	return pvm_allowlist_parse(&list, "test.conf", text, err, sizeof(err));
}

UNIT_TEST(allowlist_errors)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"allow exee=/usr/bin/gdb\n", "test.conf:1: unknown key 'exee'"},
		{"\n# only a comment\nallow\n", "test.conf:3: allow needs exe=PATTERN"},
		{"allow via=parent\n", "test.conf:1: allow needs exe=PATTERN"},
		{"deny exe=/usr/bin/gdb\n",
		 "test.conf:1: unknown directive 'deny' (lines start with 'allow')"},
		{"exe=/usr/bin/gdb\n",
		 "test.conf:1: unknown directive 'exe=/usr/bin/gdb' (lines start with 'allow')"},
		{"allow exe=gdb\n", "test.conf:1: exe pattern must be an absolute path: 'gdb'"},
		{"allow exe=*/gdb\n", "test.conf:1: exe pattern must be an absolute path: '*/gdb'"},
		{"allow exe=/a target_exe=b\n",
		 "test.conf:1: target_exe pattern must be an absolute path: 'b'"},
		{"allow exe=/a exe=/b\n", "test.conf:1: duplicate key 'exe'"},
		{"allow exe=/a same_uid same_uid\n", "test.conf:1: duplicate key 'same_uid'"},
		{"allow exe=\n", "test.conf:1: empty value for 'exe'"},
		{"allow exe=\"\"\n", "test.conf:1: empty value for 'exe'"},
		{"allow exe\n", "test.conf:1: 'exe' needs a value"},
		{"allow exe=/a comm\n", "test.conf:1: 'comm' needs a value"},
		{"allow exe=/a same_uid=yes\n", "test.conf:1: 'same_uid' takes no value"},
		{"allow exe=/a same_exe=\n", "test.conf:1: 'same_exe' takes no value"},
		{"allow exe=/a via=grandparent\n",
		 "test.conf:1: via must be caller, parent or ancestor, not 'grandparent'"},
		{"allow exe=/a syscall=read\n", "test.conf:1: syscall must be readv or writev, not 'read'"},
		{"allow exe=/a comm=0123456789abcdef\n",
		 "test.conf:1: comm '0123456789abcdef' is longer than 15 bytes: it can never match"},
		{"allow exe=\"/opt/my app\n", "test.conf:1: unterminated quote"},
		{"allow exe=/a\x01\n", "test.conf:1: control character 0x01"},
		{"allow exe=/a\x7f\n", "test.conf:1: control character 0x7f"},
		{"allow exe=/usr/bin/gdb\n\n  allow  exe=/usr/bin/strace   bogus\n",
		 "test.conf:3: unknown key 'bogus'"},
		{"allow exe=/a\r\nallow exe=/b\r\nallow x\r\n", "test.conf:3: unknown key 'x'"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_EQ(parse(cases[i].text), -1);
		CHECK_STR(err, cases[i].want);
		CHECK_EQ(list.n, 0);
		CHECK(list.entries == NULL);
	}
}

UNIT_TEST(allowlist_format)
{
	const struct pvm_allow_entry *e;

	CHECK_EQ(parse("# a comment line\n"
		       "\n"
		       "   \t\n"
		       "allow exe=/usr/bin/gdb # a comment after blanks\n"
		       "allow exe=/usr/lib/llvm-*/bin/lldb-server syscall=readv label=lldb#comment\n"
		       "allow exe=\"/opt/My App/bin/x#1\" via=ancestor comm=\"w k*\" same_exe same_uid\n"
		       "\tallow\texe=/a/b via=parent target_exe=/usr/bin/victim syscall=writev\r\n"
		       "allow exe=/last/line/without/newline via=caller"),
		 0);
	CHECK_STR(err, "");
	CHECK_EQ(list.n, 5);
	CHECK_STR(list.name, "test.conf");

	e = &list.entries[0];
	CHECK_EQ(e->line, 4);
	CHECK_STR(e->exe, "/usr/bin/gdb");
	CHECK_STR(e->label, "gdb");
	CHECK_STR(e->where, "test.conf:4 (gdb)");
	CHECK_EQ(e->via, PVM_ALLOW_CALLER);
	CHECK(e->comm == NULL && e->target_exe == NULL);
	CHECK(e->any_call && !e->same_exe && !e->same_uid);

	e = &list.entries[1];
	CHECK_STR(e->exe, "/usr/lib/llvm-*/bin/lldb-server");
	CHECK_STR(e->where, "test.conf:5 (lldb)");
	CHECK(!e->any_call);
	CHECK_EQ(e->call, PVM_SYS_READV);

	e = &list.entries[2];
	CHECK_STR(e->exe, "/opt/My App/bin/x#1");
	CHECK_STR(e->label, "x#1");
	CHECK_STR(e->comm, "w k*");
	CHECK_EQ(e->via, PVM_ALLOW_ANCESTOR);
	CHECK(e->same_exe && e->same_uid && e->any_call);

	e = &list.entries[3];
	CHECK_EQ(e->line, 7);
	CHECK_EQ(e->via, PVM_ALLOW_PARENT);
	CHECK_STR(e->target_exe, "/usr/bin/victim");
	CHECK_EQ(e->call, PVM_SYS_WRITEV);

	e = &list.entries[4];
	CHECK_EQ(e->line, 8);
	CHECK_STR(e->exe, "/last/line/without/newline");
	pvm_allowlist_free(&list);
	CHECK_EQ(list.n, 0);
}

/* The line of the default config that holds `needle`. */
static unsigned int line_of(const char *needle)
{
	const char *at = strstr(pvm_default_allowlist, needle);
	unsigned int line = 1;

	for (const char *c = pvm_default_allowlist; at && c < at; c++)
		line += *c == '\n';
	return at ? line : 0;
}

UNIT_TEST(allowlist_default_parses)
{
	char where[128];

	CHECK_EQ(pvm_allowlist_load_default(&list, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_STR(list.name, "config/allowlist.conf");
	CHECK_EQ(list.n, 10);
	for (size_t i = 0; i < list.n; i++) {
		const struct pvm_allow_entry *e = &list.entries[i];
		char needle[128];

		snprintf(needle, sizeof(needle), "allow exe=%s ", e->exe);
		CHECK_EQ(e->line, line_of(needle));
		snprintf(where, sizeof(where), "config/allowlist.conf:%u (%s)", e->line, e->label);
		CHECK_STR(e->where, where);
	}
	/* the MPI launchers allow only calls between ranks of one job */
	CHECK_STR(list.entries[0].exe, "/usr/bin/orterun");
	CHECK_STR(list.entries[0].label, "openmpi-mpirun");
	CHECK(list.entries[0].via == PVM_ALLOW_ANCESTOR && list.entries[0].same_exe &&
	      list.entries[0].same_uid);
	pvm_allowlist_free(&list);
}

/* A caller and its ancestors, as exe paths; NULL ends the ancestors. */
static struct pvm_facts caller(const char *exe, const char *a0, const char *a1, const char *a2)
{
	struct pvm_facts f = example_write();
	const char *anc[] = {a0, a1, a2};

	pvm_fact_path_set(&f, &f.caller.exe, exe);
	f.caller.n_ancestors = 0;
	for (int i = 0; i < 3 && anc[i]; i++)
		pvm_fact_path_set(&f, &f.caller.ancestors[f.caller.n_ancestors++], anc[i]);
	return f;
}

static unsigned int matched_line(const struct pvm_facts *f)
{
	const struct pvm_allow_entry *e = pvm_allowlist_match(&list, f);

	return e ? e->line : 0;
}

UNIT_TEST(allowlist_match_caller_parent_ancestor)
{
	static const struct {
		const char *config, *exe, *a0, *a1, *a2;
		unsigned int want; /* the line that allows it, 0 for none */
	} cases[] = {
		{"allow exe=/usr/bin/gd*", "/usr/bin/gdb", NULL, NULL, NULL, 1},
		{"allow exe=/usr/bin/gd*", "/usr/local/bin/gdb", NULL, NULL, NULL, 0},
		/* `*` does not cross a `/` */
		{"allow exe=/usr/*", "/usr/bin/gdb", NULL, NULL, NULL, 0},
		{"allow exe=/usr/*/gdb", "/usr/bin/gdb", NULL, NULL, NULL, 1},
		{"allow exe=/usr/lib/llvm-*/bin/lldb-server", "/usr/lib/llvm-14/bin/lldb-server",
		 NULL, NULL, NULL, 1},
		{"allow exe=/usr/bin/gdb", "/usr/bin/gdb (deleted)", NULL, NULL, NULL, 0},
		/* a deleted executable matches no glob either, via any key */
		{"allow exe=/opt/x/*", "/opt/x/tool (deleted)", NULL, NULL, NULL, 0},
		{"allow exe=/opt/x/tool*", "/opt/x/tool (deleted)", NULL, NULL, NULL, 0},
		{"allow via=parent exe=/opt/x/*", "/usr/bin/ok", "/opt/x/tool (deleted)", NULL, NULL,
		 0},
		{"allow via=ancestor exe=/opt/x/*", "/usr/bin/ok", "/usr/bin/sh",
		 "/opt/x/tool (deleted)", NULL, 0},
		/* a pattern with no wildcard: that one path, by length and bytes */
		{"allow exe=/usr/bin/gdb", "/usr/bin/gdb", NULL, NULL, NULL, 1},
		{"allow exe=/usr/bin/gdb", "/usr/bin/gdc", NULL, NULL, NULL, 0},
		{"allow exe=/usr/bin/gdb", "/usr/bin/gd", NULL, NULL, NULL, 0},
		{"allow exe=/usr/bin/gdb", "/usr/sbin/gdb", NULL, NULL, NULL, 0},
		{"allow exe=/usr/bin/gdb", ".../usr/bin/gdb", NULL, NULL, NULL, 0},
		{"allow exe=/opt/a\\*b", "/opt/a*b", NULL, NULL, NULL, 1},
		{"allow exe=/opt/a\\*b", "/opt/axb", NULL, NULL, NULL, 0},
		/* a path known only by its tail never matches */
		{"allow exe=/*/bin/gdb", ".../bin/gdb", NULL, NULL, NULL, 0},
		{"allow exe=/usr/bin/gdb", NULL, NULL, NULL, NULL, 0},
		/* via=parent: the first ancestor only */
		{"allow exe=/usr/bin/mpirun via=parent", "/home/u/a.out", "/usr/bin/mpirun",
		 "/usr/bin/bash", NULL, 1},
		{"allow exe=/usr/bin/mpirun via=parent", "/home/u/a.out", "/usr/bin/bash",
		 "/usr/bin/mpirun", NULL, 0},
		{"allow exe=/usr/bin/mpirun via=parent", "/usr/bin/mpirun", NULL, NULL, NULL, 0},
		/* via=ancestor: any ancestor, not the caller itself */
		{"allow exe=/usr/bin/mpirun via=ancestor", "/home/u/a.out", "/usr/bin/bash",
		 "/usr/bin/python3", "/usr/bin/mpirun", 1},
		{"allow exe=/usr/bin/mpirun via=ancestor", "/usr/bin/mpirun", "/usr/bin/bash", NULL,
		 NULL, 0},
		{"allow exe=/usr/bin/mpirun via=ancestor", "/home/u/a.out", NULL, NULL, NULL, 0},
		/* via=caller (the default), not an ancestor */
		{"allow exe=/usr/bin/strace via=caller", "/home/u/a.out", "/usr/bin/strace", NULL,
		 NULL, 0},
		/* file order: the first entry that matches */
		{"allow exe=/x\nallow exe=/usr/bin/*\nallow exe=/usr/bin/gdb", "/usr/bin/gdb", NULL,
		 NULL, NULL, 2},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pvm_facts f = caller(cases[i].exe, cases[i].a0, cases[i].a1, cases[i].a2);

		if (parse(cases[i].config)) {
			unit_fail(__FILE__, __LINE__, "case %zu: %s", i, err);
			continue;
		}
		if (matched_line(&f) != cases[i].want)
			unit_fail(__FILE__, __LINE__, "case %zu (%s, caller %s): line %u, want %u", i,
				  cases[i].config, cases[i].exe ? cases[i].exe : "unknown",
				  matched_line(&f), cases[i].want);
		pvm_allowlist_free(&list);
	}
}

static void no_target(struct pvm_facts *f)
{
	f->target.state = PVM_FACT_TARGET_NONE;
}

static void unresolved_target(struct pvm_facts *f)
{
	f->target.state = PVM_FACT_TARGET_UNRESOLVED;
}

static void same_exe(struct pvm_facts *f)
{
	pvm_fact_path_set(f, &f->target.exe, "/opt/tool/injector");
}

static void other_uid(struct pvm_facts *f)
{
	f->target.same_uid = false;
}

static void to_readv(struct pvm_facts *f)
{
	f->call = PVM_SYS_READV;
}

static void keep(struct pvm_facts *f)
{
	(void)f;
}

UNIT_TEST(allowlist_narrowing_keys)
{
	static const struct {
		const char *config;
		void (*setup)(struct pvm_facts *f);
		bool want;
	} cases[] = {
		{"allow exe=/opt/tool/injector comm=inj*", keep, true},
		{"allow exe=/opt/tool/injector comm=injector", keep, true},
		{"allow exe=/opt/tool/injector comm=inj", keep, false},
		{"allow exe=/opt/tool/injector target_exe=/usr/bin/vic*", keep, true},
		{"allow exe=/opt/tool/injector target_exe=/usr/sbin/*", keep, false},
		{"allow exe=/opt/tool/injector target_exe=/*", no_target, false},
		{"allow exe=/opt/tool/injector target_exe=/*", unresolved_target, false},
		{"allow exe=/opt/tool/injector same_exe", same_exe, true},
		{"allow exe=/opt/tool/injector same_exe", keep, false},
		{"allow exe=/opt/tool/injector same_exe", no_target, false},
		{"allow exe=/opt/tool/injector same_uid", keep, true},
		{"allow exe=/opt/tool/injector same_uid", other_uid, false},
		{"allow exe=/opt/tool/injector same_uid", unresolved_target, false},
		{"allow exe=/opt/tool/injector syscall=writev", keep, true},
		{"allow exe=/opt/tool/injector syscall=readv", keep, false},
		{"allow exe=/opt/tool/injector syscall=readv", to_readv, true},
		{"allow exe=/opt/tool/injector", to_readv, true},
		{"allow exe=/opt/tool/injector", no_target, true},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pvm_facts f = example_write();

		cases[i].setup(&f);
		if (parse(cases[i].config)) {
			unit_fail(__FILE__, __LINE__, "case %zu: %s", i, err);
			continue;
		}
		if ((pvm_allowlist_match(&list, &f) != NULL) != cases[i].want)
			unit_fail(__FILE__, __LINE__, "case %zu (%s): matched %d, want %d", i,
				  cases[i].config, !cases[i].want, cases[i].want);
		pvm_allowlist_free(&list);
	}
	CHECK(pvm_allowlist_match(NULL, &(struct pvm_facts){0}) == NULL);
}

/* Calls the default config should allow, and calls it must not. */
UNIT_TEST(allowlist_default_entries_match)
{
	struct pvm_facts rank = caller("/home/u/ring", "/usr/bin/orterun", "/usr/bin/bash", NULL);
	struct pvm_facts f;
	const struct pvm_allow_entry *e;

	CHECK_EQ(pvm_allowlist_load_default(&list, err, sizeof(err)), 0);
	pvm_fact_path_set(&rank, &rank.target.exe, "/home/u/ring");
	e = pvm_allowlist_match(&list, &rank);
	CHECK_STR(e ? e->label : NULL, "openmpi-mpirun");
	rank.target.same_uid = false; /* another user's rank */
	CHECK(pvm_allowlist_match(&list, &rank) == NULL);

	f = caller("/home/u/ring", "/usr/bin/hydra_pmi_proxy", "/usr/bin/mpiexec.hydra", NULL);
	pvm_fact_path_set(&f, &f.target.exe, "/usr/bin/sshd"); /* not a sibling rank */
	CHECK(pvm_allowlist_match(&list, &f) == NULL);

	f = caller("/usr/bin/strace", "/usr/bin/bash", NULL, NULL);
	e = pvm_allowlist_match(&list, &f);
	CHECK_STR(e ? e->label : NULL, "strace");

	f = caller("/usr/lib/llvm-16/bin/lldb-server", NULL, NULL, NULL);
	f.call = PVM_SYS_READV;
	e = pvm_allowlist_match(&list, &f);
	CHECK_STR(e ? e->label : NULL, "lldb-server");
	f.call = PVM_SYS_WRITEV; /* lldb-server writes through ptrace */
	CHECK(pvm_allowlist_match(&list, &f) == NULL);

	f = caller("/usr/sbin/criu", NULL, NULL, NULL); /* criu only reads */
	CHECK(pvm_allowlist_match(&list, &f) == NULL);
	f = caller("/usr/bin/gdb", NULL, NULL, NULL);
	CHECK(pvm_allowlist_match(&list, &f) == NULL);
	pvm_allowlist_free(&list);
}

/* A scratch directory of flat files, removed file by file. */
static char dir[64];
static char made[8][128];
static int n_made;

static bool make_dir(const char *tag)
{
	snprintf(dir, sizeof(dir), "/tmp/pvmtrace-unit-%s-XXXXXX", tag);
	n_made = 0;
	if (mkdtemp(dir))
		return true;
	unit_fail(__FILE__, __LINE__, "mkdtemp %s: %s", dir, strerror(errno));
	return false;
}

static void write_file(const char *name, const char *text, size_t len)
{
	char *path = made[n_made++];
	FILE *f;

	snprintf(path, sizeof(made[0]), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fwrite(text, 1, len, f) != len)
		unit_fail(__FILE__, __LINE__, "cannot write %s", path);
	if (f)
		fclose(f);
}

static void remove_dir(void)
{
	while (n_made)
		unlink(made[--n_made]);
	if (rmdir(dir))
		unit_fail(__FILE__, __LINE__, "cannot remove %s: %s", dir, strerror(errno));
}

UNIT_TEST(allowlist_load_file)
{
	char path[128], want[256];

	if (!make_dir("allow"))
		return;
	write_file("good.conf", "allow exe=/usr/bin/strace\n", 26);
	snprintf(path, sizeof(path), "%s/good.conf", dir);
	CHECK_EQ(pvm_allowlist_load(&list, path, err, sizeof(err)), 0);
	CHECK_EQ(list.n, 1);
	snprintf(want, sizeof(want), "%s:1 (strace)", path);
	CHECK_STR(list.entries[0].where, want);
	pvm_allowlist_free(&list);

	write_file("bad.conf", "allow exe=/usr/bin/strace\nallow exe=/a\0b\n", 41);
	snprintf(path, sizeof(path), "%s/bad.conf", dir);
	CHECK_EQ(pvm_allowlist_load(&list, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: NUL byte", path);
	CHECK_STR(err, want);

	write_file("typo.conf", "# x\nallow exee=/usr/bin/gdb\n", 28);
	snprintf(path, sizeof(path), "%s/typo.conf", dir);
	CHECK_EQ(pvm_allowlist_load(&list, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: unknown key 'exee'", path);
	CHECK_STR(err, want);

	snprintf(path, sizeof(path), "%s/missing.conf", dir);
	CHECK_EQ(pvm_allowlist_load(&list, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	CHECK_STR(err, want);
	CHECK_EQ(list.n, 0);
	remove_dir();
}

static int collect(const char *path, const struct pvm_allow_entry *e, void *arg)
{
	char *out = arg;

	snprintf(out + strlen(out), 512 - strlen(out), "%s:%u ", path + strlen(dir), e->line);
	return 0;
}

static int stop_at_second(const char *path, const struct pvm_allow_entry *e, void *arg)
{
	int *calls = arg;

	(void)path;
	(void)e;
	return ++*calls == 2 ? 7 : 0;
}

UNIT_TEST(allowlist_exe_paths)
{
	char config[512], got[512] = "";
	int calls = 0;

	if (!make_dir("exe"))
		return;
	write_file("a1", "", 0);
	write_file("a2", "", 0);
	write_file("b", "", 0);
	snprintf(config, sizeof(config),
		 "allow exe=%s/a*\nallow exe=%s/b via=parent\nallow exe=%s/none*\n"
		 "allow exe=%s/missing\n",
		 dir, dir, dir, dir);
	CHECK_EQ(parse(config), 0);
	CHECK_EQ(pvm_allowlist_exe_paths(&list, collect, got), 0);
	CHECK_STR(got, "/a1:1 /a2:1 /b:2 ");
	CHECK_EQ(pvm_allowlist_exe_paths(&list, stop_at_second, &calls), 7);
	CHECK_EQ(calls, 2);
	pvm_allowlist_free(&list);

	/* target_exe patterns, for entries that have one */
	snprintf(config, sizeof(config),
		 "allow exe=/usr/bin/x\nallow exe=/usr/bin/y target_exe=%s/?2\n", dir);
	CHECK_EQ(parse(config), 0);
	got[0] = '\0';
	CHECK_EQ(pvm_allowlist_target_exe_paths(&list, collect, got), 0);
	CHECK_STR(got, "/a2:2 ");
	pvm_allowlist_free(&list);
	remove_dir();
}

/* Bases of the memo test: each matched by another line of memo_list. */
static struct pvm_facts by_caller(void)
{
	return caller("/opt/tool/injector", "/usr/bin/bash", "/usr/sbin/sshd", NULL);
}

static struct pvm_facts by_parent(void)
{
	return caller("/opt/other", "/usr/bin/bash", "/usr/sbin/sshd", NULL);
}

static struct pvm_facts by_ancestor(void)
{
	return caller("/opt/other", "/usr/bin/zsh", "/usr/sbin/sshd", NULL);
}

static const char memo_list[] =
	"allow exe=/opt/tool/injector comm=injector target_exe=/usr/bin/victim same_uid "
	"syscall=writev\n"
	"allow exe=/usr/bin/bash via=parent\n"
	"allow exe=/usr/sbin/sshd via=ancestor\n";

#define MEMO_CHANGE(name, stmt)                                                            \
	static void name(struct pvm_facts *f)                                              \
	{                                                                                  \
		stmt;                                                                      \
	}
MEMO_CHANGE(call_readv, f->call = PVM_SYS_READV)
MEMO_CHANGE(other_comm, f->caller.comm[0] = 'I')
MEMO_CHANGE(other_exe, pvm_fact_path_set(f, &f->caller.exe, "/opt/tool/injectoR"))
MEMO_CHANGE(cut_exe, f->caller.exe.truncated = true)
MEMO_CHANGE(no_exe, pvm_fact_path_set(f, &f->caller.exe, NULL))
MEMO_CHANGE(other_target_exe, pvm_fact_path_set(f, &f->target.exe, "/usr/bin/victiM"))
MEMO_CHANGE(target_gone, f->target.state = PVM_FACT_TARGET_NONE)
MEMO_CHANGE(not_same_uid, f->target.same_uid = false)
MEMO_CHANGE(other_parent, pvm_fact_path_set(f, &f->caller.ancestors[0], "/usr/bin/bash2"))
MEMO_CHANGE(cut_parent, f->caller.ancestors[0].truncated = true)
MEMO_CHANGE(no_ancestors, f->caller.n_ancestors = 0)
MEMO_CHANGE(other_grandparent, pvm_fact_path_set(f, &f->caller.ancestors[1], "/usr/sbin/sshd2"))
MEMO_CHANGE(one_ancestor, f->caller.n_ancestors = 1)

/* The entry the judgement's memo allowed the call by, after its rules step. */
static const struct pvm_allow_entry *judged(const struct pvm_facts *f, struct pvm_judge_memo *memo)
{
	static struct pvm_alerts a;

	if (!pvm_judge_rules(f, memo, &a)) {
		unit_fail(__FILE__, __LINE__, "no alert to allow");
		return NULL;
	}
	pvm_judge_allow(&a, f, &list, memo);
	for (unsigned int i = 1; i < a.n; i++)
		CHECK(a.alert[i].allowed_by == a.alert[0].allowed_by);
	for (size_t i = 0; i < list.n; i++)
		if (a.alert[0].allowed_by == list.entries[i].where)
			return &list.entries[i];
	return NULL;
}

/*
 * Each input of the allowlist's answer changed alone, after the base call
 * was judged: the judgement's memo answers as a fresh match does, and
 * differently from the base.
 */
UNIT_TEST(allowlist_memo_follows_every_input)
{
	static const struct {
		struct pvm_facts (*base)(void);
		void (*change)(struct pvm_facts *f);
	} cases[] = {
		{by_caller, call_readv},	      {by_caller, other_comm},
		{by_caller, other_exe},	      {by_caller, cut_exe},
		{by_caller, no_exe},	      {by_caller, other_target_exe},
		{by_caller, target_gone},     {by_caller, not_same_uid},
		{by_parent, other_parent},    {by_parent, cut_parent},
		{by_parent, no_ancestors},    {by_ancestor, other_grandparent},
		{by_ancestor, one_ancestor},
	};

	CHECK_EQ(parse(memo_list), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		static struct pvm_judge_memo memo;
		struct pvm_facts f = cases[i].base();
		const struct pvm_allow_entry *base = pvm_allowlist_match(&list, &f), *fresh;

		memset(&memo, 0, sizeof(memo));
		CHECK(judged(&f, &memo) == base);
		CHECK(judged(&f, &memo) == base);
		cases[i].change(&f);
		fresh = pvm_allowlist_match(&list, &f);
		if (fresh == base)
			unit_fail(__FILE__, __LINE__, "case %zu: the change does not show", i);
		if (judged(&f, &memo) != fresh)
			unit_fail(__FILE__, __LINE__, "case %zu: the memo kept line %u", i,
				  base ? base->line : 0);
	}
	pvm_allowlist_free(&list);
}
