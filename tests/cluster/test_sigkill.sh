#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A peer killed with SIGKILL in the middle of a run under --on-failure
# abort (without views, as before issue 11): the others abort within their
# peer timeout, keep and ship what they delivered as status=aborted, and
# take the next START; the comparison server names the missing peer and
# exits non-zero.  (test_views_kill.sh: the same under continue.)
. "$(dirname "$0")/lib.sh"
start_gm
start_peers 3 --peer-timeout 1000
run_cs killed -n 3 -m 100000 --interval 1:2 -t 5 --on-failure abort -q &
cs=$!
PIDS="$PIDS $cs"
wait_running 2 >/dev/null || fail "run did not start"
victim=$(peer_with_id 2)
eval "kill -9 \$PEER_PID_$victim"
wait $cs
rc=$?
cat "$T/killed.out"
grep -q " views=" "$T/killed.out" && fail "views in a run under abort"
[ $rc -eq 1 ] || fail "comparison_server should exit 1, not $rc"
grep -q "missing the logs of peers 2 " "$T/killed.err" ||
    fail "the failed peer is not named"
run=$(result killed run)
for id in 0 1; do
	f=$T/logs/run$run-peer$id.log
	head -n 1 "$f" | grep -q "status=aborted" || fail "peer $id log status"
	[ "$(wc -l <"$f")" -gt 1 ] || fail "peer $id kept nothing"
	grep -q "aborted: peer 2 silent" "$T/peer$(peer_with_id $id).err" ||
	    fail "abort reason"
done
# Ready for the next run, with the two that are left.
run_cs next -n 2 -m 50 --on-failure abort -q || fail "the survivors did not take the next run"
check next 2 50 total || fail "next run logs"
