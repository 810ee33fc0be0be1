// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "output/json_writer.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "output/escape.h"

/* Field by field: the buffer needs no zeroing. */
void jw_init_buffer(struct json_writer *w, FILE *out, char *buf, size_t cap)
{
	w->out = out;
	w->hand = NULL;
	w->hand_ctx = NULL;
	w->depth = 0;
	w->after_key = false;
	memset(w->has_items, 0, sizeof(w->has_items));
	w->flushes = 0;
	w->lines = 0;
	w->len = 0;
	w->buf = buf;
	w->cap = cap;
}

void jw_init_handing(struct json_writer *w, char *buf, size_t len, size_t cap, jw_hand_fn *hand,
		     void *ctx)
{
	jw_init_buffer(w, NULL, buf, cap);
	w->len = len;
	w->hand = hand;
	w->hand_ctx = ctx;
}

void jw_init(struct json_writer *w, FILE *out)
{
	jw_init_buffer(w, out, w->own, sizeof(w->own));
}

void jw_flush(struct json_writer *w)
{
	if (w->hand) {
		w->buf = w->hand(w->hand_ctx, w->buf, &w->len);
	} else {
		fwrite_unlocked(w->buf, 1, w->len, w->out);
		w->len = 0;
	}
	w->flushes++;
}

static void put(struct json_writer *w, const char *s, size_t n)
{
	while (n > w->cap - w->len) { /* what does not fit, a buffer at a time */
		size_t room = w->cap - w->len;

		memcpy(w->buf + w->len, s, room);
		w->len += room;
		jw_flush(w);
		s += room;
		n -= room;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void put_char(struct json_writer *w, char c)
{
	if (w->len == w->cap)
		jw_flush(w);
	w->buf[w->len++] = c;
}

/* Called before every value and key: the comma, if one is due. */
static void before_item(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->has_items[w->depth])
		put_char(w, ',');
	w->has_items[w->depth] = true;
}

static void open_container(struct json_writer *w, char c)
{
	before_item(w);
	put_char(w, c);
	if (w->depth + 1 < JW_MAX_DEPTH)
		w->depth++;
	w->has_items[w->depth] = false;
}

static void close_container(struct json_writer *w, char c)
{
	put_char(w, c);
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

void jw_key_quoted_slow(struct json_writer *w, const char *quoted, size_t len)
{
	before_item(w);
	put(w, quoted, len);
	w->after_key = true;
}

void jw_key_text(struct json_writer *w, const char *key)
{
	before_item(w);
	put_char(w, '"');
	put(w, key, strlen(key));
	put(w, "\":", 2);
	w->after_key = true;
}

/*
 * Numbers written by hand: printf, and division by a base not known at
 * compile time, were the hot path's cost.
 */
static const char digit_pairs[] = "00010203040506070809101112131415161718192021222324"
				  "25262728293031323334353637383940414243444546474849"
				  "50515253545556575859606162636465666768697071727374"
				  "75767778798081828384858687888990919293949596979899";

/* Room for n more bytes in the buffer, flushing it if need be (n <= its size). */
static char *reserve(struct json_writer *w, size_t n)
{
	if (n > w->cap - w->len)
		jw_flush(w);
	return w->buf + w->len;
}

/* 0, then 10^1 .. 10^19: decimal_len's thresholds. */
static const uint64_t powers_of_ten[20] = {
	0,
	10ULL,
	100ULL,
	1000ULL,
	10000ULL,
	100000ULL,
	1000000ULL,
	10000000ULL,
	100000000ULL,
	1000000000ULL,
	10000000000ULL,
	100000000000ULL,
	1000000000000ULL,
	10000000000000ULL,
	100000000000000ULL,
	1000000000000000ULL,
	10000000000000000ULL,
	100000000000000000ULL,
	1000000000000000000ULL,
	10000000000000000000ULL,
};

/* Digits of v: from its bit length (1233 / 4096 ~ log10 2), one compare to settle. */
static size_t decimal_len(uint64_t v)
{
	size_t t = ((size_t)(64 - __builtin_clzll(v | 1)) * 1233) >> 12;

	return t + 1 - (v < powers_of_ten[t]);
}

/*
 * Two digits per division, written backwards straight into the buffer: pids,
 * times and ids have ten or more digits, and need no copy from a scratch.
 */
static void put_decimal(struct json_writer *w, uint64_t v)
{
	size_t n = decimal_len(v);
	char *p = reserve(w, n) + n;

	w->len += n;
	while (v >= 100) {
		p -= 2;
		memcpy(p, digit_pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10)
		memcpy(p - 2, digit_pairs + 2 * v, 2);
	else
		p[-1] = (char)('0' + v);
}

static const char hex_digits[] = "0123456789abcdef";

void jw_uint(struct json_writer *w, uint64_t v)
{
	before_item(w);
	put_decimal(w, v);
}

void jw_int(struct json_writer *w, int64_t v)
{
	before_item(w);
	if (v < 0)
		put_char(w, '-');
	put_decimal(w, v < 0 ? -(uint64_t)v : (uint64_t)v);
}

#ifdef __SSE2__
/* The sixteen hex digits of v, all at once, as hex_encode_blocks does bytes. */
static void hex_digits_of(uint64_t v, char out[16])
{
	const __m128i low_nibbles = _mm_set1_epi8(0x0f), nine = _mm_set1_epi8(9);
	const __m128i zero = _mm_set1_epi8('0'), past_nine = _mm_set1_epi8('a' - '0' - 10);
	__m128i x = _mm_cvtsi64_si128((long long)__builtin_bswap64(v));
	__m128i digits = _mm_unpacklo_epi8(_mm_and_si128(_mm_srli_epi16(x, 4), low_nibbles),
					   _mm_and_si128(x, low_nibbles));

	digits = _mm_add_epi8(_mm_add_epi8(digits, zero),
			      _mm_and_si128(_mm_cmpgt_epi8(digits, nine), past_nine));
	_mm_storeu_si128((__m128i *)out, digits);
}
#else
static void hex_digits_of(uint64_t v, char out[16])
{
	for (int i = 15; i >= 0; i--, v >>= 4)
		out[i] = hex_digits[v & 0xf];
}
#endif

/*
 * "0x" and the digits in one reservation, the digits all made at once:
 * addresses are most of an event's numbers.
 */
void jw_hex(struct json_writer *w, uint64_t v)
{
	size_t n = (size_t)(64 - __builtin_clzll(v | 1) + 3) / 4;
	char digits[16], *p;

	hex_digits_of(v, digits);
	before_item(w);
	p = reserve(w, n + 4);
	memcpy(p, "\"0x", 3);
	memcpy(p + 3, digits + 16 - n, n);
	p[n + 3] = '"';
	w->len += n + 4;
}

void jw_text_value_slow(struct json_writer *w, const char *text, size_t len)
{
	before_item(w);
	put(w, text, len);
}

void jw_plain_string(struct json_writer *w, const char *s, size_t len)
{
	char *p;

	if (len + 2 > w->cap) {
		jw_string(w, s, len); /* longer than any name: never, but whole all the same */
		return;
	}
	before_item(w);
	p = reserve(w, len + 2);
	p[0] = '"';
	memcpy(p + 1, s, len);
	p[len + 1] = '"';
	w->len += len + 2;
}

/* Escaped straight into the buffer, flushed whenever it cannot take a character. */
static void put_escaped(struct json_writer *w, const char *s, size_t len)
{
	while (len) {
		size_t used;

		w->len += pvm_json_escape_some(w->buf + w->len, w->cap - w->len, s, len,
					       &used);
		if (used < len)
			jw_flush(w);
		s += used;
		len -= used;
	}
}

void jw_string(struct json_writer *w, const char *s, size_t len)
{
	before_item(w);
	put_char(w, '"');
	put_escaped(w, s, len);
	put_char(w, '"');
}

void jw_cstring(struct json_writer *w, const char *s)
{
	jw_string(w, s, strlen(s));
}

#ifdef __SSE2__
/*
 * Sixteen bytes into 32 digits at once: every event carries 96 bytes in hex
 * (its payload and digest).
 */
static size_t hex_encode_blocks(char *out, const unsigned char *bytes, size_t len)
{
	const __m128i low_nibbles = _mm_set1_epi8(0x0f), nine = _mm_set1_epi8(9);
	const __m128i zero = _mm_set1_epi8('0'), past_nine = _mm_set1_epi8('a' - '0' - 10);
	size_t i = 0;

	for (; i + 16 <= len; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(bytes + i));
		__m128i hi = _mm_and_si128(_mm_srli_epi16(x, 4), low_nibbles);
		__m128i lo = _mm_and_si128(x, low_nibbles);
		__m128i first = _mm_unpacklo_epi8(hi, lo), second = _mm_unpackhi_epi8(hi, lo);

		first = _mm_add_epi8(_mm_add_epi8(first, zero),
				     _mm_and_si128(_mm_cmpgt_epi8(first, nine), past_nine));
		second = _mm_add_epi8(_mm_add_epi8(second, zero),
				      _mm_and_si128(_mm_cmpgt_epi8(second, nine), past_nine));
		_mm_storeu_si128((__m128i *)(out + 2 * i), first);
		_mm_storeu_si128((__m128i *)(out + 2 * i + 16), second);
	}
	return i;
}
#else
static size_t hex_encode_blocks(char *out, const unsigned char *bytes, size_t len)
{
	(void)out, (void)bytes, (void)len;
	return 0;
}
#endif

void jw_hex_encode(char *out, const unsigned char *bytes, size_t len)
{
	for (size_t i = hex_encode_blocks(out, bytes, len); i < len; i++) {
		out[2 * i] = hex_digits[bytes[i] >> 4];
		out[2 * i + 1] = hex_digits[bytes[i] & 0xf];
	}
}

void jw_hex_bytes(struct json_writer *w, const unsigned char *bytes, size_t len)
{
	before_item(w);
	put_char(w, '"');
	while (len) {
		size_t room = (w->cap - w->len) / 2;
		size_t n = len < room ? len : room;

		if (!n) {
			jw_flush(w);
			continue;
		}
		jw_hex_encode(w->buf + w->len, bytes, n);
		w->len += 2 * n;
		bytes += n;
		len -= n;
	}
	put_char(w, '"');
}

void jw_end_line(struct json_writer *w)
{
	put_char(w, '\n');
	w->lines++;
	w->has_items[0] = false;
	if (w->cap - w->len < JW_LINE_ROOM)
		jw_flush(w);
}

static bool memo_holds(const struct jw_memo *m, const void *inputs, size_t len)
{
	return m->inputs_len == len && !memcmp(m->inputs, inputs, len);
}

void jw_members(struct json_writer *w, const char *text, size_t len)
{
	before_item(w);
	put(w, text, len);
}

void jw_memoised(struct json_writer *w, struct jw_memo *m, jw_value_fn *value,
		 const void *inputs, size_t len)
{
	/* after a key the value starts with no comma: its text is all that follows */
	bool keep = m && w->after_key && len <= sizeof(m->inputs);
	size_t start = w->len;
	unsigned long flushes = w->flushes;

	if (m && memo_holds(m, inputs, len)) {
		before_item(w);
		put(w, m->text, m->text_len);
		return;
	}
	value(w, inputs);
	if (!m)
		return;
	m->inputs_len = 0;
	if (!keep || w->flushes != flushes || w->len - start > sizeof(m->text))
		return;
	m->text_len = w->len - start;
	memcpy(m->text, w->buf + start, m->text_len);
	memcpy(m->inputs, inputs, len);
	m->inputs_len = len;
}
