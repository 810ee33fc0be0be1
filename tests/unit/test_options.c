// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Command-line parsing: good input becomes filters, bad input a usage error. */
#include "cli/options.h"
#include "rules/rules.h"
#include "unit.h"

#include <stdarg.h>
#include <stdlib.h>

static int parse(struct pvm_options *o, char **err, ...)
{
	char *argv[32] = {"pvmtrace"};
	int argc = 1;
	size_t len = 0;
	FILE *errf = open_memstream(err, &len);
	va_list ap;
	int ret;

	va_start(ap, err);
	for (char *a; (a = va_arg(ap, char *)) != NULL && argc < 31;)
		argv[argc++] = a;
	va_end(ap);
	ret = pvm_options_parse(argc, argv, o, errf);
	fclose(errf);
	return ret;
}

#define PARSE(o, err, ...) parse(o, err, __VA_ARGS__, (char *)NULL)

UNIT_TEST(options_defaults)
{
	struct pvm_options o;
	char *err;

	CHECK_EQ(parse(&o, &err, (char *)NULL), 0);
	CHECK_EQ(o.command, PVM_CMD_TRACE);
	CHECK_EQ(o.mode, PVM_MODE_AUTO);
	CHECK_EQ(o.filter.fields, 0);
	CHECK_EQ(o.filter.syscalls, PVM_SYS_ALL);
	CHECK_EQ(o.max_iov, 64);
	CHECK_EQ(o.capture, 64);
	CHECK(o.format == PVM_FORMAT_TABLE && !o.output_path);
	free(err);
}

UNIT_TEST(options_every_filter)
{
	struct pvm_options o;
	char *err;

	CHECK_EQ(PARSE(&o, &err, "-p", "42", "-t", "-7", "-u", "1000", "-c", "sshd", "--cgroup",
		       "/sys/fs/cgroup/x", "-e", "readv", "-x", "--max-iov", "1024", "-a",
		       "raw_tp", "--json", "-o", "/tmp/f", "--capture", "0"),
		 0);
	CHECK_EQ(o.filter.fields, PVM_FILTER_CALLER_PID | PVM_FILTER_TARGET_PID | PVM_FILTER_UID |
					  PVM_FILTER_COMM | PVM_FILTER_CGROUP |
					  PVM_FILTER_CROSS_ONLY);
	CHECK_EQ(o.filter.caller_pid, 42);
	CHECK_EQ(o.filter.target_pid, -7);
	CHECK_EQ(o.filter.uid, 1000);
	CHECK_STR(o.filter.comm, "sshd");
	CHECK_STR(o.cgroup_path, "/sys/fs/cgroup/x");
	CHECK_EQ(o.filter.syscalls, PVM_SYS_BIT(PVM_SYS_READV));
	CHECK_EQ(o.max_iov, 1024);
	CHECK_EQ(o.capture, 0);
	CHECK_EQ(o.mode, PVM_MODE_RAW_TP);
	CHECK(o.format == PVM_FORMAT_JSON);
	CHECK_STR(o.output_path, "/tmp/f");
	free(err);
}

UNIT_TEST(options_capture_dir_and_sizes)
{
	static const struct {
		const char *size;
		unsigned long bytes;
	} sizes[] = {{"1", 1}, {"4096", 4096}, {"64k", 65536}, {"3K", 3072}, {"1M", 1 << 20},
		     {"16m", 16 << 20}, {"16777216", 16 << 20}};
	struct pvm_options o;
	char *err;

	CHECK_EQ(PARSE(&o, &err, "--capture-dir", "/var/lib/pvm"), 0);
	CHECK_STR(o.capture_dir, "/var/lib/pvm");
	CHECK_EQ(o.capture_max, 1 << 20);
	free(err);
	CHECK_EQ(PARSE(&o, &err, "--json"), 0);
	CHECK(o.capture_dir == NULL && o.capture_max == 0);
	free(err);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		CHECK_EQ(PARSE(&o, &err, "--capture-dir", "d", "--capture-max", sizes[i].size), 0);
		CHECK_EQ(o.capture_max, sizes[i].bytes);
		free(err);
	}
}

UNIT_TEST(options_rotation)
{
	struct pvm_options o;
	char *err;

	CHECK_EQ(PARSE(&o, &err, "-o", "f", "--rotate-size", "100M"), 0);
	CHECK_EQ(o.rotate_size, 100UL << 20);
	CHECK_EQ(o.rotate_keep, 5);
	free(err);
	CHECK_EQ(PARSE(&o, &err, "-o", "f", "--rotate-size", "1024G", "--rotate-keep", "0"), 0);
	CHECK_EQ(o.rotate_size, 1024UL << 30);
	CHECK_EQ(o.rotate_keep, 0);
	free(err);
	CHECK_EQ(PARSE(&o, &err, "-o", "f", "--rotate-size", "4096", "--rotate-keep", "1000"), 0);
	CHECK_EQ(o.rotate_size, 4096);
	CHECK_EQ(o.rotate_keep, 1000);
	free(err);
	CHECK_EQ(PARSE(&o, &err, "-o", "f"), 0);
	CHECK_EQ(o.rotate_size, 0); /* no rotation of its own: SIGHUP's */
	free(err);
}

UNIT_TEST(options_format)
{
	struct pvm_options o;
	char *err;

	CHECK_EQ(PARSE(&o, &err, "--format", "ocsf"), 0);
	CHECK(o.format == PVM_FORMAT_OCSF);
	free(err);
	CHECK_EQ(PARSE(&o, &err, "--json", "--format=table"), 0); /* the last one counts */
	CHECK(o.format == PVM_FORMAT_TABLE);
	free(err);
	CHECK_EQ(PARSE(&o, &err, "--format", "JSON"), -1);
	CHECK_STR(err, "pvmtrace: invalid --format 'JSON': want table, json or ocsf\n");
	free(err);
	CHECK_EQ(PARSE(&o, &err, "replay", "--format", "ocsf", "f"), -1);
	free(err);
}

UNIT_TEST(options_metrics)
{
	struct pvm_options o;
	char *err;

	CHECK_EQ(PARSE(&o, &err, "--metrics", "127.0.0.1:9474"), 0);
	CHECK_STR(o.metrics_address, "127.0.0.1:9474");
	free(err);
	CHECK_EQ(PARSE(&o, &err, "--metrics", "localhost:9474"), -1);
	CHECK_STR(err, "pvmtrace: invalid --metrics 'localhost:9474': not an IPv4 address\n");
	free(err);
	CHECK_EQ(PARSE(&o, &err, "--metrics", "[::1]:0"), -1);
	CHECK_STR(err, "pvmtrace: invalid --metrics '[::1]:0': want a port from 1 to 65535\n");
	free(err);
}

UNIT_TEST(options_stats_interval)
{
	struct pvm_options o;
	char *err;

	CHECK_EQ(PARSE(&o, &err, "--json"), 0);
	CHECK_EQ(o.stats_interval, 60);
	free(err);
	CHECK_EQ(PARSE(&o, &err, "--stats-interval", "0"), 0);
	CHECK_EQ(o.stats_interval, 0);
	free(err);
	CHECK_EQ(PARSE(&o, &err, "--stats-interval", "86400"), 0);
	CHECK_EQ(o.stats_interval, 86400);
	free(err);
}

UNIT_TEST(options_hostname)
{
	struct pvm_options o;
	char *err;

	CHECK_EQ(PARSE(&o, &err, "--json"), 0);
	CHECK(o.host_name == NULL); /* the kernel's */
	free(err);
	CHECK_EQ(PARSE(&o, &err, "--hostname", "db-7.eu-west.example"), 0);
	CHECK_STR(o.host_name, "db-7.eu-west.example");
	free(err);
}

UNIT_TEST(options_enforce_levels)
{
	struct pvm_options o;
	char *err;

	CHECK_EQ(PARSE(&o, &err, "-j"), 0);
	CHECK_EQ(o.enforce, PVM_ENFORCE_OFF);
	free(err);
	CHECK_EQ(PARSE(&o, &err, "--enforce"), 0);
	CHECK_EQ(o.enforce, PVM_ENFORCE_FOREIGN);
	free(err);
	CHECK_EQ(PARSE(&o, &err, "--enforce=foreign"), 0);
	CHECK_EQ(o.enforce, PVM_ENFORCE_FOREIGN);
	free(err);
	CHECK_EQ(PARSE(&o, &err, "--enforce=critical"), 0);
	CHECK_EQ(o.enforce, PVM_ENFORCE_CRITICAL);
	free(err);
}

UNIT_TEST(options_rules_and_replay)
{
	struct pvm_options o;
	char *err;

	CHECK_EQ(PARSE(&o, &err, "--config", "/etc/pvm.conf", "--min-severity", "HIGH"), 0);
	CHECK_STR(o.config_path, "/etc/pvm.conf");
	CHECK_EQ(o.min_severity, PVM_SEV_HIGH);
	CHECK_EQ(o.command, PVM_CMD_TRACE);
	free(err);
	CHECK_EQ(PARSE(&o, &err, "replay", "--json", "events.json", "--min-severity", "medium"), 0);
	CHECK_EQ(o.command, PVM_CMD_REPLAY);
	CHECK_STR(o.replay_path, "events.json");
	CHECK(o.format == PVM_FORMAT_JSON);
	CHECK_EQ(o.min_severity, PVM_SEV_MEDIUM);
	free(err);
	CHECK_EQ(PARSE(&o, &err, "-j"), 0);
	CHECK_EQ(o.min_severity, -1);
	free(err);
	CHECK_EQ(PARSE(&o, &err, "replay", "-p", "1", "f.json"), -1);
	CHECK_STR(err, "pvmtrace: replay takes only --json (or --format json), -o, --config and --min-severity\n");
	free(err);
	/* what only a live run writes: a recording's envelope and counters stay its own */
	CHECK_EQ(PARSE(&o, &err, "replay", "--hostname", "h", "f.json"), -1);
	CHECK_STR(err, "pvmtrace: replay takes only --json (or --format json), -o, --config and --min-severity\n");
	free(err);
	CHECK_EQ(PARSE(&o, &err, "replay", "--stats-interval", "0", "f.json"), -1);
	CHECK_STR(err, "pvmtrace: replay takes only --json (or --format json), -o, --config and --min-severity\n");
	free(err);
}

UNIT_TEST(options_events_list)
{
	struct pvm_options o;
	char *err;

	CHECK_EQ(PARSE(&o, &err, "-e", "writev,process_vm_readv"), 0);
	CHECK_EQ(o.filter.syscalls, PVM_SYS_ALL);
	free(err);
	CHECK_EQ(PARSE(&o, &err, "--events=process_vm_writev"), 0);
	CHECK_EQ(o.filter.syscalls, PVM_SYS_BIT(PVM_SYS_WRITEV));
	free(err);
}

UNIT_TEST(options_commands)
{
	struct pvm_options o;
	char *err;

	CHECK_EQ(PARSE(&o, &err, "--help"), 0);
	CHECK_EQ(o.command, PVM_CMD_HELP);
	free(err);
	CHECK_EQ(PARSE(&o, &err, "-V"), 0);
	CHECK_EQ(o.command, PVM_CMD_VERSION);
	free(err);
	CHECK_EQ(PARSE(&o, &err, "--list-modes"), 0);
	CHECK_EQ(o.command, PVM_CMD_LIST_MODES);
	free(err);
}

/* Long options only in full; what looks like one as another's value is that value. */
UNIT_TEST(options_spelled_in_full)
{
	struct pvm_options o;
	char *err;

	CHECK_EQ(PARSE(&o, &err, "-c", "--enf", "--output=/tmp/f", "--enforce=critical", "-xo",
		       "--json", "--min-severity", "high"),
		 0);
	CHECK_STR(o.filter.comm, "--enf");
	CHECK_STR(o.output_path, "--json");
	CHECK_EQ(o.enforce, PVM_ENFORCE_CRITICAL);
	CHECK(o.format == PVM_FORMAT_TABLE && (o.filter.fields & PVM_FILTER_CROSS_ONLY));
	CHECK_STR(err, "");
	free(err);
	/* after "--", nothing is an option */
	CHECK_EQ(PARSE(&o, &err, "--", "--enf"), -1);
	CHECK_STR(err, "pvmtrace: unexpected argument '--enf'\n");
	CHECK(!o.enforce);
	free(err);
}

UNIT_TEST(options_rejected_with_reason)
{
	static const struct {
		const char *args[3];
		const char *message;
	} cases[] = {
		{{"-p", "abc"}, "pvmtrace: invalid --pid 'abc': want a process id\n"},
		{{"-p", "0"}, "pvmtrace: invalid --pid '0': want a process id\n"},
		{{"-p", "12x"}, "pvmtrace: invalid --pid '12x': want a process id\n"},
		{{"-p", "-5"}, "pvmtrace: invalid --pid '-5': want a process id\n"},
		{{"-p", "99999999999"}, "pvmtrace: invalid --pid '99999999999': want a process id\n"},
		{{"-t", ""}, "pvmtrace: invalid --target '': want a pid\n"},
		{{"-t", "4294967296"}, "pvmtrace: invalid --target '4294967296': want a pid\n"},
		{{"-u", "root"}, "pvmtrace: invalid --uid 'root': want a numeric user id\n"},
		{{"-u", "4294967295"}, "pvmtrace: invalid --uid '4294967295': want a numeric user id\n"},
		{{"-c", "a-name-of-16-byt"}, "pvmtrace: invalid --comm 'a-name-of-16-byt': want 1 to 15 bytes\n"},
		{{"-c", ""}, "pvmtrace: invalid --comm '': want 1 to 15 bytes\n"},
		{{"-e", "write"}, "pvmtrace: invalid --events 'write': want writev, readv or both\n"},
		{{"-e", ","}, "pvmtrace: invalid --events ',': want writev, readv or both\n"},
		{{"--max-iov", "0"}, "pvmtrace: invalid --max-iov '0': want 1 to 1024\n"},
		{{"--max-iov", "1025"}, "pvmtrace: invalid --max-iov '1025': want 1 to 1024\n"},
		{{"--capture", "4097"}, "pvmtrace: invalid --capture '4097': want 0 to 4096\n"},
		{{"--capture", "-1"}, "pvmtrace: invalid --capture '-1': want 0 to 4096\n"},
		{{"--capture-max", "17M"}, "pvmtrace: invalid --capture-max '17M': want 1 to 16M bytes\n"},
		{{"--capture-max", "0"}, "pvmtrace: invalid --capture-max '0': want 1 to 16M bytes\n"},
		{{"--capture-max", "1G"}, "pvmtrace: invalid --capture-max '1G': want 1 to 16M bytes\n"},
		{{"--capture-max", "K"}, "pvmtrace: invalid --capture-max 'K': want 1 to 16M bytes\n"},
		{{"--capture-max", "4K"}, "pvmtrace: --capture-max needs --capture-dir\n"},
		{{"--capture-dir", ""}, "pvmtrace: invalid --capture-dir '': want a directory\n"},
		{{"replay"}, "pvmtrace: replay: missing FILE\n"},
		{{"replay", "--enforce"}, "pvmtrace: replay: missing FILE\n"},
		{{"--min-severity", "severe"}, "pvmtrace: invalid --min-severity 'severe': want info, low, medium, high or critical\n"},
		{{"--config", ""}, "pvmtrace: invalid --config '': want a file\n"},
		{{"--enforce=all"}, "pvmtrace: invalid --enforce 'all': want --enforce or --enforce=critical\n"},
		{{"-a", "kprobes"}, "pvmtrace: invalid --attach 'kprobes': want auto, fentry, kprobe, tp_btf, raw_tp or tracepoint\n"},
		{{"--bogus"}, "pvmtrace: unknown option '--bogus'\n"},
		{{"--bogus=1"}, "pvmtrace: unknown option '--bogus'\n"},
		{{"--enf"}, "pvmtrace: unknown option '--enf' (options are spelled in full: --enforce)\n"},
		{{"--enforc=critical"}, "pvmtrace: unknown option '--enforc' (options are spelled in full: --enforce)\n"},
		{{"--e", "readv"}, "pvmtrace: unknown option '--e' (options are spelled in full: --events, --enforce)\n"},
		{{"--cap", "8"}, "pvmtrace: unknown option '--cap' (options are spelled in full: --capture, --capture-dir, --capture-max)\n"},
		{{"-j", "--jso"}, "pvmtrace: unknown option '--jso' (options are spelled in full: --json)\n"},
		{{"--json=1"}, "pvmtrace: option '--json' takes no value\n"},
		{{"--list-modes=1"}, "pvmtrace: option '--list-modes' takes no value\n"},
		{{"-Z"}, "pvmtrace: unknown option '-Z'\n"},
		{{"-p"}, "pvmtrace: missing value for '-p'\n"},
		{{"--output"}, "pvmtrace: missing value for '--output'\n"},
		{{"extra"}, "pvmtrace: unexpected argument 'extra'\n"},
		{{"--stats-interval", "86401"}, "pvmtrace: invalid --stats-interval '86401': want 0 to 86400 seconds\n"},
		{{"--stats-interval", "1m"}, "pvmtrace: invalid --stats-interval '1m': want 0 to 86400 seconds\n"},
		{{"--hostname", ""}, "pvmtrace: invalid --hostname '': want 1 to 255 printable ASCII bytes, no space\n"},
		{{"--hostname", "a b"}, "pvmtrace: invalid --hostname 'a b': want 1 to 255 printable ASCII bytes, no space\n"},
		{{"--hostname", "a\tb"}, "pvmtrace: invalid --hostname 'a\tb': want 1 to 255 printable ASCII bytes, no space\n"},
		{{"--rotate-size", "1M"}, "pvmtrace: --rotate-size and --rotate-keep need -o FILE\n"},
		{{"--rotate-keep", "2"}, "pvmtrace: --rotate-size and --rotate-keep need -o FILE\n"},
		{{"-of", "--rotate-keep=2"}, "pvmtrace: --rotate-keep needs --rotate-size\n"},
		{{"--rotate-size", "4095"}, "pvmtrace: invalid --rotate-size '4095': want 4K to 1024G bytes\n"},
		{{"--rotate-size", "1025G"}, "pvmtrace: invalid --rotate-size '1025G': want 4K to 1024G bytes\n"},
		{{"--rotate-size", "1T"}, "pvmtrace: invalid --rotate-size '1T': want 4K to 1024G bytes\n"},
		{{"--rotate-keep", "1001"}, "pvmtrace: invalid --rotate-keep '1001': want 0 to 1000 files\n"},
		{{"--rotate-keep", "-1"}, "pvmtrace: invalid --rotate-keep '-1': want 0 to 1000 files\n"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pvm_options o;
		char *err;

		if (parse(&o, &err, cases[i].args[0], cases[i].args[1], cases[i].args[2]) != -1)
			unit_fail(__FILE__, __LINE__, "'%s' accepted", cases[i].args[0]);
		else if (strcmp(err, cases[i].message))
			unit_fail(__FILE__, __LINE__, "got %s want %s", err, cases[i].message);
		free(err);
	}
}
