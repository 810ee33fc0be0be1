// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Memo keys: equal byte for byte or not at all. */
#include "memo_key.h"
#include "unit.h"

static struct pvm_memo_key kept, next;

/* The key of `n` words, appended one by one into `next`. */
static void build(const uint64_t *words, size_t n)
{
	pvm_memo_key_start(&next);
	for (size_t i = 0; i < n; i++)
		pvm_memo_key_u64(&next, words[i]);
}

UNIT_TEST(memo_key_equal_only_byte_for_byte)
{
	static const uint64_t a[] = {1, 2, 3, 4}, b[] = {1, 2, 9, 4};
	static uint64_t huge[PVM_MEMO_KEY_MAX / 8 + 1];

	build(a, 4);
	pvm_memo_key_keep(&kept, &next);
	build(a, 4);
	CHECK(pvm_memo_key_equal(&next, &kept));
	build(b, 4);
	CHECK(!pvm_memo_key_equal(&next, &kept));
	/* a prefix of the kept key is another key, and so is a longer one */
	build(a, 3);
	CHECK(!pvm_memo_key_equal(&next, &kept));
	build(a, 0);
	CHECK(!pvm_memo_key_equal(&next, &kept));
	/* too long: equal to nothing, not even itself */
	build(huge, sizeof(huge) / 8);
	CHECK(next.too_long && !pvm_memo_key_equal(&next, &next));
	pvm_memo_key_keep(&kept, &next);
	CHECK(!pvm_memo_key_equal(&next, &kept));
}

/* Strings carry their length: "ab"+"c" is not "a"+"bc". */
UNIT_TEST(memo_key_strings_do_not_run_together)
{
	pvm_memo_key_start(&next);
	pvm_memo_key_str(&next, "ab");
	pvm_memo_key_str(&next, "c");
	pvm_memo_key_keep(&kept, &next);
	pvm_memo_key_start(&next);
	pvm_memo_key_str(&next, "a");
	pvm_memo_key_str(&next, "bc");
	CHECK(!pvm_memo_key_equal(&next, &kept));
	pvm_memo_key_start(&next);
	pvm_memo_key_str(&next, "ab");
	pvm_memo_key_str(&next, "c");
	CHECK(pvm_memo_key_equal(&next, &kept));
}
