// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "event/entity.h"

#include <stdio.h>
#include <unistd.h>

#include <string.h>

#include "event/digest.h"

#define NS_PER_SEC 1000000000ULL

/* /proc's unit of start times: the kernel's USER_HZ, 100 on every architecture it runs on. */
static __u64 tick_ns(void)
{
	static __u64 ns;
	long hz;

	if (!ns) {
		hz = sysconf(_SC_CLK_TCK);
		ns = NS_PER_SEC / (__u64)(hz > 0 ? hz : 100);
	}
	return ns;
}

void pvm_entity_id(unsigned char out[PVM_ENTITY_ID_BYTES], const char *boot_id, __u32 pid,
		   __u64 start_boot_ns)
{
	unsigned char digest[PVM_SHA256_LEN];
	char text[96];
	int len = snprintf(text, sizeof(text), "%s:%u:%llu", boot_id, pid,
			   (unsigned long long)(start_boot_ns / tick_ns()));

	pvm_sha256(text, (size_t)len, digest);
	memcpy(out, digest, PVM_ENTITY_ID_BYTES);
}
