// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "output/sink.h"

#include <errno.h>
#include <stdio_ext.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OUTPUT_BUFFER_SIZE (256 * 1024)
#define TRIM_EVERY 1024 /* lines between two looks at the output's end (a syscall) */

/*
 * JSON lines gather here, in the JSON writer's buffer, and go out a write(2)
 * per buffer: copied through stdio's buffer too, a line costs more. The
 * table's rows go through stdio, with this as its buffer: given, since glibc
 * ignores setvbuf's size when the buffer is NULL and then writes st_blksize
 * (4 KiB) at a time, a write(2) per few events.
 */
static char output_buffer[OUTPUT_BUFFER_SIZE];

/* The lines in the buffer being handed: those ended since the last hand. */
static unsigned long long lines_handed_now(struct pvm_sink *s)
{
	unsigned long long lines = s->jw.lines - s->lines_handed;

	s->lines_handed = s->jw.lines;
	return lines;
}

static char *hand_direct(void *ctx, char *buf, size_t *len)
{
	struct pvm_sink *s = ctx;
	size_t carried = s->direct_out.carried;

	s->bytes += *len - carried;
	return pvm_direct_out_hand(&s->direct_out, buf, len, lines_handed_now(s));
}

static char *hand_plain(void *ctx, char *buf, size_t *len)
{
	struct pvm_sink *s = ctx;

	s->bytes += *len;
	pvm_plain_out_write(&s->plain, buf, *len, lines_handed_now(s));
	*len = 0;
	return buf;
}

/* The table's stdio writes through the same plain writer, its lines counted there. */
static ssize_t write_rows(void *ctx, const char *buf, size_t n)
{
	struct pvm_sink *s = ctx;

	s->bytes += n;
	return pvm_plain_out_write(&s->plain, buf, n, PVM_LINES_UNKNOWN) ? -1 : (ssize_t)n;
}

static int open_table(struct pvm_sink *s)
{
	s->out = fopencookie(s, "w", (cookie_io_functions_t){.write = write_rows});
	if (!s->out)
		return -1;
	setvbuf(s->out, output_buffer, _IOFBF, sizeof(output_buffer));
	return 0;
}

/*
 * JSON to -o FILE: direct (direct_out.h) where the file system can; else,
 * and to standard output, written plain, with the file's pages trimmed
 * behind it.
 */
static int open_writer(struct pvm_sink *s, bool json)
{
	size_t len;
	char *buf;

	if (json && s->file &&
	    pvm_direct_out_open(&s->direct_out, s->fd, PVM_DIRECT_BUFFER_SIZE) == 0) {
		s->direct = true;
		buf = pvm_direct_out_first(&s->direct_out, &len);
		jw_init_handing(&s->jw, buf, len, PVM_DIRECT_BUFFER_SIZE, hand_direct, s);
		return 0;
	}
	pvm_plain_out_init(&s->plain, s->fd);
	if (json)
		jw_init_handing(&s->jw, output_buffer, 0, sizeof(output_buffer), hand_plain, s);
	else if (open_table(s))
		return -1;
	pvm_output_trimmer_start(&s->trim, s->fd, PVM_OUTPUT_TRIM_WINDOW);
	return 0;
}

int pvm_sink_open(struct pvm_sink *s, const char *path, bool json)
{
	struct stat st;

	memset(s, 0, sizeof(*s));
	s->json = json;
	s->file = path ? pvm_output_open(path, stderr) : NULL;
	if (path && !s->file)
		return -1;
	s->fd = s->file ? fileno(s->file) : STDOUT_FILENO;
	s->size_at_open = s->file && !fstat(s->fd, &st) ? (unsigned long long)st.st_size : 0;
	if (open_writer(s, json) == 0) {
		s->open = true;
		return 0;
	}
	fprintf(stderr, "pvmtrace: output: %s\n", strerror(errno));
	if (s->file)
		fclose(s->file);
	s->file = NULL;
	return -1;
}

/* What reached the file. */
static void trim_output(struct pvm_sink *s)
{
	off_t end;

	s->since_trim = 0;
	if (!s->trim.running || (end = lseek(s->fd, 0, SEEK_CUR)) < 0)
		return;
	pvm_output_trimmer_reach(&s->trim, (unsigned long long)end);
}

void pvm_sink_line(struct pvm_sink *s)
{
	s->wrote = true;
	if (!s->json)
		s->rows++; /* JSON lines are counted as they end */
	if (++s->since_trim == TRIM_EVERY)
		trim_output(s);
}

unsigned long long pvm_sink_size(const struct pvm_sink *s)
{
	return s->size_at_open + s->bytes + (s->json ? s->jw.len : __fpending(s->out)) -
	       (s->direct ? s->direct_out.carried : 0);
}

unsigned long long pvm_sink_lines_lost(struct pvm_sink *s)
{
	unsigned long long made = s->json ? s->jw.lines : s->rows;
	unsigned long long written =
		s->direct ? pvm_direct_out_lines_written(&s->direct_out) : s->plain.lines_written;

	return made > written ? made - written : 0;
}

/* A failed write is seen at the next flush that finds the thread done. */
static int flush_direct(struct pvm_sink *s, bool wait)
{
	int err;

	if (!wait && pvm_direct_out_busy(&s->direct_out))
		return 0;
	err = pvm_direct_out_wait(&s->direct_out); /* not busy: at once */
	if (err)
		return err;
	s->wrote = false;
	jw_flush(&s->jw);
	return wait ? pvm_direct_out_wait(&s->direct_out) : 0;
}

static int flush_plain(struct pvm_sink *s)
{
	s->wrote = false;
	if (s->json)
		jw_flush(&s->jw);
	else
		fflush(s->out);
	return -s->plain.error;
}

bool pvm_sink_flush(struct pvm_sink *s, bool wait)
{
	int err = s->direct ? flush_direct(s, wait) : flush_plain(s);

	if (!err)
		return true;
	fprintf(stderr, "pvmtrace: writing events failed: %s; %llu lines not written\n",
		strerror(-err), pvm_sink_lines_lost(s));
	return false;
}

const char *pvm_sink_moved(const struct pvm_sink *s, const char *path)
{
	return s->file ? pvm_output_moved(path, s->fd) : NULL;
}

void pvm_sink_close(struct pvm_sink *s)
{
	if (!s->open)
		return; /* never opened, or closed already */
	/* lines still in the writer's buffer when tracing ended on an error */
	if (s->json)
		jw_flush(&s->jw);
	if (s->out)
		fclose(s->out); /* the table's stream: flushed, then gone */
	if (s->direct)
		pvm_direct_out_close(&s->direct_out);
	pvm_output_trimmer_stop(&s->trim);
	if (s->file)
		fclose(s->file);
	memset(s, 0, sizeof(*s));
}
