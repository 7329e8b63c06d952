#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# SIGINT, then SIGTERM, to a comparison server that waits for peers to
# register (none do, --wait 60): it stops waiting at once (well within the
# 60 s), says so in a FATAL line with how many had registered, and exits
# 1, the status of an interrupted run.
. "$(dirname "$0")/lib.sh"
start_gm
start_peers 1
for sig in INT TERM; do
	run_cs "w$sig" -n 4 -m 10 --wait 60 -P "$T/w$sig.pid" &
	sh=$!
	PIDS="$PIDS $sh"
	wait_line "$T/w$sig.err" "waiting for 4 peers \(1 registered\)" \
	    >/dev/null || fail "comparison_server did not wait"
	pid=$(cat "$T/w$sig.pid")
	PIDS="$PIDS $pid"
	kill -"$sig" "$pid"
	# Bounded: 5 s, far below --wait.
	w=0
	while kill -0 "$pid" 2>/dev/null && [ $w -lt 100 ]; do
		sleep 0.05; w=$((w + 1))
	done
	kill -0 "$pid" 2>/dev/null && { cat "$T/w$sig.err"; fail "SIG$sig: still waiting for peers"; }
	wait $sh
	rc=$?
	[ $rc -eq 1 ] || { cat "$T/w$sig.err"; fail "SIG$sig: exit $rc, not 1"; }
	grep -q "FATAL: interrupted while waiting for peers (1 of 4 registered at $GM): no run was started" \
	    "$T/w$sig.err" || { cat "$T/w$sig.err"; fail "SIG$sig: no clear FATAL line"; }
	! grep -q "^RESULT" "$T/w$sig.out" || fail "SIG$sig: a RESULT line for no run"
done
