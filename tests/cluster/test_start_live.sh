#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A START naming the run in progress (its run id and peer id, as STATUS
# tells anyone) is refused before anything is touched: the live log is not
# truncated and the run ends ok.  The same START once the run is over is
# refused too, and the finished log stays as it was.
. "$(dirname "$0")/lib.sh"
CTLRAW=$TOP/$B/tests/ctlraw
start_gm
start_peers 2
ctl0=$(peer_ctl 0)
# Long enough for the log to reach its part file (256 KiB buffered) well
# before the end.
run_cs live -n 2 -m 15000 --interval 0:1 -t 30 &
cs=$!
PIDS="$PIDS $cs"
w=0
until st=$("$CTLRAW" "$ctl0" STATUS | grep "state=running") &&
    run=$(echo "$st" | sed -n 's/.* run=\([0-9]*\).*/\1/p') &&
    id=$(echo "$st" | sed -n 's/.* peer=\([0-9]*\).*/\1/p') &&
    [ -s "$T/logs/run$run-peer$id.log.part" ]; do
	w=$((w + 1)); [ $w -lt 600 ] || fail "no log written"; sleep 0.05
done
start() {
	"$CTLRAW" "$ctl0" "START run=$run id=$id n=2 messages=3 server=$HOST:1" \
	    "MEMBER id=0 host=$HOST udp=$(peer_udp 0)" \
	    "MEMBER id=1 host=$HOST udp=$(peer_udp 1)"
}
start | grep -q "^ERR 409" || fail "START of the live run not refused"
[ -s "$T/logs/run$run-peer$id.log.part" ] || fail "the live log was truncated"
wait $cs || { cat "$T/live.out" "$T/live.err"; fail "the run failed"; }
check live 2 15000 total || fail "logs"
log=$T/logs/run$run-peer$id.log
sum=$(cksum <"$log")
start | grep -q "^ERR 409" || fail "START of a finished run not refused"
[ ! -e "$log.part" ] || fail "a part file appeared over the finished run"
[ "$(cksum <"$log")" = "$sum" ] || fail "the finished log changed"
