// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What users expect of the command itself: exit codes, help, -o semantics,
 * privilege errors, clean stop on SIGTERM. Runs once, not per mode.
 */
#include "cli.h"
#include "flood.h"
#include "cgroup_follow.h"
#include "metrics.h"
#include "ocsf.h"
#include "syslog.h"
#include "reload.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NOBODY 65534
#define WAIT_MS 30000

struct outcome {
	int exit_code; /* -1: did not exit normally */
	char out[8192];
	char err[8192];
};

static const char *pvmtrace;
static const struct e2e_host *probed;
static char scratch[64];

void e2e_slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, len - 1, f) : 0;

	buf[n] = 0;
	if (f)
		fclose(f);
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

bool e2e_wait_for_text(const char *path, const char *text)
{
	char buf[16384];

	for (int waited = 0; waited < WAIT_MS; waited += 10) {
		e2e_slurp(path, buf, sizeof(buf));
		if (strstr(buf, text))
			return true;
		sleep_ms(10);
	}
	return false;
}

/* Changes the child's view of the system before pvmtrace starts. */
typedef bool (*setup_fn)(void);

/*
 * Runs pvmtrace with args (as `uid` when not 0, after `setup` when set). With
 * stop_signal set, waits for the "tracing" line first, then sends it.
 */
static void run_with(struct outcome *o, uid_t uid, setup_fn setup, int stop_signal,
		     const char *const *args)
{
	char out_path[128], err_path[128];
	const char *argv[16] = {pvmtrace};
	int status = 0;
	pid_t pid;

	for (int i = 0; args[i] && i < 14; i++)
		argv[i + 1] = args[i];
	snprintf(out_path, sizeof(out_path), "%s/stdout", scratch);
	snprintf(err_path, sizeof(err_path), "%s/stderr", scratch);
	unlink(err_path); /* the last run's "tracing" line must not be read as this one's */
	fflush(NULL);	  /* the child's freopen would write our pending output again */
	pid = fork();
	if (pid == 0) {
		if (!freopen(out_path, "w", stdout) || !freopen(err_path, "w", stderr))
			_exit(126);
		if (uid && (setgid(uid) || setuid(uid)))
			_exit(126);
		if (setup && !setup())
			_exit(125);
		execv(pvmtrace, (char *const *)argv);
		_exit(127);
	}
	for (int waited = 0; stop_signal && waited < WAIT_MS; waited += 10) {
		e2e_slurp(err_path, o->err, sizeof(o->err));
		if (strstr(o->err, "pvmtrace: tracing")) {
			kill(pid, stop_signal);
			break;
		}
		sleep_ms(10);
	}
	waitpid(pid, &status, 0);
	o->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	e2e_slurp(out_path, o->out, sizeof(o->out));
	e2e_slurp(err_path, o->err, sizeof(o->err));
}

static void run(struct outcome *o, uid_t uid, int stop_signal, const char *const *args)
{
	run_with(o, uid, NULL, stop_signal, args);
}

static bool expect(bool ok, const char *what, const struct outcome *o)
{
	if (!ok)
		fprintf(stderr, "  FAIL cli: %s (exit %d)\n    stderr: %s", what, o->exit_code,
			o->err);
	return ok;
}

static bool usage_error_exits_2(void)
{
	struct outcome o;

	run(&o, 0, 0, (const char *[]){"--bogus", NULL});
	return expect(o.exit_code == 2 && strstr(o.err, "unknown option '--bogus'") &&
			      strstr(o.err, "pvmtrace --help"),
		      "an unknown option is a usage error, exit 2", &o);
}

/*
 * A prefix of --enforce is no --enforce: refused before anything is loaded,
 * as is a value given to an option that takes none.
 */
static bool enforce_prefix_refused(void)
{
	struct outcome o;
	bool ok;

	run(&o, 0, 0, (const char *[]){"--enf", NULL});
	ok = expect(o.exit_code == 2 &&
			    strstr(o.err, "unknown option '--enf' (options are spelled in full: "
					  "--enforce)") &&
			    !strstr(o.err, "tracing"),
		    "--enf is refused, exit 2, nothing traced", &o);
	run(&o, 0, 0, (const char *[]){"--list-modes=1", NULL});
	return expect(o.exit_code == 2 && strstr(o.err, "option '--list-modes' takes no value") &&
			      !*o.out,
		      "--list-modes=1 is refused, exit 2, nothing listed", &o) &&
	       ok;
}

static bool help_and_version(void)
{
	struct outcome o;
	bool ok;

	run(&o, 0, 0, (const char *[]){"--help", NULL});
	ok = expect(o.exit_code == 0 && strstr(o.out, "Examples:") && strstr(o.out, "--json"),
		    "--help prints usage with examples", &o);
	run(&o, 0, 0, (const char *[]){"--version", NULL});
	return ok & expect(o.exit_code == 0 && !strncmp(o.out, "pvmtrace ", 9),
			   "--version prints the version", &o);
}

static bool unprivileged_exits_3(void)
{
	struct outcome o;

	run(&o, NOBODY, 0, (const char *[]){NULL});
	return expect(o.exit_code == 3 && strstr(o.err, "needs root"),
		      "without privileges: one line and exit 3", &o);
}

/* A private mount namespace where `dir` is an empty tmpfs. */
static bool hide_directory(const char *dir)
{
	return !unshare(CLONE_NEWNS) && !mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) &&
	       !mount("tmpfs", dir, "tmpfs", 0, NULL);
}

static bool hide_btf(void)
{
	return hide_directory("/sys/kernel/btf");
}

static bool no_btf_exits_4(void)
{
	struct outcome o;

	run_with(&o, 0, hide_btf, 0, (const char *[]){NULL});
	return expect(o.exit_code == 4 && strstr(o.err, "no BTF"),
		      "a kernel without BTF: one line and exit 4", &o);
}

/* tracefs replaced by a tmpfs whose tracepoint id is one no kernel has */
static bool break_tracefs(void)
{
	static const char *const dirs[] = {"/sys/kernel/tracing/events",
					   "/sys/kernel/tracing/events/syscalls",
					   "/sys/kernel/tracing/events/syscalls/sys_enter_process_vm_writev"};
	FILE *id;

	if (!hide_directory("/sys/kernel/tracing"))
		return false;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (mkdir(dirs[i], 0755))
			return false;
	id = fopen("/sys/kernel/tracing/events/syscalls/sys_enter_process_vm_writev/id", "w");
	return id && fputs("999999\n", id) >= 0 && !fclose(id);
}

static bool unsupported_mode_exits_5(void)
{
	struct outcome o;

	run_with(&o, 0, break_tracefs, 0, (const char *[]){"--attach", "tracepoint", NULL});
	return expect(o.exit_code == 5 && strstr(o.err, "attach mode tracepoint does not work here"),
		      "a mode this kernel cannot run: one line and exit 5", &o);
}

static bool output_refuses_symlink(void)
{
	char target[128], link[128], content[16];
	struct outcome o;

	snprintf(target, sizeof(target), "%s/target", scratch);
	snprintf(link, sizeof(link), "%s/link", scratch);
	fclose(fopen(target, "w"));
	if (symlink(target, link))
		return expect(false, "cannot make the symlink", &o);
	run(&o, 0, 0, (const char *[]){"-o", link, NULL});
	e2e_slurp(target, content, sizeof(content));
	return expect(o.exit_code == 1 && strstr(o.err, "symbolic link") && !content[0],
		      "-o refuses a symlink and leaves its target alone", &o);
}

static bool output_refuses_files_of_others(void)
{
	char path[128];
	struct outcome o;
	FILE *f;

	snprintf(path, sizeof(path), "%s/not-ours", scratch);
	f = fopen(path, "w");
	if (!f || fclose(f) || chown(path, NOBODY, NOBODY))
		return expect(false, "cannot make a file of another user", &o);
	run(&o, 0, 0, (const char *[]){"-o", path, NULL});
	return expect(o.exit_code == 1 && strstr(o.err, "not a regular file of ours"),
		      "-o refuses a file that belongs to someone else", &o);
}

/* Lines of a file that are a stats record (other processes may add events). */
static int stats_records(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	int n = 0;

	while (f && getline(&line, &cap, f) > 0)
		n += strstr(line, "\"event\":\"stats\"") != NULL;
	free(line);
	if (f)
		fclose(f);
	return n;
}

static bool output_created_0600_then_appended(void)
{
	char path[128];
	struct outcome o;
	struct stat st;
	bool ok;

	snprintf(path, sizeof(path), "%s/events.json", scratch);
	run(&o, 0, SIGINT, (const char *[]){"--json", "-o", path, NULL});
	ok = expect(o.exit_code == 0 && !stat(path, &st) && (st.st_mode & 07777) == 0600,
		    "-o creates the file 0600", &o);
	ok &= expect(stats_records(path) == 1, "the JSON stream ends with a stats record", &o);
	run(&o, 0, SIGINT, (const char *[]){"--json", "-o", path, NULL});
	return ok & expect(stats_records(path) == 2, "-o appends to an existing file", &o);
}

static bool sigterm_drains_and_exits_0(void)
{
	struct outcome o;

	run(&o, 0, SIGTERM, (const char *[]){NULL});
	return expect(o.exit_code == 0 && strstr(o.err, "pvmtrace: calls=") &&
			      strstr(o.out, "TIME(UTC)"),
		      "SIGTERM: table header, counters on stderr, exit 0", &o);
}

/*
 * A bad --config stops pvmtrace, live and in replay, before anything else:
 * exit 2 and "FILE:LINE: reason"; a file it cannot read, "FILE: reason".
 */
static bool bad_config_exits_2(void)
{
	static const char text[] = "# fine so far\n"
				   "allow exe=/usr/bin/strace\n"
				   "allow exe=relative/tool label=bad\n";
	char path[128], missing[128], want[256], want_missing[256];
	struct outcome o = {0};
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s/bad.conf", scratch);
	snprintf(missing, sizeof(missing), "%s/missing.conf", scratch);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f))
		return expect(false, "cannot write the config", &o);
	snprintf(want, sizeof(want),
		 "pvmtrace: %s:3: exe pattern must be an absolute path: 'relative/tool'\n", path);
	snprintf(want_missing, sizeof(want_missing), "pvmtrace: %s: No such file or directory\n",
		 missing);
	run(&o, 0, 0, (const char *[]){"--config", path, NULL});
	ok = expect(o.exit_code == 2 && !strcmp(o.err, want),
		    "a bad --config: exit 2 and only FILE:LINE: reason", &o);
	run(&o, 0, 0, (const char *[]){"replay", "--config", path, "/dev/null", NULL});
	ok &= expect(o.exit_code == 2 && !strcmp(o.err, want),
		     "replay with a bad --config: exit 2 and only FILE:LINE: reason", &o);
	run(&o, 0, 0, (const char *[]){"--config", missing, NULL});
	return ok & expect(o.exit_code == 2 && !strcmp(o.err, want_missing),
			   "a --config that cannot be read: exit 2 and FILE: reason", &o);
}

static double ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) * 1e3 +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

/* pvmtrace with args, its stderr on a pipe: *err_fd reads it. */
static pid_t start_piped(const char *const *args, int *err_fd)
{
	const char *argv[8] = {pvmtrace};
	int fds[2];
	pid_t pid;

	for (int i = 0; args[i] && i < 6; i++)
		argv[i + 1] = args[i];
	if (pipe2(fds, O_CLOEXEC))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (dup2(fds[1], STDERR_FILENO) < 0 || !freopen("/dev/null", "w", stdout))
			_exit(126);
		execv(pvmtrace, (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	*err_fd = fds[0];
	return pid;
}

/* The first line on err_fd within WAIT_MS (stderr is unbuffered: one write). */
static void read_first_line(int err_fd, char *line, size_t len)
{
	struct pollfd p = {.fd = err_fd, .events = POLLIN};
	ssize_t n = poll(&p, 1, WAIT_MS) == 1 ? read(err_fd, line, len - 1) : 0;

	line[n > 0 ? n : 0] = 0;
}

/* How long starting pvmtrace takes here: the exec and exit of `--version`. */
static double start_cost_ms(void)
{
	struct timespec start;
	struct outcome o;

	clock_gettime(CLOCK_MONOTONIC, &start);
	run(&o, 0, 0, (const char *[]){"--version", NULL});
	return ms_since(&start);
}

#define FIRST_LINE_MS 100.0
#define FIRST_LINE "pvmtrace: loading the BPF programs (mode auto)\n"

/*
 * Loading takes seconds; the operator hears within 100 ms that it started.
 * A host that takes longer than that to start any program (the qemu guests
 * emulate the CPU) is allowed the time a bare `pvmtrace --version` takes
 * there, twice.
 */
static bool first_line_within_100_ms(void)
{
	double limit = FIRST_LINE_MS, cost = start_cost_ms(), took;
	struct outcome o = {.exit_code = 0};
	struct timespec start;
	int err_fd = -1;
	pid_t pid;

	if (2 * cost > limit)
		limit = 2 * cost;
	clock_gettime(CLOCK_MONOTONIC, &start);
	pid = start_piped((const char *[]){"--json", NULL}, &err_fd);
	if (pid < 0)
		return expect(false, "cannot start pvmtrace on a pipe", &o);
	read_first_line(err_fd, o.err, sizeof(o.err));
	took = ms_since(&start);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	close(err_fd);
	printf("# first line: %.1f ms (pvmtrace --version: %.1f ms; limit %.0f ms)\n", took, cost,
	       limit);
	return expect(!strcmp(o.err, FIRST_LINE) && took <= limit,
		      "the first stderr line says it is loading, within 100 ms", &o);
}

static bool list_modes_names_a_mode(void)
{
	struct outcome o;

	run(&o, 0, 0, (const char *[]){"--list-modes", NULL});
	return expect(o.exit_code == 0 && strstr(o.out, " yes"),
		      "--list-modes lists at least one working mode", &o);
}

/* pvmtrace's probe of the kernel agrees with the runner's (host.c) */
static bool list_modes_says_whether_ia32_is_served(void)
{
	bool none = e2e_host_lacks(probed, E2E_NEED_INT80);
	const char *want = none ? "\nia32 calls: none on this kernel"
				: "\nia32 calls: served by this kernel";
	struct outcome o;

	run(&o, 0, 0, (const char *[]){"--list-modes", NULL});
	return expect(o.exit_code == 0 && strstr(o.out, want),
		      none ? "--list-modes says this kernel serves no ia32 calls"
			   : "--list-modes says this kernel serves ia32 calls",
		      &o);
}

/*
 * What systemd's SystemCallArchitectures=native does: any syscall of another
 * ABI kills the process. Set in pvmtrace's child before the exec.
 */
static bool native_syscalls_only(void)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof(filter) / sizeof(filter[0]), filter};

	return !prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/*
 * Under such a filter the probe's int 0x80 is answered by the filter, not by
 * the kernel (SIGSYS): pvmtrace must claim nothing. Where ia32 emulation is
 * off the kernel answers first (SIGSEGV), and "none" stays true.
 */
static bool list_modes_under_native_seccomp(void)
{
	bool none = e2e_host_lacks(probed, E2E_NEED_INT80);
	const char *want = none ? "\nia32 calls: none on this kernel"
				: "\nia32 calls: unknown (int 0x80 answered with SIGSYS)";
	struct outcome o;

	run_with(&o, 0, native_syscalls_only, 0, (const char *[]){"--list-modes", NULL});
	return expect(o.exit_code == 0 && strstr(o.out, want),
		      none ? "a seccomp filter does not change the kernel's \"none\""
			   : "under a native-only seccomp filter --list-modes claims nothing",
		      &o);
}

/* When `missing` says what a check lacks here: "skip - LABEL: WHY", counted. */
static bool skipped_for(const char *(*missing)(const char *), const char *label,
			struct e2e_tally *tally)
{
	const char *why = missing ? missing(pvmtrace) : NULL;

	if (!why)
		return false;
	printf("skip - %s: %s\n", label, why);
	tally->skipped++;
	return true;
}

void e2e_cli_checks(const char *path, const struct e2e_host *host, struct e2e_tally *tally)
{
	static const struct {
		const char *name;
		bool (*check)(void);
		/* or, in files of their own: given pvmtrace and the scratch directory */
		bool (*check_in)(const char *pvmtrace, const char *scratch);
		unsigned int needs; /* host.h: where the host lacks one, skipped */
		/* when set and it says why, given pvmtrace: skipped */
		const char *(*missing)(const char *pvmtrace);
	} checks[] = {
		{"usage_error_exits_2", usage_error_exits_2, NULL, 0, NULL},
		{"enforce_prefix_refused", enforce_prefix_refused, NULL, 0, NULL},
		{"help_and_version", help_and_version, NULL, 0, NULL},
		{"unprivileged_exits_3", unprivileged_exits_3, NULL, 0, NULL},
		{"no_btf_exits_4", no_btf_exits_4, NULL, E2E_NEED_MNTNS, NULL},
		{"unsupported_mode_exits_5", unsupported_mode_exits_5, NULL, E2E_NEED_MNTNS, NULL},
		{"output_refuses_symlink", output_refuses_symlink, NULL, 0, NULL},
		{"output_refuses_files_of_others", output_refuses_files_of_others, NULL, 0, NULL},
		{"output_created_0600_then_appended", output_created_0600_then_appended, NULL, 0,
		 NULL},
		{"sigterm_drains_and_exits_0", sigterm_drains_and_exits_0, NULL, 0, NULL},
		{"first_line_within_100_ms", first_line_within_100_ms, NULL, 0, NULL},
		{"sighup_rotation_keeps_every_event", NULL, e2e_sighup_rotation, 0, NULL},
		{"logrotate_keeps_every_event", NULL, e2e_logrotate_rotation, 0,
		 e2e_logrotate_missing},
		{"rotate_size_keeps_every_event", NULL, e2e_size_rotation, 0, NULL},
		{"disk_full_leaves_whole_lines", NULL, e2e_disk_full, 0, NULL},
		{"closed_pipe_ends_with_the_counters", NULL, e2e_closed_pipe, 0, NULL},
		{"sighup_rereads_the_config", NULL, e2e_config_reload, 0, NULL},
		{"losses_warned_while_tracing", NULL, e2e_loss_warning, 0, NULL},
		{"started_under_load_loses_no_call_at_entry", NULL, e2e_start_under_load, 0, NULL},
		{"stats_record_each_interval", NULL, e2e_stats_interval, 0, NULL},
		{"list_modes_names_a_mode", list_modes_names_a_mode, NULL, 0, NULL},
		{"list_modes_says_whether_ia32_is_served", list_modes_says_whether_ia32_is_served,
		 NULL, 0, NULL},
		{"list_modes_under_a_native_only_seccomp_filter", list_modes_under_native_seccomp,
		 NULL, 0, NULL},
		{"bad_config_exits_2", bad_config_exits_2, NULL, 0, NULL},
		{"metrics_scraped_by_prometheus_equal_the_counters", NULL, e2e_metrics_prometheus, 0,
		 e2e_prometheus_missing},
		{"ocsf_output", NULL, e2e_ocsf_output, 0, NULL},
		{"cgroup_made_again_is_followed", NULL, e2e_cgroup_made_again, E2E_NEED_CGROUP2, NULL},
		{"syslog_received_by_rsyslog", NULL, e2e_syslog_rsyslog, 0, e2e_rsyslog_missing},
	};
	bool failed = false;

	pvmtrace = path;
	probed = host;
	snprintf(scratch, sizeof(scratch), "/tmp/pvmtrace-cli-XXXXXX");
	if (!mkdtemp(scratch)) {
		perror("mkdtemp");
		exit(1);
	}
	/* the unprivileged run writes its output here too */
	chmod(scratch, 0777);
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		char label[64];
		bool ok;

		snprintf(label, sizeof(label), "cli/%s", checks[i].name);
		if (e2e_host_skips(host, checks[i].needs, label, tally) ||
		    skipped_for(checks[i].missing, label, tally))
			continue;
		ok = checks[i].check ? checks[i].check() : checks[i].check_in(pvmtrace, scratch);
		printf("%s - %s\n", ok ? "ok" : "not ok", label);
		*(ok ? &tally->passed : &tally->failed) += 1;
		failed |= !ok;
	}
	fflush(stdout);
	if (!failed) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", scratch);
		if (system(cmd))
			fprintf(stderr, "e2e: could not remove %s\n", scratch);
	}
}
