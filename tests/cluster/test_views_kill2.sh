#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Views (needs the view-change core): two of five peers killed at once
# mid-flood.  The three others (still a majority) leave both behind, in
# one view change or two, and finish ok; their logs agree.
. "$(dirname "$0")/lib.sh"
start_gm
start_peers 5
run_cs kill2 -n 5 -m 100000 --interval 0:0 --suspect 400 -t 20 -q &
cs=$!
PIDS="$PIDS $cs"
wait_running 1 >/dev/null || fail "run did not start"
a=$(peer_with_id 1) b=$(peer_with_id 3)
eval "kill -9 \$PEER_PID_$a \$PEER_PID_$b"
wait $cs
rc=$?
cat "$T/kill2.out"
[ $rc -eq 0 ] || fail "comparison_server exited $rc"
[ "$(result kill2 status)" = ok ] || fail "status"
case $(result kill2 views) in 1|2) ;; *) fail "views" ;; esac
[ "$(result kill2 departed)" = 1,3 ] || fail "departed"
"$TOP/tests/cluster/checkviews.sh" "$T/logs" "$(result kill2 run)" 5 100000 \
    1,3 total || fail "the survivors' logs"
