/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The built-in detection rules: pure functions over struct pvm_facts, each
 * with a stable id, a severity and MITRE ATT&CK ids (docs/rules.md). One call
 * gives at most one alert per rule, into a fixed-size struct pvm_alerts: no
 * allocation per event.
 */
#ifndef PVMTRACE_RULES_H
#define PVMTRACE_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "rules/allowlist.h"
#include "rules/facts.h"

enum pvm_severity {
	PVM_SEV_INFO = 0,
	PVM_SEV_LOW,
	PVM_SEV_MEDIUM,
	PVM_SEV_HIGH,
	PVM_SEV_CRITICAL,
};

/* "info" ... "critical"; NULL for a value out of range. */
const char *pvm_severity_name(enum pvm_severity sev);
/* "INFO", "LOW", "MED", "HIGH", "CRIT": the table column. */
const char *pvm_severity_tag(enum pvm_severity sev);
/* --min-severity: a name above, any case. Returns 0, or -1 for anything else. */
int pvm_severity_parse(const char *s, enum pvm_severity *sev);

/* The rules, in the order they are evaluated and reported. */
enum pvm_rule_index {
	PVM_RULE_FOREIGN_WRITE,		/* PVM-W001 */
	PVM_RULE_WRITE_SENSITIVE_REGION, /* PVM-W002 */
	PVM_RULE_WRITE_ACROSS_BOUNDARY,	/* PVM-W003 */
	PVM_RULE_WRITE_FAILED,		/* PVM-W004 */
	PVM_RULE_WRITE_UNRESOLVED,	/* PVM-W005 */
	PVM_RULE_IA32_FROM_64BIT,	/* PVM-A001 */
	PVM_RULE_FOREIGN_READ,		/* PVM-R001 */
	PVM_RULE_READ_ACROSS_BOUNDARY,	/* PVM-R002 */
	PVM_RULE_READ_CREDENTIALS,	/* PVM-R003 */
	PVM_RULE_COUNT,
};

#define PVM_REASON_MAX 384

struct pvm_rule {
	const char *id;		  /* "PVM-W001": stable, never reused */
	const char *name;	  /* "foreign-write" */
	enum pvm_severity severity;
	const char *const *mitre; /* ATT&CK technique ids, NULL-terminated */
	/*
	 * Decidable at syscall entry: the condition, with "attempted" in place
	 * of "succeeded", needs nothing the kernel side lacks before the call
	 * runs (no return value). --enforce=critical stops exactly the critical
	 * rules with this flag.
	 */
	bool at_entry;
	/* true when it fires; then a one-line reason built from the facts */
	bool (*match)(const struct pvm_facts *f, char *reason, size_t len);
};

extern const struct pvm_rule pvm_rules[PVM_RULE_COUNT];

/* The rule with this id, or NULL. */
const struct pvm_rule *pvm_rule_find(const char *id);

struct pvm_alert {
	const struct pvm_rule *rule;
	enum pvm_severity severity; /* the rule's, or info when allowed */
	const char *allowed_by;	    /* the allowlist entry's "FILE:LINE (LABEL)", or NULL */
	char reason[PVM_REASON_MAX];
};

struct pvm_alerts {
	unsigned int n;
	struct pvm_alert alert[PVM_RULE_COUNT];
};

/*
 * Runs every rule over f into out (emptied first). A call to the caller's own
 * process, from any of its threads, gives no alert at all. With an allowlist
 * entry matching the call, every alert drops to info, names the entry in
 * allowed_by and ends its reason with "; allowed by FILE:LINE (LABEL)".
 * `allow` may be NULL (no allowlist). Returns out->n.
 */
unsigned int pvm_rules_eval(const struct pvm_facts *f, const struct pvm_allowlist *allow,
			    struct pvm_alerts *out);

/*
 * The allowlist step of pvm_rules_eval alone, over alerts the rules gave
 * without one: the rules never read the caller's ancestors, so the live
 * sensor runs them once and looks ancestors up only for a call that alerted.
 */
void pvm_alerts_allow(struct pvm_alerts *a, const struct pvm_facts *f,
		      const struct pvm_allowlist *allow);

/*
 * The live sensor's judgement in its two steps, each answered from the last
 * call's when its facts are the same byte for byte (they are their own key,
 * memo_key.h): a flood's calls are the same call after call, and the rules
 * and the allowlist cost more than comparing the facts. First the
 * rules (pvm_judge_rules); then, for a call that alerted, once its ancestors
 * are in f, the allowlist step (pvm_judge_allow). Zeroed: empty; for one
 * allowlist.
 */
struct pvm_judge_memo {
	struct pvm_facts rules_facts, allow_facts; /* what each answer was made from */
	size_t rules_len, allow_len;		   /* of those; 0: none */
	struct pvm_alerts rules;		   /* the rules' answer */
	const struct pvm_allow_entry *allowed;	   /* the allowlist's (NULL: none) */
};

/* pvm_rules_eval(f, NULL, out), from the memo when f is what it was kept for. */
unsigned int pvm_judge_rules(const struct pvm_facts *f, struct pvm_judge_memo *m,
			     struct pvm_alerts *out);

/* pvm_alerts_allow for the facts pvm_judge_rules was just given, ancestors now in. */
void pvm_judge_allow(struct pvm_alerts *a, const struct pvm_facts *f,
		     const struct pvm_allowlist *allow, struct pvm_judge_memo *m);

/* The highest severity among the alerts, or -1 when there is none. */
int pvm_alerts_max_severity(const struct pvm_alerts *a);

/* --min-severity: an alert at or above min. */
bool pvm_alerts_at_least(const struct pvm_alerts *a, enum pvm_severity min);

/* Alerts per rule since start, for the summary at exit. */
struct pvm_alert_summary {
	unsigned long long count[PVM_RULE_COUNT];   /* alerts raised, allowed ones included */
	unsigned long long allowed[PVM_RULE_COUNT]; /* of which the allowlist allowed */
};

void pvm_alert_summary_add(struct pvm_alert_summary *s, const struct pvm_alerts *a);

/*
 * One line per rule that fired, in rule order, its alerts and how many of
 * them the allowlist allowed: "PVM-W001 foreign-write high 12 allowed=2".
 * "pvmtrace: no rule fired" when none did.
 */
void pvm_alert_summary_print(FILE *out, const struct pvm_alert_summary *s);

#endif /* PVMTRACE_RULES_H */
