/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What a result was made from, appended field by field and compared whole:
 * the reader keeps the last result of a costly step with its key (the JSON
 * writer's memos, the allowlist's verdict), and a flood of one caller into
 * one target makes the same key call after call. A result is reused only for
 * a key the same byte for byte, so the key must hold every input: one left
 * out gives a wrong result, one too many only a miss. A key longer than
 * PVM_MEMO_KEY_MAX equals nothing.
 *
 * Inline: a key is a few dozen appends per event, a call each was a
 * thirtieth of the reader's CPU.
 */
#ifndef PVMTRACE_MEMO_KEY_H
#define PVMTRACE_MEMO_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PVM_MEMO_KEY_MAX 1024

struct pvm_memo_key {
	size_t len;
	bool too_long;
	unsigned char bytes[PVM_MEMO_KEY_MAX];
};

static inline void pvm_memo_key_start(struct pvm_memo_key *k)
{
	k->len = 0;
	k->too_long = false;
}

static inline void pvm_memo_key_bytes(struct pvm_memo_key *k, const void *bytes, size_t len)
{
	if (len > sizeof(k->bytes) - k->len) {
		k->too_long = true;
		return;
	}
	memcpy(k->bytes + k->len, bytes, len);
	k->len += len;
}

static inline void pvm_memo_key_u64(struct pvm_memo_key *k, uint64_t v)
{
	pvm_memo_key_bytes(k, &v, sizeof(v));
}

/* A string and its length, so that two strings never run into one another. */
static inline void pvm_memo_key_str(struct pvm_memo_key *k, const char *s)
{
	size_t len = strlen(s);

	pvm_memo_key_u64(k, len);
	pvm_memo_key_bytes(k, s, len);
}

static inline bool pvm_memo_key_equal(const struct pvm_memo_key *a, const struct pvm_memo_key *b)
{
	return !a->too_long && !b->too_long && a->len == b->len && !memcmp(a->bytes, b->bytes, a->len);
}

/* Keeps `from` as the key of the result now kept: only its bytes are copied. */
static inline void pvm_memo_key_keep(struct pvm_memo_key *to, const struct pvm_memo_key *from)
{
	to->len = from->len;
	to->too_long = from->too_long;
	memcpy(to->bytes, from->bytes, from->len);
}

/*
 * Inputs that are their own key: a struct of numbers whose strings are kept
 * in its last member, a PVM_MEMO_TEXT, one after another with their NULs and
 * each named by its offset. Zeroed before it is filled (so that its padding
 * compares equal), the struct's bytes up to the end of the text used
 * (pvm_memo_inputs_len) are the key of what is made from it: a result made
 * from these inputs alone cannot have one left out of its key.
 */
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

#endif /* PVMTRACE_MEMO_KEY_H */
