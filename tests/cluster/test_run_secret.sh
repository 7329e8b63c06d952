#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Without a key, each run has a secret of its own: the START the comparison
# server sends a member carries secret= of 64 hex digits (32 bytes), drawn
# anew for each run.  Two runs of two real peers and a third member that is
# a listener (tests/tools/sink) registered by hand, which reads its START:
# the two secrets differ, and neither is in the peers' STATUS answers (asked
# while they hold it), in any program's output or log, or in the delivery
# logs.
. "$(dirname "$0")/lib.sh"
CTLRAW=$TOP/$B/tests/ctlraw
[ "$HOST" = 127.0.0.1 ] || skip "IPv4 loopback only (the listener, tests/tools/sink)"

start_gm
start_peers 2
# The third member answers OK to everything and keeps what it is sent; its
# UDP port is a sink, so that nobody answers.
start_sink udp 60
fake_members "$SINK_PORT"

# secret_of RUN: the secret= of that run's START to the listener.
secret_of() {
	sed -n "s/^START .*run=$1 .*secret=\([^ ]*\).*/\1/p" "$T/fake.in" |
	    head -n 1
}
for r in 1 2; do
	run_cs "run$r" -n 3 -m 10 -t 2 -q &
	cs=$!
	PIDS="$PIDS $cs"
	run=$(fake_run $r) || fail "run $r: no START seen"
	s=$(secret_of "$run")
	echo "$s" | grep -qxE "[0-9a-f]{64}" ||
	    fail "run $r: secret=$s is not 32 bytes in hex"
	eval "S$r=\$s"
	k=0
	while [ $k -lt "$NPEERS" ]; do
		"$CTLRAW" "$(peer_ctl $k)" STATUS >"$T/status$r.$k" ||
		    fail "run $r: STATUS of peer $k"
		grep -q "run=$run" "$T/status$r.$k" ||
		    fail "run $r: peer $k is not in the run"
		k=$((k + 1))
	done
	wait $cs
done
[ "$S1" != "$S2" ] || fail "two runs had the same secret"
for s in "$S1" "$S2"; do
	grep -rlqi "$s" "$T"/status* "$T"/*.err "$T"/*.out "$T/logs" &&
	    { grep -rli "$s" "$T"/status* "$T"/*.err "$T"/*.out "$T/logs";
	    fail "a secret is shown above"; }
done
exit 0
