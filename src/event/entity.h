/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A process's id for a log pipeline to join events on: the same text for
 * the same process in every event, as caller or as target, and across
 * pvmtrace restarts; another text for any other process, a pid reused
 * included, on this host or any other. Made from the boot id, the pid
 * (thread-group id) and the process's start to the clock tick, all that
 * /proc gives of a target the kernel side could not resolve: the first 32
 * hex digits of SHA-256("BOOT_ID:PID:TICKS").
 */
#ifndef PVMTRACE_ENTITY_H
#define PVMTRACE_ENTITY_H

#include <linux/types.h>

#define PVM_ENTITY_ID_BYTES 16 /* written as 32 hex digits */

/* start_boot_ns: the thread-group leader's start, ns since boot (to the tick or finer). */
void pvm_entity_id(unsigned char out[PVM_ENTITY_ID_BYTES], const char *boot_id, __u32 pid,
		   __u64 start_boot_ns);

#endif /* PVMTRACE_ENTITY_H */
