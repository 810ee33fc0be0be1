// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* --enforce: the kernel side's kill decision, run on the host. */
#include "enforce.h"
#include "unit.h"

#define GDB {.ino = 1001, .dev = 8 << 20 | 1}
#define MPIRUN {.ino = 1002, .dev = 8 << 20 | 1}
#define VICTIM {.ino = 1003, .dev = 8 << 20 | 1}
#define SHELL {.ino = 1004, .dev = 8 << 20 | 1}
#define OTHER_DEV_GDB {.ino = 1001, .dev = 8 << 20 | 2}

/* A foreign write by an unlisted shell-started program into a same-uid victim. */
static struct pvm_enforce_input foreign_write(void)
{
	struct pvm_enforce_input in = {
		.syscall = PVM_SYS_WRITEV,
		.foreign = true,
		.target_known = true,
		.caller_exe = {.ino = 2000, .dev = 8 << 20 | 1},
		.ancestors = {SHELL, {.ino = 1, .dev = 8 << 20 | 1}},
		.n_ancestors = 2,
		.target_exe = VICTIM,
		.comm = "injector",
	};
	return in;
}

static const struct pvm_allow_rule rules[] = {
	{.exe = GDB, .via = PVM_ALLOW_CALLER, .syscalls = PVM_SYS_ALL, .line = 10},
	{.exe = MPIRUN, .via = PVM_ALLOW_ANCESTOR, .syscalls = PVM_SYS_ALL,
	 .conditions = PVM_ALLOW_SAME_UID | PVM_ALLOW_SAME_EXE, .line = 20},
	{.exe = SHELL, .via = PVM_ALLOW_PARENT, .syscalls = PVM_SYS_BIT(PVM_SYS_WRITEV),
	 .conditions = PVM_ALLOW_COMM | PVM_ALLOW_TARGET_EXE, .target_exe = VICTIM,
	 .comm = "updater", .line = 30},
};

#define N_RULES (sizeof(rules) / sizeof(rules[0]))

struct enforce_case {
	const char *name;
	enum pvm_enforce_level level;
	void (*change)(struct pvm_enforce_input *in);
	bool kills;
	int allowed_by;
};

static void nothing(struct pvm_enforce_input *in) { (void)in; }
static void readv(struct pvm_enforce_input *in) { in->syscall = PVM_SYS_READV; }
static void own_process(struct pvm_enforce_input *in) { in->foreign = false; }
static void protected(struct pvm_enforce_input *in) { in->protected_caller = true; }
static void crosses_uid(struct pvm_enforce_input *in) { in->crosses_uid = true; }
static void crosses_pidns(struct pvm_enforce_input *in) { in->crosses_pidns = true; }
static void into_stack(struct pvm_enforce_input *in) { in->critical_region = true; }
static void unresolved(struct pvm_enforce_input *in)
{
	in->target_known = false;
	in->target_unresolved = true;
}
static void gdb(struct pvm_enforce_input *in) { in->caller_exe = (struct pvm_exe_id)GDB; }
static void gdb_other_dev(struct pvm_enforce_input *in)
{
	in->caller_exe = (struct pvm_exe_id)OTHER_DEV_GDB;
}
static void gdb_as_parent(struct pvm_enforce_input *in) { in->ancestors[0] = (struct pvm_exe_id)GDB; }
/* mpirun two levels up, its rank writing into a rank of the same program */
static void mpi_rank(struct pvm_enforce_input *in)
{
	in->ancestors[1] = (struct pvm_exe_id)MPIRUN;
	in->target_exe = in->caller_exe;
}
static void mpi_rank_other_uid(struct pvm_enforce_input *in)
{
	mpi_rank(in);
	in->crosses_uid = true;
}
static void mpi_rank_other_exe(struct pvm_enforce_input *in)
{
	in->ancestors[1] = (struct pvm_exe_id)MPIRUN;
}
static void mpi_beyond_walk(struct pvm_enforce_input *in)
{
	mpi_rank(in);
	in->n_ancestors = 1; /* the walk stopped below mpirun */
}
static void updater(struct pvm_enforce_input *in) { memcpy(in->comm, "updater", 8); }
static void updater_other_target(struct pvm_enforce_input *in)
{
	updater(in);
	in->target_exe = (struct pvm_exe_id)GDB;
}
static void no_exe(struct pvm_enforce_input *in)
{
	in->caller_exe = (struct pvm_exe_id){0};
	in->ancestors[0] = (struct pvm_exe_id){0};
}

static const struct enforce_case cases[] = {
	{"foreign write killed", PVM_ENFORCE_FOREIGN, nothing, true, -1},
	{"reads are never killed", PVM_ENFORCE_FOREIGN, readv, false, -1},
	{"own process spared", PVM_ENFORCE_FOREIGN, own_process, false, -1},
	{"pid 1 / kthread / self spared", PVM_ENFORCE_FOREIGN, protected, false, -1},
	{"off kills nothing", PVM_ENFORCE_OFF, nothing, false, -1},
	{"critical: same uid and ns, heap: spared", PVM_ENFORCE_CRITICAL, nothing, false, -1},
	{"critical: across uids", PVM_ENFORCE_CRITICAL, crosses_uid, true, -1},
	{"critical: across pid namespaces", PVM_ENFORCE_CRITICAL, crosses_pidns, true, -1},
	{"critical: into a stack/rwx/GOT", PVM_ENFORCE_CRITICAL, into_stack, true, -1},
	{"critical: unresolved target fails closed", PVM_ENFORCE_CRITICAL, unresolved, true, -1},
	{"allowed caller exe", PVM_ENFORCE_FOREIGN, gdb, false, 0},
	{"same inode, other device: not allowed", PVM_ENFORCE_FOREIGN, gdb_other_dev, true, -1},
	{"caller rule does not look at the parent", PVM_ENFORCE_FOREIGN, gdb_as_parent, true, -1},
	{"ancestor rule with same uid and exe", PVM_ENFORCE_FOREIGN, mpi_rank, false, 1},
	{"ancestor rule: other uid", PVM_ENFORCE_FOREIGN, mpi_rank_other_uid, true, -1},
	{"ancestor rule: other target exe", PVM_ENFORCE_FOREIGN, mpi_rank_other_exe, true, -1},
	{"ancestor beyond the walk", PVM_ENFORCE_FOREIGN, mpi_beyond_walk, true, -1},
	{"parent rule with comm and target exe", PVM_ENFORCE_FOREIGN, updater, false, 2},
	{"parent rule, other target exe", PVM_ENFORCE_FOREIGN, updater_other_target, true, -1},
	{"no executable matches nothing", PVM_ENFORCE_FOREIGN, no_exe, true, -1},
};

UNIT_TEST(enforce_table)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pvm_enforce_input in = foreign_write();
		int allowed_by = 99;
		bool kills;

		cases[i].change(&in);
		kills = pvm_enforce_kills(cases[i].level, rules, N_RULES, &in, &allowed_by);
		if (kills != cases[i].kills || allowed_by != cases[i].allowed_by)
			unit_fail(__FILE__, __LINE__, "%s: kills %d allowed_by %d, want %d %d",
				  cases[i].name, kills, allowed_by, cases[i].kills,
				  cases[i].allowed_by);
	}
}

UNIT_TEST(enforce_allow_rules_only_count_up_to_n)
{
	struct pvm_enforce_input in = foreign_write();
	int allowed_by;

	gdb(&in);
	CHECK(pvm_enforce_kills(PVM_ENFORCE_FOREIGN, rules, 0, &in, &allowed_by));
	CHECK_EQ(allowed_by, -1);
}
