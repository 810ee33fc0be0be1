// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "output/output_file.h"

#include <errno.h>
#include <fcntl.h>
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
