// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pvmtrace replay over any file: each input is a recording, replayed whole
 * (json-c, facts, the rules with the built-in allowlist, the output) as JSON
 * and as a table. The JSON it writes must be pure ASCII objects, one a line,
 * and replaying that output again must give it back byte for byte: the
 * alerts replaced are the same alerts, and the re-escaping of json-c's text
 * loses nothing. The table must be safe for a terminal.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "harness.h"
#include "replay/replay.h"

/* pvm_replay_run over `path`: its output. */
static struct fuzz_text replayed(const char *path, enum pvm_format format)
{
	const struct pvm_options opts = {.command = PVM_CMD_REPLAY, .replay_path = path,
					 .min_severity = -1, .format = format};
	FILE *stream = fuzz_file_open();
	int status = pvm_replay_run(&opts, stream, fuzz_null_stream());
	struct fuzz_text out = fuzz_file_close(stream);

	if (status != PVM_EXIT_OK)
		fuzz_fail("replay failed (status %d) on a file it could read", status);
	return out;
}

static void check_replays_to_itself(const struct fuzz_text *json)
{
	const char *path = fuzz_input_file(json->bytes, json->len);
	struct fuzz_text again = replayed(path, PVM_FORMAT_JSON);

	if (again.len != json->len || memcmp(again.bytes, json->bytes, json->len))
		fuzz_fail("replaying replay's output changed it:\n%.*s\nbecame\n%.*s",
			  (int)json->len, json->bytes, (int)again.len, again.bytes);
	free(again.bytes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_input_file(data, size);
	struct fuzz_text json = replayed(path, PVM_FORMAT_JSON);
	struct fuzz_text table = replayed(path, PVM_FORMAT_TABLE);

	fuzz_check_json_lines("replay --json", json.bytes, json.len);
	fuzz_check_terminal_text("replay table", table.bytes, table.len);
	check_replays_to_itself(&json);
	free(json.bytes);
	free(table.bytes);
	return 0;
}
