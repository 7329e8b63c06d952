#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Views (needs the view-change core): a peer frozen (SIGSTOP) well past the
# suspicion timeout, then resumed.  The others went on without it and
# finish ok; the resumed peer finds itself left behind, stops, and its log
# says status=excluded.
. "$(dirname "$0")/lib.sh"
start_gm
start_peers 4
run_cs stop -n 4 -m 100000 --interval 0:0 --suspect 300 -t 20 -q &
cs=$!
PIDS="$PIDS $cs"
wait_running 2 >/dev/null || fail "run did not start"
victim=$(peer_with_id 2)
eval "vpid=\$PEER_PID_$victim"
kill -STOP "$vpid"
sleep 1.5	# five suspicion timeouts
kill -CONT "$vpid"
wait $cs
rc=$?
cat "$T/stop.out"
[ $rc -eq 0 ] || fail "comparison_server exited $rc"
[ "$(result stop status)" = ok ] || fail "status"
[ "$(result stop departed)" = 2 ] || fail "departed"
run=$(result stop run)
f=$T/logs/run$run-peer2.log
w=0
until [ -f "$f" ]; do
	w=$((w + 1)); [ $w -lt 200 ] || fail "the excluded peer wrote no log"
	sleep 0.05
done
head -n 1 "$f" | grep -q " status=excluded$" || fail "its log: $(head -n 1 "$f")"
"$TOP/tests/cluster/checkviews.sh" "$T/logs" "$run" 4 100000 2 total ||
    fail "the survivors' logs"
