#!/bin/sh
# Usage: vmtest.sh BUILD_DIR
#   The e2e suite on Debian's 6.1 and 6.12 cloud kernels under qemu, in every
#   attach mode (see "What each guest runs" below), then on this host; prints
#   a kernel x mode matrix and the cases added up, and fails if any supported
#   mode fails or a mode or need that must be there is missing.
#   Expects `make static` to have built BUILD_DIR/static/{pvmtrace,e2e-tests}
#   and BUILD_DIR/trigger{32,64}.
set -eu

here=$(dirname "$0")
build=${1:?usage: vmtest.sh BUILD_DIR}
cache=${PVMTRACE_VM_CACHE:-/var/cache/pvmtrace-vm}
# A guest gets 30 minutes: TCG is slow, and hosts of this kind differ in
# speed; the times each run took are in the log (and in .ci/run's output).
timeout=${PVMTRACE_VM_TIMEOUT:-1800}
modes="fentry kprobe tp_btf raw_tp tracepoint"
# On Debian's kernels fentry and kprobe must work, and auto must pick fentry;
# they run 32-bit code, so there no ia32 case may be skipped (tests/e2e/host.h
# names the needs). The host runs what it can, and skips the rest by name.
guest_require=fentry,kprobe,tp_btf,raw_tp,tracepoint,ia32,int80,cgroup2,pidns,mntns
host_require=tp_btf

# What each guest runs (e2e-tests --all-cases-in): every case in fentry,
# auto's choice, on both kernels, and in kprobe on 6.1, the quicker guest; in
# the other modes the cases marked every_mode (tests/e2e/cases.h), which
# cover each mode's hooks, ABIs, kfuncs, enforcement and payloads. tp_btf,
# raw_tp and tracepoint run every case on the host as well (make test).
# PVMTRACE_VM_ALL_CASES=1 runs every case in every mode on both guests.
case ${PVMTRACE_VM_ALL_CASES:-0} in
1) full_61=fentry,kprobe,tp_btf,raw_tp,tracepoint full_612=$full_61 ;;
*) full_61=fentry,kprobe full_612=fentry ;;
esac

out=$build/vmtest
mkdir -p "$out"
cat >"$out/guest.sh" <<EOF
pvmtrace --list-modes
case \$(uname -r) in 6.1.*) full=$full_61 ;; *) full=$full_612 ;; esac
e2e-tests --pvmtrace /bin/pvmtrace --trigger32 /bin/trigger32 --trigger64 /bin/trigger64 \\
	--require $guest_require --expect-auto fentry --all-cases-in \$full
EOF
"$here/mkinitramfs.sh" "$out/initramfs.cpio.gz" "$out/guest.sh" \
	"$build/static/pvmtrace" "$build/static/e2e-tests" "$build/trigger32" "$build/trigger64"

# "MODE <name> <result>" lines of one log as "name=result" words.
mode_results() {
	sed -n 's/^MODE \([a-z_]*\) \([a-z]*\)\r*$/\1=\2/p' "$1"
}

# One row of the matrix: kernel, then each mode's result ("-" if none).
matrix_row() {
	kernel=$1 log=$2
	printf '| %-28s |' "$kernel"
	results=$(mode_results "$log")
	for mode in $modes; do
		r=$(printf '%s\n' "$results" | sed -n "s/^$mode=//p" | tail -n 1)
		printf ' %-11s |' "${r:--}"
	done
	printf '\n'
}

# The closing lines of the logs added up: "vmtest: N passed, N failed, N skipped".
closing_line() {
	sed -n 's/^e2e: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped\r*$/\1 \2 \3/p' "$@" 2>/dev/null |
		awk '{ p += $1; f += $2; s += $3 }
		     END { printf "vmtest: %d passed, %d failed, %d skipped\n", p, f, s }'
}

status=0
rows=
for series in 6.1 6.12; do
	log=$out/guest-$series.log
	vmlinuz=$("$here/fetch-kernel.sh" "$series" "$cache")
	kernel=$(basename "$vmlinuz" | sed 's/^vmlinuz-//')
	start=$(date +%s)
	rc=0
	"$here/boot.sh" "$vmlinuz" "$out/initramfs.cpio.gz" "$log" "$timeout" || rc=$?
	echo "vmtest: $kernel: exit $rc in $(($(date +%s) - start)) s, log $log" >&2
	grep -E '^(not ok|skip|# mode|e2e:|  FAIL)' "$log" | tr -d '\r' >&2 || true
	[ "$rc" -eq 0 ] || status=1
	rows="$rows$(matrix_row "$kernel" "$log")
"
done

host_log=$out/host.log
rc=0
"$build/static/e2e-tests" --pvmtrace "$build/static/pvmtrace" --trigger32 "$build/trigger32" \
	--trigger64 "$build/trigger64" --require "$host_require" >"$host_log" 2>&1 || rc=$?
echo "vmtest: host $(uname -r): exit $rc, log $host_log" >&2
grep -E '^(not ok|skip|# mode|e2e:|  FAIL)' "$host_log" >&2 || true
[ "$rc" -eq 0 ] || status=1
rows="$rows$(matrix_row "$(uname -r) (host)" "$host_log")
"

printf '\n| %-28s |' kernel
for mode in $modes; do printf ' %-11s |' "$mode"; done
printf '\n|%s|' "------------------------------"
for mode in $modes; do printf '%s|' "-------------"; done
printf '\n%s\n' "$rows"
closing_line "$out"/guest-6.1.log "$out"/guest-6.12.log "$host_log"
exit $status
