#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A sweep of 2 peer counts x 2 message counts x 3 runs: the summary table,
# a CSV of 12 rows, and the chart; with -q only the RESULT lines, no
# summary; --trace N is taken as cluster.sh takes it (as --trace=N).
. "$(dirname "$0")/lib.sh"
start_gm
start_peers 3
run_cs sweep --sweep-peers 2,3 --sweep-messages 10,20 -r 3 --order none \
    --delay 0:10 --csv "$T/s.csv" --svg-summary "$T/s.svg"
rc=$?
[ $rc -eq 0 ] || fail "sweep exited $rc"
[ "$(grep -c '^RESULT' "$T/sweep.out")" -eq 12 ] || fail "12 RESULT lines"
[ "$(tail -n +2 "$T/s.csv" | wc -l)" -eq 12 ] || fail "CSV rows"
grep -q "sweep summary" "$T/sweep.out" || fail "no summary"
[ "$(grep -cE '^ +[23] +(10|20) +3 ' "$T/sweep.out")" -eq 4 ] ||
    fail "summary rows"
run_cs q --sweep-peers 2 --sweep-messages 5 --trace 100 -q
rc=$?
[ $rc -eq 0 ] || { cat "$T/q.err"; fail "-q --trace 100 sweep: exit $rc"; }
[ "$(grep -c '^RESULT' "$T/q.out")" -eq 1 ] || fail "-q: the RESULT line"
[ "$(grep -vc '^RESULT' "$T/q.out")" -eq 0 ] ||
    { cat "$T/q.out"; fail "-q printed more than the RESULT lines"; }
command -v xmllint >/dev/null || skip "xmllint is not installed"
xmllint --noout "$T/s.svg" || fail "chart is not well-formed"
[ "$(grep -c '<polyline' "$T/s.svg")" -eq 2 ] || fail "one line per peer count"
