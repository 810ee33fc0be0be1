// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "cli/options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "output/envelope.h"
#include "output/metrics.h"
#include "output/syslog_out.h"
#include "rules/rules.h"

enum long_only_option {
	OPT_CGROUP = 256,
	OPT_MAX_IOV,
	OPT_CAPTURE,
	OPT_CAPTURE_DIR,
	OPT_CAPTURE_MAX,
	OPT_ENFORCE,
	OPT_CONFIG,
	OPT_MIN_SEVERITY,
	OPT_LIST_MODES,
	OPT_ROTATE_SIZE,
	OPT_ROTATE_KEEP,
	OPT_HOSTNAME,
	OPT_STATS_INTERVAL,
	OPT_FORMAT,
	OPT_SYSLOG,
	OPT_METRICS,
};

static const struct option long_options[] = {
	{"json", no_argument, NULL, 'j'},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"syslog", optional_argument, NULL, OPT_SYSLOG},
	{"metrics", required_argument, NULL, OPT_METRICS},
	{"output", required_argument, NULL, 'o'},
	{"rotate-size", required_argument, NULL, OPT_ROTATE_SIZE},
	{"rotate-keep", required_argument, NULL, OPT_ROTATE_KEEP},
	{"hostname", required_argument, NULL, OPT_HOSTNAME},
	{"stats-interval", required_argument, NULL, OPT_STATS_INTERVAL},
	{"pid", required_argument, NULL, 'p'},
	{"target", required_argument, NULL, 't'},
	{"uid", required_argument, NULL, 'u'},
	{"comm", required_argument, NULL, 'c'},
	{"cgroup", required_argument, NULL, OPT_CGROUP},
	{"events", required_argument, NULL, 'e'},
	{"cross-only", no_argument, NULL, 'x'},
	{"max-iov", required_argument, NULL, OPT_MAX_IOV},
	{"capture", required_argument, NULL, OPT_CAPTURE},
	{"capture-dir", required_argument, NULL, OPT_CAPTURE_DIR},
	{"capture-max", required_argument, NULL, OPT_CAPTURE_MAX},
	{"enforce", optional_argument, NULL, OPT_ENFORCE},
	{"config", required_argument, NULL, OPT_CONFIG},
	{"min-severity", required_argument, NULL, OPT_MIN_SEVERITY},
	{"attach", required_argument, NULL, 'a'},
	{"list-modes", no_argument, NULL, OPT_LIST_MODES},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{0},
};

void pvm_options_usage(FILE *out)
{
	fputs("Usage: pvmtrace [OPTIONS]\n"
	      "       pvmtrace replay [--json] [--config FILE] [--min-severity LEVEL] FILE\n"
	      "Record every process_vm_writev and process_vm_readv call on this machine:\n"
	      "arguments, both iovec arrays, result, caller, target and payload, one event\n"
	      "per call, with the alerts of the injection rules (docs/rules.md).\n"
	      "replay reads events recorded with --json and evaluates them again with the\n"
	      "current rules and allowlist (no root needed; FILE - is standard input).\n"
	      "\n"
	      "Output:\n"
	      "  -j, --json           one JSON object per line (--format json)\n"
	      "      --format FORMAT  table (the default), json, or ocsf: OCSF 1.x Memory\n"
	      "                       Activity events and Detection Findings, one per line\n"
	      "  -o, --output FILE    append events to FILE (created 0600, symlinks refused);\n"
	      "                       SIGHUP reopens it (after logrotate renamed it)\n"
	      "      --rotate-size SIZE  when FILE reaches SIZE (4K to 1024G; K, M, G), it\n"
	      "                       becomes FILE.1 (the older ones FILE.2, ...), a new FILE starts\n"
	      "      --rotate-keep N  rotated files kept, 0 to 1000 (default 5)\n"
	      "      --hostname NAME  the host's name in each JSON record (default: uname -n)\n"
	      "      --stats-interval SECONDS  a JSON stats record each SECONDS, 0 to 86400\n"
	      "                       (default 60; 0: only the one at exit)\n"
	      "      --syslog[=TARGET]  each alert the allowlist did not spare also as an\n"
	      "                       RFC 5424 message to TARGET: unix:PATH, udp:HOST:PORT or\n"
	      "                       tcp:HOST:PORT (default unix:/dev/log)\n"
	      "      --metrics ADDR:PORT  Prometheus metrics on http://ADDR:PORT/metrics,\n"
	      "                       /healthz 200 while tracing (ADDR: IPv4 or [IPv6])\n"
	      "\n"
	      "Filters, applied in the kernel:\n"
	      "  -p, --pid PID        calls made by process PID (thread group id)\n"
	      "  -t, --target PID     calls whose pid argument is PID, as the caller passed it\n"
	      "  -u, --uid UID        calls made by user id UID\n"
	      "  -c, --comm NAME      calls made by threads named NAME (at most 15 bytes)\n"
	      "      --cgroup PATH    calls made from cgroup2 directory PATH or below it\n"
	      "  -e, --events LIST    writev, readv or writev,readv (default: both)\n"
	      "  -x, --cross-only     skip calls into the caller's own process\n"
	      "\n"
	      "Capture:\n"
	      "      --max-iov N      iovec entries kept per side, 1-1024 (default 64)\n"
	      "      --capture N      payload bytes kept per call, 0-4096 (default 64, 0: off)\n"
	      "      --capture-dir DIR  store every whole payload once, as DIR/<sha256>.bin\n"
	      "      --capture-max SIZE largest payload stored whole, 1 byte to 16M\n"
	      "                       (default 1M; suffixes K and M)\n"
	      "\n"
	      "Rules:\n"
	      "      --config FILE    allowlist (default: the built-in config/allowlist.conf)\n"
	      "      --min-severity LEVEL  only events with an alert of LEVEL or above:\n"
	      "                       info, low, medium, high or critical\n"
	      "\n"
	      "Enforcement (off by default):\n"
	      "      --enforce        kill (SIGKILL, at syscall entry, before a byte moves)\n"
	      "                       the caller of every process_vm_writev into another\n"
	      "                       process, unless the allowlist names it\n"
	      "      --enforce=critical   only writes that cross a uid or pid namespace,\n"
	      "                       or land in a stack, rwx or writable file mapping\n"
	      "\n"
	      "Kernel:\n"
	      "  -a, --attach MODE    auto, fentry, kprobe, tp_btf, raw_tp or tracepoint\n"
	      "                       (default: auto, the first of these this kernel runs)\n"
	      "      --list-modes     print the modes this kernel runs, best first, whether it\n"
	      "                       serves ia32 (32-bit) calls at all, and exit\n"
	      "\n"
	      "  -v, --verbose        show libbpf's messages\n"
	      "  -h, --help           show this help and exit\n"
	      "  -V, --version        show the version and exit\n"
	      "\n"
	      "Once tracing, pvmtrace prints \"pvmtrace: tracing (mode ...)\" on stderr.\n"
	      "SIGINT/SIGTERM stop it after the events already captured are written;\n"
	      "SIGHUP reopens -o FILE and reads --config again; SIGUSR1 prints the\n"
	      "counters on stderr. Each line written is whole: a failed write (a full\n"
	      "disk) ends tracing with the counters and the number of lines not written.\n"
	      "\n"
	      "Examples:\n"
	      "  pvmtrace                        table of every call on the terminal\n"
	      "  pvmtrace --json -o /var/log/pvm.json    JSON lines appended to a file\n"
	      "  pvmtrace -e writev -x           writes into other processes only\n"
	      "  pvmtrace -t 1234                calls that name pid 1234\n"
	      "  pvmtrace --cgroup /sys/fs/cgroup/system.slice -u 0\n"
	      "  pvmtrace --json --capture-dir /var/lib/pvm -e writev   payloads kept whole\n"
	      "  pvmtrace --json -o /var/log/pvm.json --rotate-size 100M --rotate-keep 3\n"
	      "  pvmtrace --format ocsf -o /var/log/pvm.ocsf.json --metrics 127.0.0.1:9474\n"
	      "  pvmtrace --json -o /var/log/pvm.json --syslog=tcp:logs.example:514\n"
	      "\n"
	      "Exit status: 0 ok, 1 runtime error, 2 bad arguments, 3 not root or missing\n"
	      "capabilities, 4 kernel without BTF, 5 attach mode not supported here.\n",
	      out);
}

/* Whole-string decimal in [0, max], nothing else accepted. */
static int parse_uint(const char *text, unsigned long max, unsigned long *value)
{
	char *end;

	if (text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	*value = strtoul(text, &end, 10);
	if (errno || *end || *value > max)
		return -1;
	return 0;
}

/* --hostname: what a host name may hold, and nothing a terminal would act on. */
static bool host_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > PVM_HOST_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (name[i] <= ' ' || name[i] == 0x7f)
			return false;
	return true;
}

/* A byte count with an optional K, M or G (binary) suffix, in [1, max]. */
static int parse_size(const char *text, unsigned long max, unsigned long *value)
{
	char digits[32];
	size_t len = strlen(text);
	unsigned long shift = 0;

	if (len == 0 || len >= sizeof(digits))
		return -1;
	memcpy(digits, text, len + 1);
	if (digits[len - 1] == 'K' || digits[len - 1] == 'k')
		shift = 10;
	else if (digits[len - 1] == 'M' || digits[len - 1] == 'm')
		shift = 20;
	else if (digits[len - 1] == 'G' || digits[len - 1] == 'g')
		shift = 30;
	if (shift)
		digits[len - 1] = '\0';
	if (parse_uint(digits, max >> shift, value) || *value == 0)
		return -1;
	*value <<= shift;
	return 0;
}

static int parse_events(const char *list, __u32 *mask)
{
	char copy[64];
	char *save = NULL;

	if (strlen(list) >= sizeof(copy))
		return -1;
	strcpy(copy, list);
	*mask = 0;
	for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		if (!strcmp(name, "writev") || !strcmp(name, "process_vm_writev"))
			*mask |= PVM_SYS_BIT(PVM_SYS_WRITEV);
		else if (!strcmp(name, "readv") || !strcmp(name, "process_vm_readv"))
			*mask |= PVM_SYS_BIT(PVM_SYS_READV);
		else
			return -1;
	}
	return *mask ? 0 : -1;
}

static int bad_value(FILE *err, const char *option, const char *value, const char *want)
{
	fprintf(err, "pvmtrace: invalid %s '%s': %s\n", option, value, want);
	return -1;
}

static int parse_format(const char *name, enum pvm_format *format)
{
	static const char *const names[] = {
		[PVM_FORMAT_TABLE] = "table",
		[PVM_FORMAT_JSON] = "json",
		[PVM_FORMAT_OCSF] = "ocsf",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i])) {
			*format = (enum pvm_format)i;
			return 0;
		}
	return -1;
}

static int check_syslog_target(const char *text, struct pvm_options *o, FILE *err)
{
	struct pvm_syslog_target target;
	char why[256];

	if (pvm_syslog_parse_target(text, &target, why, sizeof(why)))
		return bad_value(err, "--syslog", text, why);
	o->syslog_target = text;
	return 0;
}

static int check_metrics_address(const char *text, struct pvm_options *o, FILE *err)
{
	struct pvm_metrics_address address;
	char why[256];

	if (pvm_metrics_parse_address(text, &address, why, sizeof(why)))
		return bad_value(err, "--metrics", text, why);
	o->metrics_address = text;
	return 0;
}

static int parse_option(int opt, const char *arg, struct pvm_options *o, FILE *err)
{
	struct pvm_filter *f = &o->filter;
	unsigned long n;

	switch (opt) {
	case 'j':
		o->format = PVM_FORMAT_JSON;
		return 0;
	case OPT_FORMAT:
		return parse_format(arg, &o->format) ? bad_value(err, "--format", arg,
								  "want table, json or ocsf")
						     : 0;
	case OPT_SYSLOG:
		return check_syslog_target(arg ? arg : PVM_SYSLOG_DEFAULT, o, err);
	case OPT_METRICS:
		return check_metrics_address(arg, o, err);
	case 'o':
		o->output_path = arg;
		return 0;
	case OPT_ROTATE_SIZE:
		if (parse_size(arg, PVM_ROTATE_SIZE_LIMIT, &n) || n < PVM_ROTATE_SIZE_LEAST)
			return bad_value(err, "--rotate-size", arg, "want 4K to 1024G bytes");
		o->rotate_size = n;
		return 0;
	case OPT_HOSTNAME:
		if (!host_name_ok(arg))
			return bad_value(err, "--hostname", arg,
					 "want 1 to 255 printable ASCII bytes, no space");
		o->host_name = arg;
		return 0;
	case OPT_STATS_INTERVAL:
		if (parse_uint(arg, PVM_STATS_INTERVAL_LIMIT, &n))
			return bad_value(err, "--stats-interval", arg, "want 0 to 86400 seconds");
		o->stats_interval = n;
		return 0;
	case OPT_ROTATE_KEEP:
		if (parse_uint(arg, PVM_ROTATE_KEEP_LIMIT, &n))
			return bad_value(err, "--rotate-keep", arg, "want 0 to 1000 files");
		o->rotate_keep = (int)n;
		return 0;
	case 'p':
		if (parse_uint(arg, INT_MAX, &n) || n == 0)
			return bad_value(err, "--pid", arg, "want a process id");
		f->fields |= PVM_FILTER_CALLER_PID;
		f->caller_pid = n;
		return 0;
	case 't': {
		/* the argument is a pid_t as the caller passed it: may be <= 0 */
		char *end;
		long v;

		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || *end || end == arg || v < INT_MIN || v > INT_MAX)
			return bad_value(err, "--target", arg, "want a pid");
		f->fields |= PVM_FILTER_TARGET_PID;
		f->target_pid = (__s32)v;
		return 0;
	}
	case 'u':
		if (parse_uint(arg, UINT_MAX - 1, &n))
			return bad_value(err, "--uid", arg, "want a numeric user id");
		f->fields |= PVM_FILTER_UID;
		f->uid = n;
		return 0;
	case 'c':
		if (!arg[0] || strlen(arg) >= PVM_COMM_LEN)
			return bad_value(err, "--comm", arg, "want 1 to 15 bytes");
		f->fields |= PVM_FILTER_COMM;
		memset(f->comm, 0, sizeof(f->comm));
		memcpy(f->comm, arg, strlen(arg));
		return 0;
	case OPT_CGROUP:
		f->fields |= PVM_FILTER_CGROUP;
		o->cgroup_path = arg;
		return 0;
	case 'e':
		if (parse_events(arg, &f->syscalls))
			return bad_value(err, "--events", arg, "want writev, readv or both");
		return 0;
	case 'x':
		f->fields |= PVM_FILTER_CROSS_ONLY;
		return 0;
	case OPT_MAX_IOV:
		if (parse_uint(arg, PVM_IOV_MAX, &n) || n == 0)
			return bad_value(err, "--max-iov", arg, "want 1 to 1024");
		o->max_iov = n;
		return 0;
	case OPT_CAPTURE:
		if (parse_uint(arg, PVM_CAPTURE_MAX, &n))
			return bad_value(err, "--capture", arg, "want 0 to 4096");
		o->capture = n;
		return 0;
	case OPT_CAPTURE_DIR:
		if (!arg[0])
			return bad_value(err, "--capture-dir", arg, "want a directory");
		o->capture_dir = arg;
		return 0;
	case OPT_CAPTURE_MAX:
		if (parse_size(arg, PVM_CAPTURE_MAX_LIMIT, &n))
			return bad_value(err, "--capture-max", arg, "want 1 to 16M bytes");
		o->capture_max = n;
		return 0;
	case OPT_ENFORCE:
		if (!arg || !strcmp(arg, "foreign"))
			o->enforce = PVM_ENFORCE_FOREIGN;
		else if (!strcmp(arg, "critical"))
			o->enforce = PVM_ENFORCE_CRITICAL;
		else
			return bad_value(err, "--enforce", arg, "want --enforce or --enforce=critical");
		return 0;
	case OPT_CONFIG:
		if (!arg[0])
			return bad_value(err, "--config", arg, "want a file");
		o->config_path = arg;
		return 0;
	case OPT_MIN_SEVERITY: {
		enum pvm_severity sev;

		if (pvm_severity_parse(arg, &sev))
			return bad_value(err, "--min-severity", arg,
					 "want info, low, medium, high or critical");
		o->min_severity = sev;
		return 0;
	}
	case 'a':
		if (pvm_mode_parse(arg, &o->mode))
			return bad_value(err, "--attach", arg,
					 "want auto, fentry, kprobe, tp_btf, raw_tp or tracepoint");
		return 0;
	case OPT_LIST_MODES:
		o->command = PVM_CMD_LIST_MODES;
		return 0;
	case 'v':
		o->verbose = true;
		return 0;
	case 'h':
		o->command = PVM_CMD_HELP;
		return 0;
	case 'V':
		o->command = PVM_CMD_VERSION;
		return 0;
	default:
		/* getopt already said what was wrong */
		return -1;
	}
}

static const char short_options[] = ":jo:p:t:u:c:e:xa:vhV";

/* The name of a "--name" or "--name=value" argument: its length. */
static size_t long_name_len(const char *arg)
{
	return strcspn(arg + 2, "=");
}

static const struct option *long_option_named(const char *arg)
{
	size_t len = long_name_len(arg);

	for (const struct option *o = long_options; o->name; o++)
		if (strlen(o->name) == len && !strncmp(arg + 2, o->name, len))
			return o;
	return NULL;
}

/* "unknown option '--e' (options are spelled in full: --events, --enforce)" */
static void say_unknown_long(FILE *err, const char *arg)
{
	size_t len = long_name_len(arg);
	const char *sep = " (options are spelled in full: ";

	fprintf(err, "pvmtrace: unknown option '%.*s'", (int)(2 + len), arg);
	for (const struct option *o = long_options; o->name; o++) {
		if (len && !strncmp(arg + 2, o->name, len)) {
			fprintf(err, "%s--%s", sep, o->name);
			sep = ", ";
		}
	}
	fputs(strcmp(sep, ", ") ? "\n" : ")\n", err);
}

/* "-xo FILE": whether a cluster of short options ends in one whose value is next. */
static bool value_follows(const char *arg)
{
	for (const char *c = arg + 1; *c; c++) {
		const char *spec = *c != ':' ? strchr(short_options + 1, *c) : NULL;

		if (!spec)
			return false; /* unknown: getopt_long says so */
		if (spec[1] == ':')
			return c[1] == '\0';
	}
	return false;
}

/*
 * Long options, checked before getopt_long reads them: it takes any
 * unambiguous prefix of a name (and `--enf` must not turn on --enforce), and
 * what it refuses it names by a value that, for a long-only option, is no
 * character at all. Returns 0, or -1 with the reason on err.
 */
static int check_long_options(int argc, char **argv, FILE *err)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const struct option *o;
		bool has_value;

		if (!strcmp(arg, "--"))
			return 0;
		if (arg[0] != '-' || !arg[1])
			continue; /* an operand */
		if (arg[1] != '-') {
			i += value_follows(arg);
			continue;
		}
		o = long_option_named(arg);
		if (!o) {
			say_unknown_long(err, arg);
			return -1;
		}
		has_value = arg[2 + long_name_len(arg)] == '=';
		if (has_value && o->has_arg == no_argument) {
			fprintf(err, "pvmtrace: option '--%s' takes no value\n", o->name);
			return -1;
		}
		i += !has_value && o->has_arg == required_argument;
	}
	return 0;
}

/* --rotate-size rotates -o FILE; --rotate-keep only says how. */
static int check_rotation(struct pvm_options *o, FILE *err)
{
	if ((o->rotate_size || o->rotate_keep >= 0) && !o->output_path) {
		fprintf(err, "pvmtrace: --rotate-size and --rotate-keep need -o FILE\n");
		return -1;
	}
	if (o->rotate_keep >= 0 && !o->rotate_size) {
		fprintf(err, "pvmtrace: --rotate-keep needs --rotate-size\n");
		return -1;
	}
	if (o->rotate_keep < 0)
		o->rotate_keep = PVM_ROTATE_KEEP_DEFAULT;
	return 0;
}

int pvm_options_parse(int argc, char **argv, struct pvm_options *o, FILE *err)
{
	int opt;

	memset(o, 0, sizeof(*o));
	o->filter.syscalls = PVM_SYS_ALL;
	o->max_iov = PVM_IOV_DEFAULT;
	o->capture = PVM_CAPTURE_DEFAULT;
	o->mode = PVM_MODE_AUTO;
	o->min_severity = -1;
	o->stats_interval = PVM_STATS_INTERVAL_UNSET;
	o->rotate_keep = -1;

	if (check_long_options(argc, argv, err))
		return -1;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, short_options, long_options, NULL)) != -1) {
		if (opt == ':') {
			fprintf(err, "pvmtrace: missing value for '%s'\n", argv[optind - 1]);
			return -1;
		}
		if (opt == '?') {
			/* long options were checked: this is a short one */
			fprintf(err, "pvmtrace: unknown option '-%c'\n", optopt);
			return -1;
		}
		if (parse_option(opt, optarg, o, err))
			return -1;
	}
	if (optind < argc && !strcmp(argv[optind], "replay") && o->command == PVM_CMD_TRACE) {
		o->command = PVM_CMD_REPLAY;
		if (++optind < argc)
			o->replay_path = argv[optind++];
		else {
			fprintf(err, "pvmtrace: replay: missing FILE\n");
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(err, "pvmtrace: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (o->command == PVM_CMD_REPLAY &&
	    (o->enforce || o->capture_dir || o->rotate_size || o->host_name ||
	     o->stats_interval != PVM_STATS_INTERVAL_UNSET || o->filter.fields ||
	     o->mode != PVM_MODE_AUTO || o->filter.syscalls != PVM_SYS_ALL ||
	     o->format == PVM_FORMAT_OCSF || o->syslog_target || o->metrics_address)) {
		fprintf(err, "pvmtrace: replay takes only --json (or --format json), -o, --config "
			     "and --min-severity\n");
		return -1;
	}
	if (o->capture_max && !o->capture_dir) {
		fprintf(err, "pvmtrace: --capture-max needs --capture-dir\n");
		return -1;
	}
	if (o->capture_dir && !o->capture_max)
		o->capture_max = PVM_CAPTURE_MAX_DEFAULT;
	if (o->stats_interval == PVM_STATS_INTERVAL_UNSET)
		o->stats_interval = PVM_STATS_INTERVAL_DEFAULT;
	return check_rotation(o, err);
}
