#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The comparison server unreachable when a peer ships its log: the peer
# retries with backoff for a bounded time, gives up, and the log stays on
# disk.
. "$(dirname "$0")/lib.sh"
start_gm
start_peers 1
# Peer 1 sends its log to a port where nothing listens.
start_peers 1 --server 127.0.0.1:1 --ship-timeout 2
run_cs r -n 2 -m 20 -t 4 -q
rc=$?
[ $rc -eq 1 ] || fail "comparison_server should exit 1 (missing log), not $rc"
wait_line "$T/peer1.err" "retrying in" 10 >/dev/null || fail "no retry"
wait_line "$T/peer1.err" "giving up shipping" 10 >/dev/null || fail "no give-up"
run=$(result r run)
f=$T/logs/run$run-peer1.log
[ "$(head -n 1 "$f")" = "# run=$run peer=1 order=total status=ok" ] ||
    fail "log not kept"
[ "$(tail -n +2 "$f" | wc -l)" -eq 40 ] || fail "log incomplete"
