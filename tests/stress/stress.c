// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * make stress: the real pvmtrace against the real kernel, under loads the
 * e2e suite does not make (floods, targets killed mid-call, pid reuse,
 * process and thread storms, calls blocked on userfaultfd). As root.
 *
 * Each scenario gets a pvmtrace of its own that traces only threads named
 * CALLER_COMM. Every call names its target in its own arguments: the first
 * local iovec starts at identity_area + the target's serial, and the target
 * is named "tgt-SERIAL". A target is never reaped while a call may still
 * name its pid, so an event whose target pvmtrace resolved (kernel or /proc)
 * must show that pid and that name: anything else is misattributed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CALLER_COMM     "stress-call"
#define CONTROL_COMM    "stress-ctl"
#define RSS_LIMIT_KIB   (32 * 1024)
#define IDENTITY_SPAN   (1u << 20)
#define IDENTITY_LEN    16
#define PID_LIMIT       (1 << 22)
#define EXAMPLES_SHOWN  5

struct shared {
	atomic_ulong calls;
	atomic_ulong failed_esrch;
	atomic_uint next_serial;
};

/* In MAP_SHARED memory: forked callers count there too. */
static struct shared *shared;
static char *identity_area;
static char target_area[IDENTITY_LEN];
static atomic_uint_fast64_t pids_seen[PID_LIMIT / 64];
static atomic_ulong pids_reused;

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&t, &t) && errno == EINTR)
		;
}

static void name_thread(const char *name)
{
	prctl(PR_SET_NAME, name);
}

static void target_name(unsigned int serial, char name[16])
{
	snprintf(name, 16, "tgt-%u", serial);
}

/* ---- the calls ---------------------------------------------------------- */

static long call_target(pid_t pid, unsigned int serial, void *remote_base, bool read)
{
	struct iovec local = { identity_area + serial, IDENTITY_LEN };
	struct iovec remote = { remote_base, IDENTITY_LEN };
	long ret = read ? process_vm_readv(pid, &local, 1, &remote, 1, 0)
			: process_vm_writev(pid, &local, 1, &remote, 1, 0);

	atomic_fetch_add_explicit(&shared->calls, 1, memory_order_relaxed);
	if (ret < 0 && errno == ESRCH)
		atomic_fetch_add_explicit(&shared->failed_esrch, 1, memory_order_relaxed);
	return ret;
}

static long write_target(pid_t pid, unsigned int serial)
{
	return call_target(pid, serial, target_area, false);
}

/* ---- targets ------------------------------------------------------------ */

struct target {
	pid_t pid;
	unsigned int serial;
};

static void note_pid(pid_t pid)
{
	uint64_t bit = 1ull << (pid % 64);

	if (pid > 0 && pid < PID_LIMIT && (atomic_fetch_or(&pids_seen[pid / 64], bit) & bit))
		atomic_fetch_add(&pids_reused, 1);
}

/* A child named tgt-SERIAL and stopped: its pid is its alone until reaped. */
static bool target_spawn(struct target *t)
{
	int status;

	t->serial = atomic_fetch_add(&shared->next_serial, 1) % IDENTITY_SPAN;
	t->pid = fork();
	if (t->pid == 0) {
		char name[16];

		target_name(t->serial, name);
		name_thread(name);
		raise(SIGSTOP);
		_exit(0);
	}
	if (t->pid < 0)
		return false;
	note_pid(t->pid);
	return waitpid(t->pid, &status, WUNTRACED) == t->pid && WIFSTOPPED(status);
}

static void target_end(const struct target *t)
{
	kill(t->pid, SIGKILL);
	waitpid(t->pid, NULL, 0);
}

/* ---- threads ------------------------------------------------------------ */

struct crew {
	pthread_t threads[512];
	unsigned int count;
	atomic_bool stop;
};

static bool crew_start(struct crew *c, unsigned int count, void *(*run)(void *), void *arg)
{
	for (c->count = 0; c->count < count; c->count++)
		if (pthread_create(&c->threads[c->count], NULL, run, arg))
			return false;
	return true;
}

static void crew_join(struct crew *c)
{
	for (unsigned int i = 0; i < c->count; i++)
		pthread_join(c->threads[i], NULL);
	c->count = 0;
}

static void crew_run_for(struct crew *c, unsigned int seconds)
{
	sleep_ms(seconds * 1000L);
	atomic_store(&c->stop, true);
	crew_join(c);
}

/* ---- scenario 1: flood -------------------------------------------------- */

struct flood {
	struct crew crew;
	struct target target;
};

static void *flood_writer(void *arg)
{
	struct flood *f = arg;

	name_thread(CALLER_COMM);
	while (!atomic_load_explicit(&f->crew.stop, memory_order_relaxed))
		write_target(f->target.pid, f->target.serial);
	return NULL;
}

static const char *flood(unsigned int writers, unsigned int seconds)
{
	static struct flood f;

	memset(&f, 0, sizeof(f));
	if (!target_spawn(&f.target))
		return "cannot start a target";
	crew_start(&f.crew, writers, flood_writer, &f);
	crew_run_for(&f.crew, seconds);
	target_end(&f.target);
	return NULL;
}

static const char *flood_1(unsigned int seconds) { return flood(1, seconds); }
static const char *flood_2(unsigned int seconds) { return flood(2, seconds); }
static const char *flood_4(unsigned int seconds) { return flood(4, seconds); }

/* ---- scenario 2: targets killed mid-flood --------------------------------- */

#define KILLED_SLOTS 8

struct killed_slot {
	pthread_rwlock_t lock;
	struct target target;
};

struct killed {
	struct crew crew;
	struct killed_slot slots[KILLED_SLOTS];
	unsigned long replaced;
};

static void *killed_writer(void *arg)
{
	struct killed *k = arg;

	name_thread(CALLER_COMM);
	for (unsigned int i = 0; !atomic_load_explicit(&k->crew.stop, memory_order_relaxed); i++) {
		struct killed_slot *s = &k->slots[i % KILLED_SLOTS];

		if (pthread_rwlock_tryrdlock(&s->lock))
			continue;
		write_target(s->target.pid, s->target.serial);
		pthread_rwlock_unlock(&s->lock);
	}
	return NULL;
}

/* SIGKILL first, with writes in flight; the pid is reaped only once none is. */
static void killed_replace(struct killed_slot *s)
{
	kill(s->target.pid, SIGKILL);
	pthread_rwlock_wrlock(&s->lock);
	target_end(&s->target);
	target_spawn(&s->target);
	pthread_rwlock_unlock(&s->lock);
}

static void *killed_replacer(void *arg)
{
	struct killed *k = arg;

	name_thread(CONTROL_COMM);
	for (unsigned int i = 0; !atomic_load(&k->crew.stop); i++, k->replaced++) {
		killed_replace(&k->slots[i % KILLED_SLOTS]);
		sleep_ms(1);
	}
	return NULL;
}

static void killed_slot_init(struct killed_slot *s)
{
	pthread_rwlockattr_t attr;

	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&s->lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	target_spawn(&s->target);
}

static const char *killed_targets(unsigned int seconds)
{
	static struct killed k;
	pthread_t replacer;

	memset(&k, 0, sizeof(k));
	for (unsigned int i = 0; i < KILLED_SLOTS; i++)
		killed_slot_init(&k.slots[i]);
	crew_start(&k.crew, 4, killed_writer, &k);
	pthread_create(&replacer, NULL, killed_replacer, &k);
	crew_run_for(&k.crew, seconds);
	pthread_join(replacer, NULL);
	for (unsigned int i = 0; i < KILLED_SLOTS; i++)
		target_end(&k.slots[i].target);
	printf("# killed-targets: %lu targets killed mid-flood, %lu calls failed with ESRCH\n",
	       k.replaced, atomic_load(&shared->failed_esrch));
	return NULL;
}

/* ---- scenario 3: pid reuse ---------------------------------------------- */

#define WRITES_PER_SHORT_TARGET 32

static void *reuse_lane(void *arg)
{
	struct crew *c = arg;
	struct target t;

	name_thread(CALLER_COMM);
	while (!atomic_load_explicit(&c->stop, memory_order_relaxed)) {
		if (!target_spawn(&t))
			continue;
		for (int i = 0; i < WRITES_PER_SHORT_TARGET; i++)
			write_target(t.pid, t.serial);
		target_end(&t);
	}
	return NULL;
}

/* Children that exit at once move the kernel's next pid on: it wraps in seconds. */
static void *pid_burner(void *arg)
{
	struct crew *c = arg;
	pid_t pid;

	name_thread(CONTROL_COMM);
	while (!atomic_load_explicit(&c->stop, memory_order_relaxed)) {
		pid = vfork();
		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
	return NULL;
}

static const char *pid_reuse(unsigned int seconds)
{
	static struct crew c;
	unsigned int serials_before;
	pthread_t burner;

	memset(&c, 0, sizeof(c));
	memset(pids_seen, 0, sizeof(pids_seen));
	atomic_store(&pids_reused, 0);
	serials_before = atomic_load(&shared->next_serial);
	crew_start(&c, 2, reuse_lane, &c);
	pthread_create(&burner, NULL, pid_burner, &c);
	crew_run_for(&c, seconds);
	pthread_join(burner, NULL);
	printf("# pid-reuse: %u targets, %lu of them on a pid an earlier one had\n",
	       atomic_load(&shared->next_serial) - serials_before, atomic_load(&pids_reused));
	return NULL;
}

/* ---- scenario 4: process and thread storms ------------------------------ */

#define STORM_BATCH 32

struct storm {
	struct crew crew;
	struct target target;
	atomic_ulong made;
};

static void *storm_thread(void *arg)
{
	struct storm *s = arg;

	name_thread(CALLER_COMM);
	write_target(s->target.pid, s->target.serial);
	return NULL;
}

static void storm_process(struct storm *s)
{
	name_thread(CALLER_COMM);
	write_target(s->target.pid, s->target.serial);
	_exit(0);
}

static void process_batch(struct storm *s)
{
	pid_t pids[STORM_BATCH];
	unsigned int n = 0;

	for (; n < STORM_BATCH; n++) {
		pids[n] = fork();
		if (pids[n] == 0)
			storm_process(s);
		if (pids[n] < 0)
			break;
	}
	for (unsigned int i = 0; i < n; i++)
		waitpid(pids[i], NULL, 0);
	atomic_fetch_add(&s->made, n);
}

static void thread_batch(struct storm *s)
{
	struct crew batch = { 0 };

	crew_start(&batch, STORM_BATCH, storm_thread, s);
	crew_join(&batch);
	atomic_fetch_add(&s->made, STORM_BATCH);
}

static void *process_spawner(void *arg)
{
	struct storm *s = arg;

	name_thread(CONTROL_COMM);
	while (!atomic_load(&s->crew.stop))
		process_batch(s);
	return NULL;
}

static void *thread_spawner(void *arg)
{
	struct storm *s = arg;

	name_thread(CONTROL_COMM);
	while (!atomic_load(&s->crew.stop))
		thread_batch(s);
	return NULL;
}

static const char *storm(void *(*spawner)(void *), const char *name, const char *what,
			 unsigned int seconds)
{
	static struct storm s;

	memset(&s, 0, sizeof(s));
	if (!target_spawn(&s.target))
		return "cannot start a target";
	crew_start(&s.crew, 2, spawner, &s);
	crew_run_for(&s.crew, seconds);
	target_end(&s.target);
	printf("# %s: %lu %s, one call each\n", name, atomic_load(&s.made), what);
	return NULL;
}

static const char *process_storm(unsigned int seconds)
{
	return storm(process_spawner, "process-storm", "processes", seconds);
}

static const char *thread_storm(unsigned int seconds)
{
	return storm(thread_spawner, "thread-storm", "threads", seconds);
}

/* ---- scenario 5: calls blocked on userfaultfd --------------------------- */

#define BLOCKED_READERS 128

struct blocked {
	struct crew crew;
	struct target target;
	char *page;
	size_t page_len;
	int ready[2];
	int release[2];
	atomic_uint returned;
};

/* The target: the page missing until told, then zeros. */
static void blocked_target(struct blocked *b)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { (uintptr_t)b->page, b->page_len }, .mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	struct uffdio_zeropage zero = { .range = reg.range };
	int uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	char error = 0, go;

	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api) || ioctl(uffd, UFFDIO_REGISTER, &reg))
		error = (char)errno;
	if (write(b->ready[1], &error, 1) != 1 || error)
		_exit(1);
	if (read(b->release[0], &go, 1) == 1)
		ioctl(uffd, UFFDIO_ZEROPAGE, &zero);
	pause();
	_exit(0);
}

static void *blocked_reader(void *arg)
{
	struct blocked *b = arg;

	name_thread(CALLER_COMM);
	call_target(b->target.pid, b->target.serial, b->page, true);
	atomic_fetch_add(&b->returned, 1);
	return NULL;
}

static const char *blocked_start_target(struct blocked *b)
{
	static char why[128];
	char error = 0;

	b->target.serial = atomic_fetch_add(&shared->next_serial, 1) % IDENTITY_SPAN;
	b->target.pid = fork();
	if (b->target.pid == 0) {
		char name[16];

		target_name(b->target.serial, name);
		name_thread(name);
		blocked_target(b);
	}
	if (b->target.pid < 0 || read(b->ready[0], &error, 1) != 1)
		return "blocked calls: cannot start the target";
	if (!error)
		return NULL;
	snprintf(why, sizeof(why), "blocked calls: userfaultfd unavailable: %s", strerror(error));
	return why;
}

static const char *blocked_release(struct blocked *b, unsigned int seconds)
{
	static char why[160];
	unsigned int returned;

	sleep_ms(seconds * 1000L);
	returned = atomic_load(&b->returned);
	if (write(b->release[1], "g", 1) != 1)
		return "blocked calls: cannot release the target";
	crew_join(&b->crew);
	if (returned == 0)
		return NULL;
	snprintf(why, sizeof(why), "blocked calls: %u of %d process_vm_readv calls did not block "
		 "on the userfaultfd page", returned, BLOCKED_READERS);
	return why;
}

static const char *blocked_calls(unsigned int seconds)
{
	static struct blocked b;
	const char *skip;

	memset(&b, 0, sizeof(b));
	b.page_len = (size_t)sysconf(_SC_PAGESIZE);
	b.page = mmap(NULL, b.page_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b.page == MAP_FAILED || pipe(b.ready) || pipe(b.release))
		return "blocked calls: no page or pipe";
	skip = blocked_start_target(&b);
	if (!skip && crew_start(&b.crew, BLOCKED_READERS, blocked_reader, &b))
		skip = blocked_release(&b, seconds < 3 ? 3 : seconds);
	if (b.target.pid > 0)
		target_end(&b.target);
	close(b.ready[0]), close(b.ready[1]), close(b.release[0]), close(b.release[1]);
	munmap(b.page, b.page_len);
	return skip;
}

/* ---- pvmtrace ------------------------------------------------------------ */

struct tracer {
	pid_t pid;
	char out[4096];
	char err[4096];
};

static void tracer_exec(const struct tracer *t, const char *pvmtrace, const char *mode)
{
	int err = open(t->err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int null = open("/dev/null", O_WRONLY);

	dup2(null, STDOUT_FILENO);
	dup2(err, STDERR_FILENO);
	execl(pvmtrace, pvmtrace, "--json", "-o", t->out, "--stats-interval", "0",
	      "-c", CALLER_COMM, "--attach", mode, (char *)NULL);
	_exit(127);
}

static bool file_has(const char *path, const char *text)
{
	char buf[8192] = { 0 };
	FILE *f = fopen(path, "r");
	size_t len;

	if (!f)
		return false;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	return strstr(buf, text) != NULL;
}

static bool tracer_start(struct tracer *t, const char *pvmtrace, const char *mode)
{
	unlink(t->out);
	t->pid = fork();
	if (t->pid == 0)
		tracer_exec(t, pvmtrace, mode);
	for (int waited_ms = 0; t->pid > 0 && waited_ms < 60000; waited_ms += 20) {
		if (file_has(t->err, "pvmtrace: tracing"))
			return true;
		if (waitpid(t->pid, NULL, WNOHANG) == t->pid)
			return false;
		sleep_ms(20);
	}
	return false;
}

static unsigned long peak_rss_kib(pid_t pid)
{
	char path[64], line[256];
	unsigned long kib = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %lu kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

/* SIGINT, then its exit status: -1 when it had to be killed after two minutes. */
static int tracer_stop(const struct tracer *t)
{
	int status;

	kill(t->pid, SIGINT);
	for (int waited_ms = 0; waited_ms < 120000; waited_ms += 20) {
		if (waitpid(t->pid, &status, WNOHANG) == t->pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		sleep_ms(20);
	}
	kill(t->pid, SIGKILL);
	waitpid(t->pid, NULL, 0);
	return -1;
}

/* ---- judging the file ---------------------------------------------------- */

struct counters {
	bool final_seen;
	uint64_t calls, events, ringbuf_drops, inflight_drops, unmatched_enter, unfinished;
	uint64_t received, decode_errors;
};

struct verdict {
	const char *name;
	struct counters c;
	uint64_t event_lines, bad_lines, misattributed, unnamed;
	uint64_t workload_calls;
	unsigned long rss_kib;
	int exit_status;
	char why[512];
};

static json_object *member(json_object *o, const char *key)
{
	json_object *v = NULL;

	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static uint64_t member_u64(json_object *o, const char *key)
{
	return (uint64_t)json_object_get_uint64(member(o, key));
}

static const char *member_str(json_object *o, const char *key)
{
	return json_object_get_string(member(o, key));
}

static void read_final_stats(struct counters *c, json_object *record)
{
	json_object *n = member(record, "counters");

	if (!json_object_get_boolean(member(record, "final")))
		return;
	c->final_seen = true;
	c->calls = member_u64(n, "calls");
	c->events = member_u64(n, "events");
	c->ringbuf_drops = member_u64(n, "ringbuf_drops");
	c->inflight_drops = member_u64(n, "inflight_drops");
	c->unmatched_enter = member_u64(n, "unmatched_enter");
	c->unfinished = member_u64(n, "unfinished");
	c->received = member_u64(n, "received");
	c->decode_errors = member_u64(n, "decode_errors");
}

/* The target's serial the call named, from where its first local iovec starts. */
static bool serial_named(json_object *event, unsigned int *serial)
{
	json_object *first = json_object_array_get_idx(member(event, "local_iov"), 0);
	const char *base = member_str(first, "base");
	uint64_t offset;

	if (!base)
		return false;
	offset = strtoull(base, NULL, 16) - (uintptr_t)identity_area;
	*serial = (unsigned int)offset;
	return offset < IDENTITY_SPAN;
}

static void report_misattribution(struct verdict *v, json_object *event, const char *expected)
{
	if (v->misattributed > EXAMPLES_SHOWN)
		return;
	fprintf(stderr, "stress: %s: misattributed: args.pid %" PRId64 " meant %s, event says "
		"target %s\n", v->name, json_object_get_int64(member(member(event, "args"), "pid")),
		expected, json_object_to_json_string(member(event, "target")));
}

static void judge_target(struct verdict *v, json_object *event)
{
	json_object *target = member(event, "target");
	const char *source = member_str(target, "source");
	int64_t asked = json_object_get_int64(member(member(event, "args"), "pid"));
	unsigned int serial;
	char expected[16];

	if (!target || !source || !strcmp(source, "unresolved"))
		return;
	if (!serial_named(event, &serial)) {
		v->unnamed++;
		return;
	}
	target_name(serial, expected);
	if (json_object_get_int64(member(target, "pid")) == asked &&
	    !strcmp(member_str(target, "comm") ?: "", expected))
		return;
	v->misattributed++;
	report_misattribution(v, event, expected);
}

static void judge_line(struct verdict *v, const char *line)
{
	json_object *record = json_tokener_parse(line);
	const char *kind = member_str(record, "event");

	if (!kind)
		v->bad_lines++;
	else if (!strcmp(kind, "stats"))
		read_final_stats(&v->c, record);
	else if (!strncmp(kind, "process_vm_", 11)) {
		v->event_lines++;
		judge_target(v, record);
	}
	json_object_put(record);
}

/* A missing file fails as a missing final stats record. */
static void judge_file(struct verdict *v, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;

	if (!f)
		return;
	while (getline(&line, &cap, f) > 0)
		judge_line(v, line);
	free(line);
	fclose(f);
}

#define WHY(...) snprintf(v->why, sizeof(v->why), __VA_ARGS__)

static bool accounting_holds(struct verdict *v)
{
	const struct counters *c = &v->c;
	uint64_t accounted = c->events + c->ringbuf_drops + c->inflight_drops +
			     c->unmatched_enter + c->unfinished;

	if (!c->final_seen)
		return WHY("no final stats record"), false;
	if (c->calls != accounted)
		return WHY("calls %" PRIu64 " != events+drops+unfinished %" PRIu64, c->calls,
			   accounted), false;
	if (v->event_lines != c->events || c->received != c->events)
		return WHY("%" PRIu64 " event lines, events %" PRIu64 ", received %" PRIu64,
			   v->event_lines, c->events, c->received), false;
	if (v->workload_calls != c->calls)
		return WHY("the workload made %" PRIu64 " calls, pvmtrace counted %" PRIu64,
			   v->workload_calls, c->calls), false;
	return true;
}

static bool verdict_ok(struct verdict *v)
{
	if (v->exit_status)
		return WHY("pvmtrace exited with %d", v->exit_status), false;
	if (!accounting_holds(v))
		return false;
	if (v->bad_lines || v->unnamed || v->c.decode_errors)
		return WHY("%" PRIu64 " unparsable lines, %" PRIu64 " events without local_iov, "
			   "%" PRIu64 " decode errors", v->bad_lines, v->unnamed,
			   v->c.decode_errors), false;
	if (v->misattributed)
		return WHY("%" PRIu64 " events name another process than the call did",
			   v->misattributed), false;
	if (v->rss_kib == 0 || v->rss_kib >= RSS_LIMIT_KIB)
		return WHY("peak RSS %lu KiB, limit %d KiB", v->rss_kib, RSS_LIMIT_KIB), false;
	return true;
}

static void print_verdict(const struct verdict *v, bool ok)
{
	const struct counters *c = &v->c;

	printf("stress: %s: calls=%" PRIu64 " events=%" PRIu64 " drops=%" PRIu64
	       " (ringbuf=%" PRIu64 " inflight=%" PRIu64 " unmatched_enter=%" PRIu64
	       " unfinished=%" PRIu64 ") misattributed=%" PRIu64 " rss_peak=%lu KiB: %s%s%s%s\n",
	       v->name, c->calls, c->events,
	       c->ringbuf_drops + c->inflight_drops + c->unmatched_enter + c->unfinished,
	       c->ringbuf_drops, c->inflight_drops, c->unmatched_enter, c->unfinished,
	       v->misattributed, v->rss_kib, ok ? "ok" : "FAIL", ok ? "" : " (",
	       ok ? "" : v->why, ok ? "" : ")");
	fflush(stdout);
}

/* ---- running the scenarios ------------------------------------------------ */

struct scenario {
	const char *name;
	const char *mode;
	const char *(*run)(unsigned int seconds);
};

static const struct scenario scenarios[] = {
	{ "flood-1", "tp_btf", flood_1 },
	{ "flood-2", "tp_btf", flood_2 },
	{ "flood-4", "tp_btf", flood_4 },
	{ "killed-targets", "tp_btf", killed_targets },
	{ "pid-reuse", "tp_btf", pid_reuse },
	{ "pid-reuse", "raw_tp", pid_reuse },
	{ "process-storm", "tp_btf", process_storm },
	{ "thread-storm", "tp_btf", thread_storm },
	{ "blocked-calls", "tp_btf", blocked_calls },
};

struct options {
	const char *pvmtrace;
	unsigned int seconds;
	char dir[64];
};

static void reset_workload(void)
{
	atomic_store(&shared->calls, 0);
	atomic_store(&shared->failed_esrch, 0);
}

static bool run_scenario(const struct options *o, const struct scenario *s)
{
	struct verdict v = { 0 };
	struct tracer t = { 0 };
	char name[64];
	const char *skip;
	bool ok;

	snprintf(name, sizeof(name), "%s/%s", s->name, s->mode);
	v.name = name;
	snprintf(t.out, sizeof(t.out), "%s/%s-%s.json", o->dir, s->name, s->mode);
	snprintf(t.err, sizeof(t.err), "%s/%s-%s.err", o->dir, s->name, s->mode);
	reset_workload();
	if (!tracer_start(&t, o->pvmtrace, s->mode)) {
		printf("stress: %s: FAIL (pvmtrace did not start tracing: see %s)\n", name, t.err);
		return false;
	}
	skip = s->run(o->seconds);
	v.workload_calls = atomic_load(&shared->calls);
	v.rss_kib = peak_rss_kib(t.pid);
	v.exit_status = tracer_stop(&t);
	if (skip) {
		printf("skip - %s\n", skip);
		return true;
	}
	judge_file(&v, t.out);
	ok = verdict_ok(&v);
	print_verdict(&v, ok);
	if (ok)
		unlink(t.out), unlink(t.err);
	else
		fprintf(stderr, "stress: %s: kept %s and %s\n", name, t.out, t.err);
	return ok;
}

static bool setup(struct options *o)
{
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		      -1, 0);
	identity_area = mmap(NULL, IDENTITY_SPAN + IDENTITY_LEN, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	snprintf(o->dir, sizeof(o->dir), "/tmp/pvmstress.XXXXXX");
	name_thread("stress");
	return shared != MAP_FAILED && identity_area != MAP_FAILED && mkdtemp(o->dir);
}

static bool parse_options(struct options *o, int argc, char **argv)
{
	const char *seconds = getenv("STRESS_SECONDS");

	o->seconds = seconds ? (unsigned int)strtoul(seconds, NULL, 10) : 5;
	if (argc != 3 || strcmp(argv[1], "--pvmtrace") || o->seconds == 0) {
		fprintf(stderr, "usage: STRESS_SECONDS=N %s --pvmtrace PATH (as root)\n", argv[0]);
		return false;
	}
	o->pvmtrace = argv[2];
	return true;
}

int main(int argc, char **argv)
{
	struct options o;
	unsigned int failed = 0;

	if (!parse_options(&o, argc, argv))
		return 2;
	if (!setup(&o)) {
		perror("stress: setup");
		return 2;
	}
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		failed += !run_scenario(&o, &scenarios[i]);
	if (!failed)
		rmdir(o.dir);
	printf("stress: %u of %zu scenarios failed\n", failed,
	       sizeof(scenarios) / sizeof(scenarios[0]));
	return failed ? 1 : 0;
}
