#!/bin/sh
# Usage: mkinitramfs.sh OUT.cpio.gz INIT_SCRIPT [FILE...]
#   Builds a gzip'd newc initramfs: busybox-static with its applet links,
#   each FILE copied to /bin/<basename>, INIT_SCRIPT as /test.sh, and an /init
#   that mounts the usual pseudo filesystems, runs `sh /test.sh`, prints
#   `VMTEST-EXIT <status>` and powers the VM off.
set -eu

if [ $# -lt 2 ]; then
	echo "usage: $0 OUT.cpio.gz INIT_SCRIPT [FILE...]" >&2
	exit 2
fi
out=$1 script=$2
shift 2

busybox=${BUSYBOX:-/bin/busybox} # from busybox-static: statically linked
[ -x "$busybox" ] || { echo "$0: $busybox missing (apt-get install busybox-static)" >&2; exit 1; }

work=$(mktemp -d)
tmpout="$out.tmp.$$"
trap 'rm -rf "$work" "$tmpout"' EXIT
root=$work/root
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" "$root/root" "$root/etc"
ln -s bin "$root/sbin"
mkdir -p "$root/usr"
ln -s ../bin "$root/usr/bin"
ln -s ../bin "$root/usr/sbin"

cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done

# User files come last, so a file named like an applet replaces the link.
for f in "$@"; do
	dst="$root/bin/$(basename "$f")"
	rm -f "$dst"
	cp -L "$f" "$dst"
	chmod 0755 "$dst"
done
cp -L "$script" "$root/test.sh"

# No `set -e` in /init on purpose: if /init itself died, the kernel would
# panic instead of printing the exit marker.
cat >"$root/init" <<'EOF'
#!/bin/sh
export PATH=/bin HOME=/root TMPDIR=/tmp
mount -t devtmpfs devtmpfs /dev
# The cpio has no /dev/console node (creating one needs root), so the kernel
# started us without stdio: take the console now that devtmpfs is up.
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
mount -t tracefs tracefs /sys/kernel/tracing
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t bpf bpf /sys/fs/bpf
echo "VMTEST-KERNEL $(uname -r)"
cd /tmp
sh /test.sh
rc=$?
# Leading newline: the marker must start a line even if the script's output
# did not end with one.
printf '\nVMTEST-EXIT %d\n' "$rc"
poweroff -f
EOF
chmod 0755 "$root/init"

# Not a pipe into gzip, so a cpio failure stops the script (set -e).
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet) >"$work/initramfs.cpio"
# Write next to OUT, then rename: a failed build never leaves a truncated OUT.
gzip -6 <"$work/initramfs.cpio" >"$tmpout"
mv -f "$tmpout" "$out"
