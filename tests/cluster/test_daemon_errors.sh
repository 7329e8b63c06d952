#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# --daemon startup errors reach the terminal, with the status: one before
# detaching (a port in use: exit 3; a log folder that cannot be made:
# exit 2) is on stderr, and one after it (a pidfile that is a symbolic
# link: exit 3) comes over the pipe to the waiting process, which prints
# it and exits with the daemon's status.  No daemon is left behind.
. "$(dirname "$0")/lib.sh"
start_gm
port=${GM##*:}

# daemon_fails STATUS PATTERN PROG ARGS...
daemon_fails() {
	st=$1 pat=$2; shift 2
	"$BIN/$@" >"$T/d.out" 2>"$T/d.err"
	rc=$?
	[ $rc -eq "$st" ] || { cat "$T/d.err"; fail "$*: exit $rc, not $st"; }
	grep -q -- "FATAL: $pat" "$T/d.err" ||
	    { cat "$T/d.err"; fail "$*: no FATAL line on stderr"; }
	[ ! -s "$T/d.out" ] || fail "$*: wrote on stdout"
}
daemon_fails 3 "cannot listen on $HOST port $port: Address already in use" \
    group_manager --daemon -b "$HOST" -p "$port"
# A folder under a regular file cannot be made, not even by root.
: >"$T/plain"
daemon_fails 2 "cannot create log directory $T/plain/x" \
    peer --daemon -g "$GM" -b "$HOST" -u 0 -p 0 -l "$T/plain/x"
: >"$T/target"
ln -s "$T/target" "$T/pid.lnk"
daemon_fails 3 "pidfile $T/pid.lnk is a symbolic link: refused" \
    group_manager --daemon -b "$HOST" -p 0 -P "$T/pid.lnk" -L "$T/gmd.log"
# The same line in the daemon's own log, and the daemon is gone.
grep -q "FATAL: pidfile $T/pid.lnk is a symbolic link" "$T/gmd.log" ||
    fail "the log file lacks the FATAL line"
"$BIN/mpctl" list "$GM" | grep -q "index" || fail "the first group manager"
# A daemon that starts says nothing on the terminal.
"$BIN/group_manager" --daemon -b "$HOST" -p 0 -P "$T/ok.pid" -L "$T/ok.log" \
    >"$T/ok.out" 2>"$T/ok.err" || fail "group_manager --daemon"
PIDS="$PIDS $(cat "$T/ok.pid")"
[ ! -s "$T/ok.err" ] && [ ! -s "$T/ok.out" ] || { cat "$T/ok.err"; fail "a ready daemon printed"; }
wait_line "$T/ok.log" "listening on" >/dev/null || fail "no listening line"
kill "$(cat "$T/ok.pid")"
