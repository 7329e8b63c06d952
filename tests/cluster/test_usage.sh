#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# What the programs say when something is wrong: a usage error is
# "prog: message" plus one "usage:" line, exit 2; a name that does not
# resolve is exit 3 with a clear message (the peer's group manager: retried
# as an unreachable one, for ever under --daemon); an unreachable group
# manager is retried with backoff and rate-limited messages, then given up (exit 3)
# and labelled FATAL, within --register-timeout also when the group manager
# takes connections and never answers; the end of input at the prompt shuts
# the peers down.
. "$(dirname "$0")/lib.sh"

# usage_is PROG PATTERN ARGS...
usage_is() {
	p=$1 pat=$2; shift 2
	"$BIN/$p" "$@" >"$T/u.out" 2>"$T/u.err"
	rc=$?
	[ $rc -eq 2 ] || fail "$p $*: exit $rc, not 2"
	[ "$(wc -l <"$T/u.err")" -eq 2 ] || { cat "$T/u.err"; fail "$p $*: not two lines"; }
	head -n 1 "$T/u.err" | grep -q -- "^$p: $pat" ||
	    { cat "$T/u.err"; fail "$p $*: message"; }
	sed -n 2p "$T/u.err" | grep -q "^usage: $p \[" || fail "$p $*: no usage line"
	[ "$(sed -n 2p "$T/u.err" | wc -L)" -le 80 ] || fail "$p $*: usage wider than 80"
}
for p in group_manager comparison_server peer; do
	usage_is $p "unknown option --no-such-flag" --no-such-flag
	usage_is $p "unknown option --no-such-flag" --no-such-flag=3
	usage_is $p "unknown option -Z" -Z
	usage_is $p "--port: not a port: 99999" --port 99999
	usage_is $p "--port: needs a value" --port
	usage_is $p "-p: needs a value" -p
	usage_is $p "unexpected argument 'extra'" extra
	usage_is $p "cannot use key file $T/nokey" -k "$T/nokey"
done
usage_is peer "--window: not a number" --window 0
usage_is comparison_server "--loss: expected a probability" --loss 2
# HOST:PORT, one parser for all: a port above 65535 does not wrap around,
# an empty or non-numeric one is a usage error, not a resolver's failure.
usage_is peer "--group-manager: port out of range (1 to 65535): 10.0.0.1:99999" \
    -g 10.0.0.1:99999
usage_is peer "--server: not HOST\[:PORT\] with a numeric port: 10.0.0.1:" \
    -s 10.0.0.1:
usage_is comparison_server "--group-manager: not HOST\[:PORT\] with a numeric port: localhost:abc" \
    -g localhost:abc
MPCOMM_GROUP_MANAGER=10.0.0.1:65536 usage_is peer \
    "MPCOMM_GROUP_MANAGER: port out of range" -l "$T"
usage_is mpctl "port out of range (1 to 65535): 10.0.0.1:71216" \
    ping 10.0.0.1:71216
usage_is mpctl "not HOST\[:PORT\] with a numeric port: 127.0.0.1:" \
    ping 127.0.0.1:
usage_is mpctl "port out of range" shutdown "$HOST:1" 127.0.0.1:99999

# A group manager's name that does not resolve is retried as an
# unreachable one is, said plainly, until --register-timeout (exit 3); a
# daemon (no timeout) keeps trying.
"$BIN/peer" -g nonexistent.invalid:5680 -b "$HOST" -u 0 -p 0 -l "$T" \
    --register-timeout 1 2>"$T/nx.err"
rc=$?
[ $rc -eq 3 ] || fail "peer -g nonexistent.invalid: exit $rc"
grep -q "WARN: cannot register at the group manager nonexistent.invalid:5680: cannot resolve the name: no such host" \
    "$T/nx.err" || { cat "$T/nx.err"; fail "unclear message"; }
grep -q "FATAL: cannot reach the group manager nonexistent.invalid:5680 for 1 s" \
    "$T/nx.err" || { cat "$T/nx.err"; fail "no FATAL line"; }
"$BIN/peer" -g nonexistent.invalid:5680 -b "$HOST" -u 0 -p 0 -l "$T" \
    --daemon --pidfile "$T/nxd.pid" -L "$T/nxd.log" 2>"$T/nxd.err" ||
    { cat "$T/nxd.err" "$T/nxd.log"; fail "peer --daemon: a name that does not resolve ends it"; }
PIDS="$PIDS $(cat "$T/nxd.pid")"
wait_line "$T/nxd.log" "cannot resolve the name" 10 >/dev/null ||
    fail "peer --daemon: the reason is not logged"
sleep 1.2
kill -0 "$(cat "$T/nxd.pid")" 2>/dev/null || fail "peer --daemon gave up"
"$BIN/comparison_server" -g nonexistent.invalid -m 3 -p 0 2>"$T/nx2.err"
[ $? -eq 3 ] || fail "comparison_server -g nonexistent.invalid"
grep -q "no such host" "$T/nx2.err" || fail "comparison_server: unclear message"

# No group manager: backoff, few messages, then exit 3.
"$BIN/peer" -g 127.0.0.1:1 -b "$HOST" -u 0 -p 0 -l "$T" \
    --register-timeout 3 2>"$T/gm1.err"
rc=$?
[ $rc -eq 3 ] || fail "peer without a group manager: exit $rc"
grep -q "FATAL: cannot reach the group manager 127.0.0.1:1 for 3 s" \
    "$T/gm1.err" || { cat "$T/gm1.err"; fail "peer: no FATAL line"; }
[ "$(grep -c WARN "$T/gm1.err")" -le 3 ] || { cat "$T/gm1.err"; fail "peer: too many warnings"; }
grep -q "next in 2 s" "$T/gm1.err" || fail "peer: no backoff"
"$BIN/comparison_server" -g 127.0.0.1:1 -b "$HOST" -m 3 --wait 4 -p 0 \
    2>"$T/gm2.err"
rc=$?
[ $rc -eq 3 ] || fail "comparison_server without a group manager: exit $rc"
[ "$(grep -c WARN "$T/gm2.err")" -le 4 ] || { cat "$T/gm2.err"; fail "comparison_server: too many warnings"; }
grep -q "FATAL: cannot list the group at 127.0.0.1:1 after 4 s: Connection refused" "$T/gm2.err" || { cat "$T/gm2.err"; fail "comparison_server: no FATAL line"; }

# A group manager that never answers: --register-timeout 1 bounds the
# whole wait (it used to take one 5 s control timeout per attempt).
start_sink tcp 15
"$BIN/peer" -g "127.0.0.1:$SINK_PORT" -b "$HOST" -u 0 -p 0 -l "$T" \
    --register-timeout 1 2>"$T/silent.err" &
pid=$!
PIDS="$PIDS $pid"
w=0
while kill -0 "$pid" 2>/dev/null && [ $w -lt 80 ]; do sleep 0.05; w=$((w + 1)); done
kill -0 "$pid" 2>/dev/null && fail "--register-timeout 1: still trying after 4 s"
wait "$pid"
[ $? -eq 3 ] || fail "--register-timeout 1 at a silent group manager: exit status"
grep -q "FATAL: cannot reach the group manager .* for 1 s" "$T/silent.err" ||
    { cat "$T/silent.err"; fail "silent group manager: no FATAL line"; }

# End of input at the prompt does what 0 does: the peers shut down.
start_gm
start_peers 2
run_cs eof -n 2 </dev/null || fail "comparison_server at EOF: exit $?"
for k in 0 1; do
	eval "pid=\$PEER_PID_$k"
	w=0
	while kill -0 "$pid" 2>/dev/null && [ $w -lt 200 ]; do sleep 0.05; w=$((w + 1)); done
	kill -0 "$pid" 2>/dev/null && fail "peer $k still runs after EOF at the prompt"
done
exit 0
