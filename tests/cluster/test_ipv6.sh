#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A whole cluster over IPv6 (::1), total order with loss.
HOST=::1
. "$(dirname "$0")/lib.sh"
if ! ip -6 addr show dev lo 2>/dev/null | grep -q '::1'; then
	skip "no IPv6 loopback address on this machine"
fi
start_gm
start_peers 3
run_cs v6 -n 3 -m 200 --loss 0.1 --delay 0:5 -q
rc=$?
cat "$T/v6.out"
check v6 3 200 total || fail "logs"
[ $rc -eq 0 ] || fail "exit $rc"
grep -q "host=::1" "$T/gm.err" || grep -q "registered ::1" "$T/gm.err" ||
    fail "peers did not register IPv6 addresses"
