#!/bin/sh
# Usage: boot.sh VMLINUZ INITRD LOGFILE TIMEOUT_SECONDS
#   Boots the kernel with the initramfs in qemu, writes the whole serial
#   console to LOGFILE and exits with the guest script's status, read from the
#   `VMTEST-EXIT <code>` line that mkinitramfs.sh's /init prints.
#   124: timeout (qemu killed), 125: no marker (panic, qemu error), 2: usage.
#   The wall time from start to result goes to stderr.
#   PVMTRACE_VM_ACCEL=kvm|tcg forces the accelerator (default: kvm if it works).
set -eu

if [ $# -ne 4 ]; then
	echo "usage: $0 VMLINUZ INITRD LOGFILE TIMEOUT_SECONDS" >&2
	exit 2
fi
vmlinuz=$1 initrd=$2 log=$3 tmo=$4
for f in "$vmlinuz" "$initrd"; do
	[ -r "$f" ] || { echo "$0: cannot read $f" >&2; exit 2; }
done

# /dev/kvm can open fine and still fail to run Linux: under nested
# virtualisation SeaBIOS ran, but the kernels then stopped with "KVM internal
# error" (qemu pauses the guest and never exits). So the test is to boot this
# very kernel under KVM with no initrd: a working one panics on the missing
# root fs within ~2 s and qemu exits. TCG boots in ~2-3 s anyway, so KVM that
# needs more than 10 s is not worth it. The verdict is cached per host boot
# and kernel, so the probe's cost is paid once.
kvm_works() {
	[ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	cache=${PVMTRACE_VM_CACHE:-/var/cache/pvmtrace-vm}
	boot_id=$(cat /proc/sys/kernel/random/boot_id)
	stamp="$cache/kvm-$boot_id-$(basename "$vmlinuz")"
	[ -f "$stamp.yes" ] && return 0
	[ -f "$stamp.no" ] && return 1
	probe=$(mktemp)
	verdict=no
	if timeout -k 2 10 qemu-system-x86_64 -enable-kvm -cpu host -m 256 -nographic \
		-no-reboot -kernel "$vmlinuz" -append "console=ttyS0 quiet panic=-1" \
		</dev/null >"$probe" 2>&1 &&
		grep -q 'Kernel panic' "$probe" && ! grep -q 'KVM internal error' "$probe"; then
		verdict=yes
	fi
	rm -f "$probe"
	# Best effort (the cache dir may be read-only); drop stamps of older boots.
	{
		mkdir -p "$cache"
		find "$cache" -maxdepth 1 -name 'kvm-*' ! -name "kvm-$boot_id-*" -delete
		: >"$stamp.$verdict"
	} 2>/dev/null || true
	[ $verdict = yes ]
}

case ${PVMTRACE_VM_ACCEL:-auto} in
kvm) accel=kvm ;;
tcg) accel=tcg ;;
*) if kvm_works; then accel=kvm; else accel=tcg; fi ;;
esac
if [ $accel = kvm ]; then set -- -enable-kvm -cpu host; else set --; fi

start=$(date +%s.%N)
qrc=0
# stdin from /dev/null: qemu then leaves the caller's terminal modes alone.
# -k: SIGKILL 5 s after SIGTERM if qemu ignores it.
# One vCPU: under TCG with two, the guest kernel's live code patching (int3
# text_poke when a syscall tracepoint is switched on or off) once oopsed 6.12
# at syscall_exit_to_user_mode_prepare; a single CPU has nobody to race.
timeout -k 5 "$tmo" qemu-system-x86_64 "$@" -m 1024 -smp 1 -nographic -no-reboot \
	-kernel "$vmlinuz" -initrd "$initrd" \
	-append "console=ttyS0 quiet panic=-1" </dev/null >"$log" 2>&1 || qrc=$?
end=$(date +%s.%N)

# The console ends lines with \r\n; take the last marker in case the test
# output itself contains one. A timeout wins over a marker (a script that
# printed a fake marker and then hung must not pass).
code=$(tr -d '\r' <"$log" | sed -n 's/^VMTEST-EXIT \([0-9][0-9]*\)$/\1/p' | tail -n 1)
if [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then # 137: timeout had to SIGKILL
	code=124 what="timeout after ${tmo}s"
elif [ -n "$code" ]; then
	what="exit $code"
else
	code=125 what="no VMTEST-EXIT marker (qemu status $qrc)"
fi
awk -v s="$start" -v e="$end" -v k="$(basename "$vmlinuz")" -v a="$accel" -v w="$what" \
	'BEGIN { printf "boot.sh: %s (%s): %s in %.1f s\n", k, a, w, e - s }' >&2
case $what in exit*) ;; *)
	echo "boot.sh: last lines of $log:" >&2
	tail -n 20 "$log" >&2
	;;
esac
exit "$code"
