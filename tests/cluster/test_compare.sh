#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The problem and its fix side by side: scripts/cluster.sh --compare runs the
# same workload in none, fifo and total mode; none disagrees under jitter,
# total does not, and fifo keeps per-sender order.
. "$(dirname "$0")/lib.sh"
MPCOMM_BIN=$BIN "$TOP/scripts/cluster.sh" -n 4 -m 150 --delay 1:40 \
    --interval 0:5 --compare --log-dir "$T/logs" >"$T/c.out" 2>"$T/c.err"
rc=$?
cat "$T/c.out"
[ $rc -eq 0 ] || fail "cluster.sh --compare exited $rc"
row() { awk -v m="$1" -v c="$2" '$1 == m && NF == 7 { print $c }' "$T/c.out"; }
[ "$(row none 2)" -gt 0 ] || fail "none: no mismatched rounds"
[ "$(row total 2)" -eq 0 ] || fail "total: mismatched rounds"
[ "$(row fifo 3)" -eq 0 ] || fail "fifo: FIFO violations"
[ "$(row total 3)" -eq 0 ] || fail "total: FIFO violations"
for m in none fifo total; do
	[ "$(row $m 4)" -eq 0 ] && [ "$(row $m 5)" -eq 0 ] ||
	    fail "$m: missing or duplicate messages"
done
for f in "$T"/logs/*.log; do
	r=${f##*/run}; r=${r%%-*}
	echo "$r"
done | sort -u >"$T/runs"
[ "$(wc -l <"$T/runs")" -eq 3 ] || fail "expected logs of 3 runs"
