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

struct two_strings {
	uint32_t n;
	uint32_t a, b;
	PVM_MEMO_TEXT(8) text;
};

static bool text_is(const struct two_strings *in, uint32_t at, const char *want)
{
	const char *s = pvm_memo_text_at(&in->text, at);

	return s && !strcmp(s, want);
}

/* Inputs that are their own key: numbers, then the strings used, and no more. */
UNIT_TEST(memo_inputs_are_their_numbers_and_the_text_used)
{
	struct two_strings in, other;

	pvm_memo_inputs_start(&in);
	in.n = 7;
	in.a = pvm_memo_text_add(&in.text, "ab");
	in.b = pvm_memo_text_add(&in.text, NULL);
	CHECK_EQ(in.a, 0);
	CHECK_EQ(in.b, PVM_MEMO_NO_TEXT);
	CHECK(text_is(&in, in.a, "ab"));
	CHECK(pvm_memo_text_at(&in.text, in.b) == NULL);
	CHECK_EQ(pvm_memo_inputs_len(&in), offsetof(struct two_strings, text.bytes) + 3);

	/* what lies past the text used is no part of the key */
	memset(&other, 0xff, sizeof(other));
	pvm_memo_inputs_start(&other);
	other.n = 7;
	other.a = pvm_memo_text_add(&other.text, "ab");
	other.b = PVM_MEMO_NO_TEXT;
	CHECK_EQ(pvm_memo_inputs_len(&other), pvm_memo_inputs_len(&in));
	CHECK(!memcmp(&in, &other, pvm_memo_inputs_len(&in)));

	/* "ab" then "c" is not "a" then "bc" */
	pvm_memo_inputs_start(&in);
	in.a = pvm_memo_text_add(&in.text, "ab");
	in.b = pvm_memo_text_add(&in.text, "c");
	pvm_memo_inputs_start(&other);
	other.a = pvm_memo_text_add(&other.text, "a");
	other.b = pvm_memo_text_add(&other.text, "bc");
	CHECK(memcmp(&in, &other, pvm_memo_inputs_len(&in)));

	/* a string longer than the room left is cut, and the text stays whole */
	pvm_memo_inputs_start(&in);
	in.a = pvm_memo_text_add(&in.text, "abcde");
	in.b = pvm_memo_text_add(&in.text, "fghij");
	CHECK(text_is(&in, in.b, "f"));
	CHECK_EQ(in.text.len, sizeof(in.text.bytes));
	CHECK_EQ(pvm_memo_text_add(&in.text, "x"), PVM_MEMO_NO_TEXT);
}
