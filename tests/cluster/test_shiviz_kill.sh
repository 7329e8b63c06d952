#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The ShiViz export after a departure: one of four traced peers killed
# with SIGKILL early in the run, while its first messages are traced; its
# trace is lost with it.  The export is checked by tests/cluster/vclock.py,
# written apart from the exporter, with ShiViz's own rules: each host's own
# entry grows by one per event, no entry for an unknown host, a receipt's
# clock covers its send's, and a receipt is written after its send whenever
# a trace holds the send.  The lanes picture of the same run (past 300
# positions) keeps the view-change marker, counts the positions the report
# counts, and its captions fit its width.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 is not installed"
start_gm
start_peers 4
run_cs kill -n 4 -m 200 --interval 4:4 --suspect 400 --trace 40 -t 20 \
    --shiviz "$T/kill.shiviz" --svg "$T/kill.svg" --json "$T/kill.json" &
cs=$!
PIDS="$PIDS $cs"
wait_running 3 >/dev/null || fail "the run did not start"
victim=$(peer_with_id 3)
eval "kill -9 \$PEER_PID_$victim"
wait $cs
rc=$?
[ $rc -eq 0 ] || { cat "$T/kill.out" "$T/kill.err"; fail "comparison_server exited $rc"; }
[ "$(result kill departed)" = 3 ] || { cat "$T/kill.out"; fail "peer 3 did not depart"; }
python3 "$TOP/tests/cluster/vclock.py" "$T/kill.shiviz" --dead 3 ||
    fail "the ShiViz log after a departure breaks ShiViz's rules"
echo "ok"
