// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The two escapers: JSON (pure ASCII out) and terminal. */
#include "output/escape.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

struct bytes {
	const char *s;
	size_t len;
};

static void json_of(FILE *out, const void *arg)
{
	const struct bytes *b = arg;

	pvm_json_escape(out, b->s, b->len);
}

static void term_of(FILE *out, const void *arg)
{
	const struct bytes *b = arg;

	pvm_term_escape(out, b->s, b->len);
}

#define B(lit) (&(struct bytes){lit, sizeof(lit) - 1})

static void check_escape(void (*fn)(FILE *, const void *), const struct bytes *in,
			 const char *want, int line)
{
	char *got = unit_capture(fn, in);

	if (strcmp(got, want))
		unit_fail(__FILE__, line, "escape: got %s, want %s", got, want);
	free(got);
}

UNIT_TEST(json_escape_table)
{
	static const struct {
		struct bytes in;
		const char *want;
	} cases[] = {
		{{"plain", 5}, "plain"},
		{{"a\"b\\c", 5}, "a\\\"b\\\\c"},
		{{"line\nbreak\r\t", 12}, "line\\u000abreak\\u000d\\u0009"},
		{{"\x1b[31mred", 8}, "\\u001b[31mred"},
		{{"del\x7f", 4}, "del\\u007f"},
		{{"nul\0in", 6}, "nul\\u0000in"},
		{{"caf\xc3\xa9", 5}, "caf\\u00e9"},
		{{"\xe2\x80\xae", 3}, "\\u202e"},		    /* right-to-left override */
		{{"\xc2\x9b", 2}, "\\u009b"},			    /* C1 CSI */
		{{"\xf0\x9f\x98\x80", 4}, "\\ud83d\\ude00"},	    /* above U+FFFF */
		{{"\xff\xfe", 2}, "\\ufffd\\ufffd"},		    /* never valid */
		{{"\xc0\xaf", 2}, "\\ufffd\\ufffd"},		    /* overlong '/' */
		{{"\xed\xa0\x80", 3}, "\\ufffd\\ufffd\\ufffd"},	    /* surrogate */
		{{"\xe2\x82", 2}, "\\ufffd\\ufffd"},		    /* cut short */
		{{"\xf4\x90\x80\x80", 4}, "\\ufffd\\ufffd\\ufffd\\ufffd"}, /* > U+10FFFF */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_escape(json_of, &cases[i].in, cases[i].want, __LINE__);
}

/* Whole characters only: a cap that cannot take the next one stops before it. */
UNIT_TEST(json_escape_some_by_whole_characters)
{
	static const char s[] = "a\xf0\x9f\x98\x80\"b";
	char out[64];
	size_t used, n;

	n = pvm_json_escape_some(out, PVM_JSON_ESCAPE_MAX, s, sizeof(s) - 1, &used);
	CHECK_EQ(used, 1); /* "a", then 11 bytes left: too few for a surrogate pair */
	CHECK_EQ(n, 1);
	n = pvm_json_escape_some(out, PVM_JSON_ESCAPE_MAX, s + 1, sizeof(s) - 2, &used);
	CHECK_EQ(used, 4);
	CHECK_EQ(n, 12);
	CHECK(memcmp(out, "\\ud83d\\ude00", 12) == 0);
	n = pvm_json_escape_some(out, PVM_JSON_ESCAPE_MAX - 1, s, sizeof(s) - 1, &used);
	CHECK_EQ(used, 0);
	CHECK_EQ(n, 0);
	n = pvm_json_escape_some(out, sizeof(out), s, sizeof(s) - 1, &used);
	CHECK_EQ(used, sizeof(s) - 1);
	out[n] = '\0';
	CHECK_STR(out, "a\\ud83d\\ude00\\\"b");
}

/* The escape of one byte alone, as json_escape_table has it. */
static const char *escape_of_byte(unsigned char c, char buf[8])
{
	if (c == '"' || c == '\\')
		snprintf(buf, 8, "\\%c", c);
	else if (c >= 0x20 && c < 0x7f)
		snprintf(buf, 8, "%c", c);
	else if (c < 0x80)
		snprintf(buf, 8, "\\u%04x", c);
	else
		snprintf(buf, 8, "\\ufffd"); /* a lone byte >= 0x80 is never valid UTF-8 */
	return buf;
}

/* Every byte value at every place of a string longer than the escaper's word of eight. */
UNIT_TEST(json_escape_every_byte_at_every_offset)
{
	enum { LEN = 19 };
	char in[LEN], out[LEN * PVM_JSON_ESCAPE_MAX], want[LEN + 8], one[8];
	size_t used, n;

	for (int c = 0; c < 256; c++) {
		for (size_t at = 0; at < LEN; at++) {
			memset(in, 'a', LEN);
			in[at] = (char)c;
			snprintf(want, sizeof(want), "%.*s%s%.*s", (int)at, in,
				 escape_of_byte((unsigned char)c, one), (int)(LEN - at - 1), in + at + 1);
			n = pvm_json_escape_some(out, sizeof(out), in, LEN, &used);
			out[n] = '\0';
			CHECK_EQ(used, LEN);
			CHECK_STR(out, want);
		}
	}
}

UNIT_TEST(terminal_escape_table)
{
	check_escape(term_of, B("plain text"), "plain text", __LINE__);
	check_escape(term_of, B("a\\b"), "a\\\\b", __LINE__);
	check_escape(term_of, B("\x1b[2J\n"), "\\x1b[2J\\x0a", __LINE__);
	check_escape(term_of, B("caf\xc3\xa9"), "caf\\xc3\\xa9", __LINE__);
	check_escape(term_of, B("\x7f\x9b"), "\\x7f\\x9b", __LINE__);
}

UNIT_TEST(terminal_escape_counts_what_it_writes)
{
	FILE *out = fopen("/dev/null", "w");

	CHECK_EQ(pvm_term_escape(out, "ab", 2), 2);
	CHECK_EQ(pvm_term_escape(out, "a\\", 2), 3);
	CHECK_EQ(pvm_term_escape(out, "\n", 1), 4);
	fclose(out);
}

/* Whole escapes only: a cap that cannot take the next one stops before it. */
UNIT_TEST(terminal_escape_some_by_whole_escapes)
{
	static const char s[] = "a\\\x1b";
	char out[16];
	size_t used, n;

	n = pvm_term_escape_some(out, 2, s, sizeof(s) - 1, &used);
	CHECK_EQ(used, 1); /* "a", then 1 byte left: too few for "\\\\" */
	CHECK_EQ(n, 1);
	n = pvm_term_escape_some(out, PVM_TERM_ESCAPE_MAX - 1, s + 2, 1, &used);
	CHECK_EQ(used, 0);
	CHECK_EQ(n, 0);
	n = pvm_term_escape_some(out, sizeof(out), s, sizeof(s) - 1, &used);
	CHECK_EQ(used, sizeof(s) - 1);
	out[n] = '\0';
	CHECK_STR(out, "a\\\\\\x1b");
}

/* Every byte value, as terminal_escape_table has them. */
UNIT_TEST(terminal_escape_some_every_byte)
{
	char out[PVM_TERM_ESCAPE_MAX + 1], want[8];
	size_t used, n;

	for (int c = 0; c < 256; c++) {
		char in = (char)c;

		if (c == '\\')
			snprintf(want, sizeof(want), "\\\\");
		else if (c >= 0x20 && c < 0x7f)
			snprintf(want, sizeof(want), "%c", c);
		else
			snprintf(want, sizeof(want), "\\x%02x", c);
		n = pvm_term_escape_some(out, PVM_TERM_ESCAPE_MAX, &in, 1, &used);
		out[n] = '\0';
		CHECK_EQ(used, 1);
		CHECK_STR(out, want);
	}
}
