// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* JSON lines and table rows, byte for byte. */
#include "event/regions.h"
#include "output/format.h"
#include "output/stats.h"
#include "output/store_payload.h"
#include "rules/rules.h"
#include "json_keys.h"
#include "record_builder.h"
#include "unit.h"

#include <json-c/json.h>
#include <stdlib.h>

/* 2026-11-27T15:45:08.123456789Z */
#define EXAMPLE_WALL_NS 1795794308123456789ULL

static struct record_buffer buf;

/*
 * Every line here goes through one set of memos, as the reader's do: each
 * test's event after the last test's, so a text kept for another is caught.
 */
static struct pvm_json_memos memos;

static void json_of(FILE *out, const void *arg)
{
	struct json_writer w;

	jw_init(&w, out);
	pvm_format_json(&w, arg, &memos, NULL);
}

static void fresh_json_of(FILE *out, const void *arg)
{
	struct json_writer w;

	jw_init(&w, out);
	pvm_format_json(&w, arg, NULL, NULL);
}

static void row_of(FILE *out, const void *arg)
{
	pvm_format_table_row(out, arg, false);
}

static void row_with_action_of(FILE *out, const void *arg)
{
	pvm_format_table_row(out, arg, true);
}

static void header_of(FILE *out, const void *arg)
{
	pvm_format_table_header(out, arg != NULL);
}

static struct pvm_region_view views[PVM_REGIONS_MAX];

static struct pvm_event decoded(void)
{
	struct pvm_event ev;
	const char *why;

	struct pvm_decode_config config = {EXAMPLE_WALL_NS - buf.rec.start_boot_ns, 64};

	if (pvm_event_decode(&buf, record_size(&buf), &config, &ev, &why))
		unit_fail(__FILE__, __LINE__, "decode: %s", why);
	pvm_enrich_regions(no_proc(), &ev, views, 0);
	return ev;
}

static void check_json(const char *want, int line)
{
	struct pvm_event ev = decoded();
	char *got = unit_capture(json_of, &ev);

	if (strcmp(got, want))
		unit_fail(__FILE__, line, "json:\n    got  %s    want %s", got, want);
	free(got);
}

/* The date is kept from the last call: a new second, or going back, redoes it. */
UNIT_TEST(time_utc)
{
	char t[PVM_TIME_LEN];

	pvm_format_time_utc(t, EXAMPLE_WALL_NS);
	CHECK_STR(t, "2026-11-27T15:45:08.123456789Z");
	pvm_format_time_utc(t, EXAMPLE_WALL_NS - 123456789 + 7);
	CHECK_STR(t, "2026-11-27T15:45:08.000000007Z");
	pvm_format_time_utc(t, EXAMPLE_WALL_NS + 1000000000ULL * 86400 * 5);
	CHECK_STR(t, "2026-12-02T15:45:08.123456789Z");
	pvm_format_time_utc(t, 0);
	CHECK_STR(t, "1970-01-01T00:00:00.000000000Z");
	pvm_format_time_utc(t, EXAMPLE_WALL_NS + 999999999 - 123456789);
	CHECK_STR(t, "2026-11-27T15:45:08.999999999Z");
}

UNIT_TEST(json_example_event)
{
	build_example(&buf);
	check_json("{\"time\":\"2026-11-27T15:45:08.123456789Z\",\"event\":\"process_vm_writev\","
		   "\"abi\":\"x86_64\",\"caller\":{\"pid\":4242,\"tid\":4243,\"ppid\":1,\"uid\":0,"
		   "\"gid\":0,\"comm\":\"injector\",\"exe\":null,\"cgroup_id\":1234,\"pidns\":4026531836,"
		   "\"mntns\":4026531841,\"code\":\"x86_64\",\"start_time\":5000000,"
		   "\"container_id\":null,\"ancestors\":null},"
		   "\"target\":{\"pid\":4300,\"tid\":4300,\"ppid\":4242,\"comm\":\"victim\","
		   "\"exe\":null,\"uid\":0,\"cgroup_id\":1234,\"pidns\":4026531836,\"start_time\":6000000,"
		   "\"container_id\":null,"
		   "\"same_process\":false,\"child\":true,\"parent\":false,\"same_uid\":true,"
		   "\"same_pidns\":true,\"source\":\"kernel\"},\"args\":{\"pid\":4300,"
		   "\"local_iov\":\"0x7ffd5c1e2a40\",\"liovcnt\":2,\"remote_iov\":\"0x7ffd5c1e2a60\","
		   "\"riovcnt\":1,\"flags\":0},\"local_iov\":[{\"base\":\"0x55d0c8a2b2a0\",\"len\":16},"
		   "{\"base\":\"0x55d0c8a2b2c0\",\"len\":48}],\"remote_iov\":[{\"base\":"
		   "\"0x7f3a1c000000\",\"len\":64,\"region\":{\"start\":\"0x7f3a1c000000\","
		   "\"end\":\"0x7f3a1c021000\",\"perms\":\"rw-p\",\"kind\":\"anon\",\"path\":null,"
		   "\"source\":\"kernel\"}}],\"iov_truncated\":false,\"iov_read_at_exit\":false,"
		   "\"local_bytes\":64,"
		   "\"remote_bytes\":64,\"ret\":64,\"error\":null,\"duration_ns\":2500,\"action\":null,\"alerts\":[],"
		   "\"data\":{\"captured\":16,\"total\":64,\"complete\":false,"
		   "\"hex\":\"30313233343536373839616263646566\",\"sha256\":"
		   "\"9f9f5111f7b27a781f1f1ddde5ebc2dd2b796bfc7365c9c28b548e564176929f\"}}\n",
		   __LINE__);
}

UNIT_TEST(json_failed_call_with_unreadable_and_oversize_arrays)
{
	build_example(&buf);
	buf.rec.syscall = PVM_SYS_READV;
	buf.rec.abi = PVM_ABI_IA32;
	buf.rec.code_mode = PVM_CODE_UNKNOWN;
	buf.rec.pid = -1;
	buf.rec.target.source = PVM_TARGET_NONE;
	buf.rec.ret = -22;
	buf.rec.flags = 1;
	buf.rec.local_state = PVM_IOV_FAULT;
	buf.rec.local_n = 0;
	buf.rec.remote_state = PVM_IOV_OVERSIZE;
	buf.rec.riovcnt = 1025;
	buf.rec.remote_n = 2;
	buf.rec.iov_late = 1;
	buf.rec.data_state = PVM_DATA_OFF;
	buf.rec.data_captured = 0;
	set_region(&buf, 0, (struct pvm_region){.state = PVM_REGION_NONE});
	set_region(&buf, 1, (struct pvm_region){.state = PVM_REGION_UNRESOLVED});
	check_json("{\"time\":\"2026-11-27T15:45:08.123456789Z\",\"event\":\"process_vm_readv\","
		   "\"abi\":\"ia32\",\"caller\":{\"pid\":4242,\"tid\":4243,\"ppid\":1,\"uid\":0,"
		   "\"gid\":0,\"comm\":\"injector\",\"exe\":null,\"cgroup_id\":1234,\"pidns\":4026531836,"
		   "\"mntns\":4026531841,\"code\":null,\"start_time\":5000000,\"container_id\":null,\"ancestors\":null},"
		   "\"target\":null,"
		   "\"args\":{\"pid\":-1,"
		   "\"local_iov\":\"0x7ffd5c1e2a40\",\"liovcnt\":2,\"remote_iov\":\"0x7ffd5c1e2a60\","
		   "\"riovcnt\":1025,\"flags\":1},\"local_iov\":null,\"remote_iov\":[{\"base\":"
		   "\"0x55d0c8a2b2a0\",\"len\":16,\"region\":null},{\"base\":\"0x55d0c8a2b2c0\","
		   "\"len\":48,\"region\":{\"source\":\"unresolved\"}}],\"iov_truncated\":true,\"iov_read_at_exit\":true,\"local_bytes\":null,"
		   "\"remote_bytes\":null,\"ret\":-22,"
		   "\"error\":\"EINVAL\",\"duration_ns\":2500,\"action\":null,\"alerts\":[],\"data\":null}\n",
		   __LINE__);
}

static const char *target_json(void)
{
	static char *got;
	struct pvm_event ev = decoded();

	free(got);
	got = unit_capture(json_of, &ev);
	return strstr(got, "\"target\":");
}

UNIT_TEST(json_target_sources)
{
	struct pvm_target from_proc;
	struct pvm_event ev;
	char *got;

	build_example(&buf);
	buf.rec.target.source = PVM_TARGET_UNRESOLVED;
	CHECK(!strncmp(target_json(), "\"target\":{\"source\":\"unresolved\"},\"args\"", 39));

	build_example(&buf);
	from_proc = buf.rec.target;
	from_proc.pid = 77; /* a thread of process 77: a relation to nobody */
	ev = decoded();
	pvm_event_set_target(&ev, &from_proc, true);
	got = unit_capture(json_of, &ev);
	CHECK(strstr(got, "\"target\":{\"pid\":77,\"tid\":4300,\"ppid\":4242,\"comm\":\"victim\","
			  "\"exe\":null,\"uid\":0,\"cgroup_id\":null,\"pidns\":4026531836,\"start_time\":6000000,"
			  "\"container_id\":null,"
			  "\"same_process\":false,\"child\":true,\"parent\":false,\"same_uid\":true,"
			  "\"same_pidns\":true,\"source\":\"proc\"},") != NULL);
	free(got);

	build_example(&buf);
	buf.rec.target.pid = 4242; /* the caller's own process */
	buf.rec.target.ppid = 1;
	buf.rec.target.uid = 1000;
	buf.rec.target.pidns = 1;
	CHECK(strstr(target_json(), "\"same_process\":true,\"child\":false,\"parent\":false,"
				    "\"same_uid\":false,\"same_pidns\":false") != NULL);

	build_example(&buf);
	buf.rec.caller_ppid = 4300; /* the target is the caller's parent */
	CHECK(strstr(target_json(), "\"parent\":true") != NULL);
}

UNIT_TEST(json_caller_container)
{
	struct pvm_event ev;
	char *got;

	build_example(&buf);
	ev = decoded();
	memset(ev.caller_container, 'a', 64);
	ev.caller_container[64] = 0;
	got = unit_capture(json_of, &ev);
	CHECK(strstr(got, "\"container_id\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"ancestors\":null}") !=
	      NULL);
	free(got);
}

UNIT_TEST(json_hostile_comm_stays_one_string)
{
	struct pvm_event ev;
	char *got;

	build_example(&buf);
	memcpy(buf.rec.comm, "a\",\"uid\":0\n\x1b]0", 15);
	ev = decoded();
	got = unit_capture(json_of, &ev);
	CHECK(strstr(got, "\"comm\":\"a\\\",\\\"uid\\\":0\\u000a\\u001b]0\",") != NULL);
	CHECK_EQ(strchr(got, '\n') - got, (long)strlen(got) - 1); /* one line */
	free(got);
}

UNIT_TEST(json_comm_of_full_length)
{
	struct pvm_event ev;
	char *got;

	build_example(&buf);
	memcpy(buf.rec.comm, "0123456789abcde", 16); /* 15 bytes and the NUL: the longest */
	ev = decoded();
	got = unit_capture(json_of, &ev);
	CHECK(strstr(got, "\"comm\":\"0123456789abcde\"") != NULL);
	free(got);
}

UNIT_TEST(table_row)
{
	struct pvm_event ev;
	char *got;

	struct pvm_facts facts;
	struct pvm_alerts alerts;

	build_example(&buf);
	ev = decoded();
	pvm_facts_from_event(&ev, &facts);
	pvm_rules_eval(&facts, NULL, &alerts);
	ev.alerts = &alerts;
	got = unit_capture(row_of, &ev);
	CHECK_STR(got, "2026-11-27 15:45:08.123456 writev x86_64    4242      0 injector         "
		       "   4300 victim           2/64           1/64           64         "
		       "HIGH PVM-W001    \"0123456789abcdef\"...\n");
	free(got);
}

UNIT_TEST(table_row_failed_call_escapes_comm)
{
	struct pvm_event ev;
	char *got;

	build_example(&buf);
	buf.rec.ret = -3;
	buf.rec.local_state = PVM_IOV_FAULT;
	buf.rec.local_n = 0;
	set_region(&buf, 0, (struct pvm_region){.state = PVM_REGION_NONE});
	memcpy(buf.rec.comm, "x\x1b[2J\n", 7);
	set_payload(&buf, "\x1b]0;\n", 5, 5);
	ev = decoded();
	got = unit_capture(row_of, &ev);
	CHECK_STR(got, "2026-11-27 15:45:08.123456 writev x86_64    4242      0 x\\x1b[2J\\x0a     "
		       "   4300 victim           2/fault        1/64           -3 ESRCH   -      "
		       "          \"\\x1b]0;\\x0a\"\n");
	free(got);
}

/* The header has ACTION with --enforce only, its columns as wide as a row's. */
UNIT_TEST(table_header_with_and_without_action)
{
	char *got = unit_capture(header_of, NULL);

	CHECK_STR(got, "TIME(UTC)                  EVENT  ABI        PID    UID COMM             "
		       " TARGET TARGET-COMM      LOCAL          REMOTE         RET        ALERTS   "
		       "        DATA\n");
	free(got);
	got = unit_capture(header_of, "");
	CHECK_STR(got, "TIME(UTC)                  EVENT  ABI        PID    UID COMM             "
		       " TARGET TARGET-COMM      LOCAL          REMOTE         RET        ACTION  "
		       "ALERTS           DATA\n");
	free(got);
}

/* A kill under --enforce shows in ACTION; a target not resolved has no comm. */
UNIT_TEST(table_row_with_action)
{
	struct pvm_event ev;
	char *got;

	build_example(&buf);
	buf.rec.action = PVM_ACTION_KILLED;
	ev = decoded();
	got = unit_capture(row_with_action_of, &ev);
	CHECK_STR(got, "2026-11-27 15:45:08.123456 writev x86_64    4242      0 injector         "
		       "   4300 victim           2/64           1/64           64         killed  "
		       "-                \"0123456789abcdef\"...\n");
	free(got);
	build_example(&buf);
	buf.rec.target.source = PVM_TARGET_UNRESOLVED;
	ev = decoded();
	got = unit_capture(row_with_action_of, &ev);
	CHECK_STR(got, "2026-11-27 15:45:08.123456 writev x86_64    4242      0 injector         "
		       "   4300 -                2/64           1/64           64         -       "
		       "-                \"0123456789abcdef\"...\n");
	free(got);
}

/* As the reader writes a record: its envelope first. */
static void enveloped_json_of(FILE *out, const void *arg)
{
	struct pvm_envelope env;
	struct json_writer w;

	pvm_envelope_init(&env, "host", "/nonexistent", "0.0-test");
	jw_init(&w, out);
	pvm_format_json(&w, arg, NULL, &env);
}

/* A stats record of `now`; since_last from `last` (NULL: from the start). */
struct stats_record {
	const struct pvm_stats *now, *last;
	bool final;
};

static void stats_record_of(FILE *out, const void *arg)
{
	static const struct pvm_stats start;
	const struct stats_record *r = arg;
	struct json_writer w;

	jw_init(&w, out);
	pvm_stats_print_json(&w, r->now, r->last ? r->last : &start, EXAMPLE_WALL_NS, r->final,
			     NULL);
}

/* The record at exit of a run that wrote no other. */
static void stats_json_of(FILE *out, const void *arg)
{
	stats_record_of(out, &(struct stats_record){arg, NULL, true});
}

static void stats_text_of(FILE *out, const void *arg)
{
	pvm_stats_print_text(out, arg);
}

/* The caller's and the target's "exe" members of the example event. */
static void check_exes(const char *caller, const char *target, int line)
{
	struct pvm_event ev = decoded();
	char *got = unit_capture(json_of, &ev);

	if (!strstr(got, caller) || !strstr(got, target))
		unit_fail(__FILE__, line, "exe:\n    got  %s    want %s and %s", got, caller, target);
	free(got);
}

UNIT_TEST(json_exe_paths)
{
	build_example(&buf);
	set_exes(&buf, "/usr/bin/injector", PVM_EXE_KNOWN, "/usr/sbin/victim", PVM_EXE_KNOWN);
	check_exes("\"comm\":\"injector\",\"exe\":\"/usr/bin/injector\",\"cgroup_id\"",
		   "\"comm\":\"victim\",\"exe\":\"/usr/sbin/victim\",\"uid\"", __LINE__);

	/* the tail of a long path, an unlinked file; bytes escaped */
	set_exes(&buf, "/bin/a\"b\n", PVM_EXE_KNOWN | PVM_EXE_TRUNCATED, "/tmp/x\x1b[2J",
		 PVM_EXE_KNOWN | PVM_EXE_DELETED);
	check_exes("\"exe\":\".../bin/a\\\"b\\u000a\"",
		   "\"exe\":\"/tmp/x\\u001b[2J (deleted)\"", __LINE__);

	/* a kernel thread has none; the caller side: without flags, null */
	set_exes(&buf, NULL, 0, NULL, 0);
	check_exes("\"comm\":\"injector\",\"exe\":null,", "\"comm\":\"victim\",\"exe\":null,",
		   __LINE__);
}

UNIT_TEST(json_action_and_ancestors)
{
	static const char *const chain[] = {"/usr/bin/bash", "", "/sbin/\x1binit"};
	struct pvm_event ev;
	char *got;

	build_example(&buf);
	buf.rec.action = PVM_ACTION_KILLED;
	ev = decoded();
	ev.looked_up_ancestors = true;
	ev.n_ancestors = 3;
	memcpy(ev.caller_ancestors, chain, sizeof(chain));
	got = unit_capture(json_of, &ev);
	CHECK(strstr(got, "\"container_id\":null,\"ancestors\":[\"/usr/bin/bash\",\"\","
			  "\"/sbin/\\u001binit\"]},") != NULL);
	CHECK(strstr(got, "\"duration_ns\":2500,\"action\":\"killed\",\"alerts\":[],") != NULL);
	free(got);

	build_example(&buf);
	buf.rec.action = PVM_ACTION_ALLOWED;
	ev = decoded();
	got = unit_capture(json_of, &ev);
	CHECK(strstr(got, "\"action\":\"allowed\",") != NULL);
	free(got);

	buf.rec.action = 3; /* no such action: the record is refused */
	CHECK_EQ(pvm_event_decode(&buf, record_size(&buf),
				  &(struct pvm_decode_config){0, 64}, &ev, &(const char *){NULL}), -1);
}

/*
 * The example with every input of the kept texts set: exes, container,
 * ancestors, a path, alerts.
 */
static const char *const memo_ancestors[] = {"/usr/bin/bash", "/usr/lib/systemd/systemd"};
static struct pvm_alerts memo_alerts;

static void set_memo_alerts(void)
{
	memo_alerts = (struct pvm_alerts){
		.n = 2,
		.alert = {{.rule = &pvm_rules[PVM_RULE_FOREIGN_WRITE], .severity = PVM_SEV_INFO,
			   .allowed_by = "allow.conf:3 (tool)",
			   .reason = "wrote 64 bytes into pid 4300 (victim) owned by uid 0"},
			  {.rule = &pvm_rules[PVM_RULE_WRITE_SENSITIVE_REGION],
			   .severity = PVM_SEV_CRITICAL, .reason = "wrote 64 bytes into the stack"}},
	};
}

static struct pvm_event memo_base(void)
{
	struct pvm_event ev;

	build_example(&buf);
	set_exes(&buf, "/usr/bin/injector", PVM_EXE_KNOWN, "/usr/sbin/victim", PVM_EXE_KNOWN);
	set_region(&buf, 0,
		   (struct pvm_region){.start = 0x7f3a1c000000, .end = 0x7f3a1c021000,
				       .vm_flags = PVM_VM_READ | PVM_VM_WRITE,
				       .state = PVM_REGION_FOUND, .kind = PVM_REGION_FILE});
	ev = decoded();
	views[0].has_path = true;
	strcpy(views[0].path, "/usr/lib/libvictim.so.1");
	strcpy(ev.caller_container, "c0ffee");
	ev.looked_up_ancestors = true;
	ev.n_ancestors = 2;
	memcpy(ev.caller_ancestors, memo_ancestors, sizeof(memo_ancestors));
	set_memo_alerts();
	ev.alerts = &memo_alerts;
	return ev;
}

static struct pvm_target memo_other_target;

static void proc_target(struct pvm_event *ev)
{
	memo_other_target = buf.rec.target;
	pvm_event_set_target(ev, &memo_other_target, true);
}

#define CHANGE(name, stmt)                                                                 \
	static void name(struct pvm_event *ev)                                             \
	{                                                                                  \
		(void)ev;                                                                  \
		stmt;                                                                      \
	}
CHANGE(caller_pid, buf.rec.caller_pid++)
CHANGE(caller_tid, buf.rec.caller_tid++)
CHANGE(caller_ppid, buf.rec.caller_ppid++)
CHANGE(caller_uid, buf.rec.caller_uid++)
CHANGE(caller_gid, buf.rec.caller_gid++)
CHANGE(caller_comm, buf.rec.comm[2] = 'J')
CHANGE(caller_comm_full, memcpy(buf.rec.comm, "injector-0123456", 16))
CHANGE(caller_exe, strcpy(ev->caller_exe, "/usr/bin/injectoR"))
CHANGE(caller_no_exe, ev->caller_exe[0] = '\0')
CHANGE(caller_cgroup, buf.rec.cgroup_id++)
CHANGE(caller_pidns, buf.rec.pidns++)
CHANGE(caller_mntns, buf.rec.mntns++)
CHANGE(caller_code, buf.rec.code_mode = PVM_CODE_32)
CHANGE(caller_start, buf.rec.caller_start_boot_ns++)
CHANGE(caller_container, ev->caller_container[5] = 'f')
CHANGE(caller_no_container, ev->caller_container[0] = '\0')
CHANGE(caller_ancestors_not_looked_up, ev->looked_up_ancestors = false)
CHANGE(caller_fewer_ancestors, ev->n_ancestors = 1)
CHANGE(caller_other_ancestor, ev->caller_ancestors[1] = "/usr/lib/systemd/systemD")
CHANGE(target_unresolved, buf.rec.target.source = PVM_TARGET_UNRESOLVED)
CHANGE(target_pid, buf.rec.target.pid++)
CHANGE(target_tid, buf.rec.target.tid++)
CHANGE(target_ppid, buf.rec.target.ppid++)
CHANGE(target_comm, buf.rec.target.comm[0] = 'V')
CHANGE(target_exe, strcpy(ev->target_exe, "/usr/sbin/victiM"))
CHANGE(target_uid, buf.rec.target.uid++)
CHANGE(target_cgroup, buf.rec.target.cgroup_id++)
CHANGE(target_pidns, buf.rec.target.pidns++)
CHANGE(target_start, buf.rec.target.start_boot_ns++)
CHANGE(target_from_proc, proc_target(ev))
CHANGE(target_same_process, ev->target.same_process = true)
CHANGE(target_not_child, ev->target.child = false)
CHANGE(target_parent, ev->target.parent = true)
CHANGE(target_other_uid, ev->target.same_uid = false)
CHANGE(target_other_pidns, ev->target.same_pidns = false)
CHANGE(region_unresolved, views[0].r.state = PVM_REGION_UNRESOLVED)
CHANGE(region_past_the_enriched, ev->n_regions = 0)
CHANGE(region_start, views[0].r.start += 0x1000)
CHANGE(region_end, views[0].r.end += 0x1000)
CHANGE(region_perms, views[0].r.vm_flags |= PVM_VM_EXEC)
CHANGE(region_kind, views[0].r.kind = PVM_REGION_ANON)
CHANGE(region_no_path, views[0].has_path = false)
CHANGE(region_path, views[0].path[5] = 'L')
CHANGE(region_from_proc, views[0].from_proc = true)
CHANGE(alerts_none, memo_alerts.n = 0)
CHANGE(alerts_fewer, memo_alerts.n = 1)
CHANGE(alerts_rule, memo_alerts.alert[1].rule = &pvm_rules[PVM_RULE_WRITE_ACROSS_BOUNDARY])
CHANGE(alerts_severity, memo_alerts.alert[1].severity = PVM_SEV_HIGH)
CHANGE(alerts_not_allowed, memo_alerts.alert[0].allowed_by = NULL)
CHANGE(alerts_allowed_elsewhere, memo_alerts.alert[0].allowed_by = "allow.conf:4 (tool)")
CHANGE(alerts_reason, memo_alerts.alert[0].reason[10] = '5')
CHANGE(alerts_longer_reason, strcat(memo_alerts.alert[1].reason, " of pid 4300"))
CHANGE(alerts_unjudged, ev->alerts = NULL)

/*
 * Each input of a kept text changed alone, after the base event was written:
 * the line is the one written afresh, and it shows the change.
 */
UNIT_TEST(json_memos_follow_every_input)
{
	static void (*const changes[])(struct pvm_event *) = {
		caller_pid, caller_tid, caller_ppid, caller_uid, caller_gid, caller_comm,
		caller_comm_full, caller_exe, caller_no_exe, caller_cgroup, caller_pidns,
		caller_mntns, caller_code, caller_start, caller_container, caller_no_container,
		caller_ancestors_not_looked_up, caller_fewer_ancestors, caller_other_ancestor,
		target_unresolved, target_pid, target_tid, target_ppid, target_comm, target_exe,
		target_uid, target_cgroup, target_pidns, target_start, target_from_proc,
		target_same_process, target_not_child, target_parent, target_other_uid,
		target_other_pidns, region_unresolved, region_past_the_enriched, region_start,
		region_end, region_perms, region_kind, region_no_path, region_path,
		region_from_proc, alerts_none, alerts_fewer, alerts_rule, alerts_severity,
		alerts_not_allowed, alerts_allowed_elsewhere, alerts_reason, alerts_longer_reason,
		alerts_unjudged,
	};

	for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
		struct pvm_event ev = memo_base();
		char *base = unit_capture(json_of, &ev);
		char *fresh, *kept;

		changes[i](&ev);
		fresh = unit_capture(fresh_json_of, &ev);
		kept = unit_capture(json_of, &ev);
		if (!strcmp(fresh, base))
			unit_fail(__FILE__, __LINE__, "change %zu does not show:\n    %s", i, fresh);
		if (strcmp(kept, fresh))
			unit_fail(__FILE__, __LINE__, "change %zu:\n    got  %s    want %s", i, kept,
				  fresh);
		free(base);
		free(fresh);
		free(kept);
	}
}

UNIT_TEST(stats_records)
{
	struct pvm_stats s = {.kernel = {10, 7, 1, 1, 0, 2}, .received = 7, .decode_errors = 0,
			      .payloads_stored = 3, .payloads_existing = 4,
			      .payloads_not_stored = 5, .chunks_dropped = 6, .chunk_orphans = 7,
			      .config_reload_failures = 8};
	char *got;

	CHECK_EQ(pvm_stats_unfinished(&s), 1);
	got = unit_capture(stats_json_of, &s);
	CHECK_STR(got, "{\"time\":\"2026-11-27T15:45:08.123456789Z\",\"event\":\"stats\","
		       "\"final\":true,"
		       "\"counters\":{\"calls\":10,\"events\":7,\"ringbuf_drops\":1,"
		       "\"inflight_drops\":1,\"unmatched_enter\":0,\"unmatched_exit\":2,"
		       "\"chunks_lost\":0,\"unfinished\":1,\"received\":7,\"decode_errors\":0,"
		       "\"payloads_stored\":3,\"payloads_existing\":4,\"payloads_not_stored\":5,"
		       "\"chunks_dropped\":6,\"chunk_orphans\":7,\"config_reload_failures\":8,"
		       "\"kills\":0,\"syslog_sent\":0,\"syslog_dropped\":0},"
		       "\"since_last\":{\"calls\":10,\"events\":7,\"ringbuf_drops\":1,"
		       "\"inflight_drops\":1,\"unmatched_enter\":0,\"unmatched_exit\":2,"
		       "\"chunks_lost\":0,\"received\":7,\"decode_errors\":0,"
		       "\"payloads_stored\":3,\"payloads_existing\":4,\"payloads_not_stored\":5,"
		       "\"chunks_dropped\":6,\"chunk_orphans\":7,\"config_reload_failures\":8,"
		       "\"kills\":0,\"syslog_sent\":0,\"syslog_dropped\":0}}\n");
	free(got);
	got = unit_capture(stats_text_of, &s);
	CHECK_STR(got, "pvmtrace: calls=10 events=7 ringbuf_drops=1 inflight_drops=1 "
		       "unmatched_exit=2 unfinished=1 received=7 payloads_stored=3 "
		       "payloads_existing=4 payloads_not_stored=5 chunks_dropped=6 chunk_orphans=7 "
		       "config_reload_failures=8\n");
	free(got);
}

/* A quiet run: the text line keeps calls and events, the JSON every counter. */
UNIT_TEST(stats_text_hides_zeros)
{
	struct pvm_stats s = {0};
	char *got;

	got = unit_capture(stats_text_of, &s);
	CHECK_STR(got, "pvmtrace: calls=0 events=0\n");
	free(got);
	s.kernel[PVM_CNT_CALLS] = s.kernel[PVM_CNT_EVENTS] = s.received = 5;
	got = unit_capture(stats_text_of, &s);
	CHECK_STR(got, "pvmtrace: calls=5 events=5 received=5\n");
	free(got);
	got = unit_capture(stats_json_of, &s);
	CHECK(strstr(got, "\"counters\":{\"calls\":5,\"events\":5,\"ringbuf_drops\":0,"
			  "\"inflight_drops\":0,\"unmatched_enter\":0,\"unmatched_exit\":0,"
			  "\"chunks_lost\":0,\"unfinished\":0,\"received\":5,\"decode_errors\":0,"
			  "\"payloads_stored\":0,\"payloads_existing\":0,\"payloads_not_stored\":0,"
			  "\"chunks_dropped\":0,\"chunk_orphans\":0,\"config_reload_failures\":0,"
			  "\"kills\":0,\"syslog_sent\":0,\"syslog_dropped\":0},") !=
	      NULL);
	free(got);
}

/* --stats-interval: each record counts since the start, and since the record before. */
UNIT_TEST(stats_record_since_the_last)
{
	struct pvm_stats last = {.kernel = {10, 7, 1, 1, 0, 2}, .received = 7},
			 now = {.kernel = {25, 20, 3, 1, 0, 2}, .received = 20, .decode_errors = 1};
	char *got = unit_capture(stats_record_of, &(struct stats_record){&now, &last, false});

	CHECK(strstr(got, "\"event\":\"stats\",\"final\":false,\"counters\":{\"calls\":25,") !=
	      NULL);
	/* unfinished: 1 then 1, a level; the rest, what happened in between */
	CHECK(strstr(got, "\"since_last\":{\"calls\":15,\"events\":13,\"ringbuf_drops\":2,"
			  "\"inflight_drops\":0,\"unmatched_enter\":0,\"unmatched_exit\":0,"
			  "\"chunks_lost\":0,\"received\":13,\"decode_errors\":1,"
			  "\"payloads_stored\":0,") != NULL);
	free(got);
}

static bool plain(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s >= 0x7f || *s == '"' || *s == '\\')
			return false;
	return true;
}

/* What goes out through jw_plain_string, unescaped: every name the program has. */
UNIT_TEST(json_names_need_no_escape)
{
	static const char *const names[] = {"x86_64", "i386", "unresolved", "proc", "kernel"};
	char perms[5], time[PVM_TIME_LEN];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK(plain(names[i]));
	CHECK(plain(pvm_syscall_name(PVM_SYS_READV)) && plain(pvm_syscall_name(PVM_SYS_WRITEV)));
	CHECK(plain(pvm_abi_name(PVM_ABI_X86_64)) && plain(pvm_abi_name(PVM_ABI_IA32)));
	CHECK(plain(pvm_action_name(PVM_ACTION_KILLED)) && plain(pvm_action_name(PVM_ACTION_ALLOWED)));
	for (int kind = PVM_REGION_ANON; kind <= PVM_REGION_VDSO + 1; kind++)
		CHECK(plain(pvm_region_kind_name(kind)));
	for (__u32 flags = 0; flags < 16; flags++) {
		pvm_region_perms(flags, perms);
		CHECK(plain(perms) && strlen(perms) == 4);
	}
	for (__s64 err = -1; err >= -4095; err--)
		if (!plain(pvm_errno_name(err)))
			unit_fail(__FILE__, __LINE__, "errno %lld: %s", (long long)-err,
				  pvm_errno_name(err));
	for (unsigned int i = 0; i < PVM_RULE_COUNT; i++) {
		CHECK(plain(pvm_rules[i].id) && plain(pvm_rules[i].name) &&
		      plain(pvm_severity_name(pvm_rules[i].severity)));
		for (const char *const *id = pvm_rules[i].mitre; *id; id++)
			CHECK(plain(*id));
	}
	for (int result = PVM_STORED_NONE; result <= PVM_STORED_FAILED; result++)
		for (int state = PVM_STORE_OFF; state <= PVM_STORE_IOV_LIMIT; state++) {
			const char *name = pvm_store_outcome(
				&(struct pvm_stored_payload){.state = state, .result = result});

			CHECK(!name || plain(name));
		}
	for (__u64 ns = 0; ns < 100000000000ULL; ns += 7777777777ULL) {
		pvm_format_time_utc(time, EXAMPLE_WALL_NS + ns);
		CHECK(plain(time));
	}
}

/*
 * Every key of a JSON value, into keys as "|key|key|...|", each once; not
 * the stats record's counters (twice), which the counters' own table names.
 */
static void collect_keys(json_object *v, char *keys, size_t len)
{
	if (json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(v); i++)
			collect_keys(json_object_array_get_idx(v, i), keys, len);
		return;
	}
	if (!json_object_is_type(v, json_type_object))
		return;
	json_object_object_foreach(v, key, member) {
		char quoted[64];

		snprintf(quoted, sizeof(quoted), "|%s|", key);
		if (!strstr(keys, quoted))
			strncat(keys, quoted + 1, len - strlen(keys) - 1);
		if (strcmp(key, PVM_KEY_COUNTERS) && strcmp(key, PVM_KEY_SINCE_LAST))
			collect_keys(member, keys, len);
	}
}

static void collect_line_keys(const char *line, char *keys, size_t len)
{
	json_object *v = json_tokener_parse(line);

	CHECK(v != NULL);
	collect_keys(v, keys, len);
	json_object_put(v);
}

/* The keys src/json_keys.h defines, as "|key|key|...|" (run from the tree's top). */
static void defined_keys(char *keys, size_t len)
{
	FILE *h = fopen("src/json_keys.h", "r");
	char line[256], name[64], key[64];

	CHECK(h != NULL);
	while (h && fgets(line, sizeof(line), h))
		if (sscanf(line, "#define PVM_KEY_%63s \"%63[a-z0-9_]\"", name, key) == 2) {
			strncat(keys, key, len - strlen(keys) - 2);
			strcat(keys, "|");
		}
	if (h)
		fclose(h);
}

/* Each "|key|" of `some` that `all` lacks, reported as `what`. */
static void check_keys_within(const char *some, const char *all, const char *what)
{
	for (const char *k = some + 1; *k; k += strcspn(k, "|") + 1) {
		char quoted[64];

		snprintf(quoted, sizeof(quoted), "|%.*s|", (int)strcspn(k, "|"), k);
		if (!strstr(all, quoted))
			unit_fail(__FILE__, __LINE__, "%s: %s", what, quoted);
	}
}

/*
 * The keys of an event with every part present (alerts, ancestors, a region,
 * a stored payload) and of a stats record are exactly the PVM_KEY_* of
 * json_keys.h, which the readers of a recording use too: a key spelled
 * anywhere else, or one defined and never written, fails here.
 */
UNIT_TEST(json_keys_are_those_json_keys_h_defines)
{
	static const struct pvm_stats stats;
	char written[4096] = "|", defined[4096] = "|";
	struct pvm_event ev = memo_base();
	char *json;

	ev.stored = (struct pvm_stored_payload){.state = PVM_STORE_SENT, .result = PVM_STORED_NEW,
						.len = 64};
	json = unit_capture(enveloped_json_of, &ev);
	collect_line_keys(json, written, sizeof(written));
	free(json);
	json = unit_capture(stats_json_of, &stats);
	collect_line_keys(json, written, sizeof(written));
	free(json);
	defined_keys(defined, sizeof(defined));
	CHECK(strlen(defined) > 300);
	check_keys_within(written, defined, "written, not defined in json_keys.h");
	check_keys_within(defined, written, "defined in json_keys.h, never written");
}

/* The names of an object's members, into keys as "|key|...|", each once. */
static void collect_keys_only(json_object *v, char *keys, size_t len)
{
	json_object_object_foreach(v, key, member) {
		char quoted[64];

		(void)member;
		snprintf(quoted, sizeof(quoted), "|%s|", key);
		if (!strstr(keys, quoted))
			strncat(keys, quoted + 1, len - strlen(keys) - 1);
	}
}

/*
 * The property names of a JSON Schema, into keys as "|key|...|": those of
 * every "properties" object, the counters' two definitions apart, which go
 * to `counters` and `deltas`.
 */
static void collect_schema_names(json_object *v, char *keys, char *counters, char *deltas,
				 size_t len)
{
	if (json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(v); i++)
			collect_schema_names(json_object_array_get_idx(v, i), keys, counters,
					     deltas, len);
		return;
	}
	if (!json_object_is_type(v, json_type_object))
		return;
	json_object_object_foreach(v, key, member) {
		json_object *defs = NULL;

		if (!strcmp(key, "properties")) {
			collect_keys_only(member, keys, len);
		} else if (!strcmp(key, "counters") &&
			   json_object_object_get_ex(member, "properties", &defs)) {
			collect_keys_only(defs, counters, len);
			continue;
		} else if (!strcmp(key, "counter_deltas") &&
			   json_object_object_get_ex(member, "properties", &defs)) {
			collect_keys_only(defs, deltas, len);
			continue;
		}
		collect_schema_names(member, keys, counters, deltas, len);
	}
}

/* The stats record's counters, and its since_last, as "|name|...|". */
static void written_counters(char *counters, char *deltas, size_t len)
{
	static const struct pvm_stats stats;
	char *json = unit_capture(stats_json_of, &stats);
	json_object *v = json_tokener_parse(json), *c = NULL, *d = NULL;

	CHECK(v && json_object_object_get_ex(v, PVM_KEY_COUNTERS, &c) &&
	      json_object_object_get_ex(v, PVM_KEY_SINCE_LAST, &d));
	if (c && d) {
		collect_keys_only(c, counters, len);
		collect_keys_only(d, deltas, len);
	}
	json_object_put(v);
	free(json);
}

/*
 * docs/pvmtrace.schema.json, which the e2e suite holds every record to,
 * names exactly the keys json_keys.h defines (those the writer writes and
 * replay reads: the test above) and exactly the counters the stats record
 * holds: a key added to one and not the other fails here.
 */
UNIT_TEST(schema_names_the_keys_and_counters_written)
{
	char named[4096] = "|", defined[4096] = "|", counters[1024] = "|", deltas[1024] = "|";
	char written_c[1024] = "|", written_d[1024] = "|";
	json_object *schema = json_object_from_file("docs/pvmtrace.schema.json");

	CHECK(schema != NULL);
	if (!schema)
		return;
	collect_schema_names(schema, named, counters, deltas, sizeof(named));
	json_object_put(schema);
	defined_keys(defined, sizeof(defined));
	check_keys_within(named, defined, "in the schema, not defined in json_keys.h");
	check_keys_within(defined, named, "defined in json_keys.h, not in the schema");
	written_counters(written_c, written_d, sizeof(written_c));
	check_keys_within(counters, written_c, "a counter in the schema, not in the record");
	check_keys_within(written_c, counters, "a counter in the record, not in the schema");
	check_keys_within(deltas, written_d, "in the schema's since_last, not in the record's");
	check_keys_within(written_d, deltas, "in the record's since_last, not in the schema's");
}
