// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "output/format_ocsf.h"

#include "event/entity.h"
#include "event/regions.h"
#include "json_keys.h"
#include "rules/rules.h"

#include <stdio.h>
#include <string.h>

#define OCSF_VERSION "1.1.0"
#define PRODUCT_NAME "pvmtrace"
#define NS_PER_MS 1000000ULL

/* What every line's product is, but for the sensor's version. */
#define PRODUCT_FIXED "\"name\":\"" PRODUCT_NAME "\",\"vendor_name\":\"" PRODUCT_NAME "\""

/* An OCSF class and one of its activities: type_uid is class_uid * 100 + activity_id. */
struct ocsf_type {
	unsigned int category_uid, class_uid, activity_id;
	const char *category_name, *class_name, *activity_name;
};

static const struct ocsf_type memory_read = {1, 1004, 7, "System Activity", "Memory Activity",
					     "Read"};
static const struct ocsf_type memory_write = {1, 1004, 8, "System Activity", "Memory Activity",
					      "Write"};
static const struct ocsf_type finding_create = {2, 2004, 1, "Findings", "Detection Finding",
						"Create"};

#define OCSF_STATUS_SUCCESS 1
#define OCSF_STATUS_FAILURE 2
#define OCSF_FINDING_NEW 1
#define OCSF_ANALYTIC_RULE 1
#define OCSF_FILE_REGULAR 1
#define OCSF_DEVICE_UNKNOWN 0

/*
 * "<boot id>:<caller tid>:<start_boot_ns>": a caller's thread makes one call
 * at a time, so a call's uid is unique in the boot and the same however often
 * pvmtrace restarts. A finding's adds ":<rule id>". Plain text: the envelope
 * keeps a boot id only of hex digits and dashes.
 */
#define CALL_UID_LEN (PVM_BOOT_ID_LEN + 2 * 21 + 1)
#define FINDING_UID_LEN (CALL_UID_LEN + 32)

static void uint_member(struct json_writer *w, const char *key, unsigned long long v)
{
	jw_key_text(w, key);
	jw_uint(w, v);
}

static void int_member(struct json_writer *w, const char *key, long long v)
{
	jw_key_text(w, key);
	jw_int(w, v);
}

/* "0x1f": addresses, as docs/events.md writes them */
static void hex_member(struct json_writer *w, const char *key, unsigned long long v)
{
	jw_key_text(w, key);
	jw_hex(w, v);
}

/* A name of the program's own (jw_plain_string): no escape needed. */
static void name_member(struct json_writer *w, const char *key, const char *name)
{
	jw_key_text(w, key);
	jw_plain_string(w, name, strlen(name));
}

/* Text a traced process (or the operator) may have chosen: escaped. */
static void text_member(struct json_writer *w, const char *key, const char *text)
{
	jw_key_text(w, key);
	jw_cstring(w, text);
}

/* OCSF spells user ids as strings. */
static void uint_text_member(struct json_writer *w, const char *key, unsigned long long v)
{
	char digits[21];

	snprintf(digits, sizeof(digits), "%llu", v);
	name_member(w, key, digits);
}

static unsigned long long type_uid(const struct ocsf_type *t)
{
	return t->class_uid * 100ULL + t->activity_id;
}

static const struct ocsf_type *memory_type(const struct pvm_event *ev)
{
	return ev->rec->syscall == PVM_SYS_WRITEV ? &memory_write : &memory_read;
}

static void json_type(struct json_writer *w, const struct ocsf_type *t)
{
	uint_member(w, "class_uid", t->class_uid);
	name_member(w, "class_name", t->class_name);
	uint_member(w, "category_uid", t->category_uid);
	name_member(w, "category_name", t->category_name);
	uint_member(w, "activity_id", t->activity_id);
	name_member(w, "activity_name", t->activity_name);
	uint_member(w, "type_uid", type_uid(t));
}

/* OCSF's severity_id is ours plus one: 1 Informational ... 5 Critical. */
static void json_severity(struct json_writer *w, enum pvm_severity sev)
{
	static const char *const names[] = {"Informational", "Low", "Medium", "High", "Critical"};
	unsigned int i = (unsigned int)sev < sizeof(names) / sizeof(names[0]) ? sev : 0;

	uint_member(w, "severity_id", i + 1);
	name_member(w, "severity", names[i]);
}

static void json_time(struct json_writer *w, __u64 wall_ns)
{
	uint_member(w, "time", wall_ns / NS_PER_MS);
}

/* Counts the line in env's seq, as the JSON envelope does. */
static void json_metadata(struct json_writer *w, struct pvm_envelope *env, const char *uid)
{
	jw_key(w, "metadata");
	jw_object_begin(w);
	name_member(w, "version", OCSF_VERSION);
	jw_key(w, "product");
	jw_object_begin(w);
	jw_members(w, PRODUCT_FIXED, sizeof(PRODUCT_FIXED) - 1);
	if (env->version)
		text_member(w, "version", env->version);
	jw_object_end(w);
	name_member(w, "uid", uid);
	uint_member(w, "sequence", ++env->seq);
	jw_object_end(w);
}

static void json_device(struct json_writer *w, const struct pvm_envelope *env)
{
	jw_key(w, "device");
	jw_object_begin(w);
	text_member(w, "hostname", env->host_name);
	uint_member(w, "type_id", OCSF_DEVICE_UNKNOWN);
	name_member(w, "type", "Unknown");
	jw_object_end(w);
}

/* A process as both sides are written: the caller, or a target the kernel resolved. */
struct ocsf_process {
	__u32 pid, tid, ppid, uid;
	__u64 start_boot_ns;
	const char *comm;
	size_t comm_len;
	const char *exe; /* display form; "": not known */
};

static struct ocsf_process caller_of(const struct pvm_event *ev)
{
	const struct pvm_record *r = ev->rec;

	return (struct ocsf_process){r->caller_pid, r->caller_tid, r->caller_ppid, r->caller_uid,
				     r->caller_start_boot_ns, r->comm,
				     strnlen(r->comm, sizeof(r->comm)), ev->caller_exe};
}

static struct ocsf_process target_of(const struct pvm_event *ev)
{
	const struct pvm_target *t = ev->target.t;

	return (struct ocsf_process){t->pid, t->tid, t->ppid, t->uid, t->start_boot_ns, t->comm,
				     strnlen(t->comm, sizeof(t->comm)), ev->target_exe};
}

/* "/usr/bin/foo (deleted)": name "foo (deleted)"; "...tail": the tail's last component. */
static void json_file(struct json_writer *w, const char *path)
{
	const char *slash = strrchr(path, '/');

	jw_key(w, "file");
	jw_object_begin(w);
	text_member(w, "name", slash ? slash + 1 : path);
	text_member(w, "path", path);
	uint_member(w, "type_id", OCSF_FILE_REGULAR);
	jw_object_end(w);
}

static void json_entity_uid(struct json_writer *w, const struct ocsf_process *p,
			    const struct pvm_envelope *env)
{
	unsigned char id[PVM_ENTITY_ID_BYTES];

	pvm_entity_id(id, env->boot_id, p->pid, p->start_boot_ns);
	jw_key(w, "uid");
	jw_hex_bytes(w, id, sizeof(id));
}

/* Right after its key. */
static void json_process(struct json_writer *w, const struct ocsf_process *p,
			 const struct pvm_envelope *env)
{
	jw_object_begin(w);
	uint_member(w, "pid", p->pid);
	uint_member(w, "tid", p->tid);
	jw_key(w, "name");
	jw_string(w, p->comm, p->comm_len);
	json_entity_uid(w, p, env);
	if (p->exe[0])
		json_file(w, p->exe);
	jw_key(w, "user");
	jw_object_begin(w);
	uint_text_member(w, "uid", p->uid);
	jw_object_end(w);
	jw_key(w, "parent_process");
	jw_object_begin(w);
	uint_member(w, "pid", p->ppid);
	jw_object_end(w);
	jw_object_end(w);
}

static void json_actor(struct json_writer *w, const struct pvm_event *ev,
		       const struct pvm_envelope *env)
{
	struct ocsf_process caller = caller_of(ev);

	jw_key(w, "actor");
	jw_object_begin(w);
	jw_key(w, "process");
	json_process(w, &caller, env);
	jw_object_end(w);
}

/*
 * The target as the kernel or /proc resolved it; else only the pid the call
 * named (in the caller's pid namespace): OCSF requires a process.
 */
static void json_target(struct json_writer *w, const struct pvm_event *ev,
			const struct pvm_envelope *env)
{
	struct ocsf_process target;

	jw_key(w, "process");
	if (ev->target.t->source == PVM_TARGET_KERNEL) {
		target = target_of(ev);
		json_process(w, &target, env);
		return;
	}
	jw_object_begin(w);
	int_member(w, "pid", ev->rec->pid);
	jw_object_end(w);
}

static bool reported(const struct pvm_alert *a)
{
	return a->allowed_by == NULL;
}

/* The most severe alert the allowlist did not spare; info when there is none. */
static enum pvm_severity call_severity(const struct pvm_alerts *a)
{
	enum pvm_severity top = PVM_SEV_INFO;

	for (unsigned int i = 0; a && i < a->n; i++)
		if (reported(&a->alert[i]) && a->alert[i].severity > top)
			top = a->alert[i].severity;
	return top;
}

static void json_status(struct json_writer *w, __s64 ret)
{
	const char *error = pvm_errno_name(ret);

	uint_member(w, "status_id", ret >= 0 ? OCSF_STATUS_SUCCESS : OCSF_STATUS_FAILURE);
	name_member(w, "status", ret >= 0 ? "Success" : "Failure");
	if (error)
		name_member(w, "status_detail", error);
}

/* The first remote entry's base, and the bytes moved (a failed call: the remote bytes asked). */
static void json_memory(struct json_writer *w, const struct pvm_event *ev)
{
	const struct pvm_iov_side *remote = &ev->remote;

	if (remote->state != PVM_IOV_FAULT && remote->n)
		hex_member(w, "base_address", remote->iov[0].base);
	if (ev->rec->ret >= 0)
		uint_member(w, "size", (__u64)ev->rec->ret);
	else if (remote->state == PVM_IOV_OK)
		uint_member(w, "size", remote->bytes);
}

/* The syscall's own six arguments, under the names docs/events.md gives them. */
static void json_args(struct json_writer *w, const struct pvm_record *r)
{
	jw_key(w, PVM_KEY_ARGS);
	jw_object_begin(w);
	int_member(w, PVM_KEY_PID, r->pid);
	hex_member(w, PVM_KEY_LOCAL_IOV, r->local_iov);
	uint_member(w, PVM_KEY_LIOVCNT, r->liovcnt);
	hex_member(w, PVM_KEY_REMOTE_IOV, r->remote_iov);
	uint_member(w, PVM_KEY_RIOVCNT, r->riovcnt);
	uint_member(w, PVM_KEY_FLAGS, r->flags);
	jw_object_end(w);
}

/* One per enriched remote entry: its mapping's kind, null where none was found. */
static void json_region_kinds(struct json_writer *w, const struct pvm_event *ev)
{
	jw_key(w, "remote_region_kinds");
	jw_array_begin(w);
	for (__u32 i = 0; i < ev->n_regions; i++) {
		const struct pvm_region *r = &ev->regions[i].r;
		const char *kind = pvm_region_kind_name(r->kind);

		if (r->state == PVM_REGION_FOUND)
			jw_plain_string(w, kind, strlen(kind));
		else
			jw_null(w);
	}
	jw_array_end(w);
}

/* As "data.sha256" says it (the stored file's, else the captured bytes'); NULL: none. */
static const unsigned char *payload_sha256(const struct pvm_event *ev)
{
	const struct pvm_stored_payload *s = &ev->stored;

	if (s->result == PVM_STORED_NEW || s->result == PVM_STORED_EXISTING)
		return s->sha256;
	return ev->data.state == PVM_DATA_OFF ? NULL : ev->data.sha256;
}

/* What OCSF has no attribute for, and the envelope's "host" and "sensor" as they are. */
static void json_unmapped(struct json_writer *w, const struct pvm_event *ev,
			  const struct pvm_envelope *env)
{
	const unsigned char *sha256 = payload_sha256(ev);
	const char *action = pvm_action_name(ev->rec->action);

	jw_key(w, "unmapped");
	jw_object_begin(w);
	json_args(w, ev->rec);
	name_member(w, "target_source",
		    pvm_source_name(ev->target.t->source == PVM_TARGET_UNRESOLVED, ev->target.from_proc));
	name_member(w, PVM_KEY_ABI, pvm_abi_name(ev->rec->abi));
	json_region_kinds(w, ev);
	if (action)
		name_member(w, PVM_KEY_ACTION, action);
	if (sha256) {
		jw_key(w, PVM_KEY_SHA256);
		jw_hex_bytes(w, sha256, sizeof(ev->data.sha256));
	}
	jw_members(w, env->fixed, env->fixed_len);
	jw_object_end(w);
}

static void json_memory_activity(struct json_writer *w, const struct pvm_event *ev,
				 struct pvm_envelope *env, const char *call_uid)
{
	jw_object_begin(w);
	json_type(w, memory_type(ev));
	json_time(w, ev->wall_ns);
	json_severity(w, call_severity(ev->alerts));
	json_status(w, ev->rec->ret);
	json_metadata(w, env, call_uid);
	json_device(w, env);
	json_actor(w, ev, env);
	json_target(w, ev, env);
	json_memory(w, ev);
	json_unmapped(w, ev, env);
	jw_object_end(w);
	jw_end_line(w);
}

static void json_analytic(struct json_writer *w, const struct pvm_rule *rule)
{
	jw_key(w, "analytic");
	jw_object_begin(w);
	name_member(w, "uid", rule->id);
	name_member(w, "name", rule->name);
	uint_member(w, "type_id", OCSF_ANALYTIC_RULE);
	name_member(w, "type", "Rule");
	jw_object_end(w);
}

static void json_attacks(struct json_writer *w, const struct pvm_rule *rule)
{
	jw_key(w, "attacks");
	jw_array_begin(w);
	for (const char *const *id = rule->mitre; *id; id++) {
		jw_object_begin(w);
		jw_key(w, "technique");
		jw_object_begin(w);
		name_member(w, "uid", *id);
		jw_object_end(w);
		jw_object_end(w);
	}
	jw_array_end(w);
}

/* The Memory Activity line the finding was made from. */
static void json_related_call(struct json_writer *w, const struct pvm_event *ev,
			      const char *call_uid)
{
	jw_key(w, "related_events");
	jw_array_begin(w);
	jw_object_begin(w);
	name_member(w, "uid", call_uid);
	uint_member(w, "type_uid", type_uid(memory_type(ev)));
	jw_object_end(w);
	jw_array_end(w);
}

static void json_finding_info(struct json_writer *w, const struct pvm_event *ev,
			      const struct pvm_alert *a, const char *call_uid,
			      const char *finding_uid)
{
	jw_key(w, "finding_info");
	jw_object_begin(w);
	name_member(w, "uid", finding_uid);
	name_member(w, "title", a->rule->name);
	text_member(w, "desc", a->reason);
	json_analytic(w, a->rule);
	json_attacks(w, a->rule);
	json_related_call(w, ev, call_uid);
	jw_object_end(w);
}

static void json_evidences(struct json_writer *w, const struct pvm_event *ev,
			   const struct pvm_envelope *env)
{
	jw_key(w, "evidences");
	jw_array_begin(w);
	jw_object_begin(w);
	json_actor(w, ev, env);
	json_target(w, ev, env);
	jw_object_end(w);
	jw_array_end(w);
}

static void json_finding(struct json_writer *w, const struct pvm_event *ev,
			 struct pvm_envelope *env, const struct pvm_alert *a, const char *call_uid)
{
	char uid[FINDING_UID_LEN];

	snprintf(uid, sizeof(uid), "%s:%s", call_uid, a->rule->id);
	jw_object_begin(w);
	json_type(w, &finding_create);
	json_time(w, ev->wall_ns);
	json_severity(w, a->severity);
	uint_member(w, "status_id", OCSF_FINDING_NEW);
	name_member(w, "status", "New");
	text_member(w, "message", a->reason);
	json_metadata(w, env, uid);
	json_device(w, env);
	json_finding_info(w, ev, a, call_uid, uid);
	json_evidences(w, ev, env);
	jw_object_end(w);
	jw_end_line(w);
}

void pvm_format_ocsf(struct json_writer *w, const struct pvm_event *ev, struct pvm_envelope *env)
{
	char call_uid[CALL_UID_LEN];

	snprintf(call_uid, sizeof(call_uid), "%s:%u:%llu", env->boot_id, ev->rec->caller_tid,
		 (unsigned long long)ev->rec->start_boot_ns);
	json_memory_activity(w, ev, env, call_uid);
	for (unsigned int i = 0; ev->alerts && i < ev->alerts->n; i++)
		if (reported(&ev->alerts->alert[i]))
			json_finding(w, ev, env, &ev->alerts->alert[i], call_uid);
}
