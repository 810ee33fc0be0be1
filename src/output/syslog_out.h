/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * --syslog: one message for each alert of an event that the allowlist did
 * not spare, to a local socket (unix:PATH), or a collector over UDP or TCP
 * (octet counting, RFC 6587). Messages wait in a bounded queue for a thread
 * of their own that sends them: a collector that is down or slow never
 * holds up the reader; past the bound they are counted as dropped.
 *
 * To a collector, RFC 5424. To a local socket, the format syslog(3) writes
 * there: on Debian with systemd /dev/log is journald's, which does not parse
 * RFC 5424 (systemd issue #19251: the message would keep its header as text
 * and have no SYSLOG_IDENTIFIER); journald and rsyslog's imuxsock both take
 * APP-NAME "pvmtrace" and the PID from "pvmtrace[PID]: ". The MSGID, the
 * structured data and the reason follow as the message's text, written as
 * in RFC 5424.
 *
 * Facility authpriv (10): RFC 5424 gives auth (4) and authpriv (10) alike
 * to security messages, and syslog daemons route authpriv to files only
 * root reads (Debian: /var/log/auth.log; others: /var/log/secure): these
 * messages name other users' processes and executables.
 */
#ifndef PVMTRACE_SYSLOG_OUT_H
#define PVMTRACE_SYSLOG_OUT_H

#include <stdbool.h>
#include <stddef.h>

#include "event/event.h"
#include "rules/rules.h"

#define PVM_SYSLOG_DEFAULT "unix:/dev/log"

/*
 * A message's bytes, NUL included: within the 2048 that RFC 5424 (6.1)
 * says every receiver should take, over any transport.
 */
#define PVM_SYSLOG_MESSAGE_MAX 2048
/* Messages the queue holds before the next is dropped. */
#define PVM_SYSLOG_QUEUE 4096

enum pvm_syslog_transport { PVM_SYSLOG_UNIX, PVM_SYSLOG_UDP, PVM_SYSLOG_TCP };

struct pvm_syslog_target {
	enum pvm_syslog_transport transport;
	char path[108];	/* unix: the socket's path */
	char host[256];	/* udp, tcp: a name or an address (IPv6 without the text's [...]) */
	char port[6];
};

/*
 * "unix:PATH" (absolute), "udp:HOST:PORT", "tcp:HOST:PORT" (an IPv6
 * address as [ADDR]). 0, or -1 with what is wrong in err.
 */
int pvm_syslog_parse_target(const char *text, struct pvm_syslog_target *t, char *err,
			    size_t err_len);

/* Who sends: the messages' HOSTNAME and PROCID, and what entity ids are made from. */
struct pvm_syslog_origin {
	const char *host_name;
	const char *boot_id; /* "" when unknown (entity.h) */
	unsigned int pid;    /* pvmtrace's */
};

/* Whether an alert makes a message: not spared by the allowlist, above info. */
bool pvm_syslog_sends(const struct pvm_alert *alert);

enum pvm_syslog_header {
	PVM_SYSLOG_RFC5424, /* <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID */
	PVM_SYSLOG_LOCAL,   /* syslog(3)'s: <PRI>Mmm dd hh:mm:ss APP-NAME[PROCID]: MSGID */
};

/*
 * The message of one alert of ev (one pvm_syslog_sends takes),
 * NUL-terminated; returns its length.
 *
 *   <83>1 2026-11-27T15:45:08.123456Z HOST pvmtrace 812 PVM-W001
 *   [pvmtrace@32473 rule="PVM-W001" severity="high" mitre="T1055"
 *   syscall="process_vm_writev" bytes="64" caller_pid="4242"
 *   caller_comm="injector" caller_exe="/opt/tool/injector"
 *   caller_entity_id="..." target_source="kernel" target_pid="4300"
 *   target_comm="victim" target_exe="/usr/bin/victim"
 *   target_entity_id="..."] REASON
 *
 * or with PVM_SYSLOG_LOCAL, the call's time in the local time zone:
 *
 *   <83>Nov 27 15:45:08 pvmtrace[812]: PVM-W001 [pvmtrace@32473 ...] REASON
 *
 * PRI: authpriv and the alert's severity (critical: crit, high: err,
 * medium: warning, low: notice); the time is the call's, to the
 * microsecond (to the second in the local header). "bytes" is what the
 * call moved, "error" instead for a call that failed ("EPERM"); the mitre
 * ids are joined by ','; an exe that is not known is left out.
 * target_source is the JSON's target.source: "kernel", "proc" (read from
 * /proc after the call: the pid may have been reused by then), or
 * "unresolved", the only target param then; none when the call named no
 * live process. The entity ids are those of the JSON output.
 *
 * What a traced process chose (comm, exe, the reason's names) is written
 * as the terminal is shown it (escape.h): printable ASCII as is, '\\' as
 * "\\\\", any other byte as the text \xHH; in a param value, that text is
 * escaped again as RFC 5424 (6.3.3) says, '"', '\\' and ']' behind a
 * backslash. A parser gets back that text: no control, invisible or bidi
 * character can forge a line or a field, no name can pass for another, and
 * every value is ASCII, so UTF-8. A value is cut at 256 bytes and the reason
 * at the end of the message, on whole escapes, "..." marking the cut; of an
 * exe the end is kept (its file name, a " (deleted)"), "..." before it.
 */
size_t pvm_syslog_format(char buf[PVM_SYSLOG_MESSAGE_MAX], const struct pvm_event *ev,
			 const struct pvm_alert *alert, const struct pvm_syslog_origin *origin,
			 enum pvm_syslog_header header);

struct pvm_syslog;

/*
 * Starts the sending thread for target; host_name is the messages' HOSTNAME,
 * boot_id ("" when unknown) what the entity ids are made from (entity.h).
 * NULL after the reason in err (the thread could not start; a collector
 * that is not there yet is not an error: it is tried again each second).
 * A collector's name is looked up once, again only after no address of it
 * took a connection. A stream the collector closed (a restart) is seen
 * before the next message, which goes over a new connection.
 */
struct pvm_syslog *pvm_syslog_open(const struct pvm_syslog_target *target, const char *host_name,
				   const char *boot_id, char *err, size_t err_len);

/*
 * The messages of ev's alerts the allowlist did not spare, queued. Never
 * blocks on the collector and allocates nothing; returns at once for an
 * event with no such alert. s NULL: nothing.
 */
void pvm_syslog_event(struct pvm_syslog *s, const struct pvm_event *ev);

struct pvm_syslog_counts {
	unsigned long long sent;    /* handed to the socket whole */
	/*
	 * the queue was full, the send failed or took longer than a second (not
	 * tried again: the connection is made anew, a second later), or still
	 * queued when the thread stopped
	 */
	unsigned long long dropped;
};

/* Callable from any thread while the sender runs; final after pvm_syslog_stop. */
void pvm_syslog_counts(const struct pvm_syslog *s, struct pvm_syslog_counts *out);

/*
 * Sends what is queued for at most a second more, then stops the thread;
 * what is left counts as dropped. Returns within that second whatever the
 * collector does: each connect and each message's send gives up a second
 * after it began, or at the end of that second if sooner. Only a name
 * lookup under way (the first, or one after a failed connect) is waited
 * for; none starts once stopping. No pvm_syslog_event after it. NULL, or
 * stopped: nothing.
 */
void pvm_syslog_stop(struct pvm_syslog *s);

/* pvm_syslog_stop, then frees everything. NULL: nothing. */
void pvm_syslog_close(struct pvm_syslog *s);

#endif /* PVMTRACE_SYSLOG_OUT_H */
