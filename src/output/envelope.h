/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What every JSON record says of itself before its own keys, for a log
 * pipeline that gathers many hosts: "schema" (its kind and layout version),
 * "seq" (1 for a run's first record, one more for each record after it, so
 * that a consumer sees a lost line as a gap), "host" {"name", "boot_id"} and
 * "sensor" {"version"}.
 */
#ifndef PVMTRACE_ENVELOPE_H
#define PVMTRACE_ENVELOPE_H

#include <stddef.h>

#include "output/json_writer.h"

#define PVM_HOST_NAME_MAX 255 /* --hostname; the kernel's own is at most 64 */
#define PVM_BOOT_ID_LEN 36    /* a UUID's text */
#define PVM_BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"
/* "host" and "sensor" as JSON: a name of \uXXXX escapes at worst, and the rest */
#define PVM_ENVELOPE_FIXED_MAX (6 * PVM_HOST_NAME_MAX + 512)

struct pvm_envelope {
	char host_name[PVM_HOST_NAME_MAX + 1];
	char boot_id[PVM_BOOT_ID_LEN + 1]; /* "": unknown (no /proc), written as null */
	const char *version;		   /* the sensor's; NULL: unknown */
	unsigned long long seq;		   /* of the last record written */
	size_t fixed_len;
	char fixed[PVM_ENVELOPE_FIXED_MAX]; /* "host":{...},"sensor":{...}: the same in each */
};

/*
 * host_name: --hostname, or NULL for the kernel's (uname -n); the boot id
 * from boot_id_path (/proc/sys/kernel/random/boot_id); version: the
 * sensor's (NULL: written as null).
 */
void pvm_envelope_init(struct pvm_envelope *e, const char *host_name, const char *boot_id_path,
		       const char *version);

/* Right after a record's '{': its envelope keys, the next seq counted. */
void pvm_envelope_json(struct json_writer *w, struct pvm_envelope *e, const char *schema);

#endif /* PVMTRACE_ENVELOPE_H */
