// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "output/stats.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "output/format.h"
#include "json_keys.h"

static const char *const counter_names[PVM_CNT__MAX] = {
	[PVM_CNT_CALLS] = "calls",
	[PVM_CNT_EVENTS] = "events",
	[PVM_CNT_RINGBUF_FULL] = "ringbuf_drops",
	[PVM_CNT_INFLIGHT_FULL] = "inflight_drops",
	[PVM_CNT_UNMATCHED_ENTER] = "unmatched_enter",
	[PVM_CNT_UNMATCHED_EXIT] = "unmatched_exit",
	[PVM_CNT_CHUNKS_LOST] = "chunks_lost",
};

/* The counters user space keeps, after the kernel's. */
struct user_counter {
	const char *name;
	__u64 value;
	bool level; /* how many now, not how many so far: no difference to give */
};

#define USER_COUNTERS 9

static void user_counters(const struct pvm_stats *s, struct user_counter out[USER_COUNTERS])
{
	const struct user_counter all[USER_COUNTERS] = {
		{"unfinished", pvm_stats_unfinished(s), true},
		{"received", s->received, false},
		{"decode_errors", s->decode_errors, false},
		{"payloads_stored", s->payloads_stored, false},
		{"payloads_existing", s->payloads_existing, false},
		{"payloads_not_stored", s->payloads_not_stored, false},
		{"chunks_dropped", s->chunks_dropped, false},
		{"chunk_orphans", s->chunk_orphans, false},
		{"config_reload_failures", s->config_reload_failures, false},
	};

	memcpy(out, all, sizeof(all));
}

__u64 pvm_stats_unfinished(const struct pvm_stats *s)
{
	const __u64 *k = s->kernel;
	__u64 accounted = k[PVM_CNT_EVENTS] + k[PVM_CNT_RINGBUF_FULL] +
			  k[PVM_CNT_INFLIGHT_FULL] + k[PVM_CNT_UNMATCHED_ENTER];

	return k[PVM_CNT_CALLS] > accounted ? k[PVM_CNT_CALLS] - accounted : 0;
}

/* " name=value", unless it is 0 and may be left out */
static void text_counter(FILE *out, const char *name, __u64 value, bool always)
{
	if (value || always)
		fprintf(out, " %s=%" PRIu64, name, (uint64_t)value);
}

void pvm_stats_print_text(FILE *out, const struct pvm_stats *s)
{
	struct user_counter user[USER_COUNTERS];

	user_counters(s, user);
	fputs("pvmtrace:", out);
	for (int i = 0; i < PVM_CNT__MAX; i++)
		text_counter(out, counter_names[i], s->kernel[i],
			     i == PVM_CNT_CALLS || i == PVM_CNT_EVENTS);
	for (int i = 0; i < USER_COUNTERS; i++)
		text_counter(out, user[i].name, user[i].value, false);
	fputc('\n', out);
}

/* s's counters, less those of `before` when given: then levels are left out. */
static void json_counters(struct json_writer *w, const struct pvm_stats *s,
			  const struct pvm_stats *before)
{
	static const struct pvm_stats zero;
	struct user_counter now[USER_COUNTERS], then[USER_COUNTERS];

	user_counters(s, now);
	user_counters(before ? before : &zero, then);
	jw_object_begin(w);
	for (int i = 0; i < PVM_CNT__MAX; i++) {
		jw_key_text(w, counter_names[i]);
		jw_uint(w, s->kernel[i] - (before ? before->kernel[i] : 0));
	}
	for (int i = 0; i < USER_COUNTERS; i++) {
		if (before && now[i].level)
			continue;
		jw_key_text(w, now[i].name);
		jw_uint(w, now[i].value - then[i].value);
	}
	jw_object_end(w);
}

void pvm_stats_print_json(struct json_writer *w, const struct pvm_stats *s,
			  const struct pvm_stats *last, __u64 wall_ns, bool final,
			  struct pvm_envelope *env)
{
	char time[PVM_TIME_LEN];

	pvm_format_time_utc(time, wall_ns);
	jw_object_begin(w);
	if (env)
		pvm_envelope_json(w, env, PVM_SCHEMA_STATS);
	jw_key(w, PVM_KEY_TIME);
	jw_cstring(w, time);
	jw_key(w, PVM_KEY_EVENT);
	jw_cstring(w, PVM_EVENT_STATS);
	jw_key(w, PVM_KEY_FINAL);
	jw_bool(w, final);
	jw_key(w, PVM_KEY_COUNTERS);
	json_counters(w, s, NULL);
	jw_key(w, PVM_KEY_SINCE_LAST);
	json_counters(w, s, last);
	jw_object_end(w);
	jw_end_line(w);
}
