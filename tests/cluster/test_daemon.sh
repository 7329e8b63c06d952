#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# --daemon --pidfile: detaches, writes the pidfile, serves, stops cleanly on
# SIGTERM and removes the pidfile; SIGHUP reopens the log file.
. "$(dirname "$0")/lib.sh"
"$BIN/group_manager" -b 127.0.0.1 -p 0 --daemon --pidfile "$T/gm.pid" \
    --log-file "$T/gmd.log" || fail "group_manager --daemon"
w=0
while [ ! -s "$T/gm.pid" ] && [ $w -lt 100 ]; do sleep 0.05; w=$((w + 1)); done
[ -s "$T/gm.pid" ] || fail "no pidfile"
pid=$(cat "$T/gm.pid")
PIDS="$PIDS $pid"
kill -0 "$pid" || fail "daemon not running"
l=$(wait_line "$T/gmd.log" "listening on") || fail "no listening line"
GM=127.0.0.1:${l##*:}
"$BIN/peer" -g "$GM" -b 127.0.0.1 -u 0 -p 0 -l "$T/logs" --daemon \
    --pidfile "$T/peer.pid" --log-file "$T/peerd.log" || fail "peer --daemon"
wait_line "$T/peerd.log" "registered at" >/dev/null || fail "peer did not register"
ppid=$(cat "$T/peer.pid")
PIDS="$PIDS $ppid"
[ -d "$T/logs" ] || fail "relative paths resolved before chdir"
"$BIN/mpctl" send "$GM" LIST | grep -q "members=1" || fail "LIST"
mv "$T/gmd.log" "$T/gmd.log.1"
kill -HUP "$pid"
# The signal is handled in the server's loop: the new file appears then,
# and only what is logged after that goes into it.
w=0
while [ ! -e "$T/gmd.log" ] && [ $w -lt 100 ]; do sleep 0.05; w=$((w + 1)); done
"$BIN/mpctl" send "$GM" "BOGUS" >/dev/null
wait_line "$T/gmd.log" "unknown verb" 5 >/dev/null || fail "SIGHUP did not reopen the log"
# The peer first, so that it can unregister.
kill "$ppid"
w=0
while kill -0 "$ppid" 2>/dev/null && [ $w -lt 100 ]; do sleep 0.05; w=$((w + 1)); done
kill "$pid"
w=0
while kill -0 "$pid" 2>/dev/null && [ $w -lt 100 ]; do sleep 0.05; w=$((w + 1)); done
kill -0 "$pid" 2>/dev/null && fail "group manager did not stop"
kill -0 "$ppid" 2>/dev/null && fail "peer did not stop"
[ ! -e "$T/gm.pid" ] && [ ! -e "$T/peer.pid" ] || fail "pidfile left behind"
grep -q "stopped" "$T/peerd.log" || fail "peer did not stop cleanly"
grep -q "unregistered" "$T/gmd.log" || fail "peer did not unregister"
