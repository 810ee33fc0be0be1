/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The sensor: feature probes, the choice of attach mode, the skeleton's
 * lifecycle and the ring-buffer loop (sensor/ring.h). The only code that
 * talks to libbpf.
 */
#ifndef PVMTRACE_SENSOR_H
#define PVMTRACE_SENSOR_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/options.h"
#include "enforce.h"
#include "record.h"
#include "sensor/mode.h"
#include "sensor/ring.h"

struct pvm_sensor;

struct pvm_sensor_config {
	enum pvm_mode mode;		/* PVM_MODE_AUTO: the best that works here */
	struct pvm_filter filter;
	const char *cgroup_path;	/* with PVM_FILTER_CGROUP */
	unsigned int max_iov;
	unsigned int capture;		/* payload bytes per event, 0 to PVM_CAPTURE_MAX */
	unsigned long store_max;	/* --capture-dir: whole payloads up to this; 0 off */
	enum pvm_enforce_level enforce;
	const struct pvm_allow_rule *allow;	/* n_allow (<= PVM_ALLOW_MAX) rules */
	unsigned int n_allow;
	bool verbose;			/* libbpf's messages on stderr */
};

/* Root (or CAP_BPF+CAP_PERFMON) and kernel BTF; prints why not. */
enum pvm_exit pvm_sensor_preflight(void);

/*
 * Loads and attaches. Returns PVM_EXIT_OK and sets *out, or another
 * enum pvm_exit after printing a one-line reason on stderr.
 */
enum pvm_exit pvm_sensor_start(const struct pvm_sensor_config *cfg, pvm_ring_fn on_record,
			       void *ctx, struct pvm_sensor **out);

enum pvm_mode pvm_sensor_mode(const struct pvm_sensor *s);

/* Does the kernel side resolve targets (and regions), or user space from /proc? */
bool pvm_sensor_targets_in_kernel(const struct pvm_sensor *s);

/*
 * Waits up to timeout_ms for the kernel side's wakeup, then hands over every
 * record in the ring. <0: -errno.
 */
int pvm_sensor_poll(struct pvm_sensor *s, int timeout_ms);

/* Detaches every hook, then hands over what is left in the ring buffer. */
int pvm_sensor_stop_and_drain(struct pvm_sensor *s);

void pvm_sensor_counters(const struct pvm_sensor *s, __u64 counters[PVM_CNT__MAX]);

enum pvm_cgroup_change {
	PVM_CGROUP_SAME,	/* the directory the filter holds is still at the path */
	PVM_CGROUP_GONE,	/* nothing at the path: no call passes the filter */
	PVM_CGROUP_FOLLOWED,	/* another directory there now: the filter holds it */
};

/*
 * --cgroup: a cgroup2 directory removed and made again is another cgroup,
 * of another id, which the filter would never match: it is made to hold
 * what the path names now.
 */
enum pvm_cgroup_change pvm_sensor_follow_cgroup(struct pvm_sensor *s, const char *path);

/* The ring buffer's size, and the bytes in it the reader has not read yet. */
void pvm_sensor_ring_fill(const struct pvm_sensor *s, unsigned long *unread, unsigned long *size);

void pvm_sensor_destroy(struct pvm_sensor *s);

/* For --list-modes: can `mode` load and attach here? Prints why not. */
bool pvm_sensor_mode_works(enum pvm_mode mode, bool verbose);

#endif /* PVMTRACE_SENSOR_H */
