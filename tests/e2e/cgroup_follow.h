/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef PVMTRACE_E2E_CGROUP_FOLLOW_H
#define PVMTRACE_E2E_CGROUP_FOLLOW_H

#include <stdbool.h>

/*
 * pvmtrace --cgroup DIR, a cgroup2 directory of this check's own, which is
 * removed and made again while it traces: it says so both times, and a
 * write made from the new cgroup is an event. false after saying why.
 */
bool e2e_cgroup_made_again(const char *pvmtrace, const char *scratch);

#endif /* PVMTRACE_E2E_CGROUP_FOLLOW_H */
