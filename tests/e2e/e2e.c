// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The end-to-end runner, as root against the running kernel. For every
 * attach mode the kernel supports and every case: fork the case's caller,
 * start pvmtrace (--json -o FILE --attach MODE ...), wait for its "tracing"
 * line, let the caller make its calls, stop pvmtrace with SIGINT, and compare
 * every field of every event of the case's processes with what the caller
 * recorded, plus the final counters.
 *
 * Usage: e2e-tests --pvmtrace PATH --trigger32 PATH [--mode M] [--case NAME]
 *                  [--require MODE,...] [--expect-auto MODE]
 * --require: fail when one of these modes is unsupported here.
 * --expect-auto: fail unless `--attach auto` picks this mode.
 * One "MODE <name> pass|fail|unsupported" line per mode, for tests/vm.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cases.h"
#include "cli.h"
#include "trigger.h"

#define READY_TIMEOUT_MS 30000
#define CASE_TIMEOUT_MS 60000
#define CLOCK_SLACK_NS 2000000ULL /* boot->wall offset is estimated at start */

/*
 * Does the mode under test resolve targets in the kernel (--list-modes says)?
 * For callers in child pid namespaces too (bpf_task_from_vpid)?
 */
static bool targets_in_kernel, targets_in_kernel_any_pidns;

static const char *const all_modes[] = {"fentry", "kprobe", "tp_btf", "raw_tp", "tracepoint"};

struct options {
	const char *pvmtrace;
	const char *trigger32;
	const char *only_mode;
	const char *only_case;
	const char *required;	 /* comma-separated modes */
	const char *expect_auto;
};

struct result {
	unsigned int passed, failed, skipped;
};

/* Collects the mismatches of one case. */
struct check {
	const char *label;
	unsigned int failures;
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
		failf(c, "%s: missing or not a string (want \"%s\")", key, want);
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
	if (!strcmp(source, "unresolved"))
		return;
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

static void check_payload(struct check *c, json_object *event, const struct e2e_expected *ev,
			  const struct e2e_shared *sh)
{
	const unsigned char *bytes = sh->data_pool + ev->data.first;
	static char hex[2 * E2E_DATA_POOL + 1];
	unsigned char digest[32];
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
	EVP_Digest(bytes, ev->data.len, digest, NULL, EVP_sha256(), NULL);
	hex_of(digest, sizeof(digest), hex);
	expect_string(c, data, "sha256", hex);
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
	if (!strcmp(source, "unresolved"))
		return; /* from /proc, for a target gone before user space looked */
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
	if (!strcmp(source, "kernel"))
		expect_uint(c, t, "cgroup_id", ev->target.cgroup_id);
	else
		expect_null(c, t, "cgroup_id");
	check_start_time(c, t, source, ev->target.start_ticks);
	expect_bool(c, t, "same_process", ev->target.same_process);
	expect_bool(c, t, "child", ev->target.child);
	expect_bool(c, t, "parent", ev->target.parent);
	expect_bool(c, t, "same_uid", ev->target.same_uid);
	expect_bool(c, t, "same_pidns", ev->target.same_pidns);
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
	check_payload(c, event, ev, sh);
}

/* --- running pvmtrace ---------------------------------------------------- */

struct run {
	pid_t pvmtrace;
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

static bool wait_ready(const struct run *r)
{
	for (int waited = 0; waited < READY_TIMEOUT_MS; waited += 10) {
		char *err = read_file(r->err_path);
		bool ready = strstr(err, "pvmtrace: tracing") != NULL;

		free(err);
		if (ready)
			return true;
		if (waitpid(r->pvmtrace, NULL, WNOHANG) == r->pvmtrace)
			return false;
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
 * Every run: the stream is whole (each record the kernel wrote was decoded
 * and printed). Cases that trace only their own caller (-p) also pin every
 * kernel counter; other processes on the machine could move those otherwise.
 */
static void check_stats(struct check *c, json_object *stats, unsigned int events_seen,
			const struct e2e_case *tc, unsigned int expected)
{
	json_object *counters = field(stats, "counters");

	if (!counters) {
		failf(c, "no final stats record");
		return;
	}
	expect_uint(c, counters, "events", events_seen);
	expect_uint(c, counters, "received", events_seen);
	expect_uint(c, counters, "decode_errors", 0);
	if (!tc->check_counters)
		return;
	expect_uint(c, counters, "calls", expected);
	expect_uint(c, counters, "ringbuf_drops", 0);
	expect_uint(c, counters, "inflight_drops", 0);
	expect_uint(c, counters, "unmatched_enter", 0);
	expect_uint(c, counters, "unmatched_exit", 0);
	expect_uint(c, counters, "unfinished", 0);
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
		if (!strcmp(kind, "stats")) {
			json_object_put(stats);
			stats = obj;
			continue;
		}
		events_seen++;
		caller = field(obj, "caller");
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
	check_stats(c, stats, events_seen, tc, expected);
	json_object_put(stats);
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
	_exit(sh->failure[0] ? 1 : 0);
}

static void check_announcement(struct check *c, const char *mode, const char *err_path)
{
	char *err = read_file(err_path);
	char want[64];

	snprintf(want, sizeof(want), "pvmtrace: tracing (mode %s", mode);
	if (!strstr(err, want))
		failf(c, "startup line \"%s\" missing", want);
	if (!targets_in_kernel && !strstr(err, "targets from /proc"))
		failf(c, "the startup line does not say targets come from /proc");
	if (!mode_sees_ia32(mode) && !strstr(err, "cannot see ia32"))
		failf(c, "tracepoint mode does not announce its ia32 blind spot");
	free(err);
}

/* The value a case passes for `option`, or the default. */
static unsigned int case_option(const struct e2e_case *tc, const char *option, unsigned int dflt)
{
	for (int i = 0; i + 1 < E2E_MAX_ARGS && tc->args[i]; i++)
		if (!strcmp(tc->args[i], option))
			return (unsigned int)strtoul(tc->args[i + 1], NULL, 10);
	return dflt;
}

static void run_case(const struct options *o, const char *mode, const struct e2e_case *tc,
		     struct e2e_shared *sh, struct result *res)
{
	char label[128];
	struct check c = {label, 0};
	struct e2e_env env = {o->trigger32};
	struct run r = {0};
	int prepared[2], go[2], status;
	pid_t caller;

	snprintf(label, sizeof(label), "%s/%s", mode, tc->name);
	snprintf(r.out_path, sizeof(r.out_path), "/tmp/pvmtrace-e2e-%d.json", getpid());
	snprintf(r.err_path, sizeof(r.err_path), "/tmp/pvmtrace-e2e-%d.err", getpid());
	e2e_shared_reset(sh, case_option(tc, "--max-iov", 64), case_option(tc, "--capture", 64));
	if (pipe(prepared) || pipe(go)) {
		perror("pipe");
		exit(1);
	}
	caller = fork_caller(tc, sh, &env, prepared, go);
	close(prepared[1]);
	close(go[0]);
	if (!read_byte(prepared[0], CASE_TIMEOUT_MS))
		failf(&c, "caller did not get ready");
	r.pvmtrace = spawn_pvmtrace(o, mode, tc, sh, caller, &r);
	if (!wait_ready(&r)) {
		char *err = read_file(r.err_path);

		failf(&c, "pvmtrace did not start: %s", err);
		free(err);
		kill(r.pvmtrace, SIGKILL);
	}
	if (write(go[1], "g", 1) != 1)
		failf(&c, "cannot start the caller");
	if (wait_bounded(caller, CASE_TIMEOUT_MS) != 0)
		failf(&c, "caller failed: %s", sh->failure[0] ? sh->failure : "timeout or crash");
	kill(r.pvmtrace, SIGINT);
	status = wait_bounded(r.pvmtrace, CASE_TIMEOUT_MS);
	if (tc->cleanup)
		tc->cleanup(sh);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		failf(&c, "pvmtrace exit status %d, want 0", status);
	check_announcement(&c, mode, r.err_path);
	compare_output(&c, mode, tc, sh, r.out_path);
	close(prepared[0]);
	close(go[1]);

	if (c.failures) {
		res->failed++;
		printf("not ok - %s\n", label);
	} else {
		res->passed++;
		printf("ok - %s\n", label);
		unlink(r.out_path);
		unlink(r.err_path);
	}
	fflush(stdout);
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
		else if (!strcmp(argv[i], "--mode"))
			o->only_mode = argv[i + 1];
		else if (!strcmp(argv[i], "--case"))
			o->only_case = argv[i + 1];
		else if (!strcmp(argv[i], "--require"))
			o->required = argv[i + 1];
		else if (!strcmp(argv[i], "--expect-auto"))
			o->expect_auto = argv[i + 1];
	}
	if (!o->pvmtrace || !o->trigger32) {
		fprintf(stderr, "usage: e2e-tests --pvmtrace PATH --trigger32 PATH [--mode MODE] "
				"[--case NAME] [--require MODE,...] [--expect-auto MODE]\n");
		exit(2);
	}
}

static bool mode_required(const struct options *o, const char *mode)
{
	size_t len = strlen(mode);

	for (const char *p = o->required; p && *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] != 0))
		if (strcspn(p, ",") == len && !strncmp(p, mode, len))
			return true;
	return false;
}

/* `--attach auto` must name the expected mode in its startup line. */
static void check_auto_choice(const struct options *o, const struct e2e_shared *sh,
			      struct result *res)
{
	static const struct e2e_case no_args = {.name = "auto"};
	struct run r = {0};
	char want[64], *err;
	bool seen;

	snprintf(r.out_path, sizeof(r.out_path), "/tmp/pvmtrace-e2e-%d.json", getpid());
	snprintf(r.err_path, sizeof(r.err_path), "/tmp/pvmtrace-e2e-%d.err", getpid());
	r.pvmtrace = spawn_pvmtrace(o, "auto", &no_args, sh, 0, &r);
	wait_ready(&r);
	kill(r.pvmtrace, SIGINT);
	wait_bounded(r.pvmtrace, CASE_TIMEOUT_MS);
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
		     struct result *res)
{
	unsigned int failed_before = res->failed;

	if (!mode_supported(o, mode)) {
		bool required = mode_required(o, mode);

		printf("%s - %s: not supported by this kernel%s\n", required ? "not ok" : "skip",
		       mode, required ? ", but required" : "");
		printf("MODE %s unsupported\n", mode);
		if (required)
			res->failed++;
		else
			res->skipped += e2e_case_count;
		return;
	}
	for (unsigned int i = 0; i < e2e_case_count; i++)
		if (!o->only_case || !strcmp(o->only_case, e2e_cases[i].name))
			run_case(o, mode, &e2e_cases[i], sh, res);
	printf("MODE %s %s\n", mode, res->failed == failed_before ? "pass" : "fail");
}

int main(int argc, char **argv)
{
	struct options o = {0};
	struct result res = {0};
	struct e2e_shared *sh;

	parse_options(argc, argv, &o);
	if (geteuid() != 0) {
		fprintf(stderr, "e2e-tests: must run as root\n");
		return 2;
	}
	sh = e2e_shared_create();
	if (!o.only_mode && !o.only_case)
		e2e_cli_checks(o.pvmtrace, &res.passed, &res.failed);
	if (o.expect_auto)
		check_auto_choice(&o, sh, &res);
	for (size_t m = 0; m < sizeof(all_modes) / sizeof(all_modes[0]); m++)
		if (!o.only_mode || !strcmp(o.only_mode, all_modes[m]))
			run_mode(&o, all_modes[m], sh, &res);
	printf("e2e: %u passed, %u failed, %u skipped\n", res.passed, res.failed, res.skipped);
	return res.failed ? 1 : 0;
}
