// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "event/regions.h"

#include <string.h>
#include <unistd.h>

#include "event/clock.h"
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

/* The maps line that holds addr: the one found last in the same read, or from the start. */
static int find_entry(struct pvm_region_enricher *en, FILE *maps, __u64 addr,
		      struct pvm_maps_entry *e)
{
	int found;

	if (en->found_in == en->maps_reads && addr >= en->found.start && addr < en->found.end) {
		*e = en->found;
		return 0;
	}
	rewind(maps);
	found = pvm_maps_find(maps, addr, e);
	if (found == 0) {
		en->found = *e;
		en->found_in = en->maps_reads;
	}
	return found;
}

static void region_from_proc(struct pvm_region_enricher *en, struct pvm_region_view *v,
			     FILE *maps, __u64 addr, struct pvm_maps_entry *e)
{
	int found = find_entry(en, maps, addr, e);

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

#define ESCAPED_NEWLINE "\\012" /* show_map_vma()'s for '\n'; a '\\' it leaves as it is */

/*
 * The file's name as the bytes it is, from the mapping's map_files link
 * (what the exe link gives, too): maps' "\012" may be a newline or those
 * four bytes. false when the link cannot be read.
 */
static bool exact_path(const char *proc_root, __u32 pid, const struct pvm_maps_entry *e,
		       char path[PATH_MAX])
{
	char link[PATH_MAX];
	ssize_t len;

	snprintf(link, sizeof(link), "%s/%u/map_files/%llx-%llx", proc_root, pid,
		 (unsigned long long)e->start, (unsigned long long)e->end);
	len = readlink(link, path, PATH_MAX - 1);
	if (len <= 0)
		return false;
	path[len] = '\0';
	if (e->deleted && (size_t)len > PVM_DELETED_LEN &&
	    !strcmp(path + len - PVM_DELETED_LEN, PVM_DELETED_SUFFIX))
		path[len - PVM_DELETED_LEN] = '\0';
	return true;
}

/* The path of a file mapping, if /proc still shows that very mapping. */
static void path_from_proc(struct pvm_region_enricher *en, struct pvm_region_view *v,
			   FILE *maps, struct pvm_maps_entry *e, __u32 pid)
{
	if (find_entry(en, maps, v->r.start, e) != 0 || e->start != v->r.start || e->end != v->r.end ||
	    e->inode != v->r.inode || e->path_truncated || !e->path[0])
		return;
	if (strstr(e->path, ESCAPED_NEWLINE)) {
		v->has_path = exact_path(en->proc_root, pid, e, v->path);
		return;
	}
	memcpy(v->path, e->path, sizeof(v->path));
	v->has_path = true;
}

/*
 * /proc/PID/maps is read once per event, into memory, and only up to
 * PVM_MAPS_BUDGET bytes. Beyond that, and for an exiting process (a zombie
 * shows an empty file, which must not read as "in no mapping"), the regions
 * stay unresolved.
 */
static bool read_live_maps(const char *path, char *buf, size_t *len)
{
	FILE *file = fopen(path, "re");

	*len = file ? fread(buf, 1, PVM_MAPS_BUDGET, file) : 0;
	if (file)
		fclose(file);
	return *len > 0 && *len < PVM_MAPS_BUDGET;
}

/* The maps of pid: read now, or the text read for it less than maps_memo_ns ago. */
static FILE *open_live_maps(struct pvm_region_enricher *en, __u32 pid)
{
	__u64 now = en->maps_memo_ns ? pvm_monotonic_now() : 0;
	char path[PATH_MAX];

	if (!en->maps_memo_ns || en->maps_pid != pid || now - en->maps_read_ns >= en->maps_memo_ns) {
		snprintf(path, sizeof(path), "%s/%u/maps", en->proc_root, pid);
		en->maps_pid = read_live_maps(path, en->maps_text, &en->maps_len) ? pid : 0;
		en->maps_read_ns = now;
		en->maps_reads++;
	}
	return en->maps_pid == pid ? fmemopen(en->maps_text, en->maps_len, "r") : NULL;
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
	if (!m->tried && m->pid)
		m->f = open_live_maps(m->en, m->pid);
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
	path_from_proc(m->en, v, m->f, &m->en->entry, pid);
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
			region_from_proc(en, v, maps.f, ev->remote.iov[i].base, &en->entry);
		if (target_pid && v->r.state == PVM_REGION_FOUND && v->r.kind == PVM_REGION_FILE)
			file_path(v, target_pid, &maps);
	}
	if (maps.f)
		fclose(maps.f);
	ev->regions = views;
	ev->n_regions = n;
}
