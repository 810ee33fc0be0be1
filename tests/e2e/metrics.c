// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PYTHON "/usr/bin/python3"
#define PROMETHEUS "/usr/bin/prometheus"
#define SCRIPT "tests/e2e/metrics_prometheus.py"

/* Its --version says so, after the version's line: "built without --metrics". */
static bool built_with_metrics(const char *pvmtrace)
{
	char cmd[512], line[256];
	bool without = false, ran = false;
	FILE *version;

	snprintf(cmd, sizeof(cmd), "'%s' --version", pvmtrace);
	version = popen(cmd, "r");
	if (!version)
		return false;
	while (fgets(line, sizeof(line), version)) {
		ran |= !strncmp(line, "pvmtrace ", 9);
		without |= strstr(line, "without --metrics") != NULL;
	}
	pclose(version);
	return ran && !without;
}

const char *e2e_prometheus_missing(const char *pvmtrace)
{
	if (!built_with_metrics(pvmtrace))
		return "this pvmtrace is built without --metrics (pvmtrace --version)";
	if (access(PROMETHEUS, X_OK))
		return "no " PROMETHEUS " (Debian package prometheus)";
	if (access(PYTHON, X_OK) || access(SCRIPT, R_OK))
		return "no " PYTHON " or no " SCRIPT " in the current directory";
	return NULL;
}

bool e2e_metrics_prometheus(const char *pvmtrace, const char *scratch)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), PYTHON " " SCRIPT " '%s' '%s'", pvmtrace, scratch);
	fflush(NULL);
	return system(cmd) == 0;
}
