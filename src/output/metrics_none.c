// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * metrics_http.h in the statically linked build (make static, for the qemu
 * guests): libmicrohttpd's static library needs GnuTLS's, which Debian does
 * not ship. --metrics is refused there.
 */
#include "output/metrics_http.h"

#include <stdio.h>

const char *const pvm_metrics_library = NULL;

struct pvm_metrics_server *pvm_metrics_serve(const struct pvm_metrics_address *at,
					     const char *version, char *err, size_t err_len)
{
	(void)at;
	(void)version;
	snprintf(err, err_len, "this pvmtrace is built without libmicrohttpd");
	return NULL;
}

void pvm_metrics_publish(struct pvm_metrics_server *m, const struct pvm_metrics_snapshot *s)
{
	(void)m;
	(void)s;
}

void pvm_metrics_stop(struct pvm_metrics_server *m)
{
	(void)m;
}
