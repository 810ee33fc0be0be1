// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pvmtrace: parse the options, start the sensor, and run each ring-buffer
 * record through decode -> format -> output until SIGINT/SIGTERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/options.h"
#include "event/cgroups.h"
#include "event/clock.h"
#include "event/event.h"
#include "event/proc_target.h"
#include "event/regions.h"
#include "output/format.h"
#include "output/json_writer.h"
#include "output/stats.h"
#include "sensor/sensor.h"

#ifndef PVMTRACE_VERSION
#define PVMTRACE_VERSION "0.1.0"
#endif

#define POLL_TIMEOUT_MS 50 /* the longest a quiet event waits in the ring */
#define OUTPUT_BUFFER_SIZE (256 * 1024)

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t stats_requested;

struct app {
	const struct pvm_options *opts;
	FILE *out;
	struct json_writer jw;
	struct pvm_decode_config decode;
	struct pvm_stats stats;
	bool wrote;		/* events written since the last flush */
	struct pvm_region_view regions[PVM_REGIONS_MAX]; /* of the event at hand */
	struct pvm_cgroups cgroups;
};

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

/*
 * SA_RESTART: a write blocked on a slow pipe must not fail with EINTR (stdio
 * would drop its buffer). The poll returns on a signal all the same: epoll
 * is never restarted.
 */
static void install_signal_handlers(void)
{
	struct sigaction stop = {.sa_handler = on_stop_signal, .sa_flags = SA_RESTART};
	struct sigaction stats = {.sa_handler = on_stats_signal, .sa_flags = SA_RESTART};

	sigaction(SIGINT, &stop, NULL);
	sigaction(SIGTERM, &stop, NULL);
	sigaction(SIGUSR1, &stats, NULL);
}

/*
 * What the kernel side could not resolve, from /proc: later than the call,
 * and marked so. A process gone by now says nothing of the call, unless the
 * kernel itself answered ESRCH.
 */
static void enrich_target(struct pvm_event *ev, struct pvm_target *from_proc)
{
	const struct pvm_record *r = ev->rec;

	if (r->target.source != PVM_TARGET_UNRESOLVED)
		return;
	from_proc->source = pvm_proc_target("/proc", r->pid, r->pidns, from_proc);
	if (from_proc->source == PVM_TARGET_NONE && r->ret != -ESRCH)
		return; /* gone by now: that says nothing of the call */
	if (from_proc->source != PVM_TARGET_UNRESOLVED)
		pvm_event_set_target(ev, from_proc, true);
}

static void enrich(struct app *app, struct pvm_event *ev, struct pvm_target *from_proc)
{
	const struct pvm_target *t;

	enrich_target(ev, from_proc);
	pvm_cgroups_container(&app->cgroups, ev->rec->cgroup_id, pvm_monotonic_now(),
			      ev->caller_container);
	t = ev->target.t;
	pvm_enrich_regions(ev, app->regions, t->source == PVM_TARGET_KERNEL ? t->pid : 0, "/proc");
}

static void on_record(void *ctx, const void *data, size_t size)
{
	struct app *app = ctx;
	struct pvm_target from_proc;
	struct pvm_event ev;
	const char *why;

	app->stats.received++;
	if (pvm_event_decode(data, size, &app->decode, &ev, &why)) {
		if (app->stats.decode_errors++ == 0)
			fprintf(stderr, "pvmtrace: bad record from the kernel: %s\n", why);
		return;
	}
	enrich(app, &ev, &from_proc);
	if (app->opts->json)
		pvm_format_json(&app->jw, &ev);
	else
		pvm_format_table_row(app->out, &ev);
	app->wrote = true;
}

/*
 * -o: append, create 0600, never through a symlink; and only to a regular
 * file of ours, so that nobody else's file (or a FIFO someone reads) gets the
 * events.
 */
static FILE *open_output(const char *path)
{
	/* O_NONBLOCK: a FIFO must not hold us up before it can be refused */
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK,
		      0600);
	struct stat st;
	FILE *f;

	if (fd < 0) {
		fprintf(stderr, "pvmtrace: -o %s: %s\n", path,
			errno == ELOOP ? "is a symbolic link, refused" : strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || st.st_nlink != 1) {
		fprintf(stderr, "pvmtrace: -o %s: not a regular file of ours with one link, refused\n",
			path);
		close(fd);
		return NULL;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	f = fdopen(fd, "a");
	if (!f) {
		fprintf(stderr, "pvmtrace: -o %s: %s\n", path, strerror(errno));
		close(fd);
	}
	return f;
}

static void print_stats(struct app *app, struct pvm_sensor *sensor, bool to_stream)
{
	pvm_sensor_counters(sensor, app->stats.kernel);
	pvm_stats_print_text(stderr, &app->stats);
	if (to_stream && app->opts->json)
		pvm_stats_print_json(&app->jw, &app->stats, pvm_wall_now());
}

static void announce(const struct pvm_sensor *sensor)
{
	enum pvm_mode mode = pvm_sensor_mode(sensor);

	fprintf(stderr, "pvmtrace: tracing (mode %s%s%s)\n", pvm_mode_name(mode),
		pvm_sensor_targets_in_kernel(sensor) ? "" : "; targets from /proc",
		pvm_mode_sees_ia32(mode) ? ""
					 : "; this mode cannot see ia32 (32-bit int 0x80/sysenter) calls");
}

/* Events that could not be written are lost: say so, and stop. */
static bool flush_output(struct app *app)
{
	if (fflush(app->out) == 0 && !ferror(app->out))
		return true;
	fprintf(stderr, "pvmtrace: writing events failed: %s\n", strerror(errno));
	return false;
}

static enum pvm_exit trace_loop(struct app *app, struct pvm_sensor *sensor)
{
	while (!stop_requested) {
		int err = pvm_sensor_poll(sensor, POLL_TIMEOUT_MS);

		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "pvmtrace: ring buffer poll: %s\n", strerror(-err));
			return PVM_EXIT_FAILURE;
		}
		if (app->wrote) {
			if (!flush_output(app))
				return PVM_EXIT_FAILURE;
			app->wrote = false;
		}
		if (stats_requested) {
			stats_requested = 0;
			print_stats(app, sensor, false);
		}
	}
	pvm_sensor_stop_and_drain(sensor);
	if (!flush_output(app))
		return PVM_EXIT_FAILURE;
	print_stats(app, sensor, true);
	return flush_output(app) ? PVM_EXIT_OK : PVM_EXIT_FAILURE;
}

static enum pvm_exit trace(const struct pvm_options *opts)
{
	struct pvm_sensor_config cfg = {
		.mode = opts->mode,
		.filter = opts->filter,
		.cgroup_path = opts->cgroup_path,
		.max_iov = opts->max_iov,
		.capture = opts->capture,
		.verbose = opts->verbose,
	};
	struct app app = {.opts = opts, .out = stdout};
	struct pvm_sensor *sensor = NULL;
	enum pvm_exit status;

	if (opts->output_path && !(app.out = open_output(opts->output_path)))
		return PVM_EXIT_FAILURE;
	setvbuf(app.out, NULL, _IOFBF, OUTPUT_BUFFER_SIZE);
	jw_init(&app.jw, app.out);
	app.decode.boot_to_wall_ns = pvm_boot_to_wall_offset();
	pvm_cgroups_init(&app.cgroups, "/proc/self/mountinfo");
	app.decode.capture = opts->capture;
	install_signal_handlers();

	status = pvm_sensor_start(&cfg, on_record, &app, &sensor);
	if (status == PVM_EXIT_OK) {
		if (!opts->json)
			pvm_format_table_header(app.out);
		announce(sensor);
		status = trace_loop(&app, sensor);
	}
	pvm_sensor_destroy(sensor);
	pvm_cgroups_free(&app.cgroups);
	if (app.out != stdout)
		fclose(app.out);
	return status;
}

static enum pvm_exit list_modes(bool verbose)
{
	enum pvm_exit status = pvm_sensor_preflight();
	bool any = false;

	if (status != PVM_EXIT_OK)
		return status;
	for (size_t i = 0; i < PVM_MODE__COUNT - 1; i++)
		any |= pvm_sensor_mode_works(pvm_mode_preference[i], verbose);
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
		return PVM_EXIT_OK;
	case PVM_CMD_LIST_MODES:
		return list_modes(opts.verbose);
	default:
		return trace(&opts);
	}
}
