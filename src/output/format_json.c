// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "output/format.h"

#include "event/regions.h"
#include "json_keys.h"
#include "output/format_alerts.h"
#include "output/store_payload.h"

#include <string.h>
#include <time.h>

#define NS_PER_SEC 1000000000ULL

/*
 * The date and time change once a second: gmtime_r and strftime run only
 * then, and the nanoseconds are written by hand (they were a tenth of the
 * consumer's time in a flood).
 */
void pvm_format_time_utc(char buf[PVM_TIME_LEN], __u64 wall_ns)
{
	static time_t cached_secs = -1;
	static char cached[PVM_TIME_LEN];
	static size_t cached_len;
	time_t secs = (time_t)(wall_ns / NS_PER_SEC);
	__u64 ns = wall_ns % NS_PER_SEC;
	char *p;

	if (secs != cached_secs) {
		struct tm tm;

		gmtime_r(&secs, &tm);
		cached_len = strftime(cached, sizeof(cached), "%Y-%m-%dT%H:%M:%S", &tm);
		cached_secs = secs;
	}
	memcpy(buf, cached, cached_len);
	p = buf + cached_len;
	*p++ = '.';
	for (int i = 8; i >= 0; i--, ns /= 10)
		p[i] = (char)('0' + ns % 10);
	p[9] = 'Z';
	p[10] = '\0';
}

static const char *code_name(__u8 code_mode)
{
	switch (code_mode) {
	case PVM_CODE_64:
		return PVM_CODE_NAME_64;
	case PVM_CODE_32:
		return PVM_CODE_NAME_32;
	default:
		return NULL;
	}
}

static void json_optional_string(struct json_writer *w, const char *s)
{
	if (s)
		jw_cstring(w, s);
	else
		jw_null(w);
}

/* One of the program's own names (jw_plain_string), or null. */
static void json_optional_name(struct json_writer *w, const char *name)
{
	if (name)
		jw_plain_string(w, name, strlen(name));
	else
		jw_null(w);
}

/* null: not looked up (the event raised no alert); "" for one without an exe */
static void json_ancestors(struct json_writer *w, const struct pvm_event *ev)
{
	jw_key(w, PVM_KEY_ANCESTORS);
	if (!ev->looked_up_ancestors) {
		jw_null(w);
		return;
	}
	jw_array_begin(w);
	for (unsigned int i = 0; i < ev->n_ancestors; i++)
		jw_cstring(w, ev->caller_ancestors[i]);
	jw_array_end(w);
}

static void json_caller_value(struct json_writer *w, const void *arg)
{
	const struct pvm_event *ev = arg;
	const struct pvm_record *r = ev->rec;

	jw_object_begin(w);
	jw_key(w, PVM_KEY_PID);
	jw_uint(w, r->caller_pid);
	jw_key(w, PVM_KEY_TID);
	jw_uint(w, r->caller_tid);
	jw_key(w, PVM_KEY_PPID);
	jw_uint(w, r->caller_ppid);
	jw_key(w, PVM_KEY_UID);
	jw_uint(w, r->caller_uid);
	jw_key(w, PVM_KEY_GID);
	jw_uint(w, r->caller_gid);
	jw_key(w, PVM_KEY_COMM);
	jw_string(w, r->comm, strnlen(r->comm, sizeof(r->comm)));
	jw_key(w, PVM_KEY_EXE);
	json_optional_string(w, ev->caller_exe[0] ? ev->caller_exe : NULL);
	jw_key(w, PVM_KEY_CGROUP_ID);
	jw_uint(w, r->cgroup_id);
	jw_key(w, PVM_KEY_PIDNS);
	jw_uint(w, r->pidns);
	jw_key(w, PVM_KEY_MNTNS);
	jw_uint(w, r->mntns);
	jw_key(w, PVM_KEY_CODE);
	json_optional_name(w, code_name(r->code_mode));
	jw_key(w, PVM_KEY_START_TIME);
	jw_uint(w, r->caller_start_boot_ns);
	jw_key(w, PVM_KEY_CONTAINER_ID);
	json_optional_string(w, ev->caller_container[0] ? ev->caller_container : NULL);
	json_ancestors(w, ev);
	jw_object_end(w);
}

/* Everything json_caller_value() reads. */
static void caller_key(struct pvm_memo_key *k, const void *arg)
{
	const struct pvm_event *ev = arg;
	const struct pvm_record *r = ev->rec;

	pvm_memo_key_start(k);
	pvm_memo_key_u64(k, r->caller_pid);
	pvm_memo_key_u64(k, r->caller_tid);
	pvm_memo_key_u64(k, r->caller_ppid);
	pvm_memo_key_u64(k, r->caller_uid);
	pvm_memo_key_u64(k, r->caller_gid);
	pvm_memo_key_bytes(k, r->comm, sizeof(r->comm));
	pvm_memo_key_str(k, ev->caller_exe);
	pvm_memo_key_u64(k, r->cgroup_id);
	pvm_memo_key_u64(k, r->pidns);
	pvm_memo_key_u64(k, r->mntns);
	pvm_memo_key_u64(k, r->code_mode);
	pvm_memo_key_u64(k, r->caller_start_boot_ns);
	pvm_memo_key_str(k, ev->caller_container);
	pvm_memo_key_u64(k, ev->looked_up_ancestors);
	pvm_memo_key_u64(k, ev->n_ancestors);
	for (unsigned int i = 0; ev->looked_up_ancestors && i < ev->n_ancestors; i++)
		pvm_memo_key_str(k, ev->caller_ancestors[i]);
}

/*
 * A value from its memo when there is one and its inputs are those it was
 * kept for; else written afresh (and kept).
 */
static void json_memo_value(struct json_writer *w, struct jw_memo *m, const void *arg,
			    void (*key)(struct pvm_memo_key *, const void *),
			    void (*value)(struct json_writer *, const void *))
{
	if (!m) {
		value(w, arg);
		return;
	}
	key(&m->next, arg);
	if (jw_memo_write(w, m))
		return;
	value(w, arg);
	jw_memo_keep(w, m);
}

static void json_caller(struct json_writer *w, const struct pvm_event *ev, struct jw_memo *m)
{
	jw_key(w, PVM_KEY_CALLER);
	json_memo_value(w, m, ev, caller_key, json_caller_value);
}

static void json_relation(struct json_writer *w, const char *key, bool value)
{
	jw_key_text(w, key);
	jw_bool(w, value);
}

static void json_target_value(struct json_writer *w, const void *arg)
{
	const struct pvm_event *ev = arg;
	const struct pvm_target_view *v = &ev->target;
	const struct pvm_target *t = v->t;

	jw_object_begin(w);
	if (t->source == PVM_TARGET_KERNEL) {
		jw_key(w, PVM_KEY_PID);
		jw_uint(w, t->pid);
		jw_key(w, PVM_KEY_TID);
		jw_uint(w, t->tid);
		jw_key(w, PVM_KEY_PPID);
		jw_uint(w, t->ppid);
		jw_key(w, PVM_KEY_COMM);
		jw_string(w, t->comm, strnlen(t->comm, sizeof(t->comm)));
		jw_key(w, PVM_KEY_EXE);
		json_optional_string(w, ev->target_exe[0] ? ev->target_exe : NULL);
		jw_key(w, PVM_KEY_UID);
		jw_uint(w, t->uid);
		jw_key(w, PVM_KEY_CGROUP_ID);
		if (v->from_proc)
			jw_null(w); /* /proc offers no cgroup id */
		else
			jw_uint(w, t->cgroup_id);
		jw_key(w, PVM_KEY_PIDNS);
		jw_uint(w, t->pidns);
		jw_key(w, PVM_KEY_START_TIME);
		jw_uint(w, t->start_boot_ns);
		json_relation(w, PVM_KEY_SAME_PROCESS, v->same_process);
		json_relation(w, PVM_KEY_CHILD, v->child);
		json_relation(w, PVM_KEY_PARENT, v->parent);
		json_relation(w, PVM_KEY_SAME_UID, v->same_uid);
		json_relation(w, PVM_KEY_SAME_PIDNS, v->same_pidns);
	}
	jw_key(w, PVM_KEY_SOURCE);
	json_optional_name(w, t->source == PVM_TARGET_UNRESOLVED ? PVM_SOURCE_UNRESOLVED
			      : v->from_proc			  ? PVM_SOURCE_PROC
								  : PVM_SOURCE_KERNEL);
	jw_object_end(w);
}

/* Everything json_target_value() reads. */
static void target_key(struct pvm_memo_key *k, const void *arg)
{
	const struct pvm_event *ev = arg;
	const struct pvm_target_view *v = &ev->target;
	const struct pvm_target *t = v->t;

	pvm_memo_key_start(k);
	pvm_memo_key_u64(k, t->source);
	pvm_memo_key_u64(k, t->pid);
	pvm_memo_key_u64(k, t->tid);
	pvm_memo_key_u64(k, t->ppid);
	pvm_memo_key_bytes(k, t->comm, sizeof(t->comm));
	pvm_memo_key_str(k, ev->target_exe);
	pvm_memo_key_u64(k, t->uid);
	pvm_memo_key_u64(k, t->cgroup_id);
	pvm_memo_key_u64(k, t->pidns);
	pvm_memo_key_u64(k, t->start_boot_ns);
	pvm_memo_key_u64(k, v->from_proc);
	pvm_memo_key_u64(k, v->same_process);
	pvm_memo_key_u64(k, v->child);
	pvm_memo_key_u64(k, v->parent);
	pvm_memo_key_u64(k, v->same_uid);
	pvm_memo_key_u64(k, v->same_pidns);
}

/*
 * null: the call named no live process. "unresolved": neither the kernel side
 * nor /proc could tell (a caller in another pid namespace, on a kernel
 * without the kfuncs).
 */
static void json_target(struct json_writer *w, const struct pvm_event *ev, struct jw_memo *m)
{
	jw_key(w, PVM_KEY_TARGET);
	if (ev->target.t->source == PVM_TARGET_NONE)
		jw_null(w);
	else
		json_memo_value(w, m, ev, target_key, json_target_value);
}

static void json_args(struct json_writer *w, const struct pvm_record *r)
{
	jw_key(w, PVM_KEY_ARGS);
	jw_object_begin(w);
	jw_key(w, PVM_KEY_PID);
	jw_int(w, r->pid);
	jw_key(w, PVM_KEY_LOCAL_IOV);
	jw_hex(w, r->local_iov);
	jw_key(w, PVM_KEY_LIOVCNT);
	jw_uint(w, r->liovcnt);
	jw_key(w, PVM_KEY_REMOTE_IOV);
	jw_hex(w, r->remote_iov);
	jw_key(w, PVM_KEY_RIOVCNT);
	jw_uint(w, r->riovcnt);
	jw_key(w, PVM_KEY_FLAGS);
	jw_uint(w, r->flags);
	jw_object_end(w);
}

/* NULL: past the enriched ones, unresolved. */
static void json_region_value(struct json_writer *w, const void *arg)
{
	const struct pvm_region_view *v = arg;
	char perms[5];

	jw_object_begin(w);
	if (v && v->r.state == PVM_REGION_FOUND) {
		pvm_region_perms(v->r.vm_flags, perms);
		jw_key(w, PVM_KEY_START);
		jw_hex(w, v->r.start);
		jw_key(w, PVM_KEY_END);
		jw_hex(w, v->r.end);
		jw_key(w, PVM_KEY_PERMS);
		jw_plain_string(w, perms, 4);
		jw_key(w, PVM_KEY_KIND);
		json_optional_name(w, pvm_region_kind_name(v->r.kind));
		jw_key(w, PVM_KEY_PATH);
		if (v->has_path)
			jw_cstring(w, v->path);
		else
			jw_null(w);
	}
	jw_key(w, PVM_KEY_SOURCE);
	json_optional_name(w, !v || v->r.state == PVM_REGION_UNRESOLVED ? PVM_SOURCE_UNRESOLVED
			      : v->from_proc				 ? PVM_SOURCE_PROC
									 : PVM_SOURCE_KERNEL);
	jw_object_end(w);
}

/* Everything json_region_value() reads. */
static void region_key(struct pvm_memo_key *k, const void *arg)
{
	const struct pvm_region_view *v = arg;

	pvm_memo_key_start(k);
	pvm_memo_key_u64(k, v != NULL);
	if (!v)
		return;
	pvm_memo_key_u64(k, v->r.state);
	pvm_memo_key_u64(k, v->r.start);
	pvm_memo_key_u64(k, v->r.end);
	pvm_memo_key_u64(k, v->r.vm_flags);
	pvm_memo_key_u64(k, v->r.kind);
	pvm_memo_key_u64(k, v->from_proc);
	pvm_memo_key_u64(k, v->has_path);
	if (v->has_path)
		pvm_memo_key_str(k, v->path);
}

/* null: the address is in no mapping. */
static void json_region(struct json_writer *w, const struct pvm_region_view *v, struct jw_memo *m)
{
	jw_key(w, PVM_KEY_REGION);
	if (v && v->r.state == PVM_REGION_NONE)
		jw_null(w);
	else
		json_memo_value(w, m, v, region_key, json_region_value);
}

/*
 * Remote entries carry their region; `ev` is NULL for the local side. One
 * memo serves every region: the entries of a call often land in one mapping.
 */
static void json_iov_array(struct json_writer *w, const struct pvm_iov_side *side,
			   const struct pvm_event *ev, struct jw_memo *region)
{
	if (side->state == PVM_IOV_FAULT) {
		jw_null(w);
		return;
	}
	jw_array_begin(w);
	for (__u32 i = 0; i < side->n; i++) {
		jw_object_begin(w);
		jw_key(w, PVM_KEY_BASE);
		jw_hex(w, side->iov[i].base);
		jw_key(w, PVM_KEY_LEN);
		jw_uint(w, side->iov[i].len);
		if (ev)
			json_region(w, i < ev->n_regions ? &ev->regions[i] : NULL, region);
		jw_object_end(w);
	}
	jw_array_end(w);
}

static void json_bytes(struct json_writer *w, const struct pvm_iov_side *side)
{
	if (side->state == PVM_IOV_OK)
		jw_uint(w, side->bytes);
	else
		jw_null(w);
}

static bool payload_stored(const struct pvm_stored_payload *s)
{
	return s->result == PVM_STORED_NEW || s->result == PVM_STORED_EXISTING;
}

/* --capture-dir: the file, or null and why not. */
static void json_stored(struct json_writer *w, const struct pvm_stored_payload *s)
{
	char name[PVM_SHA256_HEX_LEN + 5];

	jw_key(w, PVM_KEY_FILE);
	if (payload_stored(s)) {
		pvm_store_file_name(s, name);
		jw_cstring(w, name);
	} else {
		jw_null(w);
	}
	jw_key(w, PVM_KEY_STORED_BYTES);
	jw_uint(w, payload_stored(s) ? s->len : 0);
	jw_key(w, PVM_KEY_STORE);
	json_optional_name(w, pvm_store_outcome(s));
}

/* sha256 covers the stored file when there is one, else the captured bytes. */
static void json_payload(struct json_writer *w, const struct pvm_event *ev)
{
	const struct pvm_payload *p = &ev->data;
	const struct pvm_stored_payload *s = &ev->stored;
	bool store_on = s->state != PVM_STORE_OFF;

	jw_key(w, PVM_KEY_DATA);
	if (p->state == PVM_DATA_OFF && !store_on) {
		jw_null(w);
		return;
	}
	jw_object_begin(w);
	jw_key(w, PVM_KEY_CAPTURED);
	jw_uint(w, p->captured);
	jw_key(w, PVM_KEY_TOTAL);
	jw_uint(w, p->total);
	jw_key(w, PVM_KEY_COMPLETE);
	jw_bool(w, p->complete);
	jw_key(w, PVM_KEY_HEX);
	jw_hex_bytes(w, p->bytes, p->captured);
	jw_key(w, PVM_KEY_SHA256);
	jw_hex_bytes(w, payload_stored(s) ? s->sha256 : p->sha256, sizeof(p->sha256));
	if (store_on)
		json_stored(w, s);
	jw_object_end(w);
}

static void json_alerts_value(struct json_writer *w, const void *arg)
{
	pvm_json_alert_array(w, arg);
}

/* Everything pvm_json_alert_array() reads. */
static void alerts_key(struct pvm_memo_key *k, const void *arg)
{
	const struct pvm_alerts *a = arg;

	pvm_memo_key_start(k);
	pvm_memo_key_u64(k, a->n);
	for (unsigned int i = 0; i < a->n; i++) {
		const struct pvm_alert *alert = &a->alert[i];

		pvm_memo_key_u64(k, (__u64)(alert->rule - pvm_rules));
		pvm_memo_key_u64(k, alert->severity);
		pvm_memo_key_u64(k, alert->allowed_by != NULL);
		if (alert->allowed_by)
			pvm_memo_key_str(k, alert->allowed_by);
		pvm_memo_key_bytes(k, alert->reason, strnlen(alert->reason, sizeof(alert->reason)));
		pvm_memo_key_u64(k, 0); /* the reason's end */
	}
}

/* [] for an event the rules did not judge */
static void json_alerts(struct json_writer *w, const struct pvm_alerts *a, struct jw_memo *m)
{
	jw_key(w, PVM_KEY_ALERTS);
	if (a) {
		json_memo_value(w, m, a, alerts_key, json_alerts_value);
	} else {
		jw_array_begin(w);
		jw_array_end(w);
	}
}

void pvm_format_json(struct json_writer *w, const struct pvm_event *ev,
		     struct pvm_json_memos *memos)
{
	const struct pvm_record *r = ev->rec;
	char time[PVM_TIME_LEN];

	pvm_format_time_utc(time, ev->wall_ns);
	jw_object_begin(w);
	jw_key(w, PVM_KEY_TIME);
	jw_plain_string(w, time, strlen(time));
	jw_key(w, PVM_KEY_EVENT);
	json_optional_name(w, pvm_syscall_name(r->syscall));
	jw_key(w, PVM_KEY_ABI);
	json_optional_name(w, pvm_abi_name(r->abi));
	json_caller(w, ev, memos ? &memos->caller : NULL);
	json_target(w, ev, memos ? &memos->target : NULL);
	json_args(w, r);
	jw_key(w, PVM_KEY_LOCAL_IOV);
	json_iov_array(w, &ev->local, NULL, NULL);
	jw_key(w, PVM_KEY_REMOTE_IOV);
	json_iov_array(w, &ev->remote, ev, memos ? &memos->region : NULL);
	jw_key(w, PVM_KEY_IOV_TRUNCATED);
	jw_bool(w, ev->local.truncated || ev->remote.truncated);
	jw_key(w, PVM_KEY_IOV_READ_AT_EXIT);
	jw_bool(w, ev->iov_read_at_exit);
	jw_key(w, PVM_KEY_LOCAL_BYTES);
	json_bytes(w, &ev->local);
	jw_key(w, PVM_KEY_REMOTE_BYTES);
	json_bytes(w, &ev->remote);
	jw_key(w, PVM_KEY_RET);
	jw_int(w, r->ret);
	jw_key(w, PVM_KEY_ERROR);
	json_optional_name(w, pvm_errno_name(r->ret));
	jw_key(w, PVM_KEY_DURATION_NS);
	jw_uint(w, r->duration_ns);
	jw_key(w, PVM_KEY_ACTION);
	json_optional_name(w, pvm_action_name(r->action));
	json_alerts(w, ev->alerts, memos ? &memos->alerts : NULL);
	json_payload(w, ev);
	jw_object_end(w);
	jw_end_line(w);
}
