// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * --syslog's text: the target parsed, and one alert as one message
 * (syslog_out.h). Pure; syslog_out.c queues and sends what it makes.
 */
#include "output/syslog_out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "event/entity.h"
#include "json_keys.h"
#include "output/envelope.h"
#include "output/escape.h"

/* --- the target -------------------------------------------------------------------- */

static int refuse(char *err, size_t err_len, const char *why)
{
	snprintf(err, err_len, "%s", why);
	return -1;
}

/* 1 to 65535, in decimal digits only. */
static bool port_ok(const char *port)
{
	size_t digits = strspn(port, "0123456789");
	unsigned long n = strtoul(port, NULL, 10);

	return digits > 0 && digits <= 5 && !port[digits] && n >= 1 && n <= 65535;
}

#define IPV6_WRITTEN "an IPv6 address is written [ADDRESS]:PORT"

/* "HOST:PORT" or "[IPV6]:PORT". */
static int parse_host_port(const char *text, struct pvm_syslog_target *t, char *err,
			   size_t err_len)
{
	const char *host = text, *host_end, *port;

	if (text[0] == '[') {
		host = text + 1;
		host_end = strchr(host, ']');
		if (!host_end || host_end[1] != ':')
			return refuse(err, err_len, IPV6_WRITTEN);
		port = host_end + 2;
	} else {
		host_end = strchr(text, ':');
		if (!host_end)
			return refuse(err, err_len, "no port: HOST:PORT");
		if (strchr(host_end + 1, ':'))
			return refuse(err, err_len, IPV6_WRITTEN);
		port = host_end + 1;
	}
	if (host_end == host || (size_t)(host_end - host) >= sizeof(t->host))
		return refuse(err, err_len, "the host is empty or too long");
	if (!port_ok(port))
		return refuse(err, err_len, "the port is a number from 1 to 65535");
	snprintf(t->host, sizeof(t->host), "%.*s", (int)(host_end - host), host);
	snprintf(t->port, sizeof(t->port), "%s", port);
	return 0;
}

static int parse_path(const char *path, struct pvm_syslog_target *t, char *err, size_t err_len)
{
	if (path[0] != '/')
		return refuse(err, err_len, "the socket's path must be absolute");
	if (strlen(path) >= sizeof(t->path))
		return refuse(err, err_len, "the socket's path is too long");
	snprintf(t->path, sizeof(t->path), "%s", path);
	return 0;
}

int pvm_syslog_parse_target(const char *text, struct pvm_syslog_target *t, char *err,
			    size_t err_len)
{
	static const struct {
		const char *scheme;
		enum pvm_syslog_transport transport;
	} schemes[] = {
		{"unix:", PVM_SYSLOG_UNIX},
		{"udp:", PVM_SYSLOG_UDP},
		{"tcp:", PVM_SYSLOG_TCP},
	};

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		size_t len = strlen(schemes[i].scheme);

		if (strncmp(text, schemes[i].scheme, len))
			continue;
		t->transport = schemes[i].transport;
		if (t->transport == PVM_SYSLOG_UNIX)
			return parse_path(text + len, t, err, err_len);
		return parse_host_port(text + len, t, err, err_len);
	}
	return refuse(err, err_len, "want unix:PATH, udp:HOST:PORT or tcp:HOST:PORT");
}

/* --- one message ------------------------------------------------------------------- */

/* 32473: the private enterprise number RFC 5612 reserves for documentation. */
#define SD_ID "pvmtrace@32473"
#define APP_NAME "pvmtrace"
#define VALUE_MAX 256
#define CUT_MARK "..."
#define VALUE_ESCAPED "\"\\]" /* behind a backslash in a param value (RFC 5424, 6.3.3) */
/* the longest escape of a byte: \\xHH in a value, the terminal's \xHH escaped again */
#define ESCAPE_MAX (PVM_TERM_ESCAPE_MAX + 1)

static const int syslog_severity[] = {
	[PVM_SEV_LOW] = LOG_NOTICE,
	[PVM_SEV_MEDIUM] = LOG_WARNING,
	[PVM_SEV_HIGH] = LOG_ERR,
	[PVM_SEV_CRITICAL] = LOG_CRIT,
};

/* A message being written: cap bytes at buf, the last kept for the NUL. */
struct text {
	char *buf;
	size_t len, cap;
};

static size_t room(const struct text *t)
{
	return t->cap - 1 - t->len;
}

static void put(struct text *t, const char *s, size_t n)
{
	if (n > room(t))
		n = room(t);
	memcpy(t->buf + t->len, s, n);
	t->len += n;
}

static void put_str(struct text *t, const char *s)
{
	put(t, s, strlen(s));
}

static void put_uint(struct text *t, unsigned long long v)
{
	char digits[24];

	put(t, digits, (size_t)snprintf(digits, sizeof(digits), "%llu", v));
}

/*
 * One byte a traced process chose, as the terminal is shown it (escape.h).
 * In a param value, that text escaped again as RFC 5424 says: a parser
 * unescapes the value and gets that text back, never a byte it stands for.
 */
static size_t escape_byte(char out[ESCAPE_MAX], unsigned char c, bool in_value)
{
	char text[PVM_TERM_ESCAPE_MAX];
	size_t used, len = 0;
	size_t n = pvm_term_escape_some(text, sizeof(text), (const char *)&c, 1, &used);

	for (size_t i = 0; i < n; i++) {
		if (in_value && strchr(VALUE_ESCAPED, text[i]))
			out[len++] = '\\';
		out[len++] = text[i];
	}
	return len;
}

static size_t escaped_byte_len(unsigned char c, bool in_value)
{
	char e[ESCAPE_MAX];

	return escape_byte(e, c, in_value);
}

static size_t escaped_len(const unsigned char *s, size_t len, bool in_value)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += escaped_byte_len(s[i], in_value);
	return n;
}

static void put_escapes(struct text *t, const unsigned char *p, size_t len, bool in_value)
{
	char e[ESCAPE_MAX];

	for (size_t i = 0; i < len; i++)
		put(t, e, escape_byte(e, p[i], in_value));
}

/* The escaped bytes that fit in limit once CUT_MARK is written: all when they fit in max. */
static size_t cut_limit(const struct text *t, size_t whole, size_t max)
{
	size_t mark = strlen(CUT_MARK);

	if (max > room(t))
		max = room(t);
	return whole <= max ? whole : max > mark ? max - mark : 0;
}

/* s escaped, at most max bytes of it: its start, cut on a whole escape, CUT_MARK after. */
static void put_escaped(struct text *t, const char *s, size_t len, bool in_value, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t whole = escaped_len(p, len, in_value), limit = cut_limit(t, whole, max);
	size_t kept, written = 0;

	for (kept = 0; kept < len; kept++) {
		size_t n = escaped_byte_len(p[kept], in_value);

		if (written + n > limit)
			break;
		written += n;
	}
	put_escapes(t, p, kept, in_value);
	if (kept < len)
		put_str(t, CUT_MARK);
}

/* A param value, at most max bytes: its end, cut on a whole escape, CUT_MARK before. */
static void put_escaped_tail(struct text *t, const char *s, size_t len, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t whole = escaped_len(p, len, true), limit = cut_limit(t, whole, max);
	size_t from, written = 0;

	for (from = len; from > 0; from--) {
		size_t n = escaped_byte_len(p[from - 1], true);

		if (written + n > limit)
			break;
		written += n;
	}
	if (from > 0)
		put_str(t, CUT_MARK);
	put_escapes(t, p + from, len - from, true);
}

/*
 * RFC 3339 in UTC to the microsecond (RFC 5424 takes six digits of a second
 * at most). Not pvm_format_time_utc: its cache of the date is the JSON
 * writer's thread's alone.
 */
static void put_timestamp(struct text *t, __u64 wall_ns)
{
	time_t secs = (time_t)(wall_ns / 1000000000ULL);
	char stamp[48];
	struct tm tm;
	size_t n;

	gmtime_r(&secs, &tm);
	n = strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	n += (size_t)snprintf(stamp + n, sizeof(stamp) - n, ".%06lluZ",
			      (unsigned long long)(wall_ns % 1000000000ULL / 1000));
	put(t, stamp, n);
}

/* syslog(3)'s, in its C locale: "Nov  7 10:45:08", the call's time in the local time zone. */
static void put_local_timestamp(struct text *t, __u64 wall_ns)
{
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t secs = (time_t)(wall_ns / 1000000000ULL);
	char stamp[64];
	struct tm tm;

	localtime_r(&secs, &tm);
	put(t, stamp,
	    (size_t)snprintf(stamp, sizeof(stamp), "%s %2d %02d:%02d:%02d", months[tm.tm_mon],
			     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec));
}

/* Printable ASCII and no space: the kernel's name, unlike --hostname, was never checked. */
static void put_host_name(struct text *t, const char *name)
{
	if (!name[0])
		put_str(t, "-");
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		put(t, *c > ' ' && *c < 0x7f ? (const char *)c : "?", 1);
}

static void put_pri(struct text *t, const struct pvm_alert *alert)
{
	put_str(t, "<");
	put_uint(t, (unsigned int)(LOG_AUTHPRIV | syslog_severity[alert->severity]));
	put_str(t, ">");
}

static void put_rfc5424_header(struct text *t, const struct pvm_event *ev,
			       const struct pvm_alert *alert,
			       const struct pvm_syslog_origin *origin)
{
	put_pri(t, alert);
	put_str(t, "1 ");
	put_timestamp(t, ev->wall_ns);
	put_str(t, " ");
	put_host_name(t, origin->host_name);
	put_str(t, " " APP_NAME " ");
	put_uint(t, origin->pid);
	put_str(t, " ");
	put_str(t, alert->rule->id);
}

/* No HOSTNAME: the local daemon adds its own. */
static void put_local_header(struct text *t, const struct pvm_event *ev,
			     const struct pvm_alert *alert, const struct pvm_syslog_origin *origin)
{
	put_pri(t, alert);
	put_local_timestamp(t, ev->wall_ns);
	put_str(t, " " APP_NAME "[");
	put_uint(t, origin->pid);
	put_str(t, "]: ");
	put_str(t, alert->rule->id);
}

static void param_begin(struct text *t, const char *name)
{
	put_str(t, " ");
	put_str(t, name);
	put_str(t, "=\"");
}

static void param_text(struct text *t, const char *name, const char *value, size_t len)
{
	param_begin(t, name);
	put_escaped(t, value, len, true, VALUE_MAX);
	put_str(t, "\"");
}

static void param_uint(struct text *t, const char *name, unsigned long long value)
{
	param_begin(t, name);
	put_uint(t, value);
	put_str(t, "\"");
}

static void param_name(struct text *t, const char *name, const char *value)
{
	param_text(t, name, value, strlen(value));
}

/* An exe's display path: its end tells what ran. */
static void param_path(struct text *t, const char *name, const char *path)
{
	param_begin(t, name);
	put_escaped_tail(t, path, strlen(path), VALUE_MAX);
	put_str(t, "\"");
}

static void param_mitre(struct text *t, const struct pvm_rule *rule)
{
	param_begin(t, "mitre");
	for (const char *const *id = rule->mitre; *id; id++) {
		if (id != rule->mitre)
			put_str(t, ",");
		put_str(t, *id);
	}
	put_str(t, "\"");
}

/* What the call moved, or why it failed. */
static void param_result(struct text *t, __s64 ret)
{
	const char *error = pvm_errno_name(ret);

	if (ret >= 0)
		param_uint(t, "bytes", (unsigned long long)ret);
	else if (error)
		param_name(t, "error", error);
}

/* The caller or the target, as the JSON output has them. */
struct process {
	__u32 pid;
	__u64 start_boot_ns;
	const char *comm; /* PVM_COMM_LEN bytes, NUL-terminated when shorter */
	const char *exe;  /* "": not known */
};

struct process_params {
	const char *pid, *comm, *exe, *entity_id;
};

static const struct process_params caller_params = {"caller_pid", "caller_comm", "caller_exe",
						    "caller_entity_id"};
static const struct process_params target_params = {"target_pid", "target_comm", "target_exe",
						    "target_entity_id"};

static void param_entity_id(struct text *t, const char *name, const char *boot_id,
			    const struct process *p)
{
	unsigned char id[PVM_ENTITY_ID_BYTES];
	char hex[2 * PVM_ENTITY_ID_BYTES];

	pvm_entity_id(id, boot_id, p->pid, p->start_boot_ns);
	jw_hex_encode(hex, id, sizeof(id));
	param_begin(t, name);
	put(t, hex, sizeof(hex));
	put_str(t, "\"");
}

static void params_process(struct text *t, const struct process_params *names,
			   const struct process *p, const char *boot_id)
{
	param_uint(t, names->pid, p->pid);
	param_text(t, names->comm, p->comm, strnlen(p->comm, PVM_COMM_LEN));
	if (p->exe[0])
		param_path(t, names->exe, p->exe);
	param_entity_id(t, names->entity_id, boot_id, p);
}

/* As the JSON's target.source: a target read from /proc may be another process by then. */
static const char *target_source(const struct pvm_target_view *v)
{
	if (v->t->source == PVM_TARGET_UNRESOLVED)
		return PVM_SOURCE_UNRESOLVED;
	return v->from_proc ? PVM_SOURCE_PROC : PVM_SOURCE_KERNEL;
}

static void put_structured_data(struct text *t, const struct pvm_event *ev,
				const struct pvm_alert *alert, const char *boot_id)
{
	const struct pvm_record *r = ev->rec;
	const struct pvm_target *target = ev->target.t;
	const struct process caller = {r->caller_pid, r->caller_start_boot_ns, r->comm,
				       ev->caller_exe};
	const struct process callee = {target->pid, target->start_boot_ns, target->comm,
				       ev->target_exe};

	put_str(t, " [" SD_ID);
	param_name(t, "rule", alert->rule->id);
	param_name(t, "severity", pvm_severity_name(alert->severity));
	param_mitre(t, alert->rule);
	param_name(t, "syscall", pvm_syscall_name(r->syscall));
	param_result(t, r->ret);
	params_process(t, &caller_params, &caller, boot_id);
	if (target->source != PVM_TARGET_NONE)
		param_name(t, "target_source", target_source(&ev->target));
	if (target->source == PVM_TARGET_KERNEL)
		params_process(t, &target_params, &callee, boot_id);
	put_str(t, "]");
}

bool pvm_syslog_sends(const struct pvm_alert *alert)
{
	return !alert->allowed_by && alert->severity > PVM_SEV_INFO;
}

size_t pvm_syslog_format(char buf[PVM_SYSLOG_MESSAGE_MAX], const struct pvm_event *ev,
			 const struct pvm_alert *alert, const struct pvm_syslog_origin *origin,
			 enum pvm_syslog_header header)
{
	struct text t = {buf, 0, PVM_SYSLOG_MESSAGE_MAX};

	if (header == PVM_SYSLOG_LOCAL)
		put_local_header(&t, ev, alert, origin);
	else
		put_rfc5424_header(&t, ev, alert, origin);
	put_structured_data(&t, ev, alert, origin->boot_id);
	put_str(&t, " ");
	put_escaped(&t, alert->reason, strnlen(alert->reason, sizeof(alert->reason)),
		    false, room(&t));
	buf[t.len] = '\0';
	return t.len;
}
