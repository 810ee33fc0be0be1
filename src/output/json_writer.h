/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A streaming JSON writer over a FILE: no tree, no allocation per event.
 * Commas are placed here; string values are escaped by pvm_json_escape().
 * Keys are the program's own literals and are written as they are.
 */
#ifndef PVMTRACE_JSON_WRITER_H
#define PVMTRACE_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JW_MAX_DEPTH 16

struct json_writer {
	FILE *out;
	unsigned int depth;
	bool after_key;
	bool has_items[JW_MAX_DEPTH];
};

void jw_init(struct json_writer *w, FILE *out);
void jw_object_begin(struct json_writer *w);
void jw_object_end(struct json_writer *w);
void jw_array_begin(struct json_writer *w);
void jw_array_end(struct json_writer *w);
void jw_key(struct json_writer *w, const char *key);
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
/* Ends a top-level value with a newline: one object per line. */
void jw_end_line(struct json_writer *w);

#endif /* PVMTRACE_JSON_WRITER_H */
