/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Command-line parsing: argv in, a checked struct pvm_options out. Pure. */
#ifndef PVMTRACE_OPTIONS_H
#define PVMTRACE_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "enforce.h"
#include "record.h"
#include "sensor/mode.h"

#define PVM_CAPTURE_MAX_DEFAULT (1ul << 20)
#define PVM_CAPTURE_MAX_LIMIT (16ul << 20)
#define PVM_ROTATE_SIZE_LEAST (4ul << 10)
#define PVM_ROTATE_SIZE_LIMIT (1024ul << 30)
#define PVM_ROTATE_KEEP_DEFAULT 5
#define PVM_ROTATE_KEEP_LIMIT 1000
#define PVM_STATS_INTERVAL_DEFAULT 60
#define PVM_STATS_INTERVAL_LIMIT 86400
#define PVM_STATS_INTERVAL_UNSET (~0UL)

/* Exit statuses, documented in --help and pvmtrace(8). */
enum pvm_exit {
	PVM_EXIT_OK = 0,
	PVM_EXIT_FAILURE = 1,	 /* runtime error */
	PVM_EXIT_USAGE = 2,	 /* bad arguments */
	PVM_EXIT_PERMISSION = 3, /* not root / missing capabilities */
	PVM_EXIT_NO_BTF = 4,	 /* kernel without BTF */
	PVM_EXIT_MODE = 5,	 /* attach mode this kernel cannot run */
};

enum pvm_command {
	PVM_CMD_TRACE = 0,
	PVM_CMD_HELP,
	PVM_CMD_VERSION,
	PVM_CMD_LIST_MODES,
	PVM_CMD_REPLAY,		/* pvmtrace replay FILE */
};

/* What each call becomes in the output. */
enum pvm_format {
	PVM_FORMAT_TABLE = 0,	/* the operator's table */
	PVM_FORMAT_JSON,	/* one JSON object per line (docs/events.md) */
	PVM_FORMAT_OCSF,	/* OCSF events, a JSON object per line (docs/ocsf.md) */
};

struct pvm_options {
	enum pvm_command command;
	enum pvm_mode mode;
	struct pvm_filter filter;
	const char *cgroup_path;	/* NULL unless --cgroup */
	const char *output_path;	/* NULL: stdout */
	const char *host_name;		/* --hostname: NULL for the kernel's */
	unsigned long stats_interval;	/* --stats-interval: seconds, 0: none */
	unsigned long rotate_size;	/* --rotate-size: 0, none */
	int rotate_keep;		/* --rotate-keep: old files kept */
	unsigned int max_iov;
	unsigned int capture;		/* --capture: payload bytes per event */
	const char *capture_dir;	/* --capture-dir: NULL unless given */
	unsigned long capture_max;	/* --capture-max: whole payloads up to this */
	enum pvm_enforce_level enforce;	/* --enforce[=critical] */
	const char *config_path;	/* --config: NULL for the built-in allowlist */
	int min_severity;		/* --min-severity: enum pvm_severity, -1 for all events */
	const char *replay_path;	/* replay FILE ("-": standard input) */
	enum pvm_format format;		/* --format, --json */
	const char *syslog_target;	/* --syslog: NULL, none */
	const char *metrics_address;	/* --metrics ADDR:PORT: NULL, none */
	bool verbose;
};

/*
 * Parses argv. Returns 0, or -1 after writing a one-line reason to `err`
 * (the caller then exits with PVM_EXIT_USAGE).
 */
int pvm_options_parse(int argc, char **argv, struct pvm_options *opts, FILE *err);

void pvm_options_usage(FILE *out);

#endif /* PVMTRACE_OPTIONS_H */
