/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * --metrics: the counters in Prometheus's text exposition format (0.0.4),
 * for a server that scrapes every host. Every counter of the stats record
 * (stats.h) under the same name: pvmtrace_calls_total, pvmtrace_events_total,
 * the losses as pvmtrace_drops_total{reason="ringbuf_drops",...}, the others
 * as pvmtrace_NAME_total (a level as a gauge); alerts by rule and severity
 * (an allowed alert is info, as in its record); the reader's busy share and
 * the ring buffer's fill. Pure: the HTTP side is metrics_http.h.
 */
#ifndef PVMTRACE_METRICS_H
#define PVMTRACE_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "output/stats.h"
#include "rules/rules.h"

struct pvm_metrics_address {
	struct sockaddr_storage addr;
	socklen_t len;
};

/*
 * "IPV4:PORT" or "[IPV6]:PORT", numeric, PORT 1 to 65535. 0, or -1 with
 * what is wrong in err.
 */
int pvm_metrics_parse_address(const char *text, struct pvm_metrics_address *out, char *err,
			      size_t err_len);

/* What a scrape shows: the main loop's copy of the moment. */
struct pvm_metrics_snapshot {
	struct pvm_stats stats;
	struct pvm_alert_summary alerts;
	double reader_busy;	    /* share of the last period the reader's thread ran, 0..1 */
	unsigned long ring_used;    /* bytes written and not read yet */
	unsigned long ring_size;
	bool tracing;		    /* false once tracing stopped */
};

#define PVM_METRICS_TEXT_MAX 16384

/* The exposition of s into buf: its length, or 0 if cap is too small. */
size_t pvm_metrics_text(char *buf, size_t cap, const struct pvm_metrics_snapshot *s,
			const char *version);

#endif /* PVMTRACE_METRICS_H */
