// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * /proc/PID/maps lines. Unless marked, each line is copied from a live
 * /proc/self/maps (Debian 12, kernel 6.18): padding, trailing space and all.
 */
#include "event/maps.h"
#include "unit.h"

#include <stdlib.h>

struct maps_case {
	const char *line;
	uint64_t start, end;
	const char *perms;
	uint64_t offset;
	unsigned int major, minor;
	uint64_t inode;
	const char *path;
	bool deleted;
	const char *kind;
};

static const struct maps_case cases[] = {
	{"562c829a0000-562c829c1000 rw-p 00000000 00:00 0                          [heap]\n",
	 0x562c829a0000, 0x562c829c1000, "rw-p", 0, 0, 0, 0, "[heap]", false, "heap"},
	{"7ffcb04cc000-7ffcb04ed000 rw-p 00000000 00:00 0                          [stack]\n",
	 0x7ffcb04cc000, 0x7ffcb04ed000, "rw-p", 0, 0, 0, 0, "[stack]", false, "stack"},
	{"7f18ae5f4000-7f18ae5f6000 r-xp 00000000 00:00 0                          [vdso]\n",
	 0x7f18ae5f4000, 0x7f18ae5f6000, "r-xp", 0, 0, 0, 0, "[vdso]", false, "vdso"},
	{"7f18ae5ee000-7f18ae5f2000 r--p 00000000 00:00 0                          [vvar]\n",
	 0x7f18ae5ee000, 0x7f18ae5f2000, "r--p", 0, 0, 0, 0, "[vvar]", false, "vvar"},
	{"7f18ae5f2000-7f18ae5f4000 r--p 00000000 00:00 0                          "
	 "[vvar_vclock]\n",
	 0x7f18ae5f2000, 0x7f18ae5f4000, "r--p", 0, 0, 0, 0, "[vvar_vclock]", false, "vvar"},
	{"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n",
	 0xffffffffff600000, 0xffffffffff601000, "--xp", 0, 0, 0, 0, "[vsyscall]", false,
	 "vsyscall"},
	/* a library's code and data */
	{"7f18ae424000-7f18ae57a000 r-xp 00026000 fe:00 332835                     "
	 "/usr/lib/x86_64-linux-gnu/libc.so.6\n",
	 0x7f18ae424000, 0x7f18ae57a000, "r-xp", 0x26000, 0xfe, 0, 332835,
	 "/usr/lib/x86_64-linux-gnu/libc.so.6", false, "file"},
	{"7f18ae5d1000-7f18ae5d3000 rw-p 001d3000 fe:00 332835                     "
	 "/usr/lib/x86_64-linux-gnu/libc.so.6\n",
	 0x7f18ae5d1000, 0x7f18ae5d3000, "rw-p", 0x1d3000, 0xfe, 0, 332835,
	 "/usr/lib/x86_64-linux-gnu/libc.so.6", false, "file"},
	{"7f18ae5e4000-7f18ae5eb000 r--s 00000000 fe:00 332280                     "
	 "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache\n",
	 0x7f18ae5e4000, 0x7f18ae5eb000, "r--s", 0, 0xfe, 0, 332280,
	 "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache", false, "file"},
	/* anonymous: no path, the kernel leaves a space after the inode */
	{"7f80c290e000-7f80c2910000 rwxp 00000000 00:00 0 \n", 0x7f80c290e000, 0x7f80c2910000,
	 "rwxp", 0, 0, 0, 0, "", false, "anon"},
	{"7f18ae3fb000-7f18ae3fe000 rw-p 00000000 00:00 0 ", 0x7f18ae3fb000, 0x7f18ae3fe000,
	 "rw-p", 0, 0, 0, 0, "", false, "anon"},
	/* unlinked after mmap, a memfd, shared anonymous memory */
	{"7f80c290b000-7f80c290c000 r-xp 00000000 fe:00 10961117                   "
	 "/tmp/mapsgen/payload.bin (deleted)\n",
	 0x7f80c290b000, 0x7f80c290c000, "r-xp", 0, 0xfe, 0, 10961117, "/tmp/mapsgen/payload.bin",
	 true, "file"},
	{"7f80c290a000-7f80c290b000 r-xp 00000000 00:01 2010                       "
	 "/memfd:stage2 (deleted)\n",
	 0x7f80c290a000, 0x7f80c290b000, "r-xp", 0, 0, 1, 2010, "/memfd:stage2", true, "file"},
	{"7f80c2909000-7f80c290a000 rw-s 00000000 00:01 2011                       "
	 "/dev/zero (deleted)\n",
	 0x7f80c2909000, 0x7f80c290a000, "rw-s", 0, 0, 1, 2011, "/dev/zero", true, "file"},
	/* spaces and parentheses in the file name */
	{"7f80c290c000-7f80c290d000 r--s 00000000 fe:00 10961116                   "
	 "/tmp/mapsgen/my lib (v2).so\n",
	 0x7f80c290c000, 0x7f80c290d000, "r--s", 0, 0xfe, 0, 10961116,
	 "/tmp/mapsgen/my lib (v2).so", false, "file"},
	/*
	 * made up in the kernel's format: names this host does not show
	 * (CONFIG_ANON_VMA_NAME unset; [stack:TID] before 4.5; [uprobes] once a
	 * uprobe has fired)
	 */
	{"7f2c6ff8c000-7f2c7078c000 rw-p 00000000 00:00 0                          "
	 "[anon:pvm buffer]\n",
	 0x7f2c6ff8c000, 0x7f2c7078c000, "rw-p", 0, 0, 0, 0, "[anon:pvm buffer]", false, "anon"},
	{"7f2c6ff8c000-7f2c7078c000 rw-s 00000000 00:01 77                         "
	 "[anon_shmem:ring]\n",
	 0x7f2c6ff8c000, 0x7f2c7078c000, "rw-s", 0, 0, 1, 77, "[anon_shmem:ring]", false, "anon"},
	{"7f2c6ff8c000-7f2c7078c000 rw-p 00000000 00:00 0                          "
	 "[stack:986]\n",
	 0x7f2c6ff8c000, 0x7f2c7078c000, "rw-p", 0, 0, 0, 0, "[stack:986]", false, "stack"},
	{"7ffff7ff9000-7ffff7ffa000 --xp 00000000 00:00 0                          "
	 "[uprobes]\n",
	 0x7ffff7ff9000, 0x7ffff7ffa000, "--xp", 0, 0, 0, 0, "[uprobes]", false, "other"},
	/* proc(5)'s example of a 32-bit process, with a major above 0xff */
	{"08048000-08056000 r-xp 00000000 103:02 173521      /usr/sbin/gpm\n", 0x08048000,
	 0x08056000, "r-xp", 0, 0x103, 2, 173521, "/usr/sbin/gpm", false, "file"},
};

static void check_case(const struct maps_case *c)
{
	static struct pvm_maps_entry e;
	int ret = pvm_maps_parse_line(c->line, &e);

	if (ret != 0) {
		unit_fail(__FILE__, __LINE__, "parse %d for %s", ret, c->line);
		return;
	}
	CHECK_EQ(e.start, c->start);
	CHECK_EQ(e.end, c->end);
	CHECK_STR(e.perms, c->perms);
	CHECK_EQ(e.offset, c->offset);
	CHECK_EQ(e.dev_major, c->major);
	CHECK_EQ(e.dev_minor, c->minor);
	CHECK_EQ(e.inode, c->inode);
	CHECK_STR(e.path, c->path);
	CHECK_EQ(e.deleted, c->deleted);
	CHECK(!e.path_truncated);
	CHECK_STR(pvm_region_kind(&e), c->kind);
}

UNIT_TEST(maps_live_lines_table)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
}

UNIT_TEST(maps_rejects_what_is_not_a_maps_line)
{
	static const char *const bad[] = {
		"",
		"\n",
		"garbage\n",
		"7f18ae424000 r-xp 00026000 fe:00 332835 /lib.so\n",	    /* no end */
		"7f18ae424000-7f18ae57a000 r-x 00026000 fe:00 332835 /l\n", /* 3 perms */
		"7f18ae424000-7f18ae57a000 r-xq 00026000 fe:00 332835 /l\n",
		"7f18ae424000-7f18ae57a000 xr-p 00026000 fe:00 332835 /l\n",
		"7f18ae424000-7f18ae57a000 r-xp 00026000 fe00 332835 /l\n",
		"7f18ae424000-7f18ae57a000 r-xp 00026000 fe:00 33g835 /l\n",
		"7f18ae424000-7f18ae57a000 r-xp 00026000 fe:00 /lib.so\n",
		"7f18ae424000-7f18ae57a000 r-xp 00026000 fe:00\n",
		"7f18ae57a000-7f18ae424000 r-xp 00026000 fe:00 332835 /l\n", /* end < start */
		" 7f18ae424000-7f18ae57a000 r-xp 00026000 fe:00 332835 /l\n",
		"-7f18ae424000-7f18ae57a000 r-xp 00026000 fe:00 332835 /l\n",
		"17f18ae424000000-7f18ae57a000 r-xp 0 fe:00 1 /l\n", /* > 64 bits */
		"7f18ae424000-7f18ae57a000 r-xp 00026000 fe:00 332835 /a\n7f-80 r-xp 0 0:0 0\n",
		"7f18ae424000-7f18ae57a000 r-xp 00026000 fe:00 99999999999999999999 /l\n",
	};
	struct pvm_maps_entry *e = malloc(sizeof(*e));

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (pvm_maps_parse_line(bad[i], e) != -1)
			unit_fail(__FILE__, __LINE__, "accepted: %s", bad[i]);
	free(e);
}

/* A line with a path of `len` bytes, maybe " (deleted)". */
static char *long_path_line(size_t len, bool deleted)
{
	const char *head = "7f18ae424000-7f18ae57a000 r-xp 00000000 fe:00 42   /";
	size_t hl = strlen(head);
	char *line = malloc(hl + len + 16);

	memcpy(line, head, hl);
	memset(line + hl, 'a', len - 1);
	strcpy(line + hl + len - 1, deleted ? " (deleted)\n" : "\n");
	return line;
}

UNIT_TEST(maps_long_path_is_cut_and_says_so)
{
	struct pvm_maps_entry *e = malloc(sizeof(*e));
	char *fits = long_path_line(PATH_MAX - 1, true), *cut = long_path_line(PATH_MAX, false);

	CHECK_EQ(pvm_maps_parse_line(fits, e), 0);
	CHECK_EQ(strlen(e->path), PATH_MAX - 1);
	CHECK(e->deleted && !e->path_truncated);

	CHECK_EQ(pvm_maps_parse_line(cut, e), PVM_MAPS_PATH_TRUNCATED);
	CHECK(e->path_truncated);
	CHECK_EQ(strlen(e->path), PATH_MAX - 1);
	CHECK_EQ(e->inode, 42);
	CHECK_STR(pvm_region_kind(e), "file");
	free(fits);
	free(cut);
	free(e);
}

static const char live_maps[] =
	"56347a442000-56347a443000 r--p 00000000 fe:00 10961115                   /tmp/mapsgen/gen\n"
	"56347a443000-56347a444000 r-xp 00001000 fe:00 10961115                   /tmp/mapsgen/gen\n"
	"563494459000-56349447a000 rw-p 00000000 00:00 0                          [heap]\n"
	"7f80c271f000-7f80c2722000 rw-p 00000000 00:00 0 \n"
	"7f80c2748000-7f80c289e000 r-xp 00026000 fe:00 332835                     "
	"/usr/lib/x86_64-linux-gnu/libc.so.6\n"
	"7f80c290c000-7f80c290d000 r--s 00000000 fe:00 10961116                   "
	"/tmp/mapsgen/my lib (v2).so\n"
	"7f80c290e000-7f80c2910000 rwxp 00000000 00:00 0 \n"
	"7ffe13a9e000-7ffe13abf000 rw-p 00000000 00:00 0                          [stack]\n"
	"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n";

static int find_in(const char *text, uint64_t addr, struct pvm_maps_entry *e)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret = pvm_maps_find(f, addr, e);

	fclose(f);
	return ret;
}

UNIT_TEST(maps_find_table)
{
	static const struct {
		uint64_t addr;
		int want;
		const char *kind;
		uint64_t start;
	} cases[] = {
		{0x56347a442000, 0, "file", 0x56347a442000},  /* first byte */
		{0x56347a442fff, 0, "file", 0x56347a442000},  /* last byte */
		{0x56347a443000, 0, "file", 0x56347a443000},  /* end is exclusive */
		{0x563494460123, 0, "heap", 0x563494459000},
		{0x7f80c2750000, 0, "file", 0x7f80c2748000},
		{0x7f80c290c010, 0, "file", 0x7f80c290c000},
		{0x7f80c290f000, 0, "anon", 0x7f80c290e000},
		{0x7ffe13abefff, 0, "stack", 0x7ffe13a9e000},
		{0xffffffffff600400, 0, "vsyscall", 0xffffffffff600000},
		{0x1000, 1, NULL, 0},			      /* below everything */
		{0x56347a444000, 1, NULL, 0},		      /* a hole */
		{0x7f80c2910000, 1, NULL, 0},		      /* right after a region */
		{0xffffffffffffffff, 1, NULL, 0},	      /* above everything */
	};
	struct pvm_maps_entry *e = malloc(sizeof(*e));

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = find_in(live_maps, cases[i].addr, e);

		if (ret != cases[i].want) {
			unit_fail(__FILE__, __LINE__, "find 0x%" PRIx64 ": got %d, want %d",
				  cases[i].addr, ret, cases[i].want);
			continue;
		}
		if (!ret) {
			CHECK_EQ(e->start, cases[i].start);
			CHECK_STR(pvm_region_kind(e), cases[i].kind);
		}
	}
	CHECK_EQ(find_in(live_maps, 0x7f80c290c010, e), 0);
	CHECK_STR(e->path, "/tmp/mapsgen/my lib (v2).so");
	free(e);
}

UNIT_TEST(maps_find_errors)
{
	struct pvm_maps_entry *e = malloc(sizeof(*e));
	FILE *f;

	CHECK_EQ(find_in("", 0x1000, e), 1);
	CHECK_EQ(find_in("00400000-00452000 r-xp 00000000 08:02 173521 /bin/x\nnot maps\n"
			 "00652000-00655000 rw-p 00052000 08:02 173521 /bin/x\n",
			 0x00652000, e),
		 -1);
	/* a stream opened for writing only cannot be read */
	f = fopen("/dev/null", "w");
	CHECK_EQ(pvm_maps_find(f, 0x1000, e), -1);
	fclose(f);
	free(e);
}

UNIT_TEST(maps_find_in_this_process)
{
	static const char here[] = "a string in this process's data";
	struct pvm_maps_entry *e = malloc(sizeof(*e));
	FILE *f = fopen("/proc/self/maps", "r");

	/* the frame, not a local: ASan may move locals to a heap "fake stack" */
	CHECK_EQ(pvm_maps_find(f, (uint64_t)(uintptr_t)__builtin_frame_address(0), e), 0);
	CHECK_STR(pvm_region_kind(e), "stack");
	CHECK(e->perms[0] == 'r' && e->perms[1] == 'w');
	rewind(f);
	CHECK_EQ(pvm_maps_find(f, (uint64_t)(uintptr_t)here, e), 0);
	CHECK_STR(pvm_region_kind(e), "file");
	CHECK_EQ(e->perms[1], '-');
	fclose(f);
	free(e);
}
