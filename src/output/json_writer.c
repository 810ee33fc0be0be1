// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "output/json_writer.h"

#include <string.h>

#include "output/escape.h"

void jw_init(struct json_writer *w, FILE *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
}

/* Called before every value and key: the comma, if one is due. */
static void before_item(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->has_items[w->depth])
		putc_unlocked(',', w->out);
	w->has_items[w->depth] = true;
}

static void open_container(struct json_writer *w, char c)
{
	before_item(w);
	putc_unlocked(c, w->out);
	if (w->depth + 1 < JW_MAX_DEPTH)
		w->depth++;
	w->has_items[w->depth] = false;
}

static void close_container(struct json_writer *w, char c)
{
	putc_unlocked(c, w->out);
	if (w->depth > 0)
		w->depth--;
}

void jw_object_begin(struct json_writer *w)
{
	open_container(w, '{');
}

void jw_object_end(struct json_writer *w)
{
	close_container(w, '}');
}

void jw_array_begin(struct json_writer *w)
{
	open_container(w, '[');
}

void jw_array_end(struct json_writer *w)
{
	close_container(w, ']');
}

void jw_key(struct json_writer *w, const char *key)
{
	before_item(w);
	putc_unlocked('"', w->out);
	fputs_unlocked(key, w->out);
	fwrite_unlocked("\":", 1, 2, w->out);
	w->after_key = true;
}

/*
 * Numbers written by hand into a small buffer, one fwrite each: printf, and
 * division by a base not known at compile time, were the hot path's cost.
 */
static void put_decimal(FILE *out, uint64_t v)
{
	char buf[20];
	size_t n = sizeof(buf);

	do {
		buf[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	fwrite_unlocked(buf + n, 1, sizeof(buf) - n, out);
}

static const char hex_digits[] = "0123456789abcdef";

static void put_hex(FILE *out, uint64_t v)
{
	char buf[16];
	size_t n = sizeof(buf);

	do {
		buf[--n] = hex_digits[v & 0xf];
		v >>= 4;
	} while (v);
	fwrite_unlocked(buf + n, 1, sizeof(buf) - n, out);
}

void jw_uint(struct json_writer *w, uint64_t v)
{
	before_item(w);
	put_decimal(w->out, v);
}

void jw_int(struct json_writer *w, int64_t v)
{
	before_item(w);
	if (v < 0)
		putc_unlocked('-', w->out);
	put_decimal(w->out, v < 0 ? -(uint64_t)v : (uint64_t)v);
}

void jw_hex(struct json_writer *w, uint64_t v)
{
	before_item(w);
	fwrite_unlocked("\"0x", 1, 3, w->out);
	put_hex(w->out, v);
	putc_unlocked('"', w->out);
}

void jw_bool(struct json_writer *w, bool v)
{
	before_item(w);
	fputs(v ? "true" : "false", w->out);
}

void jw_null(struct json_writer *w)
{
	before_item(w);
	fputs("null", w->out);
}

void jw_string(struct json_writer *w, const char *s, size_t len)
{
	before_item(w);
	putc_unlocked('"', w->out);
	pvm_json_escape(w->out, s, len);
	putc_unlocked('"', w->out);
}

void jw_cstring(struct json_writer *w, const char *s)
{
	jw_string(w, s, strlen(s));
}

void jw_hex_encode(char *out, const unsigned char *bytes, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hex_digits[bytes[i] >> 4];
		out[2 * i + 1] = hex_digits[bytes[i] & 0xf];
	}
}

void jw_hex_bytes(struct json_writer *w, const unsigned char *bytes, size_t len)
{
	char buf[256];

	before_item(w);
	putc_unlocked('"', w->out);
	while (len) {
		size_t n = len < sizeof(buf) / 2 ? len : sizeof(buf) / 2;

		jw_hex_encode(buf, bytes, n);
		fwrite_unlocked(buf, 1, 2 * n, w->out);
		bytes += n;
		len -= n;
	}
	putc_unlocked('"', w->out);
}

void jw_end_line(struct json_writer *w)
{
	putc_unlocked('\n', w->out);
	w->has_items[0] = false;
}
