// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The reader: records in, JSON lines out, as the sensor hands them over. */
#include "reader/reader.h"
#include "record_builder.h"
#include "unit.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <unistd.h>

static struct record_buffer buf;

static const char *field(json_object *line, const char *a, const char *b)
{
	json_object *o = NULL, *v = NULL;

	if (!json_object_object_get_ex(line, a, &o) || (b && !json_object_object_get_ex(o, b, &v)))
		return NULL;
	return json_object_get_string(b ? v : o);
}

/*
 * Three calls, the second the first again (its text from the memos), the
 * third moving fewer bytes; then the reader closed with no flush, as when
 * tracing stops on an error: every line is in the file all the same.
 */
UNIT_TEST(reader_writes_each_record_as_a_line)
{
	static struct pvm_reader r;
	char path[] = "/tmp/pvmtrace-unit-reader-XXXXXX", *argv[] = {"pvmtrace", "--json", "-o", path};
	char line[3][4096];
	struct pvm_options opts;
	struct pvm_reader_config cfg;
	FILE *f;
	int fd = mkstemp(path);

	if (fd < 0) {
		unit_fail(__FILE__, __LINE__, "mkstemp");
		return;
	}
	close(fd);
	CHECK_EQ(pvm_options_parse(4, argv, &opts, stderr), 0);
	cfg = pvm_reader_config_of(&opts);
	cfg.version = "9.9-test";
	CHECK_EQ(pvm_reader_open(&r, &cfg), PVM_EXIT_OK);
	build_example(&buf);
	pvm_reader_record(&r, &buf, record_size(&buf));
	pvm_reader_record(&r, &buf, record_size(&buf));
	buf.rec.ret = 32;
	pvm_reader_record(&r, &buf, record_size(&buf));
	CHECK_EQ(r.stats.received, 3);
	CHECK_EQ(r.stats.decode_errors, 0);
	pvm_reader_close(&r);

	f = fopen(path, "r");
	for (int i = 0; i < 3; i++)
		CHECK(f && fgets(line[i], sizeof(line[i]), f));
	CHECK(f && fgetc(f) == EOF);
	if (f)
		fclose(f);
	unlink(path);
	/* the same but for its number in the run */
	CHECK(strstr(line[0], "\"seq\":1,") && strstr(line[1], "\"seq\":2,"));
	CHECK_STR(strstr(line[1], "\"host\""), strstr(line[0], "\"host\""));
	for (int i = 0; i < 3; i++) {
		json_object *o = json_tokener_parse(line[i]);
		json_object *alerts = NULL;

		CHECK(o != NULL);
		CHECK_STR(field(o, "schema", NULL), "pvmtrace.event/1");
		CHECK_EQ(atoi(field(o, "seq", NULL) ?: "0"), i + 1);
		CHECK_STR(field(o, "sensor", "version"), "9.9-test");
		CHECK_STR(field(o, "event", NULL), "process_vm_writev");
		CHECK_STR(field(o, "caller", "pid"), "4242");
		CHECK_STR(field(o, "target", "pid"), "4300");
		CHECK_STR(field(o, "ret", NULL), i < 2 ? "64" : "32");
		CHECK(json_object_object_get_ex(o, "alerts", &alerts) &&
		      json_object_array_length(alerts) >= 1);
		CHECK(strstr(json_object_to_json_string(alerts), i < 2 ? "wrote 64 bytes into pid 4300"
									 : "wrote 32 bytes into pid 4300"));
		json_object_put(o);
	}
}
