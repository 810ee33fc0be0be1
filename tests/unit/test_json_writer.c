// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The streaming writer: commas, nesting, and numbers at their limits. */
#include "output/json_writer.h"
#include "unit.h"

#include <stdint.h>
#include <stdlib.h>

static void numbers(FILE *out, const void *arg)
{
	struct json_writer w;

	(void)arg;
	jw_init(&w, out);
	jw_object_begin(&w);
	jw_key(&w, "zero");
	jw_uint(&w, 0);
	jw_key(&w, "u64max");
	jw_uint(&w, UINT64_MAX);
	jw_key(&w, "i64min");
	jw_int(&w, INT64_MIN);
	jw_key(&w, "neg");
	jw_int(&w, -14);
	jw_key(&w, "hex0");
	jw_hex(&w, 0);
	jw_key(&w, "hexmax");
	jw_hex(&w, UINT64_MAX);
	jw_key(&w, "list");
	jw_array_begin(&w);
	jw_bool(&w, true);
	jw_null(&w);
	jw_object_begin(&w);
	jw_object_end(&w);
	jw_hex_bytes(&w, (const unsigned char *)"\x00\xff", 2);
	jw_array_end(&w);
	jw_object_end(&w);
	jw_end_line(&w);
}

UNIT_TEST(json_writer_numbers_and_nesting)
{
	char *got = unit_capture(numbers, NULL);

	CHECK_STR(got, "{\"zero\":0,\"u64max\":18446744073709551615,"
		       "\"i64min\":-9223372036854775808,\"neg\":-14,\"hex0\":\"0x0\","
		       "\"hexmax\":\"0xffffffffffffffff\",\"list\":[true,null,{},\"00ff\"]}\n");
	free(got);
}
