// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * --config FILE over any file: read and parsed as pvmtrace reads it, then,
 * when it parses, matched against a few fixed calls, alone and through the
 * rules. What docs/rules.md promises is checked: a refused file leaves an
 * empty list and an error naming it; every entry has an absolute exe pattern;
 * the alerts of a call an entry allows are all info and name that entry, and
 * no other call's alerts name any.
 */
#include <string.h>

#include "harness.h"
#include "rules/allowlist.h"
#include "rules/rules.h"

/* A call to match: into another process's heap, 64 bytes moved. */
struct example {
	enum pvm_syscall call;
	const char *exe, *comm, *target_exe; /* target_exe NULL: the target unresolved */
	const char *ancestors[3];
	bool same_uid;
};

static const struct example examples[] = {
	{PVM_SYS_WRITEV, "/usr/bin/injector", "injector", "/usr/sbin/victim",
	 {"/usr/bin/bash", "/usr/lib/systemd/systemd"}, true},
	{PVM_SYS_READV, "/usr/bin/strace", "strace", "/usr/bin/sleep", {"/usr/bin/bash"}, false},
	{PVM_SYS_WRITEV, "/opt/app/bin/rank", "rank", "/opt/app/bin/rank",
	 {"/usr/bin/orterun", "/usr/bin/bash"}, true},
	{PVM_SYS_READV, "/opt/My App/bin/tool", "tool #1", NULL, {NULL}, false},
};

#define N_EXAMPLES (sizeof(examples) / sizeof(examples[0]))

static void facts_of(const struct example *x, struct pvm_facts *f)
{
	pvm_facts_start(f);
	f->call = x->call;
	f->ret = 64;
	f->payload = 64;
	f->pid_arg = 200;
	f->caller.pid = f->caller.tid = 100;
	f->caller.uid = 1000;
	pvm_fact_comm_set(f->caller.comm, x->comm, PVM_FACTS_COMM_LEN);
	pvm_fact_path_set(f, &f->caller.exe, x->exe);
	f->caller.container_known = true;
	while (f->caller.n_ancestors < 3 && x->ancestors[f->caller.n_ancestors]) {
		pvm_fact_path_set(f, &f->caller.ancestors[f->caller.n_ancestors],
				  x->ancestors[f->caller.n_ancestors]);
		f->caller.n_ancestors++;
	}
	f->target.state = x->target_exe ? PVM_FACT_TARGET_KNOWN : PVM_FACT_TARGET_UNRESOLVED;
	f->target.pid = 200;
	f->target.uid = x->same_uid ? 1000 : 0;
	f->target.same_uid = x->same_uid;
	pvm_fact_path_set(f, &f->target.exe, x->target_exe);
	f->n_regions = 1;
	f->regions[0] = (struct pvm_fact_region){.base = 0x7f3a1c000000, .len = 64,
						 .kind = PVM_FACT_REGION_HEAP, .read = true,
						 .write = true};
	pvm_facts_classify(f);
}

/* The examples' facts, made once: they never change. */
static const struct pvm_facts *example_facts(void)
{
	static struct pvm_facts facts[N_EXAMPLES];
	static bool made;

	for (size_t i = 0; !made && i < N_EXAMPLES; i++)
		facts_of(&examples[i], &facts[i]);
	made = true;
	return facts;
}

static void check_refused(const struct pvm_allowlist *list, const char *path, const char *err)
{
	if (list->n || list->entries || list->name)
		fuzz_fail("a refused file left a list of %zu entries", list->n);
	if (strncmp(err, path, strlen(path)) || err[strlen(path)] != ':')
		fuzz_fail("the error does not start with the file's name: %s", err);
}

static void check_entries(const struct pvm_allowlist *list)
{
	for (size_t i = 0; i < list->n; i++)
		if (list->entries[i].exe[0] != '/' || !list->entries[i].label ||
		    !list->entries[i].where)
			fuzz_fail("entry %zu (line %u) lacks an absolute exe, a label or a name", i,
				  list->entries[i].line);
}

static void check_judged(const struct pvm_allowlist *list, const struct pvm_facts *f)
{
	const struct pvm_allow_entry *e = pvm_allowlist_match(list, f);
	struct pvm_alerts alerts;

	if (e && (e < list->entries || e >= list->entries + list->n))
		fuzz_fail("the match is no entry of the list");
	pvm_rules_eval(f, list, &alerts);
	for (unsigned int i = 0; i < alerts.n; i++) {
		const struct pvm_alert *a = &alerts.alert[i];

		if (e ? a->severity != PVM_SEV_INFO || a->allowed_by != e->where : !!a->allowed_by)
			fuzz_fail("%s: allowed_by %s, severity %s; the matching entry: %s",
				  a->rule->id, a->allowed_by ? a->allowed_by : "none",
				  pvm_severity_name(a->severity), e ? e->where : "none");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_input_file(data, size);
	const struct pvm_facts *facts = example_facts();
	struct pvm_allowlist list;
	char err[512];

	if (pvm_allowlist_load(&list, path, err, sizeof(err))) {
		check_refused(&list, path, err);
		return 0;
	}
	check_entries(&list);
	for (size_t i = 0; i < N_EXAMPLES; i++)
		check_judged(&list, &facts[i]);
	pvm_allowlist_free(&list);
	return 0;
}
