// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* entity_id: one id for one process, whichever way its start time was read. */
#include "event/entity.h"
#include "unit.h"

#include <stdio.h>
#include <string.h>

#define BOOT_ID "6f1b2c3d-0a1b-4c2d-8e3f-445566778899"
#define TICK_NS 10000000ULL /* USER_HZ 100 */

static const char *hex_id(const char *boot_id, __u32 pid, __u64 start_boot_ns)
{
	static char text[2 * PVM_ENTITY_ID_BYTES + 1];
	unsigned char id[PVM_ENTITY_ID_BYTES];

	pvm_entity_id(id, boot_id, pid, start_boot_ns);
	for (int i = 0; i < PVM_ENTITY_ID_BYTES; i++)
		snprintf(text + 2 * i, 3, "%02x", id[i]);
	return text;
}

UNIT_TEST(entity_id_is_sha256_of_boot_pid_and_ticks)
{
	/* python3: hashlib.sha256(b"BOOT_ID:4242:12345").hexdigest()[:32] */
	CHECK_STR(hex_id(BOOT_ID, 4242, 12345 * TICK_NS + 6789), "3930ce2ba7da28ba5e763e25d6e4e4fc");
}

UNIT_TEST(entity_id_same_from_the_kernel_and_from_proc)
{
	char kernel[2 * PVM_ENTITY_ID_BYTES + 1];

	/* the kernel's start in ns; /proc's in ticks, made ns again by proc_target.c */
	snprintf(kernel, sizeof(kernel), "%s", hex_id(BOOT_ID, 4242, 123456789012ULL));
	CHECK_STR(hex_id(BOOT_ID, 4242, 12345 * TICK_NS), kernel);
}

UNIT_TEST(entity_id_differs_for_another_process)
{
	char first[2 * PVM_ENTITY_ID_BYTES + 1];

	snprintf(first, sizeof(first), "%s", hex_id(BOOT_ID, 4242, 12345 * TICK_NS));
	CHECK(strcmp(hex_id(BOOT_ID, 4243, 12345 * TICK_NS), first)); /* another pid */
	CHECK(strcmp(hex_id(BOOT_ID, 4242, 12346 * TICK_NS), first)); /* the pid reused */
	CHECK(strcmp(hex_id("7f1b2c3d-0a1b-4c2d-8e3f-445566778899", 4242, 12345 * TICK_NS),
		     first)); /* another boot or host */
}
