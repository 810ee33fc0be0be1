/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Which container a process runs in, from its cgroup path alone: the path of
 * the "0::" line of /proc/PID/cgroup (cgroup v2), or of any controller's line
 * (cgroup v1). No runtime socket is asked, so it works for every runtime that
 * names its cgroups after the container, and costs a scan of one string.
 */
#ifndef PVMTRACE_CONTAINER_H
#define PVMTRACE_CONTAINER_H

#include <stdbool.h>

#define PVM_CONTAINER_ID_LEN 64 /* hex digits of a runc-style container id */

/*
 * Finds the id of the innermost container in `cgroup_path` (the path only:
 * no "0::" and no newline). The id is the last path component that is
 * <known prefix><64 lowercase hex digits>[.scope], or a bare 64-hex
 * component below a docker or kubepods parent (see container.c for each
 * form and where it comes from). Returns true and copies the id, NUL
 * terminated, into `id`; false for a host cgroup, with id[0] = '\0'.
 */
bool pvm_container_id(const char *cgroup_path, char id[PVM_CONTAINER_ID_LEN + 1]);

#endif /* PVMTRACE_CONTAINER_H */
