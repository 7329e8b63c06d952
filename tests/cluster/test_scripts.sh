#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The scripts as a user meets them: --help exits 0, a usage error is one line
# plus the synopsis and exits 2, cluster.sh removes its temporary folder
# unless --keep, gives --key-file to every program, starts enough peers for
# a sweep, gives each repeat its own seed; start-peers.sh --stop waits for
# the peers to exit; make demo runs the README's command.  Every script's
# --help is its whole opening comment (cluster.sh's was cut short before
# 130/143) and its --version the programs' version; a folder --log-dir
# cannot make leaves no temporary folder (cluster.sh; netns-cluster.sh too
# when run as root, exit 3 naming the folder); without the programs
# (MPCOMM_BIN) a script says where it looked and exits 3; start-peers.sh
# shows why a peer did not start (its log's FATAL).
. "$(dirname "$0")/lib.sh"
S=$TOP/scripts
export MPCOMM_BIN="$BIN"

# usage_is SCRIPT PATTERN ARGS...: exit 2, "SCRIPT: ..." matching PATTERN,
# then one "usage:" line, nothing else.
usage_is() {
	sc=$1 pat=$2; shift 2
	"$S/$sc" "$@" >"$T/u.out" 2>"$T/u.err"
	rc=$?
	[ $rc -eq 2 ] || fail "$sc $*: exit $rc, not 2"
	[ ! -s "$T/u.out" ] || fail "$sc $*: wrote to stdout"
	[ "$(wc -l <"$T/u.err")" -eq 2 ] || { cat "$T/u.err"; fail "$sc $*: not two lines"; }
	head -n 1 "$T/u.err" | grep -q "^$sc: $pat" || { cat "$T/u.err"; fail "$sc $*: message"; }
	sed -n 2p "$T/u.err" | grep -q "^usage: $sc" || fail "$sc $*: no usage line"
}
for sc in cluster.sh netns-cluster.sh start-peers.sh remote.sh; do
	"$S/$sc" --help >"$T/h" 2>&1 || fail "$sc --help exits non-zero"
	grep -q "Exit status" "$T/h" || fail "$sc --help: no exit statuses"
	# The whole opening comment, not cut short: its last line ends it.
	last=$(sed -n '3,$p' "$S/$sc" | sed '/^[^#]/,$d' | tail -n 1 |
	    sed 's/^# *//')
	[ "$(tail -n 1 "$T/h")" = "$last" ] ||
	    fail "$sc --help ends before its comment does ('$last')"
	grep -q "MPCOMM_BIN" "$T/h" || fail "$sc --help: MPCOMM_BIN not said"
	grep -q "set -u" "$T/h" && fail "$sc --help: shows code"
	usage_is $sc "unknown option --bogus" --bogus
done
usage_is cluster.sh "-n: needs a value" -n
usage_is cluster.sh "-n: expected a number" -n abc
usage_is cluster.sh "-m: expected a number" -m 1x
usage_is cluster.sh "unexpected argument" extra
usage_is cluster.sh "--loss: needs a value" --loss
usage_is netns-cluster.sh "-n: expected a number" -n abc
usage_is netns-cluster.sh "-n: needs a value" -n
usage_is start-peers.sh "-k: expected a number" -k x
usage_is start-peers.sh "-d: no such directory" --stop -d "$T/nonexistent"
v=$("$BIN/peer" --version) || fail "peer --version"
for sc in cluster.sh netns-cluster.sh start-peers.sh; do
	[ "$("$S/$sc" --version)" = "$sc (MPComm) ${v##* }" ] ||
	    fail "$sc --version: '$("$S/$sc" --version)', not ${v##* }"
done
# Without the programs: where it looked, exit 3 (no make).
for a in "cluster.sh -n 2" "start-peers.sh -g 127.0.0.1:1"; do
	sc=${a%% *}
	# shellcheck disable=SC2086
	MPCOMM_BIN=$T/nobin "$S/"$a >"$T/nb.out" 2>"$T/nb.err"
	rc=$?
	[ $rc -eq 3 ] || { cat "$T/nb.err"; fail "$sc without programs: exit $rc"; }
	grep -q "not found.* $T/nobin" "$T/nb.err" ||
	    { cat "$T/nb.err"; fail "$sc: does not say where it looked"; }
done

# The temporary folder goes away (after a usage error too), unless --keep.
mkdir "$T/tmp"
TMPDIR=$T/tmp "$S/cluster.sh" -n 2 -m 5 -q >"$T/c1.out" 2>"$T/c1.err" ||
    { cat "$T/c1.err"; fail "cluster.sh -n 2 -m 5"; }
[ -z "$(ls "$T/tmp")" ] || fail "cluster.sh left $(ls "$T/tmp") behind"
# leftovers PATTERN: fails if a process started by a script still runs.
leftovers() {
	ps -eo pid,args | grep -F -- "$1" | grep -v grep >"$T/left" || return 0
	cat "$T/left"
	for p in $(awk '{ print $1 }' "$T/left"); do kill "$p"; done
	fail "processes left running"
}
leftovers "$T/tmp/"
grep -q "logs" "$T/c1.out" && fail "names logs that it removed"
TMPDIR=$T/tmp "$S/cluster.sh" -n x 2>/dev/null
[ -z "$(ls "$T/tmp")" ] || fail "a usage error left a folder"
: >"$T/file"
TMPDIR=$T/tmp "$S/cluster.sh" -n 2 -m 5 --log-dir "$T/file/logs" 2>"$T/ld.err"
[ $? -eq 3 ] || fail "--log-dir that cannot be made: exit status"
[ -z "$(ls "$T/tmp")" ] || fail "--log-dir that cannot be made left $(ls "$T/tmp")"
# netns-cluster.sh too: it wants root first, and fails on the folder
# before it makes any namespace.
if [ "$(id -u)" = 0 ]; then
	TMPDIR=$T/tmp MPCOMM_NETNS_TAG=mts$$ "$S/netns-cluster.sh" -n 2 -m 5 \
	    --log-dir "$T/file/logs" 2>"$T/nld.err"
	[ $? -eq 3 ] || { cat "$T/nld.err"; fail "netns-cluster.sh --log-dir that cannot be made: exit status"; }
	grep -q "^netns-cluster.sh: cannot create $T/file/logs$" "$T/nld.err" ||
	    { cat "$T/nld.err"; fail "netns-cluster.sh --log-dir that cannot be made: no clear message"; }
	[ -z "$(ls "$T/tmp")" ] ||
	    fail "netns-cluster.sh --log-dir that cannot be made left $(ls "$T/tmp")"
else
	echo "netns-cluster.sh --log-dir is not checked: it needs root"
fi
TMPDIR=$T/tmp "$S/cluster.sh" -n 2 -m 5 -q --keep >"$T/c2.out" 2>"$T/c2.err"
ls "$T"/tmp/mpcomm-cluster.*/logs/*.log >/dev/null 2>&1 || fail "--keep"
grep -q "peer logs: $T/tmp/mpcomm-cluster" "$T/c2.out" || fail "--keep: where?"
rm -rf "$T/tmp"

# --key-file reaches every program.
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/key"
mkdir -p "$T/tmp2"
TMPDIR=$T/tmp2 "$S/cluster.sh" -n 2 -m 5 -q --key-file "$T/key" >"$T/k.out" \
    2>"$T/k.err" || { tail "$T/k.err"; fail "cluster.sh --key-file"; }
leftovers "$T/tmp2/"
grep -q "^RESULT.*status=ok" "$T/k.out" || fail "--key-file: no ok run"

# A sweep starts as many peers as its largest count; repeats get seeds.
"$S/cluster.sh" --sweep-peers 2,3 --sweep-messages 5 -r 2 --seed 7 \
    --order none >"$T/sw.out" 2>"$T/sw.err" ||
    { tail "$T/sw.err"; fail "cluster.sh sweep"; }
[ "$(grep -c '^RESULT.* peers=3 ' "$T/sw.out")" -eq 2 ] ||
    fail "the 3-peer runs are missing"
[ "$(grep -c '^RESULT.* peers=2 ' "$T/sw.out")" -eq 2 ] || fail "2-peer runs"
grep -q "seed=7$" "$T/sw.out" && grep -q "seed=8$" "$T/sw.out" ||
    fail "repeats do not get seed, seed+1"
grep -q "repeat 2 of 2: seed 8" "$T/sw.err" || fail "seed not printed"

# start-peers.sh: --stop returns once the peers have exited.
start_gm
"$S/start-peers.sh" -g "$GM" -k 2 -d "$T/sp" -- -b "$HOST" --refresh 1 \
    >"$T/sp.out" 2>&1 || { cat "$T/sp.out"; fail "start-peers.sh"; }
for f in "$T"/sp/peer*.pid; do PIDS="$PIDS $(cat "$f")"; done
for f in "$T"/sp/peer0.log "$T"/sp/peer1.log; do
	wait_line "$f" "registered at" >/dev/null || fail "peer did not register"
done
"$S/start-peers.sh" --stop -d "$T/sp" >"$T/stop.out" || fail "--stop"
for f in "$T"/sp/peer*.pid; do
	[ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && fail "--stop returned early"
done
grep -q "stopped" "$T/stop.out" || fail "--stop said nothing"
# A peer that does not start: its FATAL on the terminal, exit 3.
"$S/start-peers.sh" -g "$GM" -d "$T/sp2" -- -b "$HOST" -l "$T/file/x" \
    >"$T/sp2.out" 2>"$T/sp2.err"
[ $? -eq 3 ] || fail "start-peers.sh with a peer that fails: exit status"
grep -q "FATAL: .*$T/file/x" "$T/sp2.err" ||
    { cat "$T/sp2.err"; fail "start-peers.sh hides why the peer failed"; }

# make demo runs the README's command, and prints the README's table.
demo=$(sed -n 's/^DEMO[ 	]*= *//p' "$TOP/Makefile")
grep -qF "\`$demo\`" "$TOP/README.md" || fail "README does not show '$demo'"
"$S/cluster.sh" -n 3 -m 10 --delay 0:2 --compare >"$T/cmp.out" 2>/dev/null ||
    fail "--compare"
hdr=$(grep "^order  *status  *mismatched" "$T/cmp.out")
grep -qxF "$hdr" "$TOP/README.md" || fail "the table's header differs from the README's"
exit 0
