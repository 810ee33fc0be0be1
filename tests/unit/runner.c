// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "unit.h"

#include <stdarg.h>
#include <stdlib.h>

#define MAX_TESTS 1024

static struct {
	const char *name;
	void (*fn)(void);
} tests[MAX_TESTS];
static int n_tests;
static int current_failures;

void unit_register(const char *name, void (*fn)(void))
{
	if (n_tests == MAX_TESTS) {
		/* before main: a test left out would pass unseen */
		fprintf(stderr, "unit: more than %d tests: raise MAX_TESTS\n", MAX_TESTS);
		exit(1);
	}
	tests[n_tests++] = (typeof(tests[0])){name, fn};
}

void unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	current_failures++;
	fprintf(stderr, "  %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

char *unit_capture(void (*fn)(FILE *out, const void *arg), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	fn(out, arg);
	fclose(out);
	return buf;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;

	for (int i = 0; i < n_tests; i++) {
		if (argc > 1 && strcmp(argv[1], tests[i].name))
			continue;
		current_failures = 0;
		tests[i].fn();
		if (current_failures) {
			failed++;
			printf("not ok - %s\n", tests[i].name);
		} else {
			passed++;
			printf("ok - %s\n", tests[i].name);
		}
	}
	printf("unit: %d passed, %d failed, 0 skipped\n", passed, failed); /* none needs the host */
	return failed ? 1 : 0;
}
