/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The only two places where bytes a traced process controls (comm, later
 * paths and payloads) are turned into output text. Nothing a process puts
 * in them can end a line, close a string or reach a terminal as a control
 * sequence. --syslog sends the terminal's text, escaped again only where
 * RFC 5424 asks it (syslog_out.c).
 */
#ifndef PVMTRACE_ESCAPE_H
#define PVMTRACE_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/*
 * The body of a JSON string (no quotes), always pure ASCII: printable ASCII as
 * is except '"' and '\\'; controls as \u00XX; valid UTF-8 as \uXXXX (surrogate
 * pairs above U+FFFF); each byte of an invalid UTF-8 sequence as \ufffd.
 */
void pvm_json_escape(FILE *out, const char *s, size_t len);

/* The most bytes one character can take escaped: a surrogate pair. */
#define PVM_JSON_ESCAPE_MAX 12

/*
 * The same into dst: whole characters only, as many as fit in cap bytes.
 * Returns the bytes written and sets *used to the bytes of s consumed; with
 * cap >= PVM_JSON_ESCAPE_MAX at least one character always fits.
 */
size_t pvm_json_escape_some(char *dst, size_t cap, const char *s, size_t len, size_t *used);

/*
 * For a terminal: printable ASCII as is, '\\' as "\\\\", any other byte \xHH.
 * Returns the number of characters written.
 */
size_t pvm_term_escape(FILE *out, const char *s, size_t len);

/* The most bytes one byte can take escaped for a terminal: \xHH. */
#define PVM_TERM_ESCAPE_MAX 4

/*
 * The same into dst: whole escapes only, as many as fit in cap bytes.
 * Returns the bytes written and sets *used to the bytes of s consumed.
 */
size_t pvm_term_escape_some(char *dst, size_t cap, const char *s, size_t len, size_t *used);

#endif /* PVMTRACE_ESCAPE_H */
