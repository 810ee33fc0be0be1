/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Inputs that are their own key. The reader keeps the last result of a costly
 * step (the JSON writer's memos, the rules' and the allowlist's verdicts) with
 * what it was made from, and a flood of one caller into one target makes the
 * same inputs call after call. A result is made from one struct of inputs
 * alone, and reused only for inputs the same byte for byte: an input cannot
 * be left out of the key, for the key is the inputs.
 *
 * The struct holds numbers, and its strings in its last member, a
 * PVM_MEMO_TEXT, one after another with their NULs, each named by its offset.
 * Zeroed before it is filled (pvm_memo_inputs_start: so that its padding
 * compares equal), its bytes up to the end of the text used
 * (pvm_memo_inputs_len) are the key. Only those are compared and copied, not
 * the text's whole capacity.
 */
#ifndef PVMTRACE_MEMO_KEY_H
#define PVMTRACE_MEMO_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PVM_MEMO_TEXT(cap)        \
	struct {                  \
		size_t len;       \
		char bytes[cap];  \
	}

#define PVM_MEMO_NO_TEXT UINT32_MAX

/* Zeroes the numbers and empties the text. */
#define pvm_memo_inputs_start(in) memset((in), 0, offsetof(__typeof__(*(in)), text.bytes))

/* The key's length: the inputs up to the last byte of text used. */
#define pvm_memo_inputs_len(in) (offsetof(__typeof__(*(in)), text.bytes) + (in)->text.len)

/* Adds s (NULL: none) to the text; returns its offset, or PVM_MEMO_NO_TEXT. */
#define pvm_memo_text_add(text, s) pvm_memo_text_put(&(text)->len, (text)->bytes, sizeof((text)->bytes), (s))

/* The string at `at` in the text, or NULL. */
#define pvm_memo_text_at(text, at) ((at) == PVM_MEMO_NO_TEXT ? NULL : (const char *)(text)->bytes + (at))

/* What does not fit is cut: the capacities are those of the strings' sources. */
static inline uint32_t pvm_memo_text_put(size_t *len, char *bytes, size_t cap, const char *s)
{
	size_t at = *len, n;

	if (!s || at >= cap)
		return PVM_MEMO_NO_TEXT;
	n = strlen(s);
	if (n > cap - at - 1)
		n = cap - at - 1;
	memcpy(bytes + at, s, n);
	bytes[at + n] = '\0';
	*len = at + n + 1;
	return (uint32_t)at;
}

/*
 * Whether the `len` bytes of inputs `in` are those kept (*kept_len of them,
 * 0: none); when not, keeps them, for the result the caller makes now.
 */
static inline bool pvm_memo_inputs_kept(void *kept, size_t *kept_len, const void *in, size_t len)
{
	if (*kept_len == len && !memcmp(kept, in, len))
		return true;
	memcpy(kept, in, len);
	*kept_len = len;
	return false;
}

#endif /* PVMTRACE_MEMO_KEY_H */
