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

void pvm_alerts_json_from(struct pvm_alerts_json *in, const struct pvm_alerts *a)
{
	pvm_memo_inputs_start(in);
	in->n = a->n;
	for (unsigned int i = 0; i < a->n; i++) {
		const struct pvm_alert *alert = &a->alert[i];

		in->alert[i].rule = alert->rule;
		in->alert[i].allowed_by = alert->allowed_by;
		in->alert[i].severity = alert->severity;
		in->alert[i].reason = pvm_memo_text_add(&in->text, alert->reason);
	}
}

static void json_alert(struct json_writer *w, const struct pvm_alerts_json *in, unsigned int i)
{
	const struct pvm_rule *rule = in->alert[i].rule;

	jw_object_begin(w);
	jw_key(w, PVM_KEY_RULE);
	json_name(w, rule->id);
	jw_key(w, PVM_KEY_NAME);
	json_name(w, rule->name);
	jw_key(w, PVM_KEY_SEVERITY);
	json_name(w, pvm_severity_name(in->alert[i].severity));
	jw_key(w, PVM_KEY_MITRE);
	jw_array_begin(w);
	for (const char *const *id = rule->mitre; *id; id++)
		json_name(w, *id);
	jw_array_end(w);
	jw_key(w, PVM_KEY_REASON);
	jw_cstring(w, pvm_memo_text_at(&in->text, in->alert[i].reason));
	if (in->alert[i].allowed_by) {
		jw_key(w, PVM_KEY_ALLOWED_BY);
		jw_cstring(w, in->alert[i].allowed_by);
	}
	jw_object_end(w);
}

void pvm_json_alert_array(struct json_writer *w, const void *alerts_json)
{
	const struct pvm_alerts_json *in = alerts_json;

	jw_array_begin(w);
	for (unsigned int i = 0; i < in->n; i++)
		json_alert(w, in, i);
	jw_array_end(w);
}

void pvm_json_alerts(struct json_writer *w, const struct pvm_alerts *a)
{
	struct pvm_alerts_json in;

	pvm_alerts_json_from(&in, a);
	jw_key(w, PVM_KEY_ALERTS);
	pvm_json_alert_array(w, &in);
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
