// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Offline replay: a recorded JSON line -> json-c object -> facts -> rules ->
 * the object again (with its new alerts) or a table row. Every line is input
 * someone else wrote: it is parsed strictly, checked key by key, and printed
 * only through the escaping of src/output/escape.c.
 */
#include "replay/replay.h"

#include <errno.h>
#include <limits.h>
#include <json-c/json_object.h>
#include <json-c/json_tokener.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "event/event.h"
#include "json_keys.h"
#include "output/escape.h"
#include "output/format_alerts.h"
#include "output/json_writer.h"
#include "output/output_file.h"
#include "rules/facts_json.h"
#include "rules/rules.h"

#define TIME_COLUMN 30 /* 2026-11-27T15:45:08.123456789Z */
#define COMM_COLUMN 16

struct replay {
	const struct pvm_options *opts;
	const char *name; /* the input, as messages name it */
	FILE *out, *err;
	struct pvm_allowlist allow;
	struct json_tokener *tok;
	struct pvm_alert_summary summary;
	unsigned long long events, kept, malformed, stats;
};

static void malformed(struct replay *r, unsigned long long line, const char *why)
{
	r->malformed++;
	fprintf(r->err, "pvmtrace: %s:%llu: %s\n", r->name, line, why);
}

/*
 * The alerts as the live sensor writes them (pvm_json_alerts, the one place
 * their shape is defined), read back as a json-c array. NULL without memory.
 */
static json_object *alerts_object(const struct pvm_alerts *a)
{
	json_object *wrapper, *alerts = NULL;
	struct json_writer w;
	size_t len = 0;
	char *text = NULL;
	FILE *m = open_memstream(&text, &len);

	if (!m)
		return NULL;
	jw_init(&w, m);
	jw_object_begin(&w);
	pvm_json_alerts(&w, a);
	jw_object_end(&w);
	jw_flush(&w);
	if (fclose(m) == 0 && (wrapper = json_tokener_parse(text))) {
		if (json_object_object_get_ex(wrapper, PVM_KEY_ALERTS, &alerts))
			json_object_get(alerts);
		json_object_put(wrapper);
	}
	free(text);
	return alerts;
}

/*
 * json-c writes strings as UTF-8 with "\n"-style escapes. Every escape and
 * every byte past ASCII in its output is inside a string, so each goes through
 * pvm_json_escape(): the line is pure ASCII, as pvmtrace itself writes it
 * (docs/events.md, String escaping), and a C1 control or a bidi override
 * never reaches the output raw.
 */
static void put_ascii_json(FILE *out, const char *s)
{
	static const char letters[] = "bfnrt", controls[] = "\b\f\n\r\t";

	while (*s) {
		const char *short_form = s[0] == '\\' && s[1] ? strchr(letters, s[1]) : NULL;
		size_t run = 0;

		if (short_form) {
			pvm_json_escape(out, &controls[short_form - letters], 1);
			s += 2;
		} else if (s[0] == '\\' && s[1]) {
			fwrite(s, 1, 2, out); /* \" \\ \/ \uXXXX */
			s += 2;
		} else {
			while ((unsigned char)s[run] >= 0x7f)
				run++;
			if (run) {
				pvm_json_escape(out, s, run);
				s += run;
			} else {
				putc_unlocked(*s++, out);
			}
		}
	}
	putc_unlocked('\n', out);
}

static int print_json(struct replay *r, json_object *ev, const struct pvm_alerts *a)
{
	json_object *alerts = alerts_object(a);

	/* an existing "alerts" keeps its place; an old recording gets one at the end */
	if (!alerts || json_object_object_add(ev, PVM_KEY_ALERTS, alerts)) {
		json_object_put(alerts);
		return -1;
	}
	put_ascii_json(r->out, json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN |
								  JSON_C_TO_STRING_NOSLASHESCAPE));
	return 0;
}

/* The string ev[object][key] (ev[key] when `object` is NULL), or NULL. */
static const char *string_member(json_object *ev, const char *object, const char *key)
{
	json_object *o = ev, *v;

	if (object && !json_object_object_get_ex(ev, object, &o))
		return NULL;
	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : NULL;
}

/* Attacker-chosen text, escaped for the terminal and padded by what was printed. */
static void term_column(FILE *out, const char *s, size_t width)
{
	for (size_t i = pvm_term_escape(out, s, strlen(s)); i < width; i++)
		putc_unlocked(' ', out);
}

static void print_header(FILE *out)
{
	fprintf(out, "%-*s %-6s %7s %-*s %7s %-10s %-*s %s\n", TIME_COLUMN, "TIME(UTC)", "EVENT",
		"PID", COMM_COLUMN, "COMM", "TARGET", "RET", PVM_ALERT_COLUMN_WIDTH, "ALERTS", "EXE");
}

/* The columns a reader needs to find the event again; the rest is in --json. */
static void print_row(struct replay *r, json_object *ev, const struct pvm_facts *f,
		      const struct pvm_alerts *a)
{
	const char *time = string_member(ev, NULL, PVM_KEY_TIME);
	const char *comm = string_member(ev, PVM_KEY_CALLER, PVM_KEY_COMM);
	const char *error = pvm_errno_name(f->ret);
	char result[32], alerts[PVM_ALERT_COLUMN_LEN];

	snprintf(result, sizeof(result), "%lld%s%s", (long long)f->ret, error ? " " : "",
		 error ? error : "");
	pvm_alerts_column(alerts, a);
	term_column(r->out, time ? time : "-", TIME_COLUMN);
	fprintf(r->out, " %-6s %7u ", f->call == PVM_SYS_WRITEV ? "writev" : "readv",
		f->caller.pid);
	term_column(r->out, comm ? comm : f->caller.comm, COMM_COLUMN);
	fprintf(r->out, " %7d %-10s %-*s ", f->pid_arg, result, PVM_ALERT_COLUMN_WIDTH, alerts);
	term_column(r->out, f->caller.exe.known ? pvm_fact_path_text(f, &f->caller.exe) : "-", 0);
	putc_unlocked('\n', r->out);
}

/* json-c's verdict on one line, or NULL with *why. */
static json_object *parse_line(struct replay *r, const char *line, size_t len, const char **why)
{
	static __thread char buf[96];
	enum json_tokener_error error;
	json_object *obj;

	if (strspn(line, " \t\r") == len) {
		*why = "empty line";
		return NULL;
	}
	if (memchr(line, '\0', len)) {
		*why = "NUL byte";
		return NULL;
	}
	if (len > INT_MAX) { /* json-c takes an int */
		*why = "line longer than 2 GiB";
		return NULL;
	}
	json_tokener_reset(r->tok);
	obj = json_tokener_parse_ex(r->tok, line, (int)len);
	error = json_tokener_get_error(r->tok);
	if (obj || error == json_tokener_success) {
		if (!json_object_is_type(obj, json_type_object)) {
			*why = "not an event object";
			json_object_put(obj);
			return NULL;
		}
		return obj;
	}
	if (error == json_tokener_continue)
		*why = "the line ends inside a JSON value";
	else {
		snprintf(buf, sizeof(buf), "%s (column %zu)", json_tokener_error_desc(error),
			 json_tokener_get_parse_end(r->tok) + 1);
		*why = buf;
	}
	return NULL;
}

/* One line without its newline. Returns -1 only when its alerts could not be built. */
static int replay_line(struct replay *r, const char *line, size_t len, unsigned long long number)
{
	const char *why, *event;
	struct pvm_alerts alerts;
	struct pvm_facts facts;
	json_object *ev = parse_line(r, line, len, &why);
	int ret = 0;

	if (!ev) {
		malformed(r, number, why);
		return 0;
	}
	event = string_member(ev, NULL, PVM_KEY_EVENT);
	if (event && !strcmp(event, PVM_EVENT_STATS)) {
		r->stats++; /* the final counters of the recording run */
	} else if (pvm_facts_from_json(ev, &facts, &why)) {
		malformed(r, number, why);
	} else {
		r->events++;
		pvm_rules_eval(&facts, &r->allow, &alerts);
		pvm_alert_summary_add(&r->summary, &alerts);
		if (r->opts->min_severity < 0 ||
		    pvm_alerts_at_least(&alerts, (enum pvm_severity)r->opts->min_severity)) {
			r->kept++;
			if (r->opts->format == PVM_FORMAT_TABLE)
				print_row(r, ev, &facts, &alerts);
			else if (print_json(r, ev, &alerts))
				ret = -1;
		}
	}
	json_object_put(ev);
	return ret;
}

/* getline: a line of any length is read whole, never cut. */
static int replay_stream(struct replay *r, FILE *in)
{
	unsigned long long number = 0;
	size_t cap = 0;
	char *line = NULL;
	ssize_t n;
	int ret = PVM_EXIT_OK;

	if (r->opts->format == PVM_FORMAT_TABLE)
		print_header(r->out);
	while ((n = getline(&line, &cap, in)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			n--;
		if (replay_line(r, line, (size_t)n, ++number)) {
			fprintf(r->err, "pvmtrace: replay: out of memory\n");
			ret = PVM_EXIT_FAILURE;
			break;
		}
	}
	if (ret == PVM_EXIT_OK && ferror(in)) {
		fprintf(r->err, "pvmtrace: replay: %s: %s\n", r->name, strerror(errno));
		ret = PVM_EXIT_FAILURE;
	}
	free(line);
	return ret;
}

static int load_allowlist(struct replay *r)
{
	char msg[512];
	int failed = r->opts->config_path
			     ? pvm_allowlist_load(&r->allow, r->opts->config_path, msg, sizeof(msg))
			     : pvm_allowlist_load_default(&r->allow, msg, sizeof(msg));

	if (failed)
		fprintf(r->err, "pvmtrace: %s\n", msg);
	return failed;
}

static void print_counts(const struct replay *r)
{
	fprintf(r->err, "pvmtrace: replay: %llu events, %llu kept, %llu malformed, %llu stats records\n",
		r->events, r->kept, r->malformed, r->stats);
	pvm_alert_summary_print(r->err, &r->summary);
}

static bool same_file(FILE *a, FILE *b)
{
	struct stat sa, sb;

	return !fstat(fileno(a), &sa) && !fstat(fileno(b), &sb) && S_ISREG(sa.st_mode) &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int pvm_replay_run(const struct pvm_options *opts, FILE *out, FILE *err)
{
	struct replay r = {.opts = opts, .out = out, .err = err};
	bool from_stdin = !strcmp(opts->replay_path, "-");
	FILE *in = NULL;
	int ret = PVM_EXIT_FAILURE;

	r.name = from_stdin ? "(standard input)" : opts->replay_path;
	if (load_allowlist(&r))
		return PVM_EXIT_USAGE;
	in = from_stdin ? stdin : fopen(opts->replay_path, "re");
	if (!in) {
		fprintf(err, "pvmtrace: replay: %s: %s\n", r.name, strerror(errno));
		goto cleanup;
	}
	if (opts->output_path && !(r.out = pvm_output_open(opts->output_path, err)))
		goto cleanup;
	if (same_file(in, r.out)) { /* it would read its own output, forever */
		fprintf(err, "pvmtrace: replay: -o %s is the file being replayed\n",
			opts->output_path);
		goto cleanup;
	}
	r.tok = json_tokener_new();
	if (!r.tok) {
		fprintf(err, "pvmtrace: replay: out of memory\n");
		goto cleanup;
	}
	json_tokener_set_flags(r.tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	ret = replay_stream(&r, in);
	print_counts(&r);
	if (fflush(r.out) || ferror(r.out)) {
		fprintf(err, "pvmtrace: replay: writing %s: %s\n",
			opts->output_path ? opts->output_path : "the output", strerror(errno));
		ret = PVM_EXIT_FAILURE;
	}

cleanup:
	if (r.tok)
		json_tokener_free(r.tok);
	if (r.out && r.out != out && fclose(r.out) && ret == PVM_EXIT_OK) {
		fprintf(err, "pvmtrace: replay: writing %s: %s\n", opts->output_path,
			strerror(errno));
		ret = PVM_EXIT_FAILURE;
	}
	if (in && in != stdin)
		fclose(in);
	pvm_allowlist_free(&r.allow);
	return ret;
}

int pvm_replay(const struct pvm_options *opts)
{
	return pvm_replay_run(opts, stdout, stderr);
}
