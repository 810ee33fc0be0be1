/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The counters of everything captured, lost or skipped, and their output. */
#ifndef PVMTRACE_STATS_H
#define PVMTRACE_STATS_H

#include <stdbool.h>
#include <stdio.h>

#include "record.h"
#include "output/envelope.h"
#include "output/json_writer.h"

struct pvm_stats {
	__u64 kernel[PVM_CNT__MAX];	/* summed over CPUs */
	__u64 received;			/* records read from the ring buffer */
	__u64 decode_errors;		/* records that failed pvm_event_decode */
	/* --capture-dir (zero without it) */
	__u64 payloads_stored;		/* files written */
	__u64 payloads_existing;	/* payloads whose file was already there */
	__u64 payloads_not_stored;	/* too large, unreadable, chunks lost, write failed */
	__u64 chunks_dropped;		/* chunks user space could not hold */
	__u64 chunk_orphans;		/* calls whose chunks came but their record never did */
	__u64 config_reload_failures;	/* SIGHUP: --config files refused, the old list kept */
	__u64 kills;			/* --enforce: events whose caller was killed */
	__u64 syslog_sent;		/* --syslog: messages handed to the socket */
	__u64 syslog_dropped;		/* --syslog: messages the queue or the socket lost */
};

/* One counter, by the name every output gives it. */
struct pvm_stat_counter {
	const char *name;
	__u64 value;
	bool level; /* how many now, not how many so far: no difference to give */
	bool drop;  /* it counts something lost: a call, an event, a chunk, a message */
};

#define PVM_STATS_COUNTERS (PVM_CNT__MAX + 12)

/* Every counter of s, the kernel's first, in the order the outputs give them. */
void pvm_stats_counters(const struct pvm_stats *s, struct pvm_stat_counter out[PVM_STATS_COUNTERS]);

/*
 * Calls that passed the filters but have not produced an event or a counted
 * loss: still inside the syscall when tracing stopped.
 */
__u64 pvm_stats_unfinished(const struct pvm_stats *s);

/*
 * One line for a person: "pvmtrace: calls=N events=N", then the other
 * counters that are not 0, in the JSON's order: a counter left out is 0.
 */
void pvm_stats_print_text(FILE *out, const struct pvm_stats *s);

/*
 * {"schema":...,"time":...,"event":"stats","final":...,"counters":{...},
 * "since_last":{...}} and a newline: every counter since the start, 0 or
 * not, and what each counted since `last` (the counters of the record
 * before; a level such as unfinished left out). env's envelope first (NULL:
 * none).
 */
void pvm_stats_print_json(struct json_writer *w, const struct pvm_stats *s,
			  const struct pvm_stats *last, __u64 wall_ns, bool final,
			  struct pvm_envelope *env);

#endif /* PVMTRACE_STATS_H */
