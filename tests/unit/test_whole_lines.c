// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * -o FILE holds whole lines only: a cut line left by an earlier run is ended
 * before ours, a failed write leaves the file cut after its last whole line
 * and says how many lines reached it; rotation shifts the names; a file
 * removed or renamed under pvmtrace is noticed.
 */
#include "output/output_file.h"
#include "output/plain_out.h"
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

struct scratch {
	char dir[64], file[96];
};

static bool scratch_make(struct scratch *s)
{
	snprintf(s->dir, sizeof(s->dir), "/tmp/pvmtrace-unit-lines-XXXXXX");
	if (!mkdtemp(s->dir)) {
		unit_fail(__FILE__, __LINE__, "mkdtemp: %s", strerror(errno));
		return false;
	}
	snprintf(s->file, sizeof(s->file), "%s/events.json", s->dir);
	return true;
}

static void scratch_remove(struct scratch *s)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", s->dir);
	CHECK_EQ(system(cmd), 0);
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f && fputs(text, f) >= 0);
	if (f)
		fclose(f);
}

/* The whole file, NUL-terminated, at most len - 1 bytes. */
static const char *slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, len - 1, f) : 0;

	buf[n] = 0;
	if (f)
		fclose(f);
	return f ? buf : NULL;
}

static void opened_and_written(const char *path, const char *line, const char *want)
{
	FILE *out = pvm_output_open(path, stderr);
	char got[256];

	CHECK(out != NULL);
	if (!out)
		return;
	CHECK(fputs(line, out) >= 0);
	fclose(out);
	CHECK_STR(slurp(path, got, sizeof(got)), want);
}

UNIT_TEST(output_open_ends_a_cut_line_before_ours)
{
	struct scratch s;

	if (!scratch_make(&s))
		return;
	opened_and_written(s.file, "{\"a\":1}\n", "{\"a\":1}\n"); /* created */
	opened_and_written(s.file, "{\"b\":2}\n", "{\"a\":1}\n{\"b\":2}\n");
	put(s.file, "{\"a\":1}\n{\"cut");
	opened_and_written(s.file, "{\"b\":2}\n", "{\"a\":1}\n{\"cut\n{\"b\":2}\n");
	put(s.file, "");
	opened_and_written(s.file, "{\"b\":2}\n", "{\"b\":2}\n");
	scratch_remove(&s);
}

UNIT_TEST(output_count_lines_counts_newlines)
{
	CHECK_EQ(pvm_output_count_lines("", 0), 0);
	CHECK_EQ(pvm_output_count_lines("a\nb\n\nc", 6), 3);
	CHECK_EQ(pvm_output_count_lines("a\nb\n", 2), 1);
}

UNIT_TEST(output_cut_partial_line_keeps_whole_lines_above_the_floor)
{
	struct scratch s;
	char got[64];
	int fd;

	if (!scratch_make(&s))
		return;
	put(s.file, "old\nnew1\nnew2\nne");
	fd = open(s.file, O_RDWR | O_CLOEXEC);
	CHECK_EQ(pvm_output_cut_partial_line(fd, 4), 14);
	CHECK_STR(slurp(s.file, got, sizeof(got)), "old\nnew1\nnew2\n");
	CHECK_EQ(pvm_output_cut_partial_line(fd, 4), 14); /* whole already */
	put(s.file, "old\nnewer");
	CHECK_EQ(pvm_output_cut_partial_line(fd, 4), 4); /* not into what was there */
	CHECK_STR(slurp(s.file, got, sizeof(got)), "old\n");
	close(fd);
	scratch_remove(&s);
}

/*
 * A file size limit fails a write part way (EFBIG), as a full disk would
 * (ENOSPC): the lines before it stay, whole and counted, nothing after.
 */
UNIT_TEST(plain_out_keeps_whole_lines_when_a_write_fails)
{
	static const char line[] = "{\"call\":\"process_vm_writev\",\"n\":12345}\n";
	struct rlimit old, limit = {.rlim_cur = 1000};
	void (*old_xfsz)(int) = signal(SIGXFSZ, SIG_IGN);
	struct pvm_plain_out p;
	struct scratch s;
	char got[2048];
	size_t want_lines, len;
	int fd, err = 0, writes = 0;

	if (!scratch_make(&s))
		return;
	put(s.file, "before\n");
	/* write-only, as a shell's `> FILE` is */
	fd = open(s.file, O_WRONLY | O_APPEND | O_CLOEXEC);
	pvm_plain_out_init(&p, fd);
	getrlimit(RLIMIT_FSIZE, &old);
	limit.rlim_max = old.rlim_max;
	CHECK_EQ(setrlimit(RLIMIT_FSIZE, &limit), 0);
	while (!err && writes++ < 100)
		err = pvm_plain_out_write(&p, line, sizeof(line) - 1, 1);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, old_xfsz);
	CHECK_EQ(err, -EFBIG);
	/* "before\n" and the lines that fit whole in the rest of the 1000 bytes */
	want_lines = (1000 - 7) / (sizeof(line) - 1);
	CHECK_EQ(p.lines_written, want_lines);
	len = strlen(slurp(s.file, got, sizeof(got)));
	CHECK_EQ(len, 7 + want_lines * (sizeof(line) - 1));
	CHECK(len && got[len - 1] == '\n');
	/* a later write, even one that would fit, is refused: a gap would follow */
	CHECK_EQ(pvm_plain_out_write(&p, "x\n", 2, PVM_LINES_UNKNOWN), -EFBIG);
	CHECK_EQ(strlen(slurp(s.file, got, sizeof(got))), len);
	CHECK_EQ(p.lines_written, want_lines);
	close(fd);
	scratch_remove(&s);
}

UNIT_TEST(plain_out_counts_lines_it_is_not_told)
{
	struct pvm_plain_out p;
	struct scratch s;
	int fd;

	if (!scratch_make(&s))
		return;
	fd = open(s.file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	pvm_plain_out_init(&p, fd);
	CHECK_EQ(pvm_plain_out_write(&p, "a\nb\nc", 5, PVM_LINES_UNKNOWN), 0);
	CHECK_EQ(pvm_plain_out_write(&p, "\n", 1, 1), 0);
	CHECK_EQ(p.lines_written, 3);
	close(fd);
	scratch_remove(&s);
}

static bool exists(const char *dir, const char *name, const char *want)
{
	char path[128], got[64];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!want)
		return access(path, F_OK) != 0;
	return slurp(path, got, sizeof(got)) && !strcmp(got, want);
}

UNIT_TEST(output_shift_moves_each_file_one_older)
{
	struct scratch s;

	if (!scratch_make(&s))
		return;
	put(s.file, "3\n");
	CHECK_EQ(pvm_output_shift(s.file, 2, stderr), 0);
	put(s.file, "2\n");
	CHECK_EQ(pvm_output_shift(s.file, 2, stderr), 0);
	put(s.file, "1\n");
	CHECK_EQ(pvm_output_shift(s.file, 2, stderr), 0); /* "3" goes: only 2 kept */
	CHECK(exists(s.dir, "events.json", NULL));
	CHECK(exists(s.dir, "events.json.1", "1\n"));
	CHECK(exists(s.dir, "events.json.2", "2\n"));
	CHECK(exists(s.dir, "events.json.3", NULL));
	put(s.file, "0\n");
	CHECK_EQ(pvm_output_shift(s.file, 0, stderr), 0); /* none kept: removed */
	CHECK(exists(s.dir, "events.json", NULL));
	CHECK(exists(s.dir, "events.json.1", "1\n"));
	scratch_remove(&s);
}

UNIT_TEST(output_moved_says_what_became_of_the_file)
{
	struct scratch s;
	char renamed[128];
	int fd;

	if (!scratch_make(&s))
		return;
	put(s.file, "");
	fd = open(s.file, O_WRONLY | O_APPEND | O_CLOEXEC);
	CHECK(pvm_output_moved(s.file, fd) == NULL);
	snprintf(renamed, sizeof(renamed), "%s.1", s.file);
	CHECK_EQ(rename(s.file, renamed), 0);
	CHECK(strstr(pvm_output_moved(s.file, fd) ?: "", "was renamed") != NULL);
	put(s.file, "");
	CHECK(strstr(pvm_output_moved(s.file, fd) ?: "", "another file") != NULL);
	close(fd);
	fd = open(s.file, O_WRONLY | O_APPEND | O_CLOEXEC);
	CHECK(pvm_output_moved(s.file, fd) == NULL);
	CHECK_EQ(unlink(s.file), 0);
	CHECK(strstr(pvm_output_moved(s.file, fd) ?: "", "was removed") != NULL);
	close(fd);
	scratch_remove(&s);
}
