#!/bin/sh
# Usage: fetch-kernel.sh SERIES [CACHE_DIR]
#   SERIES: 6.1 or 6.12. Picks Debian's newest cloud kernel of that series,
#   downloads it into CACHE_DIR once, unpacks it there and prints the path of
#   its vmlinuz on stdout. Nothing else is printed unless something fails.
set -eu

series=${1:-}
cache=${2:-${PVMTRACE_VM_CACHE:-/var/cache/pvmtrace-vm}}

case $series in
6.1) re='^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$' ;;
6.12) re='^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64-unsigned$' ;;
*)
	echo "usage: $0 6.1|6.12 [CACHE_DIR]" >&2
	exit 2
	;;
esac

mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

# Newest package name of the series. `apt-cache search` lists only packages
# that have a candidate; sort -V orders 6.1.0-9 before 6.1.0-56 correctly.
newest_package() {
	apt-cache search --names-only "$re" | cut -d' ' -f1 | grep -E "$re" | sort -V | tail -n 1
}
pkg=$(newest_package) || true
# A fresh machine may never have run apt-get update: do it once, as root.
if [ -z "$pkg" ] && [ "$(id -u)" -eq 0 ]; then
	apt-get update -qq >/dev/null 2>&1 || true
	pkg=$(newest_package) || true
fi

if [ -n "$pkg" ]; then
	ver=$(apt-cache show --no-all-versions "$pkg" | sed -n 's/^Version: //p' | head -n 1)
	# apt-get download escapes the epoch colon as %3a in the file name.
	deb="$cache/${pkg}_$(printf '%s' "$ver" | sed 's/:/%3a/g')_amd64.deb"
	if [ ! -s "$deb" ]; then
		# Download into a private temp dir, then rename: a concurrent run or an
		# interrupted download never leaves a half-written .deb under the real name.
		tmp=$(mktemp -d "$cache/.dl.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		if ! (cd "$tmp" && apt-get -q -o Dpkg::Use-Pty=0 download "$pkg=$ver") >"$tmp/log" 2>&1; then
			cat "$tmp/log" >&2
			echo "$0: apt-get download $pkg=$ver failed" >&2
			exit 1
		fi
		mv "$tmp"/*.deb "$deb"
	fi
else
	# No apt lists (offline, or apt-get update never ran): fall back to the
	# newest .deb of the series already in the cache.
	deb=$(find "$cache" -maxdepth 1 -name 'linux-image-*.deb' | while read -r f; do
		n=$(basename "$f"); n=${n%%_*}
		if printf '%s\n' "$n" | grep -qE "$re"; then echo "$f"; fi
	done | sort -V | tail -n 1)
	if [ -z "$deb" ]; then
		echo "$0: no $series cloud kernel found by apt-cache nor in $cache (run apt-get update)" >&2
		exit 1
	fi
fi

dir=${deb%.deb}
if [ ! -d "$dir" ]; then
	tmpx=$(mktemp -d "$cache/.x.XXXXXX")
	dpkg -x "$deb" "$tmpx"
	mv -T "$tmpx" "$dir" 2>/dev/null || rm -rf "$tmpx" # lost a race: keep the other copy
fi

vmlinuz=$(find "$dir/boot" -maxdepth 1 -name 'vmlinuz-*' | head -n 1)
if [ -z "$vmlinuz" ]; then
	echo "$0: no vmlinuz in $deb" >&2
	exit 1
fi
echo "$vmlinuz"
