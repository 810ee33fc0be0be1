/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * --capture-dir, per event: take the call's chunks from the reassembly,
 * check they are the whole payload, cut it to what the call moved, and store
 * it once by digest. The event says what became of it (ev->stored); nothing
 * cut or partial is ever stored.
 */
#ifndef PVMTRACE_STORE_PAYLOAD_H
#define PVMTRACE_STORE_PAYLOAD_H

#include "event/event.h"
#include "event/reassembly.h"
#include "output/capture_store.h"
#include "output/stats.h"

void pvm_store_payload(struct pvm_reassembly *r, struct pvm_capture_store *store,
		       struct pvm_event *ev, struct pvm_stats *stats);

/* "new", "existing", "too_large", ...: what the event says in data.store */
const char *pvm_store_outcome(const struct pvm_stored_payload *s);

/* DIR-relative file name "<sha256 hex>.bin" of a stored payload */
void pvm_store_file_name(const struct pvm_stored_payload *s, char name[PVM_SHA256_HEX_LEN + 5]);

#endif /* PVMTRACE_STORE_PAYLOAD_H */
