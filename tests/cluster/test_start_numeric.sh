#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# START takes numeric addresses only, so that no resolver can stall a
# peer's control loop: a member or server given by name is refused with
# ERR 400 (the comparison server resolves names before it sends START).
. "$(dirname "$0")/lib.sh"
CTLRAW=$TOP/$B/tests/ctlraw
start_gm
start_peers 1
ctl0=$(peer_ctl 0)
u0=$(peer_udp 0)
"$CTLRAW" "$ctl0" "START run=9 id=0 n=2 messages=3 server=$HOST:1" \
    "MEMBER id=0 host=$HOST udp=$u0" "MEMBER id=1 host=localhost udp=1" |
    grep -q "^ERR 400 member 1 host localhost is not a numeric address" ||
    fail "a member given by name was taken"
"$CTLRAW" "$ctl0" "START run=9 id=0 n=2 messages=3 server=localhost:1" |
    grep -q "^ERR 400 server localhost:1 is not a numeric" ||
    fail "a server given by name was taken"
"$CTLRAW" "$ctl0" STATUS | grep -q "state=idle" || fail "a run was started"
