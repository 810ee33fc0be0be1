#!/bin/sh
# Usage: vmtest.sh BUILD_DIR
#   The whole e2e suite on Debian's 6.1 and 6.12 cloud kernels under qemu, in
#   every attach mode, then on this host; prints a kernel x mode matrix and
#   fails if any supported mode fails or a mode that must work is missing.
#   Expects `make static` to have built BUILD_DIR/static/{pvmtrace,e2e-tests}
#   and BUILD_DIR/trigger{32,64}.
set -eu

here=$(dirname "$0")
build=${1:?usage: vmtest.sh BUILD_DIR}
cache=${PVMTRACE_VM_CACHE:-/var/cache/pvmtrace-vm}
# Each guest's whole suite under TCG: 607 s (6.1) and 1006 s (6.12) on a
# 2-vCPU AMD EPYC host; 30 minutes leaves room for a slower one, and two of
# them still fit CI's 90.
timeout=${PVMTRACE_VM_TIMEOUT:-1800}
modes="fentry kprobe tp_btf raw_tp tracepoint"
# On Debian's kernels fentry and kprobe must work, and auto must pick fentry;
# they run 32-bit code, so there no ia32 case may be skipped (tests/e2e/host.h
# names the needs). The host runs what it can, and skips the rest by name.
guest_require=fentry,kprobe,tp_btf,raw_tp,tracepoint,ia32,int80,cgroup2,pidns,mntns
host_require=tp_btf

out=$build/vmtest
mkdir -p "$out"
cat >"$out/guest.sh" <<EOF
pvmtrace --list-modes
e2e-tests --pvmtrace /bin/pvmtrace --trigger32 /bin/trigger32 --trigger64 /bin/trigger64 \\
	--require $guest_require --expect-auto fentry
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
	grep -E '^(not ok|skip|e2e:|  FAIL)' "$log" | tr -d '\r' >&2 || true
	[ "$rc" -eq 0 ] || status=1
	rows="$rows$(matrix_row "$kernel" "$log")
"
done

host_log=$out/host.log
rc=0
"$build/static/e2e-tests" --pvmtrace "$build/static/pvmtrace" --trigger32 "$build/trigger32" \
	--trigger64 "$build/trigger64" --require "$host_require" >"$host_log" 2>&1 || rc=$?
echo "vmtest: host $(uname -r): exit $rc, log $host_log" >&2
grep -E '^(not ok|skip|e2e:|  FAIL)' "$host_log" >&2 || true
[ "$rc" -eq 0 ] || status=1
rows="$rows$(matrix_row "$(uname -r) (host)" "$host_log")
"

printf '\n| %-28s |' kernel
for mode in $modes; do printf ' %-11s |' "$mode"; done
printf '\n|%s|' "------------------------------"
for mode in $modes; do printf '%s|' "-------------"; done
printf '\n%s' "$rows"
exit $status
