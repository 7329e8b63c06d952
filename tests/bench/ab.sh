#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The A/B behind `make bench-ab`: two builds of MPComm measured in the same
# run, their runs interleaved (A, B, A, B, ...) so that whatever else the
# machine does falls on both.  Not part of `make check`; it asserts nothing
# and exits 1 only when a run failed (2 on a usage error, 3 when a cluster
# does not start).
#
#   tests/bench/ab.sh [--rounds R] [--json FILE] DIR_A DIR_B
#
# DIR_A and DIR_B are build folders (bin/peer, bin/group_manager,
# bin/comparison_server, bin/mpctl).  One localhost cluster of 16 peers
# each; for N in 3 8 16, R rounds (default 5) of a total-order flood
# (--interval 0:0, as many messages as bench.sh's) on each, and the
# medians of messages/s and CPU seconds per 100,000 deliveries, B/A.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
rounds=5 json=
usage() { sed -n '3,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) [ $# -ge 2 ] || usage; rounds=$2; shift 2 ;;
	--json) [ $# -ge 2 ] || usage; json=$2; shift 2 ;;
	-*) usage ;;
	*) break ;;
	esac
done
if [ $# -ne 2 ] || ! [ "$rounds" -ge 1 ] 2>/dev/null; then usage; fi
for d in "$1" "$2"; do
	for p in peer group_manager comparison_server mpctl; do
		[ -x "$d/bin/$p" ] || { echo "ab: no $d/bin/$p" >&2; exit 2; }
	done
done
dir_a=$(cd "$1" && pwd) dir_b=$(cd "$2" && pwd)
bin_a=$dir_a/bin bin_b=$dir_b/bin
. "$top/tests/bench/lib.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/mpcomm-ab.XXXXXX") || exit 3
pids='' cs=''
cleanup() {
	for p in $cs $pids; do kill "$p" 2>/dev/null; done
	sleep 0.3
	for p in $cs $pids; do kill -9 "$p" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

sizes="3 8 16"
mkdir "$T/a" "$T/b"
start_cluster "$bin_a" "$T/a" 16
gm_a=$gm
start_cluster "$bin_b" "$T/b" 16
gm_b=$gm

# flood X N: one run of N peers on cluster X (a or b); its msgs/s and
# cpu_s/100k (columns 22 and 25 of the CSV row) go to $T/X-N.rows.
failed=0
flood() {
	case $1 in a) xbin=$bin_a xgm=$gm_a ;; *) xbin=$bin_b xgm=$gm_b ;; esac
	rm -f "$T/$1/logs"/* "$T/run.csv"
	"$xbin/comparison_server" -g "$xgm" -b 127.0.0.1 -p 0 -q -t 60 \
	    --csv "$T/run.csv" -n "$2" -m "$(m_for "$2")" --order total \
	    --interval 0:0 >"$T/run.out" 2>"$T/run.err" &
	cs=$!
	if wait "$cs"; then
		[ "$(head -n 1 "$T/run.csv" | cut -d, -f22,25)" = \
		    throughput,cpu_s_per_100k_deliveries ] ||
		    { echo "ab: columns 22 and 25 of the CSV are not what we read" >&2; exit 3; }
		tail -n 1 "$T/run.csv" | cut -d, -f22,25 | tr , ' ' >>"$T/$1-$2.rows"
	else
		echo "ab: run of $1 with n=$2 failed:" >&2
		cat "$T/run.out" "$T/run.err" >&2
		failed=$((failed + 1))
	fi
	cs=
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
for n in $sizes; do
	: >"$T/a-$n.rows"; : >"$T/b-$n.rows"
	r=0
	while [ $r -lt "$rounds" ]; do
		flood a "$n"
		flood b "$n"
		r=$((r + 1))
	done
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)

# med X N K: the median of field K (1 msgs/s, 2 cpu) over X's runs of N.
med() { cut -d' ' -f"$3" "$T/$1-$2.rows" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a ? b / a : 0 }'; }
list() { cut -d' ' -f"$3" "$T/$1-$2.rows" | paste -sd, -; }

echo "A: $dir_a"
echo "B: $dir_b"
printf '%3s %7s %7s %10s %10s %6s %11s %11s %6s\n' N M runs A_msgs/s \
    B_msgs/s B/A A_cpu/100k B_cpu/100k B/A
json_rows=
for n in $sizes; do
	ta=$(med a "$n" 1) tb=$(med b "$n" 1) ca=$(med a "$n" 2) cb=$(med b "$n" 2)
	printf '%3s %7s %7s %10s %10s %6s %11s %11s %6s\n' "$n" "$(m_for "$n")" \
	    "$(wc -l <"$T/a-$n.rows")/$(wc -l <"$T/b-$n.rows")" "$ta" "$tb" \
	    "$(ratio "$ta" "$tb")" "$ca" "$cb" "$(ratio "$ca" "$cb")"
	json_rows="$json_rows{\"peers\": $n, \"messages_per_peer\": $(m_for "$n"), \"a_messages_per_s\": $ta, \"b_messages_per_s\": $tb, \"messages_per_s_b_over_a\": $(ratio "$ta" "$tb"), \"a_cpu_s_per_100k_deliveries\": $ca, \"b_cpu_s_per_100k_deliveries\": $cb, \"cpu_b_over_a\": $(ratio "$ca" "$cb"), \"a_runs\": {\"messages_per_s\": [$(list a "$n" 1)], \"cpu_s_per_100k_deliveries\": [$(list a "$n" 2)]}, \"b_runs\": {\"messages_per_s\": [$(list b "$n" 1)], \"cpu_s_per_100k_deliveries\": [$(list b "$n" 2)]}},
"
done
echo "medians of $rounds interleaved round(s) (runs: A/B that succeeded); total order, --interval 0:0"
echo "load average before: $load0, after: $load1"
if [ -n "$json" ]; then
	{
		echo "{\"a\": \"$dir_a\", \"b\": \"$dir_b\", \"rounds\": $rounds, \"load_before\": \"$load0\", \"load_after\": \"$load1\", \"results\": ["
		printf '%s' "$json_rows" | sed '$ s/,$//'
		echo "]}"
	} >"$json"
	echo "JSON: $json"
fi
[ $failed -eq 0 ]
