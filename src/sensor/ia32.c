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
#include <sys/wait.h>
#include <unistd.h>

#include "sensor/child_probe.h"

#if defined(__x86_64__)
#define NR_IA32_GETPID 20
#define EXIT_SEGV 2 /* the child's SIGSEGV handler: the kernel refused the call */

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

static void on_segv(int sig)
{
	(void)sig;
	_exit(EXIT_SEGV);
}

/* The child's answer is an exit status: the SIGSEGV is caught. */
static void ia32_probe(void)
{
	signal(SIGSEGV, on_segv);
	_exit(ia32_getpid() == getpid() ? 0 : 1);
}

enum pvm_ia32 pvm_kernel_ia32(char *how, size_t len)
{
	int status = 0;

	if (!pvm_child_probe(ia32_probe, &status)) {
		snprintf(how, len, "the probe's child did not run");
		return PVM_IA32_UNKNOWN;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		snprintf(how, len, "int 0x80 served");
		return PVM_IA32_SERVED;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_SEGV) {
		snprintf(how, len, "int 0x80 answered with SIGSEGV: ia32 emulation is off");
		return PVM_IA32_NONE;
	}
	/*
	 * No answer of the kernel's: SIGSYS or an error is a seccomp filter on
	 * pvmtrace itself (systemd's SystemCallArchitectures=native), which other
	 * processes need not have.
	 */
	if (WIFSIGNALED(status))
		snprintf(how, len, "int 0x80 answered with SIG%s", sigabbrev_np(WTERMSIG(status)));
	else
		snprintf(how, len, "int 0x80 getpid did not return the pid");
	return PVM_IA32_UNKNOWN;
}
#else
enum pvm_ia32 pvm_kernel_ia32(char *how, size_t len)
{
	snprintf(how, len, "not an x86-64 kernel");
	return PVM_IA32_NONE;
}
#endif

const char *pvm_ia32_name(enum pvm_ia32 answer)
{
	switch (answer) {
	case PVM_IA32_SERVED:
		return "served by this kernel";
	case PVM_IA32_NONE:
		return "none on this kernel, no ia32 rule can fire";
	default:
		return "unknown";
	}
}
