// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pvmtrace under a flood of writes from threads of this process into a child,
 * as fast as they can: log rotation (the -o file renamed and pvmtrace sent
 * SIGHUP, ten times), where every call must be in exactly one of the files,
 * whole, or counted as lost; and the warning of losses while they happen.
 */
#include "flood.h"

#include "cli.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROTATIONS 10
#define ROTATE_EVERY_MS 40
#define WAIT_MS 30000

struct flood {
	pid_t target;
	atomic_bool stop;
	uint64_t calls; /* made, each with its number (from 1) as its 8 bytes */
	uint64_t buf;	/* in the target: the same address there (a fork) */
};

static void *flood_writer(void *arg)
{
	struct flood *f = arg;

	while (!atomic_load(&f->stop)) {
		uint64_t n = ++f->calls;
		struct iovec local = {&n, sizeof(n)}, remote = {&f->buf, sizeof(f->buf)};

		process_vm_writev(f->target, &local, 1, &remote, 1, 0);
	}
	return NULL;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* pvmtrace reopened the path: it exists again. */
static bool wait_for_file(const char *path)
{
	for (int waited = 0; waited < WAIT_MS; waited += 5) {
		if (access(path, F_OK) == 0)
			return true;
		sleep_ms(5);
	}
	return false;
}

static bool wait_for_line(const char *path, const char *text)
{
	char buf[4096];

	for (int waited = 0; waited < WAIT_MS; waited += 10) {
		FILE *f = fopen(path, "r");
		size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

		if (f)
			fclose(f);
		buf[n] = 0;
		if (strstr(buf, text))
			return true;
		sleep_ms(10);
	}
	return false;
}

struct tally {
	uint64_t events, torn, out_of_range;
	unsigned int files_without_events; /* each was written to for a while */
	unsigned char *seen; /* one per call number */
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

static void count_file(const char *path, struct tally *t)
{
	FILE *f = fopen(path, "r");
	uint64_t before = t->events;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	while (f && (len = getline(&line, &cap, f)) > 0) {
		uint64_t n;

		if (len < 3 || line[0] != '{' || line[len - 2] != '}' || line[len - 1] != '\n') {
			t->torn++;
			continue;
		}
		if (!strstr(line, "\"event\":\"process_vm_writev\""))
			continue;
		t->events++;
		n = call_number(line);
		if (!n || n > t->max)
			t->out_of_range++;
		else if (t->seen[n]++)
			t->duplicates++;
	}
	free(line);
	if (f)
		fclose(f);
	t->files_without_events += t->events == before;
}

static uint64_t counter(const char *text, const char *name)
{
	char key[64];
	const char *at;

	snprintf(key, sizeof(key), " %s=", name);
	at = strstr(text, key);
	return at ? strtoull(at + strlen(key), NULL, 10) : UINT64_MAX;
}

/* pvmtrace on this process's writes: JSON to -o `out`, or NULL: to /dev/null. */
static pid_t start_pvmtrace(const char *pvmtrace, const char *out, const char *err)
{
	char pid_text[16];
	pid_t pid;

	snprintf(pid_text, sizeof(pid_text), "%d", (int)getpid());
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (!freopen(err, "w", stderr) || (!out && !freopen("/dev/null", "w", stdout)))
			_exit(126);
		if (out)
			execl(pvmtrace, pvmtrace, "--json", "-o", out, "-p", pid_text, "-e",
			      "writev", (char *)NULL);
		else
			execl(pvmtrace, pvmtrace, "--json", "-p", pid_text, "-e", "writev",
			      (char *)NULL);
		_exit(127);
	}
	return pid;
}

static bool fail(const char *what)
{
	fprintf(stderr, "  FAIL cli: %s\n", what);
	return false;
}

bool e2e_sighup_rotation(const char *pvmtrace, const char *scratch)
{
	char out[128], err[128], rotated[ROTATIONS][160], text[8192] = "";
	struct flood flood = {0};
	struct tally t = {0};
	pthread_t writer;
	pid_t tracer;
	int status = 0;
	bool ok = true;

	snprintf(out, sizeof(out), "%s/rotation.json", scratch);
	snprintf(err, sizeof(err), "%s/rotation.err", scratch);
	flood.target = fork();
	if (flood.target == 0) {
		pause();
		_exit(0);
	}
	tracer = start_pvmtrace(pvmtrace, out, err);
	if (!wait_for_line(err, "pvmtrace: tracing")) {
		kill(tracer, SIGKILL);
		ok = fail("rotation: pvmtrace did not start");
		goto out;
	}
	pthread_create(&writer, NULL, flood_writer, &flood);
	for (int i = 0; i < ROTATIONS; i++) {
		sleep_ms(ROTATE_EVERY_MS);
		snprintf(rotated[i], sizeof(rotated[i]), "%s.%d", out, i);
		if (rename(out, rotated[i]) || kill(tracer, SIGHUP)) {
			ok = fail("rotation: rename or SIGHUP failed");
			break;
		}
		if (!wait_for_file(out)) {
			fprintf(stderr, "  FAIL cli: rotation %d: %s not opened again in %d s\n", i,
				out, WAIT_MS / 1000);
			ok = false;
			break;
		}
	}
	sleep_ms(ROTATE_EVERY_MS);
	atomic_store(&flood.stop, true);
	pthread_join(writer, NULL);
	kill(tracer, SIGTERM);
	waitpid(tracer, &status, 0);
	if (!ok)
		goto out;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		ok = fail("rotation: pvmtrace did not exit 0");
	t.max = flood.calls;
	t.seen = calloc(flood.calls + 1, 1);
	for (int i = 0; i < ROTATIONS; i++)
		count_file(rotated[i], &t);
	count_file(out, &t);
	free(t.seen);
	e2e_slurp(err, text, sizeof(text));
	if (t.torn || t.duplicates || t.out_of_range || t.files_without_events ||
	    t.events + counter(text, "ringbuf_drops") + counter(text, "inflight_drops") !=
		    flood.calls ||
	    flood.calls < 1000) {
		fprintf(stderr,
			"  FAIL cli: rotation: %llu calls, %llu events in %d files (%u with none), "
			"%llu torn lines, %llu duplicates, %llu unknown\n    stderr: %s",
			(unsigned long long)flood.calls, (unsigned long long)t.events,
			ROTATIONS + 1, t.files_without_events, (unsigned long long)t.torn,
			(unsigned long long)t.duplicates, (unsigned long long)t.out_of_range, text);
		ok = false;
	}
out:
	if (!ok && !*text) {
		e2e_slurp(err, text, sizeof(text));
		fprintf(stderr, "    pvmtrace's stderr: %s", text);
	}
	kill(flood.target, SIGKILL);
	waitpid(flood.target, NULL, 0);
	return ok;
}

#define LOSS_WRITERS 2
#define LOSS_FLOOD_MS 12000
#define LOSS_ASK_MS 9000 /* before the warning is due at 10 s */
#define LOSS_LINE "calls lost in the last 10 s"

#define COUNTER_LINE "pvmtrace: calls="

/* ringbuf_drops + inflight_drops of the first counter line in text. */
static uint64_t lost_in(const char *text)
{
	const char *line = strstr(text, COUNTER_LINE);

	return line ? counter(line, "ringbuf_drops") + counter(line, "inflight_drops") : UINT64_MAX;
}

static const char *last_of(const char *text, const char *what)
{
	const char *last = text;

	for (const char *at = text; (at = strstr(at, what)); at++)
		last = at;
	return last;
}

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
	struct flood floods[LOSS_WRITERS] = {0};
	pthread_t writers[LOSS_WRITERS];
	unsigned int warnings;
	uint64_t lost, lost_early;
	int status = 0;
	pid_t target, tracer;
	bool ok;

	snprintf(err, sizeof(err), "%s/losses.err", scratch);
	target = fork();
	if (target == 0) {
		pause();
		_exit(0);
	}
	/* no file: a flood's gigabytes would fill a guest's memory */
	tracer = start_pvmtrace(pvmtrace, NULL, err);
	ok = wait_for_line(err, "pvmtrace: tracing");
	for (int i = 0; ok && i < LOSS_WRITERS; i++) {
		floods[i].target = target;
		pthread_create(&writers[i], NULL, flood_writer, &floods[i]);
	}
	if (ok) {
		sleep_ms(LOSS_ASK_MS);
		kill(tracer, SIGUSR1); /* the counters so far, on stderr */
		sleep_ms(LOSS_FLOOD_MS - LOSS_ASK_MS);
	}
	for (int i = 0; ok && i < LOSS_WRITERS; i++) {
		atomic_store(&floods[i].stop, true);
		pthread_join(writers[i], NULL);
	}
	kill(tracer, ok ? SIGTERM : SIGKILL);
	waitpid(tracer, &status, 0);
	kill(target, SIGKILL);
	waitpid(target, NULL, 0);
	e2e_slurp(err, text, sizeof(text));
	warnings = lines_with(text, LOSS_LINE);
	/* the first counter line is SIGUSR1's, the last the exit's */
	lost_early = lost_in(text);
	lost = lost_in(last_of(text, COUNTER_LINE));
	if (!lost)
		printf("# losses: none in %d s of flood here: only the silence was checked\n",
		       LOSS_FLOOD_MS / 1000);
	if (ok && WIFEXITED(status) && WEXITSTATUS(status) == 0 && warnings <= 1 &&
	    (!lost_early || warnings == 1) && (lost || !warnings))
		return true;
	fprintf(stderr,
		"  FAIL cli: losses: %u warnings in %d s of flood, %llu calls lost by %d s and "
		"%llu in all\n    pvmtrace's stderr: %s",
		warnings, LOSS_FLOOD_MS / 1000, (unsigned long long)lost_early, LOSS_ASK_MS / 1000,
		(unsigned long long)lost, text);
	return false;
}
