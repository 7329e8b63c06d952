#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A run completes, in total order, while another process fires random and
# malformed datagrams at every peer's UDP port and garbage at every TCP
# port; the peers count what they dropped (by cause), and every server still serves.
. "$(dirname "$0")/lib.sh"
NOISE=$TOP/$B/tests/noise
MPCTL=$BIN/mpctl
start_gm
start_peers 3
args=
k=0
while [ $k -lt 3 ]; do
	args="$args --udp $HOST:$(peer_udp $k) --tcp $(peer_ctl $k)"
	k=$((k + 1))
done
# The comparison server listens on a port we learn once it started.
run_cs run -n 3 -m 3000 --interval 0:1 --loss 0.05 -t 60 &
cs=$!
PIDS="$PIDS $cs"
l=$(wait_line "$T/run.err" "listening for logs on") || fail "no comparison server"
cs_port=${l##*:}
# Noise that claims the current run, so that it reaches the sender checks.
w=0
until run=$("$MPCTL" send "$(peer_ctl 0)" STATUS | sed -n 's/.* run=\([0-9]*\).*/\1/p') &&
    [ -n "$run" ]; do
	w=$((w + 1)); [ $w -lt 200 ] || fail "run did not start"; sleep 0.05
done
# shellcheck disable=SC2086
"$NOISE" --run "$run" $args --tcp "$GM" --tcp "$(hostport "$HOST" "$cs_port")" \
    --seconds 4 --seed 7 >"$T/noise.out" 2>&1 &
noise=$!
PIDS="$PIDS $noise"
wait $cs
rc=$?
wait $noise
cat "$T/noise.out" "$T/run.out"
check run 3 3000 total || fail "total order broken under noise"
[ $rc -eq 0 ] || fail "comparison_server exited $rc"
st=$("$MPCTL" send "$(peer_ctl 0)" STATUS)
echo "$st"
# The run's datagrams are authenticated under the secret its START carried,
# so junk fails its MAC (drop_auth) before any record of it is decoded; the decoder's own refusals are unit-tested.
for key in drop_auth; do
	v=$(echo "$st" | sed -n "s/.* $key=\([0-9]*\).*/\1/p")
	[ -n "$v" ] && [ "$v" -gt 0 ] || fail "$key not counted"
done
# The servers still answer, and say why they refuse.
"$MPCTL" send "$GM" LIST | grep -q "members=3" || fail "group manager"
"$MPCTL" send "$GM" "FOO" | grep -q "^ERR 400" || fail "unknown verb"
"$MPCTL" send "$GM" "REGISTER host=a udp=70000 ctl=1" | grep -q "^ERR 400" ||
    fail "out-of-range port"
"$MPCTL" send "$GM" "REGISTER host=a udp=1 ctl=1 x=2" | grep -q "unknown key" ||
    fail "unknown key"
"$MPCTL" send "$(peer_ctl 0)" STATUS | grep -q "^OK state=done" || fail "peer"
grep -q "unknown verb" "$T/gm.err" || fail "group manager did not log it"
