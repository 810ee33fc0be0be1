// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * --format ocsf on the live sensor: this process writes known bytes into a
 * child of its own and reads them back; each line pvmtrace writes of it must
 * say so in OCSF's terms (docs/ocsf.md).
 */
#include "ocsf.h"

#include "cli.h"
#include "trigger.h"

#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <json-c/json_pointer.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define WAIT_MS 30000
#define MAX_LINES 64
#define CALLS 2 /* the write, then the read */
#define CLOCK_SLACK_MS 2 /* boot->wall offset is estimated at start */

struct ocsf_run {
	char out[160], err[160];
	pid_t tracer, target;
	long long first_ms, last_ms; /* the calls were made in between */
	char base[24];		    /* the remote iovec's base, as OCSF's base_address */
	unsigned int n;
	json_object *line[MAX_LINES];
};

/* In the child too, at the same address: it is a fork. */
static char slot[8] = "before";
static const char written[8] = "pvm-ocsf";

static bool failf(const char *what, const struct ocsf_run *run)
{
	char err[8192];

	e2e_slurp(run->err, err, sizeof(err));
	fprintf(stderr, "  FAIL cli: ocsf: %s\n    pvmtrace's stderr: %s", what, err);
	return false;
}

/* pvmtrace on this process's calls, OCSF to run->out, its stderr to run->err. */
static bool start_pvmtrace(const char *pvmtrace, struct ocsf_run *run)
{
	char pid_text[16];
	char *const argv[] = {(char *)pvmtrace, "--format", "ocsf", "-o", run->out,
			      "--pid", pid_text, NULL};
	posix_spawn_file_actions_t stderr_to_file;
	int err;

	snprintf(pid_text, sizeof(pid_text), "%d", (int)getpid());
	posix_spawn_file_actions_init(&stderr_to_file);
	posix_spawn_file_actions_addopen(&stderr_to_file, STDERR_FILENO, run->err,
					 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	err = posix_spawn(&run->tracer, pvmtrace, &stderr_to_file, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&stderr_to_file);
	return !err;
}

/* The write of `written` into the child's slot, then the read of it back. */
static bool make_calls(struct ocsf_run *run)
{
	char back[sizeof(slot)] = "";
	struct iovec out = {(void *)written, sizeof(written)}, in = {back, sizeof(back)};
	struct iovec remote = {slot, sizeof(slot)};
	bool moved;

	snprintf(run->base, sizeof(run->base), "0x%" PRIxPTR, (uintptr_t)slot);
	run->first_ms = (long long)(e2e_wall_ns() / 1000000);
	moved = process_vm_writev(run->target, &out, 1, &remote, 1, 0) == sizeof(written) &&
		process_vm_readv(run->target, &in, 1, &remote, 1, 0) == sizeof(back);
	run->last_ms = (long long)(e2e_wall_ns() / 1000000);
	return moved && !memcmp(back, written, sizeof(back));
}

/* Until both calls have their Memory Activity line. */
static bool both_calls_written(const struct ocsf_run *run)
{
	static char text[1 << 16];

	for (int waited = 0; waited < WAIT_MS; waited += 10) {
		unsigned int n = 0;

		e2e_slurp(run->out, text, sizeof(text));
		for (const char *at = strstr(text, "\"class_uid\":1004"); at;
		     at = strstr(at + 1, "\"class_uid\":1004"))
			n++;
		if (n >= CALLS)
			return true;
		usleep(10 * 1000);
	}
	return false;
}

/* SIGINT: exit 0, everything captured written. */
static bool stop(struct ocsf_run *run)
{
	int status = 0;

	kill(run->tracer, SIGINT);
	waitpid(run->tracer, &status, 0);
	run->tracer = 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static bool parse_lines(struct ocsf_run *run)
{
	FILE *f = fopen(run->out, "r");
	char *text = NULL;
	size_t cap = 0;
	bool ok = f != NULL;

	while (ok && getline(&text, &cap, f) > 0 && run->n < MAX_LINES) {
		run->line[run->n] = json_tokener_parse(text);
		ok = json_object_is_type(run->line[run->n++], json_type_object);
	}
	free(text);
	if (f)
		fclose(f);
	return ok && run->n > 0;
}

/* An RFC 6901 pointer ("/actor/process/pid"); NULL when absent. */
static json_object *at(json_object *o, const char *path)
{
	json_object *v = NULL;

	return o && !json_pointer_get(o, path, &v) ? v : NULL;
}

static long long int_at(json_object *o, const char *path)
{
	return json_object_get_int64(at(o, path));
}

static bool text_is(json_object *o, const char *path, const char *want)
{
	const char *text = json_object_get_string(at(o, path));

	return text && !strcmp(text, want);
}

/* The Memory Activity line of activity_id; NULL when there is none. */
static json_object *call_line(const struct ocsf_run *run, long long activity_id)
{
	for (unsigned int i = 0; i < run->n; i++)
		if (int_at(run->line[i], "/class_uid") == 1004 &&
		    int_at(run->line[i], "/activity_id") == activity_id)
			return run->line[i];
	return NULL;
}

/* What every line says the same: numbered from 1 with no gap, this host, OCSF 1.1.0. */
static bool every_line_framed(const struct ocsf_run *run)
{
	char host[HOST_NAME_MAX + 1] = "";

	gethostname(host, sizeof(host) - 1);
	for (unsigned int i = 0; i < run->n; i++) {
		json_object *o = run->line[i];
		long long ms = int_at(o, "/time");

		if (int_at(o, "/metadata/sequence") != i + 1 ||
		    !text_is(o, "/metadata/version", "1.1.0") ||
		    !text_is(o, "/metadata/product/name", "pvmtrace") ||
		    !text_is(o, "/device/hostname", host) || ms + CLOCK_SLACK_MS < run->first_ms ||
		    ms > run->last_ms + CLOCK_SLACK_MS ||
		    int_at(o, "/type_uid") !=
			    int_at(o, "/class_uid") * 100 + int_at(o, "/activity_id"))
			return false;
	}
	return true;
}

/* The call's line: this process on the child, at the slot, every byte moved. */
static bool call_described(const struct ocsf_run *run, json_object *o)
{
	return o && int_at(o, "/category_uid") == 1 && int_at(o, "/status_id") == 1 &&
	       int_at(o, "/actor/process/pid") == getpid() &&
	       int_at(o, "/process/pid") == run->target &&
	       text_is(o, "/base_address", run->base) &&
	       int_at(o, "/size") == (long long)sizeof(written);
}

/* A write into another process: foreign-write, high, process injection, tied to the write. */
static bool write_finding(const struct ocsf_run *run, json_object *write)
{
	const char *call_uid = json_object_get_string(at(write, "/metadata/uid"));

	for (unsigned int i = 0; call_uid && i < run->n; i++) {
		json_object *o = run->line[i];

		if (int_at(o, "/class_uid") == 2004 && int_at(o, "/category_uid") == 2 &&
		    int_at(o, "/activity_id") == 1 &&
		    text_is(o, "/finding_info/analytic/uid", "PVM-W001") &&
		    text_is(o, "/finding_info/related_events/0/uid", call_uid))
			return int_at(o, "/severity_id") == 4 &&
			       text_is(o, "/finding_info/attacks/0/technique/uid", "T1055") &&
			       int_at(o, "/evidences/0/actor/process/pid") == getpid() &&
			       int_at(o, "/evidences/0/process/pid") == run->target;
	}
	return false;
}

static bool check_lines(struct ocsf_run *run)
{
	json_object *write, *read;

	if (!parse_lines(run))
		return failf("the output is not one JSON object per line", run);
	write = call_line(run, 8);
	read = call_line(run, 7);
	if (!every_line_framed(run))
		return failf("a line's sequence, version, product, hostname, time or type_uid", run);
	if (!call_described(run, write))
		return failf("the write's Memory Activity (activity 8)", run);
	if (!call_described(run, read))
		return failf("the read's Memory Activity (activity 7)", run);
	if (!write_finding(run, write))
		return failf("no PVM-W001 Detection Finding tied to the write", run);
	return true;
}

static bool traced_calls(const char *pvmtrace, struct ocsf_run *run)
{
	if (!start_pvmtrace(pvmtrace, run))
		return failf("cannot start pvmtrace", run);
	if (!e2e_wait_for_text(run->err, "pvmtrace: tracing"))
		return failf("pvmtrace did not start", run);
	if (!make_calls(run))
		return failf("the write into the child or the read back failed", run);
	if (!both_calls_written(run))
		return failf("no Memory Activity line for both calls", run);
	if (!stop(run))
		return failf("pvmtrace did not exit 0 on SIGINT", run);
	return check_lines(run);
}

bool e2e_ocsf_output(const char *pvmtrace, const char *scratch)
{
	struct ocsf_run run = {0};
	bool ok;

	snprintf(run.out, sizeof(run.out), "%s/ocsf.json", scratch);
	snprintf(run.err, sizeof(run.err), "%s/ocsf.err", scratch);
	unlink(run.out);
	run.target = e2e_spawn_sleeper();
	ok = traced_calls(pvmtrace, &run);
	if (run.tracer > 0) {
		kill(run.tracer, SIGKILL);
		waitpid(run.tracer, NULL, 0);
	}
	e2e_reap(run.target);
	for (unsigned int i = 0; i < run.n; i++)
		json_object_put(run.line[i]);
	return ok;
}
