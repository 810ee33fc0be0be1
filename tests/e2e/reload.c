// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * SIGHUP re-reads --config: this process writes into a child of its own, and
 * each write's event shows whether the allowlist of the moment allowed it.
 */
#include "reload.h"

#include "cli.h"

#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define WAIT_MS 30000
#define LABEL "e2e-reload"

struct reload_run {
	char config[160], out[160], err[160];
	char allowed[256]; /* what an allowed event names: "CONFIG:2 (e2e-reload)" */
	pid_t target, tracer;
	unsigned int writes;
};

/* In the target too, at the same address: it is a fork. */
static uint64_t slot;

static bool failf(const char *what, const struct reload_run *run)
{
	char err[8192];

	e2e_slurp(run->err, err, sizeof(err));
	fprintf(stderr, "  FAIL cli: reload: %s\n    pvmtrace's stderr: %s", what, err);
	return false;
}

static bool write_config(const struct reload_run *run, const char *text)
{
	FILE *f = fopen(run->config, "w");

	return f && fputs(text, f) >= 0 && !fclose(f);
}

/* pvmtrace on this process's writes, JSON to run->out, the allowlist run->config. */
static pid_t start_pvmtrace(const char *pvmtrace, const struct reload_run *run)
{
	char pid_text[16];
	pid_t pid;

	snprintf(pid_text, sizeof(pid_text), "%d", (int)getpid());
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (!freopen(run->err, "w", stderr))
			_exit(126);
		execl(pvmtrace, pvmtrace, "--json", "-o", run->out, "--config", run->config, "-p",
		      pid_text, "-e", "writev", (char *)NULL);
		_exit(127);
	}
	return pid;
}

/*
 * The allowed_by of each write's first alert, "-" for none, in the order
 * written: "-|CONFIG:2 (e2e-reload)".
 */
static unsigned int allowed_by_of_writes(const char *path, char *shown, size_t len)
{
	FILE *f = fopen(path, "r");
	char line[16384];
	unsigned int n = 0;
	size_t at = 0;

	shown[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		json_object *o = json_tokener_parse(line), *event, *alerts, *by;
		json_object *first = NULL;

		if (o && json_object_object_get_ex(o, "event", &event) &&
		    !strcmp(json_object_get_string(event), "process_vm_writev")) {
			if (json_object_object_get_ex(o, "alerts", &alerts))
				first = json_object_array_get_idx(alerts, 0);
			at += snprintf(shown + at, len > at ? len - at : 0, "%s%s", n++ ? "|" : "",
				       first && json_object_object_get_ex(first, "allowed_by", &by)
					       ? json_object_get_string(by)
					       : "-");
		}
		json_object_put(o);
	}
	if (f)
		fclose(f);
	return n;
}

/* One more write into the target; then the events so far must be `want`. */
static bool write_and_expect(struct reload_run *run, const char *want)
{
	uint64_t n = ++run->writes;
	struct iovec local = {&n, sizeof(n)}, remote = {&slot, sizeof(slot)};
	char shown[1024], what[1400];

	if (process_vm_writev(run->target, &local, 1, &remote, 1, 0) != sizeof(n))
		return failf("process_vm_writev into the child failed", run);
	for (int waited = 0; waited < WAIT_MS; waited += 10) {
		if (allowed_by_of_writes(run->out, shown, sizeof(shown)) >= run->writes)
			break;
		usleep(10 * 1000);
	}
	if (!strcmp(shown, want))
		return true;
	snprintf(what, sizeof(what), "write %u: allowed_by of each event %s, want %s", run->writes,
		 shown, want);
	return failf(what, run);
}

/* The config rewritten, SIGHUP, and what pvmtrace must say of it. */
static bool reload_with(const struct reload_run *run, const char *text, const char *said)
{
	char what[512];

	if (!write_config(run, text) || kill(run->tracer, SIGHUP))
		return failf("cannot rewrite the config or send SIGHUP", run);
	if (e2e_wait_for_text(run->err, said))
		return true;
	snprintf(what, sizeof(what), "after SIGHUP, no \"%s\"", said);
	return failf(what, run);
}

/* Allowed by nothing, then by the new file, then still by it after a bad one. */
static bool reload_steps(struct reload_run *run)
{
	char allow[PATH_MAX + 64], said[512], want[1024];
	char exe[PATH_MAX] = "";

	if (readlink("/proc/self/exe", exe, sizeof(exe) - 1) < 0)
		return failf("cannot read /proc/self/exe", run);
	if (!write_and_expect(run, "-"))
		return false;
	snprintf(allow, sizeof(allow), "# this test's writes\nallow exe=\"%s\" label=" LABEL "\n",
		 exe);
	snprintf(said, sizeof(said), "pvmtrace: %s: reloaded (1 allow rule)\n", run->config);
	snprintf(want, sizeof(want), "-|%s", run->allowed);
	if (!reload_with(run, allow, said) || !write_and_expect(run, want))
		return false;
	snprintf(said, sizeof(said),
		 "pvmtrace: %s:1: exe pattern must be an absolute path: 'relative/tool'; kept the "
		 "allowlist loaded before\n",
		 run->config);
	snprintf(want, sizeof(want), "-|%1$s|%1$s", run->allowed);
	return reload_with(run, "allow exe=relative/tool\n", said) && write_and_expect(run, want);
}

/* SIGTERM: exit 0, and the counter line counts the file refused. */
static bool stop(struct reload_run *run)
{
	static const char counter[] = " config_reload_failures=";
	char err[8192];
	const char *at;
	int status = 0;

	kill(run->tracer, SIGTERM);
	waitpid(run->tracer, &status, 0);
	e2e_slurp(run->err, err, sizeof(err));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return failf("pvmtrace did not exit 0 on SIGTERM", run);
	at = strstr(err, counter);
	if (!at || strtoull(at + strlen(counter), NULL, 10) != 1)
		return failf("the counter line has no config_reload_failures=1", run);
	return true;
}

bool e2e_config_reload(const char *pvmtrace, const char *scratch)
{
	struct reload_run run = {0};
	bool ok;

	snprintf(run.config, sizeof(run.config), "%s/reload.conf", scratch);
	snprintf(run.out, sizeof(run.out), "%s/reload.json", scratch);
	snprintf(run.err, sizeof(run.err), "%s/reload.err", scratch);
	snprintf(run.allowed, sizeof(run.allowed), "%s:2 (" LABEL ")", run.config);
	if (!write_config(&run, "# nothing allowed yet\n"))
		return failf("cannot write the config", &run);
	run.target = fork();
	if (run.target == 0) {
		pause();
		_exit(0);
	}
	run.tracer = start_pvmtrace(pvmtrace, &run);
	ok = e2e_wait_for_text(run.err, "pvmtrace: tracing") || failf("pvmtrace did not start", &run);
	ok = ok && reload_steps(&run);
	if (ok) {
		ok = stop(&run);
	} else {
		kill(run.tracer, SIGKILL);
		waitpid(run.tracer, NULL, 0);
	}
	kill(run.target, SIGKILL);
	waitpid(run.target, NULL, 0);
	return ok;
}
