// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "output/output_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A file that does not end in a newline gets one. 0 or -errno. */
static int end_last_line(int fd, const struct stat *st)
{
	char last;

	if (!st->st_size)
		return 0;
	if (pread(fd, &last, 1, st->st_size - 1) != 1)
		return errno ? -errno : -EIO;
	if (last == '\n')
		return 0;
	return write(fd, "\n", 1) == 1 ? 0 : -errno;
}

FILE *pvm_output_open(const char *path, FILE *err)
{
	/* O_NONBLOCK: a FIFO must not hold us up before it can be refused; read: its last byte */
	int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK,
		      0600);
	struct stat st;
	FILE *f;
	int ret;

	if (fd < 0) {
		fprintf(err, "pvmtrace: -o %s: %s\n", path,
			errno == ELOOP ? "is a symbolic link, refused" : strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || st.st_nlink != 1) {
		fprintf(err, "pvmtrace: -o %s: not a regular file of ours with one link, refused\n",
			path);
		close(fd);
		return NULL;
	}
	ret = end_last_line(fd, &st);
	if (ret) {
		fprintf(err, "pvmtrace: -o %s: ends in a cut line, and a newline after it failed: %s\n",
			path, strerror(-ret));
		close(fd);
		return NULL;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	f = fdopen(fd, "a");
	if (!f) {
		fprintf(err, "pvmtrace: -o %s: %s\n", path, strerror(errno));
		close(fd);
	}
	return f;
}

unsigned long long pvm_output_count_lines(const char *p, size_t n)
{
	unsigned long long lines = 0;
	const char *end = p + n;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p)))) {
		lines++;
		p++;
	}
	return lines;
}

#define CUT_CHUNK 4096

/* Offset just past the last newline in [floor, size), or floor: -errno on a failed read. */
static long long after_last_newline(int fd, unsigned long long floor, unsigned long long size)
{
	char chunk[CUT_CHUNK];

	while (size > floor) {
		size_t n = size - floor < CUT_CHUNK ? (size_t)(size - floor) : CUT_CHUNK;
		const char *nl;

		if (pread(fd, chunk, n, (off_t)(size - n)) != (ssize_t)n)
			return errno ? -errno : -EIO;
		nl = memrchr(chunk, '\n', n);
		if (nl)
			return (long long)(size - n + (size_t)(nl - chunk) + 1);
		size -= n;
	}
	return (long long)floor;
}

/*
 * fd, or the same file opened again to read it: standard output redirected
 * by a shell (`pvmtrace --json > FILE`) is open for writing only.
 */
static int readable(int fd)
{
	char proc_path[32];
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0 || (flags & O_ACCMODE) != O_WRONLY)
		return fd;
	snprintf(proc_path, sizeof(proc_path), "/proc/self/fd/%d", fd);
	return open(proc_path, O_RDONLY | O_CLOEXEC);
}

long long pvm_output_cut_partial_line(int fd, unsigned long long floor)
{
	struct stat st;
	long long end;
	int rfd;

	if (fstat(fd, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return 0;
	rfd = readable(fd);
	if (rfd < 0)
		return -errno;
	end = after_last_newline(rfd, floor, (unsigned long long)st.st_size);
	if (rfd != fd)
		close(rfd);
	if (end >= 0 && end < st.st_size && ftruncate(fd, end))
		return -errno;
	return end;
}

int pvm_output_shift(const char *path, unsigned int keep, FILE *err)
{
	char from[PATH_MAX], to[PATH_MAX];

	if (!keep && unlink(path) && errno != ENOENT)
		goto failed;
	for (unsigned int k = keep; k >= 1; k--) {
		if (k == 1)
			snprintf(from, sizeof(from), "%s", path);
		else
			snprintf(from, sizeof(from), "%s.%u", path, k - 1);
		snprintf(to, sizeof(to), "%s.%u", path, k);
		if (rename(from, to) && errno != ENOENT)
			goto failed;
	}
	return 0;
failed:
	fprintf(err, "pvmtrace: -o %s: rotating: %s\n", path, strerror(errno));
	return -1;
}

const char *pvm_output_moved(const char *path, int fd)
{
	struct stat now, ours;

	if (fstat(fd, &ours))
		return NULL;
	if (!ours.st_nlink)
		return "was removed: the events written since are lost with it";
	if (stat(path, &now))
		return "was renamed: the events written since follow it under its new name";
	if (now.st_dev != ours.st_dev || now.st_ino != ours.st_ino)
		return "is another file now: the events written since go to the one it replaced";
	return NULL;
}

/* Where the page holding byte `offset` starts: fadvise drops whole pages only. */
static unsigned long long page_start(unsigned long long offset)
{
	return offset & ~((unsigned long long)sysconf(_SC_PAGESIZE) - 1);
}

void pvm_output_trim_init(struct pvm_output_trim *t, int fd, unsigned long long window)
{
	struct stat st;

	t->fd = -1;
	t->window = window;
	t->synced = t->dropped = 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		return;
	t->fd = fd;
	t->synced = t->dropped = page_start((unsigned long long)st.st_size);
}

/*
 * Errors are left alone: a file system without these calls keeps its pages
 * as it always did.
 */
void pvm_output_trim(struct pvm_output_trim *t, unsigned long long end)
{
	if (t->fd < 0)
		return;
	if (end < t->synced) /* cut short under us (logrotate's copytruncate): start again */
		t->synced = t->dropped = page_start(end);
	while (end >= t->synced + t->window) {
		sync_file_range(t->fd, (off_t)t->synced, (off_t)t->window, SYNC_FILE_RANGE_WRITE);
		t->synced += t->window;
	}
	while (t->synced >= t->dropped + 2 * t->window) {
		posix_fadvise(t->fd, (off_t)t->dropped, (off_t)t->window, POSIX_FADV_DONTNEED);
		t->dropped += t->window;
	}
}

static void *trimmer_loop(void *arg)
{
	struct pvm_output_trimmer *t = arg;

	pthread_mutex_lock(&t->lock);
	for (;;) {
		unsigned long long end;

		while (t->end == t->trimmed && !t->stopping)
			pthread_cond_wait(&t->more, &t->lock);
		if (t->end == t->trimmed)
			break; /* stopping, and nothing left */
		end = t->end;
		pthread_mutex_unlock(&t->lock);
		pvm_output_trim(&t->trim, end);
		pthread_mutex_lock(&t->lock);
		t->trimmed = end;
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

void pvm_output_trimmer_start(struct pvm_output_trimmer *t, int fd, unsigned long long window)
{
	sigset_t all, old;

	t->running = false;
	t->stopping = false;
	pvm_output_trim_init(&t->trim, fd, window);
	if (t->trim.fd < 0)
		return;
	t->end = t->trimmed = t->trim.synced;
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->more, NULL);
	/* signals stay with the thread that polls: the trimmer's are all blocked */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	t->running = pthread_create(&t->thread, NULL, trimmer_loop, t) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!t->running) { /* no thread: the page cache is left as it is */
		pthread_cond_destroy(&t->more);
		pthread_mutex_destroy(&t->lock);
	}
}

void pvm_output_trimmer_reach(struct pvm_output_trimmer *t, unsigned long long end)
{
	if (!t->running)
		return;
	pthread_mutex_lock(&t->lock);
	t->end = end;
	pthread_cond_signal(&t->more);
	pthread_mutex_unlock(&t->lock);
}

void pvm_output_trimmer_stop(struct pvm_output_trimmer *t)
{
	if (!t->running)
		return;
	pthread_mutex_lock(&t->lock);
	t->stopping = true;
	pthread_cond_signal(&t->more);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
	pthread_cond_destroy(&t->more);
	pthread_mutex_destroy(&t->lock);
	t->running = false;
}
