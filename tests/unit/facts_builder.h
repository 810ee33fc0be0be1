/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The facts of example calls, for the rule, allowlist and alert tests. */
#ifndef PVMTRACE_FACTS_BUILDER_H
#define PVMTRACE_FACTS_BUILDER_H

#include <string.h>

#include "rules/facts.h"

#define INIT_PIDNS 4026531836u
#define CHILD_PIDNS 4026532201u

/* A region of the target, reached by remote iovec `i` of `len` bytes. */
static inline void set_fact_region(struct pvm_facts *f, unsigned int i,
				   enum pvm_fact_region_kind kind, const char *perms,
				   const char *path, uint64_t len)
{
	struct pvm_fact_region *r = &f->regions[i];

	memset(r, 0, sizeof(*r));
	r->base = 0x7f3a1c000000 + 0x100000ull * i;
	r->len = len;
	r->kind = kind;
	r->read = perms[0] == 'r';
	r->write = perms[1] == 'w';
	r->exec = perms[2] == 'x';
	r->shared = perms[3] == 's';
	pvm_fact_path_set(f, &r->path, path);
	if (i >= f->n_regions)
		f->n_regions = i + 1;
}

/*
 * Process 4242 (/opt/tool/injector, uid 1000) writes 64 bytes into the heap
 * of its child 4300 (/usr/bin/victim, uid 1000), both in the initial pid
 * namespace on the host, through the x86_64 ABI from 64-bit code.
 */
static inline struct pvm_facts example_write(void)
{
	struct pvm_facts f = {
		.call = PVM_SYS_WRITEV,
		.ret = 64,
		.abi = PVM_ABI_X86_64,
		.code = PVM_CODE_64,
		.pid_arg = 4300,
		.payload = 64,
		.caller = {.pid = 4242, .tid = 4243, .uid = 1000, .pidns = INIT_PIDNS,
			   .comm = "injector", .container_known = true, .n_ancestors = 2},
		.target = {.state = PVM_FACT_TARGET_KNOWN, .pid = 4300, .uid = 1000,
			   .pidns = INIT_PIDNS, .comm = "victim", .child = true, .same_uid = true,
			   .same_pidns = true},
	};

	pvm_fact_path_set(&f, &f.caller.exe, "/opt/tool/injector");
	pvm_fact_path_set(&f, &f.caller.ancestors[0], "/usr/bin/bash");
	pvm_fact_path_set(&f, &f.caller.ancestors[1], "/usr/sbin/sshd");
	pvm_fact_path_set(&f, &f.target.exe, "/usr/bin/victim");
	set_fact_region(&f, 0, PVM_FACT_REGION_HEAP, "rw-p", NULL, 64);
	pvm_facts_classify(&f);
	return f;
}

/* The same call as a read of 64 bytes. */
static inline struct pvm_facts example_read(void)
{
	struct pvm_facts f = example_write();

	f.call = PVM_SYS_READV;
	return f;
}

#endif /* PVMTRACE_FACTS_BUILDER_H */
