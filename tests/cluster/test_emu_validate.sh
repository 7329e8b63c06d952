#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# With emulated delay, datagrams are validated before they are delayed:
# junk from a non-member (random bytes, bad records, other runs) is dropped
# and counted at once, never held in the delay queue.  The run here has a
# 60 s one-way delay, so anything queued would be counted only a minute
# later.
. "$(dirname "$0")/lib.sh"
CTLRAW=$TOP/$B/tests/ctlraw
start_gm
start_peers 1 --peer-timeout 120000
ctl0=$(peer_ctl 0)
u0=$(peer_udp 0)
"$CTLRAW" "$ctl0" "START run=77 id=0 n=2 messages=10 dmin=60000 dmax=60000 server=$HOST:1" \
    "MEMBER id=0 host=$HOST udp=$u0" "MEMBER id=1 host=$HOST udp=1" |
    grep -q "^OK run=77" || fail "START"
"$TOP/$B/tests/noise" --run 77 --udp "$HOST:$u0" --seconds 1 >"$T/noise.out" ||
    fail "noise"
drops() {
	"$CTLRAW" "$ctl0" STATUS | tr ' ' '\n' |
	    awk -F= '/^drop_/ { s += $2 } END { print s + 0 }'
}
w=0
until [ "$(drops)" -gt 0 ]; do
	w=$((w + 1))
	[ $w -lt 200 ] || { "$CTLRAW" "$ctl0" STATUS; fail "junk not counted: held in the delay queue"; }
	sleep 0.05
done
"$CTLRAW" "$ctl0" STATUS | grep -q "emu_overflow=0 " || fail "delay queue overflowed"
