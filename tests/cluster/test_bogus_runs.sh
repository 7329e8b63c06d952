#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Back-to-back bogus runs from a stranger (START naming a member that never
# answers and a comparison server that is not there, then ABORT): the
# peer's threads and the logs it keeps for reshipping stay bounded (the
# oldest are given up, said in its log), and it still serves a real run.
. "$(dirname "$0")/lib.sh"
CTLRAW=$TOP/$B/tests/ctlraw
start_sink udp 30
sp=$SINK_PORT
start_gm
start_peers 2
c0=$(peer_ctl 0)
u0=$(peer_udp 0)
i=1
while [ $i -le 30 ]; do
	"$CTLRAW" "$c0" "START run=$i id=0 n=2 messages=3 server=$HOST:1" \
	    "MEMBER id=0 host=$HOST udp=$u0" "MEMBER id=1 host=$HOST udp=$sp" \
	    >"$T/start.out"
	grep -q "^OK run=$i$" "$T/start.out" || { cat "$T/start.out"; \
	    fail "bogus START $i refused"; }
	"$CTLRAW" "$c0" "ABORT run=$i" | grep -q "^OK" || fail "ABORT $i"
	i=$((i + 1))
done
threads=$(ls "/proc/$PEER_PID_0/task" | wc -l)
files=$(ls "$T/logs" | grep -c "^run[0-9]*-peer0\.log")
echo "after 30 bogus runs: $threads threads, $files log files"
[ "$threads" -le 20 ] || fail "$threads threads after 30 bogus runs"
[ "$files" -le 12 ] || fail "$files logs kept after 30 bogus runs"
grep -q "giving up shipping the log for newer ones" "$T/peer0.err" ||
    fail "the peer did not say it gave up old logs"
run_cs r -n 2 -m 50 -q || { cat "$T/r.out" "$T/r.err"; \
    fail "the real run after the bogus ones"; }
check r 2 50 total || fail "real run logs"
