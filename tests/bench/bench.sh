#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The benchmark behind `make bench` (and `make bench-quick`): real localhost
# clusters, each figure the median of several runs, all in one table, with
# the machine's own loopback UDP rate measured in the same run as the
# yardstick.  Not part of `make check`; it asserts nothing.
#
#   tests/bench/bench.sh [--quick] [--runs R] [--json FILE]
#
# Flood (--interval 0:0) in total and none mode for N in 2 3 5 8 16:
# messages/s delivered at each peer (N*M over first send to last delivery),
# datagrams and bytes sent per message, CPU seconds per 100,000 deliveries
# (all peers, getrusage), peak RSS per peer.  Own-message latency at 1,000
# messages/s per peer for N = 3 and 8, and with 20 ms one-way delay.
# Goodput under trouble, each also as a ratio to the lossless flood of the
# same N in the same run: 3-peer floods at 10 % and 30 % emulated loss, and
# a 3-peer flood during which one peer is frozen (SIGSTOP) for 1 s.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build}
bin=$top/$B/bin
runs=3 quick=0 json=
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1; shift ;;
	--runs) runs=$2; shift 2 ;;
	--json) json=$2; shift 2 ;;
	*) sed -n '3,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done
[ $quick -eq 1 ] && [ "$runs" = 3 ] && runs=1
[ -x "$bin/peer" ] || make -s -C "$top" || exit 3
. "$top/tests/bench/lib.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/mpcomm-bench.XXXXXX") || exit 3
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	sleep 0.3
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ $quick -eq 1 ]; then maxn=8; sizes="3 8"; else maxn=16; sizes="2 3 5 8 16"; fi
start_cluster "$bin" "$T" $maxn

# measure NAME ARGS...: runs the comparison server R times; keeps CSV rows
# and the worst own-message latency of each run.  With FREEZE=1, once a
# run delivers, one of its peers is frozen for a second (an outage both
# ways).
measure() {
	name=$1; shift
	: >"$T/$name.rows"
	r=0
	while [ $r -lt "$runs" ]; do
		rm -f "$T"/logs/*
		"$bin/comparison_server" -g "$gm" -b 127.0.0.1 -p 0 -q -t 60 \
		    --csv "$T/run.csv" --json "$T/run.json" "$@" \
		    >"$T/run.out" 2>"$T/run.err" &
		cs=$!
		[ "${FREEZE:-0}" = 1 ] && freeze_one "$name"
		wait "$cs" || { echo "bench: run $name failed:" >&2; cat "$T/run.out" >&2; }
		max=$(grep -o '"max": [0-9]*' "$T/run.json" | awk '$2 > m { m = $2 } END { print m + 0 }')
		tail -n 1 "$T/run.csv" | awk -F, -v max="$max" '{ print $0 "," max }' >>"$T/$name.rows"
		r=$((r + 1))
	done
}

# freeze_one NAME: SIGSTOP for 1 s to a peer of ours that is running.
freeze_one() {
	victim=
	w=0
	while [ -z "$victim" ] && [ $w -lt 400 ]; do
		for c in $("$top/$B/tests/ctlraw" "$gm" LIST | sed -n 's/.* ctl=\([0-9]*\).*/\1/p'); do
			"$top/$B/tests/ctlraw" "127.0.0.1:$c" STATUS 2>/dev/null |
			    grep -qE "state=running.* delivered=[1-9]" && { victim=$c; break; }
		done
		sleep 0.01; w=$((w + 1))
	done
	# The peer listening on that control port, if it is one of ours.
	vpid=$(ss -Htlnp "sport = :${victim:-0}" 2>/dev/null |
	    sed -n 's/.*pid=\([0-9]*\),.*/\1/p' | head -n 1)
	case " $pids " in *" ${vpid:-none} "*) ;; *) vpid= ;; esac
	if [ -n "$vpid" ]; then
		kill -STOP "$vpid"; sleep 1; kill -CONT "$vpid"
	else
		echo "bench: $1: no peer to freeze (the run ended first?)" >&2
	fi
}
# col NAME K: the median of CSV column K over the runs of NAME.
col() { cut -d, -f"$2" "$T/$1.rows" | median; }

udp=$("$top/$B/tests/udprate" 1200 1 | sed -n 's/.*datagrams_per_s=\([0-9]*\).*/\1/p')
[ $quick -eq 1 ] && m_for() { case $1 in 3) echo 60000 ;; *) echo 10000 ;; esac; }

printf '%-22s %10s %7s %9s %9s %11s %8s %9s %9s %9s\n' test msgs/s x_udp \
    dgram/msg bytes/msg cpu_s/100k rss_kb lat_p50 lat_p99 lat_max
row() {	# row LABEL NAME
	tput=$(col "$2" 22)
	printf '%-22s %10s %7s %9s %9s %11s %8s %8sus %8sus %8sus\n' "$1" \
	    "$tput" "$(awk -v a="$tput" -v b="$udp" 'BEGIN { printf "%.2f", a / b }')" \
	    "$(col "$2" 23)" "$(col "$2" 24)" "$(col "$2" 25)" "$(col "$2" 26)" \
	    "$(col "$2" 19)" "$(col "$2" 20)" "$(col "$2" 29)"
	json_rows="$json_rows{\"test\": \"$1\", \"messages_per_s\": $tput, \"ratio_to_udp\": $(awk -v a="$tput" -v b="$udp" 'BEGIN { printf "%.3f", a / b }'), \"datagrams_per_message\": $(col "$2" 23), \"bytes_per_message\": $(col "$2" 24), \"cpu_s_per_100k_deliveries\": $(col "$2" 25), \"peak_rss_kb\": $(col "$2" 26), \"latency_p50_us\": $(col "$2" 19), \"latency_p99_us\": $(col "$2" 20), \"latency_max_us\": $(col "$2" 29)},
"
}
json_rows=
for mode in total none; do
	for n in $sizes; do
		measure "flood-$mode-$n" -n "$n" -m "$(m_for "$n")" --order "$mode" \
		    --interval 0:0
		row "flood $mode n=$n" "flood-$mode-$n"
	done
done
# trouble ROW NAME: a row whose goodput is also a ratio to the lossless
# 3-peer flood of this run.
trouble() {
	row "$1" "$2"
	g=$(awk -v a="$(col "$2" 22)" -v b="$(col flood-total-3 22)" \
	    'BEGIN { printf "%.3f", b ? a / b : 0 }')
	trouble_rows="$trouble_rows$(printf '%-22s goodput %s x lossless' "$1" "$g")
"
	json_trouble="$json_trouble\"$2\": $g, "
}
trouble_rows= json_trouble=
m3=$(m_for 3)
for l in 10 30; do
	measure "loss$l-3" -n 3 -m "$m3" --order total --interval 0:0 \
	    --loss "0.$l" --seed "$l"
	trouble "flood total n=3 $l%" "loss$l-3"
done
FREEZE=1
# An outage, not a failure: the suspicion timeout is above the freeze.
measure "outage-3" -n 3 -m "$m3" --order total --interval 0:0 --suspect 5000
FREEZE=0
trouble "flood n=3 1s outage" "outage-3"
for n in 3 8; do
	measure "paced-$n" -n "$n" -m "$([ $quick -eq 1 ] && echo 1000 || echo 3000)" \
	    --interval 1:1
	row "1000/s total n=$n" "paced-$n"
done
measure "delay-3" -n 3 -m "$([ $quick -eq 1 ] && echo 300 || echo 1000)" \
    --interval 1:1 --delay 20:20
row "1000/s d=20ms n=3" "delay-3"
# failover SUSPECT: runs a 5-peer flood R times; once it delivers, one of
# our peers is killed (SIGKILL) and unregistered; the time from the kill to
# a survivor delivering again in the new view, in ms, one line a run.
failover() {
	: >"$T/failover-$1.ms"
	r=0
	while [ $r -lt "$runs" ]; do
		rm -f "$T"/logs/*
		"$bin/comparison_server" -g "$gm" -b 127.0.0.1 -p 0 -q -t 60 \
		    -n 5 -m "$m3" --order total --interval 0:0 --suspect "$1" \
		    >"$T/run.out" 2>"$T/run.err" &
		cs=$!
		kill_one "$T/failover-$1.ms"
		wait "$cs" || { echo "bench: failover run failed:" >&2; cat "$T/run.out" >&2; }
		r=$((r + 1))
	done
}

# kill_one FILE: kills a running peer of ours, then polls another one
# until it has installed the new view and delivered past it.
kill_one() {
	ctls=
	w=0
	while [ $w -lt 400 ]; do
		ctls=$(for c in $("$top/$B/tests/ctlraw" "$gm" LIST | sed -n 's/.* ctl=\([0-9]*\).*/\1/p'); do
			"$top/$B/tests/ctlraw" "127.0.0.1:$c" STATUS 2>/dev/null |
			    grep -qE "state=running.* delivered=[1-9]" && echo "$c"
		done)
		[ "$(echo "$ctls" | wc -w)" -ge 5 ] && break
		sleep 0.01; w=$((w + 1))
	done
	victim=$(echo "$ctls" | sed -n 1p) witness=$(echo "$ctls" | sed -n 2p)
	vline=$("$top/$B/tests/ctlraw" "$gm" LIST | grep " ctl=$victim\$")
	vpid=$(ss -Htlnp "sport = :${victim:-0}" 2>/dev/null |
	    sed -n 's/.*pid=\([0-9]*\),.*/\1/p' | head -n 1)
	case " $pids " in *" ${vpid:-none} "*) ;; *) echo "bench: no peer to kill" >&2; return ;; esac
	t0=$(date +%s%N)
	kill -KILL "$vpid"
	"$top/$B/tests/ctlraw" "$gm" "UNREGISTER ${vline#MEMBER }" >/dev/null 2>&1
	d0=
	w=0
	while [ $w -lt 3000 ]; do
		st=$("$top/$B/tests/ctlraw" "127.0.0.1:$witness" STATUS 2>/dev/null)
		v=$(echo "$st" | sed -n 's/.* view=\([0-9]*\).*/\1/p')
		d=$(echo "$st" | sed -n 's/.* delivered=\([0-9]*\).*/\1/p')
		case $st in *state=running*) ;; *) [ -n "$d0" ] || break ;; esac
		if [ "${v:-0}" -ge 1 ]; then
			[ -z "$d0" ] && d0=$d
			if [ "$d" -gt "$d0" ] || ! echo "$st" | grep -q state=running; then
				echo $(( ($(date +%s%N) - t0) / 1000000 )) >>"$1"
				return
			fi
		fi
		w=$((w + 1))
	done
	echo "bench: no view change seen at ctl=$witness" >&2
}

fo_suspect=1000
failover $fo_suspect
fo_ms=$(median <"$T/failover-$fo_suspect.ms")
p50=$(col delay-3 19)
ratio=$(awk -v a="$p50" 'BEGIN { printf "%.3f", a / 40000 }')
echo
echo "loopback UDP, one flow, 1200-byte datagrams: $udp datagrams/s (x_udp = msgs/s / this)"
echo "with 20 ms one-way delay: latency p50 = ${p50}us = $ratio x 2d"
printf '%s' "$trouble_rows"
echo "failover (SIGKILL 1 of 5 mid-flood, --suspect $fo_suspect): ${fo_ms} ms from the kill to a survivor delivering in the new view"
echo "medians of $runs run(s) each"
if [ -n "$json" ]; then
	{
		echo "{\"udp_datagrams_per_s\": $udp, \"runs\": $runs, \"delay_p50_over_2d\": $ratio, \"goodput_over_lossless\": {${json_trouble%, }}, \"failover_ms\": $fo_ms, \"failover_suspect_ms\": $fo_suspect, \"results\": ["
		printf '%s' "$json_rows" | sed '$ s/,$//'
		echo "]}"
	} >"$json"
	echo "JSON: $json"
fi
