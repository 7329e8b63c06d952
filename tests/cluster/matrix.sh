#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The fault matrix: total order over real UDP with emulated loss,
# duplication, delay jitter and pacing, judged from the log files.
#   matrix.sh N M LOSS DUP DELAY INTERVAL
. "$(dirname "$0")/lib.sh"
n=$1 m=$2 loss=$3 dup=$4 delay=$5 interval=$6
start_gm
start_peers "$n"
run_cs run -n "$n" -m "$m" --order total --loss "$loss" --dup "$dup" \
    --delay "$delay" --interval "$interval" --seed "$n$m" -t 60 -q
rc=$?
cat "$T/run.out"
check run "$n" "$m" total || fail "the logs do not show total order"
[ $rc -eq 0 ] || fail "comparison_server exited $rc"
[ "$(result run status)" = ok ] || fail "status is not ok"
[ "$(result run mismatched_rounds)" = 0 ] || fail "mismatched rounds"
