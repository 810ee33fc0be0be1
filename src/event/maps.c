// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "event/maps.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json_keys.h"
#include "record.h"


static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One or more digits in `base` (16 or 10), no sign, no space, no overflow. */
static bool parse_number(const char **p, unsigned int base, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;
	int d;

	while ((d = hex_digit(*s)) >= 0 && (unsigned int)d < base) {
		if (x > (UINT64_MAX - (uint64_t)d) / base)
			return false;
		x = x * base + (uint64_t)d;
		s++;
	}
	if (s == *p)
		return false;
	*p = s;
	*v = x;
	return true;
}

static bool expect(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

static bool parse_perms(const char **p, char perms[5])
{
	static const char allowed[4][2] = {{'r', '-'}, {'w', '-'}, {'x', '-'}, {'p', 's'}};

	for (int i = 0; i < 4; i++) {
		char c = (*p)[i];

		if (c != allowed[i][0] && c != allowed[i][1])
			return false;
		perms[i] = c;
	}
	perms[4] = '\0';
	*p += 4;
	return true;
}

static bool parse_dev(const char **p, struct pvm_maps_entry *e)
{
	uint64_t major, minor;

	if (!parse_number(p, 16, &major) || !expect(p, ':') || !parse_number(p, 16, &minor))
		return false;
	if (major > UINT32_MAX || minor > UINT32_MAX)
		return false;
	e->dev_major = (unsigned int)major;
	e->dev_minor = (unsigned int)minor;
	return true;
}

/* Every field before the path; *p ends on what follows the inode. */
static bool parse_fields(const char **p, struct pvm_maps_entry *e)
{
	return parse_number(p, 16, &e->start) && expect(p, '-') &&
	       parse_number(p, 16, &e->end) && e->start <= e->end && expect(p, ' ') &&
	       parse_perms(p, e->perms) && expect(p, ' ') && parse_number(p, 16, &e->offset) &&
	       expect(p, ' ') && parse_dev(p, e) && expect(p, ' ') &&
	       parse_number(p, 10, &e->inode);
}

/* The path is the rest of the line: [spaces] path [newline]. */
static int parse_path(const char *p, struct pvm_maps_entry *e)
{
	size_t len, suffix = PVM_DELETED_LEN;

	if (*p != ' ' && *p != '\n' && *p != '\0')
		return -1;
	while (*p == ' ')
		p++;
	len = strcspn(p, "\n");
	if (p[len] == '\n' && p[len + 1] != '\0')
		return -1; /* more than one line */
	if (len > suffix && !memcmp(p + len - suffix, PVM_DELETED_SUFFIX, suffix)) {
		e->deleted = true;
		len -= suffix;
	}
	if (len >= sizeof(e->path)) {
		e->path_truncated = true;
		len = sizeof(e->path) - 1;
	}
	memcpy(e->path, p, len);
	e->path[len] = '\0';
	return e->path_truncated ? PVM_MAPS_PATH_TRUNCATED : 0;
}

int pvm_maps_parse_line(const char *line, struct pvm_maps_entry *e)
{
	const char *p = line;

	e->deleted = false;
	e->path_truncated = false;
	e->path[0] = '\0';
	if (!parse_fields(&p, e))
		return -1;
	return parse_path(p, e);
}

static bool name_is(const char *path, const char *name)
{
	return !strcmp(path, name);
}

/* "[prefix...]" */
static bool name_starts(const char *path, const char *prefix)
{
	size_t len = strlen(path);

	return !strncmp(path, prefix, strlen(prefix)) && len && path[len - 1] == ']';
}

const char *pvm_region_kind(const struct pvm_maps_entry *e)
{
	const char *path = e->path;

	if (!path[0])
		return PVM_KIND_ANON;
	if (path[0] != '[')
		return PVM_KIND_FILE;
	if (name_is(path, "[heap]"))
		return PVM_KIND_HEAP;
	if (name_is(path, "[stack]") || name_starts(path, "[stack:"))
		return PVM_KIND_STACK;
	if (name_is(path, "[vdso]"))
		return PVM_KIND_VDSO;
	if (name_is(path, "[vvar]") || name_is(path, "[vvar_vclock]"))
		return "vvar";
	if (name_is(path, "[vsyscall]"))
		return "vsyscall";
	if (name_starts(path, "[anon:") || name_starts(path, "[anon_shmem:"))
		return PVM_KIND_ANON;
	return "other";
}

static bool read_failed(FILE *maps)
{
	return ferror(maps) || !feof(maps);
}

int pvm_maps_find(FILE *maps, uint64_t addr, struct pvm_maps_entry *out)
{
	struct pvm_maps_entry e;
	char *line = NULL;
	size_t cap = 0;
	int ret;

	for (;;) {
		if (getline(&line, &cap, maps) < 0) {
			ret = read_failed(maps) ? -1 : 1;
			break;
		}
		if (pvm_maps_parse_line(line, &e) < 0) {
			errno = EINVAL;
			ret = -1;
			break;
		}
		if (addr < e.start) { /* the kernel lists mappings in address order */
			ret = 1;
			break;
		}
		if (addr < e.end) {
			*out = e;
			ret = 0;
			break;
		}
	}
	free(line);
	return ret;
}
