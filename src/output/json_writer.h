/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A streaming JSON writer over a FILE: no tree, no allocation per event.
 * Commas are placed here; string values are escaped by pvm_json_escape_some().
 * Keys are the program's own literals and are written as they are. Text
 * gathers in the writer's buffer and reaches the FILE in one piece per line
 * (jw_end_line) or on jw_flush: a stdio call per token would cost more than
 * the token. With a buffer of the caller's (jw_init_buffer),
 * lines gather until it is nearly full: over an unbuffered FILE, one
 * write(2) per buffer and no copy through stdio's.
 */
#ifndef PVMTRACE_JSON_WRITER_H
#define PVMTRACE_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "memo_key.h"

#define JW_MAX_DEPTH 16
#define JW_BUFFER_SIZE 16384 /* jw_init's: every line is handed over whole */
#define JW_LINE_ROOM 16384   /* jw_end_line hands over a buffer with less room left */

/*
 * Takes the *len bytes of buf and returns the buffer to go on in, with *len
 * bytes in it already (of the same capacity).
 */
typedef char *jw_hand_fn(void *ctx, char *buf, size_t *len);

struct json_writer {
	FILE *out;	     /* where a full buffer goes, without `hand` */
	jw_hand_fn *hand;    /* else who takes it */
	void *hand_ctx;
	unsigned int depth;
	bool after_key;
	bool has_items[JW_MAX_DEPTH];
	unsigned long flushes; /* times buf was emptied: a memo's text must not span one */
	unsigned long long lines; /* ended with jw_end_line */
	size_t len;	       /* bytes in buf not yet handed to out */
	size_t cap;	       /* of buf */
	char *buf;	       /* own, or the caller's */
	char own[JW_BUFFER_SIZE];
};

void jw_init(struct json_writer *w, FILE *out);
/* With the caller's buffer of `cap` bytes (at least JW_BUFFER_SIZE). */
void jw_init_buffer(struct json_writer *w, FILE *out, char *buf, size_t cap);
/* Full buffers go to hand(ctx, ...); buf holds len bytes already. */
void jw_init_handing(struct json_writer *w, char *buf, size_t len, size_t cap, jw_hand_fn *hand,
		     void *ctx);
void jw_object_begin(struct json_writer *w);
void jw_object_end(struct json_writer *w);
void jw_array_begin(struct json_writer *w);
void jw_array_end(struct json_writer *w);
/*
 * A key given as a string literal: its quotes and colon join the literal at
 * compile time, and the copy is inlined with that length (keys are a third of
 * an event's tokens: no strlen and no call for each). jw_key_text
 * takes a key known only at run time.
 */
#define jw_key(w, literal) jw_key_quoted((w), "\"" literal "\":", sizeof("\"" literal "\":") - 1)
void jw_key_text(struct json_writer *w, const char *key);
/* jw_key's path when the buffer is short of room or a key follows a key */
void jw_key_quoted_slow(struct json_writer *w, const char *quoted, size_t len);

static inline void jw_key_quoted(struct json_writer *w, const char *quoted, size_t len)
{
	if (w->after_key || len + 1 > w->cap - w->len) {
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
/* jw_text_value's path when it is no key's value or the buffer is short of room */
void jw_text_value_slow(struct json_writer *w, const char *text, size_t len);

/*
 * A value whose text is the program's own literal, written as it is: true,
 * false, null. Inline, like jw_key, when it follows a key.
 */
static inline void jw_text_value(struct json_writer *w, const char *text, size_t len)
{
	if (!w->after_key || len > w->cap - w->len) {
		jw_text_value_slow(w, text, len);
		return;
	}
	w->after_key = false;
	memcpy(w->buf + w->len, text, len);
	w->len += len;
}

static inline void jw_bool(struct json_writer *w, bool v)
{
	if (v)
		jw_text_value(w, "true", 4);
	else
		jw_text_value(w, "false", 5);
}

static inline void jw_null(struct json_writer *w)
{
	jw_text_value(w, "null", 4);
}

void jw_uint(struct json_writer *w, uint64_t v);
void jw_int(struct json_writer *w, int64_t v);
void jw_hex(struct json_writer *w, uint64_t v); /* "0x1f" */
void jw_string(struct json_writer *w, const char *s, size_t len);
void jw_cstring(struct json_writer *w, const char *s);
/*
 * A string of the program's own that needs no escape (printable ASCII with
 * no quote or backslash: its names, the digits of a time it formatted),
 * copied with no look at its bytes. Anything a traced process may have
 * chosen goes through jw_string.
 */
void jw_plain_string(struct json_writer *w, const char *s, size_t len);
#define jw_plain_literal(w, literal) jw_plain_string((w), (literal), sizeof(literal) - 1)
/* Bytes as a string of lowercase hex digits, two per byte. */
void jw_hex_bytes(struct json_writer *w, const unsigned char *bytes, size_t len);
/* 2 * len lowercase hex digits into out (no NUL): what jw_hex_bytes writes */
void jw_hex_encode(char *out, const unsigned char *bytes, size_t len);
/*
 * A value's text, kept to be written again while what it is written from
 * stays the same: the caller and the target of a flood are the same call
 * after call, and writing them afresh (escapes, digits) costs more than
 * comparing what they are written from. Zeroed, a memo holds nothing. Values too long for it, or
 * made from more than it keeps, are written every time.
 */
#define JW_MEMO_TEXT_MAX 2048
#define JW_MEMO_INPUTS_MAX 8192

struct jw_memo {
	size_t inputs_len;			/* 0: nothing kept */
	unsigned char inputs[JW_MEMO_INPUTS_MAX]; /* what the text was written from */
	size_t text_len;
	char text[JW_MEMO_TEXT_MAX];
};

typedef void jw_value_fn(struct json_writer *w, const void *inputs);

/*
 * Right after a key: what value(w, inputs) writes, from m when its text was
 * kept for inputs the same byte for byte (the first `len`). The value must be
 * written from the inputs alone: memo_key.h's inputs that are their own key.
 * With m NULL, written afresh.
 */
void jw_memoised(struct json_writer *w, struct jw_memo *m, jw_value_fn *value,
		 const void *inputs, size_t len);

/*
 * Members of the open object already written as JSON text (`"a":1,"b":{}`,
 * one or more), as its next ones: what every record repeats the same, made
 * once. Not right after a key.
 */
void jw_members(struct json_writer *w, const char *text, size_t len);

/*
 * Ends a top-level value with a newline (one object per line), and hands the
 * buffer to the FILE when less than JW_LINE_ROOM is left: with jw_init's,
 * always.
 */
void jw_end_line(struct json_writer *w);
/* Hands what is buffered to the FILE (stdio's buffer) or to `hand`: for text without a line end. */
void jw_flush(struct json_writer *w);

#endif /* PVMTRACE_JSON_WRITER_H */
