#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The problem itself: without ordering, under delay jitter, peers deliver
# every message exactly once but in different orders.  The same workload in
# fifo mode keeps per-sender order.
. "$(dirname "$0")/lib.sh"
start_gm
start_peers 4
run_cs none -n 4 -m 300 --order none --delay 1:40 --interval 0:5 -q
rc=$?
out=$(check none 4 300 none) || { echo "$out"; fail "none: logs incomplete"; }
echo "none: $out"
[ $rc -eq 0 ] || fail "none mode should pass when complete (exit $rc)"
mis=${out##*mismatched=}
[ "$mis" -gt 0 ] || fail "none mode under jitter showed no disagreement"
[ "$(result none mismatched_rounds)" -gt 0 ] || fail "RESULT shows none"

run_cs fifo -n 4 -m 300 --order fifo --delay 1:40 --interval 0:5 -q
rc=$?
out=$(check fifo 4 300 fifo) || { echo "$out"; fail "fifo: logs wrong"; }
echo "fifo: $out"
[ $rc -eq 0 ] || fail "fifo run failed (exit $rc)"
[ "$(result fifo fifo_violations)" = 0 ] || fail "fifo violations"
