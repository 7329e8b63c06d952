#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# group_manager -t, as group_manager(8) says it: with -t 6, a client
# silent from the start is dropped before 4 s (its first line is due
# within 2 s); a client silent for 3 s after a request is still served (it
# gets its second answer); one silent for 9 s after a request is not.  The
# margins (2 s and 3 s) leave room for a busy machine.  The three clients
# wait at the same time.
. "$(dirname "$0")/lib.sh"
start_gm -t 6
"$TOP/$B/tests/slowclient" "$GM" idle 4 >"$T/idle.out" &
idle=$!
"$TOP/$B/tests/ctlraw" "$GM" PING hold:3 PING >"$T/hold3.out" 2>&1 &
hold3=$!
"$TOP/$B/tests/ctlraw" "$GM" PING hold:9 PING >"$T/hold6.out" 2>&1 &
hold6=$!
PIDS="$PIDS $idle $hold3 $hold6"
wait $idle
grep -q "closed by server" "$T/idle.out" ||
    { cat "$T/idle.out"; fail "a client silent from the start was not dropped before 4 s"; }
wait $hold3
[ "$(grep -c "^OK pong" "$T/hold3.out")" -eq 2 ] ||
    { cat "$T/hold3.out"; fail "a client silent 3 s between requests was dropped (-t 6)"; }
wait $hold6
[ "$(grep -c "^OK pong" "$T/hold6.out")" -lt 2 ] ||
    { cat "$T/hold6.out"; fail "a client silent 9 s between requests was served (-t 6)"; }
exit 0
