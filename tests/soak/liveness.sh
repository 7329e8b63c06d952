#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Liveness soak (not part of `make check`): the configurations that used to
# end status=timeout or wedge every peer, each run R times in a row
# (default 50) on the same processes, each run with its own seed, each
# judged by its RESULT line and by the independent log checker.  Prints a
# table, one row per configuration: runs, ok, the first failure.
#
#   tests/soak/liveness.sh [-r RUNS] [--only NAME]      (or: make soak)
#
# Configurations (comparison_server options), all floods (--interval 0:0):
#   loss20-n3   -n 3 -m 200000 --loss 0.2 --delay 0:1
#   loss10-n8   -n 8 -m 20000  --loss 0.1 --dup 0.1 --delay 0:5
#   loss10-n4   -n 4 -m 50000  --loss 0.1
#   outage-n3   -n 3 -m 150000, a 2.4 s one-way outage from peer 0 to
#               peer 1 in network namespaces (root and iptables; else
#               skipped)
# Exit status: 0 every run ok, 1 a run was not ok, 2 usage.
. "$(dirname "$0")/../cluster/lib.sh"
runs=50 only=
while [ $# -gt 0 ]; do
	case $1 in
	-r) [ $# -ge 2 ] || { echo "liveness.sh: -r: expected a number" >&2; exit 2; }
	    runs=$2; shift 2 ;;
	--only) [ $# -ge 2 ] || { echo "liveness.sh: --only: expected a name" >&2; exit 2; }
	    only=$2; shift 2 ;;
	-h|--help) sed -n '3,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "liveness.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
done
case $runs in ''|*[!0-9]*|0) echo "liveness.sh: -r: expected a number above 0" >&2; exit 2 ;; esac
[ -x "$BIN/peer" ] || make -s -C "$TOP" >&2 || exit 3

bad=0
printf '%-12s %5s %5s  %s\n' config runs ok "first failure"

# report NAME OK FIRST: one row of the table.
report() {
	printf '%-12s %5s %5s  %s\n' "$1" "$runs" "$2" "${3:--}"
	[ "$2" -eq "$runs" ] || bad=1
}

# soak NAME N M ARGS...: R runs of one configuration on one cluster.
soak() {
	name=$1 n=$2 m=$3; shift 3
	[ -z "$only" ] || [ "$only" = "$name" ] || return 0
	start_gm
	start_peers "$n"
	ok=0 first= i=1
	while [ $i -le "$runs" ]; do
		rm -f "$T"/logs/*
		run_cs "$name" -n "$n" -m "$m" --interval 0:0 --seed "$i" -t 30 -q "$@"
		st=$(result "$name" status)
		if [ "$st" = ok ] && check "$name" "$n" "$m" total >/dev/null; then
			ok=$((ok + 1))
		elif [ -z "$first" ]; then
			first="run $i (seed $i): status=${st:-none}"
			cp "$T/$name.out" "$T/$name.fail.out"
		fi
		i=$((i + 1))
	done
	report "$name" "$ok" "$first"
	stop_pids $PIDS
	PIDS= NPEERS=0
}

soak loss20-n3 3 200000 --loss 0.2 --delay 0:1
soak loss10-n8 8 20000 --loss 0.1 --dup 0.1 --delay 0:5
soak loss10-n4 4 50000 --loss 0.1

if [ -z "$only" ] || [ "$only" = outage-n3 ]; then
	if [ "$(id -u)" = 0 ] && command -v iptables >/dev/null &&
	    ip netns add "mpcprobe$$" 2>/dev/null; then
		ip netns del "mpcprobe$$"
		ok=0 first= i=1
		while [ $i -le "$runs" ]; do
			MPCOMM_BIN=$BIN "$TOP/scripts/netns-cluster.sh" -n 3 \
			    -m 150000 --interval 0:0 --cut "0>1@300+2400" \
			    --seed "$i" -t 30 --suspect 5000 --log-dir "$T/nslogs" -q \
			    >"$T/ns.out" 2>"$T/ns.err"
			run=$(sed -n 's/^RESULT run=\([0-9]*\).* status=ok.*/\1/p' "$T/ns.out")
			if [ -n "$run" ] && "$TOP/tests/cluster/checklogs.sh" \
			    "$T/nslogs" "$run" 3 150000 total >/dev/null; then
				ok=$((ok + 1))
			elif [ -z "$first" ]; then
				first="run $i: $(grep -m1 '^RESULT' "$T/ns.out" || echo 'no RESULT')"
			fi
			rm -rf "$T/nslogs"
			i=$((i + 1))
		done
		report outage-n3 "$ok" "$first"
	else
		echo "outage-n3    skipped: needs root, iptables and network namespaces"
	fi
fi
[ $bad -eq 0 ] || { echo "liveness.sh: some runs did not end ok (files in $T)"; exit 1; }
exit 0
