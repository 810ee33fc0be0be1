// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The alerts of an event in JSON and in the table, byte for byte. */
#include "facts_builder.h"
#include "output/format_alerts.h"
#include "unit.h"

#include <stdlib.h>

/* The alerts as the one key of an object: {"alerts":[...]} */
static void json_of(FILE *out, const void *arg)
{
	struct json_writer w;

	jw_init(&w, out);
	jw_object_begin(&w);
	pvm_json_alerts(&w, arg);
	jw_object_end(&w);
	jw_end_line(&w);
}

static void check_json(const struct pvm_alerts *a, const char *want, int line)
{
	char *got = unit_capture(json_of, a);

	if (strcmp(got, want))
		unit_fail(__FILE__, line, "json:\n    got  %s    want %s", got, want);
	free(got);
}

static struct pvm_allowlist list;

/* Evaluates f with an allowlist of one text (kept until allow_done()). */
static void eval_allowed(const struct pvm_facts *f, const char *name, const char *text,
			 struct pvm_alerts *a)
{
	char err[256];

	if (pvm_allowlist_parse(&list, name, text, err, sizeof(err)))
		unit_fail(__FILE__, __LINE__, "%s", err);
	pvm_rules_eval(f, &list, a);
}

static void allow_done(void)
{
	pvm_allowlist_free(&list);
}

UNIT_TEST(alerts_json_none)
{
	struct pvm_alerts a = {0};

	check_json(&a, "{\"alerts\":[]}\n", __LINE__);
}

UNIT_TEST(alerts_json_exact)
{
	struct pvm_facts f = example_write();
	struct pvm_alerts a;

	f.target.uid = 0;
	f.target.same_uid = false;
	pvm_rules_eval(&f, NULL, &a);
	check_json(&a,
		   "{\"alerts\":[{\"rule\":\"PVM-W001\",\"name\":\"foreign-write\","
		   "\"severity\":\"high\",\"mitre\":[\"T1055\"],"
		   "\"reason\":\"wrote 64 bytes into pid 4300 (victim) owned by uid 0\"},"
		   "{\"rule\":\"PVM-W003\",\"name\":\"foreign-write-across-boundary\","
		   "\"severity\":\"critical\",\"mitre\":[\"T1055\"],"
		   "\"reason\":\"wrote 64 bytes into pid 4300 (victim) owned by uid 0, across uids "
		   "1000 -> 0\"}]}\n",
		   __LINE__);

	f = example_read();
	strcpy(f.target.comm, "ssh-agent");
	pvm_rules_eval(&f, NULL, &a);
	check_json(&a,
		   "{\"alerts\":[{\"rule\":\"PVM-R001\",\"name\":\"foreign-read\","
		   "\"severity\":\"medium\",\"mitre\":[\"T1003\"],"
		   "\"reason\":\"read 64 bytes from pid 4300 (ssh-agent) owned by uid 1000\"},"
		   "{\"rule\":\"PVM-R003\",\"name\":\"foreign-read-credential-holder\","
		   "\"severity\":\"high\",\"mitre\":[\"T1003\",\"T1555\"],"
		   "\"reason\":\"read 64 bytes from pid 4300 (ssh-agent) owned by uid 1000, a "
		   "credential holder (ssh-agent)\"}]}\n",
		   __LINE__);
}

UNIT_TEST(alerts_json_allowed)
{
	struct pvm_facts f = example_write();
	struct pvm_alerts a;

	eval_allowed(&f, "site.conf", "\nallow exe=/opt/tool/* label=tool\n", &a);
	check_json(&a,
		   "{\"alerts\":[{\"rule\":\"PVM-W001\",\"name\":\"foreign-write\","
		   "\"severity\":\"info\",\"mitre\":[\"T1055\"],"
		   "\"reason\":\"wrote 64 bytes into pid 4300 (victim) owned by uid 1000; allowed by "
		   "site.conf:2 (tool)\",\"allowed_by\":\"site.conf:2 (tool)\"}]}\n",
		   __LINE__);
	allow_done();
}

/* comm and paths are what a traced process chose: data, never JSON syntax. */
UNIT_TEST(alerts_json_hostile_names)
{
	struct pvm_facts f = example_write();
	struct pvm_alerts a;

	memcpy(f.target.comm, "a\",\"x\":1\n\x1b]0\xff", 14);
	f.target.comm[14] = '\0';
	set_fact_region(&f, 0, PVM_FACT_REGION_FILE, "rwxp", "/tmp/\"}]\\\x01.so", 64);
	eval_allowed(&f, "q\"uote.conf", "allow exe=/opt/tool/injector\n", &a);
	check_json(&a,
		   "{\"alerts\":[{\"rule\":\"PVM-W001\",\"name\":\"foreign-write\","
		   "\"severity\":\"info\",\"mitre\":[\"T1055\"],"
		   "\"reason\":\"wrote 64 bytes into pid 4300 (a\\\",\\\"x\\\":1\\u000a\\u001b]0"
		   "\\ufffd) owned by uid 1000; allowed by q\\\"uote.conf:1 (injector)\","
		   "\"allowed_by\":\"q\\\"uote.conf:1 (injector)\"},"
		   "{\"rule\":\"PVM-W002\",\"name\":\"foreign-write-sensitive-region\","
		   "\"severity\":\"info\",\"mitre\":[\"T1055\"],"
		   "\"reason\":\"wrote 64 bytes into an rwx mapping of /tmp/\\\"}]\\\\\\u0001.so in "
		   "pid 4300 (a\\\",\\\"x\\\":1\\u000a\\u001b]0\\ufffd) owned by uid 1000; allowed "
		   "by q\\\"uote.conf:1 (injector)\",\"allowed_by\":\"q\\\"uote.conf:1 (injector)\"}]}\n",
		   __LINE__);
	allow_done();
}

UNIT_TEST(alerts_table_column)
{
	struct pvm_facts f = example_write();
	struct pvm_alerts a = {0};
	char col[PVM_ALERT_COLUMN_LEN];

	pvm_alerts_column(col, &a);
	CHECK_STR(col, "-");
	pvm_rules_eval(&f, NULL, &a);
	pvm_alerts_column(col, &a);
	CHECK_STR(col, "HIGH PVM-W001");
	f.regions[0].kind = PVM_FACT_REGION_STACK;
	f.target.same_uid = false;
	f.abi = PVM_ABI_IA32;
	pvm_rules_eval(&f, NULL, &a); /* W001 W002 W003 A001: the first critical one */
	pvm_alerts_column(col, &a);
	CHECK_STR(col, "CRIT PVM-W002+3");
	CHECK(strlen(col) <= PVM_ALERT_COLUMN_WIDTH);
	eval_allowed(&f, "t", "allow exe=/opt/tool/injector\n", &a);
	pvm_alerts_column(col, &a);
	CHECK_STR(col, "INFO PVM-W001+3");
	allow_done();
}
