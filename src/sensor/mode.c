// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "sensor/mode.h"

#include <string.h>

static const char *const mode_names[PVM_MODE__COUNT] = {
	[PVM_MODE_AUTO] = "auto",
	[PVM_MODE_FENTRY] = "fentry",
	[PVM_MODE_KPROBE] = "kprobe",
	[PVM_MODE_TP_BTF] = "tp_btf",
	[PVM_MODE_RAW_TP] = "raw_tp",
	[PVM_MODE_TRACEPOINT] = "tracepoint",
};

/*
 * fentry and kprobe fire only for process_vm_*; tp_btf and raw_tp hook every
 * syscall's entry and exit; tracepoint cannot see ia32 calls.
 */
const enum pvm_mode pvm_mode_preference[PVM_MODE__COUNT - 1] = {
	PVM_MODE_FENTRY,
	PVM_MODE_KPROBE,
	PVM_MODE_TP_BTF,
	PVM_MODE_RAW_TP,
	PVM_MODE_TRACEPOINT,
};

const char *pvm_mode_name(enum pvm_mode mode)
{
	if ((unsigned int)mode >= PVM_MODE__COUNT)
		return "?";
	return mode_names[mode];
}

int pvm_mode_parse(const char *name, enum pvm_mode *mode)
{
	for (int i = 0; i < PVM_MODE__COUNT; i++) {
		if (strcmp(name, mode_names[i]) == 0) {
			*mode = (enum pvm_mode)i;
			return 0;
		}
	}
	return -1;
}

bool pvm_mode_sees_ia32(enum pvm_mode mode)
{
	return mode != PVM_MODE_TRACEPOINT;
}
