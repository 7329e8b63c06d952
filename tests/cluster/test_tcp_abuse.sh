#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Control ports under abuse: hundreds of connections at once, silent and
# trickling clients, START while a run is in progress, two members with
# one id, LOGs for an unknown run, shorter or longer than announced.  Each
# gets an ERR or a clean close, and the server keeps serving everyone.
. "$(dirname "$0")/lib.sh"
MPCTL=$BIN/mpctl
start_gm --max-clients 64 --timeout 2
start_peers 2
ctl0=$(peer_ctl 0)
# Hundreds of connections at once (more than --max-clients).
k=0
many=
while [ $k -lt 300 ]; do
	"$MPCTL" send "$GM" PING >/dev/null 2>&1 &
	many="$many $!"
	k=$((k + 1))
done
for p in $many; do wait "$p"; done
"$MPCTL" send "$GM" LIST | grep -q "members=2" || fail "group manager after 300 connections"
# A silent client is dropped after the timeout; others are served meanwhile.
"$TOP/$B/tests/slowclient" "$GM" idle 6 >"$T/idle.out" &
idle=$!
"$MPCTL" send "$GM" PING | grep -q pong || fail "blocked by a silent client"
wait "$idle"
grep -q "closed by server" "$T/idle.out" || fail "silent client not dropped"
# A client that trickles bytes but never ends a line is dropped too.
"$TOP/$B/tests/slowclient" "$GM" trickle 6 >"$T/trickle.out"
grep -q "closed by server" "$T/trickle.out" || fail "trickling client not dropped"
# Two members claiming one id; an id not below n; a bad order.
u0=$(peer_udp 0)
"$MPCTL" send "$ctl0" "START run=5 id=0 n=2 messages=3 server=$HOST:1" \
    "MEMBER id=0 host=$HOST udp=$u0" "MEMBER id=0 host=$HOST udp=$u0" |
    grep -q "two members claim id 0" || fail "duplicate id accepted"
"$MPCTL" send "$ctl0" "START run=5 id=2 n=2 messages=3" | grep -q "^ERR 400" ||
    fail "id >= n accepted"
"$MPCTL" send "$ctl0" "START run=5 id=0 n=2 messages=3 order=chaos" |
    grep -q "^ERR 400" || fail "bad order accepted"
"$MPCTL" send "$ctl0" "START run=5 id=0 n=2 messages=99999999999" |
    grep -q "^ERR 400" || fail "absurd message count accepted"
# A run in progress refuses a second START.
run_cs long -n 2 -m 2000 --interval 1:2 -t 30 &
cs=$!
PIDS="$PIDS $cs"
w=0
until "$MPCTL" send "$ctl0" STATUS | grep -q "state=running"; do
	w=$((w + 1)); [ $w -lt 200 ] || fail "run did not start"; sleep 0.05
done
u1=$(peer_udp 1)
"$MPCTL" send "$ctl0" "START run=6 id=0 n=2 messages=3 server=$HOST:1" \
    "MEMBER id=0 host=$HOST udp=$u0" "MEMBER id=1 host=$HOST udp=$u1" |
    grep -q "^ERR 409" || fail "START during a run accepted"
# LOGs: unknown run, and (for the live run) longer / shorter than said.
l=$(wait_line "$T/long.err" "listening for logs on") || fail "no server"
cs_addr=$(hostport "$HOST" "${l##*:}")
"$MPCTL" send "$cs_addr" "LOG run=1 peer=0 order=total status=ok count=1" |
    grep -q "^ERR 404" || fail "LOG for an unknown run"
run=$(sed -n 's/.*run \([0-9]*\): 2 peers.*/\1/p' "$T/long.err" | head -1)
"$MPCTL" send "$cs_addr" "LOG run=$run peer=1 order=total status=ok count=1" \
    "0 1 1" "0 2 2" | grep -q "longer than announced" || fail "long LOG"
"$MPCTL" send "$cs_addr" "LOG run=$run peer=1 order=total status=ok count=3" \
    "0 1 1" "END" | grep -q "shorter than announced" || fail "short LOG"
"$MPCTL" send "$cs_addr" "LOG run=$run peer=1 order=total status=ok count=1" \
    "zero one two" | grep -q "bad log line" || fail "bad LOG line"
# The real run still completes.
wait $cs || fail "the run failed after the abuse"
check long 2 2000 total || fail "logs"
