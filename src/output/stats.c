// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "output/stats.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "output/format.h"
#include "json_keys.h"

static const char *const kernel_counter_names[PVM_CNT__MAX] = {
	[PVM_CNT_CALLS] = "calls",
	[PVM_CNT_EVENTS] = "events",
	[PVM_CNT_RINGBUF_FULL] = "ringbuf_drops",
	[PVM_CNT_INFLIGHT_FULL] = "inflight_drops",
	[PVM_CNT_UNMATCHED_ENTER] = "unmatched_enter",
	[PVM_CNT_UNMATCHED_EXIT] = "unmatched_exit",
	[PVM_CNT_CHUNKS_LOST] = "chunks_lost",
};

/* A saved entry replaced before its exit is a call lost, as the others. */
static bool kernel_counter_drops(int i)
{
	return i == PVM_CNT_RINGBUF_FULL || i == PVM_CNT_INFLIGHT_FULL ||
	       i == PVM_CNT_UNMATCHED_ENTER || i == PVM_CNT_CHUNKS_LOST;
}

void pvm_stats_counters(const struct pvm_stats *s, struct pvm_stat_counter out[PVM_STATS_COUNTERS])
{
	const struct pvm_stat_counter user[] = {
		{"unfinished", pvm_stats_unfinished(s), true, false},
		{"received", s->received, false, false},
		{"decode_errors", s->decode_errors, false, true},
		{"payloads_stored", s->payloads_stored, false, false},
		{"payloads_existing", s->payloads_existing, false, false},
		{"payloads_not_stored", s->payloads_not_stored, false, false},
		{"chunks_dropped", s->chunks_dropped, false, true},
		{"chunk_orphans", s->chunk_orphans, false, false},
		{"config_reload_failures", s->config_reload_failures, false, false},
		{"kills", s->kills, false, false},
		{"syslog_sent", s->syslog_sent, false, false},
		{"syslog_dropped", s->syslog_dropped, false, true},
	};

	_Static_assert(sizeof(user) / sizeof(user[0]) == PVM_STATS_COUNTERS - PVM_CNT__MAX,
		       "PVM_STATS_COUNTERS counts every counter");
	for (int i = 0; i < PVM_CNT__MAX; i++)
		out[i] = (struct pvm_stat_counter){kernel_counter_names[i], s->kernel[i], false,
					      kernel_counter_drops(i)};
	memcpy(out + PVM_CNT__MAX, user, sizeof(user));
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
	struct pvm_stat_counter c[PVM_STATS_COUNTERS];

	pvm_stats_counters(s, c);
	fputs("pvmtrace:", out);
	for (int i = 0; i < PVM_STATS_COUNTERS; i++)
		text_counter(out, c[i].name, c[i].value,
			     i == PVM_CNT_CALLS || i == PVM_CNT_EVENTS);
	fputc('\n', out);
}

/* s's counters, less those of `before` when given: then levels are left out. */
static void json_counters(struct json_writer *w, const struct pvm_stats *s,
			  const struct pvm_stats *before)
{
	static const struct pvm_stats zero;
	struct pvm_stat_counter now[PVM_STATS_COUNTERS], then[PVM_STATS_COUNTERS];

	pvm_stats_counters(s, now);
	pvm_stats_counters(before ? before : &zero, then);
	jw_object_begin(w);
	for (int i = 0; i < PVM_STATS_COUNTERS; i++) {
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
