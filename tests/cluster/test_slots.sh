#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Connection slots cannot be held against a run with --key-file: every slot
# of each peer's control port and of the comparison server is held by
# clients without the key (from four source addresses, reconnecting when
# dropped), and every slot of the group manager by clients with the key
# that PING twice a second.  Unauthenticated clients are dropped quickly,
# and a full table gives the slot of the least useful client to the
# newcomer: the run ends ok.
. "$(dirname "$0")/lib.sh"
HOLD=$TOP/$B/tests/hold
[ "$HOST" = 127.0.0.1 ] || skip "needs 127.0.0.2-5 (IPv4 loopback)"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/key"
start_gm --key-file "$T/key" --max-clients 32
start_peers 3 --key-file "$T/key"
# hold NAME ARGS...: a holder in the background, once it holds.
hold() {
	name=$1; shift
	"$HOLD" --seconds 60 "$@" >"$T/$name.out" 2>&1 &
	PIDS="$PIDS $!"
	wait_line "$T/$name.out" "holding" 20 >/dev/null || fail "holder $name"
}
hold peers --sources 4 --conns 64 "$(peer_ctl 0)" "$(peer_ctl 1)" "$(peer_ctl 2)"
hold gm --sources 4 --key-file "$T/key" --ping 500 --conns 32 "$GM"
run_cs slots -n 3 -m 1000 --interval 1:3 --key-file "$T/key" -t 30 &
cs=$!
PIDS="$PIDS $cs"
l=$(wait_line "$T/slots.err" "listening for logs on") || fail "no server"
hold cs --sources 4 --conns 256 "$(hostport "$HOST" "${l##*:}")"
wait $cs || { cat "$T/slots.out" "$T/slots.err"; fail "the run failed"; }
check slots 3 1000 total || fail "logs"
