#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A peer frozen (SIGSTOP) for half the peer timeout in the middle of a
# flood, then resumed (SIGCONT): the others wait for it (the suspicion
# timeout is longer than the freeze), resend what it missed, and the run
# ends ok, in total order, without a view change.
. "$(dirname "$0")/lib.sh"
start_gm
start_peers 3 --peer-timeout 3000
run_cs frozen -n 3 -m 300000 --interval 0:0 --suspect 2500 -t 30 -q &
cs=$!
PIDS="$PIDS $cs"
wait_running 1 >/dev/null || fail "run did not start"
victim=$(peer_with_id 1)
eval "vpid=\$PEER_PID_$victim"
kill -STOP "$vpid"
sleep 1.5	# the fault itself: half the peer timeout
kill -CONT "$vpid"
wait $cs
rc=$?
cat "$T/frozen.out"
[ $rc -eq 0 ] || fail "comparison_server exited $rc"
[ "$(result frozen status)" = ok ] || fail "status is not ok"
check frozen 3 300000 total || fail "logs"
