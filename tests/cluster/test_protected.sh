#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Protected mode, across a pair of network namespaces this test creates
# (A 10.78.0.1, B 10.78.0.2, one veth between them).  The programs run in
# A.  Without a key, B's control connections get ERR 403 (logged once per
# source), a REGISTER of B's address is refused, so is a START naming it,
# and B's datagrams are dropped and counted (drop_protected); a comparison
# server without --insecure, whose group manager (with --insecure) lists a
# peer in B, starts no run: exit 3 with a FATAL line naming B's address,
# and neither that peer nor one in A gets START.  With --insecure (one
# warning) and with a key from mpctl keygen, a run between a peer in A and
# one in B is ok.  Needs root and ip; skipped otherwise.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
command -v ip >/dev/null || skip "needs ip (iproute2)"
NA=mpprota$$ NB=mpprotb$$
ip netns add "$NA" 2>/dev/null || skip "cannot create network namespaces here"
netns_cleanup() {
	rc=$?
	# shellcheck disable=SC2086
	stop_pids $PIDS
	PIDS=
	ip netns del "$NA" 2>/dev/null
	ip netns del "$NB" 2>/dev/null
	(exit $rc)
	cleanup
}
trap netns_cleanup EXIT
ip netns add "$NB" || fail "cannot create namespace $NB"
ip -n "$NA" link add v0 type veth peer name v1 netns "$NB" || fail "veth"
ip -n "$NA" addr add 10.78.0.1/24 dev v0
ip -n "$NB" addr add 10.78.0.2/24 dev v1
ip -n "$NA" link set lo up && ip -n "$NB" link set lo up &&
    ip -n "$NA" link set v0 up && ip -n "$NB" link set v1 up || fail "links"
in_a() { ip netns exec "$NA" "$@"; }
in_b() { ip netns exec "$NB" "$@"; }
RAW=$TOP/$B/tests/ctlraw
mkdir -p "$T/logs"

# start NAME NS PROGRAM ARGS...: a program in a namespace, default ports.
start() {
	n=$1 ns=$2 p=$3; shift 3
	ip netns exec "$ns" $WRAP "$BIN/$p" "$@" 2>"$T/$n.err" &
	PIDS="$PIDS $!"
	eval "PID_$n=$!"
}
# stop_all: stops what runs, for the next mode, newest first (the peers
# unregister).  Not stop_pids: it takes our unreaped children for alive
# and waits its full 5 s.  At most 5 s each, then SIGKILL.
stop_all() {
	for p in $(echo $PIDS | tr ' ' '\n' | sort -rn); do
		kill "$p" 2>/dev/null
		w=0
		while [ $w -lt 100 ] && ps -o stat= -p "$p" 2>/dev/null |
		    grep -qv Z; do
			sleep 0.05; w=$((w + 1))
		done
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	PIDS=
}

# --- Without a key: loopback only. ---
start gm "$NA" group_manager
wait_line "$T/gm.err" "listening on" >/dev/null || fail "group manager"
start p0 "$NA" peer -g 127.0.0.1:5680 -l "$T/logs" --refresh 1
wait_line "$T/p0.err" "registered at" >/dev/null || fail "peer 0"
in_b "$RAW" 10.78.0.1:5680 PING >"$T/c1" 2>&1
in_b "$RAW" 10.78.0.1:5680 PING >>"$T/c1" 2>&1
in_b "$RAW" 10.78.0.1:5679 STATUS >>"$T/c1" 2>&1
[ "$(grep -c "^ERR 403 protected mode: .*--insecure" "$T/c1")" -eq 3 ] ||
    { cat "$T/c1"; fail "B's connections were not refused with ERR 403"; }
grep -q "pong" "$T/c1" && fail "B got an answer"
[ "$(grep -c "10.78.0.2: connection refused: protected mode" "$T/gm.err")" \
    -eq 1 ] || { cat "$T/gm.err"; fail "not logged exactly once per source"; }
in_a "$RAW" 127.0.0.1:5680 "REGISTER host=10.78.0.2 udp=6789 ctl=5679" \
    LIST >"$T/c2" 2>&1
grep -q "^ERR 403 protected mode: 10.78.0.2 is not a loopback" "$T/c2" &&
    grep -q "members=1" "$T/c2" ||
    { cat "$T/c2"; fail "a REGISTER of B's address was not refused"; }
in_a "$BIN/mpctl" start 127.0.0.1:5679 id=0 messages=1 server=127.0.0.1:5678 \
    127.0.0.1:6789 10.78.0.2:6789 >"$T/c3" 2>&1
grep -q "ERR 403 protected mode: member 10.78.0.2" "$T/c3" ||
    { cat "$T/c3"; fail "a START naming B was not refused"; }
in_b "$TOP/$B/tests/noise" --udp 10.78.0.1:6789 --seconds 1 >/dev/null ||
    fail "noise"
in_a "$BIN/mpctl" status 127.0.0.1:5679 >"$T/st" || fail "STATUS"
grep -q "^drop_protected=[1-9]" "$T/st" ||
    { cat "$T/st"; fail "B's datagrams were not counted as drop_protected"; }
grep -q "datagram from 10.78.0.2:.* dropped: protected mode" "$T/p0.err" ||
    fail "the first dropped datagram was not logged"
stop_all

# --- The comparison server, protected, and a member in B: no run. ---
start gmi "$NA" group_manager --insecure
wait_line "$T/gmi.err" "listening on" >/dev/null || fail "group manager"
start pa "$NA" peer -g 127.0.0.1:5680 -l "$T/logs" --refresh 1
start pb "$NB" peer -g 10.78.0.1:5680 -l "$T/logs" --refresh 1 --insecure
for p in pa pb; do
	wait_line "$T/$p.err" "registered at" >/dev/null || fail "peer $p"
done
in_a $WRAP "$BIN/comparison_server" -g 127.0.0.1:5680 -n 2 -m 5 -t 10 \
    >"$T/cs.out" 2>"$T/cs.err"
rc=$?
[ $rc -eq 3 ] || { cat "$T/cs.out" "$T/cs.err"; fail "protected server: exit $rc"; }
grep -q "FATAL.*protected mode: peer 10.78.0.2 is not on a loopback" \
    "$T/cs.err" || { cat "$T/cs.err"; fail "no FATAL line naming B's peer"; }
grep -q "run [0-9]" "$T/pa.err" "$T/pb.err" &&
    { cat "$T/pa.err" "$T/pb.err"; fail "a peer got START"; }
stop_all

# run_across MODE ARGS...: gm, a peer in A, a peer in B, then a run of
# the comparison server in A: RESULT ok.
run_across() {
	m=$1; shift
	start "gm$m" "$NA" group_manager "$@"
	wait_line "$T/gm$m.err" "listening on" >/dev/null || fail "$m: gm"
	start "a$m" "$NA" peer -g 10.78.0.1:5680 -l "$T/logs" "$@"
	start "b$m" "$NB" peer -g 10.78.0.1:5680 -l "$T/logs" "$@"
	for p in "a$m" "b$m"; do
		wait_line "$T/$p.err" "registered at" >/dev/null ||
		    fail "$m: peer $p did not register"
	done
	in_a $WRAP "$BIN/comparison_server" -g 127.0.0.1:5680 -n 2 -m 50 -q \
	    -t 20 "$@" >"$T/$m.out" 2>"$T/$m.err" ||
	    { cat "$T/$m.out"; tail "$T/$m.err"; fail "$m: the run failed"; }
	[ "$(result "$m" status)" = ok ] || fail "$m: status"
	grep -q "drop_protected" "$T/$m.out" "$T"/[ab]"$m".err &&
	    fail "$m: datagrams dropped as protected"
	stop_all
}

# --- With --insecure: across the namespaces, one warning at startup. ---
run_across insecure --insecure
[ "$(grep -c -- "--insecure: protected mode is off" "$T/gminsecure.err")" \
    -eq 1 ] || { cat "$T/gminsecure.err"; fail "not one --insecure warning"; }

# --- With a key: the same, and nothing said about protected mode. ---
"$BIN/mpctl" keygen "$T/key" >/dev/null || fail "mpctl keygen"
run_across keyed -k "$T/key"
grep -q "protected\|insecure" "$T/gmkeyed.err" "$T/akeyed.err" &&
    fail "a keyed run spoke of protected mode"
exit 0
