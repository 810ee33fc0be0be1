// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "output/envelope.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "json_keys.h"

/* The boot id's text when the file holds one (36 bytes of hex and dashes), else "". */
static void read_boot_id(char out[PVM_BOOT_ID_LEN + 1], const char *path)
{
	FILE *f = fopen(path, "re");
	size_t n = f ? fread(out, 1, PVM_BOOT_ID_LEN, f) : 0;

	if (f)
		fclose(f);
	out[n == PVM_BOOT_ID_LEN ? n : 0] = '\0';
	for (size_t i = 0; out[i]; i++)
		if (!isxdigit((unsigned char)out[i]) && out[i] != '-')
			out[0] = '\0';
}

static void optional_text(struct json_writer *w, const char *text, size_t len)
{
	if (text && len)
		jw_string(w, text, len);
	else
		jw_null(w);
}

static void fixed_members(struct json_writer *w, const struct pvm_envelope *e, const char *version)
{
	jw_object_begin(w);
	jw_key(w, PVM_KEY_HOST);
	jw_object_begin(w);
	jw_key(w, PVM_KEY_NAME);
	jw_cstring(w, e->host_name);
	jw_key(w, PVM_KEY_BOOT_ID);
	optional_text(w, e->boot_id, strlen(e->boot_id));
	jw_object_end(w);
	jw_key(w, PVM_KEY_SENSOR);
	jw_object_begin(w);
	jw_key(w, PVM_KEY_VERSION);
	optional_text(w, version, version ? strlen(version) : 0);
	jw_object_end(w);
	jw_object_end(w);
}

/* "host" and "sensor", written once: the object's text less its braces. */
static void render_fixed(struct pvm_envelope *e, const char *version)
{
	struct json_writer w;
	FILE *f = fmemopen(e->fixed, sizeof(e->fixed), "w");

	e->fixed_len = 0;
	if (!f)
		return;
	jw_init(&w, f);
	fixed_members(&w, e, version);
	jw_flush(&w);
	e->fixed_len = ftell(f) >= 2 ? (size_t)ftell(f) - 2 : 0;
	fclose(f);
	memmove(e->fixed, e->fixed + 1, e->fixed_len);
}

void pvm_envelope_init(struct pvm_envelope *e, const char *host_name, const char *boot_id_path,
		       const char *version)
{
	memset(e, 0, sizeof(*e));
	if (host_name)
		snprintf(e->host_name, sizeof(e->host_name), "%s", host_name);
	else if (gethostname(e->host_name, sizeof(e->host_name)))
		e->host_name[0] = '\0';
	e->host_name[PVM_HOST_NAME_MAX] = '\0'; /* gethostname may leave it unterminated */
	read_boot_id(e->boot_id, boot_id_path);
	e->version = version;
	render_fixed(e, version);
}

void pvm_envelope_json(struct json_writer *w, struct pvm_envelope *e, const char *schema)
{
	jw_key(w, PVM_KEY_SCHEMA);
	jw_plain_string(w, schema, strlen(schema));
	jw_key(w, PVM_KEY_SEQ);
	jw_uint(w, ++e->seq);
	jw_members(w, e->fixed, e->fixed_len);
}
