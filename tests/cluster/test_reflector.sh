#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A stranger's START naming 62 members at one UDP port of its choice (a
# sink that never answers) must not make the peer a traffic source: what
# reaches the sink is at most twice the bytes of that START, the peer says
# so in its log, and it still serves a real run afterwards.  (A START
# that also names real peers lets their talk refill the budget by a
# sixteenth of its bytes, for liveness; that is not bounded here.)
. "$(dirname "$0")/lib.sh"
CTLRAW=$TOP/$B/tests/ctlraw
start_sink udp 4
sp=$SINK_PORT
start_gm
start_peers 2
c0=$(peer_ctl 0)
u0=$(peer_udp 0)
set -- "START run=7 id=0 n=63 messages=50 server=$HOST:1" \
    "MEMBER id=0 host=$HOST udp=$u0"
i=1
while [ $i -lt 63 ]; do
	set -- "$@" "MEMBER id=$i host=$HOST udp=$sp"
	i=$((i + 1))
done
sent=0
for line in "$@"; do
	sent=$((sent + ${#line} + 1))
done
"$CTLRAW" "$c0" "$@" >"$T/start.out"
grep -q "^OK run=7$" "$T/start.out" || { cat "$T/start.out"; \
    fail "the START was refused"; }
got=$(wait_line "$T/sink.out" "^bytes " 10) || fail "sink gave no count"
got=${got#bytes }
echo "START of $sent bytes; the sink received $got bytes in 4 s"
[ "$got" -gt 0 ] || fail "the peer sent nothing to the members (no READY)"
[ "$got" -le $((2 * sent)) ] ||
    fail "$got bytes sent for a START of $sent bytes (more than twice)"
grep -q "members that have not answered were sent twice" "$T/peer0.err" ||
    fail "the peer did not say it stopped sending to silent members"
"$CTLRAW" "$c0" "ABORT run=7" | grep -q "^OK" || fail "ABORT"
run_cs r -n 2 -m 50 -q || { cat "$T/r.out" "$T/r.err"; \
    fail "the real run after the bogus one"; }
check r 2 50 total || fail "real run logs"
