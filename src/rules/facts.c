// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "rules/facts.h"

#include <fnmatch.h>
#include <string.h>

#include "record.h"

enum pvm_foreign pvm_facts_foreign(const struct pvm_facts *f)
{
	switch (f->target.state) {
	case PVM_FACT_TARGET_KNOWN:
		return f->target.same_process ? PVM_FOREIGN_NO : PVM_FOREIGN_YES;
	case PVM_FACT_TARGET_NONE:
		/* the caller's own process exists: a pid naming none is not it */
		return PVM_FOREIGN_YES;
	default:
		return PVM_FOREIGN_UNKNOWN;
	}
}

void pvm_facts_start(struct pvm_facts *f)
{
	pvm_memo_inputs_start(f);
}

size_t pvm_facts_len(const struct pvm_facts *f)
{
	return pvm_memo_inputs_len(f);
}

void pvm_fact_path_set(struct pvm_facts *f, struct pvm_fact_path *p, const char *path)
{
	size_t len = path ? strlen(path) : 0;

	*p = (struct pvm_fact_path){0};
	if (!len)
		return;
	p->known = true;
	p->truncated = len >= 3 && memcmp(path, "...", 3) == 0;
	p->deleted = len >= PVM_DELETED_LEN &&
		     !strcmp(path + len - PVM_DELETED_LEN, PVM_DELETED_SUFFIX);
	if (len >= PVM_FACTS_PATH_MAX) {
		path += len - (PVM_FACTS_PATH_MAX - 1);
		len = PVM_FACTS_PATH_MAX - 1;
		p->truncated = true;
	}
	p->at = pvm_memo_text_add(&f->text, path);
	p->len = (unsigned short)len;
}

const char *pvm_fact_path_text(const struct pvm_facts *f, const struct pvm_fact_path *p)
{
	return p->known ? f->text.bytes + p->at : "";
}

static bool glob_special(char c)
{
	return c == '*' || c == '?' || c == '[' || c == '\\';
}

bool pvm_glob_is_literal(const char *pattern)
{
	while (*pattern && !glob_special(*pattern))
		pattern++;
	return !*pattern;
}

/*
 * The literal head of the pattern is compared in the same pass that finds its
 * end: the allowlist matches every call's ancestors against each entry, and
 * most stop at their first differing byte.
 */
bool pvm_glob_match(const char *pattern, const char *s, int flags)
{
	size_t i = 0;

	for (; pattern[i] && !glob_special(pattern[i]); i++)
		if (pattern[i] != s[i])
			return false;
	if (!pattern[i])
		return !s[i];
	/* without FNM_PERIOD a match never depends on what precedes the rest */
	return fnmatch(pattern + i, s + i, flags) == 0;
}

void pvm_fact_comm_set(char comm[PVM_FACTS_COMM_LEN], const char *src, size_t cap)
{
	size_t len = strnlen(src, cap < PVM_FACTS_COMM_LEN - 1 ? cap : PVM_FACTS_COMM_LEN - 1);

	memcpy(comm, src, len);
	comm[len] = '\0';
}

const char *pvm_fact_basename(const struct pvm_facts *f, const struct pvm_fact_path *p)
{
	const char *path = pvm_fact_path_text(f, p), *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* libc.so.6, libfoo.so, ld-linux-x86-64.so.2, module.cpython-311-x86_64-linux-gnu.so */
static bool library_name(const char *base)
{
	size_t len = strlen(base);

	return strstr(base, ".so.") || (len > 3 && !strcmp(base + len - 3, ".so"));
}

static bool mapped_executable_elsewhere(const struct pvm_facts *f, const char *path)
{
	for (unsigned int i = 0; i < f->n_regions; i++) {
		const struct pvm_fact_region *r = &f->regions[i];

		if (r->kind == PVM_FACT_REGION_FILE && r->exec && r->path.known &&
		    !strcmp(pvm_fact_path_text(f, &r->path), path))
			return true;
	}
	return false;
}

/*
 * A private file mapping is taken for part of an executable or library (its
 * data, GOT, relro) when its file is named like a library, is the target's
 * own executable, or is mapped executable by another region of this call;
 * one whose path is not known counts too: writable private file mappings
 * are, in practice, ELF data segments. A shared one never is (the loader maps
 * every segment private), whatever its name: shared memory, as --enforce's
 * kernel side (enforce.h) counts it.
 */
static bool image_region(const struct pvm_facts *f, const struct pvm_fact_region *r)
{
	const char *path = pvm_fact_path_text(f, &r->path);

	if (r->kind != PVM_FACT_REGION_FILE || r->shared)
		return false;
	if (!r->path.known)
		return true;
	return library_name(pvm_fact_basename(f, &r->path)) ||
	       (f->target.state == PVM_FACT_TARGET_KNOWN && f->target.exe.known &&
		!strcmp(pvm_fact_path_text(f, &f->target.exe), path)) ||
	       mapped_executable_elsewhere(f, path);
}

void pvm_facts_classify(struct pvm_facts *f)
{
	for (unsigned int i = 0; i < f->n_regions; i++)
		f->regions[i].image = image_region(f, &f->regions[i]);
}

bool pvm_facts_region_reached(const struct pvm_facts *f, unsigned int i)
{
	uint64_t before = 0;

	if (f->ret <= 0 || i >= f->n_regions || f->regions[i].len == 0)
		return false;
	for (unsigned int j = 0; j < i; j++) {
		if (f->regions[j].len > UINT64_MAX - before)
			return false;
		before += f->regions[j].len;
	}
	return before < (uint64_t)f->ret;
}
