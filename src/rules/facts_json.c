// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The facts of a recorded event, from its JSON (docs/events.md): the mirror
 * of facts_event.c, key for key. The line is input a traced process may have
 * shaped (names) or anyone may have edited: every key is checked for its type
 * and range, every text for the length pvmtrace can write, nothing is trusted
 * to fit.
 */
#include "rules/facts_json.h"

#include <json-c/json_object.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "event/container.h"
#include "event/event.h"
#include "json_keys.h"

static __thread char why_buf[192];

__attribute__((format(printf, 2, 3))) static int fail(const char **why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why_buf, sizeof(why_buf), fmt, ap);
	va_end(ap);
	*why = why_buf;
	return -1;
}

/* "'caller.pid'": `at` is the object's own path, "" at the top. */
#define KEY "'%s%s%s'"
#define KEY_ARGS(at, key) (at), *(at) ? "." : "", (key)

static const char *type_name(json_type type)
{
	switch (type) {
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	case json_type_boolean:
		return "a boolean";
	default:
		return "an integer";
	}
}

/* obj[key], of `type`; *out is NULL for a JSON null when `nullable`. */
static int member(json_object *obj, const char *at, const char *key, json_type type,
		  bool nullable, json_object **out, const char **why)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v))
		return fail(why, "missing key " KEY, KEY_ARGS(at, key));
	if (!v && nullable) {
		*out = NULL;
		return 0;
	}
	if (!json_object_is_type(v, type))
		return fail(why, KEY " is not %s%s", KEY_ARGS(at, key), type_name(type),
			    nullable ? " or null" : "");
	*out = v;
	return 0;
}

/* json-c keeps integers as int64 or uint64; anything else is no integer. */
static int uint_of(json_object *v, const char *at, const char *key, uint64_t max, uint64_t *out,
		   const char **why)
{
	if (json_object_get_int64(v) < 0 || json_object_get_uint64(v) > max)
		return fail(why, KEY " is out of range (0 to %llu)", KEY_ARGS(at, key),
			    (unsigned long long)max);
	*out = json_object_get_uint64(v);
	return 0;
}

static int get_u64(json_object *obj, const char *at, const char *key, uint64_t *out,
		   const char **why)
{
	json_object *v;

	return member(obj, at, key, json_type_int, false, &v, why) ||
	       uint_of(v, at, key, UINT64_MAX, out, why);
}

static int get_u32(json_object *obj, const char *at, const char *key, uint32_t *out,
		   const char **why)
{
	json_object *v;
	uint64_t u;

	if (member(obj, at, key, json_type_int, false, &v, why) ||
	    uint_of(v, at, key, UINT32_MAX, &u, why))
		return -1;
	*out = (uint32_t)u;
	return 0;
}

static int get_int(json_object *obj, const char *at, const char *key, int64_t min, int64_t max,
		   int64_t *out, const char **why)
{
	json_object *v;
	int64_t i;

	if (member(obj, at, key, json_type_int, false, &v, why))
		return -1;
	i = json_object_get_int64(v);
	/* a uint64 above INT64_MAX reads as INT64_MAX */
	if ((i >= 0 && json_object_get_uint64(v) != (uint64_t)i) || i < min || i > max)
		return fail(why, KEY " is out of range (%lld to %lld)", KEY_ARGS(at, key),
			    (long long)min, (long long)max);
	*out = i;
	return 0;
}

static int get_bool(json_object *obj, const char *at, const char *key, bool *out,
		    const char **why)
{
	json_object *v;

	if (member(obj, at, key, json_type_boolean, false, &v, why))
		return -1;
	*out = json_object_get_boolean(v);
	return 0;
}

/* A string without NUL bytes (a "\u0000" would cut it short): NULL for null. */
static int string_of(json_object *v, const char *at, const char *key, const char **out,
		     const char **why)
{
	const char *s = json_object_get_string(v);

	if (strlen(s) != (size_t)json_object_get_string_len(v))
		return fail(why, KEY " holds a NUL byte", KEY_ARGS(at, key));
	*out = s;
	return 0;
}

static int get_string(json_object *obj, const char *at, const char *key, bool nullable,
		      const char **out, const char **why)
{
	json_object *v;

	if (member(obj, at, key, json_type_string, nullable, &v, why))
		return -1;
	*out = NULL;
	return v ? string_of(v, at, key, out, why) : 0;
}

/*
 * The most bytes each text can have in pvmtrace's own lines: what its buffer
 * holds. task->comm always ends in a NUL within TASK_COMM_LEN, even read
 * while it changes; an executable is shown as pvm_exe_display() makes it; a
 * region's path fills at most a PATH_MAX buffer (event/regions.h).
 */
#define COMM_MAX (PVM_COMM_LEN - 1)
#define EXE_MAX (PVM_EXE_DISPLAY_MAX - 1)
#define CONTAINER_MAX PVM_CONTAINER_ID_LEN
#define REGION_PATH_MAX (PATH_MAX - 1)

/*
 * The fewest bytes s can have been written from. pvm_json_escape() writes a
 * byte of invalid UTF-8 as U+FFFD, three bytes once read back, so each U+FFFD
 * counts as one byte: a comm of 15 such bytes reads as 45 and is one.
 */
static size_t written_from(const char *s)
{
	static const char replacement[] = "\xef\xbf\xbd";
	size_t len = strlen(s), n = len;

	for (const char *p = s; (p = memmem(p, len - (size_t)(p - s), replacement, 3)); p += 3)
		n -= 2;
	return n;
}

/* Longer than pvmtrace writes it: edited, or not pvmtrace's line. NULL fits. */
static int within(const char *s, size_t max, const char *at, const char *key, const char **why)
{
	if (s && written_from(s) > max)
		return fail(why, KEY " is longer than %zu bytes", KEY_ARGS(at, key), max);
	return 0;
}

/* get_string() of a text of at most `max` bytes. */
static int get_text(json_object *obj, const char *at, const char *key, bool nullable,
		    size_t max, const char **out, const char **why)
{
	return get_string(obj, at, key, nullable, out, why) || within(*out, max, at, key, why);
}

/*
 * A string that must be one of names[0..n) (NULL slots are not names): *out
 * is its index, or -1 for a JSON null when `nullable`.
 */
static int get_name(json_object *obj, const char *at, const char *key, const char *const *names,
		    int n, bool nullable, int *out, const char **why)
{
	const char *s, *listed[8];
	char expected[96] = "";
	int k = 0;

	if (get_string(obj, at, key, nullable, &s, why))
		return -1;
	*out = -1;
	if (!s)
		return 0;
	for (int i = 0; i < n; i++)
		if (names[i] && !strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	/* "'abi' is not x86_64 or ia32" */
	for (int i = 0; i < n && k < 7; i++)
		if (names[i])
			listed[k++] = names[i];
	if (nullable)
		listed[k++] = "null";
	for (int i = 0; i < k; i++)
		snprintf(expected + strlen(expected), sizeof(expected) - strlen(expected), "%s%s",
			 !i ? "" : i == k - 1 ? " or " : ", ", listed[i]);
	return fail(why, KEY " is not %s", KEY_ARGS(at, key), expected);
}

#define NAMES(a) (a), (int)(sizeof(a) / sizeof((a)[0]))

static const char *const calls[] = {
	[PVM_SYS_READV] = PVM_EVENT_READV,
	[PVM_SYS_WRITEV] = PVM_EVENT_WRITEV,
};
static const char *const abis[] = {
	[PVM_ABI_X86_64] = PVM_ABI_NAME_X86_64,
	[PVM_ABI_IA32] = PVM_ABI_NAME_IA32,
};
static const char *const codes[] = {
	[PVM_CODE_64] = PVM_CODE_NAME_64,
	[PVM_CODE_32] = PVM_CODE_NAME_32,
};
static const char *const kinds[] = {
	[PVM_FACT_REGION_HEAP] = PVM_KIND_HEAP, [PVM_FACT_REGION_STACK] = PVM_KIND_STACK,
	[PVM_FACT_REGION_ANON] = PVM_KIND_ANON, [PVM_FACT_REGION_FILE] = PVM_KIND_FILE,
	[PVM_FACT_REGION_VDSO] = PVM_KIND_VDSO,
};

/* target.source and remote_iov[].region.source */
enum { SOURCE_KERNEL, SOURCE_PROC, SOURCE_UNRESOLVED };
static const char *const sources[] = {
	[SOURCE_KERNEL] = PVM_SOURCE_KERNEL,
	[SOURCE_PROC] = PVM_SOURCE_PROC,
	[SOURCE_UNRESOLVED] = PVM_SOURCE_UNRESOLVED,
};

/* "0x" and 1 to 16 hex digits, as jw_hex() writes them. */
static int get_hex(json_object *obj, const char *at, const char *key, uint64_t *out,
		   const char **why)
{
	const char *s;
	size_t len;

	if (get_string(obj, at, key, false, &s, why))
		return -1;
	len = strlen(s);
	if (len < 3 || len > 18 || s[0] != '0' || s[1] != 'x' ||
	    strspn(s + 2, "0123456789abcdefABCDEF") != len - 2)
		return fail(why, KEY " is not an address (\"0x\" and 1 to 16 hex digits)",
			    KEY_ARGS(at, key));
	*out = 0;
	for (const char *p = s + 2; *p; p++)
		*out = *out << 4 | (uint64_t)(*p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10);
	return 0;
}

/* "rwxp" as in /proc/PID/maps, each position its letter or '-'; 's' or 'p' last. */
static int get_perms(json_object *obj, const char *at, struct pvm_fact_region *r,
		     const char **why)
{
	const char *p;

	if (get_string(obj, at, PVM_KEY_PERMS, false, &p, why))
		return -1;
	if (strlen(p) != 4 || (p[0] != 'r' && p[0] != '-') || (p[1] != 'w' && p[1] != '-') ||
	    (p[2] != 'x' && p[2] != '-') || (p[3] != 's' && p[3] != 'p'))
		return fail(why, KEY " is not like \"rwxp\"", KEY_ARGS(at, PVM_KEY_PERMS));
	r->read = p[0] == 'r';
	r->write = p[1] == 'w';
	r->exec = p[2] == 'x';
	r->shared = p[3] == 's';
	return 0;
}

/* An array or null (then *list is NULL): *n, its first `max` entries, are read. */
static int get_array(json_object *obj, const char *at, const char *key, unsigned int max,
		     json_object **list, unsigned int *n, const char **why)
{
	size_t len;

	if (member(obj, at, key, json_type_array, true, list, why))
		return -1;
	len = *list ? json_object_array_length(*list) : 0;
	*n = len < max ? (unsigned int)len : max;
	return 0;
}

static int ancestors_from_json(json_object *caller, struct pvm_facts *f, const char **why)
{
	json_object *list; /* null: not looked up */

	if (get_array(caller, PVM_KEY_CALLER, PVM_KEY_ANCESTORS, PVM_FACTS_ANCESTORS, &list,
		      &f->caller.n_ancestors, why))
		return -1;
	for (unsigned int i = 0; i < f->caller.n_ancestors; i++) {
		json_object *v = json_object_array_get_idx(list, i);
		char at[32];
		const char *s = NULL;

		snprintf(at, sizeof(at), PVM_KEY_ANCESTORS "[%u]", i);
		if (v && !json_object_is_type(v, json_type_string))
			return fail(why, "'" PVM_KEY_CALLER ".%s' is not a string or null", at);
		if (v && (string_of(v, PVM_KEY_CALLER, at, &s, why) ||
			  within(s, EXE_MAX, PVM_KEY_CALLER, at, why)))
			return -1;
		pvm_fact_path_set(f, &f->caller.ancestors[i], s);
	}
	return 0;
}

static int caller_from_json(json_object *ev, struct pvm_facts *f, const char **why)
{
	const char *comm, *exe, *container;
	json_object *c;
	int code;

	if (member(ev, "", PVM_KEY_CALLER, json_type_object, false, &c, why) ||
	    get_u32(c, PVM_KEY_CALLER, PVM_KEY_PID, &f->caller.pid, why) ||
	    get_u32(c, PVM_KEY_CALLER, PVM_KEY_TID, &f->caller.tid, why) ||
	    get_u32(c, PVM_KEY_CALLER, PVM_KEY_UID, &f->caller.uid, why) ||
	    get_u32(c, PVM_KEY_CALLER, PVM_KEY_PIDNS, &f->caller.pidns, why) ||
	    get_text(c, PVM_KEY_CALLER, PVM_KEY_COMM, false, COMM_MAX, &comm, why) ||
	    get_text(c, PVM_KEY_CALLER, PVM_KEY_EXE, true, EXE_MAX, &exe, why) ||
	    get_name(c, PVM_KEY_CALLER, PVM_KEY_CODE, NAMES(codes), true, &code, why) ||
	    get_text(c, PVM_KEY_CALLER, PVM_KEY_CONTAINER_ID, true, CONTAINER_MAX, &container,
		     why))
		return -1;
	f->code = code < 0 ? PVM_CODE_UNKNOWN : (enum pvm_code_mode)code;
	pvm_fact_comm_set(f->caller.comm, comm, PVM_FACTS_COMM_LEN);
	pvm_fact_path_set(f, &f->caller.exe, exe);
	f->caller.container_known = true; /* null: the host */
	if (container)
		memcpy(f->caller.container, container,
		       strnlen(container, sizeof(f->caller.container) - 1));
	return ancestors_from_json(c, f, why);
}

static int target_from_json(json_object *ev, struct pvm_facts *f, const char **why)
{
	const char *comm, *exe;
	json_object *t;
	int source;

	if (member(ev, "", PVM_KEY_TARGET, json_type_object, true, &t, why))
		return -1;
	if (!t) {
		f->target.state = PVM_FACT_TARGET_NONE;
		return 0;
	}
	if (get_name(t, PVM_KEY_TARGET, PVM_KEY_SOURCE, NAMES(sources), false, &source, why))
		return -1;
	if (source == SOURCE_UNRESOLVED) {
		f->target.state = PVM_FACT_TARGET_UNRESOLVED;
		return 0;
	}
	/* kernel or proc: resolved, the same facts */
	f->target.state = PVM_FACT_TARGET_KNOWN;
	if (get_u32(t, PVM_KEY_TARGET, PVM_KEY_PID, &f->target.pid, why) ||
	    get_u32(t, PVM_KEY_TARGET, PVM_KEY_UID, &f->target.uid, why) ||
	    get_u32(t, PVM_KEY_TARGET, PVM_KEY_PIDNS, &f->target.pidns, why) ||
	    get_text(t, PVM_KEY_TARGET, PVM_KEY_COMM, false, COMM_MAX, &comm, why) ||
	    get_text(t, PVM_KEY_TARGET, PVM_KEY_EXE, true, EXE_MAX, &exe, why) ||
	    get_bool(t, PVM_KEY_TARGET, PVM_KEY_SAME_PROCESS, &f->target.same_process, why) ||
	    get_bool(t, PVM_KEY_TARGET, PVM_KEY_CHILD, &f->target.child, why) ||
	    get_bool(t, PVM_KEY_TARGET, PVM_KEY_PARENT, &f->target.parent, why) ||
	    get_bool(t, PVM_KEY_TARGET, PVM_KEY_SAME_UID, &f->target.same_uid, why) ||
	    get_bool(t, PVM_KEY_TARGET, PVM_KEY_SAME_PIDNS, &f->target.same_pidns, why))
		return -1;
	pvm_fact_comm_set(f->target.comm, comm, PVM_FACTS_COMM_LEN);
	pvm_fact_path_set(f, &f->target.exe, exe);
	return 0;
}

/* null: in no mapping; source unresolved: nobody looked. */
static int region_from_json(json_object *iov, const char *at, struct pvm_facts *f,
			    struct pvm_fact_region *out, const char **why)
{
	char here[48];
	const char *path;
	json_object *r;
	int source, kind;

	if (member(iov, at, PVM_KEY_REGION, json_type_object, true, &r, why))
		return -1;
	if (!r) {
		out->kind = PVM_FACT_REGION_NONE;
		return 0;
	}
	snprintf(here, sizeof(here), "%s." PVM_KEY_REGION, at);
	if (get_name(r, here, PVM_KEY_SOURCE, NAMES(sources), false, &source, why))
		return -1;
	if (source == SOURCE_UNRESOLVED)
		return 0; /* PVM_FACT_REGION_UNKNOWN */
	if (get_name(r, here, PVM_KEY_KIND, NAMES(kinds), false, &kind, why) ||
	    get_perms(r, here, out, why) ||
	    get_text(r, here, PVM_KEY_PATH, true, REGION_PATH_MAX, &path, why))
		return -1;
	out->kind = (enum pvm_fact_region_kind)kind;
	pvm_fact_path_set(f, &out->path, path);
	return 0;
}

static int regions_from_json(json_object *ev, struct pvm_facts *f, const char **why)
{
	json_object *list; /* null: the array could not be read */

	if (get_array(ev, "", PVM_KEY_REMOTE_IOV, PVM_FACTS_REGIONS, &list, &f->n_regions, why))
		return -1;
	for (unsigned int i = 0; i < f->n_regions; i++) {
		json_object *iov = json_object_array_get_idx(list, i);
		struct pvm_fact_region *out = &f->regions[i];
		char at[32];

		snprintf(at, sizeof(at), PVM_KEY_REMOTE_IOV "[%u]", i);
		if (!json_object_is_type(iov, json_type_object))
			return fail(why, "'%s' is not an object", at);
		if (get_hex(iov, at, PVM_KEY_BASE, &out->base, why) ||
		    get_u64(iov, at, PVM_KEY_LEN, &out->len, why) ||
		    region_from_json(iov, at, f, out, why))
			return -1;
	}
	return 0;
}

/* What the call moved; for a failed write, what it asked to move. */
static int payload_from_json(json_object *ev, struct pvm_facts *f, const char **why)
{
	json_object *local;

	if (member(ev, "", PVM_KEY_LOCAL_BYTES, json_type_int, true, &local, why))
		return -1;
	if (f->ret > 0)
		f->payload = (uint64_t)f->ret;
	else if (f->call == PVM_SYS_WRITEV && local)
		return uint_of(local, "", PVM_KEY_LOCAL_BYTES, UINT64_MAX, &f->payload, why);
	return 0;
}

int pvm_facts_from_json(json_object *ev, struct pvm_facts *f, const char **why)
{
	json_object *args;
	int64_t pid;
	int call, abi;

	pvm_facts_start(f);
	if (!json_object_is_type(ev, json_type_object))
		return fail(why, "not an event object");
	if (get_name(ev, "", PVM_KEY_EVENT, NAMES(calls), false, &call, why) ||
	    get_name(ev, "", PVM_KEY_ABI, NAMES(abis), false, &abi, why) ||
	    get_int(ev, "", PVM_KEY_RET, INT64_MIN, INT64_MAX, &f->ret, why) ||
	    member(ev, "", PVM_KEY_ARGS, json_type_object, false, &args, why) ||
	    get_int(args, PVM_KEY_ARGS, PVM_KEY_PID, INT32_MIN, INT32_MAX, &pid, why))
		return -1;
	f->call = (enum pvm_syscall)call;
	f->abi = (enum pvm_abi)abi;
	f->pid_arg = (int32_t)pid;
	if (payload_from_json(ev, f, why) || caller_from_json(ev, f, why) ||
	    target_from_json(ev, f, why) || regions_from_json(ev, f, why))
		return -1;
	pvm_facts_classify(f);
	return 0;
}
