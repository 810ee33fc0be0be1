// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "output/capture_store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FINAL_SUFFIX ".bin"
#define TMP_PREFIX ".tmp-"
#define TMP_ATTEMPTS 16 /* names left by a crashed run with our pid */
/* ".tmp-<hex>-<pid>-<seq>" */
#define NAME_LEN (sizeof(TMP_PREFIX) + PVM_SHA256_HEX_LEN + 2 * 12)

static int refuse(char *err, size_t errlen, const char *dir, const char *why)
{
	snprintf(err, errlen, "%s: %s", dir, why);
	return -1;
}

static bool is_symlink(const char *path)
{
	struct stat st;

	return !lstat(path, &st) && S_ISLNK(st.st_mode);
}

/*
 * "dir/" would follow a symlink "dir" despite O_NOFOLLOW: the trailing slash
 * asks for the directory it points to.
 */
static bool strip_trailing_slashes(const char *dir, char path[PATH_MAX])
{
	size_t len = strlen(dir);

	if (len >= PATH_MAX)
		return false;
	while (len > 1 && dir[len - 1] == '/')
		len--;
	memcpy(path, dir, len);
	path[len] = '\0';
	return true;
}

int pvm_capture_store_open(const char *dir, struct pvm_capture_store *s, char *err,
			   size_t errlen)
{
	char path[PATH_MAX];
	int fd;

	memset(s, 0, sizeof(*s));
	s->dirfd = -1;
	s->warn = stderr;
	if (!dir[0])
		return refuse(err, errlen, dir, "empty directory name");
	if (!strip_trailing_slashes(dir, path))
		return refuse(err, errlen, dir, strerror(ENAMETOOLONG));
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		/* O_DIRECTORY|O_NOFOLLOW on a symlink: ENOTDIR (ELOOP without O_DIRECTORY) */
		if ((e == ENOTDIR || e == ELOOP) && is_symlink(path))
			return refuse(err, errlen, dir, "is a symbolic link");
		return refuse(err, errlen, dir, strerror(e));
	}
	s->dirfd = fd;
	return 0;
}

void pvm_capture_store_close(struct pvm_capture_store *s)
{
	if (s->dirfd >= 0)
		close(s->dirfd);
	s->dirfd = -1;
}

static bool is_digest(const char *hex)
{
	for (int i = 0; i < PVM_SHA256_HEX_LEN; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
			return false;
	return hex[PVM_SHA256_HEX_LEN] == '\0';
}

/*
 * 1: a regular file of `len` bytes holds the name; 0: nothing does; -1:
 * something else does (EEXIST), or it cannot be looked at.
 */
static int stored_before(int dirfd, const char *name, size_t len)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISREG(st.st_mode) || (__u64)st.st_size != len) {
		errno = EEXIST;
		return -1;
	}
	return 1;
}

static int create_temp(struct pvm_capture_store *s, const char *hex, char name[NAME_LEN])
{
	int fd = -1;

	for (int i = 0; i < TMP_ATTEMPTS; i++) {
		snprintf(name, NAME_LEN, TMP_PREFIX "%s-%d-%u", hex, (int)getpid(),
			 s->tmp_seq++);
		fd = openat(s->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    0600);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	return fd;
}

static int write_all(int fd, const unsigned char *bytes, size_t len)
{
	while (len) {
		ssize_t n = write(fd, bytes, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!n)
				errno = EIO;
			return -1;
		}
		bytes += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The temporary file under its final name, never replacing what is there. */
static int publish(int dirfd, const char *tmp, const char *final)
{
	if (!renameat2(dirfd, tmp, dirfd, final, RENAME_NOREPLACE))
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* no RENAME_NOREPLACE on this file system: a link never replaces either */
	if (linkat(dirfd, tmp, dirfd, final, 0) < 0)
		return -1;
	unlinkat(dirfd, tmp, 0);
	return 0;
}

/* Writes the bytes to a new temporary file and publishes it. */
static int store_new(struct pvm_capture_store *s, const unsigned char *bytes, size_t len,
		     const char *hex, const char *final)
{
	char tmp[NAME_LEN];
	int fd = create_temp(s, hex, tmp), e;

	if (fd < 0)
		return -1;
	if (write_all(fd, bytes, len) < 0) {
		e = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) < 0 || publish(s->dirfd, tmp, final) < 0) {
		e = errno;
		goto fail;
	}
	return 0;
fail:
	unlinkat(s->dirfd, tmp, 0);
	errno = e;
	return -1;
}

/* 0: stored; 1: a duplicate; -1: failed, errno says why */
static int put_once(struct pvm_capture_store *s, const unsigned char *bytes, size_t len,
		    const char *hex, const char *final)
{
	int before = stored_before(s->dirfd, final, len);

	if (before)
		return before;
	if (!store_new(s, bytes, len, hex, final))
		return 0;
	if (errno != EEXIST)
		return -1;
	/* another writer published it between the check and the rename */
	before = stored_before(s->dirfd, final, len);
	if (!before)
		errno = EEXIST;
	return before ? before : -1;
}

static int count(struct pvm_capture_store *s, int ret)
{
	if (ret < 0)
		s->failures++;
	else if (ret)
		s->duplicates++;
	else
		s->stored++;
	return ret < 0 ? -1 : 0;
}

int pvm_capture_store_put(struct pvm_capture_store *s, const unsigned char *bytes, size_t len,
			  const char sha256_hex[PVM_SHA256_HEX_LEN + 1], bool *already)
{
	char final[PVM_SHA256_HEX_LEN + sizeof(FINAL_SUFFIX)];
	int ret;

	*already = false;
	if (!is_digest(sha256_hex)) {
		errno = EINVAL;
		return count(s, -1);
	}
	snprintf(final, sizeof(final), "%s" FINAL_SUFFIX, sha256_hex);
	ret = put_once(s, bytes, len, sha256_hex, final);
	*already = ret > 0;
	return count(s, ret);
}
