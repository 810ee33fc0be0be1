/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * /proc/PID/maps, one line at a time: what a remote address of a
 * process_vm_* call points into (a library's code, the heap, a stack, an
 * anonymous rwx region, a deleted file) in the target process.
 *
 * A line, as fs/proc/task_mmu.c show_map_vma() prints it:
 *
 *   start-end perms offset major:minor inode [spaces path]
 *   7f18ae424000-7f18ae57a000 r-xp 00026000 fe:00 332835   /usr/lib/.../libc.so.6
 *
 * numbers in hex except the decimal inode; the path is everything after the
 * padding, spaces included, with a newline in a file name printed as "\012"
 * (kept as printed here) and " (deleted)" appended once the file is unlinked.
 */
#ifndef PVMTRACE_MAPS_H
#define PVMTRACE_MAPS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct pvm_maps_entry {
	uint64_t start;		/* first address */
	uint64_t end;		/* one past the last */
	char perms[5];		/* "r-xp", "rw-s", ...: [r-][w-][x-][ps] */
	uint64_t offset;	/* in the file */
	unsigned int dev_major;
	unsigned int dev_minor;
	uint64_t inode;
	char path[PATH_MAX];	/* "" for an anonymous region; without " (deleted)" */
	bool deleted;		/* the path ended in " (deleted)" */
	bool path_truncated;	/* path[] holds only the first PATH_MAX - 1 bytes */
};

#define PVM_MAPS_PATH_TRUNCATED 1

/*
 * Parses one line (a trailing newline is allowed). Returns 0; or
 * PVM_MAPS_PATH_TRUNCATED, every other field parsed but the path cut to fit
 * path[] (path_truncated set); or -1 for a line that is not a maps line.
 * A file really named "x (deleted)" reads as a deleted "x", as in the kernel's
 * own output.
 */
int pvm_maps_parse_line(const char *line, struct pvm_maps_entry *e);

/*
 * What the region is: "heap", "stack" (also the "[stack:TID]" of kernels
 * before 4.5), "vdso", "vvar" (also "[vvar_vclock]", 6.13+), "vsyscall",
 * "anon" (no path, "[anon:NAME]" or "[anon_shmem:NAME]"), "file" (a path:
 * deleted files, memfds and shared anonymous memory, "/dev/zero (deleted)",
 * included), or "other" for a pseudo name this code does not know
 * ("[uprobes]", ...).
 */
const char *pvm_region_kind(const struct pvm_maps_entry *e);

/*
 * Reads `maps` (a /proc/PID/maps stream) from its current position to the
 * mapping with start <= addr < end. Returns 0 with *out filled (check
 * out->path_truncated), 1 when no mapping holds addr, -1 when the stream
 * cannot be read or holds a line that is not a maps line (errno: EINVAL).
 */
int pvm_maps_find(FILE *maps, uint64_t addr, struct pvm_maps_entry *out);

#endif /* PVMTRACE_MAPS_H */
