#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The problem and its fixes side by side: scripts/cluster.sh --compare LIST
# runs the same workload in each mode and prints one table.  none disagrees
# under jitter, total does not, fifo keeps per-sender order; the table's
# causal column agrees, run by run, with checkcausal.py over the logs (which
# is written apart from the comparison server), and causal has none.  A
# bare --compare is none, fifo and total; --svg-compare draws the table.
. "$(dirname "$0")/lib.sh"
cc=$TOP/tests/cluster/checkcausal.py
MPCOMM_BIN=$BIN "$TOP/scripts/cluster.sh" -n 4 -m 150 --delay 1:40 \
    --interval 0:5 --compare none,fifo,causal,total --log-dir "$T/logs" \
    --svg-compare "$T/cmp.svg" >"$T/c.out" 2>"$T/c.err"
rc=$?
cat "$T/c.out"
[ $rc -eq 0 ] || fail "cluster.sh --compare exited $rc"
# The table: order status mismatched fifo causal lat_p50 lat_p99 p50/d
# dg/msg B/msg msgs/s.
row() { awk -v m="$1" -v c="$2" '$1 == m && NF == 11 { print $c }' "$T/c.out"; }
for m in none fifo causal total; do
	[ "$(row $m 2)" = ok ] || fail "$m: status"
done
[ "$(row none 3)" -gt 0 ] || fail "none: no mismatched rounds"
[ "$(row total 3)" -eq 0 ] || fail "total: mismatched rounds"
[ "$(row fifo 4)" -eq 0 ] || fail "fifo: FIFO violations"
[ "$(row causal 4)" -eq 0 ] || fail "causal: FIFO violations"
[ "$(row total 4)" -eq 0 ] || fail "total: FIFO violations"
[ "$(row none 5)" -gt 0 ] || fail "none: no causal violation under jitter"
# Each RESULT line's run against the logs, in the table's order.
k=0
for run in $(sed -n 's/^RESULT run=\([0-9]*\) .*/\1/p' "$T/c.out"); do
	k=$((k + 1))
	m=$(sed -n "s/^RESULT run=$run order=\([a-z]*\) .*/\1/p" "$T/c.out")
	out=$("$cc" "$T/logs" "$run" 4)
	echo "$m: $out"
	n=$(echo "$out" | sed -n 's/.*causal_violations=\([0-9]*\).*/\1/p')
	[ "$n" = "$(row "$m" 5)" ] ||
	    fail "$m: the table's causal violations are not checkcausal.py's"
done
[ $k -eq 4 ] || fail "expected 4 runs, got $k"
grep -q "<svg" "$T/cmp.svg" && grep -q ">causal<" "$T/cmp.svg" ||
    fail "--svg-compare: no chart of the four modes"
if command -v xmllint >/dev/null 2>&1; then
	xmllint --noout "$T/cmp.svg" || fail "--svg-compare: not well-formed"
fi

# A bare --compare: none, fifo and total.
MPCOMM_BIN=$BIN "$TOP/scripts/cluster.sh" -n 3 -m 20 --delay 0:2 \
    --compare >"$T/bare.out" 2>"$T/bare.err" || fail "bare --compare"
[ "$(awk 'NF == 11 && $2 == "ok" { printf "%s ", $1 }' "$T/bare.out")" = \
    "none fifo total " ] || fail "bare --compare: not none, fifo, total"
exit 0
