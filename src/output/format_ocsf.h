/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * --format ocsf: each call as OCSF 1.1.0 events (docs/ocsf.md), for a SIEM or
 * a data lake that ingests OCSF (AWS Security Lake, Splunk, ...).
 */
#ifndef PVMTRACE_FORMAT_OCSF_H
#define PVMTRACE_FORMAT_OCSF_H

#include "event/event.h"
#include "output/envelope.h"
#include "output/json_writer.h"

/*
 * One Memory Activity event (class 1004, activity Read or Write) for the
 * call, then one Detection Finding (class 2004) for each of its alerts the
 * allowlist did not spare, each a whole line (jw_end_line). env (not NULL)
 * gives the host and the boot id the ids are made from, and counts each line
 * in its seq (metadata.sequence), as the JSON envelope does.
 */
void pvm_format_ocsf(struct json_writer *w, const struct pvm_event *ev, struct pvm_envelope *env);

#endif /* PVMTRACE_FORMAT_OCSF_H */
