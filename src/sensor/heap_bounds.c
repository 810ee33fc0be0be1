// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "sensor/heap_bounds.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sensor/child_probe.h"

/* Not 0 or 1: nothing else the child could exit with reads as an answer. */
enum { HEAP_NAMED = 10, HEAP_NOT_NAMED = 11, PROBE_FAILED = 12 };

#define MAPS_MAX (256u << 10)

/* Whether the line of /proc/self/maps for the mapping at `start` says [heap]. */
static int maps_name_of(uintptr_t start)
{
	static char maps[MAPS_MAX]; /* the child's own copy: no allocation after fork */
	size_t len = 0;
	ssize_t got;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return PROBE_FAILED;
	while (len < MAPS_MAX - 1 && (got = read(fd, maps + len, MAPS_MAX - 1 - len)) > 0)
		len += (size_t)got;
	maps[len] = '\0';
	for (char *line = maps; *line;) {
		char *end, *eol = strchrnul(line, '\n');

		if (strtoul(line, &end, 16) == start && *end == '-') {
			*eol = '\0';
			return strstr(line, "[heap]") ? HEAP_NAMED : HEAP_NOT_NAMED;
		}
		line = *eol ? eol + 1 : eol;
	}
	return PROBE_FAILED;
}

/*
 * The break moved up to a page boundary, a page mapped there: one that only
 * touches the brk area. Read-only, so it cannot merge with a heap mapping
 * below it.
 */
static void heap_bounds_probe(void)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t at = ((uintptr_t)sbrk(0) + page - 1) & ~(page - 1);
	void *mapped;

	if (brk((void *)at))
		_exit(PROBE_FAILED);
	mapped = mmap((void *)at, page, PROT_READ,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	_exit(mapped == (void *)at ? maps_name_of(at) : PROBE_FAILED);
}

static bool ask(void)
{
	int status = 0;

	if (pvm_child_probe(heap_bounds_probe, &status) && WIFEXITED(status) &&
	    (WEXITSTATUS(status) == HEAP_NAMED || WEXITSTATUS(status) == HEAP_NOT_NAMED))
		return WEXITSTATUS(status) == HEAP_NAMED;
	fprintf(stderr, "pvmtrace: cannot tell how /proc names a heap here; naming it as "
			"kernels since v6.6 do\n");
	return false;
}

/* Asked once: every mode a start tries configures it. */
bool pvm_heap_bounds_inclusive(void)
{
	static int answer = -1;

	if (answer < 0)
		answer = ask();
	return answer;
}
