# SPDX-License-Identifier: BSD-2-Clause
# Helpers for the cluster tests: every test starts its own processes on
# 127.0.0.1 with free ports in a fresh temporary folder, waits for their
# "ready" lines, stops exactly what it started (trap, by PID), and fails on
# any sanitizer report in their output.  Source it; exit 77 means skipped.
set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
# stop_pids, wait_gone, quote: the scripts' own (wait_line is ours, below).
. "$TOP/scripts/lib.sh"
B=${B:-build}
BIN=$TOP/$B/bin
HOST=${HOST:-127.0.0.1}
T=$(mktemp -d "${TMPDIR:-/tmp}/mpcomm-test.XXXXXX") || exit 1
PIDS=
GM=
GM_PID=
NPEERS=0

# Valgrind runs the programs under memcheck when VALGRIND=1.
if [ "${VALGRIND:-0}" = 1 ]; then
	WRAP="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --log-file=$T/vg.%p.log"
else
	WRAP=
fi

sanitizer_check() {
	if grep -l -E "ERROR: AddressSanitizer|ERROR: LeakSanitizer|WARNING: ThreadSanitizer|runtime error:" \
	    "$T"/*.err "$T"/*.out 2>/dev/null; then
		echo "FAIL: sanitizer report in the files above"
		return 1
	fi
	if ls "$T"/vg.*.log >/dev/null 2>&1 && [ -n "$(cat "$T"/vg.*.log)" ]; then
		cat "$T"/vg.*.log | head -40
		echo "FAIL: valgrind report"
		return 1
	fi
	return 0
}

cleanup() {
	rc=$?
	# shellcheck disable=SC2086
	stop_pids $PIDS
	sanitizer_check || rc=1
	if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then
		echo "(test files kept in $T)"
	else
		rm -rf "$T"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

# wait_line FILE PATTERN [SECONDS]: waits for a line; prints it.
wait_line() {
	limit=$(( ${3:-20} * 20 ))
	w=0
	while [ $w -lt $limit ]; do
		line=$(grep -m1 -E -- "$2" "$1" 2>/dev/null) && { echo "$line"; return 0; }
		sleep 0.05; w=$((w + 1))
	done
	echo "no '$2' in $1 after ${3:-20} s; it ends with:" >&2
	tail -n 5 "$1" >&2
	return 1
}

hostport() { case $1 in *:*) echo "[$1]:$2" ;; *) echo "$1:$2" ;; esac; }

# start_gm [ARGS...]: a group manager on a free port; sets GM and GM_PID.
start_gm() {
	# A file of an earlier group manager must not answer for this one.
	rm -f "$T/gm.err"
	$WRAP "$BIN/group_manager" -b "$HOST" -p 0 "$@" 2>"$T/gm.err" &
	GM_PID=$!
	PIDS="$PIDS $GM_PID"
	l=$(wait_line "$T/gm.err" "listening on") || fail "group manager did not start"
	GM=$(hostport "$HOST" "${l##*:}")
}

# start_peers N [ARGS...]: N more peers, registered; logs in $T/logs.
# Peer k's pid is in PEER_PID_k, its stderr in $T/peer<k>.err.
start_peers() {
	cnt=$1; shift
	mkdir -p "$T/logs"
	k=0
	while [ $k -lt "$cnt" ]; do
		idx=$NPEERS
		rm -f "$T/peer$idx.err"
		$WRAP "$BIN/peer" -g "$GM" -b "$HOST" -u 0 -p 0 -l "$T/logs" \
		    --refresh 1 "$@" 2>"$T/peer$idx.err" &
		eval "PEER_PID_$idx=$!"
		PIDS="$PIDS $!"
		NPEERS=$((NPEERS + 1))
		k=$((k + 1))
	done
	k=0
	while [ $k -lt "$NPEERS" ]; do
		wait_line "$T/peer$k.err" "registered at" >/dev/null ||
		    fail "peer $k did not register"
		k=$((k + 1))
	done
}

# peer_ctl K: the control address of peer K.
peer_ctl() {
	l=$(grep -m1 "ready:" "$T/peer$1.err")
	p=${l#*control port }; p=${p%%,*}
	hostport "$HOST" "$p"
}
peer_udp() {
	l=$(grep -m1 "ready:" "$T/peer$1.err")
	p=${l#*udp port }; p=${p%%,*}
	echo "$p"
}

# peer_status K: peer K's STATUS answer.  field KEY LINE: a key's value in
# such a line.
peer_status() { "$TOP/$B/tests/ctlraw" "$(peer_ctl "$1")" STATUS; }
field() { echo "$2" | sed -n 's/.* '"$1"'=\([^ ]*\).*/\1/p'; }

# peer_with_id ID: the start index of the peer that has id ID in the
# current run (ids follow the group manager's order, not ours).
peer_with_id() {
	k=0
	while [ $k -lt "$NPEERS" ]; do
		grep -q ": peer $1 of " "$T/peer$k.err" && { echo $k; return 0; }
		k=$((k + 1))
	done
	return 1
}

# wait_running ID [MPCTL ARGS...]: waits until the peer with run id ID
# runs and has delivered something; prints its STATUS line.  Extra
# arguments go to ctlraw before the address (--key-file F).
wait_running() {
	id=$1; shift
	w=0
	until k=$(peer_with_id "$id") &&
	    st=$("$TOP/$B/tests/ctlraw" "$@" "$(peer_ctl "$k")" STATUS) &&
	    echo "$st" | grep -qE "state=running.* delivered=[1-9]"; do
		w=$((w + 1)); [ $w -lt 400 ] || return 1; sleep 0.05
	done
	echo "$st"
}

# peer_run [CTLRAW ARGS...]: waits until the first peer started is in a
# run; prints the run's number.  Extra arguments as for wait_running.
peer_run() {
	w=0
	until r=$("$TOP/$B/tests/ctlraw" "$@" "$(peer_ctl 0)" STATUS |
	    grep "state=running" | sed -n 's/.* run=\([0-9]*\).*/\1/p') &&
	    [ -n "$r" ]; do
		w=$((w + 1)); [ $w -lt 200 ] || return 1; sleep 0.05
	done
	echo "$r"
}

# need_netns: skips the test unless it can make network namespaces and
# iptables rules (root, ip, iptables).
need_netns() {
	[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
	command -v ip >/dev/null || skip "needs ip (iproute2)"
	command -v iptables >/dev/null || skip "needs iptables"
	ip netns add "mpcprobe$$" 2>/dev/null ||
	    skip "cannot create network namespaces here"
	ip netns del "mpcprobe$$"
}

# start_sink ARGS...: the sink test tool (udp|tcp SECONDS [options]), its
# output in $T/sink.out; sets SINK_PORT once it listens.
start_sink() {
	"$TOP/$B/tests/sink" "$@" >"$T/sink.out" &
	PIDS="$PIDS $!"
	SINK_PORT=$(wait_line "$T/sink.out" "^port ") ||
	    fail "sink did not start"
	SINK_PORT=${SINK_PORT#port }
}

# fake_members UDP...: one listener (the sink, TCP on 127.0.0.1) registered
# at the group manager as a member for each UDP port given: it answers OK
# to every connection and keeps what it is sent, STARTs included, in
# $T/fake.in.
fake_members() {
	"$TOP/$B/tests/sink" tcp 120 --out "$T/fake.in" --say "OK
" >"$T/fake.out" &
	PIDS="$PIDS $!"
	l=$(wait_line "$T/fake.out" "^port ") || fail "sink did not start"
	for u in "$@"; do
		"$TOP/$B/tests/ctlraw" "$GM" \
		    "REGISTER host=$HOST udp=$u ctl=${l#port }" | grep -q "^OK" ||
		    fail "cannot register a listener as member udp=$u"
	done
}

# fake_run K: waits until the listeners got the STARTs of K runs; prints
# the Kth run.
fake_run() {
	w=0
	until r=$(sed -n 's/^START .*run=\([0-9]*\).*/\1/p' "$T/fake.in" \
	    2>/dev/null | uniq | sed -n "$1p") && [ -n "$r" ]; do
		w=$((w + 1)); [ $w -lt 400 ] || return 1; sleep 0.05
	done
	echo "$r"
}

# run_cs NAME ARGS...: runs comparison_server; output in $T/NAME.out/.err.
# Without a group manager (start_gm), -g names port 9 of $HOST, where none
# listens: an empty -g is a usage error of its own.
run_cs() {
	name=$1; shift
	$WRAP "$BIN/comparison_server" -g "${GM:-$HOST:9}" -b "$HOST" -p 0 "$@" \
	    >"$T/$name.out" 2>"$T/$name.err"
}

# cs_logs_addr NAME: waits until comparison server NAME (run_cs) listens
# for logs; prints that address.
cs_logs_addr() {
	l=$(wait_line "$T/$1.err" "listening for logs on") || return 1
	hostport "$HOST" "${l##*:}"
}

# result NAME KEY: a field of the RESULT line of run NAME.
result() {
	sed -n 's/^RESULT.* '"$2"'=\([^ ]*\).*/\1/p' "$T/$1.out" | tail -n 1
}

# check NAME N M MODE: the independent judge on run NAME's logs.
check() {
	r=$(result "$1" run)
	[ -n "$r" ] || { cat "$T/$1.out" "$T/$1.err"; fail "no RESULT line"; }
	"$TOP/tests/cluster/checklogs.sh" "$T/logs" "$r" "$2" "$3" "$4"
}
