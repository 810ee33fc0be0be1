// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "sensor/child_probe.h"

#include <errno.h>
#include <signal.h>
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

static bool reap(pid_t child, int *status)
{
	pid_t got;

	do
		got = waitpid(child, status, 0);
	while (got < 0 && errno == EINTR);
	return got == child;
}

/*
 * SIGCHLD ignored (inherited so across exec) would have the kernel reap the
 * child itself, and no status to read: the default while it runs.
 */
bool pvm_child_probe(void (*probe)(void), int *status)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL}, before;
	bool answered = false;
	pid_t child;

	sigaction(SIGCHLD, &dfl, &before);
	fflush(NULL); /* the child leaves with _exit: nothing of ours twice */
	child = fork();
	if (child == 0) {
		forbid_core();
		probe();
		_exit(127); /* not reached: a probe ends with _exit */
	}
	if (child > 0)
		answered = reap(child, status);
	sigaction(SIGCHLD, &before, NULL);
	return answered;
}
