// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "output/direct_out.h"
#include "output/output_file.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * What direct writes to fd must be aligned to: the page (our buffers are
 * pages), or more if the file system says so. Kernels before v6.1 (statx
 * STATX_DIOALIGN, commit 825cf206ed51) do not say: then the page is assumed,
 * and opening with O_DIRECT tells whether there is direct I/O at all.
 */
static int direct_alignment(int fd, size_t *align)
{
	size_t a = (size_t)sysconf(_SC_PAGESIZE);
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) == 0 &&
	    (stx.stx_mask & STATX_DIOALIGN)) {
		if (!stx.stx_dio_offset_align)
			return -EOPNOTSUPP; /* no direct I/O on this file */
		if (stx.stx_dio_offset_align > a)
			a = stx.stx_dio_offset_align;
		if (stx.stx_dio_mem_align > a)
			a = stx.stx_dio_mem_align;
	}
	if (a & (a - 1))
		return -EOPNOTSUPP; /* never seen; the masks below need a power of two */
	*align = a;
	return 0;
}

/* fd again, through /proc: the very file it is open on, whatever its path is now. */
static int reopen(int fd, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, flags | O_CLOEXEC);
}

static int write_at(int fd, const char *p, size_t n, unsigned long long offset)
{
	while (n) {
		ssize_t done = pwrite(fd, p, n, (off_t)offset);

		if (done < 0)
			return -errno;
		p += done;
		n -= (size_t)done;
		offset += (unsigned long long)done;
	}
	return 0;
}

static int append(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t done = write(fd, p, n);

		if (done < 0)
			return -errno;
		p += done;
		n -= (size_t)done;
	}
	return 0;
}

/* Where an append starts: the file's end now. */
static void append_base(struct pvm_direct_out *d)
{
	struct stat st;

	d->base = fstat(d->cached_fd, &st) ? ~0ULL : (unsigned long long)st.st_size;
}

/* Our offsets no longer hold: p, and all that follows, appended through the -o descriptor. */
static int append_from_now(struct pvm_direct_out *d, const char *p, size_t n)
{
	pthread_mutex_lock(&d->lock);
	d->appending = true;
	pthread_mutex_unlock(&d->lock);
	append_base(d);
	return append(d->append_fd, p, n);
}

/* Someone else wrote the file, or cut it short: our offsets no longer hold. */
static bool changed_under_us(struct pvm_direct_out *d)
{
	struct stat st;

	return fstat(d->cached_fd, &st) || (unsigned long long)st.st_size != d->size;
}

/*
 * A cut (logrotate's copytruncate) between our size check and our writes
 * goes unseen by the next check: the writes bring the file back to the size
 * we left, behind a hole of zeros where the cut lines were. Such a hole,
 * not there when we opened the file, ends in this buffer: the file is cut
 * at the hole again and the whole buffer appended there (a line of it may be
 * in the rotated copy too: kept twice rather than lost), and what follows is
 * appended.
 */
static int mend_cut(struct pvm_direct_out *d, const char *buf, size_t len)
{
	off_t hole = lseek(d->cached_fd, 0, SEEK_HOLE), data;

	if (hole < 0 || (unsigned long long)hole >= d->first_hole)
		return 0;
	data = lseek(d->cached_fd, hole, SEEK_DATA);
	if (data < 0 || (unsigned long long)data < d->offset ||
	    (unsigned long long)data >= d->offset + len)
		return 0; /* not a hole up to what we just wrote */
	if (ftruncate(d->cached_fd, hole))
		return -errno;
	d->base_in_buf = 0;
	return append_from_now(d, buf, len);
}

/*
 * buf's len bytes at d->offset: its whole blocks direct, the rest through the
 * page cache. Its first `carried` bytes are in the file already.
 */
static int write_buffer(struct pvm_direct_out *d, const char *buf, size_t len, size_t carried)
{
	size_t whole = len & ~(d->align - 1), done = carried;
	int err;

	d->base_in_buf = carried;
	if (d->appending) {
		append_base(d);
		return append(d->append_fd, buf + carried, len - carried);
	}
	if (changed_under_us(d))
		return append_from_now(d, buf + carried, len - carried);
	d->base = d->offset + carried;
	if (whole) {
		ssize_t n = pwrite(d->direct_fd, buf, whole, (off_t)d->offset);

		if (n < 0 && errno == EINVAL) /* opened direct, yet refused: write as before */
			return append_from_now(d, buf + carried, len - carried);
		if (n < 0)
			return -errno;
		if ((size_t)n > done)
			done = (size_t)n; /* a short write's rest goes through the cache too */
	}
	err = write_at(d->cached_fd, buf + done, len - done, d->offset + done);
	if (!err)
		err = mend_cut(d, buf, len);
	if (err || d->appending)
		return err;
	d->offset += whole;
	d->size = d->offset + (len - whole);
	return 0;
}

/*
 * A write of buf failed: the file is cut after its last whole line, and the
 * lines of buf before the cut are the ones written.
 */
static unsigned long long whole_lines_left(struct pvm_direct_out *d, const char *buf, size_t len)
{
	long long end = pvm_output_cut_partial_line(d->cached_fd, d->floor);
	size_t from = d->base_in_buf, written;

	if (end < 0 || d->base == ~0ULL || (unsigned long long)end <= d->base)
		return 0;
	written = (unsigned long long)end - d->base;
	if (written > len - from)
		written = len - from;
	return pvm_output_count_lines(buf + from, written);
}

static void *writer_loop(void *arg)
{
	struct pvm_direct_out *d = arg;

	/*
	 * Ahead of the reader on a busy CPU: at the scheduler's equal share the
	 * thread sat runnable while the reader filled its buffer and then waited
	 * on it, and a flood at 800k calls/s dropped 2.0-2.6M events of 8M
	 * instead of none. Without CAP_SYS_NICE it runs at the reader's.
	 */
	setpriority(PRIO_PROCESS, (id_t)gettid(), -10);
	pthread_mutex_lock(&d->lock);
	for (;;) {
		const char *buf;
		size_t len, carried;
		unsigned long long lines;
		int err = 0;

		while (!d->pending && !d->stopping)
			pthread_cond_wait(&d->changed, &d->lock);
		if (!d->pending)
			break; /* stopping, and nothing left */
		buf = d->pending;
		len = d->pending_len;
		carried = d->pending_carried;
		lines = d->pending_lines;
		d->pending = NULL;
		d->writing = true;
		pthread_mutex_unlock(&d->lock);
		if (!d->error) /* after a failure, lines would leave a gap: none is written */
			err = write_buffer(d, buf, len, carried);
		if (err)
			lines = whole_lines_left(d, buf, len);
		pthread_mutex_lock(&d->lock);
		if (!d->error)
			d->lines_written += lines;
		if (err && !d->error)
			d->error = -err;
		d->writing = false;
		pthread_cond_broadcast(&d->changed);
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

static void release(struct pvm_direct_out *d)
{
	if (d->buffers[0])
		munmap(d->buffers[0], 2 * d->cap);
	if (d->direct_fd >= 0)
		close(d->direct_fd);
	if (d->cached_fd >= 0)
		close(d->cached_fd);
}

/* The file's last partial block, to be written again with what follows it. */
static int load_last_block(struct pvm_direct_out *d, const struct stat *st)
{
	off_t hole = lseek(d->cached_fd, 0, SEEK_HOLE); /* the end of the file, unless it is sparse */
	ssize_t n;

	d->size = d->floor = (unsigned long long)st->st_size;
	d->first_hole = hole >= 0 && hole < st->st_size ? (unsigned long long)hole : ~0ULL;
	d->offset = d->size & ~((unsigned long long)d->align - 1);
	d->carried = (size_t)(d->size - d->offset);
	n = pread(d->cached_fd, d->buffers[0], d->carried, (off_t)d->offset);
	if (n < 0)
		return -errno;
	return (size_t)n == d->carried ? 0 : -EIO;
}

static int start_thread(struct pvm_direct_out *d)
{
	sigset_t all, old;
	int err;

	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->changed, NULL);
	/* signals stay with the thread that polls: the writer's are all blocked */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&d->thread, NULL, writer_loop, d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		pthread_cond_destroy(&d->changed);
		pthread_mutex_destroy(&d->lock);
	}
	return -err;
}

int pvm_direct_out_open(struct pvm_direct_out *d, int fd, size_t cap)
{
	struct stat st;
	void *mem;
	int err;

	memset(d, 0, sizeof(*d));
	d->direct_fd = d->cached_fd = -1;
	d->append_fd = fd;
	d->cap = cap;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		return -EINVAL;
	err = direct_alignment(fd, &d->align);
	if (err)
		return err;
	if (cap < d->align || cap % d->align)
		return -EINVAL;
	d->direct_fd = reopen(fd, O_WRONLY | O_DIRECT);
	d->cached_fd = reopen(fd, O_RDWR); /* read: the last partial block */
	mem = mmap(NULL, 2 * cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (d->direct_fd < 0 || d->cached_fd < 0 || mem == MAP_FAILED) {
		err = -errno;
		if (mem != MAP_FAILED)
			munmap(mem, 2 * cap);
		release(d);
		return err;
	}
	d->buffers[0] = mem;
	d->buffers[1] = (char *)mem + cap;
	err = load_last_block(d, &st);
	if (!err)
		err = start_thread(d);
	if (err)
		release(d);
	return err;
}

char *pvm_direct_out_first(struct pvm_direct_out *d, size_t *len)
{
	*len = d->carried;
	return d->buffers[0];
}

char *pvm_direct_out_hand(struct pvm_direct_out *d, char *buf, size_t *len,
			  unsigned long long lines)
{
	char *next = buf == d->buffers[0] ? d->buffers[1] : d->buffers[0];
	size_t tail;

	if (*len == d->carried)
		return buf;
	pthread_mutex_lock(&d->lock);
	while (d->pending || d->writing) /* the thread is done with `next` */
		pthread_cond_wait(&d->changed, &d->lock);
	d->pending = buf;
	d->pending_len = *len;
	d->pending_carried = d->carried;
	d->pending_lines = lines;
	tail = d->appending ? 0 : *len & (d->align - 1);
	pthread_cond_broadcast(&d->changed);
	pthread_mutex_unlock(&d->lock);
	memcpy(next, buf + *len - tail, tail); /* the thread only reads buf */
	d->carried = *len = tail;
	return next;
}

bool pvm_direct_out_busy(struct pvm_direct_out *d)
{
	bool busy;

	pthread_mutex_lock(&d->lock);
	busy = d->pending || d->writing;
	pthread_mutex_unlock(&d->lock);
	return busy;
}

int pvm_direct_out_wait(struct pvm_direct_out *d)
{
	int error;

	pthread_mutex_lock(&d->lock);
	while (d->pending || d->writing)
		pthread_cond_wait(&d->changed, &d->lock);
	error = d->error;
	pthread_mutex_unlock(&d->lock);
	return -error;
}

unsigned long long pvm_direct_out_lines_written(struct pvm_direct_out *d)
{
	unsigned long long lines;

	pvm_direct_out_wait(d);
	pthread_mutex_lock(&d->lock);
	lines = d->lines_written;
	pthread_mutex_unlock(&d->lock);
	return lines;
}

void pvm_direct_out_close(struct pvm_direct_out *d)
{
	pthread_mutex_lock(&d->lock);
	d->stopping = true;
	pthread_cond_broadcast(&d->changed);
	pthread_mutex_unlock(&d->lock);
	pthread_join(d->thread, NULL);
	pthread_cond_destroy(&d->changed);
	pthread_mutex_destroy(&d->lock);
	release(d);
}
