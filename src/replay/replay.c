// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Offline replay: a recorded JSON line -> json-c object -> facts -> rules ->
 * the object again (with its new alerts) or a table row. Every line is input
 * someone else wrote: it is read up to a length, parsed strictly, checked key
 * by key, and printed only through the escaping of src/output/escape.c. The
 * lines made are written in batches, counted, as the live sensor writes its
 * own (output/plain_out.h): the first failed write ends the replay.
 */
#include "replay/replay.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <json-c/json_object.h>
#include <json-c/json_tokener.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event/event.h"
#include "json_keys.h"
#include "output/escape.h"
#include "output/format_alerts.h"
#include "output/json_writer.h"
#include "output/output_file.h"
#include "output/plain_out.h"
#include "rules/facts_json.h"
#include "rules/rules.h"

#define TIME_COLUMN 30 /* 2026-11-27T15:45:08.123456789Z */
#define COMM_COLUMN 16
#define BATCH_BYTES (64 * 1024) /* what is written at a time, about */
#define READ_BLOCK (64 * 1024)
#define LINE_BUF (PVM_REPLAY_LINE_MAX + READ_BLOCK + 1)

#define STRING(x) #x
#define NUMBER_TEXT(x) STRING(x)
#define LINE_TOO_LONG_WHY "line longer than " NUMBER_TEXT(PVM_REPLAY_LINE_MAX) " bytes"

_Static_assert(PVM_REPLAY_LINE_MAX <= INT_MAX, "json-c takes a line's length as an int");

/*
 * The input, read with read(2) a block at a time (a pipe's lines as they
 * come) and cut at its newlines with memchr: a line is held up to the limit
 * and a longer one dropped as it is read.
 */
struct line_reader {
	int fd;
	char *buf;	   /* LINE_BUF bytes */
	size_t start, end; /* what is read and not taken: buf[start, end) */
	int error;	   /* errno of a failed read: the input ends there */
};

struct replay {
	const struct pvm_options *opts;
	const char *name; /* the input, as messages name it */
	FILE *out;	  /* the lines made since the last batch: a memory stream */
	char *out_text;
	size_t out_len;
	struct pvm_plain_out sink; /* where the batches go */
	bool terminal;		   /* the sink is one: each line goes at once */
	unsigned long long made, sent; /* output lines; those handed to the sink */
	FILE *err;
	struct line_reader in;
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
	r->made++;
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

static void print_header(struct replay *r)
{
	fprintf(r->out, "%-*s %-6s %7s %-*s %7s %-10s %-*s %s\n", TIME_COLUMN, "TIME(UTC)", "EVENT",
		"PID", COMM_COLUMN, "COMM", "TARGET", "RET", PVM_ALERT_COLUMN_WIDTH, "ALERTS", "EXE");
	r->made++;
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
	r->made++;
}

/* NULL, with *why "WHAT (column N)". */
static json_object *fail_at(const char **why, const char *what, size_t column)
{
	static __thread char buf[96];

	snprintf(buf, sizeof(buf), "%s (column %zu)", what, column);
	*why = buf;
	return NULL;
}

/* json-c's verdict on a line with no NUL byte, or NULL with *why. */
static json_object *parse_json(struct replay *r, const char *line, size_t len, const char **why)
{
	enum json_tokener_error error;
	json_object *obj;

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
	if (error == json_tokener_continue) {
		*why = "the line ends inside a JSON value";
		return NULL;
	}
	return fail_at(why, json_tokener_error_desc(error), json_tokener_get_parse_end(r->tok) + 1);
}

/* Past the closing quote of the string whose body starts at p: one not escaped. */
static const char *past_string(const char *p, const char *end)
{
	const char *quote, *backslashes;

	while ((quote = memchr(p, '"', (size_t)(end - p)))) {
		for (backslashes = quote; backslashes > p && backslashes[-1] == '\\'; backslashes--)
			;
		if ((quote - backslashes) % 2 == 0)
			return quote + 1;
		p = quote + 1;
	}
	return end;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool in_number(char c)
{
	return is_digit(c) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
}

/* The integer digits[0, n) (no sign) fits in an int64 when negative, else in a uint64. */
static bool integer_fits(const char *digits, size_t n, bool negative)
{
	static const char int64_min[] = "9223372036854775808", uint64_max[] = "18446744073709551615";
	const char *limit = negative ? int64_min : uint64_max;
	size_t limit_len = negative ? sizeof(int64_min) - 1 : sizeof(uint64_max) - 1;

	while (n > 1 && *digits == '0') {
		digits++;
		n--;
	}
	return n < limit_len || (n == limit_len && memcmp(digits, limit, n) <= 0);
}

/*
 * The column of the first integer json-c cannot hold, or 0. json-c saturates
 * one without an error (-9223372036854775809 reads as INT64_MIN, 2^64 as
 * UINT64_MAX): the line would be replayed with another value. So the text of
 * a line json-c accepted, valid JSON, is scanned for one outside its strings.
 */
static size_t integer_out_of_range(const char *line, size_t len)
{
	const char *p = line, *end = line + len;

	while (p < end) {
		if (*p == '"') {
			p = past_string(p + 1, end);
		} else if (*p == '-' || is_digit(*p)) {
			const char *start = p, *digits = p + (*p == '-');

			for (p = digits; p < end && is_digit(*p); p++)
				;
			if (p < end && in_number(*p)) { /* a fraction or an exponent: a double */
				while (p < end && in_number(*p))
					p++;
			} else if (!integer_fits(digits, (size_t)(p - digits), digits != start)) {
				return (size_t)(start - line) + 1;
			}
		} else {
			p++;
		}
	}
	return 0;
}

/* The event object of one line, or NULL with *why. */
static json_object *parse_line(struct replay *r, const char *line, size_t len, const char **why)
{
	json_object *obj;
	size_t column;

	if (strspn(line, " \t\r") == len) {
		*why = "empty line";
		return NULL;
	}
	if (memchr(line, '\0', len)) {
		*why = "NUL byte";
		return NULL;
	}
	obj = parse_json(r, line, len, why);
	if (obj && (column = integer_out_of_range(line, len))) {
		json_object_put(obj);
		return fail_at(why, "integer out of range", column);
	}
	return obj;
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

enum line_read { LINE_END, LINE_OK, LINE_TOO_LONG };

/* The unread bytes moved to the front, more after them: false at the end or on an error. */
static bool fill(struct line_reader *l)
{
	ssize_t n;

	memmove(l->buf, l->buf + l->start, l->end - l->start);
	l->end -= l->start;
	l->start = 0;
	do
		n = read(l->fd, l->buf + l->end, LINE_BUF - 1 - l->end);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		l->error = errno;
	else
		l->end += (size_t)n;
	return n > 0;
}

/*
 * The next line without its newline, NUL terminated, in *line. One longer
 * than PVM_REPLAY_LINE_MAX is read to its end and dropped.
 */
static enum line_read read_line(struct line_reader *l, char **line, size_t *len)
{
	bool too_long = false;
	size_t scanned = 0;
	char *end;

	while (!(end = memchr(l->buf + l->start + scanned, '\n', l->end - l->start - scanned))) {
		scanned = l->end - l->start;
		if (scanned > PVM_REPLAY_LINE_MAX) {
			too_long = true;
			l->start = l->end;
			scanned = 0;
		}
		if (!fill(l)) {
			if (l->start == l->end)
				return too_long ? LINE_TOO_LONG : LINE_END;
			end = l->buf + l->end; /* the last line, without a newline */
			break;
		}
	}
	*line = l->buf + l->start;
	*len = (size_t)(end - *line);
	l->start = end < l->buf + l->end ? (size_t)(end + 1 - l->buf) : l->end;
	if (too_long || *len > PVM_REPLAY_LINE_MAX)
		return LINE_TOO_LONG;
	*end = '\0';
	return LINE_OK;
}

/* The lines made since the last batch, to the sink: 0, or -errno (then and ever after). */
static int write_batch(struct replay *r)
{
	int err;

	if (fflush(r->out))
		return -ENOMEM; /* all a memory stream can fail for */
	err = pvm_plain_out_write(&r->sink, r->out_text, r->out_len, r->made - r->sent);
	r->sent = r->made;
	rewind(r->out);
	return err;
}

static bool batch_due(struct replay *r)
{
	return r->made > r->sent && (r->terminal || ftello(r->out) >= BATCH_BYTES);
}

static int replay_stream(struct replay *r)
{
	unsigned long long number = 0;
	bool no_memory = false;
	enum line_read got;
	int err = 0;
	size_t len;
	char *line;

	if (r->opts->format == PVM_FORMAT_TABLE)
		print_header(r);
	while (!err && !no_memory && (got = read_line(&r->in, &line, &len)) != LINE_END) {
		if (got == LINE_TOO_LONG)
			malformed(r, ++number, LINE_TOO_LONG_WHY);
		else
			no_memory = replay_line(r, line, len, ++number) != 0;
		if (batch_due(r))
			err = write_batch(r);
	}
	if (!err)
		err = write_batch(r);
	if (err) {
		fprintf(r->err, "pvmtrace: replay: writing events failed: %s; %llu lines not written\n",
			strerror(-err), r->made - r->sink.lines_written);
		return PVM_EXIT_FAILURE;
	}
	if (no_memory)
		fprintf(r->err, "pvmtrace: replay: out of memory\n");
	else if (r->in.error)
		fprintf(r->err, "pvmtrace: replay: %s: %s\n", r->name, strerror(r->in.error));
	return no_memory || r->in.error ? PVM_EXIT_FAILURE : PVM_EXIT_OK;
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

static bool same_file(int a, int b)
{
	struct stat sa, sb;

	return !fstat(a, &sa) && !fstat(b, &sb) && S_ISREG(sa.st_mode) && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* Where the lines go: -o FILE (into *file), or `out`. NULL after saying why. */
static FILE *open_sink(struct replay *r, FILE *out, FILE **file)
{
	const char *path = r->opts->output_path;
	FILE *sink = out;

	if (path && !(sink = *file = pvm_output_open(path, r->err)))
		return NULL;
	if (same_file(r->in.fd, fileno(sink))) { /* it would read its own output, forever */
		fprintf(r->err, "pvmtrace: replay: %s%s is the file being replayed\n",
			path ? "-o " : "", path ? path : "standard output");
		return NULL;
	}
	fflush(sink); /* the batches are written past the stream, to its descriptor */
	pvm_plain_out_init(&r->sink, fileno(sink));
	r->terminal = isatty(fileno(sink));
	return sink;
}

int pvm_replay_run(const struct pvm_options *opts, FILE *out, FILE *err)
{
	struct replay r = {.opts = opts, .err = err, .in.fd = -1};
	bool from_stdin = !strcmp(opts->replay_path, "-");
	int ret = PVM_EXIT_FAILURE;
	FILE *file = NULL;

	r.name = from_stdin ? "(standard input)" : opts->replay_path;
	if (load_allowlist(&r))
		return PVM_EXIT_USAGE;
	r.in.fd = from_stdin ? STDIN_FILENO : open(opts->replay_path, O_RDONLY | O_CLOEXEC);
	if (r.in.fd < 0) {
		fprintf(err, "pvmtrace: replay: %s: %s\n", r.name, strerror(errno));
		goto cleanup;
	}
	if (!open_sink(&r, out, &file))
		goto cleanup;
	r.tok = json_tokener_new();
	r.out = open_memstream(&r.out_text, &r.out_len);
	r.in.buf = malloc(LINE_BUF);
	if (!r.tok || !r.out || !r.in.buf) {
		fprintf(err, "pvmtrace: replay: out of memory\n");
		goto cleanup;
	}
	json_tokener_set_flags(r.tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	ret = replay_stream(&r);
	print_counts(&r);

cleanup:
	if (r.tok)
		json_tokener_free(r.tok);
	if (r.out)
		fclose(r.out);
	free(r.out_text);
	free(r.in.buf);
	if (file && fclose(file) && ret == PVM_EXIT_OK) {
		fprintf(err, "pvmtrace: replay: writing %s: %s\n", opts->output_path,
			strerror(errno));
		ret = PVM_EXIT_FAILURE;
	}
	if (r.in.fd >= 0 && !from_stdin)
		close(r.in.fd);
	pvm_allowlist_free(&r.allow);
	return ret;
}

int pvm_replay(const struct pvm_options *opts)
{
	signal(SIGPIPE, SIG_IGN); /* a closed pipe is a failed write (EPIPE), as live */
	return pvm_replay_run(opts, stdout, stderr);
}
