// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pvmbench: the load generator of bench/run.sh.
 *
 *   pvmbench writev  --size BYTES --iovecs K --seconds S [--cpu N]
 *   pvmbench getppid --seconds S [--cpu N]
 *   pvmbench flood   --threads T --seconds S [--size BYTES] [--iovecs K] [--rate R]
 *
 * writev: process_vm_writev of BYTES, split into K local and K remote iovecs,
 * into a forked child that only pauses. The number of calls is calibrated to
 * take about S seconds, then timed with CLOCK_MONOTONIC around the whole loop.
 * getppid: the same for syscall(SYS_getppid), a syscall no tracer here hooks.
 * flood: T threads, each with its own target child, call process_vm_writev
 * as fast as they can for S seconds, or at R calls per second in all.
 *
 * Prints one line of key=value pairs on stdout, e.g.
 *   mode=writev size=64 iovecs=1 ns_per_call=652.1 calls=1534000 total_calls=1600000 pid=123
 * total_calls counts every call of the measured syscall this process made
 * (calibration included), so the caller can match a writev run against a
 * tracer's event count.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_IOVECS 1024

struct config {
	const char *mode;
	size_t size;
	unsigned iovecs;
	double seconds;
	unsigned threads;
	int cpu;
	double rate;		/* flood: calls per second in all, 0: full speed */
};

/* One target process and the iovec arrays that write into it. */
struct target {
	pid_t pid;
	char *local;
	char *remote;		/* same address in the child (allocated before fork) */
	struct iovec liov[MAX_IOVECS];
	struct iovec riov[MAX_IOVECS];
	unsigned iovecs;
	size_t size;
};

static uint64_t total_calls; /* measured syscalls made, calibration included */

static void die(const char *what)
{
	fprintf(stderr, "pvmbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Splits `size` bytes at `base` into `n` nearly equal pieces. */
static void split(struct iovec *iov, char *base, size_t size, unsigned n)
{
	size_t off = 0;

	for (unsigned i = 0; i < n; i++) {
		size_t len = size / n + (i < size % n ? 1 : 0);

		iov[i].iov_base = base + off;
		iov[i].iov_len = len;
		off += len;
	}
}

static void target_start(struct target *t, size_t size, unsigned iovecs)
{
	pid_t parent = getpid();

	t->size = size;
	t->iovecs = iovecs;
	t->local = malloc(size);
	t->remote = malloc(size);
	if (!t->local || !t->remote)
		die("malloc");
	memset(t->local, 0xa5, size);
	memset(t->remote, 0, size);
	t->pid = fork();
	if (t->pid < 0)
		die("fork");
	if (t->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		memset(t->remote, 1, size); /* its own copy of the pages, not COW */
		for (;;)
			pause();
	}
	split(t->liov, t->local, size, iovecs);
	split(t->riov, t->remote, size, iovecs);
}

static void target_stop(struct target *t)
{
	kill(t->pid, SIGKILL);
	waitpid(t->pid, NULL, 0);
	free(t->local);
	free(t->remote);
}

static void write_once(const struct target *t)
{
	ssize_t n = process_vm_writev(t->pid, t->liov, t->iovecs, t->riov, t->iovecs, 0);

	if (n != (ssize_t)t->size) {
		if (n < 0)
			die("process_vm_writev");
		fprintf(stderr, "pvmbench: process_vm_writev wrote %zd of %zu bytes\n", n, t->size);
		exit(1);
	}
}

static uint64_t time_writev(const struct target *t, uint64_t calls)
{
	uint64_t start = now_ns();

	for (uint64_t i = 0; i < calls; i++)
		write_once(t);
	total_calls += calls;
	return now_ns() - start;
}

static uint64_t time_getppid(const struct target *t, uint64_t calls)
{
	uint64_t start = now_ns();

	(void)t;
	for (uint64_t i = 0; i < calls; i++)
		syscall(SYS_getppid); /* glibc's getppid() is not cached, but be explicit */
	total_calls += calls;
	return now_ns() - start;
}

/*
 * Doubles a batch until it takes a tenth of `seconds` (5 to 50 ms), then
 * sizes one for `seconds`. The doubling also warms caches and the target's pages.
 */
static uint64_t calibrate(uint64_t (*timed)(const struct target *, uint64_t),
			  const struct target *t, double seconds)
{
	double target_ns = seconds * 1e8;
	uint64_t calls = 16, ns;

	if (target_ns < 5e6)
		target_ns = 5e6;
	if (target_ns > 5e7)
		target_ns = 5e7;
	for (;;) {
		ns = timed(t, calls);
		if ((double)ns >= target_ns || calls >= (1ULL << 40))
			break;
		calls *= 2;
	}
	calls = (uint64_t)((double)calls * seconds * 1e9 / (double)(ns ? ns : 1));
	return calls ? calls : 1;
}

static void pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
}

static int run_timed(const struct config *c, bool writev)
{
	struct target t = {0};
	uint64_t calls, ns;

	if (writev)
		target_start(&t, c->size, c->iovecs);
	pin(c->cpu);
	calls = calibrate(writev ? time_writev : time_getppid, &t, c->seconds);
	ns = writev ? time_writev(&t, calls) : time_getppid(&t, calls);
	if (writev) {
		target_stop(&t);
		printf("mode=writev size=%zu iovecs=%u", c->size, c->iovecs);
	} else {
		printf("mode=getppid");
	}
	printf(" ns_per_call=%.1f calls=%llu total_calls=%llu pid=%d\n",
	       (double)ns / (double)calls, (unsigned long long)calls,
	       (unsigned long long)total_calls, (int)getpid());
	return 0;
}

/* --- flood ------------------------------------------------------------ */

static atomic_bool flood_stop;

struct flood_thread {
	pthread_t thread;
	struct target target;
	double rate;		/* this thread's calls per second, 0: full speed */
	uint64_t start_ns;
	uint64_t calls;
	int err;
};

/* Paced: waits until call number `calls` is due. */
static void flood_pace(const struct flood_thread *ft, uint64_t calls)
{
	uint64_t due = ft->start_ns + (uint64_t)((double)calls * 1e9 / ft->rate);
	uint64_t now = now_ns();

	if (due > now + 50000) {
		struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)(due - now)};

		if (due - now >= 1000000000ULL)
			ts = (struct timespec){.tv_sec = 0, .tv_nsec = 999999999};
		nanosleep(&ts, NULL);
	}
	while (now_ns() < due && !atomic_load_explicit(&flood_stop, memory_order_relaxed))
		;
}

static void *flood_main(void *arg)
{
	struct flood_thread *ft = arg;
	const struct target *t = &ft->target;
	uint64_t calls = 0;

	while (!atomic_load_explicit(&flood_stop, memory_order_relaxed)) {
		ssize_t n;

		if (ft->rate > 0)
			flood_pace(ft, calls);
		n = process_vm_writev(t->pid, t->liov, t->iovecs, t->riov, t->iovecs, 0);
		calls++;
		if (n != (ssize_t)t->size) {
			ft->err = n < 0 ? errno : EIO;
			break;
		}
	}
	ft->calls = calls;
	return NULL;
}

static int run_flood(const struct config *c)
{
	struct flood_thread *ft = calloc(c->threads, sizeof(*ft));
	struct timespec pause_ts = {
		.tv_sec = (time_t)c->seconds,
		.tv_nsec = (long)((c->seconds - (double)(time_t)c->seconds) * 1e9),
	};
	uint64_t start, elapsed, calls = 0;
	int failed = 0;

	if (!ft)
		die("calloc");
	for (unsigned i = 0; i < c->threads; i++)
		target_start(&ft[i].target, c->size, c->iovecs);
	start = now_ns();
	for (unsigned i = 0; i < c->threads; i++) {
		ft[i].rate = c->rate / c->threads;
		ft[i].start_ns = start;
		errno = pthread_create(&ft[i].thread, NULL, flood_main, &ft[i]);
		if (errno)
			die("pthread_create");
	}
	while (nanosleep(&pause_ts, &pause_ts) && errno == EINTR)
		;
	atomic_store(&flood_stop, true);
	for (unsigned i = 0; i < c->threads; i++) {
		pthread_join(ft[i].thread, NULL);
		calls += ft[i].calls;
		if (ft[i].err) {
			fprintf(stderr, "pvmbench: flood thread %u: %s\n", i, strerror(ft[i].err));
			failed = 1;
		}
	}
	elapsed = now_ns() - start;
	for (unsigned i = 0; i < c->threads; i++)
		target_stop(&ft[i].target);
	printf("mode=flood threads=%u size=%zu iovecs=%u rate=%.0f seconds=%.3f calls=%llu "
	       "calls_per_sec=%.0f pid=%d\n",
	       c->threads, c->size, c->iovecs, c->rate, (double)elapsed / 1e9,
	       (unsigned long long)calls,
	       (double)calls * 1e9 / (double)elapsed, (int)getpid());
	free(ft);
	return failed;
}

static void usage(FILE *out)
{
	fputs("Usage: pvmbench writev  --size BYTES --iovecs K --seconds S [--cpu N]\n"
	      "       pvmbench getppid --seconds S [--cpu N]\n"
	      "       pvmbench flood   --threads T --seconds S [--size BYTES] [--iovecs K] [--rate R]\n",
	      out);
}

static unsigned long parse_ulong(const char *opt, const char *s, unsigned long min,
				 unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max) {
		fprintf(stderr, "pvmbench: %s: bad value '%s' (%lu-%lu)\n", opt, s, min, max);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"size", required_argument, NULL, 's'},
		{"iovecs", required_argument, NULL, 'i'},
		{"seconds", required_argument, NULL, 'S'},
		{"threads", required_argument, NULL, 't'},
		{"cpu", required_argument, NULL, 'c'},
		{"rate", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct config c = {.size = 64, .iovecs = 1, .seconds = 1.0, .threads = 1, .cpu = -1};
	char *end;
	int opt;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	c.mode = argv[1];
	optind = 2;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			c.size = parse_ulong("--size", optarg, 1, 1UL << 30);
			break;
		case 'i':
			c.iovecs = (unsigned)parse_ulong("--iovecs", optarg, 1, MAX_IOVECS);
			break;
		case 'S':
			c.seconds = strtod(optarg, &end);
			if (*end || end == optarg || !(c.seconds > 0 && c.seconds < 3600)) {
				fprintf(stderr, "pvmbench: --seconds: bad value '%s'\n", optarg);
				return 2;
			}
			break;
		case 't':
			c.threads = (unsigned)parse_ulong("--threads", optarg, 1, 256);
			break;
		case 'c':
			c.cpu = (int)parse_ulong("--cpu", optarg, 0, CPU_SETSIZE - 1);
			break;
		case 'r':
			c.rate = strtod(optarg, &end);
			if (*end || end == optarg || !(c.rate >= 0 && c.rate < 1e9)) {
				fprintf(stderr, "pvmbench: --rate: bad value '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || c.iovecs > c.size) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(c.mode, "writev"))
		return run_timed(&c, true);
	if (!strcmp(c.mode, "getppid"))
		return run_timed(&c, false);
	if (!strcmp(c.mode, "flood"))
		return run_flood(&c);
	usage(stderr);
	return 2;
}
