#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Without a key, five VIEW notices forged with members' source addresses
# (a raw socket on loopback; needs root), one to each peer of a 5-peer
# run, tell peers 0, 1 and 2 that the view {0,1,2} (ballot 65) was
# installed and peers 3 and 4 that the view {2,3,4} (ballot 66) was, each
# a majority of the five: two rival views at once.  On f41f82b, the commit
# before the run's secret, both were installed, peers 0-2 finished in
# theirs, and 3 and 4 were left waiting in theirs (RESULT views=1
# departed=3,4, status=ok or failed).  Asserted: the run ends ok with no
# view change (no views= in RESULT, every log's status ok, no peer logs
# "excluded"), all five logs complete and agreeing (checklogs.sh), and
# each peer counted its notice as drop_auth.
. "$(dirname "$0")/lib.sh"
CTLRAW=$TOP/$B/tests/ctlraw
FORGE=$TOP/$B/tests/forge
[ "$(id -u)" = 0 ] || skip "needs root for a raw socket"
[ "$HOST" = 127.0.0.1 ] || skip "IPv4 loopback only"

N=5 M=3000
start_gm
start_peers $N --peer-timeout 3000
run_cs split -n $N -m $M --interval 1:1 -t 15 -q &
cs=$!
PIDS="$PIDS $cs"
id=0
while [ $id -lt $N ]; do
	st=$(wait_running $id) || fail "peer $id did not start the run"
	k=$(peer_with_id $id)
	eval "K_$id=$k U_$id=$(peer_udp "$k") B_$id=$(field drop_auth "$st")"
	id=$((id + 1))
done
run=$(field run "$st")

# notice TO FROM MASK BALLOT: forges a notice from member FROM to member
# TO that the view MASK of ballot BALLOT was installed (failures noted in
# $bad, judged once the peers go on).
bad=
notice() {
	eval "ut=\$U_$1 uf=\$U_$2"
	"$FORGE" --to "$ut" --from "$uf" --run "$run" --sender "$2" --n $N \
	    --kind notice --members "$3" --ballot "$4" >/dev/null ||
	    bad="$bad $1"
}
# signal SIG: to every peer.
signal() {
	k=0
	while [ $k -lt $N ]; do
		eval "kill -$1 \$PEER_PID_$k"
		k=$((k + 1))
	done
}
# The peers are paused while the five go out, so that each finds its
# notice before anything the others send after theirs: as if all five
# had arrived at once.
signal STOP
notice 0 1 7 65		# {0,1,2}, round 1 of member 1
notice 1 0 7 65
notice 2 1 7 65
notice 3 4 28 66	# {2,3,4}, round 1 of member 2
notice 4 3 28 66
signal CONT
[ -z "$bad" ] || fail "could not forge the notices to$bad"

wait $cs
rc=$?
cat "$T/split.out"
[ $rc -eq 0 ] || fail "the run with forged notices exited $rc"
[ "$(result split status)" = ok ] || fail "not ok"
grep -q " views=" "$T/split.out" && fail "a view change happened"
check split $N $M total || fail "logs"
id=0
while [ $id -lt $N ]; do
	eval "k=\$K_$id b=\$B_$id"
	grep -q "excluded" "$T/peer$k.err" && fail "peer $id was excluded"
	head -n 1 "$T/logs/run$run-peer$id.log" | grep -q " status=ok" ||
	    fail "peer $id: its log does not say ok"
	st=$(peer_status "$k") || fail "STATUS of peer $id"
	echo "peer $id: $st"
	[ $(($(field drop_auth "$st") - b)) -ge 1 ] ||
	    fail "peer $id: its notice not counted as drop_auth: $st"
	id=$((id + 1))
done
exit 0
