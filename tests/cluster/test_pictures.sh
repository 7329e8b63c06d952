#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Progress and pictures: the progress line (on a terminal) shows elapsed
# time, rate and ETA in seconds ("2.1s elapsed ... ETA 1.3s") and log
# lines never land on it; the report gives the run's duration and one
# style of durations; above a few hundred positions the run's picture is
# a mismatch-density summary plus a detailed window; the sweep chart has
# round ticks, lines told apart, a flat zero line said in words, and a
# title that says what was run (mode, delay, runs).
. "$(dirname "$0")/lib.sh"
start_gm
start_peers 3
run_cs big -m 150 --order none --delay 0:5 --svg "$T/big.svg" --json "$T/big.json"
grep -q "^duration: " "$T/big.out" || fail "no duration in the report"
grep -qE "[0-9]{5,}us" "$T/big.out" && fail "a duration not in the common style"
run_cs small -m 20 --order total --svg "$T/small.svg"
grep -q "in detail" "$T/big.svg" || fail "450 positions: no detailed window"
grep -qE "first disagreement: position [0-9]+|agree at every position" \
    "$T/big.svg" || fail "450 positions: no summary"
grep -q "in detail" "$T/small.svg" && fail "60 positions: drawn as a summary"
run_cs sw --sweep-peers 2,3 --sweep-messages 5,12 --order total \
    --delay 0:2 -r 2 --svg-summary "$T/sw.svg" || fail "sweep"
grep -q ">order=total, delay 0:2 ms, .* 2 runs per point</text>" "$T/sw.svg" ||
    fail "the sweep chart does not say what was run"
grep -q "every line lies on zero" "$T/sw.svg" || fail "flat zero not said"
[ "$(grep -c "0 in every run" "$T/sw.svg")" -eq 2 ] || fail "zero lines not labelled"
[ "$(grep -o 'stroke-dasharray="[^"]*"' "$T/sw.svg" | sort -u | wc -l)" -ge 2 ] ||
    fail "the lines are not told apart"
grep -q '>15</text>' "$T/sw.svg" || fail "no round tick at 15 messages"
grep -q "latency_p50" "$T/sw.out" || fail "sweep summary"
if command -v xmllint >/dev/null; then
	for f in big small sw; do
		xmllint --noout "$T/$f.svg" || fail "$f.svg is not well-formed"
	done
fi
command -v script >/dev/null || skip "script(1) is not installed (progress line)"
# On a terminal: the progress line, and a log line never after it.
script -qec "$BIN/comparison_server -g $GM -b $HOST -p 0 -m 3000 --interval 0:1 -v" \
    "$T/tty.out" >/dev/null 2>&1 </dev/null || fail "run on a terminal"
grep -aq "elapsed, [0-9]* msgs/s, ETA" "$T/tty.out" || fail "no progress line"
# In a clock's units, as the README shows it: "2.1s elapsed ... ETA 1.3s".
tr '\r' '\n' <"$T/tty.out" | grep -aqE "[0-9]+\.[0-9]s elapsed, [0-9]* msgs/s, ETA ([0-9]+\.[0-9]s|-)" ||
    fail "the progress line's durations are not in seconds"
tr '\r' '\n' <"$T/tty.out" | grep -aE "(ms|us) elapsed|ETA [0-9.]+(ms|us)" &&
    fail "a progress line in ms or us"
tr '\r' '\n' <"$T/tty.out" | grep -a "ETA" | grep -a "Z comparison_server" &&
    fail "a log line landed on the progress line"
exit 0
