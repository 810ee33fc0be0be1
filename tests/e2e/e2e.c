// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The end-to-end runner, as root against the running kernel. For every
 * attach mode the kernel supports and every case: fork the case's caller,
 * start pvmtrace (--json -o FILE --attach MODE ...), wait for its "tracing"
 * line, let the caller make its calls, stop pvmtrace with SIGINT, and compare
 * every field of every event of the case's processes with what the caller
 * recorded (the alerts from the test's own reading of docs/rules.md, never
 * the rules code), plus the final counters; then `pvmtrace replay` of the
 * recorded file must give every event the same alerts.
 *
 * Usage: e2e-tests --pvmtrace PATH --trigger32 PATH --trigger64 PATH [--mode M]
 *                  [--case NAME] [--require MODE|NEED,...] [--expect-auto MODE]
 *                  [--all-cases-in MODE,...]
 * First the host is probed for what cases need (host.h); a case whose need is
 * missing is skipped by name, with the reason.
 * --require: fail when one of these modes is unsupported here, or a case
 * needs one of these needs (ia32, int80, ...) and the host lacks it.
 * --expect-auto: fail unless `--attach auto` picks this mode.
 * --all-cases-in: every case in these modes; in the others only the cases
 * marked every_mode (cases.h). Without it, every case in every mode.
 * One "MODE <name> pass|fail|unsupported" line per mode, for tests/vm.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cases.h"
#include "cli.h"
#include "host.h"
#include "trigger.h"

#define READY_TIMEOUT_MS 30000
#define CASE_TIMEOUT_MS 60000
#define WRITTEN_TIMEOUT_MS 10000
#define NOBODY 65534
#define CLOCK_SLACK_NS 2000000ULL /* boot->wall offset is estimated at start */

/*
 * Does the mode under test resolve targets in the kernel (--list-modes says)?
 * For callers in child pid namespaces too (bpf_task_from_vpid)?
 */
static bool targets_in_kernel, targets_in_kernel_any_pidns;

static struct e2e_host host; /* probed once, before any case */

static const char *const all_modes[] = {"fentry", "kprobe", "tp_btf", "raw_tp", "tracepoint"};

struct options {
	const char *pvmtrace;
	const char *trigger32;
	const char *trigger64;
	const char *only_mode;
	const char *only_case;
	const char *required;	 /* comma-separated modes and needs */
	const char *expect_auto;
	const char *all_cases_in; /* comma-separated modes; NULL: all of them */
};

/* Collects the mismatches of one case. */
struct check {
	const char *label;
	unsigned int failures;
	struct timespec started; /* the result line says how long the case took */
};

static void failf(struct check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void failf(struct check *c, const char *fmt, ...)
{
	va_list ap;

	if (c->failures++ >= 20)
		return;
	fprintf(stderr, "  FAIL %s: ", c->label);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return strdup("");
	if (getdelim(&buf, &len, 0, f) < 0) {
		free(buf);
		buf = strdup("");
	}
	fclose(f);
	return buf;
}

/* --- JSON field access -------------------------------------------------- */

/* json-c represents a JSON null as a NULL object: presence is the return. */
static bool has_field(json_object *obj, const char *key, json_object **v)
{
	*v = NULL;
	return obj && json_object_object_get_ex(obj, key, v);
}

static json_object *field(json_object *obj, const char *key)
{
	json_object *v;

	return has_field(obj, key, &v) ? v : NULL;
}

static void expect_uint(struct check *c, json_object *obj, const char *key, uint64_t want)
{
	json_object *v = field(obj, key);

	if (!v || !json_object_is_type(v, json_type_int))
		failf(c, "%s: missing or not a number (want %" PRIu64 ")", key, want);
	else if (json_object_get_uint64(v) != want)
		failf(c, "%s: got %" PRIu64 ", want %" PRIu64, key, json_object_get_uint64(v), want);
}

static void expect_int(struct check *c, json_object *obj, const char *key, int64_t want)
{
	json_object *v = field(obj, key);

	if (!v || !json_object_is_type(v, json_type_int))
		failf(c, "%s: missing or not a number (want %" PRId64 ")", key, want);
	else if (json_object_get_int64(v) != want)
		failf(c, "%s: got %" PRId64 ", want %" PRId64, key, json_object_get_int64(v), want);
}

static void expect_string(struct check *c, json_object *obj, const char *key, const char *want)
{
	json_object *v;
	bool present = has_field(obj, key, &v);

	if (!want) {
		if (!present || v)
			failf(c, "%s: want null, got %s", key, v ? json_object_to_json_string(v) : "nothing");
		return;
	}
	if (!v || !json_object_is_type(v, json_type_string))
		failf(c, "%s: %s, want \"%s\"", key,
		      !present ? "missing" : v ? json_object_to_json_string(v) : "got null", want);
	else if (strcmp(json_object_get_string(v), want))
		failf(c, "%s: got \"%s\", want \"%s\"", key, json_object_get_string(v), want);
}

static void expect_hex(struct check *c, json_object *obj, const char *key, uint64_t want)
{
	char text[32];

	snprintf(text, sizeof(text), "0x%" PRIx64, want);
	expect_string(c, obj, key, text);
}

static void expect_bool(struct check *c, json_object *obj, const char *key, bool want)
{
	json_object *v = field(obj, key);

	if (!v || !json_object_is_type(v, json_type_boolean))
		failf(c, "%s: missing or not a boolean", key);
	else if (json_object_get_boolean(v) != want)
		failf(c, "%s: got %d, want %d", key, json_object_get_boolean(v), want);
}

static void expect_null(struct check *c, json_object *obj, const char *key)
{
	json_object *v;

	if (!has_field(obj, key, &v) || v)
		failf(c, "%s: want null", key);
}

static void expect_absent(struct check *c, json_object *obj, const char *key)
{
	json_object *v;

	if (has_field(obj, key, &v))
		failf(c, "%s: present (%s), want no such key", key,
		      v ? json_object_to_json_string(v) : "null");
}

/* An executable path; "" is one pvmtrace cannot know: null. */
static void expect_exe(struct check *c, json_object *obj, const char *exe)
{
	expect_string(c, obj, "exe", exe[0] ? exe : NULL);
}

/* --- one event against its expectation ----------------------------------- */

/*
 * How a raw comm reads back from our JSON: ASCII as it is, every byte of an
 * invalid UTF-8 sequence as U+FFFD. (Test comms hold no valid multibyte UTF-8.)
 */
static void comm_as_json_reads_it(const char *raw, char *out, size_t len)
{
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)raw; *p && o + 4 < len; p++) {
		if (*p < 0x80) {
			out[o++] = *p;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
		}
	}
	out[o] = 0;
}

static void check_caller(struct check *c, json_object *caller, const struct e2e_identity *id)
{
	char comm[64];

	if (!caller || !json_object_is_type(caller, json_type_object)) {
		failf(c, "caller: missing");
		return;
	}
	expect_uint(c, caller, "pid", id->pid);
	expect_uint(c, caller, "tid", id->tid);
	expect_uint(c, caller, "ppid", id->ppid);
	expect_uint(c, caller, "uid", id->uid);
	expect_uint(c, caller, "gid", id->gid);
	comm_as_json_reads_it(id->comm, comm, sizeof(comm));
	expect_string(c, caller, "comm", comm);
	expect_exe(c, caller, id->exe);
	expect_uint(c, caller, "cgroup_id", id->cgroup_id);
	expect_uint(c, caller, "pidns", id->pidns);
	expect_uint(c, caller, "mntns", id->mntns);
	expect_string(c, caller, "code", id->code);
	expect_string(c, caller, "container_id", id->container[0] ? id->container : NULL);
}

static void check_args(struct check *c, json_object *args, const struct e2e_expected *ev)
{
	if (!args) {
		failf(c, "args: missing");
		return;
	}
	expect_int(c, args, "pid", ev->pid_arg);
	expect_hex(c, args, "local_iov", ev->local_iov);
	expect_uint(c, args, "liovcnt", ev->liovcnt);
	expect_hex(c, args, "remote_iov", ev->remote_iov);
	expect_uint(c, args, "riovcnt", ev->riovcnt);
	expect_uint(c, args, "flags", ev->flags);
}

/*
 * A remote entry's region: found in the kernel or from /proc, it must be the
 * mapping /proc showed right after the call; "unresolved" is allowed where
 * neither could look (no kfunc, target gone). A path, when given, must match.
 */
static void check_region(struct check *c, json_object *entry, const struct e2e_expected *ev,
			 size_t i)
{
	json_object *region;
	const char *source;

	if (i >= E2E_REGIONS || !ev->regions_known)
		return;
	if (!has_field(entry, "region", &region)) {
		failf(c, "remote_iov[%zu].region missing", i);
		return;
	}
	if (ev->regions[i].none) {
		if (region)
			expect_string(c, region, "source", "unresolved");
		return;
	}
	source = region && field(region, "source") ? json_object_get_string(field(region, "source"))
						   : "";
	/*
	 * "kernel" is required only where the case says so: bpf_find_vma gives
	 * up (EBUSY) while its previous mmap unlock is still queued, as in
	 * back-to-back calls.
	 */
	if (targets_in_kernel && ev->regions_in_kernel)
		expect_string(c, region, "source", "kernel");
	if (!strcmp(source, "unresolved")) {
		if (ev->settled)
			failf(c, "remote_iov[%zu].region unresolved, though the target lived until "
				 "pvmtrace wrote the event", i);
		return;
	}
	expect_hex(c, region, "start", ev->regions[i].start);
	expect_hex(c, region, "end", ev->regions[i].end);
	expect_string(c, region, "perms", ev->regions[i].perms);
	expect_string(c, region, "kind", ev->regions[i].kind);
	if (field(region, "path"))
		expect_string(c, region, "path", ev->regions[i].path);
}

/* `ev` is set for the remote side, whose entries carry a region. */
static void check_side(struct check *c, json_object *event, const char *key,
		       const char *bytes_key, const struct e2e_side *side,
		       const struct e2e_shared *sh, const struct e2e_expected *ev)
{
	json_object *arr = field(event, key);
	size_t n;

	if (side->bytes_null)
		expect_null(c, event, bytes_key);
	else
		expect_uint(c, event, bytes_key, side->bytes);
	if (side->kind == E2E_IOV_NULL) {
		expect_null(c, event, key);
		return;
	}
	if (!arr || !json_object_is_type(arr, json_type_array)) {
		failf(c, "%s: want an array", key);
		return;
	}
	n = json_object_array_length(arr);
	if (n != side->n) {
		failf(c, "%s: %zu entries, want %u", key, n, side->n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *entry = json_object_array_get_idx(arr, i);

		expect_hex(c, entry, "base", sh->iov[side->first + i].base);
		expect_uint(c, entry, "len", sh->iov[side->first + i].len);
		if (ev)
			check_region(c, entry, ev, i);
	}
}

/* "2026-11-27T15:45:08.123456789Z" to ns since the epoch; 0 if malformed. */
static uint64_t parse_time(const char *text)
{
	struct tm tm = {0};
	unsigned long nanos;
	char *rest = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm);

	if (!rest || sscanf(rest, ".%9luZ", &nanos) != 1 || strlen(rest) != 11)
		return 0;
	return (uint64_t)timegm(&tm) * 1000000000ULL + nanos;
}

static void check_time(struct check *c, json_object *event, const struct e2e_expected *ev)
{
	json_object *t = field(event, "time");
	uint64_t when = t ? parse_time(json_object_get_string(t)) : 0;
	json_object *d = field(event, "duration_ns");
	uint64_t duration = d ? json_object_get_uint64(d) : 0;

	if (when + CLOCK_SLACK_NS < ev->wall_before_ns || when > ev->wall_after_ns + CLOCK_SLACK_NS)
		failf(c, "time %s outside the call's window", t ? json_object_get_string(t) : "-");
	if (duration == 0 || duration > ev->wall_after_ns - ev->wall_before_ns + CLOCK_SLACK_NS)
		failf(c, "duration_ns %" PRIu64 " impossible for this call", duration);
}

static void hex_of(const unsigned char *bytes, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", bytes[i]);
	out[2 * len] = 0;
}

static bool store_kept(const struct e2e_expected *ev)
{
	return !strcmp(ev->store.outcome, "new") || !strcmp(ev->store.outcome, "existing");
}

/* --capture-dir: the file, or null and why not; without it, none of these keys. */
static void check_store(struct check *c, json_object *data, const struct e2e_expected *ev,
			const struct e2e_shared *sh)
{
	char name[E2E_STORED_NAME_LEN];

	if (!sh->capture_dir) {
		expect_absent(c, data, "file");
		expect_absent(c, data, "stored_bytes");
		expect_absent(c, data, "store");
		return;
	}
	if (store_kept(ev)) {
		e2e_stored_name(ev->store.sha256, name);
		expect_string(c, data, "file", name);
	} else {
		expect_null(c, data, "file");
	}
	expect_uint(c, data, "stored_bytes", ev->store.bytes);
	expect_string(c, data, "store", ev->store.outcome);
}

static void check_payload(struct check *c, json_object *event, const struct e2e_expected *ev,
			  const struct e2e_shared *sh)
{
	const unsigned char *bytes = sh->data_pool + ev->data.first;
	static char hex[2 * E2E_DATA_POOL + 1];
	unsigned char digest[E2E_SHA256_LEN];
	json_object *data;

	if (ev->data.null) {
		expect_null(c, event, "data");
		return;
	}
	data = field(event, "data");
	if (!data) {
		failf(c, "data: missing");
		return;
	}
	expect_uint(c, data, "captured", ev->data.len);
	expect_uint(c, data, "total", ev->data.total);
	expect_bool(c, data, "complete", ev->data.complete);
	hex_of(bytes, ev->data.len, hex);
	expect_string(c, data, "hex", hex);
	/* the stored file's digest when there is one, else the captured bytes' */
	if (sh->capture_dir && store_kept(ev))
		memcpy(digest, ev->store.sha256, sizeof(digest));
	else
		EVP_Digest(bytes, ev->data.len, digest, NULL, EVP_sha256(), NULL);
	hex_of(digest, sizeof(digest), hex);
	expect_string(c, data, "sha256", hex);
	check_store(c, data, ev, sh);
}

static const char *errno_name_of(int64_t ret)
{
	switch (ret) {
	case -EPERM:
		return "EPERM";
	case -ESRCH:
		return "ESRCH";
	case -EFAULT:
		return "EFAULT";
	case -EINVAL:
		return "EINVAL";
	case -ENOMEM:
		return "ENOMEM";
	default:
		return ret < 0 ? "?" : NULL;
	}
}

static void check_start_time(struct check *c, json_object *target, const char *source,
			     uint64_t ticks)
{
	uint64_t tick_ns = 1000000000ULL / (uint64_t)sysconf(_SC_CLK_TCK);
	json_object *v = field(target, "start_time");
	uint64_t ns = v ? json_object_get_uint64(v) : 0;

	if (!ticks)
		return; /* the test could not read it */
	if (!strcmp(source, "proc") ? ns != ticks * tick_ns : ns / tick_ns != ticks)
		failf(c, "target.start_time %" PRIu64 " is not tick %" PRIu64, ns, ticks);
}

/*
 * Resolved in the kernel or from /proc, every field must be right;
 * "unresolved" is allowed where neither could (no kfunc for this mode, and
 * the target gone before user space looked).
 */
static void check_target(struct check *c, json_object *event, const struct e2e_expected *ev)
{
	json_object *t = field(event, "target");
	const char *source;
	char comm[64];

	if (ev->target.null) {
		expect_null(c, event, "target");
		return;
	}
	source = t && field(t, "source") ? json_object_get_string(field(t, "source")) : "";
	/* PROC_PID_INIT_INO: a caller in the initial pid namespace */
	if (targets_in_kernel && (ev->caller.pidns == 0xEFFFFFFCu || targets_in_kernel_any_pidns))
		expect_string(c, t, "source", "kernel");
	if (!strcmp(source, "unresolved") && ev->settled)
		failf(c, "target unresolved, though it lived until pvmtrace wrote the event");
	if (!strcmp(source, "unresolved")) {
		/* from /proc, for a target gone before user space looked: nothing of it */
		expect_absent(c, t, "pid");
		expect_absent(c, t, "exe");
		return;
	}
	if (strcmp(source, "kernel") && strcmp(source, "proc")) {
		failf(c, "target: source \"%s\"", source);
		return;
	}
	expect_uint(c, t, "pid", ev->target.pid);
	expect_uint(c, t, "tid", ev->target.tid);
	expect_uint(c, t, "ppid", ev->target.ppid);
	expect_uint(c, t, "uid", ev->target.uid);
	expect_uint(c, t, "pidns", ev->target.pidns);
	comm_as_json_reads_it(ev->target.comm, comm, sizeof(comm));
	expect_string(c, t, "comm", comm);
	expect_exe(c, t, ev->target.exe);
	if (!strcmp(source, "kernel"))
		expect_uint(c, t, "cgroup_id", ev->target.cgroup_id);
	else
		expect_null(c, t, "cgroup_id");
	check_start_time(c, t, source, ev->target.start_ticks);
	expect_string(c, t, "container_id", ev->target.container[0] ? ev->target.container : NULL);
	expect_bool(c, t, "same_process", ev->target.same_process);
	expect_bool(c, t, "child", ev->target.child);
	expect_bool(c, t, "parent", ev->target.parent);
	expect_bool(c, t, "same_uid", ev->target.same_uid);
	expect_bool(c, t, "same_pidns", ev->target.same_pidns);
}

/* --- the alerts: docs/rules.md, from what the trigger knew of the call ---- */

/*
 * The rules as docs/rules.md tables them, written down here again (the test
 * never links the rules code), in the order an event lists their alerts.
 */
enum rule { W001, W002, W003, W004, W005, A001, R001, R002, R003, N_RULES };

static const struct {
	const char *id, *name, *severity;
	const char *mitre[3];
} rules[N_RULES] = {
	[W001] = {"PVM-W001", "foreign-write", "high", {"T1055"}},
	[W002] = {"PVM-W002", "foreign-write-sensitive-region", "critical", {"T1055"}},
	[W003] = {"PVM-W003", "foreign-write-across-boundary", "critical", {"T1055"}},
	[W004] = {"PVM-W004", "foreign-write-failed", "medium", {"T1055"}},
	[W005] = {"PVM-W005", "write-unresolved-target", "low", {"T1055"}},
	[A001] = {"PVM-A001", "ia32-abi-from-64bit-code", "high", {"T1055"}},
	[R001] = {"PVM-R001", "foreign-read", "medium", {"T1003"}},
	[R002] = {"PVM-R002", "foreign-read-across-boundary", "high", {"T1003"}},
	[R003] = {"PVM-R003", "foreign-read-credential-holder", "high", {"T1003", "T1555"}},
};

static const char *source_of(json_object *obj)
{
	json_object *s = field(obj, "source");

	return s && json_object_is_type(s, json_type_string) ? json_object_get_string(s) : "";
}

/*
 * What pvmtrace knew of the target. Whether it could resolve it at all is
 * the event's to say (check_target holds what it says to the trigger's
 * view, and requires it resolved where the mode or the case makes that
 * certain); all else comes from the trigger.
 */
enum target_state { TARGET_NONE, TARGET_UNRESOLVED, TARGET_KNOWN };

static enum target_state target_state(json_object *event, const struct e2e_expected *ev)
{
	if (ev->target.null)
		return TARGET_NONE;
	return !strcmp(source_of(field(event, "target")), "unresolved") ? TARGET_UNRESOLVED
									 : TARGET_KNOWN;
}

/*
 * Remote entry i lies in a stack, an rwx mapping, or a writable private
 * mapping of an executable or library: a file named like a library, the
 * target's own executable, or a file whose path pvmtrace did not learn. The
 * mapping is the one /proc showed the trigger (check_region holds pvmtrace's
 * to it); whether pvmtrace resolved it at all, and learnt its path, is the
 * event's.
 */
static bool sensitive_region(json_object *event, const struct e2e_expected *ev, size_t i)
{
	const struct e2e_region *r = &ev->regions[i];
	json_object *remote = field(event, "remote_iov");
	json_object *region;

	if (r->none || !remote || !json_object_is_type(remote, json_type_array) ||
	    json_object_array_length(remote) <= i)
		return false;
	region = field(json_object_array_get_idx(remote, i), "region");
	if (!region || !strcmp(source_of(region), "unresolved"))
		return false;
	if (!strcmp(r->kind, "stack") || (r->perms[1] == 'w' && r->perms[2] == 'x'))
		return true;
	return !strcmp(r->kind, "file") && r->perms[1] == 'w' && r->perms[3] == 'p' &&
	       (!field(region, "path") || e2e_library_file(r->path) ||
		!strcmp(r->path, ev->target.exe));
}

/* The bytes reached remote entry i: it has a length and starts before `ret` bytes. */
static bool entry_reached(const struct e2e_shared *sh, const struct e2e_expected *ev, size_t i)
{
	uint64_t before = 0;

	for (size_t j = 0; j < i; j++)
		before += sh->iov[ev->remote.first + j].len;
	return sh->iov[ev->remote.first + i].len > 0 && before < (uint64_t)ev->ret;
}

static bool wrote_sensitive_region(struct check *c, json_object *event,
				   const struct e2e_expected *ev, const struct e2e_shared *sh)
{
	if (!ev->regions_known) {
		failf(c, "setup: a write moved bytes and the test does not know where");
		return false;
	}
	for (size_t i = 0; i < ev->remote.n && i < E2E_REGIONS; i++)
		if (entry_reached(sh, ev, i) && sensitive_region(event, ev, i))
			return true;
	return false;
}

/* A target that holds keys or passwords, by its comm or its executable's name. */
static bool credential_holder(const struct e2e_expected *ev)
{
	static const char *const names[] = {
		"ssh-agent", "gpg-agent", "sshd", "sshd-session", "sshd-auth",
		"gnome-keyring-daemon", "kwalletd*", "ksecretd", "keepassxc", "oo7-daemon",
		"pass-secret-service",
	};
	const char *slash = strrchr(ev->target.exe, '/');

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!fnmatch(names[i], ev->target.comm, 0) ||
		    (slash && !fnmatch(names[i], slash + 1, 0)))
			return true;
	return false;
}

/* The rules the call must fire, in order; their count. */
static unsigned int expected_rules(struct check *c, json_object *event,
				   const struct e2e_expected *ev, const struct e2e_shared *sh,
				   enum rule want[N_RULES])
{
	enum target_state state = target_state(event, ev);
	bool foreign = state == TARGET_NONE || (state == TARGET_KNOWN && !ev->target.same_process);
	bool unknown = state == TARGET_UNRESOLVED;
	bool moved = ev->ret > 0;
	bool across = state == TARGET_KNOWN && (!ev->target.same_uid || !ev->target.same_pidns);
	unsigned int n = 0;

	if (!foreign && !unknown)
		return 0; /* its own process, from any thread: nothing at all */
	if (ev->writev) {
		if (moved && foreign)
			want[n++] = W001;
		if (moved && foreign && wrote_sensitive_region(c, event, ev, sh))
			want[n++] = W002;
		if (moved && foreign && across)
			want[n++] = W003;
		if (ev->ret < 0 && foreign)
			want[n++] = W004;
		if (ev->ret != 0 && unknown)
			want[n++] = W005;
	}
	if (ev->ia32 && !strcmp(ev->caller.code, "x86_64"))
		want[n++] = A001;
	if (!ev->writev && moved && foreign) {
		want[n++] = R001;
		if (across)
			want[n++] = R002;
		if (state == TARGET_KNOWN && credential_holder(ev))
			want[n++] = R003;
	}
	return n;
}

static const char *string_at(json_object *obj, const char *key)
{
	json_object *v = field(obj, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* "PVM-W001 PVM-W002": the rule ids of alerts */
static void rule_ids_of(json_object *alerts, char *out, size_t len)
{
	size_t at = 0;

	out[0] = 0;
	for (size_t i = 0; i < json_object_array_length(alerts) && at < len; i++) {
		const char *id = string_at(json_object_array_get_idx(alerts, i), "rule");

		at += snprintf(out + at, len - at, "%s%s", i ? " " : "", id ? id : "?");
	}
}

static void wanted_ids(const enum rule *want, unsigned int n, char *out, size_t len)
{
	size_t at = 0;

	out[0] = 0;
	for (unsigned int i = 0; i < n && at < len; i++)
		at += snprintf(out + at, len - at, "%s%s", i ? " " : "", rules[want[i]].id);
}

static void check_mitre(struct check *c, json_object *alert, unsigned int i, enum rule rule)
{
	json_object *mitre = field(alert, "mitre");
	size_t n = 0;

	while (n < 3 && rules[rule].mitre[n])
		n++;
	if (!mitre || !json_object_is_type(mitre, json_type_array) ||
	    json_object_array_length(mitre) != n) {
		failf(c, "alerts[%u] %s: mitre %s, want %zu technique ids", i, rules[rule].id,
		      mitre ? json_object_to_json_string(mitre) : "missing", n);
		return;
	}
	for (size_t j = 0; j < n; j++) {
		json_object *id = json_object_array_get_idx(mitre, j);

		if (!json_object_is_type(id, json_type_string) ||
		    strcmp(json_object_get_string(id), rules[rule].mitre[j]))
			failf(c, "alerts[%u] %s: mitre %s, want %s at %zu", i, rules[rule].id,
			      json_object_to_json_string(mitre), rules[rule].mitre[j], j);
	}
}

/* One alert: the rule's, or info with the entry that allowed the call. */
static void check_alert(struct check *c, json_object *alert, unsigned int i, enum rule rule,
			const struct e2e_expected *ev)
{
	const char *name = string_at(alert, "name"), *severity = string_at(alert, "severity");
	const char *reason = string_at(alert, "reason"), *allowed_by = string_at(alert, "allowed_by");
	const char *want_severity = ev->allowed_by[0] ? "info" : rules[rule].severity;
	char suffix[E2E_ALLOWED_BY_LEN + 16];

	if (!name || strcmp(name, rules[rule].name))
		failf(c, "alerts[%u] %s: name \"%s\", want \"%s\"", i, rules[rule].id,
		      name ? name : "-", rules[rule].name);
	if (!severity || strcmp(severity, want_severity))
		failf(c, "alerts[%u] %s: severity \"%s\", want \"%s\"", i, rules[rule].id,
		      severity ? severity : "-", want_severity);
	check_mitre(c, alert, i, rule);
	if (!reason || !reason[0])
		failf(c, "alerts[%u] %s: reason missing or empty", i, rules[rule].id);
	if (!ev->allowed_by[0]) {
		if (field(alert, "allowed_by") || allowed_by)
			failf(c, "alerts[%u] %s: allowed_by \"%s\", want no such key", i,
			      rules[rule].id, allowed_by ? allowed_by : "null");
		return;
	}
	if (!allowed_by || strcmp(allowed_by, ev->allowed_by))
		failf(c, "alerts[%u] %s: allowed_by \"%s\", want \"%s\"", i, rules[rule].id,
		      allowed_by ? allowed_by : "-", ev->allowed_by);
	snprintf(suffix, sizeof(suffix), "; allowed by %s", ev->allowed_by);
	if (reason && (strlen(reason) < strlen(suffix) ||
		       strcmp(reason + strlen(reason) - strlen(suffix), suffix)))
		failf(c, "alerts[%u] %s: reason \"%s\" does not end with \"%s\"", i, rules[rule].id,
		      reason, suffix);
}

/*
 * caller.ancestors: looked up only for an event with alerts, and then the
 * caller's parent first, as the trigger read it (at most 8 executables).
 */
static void check_ancestors(struct check *c, json_object *caller, const struct e2e_expected *ev,
			    bool alerted)
{
	json_object *a, *first;
	size_t n;

	if (!has_field(caller, "ancestors", &a)) {
		failf(c, "caller.ancestors: missing");
		return;
	}
	if (!alerted) {
		if (a)
			failf(c, "caller.ancestors: %s for an event without alerts, want null",
			      json_object_to_json_string(a));
		return;
	}
	n = a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
	if (n < 1 || n > 8) {
		failf(c, "caller.ancestors: %s, want 1 to 8 executables, the parent's first",
		      a ? json_object_to_json_string(a) : "null");
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (!json_object_is_type(json_object_array_get_idx(a, i), json_type_string))
			failf(c, "caller.ancestors[%zu]: not a string", i);
	first = json_object_array_get_idx(a, 0);
	if (json_object_is_type(first, json_type_string) &&
	    strcmp(json_object_get_string(first), ev->caller.parent_exe))
		failf(c, "caller.ancestors[0]: \"%s\", want the parent's exe \"%s\"",
		      json_object_get_string(first), ev->caller.parent_exe);
}

static const char *action_name(enum e2e_action action)
{
	return action == E2E_ACTION_KILLED ? "killed" : action == E2E_ACTION_ALLOWED ? "allowed" : NULL;
}

static void check_alerts(struct check *c, json_object *event, const struct e2e_expected *ev,
			 const struct e2e_shared *sh)
{
	enum rule want[N_RULES];
	unsigned int n = expected_rules(c, event, ev, sh, want);
	json_object *alerts = field(event, "alerts");
	char got_ids[128], want_ids[128];

	expect_string(c, event, "action", action_name(ev->action));
	check_ancestors(c, field(event, "caller"), ev, n > 0);
	wanted_ids(want, n, want_ids, sizeof(want_ids));
	/* a case that says which rules it means to fire: the model must agree */
	if (ev->rules[0] && strcmp(ev->rules, want_ids))
		failf(c, "setup: the case means [%s] to fire, the test's rules say [%s]", ev->rules,
		      want_ids);
	if (!alerts || !json_object_is_type(alerts, json_type_array)) {
		failf(c, "alerts: want an array of [%s]", want_ids);
		return;
	}
	rule_ids_of(alerts, got_ids, sizeof(got_ids));
	if (strcmp(got_ids, want_ids)) {
		failf(c, "alerts: [%s], want [%s]", got_ids, want_ids);
		return;
	}
	for (unsigned int i = 0; i < n; i++)
		check_alert(c, json_object_array_get_idx(alerts, i), i, want[i], ev);
}

static void check_event(struct check *c, json_object *event, const struct e2e_expected *ev,
			const struct e2e_shared *sh)
{
	expect_string(c, event, "event", ev->writev ? "process_vm_writev" : "process_vm_readv");
	expect_string(c, event, "abi", ev->ia32 ? "ia32" : "x86_64");
	check_caller(c, field(event, "caller"), &ev->caller);
	check_target(c, event, ev);
	check_args(c, field(event, "args"), ev);
	check_side(c, event, "local_iov", "local_bytes", &ev->local, sh, NULL);
	check_side(c, event, "remote_iov", "remote_bytes", &ev->remote, sh, ev);
	expect_bool(c, event, "iov_truncated", ev->truncated);
	expect_bool(c, event, "iov_read_at_exit", ev->read_at_exit);
	expect_int(c, event, "ret", ev->ret);
	expect_string(c, event, "error", errno_name_of(ev->ret));
	check_time(c, event, ev);
	check_alerts(c, event, ev, sh);
	check_payload(c, event, ev, sh);
}

/* --- running pvmtrace ---------------------------------------------------- */

struct run {
	pid_t pvmtrace;
	bool reaped;	/* it exited before it was told to stop: `status` */
	int status;
	char out_path[64];
	char err_path[64];
};

static void expand_arg(const char *tmpl, const struct e2e_shared *sh, pid_t caller, char *buf,
		       size_t len)
{
	if (!strcmp(tmpl, "{pid0}"))
		snprintf(buf, len, "%d", sh->pids[0]);
	else if (!strcmp(tmpl, "{pid1}"))
		snprintf(buf, len, "%d", sh->pids[1]);
	else if (!strcmp(tmpl, "{caller}"))
		snprintf(buf, len, "%d", caller);
	else if (!strcmp(tmpl, "{path}"))
		snprintf(buf, len, "%s", sh->path);
	else
		snprintf(buf, len, "%s", tmpl);
}

static pid_t spawn_pvmtrace(const struct options *o, const char *mode, const struct e2e_case *tc,
			    const struct e2e_shared *sh, pid_t caller, struct run *r)
{
	char expanded[E2E_MAX_ARGS][300];
	char *argv[16 + E2E_MAX_ARGS];
	int argc = 0;
	pid_t pid;

	argv[argc++] = (char *)o->pvmtrace;
	argv[argc++] = "--json";
	argv[argc++] = "-o";
	argv[argc++] = r->out_path;
	argv[argc++] = "--attach";
	argv[argc++] = (char *)mode;
	for (int i = 0; i < E2E_MAX_ARGS && tc->args[i]; i++) {
		expand_arg(tc->args[i], sh, caller, expanded[i], sizeof(expanded[i]));
		argv[argc++] = expanded[i];
	}
	argv[argc] = NULL;

	/* a failed case keeps its files: its "tracing" line must not pass for ours */
	unlink(r->out_path);
	unlink(r->err_path);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int err = open(r->err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(err, STDERR_FILENO);
		execv(o->pvmtrace, argv);
		_exit(127);
	}
	return pid;
}

static bool wait_ready(struct run *r)
{
	for (int waited = 0; waited < READY_TIMEOUT_MS; waited += 10) {
		char *err = read_file(r->err_path);
		bool ready = strstr(err, "pvmtrace: tracing") != NULL;

		free(err);
		if (ready)
			return true;
		if (waitpid(r->pvmtrace, &r->status, WNOHANG) == r->pvmtrace) {
			r->reaped = true; /* its pid is no longer ours to signal */
			return false;
		}
		sleep_ms(10);
	}
	return false;
}

/* Waits for pid with a deadline; kills it past the deadline. Returns status. */
static int wait_bounded(pid_t pid, int timeout_ms)
{
	int status = -1;

	for (int waited = 0; waited < timeout_ms; waited += 10) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		sleep_ms(10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/* SIGINT, then its exit status (-1: it had to be killed). */
static int stop_pvmtrace(struct run *r)
{
	if (r->reaped)
		return r->status;
	kill(r->pvmtrace, SIGINT);
	return wait_bounded(r->pvmtrace, CASE_TIMEOUT_MS);
}

/* --- comparing the output ------------------------------------------------- */

static bool is_case_caller(const struct e2e_shared *sh, uint64_t pid)
{
	for (unsigned int i = 0; i < sh->n_callers; i++)
		if ((uint64_t)sh->callers[i] == pid)
			return true;
	return false;
}

static bool mode_sees_ia32(const char *mode)
{
	return strcmp(mode, "tracepoint") != 0;
}

static void check_line_is_safe(struct check *c, const char *line, unsigned int lineno)
{
	for (const unsigned char *p = (const unsigned char *)line; *p; p++)
		if (*p < 0x20 || *p > 0x7e) {
			failf(c, "output line %u holds raw byte 0x%02x", lineno, *p);
			return;
		}
}

/*
 * What became of the payloads: the expected events' outcomes (a
 * --capture-dir case traces only its caller, so they are all there is),
 * and no chunk lost on the way. Without --capture-dir, all zero.
 */
static void check_store_counters(struct check *c, json_object *counters,
				 const struct e2e_shared *sh,
				 const struct e2e_expected *const *want, unsigned int expected)
{
	uint64_t stored = 0, existing = 0, not_stored = 0;

	for (unsigned int i = 0; sh->capture_dir && i < expected; i++) {
		const char *outcome = want[i]->store.outcome;

		if (!strcmp(outcome, "new"))
			stored++;
		else if (!strcmp(outcome, "existing"))
			existing++;
		else if (strcmp(outcome, "empty"))
			not_stored++;
	}
	expect_uint(c, counters, "payloads_stored", stored);
	expect_uint(c, counters, "payloads_existing", existing);
	expect_uint(c, counters, "payloads_not_stored", not_stored);
	expect_uint(c, counters, "chunks_lost", 0);
	expect_uint(c, counters, "chunks_dropped", 0);
	expect_uint(c, counters, "chunk_orphans", 0);
}

/*
 * Every run: the stream is whole (each record the kernel wrote was decoded
 * and printed). Cases that trace only their own caller (-p) also pin every
 * kernel counter; other processes on the machine could move those otherwise.
 */
static void check_stats(struct check *c, json_object *stats, unsigned int events_seen,
			const struct e2e_case *tc, const struct e2e_shared *sh,
			const struct e2e_expected *const *want, unsigned int expected)
{
	json_object *counters = field(stats, "counters");

	if (!counters) {
		failf(c, "no final stats record");
		return;
	}
	/* events under --min-severity are received, and judged, but not written */
	expect_uint(c, counters, "events", events_seen + sh->n_hidden);
	expect_uint(c, counters, "received", events_seen + sh->n_hidden);
	expect_uint(c, counters, "decode_errors", 0);
	check_store_counters(c, counters, sh, want, expected);
	if (!tc->check_counters)
		return;
	expect_uint(c, counters, "calls", expected + sh->n_hidden);
	expect_uint(c, counters, "ringbuf_drops", 0);
	expect_uint(c, counters, "inflight_drops", 0);
	expect_uint(c, counters, "unmatched_enter", 0);
	expect_uint(c, counters, "unmatched_exit", 0);
	expect_uint(c, counters, "unfinished", 0);
}

/* --- every record against docs/pvmtrace.schema.json ------------------------- */

#define SCHEMA "docs/pvmtrace.schema.json"
#define VALIDATOR "tests/e2e/validate_records.py"
#define PYTHON "/usr/bin/python3" /* Debian's, which python3-jsonschema is for */
#define SCHEMA_LABEL "schema/every_record_of_every_case_meets_" SCHEMA

static char records_path[64]; /* every case's output, one after the other */

static void keep_records(const char *out_path)
{
	char buf[65536];
	FILE *in = fopen(out_path, "r"), *out = fopen(records_path, "a");
	size_t n;

	while (in && out && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	if (in)
		fclose(in);
	if (out)
		fclose(out);
}

/* Why the records cannot be validated here (the qemu guests have no Python); NULL: they can. */
static const char *validator_missing(void)
{
	if (access(SCHEMA, R_OK) || access(VALIDATOR, R_OK))
		return "no " SCHEMA " or " VALIDATOR " in the current directory";
	if (system(PYTHON " -c 'import jsonschema' >/dev/null 2>&1"))
		return "no " PYTHON " with jsonschema (Debian package python3-jsonschema)";
	return NULL;
}

static void check_records_against_schema(struct e2e_tally *res)
{
	const char *missing = validator_missing();
	char cmd[256];
	bool ok;

	if (missing) {
		printf("skip - " SCHEMA_LABEL ": %s\n", missing);
		res->skipped++;
	} else {
		snprintf(cmd, sizeof(cmd), PYTHON " " VALIDATOR " " SCHEMA " %s", records_path);
		fflush(NULL);
		ok = system(cmd) == 0;
		printf("%s - " SCHEMA_LABEL "\n", ok ? "ok" : "not ok");
		*(ok ? &res->passed : &res->failed) += 1;
	}
	unlink(records_path);
}

/* --- every record's envelope --------------------------------------------- */

static const char *case_arg(const struct e2e_case *tc, const char *option);

/* What the envelope of this host's records must say, found once, before the cases. */
static struct {
	char host_name[256];
	char boot_id[64];
	char version[64];
} expected_envelope;

/* The last word of the first line of `cmd`'s output: "pvmtrace 0.3.0" gives "0.3.0". */
static void last_word_of(const char *cmd, char *out, size_t len)
{
	char line[128] = "";
	FILE *p = popen(cmd, "r");

	if (p && fgets(line, sizeof(line), p))
		line[strcspn(line, "\n")] = '\0';
	if (p)
		pclose(p);
	snprintf(out, len, "%s", strrchr(line, ' ') ? strrchr(line, ' ') + 1 : line);
}

static void find_expected_envelope(const char *pvmtrace)
{
	char cmd[300];

	gethostname(expected_envelope.host_name, sizeof(expected_envelope.host_name) - 1);
	e2e_slurp("/proc/sys/kernel/random/boot_id", expected_envelope.boot_id,
		  sizeof(expected_envelope.boot_id));
	expected_envelope.boot_id[strcspn(expected_envelope.boot_id, "\n")] = '\0';
	snprintf(cmd, sizeof(cmd), "'%s' --version", pvmtrace);
	last_word_of(cmd, expected_envelope.version, sizeof(expected_envelope.version));
}

/* The record on line `lineno` of a run's file: its kind, its number, this host, the sensor. */
static void check_envelope(struct check *c, json_object *record, unsigned int lineno,
			   bool is_stats, const struct e2e_case *tc)
{
	const char *given_name = case_arg(tc, "--hostname");
	json_object *host = field(record, "host");

	expect_string(c, record, "schema", is_stats ? "pvmtrace.stats/1" : "pvmtrace.event/1");
	expect_uint(c, record, "seq", lineno);
	expect_string(c, host, "name", given_name ? given_name : expected_envelope.host_name);
	expect_string(c, host, "boot_id", expected_envelope.boot_id);
	expect_string(c, field(record, "sensor"), "version", expected_envelope.version);
}

/* entity_id as src/event/entity.h defines it, made here with the test's own SHA-256. */
static void expected_entity_id(uint64_t pid, uint64_t start_boot_ns, char out[33])
{
	uint64_t tick_ns = 1000000000ULL / (uint64_t)sysconf(_SC_CLK_TCK);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	char text[128];
	int len = snprintf(text, sizeof(text), "%s:%" PRIu64 ":%" PRIu64, expected_envelope.boot_id,
			   pid, start_boot_ns / tick_ns);

	EVP_Digest(text, (size_t)len, md, &md_len, EVP_sha256(), NULL);
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* A caller's or target's entity_id: its boot, pid and start; none to check without a pid. */
static void check_entity_id(struct check *c, json_object *process)
{
	json_object *pid = field(process, "pid");
	char want[33];

	if (!pid)
		return; /* no target, or one left unresolved */
	expected_entity_id(json_object_get_uint64(pid),
			   json_object_get_uint64(field(process, "start_time")), want);
	expect_string(c, process, "entity_id", want);
}

static void compare_output(struct check *c, const char *mode, const struct e2e_case *tc,
			   const struct e2e_shared *sh, const char *out_path)
{
	FILE *f = fopen(out_path, "r");
	char *line = NULL;
	size_t cap = 0;
	unsigned int lineno = 0, events_seen = 0, matched = 0, expected = 0;
	const struct e2e_expected *want[E2E_MAX_EVENTS];
	json_object *stats = NULL;

	for (unsigned int i = 0; i < sh->n_events; i++)
		if (!sh->events[i].ia32 || mode_sees_ia32(mode))
			want[expected++] = &sh->events[i];
	if (!f) {
		failf(c, "no output file");
		return;
	}
	while (getline(&line, &cap, f) > 0) {
		json_object *obj = json_tokener_parse(line);
		json_object *caller;
		const char *kind;

		lineno++;
		check_line_is_safe(c, strtok(line, "\n") ? line : "", lineno);
		if (!obj) {
			failf(c, "output line %u is not JSON", lineno);
			continue;
		}
		kind = field(obj, "event") ? json_object_get_string(field(obj, "event")) : "";
		check_envelope(c, obj, lineno, !strcmp(kind, "stats"), tc);
		if (!strcmp(kind, "stats")) {
			json_object_put(stats);
			stats = obj;
			continue;
		}
		events_seen++;
		caller = field(obj, "caller");
		check_entity_id(c, caller);
		check_entity_id(c, field(obj, "target"));
		if (caller && is_case_caller(sh, json_object_get_uint64(field(caller, "pid")))) {
			if (matched < expected)
				check_event(c, obj, want[matched], sh);
			matched++;
		}
		json_object_put(obj);
	}
	free(line);
	fclose(f);
	if (matched != expected)
		failf(c, "%u events from the case's processes, want %u", matched, expected);
	check_stats(c, stats, events_seen, tc, sh, want, expected);
	json_object_put(stats);
}

/* --- replay: the recorded events, judged again, get the same alerts ------ */

struct event_list {
	json_object **ev;
	unsigned int n, cap;
	unsigned int not_json; /* lines that are not JSON */
};

/* The events of a file of JSON lines, in order: every line but the stats record. */
static void load_events(const char *path, struct event_list *l)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;

	memset(l, 0, sizeof(*l));
	while (f && getline(&line, &cap, f) > 0) {
		json_object *obj = json_tokener_parse(line);
		const char *kind = string_at(obj, "event");

		if (!obj || (kind && !strcmp(kind, "stats"))) {
			l->not_json += !obj;
			json_object_put(obj);
			continue;
		}
		if (l->n == l->cap) {
			l->cap = l->cap ? 2 * l->cap : 64;
			l->ev = realloc(l->ev, l->cap * sizeof(*l->ev));
		}
		l->ev[l->n++] = obj;
	}
	free(line);
	if (f)
		fclose(f);
}

static void free_events(struct event_list *l)
{
	for (unsigned int i = 0; i < l->n; i++)
		json_object_put(l->ev[i]);
	free(l->ev);
}

/*
 * `pvmtrace replay --json FILE` with the --config and the --min-severity of
 * the live run (`min_severity` instead, when set), as `uid` (0: root), its
 * output and errors to files. Its status.
 */
static int run_replay(const struct options *o, const struct e2e_case *tc,
		      const struct e2e_shared *sh, uid_t uid, const char *min_severity,
		      const char *file, const char *out, const char *err)
{
	char expanded[E2E_MAX_ARGS][300];
	char *argv[8 + E2E_MAX_ARGS];
	int argc = 0;
	pid_t pid;

	argv[argc++] = (char *)o->pvmtrace;
	argv[argc++] = "replay";
	argv[argc++] = "--json";
	for (int i = 0; i + 1 < E2E_MAX_ARGS && tc->args[i]; i++)
		if (!strcmp(tc->args[i], "--config") ||
		    (!strcmp(tc->args[i], "--min-severity") && !min_severity)) {
			expand_arg(tc->args[i + 1], sh, 0, expanded[i], sizeof(expanded[i]));
			argv[argc++] = (char *)tc->args[i];
			argv[argc++] = expanded[i];
		}
	if (min_severity) {
		argv[argc++] = "--min-severity";
		argv[argc++] = (char *)min_severity;
	}
	argv[argc++] = (char *)file;
	argv[argc] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (!freopen(out, "w", stdout) || !freopen(err, "w", stderr))
			_exit(126);
		if (uid && (setgroups(0, NULL) || setgid(uid) || setuid(uid)))
			_exit(126);
		execv(o->pvmtrace, argv);
		_exit(127);
	}
	return wait_bounded(pid, CASE_TIMEOUT_MS);
}

/* The first top-level key whose value differs between two events, or NULL. */
static const char *differing_key(json_object *a, json_object *b)
{
	json_object_object_foreach(a, key, value)
	{
		json_object *other;

		if (!has_field(b, key, &other) || !json_object_equal(value, other))
			return key;
	}
	json_object_object_foreach(b, key2, value2)
	{
		(void)value2;
		if (!has_field(a, key2, &value2))
			return key2;
	}
	return NULL;
}

/* Each replayed event is the live one, its alerts (recomputed) included. */
static void compare_replay(struct check *c, const char *who, const struct event_list *live,
			   const char *out_path)
{
	struct event_list again;

	load_events(out_path, &again);
	if (again.not_json)
		failf(c, "replay (%s): %u lines of its output are not JSON", who, again.not_json);
	if (again.n != live->n)
		failf(c, "replay (%s): %u events, the live run wrote %u", who, again.n, live->n);
	for (unsigned int i = 0; i < again.n && i < live->n; i++) {
		json_object *was = field(live->ev[i], "alerts"), *is = field(again.ev[i], "alerts");
		const char *key;

		if (!json_object_equal(was, is)) {
			failf(c, "replay (%s): event %u: alerts %s, live %s", who, i + 1,
			      is ? json_object_to_json_string(is) : "missing",
			      was ? json_object_to_json_string(was) : "missing");
			continue;
		}
		key = differing_key(live->ev[i], again.ev[i]);
		if (key)
			failf(c, "replay (%s): event %u: \"%s\" is not the recorded one", who, i + 1,
			      key);
	}
	free_events(&again);
}

/* 0 (info) to 4 (critical); -1 for none */
static int severity_rank(const char *name)
{
	static const char *const names[] = {"info", "low", "medium", "high", "critical"};

	for (int i = 0; name && i < 5; i++)
		if (!strcmp(name, names[i]))
			return i;
	return -1;
}

/* The events with an alert of `min` or above (references to them). */
static void events_at_least(const struct event_list *all, const char *min, struct event_list *out)
{
	memset(out, 0, sizeof(*out));
	out->ev = calloc(all->n ? all->n : 1, sizeof(*out->ev));
	for (unsigned int i = 0; i < all->n; i++) {
		json_object *alerts = field(all->ev[i], "alerts");
		int top = -1;

		for (size_t j = 0; alerts && j < json_object_array_length(alerts); j++) {
			int rank = severity_rank(string_at(json_object_array_get_idx(alerts, j),
							   "severity"));

			top = rank > top ? rank : top;
		}
		if (top >= severity_rank(min))
			out->ev[out->n++] = json_object_get(all->ev[i]);
	}
}

#define MALFORMED_LINE "{\"event\":\"process_vm_writev\",\"caller\":\n"

/* A copy anyone may read, with MALFORMED_LINE inserted as its line 2. */
static bool copy_with_malformed_line(const char *from, const char *to)
{
	FILE *in = fopen(from, "r"), *out = fopen(to, "w");
	char *line = NULL;
	size_t cap = 0;
	unsigned int lineno = 0;
	bool ok = in && out && !fchmod(fileno(out), 0644);

	while (ok && getline(&line, &cap, in) > 0) {
		ok = fputs(line, out) >= 0;
		if (++lineno == 1)
			ok = ok && fputs(MALFORMED_LINE, out) >= 0;
	}
	free(line);
	if (in)
		fclose(in);
	if (out && fclose(out))
		ok = false;
	return ok && lineno > 0;
}

/* The replay's exit status and what it said, on a failure. */
static void expect_replay_exit_0(struct check *c, const char *who, int status, const char *err)
{
	char *text;

	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	text = read_file(err);
	failf(c, "replay (%s): exit status %d: %s", who, status, text);
	free(text);
}

/*
 * `pvmtrace replay` of what the live run recorded: as root; as root with
 * --min-severity high (the live events with a high or critical alert); as
 * nobody on a copy with a malformed line, which it must report as FILE:2 and
 * skip.
 */
static void check_replay(struct check *c, const struct options *o, const struct e2e_case *tc,
			 const struct e2e_shared *sh, const char *recorded)
{
	char copy[64], out[64], err[64], where[128], *said;
	struct event_list live, high;

	snprintf(copy, sizeof(copy), "/tmp/pvmtrace-e2e-%d.replay.json", getpid());
	snprintf(out, sizeof(out), "/tmp/pvmtrace-e2e-%d.replay.out", getpid());
	snprintf(err, sizeof(err), "/tmp/pvmtrace-e2e-%d.replay.err", getpid());
	load_events(recorded, &live);
	expect_replay_exit_0(c, "root", run_replay(o, tc, sh, 0, NULL, recorded, out, err), err);
	compare_replay(c, "root", &live, out);
	events_at_least(&live, "high", &high);
	expect_replay_exit_0(c, "root, high",
			     run_replay(o, tc, sh, 0, "high", recorded, out, err), err);
	compare_replay(c, "root, high", &high, out);
	free_events(&high);
	if (!copy_with_malformed_line(recorded, copy)) {
		failf(c, "cannot copy %s to %s", recorded, copy);
	} else {
		expect_replay_exit_0(c, "nobody",
				     run_replay(o, tc, sh, NOBODY, NULL, copy, out, err), err);
		compare_replay(c, "nobody", &live, out);
		said = read_file(err);
		snprintf(where, sizeof(where), "pvmtrace: %s:2: ", copy);
		if (!strstr(said, where))
			failf(c, "replay (nobody): the malformed line is not reported as \"%s...\": %s",
			      where, said);
		free(said);
	}
	free_events(&live);
	unlink(copy);
	unlink(out);
	unlink(err);
}

/* --- one case in one mode ------------------------------------------------- */

static bool read_byte(int fd, int timeout_ms)
{
	int flags = fcntl(fd, F_GETFL);
	char c;

	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	for (int waited = 0; waited < timeout_ms; waited += 5) {
		if (read(fd, &c, 1) == 1)
			return true;
		sleep_ms(5);
	}
	return false;
}

static pid_t fork_caller(const struct e2e_case *tc, struct e2e_shared *sh,
			 const struct e2e_env *env, int prepared[2], int go[2])
{
	pid_t pid;
	char c;

	fflush(NULL);
	pid = fork();
	if (pid != 0)
		return pid;
	close(prepared[0]);
	close(go[1]);
	e2e_add_caller(sh, getpid());
	if (tc->prepare)
		tc->prepare(sh);
	if (write(prepared[1], "p", 1) != 1 || read(go[0], &c, 1) != 1)
		_exit(2);
	tc->run(sh, env);
	/* the parent of the case's other callers: pvmtrace reads it for their ancestors */
	if (!e2e_events_written(sh, env->out_path, env->sees_ia32, WRITTEN_TIMEOUT_MS))
		e2e_fail(sh, "pvmtrace did not write the case's events within %d ms",
			 WRITTEN_TIMEOUT_MS);
	_exit(sh->failure[0] ? 1 : 0);
}

static void check_announcement(struct check *c, const char *mode, const char *err_path)
{
	bool kernel_serves_ia32 = !e2e_host_lacks(&host, E2E_NEED_INT80);
	char *err = read_file(err_path);
	char want[64];

	snprintf(want, sizeof(want), "pvmtrace: tracing (mode %s", mode);
	if (!strstr(err, want))
		failf(c, "startup line \"%s\" missing", want);
	if (!targets_in_kernel && !strstr(err, "targets from /proc"))
		failf(c, "the startup line does not say targets come from /proc");
	/* pvmtrace's own probe of the kernel must agree with ours */
	if (kernel_serves_ia32 == (strstr(err, "serves no ia32") != NULL))
		failf(c, "the startup line %s that this kernel serves no ia32 calls",
		      kernel_serves_ia32 ? "says, wrongly," : "does not say");
	if (kernel_serves_ia32 && !mode_sees_ia32(mode) && !strstr(err, "cannot see ia32"))
		failf(c, "tracepoint mode does not announce its ia32 blind spot");
	free(err);
}

/* The text a case passes for `option`, or NULL. */
static const char *case_arg(const struct e2e_case *tc, const char *option)
{
	for (int i = 0; i + 1 < E2E_MAX_ARGS && tc->args[i]; i++)
		if (!strcmp(tc->args[i], option))
			return tc->args[i + 1];
	return NULL;
}

/* Does the case pass `flag`? */
static bool case_has(const struct e2e_case *tc, const char *flag)
{
	for (int i = 0; i < E2E_MAX_ARGS && tc->args[i]; i++)
		if (!strcmp(tc->args[i], flag))
			return true;
	return false;
}

/* The value a case passes for `option`, or the default. */
static unsigned int case_option(const struct e2e_case *tc, const char *option, unsigned int dflt)
{
	const char *text = case_arg(tc, option);

	return text ? (unsigned int)strtoul(text, NULL, 10) : dflt;
}

/* A size a case passes for `option` (bytes, or with a K or M suffix), or dflt. */
static uint64_t case_size(const struct e2e_case *tc, const char *option, uint64_t dflt)
{
	const char *text = case_arg(tc, option);
	char *suffix;
	uint64_t n;

	if (!text)
		return dflt;
	n = strtoull(text, &suffix, 10);
	return n << (*suffix == 'K' ? 10 : *suffix == 'M' ? 20 : 0);
}

#define CAPTURE_MAX_DEFAULT (1ULL << 20)

/* One file of the capture directory: the payload whose digest names it, whole. */
static void check_stored_file(struct check *c, int dir, const char *name, uint64_t bytes,
			      const unsigned char *sha256)
{
	unsigned char digest[E2E_SHA256_LEN];
	int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW);
	unsigned char *content = NULL;
	struct stat st;

	if (fd < 0 || fstat(fd, &st)) {
		failf(c, "capture dir: %s: %s", name, strerror(errno));
	} else if (!S_ISREG(st.st_mode) || (st.st_mode & 07777) != 0600 || st.st_uid != 0 ||
		   (uint64_t)st.st_size != bytes) {
		failf(c, "capture dir: %s is mode %o uid %u, %lld bytes; want a regular file 0600 "
			 "of root, %" PRIu64 " bytes",
		      name, (unsigned int)st.st_mode, (unsigned int)st.st_uid, (long long)st.st_size,
		      bytes);
	} else if (!(content = malloc(bytes ? bytes : 1)) ||
		   read(fd, content, bytes) != (ssize_t)bytes) {
		failf(c, "capture dir: cannot read %s", name);
	} else {
		EVP_Digest(content, bytes, digest, NULL, EVP_sha256(), NULL);
		if (memcmp(digest, sha256, sizeof(digest)))
			failf(c, "capture dir: %s does not hold the payload it names", name);
	}
	free(content);
	if (fd >= 0)
		close(fd);
}

/*
 * Once pvmtrace has stopped: the directory holds each distinct payload the
 * case stored, once, under its digest, and nothing else (no temporary file).
 */
static void check_capture_dir(struct check *c, const struct e2e_shared *sh)
{
	bool seen[E2E_MAX_STORED] = {0};
	DIR *d = opendir(sh->path);
	struct dirent *e;

	if (!d) {
		failf(c, "capture dir %s: %s", sh->path, strerror(errno));
		return;
	}
	while ((e = readdir(d))) {
		char name[E2E_STORED_NAME_LEN];
		uint32_t i;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		for (i = 0; i < sh->n_stored; i++) {
			e2e_stored_name(sh->stored[i].sha256, name);
			if (!strcmp(name, e->d_name))
				break;
		}
		if (i == sh->n_stored) {
			failf(c, "capture dir: unexpected file %s", e->d_name);
			continue;
		}
		seen[i] = true;
		check_stored_file(c, dirfd(d), e->d_name, sh->stored[i].bytes, sh->stored[i].sha256);
	}
	closedir(d);
	for (uint32_t i = 0; i < sh->n_stored; i++)
		if (!seen[i])
			failf(c, "capture dir: stored payload %u (%" PRIu64 " bytes) has no file", i,
			      sh->stored[i].bytes);
}

/*
 * --enforce kills every writer the filters select: a case may enforce only
 * on one process of its own (-p), or on the spare uid its processes take
 * (-u); never on the runner, never machine-wide.
 */
static bool enforcement_confined(const struct e2e_case *tc, const struct e2e_shared *sh,
				 pid_t caller)
{
	const char *pid = case_arg(tc, "-p"), *uid = case_arg(tc, "-u");
	char expanded[32];
	long n;

	if (!case_has(tc, "--enforce") && !case_has(tc, "--enforce=critical"))
		return true;
	if (!pid)
		return uid && !strcmp(uid, E2E_SPARE_UID_TEXT);
	expand_arg(pid, sh, caller, expanded, sizeof(expanded));
	n = strtol(expanded, NULL, 10);
	return n > 1 && n != getpid() && n != getppid();
}

/* --enforce=critical where targets come from /proc: exit 5, and why. */
static void expect_refusal(struct check *c, struct run *r)
{
	static const char why[] = "--enforce=critical needs targets resolved in the kernel";
	char *err;

	if (wait_ready(r)) {
		failf(c, "pvmtrace started; want it to refuse: %s", why);
		stop_pvmtrace(r);
		return;
	}
	if (!r->reaped) {
		failf(c, "pvmtrace neither started nor exited");
		kill(r->pvmtrace, SIGKILL);
		waitpid(r->pvmtrace, NULL, 0);
		return;
	}
	err = read_file(r->err_path);
	if (!WIFEXITED(r->status) || WEXITSTATUS(r->status) != 5 || !strstr(err, why))
		failf(c, "pvmtrace exit status %d, said \"%s\"; want exit 5 and \"%s\"", r->status,
		      err, why);
	free(err);
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (now.tv_nsec - start->tv_nsec) / 1e9;
}

static void report(const struct check *c, const struct run *r, struct e2e_tally *res)
{
	double took = seconds_since(&c->started);

	if (c->failures) {
		res->failed++;
		printf("not ok - %s # %.1f s\n", c->label, took);
	} else {
		res->passed++;
		printf("ok - %s # %.1f s\n", c->label, took);
		unlink(r->out_path);
		unlink(r->err_path);
	}
	fflush(stdout);
}

static void run_case(const struct options *o, const char *mode, const struct e2e_case *tc,
		     struct e2e_shared *sh, struct e2e_tally *res)
{
	char label[400];
	struct check c = {label, 0, {0, 0}};
	struct run r = {0};
	struct e2e_env env = {
		.trigger32 = o->trigger32,
		.trigger64 = o->trigger64,
		.out_path = r.out_path,
		.sees_ia32 = mode_sees_ia32(mode),
		.targets_in_kernel = targets_in_kernel,
		.ia32_programs = !e2e_host_lacks(&host, E2E_NEED_IA32),
	};
	int prepared[2], go[2], status;
	bool failed_before_cleanup, refused = case_has(tc, "--enforce=critical") && !targets_in_kernel;
	unsigned int without = e2e_host_lacks(&host, tc->partly_needs);
	pid_t caller;

	clock_gettime(CLOCK_MONOTONIC, &c.started);
	snprintf(label, sizeof(label), "%s/%s", mode, tc->name);
	if (e2e_host_skips(&host, tc->needs, label, res))
		return;
	if (refused)
		snprintf(label, sizeof(label), "%s/%s (refused: targets from /proc)", mode,
			 tc->name);
	else if (without)
		snprintf(label, sizeof(label), "%s/%s (in part, without %s: %s)", mode, tc->name,
			 e2e_need_name(without), e2e_host_why(&host, without));
	snprintf(r.out_path, sizeof(r.out_path), "/tmp/pvmtrace-e2e-%d.json", getpid());
	snprintf(r.err_path, sizeof(r.err_path), "/tmp/pvmtrace-e2e-%d.err", getpid());
	e2e_shared_reset(sh, case_option(tc, "--max-iov", 64), case_option(tc, "--capture", 64));
	sh->capture_dir = case_arg(tc, "--capture-dir") != NULL;
	sh->capture_max = case_size(tc, "--capture-max", CAPTURE_MAX_DEFAULT);
	/* its store counters are exact only when nobody else's payloads are stored */
	if (sh->capture_dir && !tc->check_counters)
		failf(&c, "a --capture-dir case must trace only its caller (-p {caller})");
	if (pipe(prepared) || pipe(go)) {
		perror("pipe");
		exit(1);
	}
	caller = fork_caller(tc, sh, &env, prepared, go);
	close(prepared[1]);
	close(go[0]);
	if (!read_byte(prepared[0], CASE_TIMEOUT_MS))
		failf(&c, "caller did not get ready");
	if (!enforcement_confined(tc, sh, caller)) {
		failf(&c, "an --enforce case must name one helper process of its own with -p");
		close(go[1]);
		wait_bounded(caller, CASE_TIMEOUT_MS);
		report(&c, &r, res);
		return;
	}
	r.pvmtrace = spawn_pvmtrace(o, mode, tc, sh, caller, &r);
	if (refused) {
		expect_refusal(&c, &r);
		close(go[1]); /* the caller ends without a call */
		wait_bounded(caller, CASE_TIMEOUT_MS);
		if (tc->cleanup)
			tc->cleanup(sh);
		close(prepared[0]);
		report(&c, &r, res);
		return;
	}
	if (!wait_ready(&r)) {
		char *err = read_file(r.err_path);

		failf(&c, "pvmtrace did not start: %s", err);
		free(err);
		if (!r.reaped)
			kill(r.pvmtrace, SIGKILL);
	}
	if (write(go[1], "g", 1) != 1)
		failf(&c, "cannot start the caller");
	if (wait_bounded(caller, CASE_TIMEOUT_MS) != 0)
		failf(&c, "caller failed: %s", sh->failure[0] ? sh->failure : "timeout or crash");
	status = stop_pvmtrace(&r);
	if (sh->capture_dir)
		check_capture_dir(&c, sh);
	check_replay(&c, o, tc, sh, r.out_path); /* with the case's config, before cleanup */
	failed_before_cleanup = sh->failure[0] != 0;
	if (tc->cleanup)
		tc->cleanup(sh);
	if (!failed_before_cleanup && sh->failure[0])
		failf(&c, "after pvmtrace stopped: %s", sh->failure);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		failf(&c, "pvmtrace exit status %d, want 0", status);
	check_announcement(&c, mode, r.err_path);
	compare_output(&c, mode, tc, sh, r.out_path);
	keep_records(r.out_path);
	close(prepared[0]);
	close(go[1]);
	report(&c, &r, res);
}

/* Modes `pvmtrace --list-modes` says work here. */
static bool mode_supported(const struct options *o, const char *mode)
{
	char cmd[512], line[256];
	bool yes = false;
	FILE *p;

	targets_in_kernel = false;
	snprintf(cmd, sizeof(cmd), "%s --list-modes 2>/dev/null", o->pvmtrace);
	p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p)) {
		char name[32], answer[8];

		if (sscanf(line, "%31s %7s", name, answer) == 2 && !strcmp(name, mode) &&
		    !strcmp(answer, "yes")) {
			yes = true;
			targets_in_kernel = strstr(line, "resolved in the kernel") != NULL;
			targets_in_kernel_any_pidns =
				targets_in_kernel && !strstr(line, "initial pid namespace");
		}
	}
	if (p)
		pclose(p);
	return yes;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--pvmtrace"))
			o->pvmtrace = argv[i + 1];
		else if (!strcmp(argv[i], "--trigger32"))
			o->trigger32 = argv[i + 1];
		else if (!strcmp(argv[i], "--trigger64"))
			o->trigger64 = argv[i + 1];
		else if (!strcmp(argv[i], "--mode"))
			o->only_mode = argv[i + 1];
		else if (!strcmp(argv[i], "--case"))
			o->only_case = argv[i + 1];
		else if (!strcmp(argv[i], "--require"))
			o->required = argv[i + 1];
		else if (!strcmp(argv[i], "--expect-auto"))
			o->expect_auto = argv[i + 1];
		else if (!strcmp(argv[i], "--all-cases-in"))
			o->all_cases_in = argv[i + 1];
	}
	if (!o->pvmtrace || !o->trigger32 || !o->trigger64) {
		fprintf(stderr, "usage: e2e-tests --pvmtrace PATH --trigger32 PATH --trigger64 PATH "
				"[--mode MODE] [--case NAME] [--require MODE|NEED,...] "
				"[--expect-auto MODE] [--all-cases-in MODE,...]\n");
		exit(2);
	}
}

/* Does the comma-separated list name `word`? */
static bool listed(const char *list, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = list; p && *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] != 0))
		if (strcspn(p, ",") == len && !strncmp(p, word, len))
			return true;
	return false;
}

static void probe_host(const struct options *o)
{
	e2e_host_probe(&host, o->trigger32);
	for (unsigned int need = 1; need < 1u << E2E_NEED_COUNT; need <<= 1)
		if (listed(o->required, e2e_need_name(need)))
			host.required |= need;
	e2e_host_print(&host);
}

/* `--attach auto` must name the expected mode in its startup line. */
static void check_auto_choice(const struct options *o, const struct e2e_shared *sh,
			      struct e2e_tally *res)
{
	static const struct e2e_case no_args = {.name = "auto"};
	struct run r = {0};
	char want[64], *err;
	bool seen;

	snprintf(r.out_path, sizeof(r.out_path), "/tmp/pvmtrace-e2e-%d.json", getpid());
	snprintf(r.err_path, sizeof(r.err_path), "/tmp/pvmtrace-e2e-%d.err", getpid());
	r.pvmtrace = spawn_pvmtrace(o, "auto", &no_args, sh, 0, &r);
	wait_ready(&r);
	stop_pvmtrace(&r);
	snprintf(want, sizeof(want), "pvmtrace: tracing (mode %s", o->expect_auto);
	err = read_file(r.err_path);
	/* the mode name whole: followed by ')' or by "; ..." */
	seen = strstr(err, want) && strchr(");", strstr(err, want)[strlen(want)]);
	if (!seen)
		fprintf(stderr, "  FAIL auto: want \"%s\", pvmtrace said:\n%s", want, err);
	free(err);
	unlink(r.out_path);
	unlink(r.err_path);
	printf("%s - auto picks %s\n", seen ? "ok" : "not ok", o->expect_auto);
	*(seen ? &res->passed : &res->failed) += 1;
}

static void run_mode(const struct options *o, const char *mode, struct e2e_shared *sh,
		     struct e2e_tally *res)
{
	unsigned int failed_before = res->failed, ran = 0;
	bool all_cases = !o->all_cases_in || listed(o->all_cases_in, mode);
	struct timespec started;

	if (!mode_supported(o, mode)) {
		bool required = listed(o->required, mode);

		printf("%s - %s: not supported by this kernel%s\n", required ? "not ok" : "skip",
		       mode, required ? ", but required" : "");
		printf("MODE %s unsupported\n", mode);
		if (required)
			res->failed++;
		else
			res->skipped += e2e_case_count;
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &started);
	for (unsigned int i = 0; i < e2e_case_count; i++) {
		const struct e2e_case *tc = &e2e_cases[i];

		if (o->only_case && strcmp(o->only_case, tc->name))
			continue;
		if (all_cases || tc->every_mode) {
			run_case(o, mode, tc, sh, res);
			ran++;
		}
	}
	printf("# mode %s: %u cases in %.0f s%s%s\n", mode, ran, seconds_since(&started),
	       all_cases ? "" : "; the others, which do not depend on the mode, ran in ",
	       all_cases ? "" : o->all_cases_in);
	printf("MODE %s %s\n", mode, res->failed == failed_before ? "pass" : "fail");
}

int main(int argc, char **argv)
{
	struct options o = {0};
	struct e2e_tally res = {0};
	struct e2e_shared *sh;

	parse_options(argc, argv, &o);
	if (geteuid() != 0) {
		fprintf(stderr, "e2e-tests: must run as root\n");
		return 2;
	}
	sh = e2e_shared_create();
	probe_host(&o);
	find_expected_envelope(o.pvmtrace);
	if (!o.only_mode && !o.only_case)
		e2e_cli_checks(o.pvmtrace, &host, &res);
	if (o.expect_auto)
		check_auto_choice(&o, sh, &res);
	snprintf(records_path, sizeof(records_path), "/tmp/pvmtrace-e2e-records-%d.jsonl",
		 (int)getpid());
	unlink(records_path);
	for (size_t m = 0; m < sizeof(all_modes) / sizeof(all_modes[0]); m++)
		if (!o.only_mode || !strcmp(o.only_mode, all_modes[m]))
			run_mode(&o, all_modes[m], sh, &res);
	check_records_against_schema(&res);
	printf("e2e: %u passed, %u failed, %u skipped\n", res.passed, res.failed, res.skipped);
	return res.failed ? 1 : 0;
}
