// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pvmfloor: the loader of bench/floor.bpf.c, one of bench/run.sh's
 * configurations ("floor" rows, bench/README.md).
 *
 *   pvmfloor --hooks enter|enter-exit|record|record-reads [-v]
 *
 * Loads and attaches only the programs of that floor, says
 * "pvmfloor: tracing (hooks H)" on stderr once attached, drains the ring
 * until SIGINT/SIGTERM, then prints one line of key=value pairs on stdout:
 *   hooks=record records=1600000 drops=0
 * records: records consumed from the ring; drops: reserves that failed. Both
 * are machine-wide: every caller of process_vm_writev/readv counts.
 */
#include <errno.h>
#include <getopt.h>
#include <linux/types.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "floor.h"
#include "floor.skel.h"

#define POLL_MS 100
/* a program still running when its link goes runs to its end: wait before the last drain */
#define DETACH_GRACE_US 20000

/* The programs each floor turns on; every other one stays unloaded. */
struct floor_hooks {
	const char *name;
	const char *progs[2];
};

static const struct floor_hooks HOOKS[] = {
	{"enter", {"empty_enter", NULL}},
	{"enter-exit", {"empty_enter", "empty_exit"}},
	{"record", {"empty_enter", "record_exit"}},
	{"record-reads", {"empty_enter", "record_reads_exit"}},
};

static volatile sig_atomic_t stop_requested;
static bool verbose;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	/* without -v, a failure reaches the user as our own one-line error */
	if (!verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "pvmfloor: %s: %s\n", what, strerror(err < 0 ? -err : err));
	return 1;
}

static const struct floor_hooks *find_hooks(const char *name)
{
	for (size_t i = 0; i < sizeof(HOOKS) / sizeof(HOOKS[0]); i++)
		if (strcmp(HOOKS[i].name, name) == 0)
			return &HOOKS[i];
	return NULL;
}

static bool hooks_use(const struct floor_hooks *h, const char *prog)
{
	for (size_t i = 0; i < sizeof(h->progs) / sizeof(h->progs[0]); i++)
		if (h->progs[i] && strcmp(h->progs[i], prog) == 0)
			return true;
	return false;
}

static void choose_programs(struct floor_bpf *skel, const struct floor_hooks *h)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, hooks_use(h, bpf_program__name(prog)));
}

static int count_record(void *ctx, void *data, size_t size)
{
	(void)data;
	(void)size;
	++*(unsigned long long *)ctx;
	return 0;
}

static unsigned long long read_drops(const struct floor_bpf *skel)
{
	int ncpus = libbpf_num_possible_cpus();
	unsigned long long sum = 0;
	__u32 key = 0;

	if (ncpus <= 0)
		return 0;
	__u64 per_cpu[ncpus];
	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.drops), &key, per_cpu))
		return 0;
	for (int i = 0; i < ncpus; i++)
		sum += per_cpu[i];
	return sum;
}

/* Open, keep only the floor's programs, load, attach; NULL once it said why not. */
static struct floor_bpf *load_floor(const struct floor_hooks *h)
{
	struct floor_bpf *skel = floor_bpf__open();
	const char *what = "load";
	int err;

	if (!skel) {
		fail("open", errno);
		return NULL;
	}
	choose_programs(skel, h);
	err = floor_bpf__load(skel);
	if (!err) {
		what = "attach";
		err = floor_bpf__attach(skel);
	}
	if (err) {
		fail(what, err);
		floor_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

/* Poll on a timer, then drain: the records come with BPF_RB_NO_WAKEUP. */
static int drain_until_stopped(struct ring_buffer *rb)
{
	int err = 0;

	while (!stop_requested) {
		err = ring_buffer__poll(rb, POLL_MS);
		if (err >= 0 || err == -EINTR)
			err = ring_buffer__consume(rb);
		if (err < 0 && err != -EINTR)
			return err;
	}
	return 0;
}

static const struct floor_hooks *parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{"hooks", required_argument, NULL, 'H'},
		{"verbose", no_argument, NULL, 'v'},
		{0},
	};
	const struct floor_hooks *h = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		if (c == 'H')
			h = find_hooks(optarg);
		else if (c == 'v')
			verbose = true;
		else
			return NULL;
	}
	return optind == argc ? h : NULL;
}

int main(int argc, char **argv)
{
	const struct floor_hooks *h = parse_args(argc, argv);
	unsigned long long records = 0;
	struct ring_buffer *rb = NULL;
	struct floor_bpf *skel;
	int err, rc = 1;

	if (!h) {
		fprintf(stderr, "usage: pvmfloor --hooks enter|enter-exit|record|record-reads [-v]\n");
		return 2;
	}
	libbpf_set_print(print_libbpf);
	signal(SIGINT, on_stop_signal);
	signal(SIGTERM, on_stop_signal);

	skel = load_floor(h);
	if (!skel)
		return 1;
	rb = ring_buffer__new(bpf_map__fd(skel->maps.records), count_record, &records, NULL);
	if (!rb) {
		rc = fail("ring buffer", errno);
		goto cleanup;
	}
	fprintf(stderr, "pvmfloor: tracing (hooks %s)\n", h->name);

	err = drain_until_stopped(rb);
	if (err) {
		rc = fail("ring buffer poll", err);
		goto cleanup;
	}
	floor_bpf__detach(skel);
	usleep(DETACH_GRACE_US);
	ring_buffer__consume(rb);
	printf("hooks=%s records=%llu drops=%llu\n", h->name, records, read_drops(skel));
	rc = 0;
cleanup:
	ring_buffer__free(rb);
	floor_bpf__destroy(skel);
	return rc;
}
