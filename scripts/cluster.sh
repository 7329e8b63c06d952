#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Runs a whole MPComm cluster on this machine: a group manager, a comparison
# server and N peers on free localhost ports.  Prints the report, stops every
# process it started (also on Ctrl-C and on failure) and exits with the
# comparison server's status.
#
#   scripts/cluster.sh -n 5 -m 200
#   scripts/cluster.sh -n 8 -m 1000 --interval 0:0
#   scripts/cluster.sh -n 4 -m 300 --order none --delay 1:40
#   scripts/cluster.sh -n 4 -m 300 --delay 1:40 --compare
#
# Options of its own: -n PEERS (default 4), -m MESSAGES (default 200),
# --log-dir DIR (keep the peers' logs there; default: a temporary folder,
# named at the end), --compare (the same workload in none, fifo and total
# mode, one table), --host ADDR (default 127.0.0.1; ::1 for IPv6),
# --keep (leave the temporary folder).  Every other option goes to
# comparison_server (--order, --interval, --delay, --loss, --dup, --seed,
# --runs, --json, --svg, --csv, --sweep-peers, --sweep-messages, ...).
set -u

here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/lib.sh"
bin=${MPCOMM_BIN:-$here/build/bin}
peers=4
messages=200
logdir=
compare=0
host=127.0.0.1
keep=0
sweep=0
cs_args=

usage() {
	sed -n '3,22p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
}


while [ $# -gt 0 ]; do
	case $1 in
	-n|--peers) peers=$2; shift 2 ;;
	-m|--messages) messages=$2; shift 2 ;;
	--log-dir) logdir=$2; shift 2 ;;
	--compare) compare=1; shift ;;
	--host) host=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	-h|--help) usage ;;
	--sweep-peers|--sweep-messages)
		sweep=1; cs_args="$cs_args $(quote "$1") $(quote "$2")"; shift 2 ;;
	--*=*|--shutdown-peers|-q|--quiet|-v|--verbose)
		cs_args="$cs_args $(quote "$1")"; shift ;;
	-*)	[ $# -ge 2 ] || usage
		cs_args="$cs_args $(quote "$1") $(quote "$2")"; shift 2 ;;
	*)	usage ;;
	esac
done
case $peers in ''|*[!0-9]*) echo "cluster.sh: -n needs a number" >&2; exit 2 ;; esac
case $messages in ''|*[!0-9]*) echo "cluster.sh: -m needs a number" >&2; exit 2 ;; esac

if [ ! -x "$bin/peer" ] || [ ! -x "$bin/group_manager" ] ||
   [ ! -x "$bin/comparison_server" ]; then
	echo "cluster.sh: building MPComm first (make)" >&2
	make -s -C "$here" >&2 || exit 3
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/mpcomm-cluster.XXXXXX") || exit 3
[ -n "$logdir" ] || logdir=$work/logs
mkdir -p "$logdir" || exit 3
pids=

cleanup() {
	# shellcheck disable=SC2086
	stop_pids $pids
	if [ $keep -eq 0 ] && [ "$logdir" != "$work/logs" ]; then
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$bin/group_manager" -b "$host" -p 0 2>"$work/gm.log" &
pids="$pids $!"
gm_line=$(wait_line "$work/gm.log" "listening on") || exit 3
gm_port=${gm_line##*:}
case $host in *:*) gm="[$host]:$gm_port" ;; *) gm="$host:$gm_port" ;; esac

i=0
while [ $i -lt "$peers" ]; do
	"$bin/peer" -g "$gm" -b "$host" -u 0 -p 0 -l "$logdir" \
	    2>"$work/peer$i.log" &
	pids="$pids $!"
	i=$((i + 1))
done
i=0
while [ $i -lt "$peers" ]; do
	wait_line "$work/peer$i.log" "registered at" >/dev/null || exit 3
	i=$((i + 1))
done

# Runs the comparison server with the given extra arguments.
run_cs() {
	if [ $sweep -eq 1 ]; then
		eval "\"$bin/comparison_server\" -g \"$gm\" -b \"$host\" -p 0 \
		    $cs_args $*"
	else
		eval "\"$bin/comparison_server\" -g \"$gm\" -b \"$host\" -p 0 \
		    -n \"$peers\" -m \"$messages\" $cs_args $*"
	fi
}

if [ $compare -eq 0 ]; then
	run_cs
	status=$?
else
	status=0
	for mode in none fifo total; do
		echo "== order $mode"
		run_cs --order "$mode" --csv "$work/$mode.csv" --quiet
		s=$?
		# In none and fifo mode disagreement is the expected outcome.
		[ "$mode" = total ] && [ $s -ne 0 ] && status=$s
	done
	echo
	printf '%-6s %18s %16s %8s %11s %12s %12s\n' mode mismatched_rounds \
	    fifo_violations missing duplicates latency_p50 latency_p99
	for mode in none fifo total; do
		awk -F, -v mode="$mode" 'NR > 1 {
			printf "%-6s %18s %16s %8s %11s %10sus %10sus\n", mode,
			    $15, $18, $16, $17, $19, $20 }' "$work/$mode.csv"
	done
fi
echo "peer logs: $logdir"
exit $status
