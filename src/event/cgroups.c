// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "event/cgroups.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WALK_INTERVAL_NS 1000000000ULL
#define WALK_MAX_DIRS 65536 /* a bound on one walk's work */
#define WALK_MAX_DEPTH 16

struct pvm_cgroup_entry {
	uint64_t id;
	char *path; /* relative to the mount, "" for the root */
};

void pvm_cgroups_init(struct pvm_cgroups *c, const char *mountinfo)
{
	FILE *f = fopen(mountinfo, "re");
	char line[1024];

	memset(c, 0, sizeof(*c));
	while (f && fgets(line, sizeof(line), f)) {
		/* id parent maj:min root mount-point options... - fstype source opts */
		const char *sep = strstr(line, " - ");
		char mnt[256];

		if (sep && !strncmp(sep + 3, "cgroup2 ", 8) &&
		    sscanf(line, "%*s %*s %*s %*s %255s", mnt) == 1)
			snprintf(c->root, sizeof(c->root), "%s", mnt);
	}
	if (f)
		fclose(f);
}

static void forget(struct pvm_cgroups *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->entries[i].path);
	c->n = 0;
}

void pvm_cgroups_free(struct pvm_cgroups *c)
{
	forget(c);
	free(c->entries);
	c->entries = NULL;
	c->cap = 0;
}

static void remember(struct pvm_cgroups *c, uint64_t id, const char *path)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 256;
		struct pvm_cgroup_entry *e = realloc(c->entries, cap * sizeof(*e));

		if (!e)
			return;
		c->entries = e;
		c->cap = cap;
	}
	c->entries[c->n].id = id;
	c->entries[c->n].path = strdup(path);
	if (c->entries[c->n].path)
		c->n++;
}

/* Depth-first under dir_fd, `rel` its path; *budget bounds the directories. */
static void walk(struct pvm_cgroups *c, int dir_fd, const char *rel, int depth, int *budget)
{
	DIR *dir = fdopendir(dir_fd);
	struct dirent *d;

	if (!dir) {
		close(dir_fd);
		return;
	}
	while ((d = readdir(dir)) && *budget > 0) {
		char child_rel[4096];
		struct stat st;
		int fd;

		if (d->d_type != DT_DIR || !strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		fd = openat(dirfd(dir), d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) ||
		    (size_t)snprintf(child_rel, sizeof(child_rel), "%s/%s", rel, d->d_name) >=
			    sizeof(child_rel)) {
			close(fd);
			continue;
		}
		(*budget)--;
		remember(c, st.st_ino, child_rel);
		if (depth < WALK_MAX_DEPTH)
			walk(c, fd, child_rel, depth + 1, budget);
		else
			close(fd);
	}
	closedir(dir);
}

static const char *lookup(const struct pvm_cgroups *c, uint64_t id)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->entries[i].id == id)
			return c->entries[i].path;
	return NULL;
}

bool pvm_cgroups_container(struct pvm_cgroups *c, uint64_t id, uint64_t now_ns,
			   char id_out[PVM_CONTAINER_ID_LEN + 1])
{
	const char *path = lookup(c, id);

	id_out[0] = 0;
	if (!path && c->root[0] && now_ns - c->last_walk_ns >= WALK_INTERVAL_NS) {
		int fd = open(c->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		int budget = WALK_MAX_DIRS;

		struct stat st;

		c->last_walk_ns = now_ns;
		forget(c);
		if (fd >= 0 && !fstat(fd, &st))
			remember(c, st.st_ino, "/");
		if (fd >= 0)
			walk(c, fd, "", 0, &budget);
		path = lookup(c, id);
	}
	return path && pvm_container_id(path, id_out);
}
