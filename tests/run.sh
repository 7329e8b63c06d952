#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The test runner behind `make check`: unit tests, the simulation (and its
# broken variants), then the cluster tests on real processes.  Each test's
# output goes to a log that is shown when it fails.  The last line is
# "N passed, N failed, N skipped".
#
#   tests/run.sh [unit|sim|cluster]...     (default: all three)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
B=${B:-build}
SEEDS=${SEEDS:-2000}
export B
passed=0 failed=0 skipped=0
failures=
out=$(mktemp "${TMPDIR:-/tmp}/mpcomm-run.XXXXXX")
trap 'rm -f "$out"' EXIT

# t NAME COMMAND...: runs one test.
t() {
	name=$1; shift
	start=$(date +%s)
	"$@" >"$out" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0)	passed=$((passed + 1)); printf 'ok    %-58s %3ss\n' "$name" "$secs" ;;
	77)	skipped=$((skipped + 1))
		printf 'skip  %-58s %s\n' "$name" "$(grep -m1 SKIP "$out")" ;;
	*)	failed=$((failed + 1)); failures="$failures $name"
		printf 'FAIL  %-58s %3ss\n' "$name" "$secs"
		sed 's/^/      | /' "$out" | tail -n 40 ;;
	esac
}

unit() {
	for u in "$B"/tests/test_*; do
		t "unit/$(basename "$u")" "$u"
	done
}

sim() {
	s=$B/tests/sim
	t "sim/total: $SEEDS seeds" "$s" --seeds "$SEEDS"
	t "sim/flood: $((SEEDS / 10)) seeds" "$s" --flood --seeds $((SEEDS / 10))
	t "sim/regression cases (deadlocks of real runs)" "$s" --case all
	t "sim/fifo: 500 seeds" "$s" --order fifo --seeds 500
	t "sim/none disagrees under jitter" "$s" --order none --seeds 200 \
	    --expect-disagreement
	t "sim/causal: $((SEEDS / 2)) seeds" "$s" --order causal \
	    --seeds $((SEEDS / 2))
	t "sim/causal flood: $((SEEDS / 20)) seeds" "$s" --order causal \
	    --flood --seeds $((SEEDS / 20))
	t "sim/causal, broken variant caught: causal-fifo" "$s" --order causal \
	    --flaw causal-fifo --seeds 500 --expect-violation
	t "sim/sequencer: $((SEEDS / 2)) seeds" "$s" --order sequencer \
	    --seeds $((SEEDS / 2))
	t "sim/sequencer flood: $((SEEDS / 20)) seeds" "$s" --order sequencer \
	    --flood --seeds $((SEEDS / 20))
	t "sim/sequencer, broken variant caught: seq-no-order" "$s" \
	    --order sequencer --flaw seq-no-order --seeds 500 --expect-violation
	for f in no-holdback early-count no-ack-wait late-clock; do
		t "sim/broken variant caught: $f" "$s" --flaw "$f" --seeds 500 \
		    --expect-violation
	done
	t "sim/views: $((SEEDS / 10)) seeds (crashes, pauses, partitions)" \
	    "$s" --views --seeds $((SEEDS / 10))
	t "sim/views, fifo: $((SEEDS / 20)) seeds" "$s" --views --order fifo \
	    --seeds $((SEEDS / 20))
	t "sim/views, none: $((SEEDS / 20)) seeds" "$s" --views --order none \
	    --seeds $((SEEDS / 20))
	t "sim/views, causal: $((SEEDS / 20)) seeds" "$s" --views \
	    --order causal --seeds $((SEEDS / 20))
	t "sim/views, sequencer: $((SEEDS / 20)) seeds" "$s" --views \
	    --order sequencer --seeds $((SEEDS / 20))
	t "sim/views, broken variant caught: seq-renumber" "$s" --views \
	    --order sequencer --flaw seq-renumber --seeds 2000 --expect-violation
	t "sim/views, broken variant caught: causal-flush" "$s" --views \
	    --order causal --flaw causal-flush --seeds 2000 --expect-violation
	for f in no-relay no-flush minority excluded-on; do
		t "sim/views, broken variant caught: $f" "$s" --views \
		    --flaw "$f" --seeds 2000 --expect-violation
	done
}

cluster() {
	c=tests/cluster
	#                      N  M    loss dup  delay interval
	for args in "2 400 0    0    0:0   0:0" \
		    "3 300 0    0    0:0   0:2" \
		    "5 200 0    0.05 0:10  0:0" \
		    "8 150 0    0    0:0   0:0" \
		    "2 300 0.1  0.05 0:20  0:0" \
		    "3 200 0.1  0.05 0:10  0:3" \
		    "5 150 0.1  0.05 1:20  0:0" \
		    "8 100 0.1  0.05 0:20  0:2" \
		    "2 200 0.3  0.05 0:10  0:0" \
		    "3 150 0.3  0.05 0:10  0:2" \
		    "5 100 0.3  0.05 0:20  0:0" \
		    "8 60  0.3  0.05 0:10  0:0"; do
		# shellcheck disable=SC2086
		set -- $args
		t "cluster/total n=$1 m=$2 loss=$3 dup=$4 delay=$5 int=$6" \
		    $c/matrix.sh "$@"
	done
	for s in $c/test_*.sh; do
		t "cluster/$(basename "$s" .sh)" "$s"
	done
}

[ $# -gt 0 ] || set -- unit sim cluster
for what in "$@"; do
	case $what in
	unit|sim|cluster) $what ;;
	*) echo "usage: tests/run.sh [unit|sim|cluster]..." >&2; exit 2 ;;
	esac
done
[ -z "$failures" ] || echo "failed:$failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
