# shellcheck shell=sh disable=SC2154 # suite: set by the script that sources this
# Sourced by the scripts here: `check NAME COMMAND...` prints "ok - SUITE/NAME"
# or "not ok - SUITE/NAME"; `skip NAME WHY`; `summary` prints "SUITE: N passed,
# N failed, N skipped" and fails when one did. SUITE is set before sourcing.
passed=0
failed=0
skipped=0

check() {
	name=$1
	shift
	if "$@"; then
		echo "ok - $suite/$name"
		passed=$((passed + 1))
	else
		echo "not ok - $suite/$name"
		failed=$((failed + 1))
	fi
}

skip() {
	echo "skip - $suite/$1: $2"
	skipped=$((skipped + 1))
}

summary() {
	echo "$suite: $passed passed, $failed failed, $skipped skipped"
	[ "$failed" = 0 ]
}
