// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * readerbench: what pvmtrace's reader costs per event, with no kernel.
 *
 *   readerbench [--events N] [--file-region] [-- PVMTRACE-OPTIONS...]
 *
 * Builds the record the kernel side writes for one call of pvmbench's flood
 * (this process writing 64 bytes, one iovec, into the heap of a child that
 * only pauses: target, region and executables resolved in the kernel), and
 * runs it N times through the reader (src/reader) configured by the given
 * pvmtrace options, e.g. `-- --json -o FILE`; each record a microsecond later
 * than the last. Prints one line on stderr (standard output may be the
 * events'):
 *
 *   events=N ns_per_event=W user_ns_per_event=U sys_ns_per_event=S bytes_per_event=B
 *
 * W is wall time, U and S CPU time (getrusage), B what reached the output
 * (0 when it is not a regular file). Under `valgrind --tool=callgrind` the
 * same run counts instructions, which do not depend on what else the machine
 * is doing: the way to compare two builds of the reader.
 *
 * --file-region: the write lands in the child's first file mapping instead,
 * whose path user space finds in /proc/PID/maps (the region path cache's
 * work).
 */
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "event/clock.h"
#include "layout.h"
#include "reader/reader.h"

#define PAYLOAD 64
#define HEAP_BASE 0x557ce65db000ULL

struct flood_record {
	struct pvm_record rec;
	struct pvm_iov iov[2];
	struct pvm_region region;
	unsigned char tail[PAYLOAD + 2 * PVM_EXE_PATH_MAX];
};

static void die(const char *what)
{
	fprintf(stderr, "readerbench: %s: %s\n", what, errno ? strerror(errno) : "failed");
	exit(1);
}

static __u32 ns_inode(const char *name)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	if (stat(path, &st))
		die(path);
	return (__u32)st.st_ino;
}

/* The executable's path as the kernel side walks it; its length. */
static __u16 exe_path(char *out)
{
	ssize_t n = readlink("/proc/self/exe", out, PVM_EXE_PATH_MAX - 1);

	if (n <= 0)
		die("readlink /proc/self/exe");
	return (__u16)n;
}

/* One writer's call into `child`, as the kernel side lays it out; returns its size. */
static size_t build_record(struct flood_record *b, pid_t child)
{
	char exe[PVM_EXE_PATH_MAX];
	__u16 exe_len = exe_path(exe);
	struct pvm_record *r = &b->rec;

	memset(b, 0, sizeof(*b));
	r->kind = PVM_REC_CALL;
	r->syscall = PVM_SYS_WRITEV;
	r->abi = PVM_ABI_X86_64;
	r->code_mode = PVM_CODE_64;
	r->local_n = r->remote_n = 1;
	r->pid = child;
	r->start_boot_ns = pvm_monotonic_now();
	r->duration_ns = 1500;
	r->ret = PAYLOAD;
	r->local_iov = HEAP_BASE + 0x2c0;
	r->liovcnt = r->riovcnt = 1;
	r->remote_iov = HEAP_BASE + 0x42c0;
	r->local_bytes = r->remote_bytes = PAYLOAD;
	r->data_total = r->data_captured = PAYLOAD;
	r->data_state = PVM_DATA_OK;
	r->cgroup_id = 1;
	r->caller_pid = (__u32)getpid();
	r->caller_tid = (__u32)gettid();
	r->caller_ppid = (__u32)getppid();
	r->caller_uid = getuid();
	r->caller_gid = getgid();
	r->pidns = ns_inode("pid");
	r->mntns = ns_inode("mnt");
	memcpy(r->comm, "readerbench", sizeof("readerbench"));
	r->caller_start_boot_ns = 116338975302ULL;
	r->caller_exe = (struct pvm_exe){.ino = 1, .dev = 1, .path_len = exe_len,
					 .flags = PVM_EXE_KNOWN};
	r->target = (struct pvm_target){
		.start_boot_ns = 116339832108ULL, .cgroup_id = 1, .pid = (__u32)child,
		.tid = (__u32)child, .ppid = r->caller_pid, .uid = getuid(), .pidns = r->pidns,
		.source = PVM_TARGET_KERNEL, .comm = "readerbench",
		.exe = r->caller_exe,
	};
	b->iov[0] = (struct pvm_iov){HEAP_BASE + 0x8300, PAYLOAD};
	b->iov[1] = (struct pvm_iov){HEAP_BASE + 0x8350, PAYLOAD};
	b->region = (struct pvm_region){.start = HEAP_BASE, .end = HEAP_BASE + 0x21000,
					.vm_flags = PVM_VM_READ | PVM_VM_WRITE,
					.state = PVM_REGION_FOUND, .kind = PVM_REGION_HEAP};
	memset(b->tail, 0xa5, PAYLOAD);
	memcpy(b->tail + PAYLOAD, exe, exe_len);
	memcpy(b->tail + PAYLOAD + exe_len, exe, exe_len);
	return pvm_rec_size(r);
}

/* The child's first mapping of a file, as the kernel side resolves it. */
static void file_region(struct flood_record *b, pid_t child)
{
	char path[64], line[512];
	unsigned long long start, end, inode;
	FILE *maps;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)child);
	maps = fopen(path, "re");
	if (!maps)
		die(path);
	while (fgets(line, sizeof(line), maps)) {
		if (sscanf(line, "%llx-%llx %*s %*s %*s %llu", &start, &end, &inode) == 3 &&
		    strchr(line, '/')) {
			fclose(maps);
			b->iov[1].base = start;
			b->region = (struct pvm_region){.start = start, .end = end, .inode = inode,
							.vm_flags = PVM_VM_READ,
							.state = PVM_REGION_FOUND,
							.kind = PVM_REGION_FILE};
			return;
		}
	}
	errno = 0;
	die("no file mapping in the child");
}

static __u64 timeval_ns(struct timeval tv)
{
	return (__u64)tv.tv_sec * 1000000000ULL + (__u64)tv.tv_usec * 1000ULL;
}

static long long output_size(const struct pvm_reader *r)
{
	struct stat st;

	return fstat(r->sink.fd, &st) == 0 && S_ISREG(st.st_mode) ? (long long)st.st_size : 0;
}

static void run(struct pvm_reader *r, struct flood_record *b, size_t size, unsigned long events)
{
	struct rusage before, after;
	__u64 start, wall;
	long long bytes = output_size(r);

	getrusage(RUSAGE_SELF, &before);
	start = pvm_monotonic_now();
	for (unsigned long i = 0; i < events; i++) {
		b->rec.start_boot_ns += 1000;
		pvm_reader_record(r, b, size);
		if (i % 4096 == 4095 && r->sink.wrote && !pvm_sink_flush(&r->sink, false))
			die("output");
	}
	if (!pvm_sink_flush(&r->sink, true))
		die("output");
	wall = pvm_monotonic_now() - start;
	getrusage(RUSAGE_SELF, &after);
	bytes = output_size(r) - bytes;
	fprintf(stderr, "events=%lu ns_per_event=%.1f user_ns_per_event=%.1f sys_ns_per_event=%.1f "
	       "bytes_per_event=%.0f\n",
	       events, (double)wall / events,
	       (double)(timeval_ns(after.ru_utime) - timeval_ns(before.ru_utime)) / events,
	       (double)(timeval_ns(after.ru_stime) - timeval_ns(before.ru_stime)) / events,
	       (double)bytes / events);
}

int main(int argc, char **argv)
{
	static struct pvm_reader reader;
	static struct flood_record record;
	unsigned long events = 1000000;
	struct pvm_options opts;
	struct pvm_reader_config reader_cfg;
	char *pvm_argv[64] = {"pvmtrace"};
	int pvm_argc = 1, i = 1;
	bool in_file = false;
	pid_t child;
	size_t size;

	if (i + 1 < argc && !strcmp(argv[i], "--events"))
		events = strtoul(argv[i + 1], NULL, 10), i += 2;
	if (i < argc && !strcmp(argv[i], "--file-region"))
		in_file = true, i++;
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	for (; i < argc && pvm_argc < 63; i++)
		pvm_argv[pvm_argc++] = argv[i];
	if (!events || pvm_options_parse(pvm_argc, pvm_argv, &opts, stderr) ||
	    opts.command != PVM_CMD_TRACE) {
		fprintf(stderr, "usage: readerbench [--events N] [--file-region] [-- PVMTRACE-OPTIONS...]\n");
		return 2;
	}
	reader_cfg = pvm_reader_config_of(&opts);
	if (pvm_reader_open(&reader, &reader_cfg) != PVM_EXIT_OK)
		return 1; /* before the child: none is left paused */
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		pause();
		_exit(0);
	}
	size = build_record(&record, child);
	if (in_file)
		file_region(&record, child);
	run(&reader, &record, size, events);
	pvm_reader_close(&reader);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return 0;
}
