// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Log rotation under load: the -o file renamed and pvmtrace sent SIGHUP, ten
 * times, while a thread of this process writes into a child as fast as it
 * can. Every call is in exactly one of the files, whole, or counted as lost.
 */
#include "rotation.h"

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

static pid_t start_pvmtrace(const char *pvmtrace, const char *out, const char *err)
{
	char pid_text[16];
	pid_t pid;

	snprintf(pid_text, sizeof(pid_text), "%d", (int)getpid());
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (!freopen(err, "w", stderr))
			_exit(126);
		execl(pvmtrace, pvmtrace, "--json", "-o", out, "-p", pid_text, "-e", "writev",
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
	{
		FILE *f = fopen(err, "r");
		size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;

		text[n] = 0;
		if (f)
			fclose(f);
	}
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
		FILE *f = fopen(err, "r");
		size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;

		text[n] = 0;
		if (f)
			fclose(f);
		fprintf(stderr, "    pvmtrace's stderr: %s", text);
	}
	kill(flood.target, SIGKILL);
	waitpid(flood.target, NULL, 0);
	return ok;
}
