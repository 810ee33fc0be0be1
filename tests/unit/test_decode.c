// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Raw records into struct pvm_event: native, compat-widened, broken. */
#include "event/event.h"
#include "record_builder.h"
#include "unit.h"

static struct record_buffer buf;
static const struct pvm_decode_config config = {.boot_to_wall_ns = 500, .capture = 16};

static int decode(struct pvm_event *ev, const char **why)
{
	return pvm_event_decode(&buf, record_size(&buf), &config, ev, why);
}

UNIT_TEST(decode_example_record)
{
	struct pvm_event ev;
	const char *why = NULL;

	build_example(&buf);
	CHECK_EQ(decode(&ev, &why), 0);
	CHECK_EQ(ev.wall_ns, 1000000500ULL);
	CHECK_EQ(ev.local.state, PVM_IOV_OK);
	CHECK_EQ(ev.local.n, 2);
	CHECK_EQ(ev.local.iov[1].len, 48);
	CHECK_EQ(ev.local.bytes, 64);
	CHECK_EQ(ev.remote.n, 1);
	CHECK_EQ(ev.remote.iov[0].base, 0x7f3a1c000000);
	CHECK(!ev.local.truncated && !ev.remote.truncated);
	CHECK_EQ(ev.data.state, PVM_DATA_OK);
	CHECK_EQ(ev.data.captured, 16);
	CHECK_EQ(ev.data.total, 64);
	CHECK(ev.data.complete); /* 16 of 64 with --capture 16 */
	CHECK(!memcmp(ev.data.bytes, "0123456789abcdef", 16));
	CHECK_EQ(ev.data.sha256[0], 0x9f);
	CHECK_EQ(ev.data.sha256[31], 0x9f);
}

UNIT_TEST(decode_payload_states)
{
	struct pvm_event ev;
	const char *why;

	build_example(&buf);
	buf.rec.data_captured = 10; /* short of the 16 it should hold */
	CHECK_EQ(decode(&ev, &why), 0);
	CHECK(!ev.data.complete);

	build_example(&buf);
	buf.rec.data_state = PVM_DATA_FAULT;
	CHECK_EQ(decode(&ev, &why), 0);
	CHECK(!ev.data.complete);

	build_example(&buf);
	set_payload(&buf, "", 0, 0);
	CHECK_EQ(decode(&ev, &why), 0);
	CHECK(ev.data.complete); /* nothing moved, nothing to capture */
	CHECK_EQ(ev.data.sha256[0], 0xe3);

	build_example(&buf);
	buf.rec.data_captured = 17; /* more than --capture */
	CHECK_EQ(decode(&ev, &why), -1);
	CHECK_STR(why, "payload out of range");

	build_example(&buf);
	buf.rec.data_state = PVM_DATA_OFF; /* off, yet bytes */
	CHECK_EQ(decode(&ev, &why), -1);

	build_example(&buf);
	buf.rec.data_state = 7;
	CHECK_EQ(decode(&ev, &why), -1);
}

UNIT_TEST(decode_truncated_side)
{
	struct pvm_event ev;
	const char *why;

	build_example(&buf);
	buf.rec.liovcnt = 100; /* 100 passed, 2 kept */
	CHECK_EQ(decode(&ev, &why), 0);
	CHECK(ev.local.truncated);
	CHECK(!ev.remote.truncated);
}

UNIT_TEST(decode_unreadable_side_has_no_entries)
{
	struct pvm_event ev;
	const char *why;

	build_example(&buf);
	buf.rec.local_state = PVM_IOV_FAULT;
	buf.rec.local_n = 0;
	buf.iov[0] = buf.iov[2];
	set_region(&buf, 0, (struct pvm_region){.state = PVM_REGION_NONE});
	set_payload(&buf, "", 0, 0);
	CHECK_EQ(decode(&ev, &why), 0);
	CHECK_EQ(ev.local.state, PVM_IOV_FAULT);
	CHECK(!ev.local.truncated); /* null, not truncated */
	CHECK_EQ(ev.remote.iov[0].base, 0x7f3a1c000000);
}

UNIT_TEST(decode_oversize_side)
{
	struct pvm_event ev;
	const char *why;

	build_example(&buf);
	buf.rec.local_state = PVM_IOV_OVERSIZE;
	buf.rec.liovcnt = 1025;
	CHECK_EQ(decode(&ev, &why), 0);
	CHECK(ev.local.truncated);
}

UNIT_TEST(decode_compat_record_reads_like_native)
{
	struct pvm_event ev;
	const char *why;

	build_example(&buf);
	buf.rec.abi = PVM_ABI_IA32;
	buf.rec.code_mode = PVM_CODE_32;
	buf.iov[0] = (struct pvm_iov){0x80ed088, 24}; /* widened by the kernel side */
	CHECK_EQ(decode(&ev, &why), 0);
	CHECK_EQ(ev.local.iov[0].base, 0x80ed088);
	CHECK_STR(pvm_abi_name(ev.rec->abi), "ia32");
}

UNIT_TEST(decode_rejects_broken_records)
{
	struct pvm_event ev;
	const char *why = NULL;
	size_t size;

	build_example(&buf);
	CHECK_EQ(pvm_event_decode(&buf, sizeof(buf.rec) - 1, &config, &ev, &why), -1);
	CHECK_STR(why, "record shorter than its header");

	build_example(&buf);
	size = record_size(&buf);
	CHECK_EQ(pvm_event_decode(&buf, size + 16, &config, &ev, &why), -1);
	CHECK_STR(why, "record size does not match its contents");

	build_example(&buf);
	buf.rec.kind = 99;
	CHECK_EQ(decode(&ev, &why), -1);
	CHECK_STR(why, "unknown record kind");

	build_example(&buf);
	buf.rec.syscall = 7;
	CHECK_EQ(decode(&ev, &why), -1);

	build_example(&buf);
	buf.rec.remote_state = 9;
	CHECK_EQ(decode(&ev, &why), -1);
	CHECK_STR(why, "unknown iovec state");

	build_example(&buf);
	set_region(&buf, 0, (struct pvm_region){.state = 3});
	CHECK_EQ(decode(&ev, &why), -1);
	CHECK_STR(why, "unknown region state or kind");

	build_example(&buf);
	buf.rec.local_n = 3; /* more kept than passed */
	CHECK_EQ(decode(&ev, &why), -1);
	CHECK_STR(why, "iovec entry count out of range");

	build_example(&buf);
	buf.rec.liovcnt = 5000;
	buf.rec.local_n = 1025;
	CHECK_EQ(decode(&ev, &why), -1);

	build_example(&buf);
	memcpy(buf.rec.comm, "0123456789abcdef", 16); /* no NUL: no thread's name */
	CHECK_EQ(decode(&ev, &why), -1);
	CHECK_STR(why, "comm without its NUL");
	build_example(&buf);
	memcpy(buf.rec.target.comm, "0123456789abcdef", 16);
	CHECK_EQ(decode(&ev, &why), -1);
	CHECK_STR(why, "comm without its NUL");
}

UNIT_TEST(errno_names)
{
	CHECK_STR(pvm_errno_name(-1), "EPERM");
	CHECK_STR(pvm_errno_name(-3), "ESRCH");
	CHECK_STR(pvm_errno_name(-14), "EFAULT");
	CHECK_STR(pvm_errno_name(-22), "EINVAL");
	CHECK_STR(pvm_errno_name(0), NULL);
	CHECK_STR(pvm_errno_name(64), NULL);
	CHECK_STR(pvm_errno_name(-4000), "EUNKNOWN");
	CHECK_STR(pvm_errno_name(-5000), NULL);
}
