// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The seed corpora of the decode and replay harnesses, made from the same
 * calls: each as the raw record the kernel side sends (corpus/decode/NAME.bin,
 * laid out by tests/unit/record_builder.h) and as the JSON line the live
 * sensor writes for it (corpus/replay/NAME.json). Run again when record.h or
 * the JSON changes: `make fuzz-seeds`.
 */
#include <errno.h>
#include <stdlib.h>

#include "output/format.h"
#include "record_builder.h"
#include "rules/rules.h"

/* 2026-11-27T15:45:08.123456789Z at the example's start_boot_ns */
#define EXAMPLE_WALL_NS 1795794308123456789ULL

struct seed {
	const char *name;
	void (*build)(struct record_buffer *b);
	const char *ancestors[3]; /* parent first: looked up, the call alerted */
	const char *region_path;  /* remote entry 0's file, as /proc would name it */
};

static void write_child_heap(struct record_buffer *b)
{
	build_example(b);
	set_region(b, 0,
		   (struct pvm_region){.start = 0x7f3a1c000000, .end = 0x7f3a1c021000,
				       .vm_flags = PVM_VM_READ | PVM_VM_WRITE,
				       .state = PVM_REGION_FOUND, .kind = PVM_REGION_HEAP});
	set_exes(b, "/usr/bin/injector", PVM_EXE_KNOWN, "/usr/sbin/victim", PVM_EXE_KNOWN);
}

static void strace_read(struct record_buffer *b)
{
	build_example(b);
	b->rec.syscall = PVM_SYS_READV;
	b->rec.ret = 4096;
	set_exes(b, "/usr/bin/strace", PVM_EXE_KNOWN, "/usr/sbin/victim", PVM_EXE_KNOWN);
}

/* An MPI rank writes into its sibling: the default allowlist allows it. */
static void mpi_rank_write(struct record_buffer *b)
{
	build_example(b);
	b->rec.caller_uid = b->rec.target.uid = 1000;
	b->rec.target.ppid = 4000;
	set_exes(b, "/opt/app/bin/rank", PVM_EXE_KNOWN, "/opt/app/bin/rank", PVM_EXE_KNOWN);
}

/* An ia32 call from 64-bit code, to a pid that named no process. */
static void ia32_esrch(struct record_buffer *b)
{
	build_example(b);
	b->rec.abi = PVM_ABI_IA32;
	b->rec.ret = -3;
	b->rec.target.source = PVM_TARGET_NONE;
	b->rec.local_state = PVM_IOV_FAULT;
	b->rec.local_n = 0;
	b->iov[0] = b->iov[2];
	set_region(b, 0, (struct pvm_region){.state = PVM_REGION_NONE});
	set_payload(b, "", 0, 0);
	set_exes(b, "/usr/bin/injector", PVM_EXE_KNOWN, NULL, 0);
}

/* Nobody could tell the target nor its mapping. */
static void unresolved_target(struct record_buffer *b)
{
	build_example(b);
	b->rec.target.source = PVM_TARGET_UNRESOLVED;
	set_region(b, 0, (struct pvm_region){.state = PVM_REGION_UNRESOLVED});
	set_exes(b, "/usr/bin/injector", PVM_EXE_KNOWN, NULL, 0);
}

/* A caller known by its path's tail, into a target whose file is gone. */
static void cut_exes(struct record_buffer *b)
{
	build_example(b);
	set_exes(b, "/bin/tool", PVM_EXE_KNOWN | PVM_EXE_TRUNCATED, "/tmp/victim",
		 PVM_EXE_KNOWN | PVM_EXE_DELETED);
}

/* 1025 local entries, 2 kept; 3 remote: code of libc, no mapping, a stack. */
static void many_iovecs(struct record_buffer *b)
{
	build_example(b);
	b->rec.local_state = PVM_IOV_OVERSIZE;
	b->rec.liovcnt = 1025;
	b->rec.remote_n = b->rec.riovcnt = 3;
	b->rec.remote_bytes = 96;
	b->iov[3] = (struct pvm_iov){0x10, 16};
	b->iov[4] = (struct pvm_iov){0x7ffd5c100000, 16};
	set_region(b, 0,
		   (struct pvm_region){.start = 0x7f3a1c000000, .end = 0x7f3a1c1a0000,
				       .inode = 1234567, .dev = 0x800001,
				       .vm_flags = PVM_VM_READ | PVM_VM_EXEC,
				       .state = PVM_REGION_FOUND, .kind = PVM_REGION_FILE});
	set_region(b, 1, (struct pvm_region){.state = PVM_REGION_NONE});
	set_region(b, 2,
		   (struct pvm_region){.start = 0x7ffd5c0e0000, .end = 0x7ffd5c101000,
				       .vm_flags = PVM_VM_READ | PVM_VM_WRITE,
				       .state = PVM_REGION_FOUND, .kind = PVM_REGION_STACK});
	set_payload(b, "0123456789abcdef", 16, 64);
	set_exes(b, "/usr/bin/injector", PVM_EXE_KNOWN, "/usr/sbin/victim", PVM_EXE_KNOWN);
}

/* Names a terminal would act on, UTF-8 and a stray byte. */
static void hostile_names(struct record_buffer *b)
{
	build_example(b);
	b->rec.syscall = PVM_SYS_READV;
	memcpy(b->rec.comm, "x\x1b[2J\n\xc3\xa9\"\\\xff", 11);
	memcpy(b->rec.target.comm, "\xe2\x80\xae" "cod.exe", 10);
	set_exes(b, "/tmp/\xe2\x80\xae" "exe", PVM_EXE_KNOWN, "/tmp/a b\tc", PVM_EXE_KNOWN);
}

static const struct seed seeds[] = {
	{"write-child-heap", write_child_heap, {"/usr/bin/bash", "/usr/lib/systemd/systemd"}, NULL},
	{"strace-read", strace_read, {"/usr/bin/bash"}, NULL},
	{"mpi-rank-write", mpi_rank_write, {"/usr/bin/orterun", "/usr/bin/bash"}, NULL},
	{"ia32-esrch", ia32_esrch, {"/usr/bin/bash"}, NULL},
	{"unresolved-target", unresolved_target, {NULL}, NULL},
	{"cut-exes", cut_exes, {"/usr/bin/bash"}, NULL},
	{"many-iovecs", many_iovecs, {"/usr/bin/bash"}, "/usr/lib/x86_64-linux-gnu/libc.so.6"},
	{"hostile-names", hostile_names, {"/usr/bin/bash"}, NULL},
};

static FILE *create(const char *dir, const char *kind, const char *name, const char *ext)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s.%s", dir, kind, name, ext);
	f = fopen(path, "we");
	if (!f) {
		fprintf(stderr, "make_seeds: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return f;
}

static void finish(FILE *f)
{
	int failed = ferror(f);

	if (fclose(f) || failed) {
		fprintf(stderr, "make_seeds: writing a seed failed\n");
		exit(1);
	}
}

/* The event as the reader makes it: regions, ancestors when it alerted, alerts. */
static void write_line(FILE *out, const struct seed *s, struct pvm_event *ev,
		       const struct pvm_allowlist *allow)
{
	static struct pvm_region_view views[PVM_REGIONS_MAX];
	struct pvm_envelope env;
	struct json_writer w;
	struct pvm_alerts alerts;
	struct pvm_facts facts;

	pvm_enrich_regions(no_proc(), ev, views, 0);
	if (s->region_path) {
		views[0].has_path = true;
		snprintf(views[0].path, sizeof(views[0].path), "%s", s->region_path);
	}
	pvm_facts_from_event(ev, &facts);
	if (pvm_rules_eval(&facts, NULL, &alerts)) {
		while (ev->n_ancestors < 3 && s->ancestors[ev->n_ancestors]) {
			ev->caller_ancestors[ev->n_ancestors] = s->ancestors[ev->n_ancestors];
			ev->n_ancestors++;
		}
		ev->looked_up_ancestors = true;
		pvm_facts_ancestors_from_event(ev, &facts);
		pvm_alerts_allow(&alerts, &facts, allow);
	}
	ev->alerts = &alerts;
	pvm_envelope_init(&env, "seed.example", "/nonexistent", "0.0-seed");
	jw_init(&w, out);
	pvm_format_json(&w, ev, NULL, &env);
	jw_flush(&w);
}

static void write_seed(const char *dir, const struct seed *s, const struct pvm_allowlist *allow)
{
	static struct record_buffer b;
	struct pvm_decode_config config = {.capture = 64};
	struct pvm_event ev;
	const char *why;
	FILE *f;

	s->build(&b);
	config.boot_to_wall_ns = EXAMPLE_WALL_NS - b.rec.start_boot_ns;
	if (pvm_event_decode(&b, record_size(&b), &config, &ev, &why)) {
		fprintf(stderr, "make_seeds: %s: %s\n", s->name, why);
		exit(1);
	}
	f = create(dir, "decode", s->name, "bin");
	fwrite(&b, 1, record_size(&b), f);
	finish(f);
	f = create(dir, "replay", s->name, "json");
	write_line(f, s, &ev, allow);
	finish(f);
}

/* A --capture-dir chunk: 16 bytes of a payload, at its start. */
static void write_chunk(const char *dir)
{
	static const char data[16] = "0123456789abcdef";
	const struct pvm_chunk chunk = {.kind = PVM_REC_CHUNK, .len = sizeof(data), .tid = 4243,
					.start_boot_ns = 1000000000ULL};
	FILE *f = create(dir, "decode", "chunk", "bin");

	fwrite(&chunk, 1, sizeof(chunk), f);
	fwrite(data, 1, sizeof(data), f);
	finish(f);
}

int main(int argc, char **argv)
{
	struct pvm_allowlist allow;
	char err[256];

	if (argc != 2) {
		fprintf(stderr, "usage: make_seeds CORPUS_DIR\n");
		return 2;
	}
	if (pvm_allowlist_load_default(&allow, err, sizeof(err))) {
		fprintf(stderr, "make_seeds: %s\n", err);
		return 1;
	}
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		write_seed(argv[1], &seeds[i], &allow);
	write_chunk(argv[1]);
	pvm_allowlist_free(&allow);
	return 0;
}
