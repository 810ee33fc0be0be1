// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Any bytes as one ring-buffer sample, taken as the reader takes it: a
 * chunk is checked; a call record is decoded and, when it decodes, its
 * remote regions enriched (no /proc), judged by the rules with the built-in
 * allowlist and written as JSON, a table row and OCSF. Besides the
 * sanitizers, what the stages promise is checked:
 *  - the memoised judgement and JSON text equal the ones made afresh;
 *  - each JSON line is one pure ASCII object, the table row safe for a
 *    terminal;
 *  - replay reads the JSON line back (docs/rules.md: the same facts, so the
 *    same alerts), unless a name held bytes the JSON escaping replaces by
 *    U+FFFD (docs/events.md: it is lossy there, and only there). Only for
 *    comms the kernel can send: each ends in a NUL within its 16 bytes,
 *    which replay relies on and the decoder does not check.
 */
#include <json-c/json_object.h>
#include <json-c/json_tokener.h>
#include <stdlib.h>
#include <string.h>

#include "event/event.h"
#include "event/reassembly.h"
#include "event/regions.h"
#include "harness.h"
#include "output/format.h"
#include "output/format_ocsf.h"
#include "rules/facts_json.h"

/* 2026-11-27T15:45:08Z at boot time 0: any fixed clock */
static const struct pvm_decode_config config = {.boot_to_wall_ns = 1795794308000000000ULL,
						 .capture = PVM_CAPTURE_MAX};

/* The built-in allowlist, the OCSF envelope: made once, the same for every input. */
static const struct pvm_allowlist *allowlist(void)
{
	static struct pvm_allowlist list;
	static bool loaded;
	char err[256];

	if (!loaded && pvm_allowlist_load_default(&list, err, sizeof(err)))
		fuzz_fail("%s", err);
	loaded = true;
	return &list;
}

static struct pvm_envelope *envelope(void)
{
	static struct pvm_envelope env;

	if (!env.version)
		pvm_envelope_init(&env, "fuzz", "/nonexistent", "0.0-fuzz");
	return &env;
}

/*
 * As the reader judges (rules, then the allowlist for a call that alerted),
 * twice, the second time from the memo; both as pvm_rules_eval judges.
 */
static void judge(const struct pvm_event *ev, struct pvm_alerts *alerts)
{
	static struct pvm_judge_memo memo; /* tens of KiB, as the facts: not for the stack */
	static struct pvm_facts facts;
	struct pvm_alerts direct, again;

	memset(&memo, 0, sizeof(memo));
	pvm_facts_from_event(ev, &facts);
	if (pvm_judge_rules(&facts, &memo, alerts))
		pvm_judge_allow(alerts, &facts, allowlist(), &memo);
	if (pvm_judge_rules(&facts, &memo, &again))
		pvm_judge_allow(&again, &facts, allowlist(), &memo);
	pvm_rules_eval(&facts, allowlist(), &direct);
	fuzz_check_same_alerts("the judge against pvm_rules_eval", alerts, &direct);
	fuzz_check_same_alerts("the judge from its memo", alerts, &again);
}

/* What write(w, ev) wrote through a json_writer, in memory. */
static struct fuzz_text written(void (*write)(struct json_writer *, const struct pvm_event *),
			   const struct pvm_event *ev)
{
	static struct json_writer w; /* its 16 KiB buffer: not for the stack */
	struct fuzz_text out;
	FILE *m = fuzz_text_open(&out);

	jw_init(&w, m);
	write(&w, ev);
	jw_flush(&w);
	fuzz_text_close(m);
	return out;
}

/* The event twice, as the reader writes a flood: the second line from the memos. */
static void write_json_twice(struct json_writer *w, const struct pvm_event *ev)
{
	static struct pvm_json_memos memos;

	memset(&memos, 0, sizeof(memos));
	pvm_format_json(w, ev, &memos, NULL);
	pvm_format_json(w, ev, &memos, NULL);
}

static void write_ocsf(struct json_writer *w, const struct pvm_event *ev)
{
	pvm_format_ocsf(w, ev, envelope());
}

static struct fuzz_text table_row(const struct pvm_event *ev)
{
	struct fuzz_text out;
	FILE *m = fuzz_text_open(&out);

	pvm_format_table_row(m, ev, true);
	fuzz_text_close(m);
	return out;
}

/* The line as replay reads it: the facts it gives must give the live alerts. */
static void check_replayed(const char *line, size_t len, const struct pvm_alerts *live)
{
	json_object *obj = json_tokener_parse(line);
	struct pvm_facts facts;
	struct pvm_alerts replayed;
	const char *why;

	if (pvm_facts_from_json(obj, &facts, &why))
		fuzz_fail("replay refuses the line: %s: %.*s", why, (int)len, line);
	if (!memmem(line, len, "\\ufffd", 6)) {
		pvm_rules_eval(&facts, allowlist(), &replayed);
		fuzz_check_same_alerts("live against replayed", live, &replayed);
	}
	json_object_put(obj);
}

static void check_json(const struct pvm_event *ev, const struct pvm_alerts *alerts)
{
	struct fuzz_text two = written(write_json_twice, ev);
	const char *end = memchr(two.bytes, '\n', two.len);
	size_t line = end ? (size_t)(end - two.bytes) + 1 : 0;

	fuzz_check_json_lines("JSON", two.bytes, two.len);
	if (!line || 2 * line != two.len || memcmp(two.bytes, two.bytes + line, line))
		fuzz_fail("not the same line twice, fresh then memoised:\n%.*s", (int)two.len,
			  two.bytes);
	two.bytes[line - 1] = '\0';
	check_replayed(two.bytes, line - 1, alerts);
	free(two.bytes);
}

static void check_other_formats(const struct pvm_event *ev)
{
	struct fuzz_text ocsf = written(write_ocsf, ev);
	struct fuzz_text row = table_row(ev);

	fuzz_check_json_lines("OCSF", ocsf.bytes, ocsf.len);
	fuzz_check_terminal_text("table row", row.bytes, row.len);
	free(ocsf.bytes);
	free(row.bytes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pvm_region_enricher no_proc = {.proc_root = "/nonexistent"};
	static struct pvm_region_view views[PVM_REGIONS_MAX];
	struct pvm_alerts alerts;
	struct pvm_event ev;
	const char *why;

	if (size >= sizeof(__u16) && *(const __u16 *)data == PVM_REC_CHUNK) {
		pvm_chunk_check(data, size, &why);
		return 0;
	}
	if (pvm_event_decode(data, size, &config, &ev, &why))
		return 0;
	pvm_enrich_regions(&no_proc, &ev, views, 0);
	judge(&ev, &alerts);
	ev.alerts = &alerts;
	check_json(&ev, &alerts);
	check_other_formats(&ev);
	return 0;
}
