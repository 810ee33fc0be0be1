/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Does this kernel serve 32-bit (ia32) system calls at all? A kernel built
 * without IA32_EMULATION, or booted with it off (ia32_emulation=off, or
 * IA32_EMULATION_DEFAULT_DISABLED since v6.7), refuses every ia32 entry: no
 * 32-bit call can happen there, and no rule about one can fire. Pure: no
 * libbpf, so --list-modes and the start line can say it before any load.
 */
#ifndef PVMTRACE_IA32_H
#define PVMTRACE_IA32_H

#include <stdbool.h>
#include <stddef.h>

/* True when it does; `how` says how the probe found out either way. */
bool pvm_kernel_serves_ia32(char *how, size_t len);

#endif /* PVMTRACE_IA32_H */
