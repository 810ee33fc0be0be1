#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""validate_records.py SCHEMA FILE...: every line of the JSON-lines FILEs meets
SCHEMA (JSON Schema draft 2020-12). Prints "schema: N records, M not valid"
and the first failures on stderr; exits 0 only when all N > 0 are valid."""
import json
import sys

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

SHOWN = 5
MESSAGE_MAX = 300


def branch(schema, name):
    """The schema's $defs/NAME alone: its errors name the key at fault, where
    the top-level oneOf would only say that no branch matched."""
    return Draft202012Validator({"$ref": f"#/$defs/{name}", "$defs": schema["$defs"]})


def main(schema_path, paths):
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    explain = {"stats": branch(schema, "stats"), "event": branch(schema, "event")}
    checked = invalid = 0
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                checked += 1
                record = json.loads(line)
                if validator.is_valid(record):
                    continue
                invalid += 1
                kind = "stats" if record.get("event") == "stats" else "event"
                error = best_match(explain[kind].iter_errors(record))
                if invalid <= SHOWN:
                    print(f"{path}:{number}: {error.json_path}: {error.message[:MESSAGE_MAX]}",
                          file=sys.stderr)
    print(f"schema: {checked} records, {invalid} not valid")
    return 0 if checked and not invalid else 1


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2:]))
