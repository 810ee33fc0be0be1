// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "rules/rules.h"

#include <inttypes.h>
#include <string.h>
#include <strings.h>

static const char *const severity_names[] = {"info", "low", "medium", "high", "critical"};
static const char *const severity_tags[] = {"INFO", "LOW", "MED", "HIGH", "CRIT"};

#define N_SEVERITIES (sizeof(severity_names) / sizeof(severity_names[0]))

const char *pvm_severity_name(enum pvm_severity sev)
{
	return (unsigned int)sev < N_SEVERITIES ? severity_names[sev] : NULL;
}

const char *pvm_severity_tag(enum pvm_severity sev)
{
	return (unsigned int)sev < N_SEVERITIES ? severity_tags[sev] : NULL;
}

int pvm_severity_parse(const char *s, enum pvm_severity *sev)
{
	for (unsigned int i = 0; i < N_SEVERITIES; i++)
		if (!strcasecmp(s, severity_names[i])) {
			*sev = (enum pvm_severity)i;
			return 0;
		}
	return -1;
}

/* ---- what the reasons say ---- */

/*
 * Bounded appends, cut as snprintf cuts, for the two texts almost every
 * foreign call's reason is made of: snprintf's format parsing costs more
 * than the text. The rarer reasons keep snprintf.
 */
struct text {
	char *buf;
	size_t len; /* of buf, at least 1 */
	size_t at;  /* where the NUL is */
};

static struct text text_start(char *buf, size_t len)
{
	buf[0] = '\0';
	return (struct text){.buf = buf, .len = len, .at = 0};
}

static void text_bytes(struct text *t, const char *s, size_t n)
{
	size_t room = t->len - 1 - t->at;

	if (n > room)
		n = room;
	memcpy(t->buf + t->at, s, n);
	t->at += n;
	t->buf[t->at] = '\0';
}

static void text_str(struct text *t, const char *s)
{
	text_bytes(t, s, strlen(s));
}

static void text_int(struct text *t, int64_t v)
{
	char digits[21];
	size_t n = sizeof(digits);
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	do {
		digits[--n] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		digits[--n] = '-';
	text_bytes(t, digits + n, sizeof(digits) - n);
}

/* "pid 4300 (victim) owned by uid 0"; the target as the call named it. */
static void target_append(struct text *t, const struct pvm_facts *f)
{
	text_str(t, "pid ");
	if (f->target.state != PVM_FACT_TARGET_KNOWN) {
		text_int(t, f->pid_arg);
		text_str(t, f->target.state == PVM_FACT_TARGET_NONE
				    ? ", which named no process"
				    : ", which the sensor could not resolve");
		return;
	}
	text_int(t, f->target.pid);
	text_str(t, " (");
	text_str(t, f->target.comm);
	text_str(t, ") owned by uid ");
	text_int(t, f->target.uid);
}

static void target_text(const struct pvm_facts *f, char *buf, size_t len)
{
	struct text t = text_start(buf, len);

	target_append(&t, f);
}

static const char *errno_text(int64_t ret)
{
	const char *name = ret < 0 && ret >= -4095 ? strerrorname_np((int)-ret) : NULL;

	return name ? name : "EUNKNOWN";
}

/* "uids 1000 -> 0 and pid namespaces 4026532201 -> 4026531836" */
static bool boundary_text(const struct pvm_facts *f, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	if (f->target.state != PVM_FACT_TARGET_KNOWN || f->target.same_process)
		return false;
	if (!f->target.same_uid)
		at += snprintf(buf + at, len - at, "uids %" PRIu32 " -> %" PRIu32, f->caller.uid,
			       f->target.uid);
	if (!f->target.same_pidns && at < len)
		at += snprintf(buf + at, len - at, "%spid namespaces %" PRIu32 " -> %" PRIu32,
			       at ? " and " : "", f->caller.pidns, f->target.pidns);
	if (f->caller.container_known && f->target.container_known &&
	    strcmp(f->caller.container, f->target.container) && at < len)
		at += snprintf(buf + at, len - at, "%scontainers %.12s -> %.12s", at ? " and " : "",
			       f->caller.container[0] ? f->caller.container : "host",
			       f->target.container[0] ? f->target.container : "host");
	return at > 0;
}

/* ---- the conditions ---- */

static bool is_write(const struct pvm_facts *f)
{
	return f->call == PVM_SYS_WRITEV;
}

/* A call that moved bytes to or from another thread group. */
static bool foreign_success(const struct pvm_facts *f)
{
	return f->ret > 0 && pvm_facts_foreign(f) == PVM_FOREIGN_YES;
}

#define PATH_SHOWN 200

/* A path in a reason: at most its last PATH_SHOWN bytes, "..." where cut. */
static void path_text(const struct pvm_facts *f, const struct pvm_fact_path *p, char *buf,
		      size_t len)
{
	size_t n = p->len;
	const char *tail = pvm_fact_path_text(f, p) + (n > PATH_SHOWN ? n - PATH_SHOWN : 0);
	bool cut = (n > PATH_SHOWN || p->truncated) && strncmp(tail, "...", 3);

	snprintf(buf, len, "%s%s", cut ? "..." : "", tail);
}

/*
 * Where a write hijacks control flow or code: the stack (return addresses),
 * an rwx mapping (JIT or shellcode pages), a writable mapping of an
 * executable or library (its data, GOT, function pointers). Returns the word
 * that joins the text to the target ("of", or "in" after a path), or NULL.
 */
static const char *sensitive_region(const struct pvm_facts *f, const struct pvm_fact_region *r,
				    char *buf, size_t len)
{
	char path[PATH_SHOWN + 4];

	if (r->kind != PVM_FACT_REGION_STACK && !(r->write && (r->exec || r->image)))
		return NULL; /* before the path's text: most writes land in no such place */
	path_text(f, &r->path, path, sizeof(path));
	if (r->kind == PVM_FACT_REGION_STACK) {
		snprintf(buf, len, "the stack");
	} else if (r->write && r->exec) {
		snprintf(buf, len, "an rwx mapping%s%s", r->path.known ? " of " : "", path);
		return r->path.known ? "in" : "of";
	} else if (r->write && r->image && r->path.known) {
		snprintf(buf, len, "the writable mapping of %s", path);
		return "in";
	} else if (r->write && r->image) {
		snprintf(buf, len, "a writable private file mapping");
	} else {
		return NULL;
	}
	return "of";
}

/*
 * Processes that hold keys or passwords in memory, matched against the
 * target's comm (its first 15 bytes) and its executable's name.
 */
static const char *const credential_holders[] = {
	"ssh-agent", "gpg-agent", "sshd", "sshd-session", "sshd-auth", "gnome-keyring-daemon",
	"kwalletd*", "ksecretd", "keepassxc", "oo7-daemon", "pass-secret-service",
};

static bool name_matches(const char *pattern, const char *name, bool comm)
{
	size_t max = PVM_FACTS_COMM_LEN - 1;

	if (comm && !strpbrk(pattern, "*?[") && strlen(pattern) > max)
		return strlen(name) == max && !strncmp(pattern, name, max);
	return pvm_glob_match(pattern, name, 0);
}

static const char *credential_holder(const struct pvm_facts *f)
{
	const char *base = f->target.exe.known ? pvm_fact_basename(f, &f->target.exe) : "";

	for (size_t i = 0; i < sizeof(credential_holders) / sizeof(credential_holders[0]); i++)
		if (name_matches(credential_holders[i], f->target.comm, true) ||
		    (*base && name_matches(credential_holders[i], base, false)))
			return credential_holders[i];
	return NULL;
}

/* ---- the rules ---- */

/*
 * "wrote 64 bytes into pid 4300 (victim) owned by uid 1000" or "read 64 bytes
 * from ...", then `tail`: the one sentence the success rules share.
 */
static bool moved_text(const struct pvm_facts *f, char *reason, size_t len, const char *tail)
{
	struct text t = text_start(reason, len);

	text_str(&t, is_write(f) ? "wrote " : "read ");
	text_int(&t, f->ret);
	text_str(&t, is_write(f) ? " bytes into " : " bytes from ");
	target_append(&t, f);
	text_str(&t, tail);
	return true;
}

static bool foreign_write(const struct pvm_facts *f, char *reason, size_t len)
{
	return is_write(f) && foreign_success(f) && moved_text(f, reason, len, "");
}

static bool write_sensitive_region(const struct pvm_facts *f, char *reason, size_t len)
{
	char target[128], where[256];
	const char *join;

	if (!is_write(f) || !foreign_success(f))
		return false;
	for (unsigned int i = 0; i < f->n_regions; i++) {
		if (!pvm_facts_region_reached(f, i))
			continue;
		join = sensitive_region(f, &f->regions[i], where, sizeof(where));
		if (!join)
			continue;
		target_text(f, target, sizeof(target));
		snprintf(reason, len, "wrote %" PRId64 " bytes into %s %s %s", f->ret, where, join,
			 target);
		return true;
	}
	return false;
}

/* ", across uids 1000 -> 0": a success rule's tail when it crossed a boundary. */
static bool across_text(const struct pvm_facts *f, char *buf, size_t len)
{
	char across[192];

	if (!boundary_text(f, across, sizeof(across)))
		return false;
	snprintf(buf, len, ", across %s", across);
	return true;
}

static bool write_across_boundary(const struct pvm_facts *f, char *reason, size_t len)
{
	char tail[208];

	return is_write(f) && foreign_success(f) && across_text(f, tail, sizeof(tail)) &&
	       moved_text(f, reason, len, tail);
}

static void failed_write_text(const struct pvm_facts *f, char *reason, size_t len,
			      const char *target)
{
	if (f->payload)
		snprintf(reason, len, "failed (%s) to write %" PRIu64 " bytes into %s",
			 errno_text(f->ret), f->payload, target);
	else
		snprintf(reason, len, "failed (%s) to write into %s", errno_text(f->ret), target);
}

static bool write_failed(const struct pvm_facts *f, char *reason, size_t len)
{
	char target[128];

	if (!is_write(f) || f->ret >= 0 || pvm_facts_foreign(f) != PVM_FOREIGN_YES)
		return false;
	target_text(f, target, sizeof(target));
	failed_write_text(f, reason, len, target);
	return true;
}

static bool write_unresolved(const struct pvm_facts *f, char *reason, size_t len)
{
	char target[128];

	if (!is_write(f) || f->ret == 0 || pvm_facts_foreign(f) != PVM_FOREIGN_UNKNOWN)
		return false;
	if (f->ret > 0)
		return moved_text(f, reason, len, "");
	target_text(f, target, sizeof(target));
	failed_write_text(f, reason, len, target);
	return true;
}

static bool ia32_from_64bit(const struct pvm_facts *f, char *reason, size_t len)
{
	char target[128];

	if (f->abi != PVM_ABI_IA32 || f->code != PVM_CODE_64)
		return false;
	target_text(f, target, sizeof(target));
	snprintf(reason, len, "%s through the 32-bit syscall ABI from 64-bit code, naming %s",
		 is_write(f) ? "process_vm_writev" : "process_vm_readv", target);
	return true;
}

static bool foreign_read(const struct pvm_facts *f, char *reason, size_t len)
{
	return !is_write(f) && foreign_success(f) && moved_text(f, reason, len, "");
}

static bool read_across_boundary(const struct pvm_facts *f, char *reason, size_t len)
{
	char tail[208];

	return !is_write(f) && foreign_success(f) && across_text(f, tail, sizeof(tail)) &&
	       moved_text(f, reason, len, tail);
}

static bool read_credentials(const struct pvm_facts *f, char *reason, size_t len)
{
	const char *holder;
	char tail[64];

	if (is_write(f) || !foreign_success(f) || f->target.state != PVM_FACT_TARGET_KNOWN)
		return false;
	holder = credential_holder(f);
	if (!holder)
		return false;
	snprintf(tail, sizeof(tail), ", a credential holder (%s)", holder);
	return moved_text(f, reason, len, tail);
}

/*
 * ATT&CK has no sub-technique for process_vm_writev: T1055.008 is ptrace and
 * T1055.009 is /proc/PID/mem. Reads serve credential dumping (T1003; T1555
 * for password stores). docs/rules.md says why each id is there.
 */
static const char *const mitre_injection[] = {"T1055", NULL};
static const char *const mitre_dumping[] = {"T1003", NULL};
static const char *const mitre_stores[] = {"T1003", "T1555", NULL};

const struct pvm_rule pvm_rules[PVM_RULE_COUNT] = {
	[PVM_RULE_FOREIGN_WRITE] = {"PVM-W001", "foreign-write", PVM_SEV_HIGH,
				    mitre_injection, true, foreign_write},
	[PVM_RULE_WRITE_SENSITIVE_REGION] = {"PVM-W002", "foreign-write-sensitive-region",
					     PVM_SEV_CRITICAL, mitre_injection, true,
					     write_sensitive_region},
	[PVM_RULE_WRITE_ACROSS_BOUNDARY] = {"PVM-W003", "foreign-write-across-boundary",
					    PVM_SEV_CRITICAL, mitre_injection, true,
					    write_across_boundary},
	[PVM_RULE_WRITE_FAILED] = {"PVM-W004", "foreign-write-failed", PVM_SEV_MEDIUM,
				   mitre_injection, false, write_failed},
	[PVM_RULE_WRITE_UNRESOLVED] = {"PVM-W005", "write-unresolved-target", PVM_SEV_LOW,
				       mitre_injection, false, write_unresolved},
	[PVM_RULE_IA32_FROM_64BIT] = {"PVM-A001", "ia32-abi-from-64bit-code", PVM_SEV_HIGH,
				      mitre_injection, true, ia32_from_64bit},
	[PVM_RULE_FOREIGN_READ] = {"PVM-R001", "foreign-read", PVM_SEV_MEDIUM, mitre_dumping,
				   true, foreign_read},
	[PVM_RULE_READ_ACROSS_BOUNDARY] = {"PVM-R002", "foreign-read-across-boundary",
					   PVM_SEV_HIGH, mitre_dumping, true,
					   read_across_boundary},
	[PVM_RULE_READ_CREDENTIALS] = {"PVM-R003", "foreign-read-credential-holder",
				       PVM_SEV_HIGH, mitre_stores, true, read_credentials},
};

const struct pvm_rule *pvm_rule_find(const char *id)
{
	for (unsigned int i = 0; i < PVM_RULE_COUNT; i++)
		if (!strcmp(pvm_rules[i].id, id))
			return &pvm_rules[i];
	return NULL;
}

/* Ends the reason with "; allowed by WHERE", cutting the reason if it must. */
static void mark_allowed(struct pvm_alert *a, const char *where)
{
	char suffix[PVM_REASON_MAX / 2];
	size_t n = (size_t)snprintf(suffix, sizeof(suffix), "; allowed by %s", where);
	size_t keep = strlen(a->reason);

	if (n >= sizeof(suffix))
		n = sizeof(suffix) - 1;
	if (keep > sizeof(a->reason) - 1 - n)
		keep = sizeof(a->reason) - 1 - n;
	memcpy(a->reason + keep, suffix, n);
	a->reason[keep + n] = '\0';
	a->severity = PVM_SEV_INFO;
	a->allowed_by = where;
}

unsigned int pvm_rules_eval(const struct pvm_facts *f, const struct pvm_allowlist *allow,
			    struct pvm_alerts *out)
{
	out->n = 0;
	if (pvm_facts_foreign(f) == PVM_FOREIGN_NO)
		return 0; /* its own memory, from any of its threads */
	for (unsigned int i = 0; i < PVM_RULE_COUNT; i++) {
		struct pvm_alert *a = &out->alert[out->n];

		a->reason[0] = '\0';
		if (!pvm_rules[i].match(f, a->reason, sizeof(a->reason)))
			continue;
		a->rule = &pvm_rules[i];
		a->severity = pvm_rules[i].severity;
		a->allowed_by = NULL;
		out->n++;
	}
	pvm_alerts_allow(out, f, allow);
	return out->n;
}

/* The alerts of `from` into `to`, each reason up to its end only. */
static void alerts_copy(struct pvm_alerts *to, const struct pvm_alerts *from)
{
	to->n = from->n;
	for (unsigned int i = 0; i < from->n; i++) {
		const struct pvm_alert *a = &from->alert[i];
		struct pvm_alert *b = &to->alert[i];

		b->rule = a->rule;
		b->severity = a->severity;
		b->allowed_by = a->allowed_by;
		memcpy(b->reason, a->reason, strnlen(a->reason, sizeof(a->reason) - 1) + 1);
	}
}

static void allow_by(struct pvm_alerts *a, const struct pvm_allow_entry *entry)
{
	for (unsigned int i = 0; entry && i < a->n; i++)
		mark_allowed(&a->alert[i], entry->where);
}

void pvm_alerts_allow(struct pvm_alerts *a, const struct pvm_facts *f,
		      const struct pvm_allowlist *allow)
{
	allow_by(a, a->n ? pvm_allowlist_match(allow, f) : NULL);
}

unsigned int pvm_judge_rules(const struct pvm_facts *f, struct pvm_judge_memo *m,
			     struct pvm_alerts *out)
{
	if (!pvm_memo_inputs_kept(&m->rules_facts, &m->rules_len, f, pvm_facts_len(f)))
		pvm_rules_eval(f, NULL, &m->rules);
	alerts_copy(out, &m->rules);
	return out->n;
}

void pvm_judge_allow(struct pvm_alerts *a, const struct pvm_facts *f,
		     const struct pvm_allowlist *allow, struct pvm_judge_memo *m)
{
	if (!a->n)
		return;
	if (!pvm_memo_inputs_kept(&m->allow_facts, &m->allow_len, f, pvm_facts_len(f)))
		m->allowed = pvm_allowlist_match(allow, f);
	allow_by(a, m->allowed);
}

int pvm_alerts_max_severity(const struct pvm_alerts *a)
{
	int max = -1;

	for (unsigned int i = 0; i < a->n; i++)
		if ((int)a->alert[i].severity > max)
			max = (int)a->alert[i].severity;
	return max;
}

bool pvm_alerts_at_least(const struct pvm_alerts *a, enum pvm_severity min)
{
	return pvm_alerts_max_severity(a) >= (int)min;
}

void pvm_alert_summary_add(struct pvm_alert_summary *s, const struct pvm_alerts *a)
{
	for (unsigned int i = 0; i < a->n; i++) {
		size_t rule = (size_t)(a->alert[i].rule - pvm_rules);

		s->count[rule]++;
		if (a->alert[i].allowed_by)
			s->allowed[rule]++;
	}
}

void pvm_alert_summary_print(FILE *out, const struct pvm_alert_summary *s)
{
	bool fired = false;

	for (unsigned int i = 0; i < PVM_RULE_COUNT; i++) {
		if (!s->count[i])
			continue;
		fprintf(out, "%s %s %s %llu allowed=%llu\n", pvm_rules[i].id, pvm_rules[i].name,
			pvm_severity_name(pvm_rules[i].severity), s->count[i], s->allowed[i]);
		fired = true;
	}
	if (!fired)
		fputs("pvmtrace: no rule fired\n", out);
}
