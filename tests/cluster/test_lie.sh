#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A member that holds the key is trusted, but one lie is caught: its answer
# to a view change claiming more of a stream than the stream's owner
# stamped.  Five keyed peers; peer 4 is killed, so peer 0 coordinates a
# view change; peer 1 is stopped, and forge (with the key, a raw socket on
# loopback; needs root) speaks for it: heartbeats keep it alive, and its
# answer to the proposal claims peer 0's whole stream.  The coordinator
# refuses that answer and names the liar in its log, and the others finish
# in a view without peers 1 and 4 (before, the lie was taken: the cut of
# stream 0 lay beyond what peer 0 had stamped).
. "$(dirname "$0")/lib.sh"
CTLRAW=$TOP/$B/tests/ctlraw
FORGE=$TOP/$B/tests/forge
[ "$(id -u)" = 0 ] || skip "needs root for a raw socket"
[ "$HOST" = 127.0.0.1 ] || skip "IPv4 loopback only"

head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/key"
chmod 600 "$T/key"
N=5 M=6000
start_gm --key-file "$T/key"
start_peers $N --key-file "$T/key"
run_cs lie --key-file "$T/key" -n $N -m $M --interval 1:1 --suspect 400 \
    -t 20 -q &
cs=$!
PIDS="$PIDS $cs"
st=$(wait_running 0 --key-file "$T/key") || fail "run did not start"
run=$(echo "$st" | sed -n 's/.* run=\([0-9]*\).*/\1/p')
coord=$(peer_with_id 0) liar=$(peer_with_id 1) dead=$(peer_with_id 4)
# forge ARGS...: as member 1, keyed, to a peer given by --to.
forge() {
	"$FORGE" --from "$(peer_udp "$liar")" --run "$run" --sender 1 --n $N \
	    --key-file "$T/key" "$@"
}
# Member 1 stays alive for everyone, with counters far above its own.
for id in 0 2 3; do
	forge --to "$(peer_udp "$(peer_with_id $id)")" --kind hb \
	    --counter $((1000000000 + id * 100000)) --step 1 --count 150 \
	    --interval-ms 20 >/dev/null &
	PIDS="$PIDS $!"
done
eval "kill -STOP \$PEER_PID_$liar"
eval "kill -9 \$PEER_PID_$dead"
# The lie: member 1 answers that it processed all of peer 0's stream.
forge --to "$(peer_udp "$coord")" --kind state --await-propose 10000 \
    --seq $M --claim 0:$M --counter 2000000000 >/dev/null ||
    fail "no proposal to answer"
wait_line "$T/peer$coord.err" "lie from member 1" 10 >/dev/null ||
    fail "the lie was not reported by id"
eval "kill -9 \$PEER_PID_$liar"
wait $cs
rc=$?
cat "$T/lie.out"
[ $rc -eq 0 ] || fail "comparison_server exited $rc"
[ "$(result lie status)" = ok ] || fail "status"
"$TOP/tests/cluster/checkviews.sh" "$T/logs" "$run" $N $M 1,4 total ||
    fail "the survivors' logs"
exit 0
