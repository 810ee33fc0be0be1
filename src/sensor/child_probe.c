// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "sensor/child_probe.h"

#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Nothing a child dies of may leave a core: a host's coredump handler would
 * log pvmtrace crashing at every start.
 */
static void forbid_core(void)
{
	struct rlimit no_core = {0, 0};

	setrlimit(RLIMIT_CORE, &no_core);
	prctl(PR_SET_DUMPABLE, 0); /* a piped core_pattern ignores RLIMIT_CORE */
}

bool pvm_child_probe(void (*probe)(void), int *status)
{
	pid_t child;

	fflush(NULL); /* the child leaves with _exit: nothing of ours twice */
	child = fork();
	if (child == 0) {
		forbid_core();
		probe();
		_exit(127); /* not reached: a probe ends with _exit */
	}
	return child > 0 && waitpid(child, status, 0) == child;
}
