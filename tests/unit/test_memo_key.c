// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Memo inputs: their own key, equal byte for byte or not at all. */
#include "memo_key.h"
#include "unit.h"

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

/* Kept inputs answer for the very same bytes only, and are replaced otherwise. */
UNIT_TEST(memo_inputs_kept_for_the_same_bytes_only)
{
	static struct two_strings kept;
	struct two_strings in;
	size_t kept_len = 0;

	pvm_memo_inputs_start(&in);
	in.n = 1;
	in.a = pvm_memo_text_add(&in.text, "ab");
	CHECK(!pvm_memo_inputs_kept(&kept, &kept_len, &in, pvm_memo_inputs_len(&in)));
	CHECK(pvm_memo_inputs_kept(&kept, &kept_len, &in, pvm_memo_inputs_len(&in)));
	in.n = 2;
	CHECK(!pvm_memo_inputs_kept(&kept, &kept_len, &in, pvm_memo_inputs_len(&in)));
	CHECK(pvm_memo_inputs_kept(&kept, &kept_len, &in, pvm_memo_inputs_len(&in)));
	/* a string of the same length with other bytes */
	pvm_memo_inputs_start(&in);
	in.n = 2;
	in.a = pvm_memo_text_add(&in.text, "aB");
	CHECK(!pvm_memo_inputs_kept(&kept, &kept_len, &in, pvm_memo_inputs_len(&in)));
	/* a prefix of the kept inputs */
	CHECK(!pvm_memo_inputs_kept(&kept, &kept_len, &in, pvm_memo_inputs_len(&in) - 1));
}
