// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "output/plain_out.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output/output_file.h"

void pvm_plain_out_init(struct pvm_plain_out *p, int fd)
{
	struct stat st;

	p->fd = fd;
	p->floor = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? (unsigned long long)st.st_size : 0;
	p->lines_written = 0;
	p->error = 0;
}

/* Bytes of buf written before the failure: the lines among them, cut at the last. */
static void count_whole_lines(struct pvm_plain_out *p, const char *buf, size_t written)
{
	pvm_output_cut_partial_line(p->fd, p->floor);
	p->lines_written += pvm_output_count_lines(buf, written);
}

int pvm_plain_out_write(struct pvm_plain_out *p, const char *buf, size_t n,
			unsigned long long lines)
{
	size_t done = 0;

	if (p->error)
		return -p->error;
	while (done < n) {
		ssize_t k = write(p->fd, buf + done, n - done);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			p->error = k < 0 ? errno : EIO;
			count_whole_lines(p, buf, done);
			return -p->error;
		}
		done += (size_t)k;
	}
	p->lines_written += lines == PVM_LINES_UNKNOWN ? pvm_output_count_lines(buf, n) : lines;
	return 0;
}
