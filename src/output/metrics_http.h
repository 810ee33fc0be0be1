/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * --metrics over HTTP, served by libmicrohttpd's own thread: GET /metrics
 * gives the last snapshot the main loop published (metrics.h), GET
 * /healthz 200 "ok" while tracing, 503 before and after. A slow or hostile client
 * holds only that thread, never the reader.
 */
#ifndef PVMTRACE_METRICS_HTTP_H
#define PVMTRACE_METRICS_HTTP_H

#include <stddef.h>

#include "output/metrics.h"

/* The library that serves --metrics, loaded when asked; NULL in a build without it. */
extern const char *const pvm_metrics_library;

struct pvm_metrics_server;

/* Listening on `at`, or NULL after the reason in err. */
struct pvm_metrics_server *pvm_metrics_serve(const struct pvm_metrics_address *at,
					     const char *version, char *err, size_t err_len);

/* What the next scrapes show. */
void pvm_metrics_publish(struct pvm_metrics_server *m, const struct pvm_metrics_snapshot *s);

/* Stops serving, then frees m. NULL: nothing. */
void pvm_metrics_stop(struct pvm_metrics_server *m);

#endif /* PVMTRACE_METRICS_HTTP_H */
