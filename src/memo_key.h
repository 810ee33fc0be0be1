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

#endif /* PVMTRACE_MEMO_KEY_H */
