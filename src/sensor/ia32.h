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

#include <stddef.h>

enum pvm_ia32 {
	PVM_IA32_SERVED,  /* a 32-bit call was served */
	PVM_IA32_NONE,	  /* the kernel refused it: no 32-bit call can happen */
	PVM_IA32_UNKNOWN, /* the probe cannot tell (a seccomp filter on pvmtrace, say) */
};

/* What the kernel answered; `how` says how the probe found out. */
enum pvm_ia32 pvm_kernel_ia32(char *how, size_t len);

/* "served by this kernel", "none on this kernel, ...", "unknown" */
const char *pvm_ia32_name(enum pvm_ia32 answer);

#endif /* PVMTRACE_IA32_H */
