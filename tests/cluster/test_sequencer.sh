#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The fixed sequencer (--order sequencer, issue 22; mpcomm(7) Q1 to Q4) on
# real processes: five peers at 10 % emulated loss and delay jitter end ok
# with identical logs (checklogs.sh, written apart from the core); and the
# sequencer itself, peer 0 (the lowest id), killed mid-flood leaves four
# survivors that finish ok in view 1 under the next lowest id, their logs
# identical, view line included (checkviews.sh).
. "$(dirname "$0")/lib.sh"
start_gm
start_peers 5
run_cs seq -n 5 -m 300 --order sequencer --loss 0.1 --delay 1:20 \
    --interval 0:5 -q
rc=$?
cat "$T/seq.out"
[ $rc -eq 0 ] || fail "sequencer: comparison_server exited $rc"
[ "$(result seq status)" = ok ] || fail "sequencer: status"
[ "$(result seq mismatched_rounds)" = 0 ] || fail "sequencer: mismatched"
out=$(check seq 5 300 sequencer) || { echo "$out"; fail "sequencer: logs"; }
echo "sequencer: $out"

stop_pids $PIDS
PIDS= NPEERS=0
start_gm
start_peers 5
run_cs kill -n 5 -m 100000 --order sequencer --interval 0:0 --loss 0.1 \
    --suspect 400 -t 20 -q &
cs=$!
PIDS="$PIDS $cs"
wait_running 3 >/dev/null || fail "kill: run did not start"
victim=$(peer_with_id 0)
eval "kill -9 \$PEER_PID_$victim"
wait $cs
rc=$?
cat "$T/kill.out"
[ $rc -eq 0 ] || fail "kill: comparison_server exited $rc"
[ "$(result kill status)" = ok ] || fail "kill: status"
[ "$(result kill views)" = 1 ] || fail "kill: views"
[ "$(result kill departed)" = 0 ] || fail "kill: departed"
"$TOP/tests/cluster/checkviews.sh" "$T/logs" "$(result kill run)" 5 \
    100000 0 sequencer || fail "kill: the survivors' logs"
echo "PASS"
