#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A log folder too long for the delivery logs is refused once, at startup,
# with a clear message and exit status 2: an existing 1,200-byte folder in
# the foreground, and a 4,000-byte relative one with --daemon (which used to
# overflow a buffer while being made absolute).  A nested folder that does
# not exist yet is made with its parents (as mkdir -p).
. "$(dirname "$0")/lib.sh"
cd "$T" || fail "cd"
seg=$(printf '%0200d' 0)
long=$seg/$seg/$seg/$seg/$seg/$seg
mkdir -p "$long" || skip "cannot create a 1,200-byte path here"
# expect_refused NAME ARGS...: exit 2 and a message naming --log-dir.
expect_refused() {
	name=$1; shift
	"$BIN/peer" -g 127.0.0.1:1 -b 127.0.0.1 -u 0 -p 0 --refresh 1 \
	    "$@" 2>"$T/$name.err" &
	pid=$!
	PIDS="$PIDS $pid"
	w=0
	while kill -0 "$pid" 2>/dev/null && [ $w -lt 200 ]; do
		grep -q "ready:" "$T/$name.err" && break
		sleep 0.05; w=$((w + 1))
	done
	grep -q "ready:" "$T/$name.err" && fail "$name: started with that folder"
	wait "$pid"
	rc=$?
	[ $rc -eq 2 ] || { cat "$T/$name.err"; fail "$name: exit status $rc, not 2"; }
	cat "$T/$name.err" "$T/$name.log" 2>/dev/null | grep -q -- "--log-dir" || { cat "$T/$name.err"; fail "$name: no clear message"; }
}
expect_refused long -l "$long"
huge=$long/$long/$long/$seg/$seg/$seg
expect_refused daemon -l "$huge" --daemon -L "$T/daemon.log"
# -l a/b/c: made, parents included, and the peer starts.
"$BIN/peer" -g 127.0.0.1:1 -b 127.0.0.1 -u 0 -p 0 --refresh 1 \
    -l "$T/n1/n2/n3" 2>"$T/nested.err" &
PIDS="$PIDS $!"
wait_line "$T/nested.err" "ready:" 10 >/dev/null ||
    { cat "$T/nested.err"; fail "-l with missing parents: did not start"; }
[ -d "$T/n1/n2/n3" ] || fail "-l: nested folder not made"
