/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the host offers the cases, probed once before any case runs. Hosts of
 * one kind differ (some kernels boot with ia32 emulation off): a case names
 * what it needs, and where that is missing it is skipped by name, with what
 * is missing and how the probe found out.
 */
#ifndef PVMTRACE_E2E_HOST_H
#define PVMTRACE_E2E_HOST_H

#include <stdbool.h>
#include <stddef.h>

enum e2e_need {
	E2E_NEED_IA32 = 1 << 0,	   /* 32-bit programs run (an exec of trigger32) */
	E2E_NEED_INT80 = 1 << 1,   /* int $0x80 from 64-bit code is served */
	E2E_NEED_CGROUP2 = 1 << 2, /* a cgroup2 mount we can make cgroups in */
	E2E_NEED_PIDNS = 1 << 3,   /* new pid namespaces */
	E2E_NEED_MNTNS = 1 << 4,   /* new mount namespaces (the cli checks hide directories) */
};
#define E2E_NEED_COUNT 5

struct e2e_host {
	unsigned int missing;  /* e2e_need bits */
	unsigned int required; /* needs whose absence fails a case (--require) */
	/* for each need missing: what is missing, and how it was found */
	char why[E2E_NEED_COUNT][200];
};

void e2e_host_probe(struct e2e_host *h, const char *trigger32);

/* One "# host: NAME yes|no (why)" line per need. */
void e2e_host_print(const struct e2e_host *h);

/* The first of `needs` the host lacks; 0 when it has them all. */
unsigned int e2e_host_lacks(const struct e2e_host *h, unsigned int needs);

/* For a need the host lacks: what is missing and how it was found. */
const char *e2e_host_why(const struct e2e_host *h, unsigned int need);

/* A need's short name, as --require takes it ("ia32", "int80", ...). */
const char *e2e_need_name(unsigned int need);

/* What a test program counts; its closing line is "N passed, N failed, N skipped". */
struct e2e_tally {
	unsigned int passed, failed, skipped;
};

/*
 * When the host lacks one of `needs`: prints "skip - LABEL: NEED: WHY" and
 * counts a skip, or "not ok - ..." and a failure when that need is required;
 * returns true. False when the host has them all.
 */
bool e2e_host_skips(const struct e2e_host *h, unsigned int needs, const char *label,
		    struct e2e_tally *t);

#endif /* PVMTRACE_E2E_HOST_H */
