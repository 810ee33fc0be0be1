// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "output/format.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "output/escape.h"
#include "output/format_alerts.h"

#define COMM_COLUMN 16
#define PREVIEW_BYTES 16

#define ACTION_COLUMN 7

void pvm_format_table_header(FILE *out, bool with_action)
{
	fprintf(out, "%-26s %-6s %-6s %7s %6s %-16s %7s %-16s %-14s %-14s %-10s ", "TIME(UTC)",
		"EVENT", "ABI", "PID", "UID", "COMM", "TARGET", "TARGET-COMM", "LOCAL", "REMOTE",
		"RET");
	if (with_action)
		fprintf(out, "%-*s ", ACTION_COLUMN, "ACTION");
	fprintf(out, "%-16s %s\n", "ALERTS", "DATA");
}

/* "3/4096": entries/bytes; an array that could not be read shows why. */
static void side_column(char *buf, size_t len, const struct pvm_iov_side *side)
{
	switch (side->state) {
	case PVM_IOV_OK:
		snprintf(buf, len, "%" PRIu64 "/%" PRIu64, (uint64_t)side->count,
			 (uint64_t)side->bytes);
		break;
	case PVM_IOV_FAULT:
		snprintf(buf, len, "%" PRIu64 "/fault", (uint64_t)side->count);
		break;
	default:
		snprintf(buf, len, "%" PRIu64 "/oversize", (uint64_t)side->count);
		break;
	}
}

/* A comm of `cap` bytes (NULL: none, "-"), padded to its column. */
static void comm_column(FILE *out, const char *comm, size_t cap)
{
	if (!comm) {
		fprintf(out, "%-*s", COMM_COLUMN, "-");
		return;
	}
	/* pad by what was printed, which escaping may have lengthened */
	for (size_t i = pvm_term_escape(out, comm, strnlen(comm, cap)); i < COMM_COLUMN; i++)
		putc_unlocked(' ', out);
}

/* The first bytes of the payload, escaped: "GET / HTTP"... */
static void data_column(FILE *out, const struct pvm_payload *p)
{
	__u32 shown = p->captured < PREVIEW_BYTES ? p->captured : PREVIEW_BYTES;

	if (p->state == PVM_DATA_OFF)
		return;
	putc_unlocked('"', out);
	pvm_term_escape(out, (const char *)p->bytes, shown);
	putc_unlocked('"', out);
	if (p->total > shown)
		fputs("...", out);
}

/* The target's comm when it is known: none for a pid that named no process. */
static const char *target_comm(const struct pvm_event *ev)
{
	const struct pvm_target *t = ev->target.t;

	return t->source == PVM_TARGET_KERNEL ? t->comm : NULL;
}

void pvm_format_table_row(FILE *out, const struct pvm_event *ev, bool with_action)
{
	const struct pvm_record *r = ev->rec;
	time_t secs = (time_t)(ev->wall_ns / 1000000000ULL);
	char local[32], remote[32], date[32], result[32], alerts[PVM_ALERT_COLUMN_LEN] = "-";
	const char *error = pvm_errno_name(r->ret), *action = pvm_action_name(r->action);
	struct tm tm;

	gmtime_r(&secs, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
	side_column(local, sizeof(local), &ev->local);
	side_column(remote, sizeof(remote), &ev->remote);
	fprintf(out, "%s.%06llu %-6s %-6s %7u %6u ", date,
		(unsigned long long)(ev->wall_ns % 1000000000ULL / 1000),
		r->syscall == PVM_SYS_WRITEV ? "writev" : "readv", pvm_abi_name(r->abi),
		r->caller_pid, r->caller_uid);
	comm_column(out, r->comm, sizeof(r->comm));
	fprintf(out, " %7d ", r->pid);
	comm_column(out, target_comm(ev), PVM_COMM_LEN);
	snprintf(result, sizeof(result), "%" PRId64 "%s%s", (int64_t)r->ret, error ? " " : "",
		 error ? error : "");
	if (ev->alerts)
		pvm_alerts_column(alerts, ev->alerts);
	fprintf(out, " %-14s %-14s %-10s ", local, remote, result);
	if (with_action)
		fprintf(out, "%-*s ", ACTION_COLUMN, action ? action : "-");
	fprintf(out, "%-16s ", alerts);
	data_column(out, &ev->data);
	putc_unlocked('\n', out);
}
