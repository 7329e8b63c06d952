#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# scripts/cluster.sh interrupted in the middle of a long run:
# - Ctrl-C (SIGINT to its whole process group, as a terminal sends it):
#   the comparison server aborts the run at every peer, which ship what
#   they delivered (no "did not take ABORT", no peer without a log), and
#   the run is judged against what was sent, not 3 x 1,000,000 messages;
# - SIGTERM to the script alone acts at once (it used to wait for the
#   server to finish the run), with the same report.
# The script runs in a session of its own, whose id the test made.
. "$(dirname "$0")/lib.sh"
command -v setsid >/dev/null || skip "needs setsid (util-linux)"
# A background job ignores SIGINT, and a shell cannot trap what it was
# started ignoring: env gives the script the default, as a terminal would.
env --default-signal=INT true 2>/dev/null ||
    skip "needs env --default-signal (coreutils 8.31)"
SID=

# launch NAME: cluster.sh with a run far too long to finish, in its own
# session; waits until the peers deliver.
launch() {
	mkdir -p "$T/$1"
	MPCOMM_BIN=$BIN setsid env --default-signal=INT \
	    sh "$TOP/scripts/cluster.sh" -n 3 -m 1000000 \
	    --interval 1:2 --log-dir "$T/$1" >"$T/$1.out" 2>"$T/$1.err" &
	SID=$!
	PIDS="$PIDS $SID"
	w=0
	until [ "$(cat "$T/$1"/*.part 2>/dev/null | wc -l)" -gt 300 ]; do
		w=$((w + 1)); [ $w -lt 400 ] || { cat "$T/$1.err"; fail "$1: no run"; }
		sleep 0.05
	done
}

# finished NAME STATUS: the script ended with STATUS within 60 s.
finished() {
	w=0
	while kill -0 "$SID" 2>/dev/null; do
		w=$((w + 1))
		[ $w -lt 1200 ] || { kill -KILL "-$SID" 2>/dev/null; \
		    fail "$1: still running 60 s after the signal"; }
		sleep 0.05
	done
	wait "$SID"
	rc=$?
	[ "$rc" -eq "$2" ] || { cat "$T/$1.out" "$T/$1.err"; \
	    fail "$1: exit $rc, not $2"; }
}

# judged NAME: the report of an aborted run, judged against what was sent.
judged() {
	grep -q "did not take ABORT" "$T/$1.err" &&
	    { cat "$T/$1.err"; fail "$1: a peer did not take ABORT"; }
	r=$(grep "^RESULT" "$T/$1.out") || { cat "$T/$1.out"; fail "$1: no RESULT"; }
	echo "$1: $r"
	echo "$r" | grep -q " status=aborted" || fail "$1: not aborted"
	sent=$(echo "$r" | sed -n 's/.* messages=\([0-9]*\) .*/\1/p')
	mis=$(echo "$r" | sed -n 's/.* mismatched_rounds=\([0-9]*\) .*/\1/p')
	[ "$sent" -gt 0 ] && [ "$sent" -lt 3000000 ] ||
	    fail "$1: judged against $sent messages, not what was sent"
	[ "$mis" -lt "$sent" ] || fail "$1: $mis mismatched rounds of $sent"
	grep -q "(interrupted: $sent sent)" "$T/$1.out" ||
	    fail "$1: the report does not say what was sent"
	for id in 0 1 2; do
		grep -qE "^ +$id .* aborted " "$T/$1.out" ||
		    { cat "$T/$1.out"; fail "$1: peer $id did not ship an aborted log"; }
	done
}

launch int
kill -INT "-$SID"
finished int 130
judged int

launch term
kill -TERM "$SID"
finished term 143
judged term
