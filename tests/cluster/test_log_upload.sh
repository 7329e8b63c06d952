#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# One LOG upload per (run, peer) at a time: while one connection streams a
# peer's log, a second LOG for that peer gets ERR 503 (busy) instead of
# growing memory; a LOG is never longer than its count=; the real log of
# that peer still gets in (the peer retries on 503) and the run ends ok.
. "$(dirname "$0")/lib.sh"
CTLRAW=$TOP/$B/tests/ctlraw
start_gm
start_peers 2
run_cs up -n 2 -m 2000 --interval 1:2 -t 30 &
cs=$!
PIDS="$PIDS $cs"
CS=$(cs_logs_addr up) || fail "no server"
run=$(peer_run) || fail "run did not start"
hdr="LOG run=$run peer=1 order=total status=ok count=1000"
"$CTLRAW" "$CS" "$hdr" "0 1 1" "0 2 2" "hold:2" >"$T/first.out" &
first=$!
PIDS="$PIDS $first"
wait_line "$T/first.out" "holding" 5 >/dev/null || fail "first upload"
"$CTLRAW" "$CS" "$hdr" "0 1 1" >"$T/second.out"
grep -q "^ERR 503" "$T/second.out" ||
    { cat "$T/second.out"; fail "a second upload of one log was not refused"; }
"$CTLRAW" "$CS" "LOG run=$run peer=0 order=total status=ok count=1" \
    "0 1 1" "0 2 2" | grep -q "longer than announced" ||
    fail "a LOG longer than its count= accepted"
wait $first
grep -q "^ERR" "$T/first.out" && { cat "$T/first.out"; fail "first upload refused"; }
wait $cs || { cat "$T/up.out" "$T/up.err"; fail "the run failed"; }
check up 2 2000 total || fail "logs"
