// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The rules: which fire for which call (tables), and what they say. */
#include "facts_builder.h"
#include "rules/rules.h"
#include "unit.h"

#include <stdlib.h>

/* "PVM-W001 PVM-W002": the rules that fired, in rule order. */
static const char *fired(const struct pvm_alerts *a)
{
	static char buf[256];
	size_t at = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < a->n; i++)
		at += snprintf(buf + at, sizeof(buf) - at, "%s%s", i ? " " : "", a->alert[i].rule->id);
	return buf;
}

/* ---- mutations of the example call; a case applies one or two ---- */

typedef void (*setup_fn)(struct pvm_facts *f);

static void own_thread(struct pvm_facts *f)
{
	f->pid_arg = 4244; /* another thread of the caller's process */
	f->target.pid = 4242;
	f->target.same_process = true;
	f->target.child = false;
}

static void moved_nothing(struct pvm_facts *f)
{
	f->ret = 0;
}

static void eperm(struct pvm_facts *f)
{
	f->ret = -1;
}

static void efault(struct pvm_facts *f)
{
	f->ret = -14;
}

static void no_payload(struct pvm_facts *f)
{
	f->payload = 0;
}

static void esrch(struct pvm_facts *f)
{
	f->ret = -3;
	f->pid_arg = 99999;
	f->target.state = PVM_FACT_TARGET_NONE;
	f->n_regions = 0;
}

static void pid_minus_one(struct pvm_facts *f)
{
	f->pid_arg = -1;
}

static void stack(struct pvm_facts *f)
{
	f->regions[0].kind = PVM_FACT_REGION_STACK;
}

static void rwx_anon(struct pvm_facts *f)
{
	set_fact_region(f, 0, PVM_FACT_REGION_ANON, "rwxp", NULL, 64);
}

/* The first region a file mapping of `path` (NULL: unknown), classified. */
static void file_region(struct pvm_facts *f, const char *perms, const char *path)
{
	set_fact_region(f, 0, PVM_FACT_REGION_FILE, perms, path, 64);
	pvm_facts_classify(f);
}

static void library_data(struct pvm_facts *f)
{
	file_region(f, "rw-p", "/usr/lib/x86_64-linux-gnu/libc.so.6");
}

static void exe_data(struct pvm_facts *f)
{
	file_region(f, "rw-p", "/usr/bin/victim");
}

static void private_file_no_path(struct pvm_facts *f)
{
	file_region(f, "rw-p", NULL);
}

static void shared_file_no_path(struct pvm_facts *f)
{
	file_region(f, "rw-s", NULL);
}

static void data_file(struct pvm_facts *f)
{
	file_region(f, "rw-p", "/dev/shm/ring.so-called");
}

/* A file named like data, whose other mapping in this call is executable. */
static void plugin_data(struct pvm_facts *f)
{
	f->ret = 72;
	set_fact_region(f, 1, PVM_FACT_REGION_FILE, "r-xp", "/opt/app/plugin.bin", 8);
	file_region(f, "rw-p", "/opt/app/plugin.bin");
}

/* `moved` bytes over a 16-byte heap entry, then a 48-byte stack entry. */
static void heap_then_stack(struct pvm_facts *f, int64_t moved)
{
	f->ret = moved;
	set_fact_region(f, 0, PVM_FACT_REGION_HEAP, "rw-p", NULL, 16);
	set_fact_region(f, 1, PVM_FACT_REGION_STACK, "rw-p", NULL, 48);
}

static void stack_not_reached(struct pvm_facts *f)
{
	heap_then_stack(f, 16);
}

static void stack_reached_by_one_byte(struct pvm_facts *f)
{
	heap_then_stack(f, 17);
}

static void stack_empty_entry(struct pvm_facts *f)
{
	set_fact_region(f, 0, PVM_FACT_REGION_STACK, "rw-p", NULL, 0);
	set_fact_region(f, 1, PVM_FACT_REGION_HEAP, "rw-p", NULL, 64);
}

static void other_uid(struct pvm_facts *f)
{
	f->target.uid = 0;
	f->target.same_uid = false;
}

static void other_pidns(struct pvm_facts *f)
{
	f->target.pidns = CHILD_PIDNS;
	f->target.same_pidns = false;
}

static void other_container(struct pvm_facts *f)
{
	f->target.container_known = true;
	memset(f->target.container, 'a', 64);
}

static void container_unknown(struct pvm_facts *f)
{
	memset(f->caller.container, 'b', 64); /* the target's stays unknown */
}

static void unresolved(struct pvm_facts *f)
{
	f->target.state = PVM_FACT_TARGET_UNRESOLVED;
}

static void ia32(struct pvm_facts *f)
{
	f->abi = PVM_ABI_IA32;
}

static void code32(struct pvm_facts *f)
{
	f->code = PVM_CODE_32;
}

static void code_unknown(struct pvm_facts *f)
{
	f->code = PVM_CODE_UNKNOWN;
}

static void to_read(struct pvm_facts *f)
{
	f->call = PVM_SYS_READV;
}

static void target_named(struct pvm_facts *f, const char *comm, const char *exe)
{
	strcpy(f->target.comm, comm);
	pvm_fact_path_set(f, &f->target.exe, exe);
}

static void ssh_agent(struct pvm_facts *f)
{
	target_named(f, "ssh-agent", "/usr/bin/ssh-agent");
}

static void keyring_comm(struct pvm_facts *f)
{
	target_named(f, "gnome-keyring-d", NULL); /* comm keeps 15 bytes of the name */
}

static void kwallet_exe(struct pvm_facts *f)
{
	target_named(f, "worker", "/usr/bin/kwalletd6");
}

static void sshd_session(struct pvm_facts *f)
{
	target_named(f, "sshd-session", "/usr/lib/openssh/sshd-session");
}

static void lookalike(struct pvm_facts *f)
{
	target_named(f, "sshd2", "/usr/bin/ssh-agent-helper");
}

static void short_keyring(struct pvm_facts *f)
{
	target_named(f, "gnome-keyring", "/usr/bin/gnome-keyring");
}

/* The example call after the case's mutations. */
static struct pvm_facts mutated(const setup_fn setup[2])
{
	struct pvm_facts f = example_write();

	for (int i = 0; i < 2 && setup[i]; i++)
		setup[i](&f);
	return f;
}

static const struct {
	const char *name;
	setup_fn setup[2];
	const char *want;
} cases[] = {
	/* PVM-W001 foreign-write */
	{"write into a child's heap", {NULL}, "PVM-W001"},
	{"write moving 0 bytes", {moved_nothing}, ""},
	/* nothing for a process touching its own memory */
	{"own process, another thread", {own_thread}, ""},
	{"own process, its stack", {own_thread, stack}, ""},
	{"own process, ia32 ABI", {own_thread, ia32}, ""},
	{"own process, failed", {own_thread, efault}, ""},
	{"own process, read", {to_read, own_thread}, ""},
	/* PVM-W002 foreign-write-sensitive-region */
	{"write into the stack", {stack}, "PVM-W001 PVM-W002"},
	{"write into an rwx mapping", {rwx_anon}, "PVM-W001 PVM-W002"},
	{"write into a library's data", {library_data}, "PVM-W001 PVM-W002"},
	{"write into the executable's data", {exe_data}, "PVM-W001 PVM-W002"},
	{"write into a file also mapped executable", {plugin_data}, "PVM-W001 PVM-W002"},
	{"write into a private file, path unknown", {private_file_no_path}, "PVM-W001 PVM-W002"},
	{"write into a shared file, path unknown", {shared_file_no_path}, "PVM-W001"},
	{"write into a data file", {data_file}, "PVM-W001"},
	{"stack entry after the bytes ran out", {stack_not_reached}, "PVM-W001"},
	{"stack entry of length 0", {stack_empty_entry}, "PVM-W001"},
	{"stack entry reached by 1 byte", {stack_reached_by_one_byte}, "PVM-W001 PVM-W002"},
	{"failed write into the stack", {stack, efault}, "PVM-W004"},
	/* PVM-W003 foreign-write-across-boundary */
	{"write across uids", {other_uid}, "PVM-W001 PVM-W003"},
	{"write across pid namespaces", {other_pidns}, "PVM-W001 PVM-W003"},
	{"write across containers", {other_container}, "PVM-W001 PVM-W003"},
	{"target container unknown", {container_unknown}, "PVM-W001"},
	{"failed write across uids", {other_uid, eperm}, "PVM-W004"},
	/* PVM-W004 foreign-write-failed */
	{"write refused (EPERM)", {eperm}, "PVM-W004"},
	{"write to a pid naming nothing (ESRCH)", {esrch}, "PVM-W004"},
	{"write to pid -1 (ESRCH)", {esrch, pid_minus_one}, "PVM-W004"},
	{"failed read", {to_read, eperm}, ""},
	/* PVM-W005 write-unresolved-target */
	{"write, target unresolved", {unresolved}, "PVM-W005"},
	{"failed write, target unresolved", {unresolved, eperm}, "PVM-W005"},
	{"write of 0 bytes, target unresolved", {unresolved, moved_nothing}, ""},
	{"read, target unresolved", {to_read, unresolved}, ""},
	/* PVM-A001 ia32-abi-from-64bit-code */
	{"ia32 write from 64-bit code", {ia32}, "PVM-W001 PVM-A001"},
	{"ia32 failed write from 64-bit code", {ia32, esrch}, "PVM-W004 PVM-A001"},
	{"ia32 read from 64-bit code", {to_read, ia32}, "PVM-A001 PVM-R001"},
	{"ia32 write from 32-bit code", {ia32, code32}, "PVM-W001"},
	{"ia32 write, code segment unknown", {ia32, code_unknown}, "PVM-W001"},
	/* PVM-R001 foreign-read */
	{"read of a child's memory", {to_read}, "PVM-R001"},
	{"read of 0 bytes", {to_read, moved_nothing}, ""},
	{"read of a pid naming nothing", {to_read, esrch}, ""},
	/* PVM-R002 foreign-read-across-boundary */
	{"read across uids", {to_read, other_uid}, "PVM-R001 PVM-R002"},
	{"read across pid namespaces", {to_read, other_pidns}, "PVM-R001 PVM-R002"},
	/* PVM-R003 foreign-read-credential-holder */
	{"read of ssh-agent", {to_read, ssh_agent}, "PVM-R001 PVM-R003"},
	{"read of gnome-keyring-daemon by comm", {to_read, keyring_comm}, "PVM-R001 PVM-R003"},
	{"read of kwalletd6 by executable", {to_read, kwallet_exe}, "PVM-R001 PVM-R003"},
	{"read of sshd-session", {to_read, sshd_session}, "PVM-R001 PVM-R003"},
	{"read of look-alike names", {to_read, lookalike}, "PVM-R001"},
	{"read of a name shorter than a holder's", {to_read, short_keyring}, "PVM-R001"},
	{"write into ssh-agent", {ssh_agent}, "PVM-W001"},
};

UNIT_TEST(rules_table)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pvm_facts f = mutated(cases[i].setup);
		struct pvm_alerts a;

		pvm_rules_eval(&f, NULL, &a);
		if (strcmp(fired(&a), cases[i].want))
			unit_fail(__FILE__, __LINE__, "%s: fired \"%s\", want \"%s\"", cases[i].name,
				  fired(&a), cases[i].want);
	}
}

static bool same_alerts(const struct pvm_alerts *a, const struct pvm_alerts *b)
{
	if (a->n != b->n)
		return false;
	for (unsigned int i = 0; i < a->n; i++)
		if (a->alert[i].rule != b->alert[i].rule ||
		    a->alert[i].severity != b->alert[i].severity ||
		    a->alert[i].allowed_by != b->alert[i].allowed_by ||
		    strcmp(a->alert[i].reason, b->alert[i].reason))
			return false;
	return true;
}

/*
 * The table's calls one after another through one memo, each twice: every
 * answer is the one pvm_rules_eval gives, from the rules or from the memo.
 */
UNIT_TEST(rules_memo_answers_as_the_rules)
{
	static struct pvm_judge_memo memo;
	static struct pvm_alerts fresh, kept;

	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			struct pvm_facts f = mutated(cases[i].setup);

			pvm_rules_eval(&f, NULL, &fresh);
			for (int again = 0; again < 2; again++) {
				char want[256];

				memset(&kept, 0xa5, sizeof(kept));
				CHECK_EQ(pvm_judge_rules(&f, &memo, &kept), fresh.n);
				snprintf(want, sizeof(want), "%s", fired(&fresh));
				if (!same_alerts(&kept, &fresh))
					unit_fail(__FILE__, __LINE__, "%s: fired \"%s\", want \"%s\"",
						  cases[i].name, fired(&kept), want);
			}
		}
}

/* The reason of rule `id` for the example call after the mutations. */
static const char *reason_of(const setup_fn setup[2], const char *id)
{
	static struct pvm_alerts a;
	struct pvm_facts f = mutated(setup);

	pvm_rules_eval(&f, NULL, &a);
	for (unsigned int i = 0; i < a.n; i++)
		if (!strcmp(a.alert[i].rule->id, id))
			return a.alert[i].reason;
	return NULL;
}

static void to_root_sshd(struct pvm_facts *f)
{
	f->target.pid = 123;
	other_uid(f);
	other_pidns(f);
	f->target.container_known = true;
	memset(f->caller.container, 'c', 64);
	strcpy(f->target.comm, "sshd");
	stack(f);
}

UNIT_TEST(rules_reasons)
{
	static const struct {
		setup_fn setup[2];
		const char *id, *want;
	} reasons[] = {
		{{NULL}, "PVM-W001", "wrote 64 bytes into pid 4300 (victim) owned by uid 1000"},
		{{to_root_sshd}, "PVM-W002", "wrote 64 bytes into the stack of pid 123 (sshd) owned by uid 0"},
		{{rwx_anon}, "PVM-W002",
		 "wrote 64 bytes into an rwx mapping of pid 4300 (victim) owned by uid 1000"},
		{{library_data}, "PVM-W002",
		 "wrote 64 bytes into the writable mapping of /usr/lib/x86_64-linux-gnu/libc.so.6 in "
		 "pid 4300 (victim) owned by uid 1000"},
		{{private_file_no_path}, "PVM-W002",
		 "wrote 64 bytes into a writable private file mapping of pid 4300 (victim) owned by "
		 "uid 1000"},
		{{to_root_sshd}, "PVM-W003",
		 "wrote 64 bytes into pid 123 (sshd) owned by uid 0, across uids 1000 -> 0 and pid "
		 "namespaces 4026531836 -> 4026532201 and containers cccccccccccc -> host"},
		{{eperm}, "PVM-W004", "failed (EPERM) to write 64 bytes into pid 4300 (victim) owned by uid 1000"},
		{{eperm, no_payload}, "PVM-W004", "failed (EPERM) to write into pid 4300 (victim) owned by uid 1000"},
		{{esrch, pid_minus_one}, "PVM-W004", "failed (ESRCH) to write 64 bytes into pid -1, which named no process"},
		{{unresolved}, "PVM-W005", "wrote 64 bytes into pid 4300, which the sensor could not resolve"},
		{{unresolved, eperm}, "PVM-W005",
		 "failed (EPERM) to write 64 bytes into pid 4300, which the sensor could not resolve"},
		{{ia32}, "PVM-A001",
		 "process_vm_writev through the 32-bit syscall ABI from 64-bit code, naming pid 4300 "
		 "(victim) owned by uid 1000"},
		{{to_read}, "PVM-R001", "read 64 bytes from pid 4300 (victim) owned by uid 1000"},
		{{to_read, other_pidns}, "PVM-R002",
		 "read 64 bytes from pid 4300 (victim) owned by uid 1000, across pid namespaces "
		 "4026531836 -> 4026532201"},
		{{to_read, keyring_comm}, "PVM-R003",
		 "read 64 bytes from pid 4300 (gnome-keyring-d) owned by uid 1000, a credential holder "
		 "(gnome-keyring-daemon)"},
		{{to_read, kwallet_exe}, "PVM-R003",
		 "read 64 bytes from pid 4300 (worker) owned by uid 1000, a credential holder (kwalletd*)"},
	};

	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		CHECK_STR(reason_of(reasons[i].setup, reasons[i].id), reasons[i].want);
}

UNIT_TEST(rules_reason_with_a_long_path_stays_bounded)
{
	struct pvm_facts f = example_write();
	char path[PVM_FACTS_PATH_MAX + 100];
	struct pvm_alerts a;

	memset(path, 'x', sizeof(path) - 1);
	path[0] = '/';
	strcpy(path + sizeof(path) - 8, "/a.so.1");
	set_fact_region(&f, 0, PVM_FACT_REGION_FILE, "rw-p", path, 64);
	pvm_facts_classify(&f);
	pvm_rules_eval(&f, NULL, &a);
	CHECK_STR(fired(&a), "PVM-W001 PVM-W002");
	CHECK(strlen(a.alert[1].reason) < sizeof(a.alert[1].reason));
	CHECK(!strncmp(a.alert[1].reason, "wrote 64 bytes into the writable mapping of ...xxx", 50));
	CHECK(strstr(a.alert[1].reason, "xxx/a.so.1 in pid 4300 (victim) owned by uid 1000") != NULL);
}

/* The metadata is an interface (ids in stored alerts, --enforce=critical). */
UNIT_TEST(rules_metadata)
{
	static const struct {
		const char *id, *name, *severity, *mitre;
		bool at_entry;
	} want[PVM_RULE_COUNT] = {
		{"PVM-W001", "foreign-write", "high", "T1055", true},
		{"PVM-W002", "foreign-write-sensitive-region", "critical", "T1055", true},
		{"PVM-W003", "foreign-write-across-boundary", "critical", "T1055", true},
		{"PVM-W004", "foreign-write-failed", "medium", "T1055", false},
		{"PVM-W005", "write-unresolved-target", "low", "T1055", false},
		{"PVM-A001", "ia32-abi-from-64bit-code", "high", "T1055", true},
		{"PVM-R001", "foreign-read", "medium", "T1003", true},
		{"PVM-R002", "foreign-read-across-boundary", "high", "T1003", true},
		{"PVM-R003", "foreign-read-credential-holder", "high", "T1003 T1555", true},
	};
	unsigned int enforced = 0;

	for (unsigned int i = 0; i < PVM_RULE_COUNT; i++) {
		const struct pvm_rule *r = &pvm_rules[i];
		char mitre[64] = "";

		for (const char *const *m = r->mitre; *m; m++)
			snprintf(mitre + strlen(mitre), sizeof(mitre) - strlen(mitre), "%s%s",
				 m == r->mitre ? "" : " ", *m);
		CHECK_STR(r->id, want[i].id);
		CHECK_STR(r->name, want[i].name);
		CHECK_STR(pvm_severity_name(r->severity), want[i].severity);
		CHECK_STR(mitre, want[i].mitre);
		CHECK_EQ(r->at_entry, want[i].at_entry);
		CHECK(pvm_rule_find(want[i].id) == r);
		if (r->at_entry && r->severity == PVM_SEV_CRITICAL)
			enforced |= 1u << i;
	}
	CHECK(pvm_rule_find("PVM-W999") == NULL);
	/* --enforce=critical: exactly the region and boundary writes */
	CHECK_EQ(enforced, (1u << PVM_RULE_WRITE_SENSITIVE_REGION) |
				   (1u << PVM_RULE_WRITE_ACROSS_BOUNDARY));
}

UNIT_TEST(rules_severity_names)
{
	static const struct {
		const char *text;
		int want; /* -1: refused */
	} parse[] = {
		{"info", PVM_SEV_INFO},	    {"low", PVM_SEV_LOW},	   {"medium", PVM_SEV_MEDIUM},
		{"high", PVM_SEV_HIGH},	    {"critical", PVM_SEV_CRITICAL}, {"CRITICAL", PVM_SEV_CRITICAL},
		{"High", PVM_SEV_HIGH},	    {"crit", -1},		   {"med", -1},
		{"", -1},		    {"high ", -1},		   {"4", -1},
	};

	for (size_t i = 0; i < sizeof(parse) / sizeof(parse[0]); i++) {
		enum pvm_severity sev = PVM_SEV_LOW;
		int ret = pvm_severity_parse(parse[i].text, &sev);

		if (parse[i].want < 0) {
			CHECK_EQ(ret, -1);
			CHECK_EQ(sev, PVM_SEV_LOW); /* untouched */
		} else {
			CHECK_EQ(ret, 0);
			CHECK_EQ(sev, parse[i].want);
		}
	}
	CHECK_STR(pvm_severity_name(PVM_SEV_MEDIUM), "medium");
	CHECK_STR(pvm_severity_tag(PVM_SEV_CRITICAL), "CRIT");
	CHECK_STR(pvm_severity_tag(PVM_SEV_MEDIUM), "MED");
	CHECK(pvm_severity_name((enum pvm_severity)5) == NULL);
	CHECK(pvm_severity_tag((enum pvm_severity)-1) == NULL);
}

UNIT_TEST(rules_min_severity)
{
	struct pvm_facts f = example_write();
	struct pvm_alerts a;

	pvm_rules_eval(&f, NULL, &a); /* high */
	CHECK_EQ(pvm_alerts_max_severity(&a), PVM_SEV_HIGH);
	CHECK(pvm_alerts_at_least(&a, PVM_SEV_HIGH));
	CHECK(!pvm_alerts_at_least(&a, PVM_SEV_CRITICAL));
	stack(&f);
	pvm_rules_eval(&f, NULL, &a); /* high and critical */
	CHECK_EQ(pvm_alerts_max_severity(&a), PVM_SEV_CRITICAL);
	own_thread(&f);
	pvm_rules_eval(&f, NULL, &a); /* none */
	CHECK_EQ(a.n, 0);
	CHECK_EQ(pvm_alerts_max_severity(&a), -1);
	CHECK(!pvm_alerts_at_least(&a, PVM_SEV_INFO));
}

UNIT_TEST(rules_allowed_alerts_drop_to_info)
{
	struct pvm_allowlist list;
	struct pvm_facts f = example_write();
	struct pvm_alerts a;
	char err[256];

	CHECK_EQ(pvm_allowlist_parse(&list, "test.conf",
				     "allow exe=/usr/bin/gdb\n"
				     "allow exe=/opt/tool/* label=tool\n",
				     err, sizeof(err)),
		 0);
	stack(&f);
	CHECK_EQ(pvm_rules_eval(&f, &list, &a), 2);
	CHECK_STR(fired(&a), "PVM-W001 PVM-W002");
	for (unsigned int i = 0; i < a.n; i++) {
		CHECK_EQ(a.alert[i].severity, PVM_SEV_INFO);
		CHECK_STR(a.alert[i].allowed_by, "test.conf:2 (tool)");
	}
	CHECK_STR(a.alert[1].reason, "wrote 64 bytes into the stack of pid 4300 (victim) owned by "
				     "uid 1000; allowed by test.conf:2 (tool)");
	CHECK_EQ(pvm_alerts_max_severity(&a), PVM_SEV_INFO);
	CHECK(pvm_alerts_at_least(&a, PVM_SEV_INFO));
	CHECK(!pvm_alerts_at_least(&a, PVM_SEV_LOW));

	pvm_fact_path_set(&f, &f.caller.exe, "/usr/bin/python3"); /* no longer allowed */
	pvm_rules_eval(&f, &list, &a);
	CHECK_EQ(a.alert[1].severity, PVM_SEV_CRITICAL);
	CHECK(a.alert[1].allowed_by == NULL);
	CHECK(strstr(a.alert[1].reason, "allowed") == NULL);
	pvm_allowlist_free(&list);
}

/*
 * What the live sensor relies on: the rules never read the caller's
 * ancestors (it looks them up only once a call alerted), and the allowlist
 * step over those alerts, after the ancestors are in, gives what one full
 * run would.
 */
UNIT_TEST(rules_allowlist_step_after_ancestors)
{
	struct pvm_allowlist list;
	struct pvm_facts f = example_write();
	struct pvm_alerts without, with, full;
	char err[256];

	CHECK_EQ(pvm_allowlist_parse(&list, "test.conf",
				     "allow exe=/usr/bin/launcher via=ancestor label=launcher\n", err,
				     sizeof(err)),
		 0);
	stack(&f);
	f.caller.n_ancestors = 0;
	CHECK_EQ(pvm_rules_eval(&f, &list, &without), 2);
	CHECK(without.alert[0].allowed_by == NULL); /* no ancestors: nothing to allow it */

	f.caller.n_ancestors = 2;
	pvm_fact_path_set(&f, &f.caller.ancestors[0], "/usr/bin/bash");
	pvm_fact_path_set(&f, &f.caller.ancestors[1], "/usr/bin/launcher");
	CHECK_EQ(pvm_rules_eval(&f, NULL, &with), without.n);
	for (unsigned int i = 0; i < without.n; i++) {
		CHECK(with.alert[i].rule == without.alert[i].rule);
		CHECK_EQ(with.alert[i].severity, without.alert[i].severity);
		CHECK_STR(with.alert[i].reason, without.alert[i].reason);
	}
	pvm_alerts_allow(&with, &f, &list);
	CHECK_EQ(pvm_rules_eval(&f, &list, &full), with.n);
	for (unsigned int i = 0; i < full.n; i++) {
		CHECK(with.alert[i].rule == full.alert[i].rule);
		CHECK_EQ(with.alert[i].severity, PVM_SEV_INFO);
		CHECK_STR(with.alert[i].allowed_by, "test.conf:1 (launcher)");
		CHECK_STR(with.alert[i].reason, full.alert[i].reason);
	}
	pvm_allowlist_free(&list);
}

/* A long allowlist name: the reason is cut, the suffix kept whole. */
UNIT_TEST(rules_allowed_suffix_survives_a_full_reason)
{
	struct pvm_allowlist list;
	struct pvm_facts f = example_write();
	char path[300], name[161], suffix[256], err[512];
	struct pvm_alerts a;
	const char *reason;

	memset(path, 'p', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	set_fact_region(&f, 0, PVM_FACT_REGION_FILE, "rwxp", path, 64);
	CHECK_EQ(pvm_allowlist_parse(&list, name, "allow exe=/opt/tool/injector label=tool\n", err,
				     sizeof(err)),
		 0);
	pvm_rules_eval(&f, &list, &a);
	CHECK_STR(fired(&a), "PVM-W001 PVM-W002");
	reason = a.alert[1].reason;
	snprintf(suffix, sizeof(suffix), "; allowed by %s:1 (tool)", name);
	CHECK_EQ(strlen(reason), PVM_REASON_MAX - 1);
	CHECK_STR(reason + strlen(reason) - strlen(suffix), suffix);
	CHECK(!strncmp(reason, "wrote 64 bytes into an rwx mapping of ...ppp", 44));
	pvm_allowlist_free(&list);
}

static void summary_of(FILE *out, const void *arg)
{
	pvm_alert_summary_print(out, arg);
}

UNIT_TEST(rules_summary)
{
	struct pvm_alert_summary s = {0};
	struct pvm_allowlist list;
	struct pvm_facts f = example_write();
	struct pvm_alerts a;
	char err[256], *got;

	pvm_rules_eval(&f, NULL, &a);
	pvm_alert_summary_add(&s, &a);
	pvm_alert_summary_add(&s, &a);
	stack(&f);
	CHECK_EQ(pvm_allowlist_parse(&list, "t", "allow exe=/opt/tool/injector\n", err, sizeof(err)),
		 0);
	pvm_rules_eval(&f, &list, &a);
	pvm_alert_summary_add(&s, &a);
	CHECK_EQ(s.count[PVM_RULE_FOREIGN_WRITE], 3);
	CHECK_EQ(s.allowed[PVM_RULE_FOREIGN_WRITE], 1);
	CHECK_EQ(s.allowed[PVM_RULE_WRITE_SENSITIVE_REGION], 1);
	/* only the rules that fired */
	got = unit_capture(summary_of, &s);
	CHECK_STR(got, "PVM-W001 foreign-write high 3 allowed=1\n"
		       "PVM-W002 foreign-write-sensitive-region critical 1 allowed=1\n");
	free(got);
	pvm_allowlist_free(&list);
}

UNIT_TEST(rules_summary_when_none_fired)
{
	struct pvm_alert_summary s = {0};
	char *got = unit_capture(summary_of, &s);

	CHECK_STR(got, "pvmtrace: no rule fired\n");
	free(got);
}
