/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Enrichment: a cgroup v2 id (what the kernel side records) back to its path
 * under the cgroup2 mount, and from the path the container id. The id is the
 * directory's inode number (kernfs node id), so a walk of the mount finds it;
 * the result is cached, and the walk is repeated at most once a second when
 * an id is not known, so a stream of unknown ids costs little.
 */
#ifndef PVMTRACE_CGROUPS_H
#define PVMTRACE_CGROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event/container.h"

struct pvm_cgroup_entry;

struct pvm_cgroups {
	char root[256];			/* the cgroup2 mount; "" if none */
	struct pvm_cgroup_entry *entries; /* id -> path, from the last walk */
	size_t n, cap;
	uint64_t last_walk_ns;
};

/* Finds the cgroup2 mount in `mountinfo` (a /proc/PID/mountinfo path). */
void pvm_cgroups_init(struct pvm_cgroups *c, const char *mountinfo);
void pvm_cgroups_free(struct pvm_cgroups *c);

/*
 * The container id of cgroup `id` into id_out: true when its path names one.
 * `now_ns` (CLOCK_MONOTONIC) paces the walks.
 */
bool pvm_cgroups_container(struct pvm_cgroups *c, uint64_t id, uint64_t now_ns,
			   char id_out[PVM_CONTAINER_ID_LEN + 1]);

#endif /* PVMTRACE_CGROUPS_H */
