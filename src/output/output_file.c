// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "output/output_file.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

FILE *pvm_output_open(const char *path, FILE *err)
{
	/* O_NONBLOCK: a FIFO must not hold us up before it can be refused */
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK,
		      0600);
	struct stat st;
	FILE *f;

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
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	f = fdopen(fd, "a");
	if (!f) {
		fprintf(err, "pvmtrace: -o %s: %s\n", path, strerror(errno));
		close(fd);
	}
	return f;
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
