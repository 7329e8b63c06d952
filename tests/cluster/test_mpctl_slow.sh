#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# mpctl against a hostile server: one that answers a byte at a time does
# not hold it past -t (list and send end with exit status 3), and escape
# sequences in an answer reach the terminal escaped (\x1b), never raw.
. "$(dirname "$0")/lib.sh"
M=$BIN/mpctl
SINK=$TOP/$B/tests/sink
ESC=$(printf '\033')
sink() {
	"$SINK" tcp 30 --say "$2" --slow "$3" >"$T/$1.sink" &
	PIDS="$PIDS $!"
	p=$(wait_line "$T/$1.sink" "^port ") || fail "sink $1 did not start"
	echo "127.0.0.1:${p#port }"
}
# A fast server whose answer retitles the window and clears the screen.
a=$(sink fast "OK $ESC]0;pwned$(printf '\007')$ESC[2J hello
" 0)
timeout 10 "$M" -t 2 send "$a" PING >"$T/fast.out" 2>&1
grep -q "$ESC" "$T/fast.out" && fail "an escape sequence printed raw"
grep -qF 'OK \x1b]0;pwned\x07\x1b[2J hello' "$T/fast.out" ||
    { cat "$T/fast.out"; fail "the answer not printed escaped"; }
# Slow servers: a LIST answer and a line, one byte every 300 ms.
a=$(sink slowlist "OK members=50
MEMBER host=127.0.0.1 udp=1 ctl=2
MEMBER host=127.0.0.1 udp=1 ctl=2
MEMBER host=127.0.0.1 udp=1 ctl=2
" 300)
timeout 15 "$M" -t 1 list "$a" >"$T/list.out" 2>&1
rc=$?
[ $rc -eq 3 ] || { cat "$T/list.out"; fail "list: exit $rc, not 3"; }
a=$(sink slowsend "OK this answer takes far longer than the timeout
" 300)
timeout 15 "$M" -t 1 send "$a" PING >"$T/send.out" 2>&1
rc=$?
[ $rc -eq 3 ] || { cat "$T/send.out"; fail "send: exit $rc, not 3"; }
grep -q "timed out" "$T/send.out" || fail "send did not say it timed out"
