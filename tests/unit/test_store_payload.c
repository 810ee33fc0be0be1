// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* --capture-dir per event: chunks -> whole payload -> one file per content. */
#include "output/store_payload.h"
#include "event/digest.h"
#include "output/format.h"
#include "record_builder.h"
#include "unit.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define TID 4243
#define PAYLOAD_LEN (2 * PVM_CHUNK_DATA_MAX + 100)
#define EXAMPLE_START 1000000000ULL /* build_example()'s start_boot_ns */

static struct record_buffer buf;
static _Alignas(8) unsigned char chunk_buf[sizeof(struct pvm_chunk) + PVM_CHUNK_DATA_MAX];
static unsigned char payload[PAYLOAD_LEN];

struct fixture {
	char dir[64];
	struct pvm_capture_store store;
	struct pvm_reassembly chunks;
	struct pvm_stats stats;
};

static void setup(struct fixture *f)
{
	char err[256];

	memset(f, 0, sizeof(*f));
	strcpy(f->dir, "/tmp/pvmtrace-unit-store-XXXXXX");
	if (!mkdtemp(f->dir) || pvm_capture_store_open(f->dir, &f->store, err, sizeof(err)) ||
	    pvm_reassembly_init(&f->chunks, 8, 1 << 20))
		unit_fail(__FILE__, __LINE__, "fixture: %s", f->dir);
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (unsigned char)(i * 13 + i / 256);
}

static int files_in(const struct fixture *f)
{
	DIR *d = opendir(f->dir);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static void teardown(struct fixture *f)
{
	char cmd[128];

	pvm_reassembly_free(&f->chunks);
	pvm_capture_store_close(&f->store);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd))
		unit_fail(__FILE__, __LINE__, "cannot remove %s", f->dir);
}

/* The chunks the kernel side sends for the first `len` payload bytes. */
static void send_chunks(struct fixture *f, size_t len, __u64 start)
{
	struct pvm_chunk *c = (struct pvm_chunk *)chunk_buf;

	for (size_t off = 0; off < len; off += PVM_CHUNK_DATA_MAX) {
		c->kind = PVM_REC_CHUNK;
		c->tid = TID;
		c->start_boot_ns = start;
		c->offset = off;
		c->len = len - off < PVM_CHUNK_DATA_MAX ? len - off : PVM_CHUNK_DATA_MAX;
		memcpy(c->data, payload + off, c->len);
		CHECK_EQ(pvm_reassembly_add(&f->chunks, c), 0);
	}
}

/* The example write, `sent` bytes of it sent as chunks, `ret` bytes moved. */
static struct pvm_event stored_event(struct fixture *f, __u8 state, size_t sent, __s64 ret)
{
	struct pvm_decode_config config = {0, 64};
	struct pvm_event ev;
	const char *why;

	build_example(&buf);
	buf.rec.caller_tid = TID;
	buf.rec.ret = ret;
	buf.rec.local_bytes = sent;
	set_payload(&buf, (const char *)payload, 64, ret >= 0 ? (__u64)ret : sent);
	buf.rec.store_state = state;
	buf.rec.store_bytes = state == PVM_STORE_SENT ? sent : 0;
	if (pvm_event_decode(&buf, record_size(&buf), &config, &ev, &why))
		unit_fail(__FILE__, __LINE__, "decode: %s", why);
	pvm_store_payload(&f->chunks, &f->store, &ev, &f->stats);
	return ev;
}

/* The stored file holds exactly payload[0, len). */
static void check_file(const struct fixture *f, const struct pvm_event *ev, size_t len)
{
	char name[PVM_SHA256_HEX_LEN + 5], path[160];
	unsigned char sum[PVM_SHA256_LEN];
	unsigned char *got = malloc(len + 1);
	struct stat st;
	FILE *in;

	pvm_sha256(payload, len, sum);
	CHECK(!memcmp(ev->stored.sha256, sum, sizeof(sum)));
	pvm_store_file_name(&ev->stored, name);
	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	in = fopen(path, "rb");
	CHECK(in != NULL);
	if (in) {
		CHECK_EQ(fread(got, 1, len + 1, in), len);
		CHECK(!memcmp(got, payload, len));
		fstat(fileno(in), &st);
		CHECK_EQ(st.st_mode & 0777, 0600);
		fclose(in);
	}
	free(got);
}

UNIT_TEST(store_whole_payload_once)
{
	struct fixture f;
	struct pvm_event ev;

	setup(&f);
	send_chunks(&f, PAYLOAD_LEN, EXAMPLE_START);
	ev = stored_event(&f, PVM_STORE_SENT, PAYLOAD_LEN, PAYLOAD_LEN);
	CHECK_EQ(ev.stored.result, PVM_STORED_NEW);
	CHECK_EQ(ev.stored.len, PAYLOAD_LEN);
	CHECK_STR(pvm_store_outcome(&ev.stored), "new");
	check_file(&f, &ev, PAYLOAD_LEN);

	send_chunks(&f, PAYLOAD_LEN, EXAMPLE_START);
	ev = stored_event(&f, PVM_STORE_SENT, PAYLOAD_LEN, PAYLOAD_LEN);
	CHECK_STR(pvm_store_outcome(&ev.stored), "existing");
	CHECK_EQ(files_in(&f), 1);
	CHECK_EQ(f.stats.payloads_stored, 1);
	CHECK_EQ(f.stats.payloads_existing, 1);
	CHECK_EQ(f.stats.payloads_not_stored, 0);
	teardown(&f);
}

/* A partial write moved its first `ret` bytes; a failed one keeps what it asked. */
UNIT_TEST(store_cuts_to_what_moved)
{
	struct fixture f;
	struct pvm_event ev;

	setup(&f);
	send_chunks(&f, PAYLOAD_LEN, EXAMPLE_START);
	ev = stored_event(&f, PVM_STORE_SENT, PAYLOAD_LEN, 5000);
	CHECK_EQ(ev.stored.len, 5000);
	check_file(&f, &ev, 5000);

	send_chunks(&f, 300, EXAMPLE_START);
	ev = stored_event(&f, PVM_STORE_SENT, 300, -14);
	CHECK_EQ(ev.stored.len, 300);
	check_file(&f, &ev, 300);

	send_chunks(&f, 300, EXAMPLE_START);
	ev = stored_event(&f, PVM_STORE_SENT, 300, 0);
	CHECK_EQ(ev.stored.result, PVM_STORED_NONE);
	CHECK_STR(pvm_store_outcome(&ev.stored), "empty");
	CHECK_EQ(files_in(&f), 2);
	teardown(&f);
}

/* Never stored cut: a missing chunk, or a payload the kernel side did not send whole. */
UNIT_TEST(store_refuses_what_is_not_whole)
{
	static const struct {
		__u8 state;
		const char *outcome;
	} kernel_said[] = {
		{PVM_STORE_TOO_LARGE, "too_large"}, {PVM_STORE_UNREADABLE, "unreadable"},
		{PVM_STORE_LOST, "lost"},	    {PVM_STORE_IOV_LIMIT, "iov_limit"},
	};
	struct fixture f;
	struct pvm_event ev;

	setup(&f);
	send_chunks(&f, PVM_CHUNK_DATA_MAX, EXAMPLE_START); /* 1 of 3 chunks */
	ev = stored_event(&f, PVM_STORE_SENT, PAYLOAD_LEN, PAYLOAD_LEN);
	CHECK_EQ(ev.stored.result, PVM_STORED_INCOMPLETE);
	CHECK_STR(pvm_store_outcome(&ev.stored), "incomplete");
	for (size_t i = 0; i < sizeof(kernel_said) / sizeof(kernel_said[0]); i++) {
		ev = stored_event(&f, kernel_said[i].state, PAYLOAD_LEN, PAYLOAD_LEN);
		CHECK_STR(pvm_store_outcome(&ev.stored), kernel_said[i].outcome);
	}
	CHECK_EQ(files_in(&f), 0);
	CHECK_EQ(f.stats.payloads_not_stored, 5);
	ev = stored_event(&f, PVM_STORE_OFF, 0, PAYLOAD_LEN);
	CHECK(pvm_store_outcome(&ev.stored) == NULL);
	CHECK_EQ(f.stats.payloads_not_stored, 5);
	teardown(&f);
}

static void json_of(FILE *out, const void *arg)
{
	struct json_writer w;

	jw_init(&w, out);
	pvm_format_json(&w, arg, NULL, NULL);
}

/* data: sha256 and file name are the stored file's; without a file, the capture's. */
UNIT_TEST(store_json_data_object)
{
	char want[512], hex[PVM_SHA256_HEX_LEN + 5];
	unsigned char sum[PVM_SHA256_LEN];
	struct fixture f;
	struct pvm_event ev;
	char *got;

	setup(&f);
	send_chunks(&f, PAYLOAD_LEN, EXAMPLE_START);
	ev = stored_event(&f, PVM_STORE_SENT, PAYLOAD_LEN, PAYLOAD_LEN);
	pvm_store_file_name(&ev.stored, hex);
	hex[PVM_SHA256_HEX_LEN] = '\0';
	snprintf(want, sizeof(want), "\"complete\":true,\"hex\":\"%.10s", "000d1a2734");
	got = unit_capture(json_of, &ev);
	CHECK(strstr(got, want) != NULL);
	snprintf(want, sizeof(want), "\"sha256\":\"%s\",\"file\":\"%s.bin\",\"stored_bytes\":%d,"
		 "\"store\":\"new\"}}\n", hex, hex, PAYLOAD_LEN);
	CHECK(strstr(got, want) != NULL);
	free(got);

	ev = stored_event(&f, PVM_STORE_TOO_LARGE, PAYLOAD_LEN, PAYLOAD_LEN);
	pvm_sha256(payload, 64, sum);
	for (int i = 0; i < PVM_SHA256_LEN; i++)
		sprintf(hex + 2 * i, "%02x", sum[i]);
	snprintf(want, sizeof(want), "\"sha256\":\"%s\",\"file\":null,\"stored_bytes\":0,"
		 "\"store\":\"too_large\"}}\n", hex);
	got = unit_capture(json_of, &ev);
	CHECK(strstr(got, want) != NULL);
	free(got);
	teardown(&f);
}

/* The directory gone from under pvmtrace: each payload fails, the reason said once. */
UNIT_TEST(store_failure_says_why_once_per_reason)
{
	char *said = NULL;
	size_t said_len = 0;
	struct fixture f;
	struct pvm_event ev;
	char cmd[160];

	setup(&f);
	f.store.warn = open_memstream(&said, &said_len);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f.dir);
	CHECK_EQ(system(cmd), 0);
	for (int i = 0; i < 3; i++) {
		send_chunks(&f, PAYLOAD_LEN, EXAMPLE_START);
		ev = stored_event(&f, PVM_STORE_SENT, PAYLOAD_LEN, PAYLOAD_LEN);
		CHECK_STR(pvm_store_outcome(&ev.stored), "failed");
	}
	fclose(f.store.warn);
	CHECK_EQ(f.stats.payloads_not_stored, 3);
	CHECK(strstr(said, "pvmtrace: --capture-dir: a payload of ") == said);
	CHECK(strstr(said, ": No such file or directory (said once per reason"));
	CHECK(strchr(said, '\n') == said + said_len - 1); /* one line for the three */
	free(said);
	teardown(&f);
}
