// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The in-kernel filter predicate, run on the host. */
#include "filter.h"
#include "unit.h"

static struct pvm_filter base_filter(void)
{
	return (struct pvm_filter){.syscalls = PVM_SYS_ALL};
}

static struct pvm_filter_input writev_by(__u32 pid, __u32 uid, const char *comm)
{
	struct pvm_filter_input in = {
		.syscall = PVM_SYS_WRITEV, .caller_pid = pid, .target_pid = 4300, .uid = uid};

	strncpy(in.comm, comm, sizeof(in.comm) - 1);
	return in;
}

UNIT_TEST(filter_without_criteria_keeps_everything)
{
	struct pvm_filter f = base_filter();
	struct pvm_filter_input in = writev_by(1, 0, "a");

	CHECK(pvm_filter_keeps(&f, &in));
	in.syscall = PVM_SYS_READV;
	CHECK(pvm_filter_keeps(&f, &in));
}

UNIT_TEST(filter_table)
{
	static const struct {
		const char *name;
		__u32 fields;
		__u32 syscalls;
		__u32 caller_pid;
		__s32 target_pid;
		__u32 uid;
		const char *comm;
		struct pvm_filter_input in;
		bool keep;
	} cases[] = {
		{"pid match", PVM_FILTER_CALLER_PID, PVM_SYS_ALL, 42, 0, 0, "",
		 {.syscall = 1, .caller_pid = 42}, true},
		{"pid mismatch", PVM_FILTER_CALLER_PID, PVM_SYS_ALL, 42, 0, 0, "",
		 {.syscall = 1, .caller_pid = 43}, false},
		{"target match", PVM_FILTER_TARGET_PID, PVM_SYS_ALL, 0, -1, 0, "",
		 {.syscall = 1, .target_pid = -1}, true},
		{"target mismatch", PVM_FILTER_TARGET_PID, PVM_SYS_ALL, 0, 7, 0, "",
		 {.syscall = 1, .target_pid = 8}, false},
		{"uid 0 match", PVM_FILTER_UID, PVM_SYS_ALL, 0, 0, 0, "", {.syscall = 1, .uid = 0},
		 true},
		{"uid mismatch", PVM_FILTER_UID, PVM_SYS_ALL, 0, 0, 0, "", {.syscall = 1, .uid = 1000},
		 false},
		{"comm match", PVM_FILTER_COMM, PVM_SYS_ALL, 0, 0, 0, "injector",
		 {.syscall = 1, .comm = "injector"}, true},
		{"comm prefix is not a match", PVM_FILTER_COMM, PVM_SYS_ALL, 0, 0, 0, "inject",
		 {.syscall = 1, .comm = "injector"}, false},
		{"comm longer is not a match", PVM_FILTER_COMM, PVM_SYS_ALL, 0, 0, 0, "injector2",
		 {.syscall = 1, .comm = "injector"}, false},
		{"comm of 15 bytes", PVM_FILTER_COMM, PVM_SYS_ALL, 0, 0, 0, "abcdefghijklmno",
		 {.syscall = 1, .comm = "abcdefghijklmno"}, true},
		{"cgroup inside", PVM_FILTER_CGROUP, PVM_SYS_ALL, 0, 0, 0, "",
		 {.syscall = 1, .in_cgroup = true}, true},
		{"cgroup outside", PVM_FILTER_CGROUP, PVM_SYS_ALL, 0, 0, 0, "",
		 {.syscall = 1, .in_cgroup = false}, false},
		{"cross-only drops own process", PVM_FILTER_CROSS_ONLY, PVM_SYS_ALL, 0, 0, 0, "",
		 {.syscall = 1, .same_process = true}, false},
		{"cross-only keeps another process", PVM_FILTER_CROSS_ONLY, PVM_SYS_ALL, 0, 0, 0, "",
		 {.syscall = 1, .same_process = false}, true},
		{"writev only drops readv", 0, PVM_SYS_BIT(PVM_SYS_WRITEV), 0, 0, 0, "",
		 {.syscall = PVM_SYS_READV}, false},
		{"readv only keeps readv", 0, PVM_SYS_BIT(PVM_SYS_READV), 0, 0, 0, "",
		 {.syscall = PVM_SYS_READV}, true},
		{"criteria combine with and", PVM_FILTER_CALLER_PID | PVM_FILTER_UID, PVM_SYS_ALL, 42,
		 0, 1000, "", {.syscall = 1, .caller_pid = 42, .uid = 0}, false},
		{"unset criteria are ignored", PVM_FILTER_UID, PVM_SYS_ALL, 42, 9, 0, "zzz",
		 {.syscall = 1, .caller_pid = 1, .target_pid = 1, .uid = 0, .comm = "a"}, true},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pvm_filter f = {
			.fields = cases[i].fields,
			.syscalls = cases[i].syscalls,
			.caller_pid = cases[i].caller_pid,
			.target_pid = cases[i].target_pid,
			.uid = cases[i].uid,
		};

		strncpy(f.comm, cases[i].comm, sizeof(f.comm) - 1);
		if (pvm_filter_keeps(&f, &cases[i].in) != cases[i].keep)
			unit_fail(__FILE__, __LINE__, "case '%s': want %s", cases[i].name,
				  cases[i].keep ? "keep" : "drop");
	}
}
