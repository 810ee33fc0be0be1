/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef PVMTRACE_E2E_SYSLOG_H
#define PVMTRACE_E2E_SYSLOG_H

#include <stdbool.h>

/* Why e2e_syslog_rsyslog cannot run here: no rsyslogd (the VM guests have none), or NULL. */
const char *e2e_rsyslog_missing(const char *pvmtrace);

/*
 * The real rsyslogd, started with the shipped collector configuration
 * (config/rsyslog-pvmtrace.conf: its TCP and UDP inputs on 127.0.0.1, its
 * file in `scratch`) behind a rule of this check's own writing each
 * message's fields as rsyslog parsed them, and pvmtrace at `pvmtrace`
 * sending to it over --syslog=tcp:, udp: and unix: (a socket in `scratch`)
 * while this process writes into a child of its own: rsyslog has the write's
 * alert (PRI authpriv.err, HOSTNAME, APP-NAME, MSGID, the caller and the
 * target and their entity ids as in the JSON event of the same call; over
 * unix: the local format's APP-NAME and PID), the shipped file has it as
 * RFC 5424, and pvmtrace's counter line says it was sent. false after
 * saying what went wrong on stderr; also when e2e_rsyslog_missing() says
 * why not.
 */
bool e2e_syslog_rsyslog(const char *pvmtrace, const char *scratch);

#endif /* PVMTRACE_E2E_SYSLOG_H */
