#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The key file: anything but a regular file (a FIFO would block startup) is
# refused at once with exit 2; a key that group or others can read is used
# with a warning, one that only its owner can read without.
. "$(dirname "$0")/lib.sh"
mkfifo "$T/fifo" || skip "no mkfifo"
"$BIN/group_manager" -b 127.0.0.1 -p 0 -k "$T/fifo" 2>"$T/fifo.err" &
gm=$!
PIDS="$PIDS $gm"
w=0
while kill -0 "$gm" 2>/dev/null && [ $w -lt 100 ]; do sleep 0.05; w=$((w + 1)); done
kill -0 "$gm" 2>/dev/null && fail "startup blocked on a FIFO as key file"
wait "$gm"
rc=$?
[ $rc -eq 2 ] || fail "FIFO key file: exit $rc, not 2"
grep -q "not a regular file" "$T/fifo.err" || { cat "$T/fifo.err"; fail "no clear message"; }
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/key"
chmod 644 "$T/key"
start_gm --key-file "$T/key"
grep -q "can be read by group or others (mode 644)" "$T/gm.err" ||
    fail "no warning for a world-readable key"
chmod 600 "$T/key"
"$BIN/group_manager" -b 127.0.0.1 -p 0 -k "$T/key" 2>"$T/gm2.err" &
PIDS="$PIDS $!"
wait_line "$T/gm2.err" "listening on" >/dev/null || fail "mode 600 key"
grep -q "can be read by" "$T/gm2.err" && fail "warned about a mode 600 key"
exit 0
