// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "harness.h"

#include <json-c/json_object.h>
#include <json-c/json_tokener.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

const char *fuzz_input_file(const void *data, size_t size)
{
	static char path[64];
	static int fd = -1;

	if (fd < 0) {
		fd = memfd_create("fuzz-input", MFD_CLOEXEC);
		if (fd < 0)
			fuzz_fail("memfd_create: %m");
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		fuzz_fail("writing the input file: %m");
	return path;
}

FILE *fuzz_text_open(struct fuzz_text *t)
{
	FILE *m = open_memstream(&t->bytes, &t->len);

	if (!m)
		fuzz_fail("open_memstream: %m");
	return m;
}

void fuzz_text_close(FILE *stream)
{
	if (fclose(stream))
		fuzz_fail("open_memstream: %m");
}

FILE *fuzz_file_open(void)
{
	int fd = memfd_create("fuzz-output", MFD_CLOEXEC);
	FILE *stream = fd < 0 ? NULL : fdopen(fd, "w+");

	if (!stream)
		fuzz_fail("a memory-backed file: %m");
	return stream;
}

struct fuzz_text fuzz_file_close(FILE *stream)
{
	int fd = fileno(stream);
	off_t size = fflush(stream) ? -1 : lseek(fd, 0, SEEK_END);
	struct fuzz_text t = {.bytes = size < 0 ? NULL : malloc((size_t)size + 1),
			      .len = (size_t)size};

	if (!t.bytes || pread(fd, t.bytes, t.len, 0) != size)
		fuzz_fail("reading back a memory-backed file: %m");
	fclose(stream);
	return t;
}

FILE *fuzz_null_stream(void)
{
	static FILE *null;

	if (!null && !(null = fopen("/dev/null", "we")))
		fuzz_fail("/dev/null: %m");
	return null;
}

static bool printable(char c)
{
	return (unsigned char)c >= 0x20 && (unsigned char)c <= 0x7e;
}

static void check_json_object(const char *what, const char *line, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	json_object *obj;

	if (!tok)
		fuzz_fail("out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, line, (int)len);
	if (!json_object_is_type(obj, json_type_object) ||
	    json_tokener_get_parse_end(tok) != len)
		fuzz_fail("%s: not one JSON object (%s): %.*s", what,
			  json_tokener_error_desc(json_tokener_get_error(tok)), (int)len, line);
	json_object_put(obj);
	json_tokener_free(tok);
}

void fuzz_check_json_lines(const char *what, const char *text, size_t len)
{
	size_t at = 0;

	while (at < len) {
		const char *line = text + at, *end = memchr(line, '\n', len - at);
		size_t n = end ? (size_t)(end - line) : len - at;

		if (!end)
			fuzz_fail("%s: a line without its newline: %.*s", what, (int)n, line);
		for (size_t i = 0; i < n; i++)
			if (!printable(line[i]))
				fuzz_fail("%s: byte 0x%02x at column %zu: %.*s", what,
					  (unsigned char)line[i], i + 1, (int)n, line);
		check_json_object(what, line, n);
		at += n + 1;
	}
}

void fuzz_check_terminal_text(const char *what, const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (text[i] != '\n' && !printable(text[i]))
			fuzz_fail("%s: byte 0x%02x at offset %zu: %.*s", what,
				  (unsigned char)text[i], i, (int)len, text);
}

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool same_alert(const struct pvm_alert *a, const struct pvm_alert *b)
{
	return a->rule == b->rule && a->severity == b->severity &&
	       same_text(a->allowed_by, b->allowed_by) && !strcmp(a->reason, b->reason);
}

static void print_alerts(const char *name, const struct pvm_alerts *a)
{
	fprintf(stderr, "  %s: %u alerts\n", name, a->n);
	for (unsigned int i = 0; i < a->n; i++)
		fprintf(stderr, "    %s %s allowed_by=%s: %s\n", a->alert[i].rule->id,
			pvm_severity_name(a->alert[i].severity),
			a->alert[i].allowed_by ? a->alert[i].allowed_by : "-", a->alert[i].reason);
}

void fuzz_check_same_alerts(const char *what, const struct pvm_alerts *a,
			    const struct pvm_alerts *b)
{
	bool same = a->n == b->n;

	for (unsigned int i = 0; same && i < a->n; i++)
		same = same_alert(&a->alert[i], &b->alert[i]);
	if (same)
		return;
	print_alerts("first", a);
	print_alerts("second", b);
	fuzz_fail("%s: the verdicts differ", what);
}
