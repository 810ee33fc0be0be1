// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The facts the rules read: from a decoded event, and their helpers. */
#include <fnmatch.h>

#include "event/event.h"
#include "event/regions.h"
#include "facts_builder.h"
#include "record_builder.h"
#include "rules/rules.h"
#include "unit.h"

static struct record_buffer buf;
static struct pvm_region_view views[PVM_REGIONS_MAX];

/* The example record of docs/events.md with executables, then decode. */
static void build(void)
{
	build_example(&buf);
	set_exes(&buf, "/usr/bin/injector", PVM_EXE_KNOWN, "/usr/bin/victim", PVM_EXE_KNOWN);
}

/* The facts' paths point into the event: it outlives them here. */
static struct pvm_facts facts_of(const char *const *ancestors, unsigned int n)
{
	static struct pvm_event ev;
	struct pvm_facts f;

	ev = decode_built(&buf, 0, views);
	for (unsigned int i = 0; i < n; i++)
		ev.caller_ancestors[i] = ancestors[i];
	ev.n_ancestors = n;
	pvm_facts_from_event(&ev, &f);
	return f;
}

static const char *fired(const struct pvm_facts *f)
{
	static char out[128];
	struct pvm_alerts a;

	out[0] = '\0';
	pvm_rules_eval(f, NULL, &a);
	for (unsigned int i = 0; i < a.n; i++)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? " " : "",
			 a.alert[i].rule->id);
	return out;
}

UNIT_TEST(facts_from_example_event)
{
	static const char *const ancestors[] = {"/usr/bin/bash", "/usr/lib/systemd/systemd"};
	struct pvm_facts f;

	build();
	f = facts_of(ancestors, 2);
	CHECK_EQ(f.call, PVM_SYS_WRITEV);
	CHECK_EQ(f.ret, 64);
	CHECK_EQ(f.abi, PVM_ABI_X86_64);
	CHECK_EQ(f.code, PVM_CODE_64);
	CHECK_EQ(f.pid_arg, 4300);
	CHECK_EQ(f.payload, 64);
	CHECK_EQ(f.caller.pid, 4242);
	CHECK_EQ(f.caller.tid, 4243);
	CHECK_EQ(f.caller.uid, 0);
	CHECK_EQ(f.caller.pidns, INIT_PIDNS);
	CHECK_STR(f.caller.comm, "injector");
	CHECK(f.caller.exe.known && !f.caller.exe.truncated);
	CHECK_STR(pvm_fact_path_text(&f, &f.caller.exe), "/usr/bin/injector");
	CHECK(f.caller.container_known);
	CHECK_STR(f.caller.container, "");
	CHECK_EQ(f.caller.n_ancestors, 2);
	CHECK_STR(pvm_fact_path_text(&f, &f.caller.ancestors[0]), "/usr/bin/bash");
	CHECK_STR(pvm_fact_path_text(&f, &f.caller.ancestors[1]), "/usr/lib/systemd/systemd");
	CHECK_EQ(f.target.state, PVM_FACT_TARGET_KNOWN);
	CHECK_EQ(f.target.pid, 4300);
	CHECK_EQ(f.target.uid, 0);
	CHECK_STR(f.target.comm, "victim");
	CHECK_STR(pvm_fact_path_text(&f, &f.target.exe), "/usr/bin/victim");
	CHECK(!f.target.container_known);
	CHECK(f.target.child && !f.target.parent && !f.target.same_process);
	CHECK(f.target.same_uid && f.target.same_pidns);
	CHECK_EQ(f.n_regions, 1);
	CHECK_EQ(f.regions[0].base, 0x7f3a1c000000);
	CHECK_EQ(f.regions[0].len, 64);
	CHECK_EQ(f.regions[0].kind, PVM_FACT_REGION_ANON);
	CHECK(f.regions[0].read && f.regions[0].write && !f.regions[0].exec && !f.regions[0].shared);
	CHECK(!f.regions[0].path.known && !f.regions[0].image);
	CHECK_STR(fired(&f), "PVM-W001");
}

UNIT_TEST(facts_from_event_variants)
{
	struct pvm_facts f;

	/* the caller's own process, from another thread */
	build();
	buf.rec.target.pid = 4242;
	buf.rec.target.tid = 4244;
	f = facts_of(NULL, 0);
	CHECK(f.target.same_process);
	CHECK_STR(fired(&f), "");

	/* a 32-bit call from 64-bit code into the stack */
	build();
	buf.rec.abi = PVM_ABI_IA32;
	set_region(&buf, 0,
		   (struct pvm_region){.start = 0x7ffd5c000000, .end = 0x7ffd5c021000,
				       .vm_flags = PVM_VM_READ | PVM_VM_WRITE,
				       .state = PVM_REGION_FOUND, .kind = PVM_REGION_STACK});
	f = facts_of(NULL, 0);
	CHECK_EQ(f.abi, PVM_ABI_IA32);
	CHECK_EQ(f.regions[0].kind, PVM_FACT_REGION_STACK);
	CHECK_STR(fired(&f), "PVM-W001 PVM-W002 PVM-A001");

	/* ESRCH: the pid named no process; the payload is what it asked to write */
	build();
	buf.rec.ret = -3;
	buf.rec.pid = 99999;
	buf.rec.code_mode = PVM_CODE_UNKNOWN;
	buf.rec.target.source = PVM_TARGET_NONE;
	set_region(&buf, 0, (struct pvm_region){.state = PVM_REGION_UNRESOLVED});
	set_exes(&buf, "/usr/bin/injector", PVM_EXE_KNOWN, NULL, 0);
	f = facts_of(NULL, 0);
	CHECK_EQ(f.target.state, PVM_FACT_TARGET_NONE);
	CHECK_EQ(f.code, PVM_CODE_UNKNOWN);
	CHECK_EQ(f.payload, 64);
	CHECK_EQ(f.regions[0].kind, PVM_FACT_REGION_UNKNOWN);
	CHECK_STR(fired(&f), "PVM-W004");

	/* a target nobody resolved; an address in no mapping; a cut caller path */
	build();
	buf.rec.target.source = PVM_TARGET_UNRESOLVED;
	set_region(&buf, 0, (struct pvm_region){.state = PVM_REGION_NONE});
	set_exes(&buf, "/bin/injector", PVM_EXE_KNOWN | PVM_EXE_TRUNCATED, NULL, 0);
	f = facts_of(NULL, 0);
	CHECK_EQ(f.target.state, PVM_FACT_TARGET_UNRESOLVED);
	CHECK_EQ(f.regions[0].kind, PVM_FACT_REGION_NONE);
	CHECK(f.caller.exe.known && f.caller.exe.truncated);
	CHECK_STR(pvm_fact_path_text(&f, &f.caller.exe), ".../bin/injector");
	CHECK_STR(fired(&f), "PVM-W005");

	/* a read whose remote array could not be read: no regions */
	build();
	buf.rec.syscall = PVM_SYS_READV;
	buf.rec.remote_state = PVM_IOV_FAULT;
	buf.rec.remote_n = 0;
	set_exes(&buf, NULL, 0, NULL, 0);
	f = facts_of(NULL, 0);
	CHECK_EQ(f.call, PVM_SYS_READV);
	CHECK_EQ(f.n_regions, 0);
	CHECK(!f.caller.exe.known && !f.target.exe.known);
	CHECK_STR(fired(&f), "PVM-R001");
}

UNIT_TEST(facts_paths_and_names)
{
	static struct pvm_facts f;
	struct pvm_fact_path p;
	char comm[PVM_FACTS_COMM_LEN];
	char longer[PVM_FACTS_PATH_MAX + 10];

	pvm_facts_start(&f);
	pvm_fact_path_set(&f, &p, NULL);
	CHECK(!p.known && !p.truncated);
	CHECK_STR(pvm_fact_basename(&f, &p), "");
	pvm_fact_path_set(&f, &p, "");
	CHECK(!p.known);
	pvm_fact_path_set(&f, &p, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	CHECK(p.known && !p.truncated);
	CHECK_STR(pvm_fact_basename(&f, &p), "libc.so.6");
	pvm_fact_path_set(&f, &p, "...gnu/libc.so.6"); /* the kernel side's cut path */
	CHECK(p.known && p.truncated);

	/* a longer path keeps its tail: the name and suffix the rules need */
	memset(longer, 'd', sizeof(longer) - 1);
	longer[0] = '/';
	strcpy(longer + sizeof(longer) - 11, "/libz.so.1");
	pvm_fact_path_set(&f, &p, longer);
	CHECK(p.known && p.truncated);
	CHECK_EQ(strlen(pvm_fact_path_text(&f, &p)), PVM_FACTS_PATH_MAX - 1);
	CHECK_STR(pvm_fact_basename(&f, &p), "libz.so.1");

	pvm_fact_comm_set(comm, "0123456789abcdef", 16); /* the kernel's 16 bytes, no NUL */
	CHECK_STR(comm, "0123456789abcde");
	pvm_fact_comm_set(comm, "sshd\0junk", 16);
	CHECK_STR(comm, "sshd");

	/* a path set over another is that path alone */
	pvm_fact_path_set(&f, &p, longer);
	pvm_fact_path_set(&f, &p, "/bin/sh");
	CHECK(p.known && !p.truncated && p.len == 7);
	CHECK_STR(pvm_fact_path_text(&f, &p), "/bin/sh");
	pvm_fact_path_set(&f, &p, NULL);
	CHECK(!p.known && !p.truncated && p.len == 0);
	CHECK_STR(pvm_fact_path_text(&f, &p), "");
	CHECK_STR(pvm_fact_basename(&f, &p), "");
}

/* The literal head is compared by hand, the rest by fnmatch: same answers. */
UNIT_TEST(facts_glob_match)
{
	CHECK(pvm_glob_match("/usr/bin/gdb", "/usr/bin/gdb", FNM_PATHNAME));
	CHECK(!pvm_glob_match("/usr/bin/gdb", "/usr/bin/gdb-multiarch", FNM_PATHNAME));
	CHECK(!pvm_glob_match("/usr/bin/gdb", "/usr/bin/gd", FNM_PATHNAME));
	CHECK(!pvm_glob_match("/usr/bin/gdb", "", FNM_PATHNAME));
	CHECK(pvm_glob_match("/usr/lib/llvm-*/bin/lldb-server", "/usr/lib/llvm-14/bin/lldb-server",
			     FNM_PATHNAME));
	/* FNM_PATHNAME still holds after the literal head: * never spans a / */
	CHECK(!pvm_glob_match("/usr/lib/llvm-*/bin/lldb-server",
			      "/usr/lib/llvm-14/x/bin/lldb-server", FNM_PATHNAME));
	CHECK(pvm_glob_match("/usr/lib/llvm-*/x", "/usr/lib/llvm-14/x", 0));
	CHECK(!pvm_glob_match("/opt/*/x", "/usr/lib/llvm-14/x", 0));
	/* an escaped metacharacter ends the head: fnmatch reads the escape */
	CHECK(pvm_glob_match("/tmp/a\\*b", "/tmp/a*b", 0));
	CHECK(!pvm_glob_match("/tmp/a\\*b", "/tmp/axb", 0));
	CHECK(pvm_glob_match("kwalletd*", "kwalletd6", 0));
	CHECK(pvm_glob_match("[gs]sh-agent", "ssh-agent", 0));
	CHECK(pvm_glob_match("*", "", 0));
}

UNIT_TEST(facts_classify_and_reach)
{
	struct pvm_facts f = example_write();
	static const struct {
		const char *perms, *path;
		bool image;
	} cases[] = {
		{"rw-p", "/usr/lib/x86_64-linux-gnu/libc.so.6", true},
		{"rw-p", "/usr/lib/python3/dist-packages/_x.cpython-311-x86_64-linux-gnu.so", true},
		{"rw-p", "/usr/bin/victim", true},   /* the target's executable */
		{"rw-p", "/srv/data.so.bak", true},  /* named like a library */
		{"rw-p", "/srv/data.sock", false},
		{"rw-p", "/srv/libso", false},
		{"rw-p", NULL, true},		     /* private, path unknown */
		{"rw-s", NULL, false},		     /* shared, path unknown */
		{"rw-s", "/dev/shm/ring.so.1", false}, /* shared memory, named like a library */
		{"rw-s", "/usr/bin/victim", false},  /* shared, even of the target's executable */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		set_fact_region(&f, 0, PVM_FACT_REGION_FILE, cases[i].perms, cases[i].path, 64);
		f.n_regions = 1;
		pvm_facts_classify(&f);
		if (f.regions[0].image != cases[i].image)
			unit_fail(__FILE__, __LINE__, "%s %s: image %d", cases[i].perms,
				  cases[i].path ? cases[i].path : "(unknown)", f.regions[0].image);
	}
	set_fact_region(&f, 0, PVM_FACT_REGION_HEAP, "rw-p", "/usr/lib/libc.so.6", 64);
	pvm_facts_classify(&f);
	CHECK(!f.regions[0].image); /* only file mappings */

	/* 20 bytes moved over entries of 0, 8, 12 and 4 bytes */
	f.ret = 20;
	set_fact_region(&f, 0, PVM_FACT_REGION_HEAP, "rw-p", NULL, 0);
	set_fact_region(&f, 1, PVM_FACT_REGION_HEAP, "rw-p", NULL, 8);
	set_fact_region(&f, 2, PVM_FACT_REGION_HEAP, "rw-p", NULL, 12);
	set_fact_region(&f, 3, PVM_FACT_REGION_HEAP, "rw-p", NULL, 4);
	CHECK(!pvm_facts_region_reached(&f, 0));
	CHECK(pvm_facts_region_reached(&f, 1));
	CHECK(pvm_facts_region_reached(&f, 2));
	CHECK(!pvm_facts_region_reached(&f, 3));
	CHECK(!pvm_facts_region_reached(&f, 4));
	f.regions[0].len = UINT64_MAX; /* lengths that overflow reach nothing after them */
	CHECK(!pvm_facts_region_reached(&f, 2));
	f.ret = -14;
	CHECK(!pvm_facts_region_reached(&f, 1));
}

UNIT_TEST(facts_foreign)
{
	struct pvm_facts f = example_write();

	CHECK_EQ(pvm_facts_foreign(&f), PVM_FOREIGN_YES);
	f.target.same_process = true;
	CHECK_EQ(pvm_facts_foreign(&f), PVM_FOREIGN_NO);
	f.target.state = PVM_FACT_TARGET_NONE;
	CHECK_EQ(pvm_facts_foreign(&f), PVM_FOREIGN_YES);
	f.target.state = PVM_FACT_TARGET_UNRESOLVED;
	CHECK_EQ(pvm_facts_foreign(&f), PVM_FOREIGN_UNKNOWN);
}

#define KEY_CHANGE(name, stmt)                                                             \
	static void name(struct pvm_facts *f)                                              \
	{                                                                                  \
		stmt;                                                                      \
	}
KEY_CHANGE(key_call, f->call = PVM_SYS_READV)
KEY_CHANGE(key_ret, f->ret = -14)
KEY_CHANGE(key_abi, f->abi = PVM_ABI_IA32)
KEY_CHANGE(key_code, f->code = PVM_CODE_32)
KEY_CHANGE(key_pid_arg, f->pid_arg++)
KEY_CHANGE(key_payload, f->payload++)
KEY_CHANGE(key_caller_pid, f->caller.pid++)
KEY_CHANGE(key_caller_tid, f->caller.tid++)
KEY_CHANGE(key_caller_uid, f->caller.uid++)
KEY_CHANGE(key_caller_pidns, f->caller.pidns++)
KEY_CHANGE(key_caller_comm, f->caller.comm[0] = 'I')
KEY_CHANGE(key_caller_exe, pvm_fact_path_set(f, &f->caller.exe, "/opt/tool/injectoR"))
KEY_CHANGE(key_caller_exe_cut, f->caller.exe.truncated = true)
KEY_CHANGE(key_caller_no_exe, pvm_fact_path_set(f, &f->caller.exe, NULL))
KEY_CHANGE(key_caller_container_unknown, f->caller.container_known = false)
KEY_CHANGE(key_caller_container, f->caller.container[0] = 'c')
KEY_CHANGE(key_target_state, f->target.state = PVM_FACT_TARGET_UNRESOLVED)
KEY_CHANGE(key_target_pid, f->target.pid++)
KEY_CHANGE(key_target_uid, f->target.uid++)
KEY_CHANGE(key_target_pidns, f->target.pidns++)
KEY_CHANGE(key_target_comm, f->target.comm[0] = 'V')
KEY_CHANGE(key_target_exe, pvm_fact_path_set(f, &f->target.exe, "/usr/bin/victiM"))
KEY_CHANGE(key_target_container_known, f->target.container_known = true)
KEY_CHANGE(key_target_container, f->target.container[0] = 'c')
KEY_CHANGE(key_same_process, f->target.same_process = true)
KEY_CHANGE(key_child, f->target.child = false)
KEY_CHANGE(key_parent, f->target.parent = true)
KEY_CHANGE(key_same_uid, f->target.same_uid = false)
KEY_CHANGE(key_same_pidns, f->target.same_pidns = false)
KEY_CHANGE(key_more_regions, set_fact_region(f, 1, PVM_FACT_REGION_STACK, "rw-p", NULL, 8))
KEY_CHANGE(key_no_regions, f->n_regions = 0)
KEY_CHANGE(key_region_base, f->regions[0].base++)
KEY_CHANGE(key_region_len, f->regions[0].len++)
KEY_CHANGE(key_region_kind, f->regions[0].kind = PVM_FACT_REGION_ANON)
KEY_CHANGE(key_region_read, f->regions[0].read = false)
KEY_CHANGE(key_region_write, f->regions[0].write = false)
KEY_CHANGE(key_region_exec, f->regions[0].exec = true)
KEY_CHANGE(key_region_shared, f->regions[0].shared = true)
KEY_CHANGE(key_region_image, f->regions[0].image = true)
KEY_CHANGE(key_region_path, pvm_fact_path_set(f, &f->regions[0].path, "/lib/libc.so.6"))

/* The rules' alerts, as text: rule ids and reasons. */
static void alerts_text(const struct pvm_alerts *a, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < a->n && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s: %s; ", a->alert[i].rule->id,
				       a->alert[i].reason);
}

/*
 * Each field changed alone, after the base call was judged: the judgement's
 * memo answers as the rules do afresh. The facts are their own key, so this
 * fails only if they held something the rules read outside their bytes.
 */
UNIT_TEST(judge_memo_answers_as_the_rules_for_every_field)
{
	static void (*const changes[])(struct pvm_facts *) = {
		key_call, key_ret, key_abi, key_code, key_pid_arg, key_payload, key_caller_pid,
		key_caller_tid, key_caller_uid, key_caller_pidns, key_caller_comm, key_caller_exe,
		key_caller_exe_cut, key_caller_no_exe, key_caller_container_unknown,
		key_caller_container, key_target_state, key_target_pid, key_target_uid,
		key_target_pidns, key_target_comm, key_target_exe, key_target_container_known,
		key_target_container, key_same_process, key_child, key_parent, key_same_uid,
		key_same_pidns, key_more_regions, key_no_regions, key_region_base, key_region_len,
		key_region_kind, key_region_read, key_region_write, key_region_exec,
		key_region_shared, key_region_image, key_region_path,
	};
	static struct pvm_judge_memo memo;
	static struct pvm_alerts fresh, judged;
	static struct pvm_facts f;
	char base[4096], want[4096], got[4096];
	unsigned int answers_changed = 0;

	for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
		f = example_write();
		set_fact_region(&f, 0, PVM_FACT_REGION_STACK, "rw-p", NULL, 64);
		pvm_judge_rules(&f, &memo, &judged);
		alerts_text(&judged, base, sizeof(base));
		changes[i](&f);
		pvm_rules_eval(&f, NULL, &fresh);
		pvm_judge_rules(&f, &memo, &judged);
		alerts_text(&fresh, want, sizeof(want));
		alerts_text(&judged, got, sizeof(got));
		if (strcmp(want, got))
			unit_fail(__FILE__, __LINE__, "change %zu: judged \"%s\", the rules say \"%s\"",
				  i, got, want);
		answers_changed += strcmp(base, want) != 0;
	}
	/* a dozen change the answer: the memo did not just answer the same */
	CHECK(answers_changed >= 10);
}
