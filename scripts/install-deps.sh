#!/bin/sh
# Installs the Debian packages named in the given lists (default:
# scripts/packages.txt) that are not installed yet. Idempotent; silent when
# nothing is missing. Needs root when something is.
set -eu

here=$(dirname "$0")
[ $# -gt 0 ] || set -- "$here/packages.txt"

missing=
# shellcheck disable=SC2013 # one package name per line, no spaces
for pkg in $(grep -hv '^#' "$@"); do
	status=$(dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing="$missing $pkg"
done
[ -n "$missing" ] || exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing Debian packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # one word per package
apt-get install -y -qq --no-install-recommends $missing >/dev/null
