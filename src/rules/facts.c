// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "rules/facts.h"

#include <fnmatch.h>
#include <string.h>

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

void pvm_fact_path_set(struct pvm_fact_path *p, const char *path)
{
	size_t len = path ? strlen(path) : 0;

	*p = (struct pvm_fact_path){0};
	if (!len)
		return;
	p->known = true;
	p->truncated = len >= 3 && memcmp(path, "...", 3) == 0;
	if (len >= PVM_FACTS_PATH_MAX) {
		path += len - (PVM_FACTS_PATH_MAX - 1);
		len = PVM_FACTS_PATH_MAX - 1;
		p->truncated = true;
	}
	p->path = path;
	p->len = (unsigned short)len;
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

/* Its length and state in one word, and then its bytes: no strlen. */
void pvm_fact_path_key(struct pvm_memo_key *k, const struct pvm_fact_path *p)
{
	pvm_memo_key_u64(k, (uint64_t)p->len << 2 | (uint64_t)p->known << 1 | p->truncated);
	if (p->known)
		pvm_memo_key_bytes(k, p->path, p->len);
}

static void region_key(struct pvm_memo_key *k, const struct pvm_fact_region *r)
{
	pvm_memo_key_u64(k, r->base);
	pvm_memo_key_u64(k, r->len);
	pvm_memo_key_u64(k, r->kind);
	pvm_memo_key_u64(k, (uint64_t)r->read | r->write << 1 | r->exec << 2 | r->shared << 3 |
				    r->image << 4);
	pvm_fact_path_key(k, &r->path);
}

void pvm_facts_key(struct pvm_memo_key *k, const struct pvm_facts *f)
{
	pvm_memo_key_start(k);
	pvm_memo_key_u64(k, f->call);
	pvm_memo_key_u64(k, (uint64_t)f->ret);
	pvm_memo_key_u64(k, f->abi);
	pvm_memo_key_u64(k, f->code);
	pvm_memo_key_u64(k, (uint64_t)f->pid_arg);
	pvm_memo_key_u64(k, f->payload);
	pvm_memo_key_u64(k, f->caller.pid);
	pvm_memo_key_u64(k, f->caller.tid);
	pvm_memo_key_u64(k, f->caller.uid);
	pvm_memo_key_u64(k, f->caller.pidns);
	pvm_memo_key_str(k, f->caller.comm);
	pvm_fact_path_key(k, &f->caller.exe);
	pvm_memo_key_u64(k, f->caller.container_known);
	pvm_memo_key_str(k, f->caller.container);
	pvm_memo_key_u64(k, f->target.state);
	pvm_memo_key_u64(k, f->target.pid);
	pvm_memo_key_u64(k, f->target.uid);
	pvm_memo_key_u64(k, f->target.pidns);
	pvm_memo_key_str(k, f->target.comm);
	pvm_fact_path_key(k, &f->target.exe);
	pvm_memo_key_u64(k, f->target.container_known);
	pvm_memo_key_str(k, f->target.container);
	pvm_memo_key_u64(k, (uint64_t)f->target.same_process | f->target.child << 1 |
				    f->target.parent << 2 | f->target.same_uid << 3 |
				    f->target.same_pidns << 4);
	pvm_memo_key_u64(k, f->n_regions);
	for (unsigned int i = 0; i < f->n_regions && i < PVM_FACTS_REGIONS; i++)
		region_key(k, &f->regions[i]);
}

const char *pvm_fact_basename(const struct pvm_fact_path *p)
{
	const char *slash;

	if (!p->known)
		return "";
	slash = strrchr(p->path, '/');

	return slash ? slash + 1 : p->path;
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
		    !strcmp(r->path.path, path))
			return true;
	}
	return false;
}

/*
 * A file mapping is taken for part of an executable or library (its data,
 * GOT, relro) when its file is named like a library, is the target's own
 * executable, or is mapped executable by another region of this call. A
 * private file mapping whose path is not known counts too: writable private
 * file mappings are, in practice, ELF data segments.
 */
static bool image_region(const struct pvm_facts *f, const struct pvm_fact_region *r)
{
	if (r->kind != PVM_FACT_REGION_FILE)
		return false;
	if (!r->path.known)
		return !r->shared;
	return library_name(pvm_fact_basename(&r->path)) ||
	       (f->target.state == PVM_FACT_TARGET_KNOWN && f->target.exe.known &&
		!strcmp(f->target.exe.path, r->path.path)) ||
	       mapped_executable_elsewhere(f, r->path.path);
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
