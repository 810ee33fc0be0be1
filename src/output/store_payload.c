// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "output/store_payload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event/digest.h"
#include "output/json_writer.h"

static void hex_of(const unsigned char sum[PVM_SHA256_LEN], char hex[PVM_SHA256_HEX_LEN + 1])
{
	jw_hex_encode(hex, sum, PVM_SHA256_LEN);
	hex[PVM_SHA256_HEX_LEN] = '\0';
}

void pvm_store_file_name(const struct pvm_stored_payload *s, char name[PVM_SHA256_HEX_LEN + 5])
{
	hex_of(s->sha256, name);
	memcpy(name + PVM_SHA256_HEX_LEN, ".bin", sizeof(".bin"));
}

/*
 * What moved: a write that failed keeps what it asked to write (data.total
 * says the same); one that wrote part keeps the part, which is the first
 * bytes in iovec order.
 */
static __u64 bytes_moved(const struct pvm_event *ev, __u64 sent)
{
	return ev->data.total < sent ? ev->data.total : sent;
}

/* Once per reason, and again when it changes: a full disk fails every payload. */
static void say_failure(struct pvm_capture_store *store, const struct pvm_stored_payload *s)
{
	if (s->err == store->last_failure)
		return;
	store->last_failure = s->err;
	fprintf(store->warn,
		"pvmtrace: --capture-dir: a payload of %llu bytes not stored: %s (said once per "
		"reason; each counted in payloads_not_stored)\n",
		(unsigned long long)s->len, strerror(s->err));
}

static void store_whole(struct pvm_capture_store *store, struct pvm_stored_payload *s,
			const unsigned char *bytes, struct pvm_stats *stats)
{
	char hex[PVM_SHA256_HEX_LEN + 1];
	bool already;

	pvm_sha256(bytes, s->len, s->sha256);
	hex_of(s->sha256, hex);
	if (pvm_capture_store_put(store, bytes, s->len, hex, &already)) {
		s->result = PVM_STORED_FAILED;
		s->err = errno;
		stats->payloads_not_stored++;
		say_failure(store, s);
		return;
	}
	s->result = already ? PVM_STORED_EXISTING : PVM_STORED_NEW;
	if (already)
		stats->payloads_existing++;
	else
		stats->payloads_stored++;
}

void pvm_store_payload(struct pvm_reassembly *r, struct pvm_capture_store *store,
		       struct pvm_event *ev, struct pvm_stats *stats)
{
	struct pvm_stored_payload *s = &ev->stored;
	const struct pvm_record *rec = ev->rec;
	unsigned char *bytes = NULL;
	size_t got = 0;
	bool complete = false;

	if (s->state == PVM_STORE_OFF)
		return;
	if (pvm_reassembly_take(r, rec->caller_tid, rec->start_boot_ns, s->bytes, &bytes, &got,
				&complete) < 0)
		complete = false;
	if (s->state != PVM_STORE_SENT) {
		stats->payloads_not_stored++; /* the kernel side said why */
	} else if (!complete) {
		s->result = PVM_STORED_INCOMPLETE;
		stats->payloads_not_stored++;
	} else if (bytes_moved(ev, s->bytes) > 0) {
		s->len = bytes_moved(ev, s->bytes);
		store_whole(store, s, bytes, stats);
	}
	free(bytes);
}

const char *pvm_store_outcome(const struct pvm_stored_payload *s)
{
	switch (s->result) {
	case PVM_STORED_NEW:
		return "new";
	case PVM_STORED_EXISTING:
		return "existing";
	case PVM_STORED_INCOMPLETE:
		return "incomplete";
	case PVM_STORED_FAILED:
		return "failed";
	case PVM_STORED_NONE:
		break;
	}
	switch (s->state) {
	case PVM_STORE_TOO_LARGE:
		return "too_large";
	case PVM_STORE_UNREADABLE:
		return "unreadable";
	case PVM_STORE_LOST:
		return "lost";
	case PVM_STORE_IOV_LIMIT:
		return "iov_limit";
	case PVM_STORE_SENT:
		return "empty"; /* nothing moved */
	default:
		return NULL;
	}
}
