// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "reader/reader.h"

#include <errno.h>
#include <stdio_ext.h>
#include <string.h>

#include "event/clock.h"
#include "event/proc_target.h"
#include "output/format.h"
#include "output/store_payload.h"
#include "rules/kernel_allow.h"

#define OUTPUT_BUFFER_SIZE (256 * 1024)
#define TRIM_EVERY 1024 /* events between two looks at the output's end (a syscall) */

/*
 * JSON lines gather here, in the JSON writer's buffer, and go out a write(2)
 * per buffer through an unbuffered FILE: copied through stdio's buffer too,
 * a line cost a twentieth more. The table's rows go through stdio, with this
 * as its buffer: static, stdout may still be flushed from it at exit; and
 * given, since glibc ignores setvbuf's size when the buffer is NULL and then
 * writes st_blksize (4 KiB) at a time, a write(2) per few events.
 */
static char output_buffer[OUTPUT_BUFFER_SIZE];

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
	pvm_enrich_regions(ev, r->regions, t->source == PVM_TARGET_KERNEL ? t->pid : 0, "/proc");
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
	return r->opts->min_severity < 0 || pvm_alerts_at_least(alerts, r->opts->min_severity);
}

/* What reached the file: ftello() counts what stdio still holds too. */
static void trim_output(struct pvm_reader *r)
{
	off_t end;

	r->since_trim = 0;
	if (!r->trim.running || (end = ftello(r->out)) < 0)
		return;
	pvm_output_trimmer_reach(&r->trim, (unsigned long long)end - __fpending(r->out));
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
	if (r->opts->json)
		pvm_format_json(&r->jw, &ev, &r->memos);
	else
		pvm_format_table_row(r->out, &ev);
	r->wrote = true;
	if (++r->since_trim == TRIM_EVERY)
		trim_output(r);
}

static char *hand_direct(void *ctx, char *buf, size_t *len)
{
	return pvm_direct_out_hand(ctx, buf, len);
}

/* A failed write is seen at the next flush that finds the thread done. */
static int flush_direct(struct pvm_reader *r, bool wait)
{
	int err;

	if (!wait && pvm_direct_out_busy(&r->direct_out))
		return 0;
	err = pvm_direct_out_wait(&r->direct_out); /* not busy: at once */
	if (err)
		return err;
	r->wrote = false;
	jw_flush(&r->jw);
	return wait ? pvm_direct_out_wait(&r->direct_out) : 0;
}

/* Events that could not be written are lost: say so. */
bool pvm_reader_flush(struct pvm_reader *r, bool wait)
{
	int err = 0;

	if (r->direct) {
		err = -flush_direct(r, wait);
	} else {
		r->wrote = false;
		errno = 0; /* an error stream's errno may be long gone: EIO then */
		jw_flush(&r->jw);
		if (fflush(r->out) || ferror(r->out))
			err = errno ? errno : EIO;
	}
	if (!err)
		return true;
	fprintf(stderr, "pvmtrace: writing events failed: %s\n", strerror(err));
	return false;
}

void pvm_reader_print_stats(struct pvm_reader *r, bool to_output)
{
	r->stats.chunks_dropped = r->chunks.dropped_chunks;
	r->stats.chunk_orphans = r->chunks.orphans;
	pvm_stats_print_text(stderr, &r->stats);
	pvm_alert_summary_print(stderr, &r->summary);
	if (to_output && r->opts->json)
		pvm_stats_print_json(&r->jw, &r->stats, pvm_wall_now());
}

/* Room for a few whole payloads at their largest, held until their records come. */
#define REASSEMBLY_CALLS 64
#define REASSEMBLY_PAYLOADS 4

static enum pvm_exit open_capture_dir(struct pvm_reader *r, const struct pvm_options *opts)
{
	size_t held = REASSEMBLY_PAYLOADS * opts->capture_max;
	char err[512];

	if (pvm_capture_store_open(opts->capture_dir, &r->store, err, sizeof(err))) {
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
static enum pvm_exit load_allowlist(struct pvm_reader *r, const struct pvm_options *opts)
{
	const char *path = opts->config_path;
	char err[512];
	int ret = path ? pvm_allowlist_load(&r->allow, path, err, sizeof(err))
		       : pvm_allowlist_load_default(&r->allow, err, sizeof(err));

	if (!ret && opts->enforce &&
	    pvm_kernel_allowlist(&r->allow, r->kernel_allow, &r->n_kernel_allow, err, sizeof(err))) {
		pvm_allowlist_free(&r->allow);
		ret = -1;
	}
	if (!ret)
		return PVM_EXIT_OK;
	fprintf(stderr, "pvmtrace: %s\n", err);
	return PVM_EXIT_USAGE;
}

/*
 * JSON to -o FILE: direct (direct_out.h) where the file system can; else,
 * and to standard output, through r->out, with its pages trimmed behind it.
 */
static void open_writer(struct pvm_reader *r)
{
	size_t len;
	char *buf;

	if (r->opts->json && r->opts->output_path &&
	    pvm_direct_out_open(&r->direct_out, fileno(r->out), PVM_DIRECT_BUFFER_SIZE) == 0) {
		r->direct = true;
		buf = pvm_direct_out_first(&r->direct_out, &len);
		jw_init_handing(&r->jw, buf, len, PVM_DIRECT_BUFFER_SIZE, hand_direct, &r->direct_out);
		return;
	}
	if (r->opts->json) {
		setvbuf(r->out, NULL, _IONBF, 0);
		jw_init_buffer(&r->jw, r->out, output_buffer, sizeof(output_buffer));
	} else {
		setvbuf(r->out, output_buffer, _IOFBF, sizeof(output_buffer));
		jw_init(&r->jw, r->out);
	}
	pvm_output_trimmer_start(&r->trim, fileno(r->out), PVM_OUTPUT_TRIM_WINDOW);
}

enum pvm_exit pvm_reader_open(struct pvm_reader *r, const struct pvm_options *opts)
{
	enum pvm_exit status;

	memset(r, 0, sizeof(*r));
	r->opts = opts;
	r->out = stdout;
	r->ancestry.proc_root = "/proc";
	status = load_allowlist(r, opts);
	if (status != PVM_EXIT_OK)
		return status;
	if (opts->capture_dir && open_capture_dir(r, opts) != PVM_EXIT_OK) {
		pvm_allowlist_free(&r->allow);
		return PVM_EXIT_FAILURE;
	}
	if (opts->output_path && !(r->out = pvm_output_open(opts->output_path, stderr))) {
		close_capture_dir(r);
		pvm_allowlist_free(&r->allow);
		return PVM_EXIT_FAILURE;
	}
	open_writer(r);
	r->decode.boot_to_wall_ns = pvm_boot_to_wall_offset();
	r->decode.capture = opts->capture;
	pvm_cgroups_init(&r->cgroups, "/proc/self/mountinfo");
	return PVM_EXIT_OK;
}

void pvm_reader_close(struct pvm_reader *r)
{
	/* lines still in the writer's buffer when tracing ended on an error */
	jw_flush(&r->jw);
	if (r->direct)
		pvm_direct_out_close(&r->direct_out);
	pvm_output_trimmer_stop(&r->trim);
	pvm_cgroups_free(&r->cgroups);
	close_capture_dir(r);
	pvm_allowlist_free(&r->allow);
	if (r->out != stdout)
		fclose(r->out);
}
