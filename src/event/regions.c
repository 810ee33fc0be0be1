// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "event/regions.h"

#include <string.h>

#include "event/event.h"
#include "event/maps.h"
#include "json_keys.h"

void pvm_region_perms(__u32 vm_flags, char buf[5])
{
	buf[0] = vm_flags & PVM_VM_READ ? 'r' : '-';
	buf[1] = vm_flags & PVM_VM_WRITE ? 'w' : '-';
	buf[2] = vm_flags & PVM_VM_EXEC ? 'x' : '-';
	buf[3] = vm_flags & PVM_VM_SHARED ? 's' : 'p';
	buf[4] = 0;
}

const char *pvm_region_kind_name(enum pvm_region_kind kind)
{
	switch (kind) {
	case PVM_REGION_FILE:
		return PVM_KIND_FILE;
	case PVM_REGION_HEAP:
		return PVM_KIND_HEAP;
	case PVM_REGION_STACK:
		return PVM_KIND_STACK;
	case PVM_REGION_VDSO:
		return PVM_KIND_VDSO;
	default:
		return PVM_KIND_ANON;
	}
}

static __u32 flags_of_perms(const char *perms)
{
	return (perms[0] == 'r' ? PVM_VM_READ : 0) | (perms[1] == 'w' ? PVM_VM_WRITE : 0) |
	       (perms[2] == 'x' ? PVM_VM_EXEC : 0) | (perms[3] == 's' ? PVM_VM_SHARED : 0);
}

static enum pvm_region_kind kind_of_entry(const struct pvm_maps_entry *e)
{
	const char *kind = pvm_region_kind(e);

	if (!strcmp(kind, PVM_KIND_FILE))
		return PVM_REGION_FILE;
	if (!strcmp(kind, PVM_KIND_HEAP))
		return PVM_REGION_HEAP;
	if (!strcmp(kind, PVM_KIND_STACK))
		return PVM_REGION_STACK;
	if (!strcmp(kind, PVM_KIND_VDSO))
		return PVM_REGION_VDSO;
	return PVM_REGION_ANON;
}

/* The maps line that holds addr, from the start of the file. */
static int find_entry(FILE *maps, __u64 addr, struct pvm_maps_entry *e)
{
	rewind(maps);
	return pvm_maps_find(maps, addr, e);
}

static void region_from_proc(struct pvm_region_view *v, FILE *maps, __u64 addr,
			     struct pvm_maps_entry *e)
{
	int found = find_entry(maps, addr, e);

	if (found < 0)
		return; /* cannot tell: stays unresolved */
	v->from_proc = true;
	if (found == 1) {
		v->r.state = PVM_REGION_NONE;
		return;
	}
	v->r = (struct pvm_region){
		.start = e->start,
		.end = e->end,
		.inode = e->inode,
		.vm_flags = flags_of_perms(e->perms),
		.state = PVM_REGION_FOUND,
		.kind = kind_of_entry(e),
	};
}

/* The path of a file mapping, if /proc still shows that very mapping. */
static void path_from_proc(struct pvm_region_view *v, FILE *maps, struct pvm_maps_entry *e)
{
	if (find_entry(maps, v->r.start, e) != 0 || e->start != v->r.start || e->end != v->r.end ||
	    e->inode != v->r.inode || e->path_truncated || !e->path[0])
		return;
	memcpy(v->path, e->path, sizeof(v->path));
	v->has_path = true;
}

/*
 * /proc/PID/maps is read once per event, into memory, and only up to
 * PVM_MAPS_BUDGET bytes. Beyond that, and for an exiting process (a zombie
 * shows an empty file, which must not read as "in no mapping"), the regions
 * stay unresolved.
 */
static FILE *open_live_maps(const char *path, char *buf)
{
	FILE *file = fopen(path, "re");
	size_t len = file ? fread(buf, 1, PVM_MAPS_BUDGET, file) : 0;
	bool whole = file && len > 0 && len < PVM_MAPS_BUDGET;

	if (file)
		fclose(file);
	return whole ? fmemopen(buf, len, "r") : NULL;
}

static int kept_path(const struct pvm_region_enricher *en, __u32 pid, const struct pvm_region *r)
{
	for (int i = 0; i < PVM_REGION_PATHS_KEPT; i++)
		if (en->paths[i].pid == pid && en->paths[i].start == r->start &&
		    en->paths[i].end == r->end && en->paths[i].inode == r->inode &&
		    en->paths[i].dev == r->dev)
			return i;
	return -1;
}

static void keep_path(struct pvm_region_enricher *en, __u32 pid, const struct pvm_region_view *v)
{
	unsigned int i = en->next_path++ % PVM_REGION_PATHS_KEPT;

	en->paths[i].pid = pid;
	en->paths[i].start = v->r.start;
	en->paths[i].end = v->r.end;
	en->paths[i].inode = v->r.inode;
	en->paths[i].dev = v->r.dev;
	memcpy(en->paths[i].path, v->path, sizeof(en->paths[i].path));
}

/*
 * The target's maps, read only when a region needs them, once per event; even
 * its name is made then: kernel-resolved regions, most of them, never need it.
 */
struct maps_reader {
	struct pvm_region_enricher *en;
	__u32 pid; /* 0: no target, no maps */
	bool tried;
	FILE *f;
};

static FILE *maps_of(struct maps_reader *m)
{
	char path[PATH_MAX];

	if (!m->tried && m->pid) {
		snprintf(path, sizeof(path), "%s/%u/maps", m->en->proc_root, m->pid);
		m->f = open_live_maps(path, m->en->maps_text);
	}
	m->tried = true;
	return m->f;
}

static void file_path(struct pvm_region_view *v, __u32 pid, struct maps_reader *m)
{
	int hit = kept_path(m->en, pid, &v->r);

	if (hit >= 0) {
		memcpy(v->path, m->en->paths[hit].path, sizeof(v->path));
		v->has_path = true;
		return;
	}
	if (!maps_of(m))
		return;
	path_from_proc(v, m->f, &m->en->entry);
	if (v->has_path)
		keep_path(m->en, pid, v);
}

void pvm_enrich_regions(struct pvm_region_enricher *en, struct pvm_event *ev,
			struct pvm_region_view *views, __u32 target_pid)
{
	__u32 n = ev->remote.n < PVM_REGIONS_MAX ? ev->remote.n : PVM_REGIONS_MAX;
	struct maps_reader maps = {.en = en, .pid = target_pid};

	for (__u32 i = 0; i < n; i++) {
		struct pvm_region_view *v = &views[i];

		memset(v, 0, sizeof(*v) - sizeof(v->path));
		v->path[0] = 0;
		v->r = ev->remote.regions[i];
		if (v->r.state == PVM_REGION_UNRESOLVED && maps_of(&maps))
			region_from_proc(v, maps.f, ev->remote.iov[i].base, &en->entry);
		if (target_pid && v->r.state == PVM_REGION_FOUND && v->r.kind == PVM_REGION_FILE)
			file_path(v, target_pid, &maps);
	}
	if (maps.f)
		fclose(maps.f);
	ev->regions = views;
	ev->n_regions = n;
}
