// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "cgroup_follow.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "trigger.h"

struct follow_run {
	char dir[256], err[160], out[160];
	pid_t tracer;
};

static bool failf(const char *what, const struct follow_run *run)
{
	char err[8192];

	e2e_slurp(run->err, err, sizeof(err));
	fprintf(stderr, "  FAIL cli: cgroup made again: %s\n    pvmtrace's stderr: %s", what, err);
	return false;
}

static pid_t start_pvmtrace(const char *pvmtrace, const struct follow_run *run)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		char *argv[] = {(char *)pvmtrace, "--json", "-o", (char *)run->out, "--cgroup",
				(char *)run->dir, NULL};

		if (!freopen(run->err, "w", stderr))
			_exit(126);
		execv(pvmtrace, argv);
		_exit(127);
	}
	return pid;
}

/* A child that moves itself into dir, then writes 8 bytes into `target`: 0 when it did. */
static int write_from(const char *dir, pid_t target)
{
	static unsigned long long slot;
	char procs[300];
	pid_t child;
	int status = 0;

	fflush(NULL);
	child = fork();
	if (child == 0) {
		unsigned long long value = 0x776f6c6c6f66;
		struct iovec local = {&value, sizeof(value)}, remote = {&slot, sizeof(slot)};
		FILE *f;

		snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
		f = fopen(procs, "w");
		if (!f || fprintf(f, "%d", (int)getpid()) < 0 || fclose(f))
			_exit(2);
		_exit(process_vm_writev(target, &local, 1, &remote, 1, 0) == sizeof(value) ? 0 : 1);
	}
	waitpid(child, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 3;
}

static bool remade_and_written(struct follow_run *run)
{
	pid_t target;
	int wrote;

	if (rmdir(run->dir))
		return failf("cannot remove the cgroup", run);
	if (!e2e_wait_for_text(run->err, " is gone: no call passes the filter"))
		return failf("no word of the cgroup gone", run);
	if (mkdir(run->dir, 0755))
		return failf("cannot make the cgroup again", run);
	if (!e2e_wait_for_text(run->err, " was made again: the filter follows it"))
		return failf("no word of the cgroup made again", run);
	target = e2e_spawn_sleeper();
	wrote = write_from(run->dir, target);
	e2e_reap(target);
	return wrote == 0 || failf("the write from the new cgroup failed", run);
}

bool e2e_cgroup_made_again(const char *pvmtrace, const char *scratch)
{
	struct follow_run run;
	char root[200];
	bool ok;

	if (e2e_cgroup2_mount(root, sizeof(root)))
		return false;
	snprintf(run.dir, sizeof(run.dir), "%s/pvmtrace-e2e-follow-%d", root, (int)getpid());
	snprintf(run.err, sizeof(run.err), "%s/follow.err", scratch);
	snprintf(run.out, sizeof(run.out), "%s/follow.json", scratch);
	if (mkdir(run.dir, 0755))
		return failf("cannot make a cgroup", &run);
	run.tracer = start_pvmtrace(pvmtrace, &run);
	ok = e2e_wait_for_text(run.err, "pvmtrace: tracing") || failf("pvmtrace did not start", &run);
	ok = ok && remade_and_written(&run);
	kill(run.tracer, SIGINT);
	waitpid(run.tracer, NULL, 0);
	rmdir(run.dir);
	return ok && (e2e_wait_for_text(run.err, "pvmtrace: calls=1 events=1") ||
		      failf("the write from the new cgroup is not the one event", &run));
}
