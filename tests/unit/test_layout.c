// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * layout.h, the one owner of where a call's parts sit after rec->iov: the
 * record's parts follow each other, and in the slot each area starts where
 * the one before it ends, for the smallest, the default and the largest
 * settings.
 */
#include "enforce.h"
#include "layout.h"
#include "unit.h"

UNIT_TEST(layout_record_parts_follow_each_other)
{
	struct pvm_record rec = {.local_n = 2, .remote_n = 1, .data_captured = 64};

	rec.caller_exe.path_len = 12;
	rec.target.exe.path_len = 9;
	CHECK_EQ(pvm_rec_regions_off(2, 1), 3 * 16);
	CHECK_EQ(pvm_rec_data_off(2, 1), 3 * 16 + 40);
	CHECK_EQ(pvm_rec_exes_off(&rec), 3 * 16 + 40 + 64);
	CHECK_EQ(pvm_rec_size(&rec), 280 + 3 * 16 + 40 + 64 + 12 + 9);
	CHECK_EQ(pvm_rec_data_off(0, 0), 0);
	CHECK_EQ(pvm_rec_data_off(PVM_IOV_MAX, PVM_IOV_MAX),
		 2 * PVM_IOV_MAX * 16 + PVM_IOV_MAX * 40);
}

UNIT_TEST(layout_slot_areas_follow_each_other)
{
	static const struct {
		__u32 max_iov, capture;
	} settings[] = {
		{1, 0},
		{PVM_IOV_DEFAULT, PVM_CAPTURE_DEFAULT},
		{PVM_IOV_MAX, PVM_CAPTURE_MAX},
	};

	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		__u32 max_iov = settings[i].max_iov, capture = settings[i].capture;
		__u64 entries = PVM_SLOT_DATA_OFF_MAX(max_iov);

		CHECK_EQ(pvm_rec_data_off(max_iov, max_iov), entries);
		CHECK_EQ(PVM_SLOT_REGION_OFF_MAX(max_iov) + sizeof(struct pvm_region), entries);
		CHECK_EQ(PVM_SLOT_GAP_OFF(max_iov, capture), entries + PVM_SLOT_PAYLOAD(capture));
		CHECK(PVM_SLOT_PAYLOAD(capture) >= 2 * capture);
		CHECK_EQ(PVM_SLOT_EXE_OFF(max_iov, capture, 0),
			 PVM_SLOT_GAP_OFF(max_iov, capture) + 2 * PVM_EXE_PATH_MAX);
		CHECK_EQ(PVM_SLOT_EXE_OFF(max_iov, capture, 1),
			 PVM_SLOT_EXE_OFF(max_iov, capture, 0) + PVM_EXE_SCRATCH);
		CHECK_EQ(PVM_SLOT_CHUNK_OFF(max_iov, capture),
			 PVM_SLOT_EXE_OFF(max_iov, capture, 1) + PVM_EXE_SCRATCH);
		CHECK_EQ(PVM_SLOT_VALUE_SIZE(max_iov, capture, false),
			 PVM_INFLIGHT_HEADER_SIZE + sizeof(struct pvm_record) +
				 PVM_SLOT_CHUNK_OFF(max_iov, capture));
		CHECK_EQ(PVM_SLOT_VALUE_SIZE(max_iov, capture, true),
			 PVM_SLOT_VALUE_SIZE(max_iov, capture, false) + PVM_SLOT_CHUNK);
		/* the paths copied after the largest payload end before their scratch */
		CHECK(entries + capture + 2 * PVM_EXE_PATH_MAX <=
		      PVM_SLOT_EXE_OFF(max_iov, capture, 0));
		/* --enforce's facts fit in the gap */
		CHECK(sizeof(struct pvm_enforce_input) <= PVM_SLOT_GAP);
	}
}
