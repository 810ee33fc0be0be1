// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * -o FILE written direct by a thread: the file ends up holding exactly what
 * was there and what was handed, in order, whatever the lengths; when the
 * file changes under the thread it appends; a failed write is reported.
 */
#include "output/direct_out.h"
#include "output/output_file.h"
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define CAP (4 * 4096UL) /* small: many buffers, tails carried over and over */

struct writer {
	struct pvm_direct_out d;
	char *buf;
	size_t len;
	size_t fresh; /* where the bytes not handed yet start in buf */
};

/* On /tmp, a disk file system here (findmnt /tmp): one that writes direct. */
static int scratch_file(char *path, size_t len, const char *content, size_t n)
{
	int fd;

	snprintf(path, len, "/tmp/pvmtrace-unit-direct-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0) {
		unit_fail(__FILE__, __LINE__, "mkstemp %s: %s", path, strerror(errno));
		return -1;
	}
	CHECK_EQ(write(fd, content, n), n);
	close(fd);
	return open(path, O_WRONLY | O_APPEND | O_CLOEXEC); /* as pvm_output_open */
}

static bool writer_open(struct writer *w, int fd)
{
	int err = pvm_direct_out_open(&w->d, fd, CAP);

	if (err) {
		unit_fail(__FILE__, __LINE__, "pvm_direct_out_open: %s", strerror(-err));
		return false;
	}
	w->buf = pvm_direct_out_first(&w->d, &w->len);
	w->fresh = w->len;
	return true;
}

/* As the sink hands a buffer: with the newlines new in it. */
static void hand(struct writer *w)
{
	unsigned long long lines = pvm_output_count_lines(w->buf + w->fresh, w->len - w->fresh);

	w->buf = pvm_direct_out_hand(&w->d, w->buf, &w->len, lines);
	w->fresh = w->len;
}

/* As the JSON writer fills its buffer: a full one is handed. */
static void produce(struct writer *w, const char *p, size_t n)
{
	while (n) {
		size_t k = CAP - w->len < n ? CAP - w->len : n;

		memcpy(w->buf + w->len, p, k);
		w->len += k;
		p += k;
		n -= k;
		if (w->len == CAP)
			hand(w);
	}
}

static int flush_and_wait(struct writer *w)
{
	hand(w);
	return pvm_direct_out_wait(&w->d);
}

/* The whole file: its size in *n; free it. */
static char *slurp(const char *path, size_t *n)
{
	struct stat st;
	char *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st)) {
		unit_fail(__FILE__, __LINE__, "%s: %s", path, strerror(errno));
		return NULL;
	}
	p = malloc((size_t)st.st_size + 1);
	*n = (size_t)pread(fd, p, (size_t)st.st_size, 0);
	close(fd);
	return p;
}

static void check_file(const char *path, const char *want, size_t n)
{
	size_t got_n = 0;
	char *got = slurp(path, &got_n);

	CHECK_EQ(got_n, n);
	CHECK(got && got_n == n && memcmp(got, want, n) == 0);
	free(got);
}

/* Lines of pseudo-random lengths, some longer than a buffer. */
static size_t fill_lines(char *p, size_t n, unsigned int seed)
{
	size_t at = 0;

	while (at < n) {
		size_t line;

		seed = seed * 1103515245 + 12345;
		line = seed % (seed % 7 ? 700 : 3 * CAP);
		for (size_t i = 0; i < line && at < n - 1; i++, at++)
			p[at] = (char)('a' + (at + seed) % 26);
		p[at++] = '\n';
	}
	return at;
}

UNIT_TEST(direct_out_file_holds_what_was_there_and_what_was_handed)
{
	static const size_t before_sizes[] = {0, 1, 4095, 4096, 5000, 3 * 4096 + 17};
	static char want[3 * 4096 + 17 + 1000000];

	for (size_t t = 0; t < sizeof(before_sizes) / sizeof(before_sizes[0]); t++) {
		size_t before = before_sizes[t], n, at;
		struct writer w;
		char path[64];
		int fd;

		memset(want, 'p', before);
		n = before + fill_lines(want + before, 1000000, (unsigned int)t + 1);
		fd = scratch_file(path, sizeof(path), want, before);
		if (fd < 0 || !writer_open(&w, fd))
			return;
		CHECK_EQ(w.len, before % 4096); /* the last partial block, to be written again */
		/* lines in slices of every length, a flush now and then, each seen whole */
		for (at = before; at < n;) {
			size_t slice = (at * 7919) % 9000 + 1;

			if (slice > n - at)
				slice = n - at;
			produce(&w, want + at, slice);
			at += slice;
			if (slice % 5 == 0) {
				CHECK_EQ(flush_and_wait(&w), 0);
				check_file(path, want, at);
			}
		}
		CHECK_EQ(flush_and_wait(&w), 0);
		check_file(path, want, n);
		CHECK_EQ(pvm_direct_out_lines_written(&w.d),
			 pvm_output_count_lines(want + before, n - before));
		CHECK_EQ(flush_and_wait(&w), 0); /* nothing new: nothing written again */
		check_file(path, want, n);
		pvm_direct_out_close(&w.d);
		CHECK(fcntl(fd, F_GETFD) >= 0); /* the -o descriptor is the caller's */
		close(fd);
		unlink(path);
	}
}

/* logrotate's copytruncate, or another process appending: nothing written lost, nothing overwritten. */
UNIT_TEST(direct_out_appends_once_the_file_changed_under_it)
{
	static const char first[] = "{\"first\":1}\n", other[] = "another writer\n",
			  second[] = "{\"second\":2}\n", third[] = "{\"third\":3}\n";
	char path[64], want[128];
	struct writer w;
	int fd = scratch_file(path, sizeof(path), "", 0), theirs;

	if (fd < 0 || !writer_open(&w, fd))
		return;
	produce(&w, first, strlen(first));
	CHECK_EQ(flush_and_wait(&w), 0);
	theirs = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	CHECK_EQ(write(theirs, other, strlen(other)), strlen(other));
	produce(&w, second, strlen(second));
	CHECK_EQ(flush_and_wait(&w), 0);
	snprintf(want, sizeof(want), "%s%s%s", first, other, second);
	check_file(path, want, strlen(want));

	CHECK_EQ(ftruncate(theirs, 0), 0); /* copied away, then cut */
	produce(&w, third, strlen(third));
	CHECK_EQ(flush_and_wait(&w), 0);
	check_file(path, third, strlen(third));
	close(theirs);
	pvm_direct_out_close(&w.d);
	close(fd);
	unlink(path);
}

/*
 * Cut while the thread writes a buffer (copytruncate between its size check
 * and its writes): the writes bring the file back to the size the thread
 * expects, behind a hole. Made here as the race would leave it: cut to 0 and
 * grown back with a hole to the size the thread left. The file must end up
 * with no zeros: the buffer written then, and what follows, appended.
 */
UNIT_TEST(direct_out_mends_a_cut_made_while_it_wrote)
{
	static char lines[CAP + 5000], after[3000];
	size_t n = fill_lines(lines, sizeof(lines), 7), m = fill_lines(after, sizeof(after), 8);
	size_t got_n = 0, first = CAP + 100, size;
	char path[64], want[sizeof(lines) + sizeof(after)], *got;
	struct writer w;
	int fd = scratch_file(path, sizeof(path), "", 0);

	if (fd < 0 || !writer_open(&w, fd))
		return;
	produce(&w, lines, first); /* one buffer handed, 100 bytes carried */
	CHECK_EQ(flush_and_wait(&w), 0);
	size = first;
	CHECK_EQ(ftruncate(fd, 0), 0);
	CHECK_EQ(ftruncate(fd, (off_t)size), 0); /* a hole of `size` zeros */
	produce(&w, lines + first, n - first);
	CHECK_EQ(flush_and_wait(&w), 0);
	produce(&w, after, m);
	CHECK_EQ(flush_and_wait(&w), 0);
	/* the 100 carried bytes, the rest of the lines, then the later ones */
	memcpy(want, lines + CAP, n - CAP);
	memcpy(want + n - CAP, after, m);
	got = slurp(path, &got_n);
	CHECK_EQ(got_n, n - CAP + m);
	CHECK(got && got_n == n - CAP + m && memcmp(got, want, got_n) == 0);
	free(got);
	pvm_direct_out_close(&w.d);
	close(fd);
	unlink(path);
}

/*
 * A file size limit: EFBIG, as a full disk would be ENOSPC. The failed
 * write is reported, the file cut after its last whole line, the lines
 * before counted, nothing written after.
 */
UNIT_TEST(direct_out_keeps_whole_lines_when_a_write_fails)
{
	static char lines[3 * CAP];
	struct rlimit old, limit = {.rlim_cur = CAP, .rlim_max = RLIM_INFINITY};
	void (*old_xfsz)(int) = signal(SIGXFSZ, SIG_IGN);
	char path[64];
	struct writer w;
	int fd = scratch_file(path, sizeof(path), "", 0);
	size_t whole;

	fill_lines(lines, sizeof(lines), 42);
	if (fd < 0 || !writer_open(&w, fd))
		return;
	getrlimit(RLIMIT_FSIZE, &old);
	limit.rlim_max = old.rlim_max;
	CHECK_EQ(setrlimit(RLIMIT_FSIZE, &limit), 0);
	produce(&w, lines, sizeof(lines));
	CHECK_EQ(flush_and_wait(&w), -EFBIG);
	setrlimit(RLIMIT_FSIZE, &old);
	produce(&w, lines, CAP / 2);
	CHECK_EQ(flush_and_wait(&w), -EFBIG); /* a gap would follow: nothing more */
	/* the lines that fit under the limit, whole, and no more */
	whole = (size_t)((char *)memrchr(lines, '\n', CAP) - lines) + 1;
	check_file(path, lines, whole);
	CHECK_EQ(pvm_direct_out_lines_written(&w.d), pvm_output_count_lines(lines, whole));
	pvm_direct_out_close(&w.d);
	signal(SIGXFSZ, old_xfsz);
	close(fd);
	unlink(path);
}

UNIT_TEST(direct_out_leaves_what_is_not_a_regular_file_to_the_caller)
{
	struct pvm_direct_out d;
	int pipe_fds[2];

	CHECK_EQ(pipe(pipe_fds), 0);
	CHECK_EQ(pvm_direct_out_open(&d, pipe_fds[1], CAP), -EINVAL);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
}
