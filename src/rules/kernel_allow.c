// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "rules/kernel_allow.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

struct kernel_rules {
	const struct pvm_allowlist *list;
	struct pvm_allow_rule *rules;
	unsigned int n;
	char *err;
	size_t err_len;
};

/* The file's identity as the kernel writes it: s_dev is MKDEV(major, minor). */
static int exe_id_of(const char *path, struct pvm_exe_id *id)
{
	struct stat st;

	if (stat(path, &st))
		return -1;
	id->ino = st.st_ino;
	id->dev = major(st.st_dev) << 20 | minor(st.st_dev);
	id->reserved = 0;
	return 0;
}

static int refuse(struct kernel_rules *k, const struct pvm_allow_entry *e, const char *why)
{
	snprintf(k->err, k->err_len, "%s:%u: %s", k->list->name, e->line, why);
	return -1;
}

static int add_rule(struct kernel_rules *k, const struct pvm_allow_entry *e,
		    const struct pvm_exe_id *exe, const struct pvm_exe_id *target)
{
	struct pvm_allow_rule *r;

	if (k->n >= PVM_ALLOW_MAX)
		return refuse(k, e, "more executables than --enforce can allow in the kernel (64)");
	r = &k->rules[k->n++];
	memset(r, 0, sizeof(*r));
	r->exe = *exe;
	r->line = e->line;
	r->via = (__u8)e->via;
	r->syscalls = e->any_call ? PVM_SYS_ALL : PVM_SYS_BIT(e->call);
	if (e->same_uid)
		r->conditions |= PVM_ALLOW_SAME_UID;
	if (e->same_exe)
		r->conditions |= PVM_ALLOW_SAME_EXE;
	if (e->comm) {
		r->conditions |= PVM_ALLOW_COMM;
		strncpy(r->comm, e->comm, sizeof(r->comm) - 1);
	}
	if (target) {
		r->conditions |= PVM_ALLOW_TARGET_EXE;
		r->target_exe = *target;
	}
	return 0;
}

/* One rule per file the entry's target_exe names (none: no rule at all). */
static int add_with_targets(struct kernel_rules *k, const struct pvm_allow_entry *e,
			    const struct pvm_exe_id *exe)
{
	glob_t g;
	int err = 0;

	if (!e->target_exe)
		return add_rule(k, e, exe, NULL);
	if (glob(e->target_exe, 0, NULL, &g) == GLOB_NOMATCH)
		return 0;
	for (size_t i = 0; !err && i < g.gl_pathc; i++) {
		struct pvm_exe_id target;

		if (!exe_id_of(g.gl_pathv[i], &target))
			err = add_rule(k, e, exe, &target);
	}
	globfree(&g);
	return err;
}

static int add_entry_path(const char *path, const struct pvm_allow_entry *e, void *arg)
{
	struct kernel_rules *k = arg;
	struct pvm_exe_id exe;

	if (exe_id_of(path, &exe))
		return 0; /* gone since the glob: allows nothing */
	return add_with_targets(k, e, &exe);
}

int pvm_kernel_allowlist(const struct pvm_allowlist *list, struct pvm_allow_rule *rules,
			 unsigned int *n, char *err, size_t err_len)
{
	struct kernel_rules k = {.list = list, .rules = rules, .err = err, .err_len = err_len};
	int ret;

	err[0] = '\0';
	/* every entry, whether its exe exists here or not */
	for (size_t i = 0; i < list->n; i++) {
		const struct pvm_allow_entry *e = &list->entries[i];

		if (e->comm && (strpbrk(e->comm, "*?[") || strlen(e->comm) >= PVM_COMM_LEN))
			return refuse(&k, e, "comm= must be an exact name of at most 15 bytes for "
					     "--enforce");
	}
	ret = pvm_allowlist_exe_paths(list, add_entry_path, &k);
	*n = k.n;
	if (ret && !err[0]) /* glob(3) itself failed */
		snprintf(err, err_len, "%s: cannot expand the exe patterns: %s", list->name,
			 strerror(errno));
	return ret ? -1 : 0;
}
