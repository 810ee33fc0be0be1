// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* --format ocsf: each line parsed back, its attributes read by path. */
#include "event/entity.h"
#include "output/format_ocsf.h"
#include "rules/rules.h"
#include "record_builder.h"
#include "unit.h"

#include <json-c/json.h>
#include <json-c/json_pointer.h>
#include <stdlib.h>
#include <unistd.h>

/* 2026-11-27T15:45:08.123456789Z */
#define EXAMPLE_WALL_NS 1795794308123456789ULL
#define EXAMPLE_MS 1795794308123LL
#define BOOT_ID "6f1b2c3d-0a1b-4c2d-8e3f-445566778899"
/* the example's caller tid and start_boot_ns */
#define CALL_UID BOOT_ID ":4243:1000000000"
#define MAX_LINES 16

static struct record_buffer buf;
static struct pvm_region_view views[PVM_REGIONS_MAX];
static struct pvm_envelope env;

struct formatted {
	char *text;
	int n;
	json_object *line[MAX_LINES];
};

static struct pvm_event decoded(void)
{
	return decode_built(&buf, EXAMPLE_WALL_NS - buf.rec.start_boot_ns, views);
}

/* The envelope of a host with a known boot id, its seq at 0. */
static void env_reset(void)
{
	char path[] = "/tmp/pvmtrace-unit-ocsf-XXXXXX";
	int fd = mkstemp(path);

	CHECK(fd >= 0 && write(fd, BOOT_ID "\n", sizeof(BOOT_ID)) == (ssize_t)sizeof(BOOT_ID));
	close(fd);
	pvm_envelope_init(&env, "web-01.example", path, "1.2.3");
	unlink(path);
}

static void ocsf_of(FILE *out, const void *arg)
{
	struct json_writer w;

	jw_init(&w, out);
	pvm_format_ocsf(&w, arg, &env);
}

/* Every line must be one JSON object. */
static struct formatted format(const struct pvm_event *ev)
{
	struct formatted f = {.text = unit_capture(ocsf_of, ev)};
	char *copy = strdup(f.text), *save = NULL;

	for (char *l = strtok_r(copy, "\n", &save); l && f.n < MAX_LINES;
	     l = strtok_r(NULL, "\n", &save)) {
		f.line[f.n] = json_tokener_parse(l);
		if (!json_object_is_type(f.line[f.n], json_type_object))
			unit_fail(__FILE__, __LINE__, "not a JSON object: %s", l);
		f.n++;
	}
	free(copy);
	return f;
}

static void done(struct formatted *f)
{
	for (int i = 0; i < f->n; i++)
		json_object_put(f->line[i]);
	free(f->text);
}

/* An RFC 6901 pointer ("/a/0/b"); NULL when absent. */
static json_object *at(json_object *o, const char *path)
{
	json_object *v = NULL;

	return o && !json_pointer_get(o, path, &v) ? v : NULL;
}

static long long int_at(json_object *o, const char *path)
{
	json_object *v = at(o, path);

	return json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : -999;
}

static const char *str_at(json_object *o, const char *path)
{
	json_object *v = at(o, path);

	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* An attribute a line must hold: the text, or (text NULL) the number. */
struct attr {
	const char *path;
	const char *text;
	long long number;
};

static void check_attrs(json_object *o, const struct attr *want, size_t n, int line)
{
	for (size_t i = 0; i < n; i++) {
		const char *text = str_at(o, want[i].path);
		bool same = want[i].text ? text && !strcmp(text, want[i].text)
					 : int_at(o, want[i].path) == want[i].number;

		if (!same)
			unit_fail(__FILE__, line, "%s: got %s", want[i].path,
				  json_object_to_json_string(at(o, want[i].path)));
	}
}

static long long length_at(json_object *o, const char *path)
{
	json_object *v = at(o, path);

	return json_object_is_type(v, json_type_array) ? (long long)json_object_array_length(v) : -1;
}

static int newlines(const char *text)
{
	int n = 0;

	for (const char *p = strchr(text, '\n'); p; p = strchr(p + 1, '\n'))
		n++;
	return n;
}

static void entity_hex(char out[2 * PVM_ENTITY_ID_BYTES + 1], __u32 pid, __u64 start_boot_ns)
{
	unsigned char id[PVM_ENTITY_ID_BYTES];

	pvm_entity_id(id, BOOT_ID, pid, start_boot_ns);
	jw_hex_encode(out, id, sizeof(id));
	out[2 * PVM_ENTITY_ID_BYTES] = '\0';
}

UNIT_TEST(ocsf_write_is_one_memory_activity)
{
	char caller_uid[33], target_uid[33];
	const struct attr want[] = {
		{"/class_uid", NULL, 1004},
		{"/category_uid", NULL, 1},
		{"/activity_id", NULL, 8},
		{"/activity_name", "Write", 0},
		{"/type_uid", NULL, 100408},
		{"/time", NULL, EXAMPLE_MS},
		{"/severity_id", NULL, 1},
		{"/status_id", NULL, 1},
		{"/metadata/version", "1.1.0", 0},
		{"/metadata/product/name", "pvmtrace", 0},
		{"/metadata/product/vendor_name", "pvmtrace", 0},
		{"/metadata/product/version", "1.2.3", 0},
		{"/metadata/uid", CALL_UID, 0},
		{"/metadata/sequence", NULL, 1},
		{"/device/hostname", "web-01.example", 0},
		{"/device/type_id", NULL, 0},
		{"/actor/process/pid", NULL, 4242},
		{"/actor/process/tid", NULL, 4243},
		{"/actor/process/name", "injector", 0},
		{"/actor/process/uid", caller_uid, 0},
		{"/actor/process/user/uid", "0", 0},
		{"/actor/process/parent_process/pid", NULL, 1},
		{"/actor/process/file/path", "/usr/bin/injector", 0},
		{"/actor/process/file/name", "injector", 0},
		{"/process/pid", NULL, 4300},
		{"/process/name", "victim", 0},
		{"/process/uid", target_uid, 0},
		{"/process/file/path", "/usr/sbin/victim", 0},
		{"/process/parent_process/pid", NULL, 4242},
		{"/base_address", "0x7f3a1c000000", 0},
		{"/size", NULL, 64},
		{"/unmapped/target_source", "kernel", 0},
		{"/unmapped/args/pid", NULL, 4300},
		{"/unmapped/args/local_iov", "0x7ffd5c1e2a40", 0},
		{"/unmapped/args/liovcnt", NULL, 2},
		{"/unmapped/args/remote_iov", "0x7ffd5c1e2a60", 0},
		{"/unmapped/args/riovcnt", NULL, 1},
		{"/unmapped/args/flags", NULL, 0},
		{"/unmapped/abi", "x86_64", 0},
		{"/unmapped/remote_region_kinds/0", "anon", 0},
		{"/unmapped/sha256", "9f9f5111f7b27a781f1f1ddde5ebc2dd2b796bfc7365c9c28b548e564176929f",
		 0},
		{"/unmapped/host/boot_id", BOOT_ID, 0},
		{"/unmapped/sensor/version", "1.2.3", 0},
	};
	struct pvm_event ev;
	struct formatted f;

	entity_hex(caller_uid, 4242, 5000000);
	entity_hex(target_uid, 4300, 6000000);
	env_reset();
	build_example(&buf);
	set_exes(&buf, "/usr/bin/injector", PVM_EXE_KNOWN, "/usr/sbin/victim", PVM_EXE_KNOWN);
	ev = decoded();
	f = format(&ev);
	CHECK_EQ(f.n, 1);
	check_attrs(f.line[0], want, sizeof(want) / sizeof(want[0]), __LINE__);
	CHECK(at(f.line[0], "/status_detail") == NULL);
	CHECK(at(f.line[0], "/unmapped/action") == NULL);
	done(&f);
}

UNIT_TEST(ocsf_read_is_activity_7)
{
	struct pvm_event ev;
	struct formatted f;

	env_reset();
	build_example(&buf);
	buf.rec.syscall = PVM_SYS_READV;
	buf.rec.abi = PVM_ABI_IA32;
	ev = decoded();
	f = format(&ev);
	CHECK_EQ(f.n, 1);
	CHECK_EQ(int_at(f.line[0], "/activity_id"), 7);
	CHECK_STR(str_at(f.line[0], "/activity_name"), "Read");
	CHECK_EQ(int_at(f.line[0], "/type_uid"), 100407);
	CHECK_STR(str_at(f.line[0], "/unmapped/abi"), "ia32");
	done(&f);
}

UNIT_TEST(ocsf_failed_call_says_why_and_what_was_asked)
{
	struct pvm_event ev;
	struct formatted f;

	env_reset();
	build_example(&buf);
	buf.rec.ret = -1;
	buf.rec.target.source = PVM_TARGET_NONE;
	buf.rec.action = PVM_ACTION_KILLED;
	ev = decoded();
	f = format(&ev);
	CHECK_EQ(int_at(f.line[0], "/status_id"), 2);
	CHECK_STR(str_at(f.line[0], "/status"), "Failure");
	CHECK_STR(str_at(f.line[0], "/status_detail"), "EPERM");
	CHECK_EQ(int_at(f.line[0], "/size"), 64);
	CHECK_STR(str_at(f.line[0], "/unmapped/action"), "killed");
	/* no process behind the pid: the argument alone */
	CHECK_EQ(int_at(f.line[0], "/process/pid"), 4300);
	CHECK(at(f.line[0], "/process/uid") == NULL);
	CHECK(at(f.line[0], "/process/name") == NULL);
	done(&f);
}

UNIT_TEST(ocsf_unreadable_remote_array_has_no_address_nor_size)
{
	struct pvm_event ev;
	struct formatted f;

	env_reset();
	build_example(&buf);
	buf.rec.ret = -14;
	buf.rec.remote_state = PVM_IOV_FAULT;
	buf.rec.remote_n = 0;
	buf.rec.data_state = PVM_DATA_OFF;
	buf.rec.data_captured = 0;
	ev = decoded();
	f = format(&ev);
	CHECK_EQ(f.n, 1);
	CHECK_STR(str_at(f.line[0], "/status_detail"), "EFAULT");
	CHECK(at(f.line[0], "/base_address") == NULL);
	CHECK(at(f.line[0], "/size") == NULL);
	CHECK(at(f.line[0], "/unmapped/sha256") == NULL);
	CHECK_EQ(length_at(f.line[0], "/unmapped/remote_region_kinds"), 0);
	done(&f);
}

/*
 * The alerts of one call: two reported, one the allowlist spared (made
 * critical here, which the rules never do, so that it would show if it
 * counted), one with two techniques.
 */
static struct pvm_alerts alerts = {
	.n = 4,
	.alert = {{.rule = &pvm_rules[PVM_RULE_FOREIGN_WRITE], .severity = PVM_SEV_HIGH,
		   .reason = "wrote 64 bytes into pid 4300 (victim) owned by uid 0"},
		  {.rule = &pvm_rules[PVM_RULE_WRITE_ACROSS_BOUNDARY], .severity = PVM_SEV_CRITICAL,
		   .allowed_by = "allow.conf:3 (tool)", .reason = "spared"},
		  {.rule = &pvm_rules[PVM_RULE_WRITE_SENSITIVE_REGION], .severity = PVM_SEV_MEDIUM,
		   .reason = "wrote 64 bytes into the stack"},
		  {.rule = &pvm_rules[PVM_RULE_READ_CREDENTIALS], .severity = PVM_SEV_LOW,
		   .reason = "read from a credential holder"}},
};

UNIT_TEST(ocsf_a_finding_for_each_alert_not_spared)
{
	static const struct {
		const char *rule, *title, *desc, *technique;
		long long severity_id;
	} want[] = {
		{"PVM-W001", "foreign-write", "wrote 64 bytes into pid 4300 (victim) owned by uid 0",
		 "T1055", 4},
		{"PVM-W002", "foreign-write-sensitive-region", "wrote 64 bytes into the stack", "T1055",
		 3},
		{"PVM-R003", "foreign-read-credential-holder", "read from a credential holder", "T1003",
		 2},
	};
	struct pvm_event ev;
	struct formatted f;
	char uid[128];

	env_reset();
	build_example(&buf);
	ev = decoded();
	ev.alerts = &alerts;
	f = format(&ev);
	CHECK_EQ(f.n, 4);
	CHECK_EQ(int_at(f.line[0], "/severity_id"), 4); /* the spared critical does not count */
	for (int i = 1; i < f.n && i <= 3; i++) {
		json_object *o = f.line[i];

		snprintf(uid, sizeof(uid), CALL_UID ":%s", want[i - 1].rule);
		CHECK_EQ(int_at(o, "/class_uid"), 2004);
		CHECK_EQ(int_at(o, "/category_uid"), 2);
		CHECK_EQ(int_at(o, "/activity_id"), 1);
		CHECK_EQ(int_at(o, "/type_uid"), 200401);
		CHECK_EQ(int_at(o, "/time"), EXAMPLE_MS);
		CHECK_EQ(int_at(o, "/severity_id"), want[i - 1].severity_id);
		CHECK_EQ(int_at(o, "/metadata/sequence"), i + 1);
		CHECK_STR(str_at(o, "/metadata/uid"), uid);
		CHECK_STR(str_at(o, "/device/hostname"), "web-01.example");
		CHECK_STR(str_at(o, "/finding_info/uid"), uid);
		CHECK_STR(str_at(o, "/finding_info/title"), want[i - 1].title);
		CHECK_STR(str_at(o, "/finding_info/desc"), want[i - 1].desc);
		CHECK_STR(str_at(o, "/message"), want[i - 1].desc);
		CHECK_STR(str_at(o, "/finding_info/analytic/uid"), want[i - 1].rule);
		CHECK_STR(str_at(o, "/finding_info/analytic/name"), want[i - 1].title);
		CHECK_EQ(int_at(o, "/finding_info/analytic/type_id"), 1);
		CHECK_STR(str_at(o, "/finding_info/attacks/0/technique/uid"), want[i - 1].technique);
		CHECK_STR(str_at(o, "/finding_info/related_events/0/uid"), CALL_UID);
		CHECK_EQ(int_at(o, "/finding_info/related_events/0/type_uid"), 100408);
		CHECK_EQ(int_at(o, "/evidences/0/actor/process/pid"), 4242);
		CHECK_EQ(int_at(o, "/evidences/0/process/pid"), 4300);
	}
	CHECK_EQ(length_at(f.line[3], "/finding_info/attacks"), 2);
	CHECK_STR(str_at(f.line[3], "/finding_info/attacks/1/technique/uid"), "T1555");
	done(&f);
}

UNIT_TEST(ocsf_sequence_goes_on_from_the_envelope)
{
	struct pvm_event ev;
	struct formatted first, second;

	env_reset();
	env.seq = 41; /* records written before, of any kind */
	build_example(&buf);
	ev = decoded();
	ev.alerts = &alerts;
	first = format(&ev);
	ev.alerts = NULL;
	second = format(&ev);
	CHECK_EQ(first.n, 4);
	CHECK_EQ(int_at(first.line[0], "/metadata/sequence"), 42);
	CHECK_EQ(int_at(first.line[3], "/metadata/sequence"), 45);
	CHECK_EQ(second.n, 1);
	CHECK_EQ(int_at(second.line[0], "/metadata/sequence"), 46);
	CHECK_EQ(env.seq, 46);
	done(&first);
	done(&second);
}

/* Quotes, a newline, ESC: what the process chose comes back as it was, inside its strings. */
UNIT_TEST(ocsf_hostile_names_stay_in_their_strings)
{
	static const char comm[] = "a\"}\n\x1b[31m\\x";
	static const char exe[] = "/tmp/\"},\n{\"x\x1b/evil\nname";
	struct pvm_alerts hostile = {
		.n = 1,
		.alert = {{.rule = &pvm_rules[PVM_RULE_FOREIGN_WRITE], .severity = PVM_SEV_HIGH}},
	};
	struct pvm_event ev;
	struct formatted f;

	env_reset();
	build_example(&buf);
	memcpy(buf.rec.comm, comm, sizeof(comm));
	memcpy(buf.rec.target.comm, comm, sizeof(comm));
	set_exes(&buf, exe, PVM_EXE_KNOWN, NULL, 0);
	snprintf(hostile.alert[0].reason, PVM_REASON_MAX, "wrote into pid 4300 (%s)", comm);
	ev = decoded();
	ev.alerts = &hostile;
	f = format(&ev);
	CHECK_EQ(f.n, 2);
	CHECK(strchr(f.text, '\x1b') == NULL);
	CHECK_EQ(newlines(f.text), 2);
	CHECK_STR(str_at(f.line[0], "/actor/process/name"), comm);
	CHECK_STR(str_at(f.line[0], "/process/name"), comm);
	CHECK_STR(str_at(f.line[0], "/actor/process/file/path"), exe);
	CHECK_STR(str_at(f.line[0], "/actor/process/file/name"), "evil\nname");
	CHECK(at(f.line[0], "/process/file") == NULL);
	CHECK_STR(str_at(f.line[1], "/finding_info/desc"), hostile.alert[0].reason);
	CHECK_STR(str_at(f.line[1], "/evidences/0/actor/process/name"), comm);
	done(&f);
}
