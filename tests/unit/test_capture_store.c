// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The --capture-dir store, in a fresh directory under /tmp. */
#include "event/digest.h"
#include "output/capture_store.h"
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

struct fixture {
	char dir[64];
	struct pvm_capture_store store;
};

static void setup(struct fixture *f)
{
	char err[256] = "";

	strcpy(f->dir, "/tmp/pvmtrace-unit-XXXXXX");
	if (!mkdtemp(f->dir))
		unit_fail(__FILE__, __LINE__, "mkdtemp: %s", strerror(errno));
	if (pvm_capture_store_open(f->dir, &f->store, err, sizeof(err)))
		unit_fail(__FILE__, __LINE__, "open: %s", err);
}

static void teardown(struct fixture *f)
{
	DIR *d = opendir(f->dir);
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dirfd(d), de->d_name, 0);
	if (d)
		closedir(d);
	pvm_capture_store_close(&f->store);
	rmdir(f->dir);
}

static void hex_digest(const void *bytes, size_t len, char hex[PVM_SHA256_HEX_LEN + 1])
{
	unsigned char sum[PVM_SHA256_LEN];

	pvm_sha256(bytes, len, sum);
	for (int i = 0; i < PVM_SHA256_LEN; i++)
		sprintf(hex + 2 * i, "%02x", sum[i]);
}

static void path_of(const struct fixture *f, const char *hex, char *path, size_t len)
{
	snprintf(path, len, "%s/%s.bin", f->dir, hex);
}

/* The whole file at `path`, or NULL; its length in *len. */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *in = fopen(path, "rb");
	unsigned char *buf = NULL;
	long size;

	if (!in)
		return NULL;
	fseek(in, 0, SEEK_END);
	size = ftell(in);
	rewind(in);
	buf = malloc((size_t)size + 1);
	*len = fread(buf, 1, (size_t)size, in);
	fclose(in);
	return buf;
}

/* Names in the directory other than "." and "..". */
static int entries(const struct fixture *f)
{
	DIR *d = opendir(f->dir);
	int n = 0;

	for (struct dirent *de; d && (de = readdir(d));)
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

UNIT_TEST(capture_store_stores_once)
{
	static const unsigned char payload[] = "\x48\x31\xc0\xc3 shellcode";
	struct fixture f;
	char hex[PVM_SHA256_HEX_LEN + 1], path[256];
	struct stat st;
	unsigned char *back;
	size_t len = 0;
	bool already = true;

	setup(&f);
	hex_digest(payload, sizeof(payload), hex);
	CHECK_EQ(pvm_capture_store_put(&f.store, payload, sizeof(payload), hex, &already), 0);
	CHECK(!already);
	CHECK_EQ(pvm_capture_store_put(&f.store, payload, sizeof(payload), hex, &already), 0);
	CHECK(already);
	CHECK_EQ(f.store.stored, 1);
	CHECK_EQ(f.store.duplicates, 1);
	CHECK_EQ(f.store.failures, 0);

	path_of(&f, hex, path, sizeof(path));
	CHECK_EQ(lstat(path, &st), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(st.st_mode & 07777, 0600);
	back = slurp(path, &len);
	CHECK(back && len == sizeof(payload) && !memcmp(back, payload, len));
	CHECK_EQ(entries(&f), 1); /* no temporary file left behind */
	free(back);
	teardown(&f);
}

UNIT_TEST(capture_store_empty_and_distinct_payloads)
{
	struct fixture f;
	char a[PVM_SHA256_HEX_LEN + 1], b[PVM_SHA256_HEX_LEN + 1];
	bool already;

	setup(&f);
	hex_digest("", 0, a);
	hex_digest("x", 1, b);
	CHECK_EQ(pvm_capture_store_put(&f.store, (const unsigned char *)"", 0, a, &already), 0);
	CHECK_EQ(pvm_capture_store_put(&f.store, (const unsigned char *)"x", 1, b, &already), 0);
	CHECK(!already);
	CHECK_EQ(f.store.stored, 2);
	CHECK_EQ(entries(&f), 2);
	teardown(&f);
}

UNIT_TEST(capture_store_never_follows_a_planted_symlink)
{
	static const unsigned char payload[] = "overwrite me";
	struct fixture f;
	char hex[PVM_SHA256_HEX_LEN + 1], path[256], victim[256];
	unsigned char *back;
	size_t len = 0;
	bool already = true;
	struct stat st;
	FILE *out;

	setup(&f);
	hex_digest(payload, sizeof(payload), hex);
	snprintf(victim, sizeof(victim), "%s/victim", f.dir);
	out = fopen(victim, "w");
	fputs("precious", out);
	fclose(out);
	path_of(&f, hex, path, sizeof(path));
	CHECK_EQ(symlink(victim, path), 0);

	errno = 0;
	CHECK_EQ(pvm_capture_store_put(&f.store, payload, sizeof(payload), hex, &already), -1);
	CHECK_EQ(errno, EEXIST);
	CHECK(!already);
	CHECK_EQ(f.store.failures, 1);
	CHECK_EQ(f.store.stored, 0);
	CHECK_EQ(lstat(path, &st), 0);
	CHECK(S_ISLNK(st.st_mode));
	back = slurp(victim, &len);
	CHECK(back && len == 8 && !memcmp(back, "precious", 8));
	CHECK_EQ(entries(&f), 2); /* the link and the victim: no temporary file */
	free(back);

	/* a dangling link is not followed either */
	CHECK_EQ(unlink(victim), 0);
	CHECK_EQ(pvm_capture_store_put(&f.store, payload, sizeof(payload), hex, &already), -1);
	CHECK_EQ(lstat(victim, &st), -1);
	CHECK_EQ(f.store.failures, 2);
	teardown(&f);
}

UNIT_TEST(capture_store_refuses_what_is_not_its_file)
{
	static const unsigned char payload[] = "four";
	struct fixture f;
	char hex[PVM_SHA256_HEX_LEN + 1], path[256];
	bool already;
	FILE *out;

	setup(&f);
	hex_digest(payload, sizeof(payload), hex);
	path_of(&f, hex, path, sizeof(path));
	CHECK_EQ(mkdir(path, 0700), 0); /* a directory at the final name */
	CHECK_EQ(pvm_capture_store_put(&f.store, payload, sizeof(payload), hex, &already), -1);
	CHECK_EQ(errno, EEXIST);
	CHECK_EQ(rmdir(path), 0);

	out = fopen(path, "w"); /* a regular file of another length */
	fputs("not the payload", out);
	fclose(out);
	CHECK_EQ(pvm_capture_store_put(&f.store, payload, sizeof(payload), hex, &already), -1);
	CHECK_EQ(errno, EEXIST);
	CHECK_EQ(f.store.failures, 2);
	teardown(&f);
}

UNIT_TEST(capture_store_name_is_always_a_digest)
{
	static const char *const bad[] = {
		"",
		"../../../../etc/cron.d/x",
		"/etc/passwd",
		"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555",
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8/5",
	};
	struct fixture f;
	bool already;

	setup(&f);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		if (pvm_capture_store_put(&f.store, (const unsigned char *)"x", 1, bad[i],
					  &already) != -1 ||
		    errno != EINVAL)
			unit_fail(__FILE__, __LINE__, "accepted name %s", bad[i]);
	}
	CHECK_EQ(f.store.failures, sizeof(bad) / sizeof(bad[0]));
	CHECK_EQ(entries(&f), 0);
	teardown(&f);
}

UNIT_TEST(capture_store_one_mib_round_trip)
{
	enum { MIB = 1 << 20 };
	struct fixture f;
	unsigned char *payload = malloc(MIB), *back;
	char hex[PVM_SHA256_HEX_LEN + 1], path[256];
	size_t len = 0;
	bool already;
	__u32 x = 2463534242u;

	for (size_t i = 0; i < MIB; i++) { /* xorshift32: no run of equal bytes */
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		payload[i] = (unsigned char)x;
	}
	setup(&f);
	hex_digest(payload, MIB, hex);
	CHECK_EQ(pvm_capture_store_put(&f.store, payload, MIB, hex, &already), 0);
	path_of(&f, hex, path, sizeof(path));
	back = slurp(path, &len);
	CHECK_EQ(len, MIB);
	CHECK(back && !memcmp(back, payload, MIB));
	free(back);
	free(payload);
	teardown(&f);
}

static int open_store(const char *dir, char *err, size_t errlen)
{
	struct pvm_capture_store s;
	int ret = pvm_capture_store_open(dir, &s, err, errlen);

	if (!ret)
		pvm_capture_store_close(&s);
	return ret;
}

UNIT_TEST(capture_store_open_refuses)
{
	struct fixture f;
	char link[128], file[128], slash[130], err[256];

	setup(&f);
	snprintf(link, sizeof(link), "%s/link", f.dir);
	snprintf(slash, sizeof(slash), "%s/", link);
	snprintf(file, sizeof(file), "%s/file", f.dir);
	CHECK_EQ(symlink("/tmp", link), 0);
	fclose(fopen(file, "w"));

	CHECK_EQ(open_store(link, err, sizeof(err)), -1);
	CHECK(strstr(err, "is a symbolic link") != NULL);
	CHECK_EQ(open_store(slash, err, sizeof(err)), -1); /* "link/" follows */
	CHECK(strstr(err, "is a symbolic link") != NULL);
	CHECK_EQ(open_store(file, err, sizeof(err)), -1);
	CHECK(strstr(err, "Not a directory") != NULL);
	CHECK_EQ(open_store("/nonexistent/pvmtrace", err, sizeof(err)), -1);
	CHECK_STR(err, "/nonexistent/pvmtrace: No such file or directory");
	CHECK_EQ(open_store("", err, sizeof(err)), -1);

	CHECK_EQ(open_store(f.dir, err, sizeof(err)), 0);
	snprintf(slash, sizeof(slash), "%s//", f.dir);
	CHECK_EQ(open_store(slash, err, sizeof(err)), 0);
	CHECK_EQ(open_store("/", err, sizeof(err)), 0);
	teardown(&f);
}
