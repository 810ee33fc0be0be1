#!/bin/sh
# make install into a scratch DESTDIR, as root: every file where it belongs,
# with its mode; an edited /etc file kept by a second install; the unit
# verified by systemd-analyze; the unit's own ExecStart and ExecReload lines
# run, their paths moved under DESTDIR, through a rename and SIGHUP and a run
# of the real logrotate with the shipped snippet; make uninstall.
#   tests/install/check.sh [BUILD]
set -u
build=${1:-build}
d=$(mktemp -d /tmp/pvmtrace-install-XXXXXX)
pid=
suite=install
# shellcheck source=tests/install/checks.sh
. "$(dirname "$0")/checks.sh"
cleanup() {
	[ -z "$pid" ] || kill "$pid" 2>/dev/null
	rm -rf "$d"
}
trap cleanup EXIT

mode_is() { [ "$(stat -c %a "$2")" = "$1" ]; }
same() { mode_is 644 "$2" && cmp -s "$1" "$2"; }
events_in() { # events_in FILE: the process_vm_writev events in it
	grep -c '"event":"process_vm_writev"' "$1" 2>/dev/null || true
}
under_d() { # the unit's absolute paths, moved under DESTDIR
	sed -e "s|/usr/sbin/|$d/usr/sbin/|g" -e "s|/etc/pvmtrace/|$d/etc/pvmtrace/|g" \
	    -e "s|/var/log/pvmtrace/|$d/var/log/pvmtrace/|g"
}
wait_for() { # wait_for FILE [TEXT]: the file, with TEXT in it; up to 30 s
	i=0
	while [ $i -lt 300 ]; do
		[ -e "$1" ] && { [ -z "${2:-}" ] || grep -q "$2" "$1"; } && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

unit=$d/usr/lib/systemd/system/pvmtrace.service
make -s install DESTDIR="$d" PREFIX=/usr BUILD="$build" >/dev/null
check binary mode_is 755 "$d/usr/sbin/pvmtrace"
check man_page mode_is 644 "$d/usr/share/man/man8/pvmtrace.8"
check unit_file sh -c "[ \"\$(stat -c %a '$unit')\" = 644 ] && grep -q '^ExecStart=/usr/sbin/pvmtrace ' '$unit'"
check allowlist same config/allowlist.conf "$d/etc/pvmtrace/allowlist.conf"
check options_file same dist/pvmtrace.default "$d/etc/default/pvmtrace"
check logrotate_snippet same dist/pvmtrace.logrotate "$d/etc/logrotate.d/pvmtrace"

echo "# edited" >>"$d/etc/pvmtrace/allowlist.conf"
make -s install DESTDIR="$d" PREFIX=/usr BUILD="$build" >/dev/null
check edited_allowlist_kept grep -q '^# edited' "$d/etc/pvmtrace/allowlist.conf"

# systemd-analyze reads the unit where systemd would: its binary under DESTDIR.
mkdir -p "$d/verify"
under_d <"$unit" >"$d/verify/pvmtrace.service"
check unit_verifies sh -c "systemd-analyze verify --man=no '$d/verify/pvmtrace.service' >'$d/verify.out' 2>&1 && ! grep -q . '$d/verify.out' || { cat '$d/verify.out'; false; }"
echo "# unit: $(systemd-analyze security --offline=true "$d/verify/pvmtrace.service" 2>/dev/null | grep -i 'overall exposure')"

# The unit's command line, as systemd would run it: its options file first.
# shellcheck disable=SC1091 # the file just installed
. "$d/etc/default/pvmtrace"
mkdir -p "$d/var/log" && mkdir -m 0700 "$d/var/log/pvmtrace"
start=$(sed -n 's/^ExecStart=//p' "$unit" | under_d | sed "s|\$PVMTRACE_OPTS|$PVMTRACE_OPTS|")
reload=$(sed -n 's/^ExecReload=//p' "$unit")
log=$d/var/log/pvmtrace/events.json
eval "exec $start" 2>"$d/stderr" &
pid=$!
check unit_command_starts wait_for "$d/stderr" '^pvmtrace: tracing'
"$build/trigger64" >/dev/null
mv "$log" "$log.renamed"
eval "$(echo "$reload" | sed "s|\\\$MAINPID|$pid|")"
check reload_reopens wait_for "$log"
"$build/trigger64" >/dev/null
wait_for "$log" '"event":"process_vm_writev"'

# logrotate, as a cron job runs it, with the snippet as shipped but its path
if command -v logrotate >/dev/null; then
	under_d <"$d/etc/logrotate.d/pvmtrace" >"$d/logrotate.conf"
	check logrotate_runs logrotate -f -s "$d/logrotate.state" "$d/logrotate.conf"
	check logrotate_reopens wait_for "$log"
	"$build/trigger64" >/dev/null
	wait_for "$log" '"event":"process_vm_writev"'
else
	skip logrotate_runs "needs logrotate: not installed"
fi
kill -TERM "$pid"
wait "$pid"
status=$?
pid=
check unit_command_stops_cleanly [ "$status" = 0 ]
check events_before_reload [ "$(events_in "$log.renamed")" -ge 1 ]
if command -v logrotate >/dev/null; then
	check events_after_reload [ "$(events_in "$log.1")" -ge 1 ]
fi
check events_after_rotation [ "$(events_in "$log")" -ge 1 ]
check no_cut_line sh -c "! cat '$log.renamed' '$log' \$(ls '$log.1' 2>/dev/null) | grep -v '^{.*}\$' | grep -q ."

make -s uninstall DESTDIR="$d" PREFIX=/usr BUILD="$build" >/dev/null
check uninstall_removes sh -c "[ ! -e '$d/usr/sbin/pvmtrace' ] && [ ! -e '$unit' ] && [ ! -e '$d/usr/share/man/man8/pvmtrace.8' ] && [ ! -e '$d/etc/default/pvmtrace' ]"
check uninstall_keeps_edited_allowlist grep -q '^# edited' "$d/etc/pvmtrace/allowlist.conf"

summary
