/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Every key of pvmtrace's JSON lines (docs/events.md), and the names both
 * the writer and the readers of a recording spell, once. The writer
 * (format_json.c, format_alerts.c, stats.c) and the readers (rules/
 * facts_json.c, replay/replay.c) name them only through these, so that they
 * cannot disagree. String literals: jw_key() quotes them at compile time.
 */
#ifndef PVMTRACE_JSON_KEYS_H
#define PVMTRACE_JSON_KEYS_H

/* every record's envelope: what it is and where it comes from (envelope.h) */
#define PVM_KEY_SCHEMA "schema"
#define PVM_KEY_SEQ "seq"
#define PVM_KEY_HOST "host"
#define PVM_KEY_BOOT_ID "boot_id"
#define PVM_KEY_SENSOR "sensor"
#define PVM_KEY_VERSION "version"

/* an event, and the stats record */
#define PVM_KEY_TIME "time"
#define PVM_KEY_EVENT "event"
#define PVM_KEY_ABI "abi"
#define PVM_KEY_CALLER "caller"
#define PVM_KEY_TARGET "target"
#define PVM_KEY_ARGS "args"
#define PVM_KEY_LOCAL_IOV "local_iov"
#define PVM_KEY_REMOTE_IOV "remote_iov"
#define PVM_KEY_IOV_TRUNCATED "iov_truncated"
#define PVM_KEY_IOV_READ_AT_EXIT "iov_read_at_exit"
#define PVM_KEY_LOCAL_BYTES "local_bytes"
#define PVM_KEY_REMOTE_BYTES "remote_bytes"
#define PVM_KEY_RET "ret"
#define PVM_KEY_ERROR "error"
#define PVM_KEY_DURATION_NS "duration_ns"
#define PVM_KEY_ACTION "action"
#define PVM_KEY_ALLOWED_BY "allowed_by"
#define PVM_KEY_ALERTS "alerts"
#define PVM_KEY_DATA "data"
#define PVM_KEY_COUNTERS "counters"
#define PVM_KEY_FINAL "final"
#define PVM_KEY_SINCE_LAST "since_last"

/* caller and target */
#define PVM_KEY_PID "pid"
#define PVM_KEY_TID "tid"
#define PVM_KEY_PPID "ppid"
#define PVM_KEY_UID "uid"
#define PVM_KEY_GID "gid"
#define PVM_KEY_COMM "comm"
#define PVM_KEY_EXE "exe"
#define PVM_KEY_CGROUP_ID "cgroup_id"
#define PVM_KEY_PIDNS "pidns"
#define PVM_KEY_MNTNS "mntns"
#define PVM_KEY_CODE "code"
#define PVM_KEY_START_TIME "start_time"
#define PVM_KEY_ENTITY_ID "entity_id"
#define PVM_KEY_CONTAINER_ID "container_id"
#define PVM_KEY_ANCESTORS "ancestors"
#define PVM_KEY_SAME_PROCESS "same_process"
#define PVM_KEY_CHILD "child"
#define PVM_KEY_PARENT "parent"
#define PVM_KEY_SAME_UID "same_uid"
#define PVM_KEY_SAME_PIDNS "same_pidns"
#define PVM_KEY_SOURCE "source"

/* args: the syscall's own names (pid above) */
#define PVM_KEY_LIOVCNT "liovcnt"
#define PVM_KEY_RIOVCNT "riovcnt"
#define PVM_KEY_FLAGS "flags"

/* an iovec and its region */
#define PVM_KEY_BASE "base"
#define PVM_KEY_LEN "len"
#define PVM_KEY_REGION "region"
#define PVM_KEY_START "start"
#define PVM_KEY_END "end"
#define PVM_KEY_PERMS "perms"
#define PVM_KEY_KIND "kind"
#define PVM_KEY_PATH "path"

/* data */
#define PVM_KEY_CAPTURED "captured"
#define PVM_KEY_TOTAL "total"
#define PVM_KEY_COMPLETE "complete"
#define PVM_KEY_HEX "hex"
#define PVM_KEY_SHA256 "sha256"
#define PVM_KEY_FILE "file"
#define PVM_KEY_STORED_BYTES "stored_bytes"
#define PVM_KEY_STORE "store"

/* an alert */
#define PVM_KEY_RULE "rule"
#define PVM_KEY_NAME "name"
#define PVM_KEY_SEVERITY "severity"
#define PVM_KEY_MITRE "mitre"
#define PVM_KEY_REASON "reason"

/* "schema": a record's kind and the version of its layout, raised on a change */
#define PVM_SCHEMA_EVENT "pvmtrace.event/1"
#define PVM_SCHEMA_STATS "pvmtrace.stats/1"

/* values both sides spell: "event", "abi", "code", "source", a region's "kind" */
#define PVM_EVENT_READV "process_vm_readv"
#define PVM_EVENT_WRITEV "process_vm_writev"
#define PVM_EVENT_STATS "stats"
#define PVM_SOURCE_KERNEL "kernel"
#define PVM_SOURCE_PROC "proc"
#define PVM_SOURCE_UNRESOLVED "unresolved"
#define PVM_ABI_NAME_X86_64 "x86_64"
#define PVM_ABI_NAME_IA32 "ia32"
#define PVM_CODE_NAME_64 "x86_64"
#define PVM_CODE_NAME_32 "i386"
#define PVM_KIND_ANON "anon"
#define PVM_KIND_FILE "file"
#define PVM_KIND_HEAP "heap"
#define PVM_KIND_STACK "stack"
#define PVM_KIND_VDSO "vdso"

#endif /* PVMTRACE_JSON_KEYS_H */
