// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Each JSON record's envelope: its kind, its number in the run, the host, the sensor. */
#include "output/envelope.h"
#include "json_keys.h"
#include "unit.h"

#include <stdlib.h>
#include <unistd.h>

struct envelope_case {
	struct pvm_envelope *env;
	const char *schema;
};

/* {ENVELOPE} */
static void envelope_of(FILE *out, const void *arg)
{
	const struct envelope_case *c = arg;
	struct json_writer w;

	jw_init(&w, out);
	jw_object_begin(&w);
	pvm_envelope_json(&w, c->env, c->schema);
	jw_object_end(&w);
	jw_end_line(&w);
}

static char *boot_id_file(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/pvmtrace-unit-boot-id-XXXXXX");
	fd = mkstemp(path);
	CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	return path;
}

UNIT_TEST(envelope_numbers_each_record_from_1)
{
	const char *path = boot_id_file("6f1b2c3d-0a1b-4c2d-8e3f-445566778899\n");
	struct pvm_envelope env;
	struct envelope_case event = {&env, PVM_SCHEMA_EVENT}, stats = {&env, PVM_SCHEMA_STATS};
	char *first, *second;

	pvm_envelope_init(&env, "web-01.example", path, "1.2.3");
	first = unit_capture(envelope_of, &event);
	second = unit_capture(envelope_of, &stats);
	CHECK_STR(first, "{\"schema\":\"pvmtrace.event/1\",\"seq\":1,\"host\":{\"name\":"
			 "\"web-01.example\",\"boot_id\":\"6f1b2c3d-0a1b-4c2d-8e3f-445566778899\"},"
			 "\"sensor\":{\"version\":\"1.2.3\"}}\n");
	CHECK_STR(second, "{\"schema\":\"pvmtrace.stats/1\",\"seq\":2,\"host\":{\"name\":"
			  "\"web-01.example\",\"boot_id\":\"6f1b2c3d-0a1b-4c2d-8e3f-445566778899\"},"
			  "\"sensor\":{\"version\":\"1.2.3\"}}\n");
	free(first);
	free(second);
	unlink(path);
}

UNIT_TEST(envelope_boot_id_is_null_when_unknown)
{
	static const char *const contents[] = {"", "not-a-boot-id-at-all-but-36-bytes!!!\n",
					       "6f1b2c3d\n"};
	struct pvm_envelope env;
	struct envelope_case c = {&env, PVM_SCHEMA_EVENT};

	for (size_t i = 0; i < sizeof(contents) / sizeof(contents[0]); i++) {
		const char *path = boot_id_file(contents[i]);
		char *text;

		pvm_envelope_init(&env, "h", path, "v");
		text = unit_capture(envelope_of, &c);
		CHECK(strstr(text, "\"boot_id\":null}") != NULL);
		free(text);
		unlink(path);
	}
	pvm_envelope_init(&env, "h", "/nonexistent/boot_id", "v");
	CHECK_EQ(env.boot_id[0], '\0');
}

UNIT_TEST(envelope_host_name_is_the_kernels_unless_given)
{
	char kernel[PVM_HOST_NAME_MAX + 1] = "";
	struct pvm_envelope env;

	CHECK_EQ(gethostname(kernel, sizeof(kernel)), 0);
	pvm_envelope_init(&env, NULL, "/nonexistent", "v");
	CHECK_STR(env.host_name, kernel);
	pvm_envelope_init(&env, "given", "/nonexistent", "v");
	CHECK_STR(env.host_name, "given");
}

/* A name is escaped as any text: the record stays one JSON line. */
UNIT_TEST(envelope_escapes_the_host_name)
{
	struct pvm_envelope env;
	struct envelope_case c = {&env, PVM_SCHEMA_EVENT};
	char *text;

	pvm_envelope_init(&env, "a\"b\\c\n\x1b[2J", "/nonexistent", "v");
	text = unit_capture(envelope_of, &c);
	CHECK(strstr(text, "\"name\":\"a\\\"b\\\\c\\u000a\\u001b[2J\"") != NULL);
	free(text);
}
