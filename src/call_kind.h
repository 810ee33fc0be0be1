/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What kind of call it was, in every model of one: which syscall, which
 * syscall ABI, which code segment. The ring record (record.h), the decoded
 * event and the rules' facts (rules/facts.h) share these enums, so no model
 * mirrors another's order. No includes: compiled for the BPF target too.
 */
#ifndef PVMTRACE_CALL_KIND_H
#define PVMTRACE_CALL_KIND_H

enum pvm_syscall {
	PVM_SYS_READV = 0,
	PVM_SYS_WRITEV = 1,
};

/* Bits of pvm_filter.syscalls. */
#define PVM_SYS_BIT(sys) (1u << (sys))
#define PVM_SYS_ALL (PVM_SYS_BIT(PVM_SYS_READV) | PVM_SYS_BIT(PVM_SYS_WRITEV))

/* How the call entered the kernel. */
enum pvm_abi {
	PVM_ABI_X86_64 = 0,
	PVM_ABI_IA32 = 1,
};

/* Which instruction set the caller's code runs in (not the syscall ABI). */
enum pvm_code_mode {
	PVM_CODE_UNKNOWN = 0,
	PVM_CODE_64 = 1,
	PVM_CODE_32 = 2,
};

#endif /* PVMTRACE_CALL_KIND_H */
