// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The facts of a recorded event: each live event, formatted by
 * pvm_format_json and parsed back by pvm_facts_from_json, gives the facts
 * pvm_facts_from_event gave it, field by field. Then the lines it refuses.
 */
#include <json-c/json_object.h>
#include <json-c/json_pointer.h>
#include <json-c/json_tokener.h>
#include <stdlib.h>

#include "event/regions.h"
#include "output/format.h"
#include "record_builder.h"
#include "rules/facts_json.h"
#include "rules/rules.h"
#include "unit.h"

static struct record_buffer buf;
static struct pvm_region_view views[PVM_REGIONS_MAX];

/* The example call of docs/events.md with executables, as test_facts.c builds it. */
static void build(void)
{
	build_example(&buf);
	set_exes(&buf, "/usr/bin/injector", PVM_EXE_KNOWN, "/usr/sbin/victim", PVM_EXE_KNOWN);
}

static struct pvm_event decoded(void)
{
	return decode_built(&buf, 1000000000ULL, views);
}

static void json_of(FILE *out, const void *arg)
{
	struct json_writer w;

	jw_init(&w, out);
	pvm_format_json(&w, arg, NULL, NULL);
}

static json_object *parsed(const char *text)
{
	json_object *obj = json_tokener_parse(text);

	if (!obj)
		unit_fail(__FILE__, __LINE__, "json-c refused: %s", text);
	return obj;
}

#define SAME(field)                                                                        \
	do {                                                                               \
		if (live->field != json->field)                                            \
			unit_fail(__FILE__, line, "%s: live %lld, from JSON %lld", #field,  \
				  (long long)live->field, (long long)json->field);          \
	} while (0)
#define SAME_STR(field)                                                                    \
	do {                                                                               \
		if (strcmp(live->field, json->field))                                      \
			unit_fail(__FILE__, line, "%s: live \"%s\", from JSON \"%s\"", #field, \
				  live->field, json->field);                               \
	} while (0)
#define SAME_PATH(p)                                                                       \
	do {                                                                               \
		SAME(p.known);                                                             \
		SAME(p.truncated);                                                         \
		SAME(p.len);                                                               \
		if (live->p.known && json->p.known &&                                     \
		    strcmp(pvm_fact_path_text(live, &live->p), pvm_fact_path_text(json, &json->p))) \
			unit_fail(__FILE__, line, "%s: live \"%s\", from JSON \"%s\"", #p,   \
				  pvm_fact_path_text(live, &live->p),                      \
				  pvm_fact_path_text(json, &json->p));                     \
	} while (0)

/* Where each path is in the text out of the way: the two may add them in another order. */
static void forget_paths(struct pvm_facts *f)
{
	f->caller.exe.at = 0;
	for (unsigned int i = 0; i < PVM_FACTS_ANCESTORS; i++)
		f->caller.ancestors[i].at = 0;
	f->target.exe.at = 0;
	for (unsigned int i = 0; i < PVM_FACTS_REGIONS; i++)
		f->regions[i].path.at = 0;
	f->text.len = 0;
}

static void compare(const struct pvm_facts *live, const struct pvm_facts *json, int line)
{
	SAME(call);
	SAME(ret);
	SAME(abi);
	SAME(code);
	SAME(pid_arg);
	SAME(payload);
	SAME(caller.pid);
	SAME(caller.tid);
	SAME(caller.uid);
	SAME(caller.pidns);
	SAME_STR(caller.comm);
	SAME_PATH(caller.exe);
	SAME(caller.container_known);
	SAME_STR(caller.container);
	SAME(caller.n_ancestors);
	for (unsigned int i = 0; i < PVM_FACTS_ANCESTORS; i++)
		SAME_PATH(caller.ancestors[i]);
	SAME(target.state);
	SAME(target.pid);
	SAME(target.uid);
	SAME(target.pidns);
	SAME_STR(target.comm);
	SAME_PATH(target.exe);
	SAME(target.container_known);
	SAME_STR(target.container);
	SAME(target.same_process);
	SAME(target.child);
	SAME(target.parent);
	SAME(target.same_uid);
	SAME(target.same_pidns);
	SAME(n_regions);
	for (unsigned int i = 0; i < PVM_FACTS_REGIONS; i++) {
		SAME(regions[i].base);
		SAME(regions[i].len);
		SAME(regions[i].kind);
		SAME(regions[i].read);
		SAME(regions[i].write);
		SAME(regions[i].exec);
		SAME(regions[i].shared);
		SAME_PATH(regions[i].path);
		SAME(regions[i].image);
	}
	/* both start from zero: a field this list forgot shows here */
	struct pvm_facts a = *live, b = *json;

	forget_paths(&a);
	forget_paths(&b);
	if (memcmp(&a, &b, offsetof(struct pvm_facts, text)))
		unit_fail(__FILE__, line, "the facts differ outside the compared fields");
}

/*
 * The event as JSON, parsed back; its facts compared with the live ones. The
 * parsed line, which the facts' paths point into, is kept until the next call.
 */
static struct pvm_facts round_trip(const struct pvm_event *ev, int line)
{
	static json_object *obj;
	struct pvm_facts live, json = {0};
	char *text = unit_capture(json_of, ev);
	const char *why = NULL;

	json_object_put(obj);
	obj = parsed(text);
	pvm_facts_from_event(ev, &live);
	if (pvm_facts_from_json(obj, &json, &why))
		unit_fail(__FILE__, line, "refused: %s\n    %s", why, text);
	else
		compare(&live, &json, line);
	free(text);
	return json;
}

static struct pvm_facts check_decoded(int line)
{
	struct pvm_event ev = decoded();

	return round_trip(&ev, line);
}

UNIT_TEST(facts_json_cross_write_into_child_heap)
{
	static const char *const ancestors[] = {"/usr/bin/bash", "", "/usr/lib/systemd/systemd"};
	struct pvm_event ev;
	struct pvm_facts f;

	build();
	set_region(&buf, 0,
		   (struct pvm_region){.start = 0x7f3a1c000000, .end = 0x7f3a1c021000,
				       .vm_flags = PVM_VM_READ | PVM_VM_WRITE,
				       .state = PVM_REGION_FOUND, .kind = PVM_REGION_HEAP});
	f = check_decoded(__LINE__);
	CHECK(f.call == PVM_SYS_WRITEV && f.target.child && f.payload == 64);
	CHECK(f.n_regions == 1 && f.regions[0].kind == PVM_FACT_REGION_HEAP);

	/* looked-up ancestors (one without an exe) and a container */
	ev = decoded();
	for (unsigned int i = 0; i < 3; i++)
		ev.caller_ancestors[i] = ancestors[i];
	ev.n_ancestors = 3;
	ev.looked_up_ancestors = true;
	memset(ev.caller_container, 'c', 64);
	f = round_trip(&ev, __LINE__);
	CHECK(f.caller.n_ancestors == 3 && !f.caller.ancestors[1].known);
	CHECK_EQ(strspn(f.caller.container, "c"), 64);
}

UNIT_TEST(facts_json_reads_and_ia32)
{
	build();
	buf.rec.syscall = PVM_SYS_READV;
	buf.rec.ret = 4096;
	memcpy(buf.rec.target.comm, "ssh-agent", 10);
	check_decoded(__LINE__);

	build();
	buf.rec.abi = PVM_ABI_IA32;
	buf.rec.code_mode = PVM_CODE_64;
	check_decoded(__LINE__);

	build();
	buf.rec.abi = PVM_ABI_IA32;
	buf.rec.code_mode = PVM_CODE_32;
	check_decoded(__LINE__);

	build();
	buf.rec.code_mode = PVM_CODE_UNKNOWN;
	check_decoded(__LINE__);
}

UNIT_TEST(facts_json_failed_calls)
{
	/* ESRCH: no target, the local array unreadable, the address in no mapping */
	build();
	buf.rec.ret = -3;
	buf.rec.target.source = PVM_TARGET_NONE;
	buf.rec.local_state = PVM_IOV_FAULT;
	buf.rec.local_n = 0;
	buf.iov[0] = buf.iov[2];
	set_region(&buf, 0, (struct pvm_region){.state = PVM_REGION_NONE});
	set_payload(&buf, "", 0, 0);
	set_exes(&buf, "/usr/bin/injector", PVM_EXE_KNOWN, NULL, 0);
	check_decoded(__LINE__);

	/* EPERM with a readable local array: the bytes it asked to move */
	build();
	buf.rec.ret = -1;
	check_decoded(__LINE__);

	/* a failed read moved nothing */
	build();
	buf.rec.syscall = PVM_SYS_READV;
	buf.rec.ret = -14;
	check_decoded(__LINE__);

	/* more than 1024 local entries: no byte total; the remote array null */
	build();
	buf.rec.ret = -22;
	buf.rec.local_state = PVM_IOV_OVERSIZE;
	buf.rec.liovcnt = 1025;
	buf.rec.remote_state = PVM_IOV_FAULT;
	buf.rec.remote_n = 0;
	set_payload(&buf, "", 0, 0);
	set_exes(&buf, "/usr/bin/injector", PVM_EXE_KNOWN, "/usr/sbin/victim", PVM_EXE_KNOWN);
	check_decoded(__LINE__);
}

UNIT_TEST(facts_json_unresolved_and_proc_targets)
{
	struct pvm_target from_proc;
	struct pvm_event ev;

	build();
	buf.rec.target.source = PVM_TARGET_UNRESOLVED;
	set_region(&buf, 0, (struct pvm_region){.state = PVM_REGION_UNRESOLVED});
	set_exes(&buf, "/usr/bin/injector", PVM_EXE_KNOWN, NULL, 0);
	check_decoded(__LINE__);

	/* read from /proc later: resolved all the same */
	build();
	from_proc = buf.rec.target;
	from_proc.pid = 4242; /* the caller's own process */
	from_proc.uid = 1000;
	ev = decoded();
	pvm_event_set_target(&ev, &from_proc, true);
	round_trip(&ev, __LINE__);

	/* a kernel thread calls: no executable */
	build();
	set_exes(&buf, NULL, 0, NULL, 0);
	check_decoded(__LINE__);
}

UNIT_TEST(facts_json_hostile_names)
{
	struct pvm_event ev;
	struct pvm_facts f;

	/* quotes, backslash, controls, DEL, UTF-8: JSON escapes, json-c decodes */
	build();
	memcpy(buf.rec.comm, "a\",\\\n\x1b]0\x7f\xc3\xa9zz!", 15);
	memcpy(buf.rec.target.comm, "0123456789abcde", 16); /* 15 bytes: the kernel's most */
	set_exes(&buf, "/bin/a\"b\n\xe2\x80\xae", PVM_EXE_KNOWN | PVM_EXE_TRUNCATED,
		 "/tmp/x\x1b[2J", PVM_EXE_KNOWN | PVM_EXE_DELETED);
	f = check_decoded(__LINE__);
	CHECK_STR(f.caller.comm, "a\",\\\n\x1b]0\x7f\xc3\xa9zz!");
	CHECK_STR(f.target.comm, "0123456789abcde");
	CHECK(f.caller.exe.truncated);
	CHECK_STR(pvm_fact_path_text(&f, &f.caller.exe), ".../bin/a\"b\n\xe2\x80\xae");
	CHECK_STR(pvm_fact_path_text(&f, &f.target.exe), "/tmp/x\x1b[2J (deleted)");

	/* a deleted caller, a truncated target */
	set_exes(&buf, "/usr/bin/strace", PVM_EXE_KNOWN | PVM_EXE_DELETED, "/lib/victim",
		 PVM_EXE_KNOWN | PVM_EXE_TRUNCATED);
	ev = decoded();
	round_trip(&ev, __LINE__);
}

UNIT_TEST(facts_json_regions)
{
	static const char *const paths[] = {"/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/sbin/victim",
					    "/srv/caf\xc3\xa9/data.bin", NULL};
	static const struct pvm_region regions[] = {
		{.state = PVM_REGION_FOUND, .kind = PVM_REGION_FILE,
		 .vm_flags = PVM_VM_READ | PVM_VM_WRITE},
		{.state = PVM_REGION_FOUND, .kind = PVM_REGION_FILE, .vm_flags = PVM_VM_READ | PVM_VM_EXEC},
		{.state = PVM_REGION_FOUND, .kind = PVM_REGION_FILE,
		 .vm_flags = PVM_VM_READ | PVM_VM_WRITE | PVM_VM_SHARED},
		{.state = PVM_REGION_FOUND, .kind = PVM_REGION_FILE, .vm_flags = PVM_VM_WRITE},
		{.state = PVM_REGION_FOUND, .kind = PVM_REGION_STACK,
		 .vm_flags = PVM_VM_READ | PVM_VM_WRITE | PVM_VM_EXEC},
		{.state = PVM_REGION_FOUND, .kind = PVM_REGION_VDSO, .vm_flags = PVM_VM_READ | PVM_VM_EXEC},
		{.state = PVM_REGION_NONE},
		{.state = PVM_REGION_UNRESOLVED},
	};
	const unsigned int n = 20; /* past the 16 regions the rules see */
	struct pvm_event ev;
	struct pvm_facts f;

	build();
	buf.rec.ret = 4096;
	buf.rec.remote_n = n;
	buf.rec.riovcnt = n;
	for (unsigned int i = 0; i < n; i++) {
		buf.iov[2 + i] = (struct pvm_iov){0x7f0000000000 + 0x10000ull * i, 512};
		set_region(&buf, i, regions[i % 8]);
	}
	set_payload(&buf, "", 0, 0);
	set_exes(&buf, "/usr/bin/injector", PVM_EXE_KNOWN, "/usr/sbin/victim", PVM_EXE_KNOWN);
	ev = decoded();
	for (unsigned int i = 0; i < 4; i++) {
		views[i].has_path = paths[i] != NULL;
		snprintf(views[i].path, sizeof(views[i].path), "%s", paths[i] ? paths[i] : "");
	}
	/* a path longer than the facts keep: its tail */
	views[9].has_path = true;
	memset(views[9].path, 'p', 1000);
	views[9].path[0] = '/';
	views[9].path[1000] = '\0';
	f = round_trip(&ev, __LINE__);
	CHECK_EQ(f.n_regions, 16);
	CHECK(f.regions[0].image && f.regions[1].image && !f.regions[2].image && f.regions[3].image);
	CHECK(f.regions[2].shared && !strcmp(pvm_fact_path_text(&f, &f.regions[2].path), paths[2]));
	CHECK(f.regions[4].kind == PVM_FACT_REGION_STACK && f.regions[4].exec);
	CHECK(f.regions[5].kind == PVM_FACT_REGION_VDSO);
	CHECK(f.regions[6].kind == PVM_FACT_REGION_NONE);
	CHECK(f.regions[7].kind == PVM_FACT_REGION_UNKNOWN);
	CHECK(f.regions[9].path.truncated && f.regions[15].base == 0x7f00000f0000);
}

/* What the JSON escaping loses (docs/events.md): invalid UTF-8 reads back as U+FFFD. */
UNIT_TEST(facts_json_invalid_utf8_comm_reads_as_replacement)
{
	struct pvm_event ev;
	struct pvm_facts f;
	json_object *obj;
	const char *why;
	char *text;

	build();
	memcpy(buf.rec.comm, "\xff\xfe", 3);
	ev = decoded();
	text = unit_capture(json_of, &ev);
	obj = parsed(text);
	CHECK_EQ(pvm_facts_from_json(obj, &f, &why), 0);
	CHECK_STR(f.caller.comm, "\xef\xbf\xbd\xef\xbf\xbd");
	json_object_put(obj);
	free(text);
}

/* The example event with one value replaced (NULL: the key removed). */
struct bad_case {
	const char *pointer;
	const char *value;
	const char *why;
};

static const struct bad_case bad_cases[] = {
	{"/event", "\"process_vm_foo\"", "'event' is not process_vm_readv or process_vm_writev"},
	{"/abi", "null", "'abi' is not a string"},
	{"/caller", NULL, "missing key 'caller'"},
	{"/caller/pid", NULL, "missing key 'caller.pid'"},
	{"/caller/pid", "-1", "'caller.pid' is out of range (0 to 4294967295)"},
	{"/caller/pid", "4294967296", "'caller.pid' is out of range (0 to 4294967295)"},
	{"/caller/pid", "\"4242\"", "'caller.pid' is not an integer"},
	{"/caller/tid", "1.5", "'caller.tid' is not an integer"},
	{"/caller/comm", "null", "'caller.comm' is not a string"},
	{"/caller/exe", "5", "'caller.exe' is not a string or null"},
	{"/caller/exe", "\"/usr/bin/strace\\u0000x\"", "'caller.exe' holds a NUL byte"},
	{"/caller/code", "\"arm64\"", "'caller.code' is not x86_64, i386 or null"},
	{"/caller/container_id", "false", "'caller.container_id' is not a string or null"},
	{"/caller/ancestors", NULL, "missing key 'caller.ancestors'"},
	{"/caller/ancestors", "{}", "'caller.ancestors' is not an array or null"},
	{"/caller/ancestors", "[\"/bin/sh\",1]", "'caller.ancestors[1]' is not a string or null"},
	{"/caller/ancestors", "[\"\\u0000\"]", "'caller.ancestors[0]' holds a NUL byte"},
	{"/target", "[]", "'target' is not an object or null"},
	{"/target/source", "\"bpf\"", "'target.source' is not kernel, proc or unresolved"},
	{"/target/same_uid", NULL, "missing key 'target.same_uid'"},
	{"/target/child", "1", "'target.child' is not a boolean"},
	{"/args/pid", "2147483648", "'args.pid' is out of range (-2147483648 to 2147483647)"},
	{"/args", "null", "'args' is not an object"},
	{"/ret", "9223372036854775808",
	 "'ret' is out of range (-9223372036854775808 to 9223372036854775807)"},
	{"/ret", NULL, "missing key 'ret'"},
	{"/local_bytes", NULL, "missing key 'local_bytes'"},
	{"/remote_iov", "{}", "'remote_iov' is not an array or null"},
	{"/remote_iov/0", "3", "'remote_iov[0]' is not an object"},
	{"/remote_iov/0/base", "\"7f3a1c000000\"",
	 "'remote_iov[0].base' is not an address (\"0x\" and 1 to 16 hex digits)"},
	{"/remote_iov/0/base", "\"0x\"",
	 "'remote_iov[0].base' is not an address (\"0x\" and 1 to 16 hex digits)"},
	{"/remote_iov/0/base", "\"0x10000000000000000\"",
	 "'remote_iov[0].base' is not an address (\"0x\" and 1 to 16 hex digits)"},
	{"/remote_iov/0/base", "\"0x-1\"",
	 "'remote_iov[0].base' is not an address (\"0x\" and 1 to 16 hex digits)"},
	{"/remote_iov/0/len", "-64", "'remote_iov[0].len' is out of range (0 to 18446744073709551615)"},
	{"/remote_iov/0/region", "\"anon\"", "'remote_iov[0].region' is not an object or null"},
	{"/remote_iov/0/region/perms", "\"rw-\"", "'remote_iov[0].region.perms' is not like \"rwxp\""},
	{"/remote_iov/0/region/perms", "\"rw-x\"", "'remote_iov[0].region.perms' is not like \"rwxp\""},
	{"/remote_iov/0/region/kind", "\"jit\"",
	 "'remote_iov[0].region.kind' is not heap, stack, anon, file or vdso"},
	{"/remote_iov/0/region/source", NULL, "missing key 'remote_iov[0].region.source'"},
	{"/remote_iov/0/region/path", NULL, "missing key 'remote_iov[0].region.path'"},
};

static char *example_text(void)
{
	struct pvm_event ev;

	build();
	ev = decoded();
	return unit_capture(json_of, &ev);
}

/* Removes or replaces the value at a JSON pointer "/a/b" (object keys, array indexes). */
static void mutate(json_object **obj, const char *pointer, const char *value)
{
	const char *slash = strrchr(pointer, '/');
	char parent[64];
	json_object *p;

	if (value) {
		if (json_pointer_set(obj, pointer, strcmp(value, "null") ? parsed(value) : NULL))
			unit_fail(__FILE__, __LINE__, "cannot set %s", pointer);
		return;
	}
	snprintf(parent, sizeof(parent), "%.*s", (int)(slash - pointer), pointer);
	if (json_pointer_get(*obj, parent, &p))
		unit_fail(__FILE__, __LINE__, "no %s", parent);
	else
		json_object_object_del(p, slash + 1);
}

UNIT_TEST(facts_json_refuses_missing_and_mistyped_keys)
{
	char *text = example_text();
	struct pvm_facts f;
	const char *why;

	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		json_object *obj = parsed(text);

		why = NULL;
		mutate(&obj, c->pointer, c->value);
		if (pvm_facts_from_json(obj, &f, &why) != -1)
			unit_fail(__FILE__, __LINE__, "%s = %s: accepted", c->pointer,
				  c->value ? c->value : "(removed)");
		else if (!why || strcmp(why, c->why))
			unit_fail(__FILE__, __LINE__, "%s = %s:\n    got  %s\n    want %s",
				  c->pointer, c->value ? c->value : "(removed)", why ? why : "(null)",
				  c->why);
		json_object_put(obj);
	}
	free(text);
}

UNIT_TEST(facts_json_not_an_object)
{
	static const char *const values[] = {"[]", "1", "\"process_vm_writev\"", "null"};
	struct pvm_facts f;
	const char *why;

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		json_object *obj = json_tokener_parse(values[i]);

		why = NULL;
		CHECK_EQ(pvm_facts_from_json(obj, &f, &why), -1);
		CHECK_STR(why, "not an event object");
		json_object_put(obj);
	}
}

/* What the rules do not need may be anything; what they read is bounded. */
UNIT_TEST(facts_json_accepts_what_it_may)
{
	static const struct {
		const char *pointer, *value;
	} fine[] = {
		{"/time", "null"},
		{"/alerts", "\"anything\""},
		{"/data", NULL},
		{"/target", "{\"source\":\"unresolved\"}"},
		{"/remote_iov/0/region", "{\"source\":\"unresolved\"}"},
		{"/remote_iov", "null"},
		{"/remote_iov/0/base", "\"0xFFFFFFFFFFFFFFFF\""},
		{"/caller/ancestors", "[\"/a\",\"/b\",\"/c\",\"/d\",\"/e\",\"/f\",\"/g\",\"/h\",7]"},
	};
	char *text = example_text();
	struct pvm_facts f;
	const char *why;

	for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
		json_object *obj = parsed(text);

		mutate(&obj, fine[i].pointer, fine[i].value);
		if (pvm_facts_from_json(obj, &f, &why))
			unit_fail(__FILE__, __LINE__, "%s = %s: %s", fine[i].pointer,
				  fine[i].value ? fine[i].value : "(removed)", why);
		if (i == 6)
			CHECK(f.regions[0].base == UINT64_MAX);
		if (i == 7)
			CHECK(f.caller.n_ancestors == 8 && !strcmp(pvm_fact_path_text(&f, &f.caller.ancestors[7]), "/h"));
		json_object_put(obj);
	}
	free(text);
}

/* The facts of the example event with `value` at `pointer`: 0, or -1 with *why. */
static int facts_with(const char *pointer, const char *value, const char **why)
{
	char *text = example_text();
	json_object *obj = parsed(text);
	struct pvm_facts f;
	int ret;

	mutate(&obj, pointer, value);
	ret = pvm_facts_from_json(obj, &f, why);
	json_object_put(obj);
	free(text);
	return ret;
}

/* A JSON string of n bytes `c` (in `wrap`'s %s: "[%s]" for an array of it). */
static char *text_of(const char *wrap, size_t n, char c)
{
	char *s = malloc(n + 3), *json;

	s[0] = '"';
	memset(s + 1, c, n);
	strcpy(s + 1 + n, "\"");
	if (asprintf(&json, wrap, s) < 0)
		json = NULL;
	free(s);
	return json;
}

/* pvmtrace writes no comm, exe, container id or region path longer: edited, refused. */
UNIT_TEST(facts_json_refuses_texts_longer_than_pvmtrace_writes)
{
	static const struct {
		const char *pointer, *wrap, *key;
		size_t max;
	} texts[] = {
		{"/caller/comm", "%s", "caller.comm", 15},
		{"/target/comm", "%s", "target.comm", 15},
		{"/caller/exe", "%s", "caller.exe", PVM_EXE_DISPLAY_MAX - 1},
		{"/target/exe", "%s", "target.exe", PVM_EXE_DISPLAY_MAX - 1},
		{"/caller/ancestors", "[%s]", "caller.ancestors[0]", PVM_EXE_DISPLAY_MAX - 1},
		{"/caller/container_id", "%s", "caller.container_id", 64},
		{"/remote_iov/0/region/path", "%s", "remote_iov[0].region.path", PATH_MAX - 1},
	};

	CHECK_EQ(PVM_EXE_DISPLAY_MAX - 1, 269); /* "..." 256 bytes " (deleted)" */
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char *fits = text_of(texts[i].wrap, texts[i].max, 'a');
		char *longer = text_of(texts[i].wrap, texts[i].max + 1, 'a');
		const char *why = NULL;
		char want[96];

		if (facts_with(texts[i].pointer, fits, &why))
			unit_fail(__FILE__, __LINE__, "%s of %zu bytes: %s", texts[i].key,
				  texts[i].max, why);
		snprintf(want, sizeof(want), "'%s' is longer than %zu bytes", texts[i].key,
			 texts[i].max);
		why = NULL;
		if (!facts_with(texts[i].pointer, longer, &why))
			unit_fail(__FILE__, __LINE__, "%s of %zu bytes: accepted", texts[i].key,
				  texts[i].max + 1);
		else
			CHECK_STR(why, want);
		free(fits);
		free(longer);
	}
}

/*
 * What pvmtrace writes for the longest texts of invalid UTF-8: each byte as
 * U+FFFD, three bytes once read back, is read, not refused as too long.
 */
UNIT_TEST(facts_json_reads_the_longest_texts_pvmtrace_writes)
{
	char exe[PVM_EXE_PATH_MAX + 1], comm[PVM_COMM_LEN] = {0};
	struct pvm_event ev;
	struct pvm_facts f;
	json_object *obj;
	const char *why = NULL;
	char *text;

	build();
	memset(comm, 0xff, PVM_COMM_LEN - 1);
	memcpy(buf.rec.comm, comm, PVM_COMM_LEN);
	memcpy(buf.rec.target.comm, comm, PVM_COMM_LEN);
	memset(exe, 0xfe, PVM_EXE_PATH_MAX);
	exe[0] = '/';
	exe[PVM_EXE_PATH_MAX] = '\0';
	set_exes(&buf, exe, PVM_EXE_KNOWN | PVM_EXE_TRUNCATED | PVM_EXE_DELETED, exe,
		 PVM_EXE_KNOWN | PVM_EXE_TRUNCATED | PVM_EXE_DELETED);
	ev = decoded();
	ev.caller_ancestors[0] = ev.caller_exe;
	ev.n_ancestors = 1;
	ev.looked_up_ancestors = true;
	views[0].has_path = true;
	memset(views[0].path, 0xfd, PATH_MAX - 1);
	views[0].path[0] = '/';
	views[0].path[PATH_MAX - 1] = '\0';
	text = unit_capture(json_of, &ev);
	obj = parsed(text);
	if (pvm_facts_from_json(obj, &f, &why))
		unit_fail(__FILE__, __LINE__, "refused: %s", why);
	CHECK_EQ(strlen(json_object_get_string(json_object_object_get(
			 json_object_object_get(obj, "caller"), "comm"))),
		 3 * (PVM_COMM_LEN - 1));
	json_object_put(obj);
	free(text);
}
