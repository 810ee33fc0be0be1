// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pvmtrace under a flood of writes from threads of this process into a child.
 * Log rotation, at 100,000 calls/s: the -o file renamed and pvmtrace sent
 * SIGHUP ten times, then the real logrotate with the shipped snippet, then
 * pvmtrace's own --rotate-size; each way every call must be in exactly one
 * of the files, whole, or counted as lost. A write that fails (a full disk,
 * a closed pipe) stops pvmtrace with the lines it could not write counted.
 * And, as fast as the threads can, the warning of losses while they happen.
 */
#include "flood.h"

#include "cli.h"
#include "trigger.h"

#include <json-c/json.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 30000
#define FLOOD_WRITERS 2
#define ROTATION_CALLS_PER_S 100000
#define COUNTER_LINE "pvmtrace: calls="

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static double seconds_between(const struct timespec *from, const struct timespec *to)
{
	return (double)(to->tv_sec - from->tv_sec) + (double)(to->tv_nsec - from->tv_nsec) / 1e9;
}

static bool failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static bool failf(const char *fmt, ...)
{
	va_list ap;

	fputs("  FAIL cli: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	return false;
}

/* --- the flood ------------------------------------------------------------ */

struct flood {
	pid_t target;
	unsigned int calls_per_s;  /* asked; 0: as many as they can */
	unsigned int calls_per_ms; /* each writer's */
	atomic_bool stop;
	atomic_uint_fast64_t calls; /* made, each with its number (from 1) as its 8 bytes */
	uint64_t buf;		    /* in the target: the same address there (a fork) */
	pthread_t writers[FLOOD_WRITERS];
	struct timespec started;
	double seconds; /* from the first call to the stop */
};

static void write_next_call(struct flood *f)
{
	uint64_t n = atomic_fetch_add(&f->calls, 1) + 1;
	struct iovec local = {&n, sizeof(n)}, remote = {&f->buf, sizeof(f->buf)};

	process_vm_writev(f->target, &local, 1, &remote, 1, 0);
}

static void add_one_ms(struct timespec *t)
{
	t->tv_nsec += 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

/*
 * calls_per_ms calls, then a sleep until the next millisecond's deadline: a
 * writer that fell behind catches up, at the full speed of the host.
 */
static void *flood_writer(void *arg)
{
	struct flood *f = arg;
	struct timespec deadline;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	while (!atomic_load(&f->stop)) {
		if (!f->calls_per_ms) {
			write_next_call(f);
			continue;
		}
		for (unsigned int i = 0; i < f->calls_per_ms; i++)
			write_next_call(f);
		add_one_ms(&deadline);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL);
	}
	return NULL;
}

/* A target child and FLOOD_WRITERS threads writing into it; calls_per_s 0: no pacing. */
static void flood_start(struct flood *f, unsigned int calls_per_s)
{
	f->calls_per_s = calls_per_s;
	f->calls_per_ms = calls_per_s / 1000 / FLOOD_WRITERS;
	if (calls_per_s && !f->calls_per_ms)
		f->calls_per_ms = 1; /* the slowest pace there is; 0 would be none */
	f->target = e2e_spawn_sleeper();
	clock_gettime(CLOCK_MONOTONIC, &f->started);
	for (int i = 0; i < FLOOD_WRITERS; i++)
		pthread_create(&f->writers[i], NULL, flood_writer, f);
}

/* Stops a flood that started; nothing to do for one that did not. */
static void flood_stop(struct flood *f)
{
	struct timespec stopped;

	if (!f->target)
		return;
	atomic_store(&f->stop, true);
	for (int i = 0; i < FLOOD_WRITERS; i++)
		pthread_join(f->writers[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &stopped);
	f->seconds = seconds_between(&f->started, &stopped);
	e2e_reap(f->target);
}

/* 1234567 as "1,234,567". */
static const char *with_commas(uint64_t n, char out[32])
{
	char digits[24];
	int len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)n), o = 0;

	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = 0;
	return out;
}

/* "# NAME: 1,234,567 calls in 12.3 s = 100.1k calls/s", and whether that was the pace asked. */
static void print_rate(const char *name, const struct flood *f)
{
	double per_s = (double)f->calls / (f->seconds > 0 ? f->seconds : 1);
	char calls[32];

	printf("# %s: %s calls in %.1f s = %.1fk calls/s", name, with_commas(f->calls, calls),
	       f->seconds, per_s / 1000);
	if (per_s < 0.95 * f->calls_per_s)
		printf(", short of the %uk asked: no faster here under pvmtrace",
		       f->calls_per_s / 1000);
	putchar('\n');
}

/* --- pvmtrace and its counters --------------------------------------------- */

#define MAX_ARGS 16

/*
 * pvmtrace, JSON, on this process's writes, with `args` (NULL-terminated, or
 * NULL) after those: its standard output to out_fd, or to /dev/null when -1;
 * its standard error to the file `err`.
 */
static pid_t start_pvmtrace(const char *pvmtrace, const char *err, int out_fd,
			    const char *const *args)
{
	char pid_text[16];
	const char *argv[MAX_ARGS] = {pvmtrace, "--json", "-p", pid_text, "-e", "writev"};
	int argc = 6;
	pid_t pid;

	snprintf(pid_text, sizeof(pid_text), "%d", (int)getpid());
	while (args && *args && argc < MAX_ARGS - 1)
		argv[argc++] = *args++;
	argv[argc] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (!freopen(err, "w", stderr))
			_exit(126);
		if (out_fd >= 0 ? dup2(out_fd, STDOUT_FILENO) < 0
				: !freopen("/dev/null", "w", stdout))
			_exit(126);
		execv(pvmtrace, (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* pvmtrace ended by itself within WAIT_MS: its wait status in *status. */
static bool wait_for_exit(pid_t pid, int *status)
{
	for (int waited = 0; waited < WAIT_MS; waited += 10) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return true;
		sleep_ms(10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	return failf("pvmtrace did not stop by itself in %d s\n", WAIT_MS / 1000);
}

/* The last counter line of text (at exit, the exit's); NULL when there is none. */
static const char *last_counter_line(const char *text)
{
	const char *last = NULL;

	for (const char *at = text; (at = strstr(at, COUNTER_LINE)); at++)
		last = at;
	return last;
}

/* A counter of a counter line: one the line leaves out is zero. */
static uint64_t counter(const char *line, const char *name)
{
	size_t line_len = strcspn(line, "\n");
	char key[64];
	const char *at;

	snprintf(key, sizeof(key), " %s=", name);
	at = memmem(line, line_len, key, strlen(key));
	return at ? strtoull(at + strlen(key), NULL, 10) : 0;
}

static uint64_t lost_in(const char *line)
{
	return counter(line, "ringbuf_drops") + counter(line, "inflight_drops");
}

/* --- what the files hold ------------------------------------------------------ */

struct tally {
	uint64_t events, torn, out_of_range;
	unsigned int files_without_events; /* or missing: each was written to for a while */
	unsigned char *seen;		   /* one per call number */
	uint64_t duplicates, max;
};

/* "hex":"0100000000000000": the call's number, little-endian. */
static uint64_t call_number(const char *line)
{
	const char *hex = strstr(line, "\"hex\":\"");
	uint64_t n = 0;

	if (!hex || strlen(hex) < 7 + 16)
		return 0;
	for (int i = 7; i >= 0; i--) {
		unsigned int byte;

		if (sscanf(hex + 7 + 2 * i, "%2x", &byte) != 1)
			return 0;
		n = n << 8 | byte;
	}
	return n;
}

static bool is_gzip(const char *path)
{
	size_t len = strlen(path);

	return len > 3 && !strcmp(path + len - 3, ".gz");
}

/* The lines of a file; those of a .gz through gzip. */
static FILE *open_lines(const char *path)
{
	char cmd[300];

	if (!is_gzip(path))
		return fopen(path, "r");
	snprintf(cmd, sizeof(cmd), "gzip -dc '%s'", path);
	fflush(NULL);
	return popen(cmd, "r");
}

static void close_lines(FILE *f, const char *path)
{
	if (is_gzip(path))
		pclose(f);
	else
		fclose(f);
}

static void count_line(const char *line, ssize_t len, struct tally *t)
{
	uint64_t n;

	if (len < 3 || line[0] != '{' || line[len - 2] != '}' || line[len - 1] != '\n') {
		t->torn++;
		return;
	}
	if (!strstr(line, "\"event\":\"process_vm_writev\""))
		return;
	t->events++;
	n = call_number(line);
	if (!n || n > t->max)
		t->out_of_range++;
	else if (t->seen[n]++)
		t->duplicates++;
}

static void count_file(const char *path, struct tally *t)
{
	FILE *f = open_lines(path);
	uint64_t before = t->events;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	while (f && (len = getline(&line, &cap, f)) > 0)
		count_line(line, len, t);
	free(line);
	if (f)
		close_lines(f, path);
	t->files_without_events += t->events == before;
}

/* --- a rotation under the flood ------------------------------------------------- */

#define MAX_ROTATIONS 64
#define ROTATION_CALLS_LEAST 1000 /* a flood, not a trickle */

struct rotation {
	const char *name; /* in messages */
	char out[160], err[160];
	const char *args[8]; /* pvmtrace's: -o out, and more */
	char files[MAX_ROTATIONS + 1][176]; /* where the events went: each rotated file, then out */
	int rotated;
	struct flood flood;
	pid_t tracer;
};

static void rotation_init(struct rotation *r, const char *name, const char *dir)
{
	memset(r, 0, sizeof(*r));
	r->name = name;
	snprintf(r->out, sizeof(r->out), "%s/%s.json", dir, name);
	snprintf(r->err, sizeof(r->err), "%s/%s.err", dir, name);
	r->args[0] = "-o";
	r->args[1] = r->out;
}

/* pvmtrace tracing to r->out, and the flood under way. */
static bool rotation_start(struct rotation *r, const char *pvmtrace, unsigned int calls_per_s)
{
	r->tracer = start_pvmtrace(pvmtrace, r->err, -1, r->args);
	if (!e2e_wait_for_text(r->err, "pvmtrace: tracing")) {
		kill(r->tracer, SIGKILL);
		waitpid(r->tracer, NULL, 0);
		return failf("%s: pvmtrace did not start\n", r->name);
	}
	flood_start(&r->flood, calls_per_s);
	return true;
}

/* After a rotation pvmtrace opens r->out again. */
static bool wait_for_reopen(struct rotation *r)
{
	for (int waited = 0; waited < WAIT_MS; waited += 5) {
		if (access(r->out, F_OK) == 0) {
			r->rotated++;
			return true;
		}
		sleep_ms(5);
	}
	return failf("%s: rotation %d: %s not opened again in %d s\n", r->name, r->rotated + 1,
		     r->out, WAIT_MS / 1000);
}

/* Every call in exactly one file, whole, or counted lost; as many events as pvmtrace counted. */
static bool every_call_once(struct rotation *r, const char *err_text)
{
	const char *counters = last_counter_line(err_text);
	uint64_t calls = r->flood.calls, lost;
	struct tally t = {.max = calls};
	bool ok;

	if (!counters)
		return failf("%s: no \"" COUNTER_LINE "\" line on pvmtrace's stderr:\n%s", r->name,
			     err_text);
	lost = lost_in(counters);
	t.seen = calloc(calls + 1, 1);
	snprintf(r->files[r->rotated], sizeof(r->files[0]), "%s", r->out);
	for (int i = 0; i <= r->rotated; i++)
		count_file(r->files[i], &t);
	free(t.seen);
	ok = !t.torn && !t.duplicates && !t.out_of_range && !t.files_without_events &&
	     t.events == counter(counters, "events") && t.events + lost == calls &&
	     calls >= ROTATION_CALLS_LEAST;
	if (!ok)
		failf("%s: %llu calls, %llu events (pvmtrace counted %llu) and %llu lost, in %d "
		      "files (%u missing or without events), %llu torn lines, %llu duplicates, "
		      "%llu unknown\n    pvmtrace's stderr: %s",
		      r->name, (unsigned long long)calls, (unsigned long long)t.events,
		      (unsigned long long)counter(counters, "events"), (unsigned long long)lost,
		      r->rotated + 1, t.files_without_events, (unsigned long long)t.torn,
		      (unsigned long long)t.duplicates, (unsigned long long)t.out_of_range,
		      err_text);
	return ok;
}

/*
 * Flood and pvmtrace stopped; when `rotated_well`, the files named in
 * r->files by `name_files` (when not NULL: the names are known once
 * pvmtrace stopped) and checked.
 */
static bool rotation_finish(struct rotation *r, bool rotated_well,
			    bool (*name_files)(struct rotation *r))
{
	char err_text[8192];
	int status = 0;
	bool ok = rotated_well;

	flood_stop(&r->flood);
	print_rate(r->name, &r->flood);
	kill(r->tracer, SIGTERM);
	waitpid(r->tracer, &status, 0);
	e2e_slurp(r->err, err_text, sizeof(err_text));
	if (ok && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
		ok = failf("%s: pvmtrace did not exit 0\n", r->name);
	if (ok && name_files)
		ok = name_files(r);
	if (ok)
		ok = every_call_once(r, err_text);
	else
		fprintf(stderr, "    pvmtrace's stderr: %s", err_text);
	/* a passed check's hundreds of megabytes need not stay */
	for (int i = 0; ok && i <= r->rotated; i++)
		unlink(r->files[i]);
	return ok;
}

#define RENAMES 10
#define RENAME_EVERY_MS 100

static bool rename_and_hup(struct rotation *r)
{
	char *rotated = r->files[r->rotated];

	snprintf(rotated, sizeof(r->files[0]), "%s.%d", r->out, r->rotated);
	if (rename(r->out, rotated) || kill(r->tracer, SIGHUP))
		return failf("%s: rename or SIGHUP failed\n", r->name);
	return wait_for_reopen(r);
}

bool e2e_sighup_rotation(const char *pvmtrace, const char *scratch)
{
	struct rotation r;
	bool ok = true;

	rotation_init(&r, "rotation", scratch);
	if (!rotation_start(&r, pvmtrace, ROTATION_CALLS_PER_S))
		return false;
	for (int i = 0; ok && i < RENAMES; i++) {
		sleep_ms(RENAME_EVERY_MS);
		ok = rename_and_hup(&r);
	}
	sleep_ms(RENAME_EVERY_MS);
	return rotation_finish(&r, ok, NULL);
}

/* --- logrotate ------------------------------------------------------------------ */

#define LOGROTATE "/usr/sbin/logrotate"
#define LOGROTATE_SNIPPET "dist/pvmtrace.logrotate"
#define SHIPPED_LOG "/var/log/pvmtrace/events.json"
#define LOGROTATE_RUNS 5
#define LOGROTATE_EVERY_MS 1000

struct logrotate_files {
	char dir[128], conf[160], state[160], log[160];
};

const char *e2e_logrotate_missing(const char *pvmtrace)
{
	(void)pvmtrace;
	if (access(LOGROTATE, X_OK))
		return "no " LOGROTATE " (Debian package logrotate)";
	if (access(LOGROTATE_SNIPPET, R_OK))
		return "no " LOGROTATE_SNIPPET " in the current directory (the repository's root)";
	return NULL;
}

/* The shipped snippet with its log's path replaced by `log`. */
static bool write_logrotate_conf(const char *conf, const char *log)
{
	char shipped[8192];
	const char *at;
	FILE *f;
	bool written;

	e2e_slurp(LOGROTATE_SNIPPET, shipped, sizeof(shipped));
	at = strstr(shipped, SHIPPED_LOG);
	if (!at)
		return failf("logrotate: %s names no %s\n", LOGROTATE_SNIPPET, SHIPPED_LOG);
	f = fopen(conf, "w");
	if (!f)
		return failf("logrotate: cannot write %s\n", conf);
	written = fprintf(f, "%.*s%s%s", (int)(at - shipped), shipped, log,
			  at + strlen(SHIPPED_LOG)) > 0;
	return (fclose(f) == 0 && written) || failf("logrotate: cannot write %s\n", conf);
}

/*
 * logrotate refuses a log in a directory others may write to, as the
 * scratch directory is: the log, the config and the state go to one of root's.
 */
static bool prepare_logrotate(struct logrotate_files *l, const char *scratch)
{
	snprintf(l->dir, sizeof(l->dir), "%s/logrotate", scratch);
	snprintf(l->conf, sizeof(l->conf), "%s/pvmtrace.logrotate", l->dir);
	snprintf(l->state, sizeof(l->state), "%s/status", l->dir);
	snprintf(l->log, sizeof(l->log), "%s/logrotate.out", l->dir);
	if (mkdir(l->dir, 0755) || chmod(l->dir, 0755))
		return failf("logrotate: cannot make %s\n", l->dir);
	return true;
}

/* `logrotate -f -s STATE CONF`, its output appended to l->log. */
static bool run_logrotate(const struct logrotate_files *l)
{
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (!freopen(l->log, "a", stdout) || dup2(STDOUT_FILENO, STDERR_FILENO) < 0)
			_exit(126);
		execl(LOGROTATE, "logrotate", "-f", "-s", l->state, l->conf, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* compress + delaycompress: the newest rotated file is FILE.1, the older FILE.N.gz. */
static bool logrotate_names(struct rotation *r)
{
	for (int i = 0; i < r->rotated; i++) {
		int n = r->rotated - i;

		snprintf(r->files[i], sizeof(r->files[0]), "%s.%d%s", r->out, n,
			 n > 1 ? ".gz" : "");
	}
	return true;
}

static bool logrotate_once(struct rotation *r, const struct logrotate_files *l)
{
	char log[4096];

	if (run_logrotate(l))
		return wait_for_reopen(r);
	e2e_slurp(l->log, log, sizeof(log));
	return failf("logrotate: run %d of %s failed:\n%s", r->rotated + 1, l->conf, log);
}

bool e2e_logrotate_rotation(const char *pvmtrace, const char *scratch)
{
	const char *missing = e2e_logrotate_missing(pvmtrace);
	struct logrotate_files l;
	struct rotation r;
	bool ok = true;

	if (missing)
		return failf("logrotate: %s\n", missing);
	if (!prepare_logrotate(&l, scratch))
		return false;
	rotation_init(&r, "logrotate", l.dir);
	if (!write_logrotate_conf(l.conf, r.out) ||
	    !rotation_start(&r, pvmtrace, ROTATION_CALLS_PER_S))
		return false;
	for (int i = 0; ok && i < LOGROTATE_RUNS; i++) {
		sleep_ms(LOGROTATE_EVERY_MS);
		ok = logrotate_once(&r, &l);
	}
	sleep_ms(LOGROTATE_EVERY_MS);
	return rotation_finish(&r, ok, logrotate_names);
}

/* --- --rotate-size ---------------------------------------------------------------- */

/*
 * Small files at a slow pace: three rotations take a few hundred events,
 * which the qemu guests' emulated CPU writes in time too.
 */
#define ROTATE_SIZE (256 << 10)
#define ROTATE_SIZE_TEXT "256K"
#define SIZE_ROTATIONS 3
#define SIZE_ROTATION_CALLS_PER_S 2000
#define LINE_MAX_BYTES 65536 /* far above any event line of this flood */
#define SMALL_FLOOD_CALLS_PER_S 20000

static void rotated_name(const struct rotation *r, int n, char *path, size_t len)
{
	snprintf(path, len, "%s.%d", r->out, n);
}

/* pvmtrace's rotations so far: FILE.1 to FILE.N there. */
static int rotations_made(const struct rotation *r)
{
	char path[176];
	int n = 0;

	for (; n < MAX_ROTATIONS; n++) {
		rotated_name(r, n + 1, path, sizeof(path));
		if (access(path, F_OK))
			break;
	}
	return n;
}

/* Oldest first, FILE.N to FILE.1: each at least ROTATE_SIZE, and over it by less than a line. */
static bool size_rotation_names(struct rotation *r)
{
	bool ok = true;

	r->rotated = rotations_made(r);
	for (int i = 0; i < r->rotated; i++) {
		struct stat st = {0};

		rotated_name(r, r->rotated - i, r->files[i], sizeof(r->files[0]));
		if (stat(r->files[i], &st) || st.st_size < ROTATE_SIZE ||
		    st.st_size >= ROTATE_SIZE + LINE_MAX_BYTES)
			ok = failf("%s: %s holds %lld bytes, not %d and at most a line more\n",
				   r->name, r->files[i], (long long)st.st_size, ROTATE_SIZE);
	}
	return ok;
}

bool e2e_size_rotation(const char *pvmtrace, const char *scratch)
{
	struct rotation r;
	int waited = 0;

	rotation_init(&r, "size-rotation", scratch);
	memcpy(&r.args[2],
	       (const char *[]){"--rotate-size", ROTATE_SIZE_TEXT, "--rotate-keep", "1000", NULL},
	       5 * sizeof(r.args[0]));
	if (!rotation_start(&r, pvmtrace, SIZE_ROTATION_CALLS_PER_S))
		return false;
	for (; waited < WAIT_MS && (rotations_made(&r) < SIZE_ROTATIONS ||
				     atomic_load(&r.flood.calls) < ROTATION_CALLS_LEAST);
	     waited += 10)
		sleep_ms(10);
	if (waited >= WAIT_MS)
		failf("%s: %d rotations and %llu calls in %d s, not %d and %d\n", r.name,
		      rotations_made(&r), (unsigned long long)atomic_load(&r.flood.calls),
		      WAIT_MS / 1000, SIZE_ROTATIONS, ROTATION_CALLS_LEAST);
	return rotation_finish(&r, waited < WAIT_MS, size_rotation_names);
}

/* --- a write that fails: a full disk, a closed pipe -------------------------------- */

#define WRITE_FAILED "pvmtrace: writing events failed: "
#define NOT_WRITTEN " lines not written"
#define FULL_TMPFS_OPTIONS "size=256k"

/*
 * pvmtrace stopped by itself, exit 1, saying "writing events failed: REASON;
 * N lines not written" and the counters: N in *not_written.
 */
static bool stopped_on_failed_write(const char *what, int status, const char *text,
				    const char *reason, uint64_t *not_written)
{
	char want[128];
	const char *at;

	snprintf(want, sizeof(want), WRITE_FAILED "%s; ", reason);
	at = strstr(text, want);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 1 || !at ||
	    !strstr(at, NOT_WRITTEN "\n") || !last_counter_line(text))
		return failf("%s: want exit 1, \"%sN" NOT_WRITTEN "\" and the counters; got "
			     "status 0x%x and\n    %s",
			     what, want, status, text);
	*not_written = strtoull(at + strlen(want), NULL, 10);
	return true;
}

/* The file: whole lines, each call once; with the lines not written, every one received. */
static bool full_file_judged(const char *out, const char *text, uint64_t calls,
			     uint64_t not_written)
{
	struct tally t = {.max = calls};
	uint64_t received = counter(last_counter_line(text), "received");
	bool ok;

	t.seen = calloc(calls + 1, 1);
	count_file(out, &t);
	free(t.seen);
	ok = t.events && !t.torn && !t.duplicates && !t.out_of_range &&
	     t.events + not_written == received;
	if (!ok)
		failf("disk full: %llu events whole in the file, %llu torn lines, %llu "
		      "duplicates, %llu unknown, %llu not written, %llu received\n    %s",
		      (unsigned long long)t.events, (unsigned long long)t.torn,
		      (unsigned long long)t.duplicates, (unsigned long long)t.out_of_range,
		      (unsigned long long)not_written, (unsigned long long)received, text);
	return ok;
}

/* A flood until pvmtrace stops by itself: its wait status in *status. */
static bool flood_until_it_stops(pid_t tracer, const char *err, struct flood *flood, int *status)
{
	if (!e2e_wait_for_text(err, "pvmtrace: tracing")) {
		kill(tracer, SIGKILL);
		waitpid(tracer, status, 0);
		return failf("pvmtrace did not start\n");
	}
	flood_start(flood, SMALL_FLOOD_CALLS_PER_S);
	return wait_for_exit(tracer, status);
}

bool e2e_disk_full(const char *pvmtrace, const char *scratch)
{
	char dir[128], out[160], err[160], text[8192];
	const char *args[] = {"-o", out, NULL};
	struct flood flood = {0};
	uint64_t not_written = 0;
	int status = 0;
	bool ok;

	snprintf(dir, sizeof(dir), "%s/full", scratch);
	snprintf(out, sizeof(out), "%s/events.json", dir);
	snprintf(err, sizeof(err), "%s/full.err", scratch); /* not on the full disk */
	if (mkdir(dir, 0700) || mount("tmpfs", dir, "tmpfs", 0, FULL_TMPFS_OPTIONS))
		return failf("disk full: cannot mount a tmpfs on %s: %s\n", dir, strerror(errno));
	ok = flood_until_it_stops(start_pvmtrace(pvmtrace, err, -1, args), err, &flood, &status);
	flood_stop(&flood);
	e2e_slurp(err, text, sizeof(text));
	ok = ok && stopped_on_failed_write("disk full", status, text, strerror(ENOSPC),
					   &not_written) &&
	     full_file_judged(out, text, flood.calls, not_written);
	umount2(dir, MNT_DETACH);
	rmdir(dir);
	return ok;
}

/* Up to `len` bytes from fd within WAIT_MS. */
static bool read_some(int fd, char *buf, size_t len)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, WAIT_MS) == 1 && read(fd, buf, len) > 0;
}

bool e2e_closed_pipe(const char *pvmtrace, const char *scratch)
{
	char err[160], text[8192], head[100];
	struct flood flood = {0};
	uint64_t not_written = 0;
	int fds[2], status = 0;
	pid_t tracer;
	bool ok;

	snprintf(err, sizeof(err), "%s/pipe.err", scratch);
	if (pipe2(fds, O_CLOEXEC))
		return failf("closed pipe: pipe2: %s\n", strerror(errno));
	tracer = start_pvmtrace(pvmtrace, err, fds[1], NULL);
	close(fds[1]);
	ok = e2e_wait_for_text(err, "pvmtrace: tracing");
	if (ok) {
		flood_start(&flood, SMALL_FLOOD_CALLS_PER_S);
		ok = read_some(fds[0], head, sizeof(head)) ||
		     failf("closed pipe: nothing read from pvmtrace in %d s\n", WAIT_MS / 1000);
	}
	close(fds[0]); /* as `pvmtrace --json | head -c 100` */
	if (ok) {
		ok = wait_for_exit(tracer, &status);
	} else {
		kill(tracer, SIGKILL);
		waitpid(tracer, &status, 0);
	}
	flood_stop(&flood);
	e2e_slurp(err, text, sizeof(text));
	return ok && stopped_on_failed_write("closed pipe", status, text, strerror(EPIPE),
					     &not_written);
}

/* --- --stats-interval --------------------------------------------------------------- */

#define STATS_PERIODIC_LEAST 3
#define STATS_CALLS_PER_S 2000
#define PERIODIC_MARK "\"final\":false"

/*
 * The periodic records in `path` so far, counted into *count from *offset
 * on: what was read is not read again (the file grows through the flood).
 */
static void count_periodic(const char *path, long *offset, unsigned int *count)
{
	char buf[65536 + 1];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f || fseek(f, *offset, SEEK_SET)) {
		if (f)
			fclose(f);
		return;
	}
	while ((n = fread(buf, 1, sizeof(buf) - 1, f)) >= strlen(PERIODIC_MARK)) {
		buf[n] = 0;
		for (const char *at = buf; (at = memmem(at, n - (size_t)(at - buf), PERIODIC_MARK,
							 strlen(PERIODIC_MARK)));
		     at++)
			(*count)++;
		/* a mark cut at the end is read whole next time; a whole one is not */
		*offset += (long)(n - strlen(PERIODIC_MARK) + 1);
		if (fseek(f, *offset, SEEK_SET))
			break;
	}
	fclose(f);
}

/* Three periodic records written, within WAIT_MS: however slow the host is. */
static bool wait_for_periodic(const char *path)
{
	unsigned int count = 0;
	long offset = 0;

	for (int waited = 0; waited < WAIT_MS; waited += 100) {
		count_periodic(path, &offset, &count);
		if (count >= STATS_PERIODIC_LEAST)
			return true;
		sleep_ms(100);
	}
	return failf("stats: %u periodic records in %d s\n", count, WAIT_MS / 1000);
}

struct stats_tally {
	unsigned int lines, events, periodic, finals, seq_wrong;
	bool final_last;	  /* the final record is the last line */
	json_object *final;	  /* its counters */
	json_object *since_sums;  /* each since_last counter, summed over the records */
};

static uint64_t member_u64(json_object *o, const char *key)
{
	json_object *v = NULL;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_uint64(v) : 0;
}

static void add_since_last(struct stats_tally *t, json_object *since)
{
	json_object_object_foreach(since, key, value) {
		uint64_t sum = member_u64(t->since_sums, key) + json_object_get_uint64(value);

		json_object_object_add(t->since_sums, key, json_object_new_uint64(sum));
	}
}

static void tally_stats_line(struct stats_tally *t, json_object *rec)
{
	json_object *kind = NULL, *final = NULL, *since = NULL;
	bool is_final;

	t->lines++;
	t->seq_wrong += member_u64(rec, "seq") != t->lines;
	json_object_object_get_ex(rec, "event", &kind);
	if (!kind || strcmp(json_object_get_string(kind), "stats")) {
		t->events++;
		t->final_last = false;
		return;
	}
	json_object_object_get_ex(rec, "final", &final);
	json_object_object_get_ex(rec, "since_last", &since);
	is_final = final && json_object_get_boolean(final);
	t->periodic += !is_final;
	t->finals += is_final;
	t->final_last = is_final;
	if (since)
		add_since_last(t, since);
	if (is_final)
		json_object_object_get_ex(rec, "counters", &t->final);
}

static void tally_stats_file(const char *path, struct stats_tally *t, json_object **recs)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;

	*recs = json_object_new_array();
	while (f && getline(&line, &cap, f) > 0) {
		json_object *rec = json_tokener_parse(line);

		if (!rec)
			continue;
		json_object_array_add(*recs, rec); /* kept: t->final points into one */
		tally_stats_line(t, rec);
	}
	free(line);
	if (f)
		fclose(f);
}

/* Every counter of the final record (but the level unfinished) is its since_last sums. */
static unsigned int sums_wrong(const struct stats_tally *t)
{
	unsigned int wrong = 0;

	json_object_object_foreach(t->final, key, value) {
		if (strcmp(key, "unfinished"))
			wrong += json_object_get_uint64(value) != member_u64(t->since_sums, key);
	}
	return wrong;
}

static bool stats_tally_ok(const struct stats_tally *t)
{
	return t->periodic >= STATS_PERIODIC_LEAST && t->finals == 1 && t->final_last &&
	       !t->seq_wrong && t->events && t->events == member_u64(t->final, "received") &&
	       !sums_wrong(t);
}

bool e2e_stats_interval(const char *pvmtrace, const char *scratch)
{
	char out[160], err[160], text[8192];
	const char *args[] = {"-o", out, "--stats-interval", "1", NULL};
	struct stats_tally t = {.since_sums = json_object_new_object()};
	struct flood flood = {0};
	json_object *recs = NULL;
	int status = 0;
	pid_t tracer;
	bool ok;

	snprintf(out, sizeof(out), "%s/stats.json", scratch);
	snprintf(err, sizeof(err), "%s/stats.err", scratch);
	tracer = start_pvmtrace(pvmtrace, err, -1, args);
	ok = e2e_wait_for_text(err, "pvmtrace: tracing");
	if (ok) {
		flood_start(&flood, STATS_CALLS_PER_S);
		ok = wait_for_periodic(out);
		flood_stop(&flood);
	}
	kill(tracer, ok ? SIGTERM : SIGKILL);
	waitpid(tracer, &status, 0);
	e2e_slurp(err, text, sizeof(text));
	tally_stats_file(out, &t, &recs);
	ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0 && t.final && stats_tally_ok(&t);
	if (!ok)
		failf("stats: %u lines (%u with a wrong seq), %u events, %u periodic "
		      "stats records, %u final (%s), %u counters not the sum of since_last\n"
		      "    pvmtrace's stderr: %s",
		      t.lines, t.seq_wrong, t.events, t.periodic, t.finals,
		      t.final_last ? "last" : "not last", t.final ? sums_wrong(&t) : 0, text);
	json_object_put(recs);
	json_object_put(t.since_sums);
	return ok;
}

/* --- the warning of losses -------------------------------------------------------- */

#define LOSS_FLOOD_MS 12000
#define LOSS_ASK_MS 9000 /* before the warning is due at 10 s */
#define LOSS_LINE "calls lost in the last 10 s"

static unsigned int lines_with(const char *text, const char *what)
{
	unsigned int n = 0;

	for (const char *at = text; (at = strstr(at, what)); at += strlen(what))
		n++;
	return n;
}

bool e2e_loss_warning(const char *pvmtrace, const char *scratch)
{
	char err[128], text[8192];
	struct flood flood = {0};
	const char *asked, *at_exit;
	unsigned int warnings;
	uint64_t lost = 0, lost_early = 0;
	int status = 0;
	pid_t tracer;
	bool ok, both_counted;

	snprintf(err, sizeof(err), "%s/losses.err", scratch);
	/* no file: a flood's gigabytes would fill a guest's memory */
	tracer = start_pvmtrace(pvmtrace, err, -1, NULL);
	ok = e2e_wait_for_text(err, "pvmtrace: tracing");
	if (ok) {
		flood_start(&flood, 0);
		sleep_ms(LOSS_ASK_MS);
		kill(tracer, SIGUSR1); /* the counters so far, on stderr */
		sleep_ms(LOSS_FLOOD_MS - LOSS_ASK_MS);
		flood_stop(&flood);
	}
	kill(tracer, ok ? SIGTERM : SIGKILL);
	waitpid(tracer, &status, 0);
	e2e_slurp(err, text, sizeof(text));
	warnings = lines_with(text, LOSS_LINE);
	asked = strstr(text, COUNTER_LINE);
	at_exit = last_counter_line(text);
	both_counted = asked && at_exit != asked;
	if (both_counted) {
		lost_early = lost_in(asked);
		lost = lost_in(at_exit);
	}
	if (both_counted && !lost)
		printf("# losses: none in %d s of flood here: only the silence was checked\n",
		       LOSS_FLOOD_MS / 1000);
	if (ok && both_counted && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	    warnings <= 1 && (!lost_early || warnings == 1) && (lost || !warnings))
		return true;
	return failf("losses: %u warnings in %d s of flood, %llu calls lost by %d s and %llu in "
		     "all%s\n    pvmtrace's stderr: %s",
		     warnings, LOSS_FLOOD_MS / 1000, (unsigned long long)lost_early,
		     LOSS_ASK_MS / 1000, (unsigned long long)lost,
		     both_counted ? "" : " (not both counter lines: SIGUSR1's and the exit's)",
		     text);
}

/* --- started under load ---------------------------------------------------- */

#define STARTS_UNDER_LOAD 3
#define TRACED_UNDER_LOAD_MS 300

/* One start and stop of pvmtrace in the flood: its exit counter line into line. */
static bool start_and_stop_in_flood(const char *pvmtrace, const char *err, char *text,
				    size_t len)
{
	int status = 0;
	pid_t tracer = start_pvmtrace(pvmtrace, err, -1, NULL);
	bool started = e2e_wait_for_text(err, "pvmtrace: tracing");

	if (started)
		sleep_ms(TRACED_UNDER_LOAD_MS);
	kill(tracer, started ? SIGTERM : SIGKILL);
	waitpid(tracer, &status, 0);
	e2e_slurp(err, text, len);
	return started && WIFEXITED(status) && WEXITSTATUS(status) == 0 && last_counter_line(text);
}

bool e2e_start_under_load(const char *pvmtrace, const char *scratch)
{
	char err[128], text[8192];
	struct flood flood = {0};
	uint64_t unmatched = 0;
	bool ok = true;
	const char *line;

	snprintf(err, sizeof(err), "%s/start-under-load.err", scratch);
	flood_start(&flood, 0);
	for (int i = 0; i < STARTS_UNDER_LOAD && ok; i++) {
		ok = start_and_stop_in_flood(pvmtrace, err, text, sizeof(text));
		line = ok ? last_counter_line(text) : NULL;
		if (line)
			unmatched += counter(line, "unmatched_enter");
		ok = ok && counter(line, "calls") == counter(line, "events") + lost_in(line) +
							 counter(line, "unmatched_enter") +
							 counter(line, "unfinished");
	}
	flood_stop(&flood);
	if (ok && !unmatched)
		return true;
	return failf("start under load: %llu calls counted in unmatched_enter over %d starts%s\n"
		     "    pvmtrace's stderr: %s",
		     (unsigned long long)unmatched, STARTS_UNDER_LOAD,
		     ok ? "" : "; or a start failed, or calls != events + losses", text);
}
