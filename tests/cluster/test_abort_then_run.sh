#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A run made to hang is torn down, and the next run on the same processes
# works.  One of three peers is frozen with SIGSTOP until the comparison
# server has given up (-t 3; under --on-failure abort the peers' own
# timeouts are far longer, so only the server's ABORT ends the run).  The server names the frozen peer, and
# collects the aborted logs of the two others; after SIGCONT the frozen peer
# takes the ABORT that waited in its queue, and a second run on the same
# three processes ends ok.
. "$(dirname "$0")/lib.sh"
CTLRAW=$TOP/$B/tests/ctlraw
start_gm
start_peers 3 --peer-timeout 600000 --stall-timeout 0
run_cs hung -n 3 -m 1000000 --interval 1:2 -t 3 --on-failure abort &
cs=$!
PIDS="$PIDS $cs"
w=0
until victim=$(peer_with_id 1) &&
    "$CTLRAW" "$(peer_ctl "$victim")" STATUS | grep -qE "delivered=[1-9]"; do
	w=$((w + 1)); [ $w -lt 200 ] || fail "run did not start"; sleep 0.05
done
eval "frozen=\$PEER_PID_$victim"
kill -STOP "$frozen"
wait $cs
rc=$?
kill -CONT "$frozen"
cat "$T/hung.out"
[ $rc -eq 1 ] || fail "comparison_server should exit 1, not $rc"
[ "$(result hung status)" = timeout ] || fail "RESULT status"
run=$(result hung run)
ctl=$(peer_ctl "$victim")
addr="$HOST udp=$(peer_udp "$victim") ctl=${ctl##*:}"
grep -q "^problem: no progress for 3 s: peer 1 ($addr) stopped answering" \
    "$T/hung.out" || fail "the problem line does not name the frozen peer"
grep -q "sending ABORT" "$T/hung.err" || fail "no ABORT sent"
for id in 0 2; do
	head -n 1 "$T/logs/run$run-peer$id.log" | grep -q "status=aborted" ||
	    fail "peer $id did not abort and ship its log"
	grep -qE "^ +$id +$HOST udp=[0-9]+ ctl=[0-9]+ +aborted " "$T/hung.out" ||
	    fail "peer $id is not shown as aborted in the table"
done
grep -qE "^ +1 +$addr +no-log " "$T/hung.out" || fail "the frozen peer's row"
# Thawed, the frozen peer reads the ABORT that waited for it.
w=0
until "$CTLRAW" "$ctl" STATUS | grep -q "^OK state=aborted run=$run "; do
	w=$((w + 1)); [ $w -lt 200 ] || fail "the thawed peer did not abort"
	sleep 0.05
done
run_cs next -n 3 -m 200 -q || { cat "$T/next.out" "$T/next.err"; \
    fail "the second run on the same processes is not ok"; }
[ "$(result next status)" = ok ] || fail "second run status"
check next 3 200 total || fail "second run logs"
