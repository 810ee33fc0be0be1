// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cgroup id -> path -> container id, on a fake cgroup2 tree. */
#include "event/cgroups.h"
#include "unit.h"

#include <stdlib.h>
#include <sys/stat.h>

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static char root[64], mountinfo[128];

static uint64_t make_dir(const char *rel)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	mkdir(path, 0755);
	return stat(path, &st) ? 0 : st.st_ino;
}

UNIT_TEST(cgroups_container_of_an_id)
{
	char id[PVM_CONTAINER_ID_LEN + 1], cmd[256];
	struct pvm_cgroups c;
	uint64_t scope, host, late;
	FILE *f;

	snprintf(root, sizeof(root), "/tmp/pvmtrace-unit-cg-XXXXXX");
	if (!mkdtemp(root))
		return;
	snprintf(mountinfo, sizeof(mountinfo), "%s.mountinfo", root);
	f = fopen(mountinfo, "w");
	fprintf(f, "30 1 0:26 / %s rw,nosuid - cgroup2 cgroup2 rw\n", root);
	fclose(f);
	make_dir("/system.slice");
	scope = make_dir("/system.slice/docker-" ID ".scope");
	host = make_dir("/system.slice/sshd.service");

	pvm_cgroups_init(&c, mountinfo);
	CHECK_STR(c.root, root);
	CHECK(pvm_cgroups_container(&c, scope, 2000000000ULL, id));
	CHECK_STR(id, ID);
	CHECK(!pvm_cgroups_container(&c, host, 2000000001ULL, id));
	CHECK_STR(id, "");
	/* a cgroup made after the walk: found by the next walk, not before a second */
	late = make_dir("/system.slice/cri-containerd-" ID ".scope");
	CHECK(!pvm_cgroups_container(&c, late, 2500000000ULL, id));
	CHECK(pvm_cgroups_container(&c, late, 3100000000ULL, id));
	CHECK(!pvm_cgroups_container(&c, 999999999, 3200000000ULL, id));
	pvm_cgroups_free(&c);

	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", root, mountinfo);
	if (system(cmd))
		unit_fail(__FILE__, __LINE__, "cleanup failed");
}
