#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# RESULT is the last line of the comparison server's output, also with
# stderr merged into stdout (2>&1 | tail -1): no log line of the LOG
# server ("log of peer K received") races past it, the report files are
# written before it.  Several runs, since what it guards against is a
# race.
. "$(dirname "$0")/lib.sh"
start_gm
start_peers 3
i=0
while [ $i -lt 6 ]; do
	"$BIN/comparison_server" -g "$GM" -b "$HOST" -p 0 -n 3 -m 30 \
	    --interval 0:0 --json "$T/r$i.json" >"$T/r$i.out" 2>&1
	rc=$?
	[ $rc -eq 0 ] || { cat "$T/r$i.out"; fail "run $i: exit $rc"; }
	tail -n 1 "$T/r$i.out" | grep -q "^RESULT run=.* status=ok$" ||
	    { tail -n 4 "$T/r$i.out"; fail "run $i: RESULT is not the last line"; }
	i=$((i + 1))
done
# Two repeats: the RESULT line of each ends its report, the last one last.
"$BIN/comparison_server" -g "$GM" -b "$HOST" -p 0 -n 3 -m 30 -r 2 \
    --interval 0:0 >"$T/rr.out" 2>&1 || { cat "$T/rr.out"; fail "-r 2"; }
[ "$(grep -c '^RESULT' "$T/rr.out")" -eq 2 ] || fail "not two RESULT lines"
tail -n 1 "$T/rr.out" | grep -q "^RESULT run=.* status=ok$" ||
    { tail -n 4 "$T/rr.out"; fail "-r 2: RESULT is not the last line"; }
