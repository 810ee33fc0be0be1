#!/bin/sh
# The Debian package on this machine, as root: lintian without errors;
# installed (dpkg -i), its binary run, its files checked; upgraded to a
# higher version with an edited conffile kept; purged (dpkg -P), leaving no
# file but logs.
#   tests/install/deb.sh DEB
set -u
deb=$1
d=$(mktemp -d /tmp/pvmtrace-deb-XXXXXX)
suite=deb
# shellcheck source=tests/install/checks.sh
. "$(dirname "$0")/checks.sh"
trap 'rm -rf "$d"' EXIT

if dpkg-query -W -f '${Status}' pvmtrace 2>/dev/null | grep -q installed; then
	skip all "needs a machine without the pvmtrace package: it is installed"
	summary
	exit
fi

check lintian_without_errors sh -c "lintian --fail-on error '$deb' >'$d/lintian' 2>&1 || { cat '$d/lintian'; false; }"
grep -E '^[WI]:' "$d/lintian" | sed 's/^/# lintian: /'

check installs dpkg -i "$deb"
check installed_binary_runs sh -c '/usr/sbin/pvmtrace --version | grep -q "^pvmtrace "'
# shellcheck disable=SC2016 # for the inner shell
check installed_files sh -c 'for f in /usr/sbin/pvmtrace /usr/share/man/man8/pvmtrace.8.gz \
	/lib/systemd/system/pvmtrace.service /etc/pvmtrace/allowlist.conf \
	/etc/default/pvmtrace /etc/logrotate.d/pvmtrace; do [ -e "$f" ] || { echo "missing $f"; exit 1; }; done'
# shellcheck disable=SC2016 # dpkg-query's own ${Conffiles}
check conffiles sh -c 'dpkg-query --showformat="\${Conffiles}\n" -W pvmtrace | grep -q /etc/pvmtrace/allowlist.conf'

# The same package, one version up: dpkg's upgrade path.
mkdir "$d/next"
dpkg-deb -R "$deb" "$d/next/root"
version=$(sed -n 's/^Version: //p' "$d/next/root/DEBIAN/control")
sed -i "s/^Version: .*/Version: $version+test1/" "$d/next/root/DEBIAN/control"
dpkg-deb -b "$d/next/root" "$d/next/pvmtrace.deb" >/dev/null
echo "# edited" >>/etc/pvmtrace/allowlist.conf
check upgrades dpkg -i "$d/next/pvmtrace.deb"
check upgraded_version sh -c "dpkg-query -W -f '\${Version}' pvmtrace | grep -qx '$version+test1'"
check upgrade_keeps_edited_conffile grep -q '^# edited' /etc/pvmtrace/allowlist.conf

dpkg -L pvmtrace >"$d/files"
mkdir -p /var/log/pvmtrace
echo '{"event":"stats"}' >/var/log/pvmtrace/events.json.test
check purges dpkg -P pvmtrace
check purge_leaves_no_file sh -c "left=\$(while read -r f; do [ -f \"\$f\" ] && echo \"\$f\"; done <'$d/files'); [ -z \"\$left\" ] || { echo \"left: \$left\"; false; }"
check purge_removes_etc sh -c '[ ! -e /etc/pvmtrace ] && [ ! -e /etc/default/pvmtrace ] && [ ! -e /etc/logrotate.d/pvmtrace ]'
check purge_keeps_logs [ -e /var/log/pvmtrace/events.json.test ]
rm -f /var/log/pvmtrace/events.json.test
rmdir /var/log/pvmtrace 2>/dev/null

summary
