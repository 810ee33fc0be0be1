/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The user-space half of the data flow: each ring-buffer record through
 * decode -> enrich -> rules -> output, one line of JSON or one table row.
 * No libbpf: the sensor hands records to pvm_reader_record(), and
 * bench/readerbench.c runs this very path with no kernel to time it.
 */
#ifndef PVMTRACE_READER_H
#define PVMTRACE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cli/options.h"
#include "enforce.h"
#include "event/ancestry.h"
#include "event/cgroups.h"
#include "event/container.h"
#include "event/event.h"
#include "event/proc_target.h"
#include "event/reassembly.h"
#include "event/regions.h"
#include "output/capture_store.h"
#include "output/format.h"
#include "output/sink.h"
#include "output/syslog_out.h"
#include "output/stats.h"
#include "rules/allowlist.h"
#include "rules/rules.h"

/* What the reader is told of the command line: pvm_reader_config_of. */
struct pvm_reader_config {
	enum pvm_format format;
	const char *syslog_target;  /* --syslog; NULL: none */
	const char *output_path;    /* NULL: standard output */
	const char *allowlist_path; /* --config; NULL: the built-in allowlist */
	bool enforce;		    /* the allowlist's kernel form is made too */
	int min_severity;	    /* enum pvm_severity; -1: every event */
	unsigned int capture;	    /* payload bytes the kernel side captures */
	const char *capture_dir;    /* NULL: payloads are not stored */
	unsigned long capture_max;  /* largest payload stored whole */
	unsigned long long rotate_size; /* -o FILE rotated at this size; 0: never */
	unsigned int rotate_keep;   /* rotated files kept */
	const char *host_name;	    /* --hostname; NULL: the kernel's */
	const char *version;	    /* the sensor's, in each record */
};

/* The reader's part of the options. */
struct pvm_reader_config pvm_reader_config_of(const struct pvm_options *opts);

struct pvm_reader {
	struct pvm_reader_config cfg;
	struct pvm_sink sink;	/* where the lines go */
	bool rotation_failed;	/* a rename failed: none until SIGHUP */
	bool output_failed;	/* a rotation's new file could not be opened */
	unsigned long long unwritten; /* events made after that */
	unsigned int moved_seen; /* checks in a row that found -o FILE gone */
	struct pvm_json_memos memos;
	struct pvm_envelope envelope;
	struct pvm_syslog *syslog;	/* --syslog; NULL: none */
	struct pvm_proc_container {
		__u32 pid; /* 0: none yet */
		__u64 start_boot_ns;
		char id[PVM_CONTAINER_ID_LEN + 1];
	} last_proc_container; /* of the last target /proc resolved */
	struct pvm_decode_config decode;
	__u64 tick_ns;			/* of /proc's start times */
	struct pvm_proc_target_memo proc_target; /* the last target /proc gave */
	struct pvm_stats stats;
	struct pvm_stats last_stats_record; /* the counters the last stats record gave */
	struct pvm_region_view regions[PVM_REGIONS_MAX]; /* of the event at hand */
	struct pvm_region_enricher enricher;
	struct pvm_cgroups cgroups;
	/* the rules */
	struct pvm_allowlist allow;
	struct pvm_judge_memo judge;
	struct pvm_allow_rule kernel_allow[PVM_ALLOW_MAX]; /* --enforce: its kernel form */
	unsigned int n_kernel_allow;
	struct pvm_alert_summary summary;
	struct pvm_ancestry_cache ancestry;
	/* --capture-dir */
	bool storing;
	struct pvm_reassembly chunks;
	struct pvm_capture_store store;
};

/*
 * Loads the allowlist (--config or the built-in one) and, with --enforce,
 * makes its kernel form; opens --capture-dir and the output (-o FILE, else
 * standard output), in that order: a bad allowlist creates no file. Returns PVM_EXIT_OK, or
 * another status after a one-line reason on stderr, with nothing left open.
 */
enum pvm_exit pvm_reader_open(struct pvm_reader *r, const struct pvm_reader_config *cfg);

/*
 * One ring-buffer record (the sensor's pvm_ring_fn): a call's record
 * becomes a line of output, a --capture-dir chunk waits for its call's.
 */
void pvm_reader_record(void *ctx, const void *data, size_t size);

/*
 * The counters, with the kernel's already in r->stats.kernel: a line on
 * stderr, the alert summary, and with `to_output` a stats event in the JSON.
 */
void pvm_reader_print_stats(struct pvm_reader *r, bool to_output);

/*
 * At the end: what --syslog queued is sent, for a second at most, and the
 * rest counted as dropped; its counters are final after.
 */
void pvm_reader_stop_syslog(struct pvm_reader *r);

/* The counters user space keeps elsewhere (reassembly, syslog), into r->stats. */
void pvm_reader_gather_stats(struct pvm_reader *r);

/*
 * With --json, a stats record of the counters (the kernel's already in
 * r->stats.kernel): since the start, and since the last record. `final`: the
 * one at exit.
 */
void pvm_reader_stats_record(struct pvm_reader *r, bool final);

/*
 * SIGHUP: the lines so far go whole to the file they were written to, and
 * the next ones to -o FILE as the path names it now (log rotation renamed
 * the old one), with the table's header again. Nothing to do on standard
 * output. false after saying why on stderr: the output is then closed.
 */
bool pvm_reader_reopen_output(struct pvm_reader *r);

/*
 * SIGHUP: --config read again. A file that loads replaces the allowlist, and
 * the next events are judged by it: "pvmtrace: FILE: reloaded (N allow
 * rules)". With --enforce it must also give the kernel form loaded at start
 * (the same executables, conditions and lines): the kernel's copy changes
 * only at a restart. Any other file is refused, with "pvmtrace: FILE:LINE:
 * reason; kept the allowlist loaded before" and a count in
 * stats.config_reload_failures; the old list stays. Nothing to do without
 * --config. Tracing goes on either way.
 */
void pvm_reader_reload_config(struct pvm_reader *r);

/* The table's header (nothing for JSON), as the first line of the output. */
void pvm_reader_table_header(struct pvm_reader *r);

/*
 * false when a rotation ended the output (said on stderr, with the events
 * that could not be written): tracing ends.
 */
bool pvm_reader_output_ok(struct pvm_reader *r);

/*
 * Looks whether -o FILE was removed, renamed or replaced since it was
 * opened, and says so on stderr when it stays so from one look to the
 * next: once, until SIGHUP reopens it.
 */
void pvm_reader_check_output(struct pvm_reader *r);

void pvm_reader_close(struct pvm_reader *r);

#endif /* PVMTRACE_READER_H */
