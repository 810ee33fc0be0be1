// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A static program that calls process_vm_writev and process_vm_readv
 * through its own ABI's entry into a child it forks, and prints what it
 * passed so the e2e runner can check the events. Built twice:
 * -m32 as trigger32 (int 0x80, the ia32 entry, compat_iovec arrays), and
 * 64-bit as trigger64, which the runner execs where the kernel runs no
 * 32-bit program (the exec half of exe_paths_follow_targets_and_exec).
 *
 *   CALL <writev|readv> <pid> <tid> <ppid> <pid_arg> <local_iov> <liovcnt>
 *        <remote_iov> <riovcnt> <flags> <ret> <base:len>... | <base:len>...
 *        DATA <hex of the 64 local bytes after the call> EXE <readlink /proc/self/exe>
 *
 * after one line "MAP <the /proc/self/maps line that holds the remote buffer>"
 * (its child, a fork, has the same mapping there). `--probe` exits 0 at once:
 * the runner's test of whether this kernel runs the program at all.
 *
 * trigger32's glibc start-up also makes i386 syscall 311 (set_robust_list),
 * which must not be reported as process_vm_writev (x86_64 311).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static char target_buf[64];
static char part_a[24] = "ia32-compat-iovec-one..";
static char part_b[40] = "and-the-second-entry-of-the-local-side";

#ifdef __i386__
#define NR_PROCESS_VM_READV 347
#define NR_PROCESS_VM_WRITEV 348
#define NR_GETTID 224

/*
 * ebp cannot be an asm operand: the sixth argument goes through this global,
 * whose absolute address stays valid after the push moves esp.
 */
static long sixth_arg;

/* int 0x80 whatever the libc prefers (sysenter through the vDSO) */
static long abi_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	long ret;

	sixth_arg = a6;
	__asm__ volatile("push %%ebp\n\t"
			 "movl %7, %%ebp\n\t"
			 "int $0x80\n\t"
			 "pop %%ebp"
			 : "=a"(ret)
			 : "a"(nr), "b"(a1), "c"(a2), "d"(a3), "S"(a4), "D"(a5), "m"(sixth_arg)
			 : "memory");
	return ret;
}
#else
#define NR_PROCESS_VM_READV SYS_process_vm_readv
#define NR_PROCESS_VM_WRITEV SYS_process_vm_writev
#define NR_GETTID SYS_gettid

/* -errno on failure, as the int 0x80 path returns it */
static long abi_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	long ret = syscall(nr, a1, a2, a3, a4, a5, a6);

	return ret < 0 ? -errno : ret;
}
#endif

static void print_iov(const struct iovec *iov, int n)
{
	for (int i = 0; i < n; i++)
		printf(" %#lx:%lu", (unsigned long)iov[i].iov_base, (unsigned long)iov[i].iov_len);
}

/* readlink(/proc/self/exe): the caller's exe, and its child's (a fork) */
static char exe[4096];

static void call(int writev, pid_t child)
{
	struct iovec local[2] = {{part_a, 24}, {part_b, 40}};
	struct iovec remote[1] = {{target_buf, 64}};
	long nr = writev ? NR_PROCESS_VM_WRITEV : NR_PROCESS_VM_READV;
	long ret = abi_syscall(nr, child, (long)local, 2, (long)remote, 1, 0);

	printf("CALL %s %d %ld %d %d %#lx 2 %#lx 1 0 %ld", writev ? "writev" : "readv", getpid(),
	       abi_syscall(NR_GETTID, 0, 0, 0, 0, 0, 0), getppid(), child, (unsigned long)local,
	       (unsigned long)remote, ret);
	print_iov(local, 2);
	printf(" |");
	print_iov(remote, 1);
	printf(" DATA ");
	for (int i = 0; i < 2; i++)
		for (size_t j = 0; j < local[i].iov_len; j++)
			printf("%02x", ((unsigned char *)local[i].iov_base)[j]);
	printf(" EXE %s\n", exe);
}

static void print_target_mapping(void)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	unsigned long start, end, at = (unsigned long)target_buf;
	char line[512];

	while (maps && fgets(line, sizeof(line), maps))
		if (sscanf(line, "%lx-%lx", &start, &end) == 2 && at >= start && at < end)
			printf("MAP %s", line);
	if (maps)
		fclose(maps);
	fflush(stdout); /* not again from the child's copy of the buffer */
}

int main(int argc, char **argv)
{
	pid_t child;

	if (argc > 1 && !strcmp(argv[1], "--probe"))
		return 0;
	if (readlink("/proc/self/exe", exe, sizeof(exe) - 1) <= 0)
		return 1;
	print_target_mapping();
	child = fork();

	if (child < 0)
		return 1;
	if (child == 0) {
		for (;;)
			pause();
	}
	call(1, child);
	call(0, child);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return 0;
}
