// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "output/metrics.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bad_address(char *err, size_t err_len, const char *why)
{
	snprintf(err, err_len, "%s", why);
	return -1;
}

/* "1".."65535", nothing else */
static int parse_port(const char *text, in_port_t *port)
{
	char *end;
	unsigned long n;

	if (text[0] < '1' || text[0] > '9')
		return -1;
	n = strtoul(text, &end, 10);
	if (*end || n > 65535)
		return -1;
	*port = htons((in_port_t)n);
	return 0;
}

static int parse_ipv6(const char *text, struct pvm_metrics_address *out, char *err,
		      size_t err_len)
{
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&out->addr;
	const char *close = strchr(text, ']');
	char host[INET6_ADDRSTRLEN];

	if (!close || close[1] != ':' || (size_t)(close - text - 1) >= sizeof(host))
		return bad_address(err, err_len, "want [IPV6]:PORT");
	memcpy(host, text + 1, close - text - 1);
	host[close - text - 1] = '\0';
	in6->sin6_family = AF_INET6;
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
		return bad_address(err, err_len, "not an IPv6 address");
	if (parse_port(close + 2, &in6->sin6_port))
		return bad_address(err, err_len, "want a port from 1 to 65535");
	out->len = sizeof(*in6);
	return 0;
}

static int parse_ipv4(const char *text, struct pvm_metrics_address *out, char *err,
		      size_t err_len)
{
	struct sockaddr_in *in = (struct sockaddr_in *)&out->addr;
	const char *colon = strrchr(text, ':');
	char host[INET_ADDRSTRLEN];

	if (!colon || (size_t)(colon - text) >= sizeof(host))
		return bad_address(err, err_len, "want IPV4:PORT or [IPV6]:PORT");
	memcpy(host, text, colon - text);
	host[colon - text] = '\0';
	in->sin_family = AF_INET;
	if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
		return bad_address(err, err_len, "not an IPv4 address");
	if (parse_port(colon + 1, &in->sin_port))
		return bad_address(err, err_len, "want a port from 1 to 65535");
	out->len = sizeof(*in);
	return 0;
}

int pvm_metrics_parse_address(const char *text, struct pvm_metrics_address *out, char *err,
			      size_t err_len)
{
	memset(out, 0, sizeof(*out));
	return text[0] == '[' ? parse_ipv6(text, out, err, err_len)
			      : parse_ipv4(text, out, err, err_len);
}

/* Appends to a buffer of fixed size; once full, `failed` stays set. */
struct text {
	char *buf;
	size_t cap, len;
	bool failed;
};

__attribute__((format(printf, 2, 3))) static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= t->cap - t->len)
		t->failed = true;
	else
		t->len += (size_t)n;
}

static void family(struct text *t, const char *name, const char *type, const char *help)
{
	put(t, "# HELP pvmtrace_%s %s\n# TYPE pvmtrace_%s %s\n", name, help, name, type);
}

/* Calls and events first; the losses as one family by reason; the rest by name. */
static void counters(struct text *t, const struct pvm_stats *s)
{
	struct pvm_stat_counter c[PVM_STATS_COUNTERS];

	pvm_stats_counters(s, c);
	family(t, "drops_total", "counter",
	       "Calls, events, chunks or messages lost, by reason (the stats record's counter)");
	for (int i = 0; i < PVM_STATS_COUNTERS; i++)
		if (c[i].drop)
			put(t, "pvmtrace_drops_total{reason=\"%s\"} %" PRIu64 "\n", c[i].name,
			    (uint64_t)c[i].value);
	for (int i = 0; i < PVM_STATS_COUNTERS; i++) {
		char name[64];

		if (c[i].drop)
			continue;
		snprintf(name, sizeof(name), "%s%s", c[i].name, c[i].level ? "" : "_total");
		family(t, name, c[i].level ? "gauge" : "counter",
		       "The stats record's counter of this name");
		put(t, "pvmtrace_%s %" PRIu64 "\n", name, (uint64_t)c[i].value);
	}
}

/*
 * Every rule, 0 or not: its alerts at its severity, the allowed ones as info.
 * A series that first shows up at 1 has no sample before it, and increase()
 * over it stays 0: the first alert of a host would never fire an alert.
 */
static void alerts(struct text *t, const struct pvm_alert_summary *a)
{
	family(t, "alerts_total", "counter",
	       "Alerts raised, by rule and severity (info: allowed by the allowlist)");
	for (int i = 0; i < PVM_RULE_COUNT; i++) {
		const struct pvm_rule *rule = &pvm_rules[i];

		put(t, "pvmtrace_alerts_total{rule=\"%s\",severity=\"%s\"} %llu\n", rule->id,
		    pvm_severity_name(rule->severity), a->count[i] - a->allowed[i]);
		put(t, "pvmtrace_alerts_total{rule=\"%s\",severity=\"info\"} %llu\n", rule->id,
		    a->allowed[i]);
	}
}

static void levels(struct text *t, const struct pvm_metrics_snapshot *s, const char *version)
{
	family(t, "reader_busy_ratio", "gauge",
	       "Share of the last second the reader's thread was running");
	put(t, "pvmtrace_reader_busy_ratio %.6f\n", s->reader_busy);
	family(t, "ring_fill_ratio", "gauge", "Share of the ring buffer written and not read yet");
	put(t, "pvmtrace_ring_fill_ratio %.6f\n",
	    s->ring_size ? (double)s->ring_used / (double)s->ring_size : 0.0);
	family(t, "ring_size_bytes", "gauge", "The ring buffer's size");
	put(t, "pvmtrace_ring_size_bytes %lu\n", s->ring_size);
	family(t, "tracing", "gauge", "1 while tracing");
	put(t, "pvmtrace_tracing %d\n", s->tracing);
	family(t, "build_info", "gauge", "The sensor's version");
	put(t, "pvmtrace_build_info{version=\"%s\"} 1\n", version ? version : "");
}

size_t pvm_metrics_text(char *buf, size_t cap, const struct pvm_metrics_snapshot *s,
			const char *version)
{
	struct text t = {.buf = buf, .cap = cap};

	counters(&t, &s->stats);
	alerts(&t, &s->alerts);
	levels(&t, s, version);
	return t.failed ? 0 : t.len;
}
