// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "output/escape.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static const char hex_digits[] = "0123456789abcdef";

static size_t put_u16_escape(char *dst, unsigned int unit)
{
	dst[0] = '\\';
	dst[1] = 'u';
	for (int i = 0; i < 4; i++)
		dst[2 + i] = hex_digits[(unit >> (12 - 4 * i)) & 0xf];
	return 6;
}

/*
 * Decodes one UTF-8 sequence at s[0..len). Returns its length and sets *cp, or
 * returns 0 for an invalid sequence (overlong forms, surrogates and code
 * points past U+10FFFF are invalid, as RFC 3629 says).
 */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t need;
	uint32_t min;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 2, min = 0x80, *cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3, min = 0x800, *cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4, min = 0x10000, *cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return need;
}

static size_t put_json_code_point(char *dst, uint32_t cp)
{
	if (cp < 0x10000)
		return put_u16_escape(dst, cp);
	cp -= 0x10000;
	put_u16_escape(dst, 0xd800 | (cp >> 10));
	return 6 + put_u16_escape(dst + 6, 0xdc00 | (cp & 0x3ff));
}

static bool passes_as_is(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

#define BYTES_OF(c) (0x0101010101010101ULL * (c))

/* Whether any byte of x is zero (exact: a borrow only ever follows a zero byte). */
static bool has_zero_byte(uint64_t x)
{
	return (x - BYTES_OF(0x01)) & ~x & BYTES_OF(0x80);
}

/* passes_as_is() of eight bytes at once: no control, DEL, '"', '\\' or byte >= 0x80. */
static bool eight_pass_as_is(uint64_t x)
{
	return !((x & BYTES_OF(0x80)) | ((x - BYTES_OF(0x20)) & ~x & BYTES_OF(0x80)) |
		 has_zero_byte(x ^ BYTES_OF(0x7f)) | has_zero_byte(x ^ BYTES_OF('"')) |
		 has_zero_byte(x ^ BYTES_OF('\\')));
}

/*
 * Bytes that pass as they are, from p, at most max: copied to dst while they
 * are found, eight at a time (the strings are short; a scan and then a
 * memcpy call cost more than the copy).
 */
static size_t copy_plain_run(char *dst, const unsigned char *p, size_t max)
{
	size_t n = 0;
	uint64_t x;

	for (; n + 8 <= max; n += 8) {
		memcpy(&x, p + n, 8);
		if (!eight_pass_as_is(x))
			break;
		memcpy(dst + n, &x, 8);
	}
	for (; n < max && passes_as_is(p[n]); n++)
		dst[n] = (char)p[n];
	return n;
}

/*
 * One character of s (1 to 4 bytes) that cannot pass as it is (passes_as_is),
 * escaped into dst; *used says how many bytes of s it took.
 */
static size_t escape_one(char *dst, const unsigned char *p, size_t len, size_t *used)
{
	uint32_t cp;
	size_t n;

	*used = 1;
	if (p[0] == '"' || p[0] == '\\') {
		dst[0] = '\\';
		dst[1] = (char)p[0];
		return 2;
	}
	if (p[0] < 0x80)
		return put_u16_escape(dst, p[0]); /* C0 controls and DEL */
	if ((n = utf8_decode(p, len, &cp)) != 0) {
		*used = n;
		return put_json_code_point(dst, cp);
	}
	return put_u16_escape(dst, 0xfffd);
}

size_t pvm_json_escape_some(char *dst, size_t cap, const char *s, size_t len, size_t *used)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t in = 0, out = 0;

	while (in < len && cap - out >= PVM_JSON_ESCAPE_MAX) {
		size_t room = cap - out - (PVM_JSON_ESCAPE_MAX - 1);
		size_t n = copy_plain_run(dst + out, p + in, len - in < room ? len - in : room);

		in += n;
		out += n;
		if (in < len && cap - out >= PVM_JSON_ESCAPE_MAX) {
			out += escape_one(dst + out, p + in, len - in, &n);
			in += n;
		}
	}
	*used = in;
	return out;
}

void pvm_json_escape(FILE *out, const char *s, size_t len)
{
	char buf[256];

	while (len) {
		size_t used;
		size_t n = pvm_json_escape_some(buf, sizeof(buf), s, len, &used);

		fwrite_unlocked(buf, 1, n, out);
		s += used;
		len -= used;
	}
}

/* One byte for a terminal, into dst (PVM_TERM_ESCAPE_MAX bytes). */
static size_t term_escape_byte(char *dst, unsigned char c)
{
	if (c == '\\') {
		dst[0] = dst[1] = '\\';
		return 2;
	}
	if (c >= 0x20 && c < 0x7f) {
		dst[0] = (char)c;
		return 1;
	}
	dst[0] = '\\';
	dst[1] = 'x';
	dst[2] = hex_digits[c >> 4];
	dst[3] = hex_digits[c & 0xf];
	return 4;
}

size_t pvm_term_escape_some(char *dst, size_t cap, const char *s, size_t len, size_t *used)
{
	char one[PVM_TERM_ESCAPE_MAX];
	size_t in = 0, out = 0;

	for (; in < len; in++) {
		size_t n = term_escape_byte(one, (unsigned char)s[in]);

		if (n > cap - out)
			break;
		memcpy(dst + out, one, n);
		out += n;
	}
	*used = in;
	return out;
}

size_t pvm_term_escape(FILE *out, const char *s, size_t len)
{
	char buf[256];
	size_t written = 0;

	while (len) {
		size_t used;
		size_t n = pvm_term_escape_some(buf, sizeof(buf), s, len, &used);

		fwrite_unlocked(buf, 1, n, out);
		written += n;
		s += used;
		len -= used;
	}
	return written;
}
