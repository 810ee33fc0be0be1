// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The output file's page cache: windows written back, then dropped a window later. */
#include "output/output_file.h"
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#define TMPFS_MAGIC_NUMBER 0x01021994 /* linux/magic.h: tmpfs keeps its pages */

static int scratch_file(char *path, size_t len)
{
	int fd;

	snprintf(path, len, "/tmp/pvmtrace-unit-trim-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		unit_fail(__FILE__, __LINE__, "mkstemp %s: %s", path, strerror(errno));
	return fd;
}

static void write_bytes(int fd, size_t n)
{
	static char block[4096];

	memset(block, 'j', sizeof(block));
	for (size_t done = 0; done < n; done += sizeof(block))
		CHECK_EQ(write(fd, block, sizeof(block)), sizeof(block));
}

/* How many pages of [from, to) are in the page cache. */
static size_t resident_pages(int fd, size_t from, size_t to)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), n = 0;
	unsigned char vec[256];
	void *map = mmap(NULL, to, PROT_READ, MAP_SHARED, fd, 0);

	if (map == MAP_FAILED) {
		unit_fail(__FILE__, __LINE__, "mmap: %s", strerror(errno));
		return 0;
	}
	if (to / page > sizeof(vec) || mincore(map, to, vec)) {
		unit_fail(__FILE__, __LINE__, "mincore: %s", strerror(errno));
		munmap(map, to);
		return 0;
	}
	for (size_t i = from / page; i < to / page; i++)
		n += vec[i] & 1;
	munmap(map, to);
	return n;
}

/*
 * Whether this file system drops clean pages on POSIX_FADV_DONTNEED at all
 * (tmpfs, and an overlay on it, keep them): the first page, written and
 * synced, asked to go.
 */
static bool dontneed_drops(int fd)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return pwrite(fd, "{", 1, 0) == 1 && fdatasync(fd) == 0 &&
	       posix_fadvise(fd, 0, (off_t)page, POSIX_FADV_DONTNEED) == 0 &&
	       resident_pages(fd, 0, page) == 0;
}

UNIT_TEST(output_trim_drops_the_window_before_the_last_written)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), window = 16 * page;
	struct pvm_output_trim t;
	struct statfs fs;
	char path[64];
	int fd = scratch_file(path, sizeof(path));

	if (fd < 0)
		return;
	write_bytes(fd, 2 * page); /* there before: the windows start after it */
	pvm_output_trim_init(&t, fd, window);
	CHECK_EQ(t.fd, fd);
	CHECK_EQ(t.synced, 2 * page);
	CHECK_EQ(t.dropped, 2 * page);

	write_bytes(fd, 5 * window + window / 2);
	CHECK_EQ(fdatasync(fd), 0); /* all clean: what is dropped now is dropped for sure */
	pvm_output_trim(&t, 2 * page + 5 * window + window / 2);
	CHECK_EQ(t.synced, 2 * page + 5 * window);
	CHECK_EQ(t.dropped, 2 * page + 4 * window);

	if (fstatfs(fd, &fs) == 0 && fs.f_type != TMPFS_MAGIC_NUMBER && dontneed_drops(fd)) {
		size_t end = 2 * page + 5 * window + window / 2;

		CHECK_EQ(resident_pages(fd, 2 * page, 2 * page + 4 * window), 0);
		CHECK_EQ(resident_pages(fd, 2 * page + 4 * window, end), (window + window / 2) / page);
	}

	/* nothing new: nothing more */
	pvm_output_trim(&t, 2 * page + 5 * window + window / 2);
	CHECK_EQ(t.synced, 2 * page + 5 * window);
	CHECK_EQ(t.dropped, 2 * page + 4 * window);
	/* cut short (copytruncate): the windows start again from its page */
	pvm_output_trim(&t, page + 5);
	CHECK_EQ(t.synced, page);
	CHECK_EQ(t.dropped, page);
	close(fd);
	unlink(path);
}

UNIT_TEST(output_trim_leaves_a_pipe_alone)
{
	struct pvm_output_trim t;
	int p[2];

	CHECK_EQ(pipe(p), 0);
	pvm_output_trim_init(&t, p[1], 4096);
	CHECK_EQ(t.fd, -1);
	pvm_output_trim(&t, 1 << 30); /* no call on the pipe, nothing counted */
	CHECK_EQ(t.synced, 0);
	CHECK_EQ(t.dropped, 0);
	close(p[0]);
	close(p[1]);
}

/* The same trim behind the writer, in a thread: done once the thread stops. */
UNIT_TEST(output_trimmer_trims_in_its_thread)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), window = 16 * page;
	struct pvm_output_trimmer t;
	char path[64];
	int fd = scratch_file(path, sizeof(path));

	if (fd < 0)
		return;
	pvm_output_trimmer_start(&t, fd, window);
	CHECK(t.running);
	write_bytes(fd, 3 * window);
	pvm_output_trimmer_reach(&t, 3 * window);
	write_bytes(fd, 2 * window + window / 2);
	pvm_output_trimmer_reach(&t, 5 * window + window / 2);
	pvm_output_trimmer_stop(&t);
	CHECK(!t.running);
	CHECK_EQ(t.trim.synced, 5 * window);
	CHECK_EQ(t.trim.dropped, 4 * window);
	close(fd);
	unlink(path);
}

UNIT_TEST(output_trimmer_has_no_thread_for_a_pipe)
{
	struct pvm_output_trimmer t;
	int p[2];

	CHECK_EQ(pipe(p), 0);
	pvm_output_trimmer_start(&t, p[1], 4096);
	CHECK(!t.running);
	pvm_output_trimmer_reach(&t, 1 << 30);
	pvm_output_trimmer_stop(&t);
	close(p[0]);
	close(p[1]);
}
