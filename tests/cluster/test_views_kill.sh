#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Views (needs the view-change core): one of five peers killed with SIGKILL
# in the middle of a flood, without and with emulated loss.  The four
# others suspect it within --suspect, install view 1 without it and
# finish: RESULT status=ok views=1 departed=<its id>, and their log files
# are identical, view line included (checkviews.sh, apart from the server).
. "$(dirname "$0")/lib.sh"
for loss in 0 0.1; do
	stop_pids $PIDS
	PIDS= NPEERS=0
	start_gm
	start_peers 5
	run_cs kill -n 5 -m 100000 --interval 0:0 --loss $loss --suspect 400 \
	    -t 20 -q &
	cs=$!
	PIDS="$PIDS $cs"
	wait_running 3 >/dev/null || fail "loss $loss: run did not start"
	victim=$(peer_with_id 3)
	eval "kill -9 \$PEER_PID_$victim"
	wait $cs
	rc=$?
	cat "$T/kill.out"
	[ $rc -eq 0 ] || fail "loss $loss: comparison_server exited $rc"
	[ "$(result kill status)" = ok ] || fail "loss $loss: status"
	[ "$(result kill views)" = 1 ] || fail "loss $loss: views"
	[ "$(result kill departed)" = 3 ] || fail "loss $loss: departed"
	"$TOP/tests/cluster/checkviews.sh" "$T/logs" "$(result kill run)" 5 \
	    100000 3 total || fail "loss $loss: the survivors' logs"
done
