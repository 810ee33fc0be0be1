/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A streaming JSON writer over a FILE: no tree, no allocation per event.
 * Commas are placed here; string values are escaped by pvm_json_escape_some().
 * Keys are the program's own literals and are written as they are. Text
 * gathers in the writer's own buffer and reaches the FILE in one piece per
 * line (jw_end_line) or on jw_flush: a stdio call per token was a third of
 * a flood's consumer time.
 */
#ifndef PVMTRACE_JSON_WRITER_H
#define PVMTRACE_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define JW_MAX_DEPTH 16
#define JW_BUFFER_SIZE 16384

struct json_writer {
	FILE *out;
	unsigned int depth;
	bool after_key;
	bool has_items[JW_MAX_DEPTH];
	size_t len; /* bytes in buf not yet handed to out */
	char buf[JW_BUFFER_SIZE];
};

void jw_init(struct json_writer *w, FILE *out);
void jw_object_begin(struct json_writer *w);
void jw_object_end(struct json_writer *w);
void jw_array_begin(struct json_writer *w);
void jw_array_end(struct json_writer *w);
/*
 * A key given as a string literal: its quotes and colon join the literal at
 * compile time, and the copy is inlined with that length (keys, a strlen and
 * three calls each, were a tenth of a flood's consumer time). jw_key_text
 * takes a key known only at run time.
 */
#define jw_key(w, literal) jw_key_quoted((w), "\"" literal "\":", sizeof("\"" literal "\":") - 1)
void jw_key_text(struct json_writer *w, const char *key);
/* jw_key's path when the buffer is short of room or a key follows a key */
void jw_key_quoted_slow(struct json_writer *w, const char *quoted, size_t len);

static inline void jw_key_quoted(struct json_writer *w, const char *quoted, size_t len)
{
	if (w->after_key || len + 1 > sizeof(w->buf) - w->len) {
		jw_key_quoted_slow(w, quoted, len);
		return;
	}
	if (w->has_items[w->depth])
		w->buf[w->len++] = ',';
	w->has_items[w->depth] = true;
	memcpy(w->buf + w->len, quoted, len);
	w->len += len;
	w->after_key = true;
}
void jw_uint(struct json_writer *w, uint64_t v);
void jw_int(struct json_writer *w, int64_t v);
void jw_hex(struct json_writer *w, uint64_t v); /* "0x1f" */
void jw_bool(struct json_writer *w, bool v);
void jw_null(struct json_writer *w);
void jw_string(struct json_writer *w, const char *s, size_t len);
void jw_cstring(struct json_writer *w, const char *s);
/* Bytes as a string of lowercase hex digits, two per byte. */
void jw_hex_bytes(struct json_writer *w, const unsigned char *bytes, size_t len);
/* 2 * len lowercase hex digits into out (no NUL): what jw_hex_bytes writes */
void jw_hex_encode(char *out, const unsigned char *bytes, size_t len);
/* Ends a top-level value with a newline (one object per line), and flushes. */
void jw_end_line(struct json_writer *w);
/* Hands what is buffered to the FILE (stdio's buffer): for text without a line end. */
void jw_flush(struct json_writer *w);

#endif /* PVMTRACE_JSON_WRITER_H */
