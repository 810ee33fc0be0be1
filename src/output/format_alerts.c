// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "output/format_alerts.h"

#include <stdio.h>
#include <string.h>

#include "json_keys.h"

/* The rule's id, name, severity and ATT&CK ids are the program's own names. */
static void json_name(struct json_writer *w, const char *name)
{
	jw_plain_string(w, name, strlen(name));
}

static void json_alert(struct json_writer *w, const struct pvm_alert *a)
{
	jw_object_begin(w);
	jw_key(w, PVM_KEY_RULE);
	json_name(w, a->rule->id);
	jw_key(w, PVM_KEY_NAME);
	json_name(w, a->rule->name);
	jw_key(w, PVM_KEY_SEVERITY);
	json_name(w, pvm_severity_name(a->severity));
	jw_key(w, PVM_KEY_MITRE);
	jw_array_begin(w);
	for (const char *const *id = a->rule->mitre; *id; id++)
		json_name(w, *id);
	jw_array_end(w);
	jw_key(w, PVM_KEY_REASON);
	jw_string(w, a->reason, strnlen(a->reason, sizeof(a->reason)));
	if (a->allowed_by) {
		jw_key(w, PVM_KEY_ALLOWED_BY);
		jw_cstring(w, a->allowed_by);
	}
	jw_object_end(w);
}

void pvm_json_alert_array(struct json_writer *w, const struct pvm_alerts *a)
{
	jw_array_begin(w);
	for (unsigned int i = 0; i < a->n; i++)
		json_alert(w, &a->alert[i]);
	jw_array_end(w);
}

void pvm_json_alerts(struct json_writer *w, const struct pvm_alerts *a)
{
	jw_key(w, PVM_KEY_ALERTS);
	pvm_json_alert_array(w, a);
}

void pvm_alerts_column(char buf[PVM_ALERT_COLUMN_LEN], const struct pvm_alerts *a)
{
	const struct pvm_alert *top = NULL;

	for (unsigned int i = 0; i < a->n; i++)
		if (!top || a->alert[i].severity > top->severity)
			top = &a->alert[i];
	if (!top) {
		snprintf(buf, PVM_ALERT_COLUMN_LEN, "-");
		return;
	}
	if (a->n > 1)
		snprintf(buf, PVM_ALERT_COLUMN_LEN, "%s %s+%u", pvm_severity_tag(top->severity),
			 top->rule->id, a->n - 1);
	else
		snprintf(buf, PVM_ALERT_COLUMN_LEN, "%s %s", pvm_severity_tag(top->severity),
			 top->rule->id);
}
