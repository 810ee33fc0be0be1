// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "event/event.h"

#include <stddef.h>
#include <string.h>

#include "event/digest.h"
#include "json_keys.h"
#include "layout.h"

#define KERNEL_MAX_ERRNO 4095 /* MAX_ERRNO, include/linux/err.h */

const char *pvm_syscall_name(enum pvm_syscall sys)
{
	return sys == PVM_SYS_WRITEV ? PVM_EVENT_WRITEV : PVM_EVENT_READV;
}

const char *pvm_source_name(bool unresolved, bool from_proc)
{
	return unresolved ? PVM_SOURCE_UNRESOLVED : from_proc ? PVM_SOURCE_PROC : PVM_SOURCE_KERNEL;
}

const char *pvm_action_name(enum pvm_action action)
{
	switch (action) {
	case PVM_ACTION_KILLED:
		return "killed";
	case PVM_ACTION_ALLOWED:
		return "allowed";
	default:
		return NULL;
	}
}

const char *pvm_abi_name(enum pvm_abi abi)
{
	return abi == PVM_ABI_IA32 ? PVM_ABI_NAME_IA32 : PVM_ABI_NAME_X86_64;
}

const char *pvm_errno_name(__s64 ret)
{
	const char *name;

	if (ret >= 0 || ret < -KERNEL_MAX_ERRNO)
		return NULL;
	name = strerrorname_np((int)-ret);
	return name ? name : "EUNKNOWN";
}

static bool iov_state_valid(__u8 state)
{
	return state == PVM_IOV_OK || state == PVM_IOV_FAULT || state == PVM_IOV_OVERSIZE;
}

static void decode_side(struct pvm_iov_side *side, __u8 state, __u64 count, __u16 n,
			const struct pvm_iov *iov, __u64 bytes)
{
	side->state = state;
	side->count = count;
	side->n = n;
	side->iov = iov;
	side->bytes = bytes;
	side->truncated = state != PVM_IOV_FAULT && count > n;
}

static bool data_state_valid(__u8 state)
{
	return state == PVM_DATA_OFF || state == PVM_DATA_OK || state == PVM_DATA_FAULT;
}

static void decode_payload(struct pvm_payload *p, const struct pvm_record *rec,
			   const __u8 *bytes, __u32 capture)
{
	__u64 wanted = rec->data_total < capture ? rec->data_total : capture;

	p->state = rec->data_state;
	p->bytes = bytes;
	p->captured = rec->data_captured;
	p->total = rec->data_total;
	p->complete = p->state == PVM_DATA_OK && p->captured == wanted;
	pvm_sha256(bytes, p->captured, p->sha256);
}

void pvm_event_set_target(struct pvm_event *ev, const struct pvm_target *t, bool from_proc)
{
	struct pvm_target_view *v = &ev->target;
	const struct pvm_record *rec = ev->rec;

	memset(v, 0, sizeof(*v));
	v->t = t;
	v->from_proc = from_proc;
	if (t->source != PVM_TARGET_KERNEL)
		return;
	v->same_process = t->pid == rec->caller_pid;
	v->child = t->ppid == rec->caller_pid;
	v->parent = t->pid == rec->caller_ppid;
	v->same_uid = t->uid == rec->caller_uid;
	v->same_pidns = t->pidns == rec->pidns;
}

void pvm_exe_display(char *buf, const char *path, size_t len, __u8 flags)
{
	size_t at = 0;

	buf[0] = '\0';
	if (!(flags & PVM_EXE_KNOWN) || len == 0 || len > PVM_EXE_PATH_MAX)
		return;
	if (flags & PVM_EXE_TRUNCATED) {
		memcpy(buf, "...", 3);
		at = 3;
	}
	memcpy(buf + at, path, len);
	at += len;
	if (flags & PVM_EXE_DELETED)
		memcpy(buf + at, PVM_DELETED_SUFFIX, sizeof(PVM_DELETED_SUFFIX));
	else
		buf[at] = '\0';
}

/* The two paths after the payload: caller's, then the target's (if kernel-resolved). */
static void decode_exes(struct pvm_event *ev, const char *paths)
{
	const struct pvm_record *rec = ev->rec;

	pvm_exe_display(ev->caller_exe, paths, rec->caller_exe.path_len, rec->caller_exe.flags);
	if (rec->target.source == PVM_TARGET_KERNEL)
		pvm_exe_display(ev->target_exe, paths + rec->caller_exe.path_len,
				rec->target.exe.path_len, rec->target.exe.flags);
}

static bool regions_valid(const struct pvm_region *r, __u32 n)
{
	for (__u32 i = 0; i < n; i++)
		if (r[i].state > PVM_REGION_NONE || r[i].kind > PVM_REGION_VDSO)
			return false;
	return true;
}

/*
 * The kernel ends every comm with a NUL within its 16 bytes (__set_task_comm
 * never writes byte 15), even read while it changes: a name longer than 15
 * bytes cannot be what a thread was called, nor what replay would read back.
 */
static bool comm_terminated(const char comm[PVM_COMM_LEN])
{
	return memchr(comm, '\0', PVM_COMM_LEN) != NULL;
}

static int reject(const char **why, const char *reason)
{
	*why = reason;
	return -1;
}

int pvm_event_decode(const void *data, size_t size, const struct pvm_decode_config *cfg,
		     struct pvm_event *ev, const char **why)
{
	const struct pvm_record *rec = data;
	const struct pvm_region *regions;

	if (size < sizeof(*rec))
		return reject(why, "record shorter than its header");
	if (rec->kind != PVM_REC_CALL)
		return reject(why, "unknown record kind");
	if (rec->syscall > PVM_SYS_WRITEV || rec->abi > PVM_ABI_IA32)
		return reject(why, "unknown syscall or ABI");
	if (!iov_state_valid(rec->local_state) || !iov_state_valid(rec->remote_state))
		return reject(why, "unknown iovec state");
	if (rec->local_n > PVM_IOV_MAX || rec->remote_n > PVM_IOV_MAX ||
	    rec->local_n > rec->liovcnt || rec->remote_n > rec->riovcnt)
		return reject(why, "iovec entry count out of range");
	if (rec->target.source > PVM_TARGET_NONE)
		return reject(why, "unknown target source");
	if (!data_state_valid(rec->data_state) || rec->data_captured > cfg->capture ||
	    (rec->data_state == PVM_DATA_OFF && rec->data_captured))
		return reject(why, "payload out of range");
	if (rec->caller_exe.path_len > PVM_EXE_PATH_MAX ||
	    rec->target.exe.path_len > PVM_EXE_PATH_MAX)
		return reject(why, "executable path too long");
	if (rec->store_state > PVM_STORE_IOV_LIMIT)
		return reject(why, "unknown store state");
	if (rec->action > PVM_ACTION_ALLOWED)
		return reject(why, "unknown action");
	if (!comm_terminated(rec->comm) || !comm_terminated(rec->target.comm))
		return reject(why, "comm without its NUL");
	if (size != pvm_rec_size(rec))
		return reject(why, "record size does not match its contents");
	regions = (const void *)((const __u8 *)rec->iov +
				 pvm_rec_regions_off(rec->local_n, rec->remote_n));
	if (!regions_valid(regions, rec->remote_n))
		return reject(why, "unknown region state or kind");

	memset(ev, 0, offsetof(struct pvm_event, caller_exe));
	ev->caller_exe[0] = ev->target_exe[0] = ev->caller_container[0] = '\0';
	ev->rec = rec;
	ev->iov_read_at_exit = rec->iov_late != 0;
	ev->wall_ns = rec->start_boot_ns + cfg->boot_to_wall_ns;
	decode_payload(&ev->data, rec,
		       (const __u8 *)rec->iov + pvm_rec_data_off(rec->local_n, rec->remote_n),
		       cfg->capture);
	pvm_event_set_target(ev, &rec->target, false);
	decode_side(&ev->local, rec->local_state, rec->liovcnt, rec->local_n, rec->iov,
		    rec->local_bytes);
	decode_side(&ev->remote, rec->remote_state, rec->riovcnt, rec->remote_n,
		    rec->iov + rec->local_n, rec->remote_bytes);
	ev->remote.regions = regions;
	decode_exes(ev, (const char *)rec->iov + pvm_rec_exes_off(rec));
	ev->stored.state = rec->store_state;
	ev->stored.bytes = rec->store_bytes;
	return 0;
}
