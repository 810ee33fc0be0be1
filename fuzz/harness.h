/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the libFuzzer harnesses share: the input as a file for the code that
 * reads one, and the checks of what the output stages promise
 * (docs/events.md): a JSON line is pure ASCII and one valid object, a table
 * row holds no byte a terminal would act on. A broken promise aborts, which
 * libFuzzer reports as a crash with its input.
 */
#ifndef PVMTRACE_FUZZ_HARNESS_H
#define PVMTRACE_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rules/rules.h"

/* Prints "fuzz: ..." and aborts. */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * The input as the content of one memory-backed file (made once, rewritten
 * for each input): a path that opens it from its start.
 */
const char *fuzz_input_file(const void *data, size_t size);

/* What a stream wrote, in memory: fuzz_text_open(), then fuzz_text_close(); free bytes. */
struct fuzz_text {
	char *bytes;
	size_t len;
};

FILE *fuzz_text_open(struct fuzz_text *t);
void fuzz_text_close(FILE *stream);

/*
 * The same over a memory-backed file, for code that writes to the stream's
 * descriptor with write(2): fuzz_file_close() gives back all that was written.
 */
FILE *fuzz_file_open(void);
struct fuzz_text fuzz_file_close(FILE *stream);

/* /dev/null, for what the code under test writes that nothing checks. */
FILE *fuzz_null_stream(void);

/* Every line of text[0..len) ends with '\n', is printable ASCII and one JSON object. */
void fuzz_check_json_lines(const char *what, const char *text, size_t len);

/* Nothing in text[0..len) but printable ASCII and line ends. */
void fuzz_check_terminal_text(const char *what, const char *text, size_t len);

/* The two verdicts are the same: rules, severities, allowing entries, reasons. */
void fuzz_check_same_alerts(const char *what, const struct pvm_alerts *a,
			    const struct pvm_alerts *b);

#endif /* PVMTRACE_FUZZ_HARNESS_H */
