#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Causal order (--order causal, issue 22) on real processes, judged by
# checkcausal.py, written apart from the core and the comparison server:
# five peers at 10 % emulated loss and delay jitter deliver every message
# once, in FIFO order (checklogs.sh) and never before one of its causal
# predecessors; the same workload without ordering, with the delay spread
# wider than the pacing, breaks causality, so the checker can fail; and a
# peer killed mid-flood leaves four survivors that finish ok in view 1,
# their logs causal too (checkviews.sh, checkcausal.py).
. "$(dirname "$0")/lib.sh"
cc=$TOP/tests/cluster/checkcausal.py
start_gm
start_peers 5
run_cs causal -n 5 -m 300 --order causal --loss 0.1 --delay 1:20 \
    --interval 0:5 -q
rc=$?
cat "$T/causal.out"
[ $rc -eq 0 ] || fail "causal: comparison_server exited $rc"
[ "$(result causal status)" = ok ] || fail "causal: status"
[ "$(result causal causal_violations)" = 0 ] || fail "causal: RESULT counts violations"
out=$(check causal 5 300 causal) || { echo "$out"; fail "causal: logs"; }
echo "causal: $out"
"$cc" "$T/logs" "$(result causal run)" 5 || fail "causal: checkcausal.py"

run_cs none -n 5 -m 300 --order none --delay 1:40 --interval 0:5 -q \
    --json "$T/none.json"
rc=$?
[ $rc -eq 0 ] || fail "none: comparison_server exited $rc"
out=$("$cc" "$T/logs" "$(result none run)" 5)
rc=$?
echo "none: $out"
[ $rc -eq 1 ] || fail "none: checkcausal.py found no violation (exit $rc)"
grep -q '"causal_violations": [1-9]' "$T/none.json" ||
    fail "none: the JSON counts no causal violation"

stop_pids $PIDS
PIDS= NPEERS=0
start_gm
start_peers 5
run_cs kill -n 5 -m 100000 --order causal --interval 0:0 --loss 0.1 \
    --suspect 400 -t 20 -q &
cs=$!
PIDS="$PIDS $cs"
wait_running 3 >/dev/null || fail "kill: run did not start"
victim=$(peer_with_id 3)
eval "kill -9 \$PEER_PID_$victim"
wait $cs
rc=$?
cat "$T/kill.out"
[ $rc -eq 0 ] || fail "kill: comparison_server exited $rc"
[ "$(result kill status)" = ok ] || fail "kill: status"
[ "$(result kill views)" = 1 ] || fail "kill: views"
[ "$(result kill departed)" = 3 ] || fail "kill: departed"
"$TOP/tests/cluster/checkviews.sh" "$T/logs" "$(result kill run)" 5 \
    100000 3 causal || fail "kill: the survivors' logs"
"$cc" "$T/logs" "$(result kill run)" 5 --absent 3 ||
    fail "kill: checkcausal.py on the survivors"
echo "PASS"
