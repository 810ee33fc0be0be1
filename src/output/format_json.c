// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "output/format.h"

#include "event/container.h"
#include "event/entity.h"
#include "event/regions.h"
#include "json_keys.h"
#include "output/format_alerts.h"
#include "output/store_payload.h"

#include <string.h>
#include <time.h>

#define NS_PER_SEC 1000000000ULL

/*
 * The date and time change once a second: gmtime_r and strftime run only
 * then, and the nanoseconds are written by hand: every event has a time.
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

/*
 * entity_id, written with the envelope, which holds the boot id it is made
 * from (entity.h). Among the memo's inputs: a process's id is made once.
 */
struct entity_json {
	bool written;
	char boot_id[PVM_BOOT_ID_LEN + 1];
};

static void entity_json_from(struct entity_json *e, const struct pvm_envelope *env)
{
	e->written = env != NULL;
	if (env)
		memcpy(e->boot_id, env->boot_id, sizeof(e->boot_id));
}

static void json_entity_id(struct json_writer *w, const struct entity_json *e, __u64 pid,
			   __u64 start_boot_ns)
{
	unsigned char id[PVM_ENTITY_ID_BYTES];

	if (!e->written)
		return;
	pvm_entity_id(id, e->boot_id, (__u32)pid, start_boot_ns);
	jw_key(w, PVM_KEY_ENTITY_ID);
	jw_hex_bytes(w, id, sizeof(id));
}

#define CALLER_ANCESTORS (sizeof(((struct pvm_event *)0)->caller_ancestors) / sizeof(const char *))

/*
 * Everything the caller's JSON is written from: inputs that are their own
 * memo key (memo_key.h). Strings are offsets in text, PVM_MEMO_NO_TEXT null.
 */
struct caller_json {
	__u64 pid, tid, ppid, uid, gid, cgroup_id, pidns, mntns, start_time;
	char comm[PVM_COMM_LEN];
	struct entity_json entity;
	__u8 code_mode;
	bool looked_up_ancestors; /* else ancestors null: the event raised no alert */
	__u32 n_ancestors;
	__u32 exe, container, ancestors[CALLER_ANCESTORS];
	PVM_MEMO_TEXT((2 + CALLER_ANCESTORS) * PVM_EXE_DISPLAY_MAX) text;
};

/* "" (not known) is null */
static __u32 optional_text(struct caller_json *in, const char *s)
{
	return pvm_memo_text_add(&in->text, s[0] ? s : NULL);
}

static void caller_json_from(struct caller_json *in, const struct pvm_event *ev,
			     const struct pvm_envelope *env)
{
	const struct pvm_record *r = ev->rec;

	pvm_memo_inputs_start(in);
	entity_json_from(&in->entity, env);
	in->pid = r->caller_pid;
	in->tid = r->caller_tid;
	in->ppid = r->caller_ppid;
	in->uid = r->caller_uid;
	in->gid = r->caller_gid;
	in->cgroup_id = r->cgroup_id;
	in->pidns = r->pidns;
	in->mntns = r->mntns;
	in->start_time = r->caller_start_boot_ns;
	memcpy(in->comm, r->comm, sizeof(in->comm));
	in->code_mode = r->code_mode;
	in->exe = optional_text(in, ev->caller_exe);
	in->container = optional_text(in, ev->caller_container);
	in->looked_up_ancestors = ev->looked_up_ancestors;
	if (!ev->looked_up_ancestors)
		return;
	in->n_ancestors = ev->n_ancestors < CALLER_ANCESTORS ? ev->n_ancestors : CALLER_ANCESTORS;
	for (unsigned int i = 0; i < in->n_ancestors; i++)
		in->ancestors[i] = pvm_memo_text_add(&in->text, ev->caller_ancestors[i]);
}

/* "" for an ancestor without an exe */
static void json_ancestors(struct json_writer *w, const struct caller_json *in)
{
	jw_key(w, PVM_KEY_ANCESTORS);
	if (!in->looked_up_ancestors) {
		jw_null(w);
		return;
	}
	jw_array_begin(w);
	for (unsigned int i = 0; i < in->n_ancestors; i++)
		jw_cstring(w, pvm_memo_text_at(&in->text, in->ancestors[i]));
	jw_array_end(w);
}

static void json_caller_value(struct json_writer *w, const void *inputs)
{
	const struct caller_json *in = inputs;

	jw_object_begin(w);
	jw_key(w, PVM_KEY_PID);
	jw_uint(w, in->pid);
	jw_key(w, PVM_KEY_TID);
	jw_uint(w, in->tid);
	jw_key(w, PVM_KEY_PPID);
	jw_uint(w, in->ppid);
	jw_key(w, PVM_KEY_UID);
	jw_uint(w, in->uid);
	jw_key(w, PVM_KEY_GID);
	jw_uint(w, in->gid);
	jw_key(w, PVM_KEY_COMM);
	jw_string(w, in->comm, strnlen(in->comm, sizeof(in->comm)));
	jw_key(w, PVM_KEY_EXE);
	json_optional_string(w, pvm_memo_text_at(&in->text, in->exe));
	jw_key(w, PVM_KEY_CGROUP_ID);
	jw_uint(w, in->cgroup_id);
	jw_key(w, PVM_KEY_PIDNS);
	jw_uint(w, in->pidns);
	jw_key(w, PVM_KEY_MNTNS);
	jw_uint(w, in->mntns);
	jw_key(w, PVM_KEY_CODE);
	json_optional_name(w, code_name(in->code_mode));
	jw_key(w, PVM_KEY_START_TIME);
	jw_uint(w, in->start_time);
	json_entity_id(w, &in->entity, in->pid, in->start_time);
	jw_key(w, PVM_KEY_CONTAINER_ID);
	json_optional_string(w, pvm_memo_text_at(&in->text, in->container));
	json_ancestors(w, in);
	jw_object_end(w);
}

static void json_caller(struct json_writer *w, const struct pvm_event *ev, struct jw_memo *m,
			const struct pvm_envelope *env)
{
	struct caller_json in;

	caller_json_from(&in, ev, env);
	jw_key(w, PVM_KEY_CALLER);
	jw_memoised(w, m, json_caller_value, &in, pvm_memo_inputs_len(&in));
}

static void json_relation(struct json_writer *w, const char *key, bool value)
{
	jw_key_text(w, key);
	jw_bool(w, value);
}

/* Everything the target's JSON is written from: inputs that are their own memo key. */
struct target_json {
	__u64 pid, tid, ppid, uid, cgroup_id, pidns, start_time;
	char comm[PVM_COMM_LEN];
	struct entity_json entity;
	char container[PVM_CONTAINER_ID_LEN + 1]; /* "": none */
	__u8 source; /* enum pvm_target_source */
	bool from_proc, same_process, child, parent, same_uid, same_pidns;
	__u32 exe;
	PVM_MEMO_TEXT(PVM_EXE_DISPLAY_MAX) text;
};

static void target_json_from(struct target_json *in, const struct pvm_event *ev,
			     const struct pvm_envelope *env)
{
	const struct pvm_target_view *v = &ev->target;
	const struct pvm_target *t = v->t;

	pvm_memo_inputs_start(in);
	entity_json_from(&in->entity, env);
	in->source = t->source;
	in->from_proc = v->from_proc;
	if (t->source != PVM_TARGET_KERNEL)
		return;
	in->pid = t->pid;
	in->tid = t->tid;
	in->ppid = t->ppid;
	in->uid = t->uid;
	in->cgroup_id = t->cgroup_id;
	in->pidns = t->pidns;
	in->start_time = t->start_boot_ns;
	memcpy(in->comm, t->comm, sizeof(in->comm));
	in->same_process = v->same_process;
	in->child = v->child;
	in->parent = v->parent;
	in->same_uid = v->same_uid;
	in->same_pidns = v->same_pidns;
	in->exe = pvm_memo_text_add(&in->text, ev->target_exe[0] ? ev->target_exe : NULL);
	memcpy(in->container, ev->target_container, sizeof(in->container));
}

static void json_target_value(struct json_writer *w, const void *inputs)
{
	const struct target_json *in = inputs;

	jw_object_begin(w);
	if (in->source == PVM_TARGET_KERNEL) {
		jw_key(w, PVM_KEY_PID);
		jw_uint(w, in->pid);
		jw_key(w, PVM_KEY_TID);
		jw_uint(w, in->tid);
		jw_key(w, PVM_KEY_PPID);
		jw_uint(w, in->ppid);
		jw_key(w, PVM_KEY_COMM);
		jw_string(w, in->comm, strnlen(in->comm, sizeof(in->comm)));
		jw_key(w, PVM_KEY_EXE);
		json_optional_string(w, pvm_memo_text_at(&in->text, in->exe));
		jw_key(w, PVM_KEY_UID);
		jw_uint(w, in->uid);
		jw_key(w, PVM_KEY_CGROUP_ID);
		if (in->from_proc)
			jw_null(w); /* /proc offers no cgroup id */
		else
			jw_uint(w, in->cgroup_id);
		jw_key(w, PVM_KEY_PIDNS);
		jw_uint(w, in->pidns);
		jw_key(w, PVM_KEY_START_TIME);
		jw_uint(w, in->start_time);
		json_entity_id(w, &in->entity, in->pid, in->start_time);
		jw_key(w, PVM_KEY_CONTAINER_ID);
		json_optional_string(w, in->container[0] ? in->container : NULL);
		json_relation(w, PVM_KEY_SAME_PROCESS, in->same_process);
		json_relation(w, PVM_KEY_CHILD, in->child);
		json_relation(w, PVM_KEY_PARENT, in->parent);
		json_relation(w, PVM_KEY_SAME_UID, in->same_uid);
		json_relation(w, PVM_KEY_SAME_PIDNS, in->same_pidns);
	}
	jw_key(w, PVM_KEY_SOURCE);
	json_optional_name(w, pvm_source_name(in->source == PVM_TARGET_UNRESOLVED, in->from_proc));
	jw_object_end(w);
}

/*
 * null: the call named no live process. "unresolved": neither the kernel side
 * nor /proc could tell (a caller in another pid namespace, on a kernel
 * without the kfuncs).
 */
static void json_target(struct json_writer *w, const struct pvm_event *ev, struct jw_memo *m,
			const struct pvm_envelope *env)
{
	struct target_json in;

	jw_key(w, PVM_KEY_TARGET);
	if (ev->target.t->source == PVM_TARGET_NONE) {
		jw_null(w);
		return;
	}
	target_json_from(&in, ev, env);
	jw_memoised(w, m, json_target_value, &in, pvm_memo_inputs_len(&in));
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

/* Everything a remote entry's region is written from: inputs that are their own memo key. */
struct region_json {
	__u64 start, end, vm_flags;
	__u8 state; /* enum pvm_region_state */
	__u8 kind;
	bool from_proc;
	__u32 path;
	PVM_MEMO_TEXT(sizeof(((struct pvm_region_view *)0)->path)) text;
};

/* NULL: past the enriched ones, unresolved. */
static void region_json_from(struct region_json *in, const struct pvm_region_view *v)
{
	pvm_memo_inputs_start(in);
	in->state = v ? v->r.state : PVM_REGION_UNRESOLVED;
	in->path = PVM_MEMO_NO_TEXT;
	if (!v)
		return;
	in->from_proc = v->from_proc;
	if (v->r.state != PVM_REGION_FOUND)
		return;
	in->start = v->r.start;
	in->end = v->r.end;
	in->vm_flags = v->r.vm_flags;
	in->kind = v->r.kind;
	in->path = pvm_memo_text_add(&in->text, v->has_path ? v->path : NULL);
}

static void json_region_value(struct json_writer *w, const void *inputs)
{
	const struct region_json *in = inputs;
	char perms[5];

	jw_object_begin(w);
	if (in->state == PVM_REGION_FOUND) {
		pvm_region_perms(in->vm_flags, perms);
		jw_key(w, PVM_KEY_START);
		jw_hex(w, in->start);
		jw_key(w, PVM_KEY_END);
		jw_hex(w, in->end);
		jw_key(w, PVM_KEY_PERMS);
		jw_plain_string(w, perms, 4);
		jw_key(w, PVM_KEY_KIND);
		json_optional_name(w, pvm_region_kind_name(in->kind));
		jw_key(w, PVM_KEY_PATH);
		json_optional_string(w, pvm_memo_text_at(&in->text, in->path));
	}
	jw_key(w, PVM_KEY_SOURCE);
	json_optional_name(w, pvm_source_name(in->state == PVM_REGION_UNRESOLVED, in->from_proc));
	jw_object_end(w);
}

/* null: the address is in no mapping. */
static void json_region(struct json_writer *w, const struct pvm_region_view *v, struct jw_memo *m)
{
	struct region_json in;

	jw_key(w, PVM_KEY_REGION);
	if (v && v->r.state == PVM_REGION_NONE) {
		jw_null(w);
		return;
	}
	region_json_from(&in, v);
	jw_memoised(w, m, json_region_value, &in, pvm_memo_inputs_len(&in));
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

/* [] for an event the rules did not judge */
static void json_alerts(struct json_writer *w, const struct pvm_alerts *a, struct jw_memo *m)
{
	static const struct pvm_alerts none;
	struct pvm_alerts_json in;

	pvm_alerts_json_from(&in, a ? a : &none);
	jw_key(w, PVM_KEY_ALERTS);
	jw_memoised(w, m, pvm_json_alert_array, &in, pvm_memo_inputs_len(&in));
}

void pvm_format_json(struct json_writer *w, const struct pvm_event *ev,
		     struct pvm_json_memos *memos, struct pvm_envelope *env)
{
	const struct pvm_record *r = ev->rec;
	char time[PVM_TIME_LEN];

	pvm_format_time_utc(time, ev->wall_ns);
	jw_object_begin(w);
	if (env)
		pvm_envelope_json(w, env, PVM_SCHEMA_EVENT);
	jw_key(w, PVM_KEY_TIME);
	jw_plain_string(w, time, strlen(time));
	jw_key(w, PVM_KEY_EVENT);
	json_optional_name(w, pvm_syscall_name(r->syscall));
	jw_key(w, PVM_KEY_ABI);
	json_optional_name(w, pvm_abi_name(r->abi));
	json_caller(w, ev, memos ? &memos->caller : NULL, env);
	json_target(w, ev, memos ? &memos->target : NULL, env);
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
