/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Which anonymous mapping /proc/PID/maps calls [heap]. Until v6.6 it was one
 * that reaches the brk area or touches it (start <= brk && end >= start_brk,
 * in fs/proc/task_mmu.c); since "mm: factor out VMA stack and heap checks"
 * (v6.6, vma_is_initial_heap) only one that overlaps it (start < brk && end >
 * start_brk). The kernel side names mappings as /proc does on the same
 * kernel, so it is told which test this one makes.
 */
#ifndef PVMTRACE_HEAP_BOUNDS_H
#define PVMTRACE_HEAP_BOUNDS_H

#include <stdbool.h>

/*
 * A child maps a page that starts exactly at its break and reads what
 * /proc/self/maps calls it: true for [heap]. When the probe cannot tell, it
 * says so on stderr, and the answer is false (what kernels since v6.6 do).
 */
bool pvm_heap_bounds_inclusive(void);

#endif /* PVMTRACE_HEAP_BOUNDS_H */
