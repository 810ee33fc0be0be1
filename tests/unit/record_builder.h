/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Builds ring-buffer records the way the kernel side lays them out. */
#ifndef PVMTRACE_RECORD_BUILDER_H
#define PVMTRACE_RECORD_BUILDER_H

#include <string.h>

#include "event/event.h"
#include "event/regions.h"
#include "layout.h"
#include "unit.h"

#define BUILDER_MAX_IOV 2048

struct record_buffer {
	struct pvm_record rec;
	struct pvm_iov iov[BUILDER_MAX_IOV];
};

/* Bytes after the header up to the payload: iovecs, then the remote regions. */
static inline size_t entries_size(const struct record_buffer *b)
{
	return pvm_rec_data_off(b->rec.local_n, b->rec.remote_n);
}

static inline size_t record_size(const struct record_buffer *b)
{
	return pvm_rec_size(&b->rec);
}

/*
 * The executables' paths after the payload (call when everything before them
 * is final). NULL: no executable.
 */
static inline void set_exes(struct record_buffer *b, const char *caller, __u8 caller_flags,
			    const char *target, __u8 target_flags)
{
	char *at = (char *)b->iov + pvm_rec_exes_off(&b->rec);

	b->rec.caller_exe = (struct pvm_exe){.flags = caller ? caller_flags : 0,
					     .path_len = caller ? strlen(caller) : 0};
	b->rec.target.exe = (struct pvm_exe){.flags = target ? target_flags : 0,
					     .path_len = target ? strlen(target) : 0};
	memcpy(at, caller ? caller : "", b->rec.caller_exe.path_len);
	memcpy(at + b->rec.caller_exe.path_len, target ? target : "", b->rec.target.exe.path_len);
}

/* The region of remote entry i (call after the counts are final). */
static inline void set_region(struct record_buffer *b, __u32 i, struct pvm_region r)
{
	struct pvm_region *regions =
		(void *)((char *)b->iov + pvm_rec_regions_off(b->rec.local_n, b->rec.remote_n));

	regions[i] = r;
}

/* Puts `len` payload bytes after the entries, as the kernel side does. */
static inline void set_payload(struct record_buffer *b, const char *bytes, __u32 len, __u64 total)
{
	memcpy((char *)b->iov + entries_size(b), bytes, len);
	b->rec.data_state = PVM_DATA_OK;
	b->rec.data_captured = len;
	b->rec.data_total = total;
}

/* The example call of docs/events.md: 2 local iovecs into 1 remote. */
static inline void build_example(struct record_buffer *b)
{
	memset(b, 0, sizeof(*b));
	b->rec.kind = PVM_REC_CALL;
	b->rec.syscall = PVM_SYS_WRITEV;
	b->rec.abi = PVM_ABI_X86_64;
	b->rec.code_mode = PVM_CODE_64;
	b->rec.pid = 4300;
	b->rec.start_boot_ns = 1000000000ULL;
	b->rec.duration_ns = 2500;
	b->rec.ret = 64;
	b->rec.local_iov = 0x7ffd5c1e2a40;
	b->rec.liovcnt = 2;
	b->rec.remote_iov = 0x7ffd5c1e2a60;
	b->rec.riovcnt = 1;
	b->rec.local_bytes = 64;
	b->rec.remote_bytes = 64;
	b->rec.cgroup_id = 1234;
	b->rec.caller_pid = 4242;
	b->rec.caller_tid = 4243;
	b->rec.caller_ppid = 1;
	b->rec.pidns = 4026531836u;
	b->rec.mntns = 4026531841u;
	memcpy(b->rec.comm, "injector", 8);
	b->rec.caller_start_boot_ns = 5000000;
	b->rec.target = (struct pvm_target){
		.source = PVM_TARGET_KERNEL,
		.pid = 4300,
		.tid = 4300,
		.ppid = 4242,
		.uid = 0,
		.pidns = 4026531836u,
		.cgroup_id = 1234,
		.start_boot_ns = 6000000,
		.comm = "victim",
	};
	b->rec.local_n = 2;
	b->rec.remote_n = 1;
	b->iov[0] = (struct pvm_iov){0x55d0c8a2b2a0, 16};
	b->iov[1] = (struct pvm_iov){0x55d0c8a2b2c0, 48};
	b->iov[2] = (struct pvm_iov){0x7f3a1c000000, 64};
	set_region(b, 0,
		   (struct pvm_region){.start = 0x7f3a1c000000, .end = 0x7f3a1c021000,
				       .vm_flags = PVM_VM_READ | PVM_VM_WRITE,
				       .state = PVM_REGION_FOUND, .kind = PVM_REGION_ANON});
	set_payload(b, "0123456789abcdef", 16, 64);
}

/* Region enrichment that finds no /proc: the regions stay as the record has them. */
static inline struct pvm_region_enricher *no_proc(void)
{
	static struct pvm_region_enricher en = {.proc_root = "/nonexistent"};

	return &en;
}

/*
 * b as the reader decodes it (64 payload bytes kept), with boot_to_wall_ns,
 * its regions as the record has them (into views): a failed decode fails the
 * test.
 */
static inline struct pvm_event decode_built(const struct record_buffer *b, __u64 boot_to_wall_ns,
					    struct pvm_region_view views[PVM_REGIONS_MAX])
{
	struct pvm_decode_config config = {boot_to_wall_ns, 64};
	struct pvm_event ev;
	const char *why;

	if (pvm_event_decode(b, record_size(b), &config, &ev, &why))
		unit_fail(__FILE__, __LINE__, "decode: %s", why);
	pvm_enrich_regions(no_proc(), &ev, views, 0);
	return ev;
}

#endif /* PVMTRACE_RECORD_BUILDER_H */
