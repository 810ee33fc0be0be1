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

/* What memo_value's value is written from: a string, `repeat` times. */
struct memo_inputs {
	unsigned int repeat;
	uint32_t s;
	PVM_MEMO_TEXT(JW_BUFFER_SIZE + 64) text;
};

struct memo_case {
	struct jw_memo *memo;
	const char *value; /* the string the value is written from */
	unsigned int repeat;
	bool in_array;	   /* the value an array element, not after a key */
	size_t filler;	   /* bytes of a string first: the value then spans a flush */
	bool hit;	   /* out: written from the memo */
};

static unsigned int values_written;

static void memo_inputs_value(struct json_writer *w, const void *inputs)
{
	const struct memo_inputs *in = inputs;

	values_written++;
	jw_array_begin(w);
	for (unsigned int i = 0; i < in->repeat; i++)
		jw_cstring(w, pvm_memo_text_at(&in->text, in->s));
	jw_array_end(w);
}

/* {"v":VALUE} (or [VALUE]) through the memo, after the filler if any. */
static void memo_value(FILE *out, const void *arg)
{
	static char filler[JW_BUFFER_SIZE];
	static struct memo_inputs in;
	struct memo_case *c = (struct memo_case *)arg;
	struct json_writer w;
	unsigned int written = values_written;

	memset(filler, 'f', sizeof(filler));
	pvm_memo_inputs_start(&in);
	in.repeat = c->repeat ? c->repeat : 1;
	in.s = pvm_memo_text_add(&in.text, c->value);
	jw_init(&w, out);
	if (c->filler)
		jw_string(&w, filler, c->filler);
	c->in_array ? jw_array_begin(&w) : jw_object_begin(&w);
	if (!c->in_array)
		jw_key(&w, "v");
	jw_memoised(&w, c->memo, memo_inputs_value, &in, pvm_memo_inputs_len(&in));
	c->in_array ? jw_array_end(&w) : jw_object_end(&w);
	jw_flush(&w);
	c->hit = values_written == written;
}

static void check_memo(struct memo_case c, const char *want, bool hit, int line)
{
	char *got = unit_capture(memo_value, &c);
	const char *text = got + (c.filler ? c.filler + 3 : 0); /* past "fff...", */

	if (strcmp(text, want) || c.hit != hit)
		unit_fail(__FILE__, line, "got %.200s%s, want %.200s%s", text, c.hit ? " (hit)" : "",
			  want, hit ? " (hit)" : "");
	free(got);
}

/* A value is written from its memo only for the very inputs it was kept for. */
UNIT_TEST(json_writer_memo_reuses_a_value_for_its_inputs_only)
{
	static struct jw_memo m;
	static char long_value[1500], want[1600], huge_value[JW_MEMO_INPUTS_MAX], huge_want[JW_MEMO_INPUTS_MAX + 20];
	static char repeated_want[2200];
	const size_t filler = JW_BUFFER_SIZE - 1000;

	check_memo((struct memo_case){.memo = &m, .value = "one"}, "{\"v\":[\"one\"]}", false,
		   __LINE__);
	check_memo((struct memo_case){.memo = &m, .value = "one"}, "{\"v\":[\"one\"]}", true,
		   __LINE__);
	check_memo((struct memo_case){.memo = &m, .value = "two"}, "{\"v\":[\"two\"]}", false,
		   __LINE__);
	check_memo((struct memo_case){.memo = &m, .value = "one"}, "{\"v\":[\"one\"]}", false,
		   __LINE__);
	/* inputs that differ in a number, or are a prefix of the kept ones, are others */
	check_memo((struct memo_case){.memo = &m, .value = "one", .repeat = 2},
		   "{\"v\":[\"one\",\"one\"]}", false, __LINE__);
	check_memo((struct memo_case){.memo = &m, .value = "on", .repeat = 2},
		   "{\"v\":[\"on\",\"on\"]}", false, __LINE__);
	check_memo((struct memo_case){.memo = &m, .value = "on", .repeat = 2},
		   "{\"v\":[\"on\",\"on\"]}", true, __LINE__);

	/* an array element keeps nothing: its text would start with its comma */
	check_memo((struct memo_case){.memo = &m, .value = "elem", .in_array = true},
		   "[[\"elem\"]]", false, __LINE__);
	check_memo((struct memo_case){.memo = &m, .value = "elem", .in_array = true},
		   "[[\"elem\"]]", false, __LINE__);

	/* nor a value whose text went out in two pieces */
	memset(long_value, 'v', sizeof(long_value) - 1);
	snprintf(want, sizeof(want), "{\"v\":[\"%s\"]}", long_value);
	check_memo((struct memo_case){.memo = &m, .value = long_value, .filler = filler}, want,
		   false, __LINE__);
	check_memo((struct memo_case){.memo = &m, .value = long_value}, want, false, __LINE__);
	/* kept whole, it comes out whole where it spans a flush */
	check_memo((struct memo_case){.memo = &m, .value = long_value, .filler = filler}, want,
		   true, __LINE__);

	/* nor one whose text is longer than a memo keeps */
	snprintf(repeated_want, sizeof(repeated_want), "{\"v\":[");
	for (int i = 0; i < 300; i++)
		strcat(repeated_want, i ? ",\"abcd\"" : "\"abcd\"");
	strcat(repeated_want, "]}");
	check_memo((struct memo_case){.memo = &m, .value = "abcd", .repeat = 300}, repeated_want,
		   false, __LINE__);
	check_memo((struct memo_case){.memo = &m, .value = "abcd", .repeat = 300}, repeated_want,
		   false, __LINE__);
	/* nor one made from more than it keeps */
	memset(huge_value, 'h', sizeof(huge_value) - 1);
	snprintf(huge_want, sizeof(huge_want), "{\"v\":[\"%s\"]}", huge_value);
	check_memo((struct memo_case){.memo = &m, .value = huge_value}, huge_want, false,
		   __LINE__);
	check_memo((struct memo_case){.memo = &m, .value = huge_value}, huge_want, false,
		   __LINE__);
}

/* Every byte value, at every length and start: sixteen at a time, then one by one. */
UNIT_TEST(json_writer_hex_of_every_byte)
{
	unsigned char bytes[256 + 40];
	char got[2 * sizeof(bytes) + 1], want[3];

	for (size_t i = 0; i < sizeof(bytes); i++)
		bytes[i] = (unsigned char)(i * 7 + 3);
	for (size_t start = 0; start < 40; start++) {
		size_t len = sizeof(bytes) - start - (start % 17);

		memset(got, 'x', sizeof(got));
		jw_hex_encode(got, bytes + start, len);
		for (size_t i = 0; i < len; i++) {
			snprintf(want, sizeof(want), "%02x", bytes[start + i]);
			if (memcmp(got + 2 * i, want, 2))
				unit_fail(__FILE__, __LINE__, "byte %zu of %zu from %zu: %.2s, want %s",
					  i, len, start, got + 2 * i, want);
		}
		CHECK(got[2 * len] == 'x');
	}
}

/*
 * Handing full buffers (direct_out.h) as a stdio FILE would take them: a
 * receiver that writes what it is handed past the bytes it gave back at the
 * start of the other buffer, as direct_out gives back a partial block.
 */
#define HAND_CAP (2 * JW_BUFFER_SIZE)
#define HAND_CARRY 100

struct hand_sink {
	FILE *out;
	char buffers[2][HAND_CAP];
	size_t carried;
	unsigned int hands;
};

static char *hand_to_sink(void *ctx, char *buf, size_t *len)
{
	struct hand_sink *s = ctx;
	char *next = buf == s->buffers[0] ? s->buffers[1] : s->buffers[0];
	size_t carry = *len < HAND_CARRY ? *len : HAND_CARRY;

	fwrite(buf + s->carried, 1, *len - s->carried, s->out);
	memcpy(next, buf + *len - carry, carry);
	s->carried = *len = carry;
	s->hands++;
	return next;
}

static void long_lines(struct json_writer *w)
{
	static char text[3 * HAND_CAP];

	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = i % 5 ? 'y' : '"';
	for (int line = 0; line < 6; line++) {
		jw_object_begin(w);
		jw_key(w, "n");
		jw_uint(w, (uint64_t)line);
		jw_key(w, "text");
		jw_string(w, text, sizeof(text) / (size_t)(line + 1));
		jw_key(w, "raw");
		jw_text_value_slow(w, text + 1, 4 * (size_t)line + 3); /* no quote in it */
		jw_object_end(w);
		jw_end_line(w);
	}
	jw_flush(w);
}

static void long_lines_to_file(FILE *out, const void *arg)
{
	struct json_writer w;

	(void)arg;
	jw_init(&w, out);
	long_lines(&w);
}

static void long_lines_handed(FILE *out, const void *arg)
{
	static struct hand_sink sink;
	struct json_writer w;

	(void)arg;
	sink.out = out;
	memset(sink.buffers[0], '#', HAND_CARRY); /* the file's own last bytes: not written again */
	sink.carried = HAND_CARRY;
	jw_init_handing(&w, sink.buffers[0], HAND_CARRY, HAND_CAP, hand_to_sink, &sink);
	long_lines(&w);
	CHECK(sink.hands >= 8); /* 8.8 buffers of text, some filled by a single string */
}

UNIT_TEST(json_writer_hands_full_buffers_as_a_file_would_take_them)
{
	char *to_file = unit_capture(long_lines_to_file, NULL);
	char *handed = unit_capture(long_lines_handed, NULL);

	CHECK(strlen(to_file) > 6 * HAND_CAP);
	CHECK_EQ(strlen(handed), strlen(to_file));
	CHECK(strcmp(handed, to_file) == 0);
	free(to_file);
	free(handed);
}
