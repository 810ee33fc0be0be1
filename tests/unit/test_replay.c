// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pvmtrace replay end to end, without the kernel: a recording made of events
 * the JSON formatter wrote, garbage and a stats record, replayed into a -o
 * file; every output line, message and count checked exactly.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/options.h"
#include "event/container.h"
#include "event/regions.h"
#include "output/format.h"
#include "record_builder.h"
#include "replay/replay.h"
#include "rules/rules.h"
#include "unit.h"

/* 2026-11-27T15:45:08.123456789Z */
#define EXAMPLE_WALL_NS 1795794308123456789ULL

static struct record_buffer buf;
static struct pvm_region_view views[PVM_REGIONS_MAX];
static char dir[] = "/tmp/pvm-replay-XXXXXX";
static char in_path[64], out_path[64];

/* With an envelope, which replay passes on as it came (the same seq each time here). */
static void json_of(FILE *out, const void *arg)
{
	struct pvm_envelope env;
	struct json_writer w;

	pvm_envelope_init(&env, "recorder", "/nonexistent", "0.0-test");
	jw_init(&w, out);
	pvm_format_json(&w, arg, NULL, &env);
}

/*
 * The current record as the live sensor prints it: with `alerts` (NULL: the
 * alerts the rules give now with the default allowlist, as replay must).
 */
static char *line_of(const struct pvm_alerts *alerts)
{
	struct pvm_decode_config config = {EXAMPLE_WALL_NS - buf.rec.start_boot_ns, 64};
	struct pvm_allowlist list;
	struct pvm_alerts now;
	struct pvm_facts f;
	struct pvm_event ev;
	const char *why;
	char err[256];
	char *text;

	if (pvm_event_decode(&buf, record_size(&buf), &config, &ev, &why))
		unit_fail(__FILE__, __LINE__, "decode: %s", why);
	pvm_enrich_regions(no_proc(), &ev, views, 0);
	if (!alerts) {
		if (pvm_allowlist_load_default(&list, err, sizeof(err)))
			unit_fail(__FILE__, __LINE__, "%s", err);
		pvm_facts_from_event(&ev, &f);
		pvm_rules_eval(&f, &list, &now);
		alerts = &now;
	}
	ev.alerts = alerts;
	text = unit_capture(json_of, &ev);
	if (alerts == &now)
		pvm_allowlist_free(&list);
	return text;
}

/* Process 4242 writes 64 bytes into the heap of its child 4300: PVM-W001. */
static void build_write(void)
{
	build_example(&buf);
	set_region(&buf, 0,
		   (struct pvm_region){.start = 0x7f3a1c000000, .end = 0x7f3a1c021000,
				       .vm_flags = PVM_VM_READ | PVM_VM_WRITE,
				       .state = PVM_REGION_FOUND, .kind = PVM_REGION_HEAP});
	set_exes(&buf, "/usr/bin/injector", PVM_EXE_KNOWN, "/usr/sbin/victim", PVM_EXE_KNOWN);
}

/* A thread with a hostile name reads its own process: no alert. */
static void build_own_read(void)
{
	build_example(&buf);
	buf.rec.syscall = PVM_SYS_READV;
	buf.rec.pid = 4242;
	buf.rec.target.pid = 4242;
	buf.rec.target.ppid = 1;
	memcpy(buf.rec.comm, "x\x1b[2J\n\xc3\xa9\"", 9);
	set_exes(&buf, "/tmp/\xe2\x80\xae" "exe", PVM_EXE_KNOWN, "/tmp/\xe2\x80\xae" "exe",
		 PVM_EXE_KNOWN);
}

/* strace reads 4096 bytes of another process: PVM-R001, allowed by default. */
static void build_strace_read(void)
{
	build_example(&buf);
	buf.rec.syscall = PVM_SYS_READV;
	buf.rec.ret = 4096;
	set_exes(&buf, "/usr/bin/strace", PVM_EXE_KNOWN, "/usr/sbin/victim", PVM_EXE_KNOWN);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f))
		unit_fail(__FILE__, __LINE__, "cannot write %s", path);
}

/* What is left to read in f ("" for NULL). */
static char *read_stream(FILE *f)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	int c;

	while (f && (c = getc(f)) != EOF)
		putc(c, m);
	fclose(m);
	return text;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = read_stream(f);

	if (f)
		fclose(f);
	return text;
}

static void setup(void)
{
	if (!mkdtemp(dir))
		unit_fail(__FILE__, __LINE__, "mkdtemp");
	snprintf(in_path, sizeof(in_path), "%s/in.json", dir);
	snprintf(out_path, sizeof(out_path), "%s/out", dir);
}

static void teardown(void)
{
	unlink(in_path);
	unlink(out_path);
	rmdir(dir);
	strcpy(dir + strlen(dir) - 6, "XXXXXX");
}

static struct pvm_options replay_options(bool json)
{
	return (struct pvm_options){.command = PVM_CMD_REPLAY, .replay_path = in_path,
				    .output_path = out_path, .min_severity = -1,
				    .format = json ? PVM_FORMAT_JSON : PVM_FORMAT_TABLE};
}

struct run {
	int status;
	char *out; /* the -o file */
	char *err;
};

static struct run run(const struct pvm_options *opts)
{
	struct run r;
	size_t len = 0;
	FILE *err = open_memstream(&r.err, &len);

	unlink(out_path);
	r.status = pvm_replay_run(opts, stdout, err);
	fclose(err);
	r.out = read_file(out_path);
	return r;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static const char stats_line[] =
	"{\"time\":\"2026-11-27T15:46:00.000000000Z\",\"event\":\"stats\",\"counters\":{\"calls\":3}}\n";

/* The alert summaries of the recordings below: the rules that fired, and how often allowed. */
#define SUMMARY_WRITE "PVM-W001 foreign-write high 1 allowed=0\n"
#define SUMMARY_WRITE_AND_READ SUMMARY_WRITE "PVM-R001 foreign-read medium 1 allowed=1\n"

/* Three events (the first with stale alerts), garbage, a stats record. */
static void write_recording(char *expected[3])
{
	struct pvm_alerts stale = {.n = 1};
	char *recorded[3];
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	stale.alert[0] = (struct pvm_alert){.rule = &pvm_rules[PVM_RULE_READ_CREDENTIALS],
					    .severity = PVM_SEV_HIGH, .reason = "stale"};
	build_write();
	recorded[0] = line_of(&stale);
	expected[0] = line_of(NULL);
	build_own_read();
	recorded[1] = expected[1] = line_of(NULL);
	build_strace_read();
	recorded[2] = expected[2] = line_of(NULL);
	fprintf(m, "%sgarbage{\n%s%s%s", recorded[0], recorded[1], stats_line, recorded[2]);
	fclose(m);
	write_file(in_path, text);
	free(text);
	free(recorded[0]);
}

/* The messages of the recording above: its garbage line, the counts, the summary. */
static void check_recording_err(const char *err, int kept, int line)
{
	char *want;

	if (asprintf(&want,
		     "pvmtrace: %s:2: unexpected character (column 1)\n"
		     "pvmtrace: replay: 3 events, %d kept, 1 malformed, 1 stats records\n%s",
		     in_path, kept, SUMMARY_WRITE_AND_READ) < 0)
		return;
	if (strcmp(err, want))
		unit_fail(__FILE__, line, "stderr:\n    got  %s    want %s", err, want);
	free(want);
}

UNIT_TEST(replay_json_gives_the_live_lines)
{
	struct pvm_options opts;
	char *expected[3], *want_out;
	struct run r;

	setup();
	write_recording(expected);
	opts = replay_options(true);
	r = run(&opts);
	CHECK_EQ(r.status, PVM_EXIT_OK);
	/* byte for byte what the sensor writes with today's rules: alerts replaced */
	if (asprintf(&want_out, "%s%s%s", expected[0], expected[1], expected[2]) < 0)
		return;
	CHECK_STR(r.out, want_out);
	CHECK(strstr(r.out, "stale") == NULL);
	CHECK(strstr(expected[0], "\"alerts\":[{\"rule\":\"PVM-W001\",\"name\":\"foreign-write\","
				  "\"severity\":\"high\",\"mitre\":[\"T1055\"],\"reason\":\"wrote 64 "
				  "bytes into pid 4300 (victim) owned by uid 0\"}],\"data\"") != NULL);
	CHECK(strstr(expected[1], "\"alerts\":[],") != NULL);
	CHECK(strstr(expected[2], "\"severity\":\"info\"") != NULL);
	CHECK(strstr(expected[2], "\"allowed_by\":\"config/allowlist.conf:53 (strace)\"") != NULL);
	check_recording_err(r.err, 3, __LINE__);
	for (int i = 0; i < 3; i++)
		free(expected[i]);
	free(want_out);
	run_free(&r);
	teardown();
}

UNIT_TEST(replay_table_and_min_severity)
{
	struct pvm_options opts;
	char *expected[3];
	struct run r;

	setup();
	write_recording(expected);
	opts = replay_options(false);
	r = run(&opts);
	CHECK_EQ(r.status, PVM_EXIT_OK);
	/* comm and exe escaped for the terminal: no ESC, newline or bidi override */
	CHECK_STR(r.out,
		  "TIME(UTC)                      EVENT      PID COMM              TARGET RET        "
		  "ALERTS           EXE\n"
		  "2026-11-27T15:45:08.123456789Z writev    4242 injector            4300 64         "
		  "HIGH PVM-W001    /usr/bin/injector\n"
		  "2026-11-27T15:45:08.123456789Z readv     4242 x\\x1b[2J\\x0a\\xc3\\xa9\"    4242 64"
		  "         -                /tmp/\\xe2\\x80\\xaeexe\n"
		  "2026-11-27T15:45:08.123456789Z readv     4242 injector            4300 4096       "
		  "INFO PVM-R001    /usr/bin/strace\n");
	run_free(&r);

	opts.min_severity = PVM_SEV_HIGH;
	r = run(&opts);
	CHECK_EQ(r.status, PVM_EXIT_OK);
	CHECK(strstr(r.out, "writev") && !strstr(r.out, "readv"));
	check_recording_err(r.err, 1, __LINE__);
	run_free(&r);
	for (int i = 0; i < 3; i++)
		free(expected[i]);
	teardown();
}

/* Each kind of bad line, reported with its number; the good ones still replayed. */
UNIT_TEST(replay_reports_malformed_lines)
{
	struct pvm_options opts = replay_options(true);
	char *event, *no_key, *text, *want_err;
	struct run r;

	setup();
	build_write();
	event = line_of(NULL);
	/* an event without its "ret" */
	no_key = strdup(event);
	*strstr(no_key, "\"ret\":64,") = '\0';
	if (asprintf(&text,
		     "%s"				     /* 1 */
		     "\n"				     /* 2 */
		     "   \r\n"				     /* 3 */
		     "[1,2]\n"				     /* 4 */
		     "{\"event\":\"process_vm_foo\"}\n"	     /* 5 */
		     "%s\"error\":null}\n"		     /* 6 */
		     "{\"a\":1} x\n"			     /* 7 */
		     "{\"a\":\"\xff\"}\n"		     /* 8 */
		     "{\"a\":\"\"}\n"			     /* 9: a NUL follows */
		     "{\"event\":\"stats\"}\n"		     /* 10 */
		     "{\"event\":\"process_vm_writev\"",     /* 11: cut short, no newline */
		     event, no_key) < 0)
		return;
	write_file(in_path, text);
	/* put the NUL byte into line 9 */
	{
		FILE *f = fopen(in_path, "r+");
		long at = (long)(strstr(text, "{\"a\":\"\"}") - text) + 6;

		fseek(f, at, SEEK_SET);
		putc('\0', f);
		fclose(f);
	}
	r = run(&opts);
	CHECK_EQ(r.status, PVM_EXIT_OK);
	CHECK_STR(r.out, event);
	if (asprintf(&want_err,
		     "pvmtrace: %1$s:2: empty line\n"
		     "pvmtrace: %1$s:3: empty line\n"
		     "pvmtrace: %1$s:4: not an event object\n"
		     "pvmtrace: %1$s:5: 'event' is not process_vm_readv or process_vm_writev\n"
		     "pvmtrace: %1$s:6: missing key 'ret'\n"
		     "pvmtrace: %1$s:7: unexpected character (column 9)\n"
		     "pvmtrace: %1$s:8: invalid utf-8 string (column 7)\n"
		     "pvmtrace: %1$s:9: NUL byte\n"
		     "pvmtrace: %1$s:11: the line ends inside a JSON value\n"
		     "pvmtrace: replay: 1 events, 1 kept, 9 malformed, 1 stats records\n%2$s",
		     in_path, SUMMARY_WRITE) < 0)
		return;
	CHECK_STR(r.err, want_err);
	run_free(&r);
	free(event);
	free(no_key);
	free(text);
	free(want_err);
	teardown();
}

/* A line far longer than any buffer (a key the rules do not read): read whole. */
UNIT_TEST(replay_long_line_and_old_recording)
{
	struct pvm_options opts = replay_options(true);
	const unsigned int n = 300, pad = 256 * 1024;
	char *event, *old, *alerts, *want, *text;
	struct run r;

	setup();
	build_write();
	buf.rec.remote_n = n;
	buf.rec.riovcnt = n;
	for (unsigned int i = 0; i < n; i++) {
		buf.iov[2 + i] = (struct pvm_iov){0x7f0000000000 + 0x1000ull * i, 16};
		set_region(&buf, i, (struct pvm_region){.state = PVM_REGION_NONE});
	}
	set_payload(&buf, "", 0, 0);
	set_exes(&buf, "/usr/bin/injector", PVM_EXE_KNOWN, "/usr/sbin/victim", PVM_EXE_KNOWN);
	event = line_of(NULL);
	text = malloc(strlen(event) + pad + 16);
	memcpy(text, "{\"pad\":\"", 8);
	memset(text + 8, 'x', pad);
	sprintf(text + 8 + pad, "\",%s", event + 1);
	write_file(in_path, text);
	r = run(&opts);
	CHECK_EQ(r.status, PVM_EXIT_OK);
	CHECK_STR(r.out, text);
	run_free(&r);
	free(text);

	/* a recording from before alerts: they are added at the end */
	build_write();
	free(event);
	event = line_of(NULL);
	old = strdup(event);
	alerts = strndup(strstr(event, "\"alerts\":"),
			 strstr(event, ",\"data\":") - strstr(event, "\"alerts\":"));
	memmove(strstr(old, "\"alerts\":"), strstr(old, "\"data\":"),
		strlen(strstr(old, "\"data\":")) + 1);
	write_file(in_path, old);
	r = run(&opts);
	CHECK_EQ(r.status, PVM_EXIT_OK);
	old[strlen(old) - 2] = '\0'; /* without "}\n" */
	if (asprintf(&want, "%s,%s}\n", old, alerts) >= 0) {
		CHECK_STR(r.out, want);
		free(want);
	}
	free(alerts);
	run_free(&r);
	free(event);
	free(old);
	teardown();
}

/* Replay fails with `status` and says only `fmt` (one %s: `path`) on stderr. */
static void check_refused(const struct pvm_options *opts, int status, const char *fmt,
			  const char *path, int line)
{
	char *err_text = NULL, *want;
	size_t len = 0;
	FILE *err = open_memstream(&err_text, &len);
	int got = pvm_replay_run(opts, stdout, err);

	fclose(err);
	if (got != status)
		unit_fail(__FILE__, line, "status %d, want %d", got, status);
	if (asprintf(&want, fmt, path) >= 0) {
		if (strcmp(err_text, want))
			unit_fail(__FILE__, line, "stderr:\n    got  %s    want %s", err_text, want);
		free(want);
	}
	free(err_text);
}

UNIT_TEST(replay_errors_and_exit_statuses)
{
	struct pvm_options opts = replay_options(true);
	char config[80], *text;
	struct run r;

	setup();
	check_refused(&opts, PVM_EXIT_FAILURE, "pvmtrace: replay: %s: No such file or directory\n",
		      in_path, __LINE__);

	/* a bad allowlist: 2, with its file and line */
	write_file(in_path, stats_line);
	snprintf(config, sizeof(config), "%s/bad.conf", dir);
	write_file(config, "# ok\nallow exe=/usr/bin/x colour=red\n");
	opts.config_path = config;
	check_refused(&opts, PVM_EXIT_USAGE, "pvmtrace: %s:2: unknown key 'colour'\n", config,
		      __LINE__);

	/* a good one: replay runs with it */
	write_file(config, "allow exe=/usr/bin/injector\n");
	r = run(&opts);
	CHECK_EQ(r.status, PVM_EXIT_OK);
	CHECK(strstr(r.err, "0 events, 0 kept, 0 malformed, 1 stats records") != NULL);
	run_free(&r);
	unlink(config);
	opts.config_path = NULL;

	/* -o naming the input: it would read its own lines forever */
	opts.output_path = in_path;
	check_refused(&opts, PVM_EXIT_FAILURE,
		      "pvmtrace: replay: -o %s is the file being replayed\n", in_path, __LINE__);
	text = read_file(in_path);
	CHECK_STR(text, stats_line);
	free(text);
	opts.output_path = out_path;

	unlink(out_path);
	if (symlink(in_path, out_path))
		unit_fail(__FILE__, __LINE__, "symlink");
	check_refused(&opts, PVM_EXIT_FAILURE, "pvmtrace: -o %s: is a symbolic link, refused\n",
		      out_path, __LINE__);
	teardown();
}

/* Without -o, events go to the stream the caller gives. */
UNIT_TEST(replay_to_a_stream)
{
	struct pvm_options opts = replay_options(false);
	char *out_text, *err_text = NULL;
	size_t err_len = 0;
	FILE *out = tmpfile(), *err = open_memstream(&err_text, &err_len);

	setup();
	write_file(in_path, stats_line);
	opts.output_path = NULL;
	CHECK_EQ(pvm_replay_run(&opts, out, err), PVM_EXIT_OK);
	fclose(err);
	rewind(out);
	out_text = read_stream(out);
	fclose(out);
	CHECK(!strncmp(out_text, "TIME(UTC)", 9) && strchr(out_text, '\n')[1] == '\0');
	CHECK(access(out_path, F_OK) != 0);
	free(out_text);
	free(err_text);
	teardown();
}

/* The event with "ret":64 replaced by "ret":`ret`. */
static char *with_ret(const char *event, const char *ret)
{
	const char *at = strstr(event, "\"ret\":64,");
	char *text;

	if (asprintf(&text, "%.*s\"ret\":%s,%s", (int)(at - event), event, ret,
		     at + strlen("\"ret\":64,")) < 0)
		return NULL;
	return text;
}

/* The column of `what` in `line`, as messages count it. */
static size_t column_of(const char *line, const char *what)
{
	return (size_t)(strstr(line, what) - line) + 1;
}

/* json-c would read them as the nearest int64 or uint64: refused, never replayed changed. */
UNIT_TEST(replay_refuses_integers_out_of_range)
{
	struct pvm_options opts = replay_options(true);
	char *event, *lines[5], *text, *want_out, *want_err;
	struct run r;

	setup();
	build_write();
	event = line_of(NULL);
	lines[0] = with_ret(event, "-9223372036854775809");
	lines[1] = with_ret(event, "18446744073709551616");
	lines[2] = with_ret(event, "64,\"pad\":[[0,{\"a\":99999999999999999999}]]");
	/* the extremes, numbers that are no integers, digits in strings: replayed as they are */
	lines[3] = with_ret(event, "64,\"pad\":[-9223372036854775808,18446744073709551615,"
				   "1.99999999999999999999,1e99999999999999999999,"
				   "\"\\\"99999999999999999999\"]");
	lines[4] = with_ret(event, "64,\"pad\":{\"99999999999999999999\":0}");
	if (asprintf(&text, "%s%s%s%s%s", lines[0], lines[1], lines[2], lines[3], lines[4]) < 0 ||
	    asprintf(&want_out, "%s%s", lines[3], lines[4]) < 0 ||
	    asprintf(&want_err,
		     "pvmtrace: %1$s:1: integer out of range (column %2$zu)\n"
		     "pvmtrace: %1$s:2: integer out of range (column %2$zu)\n"
		     "pvmtrace: %1$s:3: integer out of range (column %3$zu)\n"
		     "pvmtrace: replay: 2 events, 2 kept, 3 malformed, 0 stats records\n"
		     "PVM-W001 foreign-write high 2 allowed=0\n",
		     in_path, column_of(lines[0], "\"ret\":") + 6,
		     column_of(lines[2], "99999999999999999999")) < 0)
		return;
	write_file(in_path, text);
	r = run(&opts);
	CHECK_EQ(r.status, PVM_EXIT_OK);
	CHECK_STR(r.out, want_out);
	CHECK_STR(r.err, want_err);
	run_free(&r);
	for (int i = 0; i < 5; i++)
		free(lines[i]);
	free(event);
	free(text);
	free(want_out);
	free(want_err);
	teardown();
}

/* The event padded with an unread key to `len` bytes with its newline (len > the event's). */
static char *padded(const char *event, size_t len)
{
	size_t pad = len - strlen(event) - strlen("\"pad\":\"\",");
	char *text = malloc(len + 1);

	memcpy(text, "{\"pad\":\"", 8);
	memset(text + 8, 'x', pad);
	sprintf(text + 8 + pad, "\",%s", event + 1);
	return text;
}

/* A line of the limit is replayed; a longer one reported and skipped, the next one read. */
UNIT_TEST(replay_skips_lines_longer_than_the_limit)
{
	struct pvm_options opts = replay_options(true);
	char *event, *longest, *longer, *text, *want_out, *want_err;
	struct run r;

	setup();
	build_write();
	event = line_of(NULL);
	longest = padded(event, PVM_REPLAY_LINE_MAX + 1); /* the newline is not the line's */
	longer = padded(event, PVM_REPLAY_LINE_MAX + 2);
	if (asprintf(&text, "%s%s%s%.*s", longest, longer, event, (int)strlen(longer) - 1,
		     longer) < 0 ||
	    asprintf(&want_out, "%s%s", longest, event) < 0 ||
	    asprintf(&want_err,
		     "pvmtrace: %1$s:2: line longer than 1048576 bytes\n"
		     "pvmtrace: %1$s:4: line longer than 1048576 bytes\n"
		     "pvmtrace: replay: 2 events, 2 kept, 2 malformed, 0 stats records\n"
		     "PVM-W001 foreign-write high 2 allowed=0\n",
		     in_path) < 0)
		return;
	write_file(in_path, text);
	r = run(&opts);
	CHECK_EQ(r.status, PVM_EXIT_OK);
	CHECK(r.out && !strcmp(r.out, want_out));
	CHECK_STR(r.err, want_err);
	run_free(&r);
	free(event);
	free(longest);
	free(longer);
	free(text);
	free(want_out);
	free(want_err);
	teardown();
}

/* Room for the largest record: 1024 iovecs a side, each remote one with its region. */
static union {
	struct record_buffer b;
	char bytes[sizeof(struct pvm_record) + 2 * PVM_IOV_MAX * sizeof(struct pvm_iov) +
		   PVM_IOV_MAX * sizeof(struct pvm_region) + PVM_CAPTURE_MAX + 2 * PVM_EXE_PATH_MAX];
} largest;

/* Every count, size and text at its most, each text byte one JSON escapes as \u00XX. */
static void build_largest(struct record_buffer *b)
{
	char exe[PVM_EXE_PATH_MAX + 1], payload[PVM_CAPTURE_MAX];

	build_example(b);
	b->rec.local_n = b->rec.liovcnt = b->rec.remote_n = b->rec.riovcnt = PVM_IOV_MAX;
	for (unsigned int i = 0; i < 2 * PVM_IOV_MAX; i++)
		b->iov[i] = (struct pvm_iov){UINT64_MAX, UINT64_MAX};
	for (unsigned int i = 0; i < PVM_IOV_MAX; i++)
		set_region(b, i,
			   (struct pvm_region){.start = UINT64_MAX, .end = UINT64_MAX, .vm_flags = 0xf,
					       .state = PVM_REGION_FOUND, .kind = PVM_REGION_STACK});
	b->rec.local_bytes = b->rec.remote_bytes = UINT64_MAX;
	b->rec.local_iov = b->rec.remote_iov = b->rec.cgroup_id = UINT64_MAX;
	b->rec.duration_ns = b->rec.caller_start_boot_ns = b->rec.target.start_boot_ns = UINT64_MAX;
	b->rec.caller_pid = b->rec.caller_tid = b->rec.caller_ppid = UINT32_MAX;
	b->rec.caller_uid = b->rec.caller_gid = b->rec.pidns = b->rec.mntns = UINT32_MAX;
	b->rec.target.pid = b->rec.target.tid = b->rec.target.uid = UINT32_MAX;
	b->rec.flags = UINT32_MAX;
	b->rec.pid = INT32_MIN;
	b->rec.ret = INT64_MIN;
	memset(b->rec.comm, 1, PVM_COMM_LEN - 1);
	memset(b->rec.target.comm, 1, PVM_COMM_LEN - 1);
	memset(payload, 0xff, sizeof(payload));
	set_payload(b, payload, PVM_CAPTURE_MAX, UINT64_MAX);
	memset(exe, 1, PVM_EXE_PATH_MAX);
	exe[0] = '/';
	exe[PVM_EXE_PATH_MAX] = '\0';
	set_exes(b, exe, PVM_EXE_KNOWN | PVM_EXE_TRUNCATED | PVM_EXE_DELETED, exe,
		 PVM_EXE_KNOWN | PVM_EXE_TRUNCATED | PVM_EXE_DELETED);
}

struct largest_line {
	struct pvm_event ev;
	struct pvm_envelope env;
};

static void largest_json(FILE *out, const void *arg)
{
	const struct largest_line *l = arg;
	struct pvm_envelope env = l->env;
	struct json_writer w;

	jw_init(&w, out);
	pvm_format_json(&w, &l->ev, NULL, &env);
}

/* The longest line pvmtrace writes, but for its allowlist's labels (its operator's). */
static char *largest_line(void)
{
	static struct largest_line l;
	struct pvm_decode_config config = {0, PVM_CAPTURE_MAX};
	static struct pvm_alerts alerts = {.n = PVM_RULE_COUNT};
	char host[PVM_HOST_NAME_MAX + 1] = {0};
	const char *why;

	build_largest(&largest.b);
	if (pvm_event_decode(&largest.b, record_size(&largest.b), &config, &l.ev, &why))
		unit_fail(__FILE__, __LINE__, "decode: %s", why);
	pvm_enrich_regions(no_proc(), &l.ev, views, 0);
	for (unsigned int i = 0; i < PVM_REGIONS_MAX; i++) {
		views[i].has_path = true;
		memset(views[i].path, 1, PATH_MAX - 1);
		views[i].path[0] = '/';
		views[i].path[PATH_MAX - 1] = '\0';
	}
	memset(l.ev.caller_container, 'f', PVM_CONTAINER_ID_LEN);
	memset(l.ev.target_container, 'f', PVM_CONTAINER_ID_LEN);
	l.ev.looked_up_ancestors = true;
	l.ev.n_ancestors = sizeof(l.ev.caller_ancestors) / sizeof(l.ev.caller_ancestors[0]);
	for (unsigned int i = 0; i < l.ev.n_ancestors; i++)
		l.ev.caller_ancestors[i] = l.ev.caller_exe;
	l.ev.stored = (struct pvm_stored_payload){.state = PVM_STORE_SENT, .bytes = UINT64_MAX,
						  .result = PVM_STORED_NEW, .len = UINT64_MAX};
	for (unsigned int i = 0; i < PVM_RULE_COUNT; i++) {
		alerts.alert[i] = (struct pvm_alert){.rule = &pvm_rules[i], .severity = PVM_SEV_INFO,
						     .allowed_by = "/etc/pvmtrace/allow.conf:999 (x)"};
		memset(alerts.alert[i].reason, 1, PVM_REASON_MAX - 1);
	}
	l.ev.alerts = &alerts;
	memset(host, 'h', PVM_HOST_NAME_MAX);
	pvm_envelope_init(&l.env, host, "/nonexistent", "0.0-test");
	return unit_capture(largest_json, &l);
}

/* docs/rules.md (Offline replay) gives the figure: below it, and replayed. */
UNIT_TEST(replay_reads_the_longest_line_pvmtrace_writes)
{
	struct pvm_options opts = replay_options(true);
	char *line = largest_line();
	struct run r;

	setup();
	CHECK(strlen(line) < 600 * 1024 && 600 * 1024 < PVM_REPLAY_LINE_MAX);
	write_file(in_path, line);
	r = run(&opts);
	CHECK_EQ(r.status, PVM_EXIT_OK);
	CHECK(r.err && strstr(r.err, "pvmtrace: replay: 1 events, 1 kept, 0 malformed,"));
	run_free(&r);
	free(line);
	teardown();
}

/* `n` copies of the event line replay writes as it reads it. */
static char *recording_of(unsigned int n, size_t *line_len)
{
	char *event, *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	build_write();
	event = line_of(NULL);
	*line_len = strlen(event);
	for (unsigned int i = 0; i < n; i++)
		fputs(event, m);
	fclose(m);
	free(event);
	return text;
}

/*
 * Replays the recording of 1000 events into `out` (NULL: -o), which fails:
 * the first failure ends it, said once, with the lines made and not written.
 * Returns the lines written.
 */
static unsigned long long replay_into_failing(FILE *out, const char *reason, int line)
{
	struct pvm_options opts = replay_options(true);
	unsigned long long lost = 0, events = 0;
	char *err_text = NULL, *want;
	size_t err_len = 0;
	FILE *err = open_memstream(&err_text, &err_len);
	int status;

	if (out)
		opts.output_path = NULL;
	else
		unlink(out_path);
	status = pvm_replay_run(&opts, out, err);
	fclose(err);
	if (status != PVM_EXIT_FAILURE)
		unit_fail(__FILE__, line, "status %d", status);
	if (sscanf(err_text, "pvmtrace: replay: writing events failed: %*[^;]; %llu lines not "
			     "written\npvmtrace: replay: %llu events,",
		   &lost, &events) != 2 ||
	    events >= 1000 || lost > events)
		unit_fail(__FILE__, line, "stderr:\n%s", err_text);
	if (asprintf(&want,
		     "pvmtrace: replay: writing events failed: %s; %llu lines not written\n"
		     "pvmtrace: replay: %llu events, %llu kept, 0 malformed, 0 stats records\n"
		     "PVM-W001 foreign-write high %llu allowed=0\n",
		     reason, lost, events, events, events) >= 0) {
		if (strcmp(err_text, want))
			unit_fail(__FILE__, line, "stderr:\n    got  %s    want %s", err_text, want);
		free(want);
	}
	free(err_text);
	return events - lost;
}

UNIT_TEST(replay_stops_at_the_first_failed_write)
{
	void (*old_pipe)(int) = signal(SIGPIPE, SIG_IGN);
	void (*old_xfsz)(int) = signal(SIGXFSZ, SIG_IGN);
	struct rlimit old, limit = {.rlim_cur = 100000};
	FILE *full = fopen("/dev/full", "w"), *pipe_out;
	unsigned long long written;
	char *text, *out_text;
	int pipe_fds[2];
	size_t line_len;

	setup();
	text = recording_of(1000, &line_len);
	write_file(in_path, text);

	/* a full disk: nothing written */
	CHECK(full != NULL);
	CHECK_EQ(replay_into_failing(full, "No space left on device", __LINE__), 0);
	fclose(full);

	/* a pipe nobody reads */
	CHECK_EQ(pipe(pipe_fds), 0);
	close(pipe_fds[0]);
	pipe_out = fdopen(pipe_fds[1], "w");
	CHECK_EQ(replay_into_failing(pipe_out, "Broken pipe", __LINE__), 0);
	fclose(pipe_out);

	/* a file size limit cuts a batch: the -o file keeps the whole lines, counted */
	getrlimit(RLIMIT_FSIZE, &old);
	limit.rlim_max = old.rlim_max;
	CHECK_EQ(setrlimit(RLIMIT_FSIZE, &limit), 0);
	written = replay_into_failing(NULL, "File too large", __LINE__);
	setrlimit(RLIMIT_FSIZE, &old);
	CHECK_EQ(written, 100000 / line_len);
	out_text = read_file(out_path);
	text[written * line_len] = '\0';
	CHECK(out_text && !strcmp(out_text, text));
	free(out_text);
	free(text);
	signal(SIGPIPE, old_pipe);
	signal(SIGXFSZ, old_xfsz);
	teardown();
}
