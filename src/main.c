// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pvmtrace: parse the options, start the sensor, and run each ring-buffer
 * record through decode -> format -> output until SIGINT/SIGTERM.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "event/ancestry.h"
#include "event/cgroups.h"
#include "event/clock.h"
#include "event/event.h"
#include "event/proc_target.h"
#include "event/reassembly.h"
#include "event/regions.h"
#include "output/format.h"
#include "output/json_writer.h"
#include "output/output_file.h"
#include "output/stats.h"
#include "output/store_payload.h"
#include "replay/replay.h"
#include "rules/kernel_allow.h"
#include "rules/rules.h"
#include "sensor/sensor.h"

#ifndef PVMTRACE_VERSION
#define PVMTRACE_VERSION "0.1.0"
#endif

#define POLL_TIMEOUT_MS 50 /* the longest a quiet event waits in the ring */
#define OUTPUT_BUFFER_SIZE (256 * 1024)
#define TRIM_EVERY 1024 /* events between two looks at the output's end (a syscall) */

/*
 * Static: stdout may still be flushed from it at exit. And given, not
 * allocated by stdio: glibc ignores setvbuf's size when the buffer is NULL and
 * then writes st_blksize (4 KiB) at a time, a write(2) per few events.
 */
static char output_buffer[OUTPUT_BUFFER_SIZE];

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t stats_requested;

struct app {
	const struct pvm_options *opts;
	FILE *out;
	struct json_writer jw;
	struct pvm_output_trim trim;
	unsigned int since_trim; /* events written since the last trim */
	struct pvm_decode_config decode;
	struct pvm_stats stats;
	bool wrote;		/* events written since the last flush */
	struct pvm_region_view regions[PVM_REGIONS_MAX]; /* of the event at hand */
	struct pvm_cgroups cgroups;
	/* the rules */
	struct pvm_allowlist allow;
	struct pvm_alert_summary summary;
	struct pvm_ancestry_cache ancestry;
	/* --capture-dir */
	bool storing;
	struct pvm_reassembly chunks;
	struct pvm_capture_store store;
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
	char exe[PVM_EXE_PATH_MAX];

	if (r->target.source != PVM_TARGET_UNRESOLVED)
		return;
	from_proc->source = pvm_proc_target("/proc", r->pid, r->pidns, from_proc, exe);
	if (from_proc->source == PVM_TARGET_NONE && r->ret != -ESRCH)
		return; /* gone by now: that says nothing of the call */
	if (from_proc->source != PVM_TARGET_UNRESOLVED) {
		pvm_event_set_target(ev, from_proc, true);
		pvm_exe_display(ev->target_exe, exe, from_proc->exe.path_len, from_proc->exe.flags);
	}
}

static void enrich(struct app *app, struct pvm_event *ev, struct pvm_target *from_proc,
		   __u64 now_ns)
{
	const struct pvm_target *t;

	enrich_target(ev, from_proc);
	pvm_cgroups_container(&app->cgroups, ev->rec->cgroup_id, now_ns, ev->caller_container);
	t = ev->target.t;
	pvm_enrich_regions(ev, app->regions, t->source == PVM_TARGET_KERNEL ? t->pid : 0, "/proc");
}

static void bad_record(struct app *app, const char *why)
{
	if (app->stats.decode_errors++ == 0)
		fprintf(stderr, "pvmtrace: bad record from the kernel: %s\n", why);
}

/* --capture-dir: a piece of a payload whose call's record comes later. */
static void on_chunk(struct app *app, const void *data, size_t size)
{
	const char *why;

	if (!app->storing || pvm_chunk_check(data, size, &why)) {
		bad_record(app, app->storing ? why : "a chunk without --capture-dir");
		return;
	}
	pvm_reassembly_add(&app->chunks, data); /* a refused chunk is counted there */
}

/*
 * The rules over the event. The allowlist may need the caller's ancestors:
 * they are read from /proc only for an event that raised an alert, and the
 * event then shows them (what replay needs to judge it the same way).
 * Returns false when --min-severity drops the event.
 */
static bool judge(struct app *app, struct pvm_event *ev, struct pvm_alerts *alerts, __u64 now_ns)
{
	struct pvm_facts facts;

	pvm_facts_from_event(ev, &facts);
	if (pvm_rules_eval(&facts, NULL, alerts)) {
		pvm_ancestry_lookup(&app->ancestry, ev, now_ns);
		pvm_facts_ancestors_from_event(ev, &facts);
		pvm_alerts_allow(alerts, &facts, &app->allow);
	}
	ev->alerts = alerts;
	pvm_alert_summary_add(&app->summary, alerts);
	return app->opts->min_severity < 0 || pvm_alerts_at_least(alerts, app->opts->min_severity);
}

/* What reached the file: ftello() counts what stdio still holds too. */
static void trim_output(struct app *app)
{
	off_t end;

	app->since_trim = 0;
	if (app->trim.fd < 0 || (end = ftello(app->out)) < 0)
		return;
	pvm_output_trim(&app->trim, (unsigned long long)end - __fpending(app->out));
}

static void on_record(void *ctx, const void *data, size_t size)
{
	struct app *app = ctx;
	struct pvm_alerts alerts;
	struct pvm_target from_proc;
	struct pvm_event ev;
	const char *why;
	__u64 now_ns;

	if (size >= sizeof(__u16) && *(const __u16 *)data == PVM_REC_CHUNK) {
		on_chunk(app, data, size);
		return;
	}
	app->stats.received++;
	if (pvm_event_decode(data, size, &app->decode, &ev, &why)) {
		bad_record(app, why);
		return;
	}
	if (app->storing)
		pvm_store_payload(&app->chunks, &app->store, &ev, &app->stats);
	now_ns = pvm_monotonic_now(); /* one clock read per event, for the caches' ages */
	enrich(app, &ev, &from_proc, now_ns);
	if (!judge(app, &ev, &alerts, now_ns))
		return; /* below --min-severity */
	if (app->opts->json)
		pvm_format_json(&app->jw, &ev);
	else
		pvm_format_table_row(app->out, &ev);
	app->wrote = true;
	if (++app->since_trim == TRIM_EVERY)
		trim_output(app);
}

static void print_stats(struct app *app, struct pvm_sensor *sensor, bool to_stream)
{
	pvm_sensor_counters(sensor, app->stats.kernel);
	app->stats.chunks_dropped = app->chunks.dropped_chunks;
	app->stats.chunk_orphans = app->chunks.orphans;
	pvm_stats_print_text(stderr, &app->stats);
	pvm_alert_summary_print(stderr, &app->summary);
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

/* Room for a few whole payloads at their largest, held until their records come. */
#define REASSEMBLY_CALLS 64
#define REASSEMBLY_PAYLOADS 4

static enum pvm_exit open_capture_dir(struct app *app, const struct pvm_options *opts)
{
	size_t held = REASSEMBLY_PAYLOADS * opts->capture_max;
	char err[512];

	if (pvm_capture_store_open(opts->capture_dir, &app->store, err, sizeof(err))) {
		fprintf(stderr, "pvmtrace: --capture-dir %s\n", err);
		return PVM_EXIT_FAILURE;
	}
	if (pvm_reassembly_init(&app->chunks, REASSEMBLY_CALLS,
				held < PVM_REASSEMBLY_DEFAULT_BYTES ? PVM_REASSEMBLY_DEFAULT_BYTES
								    : held)) {
		fprintf(stderr, "pvmtrace: %s\n", strerror(errno));
		pvm_capture_store_close(&app->store);
		return PVM_EXIT_FAILURE;
	}
	app->storing = true;
	return PVM_EXIT_OK;
}

static void close_capture_dir(struct app *app)
{
	if (!app->storing)
		return;
	pvm_reassembly_free(&app->chunks);
	pvm_capture_store_close(&app->store);
	app->storing = false;
}

/* --config, or the built-in allowlist; a bad file is an error, never skipped. */
static enum pvm_exit load_allowlist(struct pvm_allowlist *allow, const char *path)
{
	char err[512];
	int ret = path ? pvm_allowlist_load(allow, path, err, sizeof(err))
		       : pvm_allowlist_load_default(allow, err, sizeof(err));

	if (!ret)
		return PVM_EXIT_OK;
	fprintf(stderr, "pvmtrace: %s\n", err);
	return PVM_EXIT_USAGE;
}

/* --enforce: the allowlist by device and inode, for the kernel side. */
static enum pvm_exit kernel_allowlist(const struct pvm_allowlist *allow,
				      struct pvm_allow_rule rules[PVM_ALLOW_MAX], unsigned int *n)
{
	char err[512];

	if (!pvm_kernel_allowlist(allow, rules, n, err, sizeof(err)))
		return PVM_EXIT_OK;
	fprintf(stderr, "pvmtrace: %s\n", err);
	return PVM_EXIT_USAGE;
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
	struct app app = {.opts = opts, .out = stdout, .ancestry.proc_root = "/proc"};
	struct pvm_allow_rule allow_rules[PVM_ALLOW_MAX];
	struct pvm_sensor *sensor = NULL;
	enum pvm_exit status;

	status = load_allowlist(&app.allow, opts->config_path);
	if (status == PVM_EXIT_OK && opts->enforce)
		status = kernel_allowlist(&app.allow, allow_rules, &cfg.n_allow);
	if (status != PVM_EXIT_OK) {
		pvm_allowlist_free(&app.allow);
		return status;
	}
	cfg.allow = allow_rules;

	if (opts->capture_dir && open_capture_dir(&app, opts) != PVM_EXIT_OK) {
		pvm_allowlist_free(&app.allow);
		return PVM_EXIT_FAILURE;
	}
	if (opts->output_path && !(app.out = pvm_output_open(opts->output_path, stderr))) {
		close_capture_dir(&app);
		pvm_allowlist_free(&app.allow);
		return PVM_EXIT_FAILURE;
	}
	setvbuf(app.out, output_buffer, _IOFBF, sizeof(output_buffer));
	pvm_output_trim_init(&app.trim, fileno(app.out), PVM_OUTPUT_TRIM_WINDOW);
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
	close_capture_dir(&app);
	pvm_allowlist_free(&app.allow);
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
	case PVM_CMD_REPLAY:
		return pvm_replay(&opts);
	default:
		return trace(&opts);
	}
}
