/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A minimal unit-test harness: UNIT_TEST(name) registers a test, CHECK_*
 * macros print expected vs actual and mark the running test failed.
 */
#ifndef PVMTRACE_UNIT_H
#define PVMTRACE_UNIT_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void unit_register(const char *name, void (*fn)(void));
void unit_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define UNIT_TEST(name)                                                        \
	static void name(void);                                                \
	__attribute__((constructor)) static void register_##name(void)         \
	{                                                                      \
		unit_register(#name, name);                                    \
	}                                                                      \
	static void name(void)

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			unit_fail(__FILE__, __LINE__, "%s", #cond);            \
	} while (0)

#define CHECK_EQ(actual, expected)                                             \
	do {                                                                   \
		long long a_ = (long long)(actual), e_ = (long long)(expected);   \
		if (a_ != e_)                                                  \
			unit_fail(__FILE__, __LINE__, "%s: got %lld, want %lld", \
				  #actual, a_, e_);                            \
	} while (0)

#define CHECK_STR(actual, expected)                                            \
	do {                                                                   \
		const char *a_ = (actual), *e_ = (expected);                   \
		if (!a_ || !e_ ? a_ != e_ : strcmp(a_, e_) != 0)               \
			unit_fail(__FILE__, __LINE__, "%s:\n    got  %s\n    want %s", \
				  #actual, a_ ? a_ : "(null)", e_ ? e_ : "(null)"); \
	} while (0)

/* Runs fn(out) into a memory stream and returns what it wrote (free it). */
char *unit_capture(void (*fn)(FILE *out, const void *arg), const void *arg);

#endif /* PVMTRACE_UNIT_H */
