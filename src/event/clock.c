// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "event/clock.h"

#include <time.h>

static __u64 clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

__u64 pvm_wall_now(void)
{
	return clock_ns(CLOCK_REALTIME);
}

__u64 pvm_monotonic_now(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

__u64 pvm_boot_to_wall_offset(void)
{
	__u64 best_width = ~0ULL, offset = 0;

	/* the boot-time read bracketed by two wall-clock reads; keep the tightest */
	for (int i = 0; i < 5; i++) {
		__u64 before = clock_ns(CLOCK_REALTIME);
		__u64 boot = clock_ns(CLOCK_BOOTTIME);
		__u64 after = clock_ns(CLOCK_REALTIME);

		if (after - before < best_width) {
			best_width = after - before;
			offset = before + (after - before) / 2 - boot;
		}
	}
	return offset;
}
