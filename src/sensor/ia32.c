// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The probe of ia32.h: a child makes one ia32 call, getpid through
 * `int $0x80`, and how it ends is the answer. With ia32 emulation off the
 * kernel answers that entry with SIGSEGV (int80_emulation, v6.7); there is
 * no file in /proc or /sys that says the same for every kernel.
 */
#include "sensor/ia32.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NR_IA32_GETPID 20

static long ia32_getpid(void)
{
	long ret;

	/* r8-r11: kernels before v4.17 (8bb2610bc496) zeroed them on this path */
	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(NR_IA32_GETPID)
			 : "memory", "cc", "r8", "r9", "r10", "r11");
	return ret;
}

bool pvm_kernel_serves_ia32(char *how, size_t len)
{
	int status = 0;
	pid_t child;

	fflush(NULL); /* the child leaves with _exit: nothing of ours twice */
	child = fork();
	if (child == 0) {
		struct rlimit no_core = {0, 0};

		setrlimit(RLIMIT_CORE, &no_core); /* the answer may be a SIGSEGV */
		_exit(ia32_getpid() == getpid() ? 0 : 1);
	}
	if (child < 0 || waitpid(child, &status, 0) != child) {
		snprintf(how, len, "cannot tell: the probe's child did not run");
		return false;
	}
	if (WIFSIGNALED(status)) {
		snprintf(how, len, "int 0x80 answered with SIG%s: ia32 emulation is off",
			 sigabbrev_np(WTERMSIG(status)));
		return false;
	}
	if (WEXITSTATUS(status)) {
		snprintf(how, len, "int 0x80 getpid returned another pid");
		return false;
	}
	snprintf(how, len, "int 0x80 served");
	return true;
}
#else
bool pvm_kernel_serves_ia32(char *how, size_t len)
{
	snprintf(how, len, "not an x86-64 kernel");
	return false;
}
#endif
