// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* SIGHUP's --config read again: pvm_reader_reload_config, with no kernel. */
#include "reader/reader.h"
#include "record_builder.h"
#include "unit.h"

#include <fcntl.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <unistd.h>

struct fixture {
	char dir[64];
	char config[128], out[128], err[128];
	char tool[128], other[128]; /* executables for --enforce to find */
};

static struct record_buffer buf;

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f))
		unit_fail(__FILE__, __LINE__, "cannot write %s", path);
}

/* The file's first bytes, NUL-terminated, in a static buffer ("" if unreadable). */
static const char *read_text(const char *path)
{
	static char text[8192];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;

	text[n] = '\0';
	if (f)
		fclose(f);
	return text;
}

static bool setup(struct fixture *f)
{
	snprintf(f->dir, sizeof(f->dir), "/tmp/pvmtrace-unit-reload-XXXXXX");
	if (!mkdtemp(f->dir)) {
		unit_fail(__FILE__, __LINE__, "mkdtemp");
		return false;
	}
	snprintf(f->config, sizeof(f->config), "%s/allow.conf", f->dir);
	snprintf(f->out, sizeof(f->out), "%s/events.json", f->dir);
	snprintf(f->err, sizeof(f->err), "%s/stderr", f->dir);
	snprintf(f->tool, sizeof(f->tool), "%s/tool", f->dir);
	snprintf(f->other, sizeof(f->other), "%s/other", f->dir);
	write_text(f->tool, "");
	write_text(f->other, "");
	return true;
}

static void teardown(const struct fixture *f)
{
	const char *const files[] = {f->config, f->out, f->err, f->tool, f->other};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlink(files[i]);
	rmdir(f->dir);
}

/* --json -o OUT --config CONFIG [--enforce]; without `config`, the built-in list. */
static enum pvm_exit open_reader(struct pvm_reader *r, const struct fixture *f, bool config,
				 bool enforce)
{
	const char *argv[8] = {"pvmtrace", "--json", "-o", f->out};
	struct pvm_reader_config cfg;
	struct pvm_options opts;
	int argc = 4;

	if (config) {
		argv[argc++] = "--config";
		argv[argc++] = f->config;
	}
	if (enforce)
		argv[argc++] = "--enforce";
	if (pvm_options_parse(argc, (char **)argv, &opts, stderr))
		return PVM_EXIT_USAGE;
	cfg = pvm_reader_config_of(&opts);
	return pvm_reader_open(r, &cfg);
}

/* The config rewritten, SIGHUP's reload, and what it said on stderr. */
static const char *reload_with(struct pvm_reader *r, const struct fixture *f, const char *config)
{
	int saved, fd;

	if (config)
		write_text(f->config, config);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	fd = open(f->err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (saved < 0 || fd < 0 || dup2(fd, STDERR_FILENO) < 0) {
		unit_fail(__FILE__, __LINE__, "cannot redirect stderr");
		return "";
	}
	close(fd);
	pvm_reader_reload_config(r);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	return read_text(f->err);
}

/* The example write, from /opt/tool/injector, as the kernel would hand it over. */
static void record_example(struct pvm_reader *r)
{
	build_example(&buf);
	set_exes(&buf, "/opt/tool/injector", PVM_EXE_KNOWN, "/usr/bin/victim", PVM_EXE_KNOWN);
	pvm_reader_record(r, &buf, record_size(&buf));
}

/*
 * Each line's first alert's allowed_by, "-" when it has none, one per line
 * after the other: "-|f:2 (tool)|-".
 */
static const char *allowed_by_per_line(const char *path)
{
	static char text[1024];
	FILE *f = fopen(path, "r");
	char line[8192];
	size_t at = 0;

	text[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		json_object *o = json_tokener_parse(line), *alerts = NULL, *by = NULL;
		json_object *first = o && json_object_object_get_ex(o, "alerts", &alerts)
					     ? json_object_array_get_idx(alerts, 0)
					     : NULL;
		const char *shown = first && json_object_object_get_ex(first, "allowed_by", &by)
					    ? json_object_get_string(by)
					    : "-";

		at += snprintf(text + at, sizeof(text) - at, "%s%s", at ? "|" : "", shown);
		json_object_put(o);
	}
	if (f)
		fclose(f);
	return text;
}

/* Allowed, then not, then allowed again: the verdicts kept for the same call go with the list. */
UNIT_TEST(reload_config_judges_by_the_new_list)
{
	static struct pvm_reader r;
	struct fixture f;
	char want[512], said[512];

	if (!setup(&f))
		return;
	write_text(f.config, "allow exe=/opt/other/tool\n");
	CHECK_EQ(open_reader(&r, &f, true, false), PVM_EXIT_OK);
	record_example(&r);
	snprintf(said, sizeof(said), "pvmtrace: %s: reloaded (2 allow rules)\n", f.config);
	CHECK_STR(reload_with(&r, &f,
			      "# the tool, at last\n"
			      "allow exe=/opt/tool/injector label=tool\n"
			      "allow exe=/opt/other/tool\n"),
		  said);
	CHECK_EQ(r.memos.alerts.inputs_len, 0);
	record_example(&r);
	snprintf(said, sizeof(said), "pvmtrace: %s: reloaded (1 allow rule)\n", f.config);
	CHECK_STR(reload_with(&r, &f, "allow exe=/opt/other/tool\n"), said);
	record_example(&r);
	CHECK_EQ(r.stats.config_reload_failures, 0);
	pvm_reader_close(&r);
	snprintf(want, sizeof(want), "-|%s:2 (tool)|-", f.config);
	CHECK_STR(allowed_by_per_line(f.out), want);
	teardown(&f);
}

/* A file that does not load, or is gone: the list before stays, each one counted. */
UNIT_TEST(reload_config_keeps_the_old_list_on_a_bad_file)
{
	static struct pvm_reader r;
	struct fixture f;
	char want[512], said[512];

	if (!setup(&f))
		return;
	write_text(f.config, "allow exe=/opt/tool/injector label=tool\n");
	CHECK_EQ(open_reader(&r, &f, true, false), PVM_EXIT_OK);
	record_example(&r);
	snprintf(said, sizeof(said),
		 "pvmtrace: %s:2: exe pattern must be an absolute path: 'relative/tool'; kept the "
		 "allowlist loaded before\n",
		 f.config);
	CHECK_STR(reload_with(&r, &f, "allow exe=/opt/tool/injector label=new\n"
				      "allow exe=relative/tool\n"),
		  said);
	CHECK_EQ(r.stats.config_reload_failures, 1);
	record_example(&r);
	unlink(f.config);
	snprintf(said, sizeof(said),
		 "pvmtrace: %s: No such file or directory; kept the allowlist loaded before\n",
		 f.config);
	CHECK_STR(reload_with(&r, &f, NULL), said);
	CHECK_EQ(r.stats.config_reload_failures, 2);
	record_example(&r);
	pvm_reader_close(&r);
	snprintf(want, sizeof(want), "%1$s:1 (tool)|%1$s:1 (tool)|%1$s:1 (tool)", f.config);
	CHECK_STR(allowed_by_per_line(f.out), want);
	teardown(&f);
}

/* Without --config the built-in list stays as it is, and nothing is said. */
UNIT_TEST(reload_config_without_config_does_nothing)
{
	static struct pvm_reader r;
	const struct pvm_allow_entry *before;
	struct fixture f;

	if (!setup(&f))
		return;
	CHECK_EQ(open_reader(&r, &f, false, false), PVM_EXIT_OK);
	before = r.allow.entries;
	CHECK_STR(reload_with(&r, &f, NULL), "");
	CHECK(r.allow.entries == before);
	CHECK_EQ(r.stats.config_reload_failures, 0);
	pvm_reader_close(&r);
	teardown(&f);
}

/*
 * --enforce: a file with the kernel form loaded at start (only a label
 * changed) applies; one that would change it, or that the kernel cannot
 * match, is refused.
 */
UNIT_TEST(reload_config_under_enforce_keeps_the_kernel_rules)
{
	static struct pvm_reader r;
	struct fixture f;
	char config[512], said[512];

	if (!setup(&f))
		return;
	snprintf(config, sizeof(config), "allow exe=%s label=a\n", f.tool);
	write_text(f.config, config);
	CHECK_EQ(open_reader(&r, &f, true, true), PVM_EXIT_OK);
	CHECK_EQ(r.n_kernel_allow, 1);

	snprintf(config, sizeof(config), "allow exe=%s label=b\n", f.tool);
	snprintf(said, sizeof(said), "pvmtrace: %s: reloaded (1 allow rule)\n", f.config);
	CHECK_STR(reload_with(&r, &f, config), said);
	CHECK_STR(r.allow.n ? r.allow.entries[0].label : NULL, "b");

	snprintf(config, sizeof(config), "allow exe=%s label=c\n", f.other);
	snprintf(said, sizeof(said),
		 "pvmtrace: %s: changes the rules --enforce holds in the kernel, which change "
		 "only at a restart; kept the allowlist loaded before\n",
		 f.config);
	CHECK_STR(reload_with(&r, &f, config), said);
	CHECK_EQ(r.stats.config_reload_failures, 1);

	snprintf(config, sizeof(config), "allow exe=%s comm=to* label=d\n", f.tool);
	snprintf(said, sizeof(said),
		 "pvmtrace: %s:1: comm= must be an exact name of at most 15 bytes for --enforce; "
		 "kept the allowlist loaded before\n",
		 f.config);
	CHECK_STR(reload_with(&r, &f, config), said);
	CHECK_EQ(r.stats.config_reload_failures, 2);
	CHECK_STR(r.allow.n ? r.allow.entries[0].label : NULL, "b");
	CHECK_EQ(r.n_kernel_allow, 1);
	pvm_reader_close(&r);
	teardown(&f);
}
