/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef PVMTRACE_CLOCK_H
#define PVMTRACE_CLOCK_H

#include <linux/types.h>

/*
 * CLOCK_REALTIME - CLOCK_BOOTTIME, in ns: added to the kernel's boot-time
 * stamps it gives wall-clock time. Sampled once at start; a later step of the
 * wall clock (settimeofday, NTP slew) is not followed.
 */
__u64 pvm_boot_to_wall_offset(void);

/* CLOCK_REALTIME now, in ns. */
__u64 pvm_wall_now(void);

/* CLOCK_MONOTONIC now, in ns: for pacing. */
__u64 pvm_monotonic_now(void);

#endif /* PVMTRACE_CLOCK_H */
