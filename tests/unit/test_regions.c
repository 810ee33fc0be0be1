// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Remote regions: what the kernel side found, completed from a fake /proc. */
#include "event/event.h"
#include "event/regions.h"
#include "record_builder.h"
#include "unit.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static struct record_buffer buf;
static struct pvm_region_view views[PVM_REGIONS_MAX];
static char root[64];
static struct pvm_region_enricher enricher; /* reading root */

static const char maps[] =
	"55d0c8a2b000-55d0c8a2c000 rw-p 00004000 fe:00 1234   /usr/bin/injected target\n"
	"7f3a1c000000-7f3a1c021000 rwxp 00000000 00:00 0 \n"
	"7ffd5c000000-7ffd5c021000 rw-p 00000000 00:00 0                          [stack]\n";

static void make_fake_proc(void)
{
	char path[128];
	FILE *f;

	snprintf(root, sizeof(root), "/tmp/pvmtrace-unit-maps-XXXXXX");
	enricher.proc_root = root;
	if (!mkdtemp(root))
		return;
	snprintf(path, sizeof(path), "%s/4300", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/4300/maps", root);
	f = fopen(path, "w");
	fputs(maps, f);
	fclose(f);
}

static void remove_fake_proc(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd))
		unit_fail(__FILE__, __LINE__, "cannot remove %s", root);
}

static struct pvm_event decoded(void)
{
	struct pvm_decode_config config = {0, 64};
	struct pvm_event ev;
	const char *why;

	if (pvm_event_decode(&buf, record_size(&buf), &config, &ev, &why))
		unit_fail(__FILE__, __LINE__, "decode: %s", why);
	return ev;
}

UNIT_TEST(regions_perms_and_kinds)
{
	char perms[5];

	pvm_region_perms(PVM_VM_READ | PVM_VM_WRITE, perms);
	CHECK_STR(perms, "rw-p");
	pvm_region_perms(PVM_VM_READ | PVM_VM_EXEC | PVM_VM_SHARED, perms);
	CHECK_STR(perms, "r-xs");
	pvm_region_perms(0, perms);
	CHECK_STR(perms, "---p");
	CHECK_STR(pvm_region_kind_name(PVM_REGION_STACK), "stack");
	CHECK_STR(pvm_region_kind_name(PVM_REGION_FILE), "file");
}

UNIT_TEST(regions_completed_from_proc)
{
	struct pvm_event ev;

	make_fake_proc();
	build_example(&buf); /* the kernel side found entry 0: anon rw-p */
	ev = decoded();
	pvm_enrich_regions(&enricher, &ev, views, 4300);
	CHECK_EQ(ev.n_regions, 1);
	CHECK(!views[0].from_proc); /* the kernel's answer stands */
	CHECK(!views[0].has_path);

	/* unresolved in the kernel: /proc gives the mapping, marked so */
	build_example(&buf);
	set_region(&buf, 0, (struct pvm_region){.state = PVM_REGION_UNRESOLVED});
	ev = decoded();
	pvm_enrich_regions(&enricher, &ev, views, 4300);
	CHECK(views[0].from_proc);
	CHECK_EQ(views[0].r.state, PVM_REGION_FOUND);
	CHECK_EQ(views[0].r.start, 0x7f3a1c000000);
	CHECK_EQ(views[0].r.vm_flags, PVM_VM_READ | PVM_VM_WRITE | PVM_VM_EXEC);
	CHECK_EQ(views[0].r.kind, PVM_REGION_ANON);

	/* a file mapping found in the kernel gets its path if /proc shows the same one */
	build_example(&buf);
	buf.iov[2].base = 0x55d0c8a2b100;
	set_region(&buf, 0,
		   (struct pvm_region){.start = 0x55d0c8a2b000, .end = 0x55d0c8a2c000,
				       .inode = 1234, .state = PVM_REGION_FOUND,
				       .kind = PVM_REGION_FILE});
	ev = decoded();
	pvm_enrich_regions(&enricher, &ev, views, 4300);
	CHECK(views[0].has_path);
	CHECK_STR(views[0].path, "/usr/bin/injected target");

	/* the same mapping again: its path from the cache, without /proc */
	{
		char path[128];

		snprintf(path, sizeof(path), "%s/4300/maps", root);
		rename(path, "/tmp/pvmtrace-unit-maps-aside");
		ev = decoded();
		pvm_enrich_regions(&enricher, &ev, views, 4300);
		CHECK(views[0].has_path);
		CHECK_STR(views[0].path, "/usr/bin/injected target");
		rename("/tmp/pvmtrace-unit-maps-aside", path);
	}

	/* ...and none when the inode differs: not the mapping the call saw */
	set_region(&buf, 0,
		   (struct pvm_region){.start = 0x55d0c8a2b000, .end = 0x55d0c8a2c000,
				       .inode = 999, .state = PVM_REGION_FOUND,
				       .kind = PVM_REGION_FILE});
	ev = decoded();
	pvm_enrich_regions(&enricher, &ev, views, 4300);
	CHECK(!views[0].has_path);

	/* an address in no mapping */
	set_region(&buf, 0, (struct pvm_region){.state = PVM_REGION_UNRESOLVED});
	buf.iov[2].base = 0x1000;
	ev = decoded();
	pvm_enrich_regions(&enricher, &ev, views, 4300);
	CHECK_EQ(views[0].r.state, PVM_REGION_NONE);

	/* an exiting process shows empty maps: that says nothing */
	{
		char path[128];

		snprintf(path, sizeof(path), "%s/4300/maps", root);
		fclose(fopen(path, "w"));
		ev = decoded();
		pvm_enrich_regions(&enricher, &ev, views, 4300);
		CHECK_EQ(views[0].r.state, PVM_REGION_UNRESOLVED);
	}

	/* a map too large to read per event: unresolved, not hours of work */
	{
		char path[128];
		FILE *f;

		snprintf(path, sizeof(path), "%s/4300/maps", root);
		f = fopen(path, "w");
		for (int i = 0; i < 10000; i++)
			fprintf(f, "%llx-%llx r--p 00000000 fe:00 1234   /usr/lib/some/library.so\n",
				0x10000000ULL + i * 0x2000ULL, 0x10001000ULL + i * 0x2000ULL);
		fputs(maps, f);
		fclose(f);
		ev = decoded();
		pvm_enrich_regions(&enricher, &ev, views, 4300);
		CHECK_EQ(views[0].r.state, PVM_REGION_UNRESOLVED);
	}

	/* no target pid: nothing read, stays unresolved */
	ev = decoded();
	pvm_enrich_regions(&enricher, &ev, views, 0);
	CHECK_EQ(views[0].r.state, PVM_REGION_UNRESOLVED);
	remove_fake_proc();
}

/* One mapping of `path` as maps prints it, at 0x55d0c8a2b000, inode 5678, found in the kernel. */
static struct pvm_event event_in_mapping_of(const char *printed)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/4300/maps", root);
	f = fopen(path, "w");
	fprintf(f, "55d0c8a2b000-55d0c8a2c000 rw-p 00004000 fe:00 5678   %s\n", printed);
	fclose(f);
	build_example(&buf);
	buf.iov[2].base = 0x55d0c8a2b100;
	set_region(&buf, 0,
		   (struct pvm_region){.start = 0x55d0c8a2b000, .end = 0x55d0c8a2c000,
				       .inode = 5678, .state = PVM_REGION_FOUND,
				       .kind = PVM_REGION_FILE});
	return decoded();
}

/*
 * maps prints a newline in a name as "\012", and a "\012" as itself: the
 * name is the bytes the mapping's map_files link gives, or not known.
 */
UNIT_TEST(regions_path_with_a_newline_is_the_file_s_bytes)
{
	char dir[128], link[160];
	struct pvm_event ev;

	make_fake_proc();
	ev = event_in_mapping_of("/tmp/evil\\012name (deleted)");
	pvm_enrich_regions(&enricher, &ev, views, 4300);
	CHECK(!views[0].has_path); /* no map_files link to tell which */

	snprintf(dir, sizeof(dir), "%s/4300/map_files", root);
	mkdir(dir, 0755);
	snprintf(link, sizeof(link), "%s/55d0c8a2b000-55d0c8a2c000", dir);
	CHECK_EQ(symlink("/tmp/evil\nname (deleted)", link), 0);
	ev = event_in_mapping_of("/tmp/evil\\012name (deleted)");
	pvm_enrich_regions(&enricher, &ev, views, 4300);
	CHECK(views[0].has_path);
	CHECK_STR(views[0].path, "/tmp/evil\nname");
	remove_fake_proc();
}

/* With maps_memo_ns, the same target's maps are read once for that long. */
UNIT_TEST(regions_maps_read_once_while_the_memo_holds)
{
	struct pvm_event ev;

	make_fake_proc();
	memset(enricher.paths, 0, sizeof(enricher.paths)); /* paths from the maps, not kept ones */
	enricher.maps_memo_ns = 3600ULL * 1000000000ULL; /* an hour: this test's whole run */
	ev = event_in_mapping_of("/usr/lib/first.so");
	pvm_enrich_regions(&enricher, &ev, views, 4300);
	CHECK_STR(views[0].path, "/usr/lib/first.so");
	memset(enricher.paths, 0, sizeof(enricher.paths));
	ev = event_in_mapping_of("/usr/lib/second.so");
	pvm_enrich_regions(&enricher, &ev, views, 4300);
	CHECK_STR(views[0].path, "/usr/lib/first.so"); /* the maps read before */
	enricher.maps_memo_ns = 0;
	memset(enricher.paths, 0, sizeof(enricher.paths));
	ev = event_in_mapping_of("/usr/lib/third.so");
	pvm_enrich_regions(&enricher, &ev, views, 4300);
	CHECK_STR(views[0].path, "/usr/lib/third.so");
	remove_fake_proc();
}
