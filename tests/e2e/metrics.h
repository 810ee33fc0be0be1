/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef PVMTRACE_E2E_METRICS_H
#define PVMTRACE_E2E_METRICS_H

#include <stdbool.h>

/*
 * pvmtrace --metrics scraped by Debian's Prometheus, both on 127.0.0.1
 * (tests/e2e/metrics_prometheus.py): what Prometheus holds once the calls
 * are in equals pvmtrace's counters at exit. false after saying why.
 */
bool e2e_metrics_prometheus(const char *pvmtrace, const char *scratch);

/*
 * Why it cannot run here: no Prometheus (the qemu guests), or a pvmtrace
 * built without --metrics (make static's); NULL: it can.
 */
const char *e2e_prometheus_missing(const char *pvmtrace);

#endif /* PVMTRACE_E2E_METRICS_H */
