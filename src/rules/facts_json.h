/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The facts of a recorded event: one JSON object of `pvmtrace --json`
 * (docs/events.md), parsed by json-c, gives the same struct pvm_facts as
 * pvm_facts_from_event() gave for the live event (offline replay).
 */
#ifndef PVMTRACE_FACTS_JSON_H
#define PVMTRACE_FACTS_JSON_H

#include <json-c/json_types.h>

#include "rules/facts.h"

/*
 * Fills f from an event object ("event" process_vm_writev or
 * process_vm_readv). Every key the rules read must be there with its
 * documented type: "caller" (pid, tid, uid, pidns, comm, exe, code,
 * container_id, ancestors), "target", "args.pid", "remote_iov" (base, len,
 * region of the first PVM_FACTS_REGIONS entries), "local_bytes", "ret".
 * Other keys ("alerts", "action", "data", ...) are not read. A text longer
 * than pvmtrace writes it (a comm of more than 15 bytes, an exe of more than
 * PVM_EXE_DISPLAY_MAX - 1, a container id of more than 64, a region's path of
 * more than PATH_MAX - 1) is refused, not cut: the line was not written so.
 * Returns 0, or -1 with *why naming the missing, mistyped or too long key (a
 * thread-local string, valid until the next call).
 */
int pvm_facts_from_json(json_object *event, struct pvm_facts *f, const char **why);

#endif /* PVMTRACE_FACTS_JSON_H */
