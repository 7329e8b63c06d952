#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# SIGINT to the comparison server in the middle of a run: it sends ABORT to
# the peers, collects what they delivered, reports status=aborted with the
# reason "interrupted" (RESULT line, report, JSON) and exits 1, judged
# against what was sent: RESULT's messages=N with 0 < N < 3,000,000, the
# report's "messages=3x1000000 (interrupted: N sent)", at most N delivered
# and fewer than N mismatched rounds; the peers leave the run (STATUS
# state=aborted) and take the next one.
. "$(dirname "$0")/lib.sh"
CTLRAW=$TOP/$B/tests/ctlraw
start_gm
start_peers 3 --peer-timeout 600000 --stall-timeout 0
run_cs int -n 3 -m 1000000 --interval 1:2 --json "$T/int.json" \
    -P "$T/cs.pid" &
cs=$!
PIDS="$PIDS $cs"
wait_line "$T/int.err" "listening for logs" >/dev/null ||
    fail "comparison_server did not start"
PIDS="$PIDS $(cat "$T/cs.pid")"
w=0
until "$CTLRAW" "$(peer_ctl 0)" STATUS | grep -qE "delivered=[1-9]"; do
	w=$((w + 1)); [ $w -lt 200 ] || fail "run did not start"; sleep 0.05
done
# The server itself: $cs is the shell that runs it (and ignores SIGINT).
kill -INT "$(cat "$T/cs.pid")"
wait $cs
rc=$?
cat "$T/int.out"
[ $rc -eq 1 ] || fail "comparison_server should exit 1, not $rc"
[ "$(result int status)" = aborted ] || fail "RESULT status"
grep -q "^problem: interrupted" "$T/int.out" || fail "report: no reason"
# Judged against what was sent, not 3 x 1,000,000 messages.
sent=$(result int messages)
[ "$sent" -gt 0 ] && [ "$sent" -lt 3000000 ] ||
    fail "RESULT judged against $sent messages, not what was sent"
grep -q "^run $(result int run): .* messages=3x1000000 (interrupted: $sent sent) " \
    "$T/int.out" || fail "report: does not say the $sent messages sent"
[ "$(result int delivered_max)" -le "$sent" ] &&
    [ "$(result int mismatched_rounds)" -lt "$sent" ] ||
    fail "RESULT: more delivered or mismatched than the $sent sent"
grep -q '"problem": "interrupted' "$T/int.json" || fail "JSON: no reason"
run=$(result int run)
k=0
while [ $k -lt 3 ]; do
	"$CTLRAW" "$(peer_ctl $k)" STATUS | grep -q "^OK state=aborted run=$run " ||
	    fail "peer $k still in run $run"
	k=$((k + 1))
done
for id in 0 1 2; do
	head -n 1 "$T/logs/run$run-peer$id.log" | grep -q "status=aborted" ||
	    fail "peer $id did not ship an aborted log"
	grep -qE "^ +$id +$HOST udp=[0-9]+ ctl=[0-9]+ +aborted " "$T/int.out" ||
	    fail "peer $id is not shown as aborted"
done
run_cs next -n 3 -m 200 -q || { cat "$T/next.out" "$T/next.err"; \
    fail "the peers did not take the next run"; }
check next 3 200 total || fail "next run logs"
