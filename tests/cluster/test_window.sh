#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Peers started with different --window values: the comparison server's
# window, sent in START, is the one every member of the run uses (a window
# that differed between members broke the bound each of them relies on:
# DATA dropped as beyond the window, or a hold queue overflowing), so a
# flood ends ok with nothing dropped as beyond the window.
. "$(dirname "$0")/lib.sh"
CTLRAW=$TOP/$B/tests/ctlraw
start_gm
start_peers 1 --window 1
start_peers 1 --window 4096
start_peers 1 --window 2
run_cs win -n 3 -m 20000 --interval 0:0 --window 256 -t 30 -q
rc=$?
cat "$T/win.out"
[ $rc -eq 0 ] || fail "the flood exited $rc"
check win 3 20000 total || fail "logs"
for k in 0 1 2; do
	st=$("$CTLRAW" "$(peer_ctl $k)" STATUS) || fail "STATUS of peer $k"
	echo "$st" | grep -q " drop_window=0 " || fail "peer $k: $st"
done
# window= is 1 to 1048576 (without it, a peer uses its own --window).
"$CTLRAW" "$(peer_ctl 0)" "START run=5 id=0 n=2 messages=1 window=0" \
    "MEMBER id=0 host=127.0.0.1 udp=1" "MEMBER id=1 host=127.0.0.1 udp=2" |
    grep -q "^ERR 400" || fail "window=0 was not refused"
