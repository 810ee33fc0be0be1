/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The alerts of one event: a JSON array and a short table column. */
#ifndef PVMTRACE_FORMAT_ALERTS_H
#define PVMTRACE_FORMAT_ALERTS_H

#include <stddef.h>
#include <stdint.h>

#include "output/json_writer.h"
#include "rules/rules.h"

/*
 * Writes the key and its array, inside the event's object:
 * "alerts":[{"rule":"PVM-W001","name":"foreign-write","severity":"high",
 * "mitre":["T1055"],"reason":"...","allowed_by":"..."}] ("allowed_by" only
 * when the allowlist allowed it; [] when there is no alert). Reasons carry
 * names a traced process chose: they go through the JSON escaping.
 */
void pvm_json_alerts(struct json_writer *w, const struct pvm_alerts *a);

/*
 * Everything the array is written from: inputs that are their own memo key
 * (memo_key.h). A rule is one of pvm_rules and an allowlist entry's text does
 * not change while the allowlist lives, so their addresses say which.
 */
struct pvm_alerts_json {
	unsigned int n;
	struct {
		const struct pvm_rule *rule;
		const char *allowed_by; /* NULL: not allowed */
		enum pvm_severity severity;
		uint32_t reason; /* offset in text */
	} alert[PVM_RULE_COUNT];
	PVM_MEMO_TEXT(PVM_RULE_COUNT *PVM_REASON_MAX) text;
};

void pvm_alerts_json_from(struct pvm_alerts_json *in, const struct pvm_alerts *a);

/* The array alone, as the value of a key already written (a jw_value_fn). */
void pvm_json_alert_array(struct json_writer *w, const void *alerts_json);

/* Width of the table's ALERT column, and the buffer the column needs. */
#define PVM_ALERT_COLUMN_WIDTH 16
#define PVM_ALERT_COLUMN_LEN 32

/*
 * The table column: the most severe alert as "CRIT PVM-W002", "+N" after it
 * when there are N more; "-" for none. Only program literals: no escaping.
 */
void pvm_alerts_column(char buf[PVM_ALERT_COLUMN_LEN], const struct pvm_alerts *a);

#endif /* PVMTRACE_FORMAT_ALERTS_H */
