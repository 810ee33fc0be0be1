// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The streaming writer: commas, nesting, and numbers at their limits. */
#include "output/json_writer.h"
#include "unit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void numbers(FILE *out, const void *arg)
{
	struct json_writer w;

	(void)arg;
	jw_init(&w, out);
	jw_object_begin(&w);
	jw_key(&w, "zero");
	jw_uint(&w, 0);
	jw_key(&w, "u64max");
	jw_uint(&w, UINT64_MAX);
	jw_key(&w, "i64min");
	jw_int(&w, INT64_MIN);
	jw_key(&w, "neg");
	jw_int(&w, -14);
	jw_key(&w, "hex0");
	jw_hex(&w, 0);
	jw_key(&w, "hexmax");
	jw_hex(&w, UINT64_MAX);
	jw_key(&w, "list");
	jw_array_begin(&w);
	jw_bool(&w, true);
	jw_null(&w);
	jw_object_begin(&w);
	jw_object_end(&w);
	jw_hex_bytes(&w, (const unsigned char *)"\x00\xff", 2);
	jw_array_end(&w);
	jw_object_end(&w);
	jw_end_line(&w);
}

UNIT_TEST(json_writer_numbers_and_nesting)
{
	char *got = unit_capture(numbers, NULL);

	CHECK_STR(got, "{\"zero\":0,\"u64max\":18446744073709551615,"
		       "\"i64min\":-9223372036854775808,\"neg\":-14,\"hex0\":\"0x0\","
		       "\"hexmax\":\"0xffffffffffffffff\",\"list\":[true,null,{},\"00ff\"]}\n");
	free(got);
}

/*
 * Strings and hex longer than the writer's buffer, escapes straddling its
 * end: the text comes out whole and in order, and nothing before jw_flush.
 */
static void long_values(FILE *out, const void *arg)
{
	static char text[JW_BUFFER_SIZE + 100];
	static unsigned char bytes[JW_BUFFER_SIZE];
	struct json_writer w;

	(void)arg;
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = i % 3 ? 'x' : '\n';
	memset(bytes, 0xab, sizeof(bytes));
	jw_init(&w, out);
	jw_array_begin(&w);
	jw_string(&w, text, sizeof(text));
	jw_hex_bytes(&w, bytes, sizeof(bytes));
	jw_array_end(&w);
	jw_flush(&w);
}

UNIT_TEST(json_writer_values_longer_than_its_buffer)
{
	char *got = unit_capture(long_values, NULL);
	size_t n = JW_BUFFER_SIZE + 100, at = 2;

	CHECK_EQ(strlen(got), 2 + (n / 3 + (n % 3 != 0)) * 6 + (n - (n / 3 + (n % 3 != 0))) + 3 +
				      2 * JW_BUFFER_SIZE + 2);
	CHECK(strncmp(got, "[\"", 2) == 0);
	for (size_t i = 0; i < n; i++) {
		const char *want = i % 3 ? "x" : "\\u000a";

		if (strncmp(got + at, want, strlen(want)))
			unit_fail(__FILE__, __LINE__, "character %zu is not %s", i, want);
		at += strlen(want);
	}
	CHECK(strncmp(got + at, "\",\"", 3) == 0);
	at += 3;
	for (size_t i = 0; i < 2 * JW_BUFFER_SIZE; i++)
		if (got[at + i] != (i % 2 ? 'b' : 'a'))
			unit_fail(__FILE__, __LINE__, "hex digit %zu", i);
	CHECK_STR(got + at + 2 * JW_BUFFER_SIZE, "\"]");
	free(got);
}

#define EDGE_KEYS 3000

/*
 * Keys of three lengths in an object longer than the writer's buffer: every
 * key meets the buffer's end at some offset (jw_key's inline copy gives way
 * to the flushing path there), and each comes out once, in order, with its
 * comma.
 */
static void keys_at_the_edge(FILE *out, const void *arg)
{
	struct json_writer w;

	(void)arg;
	jw_init(&w, out);
	jw_object_begin(&w);
	for (unsigned int i = 0; i < EDGE_KEYS; i++) {
		if (i % 3 == 0)
			jw_key(&w, "a");
		else if (i % 3 == 1)
			jw_key(&w, "bb");
		else
			jw_key(&w, "ccc");
		jw_uint(&w, i);
	}
	jw_object_end(&w);
	jw_end_line(&w);
}

UNIT_TEST(json_writer_keys_across_its_buffer)
{
	static const char *const names[] = {"a", "bb", "ccc"};
	static char want[EDGE_KEYS * 16];
	size_t at = 0;
	char *got = unit_capture(keys_at_the_edge, NULL);

	want[at++] = '{';
	for (unsigned int i = 0; i < EDGE_KEYS; i++)
		at += (size_t)snprintf(want + at, sizeof(want) - at, "%s\"%s\":%u", i ? "," : "",
				       names[i % 3], i);
	snprintf(want + at, sizeof(want) - at, "}\n");
	CHECK(strlen(want) > JW_BUFFER_SIZE);
	CHECK_STR(got, want);
	free(got);
}

/* A stdio write between two values sees what the writer had not flushed come after it. */
static void unflushed(FILE *out, const void *arg)
{
	struct json_writer w;

	(void)arg;
	jw_init(&w, out);
	jw_uint(&w, 1);
	fputs("stdio", out);
	jw_flush(&w);
}

UNIT_TEST(json_writer_holds_text_until_flushed)
{
	char *got = unit_capture(unflushed, NULL);

	CHECK_STR(got, "stdio1");
	free(got);
}

/*
 * Every digit count, at both ends, in decimal and in hex: both are written
 * backwards from a length worked out first.
 */
static void numbers_of_every_length(FILE *out, const void *arg)
{
	struct json_writer w;

	(void)arg;
	jw_init(&w, out);
	jw_array_begin(&w);
	for (uint64_t p = 1;; p *= 10) {
		jw_uint(&w, p - 1);
		jw_uint(&w, p);
		if (p == 10000000000000000000ULL)
			break;
	}
	for (unsigned int bits = 4; bits <= 64; bits += 4) {
		jw_hex(&w, (bits < 64 ? 1ULL << bits : 0) - 1);
		if (bits < 64)
			jw_hex(&w, 1ULL << bits);
	}
	jw_array_end(&w);
	jw_flush(&w);
}

UNIT_TEST(json_writer_numbers_of_every_length)
{
	char *got = unit_capture(numbers_of_every_length, NULL);
	char want[2048] = "[";
	size_t n = 1;

	for (uint64_t p = 1;; p *= 10) {
		n += (size_t)snprintf(want + n, sizeof(want) - n, "%s%llu,%llu", n > 1 ? "," : "",
				      (unsigned long long)(p - 1), (unsigned long long)p);
		if (p == 10000000000000000000ULL)
			break;
	}
	for (unsigned int bits = 4; bits <= 64; bits += 4) {
		unsigned long long below = (bits < 64 ? 1ULL << bits : 0) - 1;

		n += (size_t)snprintf(want + n, sizeof(want) - n, ",\"0x%llx\"", below);
		if (bits < 64)
			n += (size_t)snprintf(want + n, sizeof(want) - n, ",\"0x%llx\"", below + 1);
	}
	snprintf(want + n, sizeof(want) - n, "]");
	CHECK_STR(got, want);
	free(got);
}

/* The widest numbers when the buffer has 0 to 21 bytes left: each flushes first. */
static void numbers_at_the_buffer_end(FILE *out, const void *arg)
{
	static char filler[JW_BUFFER_SIZE];
	size_t left = *(const size_t *)arg;
	struct json_writer w;

	memset(filler, 'f', sizeof(filler));
	jw_init(&w, out);
	jw_array_begin(&w);
	jw_string(&w, filler, JW_BUFFER_SIZE - 3 - left); /* [ and two quotes */
	jw_uint(&w, UINT64_MAX);
	jw_hex(&w, UINT64_MAX);
	jw_array_end(&w);
	jw_flush(&w);
}

UNIT_TEST(json_writer_numbers_at_the_buffer_end)
{
	for (size_t left = 0; left <= 21; left++) {
		char *got = unit_capture(numbers_at_the_buffer_end, &left);
		size_t n = JW_BUFFER_SIZE - 3 - left;
		const char *tail = ",18446744073709551615,\"0xffffffffffffffff\"]";

		CHECK_EQ(strlen(got), n + 3 + strlen(tail));
		CHECK(!strcmp(got + n + 3, tail));
		free(got);
	}
}
