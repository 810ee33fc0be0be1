// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "reader/reader.h"

#include <errno.h>
#include <string.h>

#include "event/clock.h"
#include "event/proc_target.h"
#include "output/format.h"
#include "output/store_payload.h"
#include "rules/kernel_allow.h"

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

static void enrich(struct pvm_reader *r, struct pvm_event *ev, struct pvm_target *from_proc,
		   __u64 now_ns)
{
	const struct pvm_target *t;

	enrich_target(ev, from_proc);
	pvm_cgroups_container(&r->cgroups, ev->rec->cgroup_id, now_ns, ev->caller_container);
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
	if (!judge(r, &ev, &alerts, now_ns))
		return; /* below --min-severity */
	if (r->cfg.json)
		pvm_format_json(&r->sink.jw, &ev, &r->memos);
	else
		pvm_format_table_row(r->sink.out, &ev, r->cfg.enforce);
	pvm_sink_line(&r->sink);
}

void pvm_reader_print_stats(struct pvm_reader *r, bool to_output)
{
	r->stats.chunks_dropped = r->chunks.dropped_chunks;
	r->stats.chunk_orphans = r->chunks.orphans;
	pvm_stats_print_text(stderr, &r->stats);
	pvm_alert_summary_print(stderr, &r->summary);
	if (to_output && r->cfg.json)
		pvm_stats_print_json(&r->sink.jw, &r->stats, pvm_wall_now());
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
 * --config, or the built-in allowlist, and its kernel form for --enforce; a
 * bad file is an error, never skipped.
 */
static enum pvm_exit load_allowlist(struct pvm_reader *r)
{
	const char *path = r->cfg.allowlist_path;
	char err[512];
	int ret = path ? pvm_allowlist_load(&r->allow, path, err, sizeof(err))
		       : pvm_allowlist_load_default(&r->allow, err, sizeof(err));

	if (!ret && r->cfg.enforce &&
	    pvm_kernel_allowlist(&r->allow, r->kernel_allow, &r->n_kernel_allow, err, sizeof(err))) {
		pvm_allowlist_free(&r->allow);
		ret = -1;
	}
	if (!ret)
		return PVM_EXIT_OK;
	fprintf(stderr, "pvmtrace: %s\n", err);
	return PVM_EXIT_USAGE;
}

struct pvm_reader_config pvm_reader_config_of(const struct pvm_options *opts)
{
	return (struct pvm_reader_config){
		.json = opts->json,
		.output_path = opts->output_path,
		.allowlist_path = opts->config_path,
		.enforce = opts->enforce != PVM_ENFORCE_OFF,
		.min_severity = opts->min_severity,
		.capture = opts->capture,
		.capture_dir = opts->capture_dir,
		.capture_max = opts->capture_max,
	};
}

enum pvm_exit pvm_reader_open(struct pvm_reader *r, const struct pvm_reader_config *cfg)
{
	enum pvm_exit status;

	memset(r, 0, sizeof(*r));
	r->cfg = *cfg;
	r->ancestry.proc_root = "/proc";
	r->enricher.proc_root = "/proc";
	status = load_allowlist(r);
	if (status != PVM_EXIT_OK)
		return status;
	if (cfg->capture_dir && open_capture_dir(r) != PVM_EXIT_OK) {
		pvm_allowlist_free(&r->allow);
		return PVM_EXIT_FAILURE;
	}
	if (pvm_sink_open(&r->sink, cfg->output_path, cfg->json)) {
		close_capture_dir(r);
		pvm_allowlist_free(&r->allow);
		return PVM_EXIT_FAILURE;
	}
	r->decode.boot_to_wall_ns = pvm_boot_to_wall_offset();
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
	if (!flushed || pvm_sink_open(&r->sink, r->cfg.output_path, r->cfg.json))
		return false;
	if (!r->cfg.json)
		pvm_format_table_header(r->sink.out, r->cfg.enforce);
	return true;
}

void pvm_reader_close(struct pvm_reader *r)
{
	pvm_sink_close(&r->sink);
	pvm_cgroups_free(&r->cgroups);
	close_capture_dir(r);
	pvm_allowlist_free(&r->allow);
}
