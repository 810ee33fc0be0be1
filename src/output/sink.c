// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "output/sink.h"

#include <errno.h>
#include <stdio_ext.h>
#include <string.h>

#define OUTPUT_BUFFER_SIZE (256 * 1024)
#define TRIM_EVERY 1024 /* lines between two looks at the output's end (a syscall) */

/*
 * JSON lines gather here, in the JSON writer's buffer, and go out a write(2)
 * per buffer through an unbuffered FILE: copied through stdio's buffer too,
 * a line costs more. The table's rows go through stdio, with this as its
 * buffer: static, stdout may still be flushed from it at exit; and given,
 * since glibc ignores setvbuf's size when the buffer is NULL and then writes
 * st_blksize (4 KiB) at a time, a write(2) per few events.
 */
static char output_buffer[OUTPUT_BUFFER_SIZE];

static char *hand_direct(void *ctx, char *buf, size_t *len)
{
	return pvm_direct_out_hand(ctx, buf, len);
}

/*
 * JSON to -o FILE: direct (direct_out.h) where the file system can; else,
 * and to standard output, through s->out, with its pages trimmed behind it.
 */
static void open_writer(struct pvm_sink *s, bool to_file, bool json)
{
	size_t len;
	char *buf;

	if (json && to_file &&
	    pvm_direct_out_open(&s->direct_out, fileno(s->out), PVM_DIRECT_BUFFER_SIZE) == 0) {
		s->direct = true;
		buf = pvm_direct_out_first(&s->direct_out, &len);
		jw_init_handing(&s->jw, buf, len, PVM_DIRECT_BUFFER_SIZE, hand_direct, &s->direct_out);
		return;
	}
	if (json) {
		setvbuf(s->out, NULL, _IONBF, 0);
		jw_init_buffer(&s->jw, s->out, output_buffer, sizeof(output_buffer));
	} else {
		setvbuf(s->out, output_buffer, _IOFBF, sizeof(output_buffer));
		jw_init(&s->jw, s->out);
	}
	pvm_output_trimmer_start(&s->trim, fileno(s->out), PVM_OUTPUT_TRIM_WINDOW);
}

int pvm_sink_open(struct pvm_sink *s, const char *path, bool json)
{
	memset(s, 0, sizeof(*s));
	s->out = path ? pvm_output_open(path, stderr) : stdout;
	if (!s->out)
		return -1;
	open_writer(s, path != NULL, json);
	return 0;
}

/* What reached the file: ftello() counts what stdio still holds too. */
static void trim_output(struct pvm_sink *s)
{
	off_t end;

	s->since_trim = 0;
	if (!s->trim.running || (end = ftello(s->out)) < 0)
		return;
	pvm_output_trimmer_reach(&s->trim, (unsigned long long)end - __fpending(s->out));
}

void pvm_sink_line(struct pvm_sink *s)
{
	s->wrote = true;
	if (++s->since_trim == TRIM_EVERY)
		trim_output(s);
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

bool pvm_sink_flush(struct pvm_sink *s, bool wait)
{
	int err = 0;

	if (s->direct) {
		err = -flush_direct(s, wait);
	} else {
		s->wrote = false;
		errno = 0; /* an error stream's errno may be long gone: EIO then */
		jw_flush(&s->jw);
		if (fflush(s->out) || ferror(s->out))
			err = errno ? errno : EIO;
	}
	if (!err)
		return true;
	fprintf(stderr, "pvmtrace: writing events failed: %s\n", strerror(err));
	return false;
}

void pvm_sink_close(struct pvm_sink *s)
{
	if (!s->out)
		return; /* never opened, or closed already */
	/* lines still in the writer's buffer when tracing ended on an error */
	jw_flush(&s->jw);
	if (s->direct)
		pvm_direct_out_close(&s->direct_out);
	pvm_output_trimmer_stop(&s->trim);
	if (s->out != stdout)
		fclose(s->out);
	s->out = NULL;
}
