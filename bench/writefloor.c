// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * writefloor BYTES FILE: writes BYTES (rounded up to whole blocks) into FILE,
 * created or truncated, the way pvmtrace writes its output: blocks of its
 * output buffer's size, the file's page cache trimmed behind them by
 * pvm_output_trimmer (src/output/output_file.c, linked in). Nothing is formatted: the least a
 * reader writing that much JSON to a file costs here. run.sh times it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/output_file.h"

#define BLOCK (256 * 1024) /* OUTPUT_BUFFER_SIZE in src/reader/reader.c */

int main(int argc, char **argv)
{
	static char block[BLOCK];
	unsigned long long want, done = 0;
	struct pvm_output_trimmer trim;
	char *end;
	int fd;

	if (argc != 3 || !(want = strtoull(argv[1], &end, 10)) || *end) {
		fprintf(stderr, "usage: writefloor BYTES FILE\n");
		return 2;
	}
	fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0) {
		perror(argv[2]);
		return 1;
	}
	memset(block, '{', sizeof(block));
	pvm_output_trimmer_start(&trim, fd, PVM_OUTPUT_TRIM_WINDOW);
	while (done < want) {
		if (write(fd, block, sizeof(block)) != (ssize_t)sizeof(block)) {
			perror("write");
			return 1;
		}
		done += sizeof(block);
		pvm_output_trimmer_reach(&trim, done);
	}
	pvm_output_trimmer_stop(&trim);
	return close(fd) ? 1 : 0;
}
