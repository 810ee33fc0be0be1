/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The attach modes, by name. Pure: no libbpf here, so the CLI can use it. */
#ifndef PVMTRACE_MODE_H
#define PVMTRACE_MODE_H

#include <stdbool.h>

enum pvm_mode {
	PVM_MODE_AUTO = 0,
	PVM_MODE_FENTRY,
	PVM_MODE_KPROBE,
	PVM_MODE_TP_BTF,
	PVM_MODE_RAW_TP,
	PVM_MODE_TRACEPOINT,
	PVM_MODE__COUNT,
};

/* The order `auto` tries the concrete modes in, best first. */
extern const enum pvm_mode pvm_mode_preference[PVM_MODE__COUNT - 1];

const char *pvm_mode_name(enum pvm_mode mode);
/* Returns 0 and sets *mode, or -1 for an unknown name. */
int pvm_mode_parse(const char *name, enum pvm_mode *mode);
/* Can the mode see calls made through the ia32 (int 0x80) entry? */
bool pvm_mode_sees_ia32(enum pvm_mode mode);

#endif /* PVMTRACE_MODE_H */
