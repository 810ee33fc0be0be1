// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "output/escape.h"

#include <stdint.h>

static const char hex_digits[] = "0123456789abcdef";

static void put_u16_escape(FILE *out, unsigned int unit)
{
	fputs("\\u", out);
	for (int shift = 12; shift >= 0; shift -= 4)
		putc_unlocked(hex_digits[(unit >> shift) & 0xf], out);
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

static void put_json_code_point(FILE *out, uint32_t cp)
{
	if (cp < 0x10000) {
		put_u16_escape(out, cp);
		return;
	}
	cp -= 0x10000;
	put_u16_escape(out, 0xd800 | (cp >> 10));
	put_u16_escape(out, 0xdc00 | (cp & 0x3ff));
}

void pvm_json_escape(FILE *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned char c = p[i];
		uint32_t cp;
		size_t n;

		if (c == '"' || c == '\\') {
			putc_unlocked('\\', out);
			putc_unlocked(c, out);
			i++;
		} else if (c >= 0x20 && c < 0x7f) {
			putc_unlocked(c, out);
			i++;
		} else if (c < 0x80) {
			put_u16_escape(out, c); /* C0 controls and DEL */
			i++;
		} else if ((n = utf8_decode(p + i, len - i, &cp)) != 0) {
			put_json_code_point(out, cp);
			i += n;
		} else {
			put_u16_escape(out, 0xfffd);
			i++;
		}
	}
}

size_t pvm_term_escape(FILE *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t written = 0;

	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\\') {
			fputs("\\\\", out);
			written += 2;
		} else if (p[i] >= 0x20 && p[i] < 0x7f) {
			putc_unlocked(p[i], out);
			written += 1;
		} else {
			fputs("\\x", out);
			putc_unlocked(hex_digits[p[i] >> 4], out);
			putc_unlocked(hex_digits[p[i] & 0xf], out);
			written += 4;
		}
	}
	return written;
}
