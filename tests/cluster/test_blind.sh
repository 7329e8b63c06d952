#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Without a key, an attacker who cannot read START (it does not know the
# run's secret) forges datagrams with a member's source address (a raw
# socket on loopback; needs root), each of which, unauthenticated, broke a
# run once:
#  notice   a VIEW notice whose history leaves the victim out (it stopped,
#           excluded, and the report said ok);
#  propose  a PROPOSE of a ballot its sender never proposed (it froze the
#           victim until the stall timeout);
#  clock    a DATA stamped bound-1, the highest timestamp the run allows
#           (the victim's clock jumped there: the run wedged);
#  ackc     an ACK state with the clock bound-1 (the victim delivered past
#           the forger's next messages: total order broken);
#  dead     DATA of a stopped peer past what it stamped, before the others
#           leave it behind (relayed to every survivor and delivered).
# Each is now refused as drop_auth, and the runs end ok with logs that the
# independent checker accepts.  CASES=... picks some of them.
. "$(dirname "$0")/lib.sh"
CTLRAW=$TOP/$B/tests/ctlraw
FORGE=$TOP/$B/tests/forge
[ "$(id -u)" = 0 ] || skip "needs root for a raw socket"
[ "$HOST" = 127.0.0.1 ] || skip "IPv4 loopback only"
CASES=${CASES:-notice propose clock ackc dead}

# forge ARGS...: from the forger's UDP port to the victim's, for this run.
forge() {
	"$FORGE" --to "$(peer_udp "$victim")" --from "$(peer_udp "$forger")" \
	    --run "$run" --sender 1 --n 3 "$@" >/dev/null || fail "forge $*"
}

N=3 M=2000
BOUND=$((N * N * M + N))
start_gm
start_peers 3 --peer-timeout 3000
# The forgeries of one run go to the victim after these many of its own
# messages are stamped and acknowledged by the others.
case_run() {
	name=$1; shift
	run_cs "$name" -n $N -m $M --interval 1:1 -t 15 -q "$@" &
	cs=$!
	st=$(wait_running 0) || fail "$name: run did not start"
	run=$(field run "$st")
	victim=$(peer_with_id 0) forger=$(peer_with_id 1)
	before=$(field drop_auth "$st")
}
# case_end NAME FORGED: the run ended ok, its logs agree, and the victim
# refused at least FORGED datagrams as unauthenticated.
case_end() {
	wait $cs
	rc=$?
	st=$("$CTLRAW" "$(peer_ctl "$victim")" STATUS) || fail "$1: STATUS"
	cat "$T/$1.out"
	[ $rc -eq 0 ] || fail "$1: the run with forged datagrams exited $rc"
	grep -q "status=ok" "$T/$1.out" || fail "$1: not ok"
	grep -q " views=" "$T/$1.out" && fail "$1: a view change happened"
	check "$1" $N $M total || fail "$1: logs"
	[ $(($(field drop_auth "$st") - before)) -ge "$2" ] ||
	    fail "$1: forgeries not counted as drop_auth: $st"
	grep -q "not authenticated" "$T/peer$victim.err" &&
	    fail "$1: the run was not authenticated"
	# The secret itself is shown nowhere: not in STATUS, nor any log.
	echo "$st" | grep -q secret && fail "$1: STATUS shows the secret"
	grep -rqs "secret=" "$T"/*.err "$T"/*.out "$T/logs" &&
	    fail "$1: the secret was written to a log"
	return 0
}

for c in $CASES; do
	case $c in
	notice)
		# One view without the victim (id 0), installed by member 1.
		case_run notice
		forge --kind notice --members 6 --ballot 65
		case_end notice 1 ;;
	propose)
		case_run propose
		forge --kind propose --members 7 --ballot 65
		case_end propose 1 ;;
	clock)
		# Just past what member 1 stamped, so that it is processed.
		case_run clock
		s=$(field stamped "$("$CTLRAW" "$(peer_ctl "$forger")" STATUS)")
		forge --kind clock --seq $((s + 50)) --ts $((BOUND - 1))
		case_end clock 1 ;;
	ackc)
		case_run ackc
		forge --kind ack --seq 1 --c $((BOUND - 1))
		case_end ackc 1 ;;
	dead)
		# Peer 2 stops; DATA "from" it, past what it stamped, go to
		# the victim before the others leave it behind.
		case_run dead --suspect 400
		gone=$(peer_with_id 2)
		s=$(field stamped "$("$CTLRAW" "$(peer_ctl "$gone")" STATUS)")
		eval "kill -STOP \$PEER_PID_$gone"
		k=1
		while [ $k -le 60 ]; do
			"$FORGE" --to "$(peer_udp "$victim")" \
			    --from "$(peer_udp "$gone")" --run "$run" --sender 2 \
			    --n 3 --kind clock --seq $((s + k)) \
			    --ts $((BOUND / 2 + k)) >/dev/null || fail "forge"
			k=$((k + 1))
		done
		wait_line "$T/peer$victim.err" "view 1 installed" 10 \
		    >/dev/null || fail "dead: no view without peer 2"
		eval "kill -CONT \$PEER_PID_$gone"
		wait $cs
		cat "$T/dead.out"
		# What peer 2 stamped, stopped then excluded: all it sent.
		st=$("$CTLRAW" "$(peer_ctl "$gone")" STATUS) || fail "STATUS"
		S=$(field stamped "$st")
		"$TOP/tests/cluster/checkviews.sh" "$T/logs" "$run" $N $M 2 \
		    total || fail "dead: the survivors' logs"
		hi=$(awk '$1 == 2 { if ($2 > h) h = $2 } END { print h + 0 }' \
		    "$T/logs/run$run-peer0.log")
		[ "$hi" -le "$S" ] ||
		    fail "dead: seq $hi of peer 2 delivered, it stamped $S"
		st=$("$CTLRAW" "$(peer_ctl "$victim")" STATUS) || fail "STATUS"
		[ "$(field drop_auth "$st")" -ge 60 ] ||
		    fail "dead: forgeries not counted as drop_auth: $st" ;;
	*) fail "unknown case $c" ;;
	esac
done
exit 0
