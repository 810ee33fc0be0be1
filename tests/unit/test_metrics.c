// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "output/metrics.h"
#include "unit.h"

static int parse(const char *text)
{
	struct pvm_metrics_address at;
	char err[128];

	return pvm_metrics_parse_address(text, &at, err, sizeof(err));
}

UNIT_TEST(metrics_address_ipv4_and_ipv6_numeric)
{
	struct pvm_metrics_address at;
	char err[128];

	CHECK_EQ(pvm_metrics_parse_address("127.0.0.1:9474", &at, err, sizeof(err)), 0);
	CHECK_EQ(at.addr.ss_family, AF_INET);
	CHECK_EQ(ntohs(((struct sockaddr_in *)&at.addr)->sin_port), 9474);
	CHECK_EQ(at.len, sizeof(struct sockaddr_in));
	CHECK_EQ(pvm_metrics_parse_address("[::1]:65535", &at, err, sizeof(err)), 0);
	CHECK_EQ(at.addr.ss_family, AF_INET6);
	CHECK_EQ(ntohs(((struct sockaddr_in6 *)&at.addr)->sin6_port), 65535);
}

UNIT_TEST(metrics_address_refuses_the_rest)
{
	static const char *const bad[] = {
		"127.0.0.1",	  "127.0.0.1:",	 "127.0.0.1:0",	 "127.0.0.1:65536", "127.0.0.1:+80",
		"127.0.0.1:80x", "localhost:80", ":80",		 "[::1]9474",	    "[::1]:",
		"[::1:80",	  "1.2.3:80",	 "[127.0.0.1]:80", "",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(bad[i]) != -1)
			unit_fail(__FILE__, __LINE__, "accepted '%s'", bad[i]);
}

static const char *text_of(const struct pvm_metrics_snapshot *s)
{
	static char buf[PVM_METRICS_TEXT_MAX];

	return pvm_metrics_text(buf, sizeof(buf), s, "1.2.3") ? buf : "";
}

static void example(struct pvm_metrics_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->stats.kernel[PVM_CNT_CALLS] = 10;
	s->stats.kernel[PVM_CNT_EVENTS] = 7;
	s->stats.kernel[PVM_CNT_RINGBUF_FULL] = 2;
	s->stats.kernel[PVM_CNT_INFLIGHT_FULL] = 1;
	s->stats.received = 7;
	s->stats.kills = 3;
	s->stats.syslog_dropped = 4;
	s->alerts.count[PVM_RULE_FOREIGN_WRITE] = 5;
	s->alerts.allowed[PVM_RULE_FOREIGN_WRITE] = 2;
	s->alerts.count[PVM_RULE_READ_CREDENTIALS] = 1;
	s->reader_busy = 0.125;
	s->ring_used = 4 << 20;
	s->ring_size = 16 << 20;
	s->tracing = true;
}

UNIT_TEST(metrics_text_gives_each_counter_its_value)
{
	struct pvm_metrics_snapshot s;
	const char *t;

	example(&s);
	t = text_of(&s);
	CHECK(strstr(t, "\npvmtrace_calls_total 10\n"));
	CHECK(strstr(t, "\npvmtrace_events_total 7\n"));
	CHECK(strstr(t, "\npvmtrace_received_total 7\n"));
	CHECK(strstr(t, "\npvmtrace_kills_total 3\n"));
	CHECK(strstr(t, "\npvmtrace_unfinished 0\n")); /* 10 - 7 - 2 - 1: a level, a gauge */
	CHECK(strstr(t, "\npvmtrace_drops_total{reason=\"ringbuf_drops\"} 2\n"));
	CHECK(strstr(t, "\npvmtrace_drops_total{reason=\"inflight_drops\"} 1\n"));
	CHECK(strstr(t, "\npvmtrace_drops_total{reason=\"syslog_dropped\"} 4\n"));
	CHECK(!strstr(t, "pvmtrace_ringbuf_drops_total")); /* a loss only by reason */
	CHECK(strstr(t, "\npvmtrace_alerts_total{rule=\"PVM-W001\",severity=\"high\"} 3\n"));
	CHECK(strstr(t, "\npvmtrace_alerts_total{rule=\"PVM-W001\",severity=\"info\"} 2\n"));
	CHECK(strstr(t, "\npvmtrace_alerts_total{rule=\"PVM-R003\",severity=\"high\"} 1\n"));
	CHECK(strstr(t, "\npvmtrace_alerts_total{rule=\"PVM-W002\",severity=\"critical\"} 0\n"));
	CHECK(strstr(t, "\npvmtrace_alerts_total{rule=\"PVM-W002\",severity=\"info\"} 0\n"));
	CHECK(strstr(t, "\npvmtrace_reader_busy_ratio 0.125000\n"));
	CHECK(strstr(t, "\npvmtrace_ring_fill_ratio 0.250000\n"));
	CHECK(strstr(t, "\npvmtrace_ring_size_bytes 16777216\n"));
	CHECK(strstr(t, "\npvmtrace_tracing 1\n"));
	CHECK(strstr(t, "\npvmtrace_build_info{version=\"1.2.3\"} 1\n"));
}

/* Every counter of the stats record, under its name, in a family declared once before it. */
UNIT_TEST(metrics_text_holds_every_stats_counter_once_typed)
{
	struct pvm_stat_counter c[PVM_STATS_COUNTERS];
	struct pvm_metrics_snapshot s;
	const char *t;

	example(&s);
	t = text_of(&s);
	pvm_stats_counters(&s.stats, c);
	for (int i = 0; i < PVM_STATS_COUNTERS; i++) {
		char sample[128], type[128];
		const char *at, *declared;

		if (c[i].drop) {
			snprintf(sample, sizeof(sample), "\npvmtrace_drops_total{reason=\"%s\"} ",
				 c[i].name);
			snprintf(type, sizeof(type), "# TYPE pvmtrace_drops_total counter\n");
		} else {
			snprintf(sample, sizeof(sample), "\npvmtrace_%s%s ", c[i].name,
				 c[i].level ? "" : "_total");
			snprintf(type, sizeof(type), "# TYPE pvmtrace_%s%s %s\n", c[i].name,
				 c[i].level ? "" : "_total", c[i].level ? "gauge" : "counter");
		}
		at = strstr(t, sample);
		declared = strstr(t, type);
		if (!at || strstr(at + 1, sample) || !declared || declared > at ||
		    strstr(declared + 1, type))
			unit_fail(__FILE__, __LINE__, "counter %s: not once, after its TYPE",
				  c[i].name);
	}
}

UNIT_TEST(metrics_text_too_long_for_the_buffer_is_refused)
{
	struct pvm_metrics_snapshot s;
	char small[256];

	example(&s);
	CHECK_EQ(pvm_metrics_text(small, sizeof(small), &s, "1.2.3"), 0);
}
