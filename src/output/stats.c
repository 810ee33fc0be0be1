// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "output/stats.h"

#include <inttypes.h>

#include "output/format.h"

static const char *const counter_names[PVM_CNT__MAX] = {
	[PVM_CNT_CALLS] = "calls",
	[PVM_CNT_EVENTS] = "events",
	[PVM_CNT_RINGBUF_FULL] = "ringbuf_drops",
	[PVM_CNT_INFLIGHT_FULL] = "inflight_drops",
	[PVM_CNT_UNMATCHED_ENTER] = "unmatched_enter",
	[PVM_CNT_UNMATCHED_EXIT] = "unmatched_exit",
};

__u64 pvm_stats_unfinished(const struct pvm_stats *s)
{
	const __u64 *k = s->kernel;
	__u64 accounted = k[PVM_CNT_EVENTS] + k[PVM_CNT_RINGBUF_FULL] +
			  k[PVM_CNT_INFLIGHT_FULL] + k[PVM_CNT_UNMATCHED_ENTER];

	return k[PVM_CNT_CALLS] > accounted ? k[PVM_CNT_CALLS] - accounted : 0;
}

void pvm_stats_print_text(FILE *out, const struct pvm_stats *s)
{
	fputs("pvmtrace:", out);
	for (int i = 0; i < PVM_CNT__MAX; i++)
		fprintf(out, " %s=%" PRIu64, counter_names[i], (uint64_t)s->kernel[i]);
	fprintf(out, " unfinished=%" PRIu64 " received=%" PRIu64 " decode_errors=%" PRIu64 "\n",
		(uint64_t)pvm_stats_unfinished(s), (uint64_t)s->received,
		(uint64_t)s->decode_errors);
}

void pvm_stats_print_json(struct json_writer *w, const struct pvm_stats *s, __u64 wall_ns)
{
	char time[PVM_TIME_LEN];

	pvm_format_time_utc(time, wall_ns);
	jw_object_begin(w);
	jw_key(w, "time");
	jw_cstring(w, time);
	jw_key(w, "event");
	jw_cstring(w, "stats");
	jw_key(w, "counters");
	jw_object_begin(w);
	for (int i = 0; i < PVM_CNT__MAX; i++) {
		jw_key(w, counter_names[i]);
		jw_uint(w, s->kernel[i]);
	}
	jw_key(w, "unfinished");
	jw_uint(w, pvm_stats_unfinished(s));
	jw_key(w, "received");
	jw_uint(w, s->received);
	jw_key(w, "decode_errors");
	jw_uint(w, s->decode_errors);
	jw_object_end(w);
	jw_object_end(w);
	jw_end_line(w);
}
