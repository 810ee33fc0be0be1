// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "rules/allowlist.h"

#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE_SIZE (1 << 20)
#define MAX_TOKENS 32

struct parser {
	const char *name;
	unsigned int line;
	char *err;
	size_t err_len;
};

__attribute__((format(printf, 2, 3))) static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(p->err, p->err_len, "%s:%u: ", p->name, p->line);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < p->err_len)
		vsnprintf(p->err + n, p->err_len - n, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Splits a line in place into words: blanks separate them, `#` outside
 * double quotes starts a comment, double quotes are removed (a value with
 * blanks or `#` is quoted). Words are compacted towards the start of the
 * line, so the write position never passes the read position. Returns the
 * word count, or -1.
 */
static int tokenize(struct parser *p, char *s, char **tok, int max)
{
	char *out = s;
	int n = 0;

	for (;;) {
		bool quoted = false;
		char end;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			return n;
		if (n == max)
			return fail(p, "more than %d words", max);
		tok[n++] = out;
		for (; *s && (quoted || (*s != ' ' && *s != '\t' && *s != '#')); s++) {
			if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
				return fail(p, "control character 0x%02x", (unsigned char)*s);
			if (*s == '"')
				quoted = !quoted;
			else
				*out++ = *s;
		}
		if (quoted)
			return fail(p, "unterminated quote");
		end = *s;
		*out++ = '\0';
		if (end != ' ' && end != '\t')
			return n; /* the end of the line, or a comment */
		s++;
	}
}

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

struct fields {
	const char *exe, *via, *comm, *target_exe, *syscall, *label;
	bool same_exe, same_uid;
};

/* The keys of an entry: a value (key=VALUE) or a flag (a bare key). */
static const struct {
	const char *key;
	size_t value; /* offset of the const char * in struct fields, or */
	size_t flag;  /* offset of the bool; the other is SIZE_MAX */
} keys[] = {
	{"exe", offsetof(struct fields, exe), SIZE_MAX},
	{"via", offsetof(struct fields, via), SIZE_MAX},
	{"comm", offsetof(struct fields, comm), SIZE_MAX},
	{"target_exe", offsetof(struct fields, target_exe), SIZE_MAX},
	{"syscall", offsetof(struct fields, syscall), SIZE_MAX},
	{"label", offsetof(struct fields, label), SIZE_MAX},
	{"same_exe", SIZE_MAX, offsetof(struct fields, same_exe)},
	{"same_uid", SIZE_MAX, offsetof(struct fields, same_uid)},
};

static int set_value(struct parser *p, const char **slot, const char *key, const char *value)
{
	if (*slot)
		return fail(p, "duplicate key '%s'", key);
	if (!value)
		return fail(p, "'%s' needs a value", key);
	if (!*value)
		return fail(p, "empty value for '%s'", key);
	*slot = value;
	return 0;
}

static int set_flag(struct parser *p, bool *slot, const char *key, const char *value)
{
	if (value)
		return fail(p, "'%s' takes no value", key);
	if (*slot)
		return fail(p, "duplicate key '%s'", key);
	*slot = true;
	return 0;
}

static int parse_field(struct parser *p, struct fields *fl, char *tok)
{
	char *eq = strchr(tok, '=');
	const char *value = NULL;

	if (eq) {
		*eq = '\0';
		value = eq + 1;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(tok, keys[i].key))
			continue;
		if (keys[i].value != SIZE_MAX)
			return set_value(p, (const char **)((char *)fl + keys[i].value), tok, value);
		return set_flag(p, (bool *)((char *)fl + keys[i].flag), tok, value);
	}
	return fail(p, "unknown key '%s'", tok);
}

static int check_fields(struct parser *p, const struct fields *fl, struct pvm_allow_entry *e)
{
	if (!fl->exe)
		return fail(p, "allow needs exe=PATTERN");
	if (fl->exe[0] != '/')
		return fail(p, "exe pattern must be an absolute path: '%s'", fl->exe);
	if (fl->target_exe && fl->target_exe[0] != '/')
		return fail(p, "target_exe pattern must be an absolute path: '%s'", fl->target_exe);
	if (fl->comm && !has_glob(fl->comm) && strlen(fl->comm) > PVM_FACTS_COMM_LEN - 1)
		return fail(p, "comm '%s' is longer than %d bytes: it can never match", fl->comm,
			    PVM_FACTS_COMM_LEN - 1);
	if (!fl->via || !strcmp(fl->via, "caller"))
		e->via = PVM_ALLOW_CALLER;
	else if (!strcmp(fl->via, "parent"))
		e->via = PVM_ALLOW_PARENT;
	else if (!strcmp(fl->via, "ancestor"))
		e->via = PVM_ALLOW_ANCESTOR;
	else
		return fail(p, "via must be caller, parent or ancestor, not '%s'", fl->via);
	e->any_call = !fl->syscall;
	if (!fl->syscall || !strcmp(fl->syscall, "readv"))
		e->call = PVM_SYS_READV;
	else if (!strcmp(fl->syscall, "writev"))
		e->call = PVM_SYS_WRITEV;
	else
		return fail(p, "syscall must be readv or writev, not '%s'", fl->syscall);
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void entry_free(struct pvm_allow_entry *e)
{
	free(e->label);
	free(e->where);
	free(e->exe);
	free(e->comm);
	free(e->target_exe);
}

static int add_entry(struct parser *p, struct pvm_allowlist *list, const struct fields *fl,
		     struct pvm_allow_entry *e)
{
	const char *slash = strrchr(fl->exe, '/');
	struct pvm_allow_entry *grown;

	e->line = p->line;
	e->same_exe = fl->same_exe;
	e->same_uid = fl->same_uid;
	e->exe = strdup(fl->exe);
	e->exe_len = strlen(fl->exe);
	e->exe_literal = pvm_glob_is_literal(fl->exe);
	e->label = strdup(fl->label ? fl->label : slash[1] ? slash + 1 : fl->exe);
	e->comm = dup_or_null(fl->comm);
	e->target_exe = dup_or_null(fl->target_exe);
	if (e->label && asprintf(&e->where, "%s:%u (%s)", p->name, p->line, e->label) < 0)
		e->where = NULL;
	grown = reallocarray(list->entries, list->n + 1, sizeof(*grown));
	if (!e->exe || !e->label || !e->where || (fl->comm && !e->comm) ||
	    (fl->target_exe && !e->target_exe) || !grown) {
		entry_free(e);
		if (grown)
			list->entries = grown;
		return fail(p, "out of memory");
	}
	list->entries = grown;
	list->entries[list->n++] = *e;
	return 0;
}

static int parse_line(struct parser *p, struct pvm_allowlist *list, char *line)
{
	char *tok[MAX_TOKENS];
	struct fields fl = {0};
	struct pvm_allow_entry e = {0};
	int n = tokenize(p, line, tok, MAX_TOKENS);

	if (n <= 0)
		return n;
	if (strcmp(tok[0], "allow"))
		return fail(p, "unknown directive '%s' (lines start with 'allow')", tok[0]);
	for (int i = 1; i < n; i++)
		if (parse_field(p, &fl, tok[i]))
			return -1;
	if (check_fields(p, &fl, &e))
		return -1;
	return add_entry(p, list, &fl, &e);
}

int pvm_allowlist_parse(struct pvm_allowlist *list, const char *name, const char *text,
			char *err, size_t err_len)
{
	struct parser p = {.name = name, .err = err, .err_len = err_len};

	memset(list, 0, sizeof(*list));
	list->name = strdup(name);
	if (!list->name)
		return fail(&p, "out of memory");
	while (*text) {
		size_t len = strcspn(text, "\n");
		char *line = strndup(text, len);
		int ret;

		p.line++;
		if (!line) {
			pvm_allowlist_free(list);
			return fail(&p, "out of memory");
		}
		if (len && line[len - 1] == '\r')
			line[len - 1] = '\0';
		ret = parse_line(&p, list, line);
		free(line);
		if (ret) {
			pvm_allowlist_free(list);
			return -1;
		}
		text += len + (text[len] == '\n');
	}
	return 0;
}

static char *read_file(const char *path, char *err, size_t err_len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0;

	if (!f) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(MAX_FILE_SIZE + 1);
	if (buf)
		len = fread(buf, 1, MAX_FILE_SIZE + 1, f);
	if (!buf || ferror(f) || len > MAX_FILE_SIZE) {
		snprintf(err, err_len, "%s: %s", path,
			 !buf ? "out of memory" : ferror(f) ? strerror(errno) : "larger than 1 MiB");
		free(buf);
		buf = NULL;
	} else {
		buf[len] = '\0';
		if (strlen(buf) != len) {
			unsigned int line = 1;

			for (const char *c = buf; *c; c++)
				line += *c == '\n';
			snprintf(err, err_len, "%s:%u: NUL byte", path, line);
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

int pvm_allowlist_load(struct pvm_allowlist *list, const char *path, char *err, size_t err_len)
{
	char *text = read_file(path, err, err_len);
	int ret;

	memset(list, 0, sizeof(*list));
	if (!text)
		return -1;
	ret = pvm_allowlist_parse(list, path, text, err, err_len);
	free(text);
	return ret;
}

int pvm_allowlist_load_default(struct pvm_allowlist *list, char *err, size_t err_len)
{
	return pvm_allowlist_parse(list, PVM_DEFAULT_ALLOWLIST_NAME, pvm_default_allowlist, err,
				   err_len);
}

void pvm_allowlist_free(struct pvm_allowlist *list)
{
	for (size_t i = 0; i < list->n; i++)
		entry_free(&list->entries[i]);
	free(list->entries);
	free(list->name);
	memset(list, 0, sizeof(*list));
}

/*
 * A truncated path is only a tail, and a deleted file's path names what is
 * no longer there (nor what another file there would be): neither matches a
 * pattern.
 */
static bool path_matchable(const struct pvm_fact_path *p)
{
	return p->known && !p->truncated && !p->deleted;
}

static bool path_matches(const char *pattern, const struct pvm_facts *f,
			 const struct pvm_fact_path *p)
{
	return path_matchable(p) &&
	       pvm_glob_match(pattern, pvm_fact_path_text(f, p), FNM_PATHNAME);
}

/*
 * Most entries name one file, and every call's ancestors are tried against
 * each: a length compare turns the other paths away at once.
 */
static bool exe_matches(const struct pvm_allow_entry *e, const struct pvm_facts *f,
			const struct pvm_fact_path *p)
{
	if (!e->exe_literal)
		return path_matches(e->exe, f, p);
	return path_matchable(p) && p->len == e->exe_len &&
	       !memcmp(pvm_fact_path_text(f, p), e->exe, p->len);
}

static bool caller_matches(const struct pvm_allow_entry *e, const struct pvm_facts *f)
{
	switch (e->via) {
	case PVM_ALLOW_CALLER:
		return exe_matches(e, f, &f->caller.exe);
	case PVM_ALLOW_PARENT:
		return f->caller.n_ancestors > 0 && exe_matches(e, f, &f->caller.ancestors[0]);
	default:
		for (unsigned int i = 0; i < f->caller.n_ancestors; i++)
			if (exe_matches(e, f, &f->caller.ancestors[i]))
				return true;
		return false;
	}
}

static bool same_exe(const struct pvm_facts *f)
{
	const struct pvm_fact_path *a = &f->caller.exe, *b = &f->target.exe;

	return a->known && b->known && !a->truncated && !b->truncated &&
	       !strcmp(pvm_fact_path_text(f, a), pvm_fact_path_text(f, b));
}

static bool entry_matches(const struct pvm_allow_entry *e, const struct pvm_facts *f)
{
	bool known = f->target.state == PVM_FACT_TARGET_KNOWN;

	if (!e->any_call && e->call != f->call)
		return false;
	if (e->comm && !pvm_glob_match(e->comm, f->caller.comm, 0))
		return false;
	if (e->target_exe && !(known && path_matches(e->target_exe, f, &f->target.exe)))
		return false;
	if (e->same_exe && !(known && same_exe(f)))
		return false;
	if (e->same_uid && !(known && f->target.same_uid))
		return false;
	return caller_matches(e, f);
}

const struct pvm_allow_entry *pvm_allowlist_match(const struct pvm_allowlist *list,
						  const struct pvm_facts *f)
{
	for (size_t i = 0; list && i < list->n; i++)
		if (entry_matches(&list->entries[i], f))
			return &list->entries[i];
	return NULL;
}

/* Each existing file a pattern of each entry names; `target` picks target_exe. */
static int expand(const struct pvm_allowlist *list, bool target,
		  int (*fn)(const char *path, const struct pvm_allow_entry *e, void *arg), void *arg)
{
	for (size_t i = 0; i < list->n; i++) {
		const char *pattern = target ? list->entries[i].target_exe : list->entries[i].exe;
		glob_t g;
		int ret;

		if (!pattern)
			continue;
		ret = glob(pattern, 0, NULL, &g);
		if (ret == GLOB_NOMATCH)
			continue;
		if (ret) {
			globfree(&g);
			return -1;
		}
		for (size_t j = 0; j < g.gl_pathc && !ret; j++)
			ret = fn(g.gl_pathv[j], &list->entries[i], arg);
		globfree(&g);
		if (ret)
			return ret;
	}
	return 0;
}

int pvm_allowlist_exe_paths(const struct pvm_allowlist *list,
			    int (*fn)(const char *path, const struct pvm_allow_entry *e, void *arg),
			    void *arg)
{
	return expand(list, false, fn, arg);
}

int pvm_allowlist_target_exe_paths(const struct pvm_allowlist *list,
				   int (*fn)(const char *path, const struct pvm_allow_entry *e,
					     void *arg),
				   void *arg)
{
	return expand(list, true, fn, arg);
}
