#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# --daemon and its files: the original process exits only once the daemon
# serves, and non-zero when it died (a pidfile it cannot write); relative
# -P and -L paths stay relative to where it was started (also on SIGHUP);
# the pidfile is locked (a second instance refuses, exit 3, and leaves it
# alone), never followed through a symlink nor written through a hard link
# (each refused, exit 3, with what it is), and removed by its owner only.
. "$(dirname "$0")/lib.sh"
CTLRAW=$TOP/$B/tests/ctlraw
cd "$T" || fail "cd"
GMD="$BIN/group_manager -b 127.0.0.1 -p 0"
$GMD -d -P /nonexistent/x.pid -L "$T/bad.log"
rc=$?
[ $rc -eq 3 ] || fail "a daemon that cannot write its pidfile: exit $rc, not 3"
grep -q "cannot write pidfile /nonexistent/x.pid: No such file" bad.log || fail "not said why"
# Relative paths; no waiting: the parent returns once the daemon serves.
$GMD -d -P gm.pid -L gm.log || fail "group_manager -d"
[ -s gm.pid ] || fail "no pidfile in the starting folder when -d returned"
pid=$(cat gm.pid)
PIDS="$PIDS $pid"
kill -0 "$pid" || fail "daemon not running"
l=$(grep -m1 "listening on" gm.log) || fail "-d returned before the daemon listened"
GM=127.0.0.1:${l##*:}
mv gm.log gm.log.1
kill -HUP "$pid"
"$CTLRAW" "$GM" "BOGUS" >/dev/null
wait_line "$T/gm.log" "unknown verb" 5 >/dev/null || fail "SIGHUP did not reopen the relative log"
# A second instance: refused, exit 3, the pidfile stays the first one's.
$GMD -d -P gm.pid -L gm2.log
rc=$?
[ $rc -eq 3 ] || fail "second daemon instance: exit $rc, not 3"
$GMD -P "$T/gm.pid" 2>fg.err
rc=$?
[ $rc -eq 3 ] || fail "second foreground instance: exit $rc, not 3"
grep -q "held by another running instance" fg.err || { cat fg.err; fail "no clear message"; }
[ "$(cat gm.pid)" = "$pid" ] || fail "a second instance changed the pidfile"
# A symlink planted as the pidfile is not followed.
echo keep >victim
ln -s victim link.pid
$GMD -P "$T/link.pid" 2>link.err
rc=$?
[ $rc -eq 3 ] || fail "pidfile through a symlink: exit $rc, not 3"
[ "$(cat victim)" = keep ] || fail "the symlink's target was overwritten"
grep -q "is a symbolic link: refused" link.err || { cat link.err; fail "symlink: no clear message"; }
# Nor written through a hard link: the other name would be overwritten.
echo keep >victim2
ln victim2 hard.pid || fail "ln"
$GMD -P "$T/hard.pid" 2>hard.err &
hpid=$!
PIDS="$PIDS $hpid"
w=0
while kill -0 "$hpid" 2>/dev/null && [ $w -lt 100 ]; do sleep 0.05; w=$((w + 1)); done
kill -0 "$hpid" 2>/dev/null && fail "a pidfile with a hard link was taken"
wait "$hpid"
rc=$?
[ $rc -eq 3 ] || fail "pidfile with a hard link: exit $rc, not 3"
[ "$(cat victim2)" = keep ] || fail "the hard link's other name was overwritten"
grep -q "has another name (a hard link): refused" hard.err || { cat hard.err; fail "hard link: no clear message"; }
# The owner removes its pidfile when it stops.
kill "$pid"
w=0
while kill -0 "$pid" 2>/dev/null && [ $w -lt 100 ]; do sleep 0.05; w=$((w + 1)); done
kill -0 "$pid" 2>/dev/null && fail "daemon did not stop"
[ ! -e gm.pid ] || fail "pidfile left behind"
[ ! -e /gm.pid ] && [ ! -e /gm.log ] || fail "files created in /"
