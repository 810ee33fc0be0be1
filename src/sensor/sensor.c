// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "sensor/sensor.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "layout.h"
#include "pvmtrace.skel.h"
#include "sensor/heap_bounds.h"

#define TRACEFS_DIR "/sys/kernel/tracing"
#define SYSCALL_TRACEPOINT_ID TRACEFS_DIR "/events/syscalls/sys_enter_process_vm_writev/id"
#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"
#define CGROUP2_SUPER_MAGIC 0x63677270 /* include/uapi/linux/magic.h */

/* capability numbers, include/uapi/linux/capability.h */
#define CAP_SYS_ADMIN_BIT 21
#define CAP_PERFMON_BIT 38
#define CAP_BPF_BIT 39

struct pvm_sensor {
	struct pvmtrace_bpf *skel;
	struct pvm_ring *ring;
	enum pvm_mode mode;
	__u64 cgroup_ino; /* --cgroup: the directory the filter holds (its cgroup id) */
};

static bool libbpf_verbose;

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	/* without -v, failures reach the user as our own one-line errors */
	if (!libbpf_verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* Where a thread's in-flight slot is let go, in the modes without tracefs. */
#define THREAD_EXIT_RAW_TP "raw_tp/sched_process_exit"

/* Do the programs of `section` belong to `mode`? */
static bool section_in_mode(const char *section, enum pvm_mode mode)
{
	static const char *const prefixes[PVM_MODE__COUNT][3] = {
		[PVM_MODE_FENTRY] = {"fentry/", "fexit/", THREAD_EXIT_RAW_TP},
		[PVM_MODE_KPROBE] = {"kprobe/", "kretprobe/", THREAD_EXIT_RAW_TP},
		[PVM_MODE_TP_BTF] = {"tp_btf/", THREAD_EXIT_RAW_TP},
		[PVM_MODE_RAW_TP] = {"raw_tp/"},
		[PVM_MODE_TRACEPOINT] = {"tracepoint/"},
	};

	for (int i = 0; i < 3; i++) {
		const char *prefix = prefixes[mode][i];

		if (prefix && !strncmp(section, prefix, strlen(prefix)))
			return true;
	}
	return false;
}

static __u64 effective_capabilities(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long long caps = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return caps;
}

static bool has_capability(__u64 caps, int bit)
{
	return (caps >> bit) & 1;
}

static enum pvm_exit check_privileges(void)
{
	__u64 caps = effective_capabilities();

	if (has_capability(caps, CAP_SYS_ADMIN_BIT) ||
	    (has_capability(caps, CAP_BPF_BIT) && has_capability(caps, CAP_PERFMON_BIT)))
		return PVM_EXIT_OK;
	fprintf(stderr, "pvmtrace: needs root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN)\n");
	return PVM_EXIT_PERMISSION;
}

static enum pvm_exit check_btf(void)
{
	if (access(VMLINUX_BTF, R_OK) == 0)
		return PVM_EXIT_OK;
	fprintf(stderr, "pvmtrace: this kernel has no BTF (%s: %s); it needs CONFIG_DEBUG_INFO_BTF=y\n",
		VMLINUX_BTF, strerror(errno));
	return PVM_EXIT_NO_BTF;
}

enum pvm_exit pvm_sensor_preflight(void)
{
	enum pvm_exit status = check_privileges();

	return status == PVM_EXIT_OK ? check_btf() : status;
}

/* A bad --cgroup is the user's input, not the kernel's fault: say so first. */
static enum pvm_exit check_cgroup_path(const char *path)
{
	struct statfs fs;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool ok = fd >= 0 && fstatfs(fd, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;

	if (fd >= 0)
		close(fd);
	if (ok)
		return PVM_EXIT_OK;
	fprintf(stderr, "pvmtrace: --cgroup %s: not a cgroup2 directory\n", path);
	return PVM_EXIT_USAGE;
}

/* The syscall tracepoints live in tracefs, which nobody may have mounted. */
static int ensure_tracefs(void)
{
	if (access(SYSCALL_TRACEPOINT_ID, R_OK) == 0)
		return 0;
	if (mount("tracefs", TRACEFS_DIR, "tracefs", 0, NULL) && errno != EBUSY)
		return -errno;
	return access(SYSCALL_TRACEPOINT_ID, R_OK) == 0 ? 0 : -ENOENT;
}

static void select_programs(struct pvmtrace_bpf *skel, enum pvm_mode mode)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog,
					  section_in_mode(bpf_program__section_name(prog), mode));
}

/* The kfuncs the kernel side can use to resolve the target, from kernel BTF. */
struct kfuncs {
	bool task_from_pid;
	bool task_from_vpid;
};

static struct kfuncs probe_kfuncs(void)
{
	struct kfuncs k = {0};
	struct btf *btf = btf__load_vmlinux_btf();

	if (!btf)
		return k;
	k.task_from_pid = btf__find_by_name_kind(btf, "bpf_task_from_pid", BTF_KIND_FUNC) > 0 &&
			  btf__find_by_name_kind(btf, "bpf_task_release", BTF_KIND_FUNC) > 0;
	k.task_from_vpid = k.task_from_pid &&
			   btf__find_by_name_kind(btf, "bpf_task_from_vpid", BTF_KIND_FUNC) > 0;
	btf__free(btf);
	return k;
}

/*
 * The in-flight map allocates a slot per calling thread, but callers that
 * block in the syscall (a page served by their own FUSE file system) could
 * pin one slot each: cap the slots so that all of them together stay within
 * INFLIGHT_BUDGET. Beyond that calls are counted in inflight_drops. Half of
 * them may stay with their threads between calls (slots_keep_max).
 */
#define INFLIGHT_BUDGET (64u << 20)

static int size_inflight(struct pvmtrace_bpf *skel, size_t value_size)
{
	size_t slots = INFLIGHT_BUDGET / value_size;
	int err = bpf_map__set_value_size(skel->maps.inflight, value_size);

	if (slots > PVM_INFLIGHT_MAX)
		slots = PVM_INFLIGHT_MAX;
	skel->rodata->slots_keep_max = slots / 2;
	return err ? err : bpf_map__set_max_entries(skel->maps.inflight, slots);
}

/*
 * The ring buffer holds several whole payloads of --capture-dir at once (a
 * payload crosses it as chunks, all sent before the call's record), and never
 * less than the default. A power of two, as the kernel requires. The default
 * holds tens of milliseconds of a one-writer flood: the reader must ride out
 * its vCPU taken away by the hypervisor and the disk's slower moments (sizes
 * and drops measured in bench/results.md). Mapped once (ring.h), it counts
 * once in RSS.
 */
#define RINGBUF_DEFAULT (16u << 20)
#define RINGBUF_PAYLOADS 4

static __u32 ringbuf_size(unsigned long store_max)
{
	__u32 size = RINGBUF_DEFAULT;

	while (size < RINGBUF_PAYLOADS * store_max)
		size <<= 1;
	return size;
}

static int configure(struct pvmtrace_bpf *skel, const struct pvm_sensor_config *cfg,
		     struct kfuncs kfuncs)
{
	int err;

	memcpy((void *)&skel->rodata->filter, &cfg->filter, sizeof(cfg->filter));
	skel->rodata->have_task_from_pid = kfuncs.task_from_pid;
	skel->rodata->have_task_from_vpid = kfuncs.task_from_vpid;
	skel->rodata->max_iov = cfg->max_iov;
	skel->rodata->capture_len = cfg->capture;
	skel->rodata->store_max = cfg->store_max;
	skel->rodata->enforce_level = cfg->enforce;
	skel->rodata->self_tgid = getpid();
	skel->rodata->heap_bounds_inclusive = pvm_heap_bounds_inclusive();
	skel->rodata->n_allow = cfg->n_allow;
	if (cfg->n_allow)
		memcpy((void *)skel->rodata->allow_rules, cfg->allow,
		       cfg->n_allow * sizeof(*cfg->allow));
	skel->rodata->events_size = ringbuf_size(cfg->store_max);
	err = bpf_map__set_max_entries(skel->maps.events, skel->rodata->events_size);
	return err ? err
		   : size_inflight(skel, PVM_SLOT_VALUE_SIZE(cfg->max_iov, cfg->capture,
								 cfg->store_max > 0));
}

static __u64 inode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_ino;
}

/* The filter holds the cgroup2 directory at path now; its inode, the cgroup id, in *ino. */
static int point_cgroup_filter(struct pvmtrace_bpf *skel, const char *path, __u64 *ino)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err = 0;
	struct stat st;
	__u32 key = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) ||
	    bpf_map_update_elem(bpf_map__fd(skel->maps.filter_cgroup), &key, &fd, BPF_ANY))
		err = -errno;
	else
		*ino = st.st_ino;
	close(fd);
	return err;
}

static int set_cgroup_filter(struct pvmtrace_bpf *skel, const char *path)
{
	__u64 ino;
	int err = point_cgroup_filter(skel, path, &ino);

	if (err == -ENOENT || err == -ENOTDIR || err == -EACCES)
		fprintf(stderr, "pvmtrace: --cgroup %s: %s\n", path, strerror(-err));
	else if (err)
		fprintf(stderr, "pvmtrace: --cgroup %s: not a cgroup2 directory (%s)\n", path,
			strerror(-err));
	return err;
}

/* A program that sees calls return (or processes end), not calls begin. */
static bool exit_side(const struct bpf_program *prog)
{
	const char *section = bpf_program__section_name(prog);

	return strstr(section, "exit") || strstr(section, "kretprobe");
}

/*
 * The skeleton attaches in the object's order, entries first: a call that
 * entered then and returned before its exit hook was attached stayed saved,
 * counted in unmatched_enter when its thread's next call replaced it (a few
 * each start under load). The exit side first instead: a call that entered
 * before its entry hook is only an unmatched_exit, which the docs allow.
 */
static int attach_exits_first(struct pvmtrace_bpf *skel)
{
	const struct bpf_object_skeleton *s = skel->skeleton;

	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < s->prog_cnt; i++) {
			struct bpf_program *prog = *s->progs[i].prog;
			struct bpf_link **link = s->progs[i].link;

			if (!bpf_program__autoload(prog) || exit_side(prog) != (pass == 0))
				continue;
			*link = bpf_program__attach(prog);
			if (!*link)
				return -errno;
		}
	return 0;
}

/*
 * Opens, loads and attaches the programs of one mode. Returns the skeleton,
 * or NULL with *err (-errno) and *what (the failed step) set.
 */
static struct pvmtrace_bpf *load_mode(const struct pvm_sensor_config *cfg, enum pvm_mode mode,
				      struct kfuncs kfuncs, int *err, const char **what)
{
	struct pvmtrace_bpf *skel;

	*what = "open";
	skel = pvmtrace_bpf__open();
	if (!skel) {
		*err = -errno;
		return NULL;
	}
	select_programs(skel, mode);
	*what = "configure";
	*err = configure(skel, cfg, kfuncs);
	if (!*err && mode == PVM_MODE_TRACEPOINT) {
		*what = "mount tracefs";
		*err = ensure_tracefs();
	}
	if (!*err) {
		*what = "load";
		*err = pvmtrace_bpf__load(skel);
	}
	if (!*err && (cfg->filter.fields & PVM_FILTER_CGROUP)) {
		*what = "cgroup filter";
		*err = set_cgroup_filter(skel, cfg->cgroup_path);
	}
	if (!*err) {
		*what = "attach";
		*err = attach_exits_first(skel);
	}
	if (*err) {
		pvmtrace_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

/*
 * Not every program type may call kfuncs (raw_tp may not on 6.18; tracepoint
 * and kprobe could not before v6.x), and only the verifier knows: a mode
 * whose load fails with them is tried again without, and its targets are
 * then resolved from /proc in user space.
 */
static struct pvmtrace_bpf *load_mode_best(const struct pvm_sensor_config *cfg,
					   enum pvm_mode mode, int *err, const char **what)
{
	static const struct kfuncs none;
	struct kfuncs kfuncs = probe_kfuncs();
	struct pvmtrace_bpf *skel = NULL;

	if (kfuncs.task_from_pid)
		skel = load_mode(cfg, mode, kfuncs, err, what);
	if (skel || (kfuncs.task_from_pid && strcmp(*what, "load")))
		return skel;
	skel = load_mode(cfg, mode, none, err, what);
	if (skel && cfg->enforce == PVM_ENFORCE_CRITICAL) {
		/* it needs the target's uid, namespace and mappings at entry */
		pvmtrace_bpf__destroy(skel);
		*what = "--enforce=critical needs targets resolved in the kernel";
		*err = -EOPNOTSUPP;
		return NULL;
	}
	return skel;
}

static struct pvmtrace_bpf *load_chosen_mode(const struct pvm_sensor_config *cfg,
					     enum pvm_mode *chosen)
{
	enum pvm_mode only[] = {cfg->mode};
	const enum pvm_mode *order = cfg->mode == PVM_MODE_AUTO ? pvm_mode_preference : only;
	size_t n = cfg->mode == PVM_MODE_AUTO ? PVM_MODE__COUNT - 1 : 1;

	char reasons[PVM_MODE__COUNT][160];

	for (size_t i = 0; i < n; i++) {
		const char *what;
		int err;
		struct pvmtrace_bpf *skel = load_mode_best(cfg, order[i], &err, &what);

		if (skel) {
			*chosen = order[i];
			return skel;
		}
		snprintf(reasons[i], sizeof(reasons[i]),
			 "pvmtrace: attach mode %s does not work here (%s: %s)",
			 pvm_mode_name(order[i]), what, strerror(-err));
		/* auto trying the next mode is normal: say so only with -v */
		if (cfg->verbose)
			fprintf(stderr, "%s\n", reasons[i]);
	}
	for (size_t i = 0; !cfg->verbose && i < n; i++)
		fprintf(stderr, "%s\n", reasons[i]);
	return NULL;
}

enum pvm_exit pvm_sensor_start(const struct pvm_sensor_config *cfg, pvm_ring_fn on_record,
			       void *ctx, struct pvm_sensor **out)
{
	struct pvm_sensor *s;
	enum pvm_exit status;

	libbpf_verbose = cfg->verbose;
	libbpf_set_print(print_libbpf);
	status = pvm_sensor_preflight();
	if (status == PVM_EXIT_OK && (cfg->filter.fields & PVM_FILTER_CGROUP))
		status = check_cgroup_path(cfg->cgroup_path);
	if (status != PVM_EXIT_OK)
		return status;

	s = calloc(1, sizeof(*s));
	if (!s) {
		fprintf(stderr, "pvmtrace: out of memory\n");
		return PVM_EXIT_FAILURE;
	}
	s->skel = load_chosen_mode(cfg, &s->mode);
	if (!s->skel) {
		free(s);
		return PVM_EXIT_MODE;
	}
	if (cfg->filter.fields & PVM_FILTER_CGROUP)
		s->cgroup_ino = inode_of(cfg->cgroup_path);
	/*
	 * Loading leaves the kernel's BTF, parsed for CO-RE, freed on the heap,
	 * where glibc would keep it mapped for the whole run. Given back before
	 * the ring buffer is mapped, it does not add to the peak RSS.
	 */
	malloc_trim(0);
	s->ring = pvm_ring_open(bpf_map__fd(s->skel->maps.events),
				bpf_map__max_entries(s->skel->maps.events), on_record, ctx);
	if (!s->ring) {
		fprintf(stderr, "pvmtrace: ring buffer: %s\n", strerror(errno));
		pvm_sensor_destroy(s);
		return PVM_EXIT_FAILURE;
	}
	*out = s;
	return PVM_EXIT_OK;
}

enum pvm_mode pvm_sensor_mode(const struct pvm_sensor *s)
{
	return s->mode;
}

bool pvm_sensor_targets_in_kernel(const struct pvm_sensor *s)
{
	return s->skel->rodata->have_task_from_pid;
}

void pvm_sensor_ring_fill(const struct pvm_sensor *s, unsigned long *unread, unsigned long *size)
{
	*unread = pvm_ring_unread(pvm_ring_view_of(s->ring));
	*size = bpf_map__max_entries(s->skel->maps.events);
}

enum pvm_cgroup_change pvm_sensor_follow_cgroup(struct pvm_sensor *s, const char *path)
{
	__u64 now = inode_of(path);

	if (now == s->cgroup_ino)
		return PVM_CGROUP_SAME;
	if (!now || point_cgroup_filter(s->skel, path, &now)) {
		s->cgroup_ino = 0;
		return PVM_CGROUP_GONE;
	}
	s->cgroup_ino = now;
	return PVM_CGROUP_FOLLOWED;
}

int pvm_sensor_poll(struct pvm_sensor *s, int timeout_ms)
{
	long n = pvm_ring_poll(s->ring, timeout_ms);

	return n < 0 ? (int)n : 0;
}

/*
 * A program already running when its link goes keeps running to its end (a
 * few microseconds): wait that out, so that the drain below and the counters
 * read after it see the same calls.
 */
#define DETACH_GRACE_US 20000

int pvm_sensor_stop_and_drain(struct pvm_sensor *s)
{
	pvmtrace_bpf__detach(s->skel);
	usleep(DETACH_GRACE_US);
	return (int)pvm_ring_consume(s->ring);
}

void pvm_sensor_counters(const struct pvm_sensor *s, __u64 counters[PVM_CNT__MAX])
{
	int ncpus = libbpf_num_possible_cpus();
	int fd = bpf_map__fd(s->skel->maps.counters);
	__u64 *per_cpu;

	memset(counters, 0, PVM_CNT__MAX * sizeof(counters[0]));
	per_cpu = ncpus > 0 ? calloc(ncpus, sizeof(*per_cpu)) : NULL;
	if (!per_cpu)
		return;
	for (__u32 key = 0; key < PVM_CNT__MAX; key++) {
		if (bpf_map_lookup_elem(fd, &key, per_cpu))
			continue;
		for (int cpu = 0; cpu < ncpus; cpu++)
			counters[key] += per_cpu[cpu];
	}
	free(per_cpu);
}

void pvm_sensor_destroy(struct pvm_sensor *s)
{
	if (!s)
		return;
	pvm_ring_close(s->ring);
	pvmtrace_bpf__destroy(s->skel);
	free(s);
}

bool pvm_sensor_mode_works(enum pvm_mode mode, bool verbose)
{
	struct pvm_sensor_config cfg = {
		.mode = mode,
		.filter = {.syscalls = PVM_SYS_ALL},
		.max_iov = PVM_IOV_DEFAULT,
		.capture = PVM_CAPTURE_DEFAULT,
	};
	struct pvmtrace_bpf *skel;
	const char *what;
	int err;

	libbpf_verbose = verbose;
	libbpf_set_print(print_libbpf);
	skel = load_mode_best(&cfg, mode, &err, &what);
	if (!skel) {
		printf("%-11s no (%s: %s)\n", pvm_mode_name(mode), what, strerror(-err));
		return false;
	}
	printf("%-11s yes (targets %s%s)\n", pvm_mode_name(mode),
	       !skel->rodata->have_task_from_pid    ? "from /proc"
	       : skel->rodata->have_task_from_vpid ? "resolved in the kernel"
						   : "resolved in the kernel, from the initial pid namespace",
	       pvm_mode_sees_ia32(mode) ? "" : "; cannot see ia32 calls");
	pvmtrace_bpf__destroy(skel);
	return true;
}
