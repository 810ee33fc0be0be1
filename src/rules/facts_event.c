// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The facts of a live event: the only part of src/rules that knows the record. */
#include "rules/facts.h"

#include <string.h>

#include "event/event.h"
#include "event/regions.h"

/* Decoding checked the kind; anything else would read as anonymous memory. */
static enum pvm_fact_region_kind kind_of(__u8 kind)
{
	static const enum pvm_fact_region_kind kinds[] = {
		[PVM_REGION_ANON] = PVM_FACT_REGION_ANON,   [PVM_REGION_FILE] = PVM_FACT_REGION_FILE,
		[PVM_REGION_HEAP] = PVM_FACT_REGION_HEAP,   [PVM_REGION_STACK] = PVM_FACT_REGION_STACK,
		[PVM_REGION_VDSO] = PVM_FACT_REGION_VDSO,
	};

	return kind < sizeof(kinds) / sizeof(kinds[0]) ? kinds[kind] : PVM_FACT_REGION_ANON;
}

void pvm_facts_ancestors_from_event(const struct pvm_event *ev, struct pvm_facts *f)
{
	unsigned int n = ev->n_ancestors < PVM_FACTS_ANCESTORS ? ev->n_ancestors
							       : PVM_FACTS_ANCESTORS;

	f->caller.n_ancestors = n;
	for (unsigned int i = 0; i < n; i++)
		pvm_fact_path_set(f, &f->caller.ancestors[i], ev->caller_ancestors[i]);
}

static void caller_facts(const struct pvm_event *ev, struct pvm_facts *f)
{
	const struct pvm_record *r = ev->rec;

	f->caller.pid = r->caller_pid;
	f->caller.tid = r->caller_tid;
	f->caller.uid = r->caller_uid;
	f->caller.pidns = r->pidns;
	pvm_fact_comm_set(f->caller.comm, r->comm, sizeof(r->comm));
	pvm_fact_path_set(f, &f->caller.exe, ev->caller_exe);
	f->caller.container_known = true;
	memcpy(f->caller.container, ev->caller_container,
	       strnlen(ev->caller_container, sizeof(f->caller.container) - 1));
	pvm_facts_ancestors_from_event(ev, f);
}

static void target_facts(const struct pvm_event *ev, struct pvm_facts *f)
{
	const struct pvm_target_view *v = &ev->target;
	const struct pvm_target *t = v->t;

	if (t->source == PVM_TARGET_NONE) {
		f->target.state = PVM_FACT_TARGET_NONE;
		return;
	}
	if (t->source != PVM_TARGET_KERNEL) {
		f->target.state = PVM_FACT_TARGET_UNRESOLVED;
		return;
	}
	f->target.state = PVM_FACT_TARGET_KNOWN;
	f->target.pid = t->pid;
	f->target.uid = t->uid;
	f->target.pidns = t->pidns;
	pvm_fact_comm_set(f->target.comm, t->comm, sizeof(t->comm));
	pvm_fact_path_set(f, &f->target.exe, ev->target_exe);
	f->target.same_process = v->same_process;
	f->target.child = v->child;
	f->target.parent = v->parent;
	f->target.same_uid = v->same_uid;
	f->target.same_pidns = v->same_pidns;
}

static void region_facts(struct pvm_facts *f, struct pvm_fact_region *out,
			 const struct pvm_region *r, const char *path)
{
	if (r->state == PVM_REGION_NONE) {
		out->kind = PVM_FACT_REGION_NONE;
		return;
	}
	if (r->state != PVM_REGION_FOUND)
		return; /* PVM_FACT_REGION_UNKNOWN */
	out->kind = kind_of(r->kind);
	out->read = r->vm_flags & PVM_VM_READ;
	out->write = r->vm_flags & PVM_VM_WRITE;
	out->exec = r->vm_flags & PVM_VM_EXEC;
	out->shared = r->vm_flags & PVM_VM_SHARED;
	pvm_fact_path_set(f, &out->path, path);
}

/* Enriched views when pvm_enrich_regions() ran, else what the kernel side found. */
static void regions_facts(const struct pvm_event *ev, struct pvm_facts *f)
{
	__u32 n = ev->remote.state == PVM_IOV_FAULT ? 0 : ev->remote.n;

	if (n > PVM_FACTS_REGIONS)
		n = PVM_FACTS_REGIONS;
	f->n_regions = n;
	for (__u32 i = 0; i < n; i++) {
		struct pvm_fact_region *out = &f->regions[i];

		out->base = ev->remote.iov[i].base;
		out->len = ev->remote.iov[i].len;
		if (ev->regions && i < ev->n_regions)
			region_facts(f, out, &ev->regions[i].r,
				     ev->regions[i].has_path ? ev->regions[i].path : NULL);
		else
			region_facts(f, out, &ev->remote.regions[i], NULL);
	}
}

void pvm_facts_from_event(const struct pvm_event *ev, struct pvm_facts *f)
{
	const struct pvm_record *r = ev->rec;

	pvm_facts_start(f);
	/* the record's own enums (call_kind.h); decoding checked syscall and ABI */
	f->call = r->syscall;
	f->ret = r->ret;
	f->abi = r->abi;
	f->code = r->code_mode <= PVM_CODE_32 ? r->code_mode : PVM_CODE_UNKNOWN;
	f->pid_arg = r->pid;
	if (r->ret > 0)
		f->payload = (uint64_t)r->ret;
	else if (r->syscall == PVM_SYS_WRITEV && ev->local.state == PVM_IOV_OK)
		f->payload = ev->local.bytes;
	caller_facts(ev, f);
	target_facts(ev, f);
	regions_facts(ev, f);
	pvm_facts_classify(f);
}
