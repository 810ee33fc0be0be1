// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "reader/reader.h"

#include <errno.h>
#include <string.h>

#include "event/clock.h"
#include "event/container.h"
#include "event/proc_target.h"
#include "output/format.h"
#include "output/format_ocsf.h"
#include "output/store_payload.h"
#include "rules/kernel_allow.h"

/* JSON or OCSF: lines of JSON; else the table's rows. */
static bool json_lines(const struct pvm_reader_config *cfg)
{
	return cfg->format != PVM_FORMAT_TABLE;
}

/*
 * What the kernel side could not resolve, from /proc: later than the call,
 * and marked so. A process gone by now says nothing of the call, unless the
 * kernel itself answered ESRCH; one that began after the call (its pid taken
 * again meanwhile) is not its target: the target stays unresolved.
 */
static void enrich_target(struct pvm_reader *r, struct pvm_event *ev,
			  struct pvm_target *from_proc, __u64 now_ns)
{
	const struct pvm_record *rec = ev->rec;
	char exe[PVM_EXE_PATH_MAX];

	if (rec->target.source != PVM_TARGET_UNRESOLVED)
		return;
	from_proc->source = pvm_proc_target_memo(&r->proc_target, "/proc", rec->pid, rec->pidns,
						 now_ns, from_proc, exe);
	if (from_proc->source == PVM_TARGET_KERNEL &&
	    !pvm_proc_target_predates(from_proc, rec->start_boot_ns, r->tick_ns))
		return;
	if (from_proc->source == PVM_TARGET_NONE && rec->ret != -ESRCH)
		return; /* gone by now: that says nothing of the call */
	if (from_proc->source != PVM_TARGET_UNRESOLVED) {
		pvm_event_set_target(ev, from_proc, true);
		pvm_exe_display(ev->target_exe, exe, from_proc->exe.path_len, from_proc->exe.flags);
	}
}

/* The container of a target /proc resolved: from the "0::" line of /proc/PID/cgroup. */
static void read_proc_container(__u32 pid, char out[PVM_CONTAINER_ID_LEN + 1])
{
	char path[64], line[4096];
	FILE *f;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%u/cgroup", pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = '\0';
			pvm_container_id(line + 3, out);
			break;
		}
	if (f)
		fclose(f);
}

/* The same process as the last event's target (a flood) is not read again. */
static void proc_container(struct pvm_reader *r, const struct pvm_target *t, char *out)
{
	struct pvm_proc_container *last = &r->last_proc_container;

	if (!last->pid || last->pid != t->pid || last->start_boot_ns != t->start_boot_ns) {
		read_proc_container(t->pid, last->id);
		last->pid = t->pid;
		last->start_boot_ns = t->start_boot_ns;
	}
	memcpy(out, last->id, sizeof(last->id));
}

/* The target's container, as the caller's: by its cgroup id, or from /proc when it came from there. */
static void target_container(struct pvm_reader *r, struct pvm_event *ev, __u64 now_ns)
{
	const struct pvm_target *t = ev->target.t;

	ev->target_container[0] = '\0';
	if (t->source != PVM_TARGET_KERNEL)
		return;
	if (ev->target.from_proc)
		proc_container(r, t, ev->target_container);
	else
		pvm_cgroups_container(&r->cgroups, t->cgroup_id, now_ns, ev->target_container);
}

static void enrich(struct pvm_reader *r, struct pvm_event *ev, struct pvm_target *from_proc,
		   __u64 now_ns)
{
	const struct pvm_target *t;

	enrich_target(r, ev, from_proc, now_ns);
	pvm_cgroups_container(&r->cgroups, ev->rec->cgroup_id, now_ns, ev->caller_container);
	target_container(r, ev, now_ns);
	t = ev->target.t;
	pvm_enrich_regions(&r->enricher, ev, r->regions, t->source == PVM_TARGET_KERNEL ? t->pid : 0);
}

static void bad_record(struct pvm_reader *r, const char *why)
{
	if (r->stats.decode_errors++ == 0)
		fprintf(stderr, "pvmtrace: bad record from the kernel: %s\n", why);
}

/* --capture-dir: a piece of a payload whose call's record comes later. */
static void on_chunk(struct pvm_reader *r, const void *data, size_t size)
{
	const char *why;

	if (!r->storing || pvm_chunk_check(data, size, &why)) {
		bad_record(r, r->storing ? why : "a chunk without --capture-dir");
		return;
	}
	pvm_reassembly_add(&r->chunks, data); /* a refused chunk is counted there */
}

/*
 * The rules over the event. The allowlist may need the caller's ancestors:
 * they are read from /proc only for an event that raised an alert, and the
 * event then shows them (what replay needs to judge it the same way).
 * Returns false when --min-severity drops the event.
 */
static bool judge(struct pvm_reader *r, struct pvm_event *ev, struct pvm_alerts *alerts,
		  __u64 now_ns)
{
	struct pvm_facts facts;

	pvm_facts_from_event(ev, &facts);
	if (pvm_judge_rules(&facts, &r->judge, alerts)) {
		pvm_ancestry_lookup(&r->ancestry, ev, now_ns);
		pvm_facts_ancestors_from_event(ev, &facts);
		pvm_judge_allow(alerts, &facts, &r->allow, &r->judge);
	}
	ev->alerts = alerts;
	pvm_alert_summary_add(&r->summary, alerts);
	return r->cfg.min_severity < 0 || pvm_alerts_at_least(alerts, r->cfg.min_severity);
}

/*
 * The kernel side wrote the record from another CPU: each of its cache lines
 * is a miss here. Asked for all at once, they arrive together instead of
 * one by one as decoding reaches them.
 */
static void prefetch_record(const void *data, size_t size)
{
	for (size_t at = 0; at < size; at += 64)
		__builtin_prefetch((const char *)data + at);
}

/*
 * --rotate-size: at a line's end, the file is written whole and closed,
 * renamed FILE.1 (the older ones shifted), and a new FILE opened. A rename
 * that fails leaves the file where it is, written on (and rotation off
 * until SIGHUP); a new file that cannot be opened ends tracing.
 */
static void rotate_output(struct pvm_reader *r)
{
	const char *path = r->cfg.output_path;

	if (r->rotation_failed)
		return;
	if (!pvm_sink_flush(&r->sink, true)) {
		r->output_failed = true;
		return;
	}
	if (pvm_output_shift(path, r->cfg.rotate_keep, stderr)) {
		fprintf(stderr, "pvmtrace: -o %s: not rotated, written on; SIGHUP tries again\n", path);
		r->rotation_failed = true;
		return;
	}
	pvm_sink_close(&r->sink);
	if (pvm_sink_open(&r->sink, path, json_lines(&r->cfg))) {
		r->output_failed = true;
		return;
	}
	pvm_reader_table_header(r);
}

static void write_event(struct pvm_reader *r, const struct pvm_event *ev)
{
	switch (r->cfg.format) {
	case PVM_FORMAT_JSON:
		pvm_format_json(&r->sink.jw, ev, &r->memos, &r->envelope);
		break;
	case PVM_FORMAT_OCSF:
		pvm_format_ocsf(&r->sink.jw, ev, &r->envelope);
		break;
	case PVM_FORMAT_TABLE:
		pvm_format_table_row(r->sink.out, ev, r->cfg.enforce);
		break;
	}
}

void pvm_reader_record(void *ctx, const void *data, size_t size)
{
	struct pvm_reader *r = ctx;
	struct pvm_alerts alerts;
	struct pvm_target from_proc;
	struct pvm_event ev;
	const char *why;
	__u64 now_ns;

	prefetch_record(data, size);
	if (size >= sizeof(__u16) && *(const __u16 *)data == PVM_REC_CHUNK) {
		on_chunk(r, data, size);
		return;
	}
	r->stats.received++;
	if (pvm_event_decode(data, size, &r->decode, &ev, &why)) {
		bad_record(r, why);
		return;
	}
	if (r->storing)
		pvm_store_payload(&r->chunks, &r->store, &ev, &r->stats);
	now_ns = pvm_monotonic_now(); /* one clock read per event, for the caches' ages */
	enrich(r, &ev, &from_proc, now_ns);
	r->stats.kills += ev.rec->action == PVM_ACTION_KILLED;
	if (!judge(r, &ev, &alerts, now_ns))
		return; /* below --min-severity */
	pvm_syslog_event(r->syslog, &ev); /* NULL without --syslog: nothing */
	if (!r->sink.open) {
		r->unwritten++; /* a rotation could not open the next file: tracing ends */
		return;
	}
	write_event(r, &ev);
	pvm_sink_line(&r->sink);
	if (r->cfg.rotate_size && pvm_sink_size(&r->sink) >= r->cfg.rotate_size)
		rotate_output(r);
}

void pvm_reader_stop_syslog(struct pvm_reader *r)
{
	if (r->syslog)
		pvm_syslog_stop(r->syslog);
}

void pvm_reader_gather_stats(struct pvm_reader *r)
{
	struct pvm_syslog_counts sent = {0};

	r->stats.chunks_dropped = r->chunks.dropped_chunks;
	r->stats.chunk_orphans = r->chunks.orphans;
	if (r->syslog)
		pvm_syslog_counts(r->syslog, &sent);
	r->stats.syslog_sent = sent.sent;
	r->stats.syslog_dropped = sent.dropped;
}

void pvm_reader_stats_record(struct pvm_reader *r, bool final)
{
	if (r->cfg.format != PVM_FORMAT_JSON || !r->sink.open)
		return; /* an OCSF consumer takes OCSF events alone */
	pvm_reader_gather_stats(r);
	pvm_stats_print_json(&r->sink.jw, &r->stats, &r->last_stats_record, pvm_wall_now(), final,
			     &r->envelope);
	pvm_sink_line(&r->sink);
	r->last_stats_record = r->stats;
}

void pvm_reader_print_stats(struct pvm_reader *r, bool to_output)
{
	pvm_reader_gather_stats(r);
	pvm_stats_print_text(stderr, &r->stats);
	pvm_alert_summary_print(stderr, &r->summary);
	if (to_output)
		pvm_reader_stats_record(r, true);
}

/* Room for a few whole payloads at their largest, held until their records come. */
#define REASSEMBLY_CALLS 64
#define REASSEMBLY_PAYLOADS 4

static enum pvm_exit open_capture_dir(struct pvm_reader *r)
{
	size_t held = REASSEMBLY_PAYLOADS * r->cfg.capture_max;
	char err[512];

	if (pvm_capture_store_open(r->cfg.capture_dir, &r->store, err, sizeof(err))) {
		fprintf(stderr, "pvmtrace: --capture-dir %s\n", err);
		return PVM_EXIT_FAILURE;
	}
	if (pvm_reassembly_init(&r->chunks, REASSEMBLY_CALLS,
				held < PVM_REASSEMBLY_DEFAULT_BYTES ? PVM_REASSEMBLY_DEFAULT_BYTES
								    : held)) {
		fprintf(stderr, "pvmtrace: %s\n", strerror(errno));
		pvm_capture_store_close(&r->store);
		return PVM_EXIT_FAILURE;
	}
	r->storing = true;
	return PVM_EXIT_OK;
}

static void close_capture_dir(struct pvm_reader *r)
{
	if (!r->storing)
		return;
	pvm_reassembly_free(&r->chunks);
	pvm_capture_store_close(&r->store);
	r->storing = false;
}

/*
 * --config, or the built-in allowlist, and with --enforce its kernel form
 * into rules[0..*n). Returns 0, or -1 with the reason in err and nothing
 * left to free: a bad file is an error, never skipped.
 */
static int make_allowlist(const struct pvm_reader_config *cfg, struct pvm_allowlist *list,
			  struct pvm_allow_rule *rules, unsigned int *n, char *err, size_t err_len)
{
	const char *path = cfg->allowlist_path;
	int ret = path ? pvm_allowlist_load(list, path, err, err_len)
		       : pvm_allowlist_load_default(list, err, err_len);

	if (!ret && cfg->enforce && pvm_kernel_allowlist(list, rules, n, err, err_len)) {
		pvm_allowlist_free(list);
		ret = -1;
	}
	return ret;
}

static enum pvm_exit load_allowlist(struct pvm_reader *r)
{
	char err[512];

	if (!make_allowlist(&r->cfg, &r->allow, r->kernel_allow, &r->n_kernel_allow, err,
			    sizeof(err)))
		return PVM_EXIT_OK;
	fprintf(stderr, "pvmtrace: %s\n", err);
	return PVM_EXIT_USAGE;
}

/*
 * --enforce: the kernel form made at start went into the BPF program's
 * read-only data, which cannot change while it runs.
 */
static bool kernel_allow_unchanged(const struct pvm_reader *r, const struct pvm_allow_rule *rules,
				   unsigned int n)
{
	return n == r->n_kernel_allow && !memcmp(rules, r->kernel_allow, n * sizeof(*rules));
}

/* --config as the file is now, into `next`: 0, or -1 with the reason in err. */
static int read_config_again(const struct pvm_reader *r, struct pvm_allowlist *next, char *err,
			     size_t err_len)
{
	struct pvm_allow_rule rules[PVM_ALLOW_MAX];
	unsigned int n = 0;

	if (make_allowlist(&r->cfg, next, rules, &n, err, err_len))
		return -1;
	if (!r->cfg.enforce || kernel_allow_unchanged(r, rules, n))
		return 0;
	pvm_allowlist_free(next);
	snprintf(err, err_len,
		 "%s: changes the rules --enforce holds in the kernel, which change only at a "
		 "restart",
		 r->cfg.allowlist_path);
	return -1;
}

/*
 * What was kept from the allowlist being replaced: the judge's verdict points
 * at its entries, and the JSON alerts memo knows an entry by its address,
 * which the new list may reuse for another text.
 */
static void forget_allowlist_results(struct pvm_reader *r)
{
	memset(&r->judge, 0, sizeof(r->judge));
	memset(&r->memos.alerts, 0, sizeof(r->memos.alerts));
}

void pvm_reader_reload_config(struct pvm_reader *r)
{
	struct pvm_allowlist next;
	char err[512];

	if (!r->cfg.allowlist_path)
		return; /* the built-in list is the one in the binary */
	if (read_config_again(r, &next, err, sizeof(err))) {
		r->stats.config_reload_failures++;
		fprintf(stderr, "pvmtrace: %s; kept the allowlist loaded before\n", err);
		return;
	}
	pvm_allowlist_free(&r->allow);
	r->allow = next;
	forget_allowlist_results(r);
	fprintf(stderr, "pvmtrace: %s: reloaded (%zu allow rule%s)\n", r->cfg.allowlist_path,
		r->allow.n, r->allow.n == 1 ? "" : "s");
}

struct pvm_reader_config pvm_reader_config_of(const struct pvm_options *opts)
{
	return (struct pvm_reader_config){
		.format = opts->format,
		.syslog_target = opts->syslog_target,
		.output_path = opts->output_path,
		.allowlist_path = opts->config_path,
		.enforce = opts->enforce != PVM_ENFORCE_OFF,
		.min_severity = opts->min_severity,
		.capture = opts->capture,
		.capture_dir = opts->capture_dir,
		.capture_max = opts->capture_max,
		.rotate_size = opts->rotate_size,
		.rotate_keep = opts->rotate_keep < 0 ? 0 : (unsigned int)opts->rotate_keep,
		.host_name = opts->host_name,
	};
}

static enum pvm_exit open_syslog(struct pvm_reader *r)
{
	struct pvm_syslog_target target;
	char err[256];

	if (pvm_syslog_parse_target(r->cfg.syslog_target, &target, err, sizeof(err)) == 0)
		r->syslog = pvm_syslog_open(&target, r->envelope.host_name, r->envelope.boot_id,
					    err, sizeof(err));
	if (r->syslog)
		return PVM_EXIT_OK;
	fprintf(stderr, "pvmtrace: --syslog %s: %s\n", r->cfg.syslog_target, err);
	return PVM_EXIT_FAILURE;
}

enum pvm_exit pvm_reader_open(struct pvm_reader *r, const struct pvm_reader_config *cfg)
{
	enum pvm_exit status;

	memset(r, 0, sizeof(*r));
	r->cfg = *cfg;
	r->ancestry.proc_root = "/proc";
	r->enricher.proc_root = "/proc";
	r->enricher.maps_memo_ns = PVM_PROC_TARGET_MEMO_NS;
	status = load_allowlist(r);
	if (status != PVM_EXIT_OK)
		return status;
	if (cfg->capture_dir && open_capture_dir(r) != PVM_EXIT_OK) {
		pvm_allowlist_free(&r->allow);
		return PVM_EXIT_FAILURE;
	}
	if (pvm_sink_open(&r->sink, cfg->output_path, json_lines(cfg))) {
		close_capture_dir(r);
		pvm_allowlist_free(&r->allow);
		return PVM_EXIT_FAILURE;
	}
	pvm_envelope_init(&r->envelope, cfg->host_name, PVM_BOOT_ID_PATH, cfg->version);
	if (cfg->syslog_target && open_syslog(r) != PVM_EXIT_OK) {
		pvm_reader_close(r);
		return PVM_EXIT_FAILURE;
	}
	r->decode.boot_to_wall_ns = pvm_boot_to_wall_offset();
	r->tick_ns = pvm_proc_tick_ns();
	r->decode.capture = cfg->capture;
	pvm_cgroups_init(&r->cgroups, "/proc/self/mountinfo");
	return PVM_EXIT_OK;
}

bool pvm_reader_reopen_output(struct pvm_reader *r)
{
	bool flushed;

	if (!r->cfg.output_path)
		return true;
	flushed = pvm_sink_flush(&r->sink, true);
	pvm_sink_close(&r->sink);
	if (!flushed || pvm_sink_open(&r->sink, r->cfg.output_path, json_lines(&r->cfg)))
		return false;
	r->rotation_failed = false;
	r->moved_seen = 0;
	pvm_reader_table_header(r);
	return true;
}

void pvm_reader_table_header(struct pvm_reader *r)
{
	if (json_lines(&r->cfg))
		return;
	pvm_format_table_header(r->sink.out, r->cfg.enforce);
	pvm_sink_line(&r->sink);
}

bool pvm_reader_output_ok(struct pvm_reader *r)
{
	if (!r->output_failed)
		return true;
	if (r->unwritten)
		fprintf(stderr, "pvmtrace: %llu events not written: no output file to write them to\n",
			r->unwritten);
	return false;
}

/*
 * Twice in a row, a check apart: logrotate renames the file a moment
 * before its SIGHUP, and that moment is not worth a warning.
 */
void pvm_reader_check_output(struct pvm_reader *r)
{
	const char *what = r->cfg.output_path ? pvm_sink_moved(&r->sink, r->cfg.output_path) : NULL;

	if (!what) {
		r->moved_seen = 0;
		return;
	}
	if (++r->moved_seen == 2)
		fprintf(stderr, "pvmtrace: -o %s %s; SIGHUP%s reopens it\n", r->cfg.output_path,
			what, r->cfg.rotate_size ? " or the next rotation" : "");
}

void pvm_reader_close(struct pvm_reader *r)
{
	pvm_proc_target_memo_clear(&r->proc_target);
	pvm_syslog_close(r->syslog);
	r->syslog = NULL;
	pvm_sink_close(&r->sink);
	pvm_cgroups_free(&r->cgroups);
	close_capture_dir(r);
	pvm_allowlist_free(&r->allow);
}
