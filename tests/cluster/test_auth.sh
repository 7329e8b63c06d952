#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# --key-file on all three programs: an authenticated run completes in total
# order while forged datagrams are dropped and counted; clients without the
# key, or with another, get ERR 401; a peer without the key cannot join.
. "$(dirname "$0")/lib.sh"
MPCTL=$BIN/mpctl
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/key"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/other"
start_gm --key-file "$T/key"
start_peers 3 --key-file "$T/key"
run_cs auth -n 3 -m 2000 --interval 0:1 --loss 0.05 --key-file "$T/key" \
    -t 30 &
cs=$!
PIDS="$PIDS $cs"
w=0
until run=$("$MPCTL" --key-file "$T/key" send "$(peer_ctl 0)" STATUS |
    sed -n 's/.* run=\([0-9]*\).*/\1/p') && [ -n "$run" ]; do
	w=$((w + 1)); [ $w -lt 200 ] || fail "run did not start"; sleep 0.05
done
args=
k=0
while [ $k -lt 3 ]; do
	args="$args --udp $HOST:$(peer_udp $k)"
	k=$((k + 1))
done
# shellcheck disable=SC2086
"$TOP/$B/tests/noise" --run "$run" $args --seconds 2 >/dev/null
wait $cs || { cat "$T/auth.out" "$T/auth.err"; fail "authenticated run failed"; }
check auth 3 2000 total || fail "logs"
st=$("$MPCTL" --key-file "$T/key" send "$(peer_ctl 0)" STATUS)
v=$(echo "$st" | sed -n 's/.* drop_auth=\([0-9]*\).*/\1/p')
[ -n "$v" ] && [ "$v" -gt 0 ] || { echo "$st"; fail "forged datagrams not counted"; }
# Without the key, or with another one: refused, and said so.
"$MPCTL" send "$GM" LIST | grep -q "^ERR 401" || fail "unauthenticated LIST not refused"
"$MPCTL" send "$GM" LIST mac=0000 | grep -q "members" && fail "bad MAC accepted"
"$MPCTL" --key-file "$T/other" send "$GM" LIST | grep -q "^ERR 401" ||
    fail "a wrong key was not refused with ERR 401"
"$MPCTL" --key-file "$T/other" send "$(peer_ctl 0)" "SHUTDOWN" | grep -q "^ERR 401" ||
    fail "forged SHUTDOWN not refused"
"$MPCTL" send "$(peer_ctl 0)" "ABORT run=$run" | grep -q "^ERR 401" ||
    fail "unauthenticated ABORT not refused"
"$MPCTL" --key-file "$T/key" send "$(peer_ctl 0)" "ABORT run=$run" |
    grep -q "^OK already finished run=$run " || fail "authenticated ABORT"
"$MPCTL" --key-file "$T/key" send "$GM" LIST | grep -q "members=3" || fail "LIST"
# A peer without the key does not get in.
"$BIN/peer" -g "$GM" -b "$HOST" -u 0 -p 0 -l "$T/logs" 2>"$T/nokey.err" &
PIDS="$PIDS $!"
wait_line "$T/nokey.err" "refused the registration" >/dev/null ||
    fail "the peer without the key was not told"
"$MPCTL" --key-file "$T/key" send "$GM" LIST | grep -q "members=3" ||
    fail "a peer without the key registered"
grep -q "authentication failed" "$T/gm.err" || fail "not logged"
