// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pvmtrace: parse the options, start the sensor, and hand each ring-buffer
 * record to the reader (decode -> enrich -> rules -> output, src/reader)
 * until SIGINT/SIGTERM.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/options.h"
#include "event/clock.h"
#include "output/format.h"
#include "output/metrics_http.h"
#include "reader/reader.h"
#include "replay/replay.h"
#include "sensor/ia32.h"
#include "sensor/sensor.h"

#define POLL_TIMEOUT_MS 50 /* the longest a quiet event waits in the ring */

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t stats_requested;
static volatile sig_atomic_t reopen_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void on_stats_signal(int sig)
{
	(void)sig;
	stats_requested = 1;
}

static void on_reopen_signal(int sig)
{
	(void)sig;
	reopen_requested = 1;
}

/*
 * SA_RESTART: a write blocked on a slow pipe must not fail with EINTR (stdio
 * would drop its buffer). The poll returns on a signal all the same: epoll
 * is never restarted.
 */
static void install_signal_handlers(void)
{
	struct sigaction stop = {.sa_handler = on_stop_signal, .sa_flags = SA_RESTART};
	struct sigaction stats = {.sa_handler = on_stats_signal, .sa_flags = SA_RESTART};
	struct sigaction reopen = {.sa_handler = on_reopen_signal, .sa_flags = SA_RESTART};

	sigaction(SIGINT, &stop, NULL);
	sigaction(SIGTERM, &stop, NULL);
	sigaction(SIGUSR1, &stats, NULL);
	sigaction(SIGHUP, &reopen, NULL);
	/* a closed pipe on stdout is a failed write (EPIPE): counters, then exit 1 */
	signal(SIGPIPE, SIG_IGN);
}

static void print_stats(struct pvm_reader *r, struct pvm_sensor *sensor, bool to_output)
{
	pvm_sensor_counters(sensor, r->stats.kernel);
	pvm_reader_print_stats(r, to_output);
}

/* What of the calls on this kernel the mode cannot see: "" when none. */
static const char *ia32_blind_spot(enum pvm_mode mode, enum pvm_ia32 kernel_ia32)
{
	if (kernel_ia32 == PVM_IA32_NONE)
		return "; this kernel serves no ia32 (32-bit) calls: "
		       "none can be made, no ia32 rule can fire";
	if (!pvm_mode_sees_ia32(mode))
		return "; this mode cannot see ia32 (32-bit int 0x80/sysenter) calls";
	return "";
}

static void announce(const struct pvm_sensor *sensor, enum pvm_ia32 kernel_ia32)
{
	enum pvm_mode mode = pvm_sensor_mode(sensor);

	fprintf(stderr, "pvmtrace: tracing (mode %s%s%s)\n", pvm_mode_name(mode),
		pvm_sensor_targets_in_kernel(sensor) ? "" : "; targets from /proc",
		ia32_blind_spot(mode, kernel_ia32));
}

#define LOSS_WARNING_EVERY_NS (10 * 1000000000ULL)
#define OUTPUT_CHECK_EVERY_NS 1000000000ULL

/* Losses since the last look, and when the next look is due. */
struct loss_watch {
	__u64 next_ns;
	__u64 lost;
};

static void follow_cgroup(struct pvm_sensor *sensor, const char *path)
{
	switch (pvm_sensor_follow_cgroup(sensor, path)) {
	case PVM_CGROUP_GONE:
		fprintf(stderr, "pvmtrace: --cgroup %s is gone: no call passes the filter until it "
				"is made again\n", path);
		break;
	case PVM_CGROUP_FOLLOWED:
		fprintf(stderr, "pvmtrace: --cgroup %s was made again: the filter follows it\n",
			path);
		break;
	case PVM_CGROUP_SAME:
		break;
	}
}

/*
 * -o FILE removed or replaced under us, --cgroup DIR removed or made again:
 * a look each OUTPUT_CHECK_EVERY_NS.
 */
static void look_around(__u64 *next_ns, struct pvm_reader *r, struct pvm_sensor *sensor,
			const char *cgroup_path)
{
	__u64 now = pvm_monotonic_now();

	if (now < *next_ns)
		return;
	*next_ns = now + OUTPUT_CHECK_EVERY_NS;
	pvm_reader_check_output(r);
	if (cgroup_path)
		follow_cgroup(sensor, cgroup_path);
}

static __u64 events_lost(const __u64 kernel[PVM_CNT__MAX])
{
	return kernel[PVM_CNT_RINGBUF_FULL] + kernel[PVM_CNT_INFLIGHT_FULL];
}

/*
 * At most one line each LOSS_WARNING_EVERY_NS, when calls were lost since the
 * last: an operator watching the terminal learns of it while it happens, not
 * from the counters at exit.
 */
static void warn_of_losses(struct loss_watch *w, struct pvm_sensor *sensor)
{
	__u64 now = pvm_monotonic_now(), kernel[PVM_CNT__MAX], lost;

	if (now < w->next_ns)
		return;
	w->next_ns = now + LOSS_WARNING_EVERY_NS;
	pvm_sensor_counters(sensor, kernel);
	lost = events_lost(kernel);
	if (lost > w->lost)
		fprintf(stderr,
			"pvmtrace: %llu calls lost in the last %llu s (ringbuf_drops=%llu "
			"inflight_drops=%llu so far): the reader did not keep up\n",
			(unsigned long long)(lost - w->lost),
			LOSS_WARNING_EVERY_NS / 1000000000ULL,
			(unsigned long long)kernel[PVM_CNT_RINGBUF_FULL],
			(unsigned long long)kernel[PVM_CNT_INFLIGHT_FULL]);
	w->lost = lost;
}

/* --stats-interval: a stats record each `every_ns`, the kernel's counters read then. */
static void record_stats(__u64 *next_ns, __u64 every_ns, struct pvm_reader *r,
			 struct pvm_sensor *sensor)
{
	__u64 now;

	if (!every_ns)
		return;
	now = pvm_monotonic_now();
	if (now < *next_ns)
		return;
	*next_ns = now + every_ns;
	pvm_sensor_counters(sensor, r->stats.kernel);
	pvm_reader_stats_record(r, false);
}

#define METRICS_EVERY_NS 1000000000ULL

/* --metrics: what a scrape shows, published each METRICS_EVERY_NS. */
struct metrics_feed {
	struct pvm_metrics_server *server; /* NULL: no --metrics */
	__u64 next_ns;
	__u64 wall_ns, cpu_ns;		   /* at the last publish */
};

static __u64 thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

/* While tracing, when due; once tracing stopped, the final counters at once. */
static void publish_metrics(struct metrics_feed *f, struct pvm_reader *r,
			    struct pvm_sensor *sensor, bool tracing)
{
	struct pvm_metrics_snapshot s = {.tracing = tracing};
	__u64 now, cpu;

	if (!f->server)
		return;
	now = pvm_monotonic_now();
	if (tracing && now < f->next_ns)
		return;
	cpu = thread_cpu_ns();
	pvm_sensor_counters(sensor, r->stats.kernel);
	pvm_reader_gather_stats(r);
	s.stats = r->stats;
	s.alerts = r->summary;
	if (now > f->wall_ns && f->wall_ns)
		s.reader_busy = (double)(cpu - f->cpu_ns) / (double)(now - f->wall_ns);
	pvm_sensor_ring_fill(sensor, &s.ring_used, &s.ring_size);
	pvm_metrics_publish(f->server, &s);
	f->next_ns = now + METRICS_EVERY_NS;
	f->wall_ns = now;
	f->cpu_ns = cpu;
}

/* Tracing ends on a failure too: the counters go to stderr all the same. */
static enum pvm_exit failed(struct pvm_reader *r, struct pvm_sensor *sensor)
{
	pvm_reader_stop_syslog(r);
	print_stats(r, sensor, false);
	return PVM_EXIT_FAILURE;
}

/* Events that could not be written are lost: then pvmtrace stops. */
static enum pvm_exit trace_loop(struct pvm_reader *r, struct pvm_sensor *sensor,
				__u64 stats_every_ns, struct metrics_feed *metrics,
				const char *cgroup_path)
{
	struct loss_watch losses = {.next_ns = pvm_monotonic_now() + LOSS_WARNING_EVERY_NS};
	__u64 next_output_check = 0, next_stats = pvm_monotonic_now() + stats_every_ns;

	while (!stop_requested) {
		int err = pvm_sensor_poll(sensor, POLL_TIMEOUT_MS);

		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "pvmtrace: ring buffer poll: %s\n", strerror(-err));
			return failed(r, sensor);
		}
		if (!pvm_reader_output_ok(r))
			return failed(r, sensor);
		if (r->sink.wrote && !pvm_sink_flush(&r->sink, false))
			return failed(r, sensor);
		if (stats_requested) {
			stats_requested = 0;
			print_stats(r, sensor, false);
		}
		if (reopen_requested) {
			reopen_requested = 0;
			if (!pvm_reader_reopen_output(r))
				return failed(r, sensor);
			pvm_reader_reload_config(r);
		}
		warn_of_losses(&losses, sensor);
		look_around(&next_output_check, r, sensor, cgroup_path);
		record_stats(&next_stats, stats_every_ns, r, sensor);
		publish_metrics(metrics, r, sensor, true);
	}
	pvm_sensor_stop_and_drain(sensor);
	pvm_reader_stop_syslog(r);
	if (!pvm_sink_flush(&r->sink, true))
		return failed(r, sensor);
	print_stats(r, sensor, true);
	publish_metrics(metrics, r, sensor, false);
	return pvm_sink_flush(&r->sink, true) ? PVM_EXIT_OK : PVM_EXIT_FAILURE;
}

static enum pvm_exit serve_metrics(const char *address, struct metrics_feed *feed)
{
	struct pvm_metrics_address at;
	char err[256];

	if (pvm_metrics_parse_address(address, &at, err, sizeof(err)) == 0)
		feed->server = pvm_metrics_serve(&at, PVMTRACE_VERSION, err, sizeof(err));
	if (feed->server)
		return PVM_EXIT_OK;
	fprintf(stderr, "pvmtrace: --metrics %s: %s\n", address, err);
	return PVM_EXIT_FAILURE;
}

static enum pvm_exit trace(const struct pvm_options *opts)
{
	struct pvm_sensor_config cfg = {
		.mode = opts->mode,
		.filter = opts->filter,
		.cgroup_path = opts->cgroup_path,
		.max_iov = opts->max_iov,
		.capture = opts->capture,
		.store_max = opts->capture_dir ? opts->capture_max : 0,
		.enforce = opts->enforce,
		.verbose = opts->verbose,
	};
	static struct pvm_reader reader; /* its buffers are large for a stack */
	struct metrics_feed metrics = {0};
	struct pvm_reader_config reader_cfg = pvm_reader_config_of(opts);
	struct pvm_sensor *sensor = NULL;
	char ia32_how[128];
	/* before the reader's threads and the sensor's mappings: a cheap fork */
	enum pvm_ia32 kernel_ia32 = pvm_kernel_ia32(ia32_how, sizeof(ia32_how));
	enum pvm_exit status;

	reader_cfg.version = PVMTRACE_VERSION;
	status = pvm_reader_open(&reader, &reader_cfg);
	if (status != PVM_EXIT_OK)
		return status;
	cfg.allow = reader.kernel_allow;
	cfg.n_allow = reader.n_kernel_allow;
	install_signal_handlers();
	/* loading takes seconds: say so at once, unless it cannot even begin */
	status = pvm_sensor_preflight();
	if (status == PVM_EXIT_OK && opts->metrics_address)
		status = serve_metrics(opts->metrics_address, &metrics);
	if (status == PVM_EXIT_OK) {
		fprintf(stderr, "pvmtrace: loading the BPF programs (mode %s)\n",
			pvm_mode_name(cfg.mode));
		status = pvm_sensor_start(&cfg, pvm_reader_record, &reader, &sensor);
	}
	if (status == PVM_EXIT_OK) {
		pvm_reader_table_header(&reader);
		publish_metrics(&metrics, &reader, sensor, true); /* /healthz: 200 from now on */
		announce(sensor, kernel_ia32);
		status = trace_loop(&reader, sensor, opts->stats_interval * 1000000000ULL, &metrics,
				    opts->cgroup_path);
	}
	pvm_metrics_stop(metrics.server);
	pvm_sensor_destroy(sensor);
	pvm_reader_close(&reader);
	return status;
}

static enum pvm_exit list_modes(bool verbose)
{
	enum pvm_exit status = pvm_sensor_preflight();
	bool any = false;
	char ia32_how[128];
	enum pvm_ia32 ia32 = pvm_kernel_ia32(ia32_how, sizeof(ia32_how));

	if (status != PVM_EXIT_OK)
		return status;
	for (size_t i = 0; i < PVM_MODE__COUNT - 1; i++)
		any |= pvm_sensor_mode_works(pvm_mode_preference[i], verbose);
	printf("\nia32 calls: %s (%s)\n", pvm_ia32_name(ia32), ia32_how);
	return any ? PVM_EXIT_OK : PVM_EXIT_MODE;
}

int main(int argc, char **argv)
{
	struct pvm_options opts;

	if (pvm_options_parse(argc, argv, &opts, stderr)) {
		fprintf(stderr, "Try 'pvmtrace --help'.\n");
		return PVM_EXIT_USAGE;
	}
	switch (opts.command) {
	case PVM_CMD_HELP:
		pvm_options_usage(stdout);
		return PVM_EXIT_OK;
	case PVM_CMD_VERSION:
		printf("pvmtrace %s\n", PVMTRACE_VERSION);
		if (!pvm_metrics_library) /* the first line stays the version alone */
			printf("built without --metrics\n");
		return PVM_EXIT_OK;
	case PVM_CMD_LIST_MODES:
		return list_modes(opts.verbose);
	case PVM_CMD_REPLAY:
		return pvm_replay(&opts);
	default:
		return trace(&opts);
	}
}
