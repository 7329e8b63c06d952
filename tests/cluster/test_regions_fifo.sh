#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# --regions reads a regular file only: a FIFO (which once hung the server
# in open(2), waiting for a writer) is refused at once as a usage error,
# exit 2, and said so; so is a directory.
. "$(dirname "$0")/lib.sh"
mkfifo "$T/fifo" || skip "no mkfifo"
"$BIN/comparison_server" -g 127.0.0.1:1 -m 5 --regions "$T/fifo" \
    >"$T/fifo.out" 2>"$T/fifo.err" &
cs=$!
PIDS="$PIDS $cs"
w=0
while kill -0 "$cs" 2>/dev/null && [ $w -lt 100 ]; do sleep 0.05; w=$((w + 1)); done
kill -0 "$cs" 2>/dev/null && fail "startup blocked on a FIFO as --regions"
wait "$cs"
rc=$?
[ $rc -eq 2 ] || { cat "$T/fifo.err"; fail "FIFO regions file: exit $rc, not 2"; }
grep -q "regions: .*fifo: not a regular file" "$T/fifo.err" || { cat "$T/fifo.err"; fail "no clear message"; }
"$BIN/comparison_server" -g 127.0.0.1:1 -m 5 --regions "$T" 2>"$T/dir.err"
rc=$?
[ $rc -eq 2 ] || fail "a folder as regions file: exit $rc, not 2"
grep -q "not a regular file" "$T/dir.err" || { cat "$T/dir.err"; fail "folder: no clear message"; }
echo ok
